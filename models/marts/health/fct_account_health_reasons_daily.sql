-- Reasons as data: for each account and day, the criteria behind its rank - every fired Poor criterion and
-- every evaluated Good criterion (met or not), with the value, the threshold and a one-line reason.
-- Criteria on missing values were left out of the rank and are not listed.
{{ daily_incremental() }}

with

results as (

    select * from {{ ref('int_health_criteria_results') }}

    where {{ days_to_rebuild('as_of_date') }}

),

categories as (

    select * from {{ ref('int_health_categories_daily') }}

    where {{ days_to_rebuild('as_of_date') }}

),

final as (

    select
        results.account_id,
        results.as_of_date,
        results.profile,
        results.category,
        results.criterion_id,
        results.metric,
        results.operator,
        results.threshold,
        results.metric_value,
        results.outcome,
        results.reason_text,
        results.holds as criterion_met,
        categories.category_rank

    from results

    left join categories
        on
            results.account_id = categories.account_id
            and results.as_of_date = categories.as_of_date
            and results.category = categories.category

    where
        (results.outcome = 'Poor' and results.holds)
        or (results.outcome = 'Good' and results.holds is not null)

)

select * from final
