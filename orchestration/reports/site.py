"""Where the site and the report pages live (the settings, under the names the report engine uses)."""

from __future__ import annotations

from pathlib import Path

from orchestration import settings


def default_site_dir() -> Path:
    """The rendered site: $PULSE_SITE_DIR, else var/site."""
    return settings.site_dir()


def default_pages_dir() -> Path:
    """The page sources: $PULSE_REPORTS_DIR, else reports/ at the repository root."""
    return settings.pages_dir()
