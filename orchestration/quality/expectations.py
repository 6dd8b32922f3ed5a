"""Great Expectations suites over the raw tables, fed with pandas frames queried from DuckDB.

Great Expectations takes ~10 s to import, so it is imported inside the functions that validate, never at
module top: the command line and Dagster's code location import this module cheaply.
"""

from __future__ import annotations

import math
import os
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from orchestration.quality.config import QualityConfig, TableChecks, load_config
from orchestration.warehouse import connect

if TYPE_CHECKING:
    import pandas as pd

EXAMPLES = 5  # unexpected rows shown per failed expectation


@dataclass
class ExpectationFailure:
    expectation: str
    column: str
    severity: str
    rule: str
    unexpected_count: int | None = None
    unexpected_percent: float | None = None
    observed_value: Any = None
    examples: list[Any] = field(default_factory=list)

    def summary(self) -> str:
        what = f"{self.expectation}({self.column})"
        if self.unexpected_count is not None:
            pct = f" ({self.unexpected_percent:.1f}%)" if self.unexpected_percent is not None else ""
            return f"{what}: {self.unexpected_count} unexpected{pct} [{self.rule}]"
        return f"{what}: observed {self.observed_value} [{self.rule}]"


@dataclass
class CheckOutcome:
    check: str
    table: str
    passed: bool
    severity: str  # the most severe failing rule's severity (or the configured one when passed)
    rows_checked: int
    failures: list[ExpectationFailure] = field(default_factory=list)

    @property
    def description(self) -> str:
        if self.passed and not self.failures:
            return f"raw.{self.table}: {self.rows_checked} rows passed {self.check}"
        return f"raw.{self.table}: " + "; ".join(f.summary() for f in self.failures)

    def as_metadata(self) -> dict[str, Any]:
        """Plain JSON-able metadata (the Dagster layer wraps it)."""
        return {
            "rows_checked": self.rows_checked,
            "failed_expectations": [f"{f.expectation}({f.column})" for f in self.failures],
            "failures": [asdict(f) for f in self.failures],
        }


def utc_now() -> datetime:
    """Naive UTC, like the raw tables' timestamps."""
    return datetime.now(UTC).replace(tzinfo=None)


def _jsonable(value: Any) -> Any:
    """Make GE result values (numpy scalars, NaN, Timestamps) safe for Dagster metadata."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):  # numpy float64 included (a float subclass)
        return None if math.isnan(value) else float(value)
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, datetime | date):
        return value.isoformat()
    if hasattr(value, "item"):  # numpy scalar
        return _jsonable(value.item())
    text = str(value)
    return None if text in ("NaT", "nan", "<NA>") else text


def _row_condition(when: tuple[tuple[str, str], ...]) -> Any:
    """GE 1.x Condition objects (string conditions are deprecated) selecting the rows a rule applies to."""
    from great_expectations.expectations.row_conditions import Column

    condition = None
    for column, value in when:
        clause = Column(column) == value
        condition = clause if condition is None else condition & clause
    return condition


def _when_text(when: tuple[tuple[str, str], ...]) -> str:
    return " where " + " and ".join(f"{column} = {value!r}" for column, value in when) if when else ""


def _ge_batch(frame: pd.DataFrame, name: str) -> Any:
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")  # no network at run time
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    asset = context.data_sources.add_pandas(f"raw_{name}").add_dataframe_asset(name)
    batch_definition = asset.add_batch_definition_whole_dataframe(f"{name}_frame")
    return batch_definition.get_batch(batch_parameters={"dataframe": frame})


def _validate(frame: pd.DataFrame, name: str, expectations: list[Any], key: str) -> list[ExpectationFailure]:
    import great_expectations as gx

    batch = _ge_batch(frame, name)  # first: it creates the context the suite belongs to
    suite = gx.ExpectationSuite(name=f"raw_{name}")
    for expectation in expectations:
        suite.add_expectation(expectation)
    result = batch.validate(
        suite,
        result_format={
            "result_format": "SUMMARY",
            "unexpected_index_column_names": [key],
            "partial_unexpected_count": EXAMPLES,
        },
    )
    failures = []
    for item in result.results:
        if item.success:
            continue
        config = item.expectation_config
        details = item.result or {}
        examples = (
            details.get("partial_unexpected_index_list") or details.get("partial_unexpected_counts") or []
        )
        # An expectation that could not run (e.g. a missing column) fails with GE's message as the example;
        # exception_info is flat, or keyed by metric when a metric raised.
        info = item.exception_info or {}
        raised = [info] + [v for v in info.values() if isinstance(v, dict)]
        messages = [r.get("exception_message") for r in raised if r.get("raised_exception")]
        if messages:
            examples = list(dict.fromkeys(messages))
        failures.append(
            ExpectationFailure(
                expectation=config.type,
                column=config.kwargs.get("column")
                or config.kwargs.get("column_B", ""),  # pair checks: the value tested
                severity=config.meta["severity"],
                rule=config.meta["rule"],
                unexpected_count=_jsonable(details.get("unexpected_count")),
                unexpected_percent=_jsonable(details.get("unexpected_percent")),
                observed_value=_jsonable(details.get("observed_value")),
                examples=_jsonable(examples[:EXAMPLES]),
            )
        )
    return failures


def _outcome(
    check: str, table: str, rows: int, default_severity: str, failures: list[ExpectationFailure]
) -> CheckOutcome:
    severity = (
        "ERROR"
        if any(f.severity == "ERROR" for f in failures)
        else ("WARN" if failures else default_severity)
    )
    return CheckOutcome(
        check=check, table=table, passed=not failures, severity=severity, rows_checked=rows, failures=failures
    )


def table_expectations(checks: TableChecks, config: QualityConfig, now: datetime) -> list[Any]:
    """The table's rules as GE 1.x expectation objects; meta carries the configured severity and rule text."""
    import great_expectations as gx

    found: list[Any] = []
    for rule in checks.not_null:
        found.append(
            gx.expectations.ExpectColumnValuesToNotBeNull(
                column=rule.column,
                mostly=rule.mostly,
                row_condition=_row_condition(rule.when),
                meta={
                    "severity": rule.severity,
                    "rule": f"ids present{_when_text(rule.when)}",
                },
            )
        )
    limit = now + timedelta(days=config.future_tolerance_days)
    for column in checks.not_in_future:
        found.append(
            gx.expectations.ExpectColumnValuesToBeBetween(
                column=column,
                max_value=limit,
                meta={
                    "severity": checks.severity,
                    "rule": f"not after now + {config.future_tolerance_days:g} day(s)"
                    f" ({limit.isoformat(timespec='seconds')})",
                },
            )
        )
    for rule in checks.in_set:
        found.append(
            gx.expectations.ExpectColumnValuesToBeInSet(
                column=rule.column,
                value_set=list(rule.values),
                mostly=rule.mostly,
                row_condition=_row_condition(rule.when),
                meta={
                    "severity": rule.severity,
                    "rule": f"in {list(rule.values)} for at least {rule.mostly:.0%}{_when_text(rule.when)}",
                },
            )
        )
    return found


