-- One row per CRM activity (Salesforce Task): its latest version (every export repeats all tasks so far).
-- pulse_task_id: the Pulse task a CRM task stands for (custom field Pulse_Task_Id__c, kept in attributes), so
-- a task completed in the CRM closes Pulse's task (marts.fct_tasks).

with

source as (

    select * from {{ source('raw', 'crm_activities') }}

),

renamed as (

    select
        sf_id as activity_id,
        account_sf_id as crm_account_id,
        contact_sf_id as crm_contact_id,
        activity_type,
        subject,
        activity_date,
        owner_name,
        status,
        created_at,
        last_modified_at,
        nullif(trim({{ pulse_json_extract_string('attributes', 'Pulse_Task_Id__c') }}), '') as pulse_task_id,
        _loaded_at as loaded_at,
        _file_id as file_id,
        _line as line_number

    from source

),

versions as (

    select
        *,
        row_number() over (
            partition by activity_id
            order by last_modified_at desc, loaded_at desc, file_id desc, line_number desc
        ) as version_rank

    from renamed

),

final as (

    select
        activity_id,
        crm_account_id,
        crm_contact_id,
        activity_type,
        subject,
        activity_date,
        owner_name,
        status,
        created_at,
        last_modified_at,
        pulse_task_id

    from versions

    where version_rank = 1

)

select * from final
