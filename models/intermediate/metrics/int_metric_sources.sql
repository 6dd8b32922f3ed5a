-- The metric catalog's lineage as rows: which landing source each metric comes from (config.meta.source; a
-- metric combining sources has a row for each). The spine's metrics (int_account_days) depend on no source's
-- freshness and have no row. Health uses it to tell which accounts a stale source leaves without a rank.

{%- set pairs = [] %}
{%- for metric in metric_catalog() if metric.model != 'int_account_days' %}
    {%- for source in metric_sources([metric]) %}
        {%- do pairs.append((metric.name, source)) %}
    {%- endfor %}
{%- endfor %}

{%- if pairs %}
    {%- for metric, source in pairs %}
        select
            cast('{{ metric }}' as {{ dbt.type_string() }}) as metric,
            cast('{{ source }}' as {{ dbt.type_string() }}) as source
        {% if not loop.last %}union all{% endif %}
    {%- endfor %}
{%- else %}
    select
        cast(null as {{ dbt.type_string() }}) as metric,
        cast(null as {{ dbt.type_string() }}) as source
    where 1 = 0
{%- endif %}
