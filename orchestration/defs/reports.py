"""Publishing assets: the static report site and the leadership PDFs (health dashboard, renewal risk)."""

import dagster as dg

from orchestration.defs.sync import SYNC_KEYS

MART_KEYS = [
    dg.AssetKey(["marts", "dim_accounts"]),
    dg.AssetKey(["marts", "fct_account_health_daily"]),
    dg.AssetKey(["marts", "fct_population_health_daily"]),
    dg.AssetKey(["marts", "fct_account_health_reasons_daily"]),
    dg.AssetKey(["marts", "fct_account_usage_daily"]),
    dg.AssetKey(["marts", "fct_tickets"]),
    dg.AssetKey(["marts", "dim_data_sources"]),
    dg.AssetKey(["marts", "fct_account_churn_risk_daily"]),
    dg.AssetKey(["marts", "fct_renewals"]),
    dg.AssetKey(["marts", "fct_renewal_forecast"]),
    dg.AssetKey(["marts", "fct_revenue_monthly"]),
    dg.AssetKey(["marts", "fct_cohort_retention"]),
    dg.AssetKey(["marts", "fct_account_benchmarks"]),
    dg.AssetKey(["marts", "fct_user_engagement"]),
    dg.AssetKey(["marts", "fct_team_performance"]),
    dg.AssetKey(["marts", "fct_upgrade_readiness"]),
    dg.AssetKey(["marts", "fct_feature_adoption_by_tier"]),
    # The site shows the day the brake held, so it is built after the release is decided.
    dg.AssetKey(["release", "data_release"]),
    # The Sync page shows this run's CRM sync outcomes.
    *SYNC_KEYS,
]
HEALTH_PAGE = "health"
RENEWALS_PAGE = "renewals"


@dg.asset(
    key="report_site",
    group_name="reports",
    deps=MART_KEYS,
    description="The report pages in reports/ rendered to a static site (var/site or $PULSE_SITE_DIR).",
    check_specs=[dg.AssetCheckSpec("every_page_renders", asset="report_site")],
    kinds={"html"},
)
def report_site(context: dg.AssetExecutionContext) -> dg.MaterializeResult:
    from orchestration.reports import build_site
    from orchestration.warehouse_lock import exclusive, publish

    # The build succeeded up to here: publish the warehouse (readers use this copy while a build writes the
    # live file), then render the site from that copy, so rendering never holds the writers back.
    with exclusive(command=f"dagster run {context.run.run_id[:8]}: publish"):
        published = publish()
    context.log.info(f"published the warehouse to {published}")
    result = build_site(published)
    for error in result.errors:
        context.log.error(str(error))
    # A broken page is shown as an error page and fails this check; the rest of the site is still published.
    return dg.MaterializeResult(
        metadata={
            "site": dg.MetadataValue.path(str(result.index)),
            "pages": len(result.pages),
            "failed_pages": len(result.errors),
            "seconds": round(result.seconds, 2),
        },
        check_results=[
            dg.AssetCheckResult(
                passed=not result.errors,
                severity=dg.AssetCheckSeverity.ERROR,
                metadata={
                    "failures": dg.MetadataValue.md("\n".join(f"- {e}" for e in result.errors[:50]) or "none")
                },
            )
        ],
    )


@dg.asset(
    key="health_dashboard_pdf",
    group_name="reports",
    deps=[report_site],
    description="The health dashboard printed to PDF for leadership (headless Chromium), once per daily run.",
    kinds={"pdf"},
)
def health_dashboard_pdf(context: dg.AssetExecutionContext) -> dg.MaterializeResult:
    import json

    from orchestration.reports.pdf import html_to_pdf, page_file
    from orchestration.reports.site import default_site_dir

    site = default_site_dir()
    manifest = json.loads((site / "_build.json").read_text())
    failed = [error for error in manifest["errors"] if error["page"] == HEALTH_PAGE]
    if failed:
        raise dg.Failure(description=f"the health dashboard failed to render: {failed[0]['message']}")
    target = html_to_pdf(page_file(site, HEALTH_PAGE), site / "pdf" / "health.pdf")
    context.log.info(f"health dashboard PDF: {target}")
    return dg.MaterializeResult(
        metadata={"pdf": dg.MetadataValue.path(str(target)), "bytes": target.stat().st_size}
    )


@dg.asset(
    key="renewal_risk_pdf",
    group_name="reports",
    deps=[report_site],
    description="The Renewals page (renewals in the next four quarters, value at risk) printed to PDF for "
    "leadership beside the health dashboard's, once per daily run.",
    kinds={"pdf"},
)
def renewal_risk_pdf(context: dg.AssetExecutionContext) -> dg.MaterializeResult:
    import json

    from orchestration.reports.pdf import html_to_pdf, page_file
    from orchestration.reports.site import default_site_dir

    site = default_site_dir()
    manifest = json.loads((site / "_build.json").read_text())
    failed = [error for error in manifest["errors"] if error["page"] == RENEWALS_PAGE]
    if failed:
        raise dg.Failure(description=f"the renewals page failed to render: {failed[0]['message']}")
    target = html_to_pdf(page_file(site, RENEWALS_PAGE), site / "pdf" / "renewals.pdf")
    context.log.info(f"renewal risk PDF: {target}")
    return dg.MaterializeResult(
        metadata={"pdf": dg.MetadataValue.path(str(target)), "bytes": target.stat().st_size}
    )


defs = dg.Definitions(assets=[report_site, health_dashboard_pdf, renewal_risk_pdf])
