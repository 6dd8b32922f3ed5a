{#-
    How the incremental daily rollups (int_usage_daily, int_activity_usage_daily) replace the days they
    rebuild, per engine. Every rebuilt day is recomputed whole from stg_app__events, so "replace those days"
    is all a strategy must do:
      DuckDB (default): delete+insert on the unique key (which includes the day), no partitions;
      Spark: insert_overwrite of the table partitioned by the day (dynamic partition overwrite replaces
      exactly the days in the new rows; Spark has no delete+insert, and Parquet tables no delete).
-#}
{% macro pulse_incremental_strategy() -%}
    {{ return(adapter.dispatch('pulse_incremental_strategy', 'pulse')()) }}
{%- endmacro %}

{% macro default__pulse_incremental_strategy() -%}
    {{ return('delete+insert') }}
{%- endmacro %}

{% macro spark__pulse_incremental_strategy() -%}
    {{ return('insert_overwrite') }}
{%- endmacro %}


{#- The partition columns of a daily rollup: none on DuckDB, the day on Spark. -#}
{% macro pulse_incremental_partition_by(day_column) -%}
    {{ return(adapter.dispatch('pulse_incremental_partition_by', 'pulse')(day_column)) }}
{%- endmacro %}

{% macro default__pulse_incremental_partition_by(day_column) -%}
    {{ return(none) }}
{%- endmacro %}

{% macro spark__pulse_incremental_partition_by(day_column) -%}
    {{ return([day_column]) }}
{%- endmacro %}


{#- A pre-hook statement deleting the rows of `relation` where `condition` holds. On Spark nothing: there the
    model rebuilds every day it has (insert_overwrite), which replaces those rows. -#}
{% macro pulse_delete_where(relation, condition) -%}
    {{ return(adapter.dispatch('pulse_delete_where', 'pulse')(relation, condition)) }}
{%- endmacro %}

{% macro default__pulse_delete_where(relation, condition) -%}
    delete from {{ relation }} where {{ condition }}
{%- endmacro %}

{% macro spark__pulse_delete_where(relation, condition) -%}
{%- endmacro %}
