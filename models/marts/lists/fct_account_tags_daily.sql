-- Insights tags per account and day (from smart lists with a tag), with the day each tag was added.
{{ daily_incremental() }}

with

tags as (

    select * from {{ ref('int_account_tags_daily') }}

    where {{ days_to_rebuild('as_of_date') }}

),

final as (

    select
        account_id,
        as_of_date,
        tag,
        added_on

    from tags

)

select * from final
