"""The churn risk score: a gradient-boosted model of "cancels within 90 days" on the point-in-time metrics.

Trained on the same history and time split as `pulse health learn` (orchestration.health.history: the fit
period's account-days whose outcome is known), validated on the later period, then applied to every
account-day. Features are the metric catalog's number metrics and its low-cardinality text metrics (as
categories) known on some day of the fit period, exactly as known at the end of each day, so a day's score
reads nothing from a later day; the model is scikit-learn's HistGradientBoostingClassifier (missing values are
native to it), with a fixed seed.

Per account and day: the probability, the risk decile among the accounts scored that day (10 = the riskiest
tenth) and the three metrics that raise the probability most, with their values: each metric's contribution is
the drop in probability when it alone is set to its typical value (the median, or most common value, among
fit-period account-days that did not cancel), tried for the metrics that move the model most.

Validation (kept as data in marts.fct_churn_risk_validation): AUC, and the lift and churner recall in the
riskiest 10% and 20% of validation account-days.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from orchestration.health.history import History
from orchestration.health.learn import check_enough

RISK_TABLE = "marts.fct_account_churn_risk_daily"
VALIDATION_TABLE = "marts.fct_churn_risk_validation"
REASONS = 3
REASON_CANDIDATES = 8  # metrics tried for the reasons: the most influential on a sample
SEED = 0


@dataclass
class RiskModel:
    model: object
    numeric: list[str]
    text: list[str]
    categories: dict[str, list[str]]
    baseline: dict[str, float]  # feature -> typical value (category code for text)
    reason_features: list[str] = field(default_factory=list)


def _matrix(history: History, risk: RiskModel, mask: np.ndarray | None = None) -> np.ndarray:
    columns = [history.numeric[name] for name in risk.numeric]
    for name in risk.text:
        codes = {value: float(i) for i, value in enumerate(risk.categories[name])}
        columns.append(np.array([codes.get(v, np.nan) for v in history.text[name]], dtype=float))
    matrix = np.column_stack(columns) if columns else np.zeros((len(history.label), 0))
    return matrix if mask is None else matrix[mask]


def train(history: History, min_cancellations: int = 20) -> RiskModel:
    """Fit on the fit period (its account-days with a known outcome)."""
    from threadpoolctl import threadpool_limits

    with threadpool_limits(1):  # OpenMP threads spin badly on a shared machine; one is faster and the same
        return _train(history, min_cancellations)


def _train(history: History, min_cancellations: int) -> RiskModel:
    from sklearn.ensemble import HistGradientBoostingClassifier

    check_enough(history, min_cancellations)
    fit = history.fit
    # A metric never known in the fit period (its source is not loaded, or it starts later) teaches the model
    # nothing and has no bins to learn: it is left out (and so never a reason).
    numeric = [name for name, values in history.numeric.items() if not np.isnan(values[fit]).all()]
    categories = {
        name: sorted({v for v in values[fit] if v is not None}) for name, values in history.text.items()
    }
    text = [name for name in history.text if categories[name]]
    categories = {name: categories[name] for name in text}
    risk = RiskModel(None, numeric, text, categories, {})
    x = _matrix(history, risk, fit)
    y = history.label[fit]
    model = HistGradientBoostingClassifier(
        max_iter=100,
        learning_rate=0.1,
        max_leaf_nodes=15,
        min_samples_leaf=100,
        l2_regularization=1.0,
        categorical_features=[len(numeric) + i for i in range(len(text))] or None,
        early_stopping=False,
        random_state=SEED,
    )
    model.fit(x, y)
    risk.model = model
    healthy = x[~y]
    for i, name in enumerate(numeric + text):
        column = healthy[:, i]
        column = column[~np.isnan(column)]
        if i < len(numeric):
            risk.baseline[name] = float(np.median(column)) if column.size else np.nan
        else:
            values, counts = np.unique(column, return_counts=True)
            risk.baseline[name] = float(values[np.argmax(counts)]) if values.size else np.nan
    # The metrics that move the model most (mean absolute effect of setting each to its typical value) on an
    # evenly spaced sample of fit rows: the candidates for each day's reasons.
    sample = x[np.linspace(0, len(x) - 1, min(len(x), 5000)).astype(int)]
    base = model.predict_proba(sample)[:, 1]
    effects = []
    for i, name in enumerate(numeric + text):
        changed = sample.copy()
        changed[:, i] = risk.baseline[name]
        effects.append(np.abs(base - model.predict_proba(changed)[:, 1]).mean())
    order = np.argsort(effects)[::-1][:REASON_CANDIDATES]
    risk.reason_features = [(numeric + text)[i] for i in order if effects[i] > 0]
    return risk


def predict(risk: RiskModel, history: History, mask: np.ndarray | None = None) -> np.ndarray:
    return risk.model.predict_proba(_matrix(history, risk, mask))[:, 1]


def _auc(y: np.ndarray, p: np.ndarray) -> float | None:
    positives, negatives = int(y.sum()), int((~y).sum())
    if not positives or not negatives:
        return None
    order = np.argsort(p, kind="mergesort")
    ranks = np.empty(len(p))
    # average ranks for ties
    sorted_p = p[order]
    _, first, counts = np.unique(sorted_p, return_index=True, return_counts=True)
    average = first + (counts - 1) / 2 + 1
    ranks[order] = np.repeat(average, counts)
    return float((ranks[y].sum() - positives * (positives + 1) / 2) / (positives * negatives))


def validate(risk: RiskModel, history: History) -> dict[str, float | None]:
    """AUC, lift and churner recall at the riskiest 10% / 20% of the validation period's account-days."""
    mask = history.validation
    y = history.label[mask]
    p = predict(risk, history, mask)
    accounts = history.account_ids[mask]
    figures: dict[str, float | None] = {
        "validation_account_days": float(mask.sum()),
        "validation_cancelling_accounts": float(len(set(accounts[y]))),
        "base_rate": float(y.mean()) if y.size else None,
        "auc": _auc(y, p),
    }
    order = np.argsort(-p, kind="mergesort")
    for share in (0.1, 0.2):
        top = np.zeros(len(p), dtype=bool)
        top[order[: int(round(share * len(p)))]] = True
        precision = float(y[top].mean()) if top.any() else None
        key = f"top_{int(share * 100)}pct"
        figures[f"lift_{key}"] = precision / float(y.mean()) if precision is not None and y.mean() else None
        figures[f"recall_{key}"] = float(y[top].sum() / y.sum()) if y.sum() else None
        figures[f"account_recall_{key}"] = (
            len(set(accounts[top & y])) / len(set(accounts[y])) if y.any() else None
        )
    figures["split_date_ordinal"] = None
    return figures


