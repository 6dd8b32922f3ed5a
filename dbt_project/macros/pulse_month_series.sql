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
    {{ spark_date_sequence(
        bounds,
        'cast(' ~ bounds ~ '.' ~ start_column ~ ' as date)',
        'add_months(cast(' ~ bounds ~ '.' ~ until_column ~ ' as date), -1)',
        'interval 1 month',
        'month_start'
    ) }}
{%- endmacro %}


{#- Every `months`-th month's date from bounds.start_column to bounds.end_column (both included), as dates in
    column `column` (e.g. the quarters of a forecast: months=3). -#}
{% macro pulse_month_steps(bounds, start_column, end_column, months, column) -%}
    {{ return(adapter.dispatch('pulse_month_steps', 'pulse')(bounds, start_column, end_column, months, column)) }}
{%- endmacro %}

{% macro default__pulse_month_steps(bounds, start_column, end_column, months, column) -%}
    select cast(series.generate_series as date) as {{ column }}

    from {{ bounds }}

    cross join generate_series(
        cast({{ bounds }}.{{ start_column }} as timestamp), cast({{ bounds }}.{{ end_column }} as timestamp),
        interval {{ months }} month
    ) as series
{%- endmacro %}

{% macro spark__pulse_month_steps(bounds, start_column, end_column, months, column) -%}
    {{ spark_date_sequence(
        bounds,
        'cast(' ~ bounds ~ '.' ~ start_column ~ ' as date)',
        'cast(' ~ bounds ~ '.' ~ end_column ~ ' as date)',
        'interval ' ~ months ~ ' month',
        column
    ) }}
{%- endmacro %}
