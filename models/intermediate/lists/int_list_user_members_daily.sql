-- The users in a user list per day: a user satisfies the list's user criteria when every one of them holds (a
-- criterion on a missing value does not), with the reason (each criterion's label). The account is in the
-- list when at least one of its users is (and its account criteria hold): int_list_criteria_results rolls
-- these up.
{{ daily_incremental() }}

with

results as (

    select * from {{ ref('int_list_user_criteria_results') }}

    where {{ days_to_rebuild('as_of_date') }}

),

final as (

    {{ criteria_all_hold('results', ['list', 'account_id', 'user_id', 'as_of_date'], 'label_text', "', '") }}

)

select * from final
