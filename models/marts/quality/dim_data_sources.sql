-- One row per configured data source: how far its data is complete (watermark), whether it is stale, and
-- the warehouse's as-of date that follows from them (the same on every row).

with

watermarks as (

    select * from {{ ref('int_source_watermarks') }}

),

final as (

    select
        source,
        label,
        is_required,
        method,
        stale_after_days,
        latest_data_date,
        watermark_date,
        is_stale,
        stale_since,
        as_of_date,
        {{ dbt.datediff('watermark_date', 'as_of_date', 'day') | trim }} as days_behind_as_of

    from watermarks

)

select * from final
