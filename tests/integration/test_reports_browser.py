"""The generated site in headless Chromium (Debian's chromium through Playwright), and the PDF output."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path
from urllib.parse import unquote, urlparse

import pytest

from orchestration.reports import build_site
from tests.support.marts_fixtures import ACCOUNTS, DAYS, _rank, build_fixture_warehouse

pytestmark = pytest.mark.browser
PROJECT_ROOT = Path(__file__).resolve().parents[2]
MAIN_PAGES = [
    "index",
    "health",
    "accounts/index",
    "accounts/A000002",
    "managers/index",
    "managers/Dana-Smith",
    "data-quality",
    "lifecycle",
    "lists/index",
    "lists/champions",
    "renewals",
    "revenue",
]


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_fixture_warehouse(tmp_path_factory.mktemp("browser-wh") / "warehouse.duckdb")


@pytest.fixture(scope="module")
def site(warehouse: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    result = build_site(warehouse, tmp_path_factory.mktemp("browser-site"), PROJECT_ROOT / "reports")
    assert result.errors == []
    return result.site_dir


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    from orchestration.reports.pdf import launch_browser

    with sync_playwright() as playwright:
        chromium = launch_browser(playwright)
        yield chromium
        chromium.close()


def _screenshot_dir() -> Path:
    folder = Path(os.environ.get("PULSE_SCREENSHOTS", PROJECT_ROOT / "var" / "screenshots"))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def test_every_page_opens_cleanly_offline(site: Path, browser) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    problems: list[str] = []
    page.on(
        "console",
        lambda message: (
            problems.append(f"console {message.type}: {message.text}")
            if message.type in ("error", "warning")
            else None
        ),
    )
    page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
    page.on("requestfailed", lambda request: problems.append(f"request failed: {request.url}"))
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    shots = _screenshot_dir()
    files = sorted(site.rglob("*.html"))
    assert len(files) == 20  # 13, Sync, Lifecycle, Renewals, Revenue, and the Lists page with its two lists
    charts_seen = 0
    for file in files:
        route = file.relative_to(site).with_suffix("").as_posix()
        problems.clear()
        page.goto(file.as_uri(), wait_until="load")
        assert problems == [], f"{route}: {problems}"
        # every chart container holds the SVG vl-convert rendered
        charts = page.locator("figure.chart")
        for index in range(charts.count()):
            assert charts.nth(index).locator("svg").count() == 1, f"{route}: chart {index} has no svg"
            assert charts.nth(index).locator("svg").bounding_box()["width"] > 100
        charts_seen += charts.count()
        # every link resolves to a file of the site (relative links, file://)
        hrefs = page.eval_on_selector_all("a[href]", "links => links.map(a => a.href)")
        for href in hrefs:
            parsed = urlparse(href)
            assert parsed.scheme == "file", f"{route}: non-local link {href}"
            target = Path(unquote(parsed.path))
            assert target.is_file(), f"{route}: broken link {href}"
            assert site in target.parents, f"{route}: link outside the site {href}"
            if parsed.fragment:
                page_html = target.read_text()
                assert f'id="{parsed.fragment}"' in page_html, f"{route}: missing anchor {href}"
        if route in MAIN_PAGES:
            page.screenshot(path=str(shots / f"{route.replace('/', '__')}.png"), full_page=True)
    assert charts_seen >= 20
    # nothing was fetched but the pages themselves: no CDN, no server
    assert all(url.startswith("file://") for url in requested), [
        u for u in requested if not u.startswith("file")
    ]
    page.close()


def test_renewals_page_links_every_renewal_to_its_account(site: Path, warehouse: Path, browser) -> None:
    import duckdb

    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        renewals = dict(con.execute("select account_id, account_name from marts.fct_renewals").fetchall())
    finally:
        con.close()
    assert renewals
    page = browser.new_page()
    page.goto((site / "renewals.html").as_uri())
    links = page.eval_on_selector_all(
        "table a[href*='accounts/']", "links => links.map(a => [a.href, a.text])"
    )
    linked = {Path(unquote(urlparse(href).path)).stem: text for href, text in links}
    assert {account: linked.get(account) for account in renewals} == renewals  # names shown as text
    for account in renewals:
        assert (site / "accounts" / f"{account}.html").is_file()
    page.close()


def test_tables_sort_and_filter(site: Path, browser) -> None:
    page = browser.new_page()
    page.goto((site / "accounts" / "index.html").as_uri())
    table = page.locator("table.data-table")
    rows = table.locator("tbody tr")
    assert rows.count() == 6
    page.fill(".table-filter", "initech")
    assert table.locator("tbody tr:visible").count() == 1
    assert "1 of 6 rows" in page.inner_text(".table-count")
    page.fill(".table-filter", "")
    score = table.locator("thead th", has_text="Health score").locator("button")
    score.click()
    first = rows.nth(0).inner_text()
    score.click()
    assert rows.nth(0).inner_text() != first
    assert table.locator("thead th", has_text="Health score").get_attribute("aria-sort") == "descending"
    page.close()


def test_script_account_is_text_in_the_browser(site: Path, browser) -> None:
    page = browser.new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    routes = ("accounts/A000002", "accounts/A000005", "index", "health", "managers/Dana-Smith")
    # Lists: a reason naming a user called <script>alert(3)</script>, on the list and account pages.
    for route in (*routes, "lists/index", "lists/champions", "lists/engagement_dropped", "accounts/A000001"):
        page.goto((site / f"{route}.html").as_uri())
        page.wait_for_timeout(50)
    assert dialogs == []
    page.goto((site / "accounts" / "A000002.html").as_uri())
    assert page.inner_text("h1") == "<script>alert(1)</script>"
    assert page.locator("main script").count() == 0
    page.close()


def test_health_dashboard_pdf_from_the_cli(warehouse: Path, tmp_path: Path) -> None:
    from pypdf import PdfReader

    out = tmp_path / "health.pdf"
    completed = subprocess.run(
        [
            sys.executable,
            "-m",
            "orchestration.cli",
            "report",
            "pdf",
            "health",
            "--warehouse",
            str(warehouse),
            "--site",
            str(tmp_path / "site"),
            "--out",
            str(out),
        ],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    assert completed.stdout.strip() == str(out)
    text = "\n".join(page.extract_text() for page in PdfReader(str(out)).pages)
    assert "Health dashboard" in text
    assert "Health of the customer base on 2026-03-01" in text
    # the fixture's latest day: Acme and the rising trial Good, Globex Average, Initech and the falling
    # account Poor, cancelled Hooli Unknown
    latest = Counter(_rank(account[-1], DAYS - 1) for account in ACCOUNTS)
    assert latest == {"Good": 2, "Average": 1, "Poor": 2, "Unknown": 1}
    section = text.split("Rank distribution", 1)[1].split("\nTrend", 1)[0]
    assert "Accounts by health rank" in section  # the chart, then its numbers as a table
    for rank, share in (("Good", "33.3"), ("Average", "16.7"), ("Poor", "33.3"), ("Unknown", "16.7")):
        assert re.search(rf"^{rank}\s+{latest[rank]}\s+{share}%$", section, re.MULTILINE), section
    assert "Poor accounts" in text and "Initech" in text
