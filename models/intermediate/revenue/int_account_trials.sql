-- One row per trial (a trial line version): when it started and ended and whether the account converted:
-- a paid line (recurring revenue > 0, not a trial) of the account starting between the trial's start and
-- seven days after its end.

with

versions as (

    select * from {{ ref('stg_billing__subscriptions') }}

),

trials as (

    select
        subscription_version_id,
        account_id,
        valid_from as trial_start_date,
        coalesce(trial_end_date, valid_to, period_end_date) as trial_end_date

    from versions

    where is_trial

),

final as (

    select
        trials.subscription_version_id,
        trials.account_id,
        trials.trial_start_date,
        trials.trial_end_date,
        exists(
            select 1
            from versions as paid
            where
                paid.account_id = trials.account_id
                and not paid.is_trial
                and paid.mrr > 0
                and paid.valid_from >= trials.trial_start_date
                and paid.valid_from <= {{ dbt.dateadd('day', 7, 'trials.trial_end_date') }}
        ) as is_converted

    from trials

)

select * from final
