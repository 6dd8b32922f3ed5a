"""The report engine: page files (Markdown + named SQL blocks + components) -> a static, offline HTML site.

A page is rendered in four steps:
1. its ```sql name``` fences are cut out and run against the warehouse (read-only) -> named results;
2. component tags (<BarChart data={block} .../>) and Evidence-style `{expr}` become Jinja calls/expressions;
3. Jinja (autoescape on) renders the Markdown; every data value is HTML-escaped *and* Markdown-escaped,
   components return opaque placeholder tokens;
4. markdown-it (raw HTML disabled) renders the Markdown, the tokens are swapped for the components' HTML,
   and root-relative links (/accounts/A000001) are rewritten to relative file links that work from file://.

A page whose SQL fails (or whose template is broken) is replaced by an error page naming the page and the
block; every other page still renders and the build result lists the failures.
"""

from __future__ import annotations

import datetime as dt
import decimal
import json
import multiprocessing
import os
import re
import shutil
import time
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from html import unescape
from pathlib import Path
from typing import Any
from urllib.parse import quote

import duckdb
import jinja2
import yaml
from markdown_it import MarkdownIt
from markupsafe import Markup, escape

from orchestration.reports import components

FENCE_OPEN = re.compile(r"^(?P<fence>`{3,}|~{3,})[ \t]*sql[ \t]+(?P<name>[A-Za-z_]\w*)(?P<opts>[^`\n]*)$")
TEMPLATE_STEM = re.compile(r"^\[(?P<param>[A-Za-z_]\w*)\]$")
CHAIN_REF = re.compile(r"\$\{\s*([A-Za-z_]\w*)\s*\}")
NAMED_PARAM = re.compile(r"(?<![\w$])\$([A-Za-z_]\w*)")
PLACEHOLDER = re.compile(r"PULSEPH(\d+)X")
PLACEHOLDER_PARAGRAPH = re.compile(r"<p>((?:\s*PULSEPH\d+X\s*)+)</p>")
HEADING = re.compile(r"<h([23])>(.*?)</h\1>")
HREF = re.compile(r'href="(/[^"]*)"')
# Markdown-significant ASCII punctuation in data values gets a backslash, so a value renders as text.
# & < > " ' are left to Jinja's HTML escaping (entities survive markdown-it unchanged in meaning).
MARKDOWN_SPECIALS = re.compile(r"([\\`*_{}\[\]()#+\-.!|~])")
SLUG_SQL = (
    "create or replace temp macro pulse_slug(x) as "
    "trim(regexp_replace(trim(x), '[^A-Za-z0-9_-]+', '-', 'g'), '-')"
)
SKIP_FILES = {"readme.md"}
PARAMS_BLOCK = "params"
MAX_WORKERS = 8  # vl-convert (the charts) is CPU-bound; more processes than cores only add memory
MIN_PAGES_PER_WORKER = 20  # below this, starting worker processes costs more than it saves


def slug(value: Any) -> str:
    """File-name-safe form of a parameter value; the SQL macro pulse_slug() computes the same thing."""
    text = re.sub(r"[^A-Za-z0-9_-]+", "-", str(value).strip()).strip("-")
    return text or "_"


# ---------------------------------------------------------------------------------------------- results


class Row:
    """One result row: row.col and row['col'] and row[0]. Not a dict, so a column may be called `items`."""

    __slots__ = ("_index", "_values")

    def __init__(self, index: dict[str, int], values: tuple[Any, ...]) -> None:
        self._index = index
        self._values = values

    def __getattr__(self, name: str) -> Any:
        try:
            return self._values[self._index[name]]
        except KeyError:
            raise AttributeError(name) from None

    def __getitem__(self, key: str | int) -> Any:
        if isinstance(key, int):
            return self._values[key]
        return self._values[self._index[key]]

    def __contains__(self, key: object) -> bool:
        return key in self._index

    def get(self, key: str, default: Any = None) -> Any:
        return self._values[self._index[key]] if key in self._index else default

    def as_dict(self) -> dict[str, Any]:
        return {name: self._values[i] for name, i in self._index.items()}

    def __repr__(self) -> str:
        return f"Row({self.as_dict()!r})"


class QueryResult(list):
    """A block's rows (a list of Row) and columns; `skipped` says why a guarded block did not run."""

    def __init__(self, name: str, columns: list[str], rows: list[Row], skipped: str | None = None) -> None:
        super().__init__(rows)
        self.name = name
        self.columns = columns
        self.skipped = skipped

    def records(self) -> list[dict[str, Any]]:
        return [row.as_dict() for row in self]


