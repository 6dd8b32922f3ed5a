"""Candidate configuration folders for tests: copies of the shipped seeds, edited one line at a time."""

from __future__ import annotations

import shutil
from pathlib import Path

SEEDS = Path(__file__).resolve().parents[2] / "seeds"


def copy_seeds(target: Path, *names: str) -> Path:
    """Copy the named seed files (e.g. health_criteria.csv) into target; return target."""
    for name in names:
        shutil.copy(SEEDS / name, target / name)
    return target


def edit_line(path: Path, old: str, new: str) -> int:
    """Replace old by new on the first line containing it; return that line's 1-based number."""
    lines = path.read_text().splitlines()
    number = next(index for index, line in enumerate(lines) if old in line)
    lines[number] = lines[number].replace(old, new)
    path.write_text("\n".join(lines) + "\n")
    return number + 1
