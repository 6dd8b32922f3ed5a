"""Print a rendered page to PDF with headless Chromium (Debian's chromium, driven by Playwright)."""

from __future__ import annotations

from pathlib import Path

from orchestration import settings

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--headless",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def chromium_path() -> str:
    """$PULSE_CHROMIUM, else /usr/bin/chromium; a clear error when neither exists."""
    path = settings.chromium()
    if not Path(path).exists():
        raise FileNotFoundError(
            f"Chromium not found at {path}: install it (apt-get install -y chromium) or set PULSE_CHROMIUM"
        )
    return path


def launch_browser(playwright):  # type: ignore[no-untyped-def]
    return playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS, headless=True)


def html_to_pdf(html_file: Path | str, pdf_file: Path | str) -> Path:
    """Load the page from the file system (no server) and print it with the print stylesheet."""
    from playwright.sync_api import sync_playwright

    source = Path(html_file).resolve()
    target = Path(pdf_file).resolve()
    target.parent.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = launch_browser(playwright)
        try:
            page = browser.new_page()
            page.goto(source.as_uri(), wait_until="load")
            page.emulate_media(media="print")
            page.pdf(
                path=str(target),
                format="A4",
                print_background=True,
                margin={"top": "12mm", "bottom": "12mm", "left": "10mm", "right": "10mm"},
            )
        finally:
            browser.close()
    return target


def page_file(site_dir: Path, page: str) -> Path:
    """`health`, `/health`, `health.html`, `accounts/A000001` -> the page's file in the site."""
    route = page.strip("/").removesuffix(".html") or "index"
    return site_dir / f"{route}.html"
