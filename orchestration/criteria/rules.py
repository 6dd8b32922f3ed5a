"""Validation of rule rows `(metric, operator, threshold)` against the metric catalog.

The criteria engine (dbt macro criteria_evaluate) evaluates such rows for health criteria and segment filters
today, and for lists, lifecycle, audiences and playbook triggers later; this is the one check of a row before
dbt runs. Messages read `file:row: problem; allowed: ...`.
"""

from __future__ import annotations

from orchestration.metrics.catalog import NUMBER, Metric, load_catalog

NUMBER_OPERATORS = ("<", "<=", ">", ">=", "=", "!=", "between")
TEXT_OPERATORS = ("=", "!=", "in", "not_in")
NULL_OPERATORS = ("is_null", "is_not_null")
CHANGE_OPERATORS = ("change_in_lt", "change_in_gt")
OPERATORS = tuple(dict.fromkeys(NUMBER_OPERATORS + TEXT_OPERATORS + NULL_OPERATORS + CHANGE_OPERATORS))
LIST_SEPARATOR = "|"


def operators_for(metric: Metric) -> tuple[str, ...]:
    """Operators allowed on a metric: by kind, null checks on any, change_in_* only on change_in_ metrics."""
    allowed = NUMBER_OPERATORS if metric.kind == NUMBER else TEXT_OPERATORS
    if metric.name.startswith("change_in_"):
        allowed = allowed + CHANGE_OPERATORS
    return allowed + NULL_OPERATORS


def _number(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


def check_rule(
    metric: str,
    operator: str,
    threshold: str,
    where: str,
    what: str = "",
    catalog: dict[str, Metric] | None = None,
) -> list[str]:
    """Problems of one rule row, each `where: <what>problem; allowed: ...` (empty when the rule is valid).

    what prefixes the problem (e.g. "segment filter: "); catalog defaults to the project's metric catalog.
    """
    metrics = load_catalog() if catalog is None else catalog
    if metric not in metrics:
        return [f"{where}: {what}metric '{metric}' is unknown; allowed: {', '.join(metrics)}"]
    allowed = operators_for(metrics[metric])
    if operator not in allowed:
        return [
            f"{where}: {what}operator '{operator}' is not allowed on {metrics[metric].kind} metric {metric}; "
            f"allowed: {', '.join(allowed)}"
        ]
    if operator in NULL_OPERATORS:
        return [] if not threshold else [f"{where}: {what}{operator} takes no threshold (got '{threshold}')"]
    if not threshold:
        return [f"{where}: {what}{operator} on {metric} needs a threshold"]
    if operator == "between":
        parts = threshold.split(LIST_SEPARATOR)
        numbers = [_number(part) for part in parts]
        if len(parts) != 2 or None in numbers:
            return [f"{where}: {what}threshold '{threshold}' of between must be two numbers 'low|high'"]
        if numbers[0] > numbers[1]:
            return [f"{where}: {what}threshold '{threshold}': low is above high"]
        return []
    if operator in ("in", "not_in"):
        if any(not item.strip() for item in threshold.split(LIST_SEPARATOR)):
            return [f"{where}: {what}threshold '{threshold}' of {operator} must be values separated by |"]
        return []
    if (metrics[metric].kind == NUMBER or operator in CHANGE_OPERATORS) and _number(threshold) is None:
        kind = "a ratio such as -0.5 (= halved)" if operator in CHANGE_OPERATORS else "a number"
        return [f"{where}: {what}threshold '{threshold}' is not a number; {metric} {operator} needs {kind}"]
    return []