def _plain(value: Any) -> Any:
    # Decimal sums from DuckDB are shown and charted as floats.
    if isinstance(value, decimal.Decimal):
        return float(value)
    return value


# ---------------------------------------------------------------------------------------------- pages


@dataclass
class SqlBlock:
    name: str
    sql: str
    requires: list[str] = field(default_factory=list)
    line: int = 0


@dataclass
class PageSource:
    path: Path  # the .md file
    rel: str  # its path under the pages folder, e.g. accounts/[account_id].md
    route: str  # accounts/[account_id], health, index, accounts/index
    param: str | None  # the bracketed parameter of a templated page
    meta: dict[str, Any]
    body: str  # Markdown with the SQL fences cut out
    blocks: list[SqlBlock]

    @property
    def title(self) -> str:
        default = "Home" if self.route == "index" else self.route.rsplit("/", 1)[-1].replace("-", " ").title()
        return str(self.meta.get("title", default))


@dataclass
class PageError:
    page: str  # route of the page instance, e.g. accounts/A000001
    source: str  # page file, e.g. reports/accounts/[account_id].md
    block: str | None  # SQL block name, None for template errors
    message: str

    def __str__(self) -> str:
        where = f"block `{self.block}`" if self.block else "template"
        return f"page {self.page} ({self.source}), {where}: {self.message}"


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


class BlockError(Exception):
    def __init__(self, block: str | None, message: str) -> None:
        super().__init__(message)
        self.block = block
        self.message = message


def parse_page(path: Path, pages_dir: Path) -> PageSource:
    rel = path.relative_to(pages_dir).as_posix()
    text = path.read_text(encoding="utf-8")
    meta: dict[str, Any] = {}
    if text.startswith("---\n"):
        end = text.find("\n---", 4)
        if end != -1:
            loaded = yaml.safe_load(text[4:end]) or {}
            meta = loaded if isinstance(loaded, dict) else {}
            text = text[end + 4 :].lstrip("\n")
    body_lines: list[str] = []
    blocks: list[SqlBlock] = []
    lines = text.split("\n")
    i = 0
    while i < len(lines):
        match = FENCE_OPEN.match(lines[i].rstrip())
        if not match:
            body_lines.append(lines[i])
            i += 1
            continue
        fence, start = match["fence"], i
        sql_lines: list[str] = []
        i += 1
        while i < len(lines) and not (
            lines[i].strip().startswith(fence[0] * len(fence)) and not lines[i].strip().strip(fence[0])
        ):
            sql_lines.append(lines[i])
            i += 1
        i += 1  # the closing fence
        options = dict(re.findall(r"(\w+)=(\S+)", match["opts"]))
        requires = [name for name in options.get("requires", "").split(",") if name]
        blocks.append(SqlBlock(match["name"], "\n".join(sql_lines).strip(), requires, start + 1))
    stem = path.stem
    template = TEMPLATE_STEM.match(stem)
    route = path.relative_to(pages_dir).with_suffix("").as_posix()
    return PageSource(
        path, rel, route, template["param"] if template else None, meta, "\n".join(body_lines), blocks
    )


def discover_pages(pages_dir: Path) -> list[PageSource]:
    pages = []
    for path in sorted(pages_dir.rglob("*.md")):
        relative = path.relative_to(pages_dir)
        if path.name.lower() in SKIP_FILES or any(part.startswith(("_", ".")) for part in relative.parts):
            continue
        pages.append(parse_page(path, pages_dir))
    return pages


# ---------------------------------------------------------------------------------------------- SQL


def _expand_chains(sql: str, blocks: dict[str, SqlBlock], seen: tuple[str, ...] = ()) -> str:
    """`${other_block}` inside SQL becomes that block's query as a subquery (Evidence query chaining)."""

    def replace(match: re.Match[str]) -> str:
        name = match[1]
        if name not in blocks:
            raise BlockError(seen[-1] if seen else None, f"unknown block ${{{name}}}")
        if name in seen:
            raise BlockError(seen[-1], f"circular reference to ${{{name}}}")
        return "(" + _expand_chains(blocks[name].sql, blocks, (*seen, name)) + ")"

    return CHAIN_REF.sub(replace, sql)


def _relation_exists(con: duckdb.DuckDBPyConnection, relation: str) -> bool:
    schema, _, table = relation.rpartition(".")
    row = con.execute(
        "select count(*) from information_schema.tables where table_schema = ? and table_name = ?",
        [schema or "main", table],
    ).fetchone()
    return bool(row and row[0])


