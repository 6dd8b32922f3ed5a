"""dbt models as Dagster assets: daily-partitioned incremental rollups, and everything else in one build.

dagster-dbt runs dbt (DbtProject, DbtCliResource) with the dbt of Pulse's own environment; the warehouse
path reaches dbt's profile as a dbt var. The rollups' day range is an environment variable of the dbt process
(set in os.environ only while dagster-dbt starts it), so dbt re-parses only the two rollup models from one
day to the next. dbt's own log goes to
var/logs/dbt.log; its console lines are shown only when the run asks for them (`pulse run --verbose`).
"""

import contextlib
import io
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

from orchestration import settings
from orchestration.dbt_project import (
    DBT_PROJECT_DIR,
    EVENT_ROLLUPS_SELECT,
    dbt_executable,
    dbt_vars,
    ensure_manifest,
    rollup_days_env,
)
from orchestration.partitions import daily_partitions

pulse_dbt_project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)
MANIFEST = ensure_manifest()

# The event rollups (tag event_rollup) and the staging views they read are rebuilt per day range; the rest
# once per run, the daily models from the first day that changed (orchestration/rebuild.py).
INCREMENTAL_SELECT = EVENT_ROLLUPS_SELECT
# The CRM payload reads the churn risk score, which a Python step writes after the other models: its own step.
AFTER_SCORES_SELECT = "crm_account_sync"
# dbt's advice: unit tests have static inputs, so they belong to development and CI (`make test` runs every
# one), not to each production build. Data tests still run on every build.
BUILD = ["build", "--exclude-resource-type", "unit_test"]


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


class DbtLogConfig(dg.Config):
    """verbose: dbt's console lines go to this process's stdout live (they always go to dbt's log file)."""

    verbose: bool = False


def _validate_configuration(context: dg.AssetExecutionContext) -> None:
    """Bad configuration (health, smart lists, source completeness, lifecycle, playbooks, follows, renewal
    risk) stops the build before any model runs, naming the file and row."""
    from orchestration.criteria.seed_rows import ConfigError
    from orchestration.digests.follows import validate_follows_config
    from orchestration.health.config import validate_health_config
    from orchestration.lifecycle.config import validate_lifecycle_config
    from orchestration.lists.config import validate_lists_config
    from orchestration.quality.completeness import validate_completeness_config
    from orchestration.revenue.config import validate_renewal_config
    from orchestration.tasks.config import validate_playbooks_config

    seeds = settings.seeds_dir()
    try:
        # With the warehouse, the CRM parent hierarchy is checked for cycles before dbt runs too.
        validate_health_config(seeds, settings.warehouse_path())
        for validate in (
            validate_lists_config,
            validate_completeness_config,
            validate_lifecycle_config,
            validate_playbooks_config,
            validate_follows_config,
            validate_renewal_config,
        ):
            validate(seeds)
    except ConfigError as error:
        raise dg.Failure(description=str(error)) from error


def _quietly(events: Iterator[Any], verbose: bool) -> Iterator[Any]:
    """dagster-dbt re-prints every dbt log line to stdout while it streams: keep them off the terminal.

    stdout is swapped only while the next event is produced, never while Dagster handles one.
    """
    if verbose:
        yield from events
        return
    while True:
        with contextlib.redirect_stdout(io.StringIO()):
            event = next(events, None)
        if event is None:
            return
        yield event


def _repository_path(node: Mapping[str, Any]) -> str:
    """A node's file as the repository names it (models/..., not ../models/... from dbt_project/)."""
    path = (DBT_PROJECT_DIR / node["original_file_path"]).resolve()
    return (
        str(path.relative_to(settings.PROJECT_ROOT))
        if path.is_relative_to(settings.PROJECT_ROOT)
        else str(path)
    )


def _failed_nodes(run_results: dict[str, Any] | None, manifest: Mapping[str, Any]) -> list[str]:
    """`model stg_app__events (models/staging/...sql): <dbt's message>` for every node that failed."""
    lines = []
    nodes = {**manifest.get("nodes", {}), **manifest.get("unit_tests", {})}
    for result in (run_results or {}).get("results", []):
        if result.get("status") not in ("error", "fail", "runtime error"):
            continue
        node = nodes.get(result.get("unique_id"), {})
        name = f"{node['resource_type']} {node['name']} ({_repository_path(node)})" if node else None
        message = " ".join(str(result.get("message") or "").split())
        lines.append(f"{name or result.get('unique_id')}: {message}")
    return lines


@contextlib.contextmanager
def _environment(extra: Mapping[str, str] | None) -> Iterator[None]:
    """os.environ with `extra` while dbt starts (steps run one at a time in this process), then as before."""
    extra = extra or {}
    saved = {name: os.environ[name] for name in extra if name in os.environ}  # to put back, not settings
    os.environ.update(extra)
    try:
        yield
    finally:
        for name in extra:
            if name in saved:
                os.environ[name] = saved[name]
            else:
                os.environ.pop(name, None)


def _build(
    args: list[str],
    context: dg.AssetExecutionContext,
    dbt: DbtCliResource,
    config: DbtLogConfig,
    model_env: Mapping[str, str] | None = None,
    rebuild_days: bool = False,
) -> Iterator[Any]:
    """Run dbt holding the warehouse (one writer at a time), stream its assets and checks to Dagster.

    rebuild_days: the daily models rebuild only the days that changed (orchestration/rebuild.py).
    """
    from orchestration.warehouse_lock import exclusive

    with exclusive(command=f"dagster run {context.run.run_id[:8]}: dbt"):
        if not rebuild_days:
            yield from _build_held(args, context, dbt, config, model_env)
            return
        yield from _build_days(args, context, dbt, config)


