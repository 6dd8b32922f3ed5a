-- One row per smart list: its definition (seeds lists / list_criteria) for pages, playbooks and tasks.

with

lists as (

    select * from {{ ref('int_lists') }}

),

criteria as (

    select * from {{ ref('int_list_criteria') }}

),

conditions as (

    select
        list,
        {{ dbt.listagg(
            "metric || ' ' || operator || coalesce(' ' || nullif(threshold, ''), '')", "' and '", 'order by criterion_id'
        ) }} as criteria

    from criteria

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
