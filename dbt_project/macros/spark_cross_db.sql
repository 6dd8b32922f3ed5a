{#-
    dbt.listagg on Spark, in order. dbt-spark's own listagg ignores order_by_clause (it warns and joins in
    whatever order collect_list met the rows), but Pulse's reasons and criteria read in a stable order (e.g.
    "order by criterion_id"). This joins the measure's values sorted by the clause's columns, then by the
    value: collect_list of structs (sort keys first), array_sort, keep the values. Like DuckDB's string_agg,
    nulls are left out and a group with no value gives null (not ''). order_by_clause: ascending plain
    columns or expressions without commas ("order by category, criterion_id"); anything else is refused.
    (A root project's spark__ macro overrides dbt's for the `dbt` namespace.)
-#}
{% macro spark__listagg(measure, delimiter_text, order_by_clause, limit_num) -%}
    {%- set keys = [] -%}
    {%- if order_by_clause -%}
        {%- set clause = order_by_clause | trim -%}
        {%- if clause[:8] | lower != 'order by' -%}
            {{ exceptions.raise_compiler_error('listagg on Spark: order_by_clause must start with order by: ' ~ clause) }}
        {%- endif -%}
        {%- for item in clause[8:].split(',') -%}
            {%- set key = item | trim -%}
            {%- if (key | lower).endswith(" desc") or '(' in key -%}
                {{ exceptions.raise_compiler_error('listagg on Spark: unsupported order by item: ' ~ key) }}
            {%- endif -%}
            {%- do keys.append(key[:-4] | trim if (key | lower).endswith(' asc') else key) -%}
        {%- endfor -%}
    {%- endif -%}
    {%- set pairs -%}
        collect_list(case when ({{ measure }}) is not null then struct(
            {%- for key in keys %}{{ key }} as k{{ loop.index }}, {% endfor -%}
            {{ measure }} as v
        ) end)
    {%- endset -%}
    {%- set values -%}transform(array_sort({{ pairs }}), pair -> pair.v){%- endset -%}
    {%- if limit_num -%}
        {%- set values -%}slice({{ values }}, 1, {{ limit_num }}){%- endset -%}
    {%- endif -%}
    case when size({{ pairs }}) > 0 then array_join({{ values }}, {{ delimiter_text }}) end
{%- endmacro %}


{#-
    dbt.split_part on Spark: Spark's own split_part (3.3 and later), which splits on the delimiter as written
    and, like DuckDB's, gives '' past the last part. dbt-spark's version builds a regex with a '\\' escape
    that dbt's SQL parser misreads when it injects unit-test fixtures as CTEs (the statement is cut at the
    next ';' inside a string).
-#}
{% macro spark__split_part(string_text, delimiter_text, part_number) -%}
    split_part({{ string_text }}, {{ delimiter_text }}, {{ part_number }})
{%- endmacro %}


{#-
    dbt.datediff on Spark, as a bigint like DuckDB's date_diff (Spark's datediff and dbt-spark's expressions
    give an int, which the marts' contracts, declared bigint, refuse).
-#}
{% macro spark__datediff(first_date, second_date, datepart) -%}
    cast({{ dbt.spark__datediff(first_date, second_date, datepart) }} as bigint)
{%- endmacro %}


{#-
    Seed rows on Spark, written as SQL literals. dbt-spark binds seed values as parameters, and its session
    method formats each one as '<value>': an empty CSV field became the text 'None' (seeds/lifecycle_statuses'
    blank outcome compared unequal to null) and a quote inside a value would break the statement. Here an empty
    field is null and text is escaped for Spark's string literals.
-#}
{% macro spark__load_csv_rows(model, agate_table) %}
    {%- set column_override = model['config'].get('column_types', {}) -%}
    {%- set statements = [] -%}
    {%- for chunk in agate_table.rows | batch(get_batch_size()) -%}
        {%- set sql -%}
            insert into {{ this.render() }} values
            {% for row in chunk -%}
                ({%- for col_name in agate_table.column_names -%}
                    {%- set type = column_override.get(col_name, adapter.convert_type(agate_table, loop.index0)) -%}
                    {%- set value = row[loop.index0] -%}
                    {%- if value is none -%}
                        cast(null as {{ type }})
                    {%- elif value is sameas true or value is sameas false -%}
                        cast({{ 'true' if value else 'false' }} as {{ type }})
                    {%- else -%}
                        cast('{{ value | string | replace("\\", "\\\\") | replace("'", "\\'") }}' as {{ type }})
                    {%- endif -%}
                    {%- if not loop.last %}, {% endif -%}
                {%- endfor -%})
                {%- if not loop.last %},{% endif %}
            {% endfor -%}
        {%- endset -%}
        {%- do adapter.add_query(sql, abridge_sql_log=True) -%}
        {%- if loop.first -%}
            {%- do statements.append(sql) -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(statements[0] if statements else '') }}
{% endmacro %}
