"""Evidence-style report pages: Markdown with named SQL blocks and components, rendered to a static site.

One module per step: `query` (the warehouse, named SQL blocks), `page` (parsing page files), `components`
(the HTML of <BarChart/>, <DataTable/>, ...), `render` (one page to HTML), `build` (the whole site, in
worker processes), `freshness` (the dbt sources' thresholds as a built-in relation).

Import-light on purpose: the CLI imports this package, so Altair, vl-convert and Playwright are imported
inside the functions that need them.
"""

from orchestration.reports.build import BuildResult, build_site
from orchestration.reports.page import PageError

__all__ = ["BuildResult", "PageError", "build_site"]
