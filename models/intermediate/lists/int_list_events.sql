-- Entries and exits per list and account, replayed from the daily membership: entered on the first day of a
-- stay (with the criteria that held), left on the first day after it (with the criteria that no longer held),
-- unless that day is past the as-of date.

with

membership as (

    select * from {{ ref('int_list_membership_daily') }}

),

results as (

    select * from {{ ref('int_list_criteria_results') }}

),

as_of as (

    select max(as_of_date) as as_of_date

    from {{ ref('int_account_days') }}

),

stays as (

    select
        list,
        account_id,
        entered_on,
        max(as_of_date) as last_member_date

    from membership

    group by list, account_id, entered_on

),

entered as (

    select
        stays.list,
        stays.account_id,
        'entered' as event,  -- noqa: RF04
        stays.entered_on as event_date,
        membership.reason

    from stays

    inner join membership
        on
            stays.list = membership.list
            and stays.account_id = membership.account_id
            and stays.entered_on = membership.as_of_date

),

left_stays as (

    select
        stays.list,
        stays.account_id,
        cast({{ dbt.dateadd('day', 1, 'stays.last_member_date') }} as date) as event_date

    from stays

    cross join as_of

    where stays.last_member_date < as_of.as_of_date

),

exited as (

    select
        left_stays.list,
        left_stays.account_id,
        'left' as event,  -- noqa: RF04
        left_stays.event_date,
        {{ dbt.listagg(
            "results.label_text || ' (needs ' || results.condition_text || ')'",
            "'; '",
            'order by results.criterion_id'
        ) }} as reason

    from left_stays

    inner join results
        on
            left_stays.list = results.list
            and left_stays.account_id = results.account_id
            and left_stays.event_date = results.as_of_date

    where results.holds is distinct from true

    group by left_stays.list, left_stays.account_id, left_stays.event_date

),

final as (

    select * from entered

    union all

    select * from exited

)

select * from final
