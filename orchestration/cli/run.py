"""`pulse run`: materialize the whole graph once, the way the daily schedule does, and print what happened."""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from typing import Any, TextIO

import click
import duckdb

from orchestration import settings
from orchestration.rebuild import RebuildPlan, plan_rebuild
from orchestration.warehouse import connect, warehouse_path


def _affected_range(loaded_since: datetime) -> tuple[str, str] | None:
    """Days touched by events loaded since `loaded_since` (late events included): the rollup work to redo."""
    con = connect(read_only=True)
    try:
        built = con.execute(
            "select count(*) from information_schema.tables "
            "where table_schema = 'intermediate' and table_name = 'int_usage_daily'"
        ).fetchone()[0]
        bounds = con.execute(
            "select min(event_at)::date, max(event_at)::date from raw.app_events"
            + ("" if not built else " where _loaded_at >= ?"),
            [] if not built else [loaded_since],
        ).fetchone()
    finally:
        con.close()
    if bounds is None or bounds[0] is None:
        return None
    return bounds[0].isoformat(), bounds[1].isoformat()


def _rebuild_plan() -> RebuildPlan:
    """What the build's daily models will rebuild (the dbt step decides the same from the same data)."""
    con = connect(read_only=True)
    try:
        return plan_rebuild(con)
    finally:
        con.close()


def _partition_range(days: tuple[str, str] | None) -> tuple[str, str]:
    from orchestration.partitions import daily_partitions

    keys = daily_partitions().get_partition_keys()
    if days is None:
        return keys[-1], keys[-1]
    start = max(days[0], keys[0])
    end = min(max(days[1], start), keys[-1])
    return start, end


# Dagster's per-event log is for the UI; the terminal gets one line per step (a failed step's line carries
# its message) and every failed check. --verbose adds Dagster's warnings and errors (stack traces).
QUIET = {"loggers": {"console": {"config": {"log_level": "CRITICAL"}}}}
VERBOSE = {"loggers": {"console": {"config": {"log_level": "WARNING"}}}}


def _failure_message(event: Any) -> str:  # noqa: ANN401 - a dagster StepFailureData
    data = event.event_specific_data
    if data.user_failure_data is not None and data.user_failure_data.description:
        return data.user_failure_data.description
    if data.error is None:
        return ""
    # Not a dagster Failure: an unexpected exception. Its stack trace is in Dagster's log (--verbose).
    return f"{data.error.cls_name}: {data.error.message.strip()} (pulse run --verbose shows the stack trace)"


@contextmanager
def _step_lines(instance: Any, run_id: str, steps: int, out: TextIO, bar: bool) -> Iterator[None]:  # noqa: ANN401
    """One line per finished step as it finishes, under a progress bar (stderr, on a terminal only).

    A failed step's line is followed by its message (for dbt: the failing nodes and dbt's log file).
    """
    from tqdm import tqdm

    started: dict[str, float] = {}
    progress = tqdm(total=steps, unit="step", file=sys.stderr, disable=None if bar else True, leave=False)

    def on_event(entry: Any) -> None:  # noqa: ANN401 - a dagster EventLogEntry
        event = entry.dagster_event
        if event is None:
            return
        if event.event_type_value == "STEP_START":
            started[event.step_key] = entry.timestamp
            progress.set_description_str(event.step_key)
        elif event.event_type_value in ("STEP_SUCCESS", "STEP_FAILURE"):
            seconds = entry.timestamp - started.get(event.step_key, entry.timestamp)
            outcome = "ok" if event.event_type_value == "STEP_SUCCESS" else "FAILED"
            lines = [f"  {event.step_key:<44} {outcome:<7} {seconds:6.1f} s"]
            if outcome == "FAILED":
                lines += [f"      {line}" for line in _failure_message(event).splitlines()]
            progress.write("\n".join(lines), file=out)
            progress.update()

    instance.add_event_listener(run_id, on_event)
    try:
        yield
    finally:
        progress.close()


def _print_checks(result: Any) -> None:  # noqa: ANN401 - a dagster ExecuteInProcessResult
    checks = [
        event.event_specific_data
        for event in result.all_events
        if event.event_type_value == "ASSET_CHECK_EVALUATION"
    ]
    failed = [check for check in checks if not check.passed]
    click.echo(f"  checks: {len(checks) - len(failed)} passed, {len(failed)} failed")
    for check in failed:
        severity = getattr(check.severity, "value", check.severity)
        click.echo(f"    {severity}: {check.asset_key.to_user_string()} {check.check_name}")


def _execute(job: Any, instance: Any, *, verbose: bool, **kwargs: Any) -> Any:  # noqa: ANN401
    """Run a job in this process, printing its steps live; the run's own result is returned."""
    from dagster._core.utils import make_new_run_id

    run_id = make_new_run_id()
    selection = kwargs.get("asset_selection")
    steps = len((job.get_subset(asset_selection=set(selection)) if selection else job).graph.nodes)
    with _step_lines(instance, run_id, steps, sys.stdout, bar=not verbose):
        result = job.execute_in_process(instance=instance, raise_on_error=False, run_id=run_id, **kwargs)
    _print_checks(result)
    return result


