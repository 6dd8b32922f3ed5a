-- Segment filters parsed from health_profiles.segment_filter into one row per condition:
-- "journey_stage = Onboarding and onboarding_program = Project" -> (journey_stage, =, Onboarding), ...
-- A condition is "<metric> <operator> <value>"; conditions are joined by " and " (at most 5, checked by
-- the validator). Values of in / not_in / between are separated by |.

{%- set max_conditions = 5 %}

with

profiles as (

    select
        profile,
        segment_filter

    from {{ ref('int_health_profiles') }}

    where segment_filter is not null and trim(segment_filter) <> ''

),

conditions as (

    {%- for n in range(1, max_conditions + 1) %}
        select
            profile,
            {{ n }} as condition_number,
            trim({{ dbt.split_part('segment_filter', "' and '", n) }}) as condition_text

        from profiles
        {% if not loop.last %}
            union all
        {% endif %}
    {%- endfor %}

),

tokens as (

    select
        profile,
        condition_number,
        condition_text,
        {{ dbt.split_part('condition_text', "' '", 1) }} as metric,
        {{ dbt.split_part('condition_text', "' '", 2) }} as operator

    from conditions

    where condition_text is not null and condition_text <> ''

),

final as (

    select
        profile,
        condition_number,
        metric,
        operator,
        case
            when {{ dbt.length('condition_text') }} > {{ dbt.length('metric') }} + {{ dbt.length('operator') }} + 1
                then trim({{ dbt.right(
                    'condition_text',
                    dbt.length('condition_text') ~ ' - ' ~ dbt.length('metric') ~ ' - ' ~ dbt.length('operator') ~ ' - 1'
                ) }})
        end as threshold

    from tokens

)

select
    profile,
    condition_number,
    metric,
    operator,
    threshold,
    {{ health_to_number(dbt.split_part('threshold', "'|'", 1)) }} as threshold_low,
    {{ health_to_number(dbt.split_part('threshold', "'|'", 2)) }} as threshold_high

from final
