-- Smart list members per day, replayed from history: one row per list, account and day the account was in the
-- list, with the reason (every criterion of the list and its value that day).
{{ daily_incremental() }}

with

membership as (

    select * from {{ ref('int_list_membership_daily') }}

    where {{ days_to_rebuild('as_of_date') }}

),

final as (

    select
        list,
        account_id,
        as_of_date,
        reason,
        entered_on

    from membership

)

select * from final
