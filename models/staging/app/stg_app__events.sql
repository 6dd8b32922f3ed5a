-- One row per track call: the activity stream every usage metric is built from.
-- identify and group calls feed stg_app__users and stg_app__account_traits instead.

with

source as (

    select * from {{ source('raw', 'app_events') }}

),

renamed as (

    select
        message_id as event_id,
        account_id,
        user_id,
        event_name as activity,
        module,
        event_at,
        cast({{ dbt.date_trunc('day', 'event_at') }} as date) as event_date,
        duration_seconds,
        properties,
        _source as source_name,
        _loaded_at as loaded_at

    from source

    where event_type = 'track'

),

final as (

    select * from renamed

)

select * from final
