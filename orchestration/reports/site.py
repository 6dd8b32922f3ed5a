"""Where the site and the report pages live (environment overridable)."""

from __future__ import annotations

import os
from pathlib import Path

from orchestration.warehouse import PROJECT_ROOT


def default_site_dir() -> Path:
    """The rendered site: $PULSE_SITE_DIR, else var/site."""
    return Path(os.environ.get("PULSE_SITE_DIR", str(PROJECT_ROOT / "var" / "site"))).resolve()


def default_pages_dir() -> Path:
    """The page sources: $PULSE_REPORTS_DIR, else reports/ at the repository root."""
    return Path(os.environ.get("PULSE_REPORTS_DIR", str(PROJECT_ROOT / "reports"))).resolve()
