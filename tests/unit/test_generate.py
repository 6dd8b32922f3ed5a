"""The sample-data generator: reproducible bytes, the contract's formats, and believable behaviour."""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import hashlib
import json
import re
from collections import Counter, defaultdict
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from orchestration.cli.generate import generate
from orchestration.generate import crm as crm_writer
from orchestration.generate.calendar import day_factors
from orchestration.generate.core import GenerateConfig, generate_dataset
from orchestration.generate.plan import NO_DAY, QUIET_CHURN, build_plan

ACCOUNTS, DAYS, SEED = 45, 120, 11
END = dt.date(2026, 11, 1)
START = END - dt.timedelta(days=DAYS - 1)
TROUBLED = {"churning", "sudden_drop", "slow_decline"}

# Headers copied from pulse-contract.md, not from the generator, so a drift fails here.
ACCOUNT_HEADER = (
    "Id,Name,ParentId,App_Account_Id__c,Status__c,Plan_Tier__c,Contract_Value__c,Licenses__c,"
    "Contract_Start_Date__c,Renewal_Date__c,Cancellation_Date__c,Success_Manager__c,Company_Size__c,Industry,"
    "Journey_Stage__c,Journey_Stage_Date__c,Onboarding_Program__c,Project_Status__c,Risk_Status__c,"
    "CSM_Sentiment__c,CreatedDate,LastModifiedDate"
)
CONTACT_HEADER = (
    "Id,AccountId,App_User_Id__c,FirstName,LastName,Email,Title,Contact_Role__c,CreatedDate,LastModifiedDate"
)
TASK_HEADER = "Id,AccountId,WhoId,Subject,Type,ActivityDate,Owner_Name__c,Status,CreatedDate,LastModifiedDate"
TICKET_HEADER = (
    "id,organization_external_id,requester_external_id,subject,status,priority,type,created_at,updated_at,"
    "solved_at,satisfaction_rating,tags"
)
SDR_HEADER = "sdr_t,sdr_o,sdr_u,sdr_a,sdr_m,sdr_dur,sdr_o.name,sdr_u.email"
EVENT_TS = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
TICKET_TS = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{3})?Z$")


def _generate(out: Path, seed: int = SEED, **kwargs) -> dict:
    config = GenerateConfig(accounts=ACCOUNTS, days=DAYS, seed=seed, out=out, **kwargs)
    return generate_dataset(config).as_dict()


def _hashes(root: Path) -> dict[str, str]:
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def _csv(path: Path) -> list[dict[str, str]]:
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    out = tmp_path_factory.mktemp("gen") / "landing"
    return out, _generate(out)


@pytest.fixture(scope="module")
def events(data: tuple[Path, dict]) -> list[dict]:
    """Every app event (Segment calls and sdr rows) as dicts with a common `_account`/`_user`/`_ts`."""
    out, _ = data
    rows: list[dict] = []
    for path in sorted((out / "app_events").glob("segment-*.jsonl")):
        day = path.name[len("segment-") : -len(".jsonl")]
        for line in path.read_text().splitlines():
            msg = json.loads(line)
            assert msg["timestamp"][:10] == day
            account = msg["groupId"] if msg["type"] == "group" else msg["context"]["groupId"]
            rows.append({**msg, "_account": account, "_user": msg["userId"], "_ts": msg["timestamp"]})
    for path in sorted((out / "app_events").glob("sdr-*.csv")):
        assert path.read_text().splitlines()[0] == SDR_HEADER
        for r in _csv(path):
            rows.append({**r, "type": "sdr", "_account": r["sdr_o"], "_user": r["sdr_u"], "_ts": r["sdr_t"]})
    return rows


@pytest.fixture(scope="module")
def truth(data: tuple[Path, dict]) -> dict[str, dict[str, str]]:
    return {r["account_id"]: r for r in _csv(data[0] / "ground_truth.csv")}


@pytest.fixture(scope="module")
def last_accounts(data: tuple[Path, dict]) -> dict[str, dict[str, str]]:
    return {r["App_Account_Id__c"]: r for r in _csv(data[0] / "crm" / f"Account-{END}.csv")}


