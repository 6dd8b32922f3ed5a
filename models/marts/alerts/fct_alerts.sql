-- What changed, one row per alert: health rank changes with the criteria that changed, smart list entries and
-- exits, new paying customers. Each alert once, with a stable id (a hash of kind, account, day and subject), so
-- a rebuild gives the same ids; digests (orchestration/digests) pick each follower's alerts of a day from here.
-- New kinds of alert (tasks, ...) are one more CTE in the union below.

with

health as (

    select * from {{ ref('fct_account_health_daily') }}

),

health_reasons as (

    select * from {{ ref('fct_account_health_reasons_daily') }}

),

list_events as (

    select * from {{ ref('fct_list_events') }}

),

lists as (

    select * from {{ ref('dim_lists') }}

),

accounts as (

    select * from {{ ref('dim_accounts') }}

),

metrics as (

    select * from {{ ref('int_account_metrics_daily') }}

),

-- Rank changes between two known ranks (to or from Unknown is missing or stale data, not news about the
-- customer; the Data quality page reports staleness).
rank_changes as (

    select
        account_id,
        as_of_date,
        previous_health_rank,
        health_rank,
        reason,
        success_manager,
        case health_rank when 'Poor' then 0 when 'Average' then 1 when 'Good' then 2 end
        - case previous_health_rank when 'Poor' then 0 when 'Average' then 1 when 'Good' then 2 end
            as rank_step

    from health

    where
        rank_changed
        and health_rank in ('Good', 'Average', 'Poor')
        and previous_health_rank in ('Good', 'Average', 'Poor')

),

-- Each criterion's standing: against the account (a Poor criterion fired, a Good one not met) or for it.
standings as (

    select
        account_id,
        as_of_date,
        criterion_id,
        category,
        reason_text,
        outcome,
        outcome = 'Poor' or not criterion_met as is_against

    from health_reasons

),

-- Why the rank changed: the criteria whose standing differs from the day before (today's line), and the Poor
-- criteria that fired the day before and no longer do ("No longer: ...").
changed_criteria as (

    select
        rank_changes.account_id,
        rank_changes.as_of_date,
        today.category,
        today.criterion_id,
        today.outcome,
        rank_changes.health_rank,
        today.reason_text

    from rank_changes

    inner join standings as today
        on
            rank_changes.account_id = today.account_id
            and rank_changes.as_of_date = today.as_of_date

    left join standings as yesterday
        on
            today.account_id = yesterday.account_id
            and today.criterion_id = yesterday.criterion_id
            and {{ dbt.dateadd('day', -1, 'today.as_of_date') }} = yesterday.as_of_date

    where yesterday.is_against is distinct from today.is_against

    union all

    select
        rank_changes.account_id,
        rank_changes.as_of_date,
        yesterday.category,
        yesterday.criterion_id,
        yesterday.outcome,
        rank_changes.health_rank,
        'No longer: ' || yesterday.reason_text as reason_text

    from rank_changes

    inner join standings as yesterday
        on
            rank_changes.account_id = yesterday.account_id
            and {{ dbt.dateadd('day', -1, 'rank_changes.as_of_date') }} = yesterday.as_of_date

    left join standings as today
        on
            yesterday.account_id = today.account_id
            and yesterday.criterion_id = today.criterion_id
            and rank_changes.as_of_date = today.as_of_date

    where yesterday.is_against and today.criterion_id is null

),

change_reasons as (

    select
        account_id,
        as_of_date,
        {{ dbt.listagg('reason_text', "'; '", 'order by category, criterion_id') }} as reason

    from changed_criteria

    -- A Poor rank is explained by its Poor criteria (the Good criterion they break says the same again).
    where not (health_rank = 'Poor' and outcome = 'Good')

    group by account_id, as_of_date

),

health_alerts as (

    select
        'health_rank_changed' as alert_kind,
        rank_changes.account_id,
        rank_changes.as_of_date as alert_date,
        rank_changes.previous_health_rank || ' -> ' || rank_changes.health_rank as subject,
        cast(null as {{ dbt.type_string() }}) as list,  -- noqa: RF04
        case
            when rank_changes.health_rank = 'Poor' then 'high'
            when rank_changes.rank_step < 0 then 'medium'
            else 'low'
        end as severity,
        'Health ' || rank_changes.previous_health_rank || ' -> ' || rank_changes.health_rank as title,
        -- The day's own reason when no criterion changed standing (e.g. another health profile applies now).
        coalesce(change_reasons.reason, rank_changes.reason) as reason

    from rank_changes

    left join change_reasons
        on
            rank_changes.account_id = change_reasons.account_id
            and rank_changes.as_of_date = change_reasons.as_of_date

),

list_alerts as (

    select
        'list_' || list_events.event as alert_kind,
        list_events.account_id,
        list_events.event_date as alert_date,
        list_events.list as subject,
        list_events.list,
        case when list_events.event = 'entered' then lists.severity else 'low' end as severity,
        case when list_events.event = 'entered' then 'Entered list ' else 'Left list ' end
        || list_events.list as title,
        list_events.reason

    from list_events

    inner join lists
        on list_events.list = lists.list

),

-- The first day of a run of Paying status (after a trial or free plan, or the creation day).
new_customer_alerts as (

    select
        'new_paying_customer' as alert_kind,
        account_id,
        as_of_date as alert_date,
        'Paying' as subject,
        cast(null as {{ dbt.type_string() }}) as list,  -- noqa: RF04
        'medium' as severity,
        'New paying customer' as title,
        'Became Paying on ' || cast(as_of_date as {{ dbt.type_string() }}) as reason

    from metrics

    where days_since_paying = 0

),

unioned as (

    select * from health_alerts
    union all
    select * from list_alerts
    union all
    select * from new_customer_alerts

),

final as (

    select
        {{ dbt.hash(
            "unioned.alert_kind || '|' || unioned.account_id || '|' || cast(unioned.alert_date as "
            ~ dbt.type_string() ~ ") || '|' || unioned.subject"
        ) }} as alert_id,
        unioned.alert_date,
        unioned.alert_kind,
        unioned.account_id,
        accounts.account_name,
        -- The success manager of the account that day (a success manager's book is followed by this name).
        health.success_manager,
        unioned.subject,
        unioned.list,
        unioned.severity,
        unioned.title,
        unioned.reason

    from unioned

    left join accounts
        on unioned.account_id = accounts.account_id

    left join health
        on
            unioned.account_id = health.account_id
            and unioned.alert_date = health.as_of_date

)

select * from final
