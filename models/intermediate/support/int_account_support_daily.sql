-- Support and success-team touch metrics per account and day, point in time:
-- open tickets (created on or before the day, not solved by then), tickets created in the last 30 days,
-- and the last CSM touch (CRM activity) on or before the day. Events before the account's creation count
-- from its first day. Incremental (rebuild_days.sql): the 30-day window reads 29 days before the first day
-- rebuilt; the tickets still open and the last touch carry the history before that.
{{ daily_incremental() }}

with

all_days as (

    select
        account_id,
        as_of_date,
        created_date

    from {{ ref('int_account_days') }}

),

days as (

    select * from all_days

    where {{ days_to_rebuild('as_of_date', 29) }}

),

first_days as (

    select
        account_id,
        min(as_of_date) as first_date

    from all_days

    group by account_id

),

tickets as (

    select
        tickets.account_id,
        cast(tickets.created_at as date) as created_date,
        cast(tickets.solved_at as date) as solved_date

    from {{ ref('stg_helpdesk__tickets') }} as tickets

    where tickets.account_id is not null and tickets.created_at is not null

),

ticket_deltas as (

    select
        tickets.account_id,
        case
            when tickets.created_date < first_days.first_date then first_days.first_date
            else tickets.created_date
        end as delta_date,
        1 as open_delta,
        1 as created_count

    from tickets

    inner join first_days
        on tickets.account_id = first_days.account_id

    union all

    select
        tickets.account_id,
        case
            when tickets.solved_date < first_days.first_date then first_days.first_date
            else tickets.solved_date
        end as delta_date,
        -1 as open_delta,
        0 as created_count

    from tickets

    inner join first_days
        on tickets.account_id = first_days.account_id

    where tickets.solved_date is not null

),

ticket_daily as (

    select
        account_id,
        delta_date,
        sum(open_delta) as open_delta,
        sum(created_count) as created_count

    from ticket_deltas

    group by account_id, delta_date

),

touches as (

    select
        accounts.account_id,
        activities.activity_date

    from {{ ref('stg_crm__activities') }} as activities

    inner join {{ ref('int_accounts') }} as accounts
        on activities.crm_account_id = accounts.crm_account_id

    where activities.activity_date is not null

),

touch_daily as (

    select
        touches.account_id,
        case
            when touches.activity_date < first_days.first_date then first_days.first_date
            else touches.activity_date
        end as touch_day,
        max(touches.activity_date) as last_touch_date

    from touches

    inner join first_days
        on touches.account_id = first_days.account_id

    group by
        touches.account_id,
        case
            when touches.activity_date < first_days.first_date then first_days.first_date
            else touches.activity_date
        end

),

-- Before the days read for the window: tickets opened and not yet solved, and the last touch.
history as (

    select
        first_days.account_id,
        (
            select sum(ticket_daily.open_delta)
            from ticket_daily
            where
                ticket_daily.account_id = first_days.account_id
                and not ({{ days_to_rebuild('ticket_daily.delta_date', 29) }})
        ) as open_before,
        (
            select max(touch_daily.last_touch_date)
            from touch_daily
            where
                touch_daily.account_id = first_days.account_id
                and not ({{ days_to_rebuild('touch_daily.touch_day', 29) }})
        ) as last_touch_before

    from first_days

),

joined as (

    select
        days.account_id,
        days.as_of_date,
        coalesce(ticket_daily.open_delta, 0) as open_delta,
        coalesce(ticket_daily.created_count, 0) as created_count,
        touch_daily.last_touch_date,
        coalesce(history.open_before, 0) as open_before,
        history.last_touch_before

    from days

    left join history
        on days.account_id = history.account_id

    left join ticket_daily
        on
            days.account_id = ticket_daily.account_id
            and days.as_of_date = ticket_daily.delta_date

    left join touch_daily
        on
            days.account_id = touch_daily.account_id
            and days.as_of_date = touch_daily.touch_day

),

windowed as (

    select
        account_id,
        as_of_date,
        sum(open_delta) over (
            partition by account_id order by as_of_date rows between unbounded preceding and current row
        ) + open_before as open_tickets,
        sum(created_count) over (
            partition by account_id order by as_of_date rows between 29 preceding and current row
        ) as tickets_30d,
        coalesce(
            max(last_touch_date) over (
                partition by account_id order by as_of_date rows between unbounded preceding and current row
            ),
            last_touch_before
        ) as last_touch_date

    from joined

),

final as (

    select
        account_id,
        as_of_date,
        cast(open_tickets as {{ dbt.type_bigint() }}) as open_tickets,
        cast(tickets_30d as {{ dbt.type_bigint() }}) as tickets_30d,
        last_touch_date,
        cast({{ dbt.datediff('last_touch_date', 'as_of_date', 'day') | trim }} as {{ dbt.type_bigint() }})
            as days_since_last_touch

    from windowed

)

select * from final

-- The days before the first day rebuilt were read only for the window.
where {{ days_to_rebuild('as_of_date') }}
