-- One row per subscription line version: the terms that held from valid_from to valid_to (exclusive).
-- Exports repeat versions: copies of the same (subscription_id, start_date) collapse into one row (the newest
-- update, else a copy that has ended, else the most recently loaded). A version runs until the line's next
-- version starts, or until its own end: the end date, else (cancellation requested) the period end.
-- An end is known only when the billing data is known through it: an export written on some day lists ends
-- up to that day (Stripe writes Ended At once a line has ended) but some exports list each paid period with its
-- scheduled end (ChurnSim: one line per month, the renewal a new line). The data is known through the latest
-- day it records something happening (billing_known_through_date: a line starting, a cancellation recorded
-- with its end, a version written). A version whose own end falls after that day, with no cancellation
-- recorded, has an end the data cannot confirm (is_end_censored): it runs, as far as anyone knows.

with

source as (

    select * from {{ source('raw', 'subscriptions') }}

),

renamed as (

    select
        subscription_id,
        account_id,
        product,
        start_date,
        end_date,
        period_end_date,
        mrr as stated_mrr,
        amount,
        quantity,
        lower(trim(status)) as status,
        discount,
        currency,
        trial_end_date,
        canceled_at,
        updated_at,
        -- months per billing period: a number, or month / quarter / year
        case lower(trim(billing_period))
            when 'month' then 1
            when 'monthly' then 1
            when 'quarter' then 3
            when 'quarterly' then 3
            when 'year' then 12
            when 'yearly' then 12
            when 'annual' then 12
            else {{ dbt.safe_cast("billing_period", api.Column.translate_type("integer")) }}
        end as billing_period_months,
        _loaded_at as loaded_at,
        _file_id as file_id,
        _line as line_number

    from source

),

deduplicated as (

    select
        *,
        row_number() over (
            partition by subscription_id, start_date
            order by
                updated_at desc nulls last,
                (end_date is not null or canceled_at is not null) desc,
                loaded_at desc,
                file_id desc,
                line_number desc
        ) as copy_rank

    from renamed

),

versions as (

    select
        *,
        coalesce(end_date, case when canceled_at is not null then period_end_date end) as own_end_date,
        lead(start_date) over (partition by subscription_id order by start_date) as next_start_date

    from deduplicated

    where copy_rank = 1

),

bounded as (

    select
        *,
        case
            when next_start_date is null then own_end_date
            when own_end_date is null or own_end_date > next_start_date then next_start_date
            else own_end_date
        end as scheduled_valid_to,
        coalesce(canceled_at is not null or status = 'canceled', false) as is_cancellation_recorded

    from versions

),

known as (

    select
        greatest(
            max(start_date),
            coalesce(max(cast(canceled_at as date)), max(start_date)),
            coalesce(max(case when is_cancellation_recorded then end_date end), max(start_date)),
            coalesce(max(cast(updated_at as date)), max(start_date))
        ) as billing_known_through_date

    from bounded

),

censored as (

    select
        bounded.*,
        known.billing_known_through_date,
        coalesce(
            bounded.scheduled_valid_to > known.billing_known_through_date
            and not bounded.is_cancellation_recorded,
            false
        ) as is_end_censored

    from bounded

    cross join known

),

final as (

    select
        {{ dbt.concat([
            "subscription_id",
            "'|'",
            dbt.safe_cast("start_date", dbt.type_string()),
        ]) }} as subscription_version_id,
        subscription_id,
        account_id,
        product,
        start_date as valid_from,
        case when not is_end_censored then scheduled_valid_to end as valid_to,
        is_end_censored,
        billing_known_through_date,
        end_date,
        period_end_date,
        next_start_date is null as is_latest_version,
        status,
        coalesce(status = 'trialing', false) as is_trial,
        -- monthly recurring revenue: as stated, else the charge per period x quantity, less the discount
        coalesce(
            stated_mrr,
            round(
                amount * coalesce(quantity, 1) * (1 - coalesce(discount, 0))
                / nullif(coalesce(billing_period_months, 1), 0),
                2
            )
        ) as mrr,
        amount,
        quantity,
        billing_period_months,
        discount,
        currency,
        trial_end_date,
        canceled_at,
        updated_at,
        loaded_at

    from censored

)

select * from final
