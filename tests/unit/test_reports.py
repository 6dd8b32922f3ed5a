"""The report engine on a small synthetic warehouse: pages, templated pages, errors, escaping, links."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from orchestration.reports import build_site
from orchestration.reports.page import slug, to_jinja
from tests.support.marts_fixtures import ACCOUNTS, build_fixture_warehouse

PROJECT_ROOT = Path(__file__).resolve().parents[2]
PAGES = PROJECT_ROOT / "reports"


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_fixture_warehouse(tmp_path_factory.mktemp("report-wh") / "warehouse.duckdb")


@pytest.fixture(scope="module")
def site(warehouse: Path, tmp_path_factory: pytest.TempPathFactory):
    return build_site(warehouse, tmp_path_factory.mktemp("site"), PAGES)


def test_every_page_renders(site) -> None:
    assert site.errors == []
    assert site.broken_links == []
    expected = {
        "index.html",
        "health.html",
        "data-quality.html",
        "renewals.html",
        "revenue.html",
        "accounts/index.html",
        "managers/index.html",
        "sync.html",
        "lifecycle.html",
    }
    expected |= {f"accounts/{account[0]}.html" for account in ACCOUNTS}
    expected |= {"managers/Dana-Smith.html", "managers/Lee-O-Brien.html"}
    expected |= {"lists/index.html", "lists/champions.html", "lists/engagement_dropped.html"}
    assert set(site.pages) == expected
    for page in expected:
        assert (site.site_dir / page).stat().st_size > 1000


def test_home_shows_score_distribution_and_changes(site) -> None:
    html = (site.site_dir / "index.html").read_text()
    assert "Population health score" in html
    assert "Rank distribution" in html
    assert "What changed in the last 7 days" in html
    # the fixture's falling account dropped to Poor within the week and is linked to its profile
    assert 'href="accounts/A000002.html"' in html
    assert html.count('data-component="LineChart"') == 1 and html.count('data-component="BarChart"') == 1


def test_health_dashboard_segments_and_drilldown(site) -> None:
    html = (site.site_dir / "health.html").read_text()
    for heading in (
        "Rank distribution",
        "Trend",
        "By success manager",
        "By company size",
        "By tier",
        "Poor accounts",
        "Average accounts",
    ):
        assert f">{heading}</h2>" in html
    poor = html.split('id="poor-accounts"')[1].split('id="average-accounts"')[0]
    assert "Initech" in poor and "No activity for 15 days" in poor
    assert "Globex &amp; Sons" in html.split('id="average-accounts"')[1]
    assert 'href="managers/Dana-Smith.html"' in html


def test_account_profile_sections(site) -> None:
    html = (site.site_dir / "accounts" / "A000004.html").read_text()
    for section in (
        "Why this rank",
        "Health history",
        "Usage",
        "Modules used",
        "Recent activity",
        "Tickets",
        "Account information",
    ):
        assert f">{section}</h2>" in html
    for period in ("Today", "Yesterday", "Last 3 days", "Last 7 days", "Last 30 days"):
        assert f"<td>{period}</td>" in html
    assert "Engagement score" in html and "Usage frequency" in html and "Active users (14 days)" in html
    assert 'href="../managers/Lee-O-Brien.html"' in html
    assert 'href="../index.html"' in html  # the nav works from a subfolder


def test_manager_page_lists_only_their_accounts(site) -> None:
    html = (site.site_dir / "managers" / "Lee-O-Brien.html").read_text()
    assert "Initech" in html and "Globex &amp; Sons" in html
    assert "Acme Analytics" not in html
    assert "Lee O'Brien</h1>" in html


def test_data_quality_page(site) -> None:
    html = (site.site_dir / "data-quality.html").read_text()
    assert "missing required column account_id (sdr_o)" in html
    assert "app_events/segment-2026-03-01.jsonl" in html
    assert "raw.check_results not found in the warehouse" in html  # queried defensively


def test_values_are_escaped_everywhere(site) -> None:
    for path in site.site_dir.rglob("*.html"):
        html = path.read_text()
        assert "<script>alert" not in html, path
        assert 'href="javascript' not in html, path
        # the only script is the shipped table script, allowed by its hash in the CSP
        assert html.count("<script>") == 1, path
    profile = (site.site_dir / "accounts" / "A000002.html").read_text()
    assert "<h1>&lt;script&gt;alert(1)&lt;/script&gt;</h1>" in profile
    assert "<title>&lt;script&gt;alert(1)&lt;/script&gt; · Pulse</title>" in profile
    assert "Export fails &lt;b&gt;#0&lt;/b&gt;" in profile
    # Markdown syntax in data stays text: no emphasis, no link
    umbrella = (site.site_dir / "accounts" / "A000005.html").read_text()
    assert "<h1>Umbrella *Labs* | [x](javascript:alert(2))</h1>" in umbrella
    assert "<em>Labs</em>" not in umbrella
    home = (site.site_dir / "index.html").read_text()
    # in the chart SVG (vl-convert escapes text) and in the table
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in home


def test_markdown_in_values_is_not_interpreted(warehouse: Path, tmp_path: Path) -> None:
    pages = tmp_path / "pages"
    pages.mkdir()
    (pages / "index.md").write_text(
        "```sql a\nselect account_name from marts.dim_accounts where account_id = 'A000005'\n```\n\n"
        "# {a[0].account_name}\n\nName: **{a[0].account_name}**\n"
    )
    result = build_site(warehouse, tmp_path / "site", pages)
    html = (tmp_path / "site" / "index.html").read_text()
    assert result.errors == []
    assert "<h1>Umbrella *Labs* | [x](javascript:alert(2))</h1>" in html
    assert "<strong>Umbrella *Labs* | [x](javascript:alert(2))</strong>" in html
    assert "<em>" not in html and 'href="javascript' not in html


def test_a_heat_table_shades_cells_between_the_columns_minimum_and_maximum(
    warehouse: Path, tmp_path: Path
) -> None:
    pages = tmp_path / "pages"
    pages.mkdir()
    (pages / "index.md").write_text(
        "```sql cohorts\nselect * from (values ('2026-01', 1.0, 0.5, 'x'), ('2026-02', 0.75, null, 'y'))"
        " as t(cohort, m0, m1, note)\n```\n\n"
        '<DataTable data={cohorts} fmt="m0=pct:0,m1=pct:0" heat="m0,m1" />\n'
    )
    result = build_site(warehouse, tmp_path / "site", pages)
    assert result.errors == []
    html = (tmp_path / "site" / "index.html").read_text()
    assert 'rgba(14, 101, 184, 0.85); color: #ffffff">100%' in html  # the maximum: darkest
    assert 'rgba(14, 101, 184, 0.08); color: inherit">50%' in html  # the minimum: lightest
    assert "rgba(14, 101, 184, 0.47)" in html  # 75%: half way
    assert html.count("background-color") == 3  # not the empty cell, not the text column


def test_broken_sql_block_names_page_and_block_and_rest_renders(warehouse: Path, tmp_path: Path) -> None:
    pages = tmp_path / "pages"
    shutil.copytree(PAGES, pages)
    health = pages / "health.md"
    health.write_text(
        health.read_text().replace(
            "from marts.fct_account_health_reasons_daily as r", "from marts.no_such_table as r", 1
        )
    )
    site_dir = tmp_path / "site"
    result = build_site(warehouse, site_dir, pages)
    # the attention block and the blocks chained on it (poor, average, poor_count) are in one page: one error
    assert [(e.page, e.source, e.block) for e in result.errors] == [("health", "health.md", "attention")]
    assert "no_such_table" in result.errors[0].message
    error_page = (site_dir / "health.html").read_text()
    assert "This page failed to render" in error_page and "<code>attention</code>" in error_page
    assert len(result.pages) == 20  # everything else still rendered
    assert "Rank distribution" in (site_dir / "index.html").read_text()

    completed = subprocess.run(
        [
            sys.executable,
            "-m",
            "orchestration.cli",
            "report",
            "build",
            "--warehouse",
            str(warehouse),
            "--out",
            str(tmp_path / "site-cli"),
            "--pages",
            str(pages),
        ],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert completed.returncode == 1
    assert "reports/health.md, block `attention`" in completed.stderr
    assert "Pages: 20" in completed.stdout


def test_broken_block_in_a_template_fails_each_instance_once_reported(
    warehouse: Path, tmp_path: Path
) -> None:
    pages = tmp_path / "pages"
    (pages / "accounts").mkdir(parents=True)
    (pages / "index.md").write_text("# Home\n\n[Accounts](/accounts/A000001)\n")
    (pages / "accounts" / "[account_id].md").write_text(
        "```sql params\nselect account_id from marts.dim_accounts\n```\n\n"
        "```sql usage\nselect nope from marts.fct_account_usage_daily where account_id = $account_id\n```\n\n"
        "# {params.account_id}\n"
    )
    result = build_site(warehouse, tmp_path / "site", pages)
    assert {e.block for e in result.errors} == {"usage"}
    assert len(result.errors) == len(ACCOUNTS)
    assert (tmp_path / "site" / "index.html").exists()
    assert result.broken_links == []  # the error pages exist where the links point


def test_templated_pages_bind_parameters_safely(warehouse: Path, tmp_path: Path) -> None:
    pages = tmp_path / "pages"
    (pages / "people").mkdir(parents=True)
    (pages / "people" / "[manager].md").write_text(
        '---\ntitle: "{params.manager}"\n---\n'
        "```sql params\nselect distinct success_manager as manager from marts.dim_accounts "
        "where success_manager is not null\n```\n\n"
        "```sql mine\nselect count(*) as n from marts.dim_accounts where success_manager = $manager\n```\n\n"
        "# {params.manager}: {mine[0].n} accounts\n"
    )
    result = build_site(warehouse, tmp_path / "site", pages)
    assert result.errors == []
    html = (tmp_path / "site" / "people" / "Lee-O-Brien.html").read_text()
    assert "<h1>Lee O'Brien: 2 accounts</h1>" in html  # the quote went in as a bound parameter


def test_only_renders_the_requested_page(warehouse: Path, tmp_path: Path) -> None:
    result = build_site(warehouse, tmp_path / "site", PAGES, only=["accounts/A000003"])
    assert result.pages == ["accounts/A000003.html"]
    with pytest.raises(KeyError):
        build_site(warehouse, tmp_path / "site", PAGES, only=["accounts/A999999"])


def test_evidence_syntax_to_jinja() -> None:
    converted = to_jinja(
        '<BarChart data={rows} x=day y="a,b" title="For {params.x}" horizontal />\n{rows[0].n}'
    )
    assert converted.startswith(
        '{{ _component("BarChart", data=(rows), x="day", y="a,b", title="For " ~ (params.x)'
    )
    assert "horizontal=true" in converted
    assert converted.endswith("{{ rows[0].n }}")
    assert to_jinja("{% if x %}{{ y }}{% endif %}") == "{% if x %}{{ y }}{% endif %}"


def test_slug_matches_the_sql_macro(warehouse: Path) -> None:
    import duckdb

    from orchestration.reports.page import SLUG_SQL

    con = duckdb.connect(str(warehouse), read_only=True)
    con.execute(SLUG_SQL)
    for value in ["Lee O'Brien", " Dana  Smith ", "A000001", "Zoë & Co."]:
        assert con.execute("select pulse_slug(?)", [value]).fetchone()[0] == slug(value)
    con.close()


def test_bench_reports(warehouse: Path, tmp_path: Path) -> None:
    from orchestration.bench.reports import bench_reports

    result = bench_reports(warehouse, tmp_path / "site")
    assert result["pages"] == 20 and result["seconds"] > 0 and result["failed_pages"] == 0


def test_parallel_build_matches_serial_build(
    warehouse: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import datetime as dt
    import json
    import re
    from concurrent.futures import ProcessPoolExecutor

    from orchestration.reports import build

    pages = tmp_path / "pages"
    shutil.copytree(PAGES, pages)
    health = pages / "health.md"  # a broken block must be reported the same way by both builds
    health.write_text(
        health.read_text().replace(
            "from marts.fct_account_health_reasons_daily as r", "from marts.no_such_table as r", 1
        )
    )
    pools: list[int] = []

    class RecordingPool(ProcessPoolExecutor):
        def __init__(self, workers: int, *args, **kwargs) -> None:
            pools.append(workers)
            super().__init__(workers, *args, **kwargs)

    monkeypatch.setattr(build, "ProcessPoolExecutor", RecordingPool)
    monkeypatch.setattr(build, "MIN_PAGES_PER_WORKER", 1)  # the fixture site is small
    # One "now" for both builds: clock-derived figures (hours since the last load) are then equal too.
    now = dt.datetime(2026, 3, 2, 8, 0)
    serial = build_site(warehouse, tmp_path / "serial", pages, workers=1, now=now)
    assert pools == []
    parallel = build_site(warehouse, tmp_path / "parallel", pages, workers=2, now=now)
    assert pools == [2]

    assert parallel.pages == serial.pages and len(serial.pages) == 20
    assert parallel.errors == serial.errors
    assert [(e.page, e.block) for e in parallel.errors] == [("health", "attention")]
    assert parallel.broken_links == serial.broken_links

    def files(site: Path) -> dict[str, str]:
        generated = re.compile(r"Generated by Pulse on [^<]*|\"(generated_at|seconds)\": [^,\n]*")
        return {
            path.relative_to(site).as_posix(): generated.sub("", path.read_text(encoding="utf-8"))
            for path in sorted(site.rglob("*"))
            if path.is_file()
        }

    serial_files, parallel_files = files(tmp_path / "serial"), files(tmp_path / "parallel")
    assert serial_files.keys() == parallel_files.keys()
    assert [name for name in serial_files if serial_files[name] != parallel_files[name]] == []
    assert (
        json.loads((tmp_path / "parallel" / "_build.json").read_text())["errors"][0]["block"] == "attention"
    )
