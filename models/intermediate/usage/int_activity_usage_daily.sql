-- Daily rollup per account, user, named activity and day: the activity metrics of the catalog
-- (int_account_activity_metrics_daily) are windows over it. The named activities are the catalog's
-- (config.meta.activities in models/intermediate/metrics/_int_metrics__models.yml): an event counts in every
-- activity whose filter (event name, module, property) it meets.
-- Incremental like int_usage_daily: vars min_date / max_date rebuild that range, else the last few days, and
-- always the days touched by events loaded since the last build. When the activity definitions change
-- (definitions_version, a hash of them) the rows of the old definitions are deleted (pre-hook) and every
-- day is rebuilt.
{%- set activities = activity_catalog() %}
{%- set definitions_version = local_md5(tojson(activities, sort_keys=true)) %}
{#- The hook computes the version when it runs: at parse time the graph (the catalog) is empty, and a version
    baked into the hook then would delete every row on each incremental run. #}
{{
    config(
        materialized='incremental',
        incremental_strategy=pulse_incremental_strategy(),
        partition_by=pulse_incremental_partition_by('activity_date'),
        tags=['event_rollup'],
        unique_key=['account_id', 'user_id', 'activity', 'activity_date'],
        on_schema_change='append_new_columns',
        pre_hook="{% if is_incremental() %}{{ pulse_delete_where(this, \"definitions_version <> '\" ~ "
            ~ "local_md5(tojson(activity_catalog(), sort_keys=true)) ~ \"'\") }}{% endif %}",
    )
}}

{#- Definitions changed since the last build (the pre-hook emptied the table), or nothing built yet: every
    day is rebuilt. -#}
{%- set rebuild_all = false %}
{%- if execute and is_incremental() %}
    {%- set built = run_query(
        "select count(*) filter (where definitions_version <> '" ~ definitions_version ~ "') as changed, "
        ~ "count(*) as total from " ~ this
    ) %}
    {%- set rebuild_all = built.columns[0].values()[0] > 0 or built.columns[1].values()[0] == 0 %}
{%- endif %}

with

events as (

    select
        account_id,
        coalesce(user_id, '(unknown)') as user_id,
        activity,
        module,
        properties,
        event_date as activity_date,
        duration_seconds,
        loaded_at

    from {{ ref('stg_app__events') }}

    where
        account_id is not null
        and {{ event_days_to_rebuild('event_date', full=rebuild_all) }}

),

matched as (
    {%- for name, definition in activities.items() %}

        select
            account_id,
            user_id,
            '{{ name }}' as activity,
            activity_date,
            duration_seconds,
            loaded_at

        from events

        where {{ activity_filter(definition) }}
        {% if not loop.last %}
            union all
        {%- endif %}
    {%- else %}

        select
            account_id,
            user_id,
            cast(null as {{ dbt.type_string() }}) as activity,
            activity_date,
            duration_seconds,
            loaded_at

        from events

        where false
    {%- endfor %}

),

final as (

    select
        account_id,
        user_id,
        activity,
        activity_date,
        cast(count(*) as {{ dbt.type_bigint() }}) as actions,
        cast(coalesce(sum(duration_seconds), 0) / 60.0 as {{ health_type_double() }}) as minutes,
        max(loaded_at) as last_loaded_at,
        '{{ definitions_version }}' as definitions_version

    from matched

    group by account_id, user_id, activity, activity_date

)

select * from final
