-- One row per app account seen in any call: the latest group call's traits (null when the account never
-- sent one) and when the account was first seen.

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
        event_at,
        traits,
        _loaded_at as loaded_at

    from source

    where account_id is not null

),

-- Per account: first seen, and the traits of the latest group call (an aggregate, like stg_app__users).
per_account as (

    select
        account_id,
        min(event_at) as first_seen_at,
        {{ pulse_value_at_latest('traits', ['event_at', 'loaded_at', 'message_id']) }}
        filter (where event_type = 'group') as latest_group_traits

    from renamed

    group by account_id

),

final as (

    select
        account_id,
        {{ pulse_json_extract_string('latest_group_traits', 'name') }} as account_name,
        {{ pulse_json_extract_string('latest_group_traits', 'plan') }} as plan,
        latest_group_traits as traits,
        first_seen_at

    from per_account

)

select * from final
