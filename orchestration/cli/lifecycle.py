"""`pulse lifecycle ...`: validate the lifecycle configuration (seeds lifecycle_statuses / _criteria)."""

from __future__ import annotations

import click

from orchestration.cli.config_check import validate_command


@click.group()
def lifecycle() -> None:
    """Lifecycle status (onboarding, core lifecycle, renewal window): validate its configuration."""


lifecycle.add_command(
    validate_command(
        "lifecycle",
        "lifecycle_statuses.csv / lifecycle_criteria.csv",
        "orchestration.lifecycle.config:validate_lifecycle_config",
    )
)