def _print_completeness(con: duckdb.DuckDBPyConnection) -> None:
    """Stale sources and held days: what a person must look at before trusting today's ranks."""
    from orchestration.release import held_days, released_as_of

    stale = con.execute(
        "select label, stale_since from marts.dim_data_sources where is_stale order by source"
    ).fetchall()
    for label, since in stale:
        click.echo(f"Stale: {label} since {since} (its metrics are unknown after that day)")
    for day, summary in held_days(con):
        click.echo(f"held: {day}: {summary}")
    click.echo(f"Released for action through: {released_as_of(con) or 'nothing yet'}")


def _print_summary(started: float) -> None:
    con = connect(read_only=True)
    try:
        rows = con.execute(
            """
            select source, count(*) as files, sum(rows_loaded), sum(rows_duplicate), sum(rows_rejected)
            from raw.loaded_files group by source order by source
            """
        ).fetchall()
        click.echo("\nLoaded per source (all runs):")
        click.echo(f"  {'source':<14}{'files':>7}{'rows':>12}{'duplicates':>12}{'rejected':>10}")
        for source, files, loaded, duplicate, rejected in rows:
            click.echo(f"  {source:<14}{files:>7}{loaded:>12,}{duplicate:>12,}{rejected:>10,}")
        reasons = con.execute(
            "select source, reason, count(*) from raw.rejects group by all order by 3 desc limit 10"
        ).fetchall()
        if reasons:
            click.echo("Rejected rows by reason (top 10):")
            for source, reason, count in reasons:
                click.echo(f"  {count:>8,}  {source}: {reason}")
        health = con.execute(
            """
            select as_of_date, count(*) filter (where health_rank = 'Good'),
                   count(*) filter (where health_rank = 'Average'),
                   count(*) filter (where health_rank = 'Poor'),
                   count(*) filter (where health_rank = 'Unknown')
            from marts.fct_account_health_daily
            where as_of_date = (select max(as_of_date) from marts.fct_account_health_daily)
            group by as_of_date
            """
        ).fetchall()
        for as_of, good, average, poor, unknown in health:
            click.echo(f"Health on {as_of}: {good} Good, {average} Average, {poor} Poor, {unknown} Unknown")
        _print_completeness(con)
    except Exception as error:  # the summary must never hide the run's own result
        click.echo(f"(summary incomplete: {error})")
    finally:
        con.close()
    click.echo(f"\nTook {time.monotonic() - started:,.1f} s. Warehouse: {warehouse_path()}")


# dbt's console lines (always in var/logs/dbt.log) are shown live only with --verbose.
DBT_OPS = ("dbt_daily_rollups", "dbt_models", "dbt_after_scores")


@click.command()
@click.option("--since", "since", default=None, help="Rebuild usage rollups from this day (YYYY-MM-DD).")
@click.option("--verbose", is_flag=True, help="Show dbt's log live (it always goes to var/logs/dbt.log).")
def run(since: str | None, verbose: bool) -> None:
    """Materialize the whole graph once: ingest new files, build dbt (checks included), publish reports.

    Holds the warehouse for the whole run: a second writer waits (saying for whom); readers use the copy
    published by the last successful build meanwhile.
    """
    from orchestration.warehouse_lock import WarehouseBusy, exclusive

    try:
        with exclusive(command="pulse run"):
            _run(since, verbose)
    except WarehouseBusy as error:
        raise click.ClickException(str(error)) from error


def _run(since: str | None, verbose: bool) -> None:
    import dagster as dg

    from orchestration.definitions import defs

    started = time.monotonic()
    # Runs show up in `make dev` when DAGSTER_HOME is set (the Makefile sets it);
    # otherwise they are ephemeral.
    instance = dg.DagsterInstance.get() if settings.dagster_home() else dg.DagsterInstance.ephemeral()
    ingestion_started = datetime.now()
    ingest_job = dg.define_asset_job("ingest_only", selection=dg.AssetSelection.groups("ingestion"))
    job_defs = dg.Definitions.merge(defs, dg.Definitions(jobs=[ingest_job]))
    click.echo("Ingesting landing files ...")
    logs = VERBOSE if verbose else QUIET
    result = _execute(job_defs.resolve_job_def("ingest_only"), instance, verbose=verbose, run_config=logs)
    if not result.success:
        raise click.ClickException("ingestion failed; see the messages above")

    days = (since, date.today().isoformat()) if since else _affected_range(ingestion_started)
    first, last = _partition_range(days)
    click.echo(f"Building rollups for {first} .. {last}, then marts, checks and reports ...")
    click.echo(f"  {_rebuild_plan().describe()}")
    build = job_defs.resolve_job_def("daily_build")
    dbt_config = {"ops": {op: {"config": {"verbose": True}} for op in DBT_OPS}} if verbose else {}
    result = _execute(
        build,
        instance,
        verbose=verbose,
        tags={"dagster/asset_partition_range_start": first, "dagster/asset_partition_range_end": last},
        asset_selection=[key for key in build.asset_layer.executable_asset_keys if key.path[0] != "raw"],
        run_config={**logs, **dbt_config},
    )
    _print_summary(started)
    if not result.success:
        failed = [event.step_key for event in result.all_events if event.is_step_failure]
        raise click.ClickException(f"the build failed in: {', '.join(failed) or 'a step'}")
    click.echo(f"Reports: {settings.site_dir() / 'index.html'}")
