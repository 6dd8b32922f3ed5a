-- Playbooks from the seed, typed (validated before dbt runs: orchestration/tasks/config.py), with their list's
-- severity and playbook text: the lists whose entry creates a task, and how.

with

playbooks as (

    select * from {{ ref('playbooks') }}

),

lists as (

    select * from {{ ref('int_lists') }}

),

final as (

    select
        cast(playbooks.list as {{ dbt.type_string() }}) as list,  -- noqa: RF04
        cast(playbooks.subject as {{ dbt.type_string() }}) as subject,
        cast(playbooks.due_days as {{ dbt.type_int() }}) as due_days,
        cast(playbooks.assign_to as {{ dbt.type_string() }}) as assign_to,
        cast(nullif(trim(playbooks.assignees), '') as {{ dbt.type_string() }}) as assignees,
        cast(playbooks.close_on_exit as boolean) as close_on_exit,
        cast(playbooks.expire_days as {{ dbt.type_int() }}) as expire_days,
        cast(playbooks.raise_priority_at_value as {{ health_type_double() }}) as raise_priority_at_value,
        lists.severity,
        lists.playbook

    from playbooks

    inner join lists
        on playbooks.list = lists.list

)

select * from final
