-- Every criterion of the account's profile evaluated on the account's metric value that day by the criteria
-- engine (macro criteria_evaluate): a new criterion is a seed row, not SQL. holds is null when the value is
-- missing: the criterion is left out.
-- The criteria read the metrics from the account-day's own columns (the engine's wide_metrics, as the lists do).
{{ daily_incremental() }}

{%- set account_catalog = metric_catalog() %}

with

assignment as (

    select * from {{ ref('int_health_profile_assignment') }}

    where profile is not null and {{ days_to_rebuild('as_of_date') }}

),

criteria as (

    select * from {{ ref('int_health_criteria') }}

),

rebuilt_metrics as (

    select * from {{ ref('int_account_metrics_daily') }}

    where {{ days_to_rebuild('as_of_date') }}

),

profiled_days as (

    select
        assignment.account_id,
        assignment.as_of_date,
        assignment.profile,
        assignment.model,
        {%- for metric in account_catalog %}
            metrics.{{ metric.name }}{% if not loop.last %},{% endif %}
        {%- endfor %}

    from assignment

    left join rebuilt_metrics as metrics
        on
            assignment.account_id = metrics.account_id
            and assignment.as_of_date = metrics.as_of_date

),

evaluated as (

    {{ criteria_evaluate(
        'profiled_days', 'criteria', none,
        subject_keys=['account_id', 'as_of_date'],
        match_keys=['profile'],
        subject_columns=['model'],
        rule_columns=['category', 'criterion_id', 'outcome', 'weight', 'category_weight'],
        label_column='reason_label',
        wide_metrics=account_catalog,
    ) }}

),

final as (

    select
        account_id,
        as_of_date,
        profile,
        model,
        category,
        criterion_id,
        outcome,
        metric,
        operator,
        threshold,
        weight,
        category_weight,
        numeric_value,
        text_value,
        metric_value,
        holds,
        -- "No activity in 16 days (Poor when > 14)"; an unmet Good criterion says what Good needs.
        label_text
        || case
            when outcome = 'Good' and holds = false then ' (Good needs ' || condition_text || ')'
            else ' (' || outcome || ' when ' || condition_text || ')'
        end as reason_text

    from evaluated

)

select * from final