def run_block(
    con: duckdb.DuckDBPyConnection, block: SqlBlock, blocks: dict[str, SqlBlock], params: dict[str, Any]
) -> QueryResult:
    missing = [name for name in block.requires if not _relation_exists(con, name)]
    if missing:
        return QueryResult(block.name, [], [], skipped=f"{', '.join(missing)} not found in the warehouse")
    sql = _expand_chains(block.sql, blocks, (block.name,))
    used = {name: params[name] for name in NAMED_PARAM.findall(sql) if name in params}
    try:
        cursor = con.execute(sql, used) if used else con.execute(sql)
        columns = [column[0] for column in cursor.description or []]
        raw_rows = cursor.fetchall()
    except duckdb.Error as error:
        raise BlockError(block.name, str(error).strip()) from None
    index = {name: i for i, name in enumerate(columns)}
    rows = [Row(index, tuple(_plain(value) for value in raw)) for raw in raw_rows]
    return QueryResult(block.name, columns, rows)


# ---------------------------------------------------------------------------------------------- Markdown


def _finalize(value: Any) -> Any:
    """Every `{{ value }}` in a page: formatted, Markdown-escaped; Jinja then HTML-escapes it."""
    if isinstance(value, Markup):
        return value
    if isinstance(value, jinja2.Undefined):
        return ""
    text = components.format_value(value)
    return MARKDOWN_SPECIALS.sub(r"\\\1", text.replace("\r", " ").replace("\n", " "))


class RenderState:
    """Per-render registry of component HTML, swapped in for placeholder tokens after Markdown."""

    def __init__(self) -> None:
        self.fragments: list[str] = []
        self.open_tags: list[str] = []

    def token(self, html: str) -> Markup:
        self.fragments.append(html)
        return Markup(f"PULSEPH{len(self.fragments) - 1}X")


@jinja2.pass_context
def _component(ctx: jinja2.runtime.Context, name: str, **attrs: Any) -> Markup:
    state: RenderState = ctx["_pulse"]
    return state.token(components.render(name, attrs))


@jinja2.pass_context
def _close(ctx: jinja2.runtime.Context, name: str) -> Markup:
    return ctx["_pulse"].token(components.render_close(name))


@jinja2.pass_context
def _rank_filter(ctx: jinja2.runtime.Context, value: Any) -> Markup:
    return ctx["_pulse"].token(components.rank_badge(value))


def _attr_expr(raw: str) -> str:
    """One component attribute value -> a Jinja expression."""
    if raw.startswith("{") and raw.endswith("}"):
        return "(" + raw[1:-1].strip() + ")"
    if raw[:1] in "\"'":
        # a quoted string may interpolate {expr}: "Accounts of {params.manager}"
        parts = re.split(r"\{([^{}]+)\}", raw[1:-1])
        pieces = [
            json.dumps(part) if i % 2 == 0 else f"({part.strip()})" for i, part in enumerate(parts) if part
        ]
        return " ~ ".join(pieces) if pieces else '""'
    return json.dumps(raw)


ATTR = re.compile(
    r"""([A-Za-z_][\w-]*)(?:\s*=\s*("[^"]*"|'[^']*'|\{[^{}]*(?:\{[^{}]*\}[^{}]*)*\}|[^\s"'{}/>]+))?"""
)


def _component_tag(match: re.Match[str]) -> str:
    if match["close"]:
        return f'{{{{ _close("{match["close"]}") }}}}'
    args = [json.dumps(match["name"])]
    for attr, value in ATTR.findall(match["attrs"] or ""):
        args.append(f"{attr.replace('-', '_')}=" + (_attr_expr(value) if value else "true"))
    return "{{ _component(" + ", ".join(args) + ") }}"


def to_jinja(body: str) -> str:
    """Evidence-style page body -> a Jinja template (components and `{expr}` converted)."""
    names = "|".join(sorted(components.COMPONENTS, key=len, reverse=True))
    tag = re.compile(
        rf"</(?P<close>{names})\s*>|<(?P<name>{names})(?P<attrs>(?:\s+(?:[^>{{}}]|\{{[^{{}}]*\}})*?)?)\s*/?>",
        re.S,
    )
    protected: list[str] = []

    def protect(match: re.Match[str]) -> str:
        protected.append(_component_tag(match))
        return f"\x00{len(protected) - 1}\x00"

    text = tag.sub(protect, body)
    text = re.sub(r"(?<![{$\\])\{(?![{%#])([^{}\n]+?)\}(?!\})", r"{{ \1 }}", text)
    return re.sub(r"\x00(\d+)\x00", lambda m: protected[int(m[1])], text)


