{% macro relation_exists(relation) -%}
    {#- Whether a table a model reads optionally is in the warehouse (one Pulse writes outside dbt, such as the
        churn risk score, is missing until that step first runs). Unit tests override it. -#}
    {{- return(load_relation(relation) is not none) -}}
{%- endmacro %}
