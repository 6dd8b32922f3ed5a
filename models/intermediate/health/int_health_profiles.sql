-- Health profiles from the seed, typed and defaulted (the seed is validated by orchestration/health/config.py
-- before dbt runs).

with

profiles as (

    select * from {{ ref('health_profiles') }}

),

final as (

    select
        cast(profile as {{ dbt.type_string() }}) as profile,
        cast(precedence as {{ dbt.type_bigint() }}) as precedence,
        coalesce(cast(is_default as {{ dbt.type_boolean() }}), false) as is_default,
        cast(coalesce(model, 'rules') as {{ dbt.type_string() }}) as model,
        cast(coalesce(good_min_score, 75) as {{ health_type_double() }}) as good_min_score,
        cast(coalesce(poor_max_score, 35) as {{ health_type_double() }}) as poor_max_score

    from profiles

)

select * from final
