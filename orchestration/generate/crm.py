"""Salesforce-style exports: monthly Account and Contact snapshots and the cumulative Task export.

Each account's history is a list of dated field changes (creation, trial conversion, journey stages,
renewals, risk and sentiment as the success manager reacts, cancellation). A snapshot shows the state
as of its export date, and LastModifiedDate moves only when a field really changed.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import polars as pl

from orchestration.generate import names as nm
from orchestration.generate.calendar import add_months, epoch_ms
from orchestration.generate.plan import NO_DAY, TIERS, Plan

ACCOUNT_HEADER = (
    "Id",
    "Name",
    "ParentId",
    "App_Account_Id__c",
    "Status__c",
    "Plan_Tier__c",
    "Contract_Value__c",
    "Licenses__c",
    "Contract_Start_Date__c",
    "Renewal_Date__c",
    "Cancellation_Date__c",
    "Success_Manager__c",
    "Company_Size__c",
    "Industry",
    "Journey_Stage__c",
    "Journey_Stage_Date__c",
    "Onboarding_Program__c",
    "Project_Status__c",
    "Risk_Status__c",
    "CSM_Sentiment__c",
    "CreatedDate",
    "LastModifiedDate",
)
CONTACT_HEADER = (
    "Id",
    "AccountId",
    "App_User_Id__c",
    "FirstName",
    "LastName",
    "Email",
    "Title",
    "Contact_Role__c",
    "CreatedDate",
    "LastModifiedDate",
)
TASK_HEADER = (
    "Id",
    "AccountId",
    "WhoId",
    "Subject",
    "Type",
    "ActivityDate",
    "Owner_Name__c",
    "Status",
    "CreatedDate",
    "LastModifiedDate",
)
TASK_TYPES = ("Call", "Email", "Meeting", "QBR")
TASK_SUBJECTS = {
    "Call": ("Check-in call", "Follow-up call", "Adoption call"),
    "Email": ("Sent usage summary", "Follow-up email", "Shared best practices"),
    "Meeting": ("Training session", "Success plan review", "Onboarding session"),
    "QBR": ("Quarterly business review",),
}
RISK_SUBJECTS = ("Risk review call", "Escalation follow-up", "Executive check-in")
SIZES = ("1-50", "51-200", "201-1000", "1000+")
DAY_MS = 86_400_000
NUMERIC = {"Contract_Value__c": pl.Float64, "Licenses__c": pl.Int64}


def export_days(plan: Plan) -> list[int]:
    """Monthly export dates going back from the end date, as day offsets (ascending)."""
    end = plan.date(plan.days - 1)
    out, k = [], 0
    while (day := (add_months(end, -k) - plan.start).days) >= 0:
        out.append(day)
        k += 1
    return sorted(out)


class _History:
    """Collects dated field changes for one record and replays them into versions."""

    def __init__(self, rng: np.random.Generator, start_ms: int, floor: int):
        self.rng, self.start_ms, self.floor, self.changes = rng, start_ms, floor, []

    def at(self, day: int, **fields: object) -> None:
        # Nothing can change before the record exists.
        self.changes.append((max(int(day), self.floor), len(self.changes), fields))

    def versions(self, last_day: int) -> list[tuple[int, int, dict]]:
        """(day, ms, state) after each change that altered a field, up to last_day."""
        out: list[tuple[int, int, dict]] = []
        state: dict = {}
        for day, _, fields in sorted(self.changes, key=lambda c: (c[0], c[1])):
            if day > last_day:
                break
            new = {**state, **fields}
            if new != state:
                ms = self.start_ms + day * DAY_MS + int(self.rng.uniform(8.0, 20.0) * 3_600_000)
                if out and ms <= out[-1][1]:
                    ms = out[-1][1] + 60_000  # keep versions strictly ordered in time
                out.append((day, ms, new))
                state = new
        return out


def _account_history(plan: Plan, i: int, rng: np.random.Generator) -> _History:
    p, days = plan, plan.days
    arch = p.archetype_name(i)
    c, cs, churn = int(p.created_day[i]), int(p.contract_start_day[i]), int(p.churn_day[i])
    free, tier = bool(p.free[i]), int(p.tier[i])
    date = lambda day: f"{p.date(day):%Y-%m-%d}"  # noqa: E731
    h = _History(rng, epoch_ms(p.start), c)
    program = ("Project" if tier == 2 else "Digital") if cs >= -365 else ""
    h.at(
        c,
        Status__c="Trial" if cs > c else ("Free" if free else "Paying"),
        Plan_Tier__c=TIERS[tier],
        Contract_Value__c=float(p.contract_value[i]),
        Licenses__c=int(p.licenses[i]),
        Contract_Start_Date__c=date(cs),
        Renewal_Date__c="" if free else date(cs + 365),
        Cancellation_Date__c="",
        Journey_Stage__c="Onboarding",
        Journey_Stage_Date__c=date(c),
        Onboarding_Program__c=program,
        Project_Status__c="On Track" if program else "",
        Risk_Status__c="",
        CSM_Sentiment__c="None",
    )
    if cs > c:
        h.at(cs, Status__c="Free" if free else "Paying")
    # CSM sentiment follows seed 003's scale: None (no known risk), Low (a general decline), High (the
    # customer has expressed dissatisfaction), Critical (decided or near a decision to cancel).

    # Journey: onboarding ends (or never does), then adoption, nurture, and the renewal cycle.
    if arch == "onboarding_stalled":
        delayed = c + int(rng.integers(18, 30))
        blocked = delayed + int(rng.integers(20, 35))
        h.at(delayed, Project_Status__c="Delayed" if program else "", CSM_Sentiment__c="Low")
        h.at(blocked, Project_Status__c="Blocked" if program else "", Risk_Status__c="At Risk")
    elif arch == "never_activated":
        h.at(c + int(rng.integers(15, 25)), Project_Status__c="Delayed" if program else "")
    else:
        adopted = cs + int(rng.integers(40, 75) if arch == "onboarding_well" else rng.integers(45, 95))
        h.at(
            adopted,
            Journey_Stage__c="Adoption",
            Journey_Stage_Date__c=date(adopted),
            Project_Status__c="Completed" if program else "",
        )
        nurture = adopted + int(rng.integers(60, 120))
        h.at(nurture, Journey_Stage__c="Nurture", Journey_Stage_Date__c=date(nurture))
    licenses, value = int(p.licenses[i]), float(p.contract_value[i])
    renewal = cs + 365
    while not free and renewal - 90 <= days:
        h.at(renewal - 90, Journey_Stage__c="Renewal", Journey_Stage_Date__c=date(renewal - 90))
        if renewal >= churn:
            break
        if arch == "healthy" and rng.random() < 0.3:  # expansion at renewal
            licenses, value = int(round(licenses * 1.2)), round(value * 1.2, -2)
        h.at(
            renewal,
            Renewal_Date__c=date(renewal + 365),
            Journey_Stage__c="Nurture",
            Journey_Stage_Date__c=date(renewal),
            Licenses__c=licenses,
            Contract_Value__c=value,
        )
        renewal += 365

    # The success manager notices trouble late, and only for some accounts: a CSM with a full book sees a
    # share of the accounts in trouble (more of the big ones), weeks after usage starts to slip, often only
    # when the customer says so near the end. Their attention is drawn from its own stream so the rest of
    # the account's history does not depend on it.
    _csm_attention(h, p, i, np.random.default_rng([p.seed, 7, i + 1]), date)
    if churn < NO_DAY:
        h.at(churn, Status__c="Cancelled", Cancellation_Date__c=date(churn))
    return h


# Share of troubled accounts a success manager flags, by tier (Starter, Professional, Enterprise), and
# the median lag in days between the first signs of trouble and the flag.
NOTICE_SHARE = (0.3, 0.45, 0.65)
NOTICE_LAG_DAYS = (50.0, 40.0, 28.0)
TOLD_SHARE = 0.35  # of the cancellations the CSM did not see coming, those the customer announces
FALSE_ALARM_SHARE = 0.12  # of accounts without trouble, those flagged At Risk once in a year


def _csm_attention(h: _History, p: Plan, i: int, rng: np.random.Generator, date) -> None:
    days, arch, tier = p.days, p.archetype_name(i), int(p.tier[i])
    c, churn, trouble = int(p.created_day[i]), int(p.churn_day[i]), int(p.trouble_day[i])
    # Draws happen in a fixed order whatever the branch, so each account's story is stable per seed.
    notices = rng.random() < NOTICE_SHARE[tier]
    lag = int(rng.lognormal(np.log(NOTICE_LAG_DAYS[tier]), 0.5))
    plan_after = int(rng.integers(20, 40))
    told = rng.random() < TOLD_SHARE
    told_before = int(rng.integers(1, 15))
    alarm = rng.random() < FALSE_ALARM_SHARE * 365 / max(days, 1)
    alarm_day = int(rng.integers(0, max(days - 80, 1)))
    if trouble < NO_DAY and arch != "onboarding_stalled":  # stalled onboardings are flagged by their project
        seen = max(trouble + lag, c + 7)
        if notices and seen < min(churn, days):
            h.at(seen, Risk_Status__c="At Risk", CSM_Sentiment__c="Low")
            h.at(seen + plan_after, Risk_Status__c="Plan in Place", CSM_Sentiment__c="High")
            if churn < NO_DAY and churn - 3 > seen:
                h.at(churn - int(rng.integers(3, min(15, churn - seen) + 1)), CSM_Sentiment__c="Critical")
            elif arch == "churning":  # saved
                h.at(days - 35, Risk_Status__c="Recovering")
                h.at(days - 5, Risk_Status__c="Resolved", CSM_Sentiment__c="None")
            return
    if churn < NO_DAY and told and churn - told_before > c:  # the customer announces it, days before
        h.at(churn - told_before, Risk_Status__c="At Risk", CSM_Sentiment__c="Critical")
    elif trouble == NO_DAY and churn == NO_DAY and alarm and days > 90:  # a scare that was resolved
        h.at(alarm_day, Risk_Status__c="At Risk", CSM_Sentiment__c="Low")
        h.at(alarm_day + 20, Risk_Status__c="Plan in Place")
        h.at(alarm_day + 45, Risk_Status__c="Recovering")
        h.at(alarm_day + 75, Risk_Status__c="Resolved", CSM_Sentiment__c="None")


def write_crm(plan: Plan, out_dir: Path) -> dict[str, int]:
    folder = out_dir / "crm"
    folder.mkdir(parents=True, exist_ok=True)
    exports = export_days(plan)
    last = plan.days - 1
    p = plan
    sf_acct = [nm.sf_id("001", i + 1, p.seed) for i in range(p.n)]
    static = []
    versions = []
    contacts: list[dict] = []
    for i in range(p.n):
        rng = np.random.default_rng([p.seed, 5, i + 1])
        static.append(
            {
                "Id": sf_acct[i],
                "Name": p.names[i],
                "ParentId": sf_acct[p.parent[i]] if p.parent[i] >= 0 else "",
                "App_Account_Id__c": p.account_ids[i],
                "Success_Manager__c": nm.SUCCESS_MANAGERS[p.csm[i]],
                "Company_Size__c": SIZES[p.size[i]],
                "Industry": p.industries[i],
            }
        )
        versions.append(_account_history(p, i, rng).versions(last))
        contacts.extend(_contacts(p, i, rng, len(contacts)))

    files = 0
    accounts = _version_table(
        [
            {**static[i], **state, "_day": day, "_ms": ms, "_created_ms": versions[i][0][1]}
            for i in range(p.n)
            for day, ms, state in versions[i]
        ],
        ACCOUNT_HEADER,
    )
    people = _version_table(
        [
            {**c["static"], **state, "_day": day, "_ms": ms, "_created_ms": c["versions"][0][1]}
            for c in contacts
            for day, ms, state in c["versions"]
        ],
        CONTACT_HEADER,
    )
    for e in exports:
        for name, table, header in (
            ("Account", accounts, ACCOUNT_HEADER),
            ("Contact", people, CONTACT_HEADER),
        ):
            # The latest version of every record that exists on the export date.
            snapshot = table.filter(pl.col("_day") <= e).unique("Id", keep="last", maintain_order=True)
            snapshot.select(header).write_csv(folder / f"{name}-{p.date(e):%Y-%m-%d}.csv")
            files += 1
    files += _write_tasks(p, folder, exports, sf_acct, contacts)
    return {"files": files, "accounts": p.n, "contacts": len(contacts)}


def _version_table(rows: list[dict], header: tuple[str, ...]) -> pl.DataFrame:
    """One row per record version (in record, then time order) with its export-ready columns."""
    fields = [h for h in header if h not in ("CreatedDate", "LastModifiedDate")]
    schema = {
        **{h: NUMERIC.get(h, pl.String) for h in fields},
        "_day": pl.Int64,
        "_ms": pl.Int64,
        "_created_ms": pl.Int64,
    }
    ts = lambda c: pl.col(c).cast(pl.Datetime("ms")).dt.strftime("%Y-%m-%dT%H:%M:%S.000Z")  # noqa: E731
    # Empty values become nulls so they are written as empty fields, as Salesforce exports do (not "").
    values = [[None if r.get(h) == "" else r.get(h) for h in schema] for r in rows]
    return pl.DataFrame(values, schema=schema, orient="row").with_columns(
        CreatedDate=ts("_created_ms"), LastModifiedDate=ts("_ms")
    )


def _contacts(p: Plan, i: int, rng: np.random.Generator, offset: int) -> list[dict]:
    """Admin, champion (app users), an executive sponsor (not a user) and a few user contacts."""
    first, k = int(p.first_user[i]), int(p.n_users[i])
    champ, admin = int(p.champion[i]), int(p.admin[i])
    c = int(p.created_day[i])
    acct_sf = nm.sf_id("001", i + 1, p.seed)
    people: list[tuple[int, str]] = [(admin, "Admin")] if champ != admin else []
    people.append((champ, "Champion"))
    people.append((-1, "Executive Sponsor"))
    people += [(u, "User") for u in range(first + 2, first + min(k, 5))]
    out = []
    for u, role in people:
        if u >= 0:
            fn, ln, email, uid = p.user_first[u], p.user_last[u], p.user_emails[u], p.user_ids[u]
            since = max(c, int(p.user_start[u]))
        else:
            fn = nm.FIRST_NAMES[rng.integers(len(nm.FIRST_NAMES))]
            ln = nm.LAST_NAMES[rng.integers(len(nm.LAST_NAMES))]
            email, uid, since = f"{fn}.{ln}.exec@{nm.domain_for(p.names[i])}".lower(), "", c
        h = _History(rng, epoch_ms(p.start), since)
        titles = nm.TITLES_BY_ROLE[role]
        h.at(since, Title=titles[rng.integers(len(titles))], Contact_Role__c=role)
        if role == "Champion" and p.leave_day[i] < NO_DAY:
            # The CRM learns late that the champion left; the next user contact takes over.
            h.at(
                int(p.leave_day[i]) + int(rng.integers(30, 60)),
                Contact_Role__c="User",
                Title="Former champion",
            )
        if role == "User" and u == first + 2 and p.leave_day[i] < NO_DAY:
            h.at(int(p.leave_day[i]) + int(rng.integers(60, 75)), Contact_Role__c="Champion")
        vs = h.versions(p.days - 1)
        if not vs:
            continue
        out.append(
            {
                "static": {
                    "Id": nm.sf_id("003", offset + len(out) + 1, p.seed),
                    "AccountId": acct_sf,
                    "App_User_Id__c": uid,
                    "FirstName": fn,
                    "LastName": ln,
                    "Email": email,
                },
                "versions": vs,
                "account": i,
                "role": role,
            }
        )
    return out


def _write_tasks(p: Plan, folder: Path, exports: list[int], sf_acct: list[str], contacts: list[dict]) -> int:
    """CSM touches: more for enterprise, during onboarding and when an account is in trouble."""
    rng = np.random.default_rng([p.seed, 6])
    horizon = p.days + 14  # tasks may be scheduled a little past the end date
    d = np.arange(horizon)
    weekday = np.array([(p.start + dt.timedelta(days=int(x))).weekday() < 5 for x in d])
    per_week = np.array([0.12, 0.3, 0.9])[p.tier]
    age = d[None, :] - p.created_day[:, None]
    trouble = (
        np.pad(p.trouble, ((0, 0), (0, horizon - p.days)), mode="edge")
        if p.days
        else np.zeros((p.n, horizon))
    )
    reacting = (d[None, :] >= p.trouble_day[:, None] + 7) * trouble
    rate = per_week[:, None] / 5.0 * np.where((age >= 0) & (age < 60), 2.5, 1.0) * (1.0 + 3.0 * reacting)
    alive = (age >= 0) & (d[None, :] < p.churn_day[:, None]) & weekday[None, :]
    counts = rng.poisson(np.where(alive, rate, 0.0))
    acct, day = np.nonzero(counts)
    rep = counts[acct, day]
    acct, day = np.repeat(acct, rep), np.repeat(day, rep)
    ttype = rng.choice(3, size=len(acct), p=[0.45, 0.35, 0.2])
    risky = reacting[acct, day] > 0.3
    # Quarterly business reviews for enterprise accounts.
    qa, qd = [], []
    for i in np.flatnonzero(p.tier == 2):
        q = int(p.contract_start_day[i]) + 91
        while q < min(horizon, int(p.churn_day[i])):
            if q >= 0 and q >= p.created_day[i]:
                qa.append(i)
                qd.append(q + (7 - (p.start + dt.timedelta(days=q)).weekday()) % 7 * (not weekday[q]))
            q += 91
    acct = np.concatenate([acct, np.array(qa, int)])
    day = np.minimum(np.concatenate([day, np.array(qd, int)]), horizon - 1)
    ttype = np.concatenate([ttype, np.full(len(qa), 3)])
    risky = np.concatenate([risky, np.zeros(len(qa), bool)])
    t = len(acct)
    pick = rng.integers(0, 3, t)
    subject = [
        RISK_SUBJECTS[k]
        if r and ty < 3
        else TASK_SUBJECTS[TASK_TYPES[ty]][k % len(TASK_SUBJECTS[TASK_TYPES[ty]])]
        for ty, k, r in zip(ttype.tolist(), pick.tolist(), risky.tolist(), strict=True)
    ]
    # Who: the champion contact, or the executive sponsor for QBRs.
    by_role = {(c["account"], c["role"]): c["static"]["Id"] for c in contacts}
    who = [
        by_role.get((a, "Executive Sponsor" if ty == 3 else "Champion"))
        for a, ty in zip(acct.tolist(), ttype.tolist(), strict=True)
    ]
    scheduled = rng.random(t) < np.where(ttype >= 2, 0.8, 0.15)
    activity_ms = (
        epoch_ms(p.start)
        + day.astype(np.int64) * DAY_MS
        + (rng.uniform(13.0, 22.0, t) * 3_600_000).astype(np.int64)
    )
    created_ms = (
        activity_ms
        - np.where(scheduled, rng.integers(3, 11, t), 0) * DAY_MS
        - np.where(scheduled, 0, -rng.integers(600_000, 7_200_000, t))
    )  # logged shortly after a touch
    completed_ms = np.where(scheduled, activity_ms + 3_600_000, created_ms)
    order = np.argsort(created_ms, kind="stable")
    base = pl.DataFrame(
        {
            "Id": [nm.sf_id("00T", n + 1, p.seed) for n in range(t)],
            "AccountId": pl.Series(sf_acct, dtype=pl.String).gather(acct[order]),
            "WhoId": pl.Series(who, dtype=pl.String).gather(order),
            "Subject": pl.Series(subject, dtype=pl.String).gather(order),
            "Type": pl.Series(TASK_TYPES).gather(ttype[order]),
            "ActivityDate": (
                pl.Series(day[order]).cast(pl.Int32) + (p.start - dt.date(1970, 1, 1)).days
            ).cast(pl.Date),
            "Owner_Name__c": pl.Series(nm.SUCCESS_MANAGERS).gather(p.csm[acct[order]]),
            "created_ms": created_ms[order],
            "completed_ms": completed_ms[order],
        }
    )
    ts = lambda e: e.cast(pl.Datetime("ms")).dt.strftime("%Y-%m-%dT%H:%M:%S.000Z")  # noqa: E731
    for e in exports:
        cutoff = epoch_ms(p.date(e + 1))
        done = pl.col("completed_ms") < cutoff
        base.filter(pl.col("created_ms") < cutoff).select(
            "Id",
            "AccountId",
            "WhoId",
            "Subject",
            "Type",
            pl.col("ActivityDate").dt.strftime("%Y-%m-%d"),
            "Owner_Name__c",
            pl.when(done).then(pl.lit("Completed")).otherwise(pl.lit("Not Started")).alias("Status"),
            ts(pl.col("created_ms")).alias("CreatedDate"),
            ts(pl.when(done).then("completed_ms").otherwise("created_ms")).alias("LastModifiedDate"),
        ).write_csv(folder / f"Task-{p.date(e):%Y-%m-%d}.csv")
    return len(exports)
