"""Runs the generator: plan, app events day by day, tickets, CRM exports, ground truth."""

from __future__ import annotations

import datetime as dt
import hashlib
import shutil
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import polars as pl

from orchestration.generate.billing import contract_start_dates, write_billing
from orchestration.generate.calendar import day_factors
from orchestration.generate.crm import write_crm
from orchestration.generate.events import EventWriter
from orchestration.generate.helpdesk import write_tickets
from orchestration.generate.plan import ARCHETYPES, NO_DAY, build_plan

DEFAULT_END_DATE = dt.date(2026, 11, 1)  # fixed, so the same arguments give the same bytes on any day
DEFAULT_EVENTS_PER_USER_DAY = 5.0
SOURCE_FOLDERS = ("app_events", "helpdesk", "crm", "billing")


@dataclass(frozen=True)
class GenerateConfig:
    accounts: int
    days: int
    seed: int
    out: Path
    end_date: dt.date = DEFAULT_END_DATE
    gzip: bool = False
    sdr_share: float = 0.15
    events_per_user_day: float = DEFAULT_EVENTS_PER_USER_DAY
    clean: bool = False
    progress: bool = False

    def validate(self) -> None:
        if self.accounts < 1:
            raise ValueError("accounts must be at least 1")
        if self.days < 1:
            raise ValueError("days must be at least 1")
        if not 0.0 <= self.sdr_share <= 1.0:
            raise ValueError("sdr_share must be between 0 and 1")
        if self.events_per_user_day < 1.0:
            raise ValueError("events_per_user_day must be at least 1")

    @property
    def start_date(self) -> dt.date:
        return self.end_date - dt.timedelta(days=self.days - 1)

    def run_tag(self) -> str:
        """Prefix of every messageId: different arguments never produce colliding ids."""
        key = "|".join(
            str(v)
            for v in (
                self.seed,
                self.accounts,
                self.days,
                self.end_date,
                self.sdr_share,
                self.events_per_user_day,
            )
        )
        return hashlib.sha256(key.encode()).hexdigest()[:10]


@dataclass
class GenerateSummary:
    out: str
    start_date: str
    end_date: str
    accounts: int
    users: int
    events: int  # every app event row: Segment track + identify + group, and sdr rows
    track_events: int
    sdr_events: int
    identify_calls: int
    group_calls: int
    tickets: int
    ticket_rows: int
    contacts: int
    churned_accounts: int
    files: int
    seconds: float
    events_per_second: float

    def as_dict(self) -> dict:
        return asdict(self)


def generate_dataset(config: GenerateConfig) -> GenerateSummary:
    config.validate()
    t0 = time.perf_counter()
    out = Path(config.out)
    if config.clean:
        for folder in SOURCE_FOLDERS:
            shutil.rmtree(out / folder, ignore_errors=True)
        (out / "ground_truth.csv").unlink(missing_ok=True)
    out.mkdir(parents=True, exist_ok=True)
    start = config.start_date
    plan = build_plan(
        config.accounts, config.days, start, config.seed, config.sdr_share, day_factors(start, config.days)
    )

    writer = EventWriter(plan, out, config.gzip, config.events_per_user_day, config.run_tag())
    totals = {"track": 0, "sdr": 0, "identify": 0, "group": 0}
    from tqdm import tqdm  # imported here: the CLI's --help stays fast

    with tqdm(
        total=config.days,
        unit="day",
        desc="generate",
        file=sys.stderr,
        disable=not config.progress,
        leave=False,
    ) as bar:
        try:
            for d in range(config.days):
                for key, value in writer.write_day(d).items():
                    totals[key] += value
                bar.update(1)
                bar.set_postfix(events=sum(totals.values()), refresh=False)
            writer.flush(wait=True)
        finally:
            writer.close()

    tickets = write_tickets(plan, out)
    crm = write_crm(plan, out)
    billing = write_billing(plan, out)
    churned = plan.churn_day < NO_DAY
    pl.DataFrame(
        {
            "account_id": plan.account_ids,
            "archetype": [ARCHETYPES[a] for a in plan.archetype],
            "churn_date": [f"{plan.date(c):%Y-%m-%d}" if c < NO_DAY else None for c in plan.churn_day],
            # the first paid day (billing); null for free-plan accounts
            "contract_start_date": contract_start_dates(plan),
        }
    ).write_csv(out / "ground_truth.csv")

    seconds = time.perf_counter() - t0
    events = sum(totals.values())
    seen = (plan.user_start < config.days) & (plan.user_start < plan.user_end)
    return GenerateSummary(
        out=str(out),
        start_date=str(start),
        end_date=str(config.end_date),
        accounts=plan.n,
        users=int(seen.sum()),
        events=events,
        track_events=totals["track"],
        sdr_events=totals["sdr"],
        identify_calls=totals["identify"],
        group_calls=totals["group"],
        tickets=tickets["tickets"],
        ticket_rows=tickets["ticket_rows"],
        contacts=crm["contacts"],
        churned_accounts=int(churned.sum()),
        files=writer.files + tickets["files"] + crm["files"] + billing["files"] + 1,
        seconds=round(seconds, 3),
        events_per_second=round(events / seconds, 1) if seconds > 0 else 0.0,
    )
