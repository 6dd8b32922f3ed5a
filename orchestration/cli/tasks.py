"""`pulse tasks ...`: validate the playbook configuration (seed playbooks: list entries that create tasks)."""

from __future__ import annotations

import click

from orchestration.cli.config_check import validate_command


@click.group()
def tasks() -> None:
    """Tasks from playbooks: validate their configuration."""


tasks.add_command(
    validate_command(
        "playbook", "playbooks.csv and lists.csv", "orchestration.tasks.config:validate_playbooks_config"
    )
)
