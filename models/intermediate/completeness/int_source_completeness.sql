-- The completeness configuration (seed source_completeness), typed and defaulted; validated before dbt runs.

with

config as (

    select * from {{ ref('source_completeness') }}

),

final as (

    select
        cast(source as {{ dbt.type_string() }}) as source,
        cast(coalesce(label, source) as {{ dbt.type_string() }}) as label,
        coalesce(cast(is_required as {{ dbt.type_boolean() }}), false) as is_required,
        cast(coalesce(method, 'latest') as {{ dbt.type_string() }}) as method,
        cast(coalesce(arrival_lag_days, 0) as {{ dbt.type_bigint() }}) as arrival_lag_days,
        cast(coalesce(min_volume_share, 0) as {{ health_type_double() }}) as min_volume_share,
        cast(coalesce(stale_after_days, 2) as {{ dbt.type_bigint() }}) as stale_after_days

    from config

)

select * from final
