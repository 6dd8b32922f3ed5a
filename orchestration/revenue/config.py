"""Validation of seeds/renewal_risk_classes.csv: which health rank stands for which renewal risk class, and
each class's prior renewal rate. Checked before any model runs, like the health configuration; an error
names the file, the row and what is allowed.
"""

from __future__ import annotations

from pathlib import Path

from orchestration.criteria.seed_rows import ConfigError, read_rows

RISK_FILE = "renewal_risk_classes.csv"
CLASSES = ("Low", "Average", "High")
RANKS = ("Good", "Average", "Poor", "Unknown")
COLUMNS = ("risk_class", "health_rank", "prior_renewal_rate", "prior_weight")


class RenewalConfigError(ConfigError):
    """The renewal configuration is invalid; the message lists every problem as file:row: message."""

    what = "renewal risk configuration"


def _number(text: str, low: float, high: float | None) -> float | None:
    try:
        value = float(text)
    except ValueError:
        return None
    if value < low or (high is not None and value > high):
        return None
    return value


def validate_renewal_config(seeds_dir: Path) -> list[dict[str, str]]:
    """Return the rows when valid; raise RenewalConfigError listing every problem otherwise."""
    errors: list[str] = []
    shown = f"seeds/{RISK_FILE}"
    rows = read_rows(seeds_dir / RISK_FILE, COLUMNS, ("description",), errors, shown=shown)
    ranks: dict[str, str] = {}
    priors: dict[str, tuple[tuple[str, str], str]] = {}
    for row in rows:
        where, values = row.where(), row.values
        risk, rank = values["risk_class"], values["health_rank"]
        if risk not in CLASSES:
            errors.append(f"{where}: risk_class '{risk}' is unknown; allowed: {', '.join(CLASSES)}")
        if rank not in RANKS:
            errors.append(f"{where}: health_rank '{rank}' is unknown; allowed: {', '.join(RANKS)}")
        elif rank in ranks:
            errors.append(f"{where}: health_rank '{rank}' is already mapped at {ranks[rank]}")
        else:
            ranks[rank] = where
        rate, weight = values["prior_renewal_rate"], values["prior_weight"]
        if _number(rate, 0.0, 1.0) is None:
            errors.append(f"{where}: prior_renewal_rate '{rate}' must be a share between 0 and 1")
        if _number(weight, 0.0, None) is None:
            errors.append(
                f"{where}: prior_weight '{weight}' must be a number >= 0 (past renewals it is worth)"
            )
        if risk in priors and priors[risk][0] != (rate, weight):
            errors.append(
                f"{where}: risk_class '{risk}' has another prior at {priors[risk][1]}; one prior per class"
            )
        priors.setdefault(risk, ((rate, weight), where))
    missing = [rank for rank in RANKS if rank not in ranks]
    if rows and missing:
        errors.append(
            f"{shown}: health rank(s) {', '.join(missing)} have no risk class; every rank needs one"
        )
    if rows and "High" not in priors:
        errors.append(f"{shown}: risk class High has no row (a requested cancellation is High)")
    if errors:
        raise RenewalConfigError(errors)
    return [row.values for row in rows]
