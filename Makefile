# Pulse: `make demo` and `make test` work on a fresh machine with Python 3.11 and make.
SHELL := /bin/bash
PYTHON ?= python3
# uv from PATH if present, else a private copy in .tools/ (works where pip may not install system-wide, PEP 668).
UV := $(shell command -v uv 2>/dev/null || echo $(CURDIR)/.tools/bin/uv)
RUN := $(UV) run --frozen
export DAGSTER_HOME ?= $(CURDIR)/var/dagster
export PULSE_WAREHOUSE ?= $(CURDIR)/var/warehouse.duckdb
export PULSE_LANDING ?= $(CURDIR)/var/landing
export DBT_SEND_ANONYMOUS_USAGE_STATS := false

DEMO_ACCOUNTS ?= 300
DEMO_DAYS ?= 365
DEMO_SEED ?= 42

.PHONY: setup setup-spark demo test test-demo test-spark dev bench lint browser java clean

## setup: install the locked environment (uv.lock) and parse the dbt project
setup: .venv/.synced
.venv/.synced: pyproject.toml uv.lock
	@if ! $(UV) --version >/dev/null 2>&1; then \
	  echo "Installing uv into .tools/ ..."; \
	  $(PYTHON) -m venv .tools && .tools/bin/python -m pip install --quiet --disable-pip-version-check uv; \
	fi
	@# Bytecode compiled once here: where PYTHONDONTWRITEBYTECODE is set, every command would recompile
	@# dagster, dbt and Great Expectations from source on each start.
	$(UV) sync --frozen --compile-bytecode --python $(PYTHON)
	@mkdir -p $(DAGSTER_HOME) && cp dagster.yaml $(DAGSTER_HOME)/dagster.yaml
	@touch $@

## browser: Debian's Chromium for PDF output and browser tests (installed when missing and we are root)
browser:
	@if [ ! -x /usr/bin/chromium ] && [ -z "$$PULSE_CHROMIUM" ]; then \
	  if [ "$$(id -u)" = "0" ]; then apt-get update -qq && apt-get install -y -qq chromium >/dev/null; \
	  else echo "Chromium is missing: run 'sudo apt-get install -y chromium' or set PULSE_CHROMIUM" >&2; exit 1; fi; \
	fi

## java: Debian's Java for the local Spark of `make test-spark` (installed when missing and we are root)
java:
	@if ! command -v java >/dev/null 2>&1; then \
	  if [ "$$(id -u)" = "0" ]; then apt-get update -qq && \
	    { apt-get install -y -qq openjdk-17-jre-headless >/dev/null 2>&1 || \
	      apt-get install -y -qq openjdk-21-jre-headless >/dev/null; }; \
	  else echo "Java is missing: run 'sudo apt-get install -y openjdk-17-jre-headless' (Spark needs Java 17 or 21)" >&2; exit 1; fi; \
	fi

## setup-spark: the locked environment plus its optional `spark` extra (pyspark, dbt-spark); --inexact keeps
## what `make setup` installed, and `make setup` (plain uv sync) would remove the extra again
setup-spark: setup
	$(UV) sync --frozen --inexact --extra spark --python $(PYTHON)

## demo: generate a year of sample data for 300 accounts, run the whole graph, print where the reports are
demo: setup browser
	$(RUN) pulse generate --accounts $(DEMO_ACCOUNTS) --days $(DEMO_DAYS) --seed $(DEMO_SEED) --out $(PULSE_LANDING)
	$(RUN) pulse run

## test: the whole test suite (unit, dbt, integration, browser), without the demo-sized acceptance run
test: setup browser
	$(RUN) pytest -q -n 2 --dist loadfile -m "not demo and not spark and not kill"

## test-demo: the acceptance runs: `make demo`-sized data (health invariants, every shipped list has members),
## and `pulse run` killed at random points of its build (several whole runs: kept out of `make test`'s time)
test-demo: setup browser
	$(RUN) pytest -q -m "demo or kill"

## test-spark: `dbt build` of the whole project on a local Spark (dbt-spark session), on a small generated sample
test-spark: setup-spark java
	$(RUN) pytest -q -m spark tests/integration/test_spark_build.py

## dev: the Dagster UI on the same definitions
dev: setup
	$(RUN) dagster dev -m orchestration.definitions

## bench: generator, ingestion, dbt and report throughput and peak memory at 1M and 10M events
bench: setup
	$(RUN) python -m orchestration.bench

## lint: ruff, the import contracts in pyproject.toml (import-linter) and sqlfluff (dbt templater)
lint: setup
	$(RUN) ruff check orchestration tests
	$(RUN) ruff format --check orchestration tests
	$(RUN) lint-imports
	$(RUN) sqlfluff lint models

clean:
	rm -rf var dbt_project/target
