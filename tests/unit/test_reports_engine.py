"""The report engine's pieces: shared queries, the dbt freshness thresholds, no state kept between builds."""

from __future__ import annotations

import datetime as dt
import re
import shutil
from pathlib import Path

import duckdb
import pytest
import yaml

from orchestration.dbt_project import DBT_PROJECT_DIR
from orchestration.reports import build_site
from orchestration.reports.build import WorkerProcess
from orchestration.reports.freshness import source_freshness
from tests.support.marts_fixtures import ACCOUNTS, AS_OF, build_fixture_warehouse

PROJECT_ROOT = Path(__file__).resolve().parents[2]
PAGES = PROJECT_ROOT / "reports"


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_fixture_warehouse(tmp_path_factory.mktemp("engine-wh") / "warehouse.duckdb")


def _pages(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    return root


def _dbt_project(root: Path, sources_yaml: str) -> Path:
    (root / "models").mkdir(parents=True)
    (root / "dbt_project.yml").write_text("name: t\nmodel-paths: [models]\n")
    (root / "models" / "_sources.yml").write_text(sources_yaml)
    return root


# ------------------------------------------------------------------------------------------ shared queries


def test_the_repository_pages_share_the_as_of_query() -> None:
    shared = (PAGES / "queries" / "as_of.sql").read_text()
    assert "max(as_of_date)" in shared
    pages = [path for path in PAGES.rglob("*.md") if path.name != "README.md"]
    # the only max(as_of_date) left in a page is an account's own latest day of reasons
    leftovers = [
        (p.name, line) for p in pages for line in p.read_text().splitlines() if "max(as_of_date)" in line
    ]
    assert [(name, line.split(" where ")[0].strip()) for name, line in leftovers] == [
        ("[account_id].md", "select max(as_of_date) from marts.fct_account_health_reasons_daily")
    ]
    assert sum(p.read_text().count("${as_of}") for p in pages) >= 15


def test_shared_query_in_sql_and_text_and_a_page_block_wins(warehouse: Path, tmp_path: Path) -> None:
    pages = _pages(
        tmp_path / "pages",
        {
            "queries/as_of.sql": "-- a trailing comment must not swallow the subquery's parenthesis\n"
            "select max(as_of_date) as as_of_date from marts.fct_account_health_daily -- newest day",
            "queries/broken.sql": "select * from marts.no_such_table",
            "index.md": "```sql n\nselect count(*) as n from marts.fct_account_health_daily "
            "where as_of_date = (select as_of_date from ${as_of})\n```\n\n"
            "# As of {as_of[0].as_of_date}: {n[0].n} accounts\n",
            "own.md": "```sql as_of\nselect date '2000-01-02' as as_of_date\n```\n\n"
            "# Own {as_of[0].as_of_date}\n",
        },
    )
    result = build_site(warehouse, tmp_path / "site", pages)
    # the broken shared query is used by no page, so it never runs
    assert result.errors == []
    assert (
        f"<h1>As of {AS_OF.isoformat()}: {len(ACCOUNTS)} accounts</h1>"
        in (tmp_path / "site" / "index.html").read_text()
    )
    assert "<h1>Own 2000-01-02</h1>" in (tmp_path / "site" / "own.html").read_text()
    assert not (tmp_path / "site" / "queries").exists()  # shared queries are not pages


def test_a_broken_shared_query_names_its_file(warehouse: Path, tmp_path: Path) -> None:
    pages = _pages(
        tmp_path / "pages",
        {
            "queries/as_of.sql": "select max(nope) as as_of_date from marts.fct_account_health_daily",
            "index.md": "# {as_of[0].as_of_date}\n",
            "other.md": "```sql d\nselect * from ${as_of}\n```\n\n# {d[0].as_of_date}\n",
        },
    )
    result = build_site(warehouse, tmp_path / "site", pages)
    assert [(e.page, e.block) for e in result.errors] == [("index", "queries/as_of.sql"), ("other", "d")]
    assert "nope" in result.errors[0].message


# ---------------------------------------------------------------------------------------------- freshness


def test_freshness_thresholds_come_from_the_dbt_sources_yaml() -> None:
    sources = yaml.safe_load((PROJECT_ROOT / "models" / "staging" / "_raw__sources.yml").read_text())[
        "sources"
    ]
    declared = sources[0]["config"]["freshness"]
    found = {item.relation: item for item in source_freshness(DBT_PROJECT_DIR)}
    for table in ("app_events", "helpdesk_tickets", "crm_accounts", "crm_contacts", "crm_activities"):
        item = found[f"raw.{table}"]
        assert (item.warn_after.count, item.warn_after.period) == (
            declared["warn_after"]["count"],
            declared["warn_after"]["period"],
        )
        assert (item.error_after.count, item.error_after.period) == (
            declared["error_after"]["count"],
            declared["error_after"]["period"],
        )
        assert item.loaded_at_field == "_loaded_at"
    assert found["raw.loaded_files"].loaded_at_field == "loaded_at"  # a table's own setting wins
    assert "raw.rejects" not in found  # freshness: null turns the check off


def test_freshness_inheritance_and_overrides(tmp_path: Path) -> None:
    project = _dbt_project(
        tmp_path,
        """
sources:
  - name: landing
    schema: raw_in
    freshness:
      warn_after: {count: 12, period: hour}
    loaded_at_field: loaded
    tables:
      - name: a
      - name: b
        identifier: b_table
        config:
          freshness:
            error_after: {count: 1, period: day}
      - name: c
        freshness: null
  - name: plain
    tables:
      - name: d
""",
    )
    found = [
        (
            i.relation,
            i.loaded_at_field,
            i.warn_after and i.warn_after.label,
            i.error_after and i.error_after.label,
        )
        for i in source_freshness(project)
    ]
    assert found == [
        ("raw_in.a", "loaded", "12 hours", None),
        ("raw_in.b_table", "loaded", None, "1 day"),
    ]


def test_data_quality_page_uses_the_thresholds_of_the_dbt_project(warehouse: Path, tmp_path: Path) -> None:
    # a warehouse where app events were loaded 30 hours ago and everything else two weeks ago
    fresh = tmp_path / "warehouse.duckdb"
    shutil.copy(warehouse, fresh)
    con = duckdb.connect(str(fresh))
    con.execute(
        "update raw.app_events set _loaded_at = timezone('UTC', current_timestamp) - interval 30 hour"
    )
    con.execute(
        "update raw.crm_accounts set _loaded_at = timezone('UTC', current_timestamp) - interval 14 day"
    )
    con.close()
    pages = tmp_path / "pages"
    pages.mkdir()
    shutil.copy(PAGES / "data-quality.md", pages / "data-quality.md")
    shutil.copytree(PAGES / "queries", pages / "queries")

    def statuses(dbt_project: Path) -> tuple[str, dict[str, str]]:
        site = tmp_path / f"site-{dbt_project.name}"
        result = build_site(fresh, site, pages, dbt_project=dbt_project)
        assert result.errors == []
        html = (site / "data-quality.html").read_text()
        rows = re.findall(r"<td>(raw\.\w+)</td>.*?<td>(ok|warn|error)</td></tr>", html)
        return html, dict(rows)

    html, found = statuses(DBT_PROJECT_DIR)  # warn after 2 days, error after 7
    assert (
        "<strong>warn</strong> when nothing was loaded for 2 days, <strong>error</strong> after 7 days"
        in html
    )
    assert found["raw.app_events"] == "ok" and found["raw.crm_accounts"] == "error"
    assert found["raw.helpdesk_tickets"] == "error"  # empty

    strict = _dbt_project(
        tmp_path / "strict",
        """
sources:
  - name: raw
    config:
      freshness:
        warn_after: {count: 1, period: day}
        error_after: {count: 15, period: day}
      loaded_at_field: _loaded_at
    tables: [{name: app_events}, {name: helpdesk_tickets}, {name: crm_accounts}, {name: crm_contacts},
             {name: crm_activities}]
""",
    )
    html, found = statuses(strict)
    assert (
        "<strong>warn</strong> when nothing was loaded for 1 day, <strong>error</strong> after 15 days"
        in html
    )
    assert found["raw.app_events"] == "warn" and found["raw.crm_accounts"] == "warn"


# ----------------------------------------------------------------------------------------- no shared state


def test_two_builds_in_one_process_share_nothing(warehouse: Path, tmp_path: Path) -> None:
    # the second warehouse's newest day is a day earlier: a cached shared result would show the first's
    older = tmp_path / "older.duckdb"
    shutil.copy(warehouse, older)
    con = duckdb.connect(str(older))
    con.execute("delete from marts.fct_account_health_daily where as_of_date = ?", [AS_OF])
    con.close()
    pages = _pages(
        tmp_path / "pages",
        {
            "index.md": "# As of {as_of[0].as_of_date}\n\n"
            "<DataTable data={as_of} />\n<DataTable data={as_of} />\n",
            "queries/as_of.sql": "select max(as_of_date) as as_of_date from marts.fct_account_health_daily",
        },
    )
    first = build_site(warehouse, tmp_path / "first", pages)
    second = build_site(older, tmp_path / "second", pages)
    assert first.errors == second.errors == []
    first_html = (tmp_path / "first" / "index.html").read_text()
    second_html = (tmp_path / "second" / "index.html").read_text()
    assert f"As of {AS_OF}" in first_html
    assert f"As of {AS_OF - dt.timedelta(days=1)}" in second_html
    for html in (first_html, second_html):  # table ids count from 1 on every page of every build
        assert re.findall(r'<table class="data-table" id="([^"]+)"', html) == ["table-1", "table-2"]


def test_worker_state_lives_only_in_worker_processes(
    warehouse: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from orchestration.reports import build

    monkeypatch.setattr(build, "MIN_PAGES_PER_WORKER", 1)
    result = build_site(warehouse, tmp_path / "site", PAGES, workers=2)
    assert result.errors == [] and len(result.pages) == 20
    assert WorkerProcess.renderer is None  # the building process never holds a worker's renderer
    with pytest.raises(RuntimeError):
        WorkerProcess.start(None, {})  # type: ignore[arg-type]
