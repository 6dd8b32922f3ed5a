{{ config(meta={'dagster': {'ref': {'name': 'fct_account_health_daily'}}}) }}
-- fct_account_health_daily has exactly one row per account per day from creation to the as-of date:
-- returns accounts whose row count differs from their age in days, or that have gaps.
with

rows_per_account as (

    select
        account_id,
        count(*) as row_count,
        count(distinct as_of_date) as day_count,
        min(as_of_date) as first_date,
        max(as_of_date) as last_date

    from {{ ref('fct_account_health_daily') }}

    group by account_id

),

expected as (

    select
        accounts.account_id,
        accounts.created_date,
        (select max(as_of_date) from {{ ref('fct_account_health_daily') }}) as as_of_date

    from {{ ref('dim_accounts') }} as accounts

    where accounts.created_date is not null

)

select
    expected.account_id,
    rows_per_account.row_count,
    rows_per_account.first_date,
    expected.created_date

from expected

left join rows_per_account
    on expected.account_id = rows_per_account.account_id

where
    expected.created_date <= expected.as_of_date
    and (
        rows_per_account.account_id is null
        or rows_per_account.first_date <> expected.created_date
        or rows_per_account.last_date <> expected.as_of_date
        or rows_per_account.row_count <> rows_per_account.day_count
        or rows_per_account.row_count
        <> {{ dbt.datediff('expected.created_date', 'expected.as_of_date', 'day') }} + 1
    )
