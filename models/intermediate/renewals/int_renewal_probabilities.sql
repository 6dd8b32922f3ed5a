-- One row per risk class: the warehouse's own past renewals and how many renewed (int_renewal_outcomes), the
-- prior (seed renewal_risk_classes), and the renewal probability blending them:
-- (renewed + prior_renewal_rate x prior_weight) / (past renewals + prior_weight).

with

classes as (

    select
        risk_class,
        max(prior_renewal_rate) as prior_renewal_rate,
        max(prior_weight) as prior_weight

    from {{ ref('renewal_risk_classes') }}

    group by risk_class

),

outcomes as (

    select
        risk_class,
        count(*) as past_renewals,
        sum(case when is_renewed then 1 else 0 end) as renewed,
        sum(renewal_value) as past_value,
        sum(case when is_renewed then renewal_value else 0 end) as renewed_value

    from {{ ref('int_renewal_outcomes') }}

    group by risk_class

),

final as (

    select
        classes.risk_class,
        cast(coalesce(outcomes.past_renewals, 0) as bigint) as past_renewals,
        cast(coalesce(outcomes.renewed, 0) as bigint) as renewed,
        cast(outcomes.renewed as double) / nullif(outcomes.past_renewals, 0) as observed_renewal_rate,
        classes.prior_renewal_rate,
        classes.prior_weight,
        coalesce(
            (coalesce(outcomes.renewed, 0) + classes.prior_renewal_rate * classes.prior_weight)
            / nullif(coalesce(outcomes.past_renewals, 0) + classes.prior_weight, 0),
            classes.prior_renewal_rate
        ) as renewal_probability

    from classes

    left join outcomes
        on classes.risk_class = outcomes.risk_class

)

select * from final
