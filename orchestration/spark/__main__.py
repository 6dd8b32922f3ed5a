"""`python -m orchestration.spark`: the dbt build of the whole project on a local Spark."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from orchestration.spark.run import run


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m orchestration.spark", description=__doc__)
    parser.add_argument("--accounts", type=int, default=20)
    parser.add_argument("--days", type=int, default=60)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--dir", type=Path, default=None, help="Folder laid anew ($PULSE_SPARK_DIR, var/spark)."
    )
    options = parser.parse_args(argv)
    outcome = run(options.accounts, options.days, options.seed, options.dir)
    print(outcome.format())
    return 0 if outcome.success else 1


if __name__ == "__main__":
    sys.exit(main())
