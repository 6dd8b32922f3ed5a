"""Zendesk-style tickets: one CSV row per ticket version, one file per month of updated_at.

Ticket volume follows account size and trouble (a troubled account files several times as many
tickets); each ticket walks new -> open -> (pending/hold) -> solved -> closed.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import polars as pl

from orchestration.generate.calendar import add_months, epoch_ms
from orchestration.generate.plan import MODULES, Plan

HEADER = (
    "id",
    "organization_external_id",
    "requester_external_id",
    "subject",
    "status",
    "priority",
    "type",
    "created_at",
    "updated_at",
    "solved_at",
    "satisfaction_rating",
    "tags",
)
TYPES = ("question", "incident", "problem", "task")
PRIORITIES = ("low", "normal", "high", "urgent")
STATES = ("new", "open", "pending", "hold", "solved", "closed")
SUBJECTS = {
    "question": (
        "How do I set up {m}?",
        "Question about {m} permissions",
        "Where can I find {m} settings?",
        "Best practice for {m}",
    ),
    "incident": (
        "{m} not loading",
        "Error when saving in {m}",
        "{m} is very slow today",
        "Data missing in {m}",
    ),
    "problem": ("Recurring failures in {m}", "{m} sync keeps breaking", "Wrong numbers in {m} again"),
    "task": (
        "Please add users to our account",
        "Export our {m} data",
        "Update billing contact",
        "Enable {m} for our team",
    ),
}
TS = "%Y-%m-%dT%H:%M:%SZ"
HOUR_MS = 3_600_000
DAY_MS = 24 * HOUR_MS


def alive_users(plan: Plan) -> np.ndarray:
    """(accounts x days) count of users whose seat is in use that day."""
    delta = np.zeros((plan.n, plan.days + 1), np.int32)
    start = np.clip(plan.user_start, 0, plan.days)
    end = np.clip(plan.user_end, 0, plan.days)
    np.add.at(delta, (plan.user_acct, start), 1)
    np.add.at(delta, (plan.user_acct, end), -1)
    return np.cumsum(delta, axis=1)[:, : plan.days]


def write_tickets(plan: Plan, out_dir: Path) -> dict[str, int]:
    rng = np.random.default_rng([plan.seed, 3])
    folder = out_dir / "helpdesk"
    folder.mkdir(parents=True, exist_ok=True)
    d = np.arange(plan.days)
    users = alive_users(plan)
    age = d[None, :] - plan.created_day[:, None]
    onboarding = np.where((age >= 0) & (age < 45), 1.8, 1.0)
    rate = 0.011 * np.sqrt(np.maximum(users, 1)) * (1.0 + 4.0 * plan.trouble) * onboarding
    rate *= np.maximum(plan.day_factor, 0.25)[None, :]
    alive = (age >= 0) & (d[None, :] < plan.churn_day[:, None])
    counts = rng.poisson(np.where(alive, rate, 0.0))
    acct, day = np.nonzero(counts)
    rep = counts[acct, day]
    acct, day = np.repeat(acct, rep), np.repeat(day, rep)
    t = len(acct)
    trouble = plan.trouble[acct, day]
    troubled = trouble >= 0.3

    local_h = rng.uniform(8.0, 18.5, t)
    created = (
        epoch_ms(plan.start)
        + day.astype(np.int64) * DAY_MS
        + (((local_h - plan.tz[acct]) % 24.0) * HOUR_MS).astype(np.int64)
    )
    order = np.argsort(created, kind="stable")
    acct, day, trouble, troubled, created = (
        acct[order],
        day[order],
        trouble[order],
        troubled[order],
        created[order],
    )
    ticket_id = 10_001 + np.arange(t)

    # Requester: a user of the account whose seat is live that day (the admin if nobody else is).
    requester = plan.admin[acct].copy()
    for _ in range(6):
        cand = plan.first_user[acct] + (rng.random(t) * plan.n_users[acct]).astype(int)
        ok = (plan.user_start[cand] <= day) & (day < plan.user_end[cand])
        requester = np.where(ok, cand, requester)

    type_p = np.where(troubled[:, None], [0.3, 0.4, 0.2, 0.1], [0.45, 0.3, 0.08, 0.17])
    ttype = (rng.random(t)[:, None] >= np.cumsum(type_p, axis=1)).sum(axis=1).clip(0, 3)
    prio_p = np.where(troubled[:, None], [0.1, 0.45, 0.3, 0.15], [0.25, 0.57, 0.14, 0.04])
    prio = (rng.random(t)[:, None] >= np.cumsum(prio_p, axis=1)).sum(axis=1).clip(0, 3)
    module = rng.choice(len(MODULES), size=t, p=[0.35, 0.25, 0.15, 0.1, 0.07, 0.08])
    pick = rng.integers(0, 100, t)
    subjects = [
        SUBJECTS[TYPES[ty]][k % len(SUBJECTS[TYPES[ty]])].format(m=MODULES[m])
        for ty, k, m in zip(ttype.tolist(), pick.tolist(), module.tolist(), strict=True)
    ]
    tags = [
        f"{MODULES[m].lower()} {TYPES[ty]}" + (" at_risk" if tr else "")
        for m, ty, tr in zip(module.tolist(), ttype.tolist(), troubled.tolist(), strict=True)
    ]

    # Version times: new, open, pending, hold, solved, closed (present mask per ticket).
    times = np.zeros((t, 6), np.int64)
    present = np.ones((t, 6), bool)
    times[:, 0] = created
    times[:, 1] = created + (rng.uniform(0.1, 6.0, t) * HOUR_MS).astype(np.int64)
    present[:, 2] = rng.random(t) < 0.4
    times[:, 2] = times[:, 1] + (rng.uniform(2.0, 48.0, t) * HOUR_MS).astype(np.int64)
    present[:, 3] = rng.random(t) < 0.05
    times[:, 3] = times[:, 2] + (rng.uniform(4.0, 72.0, t) * HOUR_MS).astype(np.int64)
    median_h = np.array([30.0, 12.0, 6.0, 3.0])[prio] * np.where(troubled, 2.5, 1.0)
    resolve = (rng.lognormal(np.log(median_h), 0.9) * HOUR_MS).astype(np.int64)
    times[:, 4] = np.maximum(times[:, 3], times[:, 1]) + resolve
    times[:, 5] = times[:, 4] + 4 * DAY_MS
    end_ms = epoch_ms(plan.date(plan.days))  # exclusive end of the period
    present &= times < end_ms
    rating_final = np.where(
        rng.random(t) < 0.45,
        "offered",
        np.where(rng.random(t) < np.where(troubled, 0.45, 0.12), "bad", "good"),
    )

    tix, state = np.nonzero(present)
    rating = np.where(state < 4, "unoffered", np.where(state == 4, "offered", rating_final[tix]))
    solved_at = np.where(state >= 4, times[tix, 4], -1)
    df = pl.DataFrame(
        {
            "id": ticket_id[tix],
            "organization_external_id": pl.Series(plan.account_ids).gather(acct[tix]),
            "requester_external_id": pl.Series(plan.user_ids).gather(requester[tix]),
            "subject": pl.Series(subjects, dtype=pl.String).gather(tix),
            "status": pl.Series(STATES).gather(state),
            "priority": pl.Series(PRIORITIES).gather(prio[tix]),
            "type": pl.Series(TYPES).gather(ttype[tix]),
            "created_ms": created[tix],
            "updated_ms": times[tix, state],
            "solved_ms": solved_at,
            "satisfaction_rating": rating,
            "tags": pl.Series(tags, dtype=pl.String).gather(tix),
        }
    ).sort("updated_ms", "id")
    ts = lambda c: pl.col(c).cast(pl.Datetime("ms")).dt.strftime(TS)  # noqa: E731
    df = df.with_columns(
        created_at=ts("created_ms"),
        updated_at=ts("updated_ms"),
        solved_at=pl.when(pl.col("solved_ms") >= 0)
        .then(ts("solved_ms"))
        .otherwise(pl.lit(None, dtype=pl.String)),
        month=pl.col("updated_ms").cast(pl.Datetime("ms")).dt.strftime("%Y-%m"),
    )
    files = 0
    month = plan.start.replace(day=1)
    while month <= plan.date(plan.days - 1):
        key = f"{month:%Y-%m}"
        df.filter(pl.col("month") == key).select(HEADER).write_csv(folder / f"tickets-{key}.csv")
        files += 1
        month = add_months(month, 1)
    return {"tickets": t, "ticket_rows": df.height, "files": files}
