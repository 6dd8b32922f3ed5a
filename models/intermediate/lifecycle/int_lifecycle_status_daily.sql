-- One lifecycle status per account and day (seed 004): the stage (int_lifecycle_stages_daily) and its outcome.
-- The stage's good and poor criteria are evaluated by the criteria engine: Good when no poor criterion holds and
-- every good criterion holds (a missing value is left out, but at least one good criterion must be evaluated when
-- the stage has any), Poor when any poor criterion holds, else Average; a stage without an Average status says
-- Poor instead, and a stage with one status has no outcome. The reason names the criteria that decided.
-- The criteria read the metrics from the account-day's own columns (the engine's wide_metrics, as the lists do).
{{ daily_incremental() }}

{%- set account_catalog = metric_catalog() %}

with

rebuilt_metrics as (

    select * from {{ ref('int_account_metrics_daily') }}

    where {{ days_to_rebuild('as_of_date') }}

),

stage_days as (

    select * from {{ ref('int_lifecycle_stages_daily') }}

    where {{ days_to_rebuild('as_of_date') }}

),

stage_metric_days as (

    select
        stage_days.account_id,
        stage_days.as_of_date,
        stage_days.stage,
        {%- for metric in account_catalog %}
            metrics.{{ metric.name }}{% if not loop.last %},{% endif %}
        {%- endfor %}

    from stage_days

    left join rebuilt_metrics as metrics
        on
            stage_days.account_id = metrics.account_id
            and stage_days.as_of_date = metrics.as_of_date

),

statuses as (

    select * from {{ ref('int_lifecycle_statuses') }}

),

outcome_criteria as (

    select * from {{ ref('int_lifecycle_criteria') }}

    where kind in ('good', 'poor')

),

good_stages as (

    select distinct stage

    from outcome_criteria

    where kind = 'good'

),

stage_shapes as (

    select
        statuses.stage,
        bool_or(statuses.outcome = 'Average') as has_average,
        bool_or(statuses.outcome = 'Only') as is_single,
        bool_or(good_stages.stage is not null) as has_good_criteria

    from statuses

    left join good_stages
        on statuses.stage = good_stages.stage

    group by statuses.stage

),

outcome_results as (

    {{ criteria_evaluate(
        'stage_metric_days', 'outcome_criteria', none,
        subject_keys=['account_id', 'as_of_date'],
        match_keys=['stage'],
        rule_columns=['criterion_id', 'kind'],
        label_column='reason_label',
        wide_metrics=account_catalog,
    ) }}

),

scored as (

    select
        account_id,
        as_of_date,
        count(case when kind = 'good' and holds is not null then 1 end) as good_evaluated,
        count(case when kind = 'good' and holds = false then 1 end) as good_failed,
        count(case when kind = 'poor' and holds then 1 end) as poor_held,
        {{ dbt.listagg(
            "case when kind = 'good' and holds then reason_text end", "'; '", 'order by criterion_id'
        ) }} as good_reason,
        {{ dbt.listagg(
            "case when kind = 'good' and holds is distinct from true"
            ~ " then label_text || ' (needs ' || condition_text || ')' end",
            "'; '", 'order by criterion_id'
        ) }} as good_missed_reason,
        {{ dbt.listagg(
            "case when kind = 'poor' and holds then reason_text end", "'; '", 'order by criterion_id'
        ) }} as poor_reason

    from outcome_results

    group by account_id, as_of_date

),

decided as (

    select
        stage_days.account_id,
        stage_days.as_of_date,
        stage_days.stage,
        stage_days.entry_reason,
        scored.good_reason,
        scored.good_missed_reason,
        scored.poor_reason,
        case
            when stage_shapes.is_single then 'Only'
            when coalesce(scored.poor_held, 0) > 0 then 'Poor'
            when
                coalesce(scored.good_failed, 0) = 0
                and (not stage_shapes.has_good_criteria or coalesce(scored.good_evaluated, 0) > 0)
                then 'Good'
            when stage_shapes.has_average then 'Average'
            else 'Poor'
        end as outcome

    from stage_days

    inner join stage_shapes
        on stage_days.stage = stage_shapes.stage

    left join scored
        on
            stage_days.account_id = scored.account_id
            and stage_days.as_of_date = scored.as_of_date

),

labelled as (

    select
        decided.account_id,
        decided.as_of_date,
        statuses.lifecycle_status,
        decided.stage,
        decided.outcome,
        statuses.status_order,
        nullif(
            concat_ws(
                '. ',
                decided.entry_reason,
                case decided.outcome
                    when 'Good' then decided.good_reason
                    when 'Poor' then coalesce(decided.poor_reason, decided.good_missed_reason)
                    when 'Average' then decided.good_missed_reason
                end
            ),
            ''
        ) as reason

    from decided

    inner join statuses
        on
            decided.stage = statuses.stage
            and decided.outcome = statuses.outcome

),

-- The status on the day before the rebuild, as the previous build left it: the previous status and the
-- island of an unchanged status carry over (rebuild_days.sql).
carried as (

    select
        account_id,
        as_of_date,
        lifecycle_status,
        stage,
        outcome,
        status_order,
        reason,
        cast(null as date) as status_since

    from labelled

    {% if is_incremental() -%}
        union all

        select
            account_id,
            as_of_date,
            lifecycle_status,
            stage,
            outcome,
            status_order,
            reason,
            status_since

        from {{ this }}

        where as_of_date = {{ dbt.dateadd('day', -1, rebuild_from()) }}
    {%- endif %}

),

-- Consecutive days with the same status share an island: status_since is its first day.
islands as (

    select
        *,
        lag(lifecycle_status) over (partition by account_id order by as_of_date) as previous_status,
        {{ dbt.dateadd(
            'day',
            '-1 * row_number() over (partition by account_id, lifecycle_status order by as_of_date)',
            'as_of_date'
        ) }} as island

    from carried

),

final as (

    select
        account_id,
        as_of_date,
        lifecycle_status,
        stage,
        case when outcome = 'Only' then null else outcome end as outcome,
        reason,
        min(coalesce(status_since, as_of_date)) over (partition by account_id, lifecycle_status, island)
            as status_since,
        previous_status,
        status_order

    from islands

)

-- The day before the rebuild was read only to carry its state.
select * from final

where {{ days_to_rebuild('as_of_date') }}
