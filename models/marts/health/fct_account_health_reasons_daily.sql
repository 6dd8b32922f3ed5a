-- Reasons as data: for each account and day, the criteria behind its rank - every fired Poor criterion and
-- every evaluated Good criterion (met or not), with the value, the threshold and a one-line reason.
-- Criteria on missing values were left out of the rank and are not listed.

with

results as (

    select * from {{ ref('int_health_criteria_results') }}

),

categories as (

    select * from {{ ref('int_health_categories_daily') }}

),

final as (

    select
        cast(results.account_id as {{ dbt.type_string() }}) as account_id,
        cast(results.as_of_date as date) as as_of_date,
        cast(results.profile as {{ dbt.type_string() }}) as profile,
        cast(results.category as {{ dbt.type_string() }}) as category,
        cast(results.criterion_id as {{ dbt.type_string() }}) as criterion_id,
        cast(results.metric as {{ dbt.type_string() }}) as metric,
        cast(results.operator as {{ dbt.type_string() }}) as operator,
        cast(results.threshold as {{ dbt.type_string() }}) as threshold,
        cast(results.metric_value as {{ dbt.type_string() }}) as metric_value,
        cast(results.outcome as {{ dbt.type_string() }}) as outcome,
        cast(results.reason_text as {{ dbt.type_string() }}) as reason_text,
        results.holds as criterion_met,
        cast(categories.category_rank as {{ dbt.type_string() }}) as category_rank

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
