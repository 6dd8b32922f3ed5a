-- Insights tags per account and day, from list membership: a list's tag is on the account while it is a
-- member (tag_mode add) or from its first day in the list on (sticky); a tag several lists give is one tag.
-- added_on is the first day of the tag's current uninterrupted run. Incremental (rebuild_days.sql): a run under
-- way on the day before the rebuild keeps the day it began.
{{ daily_incremental() }}

with

lists as (

    select * from {{ ref('int_lists') }}

    where tag is not null and tag_mode in ('add', 'sticky')

),

membership as (

    select * from {{ ref('int_list_membership_daily') }}

),

account_days as (

    select
        account_id,
        as_of_date

    from {{ ref('int_account_days') }}

    where {{ days_to_rebuild('as_of_date') }}

),

added as (

    select
        membership.account_id,
        membership.as_of_date,
        lists.tag

    from membership

    inner join lists
        on membership.list = lists.list

    where lists.tag_mode = 'add' and {{ days_to_rebuild('membership.as_of_date') }}

),

sticky_since as (

    select
        membership.account_id,
        lists.tag,
        min(membership.as_of_date) as first_date

    from membership

    inner join lists
        on membership.list = lists.list

    where lists.tag_mode = 'sticky'

    group by membership.account_id, lists.tag

),

sticky as (

    select
        account_days.account_id,
        account_days.as_of_date,
        sticky_since.tag

    from sticky_since

    inner join account_days
        on
            sticky_since.account_id = account_days.account_id
            and sticky_since.first_date <= account_days.as_of_date

),

tagged as (

    select
        *,
        cast(null as date) as added_on

    from (

        select * from added

        union

        select * from sticky

    ) as tags_today

    {% if is_incremental() -%}
        union all

        -- The runs under way on the day before the rebuild, as the previous build left them.
        select
            account_id,
            as_of_date,
            tag,
            added_on

        from {{ this }}

        where as_of_date = {{ dbt.dateadd('day', -1, rebuild_from()) }}
    {%- endif %}

),

islands as (

    select
        *,
        {{ dbt.dateadd(
            'day',
            '-1 * row_number() over (partition by account_id, tag order by as_of_date)',
            'as_of_date'
        ) }} as island

    from tagged

),

final as (

    select
        account_id,
        as_of_date,
        tag,
        min(coalesce(added_on, as_of_date)) over (partition by account_id, tag, island) as added_on

    from islands

)

-- The day before the rebuild was read only to carry its state.
select * from final

where {{ days_to_rebuild('as_of_date') }}
