"""`pulse health learn`: propose a rule-based health profile from the warehouse's own cancellations.

From the history (orchestration.health.history: point-in-time metrics per account-day, labelled "cancels
within the horizon", split in time), the learner chooses Poor criteria `(metric, operator, threshold)`:

- candidates: every number metric against thresholds at quantiles of its fit-period values (rounded to two
  significant digits, so a person can read them), both `<=` and `>=`, and every low-cardinality text metric
  `in` each of its values;
- a candidate needs minimum support: at least `min_support` of the fit account-days and
  `min_accounts` distinct cancelling accounts among them;
- greedily, while there are fewer than `max_rules` rules, the candidate adding the most early warnings at the
  highest precision is added to the Poor rules (any one fires: the criteria engine's OR), as long as the
  account-days flagged stay within `target_share` and the new ones are at least `min_lift` times as likely to
  cancel as the base rate; one rule per metric. An early warning is a newly flagged account-day whose
  cancellation comes `lead` (30) to `horizon` days later: a warning in the last days before a cancellation
  (when usage has already stopped, say) counts for precision but leaves a success manager no time to act,
  so it does not earn a rule its place (score: new early warnings x the precision of the new flagged days;
  with `lead` 0 every cancelling account-day counts).

The rules are then measured on the validation period (later days, never used to choose them). The candidate
folder holds a single default `rules` profile `learned` in the format of the health seeds: the Poor
criteria, and for each a Good criterion on the same metric at the healthy side of its fit-period median among
accounts that did not cancel (so Good, Average and Poor all occur), with reason labels.

`form="scorecard"` (the default) learns "Poor when at least k of n signs" instead. Signs are the same
candidates (each alone within SIGN_SHARE x target_share and at least min_lift x the base rate); greedily, one
per metric, the sign whose scorecard scores best (early warnings x precision of all the account-days it
flags) at the k that uses the flagging budget (the smallest k flagging at most target_share) joins, until no
sign raises the score or max_rules are chosen. How many signs: on the fit period alone, signs are chosen on
its first two thirds of days and each prefix is scored on its last third by the same score; the whole fit
period's signs are then cut to that many, and k is again the smallest within the budget. It is written as a
`weighted` profile (scorecard_flags says how the engine's arithmetic gives "k of n").
"""

from __future__ import annotations

import csv
import math
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

import numpy as np

from orchestration.health.history import History

QUANTILES = (0.02, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.4, 0.5, 0.6, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95, 0.98)
MIN_CANCELLATIONS = 20  # cancelling accounts in the labelled history
MIN_VALIDATION_CANCELLATIONS = 5
PROFILE = "learned"
# Criteria categories by what the metric measures (health categories must be in the allowed list).
CATEGORY_BY_MEASURES = {
    "usage": "usage",
    "adoption": "adoption",
    "engagement": "engagement",
    "support": "support",
    "relationship": "risk",
    "contract": "renewal",
    "lifecycle": "onboarding",
    "firmographic": "value",
}
MAX_FIT_ROWS = 300_000
LEAD_DAYS = 30  # a warning this many days or more before the cancellation leaves time to act
FORMS = ("rules", "scorecard")
INNER_FIT_SHARE = 2 / 3  # scorecard: the fit period's first two thirds of days choose signs, the rest n and k
COMPLEMENT = {"<=": ">", ">=": "<", "in": "not_in"}
SCORECARD_CATEGORY = "risk"
SIGN_SHARE = 2.0  # scorecard: a sign alone may flag up to this many times target_share


def days_to_cancel(history: History) -> np.ndarray:
    """Per account-day, the days until the account's known cancellation (nan when none is known)."""
    cancel_day = np.array(
        [np.datetime64(history.cancelled_on.get(a, "NaT")) for a in history.account_ids],
        dtype="datetime64[D]",
    )
    days = (cancel_day - history.dates).astype("timedelta64[D]")
    return np.where(np.isnat(days), np.nan, days.astype(float))


class NotEnoughHistory(Exception):
    """Too few cancellations to learn from; the message says how many there are and how many are needed."""


