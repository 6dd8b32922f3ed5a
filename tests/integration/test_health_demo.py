"""The health invariants on a `make demo`-sized warehouse (300 accounts, 365 days, seed 42), built the way
`make demo` builds it: `pulse generate` then `pulse run`. It takes five to seven minutes on 2 cores, so it is
the acceptance run of `make test-demo` (CI runs it after `make test`), not part of `make test`.

The same checks run on the session's 60-account warehouse (test_health_warehouse.py::test_health_invariants).
"""

from __future__ import annotations

from collections.abc import Iterator

import duckdb
import pytest

from tests.support.commands import BuiltWarehouse, pulse
from tests.support.health_invariants import health_invariant_violations

pytestmark = [pytest.mark.slow, pytest.mark.demo]

DEMO_ARGS = ["--accounts", "300", "--days", "365", "--seed", "42"]  # the Makefile's DEMO_* defaults


@pytest.fixture(scope="module")
def demo_con(tmp_path_factory: pytest.TempPathFactory) -> Iterator[duckdb.DuckDBPyConnection]:
    root = tmp_path_factory.mktemp("demo-warehouse")
    built = BuiltWarehouse(root, root / "landing", root / "warehouse.duckdb", root / "site")
    env = {**built.env(), "PULSE_LOG_DIR": str(root / "logs")}
    pulse("generate", *DEMO_ARGS, "--out", str(built.landing), "--quiet", env=env)
    pulse("run", env=env)
    con = duckdb.connect(str(built.warehouse), read_only=True)
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
