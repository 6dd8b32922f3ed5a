"""The Dagster publishing assets: the site and the leadership PDF, materialized on the fixture warehouse.

A separate module from the browser tests: Playwright's sync API cannot start while another sync session
(the browser fixture there) is running in the same thread.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.marts_fixtures import build_fixture_warehouse

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_fixture_warehouse(tmp_path_factory.mktemp("dagster-wh") / "warehouse.duckdb")


def test_dagster_assets_render_site_and_pdf(
    warehouse: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import dagster as dg

    from orchestration.defs.reports import defs

    site = tmp_path / "site"
    monkeypatch.setenv("PULSE_WAREHOUSE", str(warehouse))
    monkeypatch.setenv("PULSE_SITE_DIR", str(site))
    graph = defs.resolve_asset_graph()
    report_key = dg.AssetKey("report_site")
    assert graph.get(report_key).group_name == "reports"
    assert dg.AssetKey(["marts", "fct_account_health_daily"]) in graph.get(report_key).parent_keys
    assert report_key in graph.get(dg.AssetKey("health_dashboard_pdf")).parent_keys

    assets = [defs.resolve_assets_def("report_site"), defs.resolve_assets_def("health_dashboard_pdf")]
    result = dg.materialize(assets)
    assert result.success
    assert (site / "index.html").exists() and (site / "pdf" / "health.pdf").stat().st_size > 10_000
    checks = result.get_asset_check_evaluations()
    assert [check.passed for check in checks] == [True]
