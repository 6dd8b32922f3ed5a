"""The metric catalog, read from the one file that declares it.

Every point-in-time account metric is a column of int_account_metrics_daily in
models/intermediate/metrics/_int_metrics__models.yml: name, data_type (bigint | double | varchar), description
and config.meta (unit, measures, source, model, mart). dbt reads it through the macro metric_catalog(); Python
reads it here (validation of criteria and segment filters, test fixtures). The one thing dbt cannot derive is
the column list of the contract-enforced marts.fct_account_health_daily, so sync_mart_yaml() writes the
metric columns between the generated markers in models/marts/health/_health__models.yml; it runs before dbt
parses (orchestration/dbt_project.py) and a test checks the committed file is in sync.

Smart lists also evaluate two small catalogs declared the same way (CATALOGS): user metrics (per account, user
and day: int_user_metrics_daily) and health metrics (per account and day, downstream of the health rank:
int_account_health_metrics_daily). Health criteria use the account catalog only (health metrics would be a
cycle); list criteria any of the three (load_list_catalog), the names being distinct across catalogs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from orchestration.settings import PROJECT_ROOT
from orchestration.yaml_files import load_yaml

CATALOG_FILE = Path("models/intermediate/metrics/_int_metrics__models.yml")
CATALOG_MODEL = "int_account_metrics_daily"
KEYS = ("account_id", "as_of_date")
MART_FILE = Path("models/marts/health/_health__models.yml")
BEGIN = "# BEGIN generated from the metric catalog (orchestration/metrics/catalog.py): do not edit"
END = "# END generated from the metric catalog"

NUMBER = "number"
TEXT = "text"
DATA_TYPES = {"bigint": NUMBER, "double": NUMBER, "varchar": TEXT}
MEASURES = (
    "usage",
    "adoption",
    "engagement",
    "support",
    "relationship",
    "contract",
    "lifecycle",
    "firmographic",
)
SOURCES = ("app_events", "helpdesk", "crm")
# Catalog name -> (file, model, key columns). "account" is the metric catalog; the others are for lists.
CATALOGS = {
    "account": (CATALOG_FILE, CATALOG_MODEL, KEYS),
    "user": (
        Path("models/intermediate/metrics/_int_user_metrics__models.yml"),
        "int_user_metrics_daily",
        ("account_id", "user_id", "as_of_date"),
    ),
    "health": (
        Path("models/intermediate/metrics/_int_health_metrics__models.yml"),
        "int_account_health_metrics_daily",
        KEYS,
    ),
}
_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
# Activity metrics: the model computing them, their windows, measures and named-activity filters.
ACTIVITY_MODEL = "int_account_activity_metrics_daily"
WINDOWS = (7, 14, 28, 30, 90)
ACTIVITY_MEASURES = (
    "count",
    "active_days",
    "distinct_users",
    "minutes",
    "per_active_user",
    "share",
    "change",
    "ratio",
)
CHANGE_OF = ("count", "active_days", "minutes", "distinct_users")
ACTIVITY_FILTERS = ("event", "module", "property", "description")
ALL_ACTIVITIES = "all"


class CatalogError(ValueError):
    """The catalog file is invalid; the message names the file and the metric."""


@dataclass(frozen=True)
class Metric:
    name: str
    data_type: str
    description: str
    measures: str
    sources: tuple[str, ...]
    model: str
    unit: str | None = None
    mart: bool = True
    data_tests: tuple = ()
    # activity metrics (model int_account_activity_metrics_daily)
    activity: str | None = None
    window: int | None = None
    measure: str | None = None
    of: str | None = None
    numerator: str | None = None
    denominator: str | None = None
    catalog: str = "account"

    @property
    def kind(self) -> str:
        """number or text: what operators and thresholds a rule on it may use."""
        return DATA_TYPES[self.data_type]


def _catalog_model(root: Path, catalog: str = "account") -> dict:
    file, model_name, _keys = CATALOGS[catalog]
    path = root / file
    spec = load_yaml(path) or {}
    for model in spec.get("models", []):
        if model.get("name") == model_name:
            return model
    raise CatalogError(f"{path}: model {model_name} is missing")


def _catalog_columns(root: Path, catalog: str = "account") -> list[dict]:
    return _catalog_model(root, catalog).get("columns", [])


def load_activities(root: Path | str = PROJECT_ROOT) -> dict[str, dict]:
    """The named activities (config.meta.activities of the catalog model): name -> filter; `all` is built
    in."""
    root = Path(root)
    model = _catalog_model(root)
    meta = (model.get("config") or {}).get("meta") or model.get("meta") or {}
    activities = meta.get("activities") or {}
    path = root / CATALOG_FILE
    if not isinstance(activities, dict):
        raise CatalogError(f"{path}: config.meta.activities must be a mapping of activity name -> filter")
    for name, definition in activities.items():
        where = f"{path}: activity {name}"
        if not isinstance(name, str) or not _NAME.match(name) or "__" in name or name == ALL_ACTIVITIES:
            raise CatalogError(
                f"{where}: the name must be lowercase (a-z, 0-9, single _), not '{ALL_ACTIVITIES}'"
            )
        if not isinstance(definition, dict) or not definition:
            raise CatalogError(f"{where}: needs a filter; allowed keys: event, module, property")
        unknown = sorted(set(definition) - set(ACTIVITY_FILTERS))
        if unknown:
            raise CatalogError(
                f"{where}: unknown filter {', '.join(unknown)}; allowed: {', '.join(ACTIVITY_FILTERS)}"
            )
        for key in ("event", "module"):
            value = definition.get(key)
            if value is not None and not (
                isinstance(value, str) or (isinstance(value, list) and all(isinstance(v, str) for v in value))
            ):
                raise CatalogError(f"{where}: {key} must be a name or a list of names")
        prop = definition.get("property")
        if prop is not None and (
            not isinstance(prop, dict) or not all(re.match(r"^[A-Za-z_][A-Za-z0-9_]*$", str(k)) for k in prop)
        ):
            raise CatalogError(
                f"{where}: property must be a mapping of property key -> value or list of values"
            )
    return activities


def _activity_fields(meta: dict, where: str, activities: dict[str, dict]) -> dict:
    """Validate an activity metric's meta; return its activity fields."""
    measure = meta.get("measure")
    if measure not in ACTIVITY_MEASURES:
        raise CatalogError(
            f"{where}: measure {measure!r} is not allowed; allowed: {', '.join(ACTIVITY_MEASURES)}"
        )
    if measure == "ratio":
        if not meta.get("numerator") or not meta.get("denominator"):
            raise CatalogError(f"{where}: a ratio needs numerator and denominator (two activity metrics)")
        return {"measure": measure, "numerator": meta["numerator"], "denominator": meta["denominator"]}
    activity = meta.get("activity")
    if activity != ALL_ACTIVITIES and activity not in activities:
        allowed = ", ".join([ALL_ACTIVITIES, *activities])
        raise CatalogError(f"{where}: activity {activity!r} is not declared; allowed: {allowed}")
    window = meta.get("window")
    if window not in WINDOWS:
        raise CatalogError(
            f"{where}: window {window!r} is not allowed; allowed: {', '.join(map(str, WINDOWS))}"
        )
    of = meta.get("of", "count") if measure == "change" else None
    if measure == "change" and of not in CHANGE_OF:
        raise CatalogError(f"{where}: of {of!r} is not allowed; allowed: {', '.join(CHANGE_OF)}")
    return {"measure": measure, "activity": activity, "window": window, "of": of}