def make_environment() -> jinja2.Environment:
    env = jinja2.Environment(
        autoescape=True,
        undefined=jinja2.ChainableUndefined,
        finalize=_finalize,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.globals.update(_component=_component, _close=_close)
    env.filters.update(
        num=components.fmt_number,
        pct=components.fmt_pct,
        fmt=components.format_value,
        delta=components.fmt_delta,
        slug=slug,
        rank=_rank_filter,
    )
    return env


MARKDOWN = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}).enable("table")


def markdown_to_html(markdown: str, state: RenderState) -> str:
    html = MARKDOWN.render(markdown)

    def fragment(match: re.Match[str]) -> str:
        return state.fragments[int(match[1])]

    html = PLACEHOLDER_PARAGRAPH.sub(lambda m: PLACEHOLDER.sub(fragment, m[1]), html)
    html = PLACEHOLDER.sub(fragment, html)
    return HEADING.sub(_heading_id, html)


def _heading_id(match: re.Match[str]) -> str:
    # Anchors for headings (#poor-accounts), from their text.
    text = unescape(re.sub(r"<[^>]+>", "", match[2]))
    anchor = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return f'<h{match[1]} id="{anchor}">{match[2]}</h{match[1]}>'


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


# ---------------------------------------------------------------------------------------------- build


@dataclass
class PageInstance:
    source: PageSource
    route: str  # accounts/A000001
    output: str  # accounts/A000001.html
    params: dict[str, Any]
    title: str


def _instances(
    con: duckdb.DuckDBPyConnection, page: PageSource
) -> tuple[list[PageInstance], PageError | None]:
    if page.param is None:
        output = f"{page.route}.html"
        return [PageInstance(page, page.route, output, {}, page.title)], None
    blocks = {block.name: block for block in page.blocks}
    error_route = page.route
    if PARAMS_BLOCK not in blocks:
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
        title = str(value) if not title_template else _render_title(str(title_template), params)
        instances.append(PageInstance(page, route, f"{route}.html", params, title))
    return instances, None


def _render_title(template: str, params: dict[str, Any]) -> str:
    # Titles are plain text (escaped where the layout places them), so this environment does not escape.
    env = jinja2.Environment(undefined=jinja2.ChainableUndefined)
    return env.from_string(to_jinja(template)).render(params=params)


def _nav(pages: list[PageSource]) -> list[tuple[str, str]]:
    listed = [page for page in pages if page.param is None and page.meta.get("nav", True)]
    listed.sort(key=lambda page: (int(page.meta.get("order", 100)), page.title))
    return [(page.title, "/" + ("" if page.route == "index" else page.route)) for page in listed]


def _layout_env() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(Path(__file__).parent / "templates")),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def iter_instances(
    con: duckdb.DuckDBPyConnection, pages: list[PageSource]
) -> Iterator[PageInstance | PageError]:
    for page in pages:
        instances, error = _instances(con, page)
        if error:
            yield error
        yield from instances


def default_workers() -> int:
    """$PULSE_REPORT_WORKERS, else the number of CPUs (capped at MAX_WORKERS)."""
    configured = os.environ.get("PULSE_REPORT_WORKERS", "").strip()
    if configured:
        return max(1, int(configured))
    return max(1, min(os.cpu_count() or 1, MAX_WORKERS))


class PageRenderer:
    """Renders page bodies (SQL, template, Markdown, charts) with one read-only warehouse connection.

    The build uses one in-process renderer, or one per worker process when it renders in parallel.
    """

    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        self.con = con
        self.env = make_environment()
        self.compiled: dict[str, jinja2.Template | BlockError] = {}

    def render(self, instance: PageInstance) -> tuple[str, PageError | None]:
        """The page's body HTML, or an error panel and the error."""
        page = instance.source
        # Table ids count from 1 on every page, so a page's HTML does not depend on which pages were
        # rendered before it in this process (the order differs between serial and parallel builds).
        components.reset_ids()
        try:
            if page.rel not in self.compiled:
                try:
                    self.compiled[page.rel] = self.env.from_string(to_jinja(page.body))
                except jinja2.TemplateSyntaxError as error:
                    self.compiled[page.rel] = BlockError(
                        None, f"template syntax error line {error.lineno}: {error.message}"
                    )
            template = self.compiled[page.rel]
            if isinstance(template, BlockError):
                raise template
            return _render_instance(self.con, instance, template), None
        except BlockError as error:
            failed = PageError(instance.route, page.rel, error.block, error.message)
            return components.error_panel(failed.page, page.rel, error.block, error.message), failed


