"""Where the warehouse lives and the contract of the `raw` schema that ingestion writes.

Every other schema (staging, intermediate, marts) belongs to dbt; `raw` is created here so that
ingestion, the quality checks and the tests agree on one definition.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

# Where the warehouse lives is a setting; re-exported here for the modules that connect to it.
# PROJECT_ROOT stays importable from here until health/evaluate.py imports it from settings.
from orchestration.settings import PROJECT_ROOT, landing_root, warehouse_path

__all__ = [
    "PROJECT_ROOT",
    "RAW_DDL",
    "REBUILD_DDL",
    "RAW_TABLES",
    "connect",
    "ensure_raw_schema",
    "landing_root",
    "warehouse_path",
]


def connect(path: Path | str | None = None, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    target = Path(path) if path else warehouse_path()
    if not read_only:
        target.parent.mkdir(parents=True, exist_ok=True)
    return duckdb.connect(str(target), read_only=read_only)


RAW_DDL = """
create schema if not exists raw;

-- One row per loaded file version. A file whose (source, path, content_hash) is here is never loaded again.
create table if not exists raw.loaded_files (
    file_id varchar primary key,      -- sha256 of source, path and content hash
    source varchar not null,          -- landing folder name, e.g. app_events, crm, sparkify
    mapping varchar not null,         -- mapping file that parsed it, e.g. segment
    target varchar not null,          -- raw table written, e.g. app_events
    path varchar not null,
    size_bytes bigint not null,
    content_hash varchar not null,    -- sha256 of the bytes as stored (before decompression)
    version integer not null,         -- 1 for the first content seen at this path, then 2, 3, ...
    rows_read bigint not null,
    rows_loaded bigint not null,
    rows_duplicate bigint not null,   -- valid rows skipped because their message id was already loaded
    rows_rejected bigint not null,
    loaded_at timestamp not null,
    duration_seconds double not null
);

-- Every row that could not be used, with the reason. Nothing is dropped silently.
create table if not exists raw.rejects (
    source varchar not null,
    mapping varchar not null,
    file_id varchar not null,
    path varchar not null,
    line bigint,                      -- 1-based line (row for Parquet); null for whole-file problems
    raw_text varchar,
    reason varchar not null,
    rejected_at timestamp not null
);

-- Product usage: Segment track/identify/group calls, Totango sdr rows and mapped logs, one row per message.
create table if not exists raw.app_events (
    message_id varchar not null,      -- unique across all files (deduplicated at load)
    event_type varchar not null,      -- track | identify | group
    event_name varchar,               -- the activity, for track
    account_id varchar,               -- app account id (Segment context.groupId / groupId, sdr_o)
    user_id varchar,
    module varchar,
    event_at timestamp not null,      -- UTC
    duration_seconds double,
    properties json,                  -- every property / attribute not mapped to a column
    traits json,                      -- identify / group traits
    _source varchar not null,
    _file_id varchar not null,
    _line bigint not null,
    _loaded_at timestamp not null
);

-- Helpdesk tickets: one row per ticket version (a Zendesk export row, or a status event of a mapped log).
create table if not exists raw.helpdesk_tickets (
    ticket_id varchar not null,
    account_id varchar,               -- app account id (organization external id)
    requester_id varchar,
    status varchar,
    priority varchar,
    ticket_type varchar,
    subject varchar,
    created_at timestamp,
    updated_at timestamp not null,
    solved_at timestamp,
    satisfaction_rating varchar,
    attributes json,
    _source varchar not null,
    _file_id varchar not null,
    _line bigint not null,
    _loaded_at timestamp not null
);

-- CRM (Salesforce-style) accounts: one row per account per export; versions told apart by last_modified_at.
create table if not exists raw.crm_accounts (
    sf_id varchar not null,           -- 18-character Salesforce Id
    app_account_id varchar,
    account_name varchar,
    parent_sf_id varchar,
    status varchar,                   -- Trial | Free | Paying | Cancelled
    tier varchar,
    contract_value double,
    licenses integer,
    contract_start_date date,
    renewal_date date,
    cancellation_date date,
    success_manager varchar,
    company_size varchar,
    industry varchar,
    journey_stage varchar,
    journey_stage_date date,
    onboarding_program varchar,
    project_status varchar,
    risk_status varchar,
    csm_sentiment varchar,
    created_at timestamp,
    last_modified_at timestamp not null,
    attributes json,
    _source varchar not null,
    _file_id varchar not null,
    _line bigint not null,
    _loaded_at timestamp not null
);

