"""The `pulse` command line: one module per subcommand in this package (run, generate, ingest, health,
lists, report). Subcommands are imported only when called, so `pulse --help` stays quick."""

from __future__ import annotations

import importlib

import click

# name -> "module:attribute" of a click command or group
SUBCOMMANDS: dict[str, str] = {
    "confirm": "orchestration.cli.confirm:confirm",
    "digest": "orchestration.cli.digest:digest",
    "generate": "orchestration.cli.generate:generate",
    "ingest": "orchestration.cli.ingest:ingest",
    "lifecycle": "orchestration.cli.lifecycle:lifecycle",
    "lists": "orchestration.cli.lists:lists",
    "health": "orchestration.cli.health:health",
    "report": "orchestration.cli.report:report",
    "revenue": "orchestration.cli.revenue:revenue",
    "run": "orchestration.cli.run:run",
    "sync": "orchestration.cli.sync:sync",
    "tasks": "orchestration.cli.tasks:tasks",
}


class LazyGroup(click.Group):
    def invoke(self, ctx: click.Context) -> object:
        from orchestration.settings import SettingError

        try:
            return super().invoke(ctx)
        except SettingError as error:  # a user's setting, not a bug: the message, no traceback
            raise click.ClickException(str(error)) from error

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(SUBCOMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        target = SUBCOMMANDS.get(cmd_name)
        if target is None:
            return None
        module_name, attribute = target.split(":")
        return getattr(importlib.import_module(module_name), attribute)


@click.group(cls=LazyGroup)
@click.version_option(package_name="pulse")
def main() -> None:
    """Pulse: a customer success warehouse (DuckDB + dbt + Dagster)."""