@dataclass(frozen=True)
class Rule:
    metric: str
    operator: str  # <= | >= | in
    threshold: float | tuple[str, ...]

    def fires(self, history: History) -> np.ndarray:
        if self.operator == "in":
            values = history.text[self.metric]
            return np.isin(values, list(self.threshold))
        values = history.numeric[self.metric]
        with np.errstate(invalid="ignore"):
            return values <= self.threshold if self.operator == "<=" else values >= self.threshold

    @property
    def threshold_text(self) -> str:
        if self.operator == "in":
            return "|".join(self.threshold)
        return _number_text(self.threshold)

    def __str__(self) -> str:
        return f"{self.metric} {self.operator} {self.threshold_text}"


@dataclass
class Figures:
    """A set of flagged account-days against the labels of a period."""

    rows: int
    flagged: int
    positives: int
    true_positives: int
    cancelling_accounts: int
    accounts_caught: int

    @property
    def base_rate(self) -> float | None:
        return self.positives / self.rows if self.rows else None

    @property
    def share_flagged(self) -> float | None:
        return self.flagged / self.rows if self.rows else None

    @property
    def precision(self) -> float | None:
        return self.true_positives / self.flagged if self.flagged else None

    @property
    def recall(self) -> float | None:
        return self.true_positives / self.positives if self.positives else None

    @property
    def lift(self) -> float | None:
        if self.precision is None or not self.base_rate:
            return None
        return self.precision / self.base_rate


@dataclass
class Learned:
    rules: list[Rule]
    good_thresholds: dict[str, float | tuple[str, ...]]
    fit: Figures
    validation: Figures
    steps: list[tuple[Rule, Figures, Figures]] = field(
        default_factory=list
    )  # rule, fit, validation (cumulative)
    history: History | None = None
    form: str = "rules"
    k: int = 1  # scorecard: Poor when at least k of the n signs (rules: 1, any rule)
    choice: list[tuple[int, int, float, float, Figures]] = field(default_factory=list)
    # scorecard: (n, k, inner-fit share flagged, inner-validation score, inner-validation figures)

    def flags(self, history: History) -> np.ndarray:
        """The account-days this profile ranks Poor (as the criteria engine does)."""
        if self.form == "scorecard":
            fired = np.zeros(len(history.label), dtype=np.int16)
            evaluated = np.zeros(len(history.label), dtype=np.int16)
            for rule in self.rules:
                fired += rule.fires(history)
                evaluated += evaluated_rows(history, rule.metric)
            return scorecard_flags(fired, evaluated, len(self.rules), self.k)
        union = np.zeros(len(history.label), dtype=bool)
        for rule in self.rules:
            union |= rule.fires(history)
        return union


def evaluated_rows(history: History, metric: str) -> np.ndarray:
    """Account-days the metric has a value (a criterion on a missing value is left out)."""
    if metric in history.text:
        return np.array([value is not None for value in history.text[metric]], dtype=bool)
    return ~np.isnan(history.numeric[metric])


def scorecard_flags(fired: np.ndarray, evaluated: np.ndarray, n: int, k: int) -> np.ndarray:
    """Poor when at least k of n signs fire, among the signs with a value that day: fired / evaluated >= k/n.

    This is what the weighted model computes for the candidate write_candidate writes: one category, the n
    signs with equal weights, each scoring 0 when its Poor criterion fires and 100 when its complement (Good)
    holds, missing values left out, and the Poor band at 100 (n - k) / n."""
    return (evaluated > 0) & (n * fired >= k * evaluated)


def _number_text(value: float) -> str:
    if float(value).is_integer():
        return str(int(value))
    return f"{value:.6g}"


def nice(value: float) -> float:
    """Two significant digits (0.0347 -> 0.035, 1234 -> 1200), integers stay integers."""
    if value == 0 or not math.isfinite(value):
        return 0.0
    digits = 2 - int(math.floor(math.log10(abs(value)))) - 1
    rounded = round(value, digits)
    return float(round(rounded)) if abs(rounded) >= 10 else float(rounded)


