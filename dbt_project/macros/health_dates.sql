{#-
    health_date_series(bounds, start_column, end_column): one row (date_day) per day in [start, end] of the
    single-row relation `bounds`. Engines generate series differently, so this is dispatched; dbt.date_spine is
    avoided because it queries the warehouse at compile time (which unit tests cannot do).
-#}
{% macro health_date_series(bounds, start_column, end_column) -%}
    {{ return(adapter.dispatch('health_date_series', 'pulse')(bounds, start_column, end_column)) }}
{%- endmacro %}

{% macro default__health_date_series(bounds, start_column, end_column) -%}
    select cast(series.generate_series as date) as date_day
    from {{ bounds }}
    cross join generate_series(
        cast({{ bounds }}.{{ start_column }} as timestamp),
        cast({{ bounds }}.{{ end_column }} as timestamp),
        interval 1 day
    ) as series
{%- endmacro %}

{% macro spark__health_date_series(bounds, start_column, end_column) -%}
    {{ spark_date_sequence(
        bounds,
        'cast(' ~ bounds ~ '.' ~ start_column ~ ' as date)',
        'cast(' ~ bounds ~ '.' ~ end_column ~ ' as date)',
        'interval 1 day',
        'date_day'
    ) }}
{%- endmacro %}
