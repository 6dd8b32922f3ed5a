-- User criteria of the lists (criteria on metrics of the user catalog) evaluated on every user-day by the
-- criteria engine (macro criteria_evaluate, with the user as the subject): the user grain of
-- int_list_criteria_results. holds is null when the metric has no value that day. A view: its one reader
-- (int_list_user_members_daily) aggregates it, so its rows (users x days x criteria) are never stored.
{{ config(materialized='view') }}

with

user_days as (

    select
        account_id,
        user_id,
        as_of_date

    from {{ ref('int_user_metrics_daily') }}

),

criteria as (

    select * from {{ ref('int_list_criteria') }}

    where grain = 'user'

),

metrics as (

    select * from {{ ref('int_user_metrics_long') }}

),

evaluated as (

    {{ criteria_evaluate(
        'user_days', 'criteria', 'metrics',
        subject_keys=['account_id', 'user_id', 'as_of_date'],
        rule_columns=['list', 'criterion_id'],
        label_column='reason_label',
    ) }}

),

final as (

    select
        list,
        account_id,
        user_id,
        as_of_date,
        criterion_id,
        metric,
        holds,
        condition_text,
        label_text,
        reason_text

    from evaluated

)

select * from final
