-- List definitions from the seed, typed (validated before dbt runs: orchestration/lists/config.py). The
-- column names list, owner and event are the ones the seeds and marts document (keywords in some dialects).

with

lists as (

    select * from {{ ref('lists') }}

),

typed as (

    select
        cast(list as {{ dbt.type_string() }}) as list,  -- noqa: RF04
        cast(folder as {{ dbt.type_string() }}) as folder,
        cast(owner as {{ dbt.type_string() }}) as owner,  -- noqa: RF04
        cast(severity as {{ dbt.type_string() }}) as severity,
        cast(nullif(trim(tag), '') as {{ dbt.type_string() }}) as tag,
        cast(coalesce(nullif(trim(tag_mode), ''), 'none') as {{ dbt.type_string() }}) as tag_mode,
        cast(playbook as {{ dbt.type_string() }}) as playbook,
        cast(description as {{ dbt.type_string() }}) as description

    from lists

)

select * from typed
