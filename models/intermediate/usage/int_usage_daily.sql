-- Daily rollup per account, user, module and day: a new day of events costs a day of work.
-- With vars min_date / max_date (Dagster's daily partitions) that range is rebuilt from stg_app__events;
-- without them, the last few days (usage_lookback_days). Either way every day touched by events loaded since
-- the last build is rebuilt too, so late events land in their own day. The first build reads everything.
{{
    config(
        materialized='incremental',
        incremental_strategy=pulse_incremental_strategy(),
        partition_by=pulse_incremental_partition_by('activity_date'),
        tags=['event_rollup'],
        unique_key=['account_id', 'user_id', 'module', 'activity_date'],
        on_schema_change='append_new_columns',
    )
}}

with

events as (

    select
        account_id,
        -- Keys are never null: delete+insert matches rows on them.
        coalesce(user_id, '(unknown)') as user_id,
        coalesce(module, '(none)') as module,
        event_date as activity_date,
        duration_seconds,
        loaded_at

    from {{ ref('stg_app__events') }}

    where
        account_id is not null
        and {{ event_days_to_rebuild('event_date') }}

),

final as (

    select
        account_id,
        user_id,
        module,
        activity_date,
        cast(count(*) as {{ dbt.type_bigint() }}) as actions,
        cast(coalesce(sum(duration_seconds), 0) / 60.0 as {{ health_type_double() }}) as minutes,
        max(loaded_at) as last_loaded_at

    from events

    group by account_id, user_id, module, activity_date

)

select * from final