def load_catalog(root: Path | str = PROJECT_ROOT, catalog: str = "account") -> dict[str, Metric]:
    """The catalog's metrics by name, in declaration order (the column order of the models and the mart).

    catalog: account (the metric catalog), user or health (CATALOGS)."""
    root = Path(root)
    file, _model, keys = CATALOGS[catalog]
    path = root / file
    metrics: dict[str, Metric] = {}
    activities = load_activities(root) if catalog == "account" else {}
    for column in _catalog_columns(root, catalog):
        name = column.get("name", "")
        if name in keys:
            continue
        meta = (column.get("config") or {}).get("meta") or column.get("meta") or {}
        where = f"{path}: metric {name}"
        if not _NAME.match(name) or name in metrics:
            raise CatalogError(f"{where}: the name must be a new lowercase name (a-z, 0-9, _)")
        data_type = str(column.get("data_type", "")).lower()
        if data_type not in DATA_TYPES:
            raise CatalogError(
                f"{where}: data_type '{data_type}' is not allowed; allowed: {', '.join(DATA_TYPES)}"
            )
        sources = meta.get("source")
        sources = tuple(sources) if isinstance(sources, list) else (sources,)
        if not sources or any(source not in SOURCES for source in sources):
            raise CatalogError(
                f"{where}: source {meta.get('source')!r} is not allowed; allowed: {', '.join(SOURCES)}"
            )
        if meta.get("measures") not in MEASURES:
            raise CatalogError(
                f"{where}: measures {meta.get('measures')!r} is not allowed; allowed: {', '.join(MEASURES)}"
            )
        if not meta.get("model") or not column.get("description"):
            raise CatalogError(f"{where}: needs a description and config.meta.model (the model computing it)")
        activity_fields = {}
        if meta["model"] == ACTIVITY_MODEL:
            if data_type != "double":
                raise CatalogError(f"{where}: activity metrics have data_type double")
            activity_fields = _activity_fields(meta, where, activities)
        metrics[name] = Metric(
            name=name,
            data_type=data_type,
            description=" ".join(str(column["description"]).split()),
            measures=meta["measures"],
            sources=sources,
            model=meta["model"],
            unit=meta.get("unit"),
            mart=meta.get("mart", True) is not False,
            data_tests=tuple(column.get("data_tests") or ()),
            **activity_fields,
            catalog=catalog,
        )
    for metric in metrics.values():
        if metric.measure == "ratio":
            for operand in (metric.numerator, metric.denominator):
                other = metrics.get(operand)
                if other is None or other.model != ACTIVITY_MODEL or other.measure == "ratio":
                    raise CatalogError(
                        f"{path}: metric {metric.name}: ratio operand {operand!r} must be an activity metric "
                        "(not a ratio) of the catalog"
                    )
    return metrics


