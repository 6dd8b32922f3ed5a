-- One row: the date revenue is known through. The warehouse's as-of date (int_source_watermarks) when the
-- warehouse has one, else the billing data's own latest date (a warehouse holding only subscriptions); but
-- when the billing data lists ends it cannot confirm (stg_billing__subscriptions.is_end_censored: an export of
-- scheduled period ends written before the as-of date), no later than the date the billing data is known
-- through: after it neither renewals nor new lines are in the data, so who pays is not known.
-- A month is complete when its end (the next month's first day) is at most the day after this date.

with

warehouse as (

    select max(as_of_date) as as_of_date

    from {{ ref('int_source_watermarks') }}

),

billing as (

    select
        max(coalesce(cast(updated_at as date), valid_from)) as latest_date,
        max(billing_known_through_date) as known_through_date,
        {{ dbt.bool_or('is_end_censored') }} as has_censored_ends

    from {{ ref('stg_billing__subscriptions') }}

),

as_of as (

    select
        cast(coalesce(warehouse.as_of_date, billing.latest_date) as date) as as_of_date,
        billing.known_through_date as billing_known_through_date,
        coalesce(billing.has_censored_ends, false) as has_censored_ends

    from warehouse

    cross join billing

),

revenue_as_of as (

    select
        billing_known_through_date,
        case
            when has_censored_ends and billing_known_through_date < as_of_date then billing_known_through_date
            else as_of_date
        end as as_of_date

    from as_of

),

final as (

    select
        cast(as_of_date as date) as as_of_date,
        billing_known_through_date,
        cast({{ dbt.dateadd('day', 1, 'as_of_date') }} as date) as known_until_date

    from revenue_as_of

)

select * from final
