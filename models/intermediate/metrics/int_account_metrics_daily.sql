-- Point-in-time account metrics: one row per account per day since creation, one column per metric of the
-- catalog (this model's properties, _int_metrics__models.yml). A metric computed in an area model is selected
-- from it (meta.model); the few that combine areas are computed here. Incremental (rebuild_days.sql): the
-- last day before the rebuild that was not Paying is carried into days_since_paying.
{{ daily_incremental() }}

{%- set metrics = metric_catalog() %}
{%- set areas = {
    'int_account_days': 'days',
    'int_account_activity_daily': 'activity',
    'int_account_crm_daily': 'crm',
    'int_account_support_daily': 'support',
    'int_account_activity_metrics_daily': 'activity_metrics',
    'int_account_module_adoption_daily': 'adoption',
} %}

{#- The last day up to as_of_date that was not Paying (a window): days_since_paying counts from the day after
    (or from creation). #}
{%- set last_not_paying_date = "max(case when status is distinct from 'Paying' then as_of_date end) over ("
    ~ "partition by account_id order by as_of_date rows between unbounded preceding and current row)" %}

with

days as (

    select * from {{ ref('int_account_days') }}

    where {{ days_to_rebuild('as_of_date') }}

),

activity as (

    select * from {{ ref('int_account_activity_daily') }}

    where {{ days_to_rebuild('as_of_date') }}

),

crm as (

    select * from {{ ref('int_account_crm_daily') }}

    where {{ days_to_rebuild('as_of_date') }}

),

support as (

    select * from {{ ref('int_account_support_daily') }}

    where {{ days_to_rebuild('as_of_date') }}

),

activity_metrics as (

    select * from {{ ref('int_account_activity_metrics_daily') }}

    where {{ days_to_rebuild('as_of_date') }}

),

adoption as (

    select * from {{ ref('int_account_module_adoption_daily') }}

    where {{ days_to_rebuild('as_of_date') }}

),

-- The last day before the first day rebuilt that was not Paying (the status as `joined` derives it).
not_paying_before as (

    select
        spine.account_id,
        max(spine.as_of_date) as last_not_paying_date

    from {{ ref('int_account_days') }} as spine

    left join {{ ref('int_account_crm_daily') }} as crm_before
        on
            spine.account_id = crm_before.account_id
            and spine.as_of_date = crm_before.as_of_date

    where
        not ({{ days_to_rebuild('spine.as_of_date') }})
        and (
            case
                when crm_before.cancellation_date is not null and crm_before.cancellation_date <= spine.as_of_date
                    then 'Cancelled'
                else crm_before.status
            end
        ) is distinct from 'Paying'

    group by spine.account_id

),

-- Per landing source, the day after which its data is missing (a stale source: int_source_watermarks).
stale_sources as (

    select
        {%- for source in metric_sources(metrics) %}
            max(case when source = '{{ source }}' then stale_since end) as {{ source }}_stale_since
            {%- if not loop.last %},{% endif %}
        {%- endfor %}

    from {{ ref('int_source_watermarks') }}

),

joined as (

    select
        days.account_id,
        days.as_of_date,
        days.created_date,
        {{- metric_columns_from(metrics, areas) }}
        case
            when crm.licenses > 0 then cast(activity.active_users_14d as {{ health_type_double() }}) / crm.licenses
        end as license_utilization,
        coalesce(support.open_tickets, 0) as open_tickets,
        coalesce(support.tickets_30d, 0) as tickets_30d,
        {{ dbt.datediff('crm.journey_stage_date', 'days.as_of_date', 'day') | trim }} as days_in_journey_stage,
        {{ dbt.datediff('days.as_of_date', 'crm.renewal_date', 'day') | trim }} as days_to_renewal,
        -- Cancelled when the CRM said so that day, or once the recorded cancellation date has passed.
        case
            when crm.cancellation_date is not null and crm.cancellation_date <= days.as_of_date then 'Cancelled'
            else crm.status
        end as status,
        not_paying_before.last_not_paying_date as last_not_paying_before

    from days

    left join not_paying_before
        on days.account_id = not_paying_before.account_id

    inner join activity
        on
            days.account_id = activity.account_id
            and days.as_of_date = activity.as_of_date

    left join crm
        on
            days.account_id = crm.account_id
            and days.as_of_date = crm.as_of_date

    left join support
        on
            days.account_id = support.account_id
            and days.as_of_date = support.as_of_date

    left join activity_metrics
        on
            days.account_id = activity_metrics.account_id
            and days.as_of_date = activity_metrics.as_of_date

    left join adoption
        on
            days.account_id = adoption.account_id
            and days.as_of_date = adoption.as_of_date

),

scored as (

    select
        *,
        -- Engagement (Totango): percentile rank of average daily actions among accounts with the same status
        -- that day; fewer than one action a day scores 0.
        case
            when actions_per_day_14d is null then null
            when actions_per_day_14d < 1 then 0
            else round(
                100 * percent_rank() over (
                    partition by as_of_date, coalesce(status, '(none)')
                    order by actions_per_day_14d
                ),
                0
            )
        end as engagement_score,
        case
            when active_days_14d is null then null
            when active_days_14d >= 9 then 'Daily'
            when active_days_14d >= 5 then 'Weekly'
            when active_days_14d >= 2 then 'Occasionally'
            else 'Inactive'
        end as usage_frequency,
        -- Days in the current run of Paying status (0 on the day it became Paying, or on creation when it was
        -- Paying from the start); null when not Paying.
        case
            when status = 'Paying'
                then {{ dbt.datediff(
                    'coalesce(' ~ last_not_paying_date ~ ', last_not_paying_before, '
                    ~ dbt.dateadd('day', -1, 'created_date') ~ ')',
                    'as_of_date', 'day'
                ) | trim }} - 1
        end as days_since_paying

    from joined

),

-- Stale is not Poor: a metric from a source whose data is missing that day is unknown (null), so criteria on
-- it are left out. The spine's own metrics (account age) are always known.
missing as (

    select
        scored.*,
        {%- for source in metric_sources(metrics) %}
            scored.as_of_date > coalesce(stale_sources.{{ source }}_stale_since, scored.as_of_date)
                as {{ source }}_missing
            {%- if not loop.last %},{% endif %}
        {%- endfor %}

    from scored

    cross join stale_sources

),

final as (

    select
        account_id,
        as_of_date,
        {%- for metric in metrics %}
            {%- set sources = metric_sources([metric]) if metric.model != 'int_account_days' else [] %}
            {%- if sources %}
                {%- set missing_flags = [] %}
                {%- for source in sources %}{% do missing_flags.append(source ~ '_missing') %}{% endfor %}
                case
                    when {{ missing_flags | join(' or ') }} then null
                    else cast({{ metric.name }} as {{ metric_sql_type(metric) }})
                end as {{ metric.name }}
            {%- else %}
                cast({{ metric.name }} as {{ metric_sql_type(metric) }}) as {{ metric.name }}
            {%- endif %}
            {%- if not loop.last %},{% endif %}
        {%- endfor %}

    from missing

)

select * from final
