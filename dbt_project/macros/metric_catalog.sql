{#-
    metric_catalog(): the account metrics declared in the catalog, the columns of int_account_metrics_daily in
    models/intermediate/metrics/_int_metrics__models.yml, in their order. Each is a dict: name, data_type,
    kind ('number' or 'text'), description, unit, measures, source, model, mart (true unless declared false),
    and for activity metrics (model int_account_activity_metrics_daily) activity, window, measure, of,
    numerator, denominator.
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
            'activity': meta.get('activity'),
            'window': meta.get('window'),
            'measure': meta.get('measure'),
            'of': meta.get('of', 'count'),
            'numerator': meta.get('numerator'),
            'denominator': meta.get('denominator'),
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


{#-
    activity_catalog(): the named activities of the metric catalog (config.meta.activities of
    int_account_metrics_daily in _int_metrics__models.yml), a dict name -> filter {event, module, property}:
    an event is in the activity when every filter given holds (event: an event name or a list of them;
    module: a module or a list; property: {key: value or list of values} on the event's properties). The
    activity `all` (every event) is built in. Empty while dbt parses; unit tests override this macro.
-#}
{% macro activity_catalog(catalog_model='int_account_metrics_daily') -%}
    {%- if not execute -%}
        {{ return({}) }}
    {%- endif -%}
    {%- set nodes = graph.nodes.values()
        | selectattr('resource_type', 'equalto', 'model')
        | selectattr('name', 'equalto', catalog_model)
        | list -%}
    {%- if nodes | length != 1 -%}
        {{ exceptions.raise_compiler_error('metric catalog: model ' ~ catalog_model ~ ' not found') }}
    {%- endif -%}
    {%- set meta = nodes[0].config.meta if nodes[0].config and nodes[0].config.meta else nodes[0].meta -%}
    {{ return(meta.get('activities') or {}) }}
{%- endmacro %}


{#- A SQL list of quoted text values: a single value or a list. -#}
{% macro activity_sql_values(values) -%}
    {%- set items = [values] if values is string else values -%}
    {%- for item in items -%}
        '{{ item | replace("'", "''") }}'{% if not loop.last %}, {% endif %}
    {%- endfor -%}
{%- endmacro %}


{#- The condition an event (columns activity, module, properties) meets to be in the named activity. -#}
{% macro activity_filter(definition) -%}
    {%- set conditions = [] -%}
    {%- if definition.get('event') -%}
        {%- do conditions.append('activity in (' ~ activity_sql_values(definition['event']) ~ ')') -%}
    {%- endif -%}
    {%- if definition.get('module') -%}
        {%- do conditions.append('module in (' ~ activity_sql_values(definition['module']) ~ ')') -%}
    {%- endif -%}
    {%- for key, values in (definition.get('property') or {}).items() -%}
        {%- do conditions.append(
            pulse_json_extract_string('properties', key) ~ ' in (' ~ activity_sql_values(values) ~ ')'
        ) -%}
    {%- endfor -%}
    {{ conditions | join(' and ') if conditions else 'true' }}
{%- endmacro %}


{#- A sum over the rows `first` to `last` days before as_of_date (0 = as_of_date) of one account's dense days. -#}
{% macro activity_window_sum(column, first, last) -%}
    sum({{ column }}) over (
        partition by account_id order by as_of_date rows between {{ first }} preceding and
        {{ 'current row' if last == 0 else last ~ ' preceding' }}
    )
{%- endmacro %}


{#- The daily column of an activity that a window sums: actions (count), minutes, or 1 on an active day. -#}
{% macro activity_base_column(activity, base) -%}
    {%- if base == 'count' -%}a_{{ activity }}
    {%- elif base == 'minutes' -%}m_{{ activity }}
    {%- else -%}case when a_{{ activity }} > 0 then 1 else 0 end
    {%- endif -%}
{%- endmacro %}
