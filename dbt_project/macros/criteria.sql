{#-
    The criteria engine: rules `(metric, operator, threshold)` evaluated on long-form metrics.

    criteria_evaluate(subjects, rules, metrics, subject_keys, match_keys, subject_columns, rule_columns,
                      label_column) returns a select (use it as a CTE's body) with one row per subject and rule
    that applies to it:
      subjects    a relation or CTE with subject_keys (account_id, as_of_date; or account_id, user_id,
                  as_of_date for the user grain: int_list_user_criteria_results) and match_keys;
      rules       a relation or CTE with metric, operator, threshold (text as written: a number, a text, or a
                  | list) and the match_keys; rules apply to the subjects with equal match_keys (e.g. the
                  account-day's health profile), or to every subject when match_keys is empty;
      metrics     long form: subject_keys, metric, numeric_value, text_value (int_account_metrics_long); or
                  none with wide_metrics (below).
    Output: subject_keys, match_keys, subject_columns, rule_columns, metric, operator, threshold,
    numeric_value, text_value, metric_value (the value as a person reads it: 16, 0.46, -50%, missing),
    holds (null when the metric has no value, so the rule is left out; is_null / is_not_null test exactly
    that), condition_text ("> 14", "in Delayed, Blocked"), label_text (the rule's label_column with {value}
    filled in, default "<metric with spaces> <value>") and reason_text (label_text and the condition).
    How holds combine is the caller's: health criteria (Good: all evaluated must hold; Poor: any), segment
    filters (every condition must hold; a missing value fails), lists (every criterion; a user list's user
    criteria per user, then at least one user per account: int_list_criteria_results).
    Operators: < <= > >= = != between (low|high) in not_in (a|b|c) is_null is_not_null change_in_lt
    change_in_gt; orchestration/criteria/rules.py validates rule rows before dbt runs.
    wide_metrics: instead of the long form, the subjects themselves carry the metrics as columns (a catalog's
    wide model, e.g. int_account_metrics_daily, int_user_metrics_daily): pass the catalog's metrics
    (metric_catalog(model, keys)) and metrics=none; each rule's value is picked from its metric's column, with
    no join. Same output; the lists use it (subjects x rules run to millions of rows, and a join with the long
    form took ten times as long).
-#}
{% macro criteria_evaluate(
    subjects, rules, metrics, subject_keys, match_keys=[], subject_columns=[], rule_columns=[], label_column=none,
    wide_metrics=none
) -%}
    select
        {%- for column in subject_keys + match_keys + subject_columns %}
            evaluated.{{ column }},
        {%- endfor %}
        {%- for column in rule_columns %}
            evaluated.{{ column }},
        {%- endfor %}
        evaluated.metric,
        evaluated.operator,
        evaluated.threshold,
        evaluated.numeric_value,
        evaluated.text_value,
        evaluated.metric_value,
        evaluated.holds,
        evaluated.condition_text,
        evaluated.label_text,
        evaluated.label_text || ' (' || evaluated.condition_text || ')' as reason_text

    from (

        select
            parsed.*,
            {{ criteria_value_text('parsed.metric', 'parsed.numeric_value', 'parsed.text_value') }} as metric_value,
            {{ criteria_condition_holds(
                'parsed.operator', 'parsed.numeric_value', 'parsed.text_value',
                'parsed.threshold', 'parsed.threshold_low', 'parsed.threshold_high'
            ) }} as holds,
            {{ criteria_condition_text(
                'parsed.operator', 'parsed.threshold', 'parsed.threshold_low', 'parsed.threshold_high'
            ) }} as condition_text,
            {{ dbt.replace(
                'coalesce(' ~ (('parsed.' ~ label_column) if label_column else 'null') ~ ', '
                ~ dbt.replace('parsed.metric', "'_'", "' '") ~ " || ' {value}')",
                "'{value}'",
                criteria_value_text('parsed.metric', 'parsed.numeric_value', 'parsed.text_value')
            ) }} as label_text

        from (

            select
                {%- for column in subject_keys + match_keys + subject_columns %}
                    {{ subjects }}.{{ column }},
                {%- endfor %}
                {%- for column in rule_columns + ([label_column] if label_column and label_column not in rule_columns else []) %}
                    {{ rules }}.{{ column }},
                {%- endfor %}
                {{ rules }}.metric,
                {{ rules }}.operator,
                {{ rules }}.threshold,
                {{ health_to_number(dbt.split_part(rules ~ '.threshold', "'|'", 1)) }} as threshold_low,
                {{ health_to_number(dbt.split_part(rules ~ '.threshold', "'|'", 2)) }} as threshold_high,
                {%- if wide_metrics is not none %}
                    {{ criteria_wide_value(subjects, rules ~ '.metric', wide_metrics, 'number') }} as numeric_value,
                    {{ criteria_wide_value(subjects, rules ~ '.metric', wide_metrics, 'text') }} as text_value
                {%- else %}
                    {{ metrics }}.numeric_value,
                    {{ metrics }}.text_value
                {%- endif %}

            from {{ subjects }}

            {% if match_keys -%}
                inner join {{ rules }}
                    on
                    {%- for key in match_keys %}
                        {{ subjects }}.{{ key }} = {{ rules }}.{{ key }}{% if not loop.last %} and{% endif %}
                    {%- endfor %}
            {%- else -%}
                cross join {{ rules }}
            {%- endif %}

            {% if wide_metrics is none -%}
                left join {{ metrics }}
                    on
                    {%- for key in subject_keys %}
                        {{ subjects }}.{{ key }} = {{ metrics }}.{{ key }} and
                    {%- endfor %}
                        {{ rules }}.metric = {{ metrics }}.metric
            {%- endif %}

        ) as parsed

    ) as evaluated
{%- endmacro %}


{#- The value of a rule's metric from the subject's own columns (criteria_evaluate's wide_metrics), as a double
    (kind number) or text (kind text); null when the metric is of the other kind. -#}
{% macro criteria_wide_value(subjects, metric, catalog, kind) -%}
    {%- set columns = catalog | selectattr('kind', 'equalto', kind) | list -%}
    {%- if columns -%}
        case {{ metric }}
            {%- for column in columns %}
                when '{{ column.name }}' then cast({{ subjects }}.{{ column.name }} as {{
                    health_type_double() if kind == 'number' else dbt.type_string() }})
            {%- endfor %}
        end
    {%- else -%}
        cast(null as {{ health_type_double() if kind == 'number' else dbt.type_string() }})
    {%- endif -%}
{%- endmacro %}


{#-
    One rule on one metric value, as a nullable boolean. null means "left out": the metric has no value (except
    for is_null / is_not_null, which test exactly that). threshold is the text as written; threshold_low /
    threshold_high its numbers (or null). Lists (in, not_in) and between bounds are written with | between items.
-#}
{% macro criteria_condition_holds(operator, numeric_value, text_value, threshold, threshold_low, threshold_high) -%}
    case
        when {{ operator }} = 'is_null' then ({{ numeric_value }} is null and {{ text_value }} is null)
        when {{ operator }} = 'is_not_null' then ({{ numeric_value }} is not null or {{ text_value }} is not null)
        when {{ numeric_value }} is null and {{ text_value }} is null then null
        when {{ operator }} in ('<', 'change_in_lt') then {{ numeric_value }} < {{ threshold_low }}
        when {{ operator }} = '<=' then {{ numeric_value }} <= {{ threshold_low }}
        when {{ operator }} in ('>', 'change_in_gt') then {{ numeric_value }} > {{ threshold_low }}
        when {{ operator }} = '>=' then {{ numeric_value }} >= {{ threshold_low }}
        when {{ operator }} = 'between' then {{ numeric_value }} between {{ threshold_low }} and {{ threshold_high }}
        when {{ operator }} = '=' and {{ numeric_value }} is not null then {{ numeric_value }} = {{ threshold_low }}
        when {{ operator }} = '=' then {{ text_value }} = {{ threshold }}
        when {{ operator }} = '!=' and {{ numeric_value }} is not null then {{ numeric_value }} <> {{ threshold_low }}
        when {{ operator }} = '!=' then {{ text_value }} <> {{ threshold }}
        when {{ operator }} = 'in'
            then ('|' || {{ threshold }} || '|') like ('%|' || {{ text_value }} || '|%')
        when {{ operator }} = 'not_in'
            then not (('|' || {{ threshold }} || '|') like ('%|' || {{ text_value }} || '|%'))
    end
{%- endmacro %}


{#- The condition as a reader says it: "> 14", "in Delayed, Blocked", "change below -50%". -#}
{% macro criteria_condition_text(operator, threshold, threshold_low, threshold_high) -%}
    case
        when {{ operator }} = 'is_null' then 'is empty'
        when {{ operator }} = 'is_not_null' then 'is set'
        when {{ operator }} = 'between'
            then 'between ' || {{ health_number_text(threshold_low) }} || ' and ' || {{ health_number_text(threshold_high) }}
        when {{ operator }} = 'in' then 'in ' || replace({{ threshold }}, '|', ', ')
        when {{ operator }} = 'not_in' then 'not in ' || replace({{ threshold }}, '|', ', ')
        when {{ operator }} = 'change_in_lt'
            then 'change below ' || {{ health_number_text(threshold_low ~ ' * 100') }} || '%'
        when {{ operator }} = 'change_in_gt'
            then 'change above ' || {{ health_number_text(threshold_low ~ ' * 100') }} || '%'
        else {{ operator }} || ' ' || {{ threshold }}
    end
{%- endmacro %}


{#- A metric value as text for reasons: change_in_* as a signed percentage. -#}
{% macro criteria_value_text(metric, numeric_value, text_value) -%}
    case
        when {{ numeric_value }} is null and {{ text_value }} is null then 'missing'
        when {{ numeric_value }} is null then {{ text_value }}
        when {{ metric }} like 'change_in%'
            then {{ health_number_text('round(' ~ numeric_value ~ ' * 100, 0)') }} || '%'
        else {{ health_number_text(numeric_value) }}
    end
{%- endmacro %}


{#- The subjects for which every evaluated rule holds (a rule on a missing value does not), with the rules'
    texts joined in criterion order: a select of `keys` and `as_column` from `results` (criteria_evaluate's
    output, with criterion_id). Lists and lifecycle entry rules combine this way. The passing subjects are
    found first and only their texts are aggregated: an ordered string aggregate over every subject cost four
    times as much (a user list at 1M events: 2M user-days evaluated, 92k pass). -#}
{% macro criteria_all_hold(results, keys, text_column, separator, as_column='reason') -%}
    select
        {%- for key in keys %}
        {{ results }}.{{ key }},
        {%- endfor %}
        {{ dbt.listagg(results ~ '.' ~ text_column, separator, 'order by ' ~ results ~ '.criterion_id') }}
            as {{ as_column }}

    from {{ results }}

    inner join (
        select {{ keys | join(', ') }}
        from {{ results }}
        group by {{ keys | join(', ') }}
        having bool_and(coalesce(holds, false))
    ) as passing
        on
        {%- for key in keys %}
            {% if not loop.first %}and {% endif %}{{ results }}.{{ key }} = passing.{{ key }}
        {%- endfor %}

    group by
        {%- for key in keys %}
        {{ results }}.{{ key }}{% if not loop.last %},{% endif %}
        {%- endfor %}
{%- endmacro %}
