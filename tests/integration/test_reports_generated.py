"""The site and the health PDF that `pulse run` built from generated data (`built_warehouse`).

Every page is opened in headless Chromium (one browser, one page object for the whole walk), and the numbers
the pages print are compared with the marts they come from. A separate module from the fixture-based browser
tests: Playwright's sync API cannot start while another sync session is running in the same thread.
"""

from __future__ import annotations

import os
import re
from decimal import ROUND_HALF_UP, Decimal
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlparse

import duckdb
import pytest

from orchestration.reports.components import format_value
from tests.support.commands import BuiltWarehouse

pytestmark = [pytest.mark.browser, pytest.mark.slow]
PROJECT_ROOT = Path(__file__).resolve().parents[2]
MAIN_PAGES = ["index", "health", "data-quality", "accounts/index", "managers/index"]
RANKS = ["Good", "Average", "Poor", "Unknown"]

# One round trip per page: links (as written and as resolved), and every chart container's SVG.
PAGE_FACTS = """() => ({
    links: Array.from(document.querySelectorAll('a[href]'), a => [a.getAttribute('href'), a.href]),
    charts: Array.from(document.querySelectorAll('figure.chart'), figure => {
        const svgs = figure.querySelectorAll('svg');
        return {svgs: svgs.length, width: svgs.length ? svgs[0].getBoundingClientRect().width : 0};
    }),
    title: document.title,
    errorPage: document.querySelector('.page-error') !== null,
})"""


