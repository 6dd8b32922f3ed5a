-- Helpdesk tickets, one row per ticket (latest version).

select
    ticket_id,
    account_id,
    status,
    priority,
    ticket_type,
    subject,
    created_at,
    solved_at,
    is_open,
    requester_id,
    updated_at,
    satisfaction_rating

from {{ ref('stg_helpdesk__tickets') }}
