-- Every list criterion evaluated on every account-day by the criteria engine (macro criteria_evaluate), as
-- health criteria are: a new list or criterion is a seed row, not SQL. holds is null when the metric has no
-- value that day (which keeps the account out of the list).

with

account_days as (

    select
        account_id,
        as_of_date

    from {{ ref('int_account_days') }}

),

criteria as (

    select * from {{ ref('int_list_criteria') }}

),

metrics as (

    select * from {{ ref('int_account_metrics_long') }}

),

evaluated as (

    {{ criteria_evaluate(
        'account_days', 'criteria', 'metrics',
        subject_keys=['account_id', 'as_of_date'],
        rule_columns=['list', 'criterion_id'],
        label_column='reason_label',
    ) }}

),

final as (

    select
        list,
        account_id,
        as_of_date,
        criterion_id,
        metric,
        operator,
        threshold,
        numeric_value,
        text_value,
        metric_value,
        holds,
        condition_text,
        label_text,
        reason_text

    from evaluated

)

select * from final
