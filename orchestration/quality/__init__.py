"""Raw-table data quality: Great Expectations suites configured by checks.yml, run as Dagster asset checks."""

from orchestration.quality.config import QualityConfig, QualityConfigError, load_config
from orchestration.quality.expectations import CheckOutcome, run_reject_rate_check, run_table_checks

__all__ = [
    "CheckOutcome",
    "QualityConfig",
    "QualityConfigError",
    "load_config",
    "run_reject_rate_check",
    "run_table_checks",
]