def figures(history: History, mask: np.ndarray, flagged: np.ndarray) -> Figures:
    label = history.label[mask]
    hit = flagged[mask]
    accounts = history.account_ids[mask]
    return Figures(
        rows=int(mask.sum()),
        flagged=int(hit.sum()),
        positives=int(label.sum()),
        true_positives=int((hit & label).sum()),
        cancelling_accounts=len(set(accounts[label])),
        accounts_caught=len(set(accounts[hit & label])),
    )


def candidate_rules(history: History, mask: np.ndarray) -> list[Rule]:
    rules: list[Rule] = []
    for name, values in history.numeric.items():
        known = values[mask]
        known = known[~np.isnan(known)]
        if known.size == 0 or np.nanmin(known) == np.nanmax(known):
            continue
        thresholds = sorted({nice(float(q)) for q in np.quantile(known, QUANTILES)})
        for threshold in thresholds:
            rules.append(Rule(name, "<=", threshold))
            rules.append(Rule(name, ">=", threshold))
    for name, values in history.text.items():
        for value in sorted({v for v in values[mask] if v is not None}):
            rules.append(Rule(name, "in", (value,)))
    return rules


def check_enough(history: History, min_cancellations: int = MIN_CANCELLATIONS) -> None:
    total = history.cancelled_accounts(history.known)
    validation = history.cancelled_accounts(history.validation) if history.split_date else 0
    if total < min_cancellations or validation < MIN_VALIDATION_CANCELLATIONS:
        raise NotEnoughHistory(
            f"not enough cancellations to learn from: {total} accounts cancel within {history.horizon} days "
            f"of a day whose outcome is known ({validation} of them in the validation period from "
            f"{history.split_date}); learning needs at least {min_cancellations} "
            f"(at least {MIN_VALIDATION_CANCELLATIONS} in the validation period). Days within "
            f"{history.horizon} days of the last day cancellations are known for "
            f"({history.labels_known_through + timedelta(days=history.horizon)}) have no known outcome "
            "yet: more history or more cancellations are needed."
        )


def _objective(
    flagged: float, tp: float, early_tp: float, rows: int, base: float, limits: tuple[float, float, float]
) -> float:
    """The learner's score of a set of flagged account-days: early warnings x precision; 0 when the set is
    outside the share limits (min_support, target_share) or its precision is below min_lift x base rate."""
    min_support, target_share, min_lift = limits
    if flagged <= 0 or flagged < min_support * rows or flagged > target_share * rows:
        return 0.0
    precision = tp / flagged
    if precision < min_lift * base:
        return 0.0
    return early_tp * precision


