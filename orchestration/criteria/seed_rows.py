"""Reading a configuration seed (CSV) for validation: rows that remember their file and line, header problems
as `file:1: ...` messages, and the error every configuration raises. Shared by every configuration seed
(health, lists, lifecycle, playbooks, follows, completeness, renewal risk)."""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from pathlib import Path

# Names of lists, stages, criteria and categories: they become SQL values and column suffixes.
IDENTIFIER = re.compile(r"^[a-z][a-z0-9_]*$")
NAMES = "lower case letters, digits and _, starting with a letter"


class ConfigError(Exception):
    """A configuration is invalid; the message lists every problem as file:row: message. Subclasses say what
    is configured (`what`), so one except clause catches any of them."""

    what = "configuration"

    def __init__(self, errors: list[str]):
        self.errors = errors
        super().__init__(f"invalid {self.what}:\n" + "\n".join(f"  {error}" for error in errors))


def shown_path(path: Path) -> str:
    """The file as a person finds it: relative to the working directory when under it (seeds/lists.csv)."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


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

    shown is how messages name the file (default: shown_path(path))."""
    name = shown or shown_path(path)
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
