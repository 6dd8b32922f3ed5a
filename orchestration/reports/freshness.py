"""The dbt sources' freshness thresholds, as the built-in relation `freshness_thresholds` of every page.

Read from the dbt project's YAML (the `sources:` of the files under its model-paths, e.g.
models/staging/_raw__sources.yml), so a page shows the thresholds `dbt source freshness` applies rather
than a copy of them. The YAML needs no `dbt parse`. A table's own freshness block replaces its source's
(`freshness: null` turns the check off: such a table has no row).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from orchestration.reports.query import Relation
from orchestration.yaml_files import load_yaml, parse_yaml

RELATION_NAME = "freshness_thresholds"
COLUMNS = (
    ("relation", "varchar"),  # schema.table as queried, e.g. raw.app_events
    ("source_name", "varchar"),
    ("table_name", "varchar"),
    ("loaded_at_field", "varchar"),
    ("warn_after", "interval"),  # null when the source sets no warn threshold
    ("error_after", "interval"),
    ("warn_after_count", "integer"),
    ("warn_after_period", "varchar"),  # minute | hour | day
    ("error_after_count", "integer"),
    ("error_after_period", "varchar"),
    ("warn_after_label", "varchar"),  # "2 days"
    ("error_after_label", "varchar"),
)
_UNSET = object()


@dataclass(frozen=True)
class Threshold:
    count: int
    period: str

    @property
    def label(self) -> str:
        return f"{self.count} {self.period}{'' if self.count == 1 else 's'}"


@dataclass(frozen=True)
class SourceFreshness:
    source_name: str
    table_name: str
    relation: str
    loaded_at_field: str | None
    warn_after: Threshold | None
    error_after: Threshold | None

    def row(self) -> tuple[Any, ...]:
        warn, error = self.warn_after, self.error_after
        return (
            self.relation,
            self.source_name,
            self.table_name,
            self.loaded_at_field,
            warn.label if warn else None,  # cast to interval by DuckDB
            error.label if error else None,
            warn.count if warn else None,
            warn.period if warn else None,
            error.count if error else None,
            error.period if error else None,
            warn.label if warn else None,
            error.label if error else None,
        )


def _setting(node: dict[str, Any], key: str) -> Any:
    """A key set on a source or table, directly or under `config:` (config wins); _UNSET when absent."""
    config = node.get("config") or {}
    if key in config:
        return config[key]
    return node.get(key, _UNSET)


def _threshold(freshness: dict[str, Any], key: str, where: str) -> Threshold | None:
    value = freshness.get(key)
    if not value:
        return None
    try:
        count, period = int(value["count"]), str(value["period"])
    except (KeyError, TypeError, ValueError):
        raise ValueError(f"{where}: {key} needs a count and a period") from None
    if period not in ("minute", "hour", "day"):
        raise ValueError(f"{where}: {key} period must be minute, hour or day, not {period!r}")
    return Threshold(count, period)


def _source_files(dbt_project_dir: Path) -> list[Path]:
    project = load_yaml(dbt_project_dir / "dbt_project.yml") or {}
    files: list[Path] = []
    for folder in project.get("model-paths") or ["models"]:
        root = (dbt_project_dir / folder).resolve()
        files.extend(sorted(path for path in root.rglob("*.y*ml") if path.suffix in (".yml", ".yaml")))
    return files


def source_freshness(dbt_project_dir: Path) -> list[SourceFreshness]:
    """Every source table with a freshness threshold, in the order the YAML declares them."""
    found: list[SourceFreshness] = []
    for path in _source_files(dbt_project_dir):
        text = path.read_text(encoding="utf-8")
        if "sources:" not in text:
            continue
        document = parse_yaml(text) or {}
        for source in document.get("sources") or []:
            source_freshness_block = _setting(source, "freshness")
            source_loaded_at = _setting(source, "loaded_at_field")
            schema = source.get("schema") or source["name"]
            for table in source.get("tables") or []:
                freshness = _setting(table, "freshness")
                if freshness is _UNSET:
                    freshness = source_freshness_block
                if not freshness or freshness is _UNSET:
                    continue
                where = f"{path.name}: source {source['name']}, table {table['name']}"
                warn = _threshold(freshness, "warn_after", where)
                error = _threshold(freshness, "error_after", where)
                if warn is None and error is None:
                    continue
                loaded_at = _setting(table, "loaded_at_field")
                if loaded_at is _UNSET:
                    loaded_at = None if source_loaded_at is _UNSET else source_loaded_at
                identifier = table.get("identifier") or table["name"]
                found.append(
                    SourceFreshness(
                        source["name"], table["name"], f"{schema}.{identifier}", loaded_at, warn, error
                    )
                )
    return found


def freshness_relation(dbt_project_dir: Path) -> Relation:
    return Relation(
        RELATION_NAME,
        COLUMNS,
        tuple(item.row() for item in source_freshness(dbt_project_dir)),
        "freshness thresholds of the dbt sources",
    )
