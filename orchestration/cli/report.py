"""`pulse report ...`: render the report site and print pages to PDF."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import click


def _summarize_errors(errors: list) -> list[str]:
    # A broken block in a templated page fails every instance: report it once, with the count.
    grouped: dict[tuple[str, str | None, str], list[str]] = defaultdict(list)
    for error in errors:
        grouped[(error.source, error.block, error.message)].append(error.page)
    lines = []
    for (source, block, message), pages in grouped.items():
        where = f"block `{block}`" if block else "template"
        shown = ", ".join(pages[:3]) + (f" and {len(pages) - 3} more" if len(pages) > 3 else "")
        lines.append(f"reports/{source}, {where} (page {shown}): {message}")
    return lines


@click.group()
def report() -> None:
    """Render the report pages in reports/ to a static site (var/site by default) and print them to PDF."""


@report.command(short_help="Render every page to the static site.")
@click.option(
    "--warehouse",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="DuckDB file (default: $PULSE_WAREHOUSE or var/warehouse.duckdb).",
)
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Site folder (default: $PULSE_SITE_DIR or var/site).",
)
@click.option(
    "--pages",
    "pages_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Page sources (default: reports/).",
)
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    default=None,
    help="Processes rendering pages in parallel (default: $PULSE_REPORT_WORKERS or the number of CPUs).",
)
def build(warehouse: Path | None, out_dir: Path | None, pages_dir: Path | None, workers: int | None) -> None:
    """Render every page. A page whose SQL fails becomes an error page; the command then exits 1."""
    from orchestration.reports import build_site
    from orchestration.warehouse_lock import reading

    try:
        with reading(warehouse) as path:  # never waits for a build: the published copy meanwhile
            result = build_site(path, out_dir, pages_dir, workers=workers)
    except (FileNotFoundError, KeyError) as error:
        raise click.ClickException(str(error.args[0])) from None
    click.echo(f"Site: {result.index}")
    click.echo(f"Pages: {len(result.pages)} in {result.seconds:.1f} s")
    for page, href in result.broken_links:
        click.echo(f"warning: {page} links to {href}, which is not a page", err=True)
    if result.errors:
        click.echo(f"{len(result.errors)} page(s) failed to render (they show an error page):", err=True)
        for line in _summarize_errors(result.errors):
            click.echo(f"  {line}", err=True)
        raise SystemExit(1)


@report.command(short_help="Print one page to PDF with headless Chromium.")
@click.argument("page")
@click.option(
    "--out",
    "out_file",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="PDF file (default: <site>/pdf/<page>.pdf).",
)
@click.option("--warehouse", type=click.Path(dir_okay=False, path_type=Path), default=None)
@click.option("--site", "site_dir", type=click.Path(file_okay=False, path_type=Path), default=None)
def pdf(page: str, out_file: Path | None, warehouse: Path | None, site_dir: Path | None) -> None:
    """Render PAGE (e.g. health, accounts/A000001) fresh from the warehouse and print it to PDF."""
    from orchestration.reports import build_site
    from orchestration.reports.pdf import html_to_pdf, page_file
    from orchestration.settings import site_dir as default_site_dir
    from orchestration.warehouse_lock import reading

    site = site_dir or default_site_dir()
    try:
        with reading(warehouse) as path:
            result = build_site(path, site, only=[page])
    except (FileNotFoundError, KeyError) as error:
        raise click.ClickException(str(error.args[0])) from None
    if result.errors:
        raise click.ClickException("; ".join(_summarize_errors(result.errors)))
    html_file = page_file(site, page)
    route = html_file.relative_to(site).with_suffix("").as_posix()
    target = out_file or site / "pdf" / f"{route}.pdf"
    try:
        html_to_pdf(html_file, target)
    except FileNotFoundError as error:
        raise click.ClickException(str(error)) from None
    click.echo(str(target))
