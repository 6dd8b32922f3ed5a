"""Every setting Pulse reads from the environment, and every default path, in one place.

Each setting is a function read at call time, so a test (or a process that sets a variable before it calls
Pulse) sees the current value. Paths relative to the directory Pulse runs from are resolved against it.
Nothing here imports another Pulse module: every layer may use it.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DBT_PROJECT_DIR = PROJECT_ROOT / "dbt_project"

# The names of the variables, for documentation and for tests that set them on a child process.
WAREHOUSE_ENV = "PULSE_WAREHOUSE"
LANDING_ENV = "PULSE_LANDING"
SITE_DIR_ENV = "PULSE_SITE_DIR"
REPORTS_DIR_ENV = "PULSE_REPORTS_DIR"
CHROMIUM_ENV = "PULSE_CHROMIUM"
REPORT_WORKERS_ENV = "PULSE_REPORT_WORKERS"
PARTITION_START_ENV = "PULSE_PARTITION_START"
LOG_DIR_ENV = "PULSE_LOG_DIR"
BENCH_SIZES_ENV = "PULSE_BENCH_SIZES"
BENCH_DIR_ENV = "PULSE_BENCH_DIR"
BENCH_STAGES_ENV = "PULSE_BENCH_STAGES"
OUTBOX_DIR_ENV = "PULSE_OUTBOX_DIR"
DIGEST_FROM_ENV = "PULSE_DIGEST_FROM"
SMTP_HOST_ENV = "PULSE_SMTP_HOST"
SMTP_PORT_ENV = "PULSE_SMTP_PORT"
SMTP_STARTTLS_ENV = "PULSE_SMTP_STARTTLS"
SMTP_USER_ENV = "PULSE_SMTP_USER"
SMTP_PASSWORD_ENV = "PULSE_SMTP_PASSWORD"
# The CRM sync (orchestration/sync): where Data Loader files go, and each remote destination's credentials.
SYNC_DIR_ENV = "PULSE_SYNC_DIR"
SALESFORCE_URL_ENV = "PULSE_SALESFORCE_URL"
SALESFORCE_CLIENT_ID_ENV = "PULSE_SALESFORCE_CLIENT_ID"
SALESFORCE_CLIENT_SECRET_ENV = "PULSE_SALESFORCE_CLIENT_SECRET"
SALESFORCE_ACCESS_TOKEN_ENV = "PULSE_SALESFORCE_ACCESS_TOKEN"
HUBSPOT_URL_ENV = "PULSE_HUBSPOT_URL"
HUBSPOT_TOKEN_ENV = "PULSE_HUBSPOT_TOKEN"
DEFAULT_HUBSPOT_URL = "https://api.hubapi.com"
DUCKDB_MEMORY_LIMIT_ENV = "PULSE_DUCKDB_MEMORY_LIMIT"
DUCKDB_TEMP_DIR_ENV = "PULSE_DUCKDB_TEMP_DIR"
DBT_MEMORY_LIMIT_ENV = "PULSE_DBT_MEMORY_LIMIT"
LOCK_TIMEOUT_ENV = "PULSE_LOCK_TIMEOUT"
# `make test-spark` (orchestration/spark): the folder of the local Spark warehouse, metastore and sample.
SPARK_DIR_ENV = "PULSE_SPARK_DIR"
# Test hook: seconds the loader sleeps after inserting a file's rows and before committing them.
INGEST_PAUSE_ENV = "PULSE_INGEST_PAUSE_BEFORE_COMMIT"

DEFAULT_CHROMIUM = "/usr/bin/chromium"
# Events older than this still load and are built by the first (full) build; partitions only bound re-runs.
DEFAULT_PARTITION_START = "2025-01-01"
DEFAULT_BENCH_SIZES = "demo,1000000,10000000,sync"
DEFAULT_DIGEST_FROM = "Pulse <pulse@localhost>"
DEFAULT_SMTP_PORT = 587
# DuckDB's buffer pool for ingestion: what it holds beyond this spills to the temp directory.
DEFAULT_DUCKDB_MEMORY_LIMIT = "512MB"
# DuckDB's buffer pool for the dbt build (profiles.yml, through the dbt var pulse_memory_limit). Without one,
# DuckDB takes up to 80% of the machine; past this the build's joins, sorts and aggregates spill to the temp
# directory.
DEFAULT_DBT_MEMORY_LIMIT = "4GB"
# A second writer waits this long for the warehouse before it gives up.
DEFAULT_LOCK_TIMEOUT_SECONDS = 600.0
MAX_REPORT_WORKERS = 8


class SettingError(ValueError):
    """A setting has a value Pulse cannot use; the message names the setting and what is allowed."""


def _env(name: str) -> str | None:
    """A variable's value, or None when it is unset or empty."""
    value = os.environ.get(name, "").strip()
    return value or None


