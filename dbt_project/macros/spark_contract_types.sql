{#-
    Contracts on Spark. The public marts declare their columns' data_type with DuckDB's names (varchar,
    double, bigint, ...), the warehouse Pulse ships on. dbt checks an enforced contract by casting null to each
    declared type on the engine; Spark has no bare `varchar` (its text type is `string`; `varchar(n)` needs a
    length), so on Spark the declared text types are read as `string`. Every other declared type (bigint,
    double, integer, boolean, date, timestamp) is the same word on both engines.
-#}
{% macro pulse_spark_data_type(data_type) -%}
    {%- set lowered = (data_type or '') | trim | lower -%}
    {{ return('string' if lowered in ('varchar', 'text') else data_type) }}
{%- endmacro %}

{% macro spark__get_empty_schema_sql(columns) -%}
    {%- set translated = {} -%}
    {%- for name in columns -%}
        {%- set column = columns[name].copy() -%}
        {%- if column.get('data_type') is not none -%}
            {%- do column.update({'data_type': pulse_spark_data_type(column['data_type'])}) -%}
        {%- endif -%}
        {%- do translated.update({name: column}) -%}
    {%- endfor -%}
    {{ return(dbt.default__get_empty_schema_sql(translated)) }}
{%- endmacro %}
