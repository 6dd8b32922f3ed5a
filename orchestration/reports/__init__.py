"""Evidence-style report pages: Markdown with named SQL blocks and components, rendered to a static site.

Import-light on purpose: the CLI imports this package, so Altair, vl-convert and Playwright are imported
inside the functions that need them.
"""

from orchestration.reports.engine import BuildResult, PageError, build_site

__all__ = ["BuildResult", "PageError", "build_site"]
