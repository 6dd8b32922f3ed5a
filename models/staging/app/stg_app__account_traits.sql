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

seen as (

    select
        account_id,
        min(event_at) as first_seen_at

    from renamed

    group by account_id

),

latest_group as (

    select
        account_id,
        traits,
        row_number() over (
            partition by account_id
            order by event_at desc, loaded_at desc, message_id desc
        ) as group_rank

    from renamed

    where event_type = 'group'

),

final as (

    select
        seen.account_id,
        {{ pulse_json_extract_string('latest_group.traits', 'name') }} as account_name,
        {{ pulse_json_extract_string('latest_group.traits', 'plan') }} as plan,
        latest_group.traits,
        seen.first_seen_at

    from seen

    left join latest_group
        on
            seen.account_id = latest_group.account_id
            and latest_group.group_rank = 1

)

select * from final
