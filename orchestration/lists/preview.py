"""`pulse lists preview CANDIDATE_DIR`: who a candidate list configuration would put in or take out of lists.

The candidate (a folder with lists.csv and/or list_criteria.csv; a file it lacks is the current one) is
validated, then built into a private copy of the warehouse: the copy's seed tables `seeds.lists` /
`seeds.list_criteria` are replaced by the candidate's rows and dbt runs the list models
(models/intermediate/lists/) on it, so the candidate is judged by exactly the SQL and data of the build. The
warehouse itself is only read. The output, Markdown for a pull request, compares the candidate with the
membership built in the warehouse: per list the members today, every account that would enter or leave today
and why, and the past year replayed (member-days, entries and exits, accounts, before and after).
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import duckdb

from orchestration.dbt_project import run_dbt
from orchestration.lists.config import CRITERIA_FILE, LISTS_FILE, validate_lists_config
from orchestration.settings import seeds_dir
from orchestration.yaml_files import load_yaml

SEED_FILES = (LISTS_FILE, CRITERIA_FILE)
# The list models, selected by their folder (fqn): every model reading the list seeds, and nothing else.
SELECTION = "intermediate.lists"
LIST_SCHEMA = "intermediate"


def _cell(value: object) -> str:
    text = "" if value is None else str(value)
    return text.replace("|", "\\|").replace("\n", " ")


def _table(header: list[str], rows: list[tuple]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(_cell(value) for value in row) + " |" for row in rows]
    return lines


def _signed(value: int) -> str:
    return f"{value:+d}" if value else "0"


def merged_candidate(candidate_dir: Path, current_dir: Path, target: Path) -> Path:
    """The candidate's list seeds in target: its own files, the current ones for the files it lacks."""
    if not any((candidate_dir / name).exists() for name in SEED_FILES):
        raise FileNotFoundError(
            f"{candidate_dir}: no {LISTS_FILE} or {CRITERIA_FILE} (a candidate holds one or both of them)"
        )
    target.mkdir(parents=True, exist_ok=True)
    for name in SEED_FILES:
        source = candidate_dir / name if (candidate_dir / name).exists() else current_dir / name
        shutil.copyfile(source, target / name)
    return target


def _seed_column_types(current_dir: Path) -> dict[str, dict[str, str]]:
    spec = load_yaml(current_dir / "_seeds.yml") or {}
    return {seed["name"]: seed.get("config", {}).get("column_types", {}) for seed in spec.get("seeds", [])}


def load_candidate_seeds(con: duckdb.DuckDBPyConnection, folder: Path, current_dir: Path) -> None:
    """Replace the seed tables seeds.lists / seeds.list_criteria by the folder's CSVs (seed column types)."""
    types = _seed_column_types(current_dir)
    for name in SEED_FILES:
        seed = name.removesuffix(".csv")
        path = folder / name
        header = path.read_text(encoding="utf-8").splitlines()[0].split(",")
        columns = {column.strip(): types.get(seed, {}).get(column.strip(), "varchar") for column in header}
        con.execute(
            f"create or replace table seeds.{seed} as "
            f"select * from read_csv(?, header = true, columns = {columns!r}, auto_detect = false)",
            [str(path)],
        )


def build_candidate(warehouse: Path, candidate: Path, current_dir: Path, scratch: Path) -> Path:
    """A private copy of the warehouse with the candidate's list models built; returns its path."""
    copy = scratch / warehouse.name
    shutil.copy2(warehouse, copy)
    con = duckdb.connect(str(copy))
    try:
        load_candidate_seeds(con, candidate, current_dir)
    finally:
        con.close()
    run_dbt(
        ["run", "--quiet", "--select", SELECTION],
        warehouse=copy,
        # Its own target and log folders: the project's manifest (which Dagster reads) is left alone.
        target_path=scratch / "target",
        log_dir=scratch / "logs",
    ).check()
    return copy


