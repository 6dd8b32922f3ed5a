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

-- Per user: first and last seen, the account of the latest call (the fallback when identify carries no
-- group), and the account and traits of the latest identify. Aggregates, not row_number() windows: one pass
-- over the events instead of a sort of each user's events (3.5 times faster at 10M events).
per_user as (

    select
        user_id,
        min(event_at) as first_seen_at,
        max(event_at) as last_seen_at,
        {{ pulse_value_at_latest('account_id', ['event_at', 'loaded_at', 'message_id']) }}
        filter (where account_id is not null) as latest_call_account_id,
        {{ pulse_value_at_latest('account_id', ['event_at', 'loaded_at', 'message_id']) }}
        filter (where event_type = 'identify') as latest_identify_account_id,
        {{ pulse_value_at_latest('traits', ['event_at', 'loaded_at', 'message_id']) }}
        filter (where event_type = 'identify') as latest_identify_traits

    from renamed

    group by user_id

),

final as (

    select
        user_id,
        coalesce(latest_identify_account_id, latest_call_account_id) as account_id,
        {{ pulse_json_extract_string('latest_identify_traits', 'email') }} as email,
        {{ pulse_json_extract_string('latest_identify_traits', 'name') }} as user_name,
        {{ pulse_json_extract_string('latest_identify_traits', 'role') }} as role,  -- noqa: RF04
        first_seen_at,
        last_seen_at,
        latest_identify_traits as traits

    from per_user

)

select * from final
