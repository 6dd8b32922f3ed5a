{#-
    spark_register_raw_tables(parquet_dir, tables): on Spark, the raw schema's tables as tables over Parquet
    folders <parquet_dir>/<table> (written by orchestration/spark from a DuckDB warehouse Pulse ingested). Run
    as `dbt run-operation spark_register_raw_tables --args '{parquet_dir: ..., tables: [...]}' --target spark`
    before the build; a cluster whose raw tables already exist does not need it. Re-running replaces them.
-#}
{% macro spark_register_raw_tables(parquet_dir, tables) -%}
    {%- if target.type != 'spark' -%}
        {{ exceptions.raise_compiler_error('spark_register_raw_tables runs on the spark target only') }}
    {%- endif -%}
    {% do run_query('create schema if not exists raw') %}
    {%- for table in tables %}
        {% do run_query('drop table if exists raw.' ~ table) %}
        {% do run_query(
            'create table raw.' ~ table ~ " using parquet location '" ~ parquet_dir ~ '/' ~ table ~ "'"
        ) %}
    {%- endfor %}
    {{ log('spark: ' ~ tables | length ~ ' raw tables over ' ~ parquet_dir, info=true) }}
{%- endmacro %}
