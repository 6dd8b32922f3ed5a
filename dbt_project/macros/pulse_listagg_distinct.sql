{#- The distinct values of `measure` in the group, sorted, joined by `delimiter_text` (a SQL string); null when
    the group has none. dbt.listagg has no distinct, so this is dispatched. -#}
{% macro pulse_listagg_distinct(measure, delimiter_text) -%}
    {{ return(adapter.dispatch('pulse_listagg_distinct', 'pulse')(measure, delimiter_text)) }}
{%- endmacro %}

{% macro default__pulse_listagg_distinct(measure, delimiter_text) -%}
    string_agg(distinct {{ measure }}, {{ delimiter_text }} order by {{ measure }})
{%- endmacro %}

{% macro spark__pulse_listagg_distinct(measure, delimiter_text) -%}
    case
        when size(collect_set({{ measure }})) > 0
            then array_join(array_sort(collect_set({{ measure }})), {{ delimiter_text }})
    end
{%- endmacro %}
