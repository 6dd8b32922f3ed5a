{#-
    Incremental daily models: a Pulse build rebuilds only the days that changed.

    `pulse run` (orchestration/rebuild.py) writes the first day to rebuild to raw.rebuild_plan before the dbt
    build and clears it after: the day of the earliest late event, or the first new day. A daily model declares
    itself with `daily_incremental()`, reads its inputs from that day on (minus the look-back its windows need)
    with `days_to_rebuild(column, lookback_days)`, and the `replace_days` strategy deletes its rows from that day
    on and inserts the new ones: no per-row merge, so a row that should disappear does. The plan is data, not a
    dbt var, so dbt keeps its partial parse from one day to the next. Without a plan row (a bare `dbt build`)
    every day is rebuilt; `--full-refresh` recreates the tables. A new column (a metric added to the catalog)
    is added to the table, and a bare `dbt build` fills it on every day; Pulse rebuilds in full after any
    change to the project anyway.
-#}

{% macro daily_incremental(day_column='as_of_date') -%}
    {{ return(adapter.dispatch('daily_incremental', 'pulse')(day_column)) }}
{%- endmacro %}

{% macro default__daily_incremental(day_column) -%}
    {{ config(
        materialized='incremental',
        incremental_strategy='replace_days',
        unique_key=day_column,
        on_schema_change='append_new_columns',
    ) }}
{%- endmacro %}

{#- Spark (make test-spark) rebuilds the daily models in full: its incremental strategies replace partitions
    present in the new rows, not a range of days, and Pulse's rebuild plan lives in DuckDB. -#}
{% macro spark__daily_incremental(day_column) -%}
    {{ config(materialized='table') }}
{%- endmacro %}

{#- The first day to rebuild, as a scalar SQL expression: the plan's, else the beginning of time. The plan is
    named, not source()d: it is control data read only at run time (documented as source raw.rebuild_plan),
    and a source would be an input every unit test of a daily model had to give. -#}
{% macro rebuild_from(database=none) -%}
    {#- A warehouse Pulse's ingestion never touched has no plan table: every day. -#}
    {%- set database = database or (this.database if this is not none else none) -%}
    {%- set plan = adapter.get_relation(database=database, schema='raw', identifier='rebuild_plan')
        if execute and database is not none else none -%}
    {%- if plan is none -%}
        cast('1900-01-01' as date)
    {%- else -%}
        (
            select coalesce(min(plan.rebuild_from), cast('1900-01-01' as date))
            from {{ plan }} as plan
        )
    {%- endif -%}
{%- endmacro %}

{#- Where-clause predicate for an incremental model's reads: the days from the first day to rebuild, minus
    lookback_days for windows that reach back. A full build reads everything. -#}
{% macro days_to_rebuild(column, lookback_days=0) -%}
    {#- A unit test has no relation (`this`): it reads its given rows whole. -#}
    {%- if this is not none and is_incremental() -%}
        {%- if lookback_days -%}
            {{ column }} >= {{ dbt.dateadd('day', -lookback_days, rebuild_from()) }}
        {%- else -%}
            {{ column }} >= {{ rebuild_from() }}
        {%- endif -%}
    {%- else -%}
        true
    {%- endif -%}
{%- endmacro %}

{#- The `replace_days` strategy: the model's rows from the first day to rebuild are replaced by the new ones
    from that day (rows before it, read only as look-back, are left out). unique_key names the day column. -#}
{% macro get_incremental_replace_days_sql(arg_dict) -%}
    {%- set day_column = arg_dict['unique_key'] -%}
    {%- set columns = get_quoted_csv(arg_dict['dest_columns'] | map(attribute='name')) -%}
    delete from {{ arg_dict['target_relation'] }}
    where {{ day_column }} >= {{ rebuild_from() }};

    insert into {{ arg_dict['target_relation'] }} ({{ columns }})
    select {{ columns }}
    from {{ arg_dict['temp_relation'] }}
    where {{ day_column }} >= {{ rebuild_from() }}
{%- endmacro %}

{#- dbt's data tests read the model they test through get_where_subquery (dbt's documented hook for the `where`
    test config). Pulse's version adds one condition: a test of a daily model (the replace_days strategy) reads
    only the days the build rebuilt, so a one-day build tests one day, not a year. The days before were tested
    by the build that wrote them, and an incremental build changes no row of them (any other change makes the
    build full, with no plan: every day is tested). A `where` config still applies. -#}
{% macro get_where_subquery(relation) -%}
    {%- set day_column = daily_model_day_column(relation) -%}
    {%- if not day_column -%}
        {#- anything else: dbt's own, per adapter (dbt-spark has its own) -#}
        {% do return(adapter.dispatch('get_where_subquery', 'dbt')(relation)) %}
    {%- endif -%}
    {%- set conditions = [] -%}
    {%- set where = config.get('where', '') -%}
    {%- if where -%}{% do conditions.append('(' ~ where ~ ')') %}{%- endif -%}
    {% do conditions.append(day_column ~ ' >= ' ~ rebuild_from(relation.database)) %}
    {%- set filtered -%}
        (select * from {{ relation }} where {{ conditions | join(' and ') }}) dbt_subquery
    {%- endset -%}
    {% do return(filtered) %}
{%- endmacro %}

{#- The day column of a daily model (incremental_strategy replace_days) given its relation, else none. -#}
{% macro daily_model_day_column(relation) -%}
    {%- if execute and relation.identifier -%}
        {%- for node in graph.nodes.values() -%}
            {%- if node.resource_type == 'model' and node.alias == relation.identifier
                and node.schema == relation.schema
                and node.config.get('incremental_strategy') == 'replace_days' -%}
                {% do return(node.config.get('unique_key')) %}
            {%- endif -%}
        {%- endfor -%}
    {%- endif -%}
    {% do return(none) %}
{%- endmacro %}
