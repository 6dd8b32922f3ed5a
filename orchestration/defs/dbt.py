"""dbt models as Dagster assets: daily-partitioned incremental rollups, and everything else in one build."""

import json
import os
from collections.abc import Iterator, Mapping
from datetime import timedelta
from typing import Any

import dagster as dg
from dagster_dbt import (
    DagsterDbtTranslator,
    DbtCliResource,
    DbtProject,
    dbt_assets,
)

from orchestration.dbt_project import DBT_PROJECT_DIR, dbt_env, ensure_manifest
from orchestration.partitions import daily_partitions

pulse_dbt_project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)
MANIFEST = ensure_manifest()

# Incremental rollups and the staging views they read are rebuilt per day range; the rest once per run.
INCREMENTAL_SELECT = "+config.materialized:incremental,resource_type:model"


class PulseTranslator(DagsterDbtTranslator):
    """Asset keys are <schema>/<name> (marts/dim_accounts), so reports and checks name tables as SQL does."""

    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> dg.AssetKey:
        if dbt_resource_props["resource_type"] in ("model", "seed", "snapshot"):
            return dg.AssetKey([dbt_resource_props["schema"], dbt_resource_props["name"]])
        return super().get_asset_key(dbt_resource_props)

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        if dbt_resource_props["resource_type"] == "seed":
            return "configuration"
        return dbt_resource_props.get("schema") or "dbt"


translator = PulseTranslator()


def _validate_configuration(context: dg.AssetExecutionContext) -> None:
    """Bad health configuration stops the build before any model runs, naming the file and row."""
    from orchestration.health.config import HealthConfigError, validate_health_config
    from orchestration.warehouse import PROJECT_ROOT, warehouse_path

    try:
        # With the warehouse, the CRM parent hierarchy is checked for cycles before dbt runs too.
        validate_health_config(PROJECT_ROOT / "seeds", warehouse_path())
    except HealthConfigError as error:
        raise dg.Failure(description=str(error)) from error


def _build(args: list[str], context: dg.AssetExecutionContext, dbt: DbtCliResource) -> Iterator[Any]:
    """Run dbt, stream its assets and checks to Dagster, and keep the test results for the reports."""
    from orchestration.check_results import dbt_test_results, record_check_results

    # dbt's profile reads the warehouse path from the environment: always absolute, whatever dbt's cwd.
    os.environ["PULSE_WAREHOUSE"] = dbt_env()["PULSE_WAREHOUSE"]
    invocation = dbt.cli(args, context=context, raise_on_error=False)
    yield from invocation.stream()
    run_results = invocation.get_artifact("run_results.json")
    record_check_results(dbt_test_results(run_results, invocation.manifest), run_id=context.run.run_id)
    if not invocation.is_successful():
        raise dg.Failure(description=f"dbt {' '.join(args)} failed: {invocation.get_error()}")


@dbt_assets(
    manifest=MANIFEST,
    select=INCREMENTAL_SELECT,
    partitions_def=daily_partitions(),
    backfill_policy=dg.BackfillPolicy.single_run(),
    dagster_dbt_translator=translator,
    name="dbt_daily_rollups",
    project=pulse_dbt_project,
)
def dbt_daily_rollups(context: dg.AssetExecutionContext, dbt: DbtCliResource) -> Iterator[Any]:
    _validate_configuration(context)
    window = context.partition_time_window
    # max_date is inclusive: the last day of the (possibly multi-day, single-run backfill) range.
    dbt_vars = {
        "min_date": window.start.strftime("%Y-%m-%d"),
        "max_date": (window.end - timedelta(days=1)).strftime("%Y-%m-%d"),
    }
    yield from _build(["build", "--vars", json.dumps(dbt_vars)], context, dbt)


@dbt_assets(
    manifest=MANIFEST,
    exclude=INCREMENTAL_SELECT,
    dagster_dbt_translator=translator,
    name="dbt_models",
    project=pulse_dbt_project,
)
def dbt_models(context: dg.AssetExecutionContext, dbt: DbtCliResource) -> Iterator[Any]:
    _validate_configuration(context)
    yield from _build(["build"], context, dbt)


defs = dg.Definitions(
    assets=[dbt_daily_rollups, dbt_models],
    resources={
        "dbt": DbtCliResource(
            project_dir=pulse_dbt_project,
            profiles_dir=str(DBT_PROJECT_DIR),
            global_config_flags=["--no-use-colors"],
        )
    },
)