def project_root() -> Path:
    return PROJECT_ROOT


def var_dir() -> Path:
    """Generated state (warehouse, landing files, site, logs), ignored by git."""
    return PROJECT_ROOT / "var"


def seeds_dir() -> Path:
    """The configuration seeds analytics engineers edit (health profiles, criteria, settings)."""
    return PROJECT_ROOT / "seeds"


def warehouse_path() -> Path:
    """The DuckDB file: $PULSE_WAREHOUSE (relative paths: to the directory Pulse runs from).

    Default var/warehouse.duckdb.
    """
    return checked_warehouse_name(Path(_env(WAREHOUSE_ENV) or var_dir() / "warehouse.duckdb").resolve())


# DuckDB names an attached database after its file, and a database named like one of Pulse's schemas (or
# DuckDB's own catalogs) makes every `raw.x` / `marts.x` ambiguous.
RESERVED_WAREHOUSE_NAMES = (
    "raw", "staging", "intermediate", "marts", "seeds", "sync", "main", "temp", "system",
)  # fmt: skip


def checked_warehouse_name(path: Path) -> Path:
    """path, or a clear error when its name would clash with a schema (raw.duckdb, marts.duckdb, ...)."""
    if path.stem.lower() in RESERVED_WAREHOUSE_NAMES:
        raise SettingError(
            f"warehouse {path}: DuckDB names the database after the file, and '{path.stem}' is also the name "
            f"of a schema or catalog ({', '.join(RESERVED_WAREHOUSE_NAMES)}); choose another file name"
        )
    return path


def landing_root() -> str:
    """The landing folder: $PULSE_LANDING (a path or any fsspec URL), else var/landing."""
    return _env(LANDING_ENV) or str(var_dir() / "landing")


def dbt_target_dir(warehouse: Path | None = None) -> Path:
    """dbt's target folders for a warehouse's builds (one per Dagster step and one for run_dbt, reused run
    after run, so dbt's partial parse is kept and the project's target/ is Dagster's manifest alone):
    dbt-target/ beside the warehouse (by default the settings' one)."""
    return (warehouse or warehouse_path()).parent / "dbt-target"


def site_dir() -> Path:
    """The rendered report site: $PULSE_SITE_DIR, else var/site."""
    return Path(_env(SITE_DIR_ENV) or var_dir() / "site").resolve()


def pages_dir() -> Path:
    """The report page sources: $PULSE_REPORTS_DIR, else reports/ at the repository root."""
    return Path(_env(REPORTS_DIR_ENV) or PROJECT_ROOT / "reports").resolve()


def chromium() -> str:
    """The Chromium binary for PDFs and browser tests: $PULSE_CHROMIUM, else Debian's /usr/bin/chromium."""
    return _env(CHROMIUM_ENV) or DEFAULT_CHROMIUM


def report_workers() -> int:
    """Processes rendering the report site: $PULSE_REPORT_WORKERS, else the CPU count (at most 8)."""
    configured = _env(REPORT_WORKERS_ENV)
    if configured:
        return max(1, int(configured))
    return max(1, min(os.cpu_count() or 1, MAX_REPORT_WORKERS))


