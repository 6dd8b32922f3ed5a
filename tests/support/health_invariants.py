"""Health (and lifecycle) invariants that hold on any built warehouse, whatever the data, run on the session's
60-account warehouse (test_health_warehouse.py, test_lifecycle_tasks_warehouse.py) and on the `make
demo`-sized one (test_health_demo.py)."""

from __future__ import annotations

import duckdb

# Each query selects the rows that break its invariant (none on a correct warehouse).
INVARIANTS: dict[str, str] = {
    # One row per account and day, from its creation through the warehouse's as-of date (dim_data_sources).
    # A null creation date would make every comparison null (not true), so it is flagged explicitly.
    "one row per account and day since creation": """
        with as_of as (select max(as_of_date) as as_of_date from marts.dim_data_sources)
        select a.account_id, a.created_date, count(h.as_of_date) as days, count(distinct h.as_of_date)
        from marts.dim_accounts as a
        cross join as_of
        left join marts.fct_account_health_daily as h using (account_id)
        group by a.account_id, a.created_date, as_of.as_of_date
        having a.created_date is null
            or count(h.as_of_date) <> datediff('day', a.created_date, as_of.as_of_date) + 1
            or count(distinct h.as_of_date) <> count(h.as_of_date)
            or min(h.as_of_date) <> a.created_date or max(h.as_of_date) <> as_of.as_of_date
    """,
    "no account-day of an account unknown to dim_accounts": """
        select h.account_id, h.as_of_date from marts.fct_account_health_daily as h
        anti join marts.dim_accounts as a using (account_id)
    """,
    "ranks in the allowed set": """
        select account_id, as_of_date, health_rank from marts.fct_account_health_daily
        where health_rank is null or health_rank not in ('Good', 'Average', 'Poor', 'Unknown')
    """,
    "every Poor or Average has a reason": """
        select account_id, as_of_date, health_rank, reason from marts.fct_account_health_daily
        where health_rank in ('Poor', 'Average') and coalesce(trim(reason), '') = ''
    """,
    # A fired criterion: a Poor criterion met or a Good criterion evaluated and not met. A parent's rank is
    # its children's, not its own criteria's.
    "every Poor or Average has a fired criterion or is a parent roll-up": """
        select h.account_id, h.as_of_date, h.profile, h.health_rank, h.reason
        from marts.fct_account_health_daily as h
        where h.health_rank in ('Poor', 'Average') and not h.is_parent_rollup
          and not exists (
            select 1 from marts.fct_account_health_reasons_daily as r
            where r.account_id = h.account_id and r.as_of_date = h.as_of_date
              and ((r.outcome = 'Poor' and r.criterion_met) or (r.outcome = 'Good' and not r.criterion_met))
          )
    """,
    "every Poor of a rules profile has a Poor criterion met": """
        select h.account_id, h.as_of_date, h.profile, h.reason
        from marts.fct_account_health_daily as h
        join intermediate.int_health_profiles as p using (profile)
        where h.health_rank = 'Poor' and p.model = 'rules'
          and not exists (
            select 1 from marts.fct_account_health_reasons_daily as r
            where r.account_id = h.account_id and r.as_of_date = h.as_of_date
              and r.outcome = 'Poor' and r.criterion_met
          )
    """,
    # Unknown only when cancelled, no profile matches, a source the profile uses is stale that day, or no
    # criterion of the profile had a value that day.
    "Unknown only when cancelled, no profile, stale data or nothing evaluable": """
        select h.account_id, h.as_of_date, h.status, h.profile, h.reason
        from marts.fct_account_health_daily as h
        where h.health_rank = 'Unknown' and not (
            (h.reason = 'Cancelled account' and h.status = 'Cancelled')
            or (h.reason = 'No health profile matches this account' and h.profile is null)
            or h.reason like '% stale since %'
            or (
                h.reason = 'No criterion of profile ' || h.profile || ' has a value'
                and not exists (
                    select 1 from intermediate.int_health_criteria_results as c
                    where c.account_id = h.account_id and c.as_of_date = h.as_of_date
                      and c.holds is not null
                )
            )
        )
    """,
    "cancelled accounts are Unknown": """
        select account_id, as_of_date, health_rank from marts.fct_account_health_daily
        where status = 'Cancelled' and health_rank <> 'Unknown'
    """,
    # Per day and segment, the population counts are those of the account-days of the health mart (so each
    # segment type adds up to every account that day), and accounts = Good + Average + Poor + Unknown.
    "population counts add up per day and segment": """
        with expected as (
            select as_of_date, 'overall' as segment_type, 'all' as segment_value, health_rank
            from marts.fct_account_health_daily
            union all
            select as_of_date, 'success_manager', coalesce(success_manager, '(none)'), health_rank
            from marts.fct_account_health_daily
            union all
            select as_of_date, 'company_size', coalesce(company_size, '(none)'), health_rank
            from marts.fct_account_health_daily
            union all
            select as_of_date, 'tier', coalesce(tier, '(none)'), health_rank
            from marts.fct_account_health_daily
        ),
        counted as (
            select as_of_date, segment_type, segment_value, count(*) as accounts,
                   count(*) filter (where health_rank = 'Good') as good_accounts,
                   count(*) filter (where health_rank = 'Average') as average_accounts,
                   count(*) filter (where health_rank = 'Poor') as poor_accounts,
                   count(*) filter (where health_rank = 'Unknown') as unknown_accounts
            from expected group by all
        ),
        built as (
            select as_of_date, segment_type, segment_value, accounts, good_accounts, average_accounts,
                   poor_accounts, unknown_accounts
            from marts.fct_population_health_daily
        )
        (select 'expected, not built' as side, * from (select * from counted except all select * from built))
        union all
        (select 'built, not expected', * from (select * from built except all select * from counted))
        union all
        select 'counts do not add up', * from built
        where accounts <> good_accounts + average_accounts + poor_accounts + unknown_accounts
    """,
}


def health_invariant_violations(con: duckdb.DuckDBPyConnection) -> dict[str, tuple[int, list[tuple]]]:
    """Each broken invariant: how many rows break it and the first five. Empty when every one holds."""
    violations = {}
    for name, query in INVARIANTS.items():
        count = con.execute(f"select count(*) from ({query})").fetchone()[0]
        if count:
            violations[name] = (count, con.execute(f"select * from ({query}) limit 5").fetchall())
    return violations


def lifecycle_status_gaps(con: duckdb.DuckDBPyConnection) -> tuple[int, int, int]:
    """Account-days of the health mart without a lifecycle status, lifecycle rows of no such account-day, and
    how many distinct statuses occur (issue 8: one status for every account and day)."""
    return con.execute(
        """
        with days as (select account_id, as_of_date from marts.fct_account_health_daily),
        lifecycle as (select account_id, as_of_date from marts.fct_lifecycle_status_daily)
        select
            (select count(*) from (select * from days except select * from lifecycle)),
            (select count(*) from (select * from lifecycle except select * from days)),
            (select count(distinct lifecycle_status) from marts.fct_lifecycle_status_daily)
        """
    ).fetchone()
