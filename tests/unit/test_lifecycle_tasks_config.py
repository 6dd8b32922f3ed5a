"""Lifecycle status and playbook configuration: the shipped seeds are valid; a bad row fails fast, naming
file, row and what is allowed (`pulse lifecycle validate`, `pulse tasks validate`, and the check Dagster runs
before the dbt build)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from orchestration.lifecycle.config import (
    LifecycleConfigError,
    collect_lifecycle_config_errors,
    validate_lifecycle_config,
)
from orchestration.tasks.config import PlaybooksConfigError, validate_playbooks_config
from tests.support.seeds import copy_seeds, edit_line

SEEDS = Path(__file__).resolve().parents[2] / "seeds"


@pytest.fixture
def seeds(tmp_path: Path) -> Path:
    return copy_seeds(
        tmp_path, "lifecycle_statuses.csv", "lifecycle_criteria.csv", "playbooks.csv", "lists.csv"
    )


def test_shipped_configuration_is_valid() -> None:
    assert validate_lifecycle_config(SEEDS) == []
    assert validate_playbooks_config(SEEDS) == []


@pytest.mark.parametrize(
    ("file", "old", "new", "expected"),
    [
        (
            "lifecycle_criteria.csv",
            "renewal_window,entry,days_to_renewal,<=,120",
            "renewal_window,entry,days_to_renewl,<=,120",
            "metric 'days_to_renewl' is unknown; allowed: engagement_score, ",
        ),
        (
            "lifecycle_criteria.csv",
            "renewal_window,entry",
            "renewal_window,gate",
            "kind 'gate' is not allowed; allowed: entry, good, poor",
        ),
        (
            "lifecycle_criteria.csv",
            "renewal,renewal_window",
            "renewals,renewal_window",
            "stage 'renewals' is not defined in lifecycle_statuses.csv; allowed: cancelled, trial, ",
        ),
        (
            "lifecycle_criteria.csv",
            "trial,trial_status,entry",
            "trial,trial_status,good",
            "stage trial has one status and no outcome, so a good criterion decides nothing",
        ),
        (
            "lifecycle_statuses.csv",
            "renewal,6,Average,",
            "renewal,6,Okay,",
            "outcome 'Okay' is not allowed; allowed: Good, Average, Poor, or empty",
        ),
        (
            "lifecycle_statuses.csv",
            "renewal,6,Poor,Renewal-High Risk",
            "renewal,7,Poor,Renewal-High Risk",
            "stage renewal has precedence 7 here and 6 at ",
        ),
        (
            "lifecycle_statuses.csv",
            "Core Lifecycle-Poor",
            "Core Lifecycle-Good",
            "status 'Core Lifecycle-Good' is used twice (first at ",
        ),
        (
            "playbooks.csv",
            "engagement_dropped,Find out why usage fell,3,success_manager",
            "engagement_dropped,Find out why usage fell,3,round robin",
            "assign_to 'round robin' is not allowed; allowed: success_manager, round_robin, fewest_open",
        ),
        (
            "playbooks.csv",
            "Riley Park|Quinn Baker",
            "",
            "assign_to round_robin needs assignees",
        ),
        (
            "playbooks.csv",
            "engagement_dropped,Find out why usage fell,3",
            "engagement_droped,Find out why usage fell,3",
            "list 'engagement_droped' is not defined in lists.csv; allowed: check_in_30_days, ",
        ),
        (
            "playbooks.csv",
            "Find out why usage fell,3,",
            "Find out why usage fell,three,",
            "due_days 'three' is not allowed; allowed: a whole number of days",
        ),
    ],
)
def test_a_bad_row_names_file_row_and_what_is_allowed(
    seeds: Path, file: str, old: str, new: str, expected: str
) -> None:
    line = edit_line(seeds / file, old, new)
    error_type = PlaybooksConfigError if file == "playbooks.csv" else LifecycleConfigError
    validate = validate_playbooks_config if file == "playbooks.csv" else validate_lifecycle_config
    with pytest.raises(error_type) as raised:
        validate(seeds)
    assert any(
        error.startswith(f"{seeds / file}:{line}: ") and expected in error for error in raised.value.errors
    ), raised.value.errors


def test_exactly_one_stage_without_entry_criteria_and_it_comes_last(seeds: Path) -> None:
    criteria = seeds / "lifecycle_criteria.csv"
    lines = criteria.read_text().splitlines()
    kept = [line for line in lines if ",entry," not in line or "renewal" not in line]
    criteria.write_text("\n".join(kept) + "\n")
    errors = collect_lifecycle_config_errors(seeds)
    assert any("2 stages without entry criteria (renewal, core)" in error for error in errors), errors
    edit_line(criteria, "core,core_good_active_days_14d,good", "core,core_entry,entry")
    edit_line(criteria, "renewal,renewal_low_active_days,good", "renewal,x,good")
    errors = collect_lifecycle_config_errors(seeds)
    expected = "stage renewal has no entry criteria, so it must come last"
    assert any(expected in error for error in errors), errors


def test_pulse_lifecycle_and_tasks_validate_exit_1_with_file_and_row(seeds: Path) -> None:
    line = edit_line(seeds / "lifecycle_criteria.csv", "days_to_renewal,<=,120", "days_to_renewal,<=,soon")
    for command, file, row in (("lifecycle", "lifecycle_criteria.csv", line), ("tasks", "playbooks.csv", 2)):
        if command == "tasks":
            edit_line(seeds / "playbooks.csv", "check_in_30_days,30-day check-in call,", "check_in_30_days,,")
        completed = subprocess.run(
            [sys.executable, "-m", "orchestration.cli", command, "validate", "--seeds", str(seeds)],
            cwd=seeds,
            capture_output=True,
            text=True,
            check=False,
        )
        assert completed.returncode == 1
        assert f"{file}:{row}: " in completed.stderr, completed.stderr
