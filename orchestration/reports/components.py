"""Page components (<BarChart/>, <DataTable/>, <BigValue/>, ...) and value formatting.

Every component builds its HTML here with explicit escaping; a page author never writes HTML (markdown-it
runs with raw HTML disabled), so data can only ever appear as text. What components share while a page
renders (its table ids, the HTML fragments) lives in that page's RenderContext, never in this module.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import itertools
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from markupsafe import Markup, escape

from orchestration.reports.charts import RANKS, chart_svg, humanize
from orchestration.reports.query import QueryResult

SAFE_SCHEMES = ("http://", "https://", "mailto:")


class ComponentError(Exception):
    def __init__(self, message: str, block: str | None = None) -> None:
        super().__init__(message)
        self.block = block


class RenderContext:
    """The state of one page while it renders; a new one for every page.

    Components return placeholder tokens to the Markdown (so Markdown never sees their HTML); the fragments
    are swapped back in afterwards. Table ids count from 1 on every page, so a page's HTML does not depend
    on which pages were rendered before it (the order differs between serial and parallel builds).
    """

    def __init__(self) -> None:
        self.fragments: list[str] = []
        self._table_ids = itertools.count(1)

    def token(self, html: str) -> Markup:
        self.fragments.append(html)
        return Markup(f"PULSEPH{len(self.fragments) - 1}X")

    def next_table_id(self) -> str:
        return f"table-{next(self._table_ids)}"


# ---------------------------------------------------------------------------------------------- formatting


def fmt_number(value: Any, digits: int = 0) -> str:
    if value is None or value == "":
        return "–"
    try:
        return f"{float(value):,.{int(digits)}f}"
    except (TypeError, ValueError):
        return str(value)


def fmt_pct(value: Any, digits: int = 0) -> str:
    """A ratio (0.42) as a percentage (42%)."""
    if value is None:
        return "–"
    return f"{float(value) * 100:,.{int(digits)}f}%"


def fmt_delta(value: Any, digits: int = 1) -> str:
    if value is None:
        return "–"
    number = float(value)
    sign = "+" if number > 0 else ("−" if number < 0 else "±")
    return f"{sign}{abs(number):,.{int(digits)}f}"


def format_value(value: Any, fmt: str | None = None) -> str:
    if value is None:
        return "–"
    if fmt:
        kind, _, digits = fmt.partition(":")
        if kind == "pct":
            return fmt_pct(value, int(digits or 0))
        if kind == "num":
            return fmt_number(value, int(digits or 0))
        if kind == "delta":
            return fmt_delta(value, int(digits or 1))
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        return f"{value:,.0f}" if abs(value) >= 1000 else f"{value:,.1f}".rstrip("0").rstrip(".") or "0"
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def safe_href(value: Any) -> str | None:
    """Internal (/x), relative or http(s)/mailto links only: never javascript: or data:."""
    if value is None:
        return None
    href = str(value).strip()
    if href.startswith(("/", "#", "./", "../")) or href.lower().startswith(SAFE_SCHEMES):
        return href
    if re.match(r"^[A-Za-z][A-Za-z0-9+.-]*:", href):
        return None
    return href


def rank_badge(value: Any) -> str:
    if value in RANKS:
        return f'<span class="rank rank-{str(value).lower()}">{escape(value)}</span>'
    return str(escape(format_value(value)))


def _data(attrs: dict[str, Any], component: str) -> QueryResult:
    data = attrs.get("data")
    if not isinstance(data, QueryResult):
        raise ComponentError(f"<{component}> needs data={{block_name}} naming a SQL block of the page")
    return data


def _column(data: Any, name: Any, component: str, attribute: str) -> str:
    if name is None:
        raise ComponentError(f"<{component}> needs {attribute}=column", data.name)
    name = str(name)
    if data.columns and name not in data.columns:
        raise ComponentError(
            f"<{component}> {attribute}={name}: no such column in block `{data.name}` "
            f"(columns: {', '.join(data.columns)})",
            data.name,
        )
    return name


def _truthy(value: Any) -> bool:
    return value is True or str(value).lower() in ("true", "1", "yes")


def _skipped_note(data: Any) -> str:
    if data.skipped:
        return f'<p class="empty">No data: {escape(data.skipped)}.</p>'
    return '<p class="empty">No rows.</p>'


# ---------------------------------------------------------------------------------------------- components


def _chart(kind: str, name: str, attrs: dict[str, Any]) -> str:
    data = _data(attrs, name)
    x = _column(data, attrs.get("x"), name, "x")
    y_attr = attrs.get("y")
    if y_attr is None:
        raise ComponentError(f"<{name}> needs y=column", data.name)
    for column in str(y_attr).split(","):
        _column(data, column.strip(), name, "y")
    series = _column(data, attrs["series"], name, "series") if attrs.get("series") else None
    number = lambda key: float(attrs[key]) if attrs.get(key) is not None else None  # noqa: E731
    try:
        svg = chart_svg(
            kind,
            data.records(),
            x,
            str(y_attr),
            series=series,
            horizontal=_truthy(attrs.get("horizontal", False)),
            stacked=_truthy(attrs.get("stacked", True)),
            width=int(attrs.get("width", 560)),
            height=int(attrs.get("height", 220)),
            x_title=attrs.get("x_title"),
            y_title=attrs.get("y_title"),
            y_min=number("y_min"),
            y_max=number("y_max"),
            y_format=attrs.get("y_fmt"),
        )
    except (KeyError, ValueError) as error:
        raise ComponentError(f"<{name}>: {error}", data.name) from None
    title = attrs.get("title")
    caption = f"<figcaption>{escape(title)}</figcaption>" if title else ""
    note = _skipped_note(data) if not data else ""
    return f'<figure class="chart" data-component="{name}">{caption}{svg}{note}</figure>'


def _is_number(value: Any) -> bool:  # noqa: ANN401
    return isinstance(value, int | float) and not isinstance(value, bool)


def _heat_styles(rows: Any, columns: list[str]) -> Callable[[Any], str]:  # noqa: ANN401 - query rows
    """A heatmap over `columns`: each number's cell shaded by where it lies between their minimum and
    maximum."""
    values = [float(row[column]) for row in rows for column in columns if _is_number(row[column])]
    low, high = (min(values), max(values)) if values else (0.0, 0.0)

    def style(value: Any) -> str:  # noqa: ANN401
        if not _is_number(value):
            return ""
        share = (float(value) - low) / (high - low) if high > low else 1.0
        alpha = 0.08 + 0.77 * share
        text = "#ffffff" if alpha > 0.5 else "inherit"
        return f' style="background-color: rgba(14, 101, 184, {alpha:.2f}); color: {text}"'

    return style


def data_table(attrs: dict[str, Any], ctx: RenderContext) -> str:
    data = _data(attrs, "DataTable")
    link = _column(data, attrs["link"], "DataTable", "link") if attrs.get("link") else None
    if attrs.get("columns"):
        columns = [_column(data, c.strip(), "DataTable", "columns") for c in str(attrs["columns"]).split(",")]
    else:
        columns = [c for c in data.columns if c != link and not c.startswith("_")]
    formats = dict(item.split("=", 1) for item in str(attrs.get("fmt", "")).split(",") if "=" in item)
    limit = int(attrs.get("rows", 1000))
    table_id = ctx.next_table_id()
    title = attrs.get("title")
    parts = ['<div class="table-wrap" data-component="DataTable">']
    if title:
        parts.append(f"<h4>{escape(title)}</h4>")
    if not data:
        parts.append(_skipped_note(data) + "</div>")
        return "".join(parts)
    shown = data[:limit]
    heat_columns = (
        [_column(data, c.strip(), "DataTable", "heat") for c in str(attrs["heat"]).split(",")]
        if attrs.get("heat")
        else []
    )
    heat = _heat_styles(shown, heat_columns)
    if _truthy(attrs.get("search", True)):
        parts.append(
            f'<div class="table-tools"><input type="search" id="{table_id}-filter" class="table-filter" '
            f'placeholder="Filter rows" aria-label="Filter rows">'
            f'<span class="table-count" id="{table_id}-count">{len(shown)} of {len(shown)} rows</span></div>'
        )
    parts.append(f'<table class="data-table" id="{table_id}"><thead><tr>')
    for column in columns:
        parts.append(f'<th scope="col"><button type="button">{escape(humanize(column))}</button></th>')
    parts.append("</tr></thead><tbody>")
    for row in shown:
        parts.append("<tr>")
        for position, column in enumerate(columns):
            value = row[column]
            text = format_value(value, formats.get(column))
            cell = rank_badge(value) if "rank" in column and value in RANKS else str(escape(text))
            href = safe_href(row[link]) if link and position == 0 else None
            if href:
                cell = f'<a href="{escape(href)}">{cell}</a>'
            sort = ""
            if _is_number(value):
                sort = f' data-sort="{value}"'
            elif isinstance(value, dt.date):
                sort = f' data-sort="{value.isoformat()}"'
            elif value is None:
                sort = ' data-sort=""'
            numeric = ' class="num"' if sort and isinstance(value, int | float) else ""
            shade = heat(value) if column in heat_columns else ""
            parts.append(f"<td{numeric}{sort}{shade}>{cell}</td>")
        parts.append("</tr>")
    parts.append("</tbody></table>")
    if len(data) > limit:
        parts.append(f'<p class="empty">Showing the first {limit:,} of {len(data):,} rows.</p>')
    parts.append("</div>")
    return "".join(parts)


def big_value(attrs: dict[str, Any]) -> str:
    data = _data(attrs, "BigValue")
    column = _column(data, attrs.get("value"), "BigValue", "value")
    comparison = (
        _column(data, attrs["comparison"], "BigValue", "comparison") if attrs.get("comparison") else None
    )
    row = data[0] if data else None
    value = row[column] if row else None
    title = attrs.get("title") or humanize(column)
    html = [
        '<div class="big-value" data-component="BigValue">',
        f'<div class="bv-title">{escape(title)}</div>',
        f'<div class="bv-value">{escape(format_value(value, attrs.get("fmt")))}</div>',
    ]
    if comparison:
        delta = row[comparison] if row else None
        direction = "flat"
        if isinstance(delta, int | float) and delta:
            good = (delta > 0) != _truthy(attrs.get("down_is_good", False))
            direction = "good" if good else "bad"
        arrow = (
            "▲"
            if isinstance(delta, int | float) and delta > 0
            else ("▼" if isinstance(delta, int | float) and delta < 0 else "")
        )
        text = format_value(delta, attrs.get("comparison_fmt") or "delta:1")
        label = attrs.get("comparison_title", "")
        html.append(f'<div class="bv-delta {direction}">{arrow} {escape(text)} {escape(label)}</div>')
    html.append("</div>")
    href = safe_href(attrs.get("link"))
    if href:
        return f'<a class="big-value-link" href="{escape(href)}">{"".join(html)}</a>'
    return "".join(html)


def link(attrs: dict[str, Any], button: bool = False) -> str:
    href = safe_href(attrs.get("url") or attrs.get("href"))
    label = format_value(attrs.get("label") or attrs.get("url") or attrs.get("href"))
    if not href:
        return f"<span>{escape(label)}</span>"
    if button:
        return f'<a class="link-button" href="{escape(href)}">{escape(label)} →</a>'
    return f'<a href="{escape(href)}">{escape(label)}</a>'


def alert(attrs: dict[str, Any]) -> str:
    status = re.sub(r"[^a-z]", "", str(attrs.get("status", "info")).lower()) or "info"
    return f'<div class="alert alert-{status}">{escape(attrs.get("text", ""))}</div>'


# name -> HTML from (attributes, the page's render context)
COMPONENTS: dict[str, Callable[[dict[str, Any], RenderContext], str]] = {
    "BarChart": lambda attrs, ctx: _chart("bar", "BarChart", attrs),
    "LineChart": lambda attrs, ctx: _chart("line", "LineChart", attrs),
    "AreaChart": lambda attrs, ctx: _chart("area", "AreaChart", attrs),
    "DataTable": data_table,
    "BigValue": lambda attrs, ctx: big_value(attrs),
    "Link": lambda attrs, ctx: link(attrs),
    "LinkButton": lambda attrs, ctx: link(attrs, button=True),
    "Alert": lambda attrs, ctx: alert(attrs),
    "Grid": lambda attrs, ctx: f'<div class="grid" style="--cols:{int(attrs.get("cols", 3))}">',
}
CLOSING = {"Grid": "</div>"}


def render(name: str, attrs: dict[str, Any], ctx: RenderContext) -> str:
    return COMPONENTS[name](attrs, ctx)


def render_close(name: str) -> str:
    return CLOSING.get(name, "")


def error_panel(page: str, source: str, block: str | None, message: str) -> str:
    where = f"SQL block <code>{escape(block)}</code>" if block else "the page template"
    return (
        '<div class="page-error" role="alert"><h1>This page failed to render</h1>'
        f"<p>Page <code>{escape(page)}</code> (file <code>reports/{escape(source)}</code>), {where}:</p>"
        f"<pre>{escape(message)}</pre>"
        "<p>Fix the page file and run <code>pulse report build</code> again. "
        "The rest of the site is unaffected.</p>"
        "</div>"
    )


# ---------------------------------------------------------------------------------------------- assets

# Sorting and filtering for every DataTable and the stylesheet: shipped inline in every page (no external
# assets); the script is allowed by its hash in the page's Content-Security-Policy.
ASSETS = Path(__file__).parent / "templates"
TABLE_SCRIPT = (ASSETS / "table.js").read_text(encoding="utf-8")
SCRIPT_HASH = "sha256-" + base64.b64encode(hashlib.sha256(TABLE_SCRIPT.encode()).digest()).decode()
STYLE = (ASSETS / "style.css").read_text(encoding="utf-8")