def validate_table_frame(
    frame: pd.DataFrame, checks: TableChecks, config: QualityConfig, now: datetime | None = None
) -> CheckOutcome:
    if frame.empty:  # nothing loaded yet: nothing can be wrong
        return _outcome("raw_values", checks.table, 0, checks.severity, [])
    expectations = table_expectations(checks, config, now or utc_now())
    failures = _validate(frame, checks.table, expectations, checks.key)
    return _outcome("raw_values", checks.table, len(frame), checks.severity, failures)


def validate_reject_frame(frame: pd.DataFrame, table: str, config: QualityConfig) -> CheckOutcome:
    """frame: one row per loaded file (path, rows_read, rows_rejected, reject_rate)."""
    if frame.empty:
        return _outcome("reject_rate", table, 0, config.reject_severity, [])
    import great_expectations as gx

    if "max_rate" not in frame:
        frame = frame.assign(max_rate=config.reject_max_rate)
    overrides = "".join(
        f", {name} {rate:.1%}" for name, rate in sorted(config.reject_max_rate_by_mapping.items())
    )
    expectation = gx.expectations.ExpectColumnPairValuesAToBeGreaterThanB(
        column_A="max_rate",
        column_B="reject_rate",
        or_equal=True,
        meta={
            "severity": config.reject_severity,
            "rule": f"rows_rejected / rows_read per file <= {config.reject_max_rate:.1%}{overrides}",
        },
    )
    failures = _validate(frame, f"{table}_files", [expectation], "path")
    return _outcome("reject_rate", table, len(frame), config.reject_severity, failures)


def _since(config: QualityConfig, now: datetime) -> datetime | None:
    return now - timedelta(days=config.lookback_days) if config.lookback_days else None


def query_table_frame(
    table: str,
    checks: TableChecks,
    config: QualityConfig,
    warehouse: Path | str | None = None,
    now: datetime | None = None,
) -> pd.DataFrame:
    lowered = {rule.column for rule in checks.in_set if rule.lowercase}
    select = ", ".join(f"lower({c}) as {c}" if c in lowered else c for c in checks.columns())
    since = _since(config, now or utc_now())
    sql = f"select {select} from raw.{table}" + (" where _loaded_at >= ?" if since else "")
    con = connect(warehouse, read_only=True)
    try:
        return con.execute(sql, [since] if since else []).df()
    finally:
        con.close()


def query_reject_frame(
    table: str, config: QualityConfig, warehouse: Path | str | None = None, now: datetime | None = None
) -> pd.DataFrame:
    since = _since(config, now or utc_now())
    sql = """
        select
            path,
            file_id,
            rows_read,
            rows_rejected,
            mapping,
            case when rows_read > 0 then rows_rejected / rows_read else 0 end as reject_rate
        from raw.loaded_files
        where target = ?
    """ + (" and loaded_at >= ?" if since else "")
    con = connect(warehouse, read_only=True)
    try:
        frame = con.execute(sql, [table, since] if since else [table]).df()
    finally:
        con.close()
    # Each file is held to its mapping's limit (reject_rate.by_mapping), else the default.
    frame["max_rate"] = frame["mapping"].map(config.reject_max_rate_by_mapping).fillna(config.reject_max_rate)
    return frame


def run_table_checks(
    table: str,
    config: QualityConfig | None = None,
    warehouse: Path | str | None = None,
    now: datetime | None = None,
) -> CheckOutcome:
    """Validate raw.<table> against its checks.yml rules (ids, timestamps, allowed values)."""
    config = config or load_config()
    checks = config.tables[table]
    now = now or utc_now()
    return validate_table_frame(query_table_frame(table, checks, config, warehouse, now), checks, config, now)


def run_reject_rate_check(
    table: str,
    config: QualityConfig | None = None,
    warehouse: Path | str | None = None,
    now: datetime | None = None,
) -> CheckOutcome:
    """Validate the reject rate of every file loaded into raw.<table> (from raw.loaded_files)."""
    config = config or load_config()
    return validate_reject_frame(query_reject_frame(table, config, warehouse, now), table, config)
