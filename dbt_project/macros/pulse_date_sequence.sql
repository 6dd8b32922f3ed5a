{#-
    pulse_date_sequence(bounds, start_date, end_date, step, column): one row per `step` (an interval: `interval
    1 day`, `interval 3 month`) from start_date to end_date (SQL date expressions over the single-row relation
    `bounds`, both included), as dates in `column`. The one engine-specific series: health_date_series,
    pulse_month_series and pulse_month_steps are calls of it. dbt.date_spine is avoided because it queries the
    warehouse at compile time (which unit tests cannot do).
-#}
{% macro pulse_date_sequence(bounds, start_date, end_date, step, column) -%}
    {{ return(adapter.dispatch('pulse_date_sequence', 'pulse')(bounds, start_date, end_date, step, column)) }}
{%- endmacro %}

{% macro default__pulse_date_sequence(bounds, start_date, end_date, step, column) -%}
    select cast(series.generate_series as date) as {{ column }}
    from {{ bounds }}
    cross join generate_series(cast({{ start_date }} as timestamp), cast({{ end_date }} as timestamp), {{ step }})
        as series
{%- endmacro %}

{#- sequence() fails when start > end, where DuckDB's generate_series gives no rows: an empty range explodes
    nothing. -#}
{% macro spark__pulse_date_sequence(bounds, start_date, end_date, step, column) -%}
    select cast(series.{{ column }} as date) as {{ column }}
    from {{ bounds }}
    lateral view explode(
        case
            when cast({{ start_date }} as date) <= cast({{ end_date }} as date)
                then sequence(cast({{ start_date }} as date), cast({{ end_date }} as date), {{ step }})
        end
    ) series as {{ column }}
{%- endmacro %}
