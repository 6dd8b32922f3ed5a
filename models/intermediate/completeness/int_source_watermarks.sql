-- How far each source's data is complete (seed source_completeness), and the warehouse's as-of date.
-- volume: the latest day whose volume is at least min_volume_share of the median of the same weekday over the
--   four weeks before (a product's weekly rhythm makes weekdays incomparable; a few stray events are not a day
--   of usage); with under four weeks of history every day with data counts.
-- latest: the latest day the source has data for (an export's own dates).
-- Both minus arrival_lag_days. A source is stale when it is more than stale_after_days behind the most
-- advanced source; its metrics are then unknown for every day after its watermark (stale_since).
-- as_of_date: the earliest watermark of the required sources that are not stale (a stale source no longer
-- holds the warehouse back); every point-in-time table ends there.

with

config as (

    select * from {{ ref('int_source_completeness') }}

),

-- Rows per source and day with data: (source, data_date, volume). Sources are the landing sources of the
-- metric catalog (config.meta.source); a new source needs a branch here and a row in the seed.
source_days as (

    select
        'app_events' as source,
        activity_date as data_date,
        sum(actions) as volume

    from {{ ref('int_usage_daily') }}

    group by activity_date

    union all

    select
        'helpdesk' as source,
        cast(coalesce(updated_at, created_at) as date) as data_date,
        count(*) as volume

    from {{ ref('stg_helpdesk__tickets') }}

    group by cast(coalesce(updated_at, created_at) as date)

    union all

    select
        'crm' as source,
        cast(coalesce(last_modified_at, created_at) as date) as data_date,
        count(*) as volume

    from {{ ref('stg_crm__accounts') }}

    group by cast(coalesce(last_modified_at, created_at) as date)

    union all

    -- When an activity was recorded, not its due date: a task planned for next week is not next week's data.
    select
        'crm' as source,
        cast(coalesce(last_modified_at, created_at) as date) as data_date,
        count(*) as volume

    from {{ ref('stg_crm__activities') }}

    group by cast(coalesce(last_modified_at, created_at) as date)

),

configured_days as (

    select
        source_days.source,
        source_days.data_date,
        sum(source_days.volume) as volume

    from source_days

    inner join config
        on source_days.source = config.source

    where source_days.data_date is not null

    group by source_days.source, source_days.data_date

),

volume_bounds as (

    select
        min(configured_days.data_date) as first_date,
        max(configured_days.data_date) as last_date

    from configured_days

    inner join config
        on configured_days.source = config.source

    where config.method = 'volume'

),

calendar as (

    {{ health_date_series('volume_bounds', 'first_date', 'last_date') }}

),

-- Volume sources on a dense calendar (0 on days without data), each from its own first day.
dense_volumes as (

    select
        config.source,
        calendar.date_day as data_date,
        coalesce(configured_days.volume, 0) as volume

    from config

    cross join calendar

    left join configured_days
        on
            config.source = configured_days.source
            and calendar.date_day = configured_days.data_date

    where
        config.method = 'volume'
        and calendar.date_day >= (
            select min(first_days.data_date)
            from configured_days as first_days
            where first_days.source = config.source
        )

),

same_weekday_history as (

    select
        source,
        data_date,
        volume,
        lag(volume, 7) over (partition by source order by data_date) as volume_1w,
        lag(volume, 14) over (partition by source order by data_date) as volume_2w,
        lag(volume, 21) over (partition by source order by data_date) as volume_3w,
        lag(volume, 28) over (partition by source order by data_date) as volume_4w

    from dense_volumes

),

volume_days as (

    select
        source,
        data_date,
        volume,
        -- The median of four values: their sum without the largest and the smallest, halved.
        case
            when volume_4w is not null
                then (
                    volume_1w + volume_2w + volume_3w + volume_4w
                    - greatest(volume_1w, volume_2w, volume_3w, volume_4w)
                    - least(volume_1w, volume_2w, volume_3w, volume_4w)
                ) / 2.0
        end as usual_volume

    from same_weekday_history

),

complete_volume_days as (

    select
        volume_days.source,
        volume_days.data_date,
        volume_days.volume,
        volume_days.usual_volume

    from volume_days

    inner join config
        on volume_days.source = config.source

    where
        volume_days.volume > 0
        and (
            volume_days.usual_volume is null
            or volume_days.volume >= config.min_volume_share * volume_days.usual_volume
        )

),

latest_complete as (

    select
        source,
        max(data_date) as complete_date

    from complete_volume_days

    group by source

    union all

    select
        configured_days.source,
        max(configured_days.data_date) as complete_date

    from configured_days

    inner join config
        on configured_days.source = config.source

    where config.method = 'latest'

    group by configured_days.source

),

latest_data as (

    select
        source,
        max(data_date) as latest_data_date

    from configured_days

    group by source

),

watermarks as (

    select
        config.source,
        config.label,
        config.is_required,
        config.method,
        config.stale_after_days,
        latest_data.latest_data_date,
        {{ dbt.dateadd('day', '-1 * config.arrival_lag_days', 'latest_complete.complete_date') }} as watermark_date

    from config

    left join latest_complete
        on config.source = latest_complete.source

    left join latest_data
        on config.source = latest_data.source

),

data_end as (

    select max(watermark_date) as data_end_date

    from watermarks

),

judged as (

    select
        watermarks.*,
        data_end.data_end_date,
        watermarks.watermark_date is null
        or {{ dbt.datediff('watermarks.watermark_date', 'data_end.data_end_date', 'day') }}
        > watermarks.stale_after_days as is_stale

    from watermarks

    cross join data_end

),

as_of as (

    select
        coalesce(
            min(case when is_required and not is_stale then watermark_date end),
            max(data_end_date)
        ) as as_of_date

    from judged

),

final as (

    select
        judged.source,
        judged.label,
        judged.is_required,
        judged.method,
        judged.stale_after_days,
        cast(judged.latest_data_date as date) as latest_data_date,
        cast(judged.watermark_date as date) as watermark_date,
        judged.is_stale,
        -- The source's metrics are unknown on the days after this date.
        cast(case when judged.is_stale then judged.watermark_date end as date) as stale_since,
        cast(as_of.as_of_date as date) as as_of_date

    from judged

    cross join as_of

)

select * from final