def _query(built: BuiltWarehouse, sql: str) -> list[tuple]:
    con = duckdb.connect(str(built.warehouse), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def _screenshot_dir() -> Path:
    folder = Path(os.environ.get("PULSE_SCREENSHOTS", PROJECT_ROOT / "var" / "screenshots")) / "generated"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture(scope="module")
def site(built_warehouse: BuiltWarehouse) -> Path:
    site = built_warehouse.site
    assert (site / "index.html").is_file(), f"no site in {site}: see {built_warehouse.root / 'run.log'}"
    return site


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    from orchestration.reports.pdf import launch_browser

    with sync_playwright() as playwright:
        chromium = launch_browser(playwright)
        yield chromium
        chromium.close()


def test_every_generated_page_opens_cleanly_offline(
    site: Path, built_warehouse: BuiltWarehouse, browser
) -> None:
    accounts = {row[0] for row in _query(built_warehouse, "select account_id from marts.dim_accounts")}
    files = sorted(site.rglob("*.html"))
    routes = [file.relative_to(site).with_suffix("").as_posix() for file in files]
    account_pages = {route.split("/", 1)[1] for route in routes if route.startswith("accounts/")}
    manager_pages = [route for route in routes if route.startswith("managers/") and route != "managers/index"]
    assert account_pages == accounts | {"index"}
    assert len(accounts) == 60 and manager_pages
    assert {"index", "health", "data-quality", "accounts/index", "managers/index"} <= set(routes)
    screenshots = {*MAIN_PAGES, f"accounts/{sorted(accounts)[0]}", manager_pages[0]}

    page = browser.new_page(viewport={"width": 1280, "height": 900})
    problems: list[str] = []
    requested: list[str] = []
    page.on(
        "console",
        lambda message: (
            problems.append(f"console {message.type}: {message.text}")
            if message.type in ("error", "warning")
            else None
        ),
    )
    page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
    page.on(
        "requestfailed", lambda request: problems.append(f"request failed: {request.url} {request.failure}")
    )
    page.on("request", lambda request: requested.append(request.url))
    shots = _screenshot_dir()
    failures: list[str] = []
    charts_seen = 0
    anchors: dict[Path, str] = {}
    for file, route in zip(files, routes, strict=True):
        problems.clear()
        page.goto(file.as_uri(), wait_until="load")
        facts = page.evaluate(PAGE_FACTS)
        failures += [f"{route}: {problem}" for problem in problems]
        if facts["errorPage"]:
            failures.append(f"{route}: rendered as an error page")
        for index, chart in enumerate(facts["charts"]):
            if chart["svgs"] != 1 or chart["width"] <= 100:
                failures.append(f"{route}: chart {index} has no (visible) svg: {chart}")
        charts_seen += len(facts["charts"])
        for written, resolved in facts["links"]:
            parsed = urlparse(written)
            if parsed.scheme or parsed.netloc or written.startswith("/"):
                failures.append(f"{route}: link {written!r} is not relative")
                continue
            if not parsed.path:  # an anchor on the same page
                target = file
            else:
                target = Path(unquote(urlparse(resolved).path))
                if site not in target.parents or not target.is_file():
                    failures.append(f"{route}: broken link {written!r}")
                    continue
            if parsed.fragment:
                html = anchors.setdefault(target, target.read_text())
                if f'id="{parsed.fragment}"' not in html:
                    failures.append(f"{route}: link {written!r} to a missing anchor")
        if route in screenshots:
            page.screenshot(path=str(shots / f"{route.replace('/', '__')}.png"), full_page=True)
    page.close()
    assert failures == [], "\n".join(failures[:50])
    assert charts_seen >= 60 * 3  # every account profile has charts
    # nothing was fetched but the pages themselves: no CDN, no server
    assert [url for url in requested if not url.startswith("file://")] == []
    for route in screenshots:
        assert (shots / f"{route.replace('/', '__')}.png").stat().st_size > 10_000, route


def _pdf_text(pdf: Path) -> str:
    from pypdf import PdfReader

    return "\n".join(page.extract_text() for page in PdfReader(str(pdf)).pages)


def test_health_pdf_prints_the_rank_distribution_of_the_latest_day(built_warehouse: BuiltWarehouse) -> None:
    pdf = built_warehouse.site / "pdf" / "health.pdf"
    assert pdf.stat().st_size > 10_000
    (as_of, total, *population) = _query(
        built_warehouse,
        """
        select as_of_date, accounts, good_accounts, average_accounts, poor_accounts, unknown_accounts
        from marts.fct_population_health_daily
        where segment_type = 'overall'
            and as_of_date = (select max(as_of_date) from marts.fct_population_health_daily)
        """,
    )[0]
    per_rank = dict(
        _query(
            built_warehouse,
            """
            select health_rank, count(*)
            from marts.fct_account_health_daily
            where as_of_date = (select max(as_of_date) from marts.fct_account_health_daily)
            group by health_rank
            """,
        )
    )
    counts = [per_rank.get(rank, 0) for rank in RANKS]
    assert counts == population and sum(counts) == total  # the two marts agree
    assert sum(1 for count in counts if count) >= 2  # the generated data has more than one rank

    text = _pdf_text(pdf)
    assert "Health dashboard" in text and str(as_of) in text
    section = text.split("Rank distribution", 1)[1].split("\nTrend", 1)[0]
    assert "Accounts by health rank" in section  # the chart
    for rank, count in zip(RANKS, counts, strict=True):
        share = format_value(float((Decimal(100 * count) / total).quantize(Decimal("0.1"), ROUND_HALF_UP)))
        pattern = rf"^{rank}\s+{count}\s+{re.escape(share)}%$"
        assert re.search(pattern, section, re.MULTILINE), f"{rank} {count} {share}% not in:\n{section}"


class _Tables(HTMLParser):
    """The rows of every table of a page, as the text of their cells."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: list[list[list[str]]] = []
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs) -> None:  # type: ignore[no-untyped-def]
        if tag == "table":
            self.tables.append([])
        elif tag == "tr" and self.tables:
            self.tables[-1].append([])
        elif tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None and self.tables and self.tables[-1]:
            self.tables[-1][-1].append(" ".join("".join(self._cell).split()))
            self._cell = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


def test_data_quality_shows_freshness_per_raw_table(site: Path, built_warehouse: BuiltWarehouse) -> None:
    html = (site / "data-quality.html").read_text()
    parser = _Tables()
    parser.feed(html)
    header = ["Raw table", "Rows", "Newest record at", "Last loaded at", "Hours since last load", "Status"]
    tables = [table for table in parser.tables if table and table[0] == header]
    assert len(tables) == 1, [table[0] for table in parser.tables if table]
    shown = {row[0]: row for row in tables[0][1:]}
    newest = {
        "raw.app_events": "event_at",
        "raw.helpdesk_tickets": "updated_at",
        "raw.crm_accounts": "last_modified_at",
        "raw.crm_contacts": "last_modified_at",
        "raw.crm_activities": "last_modified_at",
    }
    assert set(shown) == set(newest)
    for table, column in newest.items():
        rows, newest_at, loaded_at = _query(
            built_warehouse, f"select count(*), max({column}), max(_loaded_at) from {table}"
        )[0]
        assert rows > 0, table
        expected = [table, format_value(rows), format_value(newest_at), format_value(loaded_at)]
        assert shown[table][:4] == expected
        # loaded by this test session, minutes ago: fresh by the dbt source thresholds (warn after 2 days)
        assert float(shown[table][4].replace(",", "")) < 48, shown[table]
        assert shown[table][5] == "ok", shown[table]
    assert "Stale sources" not in html