def test_same_seed_gives_identical_bytes(data: tuple[Path, dict], tmp_path: Path) -> None:
    out, _ = data
    _generate(tmp_path / "again")
    first, second = _hashes(out), _hashes(tmp_path / "again")
    assert len(first) > 100
    assert first == second


def test_different_seed_gives_different_data(data: tuple[Path, dict], tmp_path: Path) -> None:
    _generate(tmp_path / "other", seed=SEED + 1)
    other = _hashes(tmp_path / "other")
    mine = _hashes(data[0])
    assert other.keys() == mine.keys()  # same files (same period)
    changed = [name for name in mine if mine[name] != other[name]]
    assert len(changed) > 0.9 * len(mine)


def test_gzip_output_decompresses_to_the_plain_files(data: tuple[Path, dict], tmp_path: Path) -> None:
    _generate(tmp_path / "gz", gzip=True)
    plain = sorted((data[0] / "app_events").iterdir())
    zipped = sorted((tmp_path / "gz" / "app_events").iterdir())
    assert [p.name + ".gz" for p in plain] == [p.name for p in zipped]
    for p, z in zip(plain, zipped, strict=True):
        assert gzip.decompress(z.read_bytes()) == p.read_bytes()


def test_file_layout_and_csv_headers(data: tuple[Path, dict]) -> None:
    out, summary = data
    days = [START + dt.timedelta(days=i) for i in range(DAYS)]
    assert sorted(p.name for p in (out / "app_events").glob("segment-*")) == [
        f"segment-{d}.jsonl" for d in days
    ]
    months = sorted({f"{d:%Y-%m}" for d in days})
    assert sorted(p.name for p in (out / "helpdesk").iterdir()) == [f"tickets-{m}.csv" for m in months]
    exports = sorted(p.name[len("Account-") : -4] for p in (out / "crm").glob("Account-*.csv"))
    assert exports[-1] == str(END) and len(exports) == 4  # monthly, the last on the end date
    headers = {"Account": ACCOUNT_HEADER, "Contact": CONTACT_HEADER, "Task": TASK_HEADER}
    for path in (out / "crm").iterdir():
        assert path.read_text().splitlines()[0] == headers[path.name.split("-")[0]], path.name
    for path in (out / "helpdesk").iterdir():
        assert path.read_text().splitlines()[0] == TICKET_HEADER
    truth_header = (out / "ground_truth.csv").read_text().splitlines()[0]
    assert truth_header == "account_id,archetype,churn_date,contract_start_date"
    billing = sorted(p.name for p in (out / "billing").iterdir())
    assert billing == [f"subscriptions-{e}.csv" for e in exports]
    assert summary["files"] == sum(1 for p in out.rglob("*") if p.is_file())


def test_events_follow_the_segment_shapes(events: list[dict], data: tuple[Path, dict]) -> None:
    summary = data[1]
    kinds = Counter(e["type"] for e in events)
    assert kinds["track"] == summary["track_events"] and kinds["sdr"] == summary["sdr_events"]
    assert kinds["identify"] == summary["identify_calls"] > 0
    assert kinds["group"] == summary["group_calls"] > 0
    assert sum(kinds.values()) == summary["events"]
    for e in events:
        assert EVENT_TS.match(e["_ts"]), e["_ts"]
        assert re.fullmatch(r"A\d{6}", e["_account"]) and re.fullmatch(r"U\d{6}-\d{4}", e["_user"])
        assert e["_user"][1:7] == e["_account"][1:]
        if e["type"] == "track":
            assert set(e["properties"]) >= {"module", "duration_seconds"}
            assert (
                isinstance(e["properties"]["duration_seconds"], float)
                and e["properties"]["duration_seconds"] > 0
            )
        elif e["type"] == "identify":
            assert set(e["traits"]) >= {"email", "name", "role"}
        elif e["type"] == "group":
            assert set(e["traits"]) >= {"name", "plan"}
        else:
            assert float(e["sdr_dur"]) > 0 and e["sdr_u.email"].count("@") == 1


def test_message_ids_are_unique(events: list[dict]) -> None:
    ids = [e["messageId"] for e in events if e["type"] != "sdr"]
    assert len(ids) == len(set(ids)) > 10_000


