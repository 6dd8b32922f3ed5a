-- One row per CRM account version (slowly changing, type 2): every snapshot export repeats unchanged
-- accounts, so rows are deduplicated on (sf_id, last_modified_at) and chained with valid_from / valid_to.

with

source as (

    select * from {{ source('raw', 'crm_accounts') }}

),

renamed as (

    select
        sf_id as crm_account_id,
        app_account_id as account_id,
        account_name,
        parent_sf_id as parent_crm_account_id,
        status,
        tier,
        contract_value,
        licenses,
        contract_start_date,
        renewal_date,
        cancellation_date,
        success_manager,
        company_size,
        industry,
        journey_stage,
        journey_stage_date,
        onboarding_program,
        project_status,
        risk_status,
        csm_sentiment,
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
            partition by crm_account_id, last_modified_at
            order by loaded_at desc, file_id desc, line_number desc
        ) as copy_rank

    from renamed

),

versions as (

    select
        *,
        lead(last_modified_at) over (
            partition by crm_account_id
            order by last_modified_at
        ) as next_valid_from

    from deduplicated

    where copy_rank = 1

),

final as (

    select
        {{ dbt.concat([
            "crm_account_id",
            "'|'",
            dbt.safe_cast("last_modified_at", dbt.type_string()),
        ]) }} as account_version_id,
        crm_account_id,
        account_id,
        account_name,
        parent_crm_account_id,
        status,
        tier,
        contract_value,
        licenses,
        contract_start_date,
        renewal_date,
        cancellation_date,
        success_manager,
        company_size,
        industry,
        journey_stage,
        journey_stage_date,
        onboarding_program,
        project_status,
        risk_status,
        csm_sentiment,
        created_at,
        last_modified_at,
        last_modified_at as valid_from,
        next_valid_from as valid_to,
        next_valid_from is null as is_current

    from versions

)

select * from final
