"""Smart list configuration: the shipped lists are valid; a bad list definition fails fast, naming file, row
and what is allowed (`pulse lists validate`, and the same check Dagster runs before the dbt build)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from orchestration.lists.config import ListsConfigError, collect_lists_config_errors, validate_lists_config
from tests.support.seeds import copy_seeds, edit_line

PROJECT_ROOT = Path(__file__).resolve().parents[2]
SEEDS = PROJECT_ROOT / "seeds"


@pytest.fixture
def seeds(tmp_path: Path) -> Path:
    return copy_seeds(tmp_path, "lists.csv", "list_criteria.csv")


def test_shipped_lists_are_valid() -> None:
    assert validate_lists_config(SEEDS) == []


@pytest.mark.parametrize(
    ("file", "old", "new", "expected"),
    [
        (
            "list_criteria.csv",
            "license_utilization,>=,0.9",
            "license_utilisation,>=,0.9",
            "metric 'license_utilisation' is unknown; allowed: engagement_score, ",
        ),
        (
            "list_criteria.csv",
            "csm_sentiment,in,High|Critical",
            "csm_sentiment,>,High",
            "operator '>' is not allowed on text metric csm_sentiment; allowed: =, !=, in, not_in",
        ),
        (
            "list_criteria.csv",
            "account_age_days,between,30|36",
            "account_age_days,between,36|30",
            "threshold '36|30': low is above high",
        ),
        (
            "list_criteria.csv",
            "change_in_actions_14d,change_in_lt,-0.3",
            "change_in_actions_14d,change_in_lt,thirty",
            "threshold 'thirty' is not a number; change_in_actions_14d change_in_lt needs a ratio",
        ),
        (
            "list_criteria.csv",
            "license_near_capacity,license_near_capacity_utilization",
            "license_near_capacit,license_near_capacity_utilization",
            "list 'license_near_capacit' is not defined in lists.csv; allowed: check_in_30_days, ",
        ),
        (
            "list_criteria.csv",
            "risk_green_open",
            "risk_yellow_open",
            "criterion_id 'risk_yellow_open' is used twice (first at ",
        ),
        (
            "lists.csv",
            "risk_yellow,Tags,success_manager,medium",
            "risk_yellow,Tags,success_manager,urgent",
            "severity 'urgent' is not allowed; allowed: low, medium, high, critical",
        ),
        (
            "lists.csv",
            "Slow Start,sticky",
            "Slow Start,stick",
            "tag_mode 'stick' is not allowed; allowed: add, sticky, none",
        ),
        ("lists.csv", "Expansion,add", ",add", "tag_mode add needs a tag"),
        ("lists.csv", "Expansion,add", "Expansion;Upsell,add", "tag 'Expansion;Upsell' contains ';'"),
        (
            "lists.csv",
            "risk_green,Tags",
            "risk_yellow,Tags",
            "list 'risk_yellow' is defined twice (first at ",
        ),
        (
            "lists.csv",
            "risk_green,Tags",
            "Risk Green,Tags",
            "list name 'Risk Green' is not allowed; allowed: lower case",
        ),
    ],
)
def test_a_bad_list_definition_names_file_row_and_what_is_allowed(
    seeds: Path, file: str, old: str, new: str, expected: str
) -> None:
    line = edit_line(seeds / file, old, new)
    with pytest.raises(ListsConfigError) as raised:
        validate_lists_config(seeds)
    assert any(
        error.startswith(f"{seeds / file}:{line}: ") and expected in error for error in raised.value.errors
    ), raised.value.errors


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (
            "user_contact_role,=,Champion",
            "user_contact_role,>=,8",
            "operator '>=' is not allowed on text metric user_contact_role; allowed: =, !=, in, not_in",
        ),
        (
            "user_active_days_30d,>=,8",
            "user_active_days_30d,>=,eight",
            "threshold 'eight' is not a number; user_active_days_30d >= needs a number",
        ),
        (
            "health_rank,=,Poor",
            "health_rnk,=,Poor",
            # Every catalog's metrics are allowed: account, user and health.
            "metric 'health_rnk' is unknown; allowed: engagement_score, ",
        ),
    ],
)
def test_user_and_health_criteria_are_checked_against_their_catalogs(
    seeds: Path, old: str, new: str, expected: str
) -> None:
    line = edit_line(seeds / "list_criteria.csv", old, new)
    errors = collect_lists_config_errors(seeds)
    assert len(errors) == 1 and errors[0].startswith(f"{seeds / 'list_criteria.csv'}:{line}: {expected}")
    if "unknown" in expected:
        assert "user_active_days_30d" in errors[0] and "prior_health_rank" in errors[0]


def test_list_catalog_names_are_distinct_across_catalogs(tmp_path: Path) -> None:
    from orchestration.metrics.catalog import CATALOGS, CatalogError, load_list_catalog

    for _catalog, (file, _model, _keys) in CATALOGS.items():
        (tmp_path / file).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / file).write_text((PROJECT_ROOT / file).read_text())
    assert {"status", "user_contact_role", "health_rank"} <= set(load_list_catalog(tmp_path))
    user_file = tmp_path / CATALOGS["user"][0]
    user_file.write_text(user_file.read_text().replace("name: user_tenure_days", "name: status"))
    with pytest.raises(CatalogError, match="metric status is also declared in the account catalog"):
        load_list_catalog(tmp_path)


def test_a_list_without_criteria_is_an_error(seeds: Path) -> None:
    criteria = seeds / "list_criteria.csv"
    kept = [line for line in criteria.read_text().splitlines() if not line.startswith("risk_green,")]
    criteria.write_text("\n".join(kept) + "\n")
    line = next(
        n
        for n, text in enumerate((seeds / "lists.csv").read_text().splitlines(), 1)
        if text.startswith("risk_green,")
    )
    assert collect_lists_config_errors(seeds) == [
        f"{seeds / 'lists.csv'}:{line}: list 'risk_green' has no criteria in list_criteria.csv "
        "(it would hold every account); allowed: one or more criteria rows"
    ]


def test_missing_column_and_file(seeds: Path) -> None:
    (seeds / "lists.csv").write_text("list,folder\nx,y\n")
    (seeds / "list_criteria.csv").unlink()
    errors = collect_lists_config_errors(seeds)
    assert errors[0].startswith(f"{seeds / 'lists.csv'}:1: missing column(s) owner, severity, tag, tag_mode")
    assert errors[1] == f"{seeds / 'list_criteria.csv'}: file is missing"


def test_pulse_lists_validate_exits_1_with_file_and_row(seeds: Path) -> None:
    line = edit_line(
        seeds / "list_criteria.csv", "active_days_since_creation,<,5", "active_days_since_creation,<,five"
    )
    completed = subprocess.run(
        [sys.executable, "-m", "orchestration.cli", "lists", "validate", "--seeds", str(seeds)],
        cwd=seeds,
        capture_output=True,
        text=True,
        check=False,
    )
    assert completed.returncode == 1
    # Paths are shown relative to the directory pulse runs from.
    assert f"list_criteria.csv:{line}: threshold 'five' is not a number" in completed.stderr
    assert f"{seeds}" not in completed.stderr
    ok = subprocess.run(
        [sys.executable, "-m", "orchestration.cli", "lists", "validate"],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert (ok.returncode, ok.stdout.strip()) == (0, "list configuration OK")
