-- One row per CRM contact version (type 2 history, like stg_crm__accounts): every snapshot export repeats
-- unchanged contacts, so rows are deduplicated on (sf_id, last_modified_at) and chained with valid_from /
-- valid_to. The contact role in force on a day (a champion who became a plain user) comes from here;
-- stg_crm__contacts keeps only the latest version.

with

source as (

    select * from {{ source('raw', 'crm_contacts') }}

),

renamed as (

    select
        sf_id as crm_contact_id,
        account_sf_id as crm_account_id,
        app_user_id as user_id,
        title,
        contact_role,
        created_at,
        last_modified_at,
        _loaded_at as loaded_at,
        _file_id as file_id,
        _line as line_number

    from source

),

-- The same version arrives in every later export: keep the most recently loaded copy.
deduplicated as (

    select
        *,
        row_number() over (
            partition by crm_contact_id, last_modified_at
            order by loaded_at desc, file_id desc, line_number desc
        ) as copy_rank

    from renamed

),

versions as (

    select
        *,
        lead(last_modified_at) over (
            partition by crm_contact_id
            order by last_modified_at
        ) as next_valid_from

    from deduplicated

    where copy_rank = 1

),

final as (

    select
        {{ dbt.concat([
            "crm_contact_id",
            "'|'",
            dbt.safe_cast("last_modified_at", dbt.type_string()),
        ]) }} as contact_version_id,
        crm_contact_id,
        crm_account_id,
        user_id,
        title,
        contact_role,
        created_at,
        last_modified_at as valid_from,
        next_valid_from as valid_to,
        next_valid_from is null as is_current

    from versions

)

select * from final
