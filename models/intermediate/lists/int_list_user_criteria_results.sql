-- User criteria of the lists (criteria on metrics of the user catalog) evaluated on every user-day by the
-- criteria engine (macro criteria_evaluate, with the user as the subject): the user grain of
-- int_list_criteria_results. holds is null when the metric has no value that day. The engine reads each rule's
-- value from the user catalog's own columns (wide_metrics: millions of user-day x rule rows, no join), and this
-- is a view: its one reader (int_list_user_members_daily) aggregates it, so its rows are never stored.
{{ config(materialized='view') }}

{%- set catalog = metric_catalog('int_user_metrics_daily', ['account_id', 'user_id', 'as_of_date']) %}

with

user_days as (

    select * from {{ ref('int_user_metrics_daily') }}

),

criteria as (

    select * from {{ ref('int_list_criteria') }}

    where grain = 'user'

),

evaluated as (

    {{ criteria_evaluate(
        'user_days', 'criteria', none,
        subject_keys=['account_id', 'user_id', 'as_of_date'],
        rule_columns=['list', 'criterion_id'],
        label_column='reason_label',
        wide_metrics=catalog,
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
