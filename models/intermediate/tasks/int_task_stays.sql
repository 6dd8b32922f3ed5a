-- The stays of accounts in lists that have a playbook, numbered per list and account: entered_on, and left_on
-- (the first day out; null while still a member on the as-of date). Each stay may open a task (int_tasks).

with

playbooks as (

    select list from {{ ref('int_playbooks') }}

),

membership as (

    select * from {{ ref('int_list_membership_daily') }}

),

as_of as (

    select max(as_of_date) as as_of_date

    from {{ ref('int_account_days') }}

),

stays as (

    select
        membership.list,
        membership.account_id,
        membership.entered_on,
        max(membership.as_of_date) as last_member_date

    from membership

    inner join playbooks
        on membership.list = playbooks.list

    group by membership.list, membership.account_id, membership.entered_on

),

final as (

    select
        stays.list,
        stays.account_id,
        row_number() over (
            partition by stays.list, stays.account_id order by stays.entered_on
        ) as stay_number,
        stays.entered_on,
        case
            when stays.last_member_date < as_of.as_of_date
                then cast({{ dbt.dateadd('day', 1, 'stays.last_member_date') }} as date)
        end as left_on

    from stays

    cross join as_of

)

select * from final
