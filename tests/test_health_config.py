"""Health configuration validation: a bad configuration fails fast, naming file, row and what is allowed."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import duckdb
import pytest

from orchestration.health.config import (
    HealthConfigError,
    collect_health_config_errors,
    find_parent_cycles,
    validate_health_config,
)
from orchestration.health.metrics import METRICS
from orchestration.warehouse import ensure_raw_schema

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SEEDS = PROJECT_ROOT / "seeds"


@pytest.fixture
def seeds(tmp_path: Path) -> Path:
    for name in ("health_profiles.csv", "health_criteria.csv", "health_settings.csv"):
        shutil.copy(SEEDS / name, tmp_path / name)
    return tmp_path


def _edit(path: Path, old: str, new: str) -> int:
    """Replace old by new in the file; return the 1-based line number of the edit."""
    lines = path.read_text().splitlines()
    number = next(index for index, line in enumerate(lines) if old in line)
    lines[number] = lines[number].replace(old, new)
    path.write_text("\n".join(lines) + "\n")
    return number + 1


def test_shipped_configuration_is_valid() -> None:
    assert validate_health_config(SEEDS) == []


@pytest.mark.parametrize(
    ("file", "old", "new", "expected"),
    [
        (
            "health_criteria.csv",
            "active_days_14d,>=,5,,,",
            "active_dayz_14d,>=,5,,,",
            "metric 'active_dayz_14d' is unknown; allowed:",
        ),
        (
            "health_criteria.csv",
            "days_since_last_activity,>,14",
            "days_since_last_activity,>>,14",
            "operator '>>' is not allowed",
        ),
        (
            "health_criteria.csv",
            "default,usage,default_inactive_poor",
            "default,usag,default_inactive_poor",
            "category 'usag' is unknown; allowed:",
        ),
        (
            "health_criteria.csv",
            "days_since_last_activity,>,14",
            "days_since_last_activity,>,two weeks",
            "threshold 'two weeks' is not a number",
        ),
        (
            "health_criteria.csv",
            "project_status,in,Delayed|Blocked",
            "project_status,<,Delayed",
            "operator '<' is not allowed on text metric project_status",
        ),
        (
            "health_criteria.csv",
            ",Poor,days_since_last_activity,>,14",
            ",Bad,days_since_last_activity,>,14",
            "outcome 'Bad' is unknown; allowed: Good, Poor",
        ),
        (
            "health_profiles.csv",
            "digital_onboarding,20,false",
            "digital_onboarding,20,true",
            "a second default profile",
        ),
        (
            "health_profiles.csv",
            "journey_stage = Onboarding and onboarding_program",
            "journey_stag = Onboarding and onboarding_program",
            "segment_filter: metric 'journey_stag' is unknown",
        ),
        (
            "health_profiles.csv",
            ",rules,journey_stage",
            ",ruled,journey_stage",
            "model 'ruled' is unknown; allowed: rules, weighted",
        ),
        (
            "health_settings.csv",
            "parent_rollup_method,children",
            "parent_rollup_method,revenue",
            "parent_rollup_method 'revenue' is not allowed",
        ),
    ],
)
def test_bad_configuration_names_file_row_and_allowed(
    seeds: Path, file: str, old: str, new: str, expected: str
) -> None:
    line = _edit(seeds / file, old, new)
    with pytest.raises(HealthConfigError) as raised:
        validate_health_config(seeds)
    message = str(raised.value)
    assert f"{seeds / file}:{line}" in message, message
    assert expected in message, message


def test_change_in_operator_only_on_change_in_metrics(seeds: Path) -> None:
    line = _edit(
        seeds / "health_criteria.csv",
        "change_in_actions_14d,change_in_lt",
        "actions_per_day_14d,change_in_lt",
    )
    errors = collect_health_config_errors(seeds)
    assert any(
        f"health_criteria.csv:{line}: operator 'change_in_lt' is not allowed" in error for error in errors
    )


def test_parent_cycle_in_the_warehouse_fails(seeds: Path, tmp_path: Path) -> None:
    warehouse = tmp_path / "cycle.duckdb"
    con = duckdb.connect(str(warehouse))
    ensure_raw_schema(con)
    for sf_id, parent in (("A", "B"), ("B", "C"), ("C", "A"), ("D", None)):
        con.execute(
            "insert into raw.crm_accounts"
            " (sf_id, parent_sf_id, last_modified_at, _source, _file_id, _line, _loaded_at)"
            " values (?, ?, now(), 'crm', 'f', 1, now())",
            [sf_id, parent],
        )
    con.close()
    with pytest.raises(HealthConfigError) as raised:
        validate_health_config(seeds, warehouse)
    assert "raw.crm_accounts: account A: parent hierarchy has a cycle A -> B -> C -> A" in str(raised.value)


def test_find_parent_cycles() -> None:
    assert find_parent_cycles({"a": "b", "b": None, "c": "a"}) == []
    assert find_parent_cycles({"a": "a"}) == [["a", "a"]]


def test_python_metric_list_matches_the_dbt_macro() -> None:
    macro = (PROJECT_ROOT / "dbt_project" / "macros" / "health_metrics.sql").read_text()
    catalog = dict(re.findall(r"'([a-z0-9_]+)': '(number|text)'", macro))
    assert catalog == METRICS
