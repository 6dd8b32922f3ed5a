-- One row per account and calendar month in which the account had an active subscription at the start or at
-- the end of the month: the month's recurring revenue movement.
-- Active on a date d: a paid line version (recurring revenue > 0, not a trial) with valid_from <= d and
-- (valid_to > d or still running). A month's start is its first day, its end the next month's first day.
-- Movements compare the two: churn (active at start, not at end), new (not at start, active at end, first
-- paid line ever starts after the month's start), reactivation (not at start, active at end, paid before), expansion /
-- contraction (active at both, MRR up / down: the month's net change, so an upgrade and a downgrade in the
-- same month count once, by their sum).

with

paid_versions as (

    select
        account_id,
        valid_from,
        valid_to,
        mrr

    from {{ ref('stg_billing__subscriptions') }}

    where not is_trial and mrr > 0

),

first_paid as (

    select
        account_id,
        min(valid_from) as first_paid_date

    from paid_versions

    group by account_id

),

as_of as (

    select * from {{ ref('int_revenue_as_of') }}

),

bounds as (

    select
        -- the month whose end boundary first sees a paid line (a line starting on the 1st is active at
        -- that month's start: it joined in the month before)
        cast({{ dbt.date_trunc('month', dbt.dateadd('day', -1, 'min(paid_versions.valid_from)')) }} as date)
            as first_month,
        max(as_of.known_until_date) as known_until_date

    from paid_versions

    cross join as_of

),

months as (

    select
        cast(month_start as date) as month_start,
        cast({{ dbt.dateadd('month', 1, 'month_start') }} as date) as month_end

    from (
        {{ pulse_month_series('bounds', 'first_month', 'known_until_date') }}
    ) as series

),

-- Every boundary (first day of a month) that ends or starts a month.
boundaries as (

    select month_start as boundary_date from months
    union
    select month_end as boundary_date from months

),

mrr_at_boundary as (

    select
        paid_versions.account_id,
        boundaries.boundary_date,
        sum(paid_versions.mrr) as mrr

    from boundaries

    inner join paid_versions
        on
            boundaries.boundary_date >= paid_versions.valid_from
            and (boundaries.boundary_date < paid_versions.valid_to or paid_versions.valid_to is null)

    group by paid_versions.account_id, boundaries.boundary_date

),

account_months as (

    select
        months.month_start,
        months.month_end,
        mrr_at_boundary.account_id

    from months

    inner join mrr_at_boundary
        on mrr_at_boundary.boundary_date in (months.month_start, months.month_end)

    group by months.month_start, months.month_end, mrr_at_boundary.account_id

),

measured as (

    select
        account_months.account_id,
        account_months.month_start,
        account_months.month_end,
        coalesce(at_start.mrr, 0) as mrr_at_start,
        coalesce(at_end.mrr, 0) as mrr_at_end,
        at_start.account_id is not null as is_active_at_start,
        at_end.account_id is not null as is_active_at_end,
        first_paid.first_paid_date

    from account_months

    left join mrr_at_boundary as at_start
        on
            account_months.account_id = at_start.account_id
            and account_months.month_start = at_start.boundary_date

    left join mrr_at_boundary as at_end
        on
            account_months.account_id = at_end.account_id
            and account_months.month_end = at_end.boundary_date

    inner join first_paid
        on account_months.account_id = first_paid.account_id

),

final as (

    select
        account_id,
        month_start,
        month_end,
        is_active_at_start,
        is_active_at_end,
        mrr_at_start,
        mrr_at_end,
        first_paid_date,
        case
            when is_active_at_start and not is_active_at_end then 'churn'
            when not is_active_at_start and first_paid_date >= month_start then 'new'
            when not is_active_at_start then 'reactivation'
            when mrr_at_end > mrr_at_start then 'expansion'
            when mrr_at_end < mrr_at_start then 'contraction'
            else 'flat'
        end as movement,
        case when not is_active_at_start and first_paid_date >= month_start then mrr_at_end else 0 end
            as new_mrr,
        case when not is_active_at_start and first_paid_date < month_start then mrr_at_end else 0 end
            as reactivation_mrr,
        case
            when is_active_at_start and is_active_at_end and mrr_at_end > mrr_at_start
                then mrr_at_end - mrr_at_start
            else 0
        end as expansion_mrr,
        case
            when is_active_at_start and is_active_at_end and mrr_at_end < mrr_at_start
                then mrr_at_start - mrr_at_end
            else 0
        end as contraction_mrr,
        case when is_active_at_start and not is_active_at_end then mrr_at_start else 0 end as churned_mrr

    from measured

)

select * from final