def _scorecard_path(
    fires: np.ndarray,
    evaluated: np.ndarray,
    metrics: list[str],
    label: np.ndarray,
    early: np.ndarray,
    max_signs: int,
    limits: tuple[float, float, float],
) -> list[tuple[list[int], int, float]]:
    """Greedy signs on one set of rows (fires / evaluated: candidates x rows). Each step adds the sign (one
    per metric) whose scorecard scores highest (early warnings x precision) at the k that uses the flagging
    budget (the smallest k flagging at most target_share); it stops when no sign raises the score. Returns,
    per step, (the candidate indices chosen so far, that k, the score)."""
    rows = label.size
    base = float(label.mean()) if rows else 0.0
    weights_tp, weights_early = label.astype(float), early.astype(float)
    fired = np.zeros(rows, dtype=np.int16)
    counted = np.zeros(rows, dtype=np.int16)
    chosen: list[int] = []
    path: list[tuple[list[int], int, float]] = []
    current = 0.0
    while len(chosen) < max_signs:
        n = len(chosen) + 1
        width = n + 1
        state_fired, state_evaluated = np.divmod(np.arange(width * width), width)
        flagged_by_k = np.array(
            [(state_evaluated > 0) & (n * state_fired >= k * state_evaluated) for k in range(1, n + 1)],
            dtype=float,
        )  # k x states
        state = fired * width + counted
        used = {metrics[i] for i in chosen}
        best, best_k, best_score, seed_score = None, 0, current, 0.0
        for index, metric in enumerate(metrics):
            if metric in used:
                continue
            code = state + fires[index] * width + evaluated[index]
            size = width * width
            table = np.stack(
                [
                    np.bincount(code, minlength=size),
                    np.bincount(code, weights=weights_tp, minlength=size),
                    np.bincount(code, weights=weights_early, minlength=size),
                ]
            )  # 3 x states
            totals = flagged_by_k @ table.T  # k x (flagged, tp, early tp)
            k = _budget_k(totals[:, 0], rows, limits[1])
            score = _objective(*totals[k - 1], rows, base, limits) if k else 0.0
            if score > best_score:
                best, best_k, best_score = index, k, score
            elif current == 0 and best_k == 0:
                # No scorecard within the budget yet (every sign alone flags more): seed with the sign
                # that scores best within SIGN_SHARE x the budget; a second sign can then require both.
                wide = _budget_k(totals[:, 0], rows, SIGN_SHARE * limits[1])
                relaxed = (limits[0], SIGN_SHARE * limits[1], limits[2])
                seed = _objective(*totals[wide - 1], rows, base, relaxed) if wide else 0.0
                if seed > seed_score:
                    best, seed_score = index, seed
        if best is None:
            break
        chosen.append(best)
        fired += fires[best]
        counted += evaluated[best]
        current = best_score
        path.append((list(chosen), best_k, best_score))  # k 0: not within the budget at any k
    return path


def _budget_k(flagged_by_k: np.ndarray, rows: int, target_share: float) -> int:
    """The k that uses the flagging budget: the smallest k whose scorecard flags at most target_share of the
    rows (0 when none does)."""
    within = np.flatnonzero(flagged_by_k <= target_share * rows)
    return int(within[0]) + 1 if within.size else 0


def _scorecard_totals(
    fires: np.ndarray, evaluated: np.ndarray, chosen: list[int], k: int, label: np.ndarray, early: np.ndarray
) -> tuple[float, float, float]:
    flagged = scorecard_flags(fires[chosen].sum(axis=0), evaluated[chosen].sum(axis=0), len(chosen), k)
    return float(flagged.sum()), float((flagged & label).sum()), float((flagged & early).sum())


def _choose_scorecard(
    fires: np.ndarray,
    evaluated: np.ndarray,
    metrics: list[str],
    label: np.ndarray,
    early: np.ndarray,
    dates: np.ndarray,
    max_signs: int,
    limits: tuple[float, float, float],
) -> tuple[int, int, list[tuple[int, int, float, float]]]:
    """n and k from the fit period alone: signs chosen on its first two thirds of days (inner fit), every
    prefix of n signs and every k scored on its last third (inner validation) by the same score, unbounded
    (early warnings x precision), among the (n, k) that flag at most target_share of the inner-fit days.
    Returns (n, k, [(n, k, inner-fit share, inner-validation score)])."""
    days = np.unique(dates)
    cut = days[int(len(days) * INNER_FIT_SHARE)]
    inner, outer = dates < cut, dates >= cut
    path = _scorecard_path(
        fires[:, inner], evaluated[:, inner], metrics, label[inner], early[inner], max_signs, limits
    )
    rows_inner = int(inner.sum())
    table = []
    best = (0.0, 0, 0)
    for chosen, k, _ in path:
        if not k:  # more than target_share of the inner-fit days at every k
            continue
        share = _scorecard_totals(
            fires[:, inner], evaluated[:, inner], chosen, k, label[inner], early[inner]
        )[0] / max(rows_inner, 1)
        flagged, tp, early_tp = _scorecard_totals(
            fires[:, outer], evaluated[:, outer], chosen, k, label[outer], early[outer]
        )
        score = early_tp * tp / flagged if flagged else 0.0
        table.append((len(chosen), k, share, score))
        if score > best[0] or best[1] == 0:
            best = (score, len(chosen), k)
    if best[1] == 0:  # nothing on the inner split: the whole fit period's own choice
        return 0, 0, table
    return best[1], best[2], table


