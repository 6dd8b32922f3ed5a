"""The churn risk score as a Dagster asset, after the dbt build (orchestration.health.risk)."""

import dagster as dg

from orchestration import settings

RISK_KEY = dg.AssetKey(["marts", "fct_account_churn_risk_daily"])


@dg.asset(
    key=RISK_KEY,
    group_name="marts",
    deps=[
        dg.AssetKey(["intermediate", "int_account_metrics_daily"]),
        dg.AssetKey(["marts", "fct_account_health_daily"]),
        dg.AssetKey(["marts", "dim_accounts"]),
    ],
    description="Churn risk per account and day (probability, decile, top three metrics) and its validation "
    "(marts.fct_churn_risk_validation): a gradient-boosted model trained with a time split.",
    kinds={"python", "duckdb"},
)
def churn_risk(context: dg.AssetExecutionContext) -> dg.MaterializeResult:
    from orchestration.health.risk import build_risk_score, validation_markdown

    run = build_risk_score(settings.warehouse_path())
    if run.message:
        context.log.warning(f"churn risk not scored: {run.message}")
        return dg.MaterializeResult(metadata={"scored_rows": 0, "reason": run.message})
    return dg.MaterializeResult(
        metadata={
            "scored_rows": run.scored_rows,
            "auc": run.validation.get("auc"),
            "lift_top_10pct": run.validation.get("lift_top_10pct"),
            "validation": dg.MetadataValue.md(validation_markdown(run.validation, run.split_date)),
        }
    )


defs = dg.Definitions(assets=[churn_risk])