def partition_start() -> str:
    """First day of the daily rollup partitions: $PULSE_PARTITION_START, else 2025-01-01."""
    return _env(PARTITION_START_ENV) or DEFAULT_PARTITION_START


def log_dir() -> Path:
    """Where dbt writes its log (dbt.log): $PULSE_LOG_DIR, else var/logs."""
    return Path(_env(LOG_DIR_ENV) or var_dir() / "logs").resolve()


def spark_dir() -> Path:
    """The local Spark run's folder (sample, Parquet, metastore, Spark warehouse): $PULSE_SPARK_DIR, else
    var/spark."""
    return Path(_env(SPARK_DIR_ENV) or var_dir() / "spark").resolve()


def dbt_log_file() -> Path:
    return log_dir() / "dbt.log"


def dagster_home() -> str | None:
    """$DAGSTER_HOME: `pulse run` records its runs there (shown by `make dev`); unset means ephemeral runs."""
    return _env("DAGSTER_HOME")


def bench_sizes() -> list[str]:
    """`make bench` sizes: $PULSE_BENCH_SIZES (comma-separated: demo and/or event counts)."""
    sizes = (_env(BENCH_SIZES_ENV) or DEFAULT_BENCH_SIZES).split(",")
    return [size.strip() for size in sizes if size.strip()]


def bench_stages(known: list[str]) -> list[str]:
    """`make bench` stages per size, in the order to run: $PULSE_BENCH_STAGES (comma-separated), or all."""
    value = _env(BENCH_STAGES_ENV)
    if not value:
        return known
    stages = [stage.strip() for stage in value.split(",") if stage.strip()]
    unknown = [stage for stage in stages if stage not in known]
    if unknown:
        raise SettingError(
            f"{BENCH_STAGES_ENV}: unknown stage {', '.join(unknown)} (known: {', '.join(known)})"
        )
    return stages


def bench_dir() -> Path | None:
    """$PULSE_BENCH_DIR keeps the benchmark's files; None means a temporary folder."""
    value = _env(BENCH_DIR_ENV)
    return Path(value) if value else None


def ingest_pause_before_commit() -> float:
    """Test hook ($PULSE_INGEST_PAUSE_BEFORE_COMMIT): seconds to wait before committing each loaded file."""
    return float(_env(INGEST_PAUSE_ENV) or 0)


def outbox_dir() -> Path:
    """Digests waiting to be sent (and sent/ beside them): $PULSE_OUTBOX_DIR, else `outbox` beside the
    warehouse file (var/outbox by default), so each warehouse has its own outbox and sent ledger."""
    configured = _env(OUTBOX_DIR_ENV)
    return Path(configured).resolve() if configured else warehouse_path().parent / "outbox"


def digest_sender() -> str:
    """The From of digests: $PULSE_DIGEST_FROM, else `Pulse <pulse@localhost>`."""
    return _env(DIGEST_FROM_ENV) or DEFAULT_DIGEST_FROM


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    starttls: bool
    user: str | None = None
    # Never shown: left out of repr (and so of any log line printing the settings).
    password: str | None = field(default=None, repr=False)

    def describe(self) -> str:
        """host:port, STARTTLS or not, and the user (never the password)."""
        tls = "STARTTLS" if self.starttls else "no TLS"
        return f"{self.host}:{self.port} ({tls}{f', user {self.user}' if self.user else ''})"


def _flag(name: str, default: bool) -> bool:
    value = _env(name)
    if value is None:
        return default
    if value.lower() in ("1", "true", "yes", "on"):
        return True
    if value.lower() in ("0", "false", "no", "off"):
        return False
    raise SettingError(f"${name} is '{value}'; allowed: true, false (or 1, 0, yes, no, on, off)")