def learn(
    history: History,
    target_share: float = 0.2,
    max_rules: int = 4,
    min_support: float = 0.01,
    min_accounts: int = 5,
    min_lift: float = 1.5,
    min_cancellations: int = MIN_CANCELLATIONS,
    lead: int = LEAD_DAYS,
    form: str = "scorecard",
) -> Learned:
    """Choose Poor rules (or a scorecard's signs and k) on the fit period; measure them on the validation
    period."""
    if form not in FORMS:
        raise ValueError(f"form '{form}' is unknown; allowed: {', '.join(FORMS)}")
    check_enough(history, min_cancellations)
    fit_mask = history.fit
    if fit_mask.sum() > MAX_FIT_ROWS:  # a fixed, evenly spaced subsample: same data, same rules
        keep = np.zeros_like(fit_mask)
        where = np.flatnonzero(fit_mask)
        keep[where[np.linspace(0, where.size - 1, MAX_FIT_ROWS).astype(int)]] = True
        fit_mask = keep
    label = history.label[fit_mask]
    early = label & (days_to_cancel(history)[fit_mask] >= lead)
    codes = np.unique(history.account_ids[fit_mask], return_inverse=True)[1]
    n_fit = int(fit_mask.sum())
    base = label.mean()
    max_share = target_share * (SIGN_SHARE if form == "scorecard" else 1.0)
    candidates = []
    for rule in candidate_rules(history, fit_mask):
        fires = rule.fires(history)[fit_mask]
        support = int(fires.sum())
        if support < min_support * n_fit or support > max_share * n_fit:
            continue
        if np.unique(codes[fires & label]).size < min_accounts:
            continue
        if form == "scorecard" and (fires & label).sum() < min_lift * base * support:
            continue
        candidates.append((rule, fires))
    if form == "scorecard":
        return _learn_scorecard(
            history, fit_mask, candidates, label, early, max_rules, (min_support, target_share, min_lift)
        )
    chosen: list[Rule] = []
    flagged = np.zeros(n_fit, dtype=bool)
    steps = []
    while len(chosen) < max_rules:
        best, best_score, best_fires = None, 0.0, None
        used = {rule.metric for rule in chosen}
        for rule, fires in candidates:
            if rule.metric in used:
                continue
            new = fires & ~flagged
            n_new = int(new.sum())
            if n_new < min_support * n_fit or (flagged.sum() + n_new) > target_share * n_fit:
                continue
            tp_new = int((new & label).sum())
            precision = tp_new / n_new
            if precision < min_lift * base:
                continue
            score = int((new & early).sum()) * precision
            if score > best_score:
                best, best_score, best_fires = rule, score, fires
        if best is None:
            break
        chosen.append(best)
        flagged |= best_fires
        union = np.zeros(len(history.label), dtype=bool)
        for rule in chosen:
            union |= rule.fires(history)
        steps.append(
            (best, figures(history, history.fit, union), figures(history, history.validation, union))
        )
    learned = Learned(
        rules=chosen,
        good_thresholds=_good_thresholds(history, chosen),
        fit=figures(history, history.fit, np.zeros(len(history.label), dtype=bool)),
        validation=figures(history, history.validation, np.zeros(len(history.label), dtype=bool)),
        steps=steps,
        history=history,
    )
    union = learned.flags(history)
    learned.fit = figures(history, history.fit, union)
    learned.validation = figures(history, history.validation, union)
    return learned


