"""`pulse run`: materialize the whole graph once, the way the daily schedule does, and print what happened."""

from __future__ import annotations

import os
import time
from datetime import date, datetime

import click

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


def _partition_range(days: tuple[str, str] | None) -> tuple[str, str]:
    from orchestration.partitions import daily_partitions

    keys = daily_partitions().get_partition_keys()
    if days is None:
        return keys[-1], keys[-1]
    start = max(days[0], keys[0])
    end = min(max(days[1], start), keys[-1])
    return start, end


# Dagster's per-event debug log is for the UI; the terminal gets one line per step and every failed check.
QUIET = {"loggers": {"console": {"config": {"log_level": "WARNING"}}}}


def _print_steps(result, instance) -> None:  # noqa: ANN001 - dagster objects, imported lazily
    started: dict[str, float] = {}
    for entry in instance.all_logs(result.run_id):
        event = entry.dagster_event
        if event is None:
            continue
        if event.event_type_value == "STEP_START":
            started[event.step_key] = entry.timestamp
        elif event.event_type_value in ("STEP_SUCCESS", "STEP_FAILURE"):
            seconds = entry.timestamp - started.get(event.step_key, entry.timestamp)
            outcome = "ok" if event.event_type_value == "STEP_SUCCESS" else "FAILED"
            click.echo(f"  {event.step_key:<44} {outcome:<7} {seconds:6.1f} s")
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
    except Exception as error:  # the summary must never hide the run's own result
        click.echo(f"(summary incomplete: {error})")
    finally:
        con.close()
    click.echo(f"\nTook {time.monotonic() - started:,.1f} s. Warehouse: {warehouse_path()}")


@click.command()
@click.option("--since", "since", default=None, help="Rebuild usage rollups from this day (YYYY-MM-DD).")
def run(since: str | None) -> None:
    """Materialize the whole graph once: ingest new files, build dbt (checks included), publish reports."""
    import dagster as dg

    from orchestration.definitions import defs

    started = time.monotonic()
    # Runs show up in `make dev` when DAGSTER_HOME is set (the Makefile sets it);
    # otherwise they are ephemeral.
    instance = dg.DagsterInstance.get() if os.environ.get("DAGSTER_HOME") else dg.DagsterInstance.ephemeral()
    ingestion_started = datetime.now()
    ingest_job = dg.define_asset_job("ingest_only", selection=dg.AssetSelection.groups("ingestion"))
    job_defs = dg.Definitions.merge(defs, dg.Definitions(jobs=[ingest_job]))
    click.echo("Ingesting landing files ...")
    result = job_defs.resolve_job_def("ingest_only").execute_in_process(
        instance=instance, raise_on_error=False, run_config=QUIET
    )
    _print_steps(result, instance)
    if not result.success:
        raise click.ClickException("ingestion failed; see the messages above")

    days = (since, date.today().isoformat()) if since else _affected_range(ingestion_started)
    first, last = _partition_range(days)
    click.echo(f"Building rollups for {first} .. {last}, then marts, checks and reports ...")
    build = job_defs.resolve_job_def("daily_build")
    result = build.execute_in_process(
        instance=instance,
        raise_on_error=False,
        tags={"dagster/asset_partition_range_start": first, "dagster/asset_partition_range_end": last},
        asset_selection=[key for key in build.asset_layer.executable_asset_keys if key.path[0] != "raw"],
        run_config=QUIET,
    )
    _print_steps(result, instance)
    _print_summary(started)
    if not result.success:
        failed = [event.step_key for event in result.all_events if event.is_step_failure]
        raise click.ClickException(f"the build failed in: {', '.join(failed) or 'a step'}")
    from orchestration.reports.site import default_site_dir

    click.echo(f"Reports: {default_site_dir() / 'index.html'}")
