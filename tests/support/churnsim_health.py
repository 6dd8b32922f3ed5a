"""`python -m tests.support.churnsim_health [DIR] [--reuse] [--form=scorecard|rules]`: predictive health on
ChurnSim ("Fighting Churn With Data", model socialnet7), loaded through the mapping files only (events and
subscriptions: tests.support.churnsim).

What a ChurnSim analytics engineer would do: declare the product's activities (post, like, message, ...) and
activity metrics over them (28-day count, share of all actions, per active user, change against the previous
28 days) in the metric catalog. The script does that in a copy of the project (the repository's catalog stays
the demo product's), builds the whole graph on the copy, then runs the same code as `pulse health learn` and
the churn risk score, and prints, on the validation period (the later third of the labelled days):

- the shipped default configuration's and the learned profile's lift for a cancellation within 90 days and the
  share of churned accounts ranked Poor 30 days or more before they cancel;
- the risk score's AUC and lift in the riskiest 10%.

Nothing here is tuned to ChurnSim: the learner and the model use their defaults. `--reuse` skips the ingest
and the build when DIR already holds a warehouse and project copy from an earlier run (to re-measure learner
changes; rebuild after changing models or the catalog). The learned profile is measured in both forms
(scorecard and rules) unless `--form=` names one.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from collections.abc import Sequence
from datetime import timedelta
from pathlib import Path

import numpy as np
import yaml

from orchestration.settings import PROJECT_ROOT

ACTIVITIES = ("post", "newfriend", "like", "adview", "dislike", "unfriend", "message", "reply")
CATALOG = Path("models/intermediate/metrics/_int_metrics__models.yml")
MODEL = "int_account_activity_metrics_daily"


def project_with_churnsim_activities(root: Path) -> Path:
    """A copy of the dbt project whose metric catalog also declares ChurnSim's activities and metrics."""
    project = root / "project"
    for name in ("models", "seeds", "dbt_project"):
        shutil.copytree(PROJECT_ROOT / name, project / name, ignore=shutil.ignore_patterns("target", "logs"))
    path = project / CATALOG
    spec = yaml.safe_load(path.read_text())
    model = next(m for m in spec["models"] if m["name"] == "int_account_metrics_daily")
    activities = model["config"]["meta"]["activities"]
    for name in ACTIVITIES:
        activities[name] = {"event": name}
        for suffix, measure, extra in (
            ("28d", "count", {}),
            ("share_28d", "share", {}),
            ("per_active_user_28d", "per_active_user", {}),
            ("active_days_28d", "active_days", {}),
        ):
            model["columns"].append(_metric(f"{name}_{suffix}", name, measure, extra))
        model["columns"].append(_metric(f"change_in_{name}_28d", name, "change", {}))
    path.write_text(yaml.safe_dump(spec, sort_keys=False, width=120))
    return project


def _metric(metric: str, activity: str, measure: str, extra: dict) -> dict:
    return {
        "name": metric,
        "data_type": "double",
        "description": f"{activity}: {measure.replace('_', ' ')} over the last 28 days.",
        "config": {
            "meta": {
                "unit": "ratio" if measure in ("share", "change") else "actions",
                "measures": "usage",
                "source": "app_events",
                "model": MODEL,
                "mart": False,
                "activity": activity,
                "window": 28,
                "measure": measure,
                **extra,
            }
        },
    }


def _share_poor_before(
    history, flagged: np.ndarray, since, days: int = 30, ranked_since: bool = True
) -> tuple[int, int]:
    """(flagged, ranked): churned accounts flagged exactly `days` before they cancel. As `pulse health
    backtest --since` counts them (ranked_since): the day `days` before is in the validation period (from
    `since`); else every account cancelling from `since` on, even when that day is in the fit period the
    rules were chosen on (the figure this script printed before; kept for comparison)."""
    index = {
        (a, d): i
        for i, (a, d) in enumerate(zip(history.account_ids, history.dates.astype(object), strict=True))
    }
    ranked = hit = 0
    for account, cancelled in history.cancelled_on.items():
        day = cancelled - timedelta(days=days)
        if (day if ranked_since else cancelled) < since or (account, day) not in index:
            continue
        ranked += 1
        hit += bool(flagged[index[(account, day)]])
    return hit, ranked


