"""The `pulse` command line. Subcommands import their modules lazily so `pulse --help` stays quick."""

from __future__ import annotations

import importlib

import click

# name -> "module:attribute" of a click command or group
SUBCOMMANDS: dict[str, str] = {
    "generate": "orchestration.generate.cli:generate",
    "ingest": "orchestration.ingest.cli:ingest",
    "health": "orchestration.health.cli:health",
    "report": "orchestration.reports.cli:report",
    "run": "orchestration.run_cli:run",
}


class LazyGroup(click.Group):
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


if __name__ == "__main__":
    main()
