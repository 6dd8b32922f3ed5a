{#-
    health_date_series(bounds, start_column, end_column): one row (date_day) per day in [start, end] of the
    single-row relation `bounds` (pulse_date_sequence).
-#}
{% macro health_date_series(bounds, start_column, end_column) -%}
    {{ pulse_date_sequence(
        bounds, bounds ~ '.' ~ start_column, bounds ~ '.' ~ end_column, 'interval 1 day', 'date_day'
    ) }}
{%- endmacro %}
