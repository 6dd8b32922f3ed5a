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
