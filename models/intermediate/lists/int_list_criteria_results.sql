-- Every list criterion evaluated on every account-day by the criteria engine (macro criteria_evaluate), as
-- health criteria are: a new list or criterion is a seed row, not SQL. holds is null when the metric has no
-- value that day (which keeps the account out of the list).
-- Account criteria are evaluated on the account metrics and the health metrics (int_account_health_metrics_daily),
-- read from the wide models' own columns (the engine's wide_metrics: no join with a long form).
-- A list with user criteria gets one more row per account-day, the users rolled up (criterion_id
-- '<list>:users'): it holds when at least one user of the account satisfies every user criterion
-- (int_list_user_members_daily); its label names the users (up to three) and their values.
{{ daily_incremental() }}

{%- set account_catalog = metric_catalog() %}
{%- set account_names = account_catalog | map(attribute='name') | list %}
{%- set health_catalog = metric_catalog('int_account_health_metrics_daily', ['account_id', 'as_of_date'])
    | rejectattr('name', 'in', account_names) | list %}
{%- set subject_columns = [] %}
{%- for metric in account_catalog %}{% do subject_columns.append('metrics.' ~ metric.name) %}{% endfor %}
{%- for metric in health_catalog %}{% do subject_columns.append('health.' ~ metric.name) %}{% endfor %}

with

rebuilt_metrics as (

    select * from {{ ref('int_account_metrics_daily') }}

    where {{ days_to_rebuild('as_of_date') }}

),

rebuilt_health_metrics as (

    select * from {{ ref('int_account_health_metrics_daily') }}

    where {{ days_to_rebuild('as_of_date') }}

),

account_days as (

    select
        spine.account_id,
        spine.as_of_date{% if subject_columns %},{% endif %}
        {%- for column in subject_columns %}
            {{ column }}{% if not loop.last %},{% endif %}
        {%- endfor %}

    from {{ ref('int_account_days') }} as spine

    left join rebuilt_metrics as metrics
        on
            spine.account_id = metrics.account_id
            and spine.as_of_date = metrics.as_of_date

    left join rebuilt_health_metrics as health
        on
            spine.account_id = health.account_id
            and spine.as_of_date = health.as_of_date

    where {{ days_to_rebuild('spine.as_of_date') }}

),

criteria as (

    select * from {{ ref('int_list_criteria') }}

),

account_criteria as (

    select * from criteria

    where grain = 'account'

),

evaluated as (

    {{ criteria_evaluate(
        'account_days', 'account_criteria', none,
        subject_keys=['account_id', 'as_of_date'],
        rule_columns=['list', 'criterion_id'],
        label_column='reason_label',
        wide_metrics=account_catalog + health_catalog,
    ) }}

),

account_results as (

    select
        list,
        account_id,
        as_of_date,
        criterion_id,
        metric,
        operator,
        threshold,
        numeric_value,
        text_value,
        metric_value,
        holds,
        condition_text,
        label_text,
        reason_text

    from evaluated

),

-- Per list with user criteria: what a user must satisfy, as a reader says it.
user_lists as (

    select
        list,
        'at least 1 user with '
        || {{ dbt.listagg(
            dbt.replace('metric', "'_'", "' '") ~ " || ' ' || " ~ criteria_condition_text(
                'operator', 'threshold',
                health_to_number(dbt.split_part('threshold', "'|'", 1)),
                health_to_number(dbt.split_part('threshold', "'|'", 2)),
            ),
            "' and '",
            'order by criterion_id',
        ) }} as condition_text

    from criteria

    where grain = 'user'

    group by list

),

users as (

    select
        user_id,
        coalesce(nullif(trim(user_name), ''), nullif(trim(email), ''), user_id) as user_label

    from {{ ref('stg_app__users') }}

),

user_members as (

    select
        members.list,
        members.account_id,
        members.as_of_date,
        coalesce(users.user_label, members.user_id) || ' (' || members.reason || ')' as user_text,
        row_number() over (
            partition by members.list, members.account_id, members.as_of_date
            order by coalesce(users.user_label, members.user_id), members.user_id
        ) as user_number,
        count(*) over (partition by members.list, members.account_id, members.as_of_date) as user_count

    from {{ ref('int_list_user_members_daily') }} as members

    left join users
        on members.user_id = users.user_id

    where {{ days_to_rebuild('members.as_of_date') }}

),

user_counts as (

    select
        list,
        account_id,
        as_of_date,
        max(user_count) as user_count,
        {{ dbt.listagg('user_text', "', '", 'order by user_number') }} as named_users

    from user_members

    where user_number <= 3

    group by list, account_id, as_of_date

),

user_results as (

    select
        user_lists.list,
        account_days.account_id,
        account_days.as_of_date,
        user_lists.list || ':users' as criterion_id,
        'users' as metric,
        '>=' as operator,
        '1' as threshold,
        cast(coalesce(user_counts.user_count, 0) as {{ health_type_double() }}) as numeric_value,
        cast(null as {{ dbt.type_string() }}) as text_value,
        cast(coalesce(user_counts.user_count, 0) as {{ dbt.type_string() }}) as metric_value,
        coalesce(user_counts.user_count, 0) >= 1 as holds,
        user_lists.condition_text,
        case
            when user_counts.user_count is null then 'No user'
            else
                user_counts.user_count || case when user_counts.user_count = 1 then ' user: ' else ' users: ' end
                || user_counts.named_users
                || case
                    when user_counts.user_count > 3 then ', and ' || (user_counts.user_count - 3) || ' more'
                    else ''
                end
        end as label_text

    from user_lists

    cross join account_days

    left join user_counts
        on
            user_lists.list = user_counts.list
            and account_days.account_id = user_counts.account_id
            and account_days.as_of_date = user_counts.as_of_date

),

final as (

    select * from account_results

    union all

    select
        *,
        label_text || ' (' || condition_text || ')' as reason_text

    from user_results

)

select * from final
