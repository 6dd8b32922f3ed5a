-- One row per smart list: its definition (seeds lists / list_criteria) for pages, playbooks and tasks.

with

lists as (

    select * from {{ ref('int_lists') }}

),

criteria as (

    select * from {{ ref('int_list_criteria') }}

),

-- Account criteria as written; a user list's user criteria after "at least 1 user with".
conditions_by_grain as (

    select
        list,
        grain,
        {{ dbt.listagg(
            "metric || ' ' || operator || coalesce(' ' || nullif(threshold, ''), '')", "' and '", 'order by criterion_id'
        ) }} as criteria

    from criteria

    group by list, grain

),

conditions as (

    select
        list,
        case
            when max(case when grain = 'account' then criteria end) is null
                then 'at least 1 user with ' || max(case when grain = 'user' then criteria end)
            when max(case when grain = 'user' then criteria end) is null
                then max(case when grain = 'account' then criteria end)
            else
                max(case when grain = 'account' then criteria end)
                || ' and at least 1 user with '
                || max(case when grain = 'user' then criteria end)
        end as criteria

    from conditions_by_grain

    group by list

),

final as (

    select
        lists.list,
        lists.folder,
        lists.owner,
        lists.severity,
        lists.tag,
        lists.tag_mode,
        lists.playbook,
        lists.description,
        conditions.criteria

    from lists

    left join conditions
        on lists.list = conditions.list

)

select * from final
