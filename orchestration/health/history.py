"""The warehouse's own history for learning: point-in-time metrics per account and day, and the cancellations.

One row per account and day the account was not yet cancelled (intermediate.int_account_metrics_daily, every
metric of the catalog as known at the end of that day), labelled "cancels within the next `horizon` days".
A label is known only when the whole horizon is inside the data (as_of_date + horizon <= the last day
cancellations are known for: the warehouse's last day, or the day revenue is known through when earlier,
orchestration.health.outcomes.outcomes_known_through), so the last `horizon` days are never used for fitting
or validation (otherwise only the accounts that did cancel would be known there, and every rule would look
better than it is).

The time split: rows before `split_date` fit, rows on or after it validate. Nothing here reads a metric of a
later day than the row's own (the metrics are point in time); only the label looks ahead, by definition.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import duckdb
import numpy as np

from orchestration.health.outcomes import CANCELLATIONS_SQL, outcomes_known_through
from orchestration.metrics.catalog import Metric, load_catalog

HORIZON_DAYS = 90
VALIDATION_SHARE = 1 / 3
# Text metrics with more distinct values than this (names, ids) are not features.
MAX_TEXT_VALUES = 12
EXCLUDED = ("status",)  # what the label is made of


@dataclass
class History:
    """Account-days with their metrics and labels, in (as_of_date, account_id) order."""

    account_ids: np.ndarray  # object
    dates: np.ndarray  # datetime64[D]
    numeric: dict[str, np.ndarray]  # metric -> float64 (nan = unknown)
    text: dict[str, np.ndarray]  # metric -> object (None = unknown)
    label: np.ndarray  # bool: cancels within the horizon
    known: np.ndarray  # bool: the label is known (the horizon is inside the data)
    cancelled_on: dict[str, dt.date]
    last_day: dt.date
    horizon: int
    split_date: dt.date | None
    metrics: dict[str, Metric]
    outcomes_known: dt.date | None = None  # the last day cancellations are known for (default: last_day)

    @property
    def labels_known_through(self) -> dt.date:
        """The last day whose label is known: the horizon ends by the day cancellations are known for."""
        return (self.outcomes_known or self.last_day) - dt.timedelta(days=self.horizon)

    @property
    def fit(self) -> np.ndarray:
        return self.known & (self.dates < np.datetime64(self.split_date))

    @property
    def validation(self) -> np.ndarray:
        return self.known & (self.dates >= np.datetime64(self.split_date))

    def cancelled_accounts(self, mask: np.ndarray) -> int:
        """Distinct accounts with a labelled cancellation among the rows of mask."""
        return len(set(self.account_ids[mask & self.label]))

    def features(self) -> list[str]:
        return [*self.numeric, *self.text]


def split_date_for(
    first: dt.date, last_labelled: dt.date, validation_share: float = VALIDATION_SHARE
) -> dt.date:
    """The first validation day: the last `validation_share` of the labelled days validate."""
    span = (last_labelled - first).days
    return first + dt.timedelta(days=int(round(span * (1 - validation_share))) + 1)


def load_history(
    warehouse: Path | str | None = None,
    con: duckdb.DuckDBPyConnection | None = None,
    horizon: int = HORIZON_DAYS,
    split_date: dt.date | None = None,
    metrics: dict[str, Metric] | None = None,
) -> History:
    """Read the history from a built warehouse (intermediate.int_account_metrics_daily and the marts)."""
    own = con is None
    con = con or duckdb.connect(str(warehouse), read_only=True)
    try:
        catalog = metrics or load_catalog()
        available = {
            row[0]
            for row in con.execute(
                "select column_name from information_schema.columns "
                "where table_schema = 'intermediate' and table_name = 'int_account_metrics_daily'"
            ).fetchall()
        }
        catalog = {name: m for name, m in catalog.items() if name in available and name not in EXCLUDED}
        last_day = con.execute("select max(as_of_date) from marts.fct_account_health_daily").fetchone()[0]
        outcomes_known = outcomes_known_through(con) or last_day
        cancelled = dict(con.execute(CANCELLATIONS_SQL, [outcomes_known]).fetchall())
        con.execute(
            f"create or replace temp table history_cancellations as {CANCELLATIONS_SQL}", [outcomes_known]
        )
        columns = ", ".join(f'm."{name}"' for name in catalog)
        table = con.execute(
            f"""
            select m.account_id, m.as_of_date, {columns}
            from intermediate.int_account_metrics_daily as m
            left join history_cancellations as c using (account_id)
            where m.as_of_date <= ?
              and (c.cancelled_on is null or m.as_of_date < c.cancelled_on)
              and coalesce(m.status, '') <> 'Cancelled'
            order by m.as_of_date, m.account_id
            """,
            [last_day],
        ).fetchnumpy()
    finally:
        if own:
            con.close()
    account_ids = np.asarray(table["account_id"], dtype=object)
    dates = np.asarray(table["as_of_date"]).astype("datetime64[D]")
    numeric: dict[str, np.ndarray] = {}
    text: dict[str, np.ndarray] = {}
    for name, metric in catalog.items():
        values = table[name]
        if metric.kind == "number":
            numeric[name] = np.ma.filled(np.ma.asarray(values).astype(float), np.nan)
        else:
            column = np.asarray(np.ma.filled(np.ma.asarray(values, dtype=object), None), dtype=object)
            if len({v for v in column if v is not None}) <= MAX_TEXT_VALUES:
                text[name] = column
    cancel_day = np.array(
        [np.datetime64(cancelled[a]) if a in cancelled else np.datetime64("NaT") for a in account_ids],
        dtype="datetime64[D]",
    )
    with np.errstate(invalid="ignore"):
        days_to_cancel = (cancel_day - dates).astype("timedelta64[D]").astype(float)
    label = np.nan_to_num(days_to_cancel, nan=-1) > 0
    label &= np.nan_to_num(days_to_cancel, nan=1e9) <= horizon
    last_labelled = outcomes_known - dt.timedelta(days=horizon)
    known = dates <= np.datetime64(last_labelled)
    # History starts when usage data does (accounts may have CRM days long before it): the first day any
    # app_events metric is known.
    tracked = np.zeros(len(dates), dtype=bool)
    for name, values in numeric.items():
        if catalog[name].sources == ("app_events",):
            tracked |= ~np.isnan(values)
    if tracked.any():
        known &= dates >= dates[tracked].min()
    if split_date is None and known.any():
        first = dates[known].min().astype(dt.date)
        split_date = split_date_for(first, last_labelled)
    return History(
        account_ids=account_ids,
        dates=dates,
        numeric=numeric,
        text=text,
        label=label,
        known=known,
        cancelled_on=cancelled,
        last_day=last_day,
        horizon=horizon,
        split_date=split_date,
        metrics=catalog,
        outcomes_known=outcomes_known,
    )