def _learn_scorecard(
    history: History,
    fit_mask: np.ndarray,
    candidates: list[tuple[Rule, np.ndarray]],
    label: np.ndarray,
    early: np.ndarray,
    max_signs: int,
    limits: tuple[float, float, float],
) -> Learned:
    rules = [rule for rule, _ in candidates]
    metrics = [rule.metric for rule in rules]
    shape = (len(rules), int(fit_mask.sum()))
    fires = np.zeros(shape, dtype=np.int16)
    evaluated = np.zeros(shape, dtype=np.int16)
    known = {}
    for index, (rule, fired) in enumerate(candidates):
        fires[index] = fired
        if rule.metric not in known:
            known[rule.metric] = evaluated_rows(history, rule.metric)[fit_mask]
        evaluated[index] = known[rule.metric]
    n, k, table = _choose_scorecard(
        fires, evaluated, metrics, label, early, history.dates[fit_mask], max_signs, limits
    )
    path = _scorecard_path(fires, evaluated, metrics, label, early, n or max_signs, limits)
    # The longest prefix within the budget; k: the smallest k within it on the whole fit period.
    feasible = [(prefix, k) for prefix, k, _ in path if k]
    chosen, k = feasible[-1] if feasible else ([], 1)
    signs = [rules[i] for i in chosen]
    learned = Learned(
        rules=signs,
        good_thresholds={},
        fit=figures(history, history.fit, np.zeros(len(history.label), dtype=bool)),
        validation=figures(history, history.validation, np.zeros(len(history.label), dtype=bool)),
        history=history,
        form="scorecard",
        k=k,
        choice=table,
    )
    for rule in signs:
        alone = rule.fires(history)
        learned.steps.append(
            (rule, figures(history, history.fit, alone), figures(history, history.validation, alone))
        )
    flagged = learned.flags(history)
    learned.fit = figures(history, history.fit, flagged)
    learned.validation = figures(history, history.validation, flagged)
    return learned


def _good_thresholds(history: History, chosen: list[Rule]) -> dict[str, float | tuple[str, ...]]:
    good = {}
    healthy = history.fit & ~history.label
    for rule in chosen:
        if rule.operator == "in":
            continue
        values = history.numeric[rule.metric][healthy]
        values = values[~np.isnan(values)]
        median = nice(float(np.median(values))) if values.size else rule.threshold
        # Good lies beyond the median on the side away from Poor (never overlapping the Poor threshold).
        if rule.operator == "<=":
            good[rule.metric] = max(median, nice(rule.threshold * 1.5) if rule.threshold > 0 else median)
        else:
            good[rule.metric] = min(median, nice(rule.threshold / 1.5))
    return good


def _label(history: History, metric: str) -> str:
    description = history.metrics[metric].description.rstrip(".")
    short = description.split(" (")[0].split(";")[0]
    return f"{short}: {{value}}"


def poor_band(n: int, k: int) -> float:
    """The weighted model's poor_max_score for "at least k of n signs": 100 (n - k) / n, plus half the
    smallest gap between two scores of up to n signs (50 / n^2), so rounding never moves a score across it."""
    return round(100 * (n - k) / n + 50 / n**2, 1)


def write_candidate(learned: Learned, out: Path) -> Path:
    """The candidate folder: health_profiles.csv, health_criteria.csv, an empty health_segment_filters.csv."""
    history = learned.history
    out.mkdir(parents=True, exist_ok=True)
    with (out / "health_profiles.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(
            [
                "profile",
                "precedence",
                "is_default",
                "model",
                "good_min_score",
                "poor_max_score",
                "description",
            ]
        )
        source = (
            f"learned by pulse health learn from {len(history.cancelled_on)} cancellations "
            f"(fit before {history.split_date}, validated from it)"
        )
        if learned.form == "scorecard" and learned.rules:
            n, k = len(learned.rules), learned.k
            writer.writerow(
                [
                    PROFILE,
                    100,
                    "true",
                    "weighted",
                    100,
                    _number_text(poor_band(n, k)),
                    f"Scorecard: Poor when at least {k} of {n} signs (of those with a value), Good when "
                    f"none; {source}",
                ]
            )
        else:
            writer.writerow([PROFILE, 100, "true", "rules", "", "", source[0].upper() + source[1:]])
    with (out / "health_segment_filters.csv").open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle, lineterminator="\n").writerow(["profile", "metric", "operator", "value"])
    with (out / "health_criteria.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(
            [
                "profile",
                "category",
                "criterion_id",
                "outcome",
                "metric",
                "operator",
                "threshold",
                "weight",
                "category_weight",
                "reason_label",
            ]
        )
        for rule in learned.rules:
            category = CATEGORY_BY_MEASURES.get(history.metrics[rule.metric].measures, "risk")
            label = _label(history, rule.metric)
            if learned.form == "scorecard":  # one category of equal weights; Good is the sign's complement
                for outcome, operator in (("Good", COMPLEMENT[rule.operator]), ("Poor", rule.operator)):
                    writer.writerow(
                        [
                            PROFILE,
                            SCORECARD_CATEGORY,
                            f"learned_{rule.metric}_{outcome.lower()}",
                            outcome,
                            rule.metric,
                            operator,
                            rule.threshold_text,
                            1,
                            1,
                            label,
                        ]
                    )
                continue
            if rule.metric in learned.good_thresholds:
                good_op = ">" if rule.operator == "<=" else "<"
                writer.writerow(
                    [
                        PROFILE,
                        category,
                        f"learned_{rule.metric}_good",
                        "Good",
                        rule.metric,
                        good_op,
                        _number_text(learned.good_thresholds[rule.metric]),
                        "",
                        "",
                        label,
                    ]
                )
            writer.writerow(
                [
                    PROFILE,
                    category,
                    f"learned_{rule.metric}_poor",
                    "Poor",
                    rule.metric,
                    rule.operator,
                    rule.threshold_text,
                    "",
                    "",
                    label,
                ]
            )
    return out


