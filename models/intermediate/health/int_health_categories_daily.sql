-- Category ranks per account and day.
-- rules model: in a category, Poor if any evaluated Poor criterion holds (OR); Good if at least one Good
--   criterion was evaluated and every evaluated Good criterion holds (AND); Average otherwise.
--   Score: Good 100, Average `average_score` (int_health_settings, 60), Poor 0.
-- weighted model: the same AND/OR rule per metric inside the category gives each metric Good 100 /
--   Average 60 / Poor 0; the category score is their weighted mean (criterion weight) and the profile's
--   bands turn it into a rank (>= good_min_score Good, <= poor_max_score Poor).
-- Criteria on missing values are left out; a category with nothing evaluated is left out too.
{{ daily_incremental() }}

with

results as (

    select * from {{ ref('int_health_criteria_results') }}

    where {{ days_to_rebuild('as_of_date') }}

),

profiles as (

    select * from {{ ref('int_health_profiles') }}

),

settings as (

    select average_score from {{ ref('int_health_settings') }}

),

groups as (

    select
        account_id,
        as_of_date,
        profile,
        model,
        category,
        case when model = 'weighted' then metric else '' end as group_key,
        max(weight) as weight,
        max(category_weight) as category_weight,
        max(case when outcome = 'Poor' and holds then 1 else 0 end) as poor_fired,
        sum(case when outcome = 'Good' and holds is not null then 1 else 0 end) as good_evaluated,
        sum(case when outcome = 'Good' and holds = false then 1 else 0 end) as good_failed,
        sum(case when holds is not null then 1 else 0 end) as evaluated

    from results

    group by
        account_id,
        as_of_date,
        profile,
        model,
        category,
        case when model = 'weighted' then metric else '' end

),

group_ranks as (

    select
        groups.*,
        case
            when groups.poor_fired = 1 then 'Poor'
            when groups.good_evaluated > 0 and groups.good_failed = 0 then 'Good'
            else 'Average'
        end as group_rank,
        case
            when groups.poor_fired = 1 then 0
            when groups.good_evaluated > 0 and groups.good_failed = 0 then 100
            else settings.average_score
        end as group_score

    from groups

    cross join settings

    where groups.evaluated > 0

),

categories as (

    select
        account_id,
        as_of_date,
        profile,
        model,
        category,
        max(category_weight) as category_weight,
        max(group_rank) as any_group_rank,
        sum(group_score * weight) / sum(weight) as category_score

    from group_ranks

    group by account_id, as_of_date, profile, model, category

),

final as (

    select
        categories.account_id,
        categories.as_of_date,
        categories.profile,
        categories.model,
        categories.category,
        case
            when categories.model = 'rules' then categories.any_group_rank
            when categories.category_score >= profiles.good_min_score then 'Good'
            when categories.category_score <= profiles.poor_max_score then 'Poor'
            else 'Average'
        end as category_rank,
        cast(categories.category_score as {{ health_type_double() }}) as category_score,
        categories.category_weight

    from categories

    inner join profiles
        on categories.profile = profiles.profile

)

select * from final
