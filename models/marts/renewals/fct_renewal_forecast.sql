-- One row per calendar quarter: past quarters with renewals (from the first one through the current quarter)
-- and the next four quarters (the current one and the three after it). Expected renewal revenue = value x
-- the renewal probability of its risk class (int_renewal_probabilities); the naive forecast (everything
-- renews) beside it; for past quarters the value that actually renewed, so the forecast's calibration and
-- error show. Upcoming quarters count the renewals still ahead (after the as-of date); a quarter without
-- renewals is a row of zeros.

with

as_of as (

    select
        as_of_date,
        cast({{ dbt.date_trunc('quarter', 'as_of_date') }} as date) as current_quarter

    from {{ ref('int_revenue_as_of') }}

),

past as (

    select
        outcomes.renewal_quarter,
        outcomes.renewal_value,
        outcomes.is_renewed,
        probabilities.renewal_probability

    from {{ ref('int_renewal_outcomes') }} as outcomes

    left join {{ ref('int_renewal_probabilities') }} as probabilities
        on outcomes.risk_class = probabilities.risk_class

),

upcoming as (

    select
        renewal_quarter,
        renewal_value,
        renewal_probability

    from {{ ref('fct_renewals') }}

),

bounds as (

    select
        coalesce(min(past.renewal_quarter), max(as_of.current_quarter)) as first_quarter,
        max({{ dbt.dateadd('month', 9, 'as_of.current_quarter') }}) as last_quarter

    from as_of

    left join past
        on true

),

quarters as (

    {{ pulse_month_steps('bounds', 'first_quarter', 'last_quarter', 3, 'quarter_start') }}

),

past_quarters as (

    select
        renewal_quarter,
        count(*) as renewals,
        sum(renewal_value) as renewal_value,
        sum(renewal_value * renewal_probability) as expected_value,
        sum(case when is_renewed then renewal_value else 0 end) as renewed_value,
        sum(case when is_renewed then 1 else 0 end) as renewed

    from past

    group by renewal_quarter

),

upcoming_quarters as (

    select
        renewal_quarter,
        count(*) as renewals,
        sum(renewal_value) as renewal_value,
        sum(renewal_value * renewal_probability) as expected_value

    from upcoming

    group by renewal_quarter

),

final as (

    select
        quarters.quarter_start,
        cast({{ dbt.dateadd('month', 3, 'quarters.quarter_start') }} as date) as quarter_end,
        quarters.quarter_start >= as_of.current_quarter as is_forecast,
        cast(
            coalesce(past_quarters.renewals, 0) + coalesce(upcoming_quarters.renewals, 0) as bigint
        ) as renewals,
        cast(
            coalesce(past_quarters.renewal_value, 0) + coalesce(upcoming_quarters.renewal_value, 0) as double
        ) as naive_renewal_value,
        cast(
            coalesce(past_quarters.expected_value, 0) + coalesce(upcoming_quarters.expected_value, 0) as double
        ) as expected_renewal_value,
        cast(past_quarters.renewed as bigint) as renewed,
        cast(past_quarters.renewed_value as double) as actual_renewed_value,
        -- calibration: quarters wholly in the past only
        cast(case
            when quarters.quarter_start < as_of.current_quarter
                then past_quarters.expected_value - past_quarters.renewed_value
        end as double) as forecast_error,
        cast(case
            when quarters.quarter_start < as_of.current_quarter
                then
                    abs(past_quarters.expected_value - past_quarters.renewed_value)
                    / nullif(past_quarters.renewed_value, 0)
        end as double) as forecast_abs_pct_error,
        cast(case
            when quarters.quarter_start < as_of.current_quarter
                then
                    abs(past_quarters.renewal_value - past_quarters.renewed_value)
                    / nullif(past_quarters.renewed_value, 0)
        end as double) as naive_abs_pct_error,
        as_of.as_of_date

    from quarters

    cross join as_of

    left join past_quarters
        on quarters.quarter_start = past_quarters.renewal_quarter

    left join upcoming_quarters
        on quarters.quarter_start = upcoming_quarters.renewal_quarter

)

select * from final