def load_list_catalog(root: Path | str = PROJECT_ROOT) -> dict[str, Metric]:
    """The metrics list criteria may use: account, user and health metrics (Metric.catalog says which)."""
    merged: dict[str, Metric] = {}
    for catalog in CATALOGS:
        for name, metric in load_catalog(root, catalog).items():
            if name in merged:
                raise CatalogError(
                    f"{Path(root) / CATALOGS[catalog][0]}: metric {name} is also declared in the "
                    f"{merged[name].catalog} catalog; metric names must be distinct across catalogs"
                )
            merged[name] = metric
    return merged


def mart_metric_columns(metrics: dict[str, Metric]) -> list[dict]:
    """The contract columns of marts.fct_account_health_daily: the catalog's metrics (mart: false left out),
    with their data tests (the mart's asset checks)."""
    columns = []
    for metric in metrics.values():
        if metric.mart:
            column = {"name": metric.name, "data_type": metric.data_type, "description": metric.description}
            if metric.data_tests:
                column["data_tests"] = list(metric.data_tests)
            columns.append(column)
    return columns


def _render_block(metrics: dict[str, Metric], indent: str) -> str:
    body = yaml.safe_dump(mart_metric_columns(metrics), sort_keys=False, width=112, allow_unicode=True)
    lines = [f"{indent}{line}" if line else line for line in body.splitlines()]
    return "\n".join([f"{indent}{BEGIN}", *lines, f"{indent}{END}"])


def sync_mart_yaml(root: Path | str = PROJECT_ROOT, *, check: bool = False) -> bool:
    """Write the catalog's metric columns between the markers of the mart's properties file.

    Returns True when the file changed (with check=True: when it would change, the file is left alone).
    """
    root = Path(root)
    path = root / MART_FILE
    text = path.read_text(encoding="utf-8")
    pattern = re.compile(rf"^([ \t]*){re.escape(BEGIN)}\n.*?^[ \t]*{re.escape(END)}[^\n]*$", re.S | re.M)
    match = pattern.search(text)
    if match is None:
        raise CatalogError(f"{path}: the generated block markers ({BEGIN!r} ... {END!r}) are missing")
    updated = text[: match.start()] + _render_block(load_catalog(root), match.group(1)) + text[match.end() :]
    if updated == text:
        return False
    if not check:
        path.write_text(updated, encoding="utf-8")
    return True
