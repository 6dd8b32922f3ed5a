"""A small synthetic warehouse with the contract's mart tables, for the report tests (no dbt needed).

The columns are exactly those of the working contract (marts.*) and of RAW_DDL (raw.*), so the report pages
are tested against the published shape of the marts, not against whatever the dbt models happen to emit.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb

from orchestration.metrics.catalog import load_catalog
from orchestration.warehouse import ensure_raw_schema

AS_OF = dt.date(2026, 3, 1)
DAYS = 60
SCRIPT_NAME = "<script>alert(1)</script>"
# (account_id, name, success manager, company size, tier, status, health pattern)
ACCOUNTS = [
    ("A000001", "Acme Analytics", "Dana Smith", "51-200", "Professional", "Paying", "good"),
    ("A000002", SCRIPT_NAME, "Dana Smith", "1-50", "Starter", "Paying", "falling"),
    ("A000003", "Globex & Sons", "Lee O'Brien", "201-1000", "Enterprise", "Paying", "average"),
    ("A000004", "Initech", "Lee O'Brien", "1000+", "Enterprise", "Paying", "poor"),
    (
        "A000005",
        "Umbrella *Labs* | [x](javascript:alert(2))",
        "Dana Smith",
        "1-50",
        "Starter",
        "Trial",
        "rising",
    ),
    ("A000006", "Hooli", None, "51-200", "Professional", "Cancelled", "unknown"),
]
MODULES = ["Reports", "Dashboards", "Alerts"]
# The metric columns of marts.fct_account_health_daily, from the metric catalog.
MART_METRICS = {name: metric for name, metric in load_catalog().items() if metric.mart}


def _rank(pattern: str, day: int) -> str:
    """Deterministic rank for account pattern on day index (0 = oldest)."""
    late = day >= DAYS - 5
    return {
        "good": "Good",
        "average": "Average" if day % 9 else "Good",
        "poor": "Poor" if day > 20 else "Average",
        "falling": "Poor" if late else ("Good" if day < DAYS - 20 else "Average"),
        "rising": "Good" if late else "Average",
        "unknown": "Unknown",
    }[pattern]


SCORES = {"Good": 85.0, "Average": 55.0, "Poor": 15.0, "Unknown": None}


def build_fixture_warehouse(path: Path | str) -> Path:
    path = Path(path)
    if path.exists():
        path.unlink()
    con = duckdb.connect(str(path))
    try:
        ensure_raw_schema(con)
        con.execute("create schema marts")
        _marts(con)
        _lifecycle_and_tasks(con)
        _lists(con)
        _revenue_marts(con)
        _raw(con)
    finally:
        con.close()
    return path


def _marts(con: duckdb.DuckDBPyConnection) -> None:
    start = AS_OF - dt.timedelta(days=DAYS - 1)
    health_rows, reason_rows, category_rows, usage_rows = [], [], [], []
    for number, (account_id, _name, _csm, _size, _tier, status, pattern) in enumerate(ACCOUNTS, start=1):
        previous = None
        for day in range(DAYS):
            date = start + dt.timedelta(days=day)
            rank = _rank(pattern, day)
            score = SCORES[rank]
            active = {"Good": 6, "Average": 3, "Poor": 0, "Unknown": 0}[rank]
            engagement = {"Good": 80.0, "Average": 45.0, "Poor": 0.0, "Unknown": 0.0}[rank]
            frequency = {
                "Good": "Daily",
                "Average": "Occasionally",
                "Poor": "Inactive",
                "Unknown": "Inactive",
            }[rank]
            reason = {
                "Good": "Active 6 of the last 7 days",
                "Average": "Active 3 of the last 14 days (Good needs 5)",
                "Poor": "No use in 14 days",
                "Unknown": "Cancelled account",
            }[rank]
            # Metrics by name; the table has every mart metric of the catalog (the others stay null).
            metrics = {
                "engagement_score": engagement,
                "usage_frequency": frequency,
                "active_days_7d": active,
                "active_days_14d": active * 2,
                "active_days_30d": active * 4,
                "active_users_7d": active,
                "active_users_14d": active + 1,
                "active_users_30d": active + 2,
                "actions_per_day_14d": float(active * 3),
                "minutes_per_week": float(active * 20),
                "license_utilization": active / 10,
                "key_modules_used": min(active, 3),
                "open_tickets": number % 3,
                "tickets_30d": number,
                "days_since_last_touch": day % 30,
                "days_in_journey_stage": 40 + day,
                "days_to_renewal": 200 - day,
                "contract_value": 12000.0 * number,
                "csm_sentiment": "Low",
                "project_status": "On Track",
                "risk_status": None,
                "status": status,
                "journey_stage": "Adoption",
                "change_in_actions_14d": 0.1 * (number - 3),
                "change_in_active_users_14d": -0.05 * number,
                "days_since_last_activity": 0 if active else 15,
            }
            health_rows.append(
                (
                    account_id,
                    date,
                    "default",
                    rank,
                    score,
                    reason,
                    previous,
                    previous is not None and previous != rank,
                    *(metrics.get(name) for name in MART_METRICS),
                )
            )
            previous = rank
            outcome = "Good" if rank == "Good" else "Poor"
            reason_rows.append(
                (
                    account_id,
                    date,
                    "default",
                    "Usage",
                    "active_days_14d",
                    "active_days_14d",
                    ">=",
                    5.0,
                    float(active * 2),
                    outcome,
                    reason,
                )
            )
            reason_rows.append(
                (
                    account_id,
                    date,
                    "default",
                    "Usage",
                    "days_since_last_activity",
                    "days_since_last_activity",
                    ">=",
                    14.0,
                    float(0 if active else 15),
                    "Poor" if rank == "Poor" else "Good",
                    "No activity for 15 days" if rank == "Poor" else "Used in the last 14 days",
                )
            )
            category_rows.append((account_id, date, "default", "Usage", rank, score))
            for index, module in enumerate(MODULES):
                if active and (day + index + number) % 3:
                    usage_rows.append(
                        (account_id, date, module, active * 5 + index, max(1, active // 2), active * 7.5)
                    )
    metric_columns = "".join(f", {name} {metric.data_type}" for name, metric in MART_METRICS.items())
    con.execute(
        "create table marts.fct_account_health_daily (account_id varchar, as_of_date date, profile varchar,"
        " health_rank varchar, health_score double, reason varchar, previous_health_rank varchar,"
        f" rank_changed boolean{metric_columns})"
    )
    con.executemany(
        f"insert into marts.fct_account_health_daily values ({', '.join(['?'] * (8 + len(MART_METRICS)))})",
        health_rows,
    )
    con.execute(
        """
        create table marts.fct_account_health_reasons_daily (
            account_id varchar, as_of_date date, profile varchar, category varchar, criterion_id varchar,
            metric varchar, operator varchar, threshold double, metric_value double, outcome varchar,
            reason_text varchar
        )
        """
    )
    con.executemany(
        f"insert into marts.fct_account_health_reasons_daily values ({', '.join(['?'] * 11)})", reason_rows
    )
    con.execute(
        """
        create table marts.fct_account_health_categories_daily (
            account_id varchar, as_of_date date, profile varchar, category varchar, category_rank varchar,
            category_score double
        )
        """
    )
    con.executemany(
        "insert into marts.fct_account_health_categories_daily values (?, ?, ?, ?, ?, ?)", category_rows
    )
    con.execute(
        """
        create table marts.fct_account_usage_daily (
            account_id varchar, activity_date date, module varchar, actions bigint, active_users bigint,
            minutes double
        )
        """
    )
    con.executemany("insert into marts.fct_account_usage_daily values (?, ?, ?, ?, ?, ?)", usage_rows)

    con.execute(
        """
        create table marts.dim_accounts (
            account_id varchar, crm_account_id varchar, account_name varchar, parent_account_id varchar,
            status varchar, tier varchar, contract_value double, licenses integer, contract_start_date date,
            renewal_date date, cancellation_date date, success_manager varchar, company_size varchar,
            industry varchar, journey_stage varchar, onboarding_program varchar, project_status varchar,
            risk_status varchar, csm_sentiment varchar, created_date date, health_profile varchar,
            health_rank varchar, health_score double, health_reason varchar, engagement_score double,
            usage_frequency varchar, last_active_date date
        )
        """
    )
    for number, (account_id, name, csm, size, tier, status, _pattern) in enumerate(ACCOUNTS, start=1):
        con.execute(
            """
            insert into marts.dim_accounts
            select ?, ?, ?, null, ?, ?, 12000.0 * ?, 10 * ?, ?::date - 300, ?::date + 200 - ?,
                   case when ? = 'Cancelled' then ?::date - 3 end, ?, ?, 'Software', 'Adoption', null,
                   'On Track', null, 'Low', ?::date - 300, profile, health_rank, health_score, reason,
                   engagement_score, usage_frequency, case when active_days_30d > 0 then as_of_date end
            from marts.fct_account_health_daily where account_id = ? and as_of_date = ?
            """,
            [
                account_id,
                f"0015g00000AbCd{number:03d}AAZ",
                name,
                status,
                tier,
                number,
                number,
                AS_OF,
                AS_OF,
                number * 30,
                status,
                AS_OF,
                csm,
                size,
                AS_OF,
                account_id,
                AS_OF,
            ],
        )
    con.execute(
        """
        create table marts.fct_population_health_daily as
        with health as (
            select h.as_of_date, h.health_rank, d.success_manager, d.company_size, d.tier
            from marts.fct_account_health_daily as h
            inner join marts.dim_accounts as d on h.account_id = d.account_id
        ),
        segmented as (
            select as_of_date, 'overall' as segment_type, 'All accounts' as segment_value, health_rank
            from health
            union all
            select as_of_date, 'success_manager', coalesce(success_manager, '(none)'), health_rank from health
            union all
            select as_of_date, 'company_size', company_size, health_rank from health
            union all
            select as_of_date, 'tier', tier, health_rank from health
        )
        select
            as_of_date, segment_type, segment_value,
            count(*) as accounts,
            count(*) filter (where health_rank = 'Good') as good_accounts,
            count(*) filter (where health_rank = 'Average') as average_accounts,
            count(*) filter (where health_rank = 'Poor') as poor_accounts,
            count(*) filter (where health_rank = 'Unknown') as unknown_accounts,
            round(100.0 * (count(*) filter (where health_rank = 'Good')
                + 0.5 * count(*) filter (where health_rank = 'Average'))
                / nullif(count(*) filter (where health_rank <> 'Unknown'), 0), 1) as population_health_score
        from segmented
        group by all
        """
    )
    con.execute(
        """
        create table marts.fct_tickets (
            ticket_id varchar, account_id varchar, status varchar, priority varchar, ticket_type varchar,
            subject varchar, created_at timestamp, solved_at timestamp, is_open boolean
        )
        """
    )
    tickets = []
    for number, (account_id, *_rest) in enumerate(ACCOUNTS, start=1):
        for index in range(number % 3 + 1):
            created = dt.datetime.combine(AS_OF, dt.time(9)) - dt.timedelta(days=5 * index + number)
            is_open = index == 0
            tickets.append(
                (
                    f"T{number}{index:03d}",
                    account_id,
                    "open" if is_open else "solved",
                    "high" if index else "normal",
                    "question",
                    f"Export fails <b>#{index}</b>" if number == 2 else f"How do I use alerts? #{index}",
                    created,
                    None if is_open else created + dt.timedelta(days=1),
                    is_open,
                )
            )
    con.executemany("insert into marts.fct_tickets values (?, ?, ?, ?, ?, ?, ?, ?, ?)", tickets)
    # The churn risk score (written by the Dagster asset marts/fct_account_churn_risk_daily, not dbt).
    con.execute(
        """
        create table marts.fct_account_churn_risk_daily (
            account_id varchar, as_of_date date, churn_probability double, risk_decile integer,
            reason_1_metric varchar, reason_1_value varchar, reason_1_contribution double,
            reason_2_metric varchar, reason_2_value varchar, reason_2_contribution double,
            reason_3_metric varchar, reason_3_value varchar, reason_3_contribution double
        )
        """
    )
    risk_rows = [
        (
            account_id,
            AS_OF,
            number / 10,
            2 * number - 1,
            "active_days_30d",
            str(10 - number),
            0.05 * number,
            "risk_status" if number % 2 else None,
            "At Risk" if number % 2 else None,
            0.01 if number % 2 else None,
            None,
            None,
            None,
        )
        for number, (account_id, *_rest) in enumerate(ACCOUNTS[:5], start=1)
    ]
    con.executemany(
        f"insert into marts.fct_account_churn_risk_daily values ({', '.join(['?'] * 13)})", risk_rows
    )
    con.execute(
        """
        create table marts.dim_data_sources (
            source varchar, label varchar, is_required boolean, method varchar, stale_after_days bigint,
            latest_data_date date, watermark_date date, is_stale boolean, stale_since date, as_of_date date,
            days_behind_as_of bigint
        )
        """
    )
    con.executemany(
        "insert into marts.dim_data_sources values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            ("app_events", "usage data", True, "volume", 2, AS_OF, AS_OF, False, None, AS_OF, 0),
            ("helpdesk", "support data", False, "latest", 35, AS_OF, AS_OF, False, None, AS_OF, 0),
        ],
    )


def _revenue_marts(con: duckdb.DuckDBPyConnection) -> None:
    """Renewals, forecast, monthly revenue and cohorts shaped like the dbt marts, from the accounts above."""
    con.execute(
        """
        create table marts.fct_renewals as
        select
            a.account_id, a.account_name, 'sub_' || a.account_id as subscription_id,
            'billing' as contract_source,
            a.renewal_date, cast(date_trunc('quarter', a.renewal_date) as date) as renewal_quarter,
            cast(a.renewal_date - h.as_of_date as bigint) as days_to_renewal,
            a.renewal_date - h.as_of_date <= 120 as is_in_renewal_window, a.contract_value as renewal_value,
            a.success_manager, a.tier, h.health_rank, h.health_score, h.reason as health_reason,
            'Good' as health_rank_30d_ago, 'Good' as health_rank_90d_ago, 0.0 as health_score_change_30d,
            0.0 as health_score_change_90d, 'stable' as health_trend_30d, 'stable' as health_trend_90d,
            case h.health_rank when 'Good' then 'Low' when 'Poor' then 'High' else 'Average' end
                as renewal_risk,
            'Health ' || h.health_rank || ': ' || coalesce(h.reason, '') as risk_reason,
            false as is_cancellation_requested, 1::bigint as open_tickets, a.csm_sentiment,
            0.8 as renewal_probability, round(a.contract_value * 0.2, 2) as value_at_risk, h.as_of_date
        from marts.dim_accounts as a
        inner join marts.fct_account_health_daily as h
            on a.account_id = h.account_id
                and h.as_of_date = (select max(as_of_date) from marts.fct_account_health_daily)
        where a.status <> 'Cancelled'
        """
    )
    con.execute(
        """
        create table marts.fct_renewal_forecast as
        select
            q::date as quarter_start, (q + interval 3 month)::date as quarter_end,
            q >= date '2026-01-01' as is_forecast,
            2::bigint as renewals, 24000.0 as naive_renewal_value, 20000.0 as expected_renewal_value,
            case when q < date '2026-01-01' then 1 end::bigint as renewed,
            case when q < date '2026-01-01' then 12000.0 end as actual_renewed_value,
            case when q < date '2026-01-01' then 8000.0 end as forecast_error,
            case when q < date '2026-01-01' then 0.667 end as forecast_abs_pct_error,
            case when q < date '2026-01-01' then 1.0 end as naive_abs_pct_error, ?::date as as_of_date
        from generate_series(timestamp '2025-07-01', timestamp '2026-10-01', interval 3 month) as t(q)
        """,
        [AS_OF],
    )
    con.execute(
        """
        create table marts.fct_revenue_monthly as
        select
            m::date as month_start, (m + interval 1 month)::date as month_end, 5::bigint as accounts_at_start,
            (k % 2)::bigint as churned_accounts, (k % 2) / 5.0 as logo_churn_rate, 1::bigint as new_accounts,
            0::bigint as reactivated_accounts, (6 - k % 2)::bigint as paying_accounts,
            1::bigint as expanded_accounts,
            0::bigint as contracted_accounts, 5000.0 as mrr_at_start, 1000.0 as new_mrr,
            0.0 as reactivation_mrr,
            200.0 as expansion_mrr, 0.0 as contraction_mrr, (k % 2) * 1000.0 as churned_mrr,
            6200.0 - (k % 2) * 1000.0 as mrr_at_end, (k % 2) * 0.2 as mrr_churn_rate,
            1.04 - (k % 2) * 0.2 as net_revenue_retention, 1.0 - (k % 2) * 0.2 as gross_revenue_retention,
            1::bigint as trials_ended, 1::bigint as trials_converted, 1.0 as trial_conversion_rate
        from generate_series(0, 5) as g(k), (select timestamp '2025-09-01' + to_months(k::integer) as m)
        """
    )
    con.execute(
        """
        create table marts.fct_cohort_retention as
        select
            c::date as cohort_month, k::bigint as months_since_start,
            (c + to_months(k::integer))::date as month_start,
            4::bigint as cohort_accounts, (4 - k // 2)::bigint as retained_accounts,
            (4 - k // 2) / 4.0 as retention_rate,
            400.0 as cohort_mrr, 100.0 * (4 - k // 2) as retained_mrr,
            (4 - k // 2) / 4.0 as revenue_retention_rate
        from generate_series(timestamp '2025-09-01', timestamp '2026-01-01', interval 1 month) as t(c),
            generate_series(0, 3) as g(k)
        where c + to_months(k::integer) < timestamp '2026-02-01'
        """
    )


def _raw(con: duckdb.DuckDBPyConnection) -> None:
    loaded_at = dt.datetime.combine(AS_OF, dt.time(6, 0))
    files = [
        ("f1", "app_events", "segment", "app_events", "app_events/segment-2026-03-01.jsonl", 1200, 40, 2, 1),
        ("f2", "app_events", "totango_sdr", "app_events", "app_events/sdr-2026-03-01.csv", 600, 20, 0, 2),
        ("f3", "helpdesk", "zendesk", "helpdesk_tickets", "helpdesk/tickets-2026-03.csv", 300, 9, 0, 0),
        ("f4", "crm", "salesforce_account", "crm_accounts", "crm/Account-2026-03-01.csv", 900, 6, 0, 0),
    ]
    for file_id, source, mapping, target, path, size, loaded, duplicate, rejected in files:
        con.execute(
            "insert into raw.loaded_files values (?, ?, ?, ?, ?, ?, ?, 1, ?, ?, ?, ?, ?, 0.2)",
            [
                file_id,
                source,
                mapping,
                target,
                path,
                size,
                f"hash-{file_id}",
                loaded + duplicate + rejected,
                loaded,
                duplicate,
                rejected,
                loaded_at - dt.timedelta(hours=int(file_id[1])),
            ],
        )
    con.execute(
        """
        insert into raw.rejects values
        ('app_events', 'segment', 'f1', 'app_events/segment-2026-03-01.jsonl', 17, '{"type":"track"',
         'invalid JSON: unexpected end of line', ?),
        ('app_events', 'totango_sdr', 'f2', 'app_events/sdr-2026-03-01.csv', 4, '2026-03-01T00:00:00Z,,U1',
         'missing required column account_id (sdr_o)', ?),
        ('app_events', 'totango_sdr', 'f2', 'app_events/sdr-2026-03-01.csv', 9, '<script>alert(3)</script>',
         'unparseable timestamp: <script>alert(3)</script>', ?)
        """,
        [loaded_at, loaded_at, loaded_at],
    )
    con.execute(
        """
        insert into raw.app_events
        select 'm' || i, 'track', 'Report Viewed', 'A000001', 'U000001-0001', 'Reports',
               ?::timestamp - to_hours(i), 10.0, null, null, 'app_events', 'f1', i, ?::timestamp
        from range(5) as t(i)
        """,
        [loaded_at, loaded_at],
    )
    con.execute(
        """
        insert into raw.crm_accounts
            (sf_id, app_account_id, account_name, last_modified_at, _source, _file_id, _line, _loaded_at)
        values ('0015g00000AbCd001AAZ', 'A000001', 'Acme Analytics', ?, 'crm', 'f4', 1, ?)
        """,
        [loaded_at, loaded_at - dt.timedelta(days=2)],
    )


# Lifecycle status of the fixture's accounts: from their status and health rank (the contract's columns).
LIFECYCLE = {
    "Trial": ("Trial", "trial", None, 2),
    "Cancelled": ("Cancelled", "cancelled", None, 1),
    "Good": ("Core Lifecycle-Good", "core", "Good", 12),
    "Average": ("Core Lifecycle-Average", "core", "Average", 13),
    "Poor": ("Core Lifecycle-Poor", "core", "Poor", 14),
}


def _lifecycle_and_tasks(con: duckdb.DuckDBPyConnection) -> None:
    """marts.fct_lifecycle_status_daily, fct_lifecycle_status_share_daily and fct_tasks of the accounts."""
    con.execute(
        """
        create table marts.fct_lifecycle_status_daily (
            account_id varchar, as_of_date date, lifecycle_status varchar, stage varchar, outcome varchar,
            reason varchar, status_since date, previous_status varchar, status_changed boolean,
            status_order bigint
        )
        """
    )
    rows = []
    for account_id, as_of_date, rank, status in con.execute(
        "select account_id, as_of_date, health_rank, status from marts.fct_account_health_daily "
        "order by account_id, as_of_date"
    ).fetchall():
        key = status if status in ("Trial", "Cancelled") else ("Average" if rank == "Unknown" else rank)
        label, stage, outcome, order = LIFECYCLE[key]
        rows.append((account_id, as_of_date, label, stage, outcome, f"<i>{label}</i> because", order))
    con.executemany(
        "insert into marts.fct_lifecycle_status_daily values (?, ?, ?, ?, ?, ?, null, null, null, ?)", rows
    )
    con.execute(
        """
        update marts.fct_lifecycle_status_daily as f set
            previous_status = p.previous_status,
            status_changed = p.previous_status is not null and p.previous_status <> f.lifecycle_status,
            status_since = p.status_since
        from (
            select account_id, as_of_date,
                lag(lifecycle_status) over (partition by account_id order by as_of_date) as previous_status,
                min(as_of_date) over (partition by account_id, lifecycle_status) as status_since
            from marts.fct_lifecycle_status_daily
        ) as p
        where f.account_id = p.account_id and f.as_of_date = p.as_of_date
        """
    )
    con.execute(
        """
        create table marts.fct_lifecycle_status_share_daily as
        with statuses (lifecycle_status, stage, outcome, status_order) as (
            select distinct lifecycle_status, stage, outcome, status_order
            from marts.fct_lifecycle_status_daily
        ),
        days as (
            select as_of_date, count(*) as total_accounts from marts.fct_lifecycle_status_daily group by all
        )
        select d.as_of_date, s.lifecycle_status, s.stage, s.outcome, s.status_order,
            count(f.account_id) as accounts, d.total_accounts,
            count(f.account_id) / d.total_accounts as share
        from days as d cross join statuses as s
        left join marts.fct_lifecycle_status_daily as f
            on f.as_of_date = d.as_of_date and f.lifecycle_status = s.lifecycle_status
        group by d.as_of_date, s.lifecycle_status, s.stage, s.outcome, s.status_order, d.total_accounts
        """
    )
    con.execute(
        """
        create table marts.fct_tasks (
            task_id varchar, list varchar, account_id varchar, subject varchar, playbook varchar,
            cause varchar, assignee varchar, assignment_reason varchar, priority varchar,
            priority_order integer, status varchar, opened_on date, due_on date, closed_on date,
            close_reason varchar
        )
        """
    )
    day = dt.timedelta(days=1)
    tasks = [
        # (id, list, account, assignee, priority, order, opened days ago, due days, closed days ago, reason)
        ("task-01", "engagement_dropped", "A000002", "Dana Smith", "high", 2, 6, -3, None, None),
        ("task-02", "risk_red", "A000004", "Lee O'Brien", "critical", 1, 2, 0, None, None),
        ("task-03", "check_in_30_days", "A000001", "Dana Smith", "low", 4, 20, -13, 10, "done in CRM"),
        ("task-04", "license_near_capacity", "A000003", "Avery Chen", "medium", 3, 4, 10, None, None),
        ("task-05", "engagement_dropped", "A000004", "Lee O'Brien", "high", 2, 30, -27, 20, "left list"),
    ]
    con.executemany(
        "insert into marts.fct_tasks values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            (
                task_id,
                list_name,
                account_id,
                f"Act on {list_name} <b>now</b>",
                "Read the playbook (https://example.com/playbooks/x)",
                f"Entered list {list_name} on {AS_OF - opened * day}",
                assignee,
                "success manager",
                priority,
                order,
                "open" if closed is None else "closed",
                AS_OF - opened * day,
                AS_OF - opened * day + (opened + due) * day,
                None if closed is None else AS_OF - closed * day,
                reason,
            )
            for (
                task_id,
                list_name,
                account_id,
                assignee,
                priority,
                order,
                opened,
                due,
                closed,
                reason,
            ) in tasks
        ],
    )


def _lists(con: duckdb.DuckDBPyConnection) -> None:
    """Smart lists (marts.dim_lists, fct_list_membership_daily, fct_list_events, fct_account_tags_daily): an
    account list and a user list, members over the last days, with reasons that need escaping."""
    con.execute(
        """
        create table marts.dim_lists (
            list varchar, folder varchar, owner varchar, severity varchar, tag varchar, tag_mode varchar,
            playbook varchar, description varchar, criteria varchar
        );
        insert into marts.dim_lists values
            ('engagement_dropped', 'Event based', 'success_manager', 'high', null, 'none',
             'Find out why usage fell (https://example.com/playbooks/engagement-drop).',
             'Actions fell 30% or more.', 'change_in_actions_14d change_in_lt -0.3'),
            ('champions', 'User lists', 'success_manager', 'low', 'Champion <b>', 'add',
             'Ask for a reference.', 'An active champion.', 'user_contact_role = Champion');
        create table marts.fct_list_membership_daily (
            list varchar, account_id varchar, as_of_date date, reason varchar, entered_on date
        );
        create table marts.fct_list_events (
            list varchar, account_id varchar, event varchar, event_date date, reason varchar
        );
        create table marts.fct_account_tags_daily (
            account_id varchar, as_of_date date, tag varchar, added_on date
        );
        """
    )
    for offset in range(10):
        day = AS_OF - dt.timedelta(days=offset)
        con.execute(
            "insert into marts.fct_list_membership_daily values "
            "('engagement_dropped', 'A000002', ?, 'Actions changed -45% <i>over</i> two weeks', ?), "
            "('champions', 'A000001', ?, '1 user: <script>alert(3)</script> (Champion)', ?)",
            [day, AS_OF - dt.timedelta(days=9), day, AS_OF - dt.timedelta(days=9)],
        )
        con.execute(
            "insert into marts.fct_account_tags_daily values ('A000001', ?, 'Champion <b>', ?)",
            [day, AS_OF - dt.timedelta(days=9)],
        )
    con.execute(
        """
        insert into marts.fct_list_events values
            ('engagement_dropped', 'A000002', 'entered', ?::date - 9, 'Actions changed -45% over two weeks'),
            ('champions', 'A000001', 'entered', ?::date - 9, '1 user: <script>alert(3)</script> (Champion)'),
            ('engagement_dropped', 'A000004', 'entered', ?::date - 20, 'Actions changed -60% over two weeks'),
            ('engagement_dropped', 'A000004', 'left', ?::date - 15, 'Actions changed -10% (needs below -30%)')
        """,
        [AS_OF, AS_OF, AS_OF, AS_OF],
    )