def _text(value: float, name: str, risk: RiskModel) -> str | None:
    if np.isnan(value):
        return None
    if name in risk.categories:
        return risk.categories[name][int(value)]
    return str(int(value)) if float(value).is_integer() else f"{value:.4g}"


def score_rows(risk: RiskModel, history: History) -> dict[str, np.ndarray]:
    """Every account-day of the history: probability, decile within its day, and the top reasons."""
    from threadpoolctl import threadpool_limits

    with threadpool_limits(1):
        return _score_rows(risk, history)


def _score_rows(risk: RiskModel, history: History) -> dict[str, np.ndarray]:
    x = _matrix(history, risk)
    features = risk.numeric + risk.text
    p = risk.model.predict_proba(x)[:, 1] if len(x) else np.zeros(0)
    deciles = np.zeros(len(p), dtype=np.int64)
    dates = history.dates
    for day in np.unique(dates):
        rows = np.flatnonzero(dates == day)
        order = rows[np.argsort(p[rows], kind="mergesort")]
        deciles[order] = np.ceil(10 * (np.arange(len(order)) + 1) / len(order)).astype(np.int64)
    effects = np.zeros((len(p), len(risk.reason_features)))
    for j, name in enumerate(risk.reason_features):
        changed = x.copy()
        changed[:, features.index(name)] = risk.baseline[name]
        effects[:, j] = p - risk.model.predict_proba(changed)[:, 1]
    out: dict[str, np.ndarray] = {
        "account_id": history.account_ids,
        "as_of_date": dates,
        "churn_probability": p,
        "risk_decile": deciles,
    }
    top = np.argsort(-effects, axis=1)[:, :REASONS] if effects.size else np.zeros((len(p), 0), int)
    rows_index = np.arange(len(p))
    names = np.array(risk.reason_features + [None], dtype=object)
    columns = np.array([features.index(name) for name in risk.reason_features] + [0])
    for k in range(REASONS):
        if k < top.shape[1]:
            pick = top[:, k]
            contribution = effects[rows_index, pick]
            valid = contribution > 0
        else:
            pick = np.full(len(p), len(risk.reason_features))
            contribution = np.zeros(len(p))
            valid = np.zeros(len(p), dtype=bool)
        pick = np.where(valid, pick, len(risk.reason_features))
        raw = x[rows_index, columns[pick]] if len(p) else np.zeros(0)
        out[f"reason_{k + 1}_metric"] = names[pick]
        out[f"reason_{k + 1}_value"] = np.array(
            [_text(v, n, risk) if n is not None else None for v, n in zip(raw, names[pick], strict=True)],
            dtype=object,
        )
        out[f"reason_{k + 1}_contribution"] = np.where(valid, contribution, np.nan)
    return out


