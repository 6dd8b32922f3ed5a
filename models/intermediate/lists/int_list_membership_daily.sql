-- List members per day: an account is in a list on a day when every criterion of the list holds (a criterion
-- on a missing value does not). One row per list, member and day, with the reason (every criterion and its
-- value) and the day the current stay in the list began. Incremental (rebuild_days.sql): a stay under way on
-- the day before the rebuild keeps the day it began.
{{ daily_incremental() }}

with

results as (

    select * from {{ ref('int_list_criteria_results') }}

    where {{ days_to_rebuild('as_of_date') }}

),

members as (

    {{ criteria_all_hold('results', ['list', 'account_id', 'as_of_date'], 'reason_text', "'; '") }}

),

-- The stays under way on the day before the rebuild, as the previous build left them.
carried as (

    {% if is_incremental() -%}
        select
            list,
            account_id,
            as_of_date,
            cast(null as {{ dbt.type_string() }}) as reason,
            entered_on

        from {{ this }}

        where as_of_date = {{ dbt.dateadd('day', -1, rebuild_from()) }}

        union all
    {% endif -%}

    select
        list,
        account_id,
        as_of_date,
        reason,
        cast(null as date) as entered_on

    from members

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

    from carried

),

final as (

    select
        list,
        account_id,
        as_of_date,
        reason,
        min(coalesce(entered_on, as_of_date)) over (partition by list, account_id, island) as entered_on

    from islands

)

-- The day before the rebuild was read only to carry its state.
select * from final

where {{ days_to_rebuild('as_of_date') }}
