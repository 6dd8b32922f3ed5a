{#- The value of `measure` on the group's latest row by `order_columns` (a list of column names, compared in
    order: the first decides, the next break its ties), null included: the aggregate form of
    `row_number() over (partition by ... order by ... desc) = 1`, which on every event is a sort per group.
    Use it with `filter (where ...)` to take the latest among some rows. -#}
{% macro pulse_value_at_latest(measure, order_columns) -%}
    {{ return(adapter.dispatch('pulse_value_at_latest', 'pulse')(measure, order_columns)) }}
{%- endmacro %}

{% macro default__pulse_value_at_latest(measure, order_columns) -%}
    {#- arg_max_null: the value on the latest row even when it is null (arg_max would skip that row). -#}
    arg_max_null({{ measure }}, struct_pack({% for column in order_columns -%}
        c{{ loop.index }} := {{ column }}{{ ", " if not loop.last }}
    {%- endfor %}))
{%- endmacro %}

{% macro spark__pulse_value_at_latest(measure, order_columns) -%}
    max_by({{ measure }}, struct({{ order_columns | join(", ") }}))
{%- endmacro %}
