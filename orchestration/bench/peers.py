"""The two peers `make bench` compares Pulse with, on the same landing files: a plain pandas script and a
single DuckDB query, each computing the default health ranking for every account and day.

What they compute (both the same, so their rank counts must agree): the default profile's usage rules (seed
002's ranking, `default,usage` rows of seeds/health_criteria.csv): an account is active on a day with at least
one track event (Segment `track` calls and Totango sdr rows); from its first active day to the last day of
the data, it is Poor when it has not been active for more than 14 days, Good when active on at least 5 of the
last 14 days and 2 of the last 7, Average otherwise. Pulse computes far more on the way (every metric of the
catalog, the CRM categories, reasons, lists, the marts and their tests); the peers set the scale of the raw
work.
"""

from __future__ import annotations

import time
from pathlib import Path

POOR_AFTER_DAYS = 14
GOOD_DAYS_14, GOOD_DAYS_7 = 5, 2


def _ranks_result(counts: dict[str, int], seconds: float) -> dict:
    return {
        "account_days": sum(counts.values()),
        "ranks": dict(sorted(counts.items())),
        "seconds": round(seconds, 2),
    }


def pandas_health(landing_dir: str | Path) -> dict:
    """A plain pandas script: read every landing file of events, keep (account, day), rank each day."""
    import numpy as np
    import pandas as pd

    started = time.monotonic()
    folder = Path(landing_dir) / "app_events"
    pairs: list[pd.DataFrame] = []
    for path in sorted(folder.glob("segment-*.jsonl*")):
        events = pd.read_json(path, lines=True, dtype=False, convert_dates=False)
        if events.empty or "type" not in events:
            continue
        events = events[events["type"] == "track"]
        account = events["context"].str.get("groupId") if "context" in events else None
        if "groupId" in events:
            account = events["groupId"] if account is None else account.fillna(events["groupId"])
        if account is None:
            continue
        frame = pd.DataFrame({"account_id": account, "day": events["timestamp"].str.slice(0, 10)})
        pairs.append(frame.dropna().drop_duplicates())
    for path in sorted(folder.glob("sdr-*.csv*")):
        rows = pd.read_csv(path, usecols=["sdr_t", "sdr_o"], dtype=str)
        frame = pd.DataFrame({"account_id": rows["sdr_o"], "day": rows["sdr_t"].str.slice(0, 10)})
        pairs.append(frame.dropna().drop_duplicates())
    active = pd.concat(pairs, ignore_index=True).drop_duplicates()
    active["day"] = pd.to_datetime(active["day"])
    last = active["day"].max()

    # every account, every day from its first active day to the last day of the data
    first = active.groupby("account_id")["day"].min()
    lengths = ((last - first).dt.days + 1).to_numpy()
    accounts = np.repeat(first.index.to_numpy(), lengths)
    offsets = np.arange(lengths.sum()) - np.repeat(np.cumsum(lengths) - lengths, lengths)
    days = np.repeat(first.to_numpy(), lengths) + offsets.astype("timedelta64[D]")
    grid = pd.DataFrame({"account_id": accounts, "day": days})
    grid = grid.merge(active.assign(active=1), on=["account_id", "day"], how="left")
    grid["active"] = grid["active"].fillna(0).astype("int64")
    grid = grid.sort_values(["account_id", "day"], ignore_index=True)

    by_account = grid.groupby("account_id", sort=False)
    running = by_account["active"].cumsum()
    grid["running"] = running
    shifted = grid.groupby("account_id", sort=False)["running"]
    days_14 = running - shifted.shift(14).fillna(0)
    days_7 = running - shifted.shift(7).fillna(0)
    last_active = grid["day"].where(grid["active"] == 1).groupby(grid["account_id"], sort=False).ffill()
    since = (grid["day"] - last_active).dt.days
    rank = np.where(
        since > POOR_AFTER_DAYS,
        "Poor",
        np.where((days_14 >= GOOD_DAYS_14) & (days_7 >= GOOD_DAYS_7), "Good", "Average"),
    )
    counts = pd.Series(rank).value_counts()
    return _ranks_result({str(k): int(v) for k, v in counts.items()}, time.monotonic() - started)


def duckdb_health(landing_dir: str | Path, memory_limit: str | None = None) -> dict:
    """One DuckDB query from the landing files to the rank of every account-day."""
    import duckdb

    started = time.monotonic()
    folder = Path(landing_dir) / "app_events"
    con = duckdb.connect()
    con.execute("set enable_progress_bar = false")
    if memory_limit:
        con.execute("set memory_limit = ?", [memory_limit])
    segment = str(folder / "segment-*.jsonl*")
    sdr = str(folder / "sdr-*.csv*")
    has_sdr = any(folder.glob("sdr-*.csv*"))
    sdr_part = (
        f"""
        union
        select sdr_o, left(sdr_t, 10)::date
        from read_csv('{sdr}', header = true, all_varchar = true)
        where sdr_o is not null"""
        if has_sdr
        else ""
    )
    rows = con.execute(f"""
        with active as (
            select coalesce(context.groupId, groupId) as account_id, left(timestamp, 10)::date as day
            from read_json('{segment}', format = 'newline_delimited', ignore_errors = true,
                columns = {{type: 'VARCHAR', timestamp: 'VARCHAR', groupId: 'VARCHAR',
                            context: 'STRUCT(groupId VARCHAR)'}})
            where type = 'track' and coalesce(context.groupId, groupId) is not null
            {sdr_part}
        ),
        spine as (
            select account_id,
                unnest(generate_series(min(day), (select max(day) from active), interval 1 day))::date as day
            from active group by account_id
        ),
        flags as (
            select s.account_id, s.day, (a.day is not null)::int as is_active
            from spine as s left join active as a using (account_id, day)
        ),
        windows as (
            select day,
                sum(is_active) over w14 as days_14,
                sum(is_active) over w7 as days_7,
                max(case when is_active = 1 then day end) over (partition by account_id order by day)
                    as last_active
            from flags
            window w14 as (partition by account_id order by day rows between 13 preceding and current row),
                w7 as (partition by account_id order by day rows between 6 preceding and current row)
        )
        select case when day - last_active > {POOR_AFTER_DAYS} then 'Poor'
                    when days_14 >= {GOOD_DAYS_14} and days_7 >= {GOOD_DAYS_7} then 'Good'
                    else 'Average' end as rank,
            count(*)
        from windows group by all
    """).fetchall()  # noqa: S608 - paths of the bench's own files
    con.close()
    return _ranks_result({str(rank): int(count) for rank, count in rows}, time.monotonic() - started)