create table if not exists raw.crm_contacts (
    sf_id varchar not null,
    account_sf_id varchar,
    app_user_id varchar,
    first_name varchar,
    last_name varchar,
    email varchar,
    title varchar,
    contact_role varchar,             -- Champion | Executive Sponsor | Admin | User
    created_at timestamp,
    last_modified_at timestamp not null,
    attributes json,
    _source varchar not null,
    _file_id varchar not null,
    _line bigint not null,
    _loaded_at timestamp not null
);

create table if not exists raw.crm_activities (
    sf_id varchar not null,
    account_sf_id varchar,
    contact_sf_id varchar,
    activity_type varchar,            -- Call | Email | Meeting | QBR
    subject varchar,
    activity_date date not null,
    owner_name varchar,
    status varchar,
    created_at timestamp,
    last_modified_at timestamp not null,
    attributes json,
    _source varchar not null,
    _file_id varchar not null,
    _line bigint not null,
    _loaded_at timestamp not null
);

-- Subscription / contract lines from a billing system or CRM: one row per line version (the terms that held
-- from start_date on). A later export of the same (subscription_id, start_date) replaces the earlier one.
create table if not exists raw.subscriptions (
    subscription_id varchar not null, -- the line's id in the billing system (a hash when the source has none)
    account_id varchar not null,      -- app account id
    product varchar,                  -- product or plan
    start_date date not null,         -- when these terms took effect
    end_date date,                    -- when the line ended (exclusive); empty while it runs
    period_end_date date,             -- end of the current billing / contract period: the renewal date
    mrr double,                       -- monthly recurring revenue, when the source states it
    amount double,                    -- else: the charge per billing period and unit
    quantity double,                  -- seats / units
    billing_period varchar,           -- months per billing period, or month | quarter | year
    status varchar,                   -- active | trialing | past_due | canceled | ... (empty: derived)
    discount double,                  -- share off (0.2 = 20%)
    currency varchar,
    trial_end_date date,
    canceled_at timestamp,            -- when cancellation was requested (the line may run to period end)
    updated_at timestamp,             -- when this version was written, when the source says
    attributes json,
    _source varchar not null,
    _file_id varchar not null,
    _line bigint not null,
    _loaded_at timestamp not null
);
"""

# Which days of data are released for action (orchestration/release): an append-only record of the brake's
# decisions, and the days it holds now. Reports and `pulse` read raw.held_days; only the release writes.
RELEASE_DDL = """
create schema if not exists raw;
create table if not exists raw.release_events (
    event_at timestamp not null,
    as_of_date date not null,
    event varchar not null,          -- released | held | confirmed | superseded
    compared_with date,              -- the last released day the ranks were compared with
    ranked_accounts bigint,          -- accounts ranked (not Unknown) on both days
    moved_accounts bigint,           -- of those, accounts whose rank changed
    moved_share double,
    threshold double,
    moves json,                      -- {"Good -> Poor": 180, ...}
    summary varchar,                 -- one line a person can read
    actor varchar                    -- build | pulse confirm
);
create or replace view raw.held_days as
select held.as_of_date, held.summary, held.moved_share, held.compared_with, held.event_at as held_at
from raw.release_events as held
where held.event = 'held'
    and not exists (
        select 1 from raw.release_events as later
        where later.event in ('released', 'confirmed', 'superseded') and later.as_of_date >= held.as_of_date
    )
qualify row_number() over (partition by held.as_of_date order by held.event_at desc) = 1;
"""

# What the daily models rebuild (orchestration/rebuild.py). The plan has one row while a Pulse build runs and
# none otherwise, so a bare `dbt build` rebuilds every day; model_builds records each finished build.
REBUILD_DDL = """
create schema if not exists raw;
create table if not exists raw.rebuild_plan (
    rebuild_from date not null,      -- the daily models replace their rows from this day on
    reason varchar not null,
    planned_at timestamp not null
);
create table if not exists raw.model_builds (
    finished_at timestamp not null,
    mode varchar not null,           -- full | incremental
    rebuild_from date,               -- incremental: the first day rebuilt
    loaded_through timestamp,        -- the newest raw row (_loaded_at) the build saw
    project_hash varchar not null,   -- models, seeds, macros and dbt settings the build ran with
    as_of_date date,                 -- the warehouse's as-of date after the build
    reason varchar not null
);
"""

RAW_TABLES = (
    "app_events",
    "helpdesk_tickets",
    "crm_accounts",
    "crm_contacts",
    "crm_activities",
    "subscriptions",
)


def ensure_raw_schema(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(RAW_DDL)
    con.execute(RELEASE_DDL)
    con.execute(REBUILD_DDL)
