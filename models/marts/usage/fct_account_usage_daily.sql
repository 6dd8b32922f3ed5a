-- Usage per account, day and module: actions, distinct active users and minutes.

select
    cast(account_id as {{ dbt.type_string() }}) as account_id,
    cast(activity_date as date) as activity_date,
    cast(module as {{ dbt.type_string() }}) as module,
    cast(sum(actions) as {{ dbt.type_bigint() }}) as actions,
    cast(count(distinct user_id) as {{ dbt.type_bigint() }}) as active_users,
    cast(sum(minutes) as {{ health_type_double() }}) as minutes

from {{ ref('int_usage_daily') }}

where actions > 0

group by account_id, activity_date, module
