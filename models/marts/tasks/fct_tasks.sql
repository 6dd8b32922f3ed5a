-- Tasks from playbooks (seed 001, work process management), replayed from list history: one row per task, open
-- or closed, with its cause (list and account), assignee, priority, due date and how it closed.

with

details as (

    select * from {{ ref('int_task_details') }}

),

assignments as (

    select * from {{ ref('int_task_assignments') }}

),

final as (

    select
        details.task_id,
        details.list,
        details.account_id,
        details.subject,
        details.playbook,
        'Entered list ' || details.list || ' on ' || {{ dbt.safe_cast('details.opened_on', dbt.type_string()) }}
            as cause,
        cast(assignments.assignee as {{ dbt.type_string() }}) as assignee,
        cast(assignments.assignment_reason as {{ dbt.type_string() }}) as assignment_reason,
        details.priority,
        cast(5 - details.priority_level as {{ dbt.type_int() }}) as priority_order,
        case when details.closed_on is null then 'open' else 'closed' end as status,
        details.opened_on,
        details.due_on,
        details.closed_on,
        details.close_reason

    from details

    inner join assignments
        on details.task_id = assignments.task_id

)

select * from final
