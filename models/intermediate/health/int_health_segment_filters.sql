-- Segment filters from the seed, typed: one row per condition of a profile (every condition must hold for the
-- profile to apply; a profile without rows applies to every account). The value is the rule's threshold.

with

filters as (

    select * from {{ ref('health_segment_filters') }}

),

final as (

    select
        cast(profile as {{ dbt.type_string() }}) as profile,
        cast(metric as {{ dbt.type_string() }}) as metric,
        cast(operator as {{ dbt.type_string() }}) as operator,
        cast(value as {{ dbt.type_string() }}) as threshold

    from filters

)

select * from final
