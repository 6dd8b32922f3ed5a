"""Building the report site: every page file -> one or more HTML files, in worker processes if worth it.

A page whose SQL fails (or whose template is broken) is replaced by an error page naming the page and the
block; every other page still renders and the build result lists the failures (`pulse report build` then
exits 1). Root-relative links (/accounts/A000001) become relative file links that work from file://.
"""

from __future__ import annotations

import datetime as dt
import json
import multiprocessing
import os
import re
import shutil
import time
from collections.abc import Iterator, Mapping
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from html import unescape
from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import quote

import duckdb
import jinja2
from markupsafe import Markup, escape

from orchestration import settings
from orchestration.reports import components
from orchestration.reports.freshness import freshness_relation
from orchestration.reports.page import (
    PARAMS_BLOCK,
    SLUG_SQL,
    PageError,
    PageInstance,
    PageSource,
    discover_pages,
    load_shared_queries,
    slug,
)
from orchestration.reports.query import BlockError, Relation, SqlBlock, connect, run_block
from orchestration.reports.render import PageRenderer, render_title

HREF = re.compile(r'href="(/[^"]*)"')
MIN_PAGES_PER_WORKER = 20  # below this, starting worker processes costs more than it saves


@dataclass
class BuildResult:
    site_dir: Path
    pages: list[str]  # output files written, relative to site_dir (error pages included)
    errors: list[PageError]
    seconds: float
    broken_links: list[tuple[str, str]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def index(self) -> Path:
        return self.site_dir / "index.html"


@dataclass(frozen=True)
class Warehouse:
    """How every process of a build opens the warehouse: the file, and what the engine adds to it."""

    path: Path
    relations: tuple[Relation, ...]

    def connect(self) -> duckdb.DuckDBPyConnection:
        return connect(self.path, (SLUG_SQL,), self.relations)


# ---------------------------------------------------------------------------------------------- links


class LinkResolver:
    """Root-relative links (/health, /accounts/A000001) -> relative .html paths, so file:// works."""

    def __init__(self, outputs: set[str]) -> None:
        self.outputs = outputs
        self.broken: list[tuple[str, str]] = []

    def target(self, href: str) -> str:
        path, sep, fragment = unescape(href).partition("#")
        path = path.split("?", 1)[0]
        segments = [slug(part) for part in path.strip("/").split("/") if part]
        base = "/".join(segments)
        if not base:
            candidate = "index.html"
        elif f"{base}/index.html" in self.outputs and (
            path.endswith("/") or f"{base}.html" not in self.outputs
        ):
            candidate = f"{base}/index.html"
        else:
            candidate = f"{base}.html"
        return candidate + (sep + fragment if fragment else "")

    def rewrite(self, html: str, page_file: str) -> str:
        page_dir = os.path.dirname(page_file) or "."

        def replace(match: re.Match[str]) -> str:
            target = self.target(match[1])
            file_part = target.split("#", 1)[0]
            if file_part not in self.outputs:
                self.broken.append((page_file, match[1]))
            relative = os.path.relpath(file_part, page_dir)
            suffix = target[len(file_part) :]
            return f'href="{escape(quote(relative) + suffix)}"'

        return HREF.sub(replace, html)


# ---------------------------------------------------------------------------------------------- pages


def _instances(
    con: duckdb.DuckDBPyConnection, page: PageSource, blocks: Mapping[str, SqlBlock]
) -> tuple[list[PageInstance], PageError | None]:
    """The output pages of one page file: itself, or one per row of a templated page's `params`."""
    if page.param is None:
        output = f"{page.route}.html"
        return [PageInstance(page, page.route, output, {}, page.title)], None
    error_route = page.route
    if PARAMS_BLOCK not in {block.name for block in page.blocks}:
        message = f"a templated page needs a ```sql {PARAMS_BLOCK}``` block returning column `{page.param}`"
        return [], PageError(error_route, page.rel, None, message)
    try:
        result = run_block(con, blocks[PARAMS_BLOCK], blocks, {})
    except BlockError as error:
        return [], PageError(error_route, page.rel, error.block, error.message)
    if page.param not in result.columns:
        return [], PageError(error_route, page.rel, PARAMS_BLOCK, f"returns no column `{page.param}`")
    folder = page.route.rsplit("/", 1)[0] if "/" in page.route else ""
    instances, seen = [], {}
    for row in result:
        value = row[page.param]
        if value is None:
            continue
        name = slug(value)
        if name in seen and seen[name] != value:
            message = f"values {seen[name]!r} and {value!r} map to the same page file {name}.html"
            return [], PageError(error_route, page.rel, PARAMS_BLOCK, message)
        seen[name] = value
        route = f"{folder}/{name}" if folder else name
        params = row.as_dict()
        title_template = page.meta.get("title")
        title = str(value) if not title_template else render_title(str(title_template), params)
        instances.append(PageInstance(page, route, f"{route}.html", params, title))
    return instances, None


def iter_instances(
    con: duckdb.DuckDBPyConnection, pages: list[PageSource], shared: Mapping[str, SqlBlock]
) -> Iterator[PageInstance | PageError]:
    for page in pages:
        instances, error = _instances(con, page, {**shared, **{b.name: b for b in page.blocks}})
        if error:
            yield error
        yield from instances


def _nav(pages: list[PageSource]) -> list[tuple[str, str]]:
    listed = [page for page in pages if page.param is None and page.meta.get("nav", True)]
    listed.sort(key=lambda page: (int(page.meta.get("order", 100)), page.title))
    return [(page.title, "/" + ("" if page.route == "index" else page.route)) for page in listed]


def _layout() -> jinja2.Template:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(Path(__file__).parent / "templates")),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    return env.get_template("layout.html")


