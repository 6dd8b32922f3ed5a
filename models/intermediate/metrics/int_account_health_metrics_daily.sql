-- Health metrics per account and day (the catalog in _int_health_metrics__models.yml), from the final health
-- rank: the rank and score, the days since the current rank began and the rank before it. Downstream of the
-- account metrics, so only list criteria use them (e.g. health fell to Poor). Incremental (rebuild_days.sql):
-- the run under way on the day before the rebuild keeps its first day and prior rank.
{{ daily_incremental() }}

with

health as (

    select
        account_id,
        as_of_date,
        health_rank,
        health_score,
        cast(null as date) as carried_run_start,
        cast(null as {{ dbt.type_string() }}) as carried_prior_rank

    from {{ ref('int_health_rolled_up_daily') }}

    where {{ days_to_rebuild('as_of_date') }}

    {% if is_incremental() -%}
        union all

        select
            account_id,
            as_of_date,
            health_rank,
            health_score,
            {{ dbt.dateadd('day', '-days_in_health_rank', 'as_of_date') }} as carried_run_start,
            prior_health_rank as carried_prior_rank

        from {{ this }}

        where as_of_date = {{ dbt.dateadd('day', -1, rebuild_from()) }}
    {%- endif %}

),

changes as (

    select
        *,
        lag(health_rank) over (partition by account_id order by as_of_date) as previous_day_rank

    from health

),

-- Consecutive days with one rank form a run; a run begins where the rank differs from the day before.
runs as (

    select
        *,
        sum(case when previous_day_rank is distinct from health_rank then 1 else 0 end) over (
            partition by account_id order by as_of_date rows between unbounded preceding and current row
        ) as run_number

    from changes

),

final as (

    select
        account_id,
        as_of_date,
        cast(health_rank as {{ dbt.type_string() }}) as health_rank,
        cast(health_score as {{ health_type_double() }}) as health_score,
        cast(
            {{ dbt.datediff(
                'min(coalesce(carried_run_start, as_of_date)) over (partition by account_id, run_number)',
                'as_of_date',
                'day'
            ) | trim }} as {{ dbt.type_bigint() }}
        ) as days_in_health_rank,
        cast(
            first_value(
                case when carried_run_start is not null then carried_prior_rank else previous_day_rank end
            ) over (partition by account_id, run_number order by as_of_date)
            as {{ dbt.type_string() }}
        ) as prior_health_rank

    from runs

)

-- The day before the rebuild was read only to carry its state.
select * from final

where {{ days_to_rebuild('as_of_date') }}
