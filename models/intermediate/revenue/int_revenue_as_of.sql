-- One row: the date revenue is known through. The warehouse's as-of date (int_source_watermarks) when the
-- warehouse has one, else the billing data's own latest date (a warehouse holding only subscriptions).
-- A month is complete when its end (the next month's first day) is at most the day after this date.

with

warehouse as (

    select max(as_of_date) as as_of_date

    from {{ ref('int_source_watermarks') }}

),

billing as (

    select max(coalesce(cast(updated_at as date), valid_from)) as latest_date

    from {{ ref('stg_billing__subscriptions') }}

),

final as (

    select
        cast(coalesce(warehouse.as_of_date, billing.latest_date) as date) as as_of_date,
        cast({{ dbt.dateadd('day', 1, 'coalesce(warehouse.as_of_date, billing.latest_date)') }} as date)
            as known_until_date

    from warehouse

    cross join billing

)

select * from final
