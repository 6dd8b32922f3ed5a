"""Validation of the lifecycle configuration (seeds lifecycle_statuses and lifecycle_criteria).

Every account has exactly one lifecycle status per day (e.g. `30 Day OnBoard-Good`): the first stage, in
precedence order, whose entry criteria all hold, and within it the outcome its good / poor criteria give. A
bad configuration must stop the build before any model runs and say where and what is allowed:
`seeds/lifecycle_criteria.csv:4: kind 'god' is not allowed; allowed: entry, good, poor`. Criteria are rule
rows checked by the one rule validator (orchestration.criteria.rules) against the metric catalog. Dagster
(before the dbt build) and `pulse lifecycle validate` call validate_lifecycle_config().
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from orchestration.criteria.rules import check_rule
from orchestration.criteria.seed_rows import IDENTIFIER, NAMES, ConfigError, SeedRow, read_rows, shown_path
from orchestration.metrics.catalog import Metric, load_catalog
from orchestration.warehouse import PROJECT_ROOT

STATUSES_FILE = "lifecycle_statuses.csv"
CRITERIA_FILE = "lifecycle_criteria.csv"
STATUS_COLUMNS = ("stage", "precedence", "outcome", "status")
STATUS_OPTIONAL = ("description",)
CRITERIA_COLUMNS = ("stage", "criterion_id", "kind", "metric", "operator", "threshold")
CRITERIA_OPTIONAL = ("reason_label", "description")
OUTCOMES = ("Good", "Average", "Poor")
# The outcome sets a stage may have: one status (no outcome), Good / Poor, or Good / Average / Poor.
OUTCOME_SETS = ({""}, {"Good", "Poor"}, {"Good", "Average", "Poor"})
KINDS = ("entry", "good", "poor")
# The status may be synced to a CRM picklist and listed in text separated by ;.
FORBIDDEN_IN_STATUS = (";", "|")


class LifecycleConfigError(ConfigError):
    """The lifecycle configuration is invalid; the message lists every problem as file:row: message."""

    what = "lifecycle configuration"


@dataclass
class _Stage:
    first: SeedRow
    precedence: int | None
    outcomes: dict[str, SeedRow] = field(default_factory=dict)
    kinds: set[str] = field(default_factory=set)


def _precedence(row: SeedRow, errors: list[str]) -> int | None:
    text = row.values["precedence"]
    try:
        return int(text)
    except ValueError:
        errors.append(f"{row.where()}: precedence '{text}' is not allowed; allowed: a whole number")
        return None


def _check_statuses(path: Path, errors: list[str]) -> dict[str, _Stage]:
    stages: dict[str, _Stage] = {}
    statuses: dict[str, SeedRow] = {}
    for row in read_rows(path, STATUS_COLUMNS, STATUS_OPTIONAL, errors):
        stage, outcome, status = row.values["stage"], row.values["outcome"], row.values["status"]
        precedence = _precedence(row, errors)
        if not IDENTIFIER.match(stage):
            errors.append(f"{row.where()}: stage name '{stage}' is not allowed; allowed: {NAMES}")
            continue
        if outcome and outcome not in OUTCOMES:
            errors.append(
                f"{row.where()}: outcome '{outcome}' is not allowed; allowed: {', '.join(OUTCOMES)}, "
                "or empty for a stage's only status"
            )
        if not status:
            errors.append(f"{row.where()}: status is empty; allowed: the status as people read it")
        elif any(character in status for character in FORBIDDEN_IN_STATUS):
            errors.append(
                f"{row.where()}: status '{status}' contains ; or | (separators); allowed: any other text"
            )
        elif status in statuses:
            first = statuses[status].where()
            errors.append(f"{row.where()}: status '{status}' is used twice (first at {first})")
        else:
            statuses[status] = row
        known = stages.setdefault(stage, _Stage(row, precedence))
        if precedence is not None and known.precedence is not None and precedence != known.precedence:
            errors.append(
                f"{row.where()}: stage {stage} has precedence {precedence} here and {known.precedence} at "
                f"{known.first.where()}; allowed: one precedence per stage"
            )
        if outcome in known.outcomes:
            errors.append(
                f"{row.where()}: stage {stage} has outcome '{outcome or '(none)'}' twice "
                f"(first at {known.outcomes[outcome].where()})"
            )
        known.outcomes[outcome] = row
    by_precedence: dict[int, str] = {}
    for name, stage in stages.items():
        if set(stage.outcomes) not in OUTCOME_SETS:
            errors.append(
                f"{stage.first.where()}: stage {name} has outcomes "
                f"{', '.join(sorted(o or '(none)' for o in stage.outcomes))}; allowed: one status without an "
                "outcome, Good and Poor, or Good, Average and Poor"
            )
        if stage.precedence is not None:
            if stage.precedence in by_precedence:
                errors.append(
                    f"{stage.first.where()}: stages {by_precedence[stage.precedence]} and {name} share "
                    f"precedence {stage.precedence}; allowed: one stage per precedence"
                )
            by_precedence[stage.precedence] = name
    return stages


def _check_criteria(
    path: Path, stages: dict[str, _Stage], catalog: dict[str, Metric], errors: list[str]
) -> None:
    seen: dict[str, SeedRow] = {}
    for row in read_rows(path, CRITERIA_COLUMNS, CRITERIA_OPTIONAL, errors):
        values = row.values
        stage, kind, criterion = values["stage"], values["kind"], values["criterion_id"]
        if stage not in stages:
            errors.append(
                f"{row.where()}: stage '{stage}' is not defined in {STATUSES_FILE}; "
                f"allowed: {', '.join(stages) or '(no stages defined)'}"
            )
        if kind not in KINDS:
            errors.append(f"{row.where()}: kind '{kind}' is not allowed; allowed: {', '.join(KINDS)}")
        elif stage in stages:
            stages[stage].kinds.add(kind)
            if kind != "entry" and set(stages[stage].outcomes) == {""}:
                errors.append(
                    f"{row.where()}: stage {stage} has one status and no outcome, so a {kind} criterion "
                    "decides nothing; allowed: entry criteria, or Good/Poor statuses for the stage"
                )
        if not IDENTIFIER.match(criterion):
            errors.append(f"{row.where()}: criterion_id '{criterion}' is not allowed; allowed: {NAMES}")
        elif criterion in seen:
            first = seen[criterion].where()
            errors.append(f"{row.where()}: criterion_id '{criterion}' is used twice (first at {first})")
        else:
            seen[criterion] = row
        errors.extend(
            check_rule(values["metric"], values["operator"], values["threshold"], row.where(), "", catalog)
        )


def collect_lifecycle_config_errors(
    seeds_dir: Path | str, project_root: Path | str = PROJECT_ROOT
) -> list[str]:
    """Every problem of seeds_dir's lifecycle_statuses.csv and lifecycle_criteria.csv, as `file:row: ...`."""
    seeds = Path(seeds_dir)
    errors: list[str] = []
    stages = _check_statuses(seeds / STATUSES_FILE, errors)
    _check_criteria(seeds / CRITERIA_FILE, stages, load_catalog(project_root), errors)
    defaults = [name for name, stage in stages.items() if "entry" not in stage.kinds]
    if not stages:
        return errors
    if len(defaults) != 1:
        errors.append(
            f"{shown_path(seeds / STATUSES_FILE)}: {len(defaults)} stages without entry criteria "
            f"({', '.join(defaults) or 'none'}); allowed: exactly one, the stage of every other account-day"
        )
    else:
        default = stages[defaults[0]]
        last = max((s.precedence for s in stages.values() if s.precedence is not None), default=None)
        if default.precedence is not None and default.precedence != last:
            errors.append(
                f"{default.first.where()}: stage {defaults[0]} has no entry criteria, so it must come last; "
                f"allowed: the highest precedence ({last} is taken by another stage)"
            )
    for name, stage in stages.items():
        if len(stage.outcomes) > 1 and not stage.kinds & {"good", "poor"}:
            errors.append(
                f"{stage.first.where()}: stage {name} has outcomes but no good or poor criteria in "
                f"{CRITERIA_FILE}; allowed: one or more good / poor criteria rows"
            )
    return errors


def validate_lifecycle_config(seeds_dir: Path | str, project_root: Path | str = PROJECT_ROOT) -> list[str]:
    """Raise LifecycleConfigError listing every problem; return [] when the configuration is valid."""
    errors = collect_lifecycle_config_errors(seeds_dir, project_root)
    if errors:
        raise LifecycleConfigError(errors)
    return errors
