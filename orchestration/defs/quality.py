"""Great Expectations data-quality checks on the raw tables, as Dagster asset checks.

Two checks per raw table asset (["raw", "<table>"]):
- `ge_raw_values`: ids present, timestamps not in the future, statuses in their sets (checks.yml rules);
- `ge_reject_rate`: each file loaded into the table rejected at most `reject_rate.max_rate` of its rows.
The GE logic lives in orchestration.quality; checks.yml is validated here, when the code location loads.
"""

from typing import Any

import dagster as dg

from orchestration.check_results import CheckResultRow, record_check_results
from orchestration.quality.config import QualityConfig, TableChecks, load_config
from orchestration.quality.expectations import CheckOutcome, run_reject_rate_check, run_table_checks

SEVERITY = {"ERROR": dg.AssetCheckSeverity.ERROR, "WARN": dg.AssetCheckSeverity.WARN}


def to_check_result(
    outcome: CheckOutcome, thresholds: dict[str, Any], table: str, check_name: str, run_id: str | None = None
) -> dg.AssetCheckResult:
    meta = outcome.as_metadata()
    # Kept in the warehouse too, for the data-quality report.
    record_check_results(
        [
            CheckResultRow(
                asset=f"raw/{table}",
                check_name=check_name,
                check_type="great_expectations",
                passed=outcome.passed,
                severity=outcome.severity,
                failing_rows=sum(failure.unexpected_count or 0 for failure in outcome.failures),
                description=outcome.description,
                details={"failed_expectations": meta["failed_expectations"], "thresholds": thresholds},
            )
        ],
        run_id=run_id,
    )
    metadata: dict[str, Any] = {
        "rows_checked": outcome.rows_checked,
        "failed_expectations": dg.MetadataValue.json(meta["failed_expectations"]),
        "failures": dg.MetadataValue.json(meta["failures"]),
        "thresholds": dg.MetadataValue.json(thresholds),
    }
    if outcome.failures:
        metadata["first_failure"] = dg.MetadataValue.text(outcome.failures[0].summary())
    return dg.AssetCheckResult(
        passed=outcome.passed,
        severity=SEVERITY[outcome.severity],
        metadata=metadata,
        description=outcome.description,
    )


def checks_for_table(table: str, rules: TableChecks, config: QualityConfig) -> list[dg.AssetChecksDefinition]:
    key = dg.AssetKey(["raw", table])

    @dg.asset_check(
        asset=key,
        name="ge_raw_values",
        description=f"Great Expectations on raw.{table}: ids present, no future timestamps, known values.",
        blocking=config.blocking,
    )
    def raw_values(context: dg.AssetCheckExecutionContext) -> dg.AssetCheckResult:
        from orchestration.warehouse_lock import exclusive

        with exclusive(command="dagster: ge_raw_values"):  # results are written to raw.check_results
            outcome = run_table_checks(table, config)
        thresholds = {
            "future_tolerance_days": config.future_tolerance_days,
            "lookback_days": config.lookback_days,
            "in_set": {r.column: {"values": list(r.values), "mostly": r.mostly} for r in rules.in_set},
        }
        return to_check_result(
            outcome, thresholds, table, "ge_raw_values", context.op_execution_context.run_id
        )

    @dg.asset_check(
        asset=key,
        name="ge_reject_rate",
        description=f"Files loaded into raw.{table} rejected at most {config.reject_max_rate:.0%} of rows.",
        blocking=config.blocking,
    )
    def reject_rate(context: dg.AssetCheckExecutionContext) -> dg.AssetCheckResult:
        from orchestration.warehouse_lock import exclusive

        with exclusive(command="dagster: ge_reject_rate"):
            outcome = run_reject_rate_check(table, config)
        return to_check_result(
            outcome,
            {"max_rate": config.reject_max_rate},
            table,
            "ge_reject_rate",
            context.op_execution_context.run_id,
        )

    return [raw_values, reject_rate]


def build_asset_checks(config: QualityConfig) -> list[dg.AssetChecksDefinition]:
    checks: list[dg.AssetChecksDefinition] = []
    for table, rules in config.tables.items():
        checks += checks_for_table(table, rules, config)
    return checks


defs = dg.Definitions(asset_checks=build_asset_checks(load_config()))
