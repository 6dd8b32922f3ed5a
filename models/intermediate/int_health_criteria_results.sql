-- Every criterion of the account's profile evaluated on the account's metric value that day (long-form join:
-- a new criterion is a seed row, not SQL). holds is null when the value is missing: the criterion is left out.

with

assignment as (

    select * from {{ ref('int_health_profile_assignment') }}

    where profile is not null

),

criteria as (

    select * from {{ ref('int_health_criteria') }}

),

metrics as (

    select * from {{ ref('int_account_metrics_long') }}

),

evaluated as (

    select
        assignment.account_id,
        assignment.as_of_date,
        assignment.profile,
        assignment.model,
        criteria.category,
        criteria.criterion_id,
        criteria.outcome,
        criteria.metric,
        criteria.operator,
        criteria.threshold,
        criteria.weight,
        criteria.category_weight,
        metrics.numeric_value,
        metrics.text_value,
        {{ health_value_text('criteria.metric', 'metrics.numeric_value', 'metrics.text_value') }} as metric_value,
        {{ health_condition_holds(
            'criteria.operator', 'metrics.numeric_value', 'metrics.text_value',
            'criteria.threshold', 'criteria.threshold_low', 'criteria.threshold_high'
        ) }} as holds,
        {{ health_condition_text(
            'criteria.operator', 'criteria.threshold', 'criteria.threshold_low', 'criteria.threshold_high'
        ) }} as condition_text,
        coalesce(criteria.reason_label, {{ dbt.replace('criteria.metric', "'_'", "' '") }} || ' {value}')
            as reason_label

    from assignment

    inner join criteria
        on assignment.profile = criteria.profile

    left join metrics
        on
            assignment.account_id = metrics.account_id
            and assignment.as_of_date = metrics.as_of_date
            and criteria.metric = metrics.metric

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
        {{ dbt.replace('reason_label', "'{value}'", 'metric_value') }}
        || case
            when outcome = 'Good' and holds = false then ' (Good needs ' || condition_text || ')'
            else ' (' || outcome || ' when ' || condition_text || ')'
        end as reason_text

    from evaluated

)

select * from final
