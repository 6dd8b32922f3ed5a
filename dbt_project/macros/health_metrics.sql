{#-
    health_metric_catalog(): every metric a health profile or segment filter may name, with its kind.
    The columns of int_account_metrics_daily (besides account_id, as_of_date) are exactly these;
    orchestration/health/metrics.py keeps the same list for validation (tests/test_health_config.py checks both
    against the built model).
-#}
{% macro health_metric_catalog() -%}
    {{ return({
        'account_age_days': 'number',
        'active_days_7d': 'number',
        'active_days_14d': 'number',
        'active_days_30d': 'number',
        'active_users_7d': 'number',
        'active_users_14d': 'number',
        'active_users_30d': 'number',
        'actions_per_day_14d': 'number',
        'minutes_per_week': 'number',
        'licenses': 'number',
        'license_utilization': 'number',
        'key_modules_used': 'number',
        'open_tickets': 'number',
        'tickets_30d': 'number',
        'days_since_last_touch': 'number',
        'days_since_last_activity': 'number',
        'days_in_journey_stage': 'number',
        'days_to_renewal': 'number',
        'contract_value': 'number',
        'engagement_score': 'number',
        'change_in_actions_14d': 'number',
        'change_in_active_users_14d': 'number',
        'change_in_minutes_14d': 'number',
        'status': 'text',
        'tier': 'text',
        'company_size': 'text',
        'industry': 'text',
        'success_manager': 'text',
        'journey_stage': 'text',
        'onboarding_program': 'text',
        'project_status': 'text',
        'risk_status': 'text',
        'csm_sentiment': 'text',
        'usage_frequency': 'text',
    }) }}
{%- endmacro %}


{#-
    health_condition_holds: one criterion (or segment condition) on one metric value, as a nullable boolean.
    null means "left out": the metric has no value (except for is_null / is_not_null, which test exactly that).
    Thresholds arrive pre-parsed: threshold (text as written), threshold_low / threshold_high (numbers or null).
    Lists (in, not_in) and between bounds are written with | between the items.
-#}
{% macro health_condition_holds(operator, numeric_value, text_value, threshold, threshold_low, threshold_high) -%}
    case
        when {{ operator }} = 'is_null' then ({{ numeric_value }} is null and {{ text_value }} is null)
        when {{ operator }} = 'is_not_null' then ({{ numeric_value }} is not null or {{ text_value }} is not null)
        when {{ numeric_value }} is null and {{ text_value }} is null then null
        when {{ operator }} in ('<', 'change_in_lt') then {{ numeric_value }} < {{ threshold_low }}
        when {{ operator }} = '<=' then {{ numeric_value }} <= {{ threshold_low }}
        when {{ operator }} in ('>', 'change_in_gt') then {{ numeric_value }} > {{ threshold_low }}
        when {{ operator }} = '>=' then {{ numeric_value }} >= {{ threshold_low }}
        when {{ operator }} = 'between' then {{ numeric_value }} between {{ threshold_low }} and {{ threshold_high }}
        when {{ operator }} = '=' and {{ numeric_value }} is not null then {{ numeric_value }} = {{ threshold_low }}
        when {{ operator }} = '=' then {{ text_value }} = {{ threshold }}
        when {{ operator }} = '!=' and {{ numeric_value }} is not null then {{ numeric_value }} <> {{ threshold_low }}
        when {{ operator }} = '!=' then {{ text_value }} <> {{ threshold }}
        when {{ operator }} = 'in'
            then ('|' || {{ threshold }} || '|') like ('%|' || {{ text_value }} || '|%')
        when {{ operator }} = 'not_in'
            then not (('|' || {{ threshold }} || '|') like ('%|' || {{ text_value }} || '|%'))
    end
{%- endmacro %}


{#- The condition as a reader says it: "> 14", "in Delayed, Blocked", "change below -50%". -#}
{% macro health_condition_text(operator, threshold, threshold_low, threshold_high) -%}
    case
        when {{ operator }} = 'is_null' then 'is empty'
        when {{ operator }} = 'is_not_null' then 'is set'
        when {{ operator }} = 'between'
            then 'between ' || {{ health_number_text(threshold_low) }} || ' and ' || {{ health_number_text(threshold_high) }}
        when {{ operator }} = 'in' then 'in ' || replace({{ threshold }}, '|', ', ')
        when {{ operator }} = 'not_in' then 'not in ' || replace({{ threshold }}, '|', ', ')
        when {{ operator }} = 'change_in_lt'
            then 'change below ' || {{ health_number_text(threshold_low ~ ' * 100') }} || '%'
        when {{ operator }} = 'change_in_gt'
            then 'change above ' || {{ health_number_text(threshold_low ~ ' * 100') }} || '%'
        else {{ operator }} || ' ' || {{ threshold }}
    end
{%- endmacro %}


{#- A number as text without trailing zeros: 16 -> '16', 0.456 -> '0.46'. -#}
{% macro health_number_text(expression) -%}
    case
        when {{ expression }} = floor({{ expression }})
            then {{ dbt.safe_cast(dbt.safe_cast(expression, dbt.type_bigint()), dbt.type_string()) }}
        else {{ dbt.safe_cast('round(' ~ expression ~ ', 2)', dbt.type_string()) }}
    end
{%- endmacro %}


{#- A metric value as text for reasons: change_in_* as a signed percentage. -#}
{% macro health_value_text(metric, numeric_value, text_value) -%}
    case
        when {{ numeric_value }} is null and {{ text_value }} is null then 'missing'
        when {{ numeric_value }} is null then {{ text_value }}
        when {{ metric }} like 'change_in%'
            then {{ health_number_text('round(' ~ numeric_value ~ ' * 100, 0)') }} || '%'
        else {{ health_number_text(numeric_value) }}
    end
{%- endmacro %}


{#- Text to number, null when it is not a number (thresholds are text in the seed). -#}
{% macro health_to_number(expression) -%}
    {{ return(adapter.dispatch('health_to_number', 'pulse')(expression)) }}
{%- endmacro %}

{% macro default__health_to_number(expression) -%}
    {{ dbt.safe_cast(expression, health_type_double()) }}
{%- endmacro %}

{% macro duckdb__health_to_number(expression) -%}
    try_cast({{ expression }} as double)
{%- endmacro %}


{#- A double-precision float (dbt.type_float() is a 4-byte float on DuckDB). -#}
{% macro health_type_double() -%}
    {{ return(adapter.dispatch('health_type_double', 'pulse')()) }}
{%- endmacro %}

{% macro default__health_type_double() -%}
    {{ dbt.type_float() }}
{%- endmacro %}

{% macro duckdb__health_type_double() -%}
    double
{%- endmacro %}
