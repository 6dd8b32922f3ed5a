-- One row per app user: the latest identify traits plus every user seen in any call (track calls included),
-- so a user who never sent identify still exists ("dynamic object creation").

-- A table, not a view: it aggregates every event, and several models and tests read it on each build (as a
-- view each of them scanned every event again: most of a one-day build's time at 10M events).
{{ config(materialized='table') }}

with

source as (

    select * from {{ source('raw', 'app_events') }}

),

renamed as (

    select
        message_id,
        event_type,
        account_id,
        user_id,
        event_at,
        traits,
        _loaded_at as loaded_at

    from source

    where user_id is not null

),

seen as (

    select
        user_id,
        min(event_at) as first_seen_at,
        max(event_at) as last_seen_at

    from renamed

    group by user_id

),

-- The account a user last acted in: the fallback when identify carries no group.
latest_call as (

    select
        user_id,
        account_id,
        row_number() over (
            partition by user_id
            order by event_at desc, loaded_at desc, message_id desc
        ) as call_rank

    from renamed

    where account_id is not null

),

latest_identify as (

    select
        user_id,
        account_id,
        traits,
        row_number() over (
            partition by user_id
            order by event_at desc, loaded_at desc, message_id desc
        ) as identify_rank

    from renamed

    where event_type = 'identify'

),

final as (

    select
        seen.user_id,
        coalesce(latest_identify.account_id, latest_call.account_id) as account_id,
        {{ pulse_json_extract_string('latest_identify.traits', 'email') }} as email,
        {{ pulse_json_extract_string('latest_identify.traits', 'name') }} as user_name,
        {{ pulse_json_extract_string('latest_identify.traits', 'role') }} as role,  -- noqa: RF04
        seen.first_seen_at,
        seen.last_seen_at,
        latest_identify.traits

    from seen

    left join latest_identify
        on
            seen.user_id = latest_identify.user_id
            and latest_identify.identify_rank = 1

    left join latest_call
        on
            seen.user_id = latest_call.user_id
            and latest_call.call_rank = 1

)

select * from final
