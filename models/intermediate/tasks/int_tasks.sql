-- Tasks from playbooks, replayed from list history: entering a list whose playbook asks for a task opens one,
-- unless a task for the same list and account (the same cause) is still open then. A task closes on the
-- earliest of: the day the account leaves the list (close_on_exit), the day the CRM export reports it Completed
-- (int_task_completions), expire_days after its due date; a closing day after the as-of date is not known yet
-- (the task is open). task_id is stable: a hash of list, account and opening day, so a re-run gives the same
-- rows and the CRM can carry the id back.

with recursive

stays as (

    select * from {{ ref('int_task_stays') }}

),

playbooks as (

    select * from {{ ref('int_playbooks') }}

),

completions as (

    select * from {{ ref('int_task_completions') }}

),

as_of as (

    select max(as_of_date) as as_of_date

    from {{ ref('int_account_days') }}

),

-- The task each stay would open if none were open then, and the days it could close.
candidates as (

    select
        stays.list,
        stays.account_id,
        stays.stay_number,
        stays.entered_on as opened_on,
        'task-' || left(
            {{ dbt.hash(dbt.concat([
                'stays.list', "'|'", 'stays.account_id', "'|'",
                dbt.safe_cast('stays.entered_on', dbt.type_string()),
            ])) }},
            16
        ) as task_id,
        cast({{ dbt.dateadd('day', 'playbooks.due_days', 'stays.entered_on') }} as date) as due_on,
        case when playbooks.close_on_exit then stays.left_on end as exit_on,
        case
            when playbooks.expire_days is not null
                then cast(
                    {{ dbt.dateadd('day', 'playbooks.due_days + playbooks.expire_days', 'stays.entered_on') }}
                    as date
                )
        end as expire_on

    from stays

    inner join playbooks
        on stays.list = playbooks.list

),

closing as (

    select
        candidates.*,
        -- A completion stamped before the task opened (clock skew) closes it on its first day.
        case
            when completions.completed_on is not null
                then greatest(completions.completed_on, candidates.opened_on)
        end as done_on

    from candidates

    left join completions
        on candidates.task_id = completions.task_id

),

closed as (

    select
        closing.*,
        case
            when least(closing.exit_on, closing.done_on, closing.expire_on) <= as_of.as_of_date
                then least(closing.exit_on, closing.done_on, closing.expire_on)
        end as closed_on

    from closing

    cross join as_of

),

-- Walk each list and account's stays in order: a stay opens a task when the current task has closed by its
-- first day; otherwise the open task carries on (no second task for the same cause).
chain (list, account_id, stay_number, task_stay_number, task_closed_on) as (

    select
        list,
        account_id,
        stay_number,
        stay_number as task_stay_number,
        closed_on as task_closed_on

    from closed

    where stay_number = 1

    union all

    select
        next_stay.list,
        next_stay.account_id,
        next_stay.stay_number,
        case
            when chain.task_closed_on <= next_stay.opened_on then next_stay.stay_number
            else chain.task_stay_number
        end as task_stay_number,
        case
            when chain.task_closed_on <= next_stay.opened_on then next_stay.closed_on
            else chain.task_closed_on
        end as task_closed_on

    from chain

    inner join closed as next_stay
        on
            chain.list = next_stay.list
            and chain.account_id = next_stay.account_id
            and chain.stay_number + 1 = next_stay.stay_number

),

opened as (

    select distinct
        list,
        account_id,
        task_stay_number

    from chain

),

final as (

    select
        closed.task_id,
        closed.list,
        closed.account_id,
        closed.opened_on,
        closed.due_on,
        closed.closed_on,
        case
            when closed.closed_on is null then null
            when closed.closed_on = closed.done_on then 'done in CRM'
            when closed.closed_on = closed.exit_on then 'left list'
            else 'expired'
        end as close_reason

    from opened

    inner join closed
        on
            opened.list = closed.list
            and opened.account_id = closed.account_id
            and opened.task_stay_number = closed.stay_number

)

select * from final
