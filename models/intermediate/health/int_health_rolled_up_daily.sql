-- Final health per account and day: parents roll up their direct children. A parent's rank comes from the
-- share of its ranked (not Unknown) children in each rank, counting each child once or weighting children by
-- contract value (int_health_settings: parent_rollup_method, parent_poor_share, parent_good_share):
-- Poor when the Poor share reaches parent_poor_share, else Good when the Good share reaches parent_good_share,
-- else Average; the score is the children's (weighted) mean score. A parent without ranked children that day
-- keeps its own evaluation.
{{ daily_incremental() }}

with

health as (

    select * from {{ ref('int_health_evaluated_daily') }}

    where {{ days_to_rebuild('as_of_date') }}

),

accounts as (

    select
        account_id,
        parent_account_id

    from {{ ref('int_accounts') }}

),

contract_values as (

    select
        account_id,
        as_of_date,
        numeric_value as contract_value

    from {{ ref('int_account_metrics_long') }}

    where metric = 'contract_value' and {{ days_to_rebuild('as_of_date') }}

),

settings as (

    select
        parent_rollup_method as rollup_method,
        parent_poor_share as poor_share,
        parent_good_share as good_share

    from {{ ref('int_health_settings') }}

),

children as (

    select
        accounts.parent_account_id,
        health.as_of_date,
        health.health_rank,
        health.health_score,
        case
            when settings.rollup_method = 'contract_value' then coalesce(contract_values.contract_value, 0)
            else 1
        end as child_weight

    from health

    inner join accounts
        on health.account_id = accounts.account_id

    cross join settings

    left join contract_values
        on
            health.account_id = contract_values.account_id
            and health.as_of_date = contract_values.as_of_date

    where accounts.parent_account_id is not null and health.health_rank <> 'Unknown'

),

rollup as (

    select
        parent_account_id,
        as_of_date,
        count(*) as ranked_children,
        sum(case when health_rank = 'Good' then 1 else 0 end) as good_children,
        sum(case when health_rank = 'Average' then 1 else 0 end) as average_children,
        sum(case when health_rank = 'Poor' then 1 else 0 end) as poor_children,
        sum(child_weight) as total_weight,
        sum(case when health_rank = 'Good' then child_weight else 0 end) as good_weight,
        sum(case when health_rank = 'Poor' then child_weight else 0 end) as poor_weight,
        sum(health_score * child_weight) as weighted_score

    from children

    group by parent_account_id, as_of_date

    having sum(child_weight) > 0

),

rolled as (

    select
        rollup.*,
        cast(rollup.poor_weight as {{ health_type_double() }}) / rollup.total_weight as poor_share,
        cast(rollup.good_weight as {{ health_type_double() }}) / rollup.total_weight as good_share,
        settings.rollup_method,
        settings.poor_share as poor_share_threshold,
        settings.good_share as good_share_threshold

    from rollup

    cross join settings

),

final as (

    select
        health.account_id,
        health.as_of_date,
        case when rolled.parent_account_id is not null then 'parent_rollup' else health.profile end as profile,
        case
            when rolled.parent_account_id is null then health.health_rank
            when rolled.poor_share >= rolled.poor_share_threshold then 'Poor'
            when rolled.good_share >= rolled.good_share_threshold then 'Good'
            else 'Average'
        end as health_rank,
        case
            when rolled.parent_account_id is null then health.health_score
            else cast(rolled.weighted_score / rolled.total_weight as {{ health_type_double() }})
        end as health_score,
        case
            when rolled.parent_account_id is null then health.reason
            else
                'Children: '
                || {{ dbt.safe_cast('rolled.good_children', dbt.type_string()) }} || ' Good, '
                || {{ dbt.safe_cast('rolled.average_children', dbt.type_string()) }} || ' Average, '
                || {{ dbt.safe_cast('rolled.poor_children', dbt.type_string()) }} || ' Poor ('
                || {{ health_number_text('round(100 * rolled.poor_share, 0)') }} || '% Poor, '
                || {{ health_number_text('round(100 * rolled.good_share, 0)') }} || '% Good by '
                || case when rolled.rollup_method = 'contract_value' then 'contract value' else 'count' end
                || ')'
        end as reason,
        rolled.parent_account_id is not null as is_rollup

    from health

    left join rolled
        on
            health.account_id = rolled.parent_account_id
            and health.as_of_date = rolled.as_of_date
            -- A cancelled parent stays Unknown.
            and coalesce(health.unknown_reason, '') <> 'cancelled'

)

select * from final
