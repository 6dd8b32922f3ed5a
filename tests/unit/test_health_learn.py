"""`pulse health learn` and the churn risk score on a small synthetic warehouse with a planted rule.

The warehouse has only what the history reads: intermediate.int_account_metrics_daily (a few catalog
  metrics), marts.fct_account_health_daily (status) and marts.dim_accounts (cancellation dates). The planted
  rule: an account whose active days in the last 30 fall to a few cancels 60 days later; tickets and the
  Reports share are noise (and some healthy accounts have middling activity). The learner must find the rule
  on the fit period and keep its lift on the later validation period; the risk score must rank on it; and
  changing what happens after a day must not change that day's score.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import numpy as np
import pytest

from orchestration.health.history import load_history
from orchestration.health.learn import NotEnoughHistory, learn, write_candidate
from orchestration.metrics.catalog import load_catalog

START = dt.date(2026, 1, 1)
DAYS = 330
METRICS = ("active_days_30d", "tickets_30d", "reports_share_28d", "account_age_days")


def build_warehouse(path: Path, accounts: int = 150, churners: int = 50, seed: int = 3) -> Path:
    rng = np.random.default_rng(seed)
    rows, health, dims = [], [], []
    for a in range(accounts):
        account = f"A{a:03d}"
        churns = a < churners
        decline = int(rng.integers(40, DAYS - 70)) if churns else None
        cancel = decline + 60 if churns else None
        level = rng.uniform(12, 26) if rng.random() < 0.8 else rng.uniform(6, 11)
        for day in range(DAYS if cancel is None else cancel + 1):
            date = START + dt.timedelta(days=day)
            if churns and day >= decline:
                active = rng.integers(0, 4)
            else:
                active = np.clip(rng.normal(level, 2.5), 5, 30)
            status = "Cancelled" if cancel is not None and day >= cancel else "Paying"
            rows.append(
                (
                    account,
                    date,
                    float(round(active)),
                    float(rng.poisson(2)),
                    float(rng.uniform(0, 0.5)),
                    float(day + 1),
                )
            )
            health.append((account, date, status, "default", "Average"))
        dims.append((account, START, None if cancel is None else START + dt.timedelta(days=cancel)))
    return _write_warehouse(path, rows, health, dims)


def _write_warehouse(path: Path, rows: list, health: list, dims: list) -> Path:
    import pandas as pd

    metrics = pd.DataFrame(rows, columns=["account_id", "as_of_date", *METRICS])
    metrics["status"] = "Paying"
    health_frame = pd.DataFrame(
        health, columns=["account_id", "as_of_date", "status", "profile", "health_rank"]
    )
    dim_frame = pd.DataFrame(dims, columns=["account_id", "created_date", "cancellation_date"])
    con = duckdb.connect(str(path))
    try:
        con.execute("create schema intermediate; create schema marts")
        con.register("metrics_frame", metrics)
        con.register("health_frame", health_frame)
        con.register("dim_frame", dim_frame)
        con.execute(
            "create table intermediate.int_account_metrics_daily as select account_id, "
            "cast(as_of_date as date) as as_of_date, "
            + ", ".join(f"cast({m} as double) as {m}" for m in METRICS)
            + ", status from metrics_frame"
        )
        con.execute(
            "create table marts.fct_account_health_daily as select account_id, cast(as_of_date as date) "
            "as as_of_date, status, profile, health_rank from health_frame"
        )
        con.execute(
            "create table marts.dim_accounts as select account_id, "
            "cast(created_date as date) as created_date, "
            "cast(cancellation_date as date) as cancellation_date from dim_frame"
        )
    finally:
        con.close()
    return path


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_warehouse(tmp_path_factory.mktemp("learn") / "warehouse.duckdb")


def _catalog():
    catalog = load_catalog()
    return {name: catalog[name] for name in METRICS}


def test_the_learner_finds_the_planted_rule(synthetic: Path, tmp_path: Path) -> None:
    history = load_history(synthetic, metrics=_catalog())
    learned = learn(history, target_share=0.2, max_rules=3, form="rules")
    first = learned.rules[0]
    assert (first.metric, first.operator) == ("active_days_30d", "<=")
    assert 3 <= first.threshold <= 6  # declining accounts have 0-3, healthy ones at least 5
    assert {rule.metric for rule in learned.rules} <= set(METRICS)
    # validated on the later period, never used to choose the rule
    assert learned.validation.lift > 3 and learned.validation.recall > 0.5
    folder = write_candidate(learned, tmp_path / "candidate")
    criteria = (folder / "health_criteria.csv").read_text().splitlines()
    assert any(",Poor,active_days_30d,<=," in line for line in criteria)
    from orchestration.health.config import validate_health_config

    validate_health_config(folder)  # the candidate is a valid health configuration


def test_too_few_cancellations_says_how_many_are_needed(tmp_path: Path) -> None:
    few = build_warehouse(tmp_path / "few.duckdb", accounts=40, churners=4)
    with pytest.raises(NotEnoughHistory, match="needs at least 20"):
        learn(load_history(few, metrics=_catalog()))


def test_risk_score_ranks_on_the_signal_and_never_reads_a_later_day(synthetic: Path, tmp_path: Path) -> None:
    from orchestration.health.risk import predict, score_rows, train, validate

    history = load_history(synthetic, metrics=_catalog())
    model = train(history)
    figures = validate(model, history)
    # A third of each churner's 90 labelled days come before its decline (nothing to see yet): AUC is capped
    # well below 1 by construction.
    assert figures["auc"] > 0.75 and figures["lift_top_10pct"] > 3
    # Plain Python numbers: Dagster metadata and the validation table cannot take numpy scalars.
    assert all(value is None or type(value) in (float, int) for value in figures.values()), figures
    rows = score_rows(model, history)
    assert set(rows["risk_decile"]) <= set(range(1, 11))
    risky = rows["risk_decile"] == 10
    assert "active_days_30d" in set(rows["reason_1_metric"][risky])

    # Shift the future: every metric row after day D changes (the planted decline moves, values scramble).
    cutoff = START + dt.timedelta(days=200)
    shifted = tmp_path / "shifted.duckdb"
    shifted.write_bytes(synthetic.read_bytes())
    with duckdb.connect(str(shifted)) as con:
        con.execute(
            "update intermediate.int_account_metrics_daily set active_days_30d = 30 - active_days_30d, "
            "tickets_30d = tickets_30d + 7 where as_of_date > ?",
            [cutoff],
        )
    other = load_history(shifted, metrics=_catalog(), split_date=history.split_date)
    before = history.dates <= np.datetime64(cutoff)
    same = other.dates <= np.datetime64(cutoff)
    assert (history.account_ids[before] == other.account_ids[same]).all()
    np.testing.assert_array_equal(predict(model, history, before), predict(model, other, same))


def test_a_metric_unknown_in_the_fit_period_is_no_feature(synthetic: Path) -> None:
    """A metric whose source starts after the split (nothing known while fitting) used to stop the risk score
    (scikit-learn cannot bin a column with no value); it is left out, and the score still ranks."""
    from orchestration.health.risk import train, validate

    history = load_history(synthetic, metrics=_catalog())
    late = np.where(history.dates >= np.datetime64(history.split_date), 1.0, np.nan)
    history.numeric["late_metric"] = late
    history.text["late_category"] = np.where(np.isnan(late), None, "x").astype(object)
    model = train(history)
    assert "late_metric" not in model.numeric and "late_category" not in model.text
    assert "active_days_30d" in model.numeric
    assert validate(model, history)["auc"] > 0.75


def test_labels_wait_for_the_day_revenue_is_known_through(synthetic: Path, tmp_path: Path) -> None:
    """When billing is known only through an earlier day than the usage data (int_revenue_as_of), a
    cancellation after it cannot be seen yet: labels are known only up to that day less the horizon."""
    full = load_history(synthetic, metrics=_catalog())
    assert full.labels_known_through == full.last_day - dt.timedelta(days=full.horizon)
    earlier = tmp_path / "earlier.duckdb"
    earlier.write_bytes(synthetic.read_bytes())
    billing_known = full.last_day - dt.timedelta(days=60)
    with duckdb.connect(str(earlier)) as con:
        con.execute(
            "create table intermediate.int_revenue_as_of as select cast(? as date) as as_of_date",
            [billing_known],
        )
    history = load_history(earlier, metrics=_catalog())
    assert history.labels_known_through == billing_known - dt.timedelta(days=history.horizon)
    assert history.dates[history.known].max() == np.datetime64(history.labels_known_through)
    assert all(day <= billing_known for day in history.cancelled_on.values())
    assert len(history.cancelled_on) < len(full.cancelled_on)  # cancellations after it are not seen yet


def _history_with_a_late_and_an_early_sign(seed: int = 5):
    """In memory: a `late` sign on every one of a churner's last 29 days (never on a healthy account:
    precise, but too late to act on) and an `early` sign on half of the days 30 to 80 before its
    cancellation (and on 5% of healthy account-days: less precise, in time)."""
    from orchestration.health.history import History, split_date_for

    rng = np.random.default_rng(seed)
    days, accounts, churners = 400, 200, 80
    ids, dates, late, early, cancelled_on = [], [], [], [], {}
    for a in range(accounts):
        cancel = int(rng.integers(60, days)) if a < churners else None
        for day in range(days if cancel is None else cancel):
            left = None if cancel is None else cancel - day
            ids.append(f"A{a:03d}")
            dates.append(np.datetime64(START + dt.timedelta(days=day)))
            late.append(float(left is not None and left < 30))
            warn = (left is not None and 30 <= left <= 80 and rng.random() < 0.5) or rng.random() < 0.05
            early.append(float(warn))
        if cancel is not None:
            cancelled_on[f"A{a:03d}"] = START + dt.timedelta(days=cancel)
    ids, dates = np.array(ids, dtype=object), np.array(dates, dtype="datetime64[D]")
    cancel_day = np.array([np.datetime64(cancelled_on.get(a, "NaT")) for a in ids], dtype="datetime64[D]")
    left = (cancel_day - dates).astype("timedelta64[D]")
    label = ~np.isnat(left) & (left.astype(int) > 0) & (left.astype(int) <= 90)
    last = START + dt.timedelta(days=days - 1)
    known = dates <= np.datetime64(last - dt.timedelta(days=90))
    return History(
        account_ids=ids,
        dates=dates,
        numeric={"late_sign": np.array(late), "early_sign": np.array(early)},
        text={},
        label=label,
        known=known,
        cancelled_on=cancelled_on,
        last_day=last,
        horizon=90,
        split_date=split_date_for(START, last - dt.timedelta(days=90)),
        metrics={},
    )


def test_rules_earn_their_place_by_warnings_in_time() -> None:
    """With one rule allowed, the learner prefers the sign that warns 30+ days ahead (the `lead`) to a more
    precise one that fires only in the last days; with lead 0 (every cancelling day counts) it takes the
    late one."""
    history = _history_with_a_late_and_an_early_sign()
    in_time = learn(history, max_rules=1, form="rules")
    assert [(rule.metric, rule.operator) for rule in in_time.rules] == [("early_sign", ">=")]
    assert in_time.validation.lift > 2
    any_time = learn(history, max_rules=1, lead=0, form="rules")
    assert [(rule.metric, rule.operator) for rule in any_time.rules] == [("late_sign", ">=")]


def build_two_of_three(path: Path, accounts: int = 160, seed: int = 5) -> Path:
    """Three weak signs, each turning on for good on a random day for a random 45% of the accounts: few active
    days, many tickets, a low Reports share. An account cancels 60 days after its second sign turns on; one
    sign alone never leads to a cancellation."""
    rng = np.random.default_rng(seed)
    rows, health, dims = [], [], []
    for a in range(accounts):
        account = f"S{a:03d}"
        onsets = [int(rng.integers(20, DAYS - 40)) if rng.random() < 0.45 else None for _ in range(3)]
        known = sorted(day for day in onsets if day is not None)
        cancel = known[1] + 60 if len(known) >= 2 and known[1] + 60 < DAYS else None
        for day in range(DAYS if cancel is None else cancel + 1):
            on = [onset is not None and day >= onset for onset in onsets]
            rows.append(
                (
                    account,
                    START + dt.timedelta(days=day),
                    float(rng.integers(0, 5) if on[0] else rng.integers(7, 28)),
                    float(rng.integers(6, 11) if on[1] else rng.integers(0, 4)),
                    float(rng.uniform(0, 0.05) if on[2] else rng.uniform(0.1, 0.5)),
                    float(day + 1),
                )
            )
            status = "Cancelled" if cancel is not None and day >= cancel else "Paying"
            health.append((account, START + dt.timedelta(days=day), status, "default", "Average"))
        dims.append((account, START, None if cancel is None else START + dt.timedelta(days=cancel)))
    return _write_warehouse(path, rows, health, dims)


def test_the_scorecard_finds_two_of_three_weak_signs(tmp_path: Path) -> None:
    from orchestration.health.config import validate_health_config
    from orchestration.health.learn import poor_band

    history = load_history(build_two_of_three(tmp_path / "signs.duckdb"), metrics=_catalog())
    scorecard = learn(history, max_rules=3, lead=0)  # the default form
    assert scorecard.form == "scorecard" and scorecard.k == 2
    assert {rule.metric for rule in scorecard.rules} == set(METRICS) - {"account_age_days"}
    rules = learn(history, max_rules=3, lead=0, form="rules")
    # validated on the later period: far more precise than any-of rules (which flag every account with one
    # sign), catching most churners (the signs show 60 of the 90 days before a cancellation: recall <= 2/3)
    assert scorecard.validation.lift > 1.5 * rules.validation.lift
    assert scorecard.validation.recall > 0.45
    folder = write_candidate(scorecard, tmp_path / "candidate")
    validate_health_config(folder)  # a valid health configuration: the weighted model with a Poor band
    profile = (folder / "health_profiles.csv").read_text().splitlines()[1].split(",")
    assert profile[3:6] == ["weighted", "100", f"{poor_band(3, 2):g}"]
    criteria = (folder / "health_criteria.csv").read_text()
    assert ",risk,learned_tickets_30d_good,Good,tickets_30d,<," in criteria
    # the engine's arithmetic: a sign fires -> 0, else 100; Poor band between 1 and 2 signs of 3
    assert 100 * 1 / 3 <= poor_band(3, 2) < 100 * 2 / 3
