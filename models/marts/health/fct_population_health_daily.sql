-- Health of the customer base per day, overall and by success manager, company size and tier (as of that
-- day). population_health_score: Good 100, Average `population_average_score` (int_health_settings, 50), Poor 0,
-- averaged over ranked accounts (Unknown left out): 100 when all are Good, 0 when all are Poor.
{{ daily_incremental() }}

with

health as (

    select * from {{ ref('fct_account_health_daily') }}

    where {{ days_to_rebuild('as_of_date') }}

),

settings as (

    select population_average_score as average_score

    from {{ ref('int_health_settings') }}

),

segmented as (

    select
        as_of_date,
        'overall' as segment_type,
        'all' as segment_value,
        health_rank
    from health
    union all
    select
        as_of_date,
        'success_manager' as segment_type,
        coalesce(success_manager, '(none)') as segment_value,
        health_rank
    from health
    union all
    select
        as_of_date,
        'company_size' as segment_type,
        coalesce(company_size, '(none)') as segment_value,
        health_rank
    from health
    union all
    select
        as_of_date,
        'tier' as segment_type,
        coalesce(tier, '(none)') as segment_value,
        health_rank
    from health

),

counted as (

    select
        as_of_date,
        segment_type,
        segment_value,
        count(*) as accounts,
        sum(case when health_rank = 'Good' then 1 else 0 end) as good_accounts,
        sum(case when health_rank = 'Average' then 1 else 0 end) as average_accounts,
        sum(case when health_rank = 'Poor' then 1 else 0 end) as poor_accounts,
        sum(case when health_rank = 'Unknown' then 1 else 0 end) as unknown_accounts

    from segmented

    group by as_of_date, segment_type, segment_value

),

final as (

    select
        counted.as_of_date,
        counted.segment_type,
        counted.segment_value,
        counted.accounts,
        -- sum() of integers is a 128-bit integer in DuckDB: back to the contract's bigint.
        cast(counted.good_accounts as {{ dbt.type_bigint() }}) as good_accounts,
        cast(counted.average_accounts as {{ dbt.type_bigint() }}) as average_accounts,
        cast(counted.poor_accounts as {{ dbt.type_bigint() }}) as poor_accounts,
        cast(counted.unknown_accounts as {{ dbt.type_bigint() }}) as unknown_accounts,
        case
            when counted.good_accounts + counted.average_accounts + counted.poor_accounts > 0
                then
                    (100.0 * counted.good_accounts + settings.average_score * counted.average_accounts)
                    / (counted.good_accounts + counted.average_accounts + counted.poor_accounts)
        end as population_health_score

    from counted

    cross join settings

)

select * from final
