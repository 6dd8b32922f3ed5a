"""Landing files a test drops beside the generated ones: shifted days of usage, stray events, CRM exports."""

from __future__ import annotations

import csv
import json
import shutil
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

import duckdb

from orchestration.dbt_project import run_dbt
from orchestration.warehouse import RAW_TABLES
from tests.support.commands import BuiltWarehouse, pulse

ROLLUPS_OF_ACCOUNT = (
    "select activity_date, sum(actions) from intermediate.int_usage_daily where account_id = ? group by 1"
)


@dataclass(frozen=True)
class LateEvent:
    account: str
    day: date
    as_of: date
    rollups_before: dict[date, int]

    def assert_only_its_day_changed(self, warehouse: Path, new_days: frozenset[date] = frozenset()) -> None:
        """Its day gained the event; every other day the account had is as it was (new_days: days landed
        beside it, which are new anyway)."""
        con = duckdb.connect(str(warehouse), read_only=True)
        after = dict(con.execute(ROLLUPS_OF_ACCOUNT, [self.account]).fetchall())
        con.close()
        assert after[self.day] == self.rollups_before.get(self.day, 0) + 1
        others_before = {day: n for day, n in self.rollups_before.items() if day != self.day}
        others_after = {day: n for day, n in after.items() if day != self.day and day not in new_days}
        assert others_after == others_before


def land_late_event(copy: BuiltWarehouse, days_back: int, message_id: str) -> LateEvent:
    """Drop one event dated `days_back` days before the data's last day into the landing folder."""
    con = duckdb.connect(str(copy.warehouse), read_only=True)
    account, user, as_of = con.execute(
        "select account_id, user_id, max(event_at)::date from raw.app_events "
        "where event_type = 'track' group by all order by count(*) desc limit 1"
    ).fetchone()
    before = dict(con.execute(ROLLUPS_OF_ACCOUNT, [account]).fetchall())
    con.close()
    late_day = as_of - timedelta(days=days_back)
    event = {
        "type": "track",
        "messageId": message_id,
        "timestamp": f"{late_day.isoformat()}T10:00:00.000Z",
        "userId": user,
        "event": "Report Viewed",
        "properties": {"module": "Reports", "duration_seconds": 30.0},
        "context": {"groupId": account},
    }
    (copy.landing / "app_events" / f"segment-{message_id}.jsonl").write_text(json.dumps(event) + "\n")
    return LateEvent(account, late_day, as_of, before)


def table_rows(con: duckdb.DuckDBPyConnection, name: str) -> list[tuple]:
    return sorted(con.execute(f"select * from {name}").fetchall(), key=repr)


# What a run with nothing new must leave as it was.
UNCHANGED_BY_A_RERUN = (
    *(f"raw.{name}" for name in RAW_TABLES),  # raw.loaded_files: its count, see loaded_files_count
    "intermediate.int_usage_daily",
    "marts.fct_account_health_daily",
    "marts.dim_accounts",
)


def loaded_files_count(warehouse: Path) -> int:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return con.execute("select count(*) from raw.loaded_files").fetchone()[0]
    finally:
        con.close()


def snapshot(warehouse: Path, tables: tuple[str, ...] = UNCHANGED_BY_A_RERUN) -> dict[str, list[tuple]]:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return {name: table_rows(con, name) for name in tables}
    finally:
        con.close()


def private_copy(built: BuiltWarehouse, target: Path) -> BuiltWarehouse:
    """A private copy of a built warehouse and its landing folder, so a test that writes races nobody."""
    copy = BuiltWarehouse(target, target / "landing", target / "warehouse.duckdb", target / "site")
    shutil.copytree(built.landing, copy.landing)
    shutil.copy2(built.warehouse, copy.warehouse)
    return copy


def last_day(warehouse: Path) -> date:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return con.execute("select max(as_of_date) from marts.fct_account_health_daily").fetchone()[0]
    finally:
        con.close()