def _build_days(
    args: list[str], context: dg.AssetExecutionContext, dbt: DbtCliResource, config: DbtLogConfig
) -> Iterator[Any]:
    """Plan which days the daily models rebuild, build, and record the build for the next plan."""
    from orchestration import rebuild
    from orchestration.warehouse import connect

    con = connect()
    try:
        plan = rebuild.plan_rebuild(con)
        rebuild.write_plan(con, plan)
    finally:
        con.close()  # dbt writes the file: one process at a time
    context.log.info(plan.describe())
    try:
        yield from _build_held([*args, *plan.dbt_args], context, dbt, config, None)
        con = connect()
        try:
            rebuild.record_build(con, plan)
        finally:
            con.close()
    finally:
        con = connect()
        try:
            rebuild.clear_plan(con)
        finally:
            con.close()


def _build_held(
    args: list[str],
    context: dg.AssetExecutionContext,
    dbt: DbtCliResource,
    config: DbtLogConfig,
    model_env: Mapping[str, str] | None,
) -> Iterator[Any]:
    """Run dbt, stream its assets and checks to Dagster, and keep the test results for the reports."""
    from orchestration.check_results import dbt_test_results, record_check_results

    log_dir = settings.log_dir()
    log_dir.mkdir(parents=True, exist_ok=True)
    # The warehouse path as a dbt var (always absolute, whatever dbt's working directory), not os.environ.
    full_args = [*args, "--vars", dbt_vars(), "--log-path", str(log_dir)]
    # The log file in dbt's readable text format (dagster-dbt makes dbt's console format JSON).
    full_args += ["--log-format-file", "debug"]
    # One target folder per step and warehouse, reused: dbt reuses its partial parse when nothing changed.
    target_path = settings.dbt_target_dir() / context.op_execution_context.op.name
    run_results_path = target_path / "run_results.json"
    run_results_path.unlink(missing_ok=True)  # a failed start must not report the previous run's results
    with _environment(model_env):  # dagster-dbt hands dbt a copy of os.environ when it starts it
        invocation = dbt.cli(full_args, context=context, raise_on_error=False, target_path=target_path)
    yield from _quietly(iter(invocation.stream()), config.verbose)
    run_results = invocation.get_artifact("run_results.json") if run_results_path.exists() else None
    if run_results is not None:
        record_check_results(dbt_test_results(run_results, invocation.manifest), run_id=context.run.run_id)
    if not invocation.is_successful():
        failed = _failed_nodes(run_results, invocation.manifest) or [str(invocation.get_error()).strip()]
        lines = [f"dbt {' '.join(args)} failed:", *failed, f"dbt's log: {log_dir / 'dbt.log'}"]
        raise dg.Failure(description="\n".join(lines))


@dbt_assets(
    manifest=MANIFEST,
    select=INCREMENTAL_SELECT,
    partitions_def=daily_partitions(),
    backfill_policy=dg.BackfillPolicy.single_run(),
    dagster_dbt_translator=translator,
    name="dbt_daily_rollups",
    project=pulse_dbt_project,
)
def dbt_daily_rollups(
    context: dg.AssetExecutionContext, dbt: DbtCliResource, config: DbtLogConfig
) -> Iterator[Any]:
    _validate_configuration(context)
    window = context.partition_time_window
    # max_date is inclusive: the last day of the (possibly multi-day, single-run backfill) range.
    days = rollup_days_env(
        window.start.strftime("%Y-%m-%d"), (window.end - timedelta(days=1)).strftime("%Y-%m-%d")
    )
    yield from _build(BUILD, context, dbt, config, model_env=days)


@dbt_assets(
    manifest=MANIFEST,
    exclude=f"{INCREMENTAL_SELECT} {AFTER_SCORES_SELECT}",
    dagster_dbt_translator=translator,
    name="dbt_models",
    project=pulse_dbt_project,
)
def dbt_models(context: dg.AssetExecutionContext, dbt: DbtCliResource, config: DbtLogConfig) -> Iterator[Any]:
    _validate_configuration(context)
    yield from _build(BUILD, context, dbt, config, rebuild_days=True)


@dbt_assets(
    manifest=MANIFEST,
    select=AFTER_SCORES_SELECT,
    dagster_dbt_translator=translator,
    name="dbt_after_scores",
    project=pulse_dbt_project,
)
def dbt_after_scores(
    context: dg.AssetExecutionContext, dbt: DbtCliResource, config: DbtLogConfig
) -> Iterator[Any]:
    yield from _build(BUILD, context, dbt, config)


defs = dg.Definitions(
    assets=[dbt_daily_rollups, dbt_models, dbt_after_scores],
    resources={
        "dbt": DbtCliResource(
            project_dir=pulse_dbt_project,
            profiles_dir=str(DBT_PROJECT_DIR),
            # The dbt beside Pulse's Python: the code location loads when dbt is not on PATH.
            dbt_executable=dbt_executable(),
            global_config_flags=["--no-use-colors"],
        )
    },
)