def smtp() -> SmtpSettings | None:
    """The SMTP server digests are sent through, or None when $PULSE_SMTP_HOST is unset (digests stay in the
    outbox). $PULSE_SMTP_PORT (587), $PULSE_SMTP_STARTTLS (true), $PULSE_SMTP_USER, $PULSE_SMTP_PASSWORD."""
    host = _env(SMTP_HOST_ENV)
    if host is None:
        return None
    port = _env(SMTP_PORT_ENV) or str(DEFAULT_SMTP_PORT)
    if not port.isdigit():
        raise SettingError(f"${SMTP_PORT_ENV} is '{port}'; allowed: a port number")
    return SmtpSettings(
        host=host,
        port=int(port),
        starttls=_flag(SMTP_STARTTLS_ENV, True),
        user=_env(SMTP_USER_ENV),
        password=os.environ.get(SMTP_PASSWORD_ENV) or None,
    )


def sync_dir() -> Path:
    """Where the CRM sync writes Data Loader files: $PULSE_SYNC_DIR, else sync/ beside the warehouse file."""
    value = _env(SYNC_DIR_ENV)
    return Path(value).resolve() if value else warehouse_path().parent / "sync"


def salesforce_url() -> str | None:
    """The Salesforce org's base URL (https://<domain>.my.salesforce.com): $PULSE_SALESFORCE_URL."""
    return _env(SALESFORCE_URL_ENV)


def salesforce_client_id() -> str | None:
    """OAuth 2.0 client credentials flow: the connected app's consumer key, $PULSE_SALESFORCE_CLIENT_ID."""
    return _env(SALESFORCE_CLIENT_ID_ENV)


def salesforce_client_secret() -> str | None:
    """The connected app's consumer secret, $PULSE_SALESFORCE_CLIENT_SECRET (never printed or stored)."""
    return _env(SALESFORCE_CLIENT_SECRET_ENV)


def salesforce_access_token() -> str | None:
    """An access token from elsewhere: $PULSE_SALESFORCE_ACCESS_TOKEN (instead of client id and secret)."""
    return _env(SALESFORCE_ACCESS_TOKEN_ENV)


def hubspot_url() -> str:
    """HubSpot's API base URL: $PULSE_HUBSPOT_URL, else https://api.hubapi.com."""
    return _env(HUBSPOT_URL_ENV) or DEFAULT_HUBSPOT_URL


def hubspot_token() -> str | None:
    """A HubSpot private app's access token, $PULSE_HUBSPOT_TOKEN (never printed or stored)."""
    return _env(HUBSPOT_TOKEN_ENV)


def duckdb_memory_limit() -> str:
    """DuckDB's memory_limit for ingestion: $PULSE_DUCKDB_MEMORY_LIMIT (e.g. 2GB), else 512MB."""
    return _env(DUCKDB_MEMORY_LIMIT_ENV) or DEFAULT_DUCKDB_MEMORY_LIMIT


def dbt_memory_limit() -> str:
    """DuckDB's memory_limit for the dbt build: $PULSE_DBT_MEMORY_LIMIT (e.g. 8GB or 50%), else 4GB."""
    return _env(DBT_MEMORY_LIMIT_ENV) or DEFAULT_DBT_MEMORY_LIMIT


def duckdb_temp_directory(warehouse: Path | None = None) -> Path:
    """Where DuckDB spills past its memory limit: $PULSE_DUCKDB_TEMP_DIR, else <warehouse>.tmp beside it."""
    configured = _env(DUCKDB_TEMP_DIR_ENV)
    if configured:
        return Path(configured).resolve()
    target = warehouse or warehouse_path()
    return target.with_name(target.name + ".tmp")


def lock_timeout() -> float:
    """Seconds a writer waits for the warehouse held by another process: $PULSE_LOCK_TIMEOUT, else 600."""
    configured = _env(LOCK_TIMEOUT_ENV)
    return float(configured) if configured else DEFAULT_LOCK_TIMEOUT_SECONDS