def _compare(con: duckdb.DuckDBPyConnection, candidate_dir: Path, warehouse: Path, days: int) -> str:
    as_of = con.execute(f"select max(as_of_date) from cand.{LIST_SCHEMA}.int_account_days").fetchone()[0]
    title = "# List configuration preview"
    if as_of is None:
        return f"{title}\n\nThe warehouse has no account-days to evaluate.\n"
    since = con.execute(f"select cast(? as date) - interval {days - 1} day", [as_of]).fetchone()[0]
    current_lists = [
        r[0] for r in con.execute(f"select list from cur.{LIST_SCHEMA}.int_lists order by 1").fetchall()
    ]
    candidate_lists = [
        r[0] for r in con.execute(f"select list from cand.{LIST_SCHEMA}.int_lists order by 1").fetchall()
    ]
    lines = [
        title,
        "",
        f"Candidate `{candidate_dir}` vs the lists built in `{warehouse.name}`, as of **{as_of}**.",
        "",
    ]
    added = [name for name in candidate_lists if name not in current_lists]
    removed = [name for name in current_lists if name not in candidate_lists]
    if added:
        lines.append(f"New lists: {', '.join(added)}.")
    if removed:
        members = dict(
            con.execute(
                f"select list, count(*) from cur.{LIST_SCHEMA}.int_list_membership_daily "
                "where as_of_date = ? group by list",
                [as_of],
            ).fetchall()
        )
        lines.append(
            "Removed lists (their members today leave): "
            + ", ".join(f"{name} ({members.get(name, 0)})" for name in removed)
            + "."
        )
    if added or removed:
        lines.append("")

    membership = f"{{side}}.{LIST_SCHEMA}.int_list_membership_daily"
    con.execute(
        f"""
        create temp table today as
        select coalesce(cand.list, cur.list) as list, coalesce(cand.account_id, cur.account_id) as account_id,
               cur.reason as current_reason, cand.reason as candidate_reason
        from (select * from {membership.format(side="cur")} where as_of_date = $as_of) as cur
        full join (select * from {membership.format(side="cand")} where as_of_date = $as_of) as cand
            on cur.list = cand.list and cur.account_id = cand.account_id
        """,
        {"as_of": as_of},
    )
    lists = sorted(set(current_lists) | set(candidate_lists))
    counts = {
        name: (current, candidate)
        for name, current, candidate in con.execute(
            """
            select list, count(current_reason), count(candidate_reason) from today group by list
            """
        ).fetchall()
    }
    lines += ["## Members today", ""]
    lines += _table(
        ["list", "current", "candidate", "change"],
        [
            (
                name,
                *counts.get(name, (0, 0)),
                _signed(counts.get(name, (0, 0))[1] - counts.get(name, (0, 0))[0]),
            )
            for name in lists
        ],
    )
    entering = con.execute(
        "select list, account_id, candidate_reason from today where current_reason is null order by 1, 2"
    ).fetchall()
    lines += ["", f"## Would enter today ({len(entering)})", ""]
    lines += _table(["list", "account", "why"], entering) if entering else ["No account enters a list today."]
    # Why an account would leave: the candidate's criteria that do not hold today, and what they need.
    leaving = con.execute(
        f"""
        select today.list, today.account_id, today.current_reason,
               string_agg(
                   results.label_text || ' (needs ' || results.condition_text || ')', '; '
                   order by results.criterion_id
               ) filter (where results.holds is distinct from true) as why
        from today
        left join cand.{LIST_SCHEMA}.int_list_criteria_results as results
            on results.list = today.list and results.account_id = today.account_id and results.as_of_date = ?
        where today.candidate_reason is null and today.list in (select list from cand.{LIST_SCHEMA}.int_lists)
        group by all
        order by 1, 2
        """,
        [as_of],
    ).fetchall()
    lines += ["", f"## Would leave today ({len(leaving)}, removed lists aside)", ""]
    if leaving:
        lines += _table(
            ["list", "account", "why it leaves (candidate)", "was in because (current)"],
            [(name, account, why, was) for name, account, was, why in leaving],
        )
    else:
        lines.append("No account leaves a list today.")

    history = {}
    for side in ("cur", "cand"):
        for name, member_days, accounts, entries, exits in con.execute(
            f"""
            with m as (
                select list, count(*) as member_days, count(distinct account_id) as accounts
                from {side}.{LIST_SCHEMA}.int_list_membership_daily where as_of_date >= ? group by list
            ),
            e as (
                select list,
                       count(*) filter (where event = 'entered') as entries,
                       count(*) filter (where event = 'left') as exits
                from {side}.{LIST_SCHEMA}.int_list_events where event_date >= ? group by list
            )
            select l.list, coalesce(m.member_days, 0), coalesce(m.accounts, 0),
                   coalesce(e.entries, 0), coalesce(e.exits, 0)
            from {side}.{LIST_SCHEMA}.int_lists as l
            left join m on m.list = l.list
            left join e on e.list = l.list
            """,
            [since, since],
        ).fetchall():
            history.setdefault(name, {})[side] = (member_days, accounts, entries, exits)
    lines += ["", f"## The past {days} days replayed ({since:%Y-%m-%d} to {as_of})", ""]
    rows, changed = [], 0
    for name in lists:
        cur = history.get(name, {}).get("cur", (0, 0, 0, 0))
        cand = history.get(name, {}).get("cand", (0, 0, 0, 0))
        changed += cur != cand
        rows.append(
            (
                name,
                *(
                    f"{before} -> {after} ({_signed(after - before)})"
                    for before, after in zip(cur, cand, strict=True)
                ),
            )
        )
    lines += _table(["list", "member-days", "accounts", "entries", "exits"], rows)
    lines += ["", f"{changed} of {len(lists)} lists change over the period.", ""]
    return "\n".join(lines)


def preview_markdown(
    warehouse: Path, candidate_dir: Path, current_dir: Path | None = None, days: int = 365
) -> str:
    """Validate and build the candidate in a private copy; compare with the warehouse's lists (Markdown)."""
    current = current_dir or seeds_dir()
    scratch = Path(tempfile.mkdtemp(prefix="pulse-lists-preview-"))
    try:
        candidate = merged_candidate(candidate_dir, current, scratch / "seeds")
        validate_lists_config(candidate)
        copy = build_candidate(warehouse, candidate, current, scratch)
        con = duckdb.connect()
        try:
            for alias, path in (("cur", warehouse), ("cand", copy)):
                quoted = str(path).replace("'", "''")
                con.execute(f"attach '{quoted}' as {alias} (read_only)")
            return _compare(con, candidate_dir, warehouse, days)
        finally:
            con.close()
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
