"""`pulse health backtest` on a hand-built marts fixture whose figures are worked out by hand below, and
`pulse health validate` run as a user does (printed result, exit codes).

The fixture has only what the backtest reads: marts.fct_account_health_daily (account_id, as_of_date,
health_rank, status) and marts.dim_accounts (account_id, created_date, cancellation_date).
"""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import duckdb
import pytest

from orchestration.health.backtest import HORIZON_DAYS, run_backtest
from tests.support.commands import PROJECT_ROOT, pulse

START = dt.date(2026, 1, 1)  # day 0
DAYS = 200  # days 0..199; the last day of data, D, is day 199
G, A, P, U = "Good", "Average", "Poor", "Unknown"

# account: (created day, cancellation_date day or None, first day with status Cancelled or None,
#           [(first day, last day, rank), ...] covering created..199)
ACCOUNTS: dict[str, tuple[int, int | None, int | None, list[tuple[int, int, str]]]] = {
    # cancelled on day 150 (dim date wins over the CRM status, which lags to 152); Poor for the last 50 days
    "C1": (0, 150, 152, [(0, 99, G), (100, 149, P), (150, 199, U)]),
    # no cancellation date: cancelled by status on day 180; Poor 160..169, then recovers: not flagged
    "C2": (0, None, 180, [(0, 159, A), (160, 169, P), (170, 179, G), (180, 199, U)]),
    # created day 20, Poor its whole life until cancelling on day 100 (lead counts from its first day)
    "C3": (20, 100, 100, [(20, 99, P), (100, 199, U)]),
    # created day 20, no profile for 15 days (Unknown), Poor, a short Average, Poor again; cancels day 60
    "C4": (20, 60, 60, [(20, 34, U), (35, 44, P), (45, 49, A), (50, 59, P), (60, 199, U)]),
    # cancels on day 190 after 20 Poor days
    "C6": (0, 190, 190, [(0, 169, G), (170, 189, P), (190, 199, U)]),
    # cancellation date after the data (day 250): not a cancellation yet; Poor from day 100
    "C5": (0, 250, None, [(0, 99, G), (100, 199, P)]),
    # never cancels; always Good
    "G1": (0, None, None, [(0, 199, G)]),
    # never cancels; Poor 50..59 (outcome known) and 150..159 (day + 90 > D: outcome unknown, left out)
    "A0": (0, None, None, [(0, 49, G), (50, 59, P), (60, 149, G), (150, 159, P), (160, 199, G)]),
}

# Worked by hand (cancelled_on = cancellation_date, else the first Cancelled day; only <= D counts):
# cancelled accounts: C1 (150), C2 (180), C3 (100), C4 (60), C6 (190) -> 5 (C5's 250 is after D = 199).
#
# Rank N days before cancellation (Unknown and missing days are not ranked):
#   N=30: C1 d120 Poor, C2 d150 Average, C3 d70 Poor, C4 d30 Unknown (out), C6 d160 Good -> 2 of 4 = 50%
#   N=60: C1 d90 Good,  C2 d120 Average, C3 d40 Poor, C4 d0 no row (out),   C6 d130 Good -> 1 of 4 = 25%
#   N=90: C1 d60 Good,  C2 d90 Average,  C3 d10 no row, C4 none,            C6 d100 Good -> 0 of 3 = 0%
#
# Precision/recall over ranked account-days before the cancellation whose 90-day outcome is known
# (day + 90 <= 199, i.e. day <= 109, or the account cancelled). "Cancels soon": day in [c - 90, c - 1].
#   account  ranked days used       Poor days (predicted)  cancels soon (actual)   Poor and soon (TP)
#   C1       0..149                 100..149 = 50          60..149 = 90            50
#   C2       0..179                 160..169 = 10          90..179 = 90            10
#   C3       20..99                 20..99   = 80          20..99  = 80            80
#   C4       35..59 (20..34 Unknown) 35..44 + 50..59 = 20  35..59  = 25            20
#   C6       0..189                 170..189 = 20          100..189 = 90           20
#   C5       0..109                 100..109 = 10          0                       0
#   G1       0..109                 0                      0                       0
#   A0       0..109                 50..59   = 10          0                       0
#   total                           200                    375                     180
#   precision = 180 / 200 = 90%; recall = 180 / 375 = 48%
#
# Lead time (accounts Poor the day before cancelling; from the first day of the final Poor stretch):
#   C1 150 - 100 = 50; C2 not flagged (Good on day 179); C3 100 - 20 = 80 (Poor since creation);
#   C4 60 - 50 = 10 (the Average days 45..49 break the stretch); C6 190 - 170 = 20
#   4 of 5 flagged; sorted 10, 20, 50, 80 -> median (20 + 50) / 2 = 35 days
EXPECTED_SHARES = {30: 0.5, 60: 0.25, 90: 0.0}
EXPECTED_RANKED = {30: 4, 60: 4, 90: 3}
EXPECTED_LEADS = {"C1": 50, "C3": 80, "C4": 10, "C6": 20}
EXPECTED_LINES = [
    "Cancelled accounts: **5**",
    "| 30 | 4 | 50% |",
    "| 60 | 4 | 25% |",
    "| 90 | 3 | 0% |",
    "| precision | 90% (180 of 200 Poor account-days) |",
    "| recall | 48% (180 of 375 account-days before a cancellation) |",
    "| median lead time | 35 days (4 of 5 cancelled accounts were Poor the day before) |",
]


