{#- A number as text without trailing zeros: 16 -> '16', 0.456 -> '0.46'. -#}
{% macro health_number_text(expression) -%}
    case
        when {{ expression }} = floor({{ expression }})
            then {{ dbt.safe_cast(dbt.safe_cast(expression, dbt.type_bigint()), dbt.type_string()) }}
        else {{ dbt.safe_cast('round(' ~ expression ~ ', 2)', dbt.type_string()) }}
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

{% macro spark__health_type_double() -%}
    double
{%- endmacro %}
