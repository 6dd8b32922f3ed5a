{#-
    pulse_json_extract_string(column, key): the text value of a top-level JSON key, or null.
    JSON access differs per engine, so staging models call this dispatched macro instead of engine SQL.
-#}
{% macro pulse_json_extract_string(column, key) -%}
    {{ return(adapter.dispatch('pulse_json_extract_string', 'pulse')(column, key)) }}
{%- endmacro %}

{% macro default__pulse_json_extract_string(column, key) -%}
    json_extract_string({{ column }}, '$.{{ key }}')
{%- endmacro %}

{% macro spark__pulse_json_extract_string(column, key) -%}
    get_json_object({{ column }}, '$.{{ key }}')
{%- endmacro %}
