-- One row per CRM contact: its latest version across all exports.

with

source as (

    select * from {{ source('raw', 'crm_contacts') }}

),

renamed as (

    select
        sf_id as crm_contact_id,
        account_sf_id as crm_account_id,
        app_user_id as user_id,
        first_name,
        last_name,
        email,
        title,
        contact_role,
        created_at,
        last_modified_at,
        _loaded_at as loaded_at,
        _file_id as file_id,
        _line as line_number

    from source

),

versions as (

    select
        *,
        row_number() over (
            partition by crm_contact_id
            order by last_modified_at desc, loaded_at desc, file_id desc, line_number desc
        ) as version_rank

    from renamed

),

final as (

    select
        crm_contact_id,
        crm_account_id,
        user_id,
        first_name,
        last_name,
        email,
        title,
        contact_role,
        created_at,
        last_modified_at,
        -- Every row is the latest known version; deletions are not visible in the exports.
        true as is_current

    from versions

    where version_rank = 1

)

select * from final
