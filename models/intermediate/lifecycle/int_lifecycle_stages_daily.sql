-- The lifecycle stage of each account and day: the first stage (lowest precedence) whose entry criteria all hold
-- (a criterion on a missing value does not), evaluated by the criteria engine; the one stage without entry
-- criteria (the core lifecycle) takes every other account-day. entry_reason: the entry criteria that held.
-- The criteria read the metrics from the account-day's own columns (the engine's wide_metrics, as the lists do).
{{ daily_incremental() }}

{%- set account_catalog = metric_catalog() %}

with

rebuilt_metrics as (

    select * from {{ ref('int_account_metrics_daily') }}

    where {{ days_to_rebuild('as_of_date') }}

),

account_days as (

    select
        spine.account_id,
        spine.as_of_date,
        {%- for metric in account_catalog %}
            metrics.{{ metric.name }}{% if not loop.last %},{% endif %}
        {%- endfor %}

    from {{ ref('int_account_days') }} as spine

    left join rebuilt_metrics as metrics
        on
            spine.account_id = metrics.account_id
            and spine.as_of_date = metrics.as_of_date

    where {{ days_to_rebuild('spine.as_of_date') }}

),

stages as (

    select distinct
        stage,
        precedence

    from {{ ref('int_lifecycle_statuses') }}

),

entry_criteria as (

    select * from {{ ref('int_lifecycle_criteria') }}

    where kind = 'entry'

),

entry_results as (

    {{ criteria_evaluate(
        'account_days', 'entry_criteria', none,
        subject_keys=['account_id', 'as_of_date'],
        rule_columns=['stage', 'criterion_id'],
        label_column='reason_label',
        wide_metrics=account_catalog,
    ) }}

),

entered as (

    {{ criteria_all_hold(
        'entry_results', ['account_id', 'as_of_date', 'stage'], 'reason_text', "'; '", as_column='entry_reason'
    ) }}

),

stages_with_entry as (

    select distinct stage

    from entry_criteria

),

default_stage as (

    select stages.stage

    from stages

    left join stages_with_entry as with_entry
        on stages.stage = with_entry.stage

    where with_entry.stage is null

),

candidates as (

    select
        entered.account_id,
        entered.as_of_date,
        entered.stage,
        entered.entry_reason,
        stages.precedence

    from entered

    inner join stages
        on entered.stage = stages.stage

    union all

    select
        account_days.account_id,
        account_days.as_of_date,
        default_stage.stage,
        cast(null as {{ dbt.type_string() }}) as entry_reason,
        stages.precedence

    from account_days

    cross join default_stage

    inner join stages
        on default_stage.stage = stages.stage

),

ranked as (

    select
        *,
        row_number() over (partition by account_id, as_of_date order by precedence, stage) as match_order

    from candidates

),

final as (

    select
        account_id,
        as_of_date,
        stage,
        entry_reason

    from ranked

    where match_order = 1

)

select * from final
