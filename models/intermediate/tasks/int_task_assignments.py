"""Who each task goes to, replayed in the order tasks opened (a dbt Python model: the rules are sequential).

- success_manager: the account's success manager on the day the task opened; when the account has none, the
  playbook's assignees take turns (round robin), else nobody ("Unassigned").
- round_robin: the playbook's assignees take turns, in the order its tasks opened (ties: task id).
- fewest_open: the assignee with the fewest open Pulse tasks (of any playbook) on the opening day; ties go to
  the first in the playbook's list.

A task counts as open for its assignee from its opening day until the day it closes. The same history gives
the same assignments, so a re-run changes nothing.
"""

import datetime
import heapq

import pandas as pd

SEPARATOR = "|"
UNASSIGNED = "Unassigned"
# The closing day of a task still open: after every real day.
STILL_OPEN = datetime.date.max


def _people(text):
    return [person.strip() for person in (text or "").split(SEPARATOR) if person.strip()]


def _open_on(heap, day):
    """Tasks in heap (their closing days) still open on day: those closing on or before it leave the heap."""
    while heap and heap[0] <= day:
        heapq.heappop(heap)
    return len(heap)


def _ordered_rows(relation, columns, order):
    """The relation's rows as tuples of `columns`, sorted by `order`: a DuckDB relation (dbt-duckdb) or a Spark
    DataFrame (dbt-spark; Pulse's Spark target runs this model in its session, orchestration/spark)."""
    if hasattr(relation, "project"):
        return relation.project(", ".join(columns)).order(", ".join(order)).fetchall()
    return [tuple(row) for row in relation.select(*columns).orderBy(*order).collect()]


def model(dbt, session):
    dbt.config(materialized="table")
    rows = _ordered_rows(
        dbt.ref("int_task_details"),
        ["task_id", "list", "opened_on", "closed_on", "assign_to", "assignees", "success_manager"],
        ["opened_on", "list", "task_id"],
    )
    turns = {}  # list -> tasks assigned by turns so far
    closing = {}  # person -> heap of closing days of their open tasks (None: still open)
    out = []
    for task_id, list_name, opened_on, closed_on, assign_to, assignees, success_manager in rows:
        people = _people(assignees)
        if assign_to == "fewest_open" and people:
            counts = [_open_on(closing.setdefault(person, []), opened_on) for person in people]
            fewest = min(counts)
            assignee = people[counts.index(fewest)]
            reason = f"fewest open tasks ({fewest} open)"
        elif assign_to == "success_manager" and success_manager:
            assignee, reason = success_manager, "success manager"
        elif people:
            turn = turns.get(list_name, 0)
            turns[list_name] = turn + 1
            assignee = people[turn % len(people)]
            reason = "round robin" if assign_to == "round_robin" else "no success manager: round robin"
        else:
            assignee, reason = UNASSIGNED, "no success manager"
        heapq.heappush(closing.setdefault(assignee, []), closed_on or STILL_OPEN)
        out.append((task_id, assignee, reason))
    return pd.DataFrame(out, columns=["task_id", "assignee", "assignment_reason"]).astype("string")
