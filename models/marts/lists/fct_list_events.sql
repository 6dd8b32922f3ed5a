-- Entries into and exits from smart lists, with the criteria that held (entered) or no longer held (left).

with

events as (

    select * from {{ ref('int_list_events') }}

),

final as (

    select
        list,
        account_id,
        event,
        event_date,
        reason

    from events

)

select * from final
