"""Validation of seeds/source_completeness.csv: how each source's watermark is found and when it is stale.

Checked before any model runs, like the health configuration; an error names the file, the row and what is
allowed.
"""

from __future__ import annotations

from pathlib import Path

from orchestration.criteria.seed_rows import ConfigError, read_rows

# The catalog's landing sources; int_source_watermarks dates each (a new one needs a branch there).
from orchestration.metrics.catalog import SOURCES

COMPLETENESS_FILE = "source_completeness.csv"
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


class CompletenessConfigError(ConfigError):
    """The completeness configuration is invalid; the message lists every problem as file:row: message."""

    what = "source completeness configuration"


def _whole_number(text: str) -> int | None:
    try:
        number = int(text)
    except ValueError:
        return None
    return number if number >= 0 else None


def validate_completeness_config(seeds_dir: Path) -> list[dict[str, str]]:
    """Return the rows when valid; raise CompletenessConfigError listing every problem otherwise."""
    errors: list[str] = []
    rows = read_rows(
        seeds_dir / COMPLETENESS_FILE, COLUMNS, ("description",), errors, shown=f"seeds/{COMPLETENESS_FILE}"
    )
    seen: set[str] = set()
    for row in rows:
        where, values = row.where(), row.values
        source = values["source"]
        if source not in SOURCES:
            errors.append(f"{where}: source '{source}' is unknown; allowed: {', '.join(SOURCES)}")
        elif source in seen:
            errors.append(f"{where}: source '{source}' is configured twice")
        seen.add(source)
        if values["is_required"].lower() not in BOOLEANS:
            errors.append(f"{where}: is_required '{values['is_required']}' must be true or false")
        if values["method"] not in METHODS:
            errors.append(f"{where}: method '{values['method']}' is unknown; allowed: {', '.join(METHODS)}")
        for column in ("arrival_lag_days", "stale_after_days"):
            if _whole_number(values[column]) is None:
                errors.append(f"{where}: {column} '{values[column]}' must be a whole number of days >= 0")
        share = values["min_volume_share"]
        if values["method"] == "volume" or share:
            try:
                valid = 0 < float(share) <= 1
            except ValueError:
                valid = False
            if not valid:
                errors.append(
                    f"{where}: min_volume_share '{share}' must be a number in (0, 1] (method volume)"
                )
    if errors:
        raise CompletenessConfigError(errors)
    return [row.values for row in rows]
