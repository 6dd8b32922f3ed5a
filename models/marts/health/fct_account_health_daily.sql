-- One row per account per day since creation: health rank, score, reason, rank changes, and the metrics
-- the rank was computed from (all point in time): every metric of the catalog (int_account_metrics_daily's
-- properties) not declared `mart: false`, already of the contract's type. Incremental (rebuild_days.sql): the
-- day before the rebuild gives the first rebuilt day its previous rank and the day the rank began.
{{ daily_incremental() }}

with

health as (

    select * from {{ ref('int_health_rolled_up_daily') }}

    where {{ days_to_rebuild('as_of_date') }}

),

metrics as (

    select * from {{ ref('int_account_metrics_daily') }}

    where {{ days_to_rebuild('as_of_date') }}

),

day_before as (

    {% if is_incremental() -%}
        select
            account_id,
            health_rank,
            rank_changed_on

        from {{ this }}

        where as_of_date = {{ dbt.dateadd('day', -1, rebuild_from()) }}
    {%- else -%}
        select
            cast(null as {{ dbt.type_string() }}) as account_id,
            cast(null as {{ dbt.type_string() }}) as health_rank,
            cast(null as date) as rank_changed_on

        where false
    {%- endif %}

),

changes as (

    select
        health.*,
        coalesce(
            lag(health.health_rank) over (partition by health.account_id order by health.as_of_date),
            day_before.health_rank
        ) as previous_health_rank,
        day_before.rank_changed_on as rank_changed_before

    from health

    left join day_before
        on health.account_id = day_before.account_id

),

flagged as (

    select
        *,
        coalesce(previous_health_rank <> health_rank, false) as rank_changed

    from changes

),

final as (

    select
        flagged.account_id,
        flagged.as_of_date,
        flagged.profile,
        flagged.health_rank,
        flagged.health_score,
        flagged.reason,
        flagged.previous_health_rank,
        flagged.rank_changed,
        -- The day the current rank began (creation day when it never changed).
        coalesce(
            max(
                case
                    when flagged.rank_changed or flagged.previous_health_rank is null then flagged.as_of_date
                end
            ) over (
                partition by flagged.account_id order by flagged.as_of_date
                rows between unbounded preceding and current row
            ),
            flagged.rank_changed_before
        ) as rank_changed_on,
        case
            when flagged.rank_changed
                then flagged.previous_health_rank || ' -> ' || flagged.health_rank || ': ' || flagged.reason
        end as rank_change,
        {%- for metric in metric_catalog() if metric.mart %}
            metrics.{{ metric.name }},
        {%- endfor %}
        flagged.is_rollup as is_parent_rollup

    from flagged

    inner join metrics
        on
            flagged.account_id = metrics.account_id
            and flagged.as_of_date = metrics.as_of_date

)

select * from final