# ---------------------------------------------------------------------------------------------- workers


def default_workers() -> int:
    """$PULSE_REPORT_WORKERS, else the number of CPUs (at most 8): orchestration.settings."""
    return settings.report_workers()


class WorkerProcess:
    """The renderer of one worker process of the pool, created by the pool's initializer.

    A connection cannot be pickled, so each worker opens its own; the task function reaches the worker's
    renderer through this class. It is only ever set inside a spawned worker process (start() refuses to
    run in the building process), and the process ends with the pool: no build leaves state behind.
    """

    renderer: ClassVar[PageRenderer | None] = None

    @classmethod
    def start(cls, warehouse: Warehouse, shared: dict[str, SqlBlock]) -> None:
        if multiprocessing.parent_process() is None:
            raise RuntimeError("WorkerProcess.start is the initializer of a worker process")
        cls.renderer = PageRenderer(warehouse.connect(), shared)

    @classmethod
    def render(cls, instance: PageInstance) -> tuple[str, PageError | None]:
        if cls.renderer is None:
            raise RuntimeError("worker process not started")
        return cls.renderer.render(instance)


def _render_bodies(
    con: duckdb.DuckDBPyConnection,
    warehouse: Warehouse,
    shared: dict[str, SqlBlock],
    instances: list[PageInstance],
    workers: int,
) -> Iterator[tuple[str, PageError | None]]:
    """Page bodies in the order of `instances`: in this process, or spread over worker processes."""
    workers = min(workers, len(instances) // MIN_PAGES_PER_WORKER)
    if workers < 2:
        yield from map(PageRenderer(con, shared).render, instances)
        return
    # spawn, not fork: the parent holds an open DuckDB connection (and its threads)
    context = multiprocessing.get_context("spawn")
    chunksize = max(1, min(16, len(instances) // (workers * 8)))
    with ProcessPoolExecutor(workers, context, WorkerProcess.start, (warehouse, shared)) as pool:
        yield from pool.map(WorkerProcess.render, instances, chunksize=chunksize)


# ---------------------------------------------------------------------------------------------- build


def build_site(
    warehouse: Path | str | None = None,
    out_dir: Path | str | None = None,
    pages_dir: Path | str | None = None,
    only: list[str] | None = None,
    workers: int | None = None,
    dbt_project: Path | str | None = None,
    now: dt.datetime | None = None,
) -> BuildResult:
    """Render every page (or only the routes in `only`) into out_dir. Never raises for a page's SQL error.

    `workers` processes render pages in parallel (default: default_workers()); small builds stay in-process.
    `dbt_project` (default: the repository's) provides the `freshness_thresholds` relation. `now` (default:
    the clock, UTC) is the build's one "now", the `build_clock` relation every page reads (so the pages of a
    build agree, and a build can be repeated).
    """
    from orchestration.dbt_project import DBT_PROJECT_DIR
    from orchestration.reports.site import default_pages_dir, default_site_dir
    from orchestration.warehouse import warehouse_path

    started = time.monotonic()
    warehouse_file = Path(warehouse) if warehouse else warehouse_path()
    site = Path(out_dir) if out_dir else default_site_dir()
    source_dir = Path(pages_dir) if pages_dir else default_pages_dir()
    if not warehouse_file.exists():
        raise FileNotFoundError(
            f"warehouse not found: {warehouse_file} (run `pulse run` or set PULSE_WAREHOUSE)"
        )
    pages = discover_pages(source_dir)
    if not pages:
        raise FileNotFoundError(f"no report pages (*.md) under {source_dir}")
    shared = load_shared_queries(source_dir)
    now = now or dt.datetime.now(dt.UTC).replace(tzinfo=None)
    clock = Relation("build_clock", (("now_utc", "timestamp"),), ((now,),), "when this build ran (UTC)")
    setup = Warehouse(warehouse_file, (freshness_relation(Path(dbt_project or DBT_PROJECT_DIR)), clock))

    con = setup.connect()
    try:
        found = list(iter_instances(con, pages, shared))
        errors = [item for item in found if isinstance(item, PageError)]
        instances = [item for item in found if isinstance(item, PageInstance)]
        outputs = {instance.output for instance in instances}
        wanted = {route.strip("/").removesuffix(".html") or "index" for route in only} if only else None
        if wanted is not None:
            unknown = wanted - {instance.route for instance in instances}
            if unknown:
                raise KeyError(f"no such page: {', '.join(sorted(unknown))}")
            instances = [instance for instance in instances if instance.route in wanted]

        layout = _layout()
        resolver = LinkResolver(outputs)
        nav = _nav(pages)
        generated_at = now.strftime("%Y-%m-%d %H:%M UTC")
        written: list[str] = []
        bodies = _render_bodies(con, setup, shared, instances, workers or default_workers())
        for instance, (body, failed) in zip(instances, bodies, strict=True):
            if failed:
                errors.append(failed)
            html = layout.render(
                title=instance.title,
                body=Markup(body),
                nav=nav,
                current="/" + ("" if instance.route == "index" else instance.route),
                generated_at=generated_at,
                failed=failed is not None,
                script_hash=components.SCRIPT_HASH,
                script=Markup(components.TABLE_SCRIPT),
                style=Markup(components.STYLE),
            )
            html = resolver.rewrite(html, instance.output)
            target = site / instance.output
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(html, encoding="utf-8")
            written.append(instance.output)
    finally:
        con.close()

    if wanted is None:
        _remove_stale(site, set(written))
    result = BuildResult(site, written, errors, time.monotonic() - started, resolver.broken)
    manifest: dict[str, Any] = {
        "generated_at": generated_at,
        "pages": written,
        "errors": [vars(error) for error in errors],
        "seconds": round(result.seconds, 3),
    }
    if wanted is None:
        (site / "_build.json").write_text(json.dumps(manifest, indent=2), encoding="utf-8")
    return result


def _remove_stale(site: Path, written: set[str]) -> None:
    """Pages that no longer exist (an account removed) must not linger in the site."""
    for path in site.rglob("*.html"):
        if path.relative_to(site).as_posix() not in written:
            path.unlink()
    for folder in sorted(
        (p for p in site.rglob("*") if p.is_dir()), key=lambda p: len(p.parts), reverse=True
    ):
        if not any(folder.iterdir()):
            shutil.rmtree(folder)
