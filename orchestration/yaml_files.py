"""Reading Pulse's YAML: libyaml's C parser, and each file parsed once per process while it is unchanged.

The metric catalog and the seeds' properties are read by several validators in one run; the pure-Python
parser took seconds for each read.
"""

from __future__ import annotations

import copy
import functools
from pathlib import Path
from typing import Any

import yaml

Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def parse_yaml(text: str) -> Any:  # noqa: ANN401 - whatever the document holds
    return yaml.load(text, Loader)


@functools.lru_cache(maxsize=256)
def _parsed(path: Path, _mtime_ns: int, _size: int) -> Any:  # noqa: ANN401
    return parse_yaml(path.read_text(encoding="utf-8"))


def load_yaml(path: Path | str) -> Any:  # noqa: ANN401
    """The document in `path` (a fresh copy: callers may change it); parsed again when the file changes."""
    path = Path(path).resolve()
    stat = path.stat()
    return copy.deepcopy(_parsed(path, stat.st_mtime_ns, stat.st_size))
