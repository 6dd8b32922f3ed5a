{#- The first days of the complete calendar months from bounds.start_column (a month's first day) on: every
    month whose end (the next month's first day) is at most bounds.until_column. Column: month_start. -#}
{% macro pulse_month_series(bounds, start_column, until_column) -%}
    {{ return(adapter.dispatch('pulse_month_series', 'pulse')(bounds, start_column, until_column)) }}
{%- endmacro %}

{% macro default__pulse_month_series(bounds, start_column, until_column) -%}
    select cast(series.generate_series as date) as month_start
    from {{ bounds }}
    cross join generate_series(
        cast({{ bounds }}.{{ start_column }} as timestamp),
        cast({{ bounds }}.{{ until_column }} as timestamp) - interval 1 month,
        interval 1 month
    ) as series
{%- endmacro %}

{% macro spark__pulse_month_series(bounds, start_column, until_column) -%}
    select explode(sequence(
        {{ start_column }}, add_months({{ until_column }}, -1), interval 1 month
    )) as month_start
    from {{ bounds }}
{%- endmacro %}
