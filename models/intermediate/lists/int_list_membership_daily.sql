-- List members per day: an account is in a list on a day when every criterion of the list holds (a criterion
-- on a missing value does not). One row per list, member and day, with the reason (every criterion and its
-- value) and the day the current stay in the list began.

with

results as (

    select * from {{ ref('int_list_criteria_results') }}

),

members as (

    select
        list,
        account_id,
        as_of_date,
        {{ dbt.listagg('reason_text', "'; '", 'order by criterion_id') }} as reason

    from results

    group by list, account_id, as_of_date

    having bool_and(coalesce(holds, false))

),

-- Consecutive member days share an island: as_of_date minus the day's position in the list's member days.
islands as (

    select
        *,
        {{ dbt.dateadd(
            'day',
            '-1 * row_number() over (partition by list, account_id order by as_of_date)',
            'as_of_date'
        ) }} as island

    from members

),

final as (

    select
        list,
        account_id,
        as_of_date,
        reason,
        min(as_of_date) over (partition by list, account_id, island) as entered_on

    from islands

)

select * from final
