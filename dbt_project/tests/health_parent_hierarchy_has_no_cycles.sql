-- The CRM parent hierarchy must be a tree: returns accounts that are their own ancestor (within 10 levels).
-- orchestration/health/config.py checks the same on raw.crm_accounts before dbt runs.
{%- set max_depth = 10 %}
with

edges as (

    select
        crm_account_id,
        parent_crm_account_id

    from {{ ref('stg_crm__accounts') }}

    where is_current and parent_crm_account_id is not null

),

level_0 as (

    select
        crm_account_id as start_id,
        parent_crm_account_id as ancestor_id

    from edges

),
{%- for depth in range(1, max_depth) %}

level_{{ depth }} as (

    select
        level_{{ depth - 1 }}.start_id,
        edges.parent_crm_account_id as ancestor_id

    from level_{{ depth - 1 }}

    inner join edges
        on level_{{ depth - 1 }}.ancestor_id = edges.crm_account_id

),
{%- endfor %}

ancestors as (
    {%- for depth in range(max_depth) %}
    select start_id, ancestor_id from level_{{ depth }}
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
)

select distinct start_id as crm_account_id
from ancestors
where start_id = ancestor_id
