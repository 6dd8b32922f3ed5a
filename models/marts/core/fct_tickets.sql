-- Helpdesk tickets, one row per ticket (latest version).

select
    cast(ticket_id as {{ dbt.type_string() }}) as ticket_id,
    cast(account_id as {{ dbt.type_string() }}) as account_id,
    cast(status as {{ dbt.type_string() }}) as status,
    cast(priority as {{ dbt.type_string() }}) as priority,
    cast(ticket_type as {{ dbt.type_string() }}) as ticket_type,
    cast(subject as {{ dbt.type_string() }}) as subject,
    cast(created_at as {{ dbt.type_timestamp() }}) as created_at,
    cast(solved_at as {{ dbt.type_timestamp() }}) as solved_at,
    cast(is_open as {{ dbt.type_boolean() }}) as is_open,
    cast(requester_id as {{ dbt.type_string() }}) as requester_id,
    cast(updated_at as {{ dbt.type_timestamp() }}) as updated_at,
    cast(satisfaction_rating as {{ dbt.type_string() }}) as satisfaction_rating

from {{ ref('stg_helpdesk__tickets') }}
