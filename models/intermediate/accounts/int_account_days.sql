-- The point-in-time spine: one row per account per day from the account's creation to the warehouse's as-of
-- date (the last day whose data is complete: int_source_watermarks). Every health metric and rank is computed
-- on this grain; events after the as-of date are kept in the rollups and count once it passes them.

with

accounts as (

    select
        account_id,
        created_date

    from {{ ref('int_accounts') }}

    where created_date is not null

),

bounds as (

    select
        (select min(created_date) from accounts) as first_date,
        (select max(as_of_date) from {{ ref('int_source_watermarks') }}) as as_of_date

),

calendar as (

    {{ health_date_series('bounds', 'first_date', 'as_of_date') }}

),

final as (

    select
        accounts.account_id,
        calendar.date_day as as_of_date,
        accounts.created_date,
        cast(
            {{ dbt.datediff('accounts.created_date', 'calendar.date_day', 'day') | trim }} + 1
            as {{ dbt.type_bigint() }}
        ) as account_age_days

    from accounts

    inner join calendar
        on accounts.created_date <= calendar.date_day

)

select * from final