def write_scores(con, rows: dict[str, np.ndarray], validation: dict[str, float | None], split_date) -> None:
    """Replace the score and validation tables (one transaction)."""
    import pandas as pd

    frame = pd.DataFrame(rows)
    checks = pd.DataFrame(
        [(name, value) for name, value in validation.items() if name != "split_date_ordinal"],
        columns=["measure", "value"],
    )
    con.execute("create schema if not exists marts")
    con.execute("begin")
    try:
        con.register("risk_frame", frame)
        con.register("risk_checks", checks)
        reason_columns = ",\n".join(
            f"cast(reason_{k}_metric as varchar) as reason_{k}_metric, "
            f"cast(reason_{k}_value as varchar) as reason_{k}_value, "
            f"cast(case when isnan(reason_{k}_contribution) then null else reason_{k}_contribution end "
            f"as double) as reason_{k}_contribution"
            for k in range(1, REASONS + 1)
        )
        con.execute(
            f"""
            create or replace table {RISK_TABLE} as
            select cast(account_id as varchar) as account_id, cast(as_of_date as date) as as_of_date,
                   cast(churn_probability as double) as churn_probability,
                   cast(risk_decile as integer) as risk_decile,
                   {reason_columns}
            from risk_frame
            order by as_of_date, account_id
            """
        )
        con.execute(
            f"""
            create or replace table {VALIDATION_TABLE} as
            select cast(measure as varchar) as measure, cast(value as double) as value,
                   cast(? as date) as split_date
            from risk_checks
            """,
            [split_date],
        )
        con.execute("commit")
    except Exception:
        con.execute("rollback")
        raise
    finally:
        con.unregister("risk_frame")
        con.unregister("risk_checks")


def validation_markdown(validation: dict[str, float | None], split_date) -> str:
    def pct(value):
        return "n/a" if value is None else f"{100 * value:.1f}%"

    def num(value):
        return "n/a" if value is None else f"{value:.3f}"

    return "\n".join(
        [
            f"# Churn risk score: validation (account-days from {split_date})",
            "",
            f"Account-days: {int(validation['validation_account_days']):,}; cancelling accounts: "
            f"{int(validation['validation_cancelling_accounts'])}; base rate {pct(validation['base_rate'])}",
            "",
            "| measure | riskiest 10% | riskiest 20% |",
            "|---|---|---|",
            f"| lift | {num(validation['lift_top_10pct'])} | {num(validation['lift_top_20pct'])} |",
            f"| churner recall (account-days) | {pct(validation['recall_top_10pct'])} | "
            f"{pct(validation['recall_top_20pct'])} |",
            f"| churned accounts flagged at least once | {pct(validation['account_recall_top_10pct'])} | "
            f"{pct(validation['account_recall_top_20pct'])} |",
            "",
            f"AUC: {num(validation['auc'])}",
            "",
        ]
    )


@dataclass
class RiskRun:
    scored_rows: int
    validation: dict[str, float | None]
    split_date: object
    message: str | None = None  # why nothing was scored


def build_risk_score(warehouse, min_cancellations: int = 20) -> RiskRun:
    """Train, validate and score on a built warehouse; write the two tables. With too few cancellations the
    tables are written empty and the message says why."""
    import duckdb

    from orchestration.health.history import load_history
    from orchestration.health.learn import NotEnoughHistory

    with duckdb.connect(str(warehouse), read_only=True) as con:
        history = load_history(con=con)
    try:
        risk = train(history, min_cancellations)
    except NotEnoughHistory as error:
        empty = {name: np.zeros(0, dtype=object) for name in ("account_id", "as_of_date")}
        empty.update(churn_probability=np.zeros(0), risk_decile=np.zeros(0, dtype=np.int64))
        for k in range(1, REASONS + 1):
            for suffix in ("metric", "value", "contribution"):
                empty[f"reason_{k}_{suffix}"] = np.zeros(0, dtype=object)
        with duckdb.connect(str(warehouse)) as con:
            write_scores(con, empty, {}, history.split_date)
        return RiskRun(0, {}, history.split_date, str(error))
    validation = validate(risk, history)
    rows = score_rows(risk, history)
    with duckdb.connect(str(warehouse)) as con:
        write_scores(con, rows, validation, history.split_date)
    return RiskRun(len(rows["churn_probability"]), validation, history.split_date)
