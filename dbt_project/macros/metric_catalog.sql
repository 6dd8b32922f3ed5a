{#-
    metric_catalog(): the account metrics declared in the catalog, the columns of int_account_metrics_daily in
    models/intermediate/metrics/_int_metrics__models.yml, in their order. Each is a dict: name, data_type,
    kind ('number' or 'text'), description, unit, measures, source, model, mart (true unless declared false).
    The catalog is read from the parsed project (graph), so it is empty while dbt parses (execute is false):
    refs must not depend on it. dbt unit tests have no graph: a unit test of a model that reads the catalog
    declares the metrics it needs with `overrides: macros: {metric_catalog: [...]}`.
-#}
{% macro metric_catalog(catalog_model='int_account_metrics_daily', keys=('account_id', 'as_of_date')) -%}
    {%- if not execute -%}
        {{ return([]) }}
    {%- endif -%}
    {%- set nodes = graph.nodes.values()
        | selectattr('resource_type', 'equalto', 'model')
        | selectattr('name', 'equalto', catalog_model)
        | list -%}
    {%- if nodes | length != 1 -%}
        {{ exceptions.raise_compiler_error('metric catalog: model ' ~ catalog_model ~ ' not found') }}
    {%- endif -%}
    {%- set metrics = [] -%}
    {%- for column in nodes[0].columns.values() if column.name not in keys -%}
        {%- set meta = column.config.meta if column.config and column.config.meta else column.meta -%}
        {%- set data_type = (column.data_type or '') | lower -%}
        {%- if data_type not in ('bigint', 'double', 'varchar') -%}
            {{ exceptions.raise_compiler_error(
                'metric catalog: ' ~ column.name ~ ' needs data_type bigint, double or varchar (got '
                ~ (column.data_type or 'none') ~ ')'
            ) }}
        {%- endif -%}
        {%- do metrics.append({
            'name': column.name,
            'data_type': data_type,
            'kind': 'text' if data_type == 'varchar' else 'number',
            'description': column.description,
            'unit': meta.get('unit'),
            'measures': meta.get('measures'),
            'source': meta.get('source'),
            'model': meta.get('model'),
            'mart': meta.get('mart', true),
        }) -%}
    {%- endfor -%}
    {{ return(metrics) }}
{%- endmacro %}


{#- The SQL type of a catalog metric's data_type on this engine. -#}
{% macro metric_sql_type(metric) -%}
    {%- if metric.data_type == 'bigint' -%}
        {{ dbt.type_bigint() }}
    {%- elif metric.data_type == 'double' -%}
        {{ health_type_double() }}
    {%- else -%}
        {{ dbt.type_string() }}
    {%- endif -%}
{%- endmacro %}


{#-
    metric_columns_from(metrics, areas): `alias.metric as metric,` for every metric (of metric_catalog()) computed
    in one of the area models {model name: alias} that int_account_metrics_daily joins. A metric computed
    elsewhere must be one of those models or int_account_metrics_daily itself (which then computes it).
-#}
{% macro metric_columns_from(metrics, areas, catalog_model='int_account_metrics_daily') -%}
    {%- for metric in metrics -%}
        {%- if metric.model in areas %}
        {{ areas[metric.model] }}.{{ metric.name }} as {{ metric.name }},
        {%- elif metric.model != catalog_model -%}
            {{ exceptions.raise_compiler_error(
                'metric catalog: ' ~ metric.name ~ ' has model ' ~ (metric.model or 'none') ~ '; allowed: '
                ~ (areas.keys() | list + [catalog_model]) | join(', ')
            ) }}
        {%- endif -%}
    {%- endfor -%}
{%- endmacro %}


{#- The landing sources the metrics come from (config.meta.source: one or a list), each once, in order. -#}
{% macro metric_sources(metrics) -%}
    {%- set sources = [] -%}
    {%- for metric in metrics -%}
        {%- set declared = metric.source if metric.source is not string else [metric.source] -%}
        {%- for source in declared or [] if source and source not in sources -%}
            {%- do sources.append(source) -%}
        {%- endfor -%}
    {%- endfor -%}
    {{ return(sources) }}
{%- endmacro %}

