"""The health invariants, the shipped lists and the logo churn against the generator's ground truth on a
`make demo`-sized warehouse (300 accounts, 365 days, seed 42), built the way `make demo` builds it: `pulse
generate` then `pulse run`. It takes four to seven minutes on 2 cores, so it is the acceptance run of `make
test-demo` (CI runs it after `make test`), not part of `make test`.

The same checks run on the session's 60-account warehouse (test_health_warehouse.py::test_health_invariants,
test_lists_warehouse.py, test_revenue_warehouse.py).
"""

from __future__ import annotations

from collections.abc import Iterator

import duckdb
import pytest

from tests.support.commands import BuiltWarehouse, pulse
from tests.support.ground_truth import logo_churn_against_ground_truth
from tests.support.health_invariants import health_invariant_violations, lifecycle_status_gaps

pytestmark = [pytest.mark.slow, pytest.mark.demo]

DEMO_ARGS = ["--accounts", "300", "--days", "365", "--seed", "42"]  # the Makefile's DEMO_* defaults


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> BuiltWarehouse:
    root = tmp_path_factory.mktemp("demo-warehouse")
    built = BuiltWarehouse(root, root / "landing", root / "warehouse.duckdb", root / "site")
    env = {**built.env(), "PULSE_LOG_DIR": str(root / "logs")}
    pulse("generate", *DEMO_ARGS, "--out", str(built.landing), "--quiet", env=env)
    pulse("run", env=env)
    return built


@pytest.fixture(scope="module")
def demo_con(demo: BuiltWarehouse) -> Iterator[duckdb.DuckDBPyConnection]:
    con = duckdb.connect(str(demo.warehouse), read_only=True)
    yield con
    con.close()


def test_health_invariants_on_the_demo_warehouse(demo_con: duckdb.DuckDBPyConnection) -> None:
    assert health_invariant_violations(demo_con) == {}
    # The demo's size and shape, so the invariants were checked on something.
    assert demo_con.execute("select count(*) from marts.dim_accounts").fetchone()[0] == 300
    days = demo_con.execute(
        "select count(distinct as_of_date) from marts.fct_account_health_daily"
    ).fetchone()[0]
    assert days >= 365
    ranks = dict(
        demo_con.execute(
            "select health_rank, count(*) from marts.fct_account_health_daily group by all"
        ).fetchall()
    )
    assert set(ranks) == {"Good", "Average", "Poor", "Unknown"}, ranks


def test_every_shipped_list_has_members_on_the_demo_warehouse(demo_con: duckdb.DuckDBPyConnection) -> None:
    """Issue 8's acceptance: on the demo data every shipped list (seeds/lists.csv) has members on some day."""
    import csv
    from pathlib import Path

    seeds = Path(__file__).resolve().parents[2] / "seeds" / "lists.csv"
    with seeds.open(newline="", encoding="utf-8") as handle:
        shipped = [row["list"] for row in csv.DictReader(handle)]
    members = dict(
        demo_con.execute(
            "select list, count(distinct account_id) from marts.fct_list_membership_daily group by list"
        ).fetchall()
    )
    assert [name for name in shipped if not members.get(name)] == []


def test_lifecycle_status_exists_for_every_account_and_day_on_the_demo(
    demo_con: duckdb.DuckDBPyConnection,
) -> None:
    """Issue 8's acceptance: on the demo data the lifecycle status exists for every account and day."""
    missing, extra, statuses = lifecycle_status_gaps(demo_con)
    assert (missing, extra) == (0, 0)
    assert statuses >= 8  # onboarding, core, renewal and cancelled statuses all occur in a year


def test_logo_churn_by_month_matches_the_ground_truth_on_the_demo(
    demo: BuiltWarehouse, demo_con: duckdb.DuckDBPyConnection
) -> None:
    """Issue 9's acceptance: on the demo data, Pulse's monthly logo churn equals an independent computation
    from the generator's ground truth, month by month, to the account."""
    differing, months, churned = logo_churn_against_ground_truth(demo_con, demo.landing)
    assert differing == []
    assert months >= 12 and churned > 0