def _pct(value: float | None) -> str:
    return "n/a" if value is None else f"{100 * value:.1f}%"


def _lift(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.2f}"


def summary_markdown(learned: Learned) -> str:
    history = learned.history
    lines = [
        "# Learned health profile",
        "",
        f"History: {len(history.label):,} account-days up to {history.last_day}; label: cancels within "
        f"{history.horizon} days (known up to {history.labels_known_through}).",
        f"Fit on the days before {history.split_date}, validated on the days from it.",
        "",
    ]
    if learned.form == "scorecard":
        lines += [
            f"Scorecard: Poor when at least {learned.k} of these {len(learned.rules)} signs hold (of those "
            "with a value that day), Good when none does (figures: each sign alone):",
            "",
            "| # | sign | fit share flagged | fit lift | validation share flagged | validation lift "
            "| validation recall |",
            "|---|---|---|---|---|---|---|",
        ]
    else:
        lines += [
            "Poor when any of (chosen in this order; figures cumulative):",
            "",
            "| # | rule | fit share flagged | fit lift | validation share flagged | validation lift "
            "| validation recall |",
            "|---|---|---|---|---|---|---|",
        ]
    for number, (rule, fit, validation) in enumerate(learned.steps, 1):
        lines.append(
            f"| {number} | `{rule}` | {_pct(fit.share_flagged)} | {_lift(fit.lift)} | "
            f"{_pct(validation.share_flagged)} | {_lift(validation.lift)} | {_pct(validation.recall)} |"
        )
    if not learned.rules:
        lines.append("| - | no rule met the minimum support and lift | | | | | |")
    if learned.choice:
        lines += [
            "",
            "How many signs (n) and k were chosen, on the fit period alone: signs chosen on its first two "
            "thirds of days, k the smallest within the target share there, each n scored on its last third "
            "(early warnings x precision):",
            "",
            "| n | k | inner-fit share flagged | inner-validation score |",
            "|---|---|---|---|",
            *(f"| {n} | {k} | {_pct(share)} | {score:.1f} |" for n, k, share, score in learned.choice),
        ]
    lines += [
        "",
        "| period | account-days | cancelling accounts | base rate | share flagged | precision | lift | "
        "recall | cancelling accounts flagged |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for name, fig in (("fit", learned.fit), ("validation", learned.validation)):
        lines.append(
            f"| {name} | {fig.rows:,} | {fig.cancelling_accounts} | {_pct(fig.base_rate)} | "
            f"{_pct(fig.share_flagged)} | {_pct(fig.precision)} | {_lift(fig.lift)} | {_pct(fig.recall)} | "
            f"{fig.accounts_caught} |"
        )
    return "\n".join(lines) + "\n"