def test_modules_have_different_adoption(events: list[dict]) -> None:
    accounts_using: dict[str, set[str]] = defaultdict(set)
    for e in events:
        module = e["properties"]["module"] if e["type"] == "track" else e.get("sdr_m")
        if module:
            accounts_using[module].add(e["_account"])
    assert set(accounts_using) == {"Dashboards", "Reports", "Integrations", "Automation", "API", "Admin"}
    assert (
        len(accounts_using["Dashboards"]) > len(accounts_using["Integrations"]) > len(accounts_using["API"])
    )


def _track_modules(out: Path) -> list[tuple[str, str, str]]:
    """(account, day, module) of every track event."""
    rows = []
    for path in sorted((out / "app_events").glob("segment-*.jsonl")):
        for line in path.read_text().splitlines():
            msg = json.loads(line)
            if msg["type"] == "track":
                rows.append((msg["context"]["groupId"], msg["timestamp"][:10], msg["properties"]["module"]))
    return rows


def test_troubled_accounts_shift_to_the_basic_modules(
    data: tuple[Path, dict], truth: dict, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Before an account in trouble cancels, its mix of activities shifts: of what it still does, fewer
    Integrations, Automation and API actions than the same account would have done without the shift; other
    accounts' events are untouched."""
    from orchestration.generate import events as events_writer

    monkeypatch.setattr(events_writer, "TROUBLE_MIX_SHIFT", 0.0)
    _generate(tmp_path / "unshifted")
    shifted, unshifted = _track_modules(data[0]), _track_modules(tmp_path / "unshifted")
    deep = {"Integrations", "Automation", "API"}
    churn = {a: r["churn_date"] for a, r in truth.items() if r["archetype"] in TROUBLED and r["churn_date"]}

    def last_month_deep_share(rows: list[tuple[str, str, str]]) -> float:
        mine = [
            module
            for account, day, module in rows
            if account in churn
            and 0 < (dt.date.fromisoformat(churn[account]) - dt.date.fromisoformat(day)).days <= 30
        ]
        assert len(mine) > 100
        return sum(module in deep for module in mine) / len(mine)

    assert last_month_deep_share(shifted) < 0.75 * last_month_deep_share(unshifted)
    healthy = {a for a, r in truth.items() if r["archetype"] == "healthy"}
    assert [r for r in shifted if r[0] in healthy] == [r for r in unshifted if r[0] in healthy]


def test_weekdays_are_much_busier_than_weekends(events: list[dict]) -> None:
    per_day = Counter(e["_ts"][:10] for e in events if e["type"] in ("track", "sdr"))
    weekday = [n for d, n in per_day.items() if dt.date.fromisoformat(d).weekday() < 5]
    weekend = [n for d, n in per_day.items() if dt.date.fromisoformat(d).weekday() >= 5]
    assert sum(weekday) / len(weekday) > 4 * sum(weekend) / len(weekend)


def test_ground_truth_lists_every_account(truth: dict, last_accounts: dict) -> None:
    expected = {f"A{i:06d}" for i in range(1, ACCOUNTS + 1)}
    assert set(truth) == expected == set(last_accounts)
    archetypes = Counter(r["archetype"] for r in truth.values())
    assert len(archetypes) == 9  # every archetype is represented
    assert archetypes.most_common(1)[0][0] == "healthy"


def test_churned_accounts_are_cancelled_and_go_silent(
    truth: dict, last_accounts: dict, events: list[dict]
) -> None:
    churned = {a: r["churn_date"] for a, r in truth.items() if r["churn_date"]}
    assert churned, "the sample should contain cancellations"
    # Besides the troubled archetypes, a few accounts that were fine cancel quietly at a renewal.
    assert {truth[a]["archetype"] for a in churned} <= TROUBLED | {"never_activated"} | set(QUIET_CHURN)
    for account, churn_date in churned.items():
        crm = last_accounts[account]
        assert crm["Status__c"] == "Cancelled" and crm["Cancellation_Date__c"] == churn_date
    last_event: dict[str, str] = {}
    for e in events:
        last_event[e["_account"]] = max(last_event.get(e["_account"], ""), e["_ts"][:10])
    for account, churn_date in churned.items():
        assert last_event.get(account, "") <= churn_date, account
    not_churned = [a for a, r in truth.items() if not r["churn_date"]]
    assert all(last_accounts[a]["Status__c"] != "Cancelled" for a in not_churned)


def test_users_stay_near_licenses_and_growing_accounts_fill_them(
    truth: dict, last_accounts: dict, events: list[dict]
) -> None:
    users: dict[str, set[str]] = defaultdict(set)
    for e in events:
        users[e["_account"]].add(e["_user"])
    for account, crm in last_accounts.items():
        assert len(users[account]) <= int(crm["Licenses__c"]) * 1.1 + 1, account
    growing = [a for a, r in truth.items() if r["archetype"] == "growing_to_capacity"]
    assert growing
    for account in growing:
        assert len(users[account]) >= 0.85 * int(last_accounts[account]["Licenses__c"])


def test_champion_stops_using_the_product(data: tuple[Path, dict], truth: dict, events: list[dict]) -> None:
    first_export = sorted((data[0] / "crm").glob("Contact-*.csv"))[0]
    champions = {
        r["App_User_Id__c"]
        for r in _csv(first_export)
        if r["Contact_Role__c"] == "Champion"
        and truth[f"A{r['App_User_Id__c'][1:7]}"]["archetype"] == "champion_leaving"
    }
    assert champions
    last_seen: dict[str, str] = {}
    for e in events:
        if e["_user"] in champions:
            last_seen[e["_user"]] = max(last_seen.get(e["_user"], ""), e["_ts"][:10])
    for user in champions:
        assert last_seen.get(user, "") < str(END - dt.timedelta(days=30)), user


def test_salesforce_ids_and_parents(data: tuple[Path, dict], last_accounts: dict) -> None:
    ids: set[str] = set()
    for path in (data[0] / "crm").glob(f"*-{END}.csv"):
        for row in _csv(path):
            for key in ("Id", "ParentId", "AccountId", "WhoId"):
                if row.get(key):
                    assert re.fullmatch(r"[0-9A-Za-z]{18}", row[key]), (path.name, key, row[key])
            assert row["Id"] not in ids
            ids.add(row["Id"])
    by_sf = {r["Id"]: r for r in last_accounts.values()}
    children = [r for r in last_accounts.values() if r["ParentId"]]
    assert 2 <= len(children) <= 4 * max(1, ACCOUNTS // 40)
    assert all(c["ParentId"] in by_sf and not by_sf[c["ParentId"]]["ParentId"] for c in children)


def test_account_versions_change_only_with_fields(data: tuple[Path, dict]) -> None:
    seen: dict[tuple[str, str], tuple] = {}
    versions_per_account: Counter = Counter()
    for path in sorted((data[0] / "crm").glob("Account-*.csv")):
        for row in _csv(path):
            key = (row["Id"], row["LastModifiedDate"])
            fields = tuple(v for k, v in row.items() if k != "LastModifiedDate")
            if key in seen:
                assert seen[key] == fields  # same version, same values
            else:
                seen[key] = fields
                versions_per_account[row["Id"]] += 1
            assert row["LastModifiedDate"] >= row["CreatedDate"]
    assert max(versions_per_account.values()) > 1  # history exists
    # A later export with the same field values keeps the earlier LastModifiedDate.
    values_to_lmd: dict[tuple, set[str]] = defaultdict(set)
    for (_sf_id, lmd), fields in seen.items():
        values_to_lmd[fields].add(lmd)
    assert all(len(lmds) == 1 for lmds in values_to_lmd.values())


def test_crm_fields_follow_the_story(data: tuple[Path, dict], truth: dict, last_accounts: dict) -> None:
    rows = list(last_accounts.values())
    assert {r["Status__c"] for r in rows} <= {"Trial", "Free", "Paying", "Cancelled"}
    assert {r["Journey_Stage__c"] for r in rows} <= {"Onboarding", "Adoption", "Nurture", "Renewal"}
    assert {r["CSM_Sentiment__c"] for r in rows} <= {"None", "Low", "High", "Critical"}
    assert {r["Risk_Status__c"] for r in rows} <= {"", "At Risk", "Plan in Place", "Recovering", "Resolved"}
    assert {r["Success_Manager__c"] for r in rows} <= set(
        ("Alex Morgan", "Priya Raman", "Jordan Lee", "Maria Santos", "Tom Becker", "Grace Okoye")
    )
    for account, r in last_accounts.items():
        arch = truth[account]["archetype"]
        if r["Onboarding_Program__c"]:
            assert r["Onboarding_Program__c"] == (
                "Project" if r["Plan_Tier__c"] == "Enterprise" else "Digital"
            )
        if arch == "onboarding_stalled":
            assert r["Project_Status__c"] in ("Delayed", "Blocked") and r["Journey_Stage__c"] == "Onboarding"
        if truth[account]["churn_date"]:
            # A cancelled account the CSM flagged (or was told about) ends dissatisfied on seed 003's scale
            # (Low, High or Critical); one nobody saw coming keeps no risk status and no sentiment.
            flagged = r["Risk_Status__c"] in ("At Risk", "Plan in Place")
            assert (flagged and r["CSM_Sentiment__c"] != "None") or (
                r["Risk_Status__c"] == "" and r["CSM_Sentiment__c"] == "None"
            ), (account, r["Risk_Status__c"], r["CSM_Sentiment__c"])
        if arch == "onboarding_well":
            assert r["Onboarding_Program__c"] and dt.date.fromisoformat(r["Contract_Start_Date__c"]) >= START
    created_before = [r for r in rows if r["CreatedDate"][:10] < str(START)]
    assert len(created_before) > len(rows) / 2  # most accounts predate the period


def test_tickets_rise_with_trouble(data: tuple[Path, dict], truth: dict) -> None:
    tickets: dict[str, set[str]] = defaultdict(set)
    for path in (data[0] / "helpdesk").glob("tickets-*.csv"):
        for row in _csv(path):
            assert row["status"] in ("new", "open", "pending", "hold", "solved", "closed")
            assert row["priority"] in ("low", "normal", "high", "urgent")
            assert row["type"] in ("question", "incident", "problem", "task")
            assert row["satisfaction_rating"] in ("unoffered", "offered", "good", "bad")
            assert TICKET_TS.match(row["created_at"]) and TICKET_TS.match(row["updated_at"])
            assert (row["solved_at"] != "") == (row["status"] in ("solved", "closed"))
            tickets[row["organization_external_id"]].add(row["id"])
    mean = lambda accounts: sum(len(tickets[a]) for a in accounts) / len(accounts)  # noqa: E731
    healthy = [a for a, r in truth.items() if r["archetype"] == "healthy"]
    troubled = [a for a, r in truth.items() if r["archetype"] in TROUBLED]
    assert mean(troubled) > 1.3 * mean(healthy) > 0


def test_tasks_come_from_the_success_managers(data: tuple[Path, dict], last_accounts: dict) -> None:
    tasks = _csv(data[0] / "crm" / f"Task-{END}.csv")
    owner_of = {r["Id"]: r["Success_Manager__c"] for r in last_accounts.values()}
    tier_of = {r["Id"]: r["Plan_Tier__c"] for r in last_accounts.values()}
    assert all(t["Owner_Name__c"] == owner_of[t["AccountId"]] for t in tasks)
    assert {t["Type"] for t in tasks} <= {"Call", "Email", "Meeting", "QBR"}
    per_account = Counter(t["AccountId"] for t in tasks)
    tier_mean = {
        tier: sum(per_account[a] for a in tier_of if tier_of[a] == tier)
        / max(1, list(tier_of.values()).count(tier))
        for tier in ("Starter", "Enterprise")
    }
    assert tier_mean["Enterprise"] > 2 * tier_mean["Starter"]
    earlier = _csv(sorted((data[0] / "crm").glob("Task-*.csv"))[0])
    assert {t["Id"] for t in earlier} < {t["Id"] for t in tasks}  # each export holds all tasks so far


def test_cli_rejects_bad_arguments(tmp_path: Path) -> None:
    runner = CliRunner()
    for args, message in (
        (["--accounts", "0"], "--accounts"),
        (["--days", "0"], "--days"),
        (["--end-date", "2026-02-30"], "--end-date"),
        (["--sdr-share", "1.5"], "--sdr-share"),
    ):
        result = runner.invoke(generate, [*args, "--out", str(tmp_path / "bad")])
        assert result.exit_code == 2 and message in result.output, result.output
    assert not (tmp_path / "bad").exists()


def test_cli_writes_and_summarises(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        generate, ["--accounts", "3", "--days", "10", "--seed", "5", "--out", str(tmp_path / "o")]
    )
    assert result.exit_code == 0, result.output
    assert "events" in result.output and "events/s" in result.output and "accounts" in result.output
    assert len(list((tmp_path / "o" / "app_events").glob("segment-*.jsonl"))) == 10
    assert (tmp_path / "o" / "app_events" / "segment-2026-11-01.jsonl").exists()  # the fixed default end date


def test_bench_generate_reports_throughput(tmp_path: Path) -> None:
    from orchestration.bench.generate import bench_generate

    result = bench_generate(20_000, tmp_path / "bench")
    assert result["events"] > 5_000
    assert result["seconds"] > 0 and result["events_per_second"] > 0 and result["peak_rss_mb"] > 10


def test_billing_export_agrees_with_the_crm(data: tuple[Path, dict], truth: dict) -> None:
    """The last billing export and the last CRM export tell the same story: who pays, how much, who left."""
    out = data[0]
    crm = {r["App_Account_Id__c"]: r for r in _csv(out / "crm" / f"Account-{END}.csv")}
    lines = _csv(out / "billing" / f"subscriptions-{END}.csv")
    latest: dict[str, dict] = {}
    for line in lines:  # one subscription per account; the newest period is its state
        account = line["app_account_id (metadata)"]
        if (
            account not in latest
            or line["Current Period Start (UTC)"] > latest[account]["Current Period Start (UTC)"]
        ):
            latest[account] = line
    for account, row in crm.items():
        line = latest.get(account)
        if row["Status__c"] == "Free" or (line is None and row["Status__c"] == "Trial"):
            assert line is None or line["Status"] == "trialing", account
            continue
        assert line is not None, account
        if row["Status__c"] == "Cancelled":
            assert line["Status"] == "canceled" and line["Ended At (UTC)"][:10] == row["Cancellation_Date__c"]
            assert truth[account]["churn_date"] == row["Cancellation_Date__c"]
        elif row["Status__c"] == "Paying":
            assert line["Status"] == "active" and line["Ended At (UTC)"] == ""
            value = float(line["Amount"]) * int(line["Quantity"])
            assert abs(value - float(row["Contract_Value__c"])) < 0.01, account
            assert int(line["Quantity"]) == int(row["Licenses__c"])
            assert line["Current Period End (UTC)"][:10] == row["Renewal_Date__c"], account


def test_csm_flags_only_some_troubled_accounts_and_late() -> None:
    """CSM sentiment and risk status are set as people set them: for a share of the accounts in trouble,
    weeks after usage starts to slip, with false alarms on accounts that were never in trouble; some
    cancellations come without any warning in usage (a quiet cancellation at renewal)."""
    days, start = 365, dt.date(2025, 1, 1)
    plan = build_plan(300, days, start, 3, 0.0, day_factors(start, days))
    lags, unflagged, alarms, quiet = [], 0, 0, 0
    for i in range(plan.n):
        history = crm_writer._account_history(plan, i, np.random.default_rng([plan.seed, 5, i + 1]))
        at_risk = [day for day, _, s in history.versions(days - 1) if s.get("Risk_Status__c") == "At Risk"]
        trouble, churn = int(plan.trouble_day[i]), int(plan.churn_day[i])
        if plan.archetype_name(i) == "onboarding_stalled":
            continue  # flagged through its onboarding project
        if trouble < NO_DAY:
            if at_risk and at_risk[0] < churn:
                lags.append(at_risk[0] - trouble)
            else:
                unflagged += 1
        elif churn == NO_DAY:
            alarms += bool(at_risk)
        else:
            quiet += 1
    assert lags and unflagged > len(lags) / 3  # a CSM does not see every account in trouble
    assert min(lags) >= 0 and sorted(lags)[len(lags) // 2] >= 20  # and sees it weeks late
    assert alarms > 0 and quiet > 0
