-- Usage per account, day and module: actions, distinct active users and minutes.
{{ daily_incremental('activity_date') }}

select
    account_id,
    activity_date,
    module,
    -- sum() of a bigint is a 128-bit integer in DuckDB: back to the contract's bigint.
    cast(sum(actions) as {{ dbt.type_bigint() }}) as actions,
    count(distinct user_id) as active_users,
    sum(minutes) as minutes

from {{ ref('int_usage_daily') }}

where actions > 0 and {{ days_to_rebuild('activity_date') }}

group by account_id, activity_date, module
