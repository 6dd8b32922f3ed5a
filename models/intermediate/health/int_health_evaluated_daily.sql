-- Overall health per account and day from its categories (before parents roll up their children).
-- rules model: Poor if any category is Poor, Good if every evaluated category is Good, Average otherwise;
--   health_score = mean of the category scores.
-- weighted model: health_score = category scores weighted by category_weight; bands give the rank.
-- Unknown: cancelled, no profile matches, a source the profile's criteria use is stale that day (its data is
-- missing: "usage data stale since 2026-11-01"; stale is not Poor, and a rank from the other sources alone
-- would not be the profile's rank either), or no criterion could be evaluated.
-- reason: the criteria behind the rank (fired Poor criteria first, then unmet Good criteria; for Good the met
-- Good criteria), at most three, separated by "; ".
{{ daily_incremental() }}

with

assignment as (

    select * from {{ ref('int_health_profile_assignment') }}

    where {{ days_to_rebuild('as_of_date') }}

),

categories as (

    select * from {{ ref('int_health_categories_daily') }}

    where {{ days_to_rebuild('as_of_date') }}

),

results as (

    select * from {{ ref('int_health_criteria_results') }}

    where {{ days_to_rebuild('as_of_date') }}

),

profiles as (

    select * from {{ ref('int_health_profiles') }}

),

overall as (

    select
        account_id,
        as_of_date,
        profile,
        model,
        sum(case when category_rank = 'Poor' then 1 else 0 end) as poor_categories,
        sum(case when category_rank = 'Good' then 1 else 0 end) as good_categories,
        count(*) as categories,
        avg(category_score) as mean_score,
        sum(category_score * category_weight) / sum(category_weight) as weighted_score

    from categories

    group by account_id, as_of_date, profile, model

),

ranked as (

    select
        overall.account_id,
        overall.as_of_date,
        overall.profile,
        case
            when overall.model = 'weighted' and overall.weighted_score >= profiles.good_min_score then 'Good'
            when overall.model = 'weighted' and overall.weighted_score <= profiles.poor_max_score then 'Poor'
            when overall.model = 'weighted' then 'Average'
            when overall.poor_categories > 0 then 'Poor'
            when overall.good_categories = overall.categories then 'Good'
            else 'Average'
        end as health_rank,
        case when overall.model = 'weighted' then overall.weighted_score else overall.mean_score end
            as health_score

    from overall

    inner join profiles
        on overall.profile = profiles.profile

),

reason_items as (

    select
        results.account_id,
        results.as_of_date,
        results.criterion_id,
        results.reason_text,
        case when results.outcome = 'Poor' then 1 else 2 end as priority

    from results

    inner join ranked
        on
            results.account_id = ranked.account_id
            and results.as_of_date = ranked.as_of_date

    where
        (ranked.health_rank = 'Good' and results.outcome = 'Good' and results.holds)
        or (
            ranked.health_rank <> 'Good'
            and (
                (results.outcome = 'Poor' and results.holds)
                or (results.outcome = 'Good' and results.holds = false)
            )
        )

),

-- Only the most important kind of reason: fired Poor criteria when there are any, else unmet Good criteria.
top_reason_items as (

    select
        *,
        min(priority) over (partition by account_id, as_of_date) as top_priority

    from reason_items

),

reasons as (

    select
        account_id,
        as_of_date,
        {{ dbt.listagg('reason_text', "'; '", 'order by criterion_id', 3) }} as reason

    from top_reason_items

    where priority = top_priority

    group by account_id, as_of_date

),

stale_sources as (

    select
        source,
        label,
        stale_since

    from {{ ref('int_source_watermarks') }}

    where stale_since is not null

),

-- Per profile and day, the stale sources its criteria use.
stale_profile_sources as (

    select distinct
        assignment_days.as_of_date,
        criteria.profile,
        stale_sources.label,
        stale_sources.stale_since

    from (select distinct as_of_date from assignment) as assignment_days

    inner join stale_sources
        on assignment_days.as_of_date > stale_sources.stale_since

    inner join {{ ref('int_metric_sources') }} as metric_sources
        on stale_sources.source = metric_sources.source

    inner join {{ ref('int_health_criteria') }} as criteria
        on metric_sources.metric = criteria.metric

),

stale_notes as (

    select
        as_of_date,
        profile,
        {{ dbt.listagg(
            "label || ' stale since ' || " ~ dbt.safe_cast('stale_since', dbt.type_string()),
            "'; '",
            'order by label'
        ) }} as note

    from stale_profile_sources

    group by as_of_date, profile

),

final as (

    select
        assignment.account_id,
        assignment.as_of_date,
        assignment.profile,
        case when stale_notes.note is null then coalesce(ranked.health_rank, 'Unknown') else 'Unknown' end
            as health_rank,
        case
            when assignment.unknown_reason is null and stale_notes.note is not null then 'stale_data'
            else assignment.unknown_reason
        end as unknown_reason,
        cast(case when stale_notes.note is null then ranked.health_score end as {{ health_type_double() }})
            as health_score,
        case
            when assignment.unknown_reason = 'cancelled' then 'Cancelled account'
            when assignment.unknown_reason = 'no_profile' then 'No health profile matches this account'
            when stale_notes.note is not null then stale_notes.note
            when ranked.health_rank is null then 'No criterion of profile ' || assignment.profile || ' has a value'
            when reasons.reason is not null and reasons.reason <> '' then reasons.reason
            when ranked.health_rank = 'Average' then 'Some activity, but not every Good criterion holds'
            else ranked.health_rank || ' by profile ' || assignment.profile
        end as reason

    from assignment

    left join ranked
        on
            assignment.account_id = ranked.account_id
            and assignment.as_of_date = ranked.as_of_date

    left join reasons
        on
            assignment.account_id = reasons.account_id
            and assignment.as_of_date = reasons.as_of_date

    left join stale_notes
        on
            assignment.as_of_date = stale_notes.as_of_date
            and assignment.profile = stale_notes.profile

)

select * from final
