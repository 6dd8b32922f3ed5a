"""Parsing page files: front matter, ```sql name``` fences, components and `{expr}`, templated pages.

A page file is Markdown (reports/health.md); a file named after a parameter in brackets
(reports/accounts/[account_id].md) is a template rendered once per row of its `params` block. Queries
shared by several pages are files of their own, reports/queries/<name>.sql, available to every page.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from orchestration.reports.components import COMPONENTS
from orchestration.reports.query import SqlBlock
from orchestration.yaml_files import parse_yaml

FENCE_OPEN = re.compile(r"^(?P<fence>`{3,}|~{3,})[ \t]*sql[ \t]+(?P<name>[A-Za-z_]\w*)(?P<opts>[^`\n]*)$")
TEMPLATE_STEM = re.compile(r"^\[(?P<param>[A-Za-z_]\w*)\]$")
QUERY_NAME = re.compile(r"^[A-Za-z_]\w*$")
SKIP_FILES = {"readme.md"}
PARAMS_BLOCK = "params"
SHARED_QUERIES_DIR = "queries"  # under the pages folder: reports/queries/<name>.sql
SLUG_SQL = (
    "create or replace temp macro pulse_slug(x) as "
    "trim(regexp_replace(trim(x), '[^A-Za-z0-9_-]+', '-', 'g'), '-')"
)


def slug(value: Any) -> str:
    """File-name-safe form of a parameter value; the SQL macro pulse_slug() computes the same thing."""
    text = re.sub(r"[^A-Za-z0-9_-]+", "-", str(value).strip()).strip("-")
    return text or "_"


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
class PageInstance:
    """One output page: a page file, or one row of a templated page's `params`."""

    source: PageSource
    route: str  # accounts/A000001
    output: str  # accounts/A000001.html
    params: dict[str, Any]
    title: str


@dataclass
class PageError:
    page: str  # route of the page instance, e.g. accounts/A000001
    source: str  # page file, e.g. reports/accounts/[account_id].md
    block: str | None  # SQL block name, None for template errors
    message: str

    def __str__(self) -> str:
        where = f"block `{self.block}`" if self.block else "template"
        return f"page {self.page} ({self.source}), {where}: {self.message}"


def parse_page(path: Path, pages_dir: Path) -> PageSource:
    rel = path.relative_to(pages_dir).as_posix()
    text = path.read_text(encoding="utf-8")
    meta: dict[str, Any] = {}
    if text.startswith("---\n"):
        end = text.find("\n---", 4)
        if end != -1:
            loaded = parse_yaml(text[4:end]) or {}
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
    template = TEMPLATE_STEM.match(path.stem)
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


def load_shared_queries(pages_dir: Path) -> dict[str, SqlBlock]:
    """reports/queries/<name>.sql: one query per file, named after the file, usable from every page."""
    folder = pages_dir / SHARED_QUERIES_DIR
    queries: dict[str, SqlBlock] = {}
    for path in sorted(folder.glob("*.sql")) if folder.is_dir() else []:
        if not QUERY_NAME.match(path.stem):
            raise ValueError(f"{path}: a shared query's file name must be a SQL name (letters, digits, _)")
        file = path.relative_to(pages_dir).as_posix()
        queries[path.stem] = SqlBlock(path.stem, path.read_text(encoding="utf-8").strip(), file=file)
    return queries


# ---------------------------------------------------------------------------------------------- Jinja


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
_NAMES = "|".join(sorted(COMPONENTS, key=len, reverse=True))
COMPONENT_TAG = re.compile(
    rf"</(?P<close>{_NAMES})\s*>|<(?P<name>{_NAMES})(?P<attrs>(?:\s+(?:[^>{{}}]|\{{[^{{}}]*\}})*?)?)\s*/?>",
    re.S,
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
    protected: list[str] = []

    def protect(match: re.Match[str]) -> str:
        protected.append(_component_tag(match))
        return f"\x00{len(protected) - 1}\x00"

    text = COMPONENT_TAG.sub(protect, body)
    text = re.sub(r"(?<![{$\\])\{(?![{%#])([^{}\n]+?)\}(?!\})", r"{{ \1 }}", text)
    return re.sub(r"\x00(\d+)\x00", lambda m: protected[int(m[1])], text)