def _day(number: int) -> dt.date:
    return START + dt.timedelta(days=number)


def build_backtest_marts(path: Path) -> Path:
    rows, accounts = [], []
    for account, (created, cancellation, status_day, stretches) in ACCOUNTS.items():
        covered = [day for first, last, _ in stretches for day in range(first, last + 1)]
        assert covered == list(range(created, DAYS)), account  # one row per day since creation
        accounts.append((account, _day(created), None if cancellation is None else _day(cancellation)))
        for first, last, rank in stretches:
            for day in range(first, last + 1):
                status = "Cancelled" if status_day is not None and day >= status_day else "Paying"
                rows.append((account, _day(day), rank, status))
    con = duckdb.connect(str(path))
    try:
        con.execute("create schema marts")
        con.execute(
            "create table marts.dim_accounts (account_id varchar, created_date date, cancellation_date date)"
        )
        con.execute(
            "create table marts.fct_account_health_daily "
            "(account_id varchar, as_of_date date, health_rank varchar, status varchar)"
        )
        con.executemany("insert into marts.dim_accounts values (?, ?, ?)", accounts)
        con.executemany("insert into marts.fct_account_health_daily values (?, ?, ?, ?)", rows)
    finally:
        con.close()
    return path


@pytest.fixture(scope="module")
def marts(tmp_path_factory: pytest.TempPathFactory) -> Path:
    # not marts.duckdb: a catalog named marts would clash with the schema
    return build_backtest_marts(tmp_path_factory.mktemp("backtest") / "warehouse.duckdb")


def test_backtest_figures_are_those_worked_out_by_hand(marts: Path) -> None:
    assert HORIZON_DAYS == 90  # the hand computation above assumes it
    result = run_backtest(marts)
    assert result.cancelled_accounts == 5
    assert result.poor_share_before == EXPECTED_SHARES
    assert result.accounts_before == EXPECTED_RANKED
    assert (result.true_positives, result.predicted_poor, result.actual_cancelling) == (180, 200, 375)
    assert result.precision == pytest.approx(0.9) and result.recall == pytest.approx(0.48)
    assert result.leads == EXPECTED_LEADS
    assert result.flagged_accounts == 4 and result.median_lead_days == 35


def test_pulse_health_backtest_prints_the_figures(marts: Path, tmp_path: Path) -> None:
    env = _env(tmp_path)
    completed = pulse("health", "backtest", "--warehouse", str(marts), env=env)
    assert completed.returncode == 0
    printed = completed.stdout.splitlines()
    for line in EXPECTED_LINES:
        assert line in printed, (line, completed.stdout)
    missing = pulse("health", "backtest", "--warehouse", str(tmp_path / "nope.duckdb"), env=env, check=False)
    assert missing.returncode == 2 and "does not exist" in missing.stderr


def _env(tmp_path: Path) -> dict[str, str]:
    import os

    env = dict(os.environ)
    env.update(PULSE_WAREHOUSE=str(tmp_path / "absent.duckdb"))  # no warehouse: validate checks files only
    return env


def _health_seeds(folder: Path) -> Path:
    folder.mkdir()
    for path in (PROJECT_ROOT / "seeds").glob("health_*.csv"):
        shutil.copy(path, folder / path.name)
    return folder


def test_pulse_health_validate_exit_codes(tmp_path: Path) -> None:
    env = _env(tmp_path)
    good = pulse("health", "validate", "--seeds", str(_health_seeds(tmp_path / "good")), env=env)
    assert good.returncode == 0 and good.stdout.strip() == "health configuration OK"

    bad = _health_seeds(tmp_path / "bad")
    criteria = bad / "health_criteria.csv"
    lines = criteria.read_text().splitlines()
    number = next(i for i, line in enumerate(lines) if ",active_days_14d," in line)
    lines[number] = lines[number].replace(",active_days_14d,", ",active_dayz_14d,")
    criteria.write_text("\n".join(lines) + "\n")
    failed = pulse("health", "validate", "--seeds", str(bad), env=env, check=False)
    assert failed.returncode == 1, failed.stdout + failed.stderr
    assert f"{criteria}:{number + 1}: metric 'active_dayz_14d' is unknown" in failed.stderr
    assert "health configuration OK" not in failed.stdout