def land_usual_days(copy: BuiltWarehouse, days: list[date], name: str) -> int:
    """Land a usual day of usage for each day: the track events of the same weekday four weeks before,
    moved forward (new message ids). Returns the number of events written."""
    con = duckdb.connect(str(copy.warehouse), read_only=True)
    lines = []
    try:
        for day in days:
            source_day = day - timedelta(days=28)
            rows = con.execute(
                "select message_id, user_id, event_name, module, duration_seconds, account_id, event_at "
                "from raw.app_events where event_type = 'track' and cast(event_at as date) = ? "
                "order by message_id",
                [source_day],
            ).fetchall()
            for message_id, user, event, module, seconds, account, at in rows:
                moved: datetime = at + (day - source_day)
                lines.append(
                    {
                        "type": "track",
                        "messageId": f"{name}-{message_id}",
                        "timestamp": moved.strftime("%Y-%m-%dT%H:%M:%S.000Z"),
                        "userId": user,
                        "event": event,
                        "properties": {"module": module, "duration_seconds": seconds},
                        "context": {"groupId": account},
                    }
                )
    finally:
        con.close()
    write_events(copy, name, lines)
    return len(lines)


def write_events(copy: BuiltWarehouse, name: str, events: list[dict]) -> Path:
    path = copy.landing / "app_events" / f"segment-{name}.jsonl"
    path.write_text("".join(json.dumps(event) + "\n" for event in events))
    return path


def land_csm_touches(copy: BuiltWarehouse, days: list[date], name: str) -> int:
    """A CRM Task export: one completed call per day, on the first accounts of the latest export."""
    crm = copy.landing / "crm"
    latest_accounts = sorted(crm.glob("Account-*.csv"))[-1]
    with latest_accounts.open(newline="") as handle:
        account_ids = [row["Id"] for row in csv.DictReader(handle)][: len(days)]
    path = crm / f"Task-{name}.csv"
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(
            ["Id", "AccountId", "WhoId", "Subject", "Type", "ActivityDate", "Owner_Name__c", "Status"]
            + ["CreatedDate", "LastModifiedDate"]
        )
        for number, (day, account) in enumerate(zip(days, account_ids, strict=False)):
            stamp = f"{day.isoformat()}T15:00:00.000Z"
            writer.writerow(
                [f"00T{name[:6]}{number:09d}", account, "", "Check-in call", "Call", day.isoformat()]
                + ["Test Owner", "Completed", stamp, stamp]
            )
    return len(account_ids)


def land_account_export(copy: BuiltWarehouse, day: date, risk_share: float) -> int:
    """A CRM account export dated `day` marking the first `risk_share` of accounts At Risk."""
    crm = copy.landing / "crm"
    latest = sorted(crm.glob("Account-*.csv"))[-1]
    with latest.open(newline="") as handle:
        reader = csv.DictReader(handle)
        header = reader.fieldnames or []
        rows = list(reader)
    flagged = int(len(rows) * risk_share)
    for row in rows[:flagged]:
        row["Risk_Status__c"] = "At Risk"
        row["LastModifiedDate"] = f"{day.isoformat()}T06:00:00.000Z"
    with (crm / f"Account-{day.isoformat()}.csv").open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=header)
        writer.writeheader()
        writer.writerows(rows)
    return flagged


def ingest_and_build(copy: BuiltWarehouse) -> None:
    """The data path of `pulse run` without its checks and reports: load new files, then dbt's models and
    seeds (rollups for the days that received events, everything downstream), not its tests. Cheaper for
    tests about data."""
    pulse("ingest", env=copy.env())
    args = ["build", "--resource-type", "model", "seed"]
    run_dbt(args, warehouse=copy.warehouse, log_dir=copy.root / "logs").check()


def ranks_on(warehouse: Path, day: date) -> dict[str, tuple]:
    """{account: (rank, score, reason)} on a day of marts.fct_account_health_daily."""
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        rows = con.execute(
            "select account_id, health_rank, health_score, reason from marts.fct_account_health_daily "
            "where as_of_date = ?",
            [day],
        ).fetchall()
    finally:
        con.close()
    return {row[0]: row[1:] for row in rows}


def data_source(warehouse: Path, source: str) -> dict:
    """A row of marts.dim_data_sources as a dict."""
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        cursor = con.execute("select * from marts.dim_data_sources where source = ?", [source])
        names = [column[0] for column in cursor.description]
        return dict(zip(names, cursor.fetchone(), strict=True))
    finally:
        con.close()


def days_from(first: date, count: int) -> list[date]:
    return [first + timedelta(days=offset) for offset in range(count)]
