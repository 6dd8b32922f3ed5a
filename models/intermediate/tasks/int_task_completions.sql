-- Pulse tasks the CRM export reports done: a CRM task carrying the Pulse task id (Pulse_Task_Id__c) with status
-- Completed, on the day of its last modification (the first such day when several copies say so).

with

activities as (

    select * from {{ ref('stg_crm__activities') }}

),

final as (

    select
        pulse_task_id as task_id,
        min(cast(last_modified_at as date)) as completed_on

    from activities

    where pulse_task_id is not null and status = 'Completed'

    group by pulse_task_id

)

select * from final
