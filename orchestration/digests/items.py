"""What a digest can report, as one query: every source of "what changed on a day" gives rows of the same
columns (ITEM_COLUMNS), and follows pick a person's rows from them (orchestration.digests.compose).

Adding a kind of news to digests is one more entry of ITEM_SOURCES: the alerts mart, and the tasks mart
(new tasks, and tasks overdue since that day) once `marts.fct_tasks` exists in the warehouse.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import duckdb

ITEM_COLUMNS = (
    "item_id",
    "item_date",
    "kind",
    "account_id",
    "account_name",
    "success_manager",
    "subject",
    "list",
    "severity",
    "title",
    "reason",
)


@dataclass(frozen=True)
class ItemSource:
    table: str  # schema.table the query needs; a warehouse without it has no items of this source
    sql: str  # selects ITEM_COLUMNS, in order, for the day given as the parameter $day


ITEM_SOURCES = (
    ItemSource(
        "marts.fct_alerts",
        """
        select alert_id, alert_date, alert_kind, account_id, account_name, success_manager, subject, list,
               severity, title, reason
        from marts.fct_alerts
        where alert_date = $day
        """,
    ),
    # Tasks (marts.fct_tasks: task_id, list, account_id, assignee, priority, status, opened_on, due_on,
    # closed_on): opened that day, or overdue since that day (due the day before and not closed by then).
    # The assignee stands where alerts have the success manager, so a book follow gets its tasks.
    ItemSource(
        "marts.fct_tasks",
        """
        select
            md5('task_' || kind || '|' || task_id) as item_id,
            $day as item_date,
            'task_' || kind as kind,
            tasks.account_id,
            accounts.account_name,
            tasks.assignee as success_manager,
            task_id as subject,
            tasks.list,
            lower(cast(tasks.priority as varchar)) as severity,
            case kind when 'opened' then 'New task: ' else 'Overdue task: ' end || tasks.list as title,
            'Due ' || cast(tasks.due_on as varchar)
                || coalesce(', assigned to ' || tasks.assignee, '')
                || coalesce(', priority ' || cast(tasks.priority as varchar), '') as reason
        from (
            select *, 'opened' as kind from marts.fct_tasks where opened_on = $day
            union all
            select *, 'overdue' as kind from marts.fct_tasks
            where due_on = $day - 1 and (closed_on is null or closed_on >= $day)
        ) as tasks
        left join marts.dim_accounts as accounts on tasks.account_id = accounts.account_id
        """,
    ),
)


@dataclass(frozen=True)
class Item:
    item_id: str
    item_date: date
    kind: str
    account_id: str
    account_name: str | None
    success_manager: str | None
    subject: str
    list: str | None
    severity: str | None
    title: str
    reason: str | None


def _tables(con: duckdb.DuckDBPyConnection) -> set[str]:
    rows = con.execute("select table_schema || '.' || table_name from information_schema.tables").fetchall()
    return {row[0] for row in rows}


def items_of_day(con: duckdb.DuckDBPyConnection, day: date) -> list[Item]:
    """Every item of day from every source the warehouse has, in a stable order."""
    present = _tables(con)
    items: list[Item] = []
    for source in ITEM_SOURCES:
        if source.table in present:
            rows = con.execute(source.sql, {"day": day}).fetchall()
            items.extend(Item(*row) for row in rows)
    return sorted(items, key=lambda item: (item.account_name or "", item.account_id, item.kind, item.subject))
