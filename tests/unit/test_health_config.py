"""Health configuration validation: a bad configuration fails fast, naming file, row and what is allowed."""

from __future__ import annotations

import csv
import re
import shutil
from pathlib import Path

import duckdb
import pytest
import yaml

from orchestration.criteria.rules import check_rule, operators_for
from orchestration.health.config import (
    HealthConfigError,
    collect_health_config_errors,
    find_parent_cycles,
    validate_health_config,
)
from orchestration.metrics.catalog import load_catalog, mart_metric_columns, sync_mart_yaml
from orchestration.warehouse import ensure_raw_schema
from tests.support.seeds import copy_seeds, edit_line

PROJECT_ROOT = Path(__file__).resolve().parents[2]
SEEDS = PROJECT_ROOT / "seeds"


@pytest.fixture
def seeds(tmp_path: Path) -> Path:
    return copy_seeds(
        tmp_path,
        "health_profiles.csv",
        "health_segment_filters.csv",
        "health_criteria.csv",
        "health_settings.csv",
    )


def test_shipped_configuration_is_valid() -> None:
    assert validate_health_config(SEEDS) == []


def test_shipped_recommended_candidate_is_valid() -> None:
    """The profile learned on the sample data (examples/health/recommended, see its README) is a valid
    candidate folder: every metric, operator and threshold passes the validator preview and backtest use."""
    folder = PROJECT_ROOT / "examples" / "health" / "recommended"
    assert validate_health_config(folder) == []
    with (folder / "health_criteria.csv").open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert {row["outcome"] for row in rows} == {"Good", "Poor"}
    assert {row["profile"] for row in rows} == {"learned"}


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
            "health_segment_filters.csv",
            "high_touch_onboarding,journey_stage,=",
            "high_touch_onboarding,journey_stag,=",
            "segment filter: metric 'journey_stag' is unknown; allowed:",
        ),
        (
            "health_segment_filters.csv",
            "onboarding_program,=,Project",
            "onboarding_program,between,Project",
            "segment filter: operator 'between' is not allowed on text metric onboarding_program",
        ),
        (
            "health_segment_filters.csv",
            "digital_onboarding,journey_stage",
            "digital_onboardin,journey_stage",
            "profile 'digital_onboardin' is not in health_profiles.csv",
        ),
        (
            "health_profiles.csv",
            ",10,false,rules,",
            ",10,false,ruled,",
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
    line = edit_line(seeds / file, old, new)
    with pytest.raises(HealthConfigError) as raised:
        validate_health_config(seeds)
    message = str(raised.value)
    assert f"{seeds / file}:{line}" in message, message
    assert expected in message, message


def test_change_in_operator_only_on_change_in_metrics(seeds: Path) -> None:
    line = edit_line(
        seeds / "health_criteria.csv",
        "change_in_actions_14d,change_in_lt",
        "actions_per_day_14d,change_in_lt",
    )
    errors = collect_health_config_errors(seeds)
    assert any(
        f"health_criteria.csv:{line}: operator 'change_in_lt' is not allowed" in error for error in errors
    )


def test_parent_cycle_in_the_warehouse_fails(seeds: Path, tmp_path: Path) -> None:
    """A cycle is reported at the landing file and line of the offending raw.crm_accounts row."""
    warehouse = tmp_path / "cycle.duckdb"
    con = duckdb.connect(str(warehouse))
    ensure_raw_schema(con)
    con.execute(
        "insert into raw.loaded_files values"
        " ('f1', 'crm', 'salesforce', 'crm_accounts', 'crm/Account-2026-05-01.csv', 1, 'h1', 1, 4, 4, 0, 0,"
        " now(), 0),"
        " ('f2', 'crm', 'salesforce', 'crm_accounts', 'crm/Account-2026-06-01.csv', 1, 'h2', 1, 1, 1, 0, 0,"
        " now(), 0)"
    )
    rows = (
        ("A", "B", "f1", 2, "2026-05-01"),
        ("B", "C", "f1", 3, "2026-05-01"),
        ("C", None, "f1", 4, "2026-05-01"),
        ("D", None, "f1", 5, "2026-05-01"),
        # The latest version of C (June file, line 2) closes the cycle A -> B -> C -> A.
        ("C", "A", "f2", 2, "2026-06-01"),
    )
    for sf_id, parent, file_id, line, modified in rows:
        con.execute(
            "insert into raw.crm_accounts"
            " (sf_id, parent_sf_id, last_modified_at, _source, _file_id, _line, _loaded_at)"
            " values (?, ?, ?, 'crm', ?, ?, now())",
            [sf_id, parent, modified, file_id, line],
        )
    con.close()
    with pytest.raises(HealthConfigError) as raised:
        validate_health_config(seeds, warehouse)
    message = str(raised.value)
    assert (
        "crm/Account-2026-05-01.csv:2: raw.crm_accounts account A: "
        "parent hierarchy has a cycle A -> B -> C -> A"
        " (the other links: B at crm/Account-2026-05-01.csv:3, C at crm/Account-2026-06-01.csv:2);"
        " allowed: a tree" in message
    ), message
    assert len(raised.value.errors) == 1


def test_categories_setting_replaces_the_allowed_categories(seeds: Path) -> None:
    """health_settings.csv `categories` (| separated) is the list a criterion's category must come from."""
    with (seeds / "health_settings.csv").open("a") as handle:
        handle.write(
            "categories,usage|risk|sentiment|onboarding|work|support|product_fit,Allowed categories\n"
        )
    assert collect_health_config_errors(seeds) == []
    line = edit_line(
        seeds / "health_criteria.csv",
        "default,usage,default_inactive_poor",
        "default,value,default_inactive_poor",
    )
    errors = collect_health_config_errors(seeds)
    assert errors == [
        f"{seeds / 'health_criteria.csv'}:{line}: category 'value' is unknown; "
        "allowed: usage, risk, sentiment, onboarding, work, support, product_fit "
        "(setting `categories` in health_settings.csv)"
    ]


def test_default_profile_unit_test_mirrors_the_seed() -> None:
    """The dbt unit test default_profile_criteria_are_seed_002 uses the shipped default criteria verbatim."""
    spec = yaml.safe_load(
        (PROJECT_ROOT / "models" / "intermediate" / "health" / "_int_health__models.yml").read_text()
    )
    test = next(t for t in spec["unit_tests"] if t["name"] == "default_profile_criteria_are_seed_002")
    given = next(g for g in test["given"] if g["input"] == "ref('int_health_criteria')")["rows"]
    columns = (
        "profile",
        "category",
        "criterion_id",
        "outcome",
        "metric",
        "operator",
        "threshold",
        "reason_label",
    )
    with (SEEDS / "health_criteria.csv").open(newline="") as handle:
        seed = [
            tuple(row[c] for c in columns) for row in csv.DictReader(handle) if row["profile"] == "default"
        ]
    assert [tuple(str(row[c]) for c in columns) for row in given] == seed


def test_find_parent_cycles() -> None:
    assert find_parent_cycles({"a": "b", "b": None, "c": "a"}) == []
    assert find_parent_cycles({"a": "a"}) == [["a", "a"]]


def test_segment_filters_have_no_limit_on_conditions(seeds: Path) -> None:
    """Segment filters are rows: a profile may have any number of conditions, each checked as a rule."""
    with (seeds / "health_segment_filters.csv").open("a") as handle:
        for metric, operator, value in (
            ("status", "in", "Paying|Trial"),
            ("tier", "!=", "Starter"),
            ("contract_value", "between", "1000|50000"),
            ("csm_sentiment", "is_null", ""),
            ("licenses", ">=", "5"),
            ("change_in_actions_14d", "change_in_gt", "-0.5"),
        ):
            handle.write(f"high_touch_onboarding,{metric},{operator},{value}\n")
    assert collect_health_config_errors(seeds) == []


def test_mart_metric_columns_are_generated_from_the_catalog() -> None:
    """The committed metric columns of marts.fct_account_health_daily are those the catalog generates."""
    assert sync_mart_yaml(PROJECT_ROOT, check=True) is False
    spec = yaml.safe_load((PROJECT_ROOT / "models" / "marts" / "health" / "_health__models.yml").read_text())
    mart = next(model for model in spec["models"] if model["name"] == "fct_account_health_daily")
    names = [column["name"] for column in mart["columns"]]
    generated = [column["name"] for column in mart_metric_columns(load_catalog())]
    start = names.index(generated[0])
    assert names[start : start + len(generated)] == generated
    # Declared mart: false: industry (it is on dim_accounts) and the smart lists' metrics (the health mart's
    # columns stay as they were), and the activity metrics; every other metric is a mart column.
    catalog = load_catalog()
    activity = {
        name for name, metric in catalog.items() if metric.model == "int_account_activity_metrics_daily"
    }
    assert len(activity) == 24
    assert set(catalog) - set(generated) == {
        "industry",
        "active_days_since_creation",
        "days_since_paying",
        "days_to_next_quarter_anniversary",
        "days_since_contract_start",
        "days_since_key_module_first_use",
        "latest_key_module_first_used",
        *activity,
    }


def test_a_stale_mart_block_is_rewritten(tmp_path: Path) -> None:
    for relative in ("models/intermediate/metrics", "models/marts/health"):
        shutil.copytree(PROJECT_ROOT / relative, tmp_path / relative)
    mart = tmp_path / "models" / "marts" / "health" / "_health__models.yml"
    committed = mart.read_text()
    mart.write_text(committed.replace("  - name: tickets_30d\n", "  - name: tickets_31d\n"))
    assert sync_mart_yaml(tmp_path, check=True) is True
    assert sync_mart_yaml(tmp_path) is True
    assert mart.read_text() == committed


def test_catalog_declares_every_metric_once() -> None:
    catalog = load_catalog()
    assert len(catalog) == 64  # 34 for health, 5 added for smart lists, 1 for the lifecycle, 24 activity
    assert catalog["active_days_14d"].kind == "number" and catalog["active_days_14d"].unit == "days"
    assert catalog["risk_status"].kind == "text" and catalog["risk_status"].sources == ("crm",)
    assert catalog["license_utilization"].sources == ("app_events", "crm")
    assert catalog["open_tickets"].measures == "support" and catalog["open_tickets"].sources == ("helpdesk",)


@pytest.mark.parametrize(
    ("metric", "operator", "threshold", "problem"),
    [
        ("active_days_14d", ">=", "5", None),
        ("project_status", "in", "Delayed|Blocked", None),
        ("contract_value", "between", "10|5", "threshold '10|5': low is above high"),
        ("contract_value", "between", "10", "must be two numbers 'low|high'"),
        ("project_status", "in", "Delayed||Blocked", "must be values separated by |"),
        ("risk_status", "is_null", "x", "is_null takes no threshold"),
        ("days_to_renewal", "<", "", "< on days_to_renewal needs a threshold"),
        ("change_in_minutes_14d", "change_in_lt", "half", "needs a ratio such as -0.5"),
    ],
)
def test_one_rule_validator(metric: str, operator: str, threshold: str, problem: str | None) -> None:
    errors = check_rule(metric, operator, threshold, "rules.csv:2", "audience: ")
    if problem is None:
        assert errors == []
    else:
        assert len(errors) == 1 and errors[0].startswith("rules.csv:2: audience: ") and problem in errors[0]


def test_operators_follow_the_metric_kind() -> None:
    catalog = load_catalog()
    assert "between" in operators_for(catalog["licenses"]) and "in" not in operators_for(catalog["licenses"])
    assert "in" in operators_for(catalog["tier"]) and "<" not in operators_for(catalog["tier"])
    assert "change_in_lt" in operators_for(catalog["change_in_actions_14d"])
    assert "change_in_lt" not in operators_for(catalog["actions_per_day_14d"])


def test_activity_metric_declarations_are_validated(tmp_path: Path) -> None:
    from orchestration.metrics.catalog import CatalogError

    catalog = load_catalog()
    assert catalog["reports_share_28d"].activity == "reports" and catalog["reports_share_28d"].window == 28
    assert catalog["change_in_active_users_28d"].of == "distinct_users"
    assert catalog["reports_user_share_28d"].numerator == "reports_users_28d"
    source = (PROJECT_ROOT / "models/intermediate/metrics/_int_metrics__models.yml").read_text()
    for old, new, problem in [
        (
            "activity: reports, window: 28, measure: share",
            "activity: reportz, window: 28, measure: share",
            "activity 'reportz' is not declared",
        ),
        (
            "activity: reports, window: 28, measure: share",
            "activity: reports, window: 21, measure: share",
            "window 21 is not allowed; allowed: 7, 14, 28, 30, 90",
        ),
        (
            "activity: reports, window: 28, measure: share",
            "activity: reports, window: 28, measure: mean",
            "measure 'mean' is not allowed",
        ),
        ("numerator: reports_users_28d", "numerator: open_tickets", "ratio operand 'open_tickets'"),
        (
            "report_exports: {event: Report Exported}",
            "report_exports: {events: Report Exported}",
            "unknown filter events",
        ),
    ]:
        folder = tmp_path / problem.split()[0]
        (folder / "models/intermediate/metrics").mkdir(parents=True)
        assert old in source
        (folder / "models/intermediate/metrics/_int_metrics__models.yml").write_text(
            source.replace(old, new, 1)
        )
        with pytest.raises(CatalogError, match=re.escape(problem)):
            load_catalog(folder)