def _learned(history, learned, split) -> None:
    flagged = learned.flags(history)
    hit, ranked = _share_poor_before(history, flagged, split)
    hit_all, ranked_all = _share_poor_before(history, flagged, split, ranked_since=False)
    form = f"scorecard, at least {learned.k} of" if learned.form == "scorecard" else "rules, any of"
    print(f"learned {form}: " + "; ".join(str(rule) for rule in learned.rules))
    print(
        f"learned profile ({learned.form}): validation lift {_num(learned.validation.lift)}, share flagged "
        f"{_num(learned.validation.share_flagged)}, Poor 30 days before: {hit} of {ranked} "
        f"(counting, like the backtest, the accounts whose day 30 before is in the validation period; "
        f"with those whose day 30 before is in the fit period too: {hit_all} of {ranked_all})"
    )


def _num(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.3f}"


def main(argv: Sequence[str] | None = None) -> int:
    import duckdb

    from orchestration.dbt_project import run_dbt
    from orchestration.health.backtest import run_backtest
    from orchestration.health.history import load_history
    from orchestration.health.learn import learn
    from orchestration.health.risk import train, validate
    from orchestration.ingest.loader import ingest
    from orchestration.metrics.catalog import load_catalog
    from tests.support.churnsim import land_churnsim

    args = list(sys.argv[1:] if argv is None else argv)
    all_args = list(args)
    reuse = "--reuse" in args
    args = [arg for arg in args if arg != "--reuse" and not arg.startswith("--form=")]
    root = (Path(args[0]) if args else Path(tempfile.mkdtemp(prefix="churnsim-health-"))).resolve()
    root.mkdir(parents=True, exist_ok=True)
    landing, warehouse = root / "landing", root / "warehouse.duckdb"
    if reuse and warehouse.exists() and (root / "project").exists():
        project = root / "project"  # --reuse: the warehouse built by an earlier run in DIR (learner work)
        print(f"reusing {warehouse}")
    else:
        shutil.rmtree(root / "project", ignore_errors=True)
        project = project_with_churnsim_activities(root)
        land_churnsim(landing, ("subscription.csv", "event.csv.gz"))
        print(ingest(landing, warehouse, sources=["churnsim"]).format())
        run_dbt(
            ["build", "--resource-type", "model", "seed"],
            warehouse=warehouse,
            project_dir=project / "dbt_project",
            target_path=root / "target",
            log_dir=root / "logs",
        ).check()
    history = load_history(warehouse, metrics=load_catalog(project))
    split = history.split_date
    print(
        f"\nHistory up to {history.last_day}; cancellations known through {history.outcomes_known}, so "
        f"labels through {history.labels_known_through}; fit before {split}, validated from it "
        f"({int(history.validation.sum()):,} account-days, "
        f"{history.cancelled_accounts(history.validation)} cancelling accounts, "
        f"base rate {history.label[history.validation].mean():.3f})."
    )
    default = run_backtest(warehouse, since=split)
    overall90 = next(w for w in default.windows if w.scope == "overall" and w.horizon == 90)
    poor30 = default.poor_share_before[30]
    print(
        f"default profile: validation lift {_num(overall90.lift)}, Poor 30 days before: "
        f"{'n/a' if poor30 is None else f'{poor30:.0%}'} of {default.accounts_before[30]} ranked"
    )
    forms = [arg.split("=", 1)[1] for arg in all_args if arg.startswith("--form=")] or ["scorecard", "rules"]
    for form in forms:
        _learned(history, learn(history, form=form), split)
    figures = validate(train(history), history)
    print(
        f"risk score: AUC {_num(figures['auc'])}, lift in the riskiest 10% {_num(figures['lift_top_10pct'])} "
        f"(riskiest 20%: {_num(figures['lift_top_20pct'])})"
    )
    with duckdb.connect(str(warehouse), read_only=True) as con:
        print(
            "cancellations:",
            con.execute(
                "select count(*) from marts.dim_accounts where cancellation_date is not null"
            ).fetchone()[0],
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
