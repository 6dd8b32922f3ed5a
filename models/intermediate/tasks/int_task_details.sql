-- Each task with what its assignment and priority need, as known on the day it opened: the account's success
-- manager and contract value, the playbook's assignment rule, and the priority (the list's severity, one level
-- higher, up to critical, when the contract value is at least the playbook's raise_priority_at_value).

with

tasks as (

    select * from {{ ref('int_tasks') }}

),

playbooks as (

    select * from {{ ref('int_playbooks') }}

),

crm as (

    select
        account_id,
        as_of_date,
        success_manager,
        contract_value

    from {{ ref('int_account_crm_daily') }}

),

severities (severity, severity_level) as (

    values ('low', 1), ('medium', 2), ('high', 3), ('critical', 4)

),

leveled as (

    select
        tasks.*,
        playbooks.subject,
        playbooks.playbook,
        playbooks.assign_to,
        playbooks.assignees,
        crm.success_manager,
        crm.contract_value,
        least(
            severities.severity_level
            + case when crm.contract_value >= playbooks.raise_priority_at_value then 1 else 0 end,
            4
        ) as priority_level

    from tasks

    inner join playbooks
        on tasks.list = playbooks.list

    inner join severities
        on playbooks.severity = severities.severity

    left join crm
        on
            tasks.account_id = crm.account_id
            and tasks.opened_on = crm.as_of_date

),

final as (

    select
        leveled.task_id,
        leveled.list,
        leveled.account_id,
        leveled.subject,
        leveled.playbook,
        severities.severity as priority,
        leveled.priority_level,
        leveled.contract_value,
        leveled.opened_on,
        leveled.due_on,
        leveled.closed_on,
        leveled.close_reason,
        leveled.assign_to,
        leveled.assignees,
        leveled.success_manager

    from leveled

    inner join severities
        on leveled.priority_level = severities.severity_level

)

select * from final
