"""Validation of seeds/source_completeness.csv: how each source's watermark is found and when it is stale.

Checked before any model runs, like the health configuration; an error names the file, the row and what is
allowed.
"""

from __future__ import annotations

import csv
from pathlib import Path

from orchestration.metrics.catalog import SOURCES

COMPLETENESS_FILE = "source_completeness.csv"
# Sources int_source_watermarks knows how to date (a new source needs a branch there, then a row here).
METHODS = ("volume", "latest")
COLUMNS = (
    "source",
    "label",
    "is_required",
    "method",
    "arrival_lag_days",
    "min_volume_share",
    "stale_after_days",
)
BOOLEANS = ("true", "false")


class CompletenessConfigError(Exception):
    """The completeness configuration is invalid; the message lists every problem as file:row: message."""

    def __init__(self, errors: list[str]):
        self.errors = errors
        super().__init__("invalid source completeness configuration:\n" + "\n".join(f"  {e}" for e in errors))


def _whole_number(text: str) -> int | None:
    try:
        number = int(text)
    except ValueError:
        return None
    return number if number >= 0 else None


def validate_completeness_config(seeds_dir: Path) -> list[dict[str, str]]:
    """Return the rows when valid; raise CompletenessConfigError listing every problem otherwise."""
    path = seeds_dir / COMPLETENESS_FILE
    where_file = f"seeds/{COMPLETENESS_FILE}"
    if not path.exists():
        raise CompletenessConfigError([f"{where_file}: file is missing"])
    errors: list[str] = []
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        missing = [column for column in COLUMNS if column not in (reader.fieldnames or [])]
        if missing:
            raise CompletenessConfigError([f"{where_file}:1: missing columns {', '.join(missing)}"])
        rows = [{key: (value or "").strip() for key, value in row.items() if key} for row in reader]
    seen: set[str] = set()
    for line, row in enumerate(rows, start=2):
        where = f"{where_file}:{line}"
        source = row["source"]
        if source not in SOURCES:
            errors.append(f"{where}: source '{source}' is unknown; allowed: {', '.join(SOURCES)}")
        elif source in seen:
            errors.append(f"{where}: source '{source}' is configured twice")
        seen.add(source)
        if row["is_required"].lower() not in BOOLEANS:
            errors.append(f"{where}: is_required '{row['is_required']}' must be true or false")
        if row["method"] not in METHODS:
            errors.append(f"{where}: method '{row['method']}' is unknown; allowed: {', '.join(METHODS)}")
        for column in ("arrival_lag_days", "stale_after_days"):
            if _whole_number(row[column]) is None:
                errors.append(f"{where}: {column} '{row[column]}' must be a whole number of days >= 0")
        share = row["min_volume_share"]
        if row["method"] == "volume" or share:
            try:
                valid = 0 < float(share) <= 1
            except ValueError:
                valid = False
            if not valid:
                errors.append(
                    f"{where}: min_volume_share '{share}' must be a number in (0, 1] for method volume"
                )
    if errors:
        raise CompletenessConfigError(errors)
    return rows
