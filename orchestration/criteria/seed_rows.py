"""Reading a configuration seed (CSV) for validation: rows that remember their file and line, and header
problems as `file:1: ...` messages. Shared by every configuration built from rule rows (health, lists)."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path


@dataclass
class SeedRow:
    file: str
    line: int
    values: dict[str, str]

    def where(self) -> str:
        return f"{self.file}:{self.line}"


def read_rows(
    path: Path,
    required: tuple[str, ...],
    optional: tuple[str, ...],
    errors: list[str],
    shown: str | None = None,
) -> list[SeedRow]:
    """The non-empty rows of path (values stripped), numbered as lines; header problems go to errors.

    shown is how messages name the file (default: the path as given)."""
    name = shown or str(path)
    if not path.exists():
        errors.append(f"{name}: file is missing")
        return []
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        header = reader.fieldnames or []
        missing = [column for column in required if column not in header]
        unknown = [column for column in header if column not in required + optional]
        if missing:
            errors.append(
                f"{name}:1: missing column(s) {', '.join(missing)}; required: {', '.join(required)}"
            )
        if unknown:
            errors.append(
                f"{name}:1: unknown column(s) {', '.join(unknown)}; allowed: {', '.join(required + optional)}"
            )
        if missing:
            return []
        rows = []
        for number, record in enumerate(reader, start=2):
            values = {key: (value or "").strip() for key, value in record.items() if key is not None}
            if any(values.values()):
                rows.append(SeedRow(name, number, values))
        return rows
