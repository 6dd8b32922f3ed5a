-- One row per ticket, collapsed from its versions (one raw row per state change):
-- the latest version's attributes, created_at from the earliest version, and solved_at from the export or,
-- when the export has none (mapped logs), from the first version that reached a solved state.

with

source as (

    select * from {{ source('raw', 'helpdesk_tickets') }}

),

renamed as (

    select
        ticket_id,
        account_id,
        requester_id,
        subject,
        created_at,
        updated_at,
        solved_at,
        _loaded_at as loaded_at,
        _file_id as file_id,
        _line as line_number,
        -- Mapped logs capitalise their values (Resolved, Closed): compare and publish lowercase.
        lower(status) as status,
        lower(priority) as priority,
        lower(ticket_type) as ticket_type,
        lower(satisfaction_rating) as satisfaction_rating

    from source

),

versions as (

    select
        *,
        -- Mapped logs say Resolved / Closed rather than solved.
        coalesce(status in ('solved', 'closed', 'resolved'), false) as is_solved_version,
        row_number() over (
            partition by ticket_id
            order by updated_at desc, loaded_at desc, file_id desc, line_number desc
        ) as version_rank

    from renamed

),

ticket_dates as (

    select
        ticket_id,
        min(coalesce(created_at, updated_at)) as created_at,
        min(case when is_solved_version then updated_at end) as first_solved_version_at

    from versions

    group by ticket_id

),

latest_solved_at as (

    select
        ticket_id,
        solved_at,
        row_number() over (
            partition by ticket_id
            order by updated_at desc, loaded_at desc, file_id desc, line_number desc
        ) as solved_rank

    from versions

    where solved_at is not null

),

latest_version as (

    select * from versions

    where version_rank = 1

),

final as (

    select
        latest_version.ticket_id,
        latest_version.account_id,
        latest_version.requester_id,
        latest_version.status,
        latest_version.priority,
        latest_version.ticket_type,
        latest_version.subject,
        ticket_dates.created_at,
        latest_version.updated_at,
        latest_version.satisfaction_rating,
        coalesce(latest_solved_at.solved_at, ticket_dates.first_solved_version_at) as solved_at,
        not latest_version.is_solved_version as is_open

    from latest_version

    inner join ticket_dates
        on latest_version.ticket_id = ticket_dates.ticket_id

    left join latest_solved_at
        on
            latest_version.ticket_id = latest_solved_at.ticket_id
            and latest_solved_at.solved_rank = 1

)

select * from final