_worker_renderer: PageRenderer | None = None


def _start_worker(warehouse: str) -> None:
    # Each worker process opens its own read-only connection (a connection cannot be pickled).
    global _worker_renderer
    con = duckdb.connect(warehouse, read_only=True)
    con.execute(SLUG_SQL)
    _worker_renderer = PageRenderer(con)


def _render_in_worker(instance: PageInstance) -> tuple[str, PageError | None]:
    assert _worker_renderer is not None
    return _worker_renderer.render(instance)


def _render_bodies(
    con: duckdb.DuckDBPyConnection, warehouse: Path, instances: list[PageInstance], workers: int
) -> Iterator[tuple[str, PageError | None]]:
    """Page bodies in the order of `instances`: in this process, or spread over worker processes."""
    workers = min(workers, len(instances) // MIN_PAGES_PER_WORKER)
    if workers < 2:
        renderer = PageRenderer(con)
        yield from map(renderer.render, instances)
        return
    # spawn, not fork: the parent holds an open DuckDB connection (and its threads)
    context = multiprocessing.get_context("spawn")
    chunksize = max(1, min(16, len(instances) // (workers * 8)))
    with ProcessPoolExecutor(workers, context, _start_worker, (str(warehouse),)) as pool:
        yield from pool.map(_render_in_worker, instances, chunksize=chunksize)


def build_site(
    warehouse: Path | str | None = None,
    out_dir: Path | str | None = None,
    pages_dir: Path | str | None = None,
    only: list[str] | None = None,
    workers: int | None = None,
) -> BuildResult:
    """Render every page (or only the routes in `only`) into out_dir. Never raises for a page's SQL error.

    `workers` processes render pages in parallel (default: default_workers()); small builds stay in-process.
    """
    from orchestration.reports.site import default_pages_dir, default_site_dir
    from orchestration.warehouse import warehouse_path

    started = time.monotonic()
    warehouse = Path(warehouse) if warehouse else warehouse_path()
    site = Path(out_dir) if out_dir else default_site_dir()
    source_dir = Path(pages_dir) if pages_dir else default_pages_dir()
    if not warehouse.exists():
        raise FileNotFoundError(f"warehouse not found: {warehouse} (run `pulse run` or set PULSE_WAREHOUSE)")
    pages = discover_pages(source_dir)
    if not pages:
        raise FileNotFoundError(f"no report pages (*.md) under {source_dir}")

    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        con.execute(SLUG_SQL)
        found = list(iter_instances(con, pages))
        errors = [item for item in found if isinstance(item, PageError)]
        instances = [item for item in found if isinstance(item, PageInstance)]
        outputs = {instance.output for instance in instances}
        wanted = {route.strip("/").removesuffix(".html") or "index" for route in only} if only else None
        if wanted is not None:
            unknown = wanted - {instance.route for instance in instances}
            if unknown:
                raise KeyError(f"no such page: {', '.join(sorted(unknown))}")
            instances = [instance for instance in instances if instance.route in wanted]

        layout = _layout_env().get_template("layout.html")
        resolver = LinkResolver(outputs)
        nav = _nav(pages)
        generated_at = dt.datetime.now().strftime("%Y-%m-%d %H:%M")
        written: list[str] = []
        bodies = _render_bodies(con, warehouse, instances, workers or default_workers())
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
    manifest = {
        "generated_at": generated_at,
        "pages": written,
        "errors": [vars(error) for error in errors],
        "seconds": round(result.seconds, 3),
    }
    if wanted is None:
        (site / "_build.json").write_text(json.dumps(manifest, indent=2), encoding="utf-8")
    return result


def _render_instance(
    con: duckdb.DuckDBPyConnection, instance: PageInstance, template: jinja2.Template
) -> str:
    page = instance.source
    blocks = {block.name: block for block in page.blocks}
    context: dict[str, Any] = {}
    for block in page.blocks:
        if page.param and block.name == PARAMS_BLOCK:
            continue
        context[block.name] = run_block(con, block, blocks, instance.params)
    state = RenderState()
    index = {name: i for i, name in enumerate(instance.params)}
    context.update(
        _pulse=state,
        params=Row(index, tuple(instance.params.values())),
        page={"title": instance.title, "route": instance.route, "source": page.rel},
    )
    try:
        markdown = template.render(context)
    except jinja2.TemplateError as error:
        raise BlockError(None, f"{type(error).__name__}: {error}") from None
    except components.ComponentError as error:
        raise BlockError(error.block, str(error)) from None
    return markdown_to_html(markdown, state)


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
