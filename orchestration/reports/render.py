"""Rendering one page instance to its body HTML: run its SQL, render the template, then the Markdown.

1. the page's SQL blocks run (read-only) -> named results; shared queries the text uses are added;
2. Jinja (autoescape on) renders the Markdown; every data value is HTML-escaped *and* Markdown-escaped,
   components return opaque placeholder tokens (components.RenderContext);
3. markdown-it (raw HTML disabled) renders the Markdown and the tokens are swapped for the components' HTML.

Links are made relative by the site build (build.py), which knows every page of the site.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from html import unescape
from typing import Any

import duckdb
import jinja2
import jinja2.meta
from markdown_it import MarkdownIt
from markupsafe import Markup

from orchestration.reports import components
from orchestration.reports.components import RenderContext
from orchestration.reports.page import PARAMS_BLOCK, PageError, PageInstance, PageSource, slug, to_jinja
from orchestration.reports.query import BlockError, QueryResult, Row, SqlBlock, run_block

PLACEHOLDER = re.compile(r"PULSEPH(\d+)X")
PLACEHOLDER_PARAGRAPH = re.compile(r"<p>((?:\s*PULSEPH\d+X\s*)+)</p>")
HEADING = re.compile(r"<h([23])>(.*?)</h\1>")
# Markdown-significant ASCII punctuation in data values gets a backslash, so a value renders as text.
# & < > " ' are left to Jinja's HTML escaping (entities survive markdown-it unchanged in meaning).
MARKDOWN_SPECIALS = re.compile(r"([\\`*_{}\[\]()#+\-.!|~])")
CONTEXT_KEY = "_pulse"  # the RenderContext in the Jinja context


def _finalize(value: Any) -> Any:
    """Every `{{ value }}` in a page: formatted, Markdown-escaped; Jinja then HTML-escapes it."""
    if isinstance(value, Markup):
        return value
    if isinstance(value, jinja2.Undefined):
        return ""
    text = components.format_value(value)
    return MARKDOWN_SPECIALS.sub(r"\\\1", text.replace("\r", " ").replace("\n", " "))


@jinja2.pass_context
def _component(ctx: jinja2.runtime.Context, name: str, **attrs: Any) -> Markup:
    render_context: RenderContext = ctx[CONTEXT_KEY]
    return render_context.token(components.render(name, attrs, render_context))


@jinja2.pass_context
def _close(ctx: jinja2.runtime.Context, name: str) -> Markup:
    return ctx[CONTEXT_KEY].token(components.render_close(name))


@jinja2.pass_context
def _rank_filter(ctx: jinja2.runtime.Context, value: Any) -> Markup:
    return ctx[CONTEXT_KEY].token(components.rank_badge(value))


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


def render_title(template: str, params: Mapping[str, Any]) -> str:
    """A templated page's title (`title: "{params.account_name}"`)."""
    # Titles are plain text (escaped where the layout places them), so this environment does not escape.
    env = jinja2.Environment(undefined=jinja2.ChainableUndefined)
    return env.from_string(to_jinja(template)).render(params=params)


def _heading_id(match: re.Match[str]) -> str:
    # Anchors for headings (#poor-accounts), from their text.
    text = unescape(re.sub(r"<[^>]+>", "", match[2]))
    anchor = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return f'<h{match[1]} id="{anchor}">{match[2]}</h{match[1]}>'


class CompiledPage:
    """A page file's template and the shared queries its text uses (compiled once per renderer)."""

    def __init__(self, template: jinja2.Template, shared_names: list[str]) -> None:
        self.template = template
        self.shared_names = shared_names


class PageRenderer:
    """Renders page bodies with one read-only warehouse connection: one per build, or one per worker.

    Compiled templates and the results of shared queries (they take no parameters) are kept for the
    renderer's life, that is one build; nothing is kept between builds.
    """

    def __init__(self, con: duckdb.DuckDBPyConnection, shared: Mapping[str, SqlBlock]) -> None:
        self.con = con
        self.shared = dict(shared)
        self.env = make_environment()
        self.markdown = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
        self.markdown.enable("table")
        self._compiled: dict[str, CompiledPage | BlockError] = {}
        self._shared_results: dict[str, QueryResult | BlockError] = {}

    def blocks_of(self, page: PageSource) -> dict[str, SqlBlock]:
        """The blocks a page's SQL can reference: the shared queries, then its own (which win)."""
        return {**self.shared, **{block.name: block for block in page.blocks}}

    def render(self, instance: PageInstance) -> tuple[str, PageError | None]:
        """The page's body HTML, or an error panel and the error."""
        page = instance.source
        try:
            return self._render(instance, self._compile(page)), None
        except BlockError as error:
            failed = PageError(instance.route, page.rel, error.block, error.message)
            return components.error_panel(failed.page, page.rel, error.block, error.message), failed

    def _compile(self, page: PageSource) -> CompiledPage:
        if page.rel not in self._compiled:
            try:
                source = to_jinja(page.body)
                used = jinja2.meta.find_undeclared_variables(self.env.parse(source))
                own = {block.name for block in page.blocks}
                shared = sorted(name for name in used if name in self.shared and name not in own)
                self._compiled[page.rel] = CompiledPage(self.env.from_string(source), shared)
            except jinja2.TemplateSyntaxError as error:
                self._compiled[page.rel] = BlockError(
                    None, f"template syntax error line {error.lineno}: {error.message}"
                )
        compiled = self._compiled[page.rel]
        if isinstance(compiled, BlockError):
            raise compiled
        return compiled

    def _shared_result(self, name: str) -> QueryResult:
        if name not in self._shared_results:
            try:
                self._shared_results[name] = run_block(self.con, self.shared[name], self.shared, {})
            except BlockError as error:
                self._shared_results[name] = error
        result = self._shared_results[name]
        if isinstance(result, BlockError):
            raise result
        return result

    def _render(self, instance: PageInstance, compiled: CompiledPage) -> str:
        page = instance.source
        blocks = self.blocks_of(page)
        context: dict[str, Any] = {}
        for block in page.blocks:
            if page.param and block.name == PARAMS_BLOCK:
                continue
            context[block.name] = run_block(self.con, block, blocks, instance.params)
        context.update({name: self._shared_result(name) for name in compiled.shared_names})
        render_context = RenderContext()
        index = {name: i for i, name in enumerate(instance.params)}
        context.update(
            {
                CONTEXT_KEY: render_context,
                "params": Row(index, tuple(instance.params.values())),
                "page": {"title": instance.title, "route": instance.route, "source": page.rel},
            }
        )
        try:
            markdown = compiled.template.render(context)
        except jinja2.TemplateError as error:
            raise BlockError(None, f"{type(error).__name__}: {error}") from None
        except components.ComponentError as error:
            raise BlockError(error.block, str(error)) from None
        return self._to_html(markdown, render_context)

    def _to_html(self, markdown: str, render_context: RenderContext) -> str:
        html = self.markdown.render(markdown)

        def fragment(match: re.Match[str]) -> str:
            return render_context.fragments[int(match[1])]

        html = PLACEHOLDER_PARAGRAPH.sub(lambda m: PLACEHOLDER.sub(fragment, m[1]), html)
        html = PLACEHOLDER.sub(fragment, html)
        return HEADING.sub(_heading_id, html)
