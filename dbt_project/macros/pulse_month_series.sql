{#- The first days of the complete calendar months from bounds.start_column (a month's first day) on: every
    month whose end (the next month's first day) is at most bounds.until_column. Column: month_start. -#}
{% macro pulse_month_series(bounds, start_column, until_column) -%}
    {{ pulse_date_sequence(
        bounds,
        bounds ~ '.' ~ start_column,
        bounds ~ '.' ~ until_column ~ ' - interval 1 month',
        'interval 1 month',
        'month_start'
    ) }}
{%- endmacro %}


{#- Every `months`-th month's date from bounds.start_column to bounds.end_column (both included), as dates in
    column `column` (e.g. the quarters of a forecast: months=3). -#}
{% macro pulse_month_steps(bounds, start_column, end_column, months, column) -%}
    {{ pulse_date_sequence(
        bounds, bounds ~ '.' ~ start_column, bounds ~ '.' ~ end_column, 'interval ' ~ months ~ ' month', column
    ) }}
{%- endmacro %}
