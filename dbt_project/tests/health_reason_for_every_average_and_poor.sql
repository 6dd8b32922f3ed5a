-- Every Average and Poor rank carries a non-empty reason.
select
    account_id,
    as_of_date,
    health_rank,
    reason

from {{ ref('fct_account_health_daily') }}

where
    health_rank in ('Average', 'Poor')
    and (reason is null or trim(reason) = '')
