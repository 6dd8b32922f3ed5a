"""App events, one UTC day at a time: Segment JSON lines plus Totango sdr CSV for the sdr accounts.

Each day is sampled with numpy from the plan's curves (a Generator seeded with (seed, day)). Days are
gathered into chunks of about CHUNK_EVENTS events, turned into JSON text with Polars string
expressions (Rust, GIL released) on writer threads and written straight to disk, so memory holds a
few chunks at a time however many events the period has. Nothing loops over events in Python.
"""

from __future__ import annotations

import gzip
import io
from collections import deque
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import numpy as np
import polars as pl
import pyarrow as pa

from orchestration.generate.calendar import epoch_ms
from orchestration.generate.plan import ACTIVITIES, MODULE_WEIGHTS, MODULES, ROLES, TIERS, Plan

# Module indexes in MODULES: the deeper ones a troubled account stops using, and Admin.
DEEP_MODULES = (MODULES.index("Integrations"), MODULES.index("Automation"), MODULES.index("API"))
ADMIN_MODULE = MODULES.index("Admin")
TROUBLE_MIX_SHIFT = 0.6  # at full trouble, this share of deep-module actions becomes basic ones

PLATFORMS = ("web", "web", "web", "web", "desktop", "mobile")
HOUR = 3600.0
# Days are sampled one at a time but turned into text in chunks, which amortises Polars' per-call cost.
CHUNK_EVENTS = 120_000
CHUNK_DAYS = 31
WRITERS = 2


def open_output(path: Path, use_gzip: bool) -> io.BufferedIOBase:
    """A binary file, gzip-compressed without timestamp or name so the bytes are reproducible."""
    if not use_gzip:
        return open(path, "wb")  # noqa: SIM115 - caller closes
    return gzip.GzipFile(filename="", mode="wb", fileobj=open(path, "wb"), mtime=0, compresslevel=5)  # noqa: SIM115


class EventWriter:
    def __init__(self, plan: Plan, out_dir: Path, use_gzip: bool, events_per_user_day: float, run_tag: str):
        self.plan, self.out_dir, self.use_gzip = plan, out_dir, use_gzip
        self.events_per_user_day, self.run_tag = events_per_user_day, run_tag
        self.user_ids = pl.Series(plan.user_ids, dtype=pl.String)
        self.user_emails = pl.Series(plan.user_emails, dtype=pl.String)
        self.account_ids = pl.Series(plan.account_ids, dtype=pl.String)
        self.account_names = pl.Series(plan.names, dtype=pl.String)
        acts = [(m, a) for m in MODULES for a in ACTIVITIES[m]]
        self.activity_names = pl.Series([a[0] for _, a in acts], dtype=pl.String)
        self.activity_modules = pl.Series([m for m, _ in acts], dtype=pl.String)
        self.activity_log_median = np.log([a[2] for _, a in acts])
        self.activity_cum = np.cumsum([[a[1] for a in ACTIVITIES[m]] for m in MODULES], axis=1)
        self.module_cum = np.cumsum(MODULE_WEIGHTS / MODULE_WEIGHTS.sum())
        self.platforms = pl.Series(PLATFORMS, dtype=pl.String)
        self.hms = pl.Series(
            [f"{h:02d}:{m:02d}:{x:02d}" for h in range(24) for m in range(60) for x in range(60)]
        )
        self.mss = pl.Series([f".{x:03d}Z" for x in range(1000)])
        self.identified = np.zeros(len(plan.user_ids), bool)
        self.next_group_day = np.zeros(plan.n, int)
        (out_dir / "app_events").mkdir(parents=True, exist_ok=True)
        self.has_sdr = bool(plan.sdr.any())
        # Every day gets a Segment file, and an sdr file when any account sends sdr.
        self.files = plan.days * (2 if plan.sdr.any() else 1)
        self.chunk: list[dict] = []
        self.chunk_events = 0
        self.pool = ThreadPoolExecutor(max_workers=WRITERS, thread_name_prefix="pulse-generate-writer")
        self.pending: deque[Future] = deque()

    def write_day(self, d: int) -> dict[str, int]:
        """Sample day d into the current chunk; writes the chunk when it is big enough (or on `flush`)."""
        sample = self._sample_day(d)
        self.chunk.append(sample)
        self.chunk_events += sample["n"]
        if self.chunk_events >= CHUNK_EVENTS or len(self.chunk) >= CHUNK_DAYS:
            self.flush()
        return sample["stats"]

    def flush(self, wait: bool = False) -> None:
        """Hand the chunk to a writer thread (text building and I/O overlap the next chunk's sampling).

        Polars releases the GIL, so WRITERS chunks are turned into text at once; at most that many are
        in flight, which keeps memory bounded. `wait=True` drains them.
        """
        if self.chunk:
            chunk, self.chunk, self.chunk_events = self.chunk, [], 0
            cat = {
                key: np.concatenate([c[key] for c in chunk])
                for key in chunk[0]
                if key not in ("n", "stats", "d")
            }
            while len(self.pending) >= WRITERS:
                self.pending.popleft().result()  # re-raises a writer error here
            self.pending.append(self.pool.submit(self._write_chunk, [c["d"] for c in chunk], cat))
        if wait:
            while self.pending:
                self.pending.popleft().result()

    def close(self) -> None:
        """Stop the writer threads (after an error, chunks not yet started are dropped)."""
        for future in self.pending:
            future.cancel()
        self.pending.clear()
        self.pool.shutdown(wait=True)

    def _write_chunk(self, days: list[int], cat: dict[str, np.ndarray]) -> None:
        self._write_segment(days, cat)
        if self.has_sdr:
            self._write_sdr(days, cat)

    def _sample_day(self, d: int) -> dict:
        p = self.plan
        rng = np.random.default_rng([p.seed, 2, d])
        day_ms = epoch_ms(p.date(d))

        # Who is active today and how much they do.
        inten = p.intensity[:, d][p.user_acct]
        alive = (p.user_start <= d) & (d < p.user_end)
        prob = np.minimum(p.user_p * np.minimum(inten, 1.0) * p.day_factor[d], 0.97)
        active = np.flatnonzero(alive & (rng.random(len(prob)) < prob))
        mean = self.events_per_user_day * p.user_mult[active] * (0.5 + 0.5 * np.minimum(inten[active], 1.2))
        counts = 1 + rng.poisson(np.maximum(mean - 1.0, 0.0))
        ev_user = np.repeat(active, counts)
        n_ev = len(ev_user)
        ev_acct = p.user_acct[ev_user]

        # What they do: a module the account has adopted (else Dashboards), an activity, a duration.
        module = np.searchsorted(self.module_cum, rng.random(n_ev), side="right").clip(0, len(MODULES) - 1)
        module = np.where(p.module_adopt[ev_acct, module] <= d, module, 0)
        # An account in trouble keeps the basics: its deeper modules (Integrations, Automation, API) give way
        # to dashboards and admin work, so the mix of activities shifts while usage falls. Its own random
        # stream, so every other draw of the day stays as it was.
        if n_ev:
            mix = np.random.default_rng([p.seed, 9, d])
            trouble = p.trouble[ev_acct, d]
            shifted = (module >= DEEP_MODULES[0]) & (module <= DEEP_MODULES[-1])
            shifted &= mix.random(n_ev) < TROUBLE_MIX_SHIFT * trouble
            basic = np.where(mix.random(n_ev) < 0.5, 0, ADMIN_MODULE)
            basic = np.where(p.module_adopt[ev_acct, basic] <= d, basic, 0)
            module = np.where(shifted, basic, module)
        k = (rng.random(n_ev)[:, None] >= self.activity_cum[module]).sum(axis=1).clip(0, 2)
        act = module * 3 + k
        duration = np.round(np.exp(self.activity_log_median[act] + 0.8 * rng.standard_normal(n_ev)), 1)
        duration = np.maximum(duration, 0.5)

        # When: each user's session is centred on a local working hour, shifted to UTC by the account's zone.
        centre = np.repeat(rng.normal(13.0 * HOUR, 2.2 * HOUR, len(active)), counts)
        local = np.clip(centre + rng.normal(0.0, 1.3 * HOUR, n_ev), 6.0 * HOUR, 23.5 * HOUR)
        utc_ms = (((local - p.tz[ev_acct] * HOUR) % 86_400.0) * 1000.0).astype(np.int64)
        order = np.argsort(utc_ms)
        ev_user, ev_acct, act, duration, utc_ms = (
            ev_user[order],
            ev_acct[order],
            act[order],
            duration[order],
            utc_ms[order],
        )
        platform = rng.integers(0, len(PLATFORMS), n_ev)
        sdr = p.sdr[ev_acct]
        seg = ~sdr

        # identify: a user's first active day in the period; group: an account's first day, then monthly.
        s_user, s_acct, s_ms = ev_user[seg], ev_acct[seg], utc_ms[seg]
        seg_users, first_pos = np.unique(s_user, return_index=True)
        new = ~self.identified[seg_users]
        id_users = seg_users[new]
        self.identified[id_users] = True
        id_ms = np.maximum(s_ms[first_pos[new]] - rng.integers(1000, 5000, len(id_users)), 0)
        seg_accts, acct_pos = np.unique(s_acct, return_index=True)
        due = self.next_group_day[seg_accts] <= d
        g_accts, g_users = seg_accts[due], s_user[acct_pos[due]]
        g_ms = np.maximum(s_ms[acct_pos[due]] - rng.integers(5000, 9000, len(g_accts)), 0)
        self.next_group_day[g_accts] = d + 30

        # Position of every Segment call in the day's file (time order; group, identify, track on ties).
        n_g, n_i, n_t = len(g_ms), len(id_ms), len(s_ms)
        kind = np.concatenate([np.zeros(n_g, np.int8), np.ones(n_i, np.int8), np.full(n_t, 2, np.int8)])
        all_ms = np.concatenate([g_ms, id_ms, s_ms])
        pos = np.empty(len(all_ms), np.int64)
        pos[np.lexsort((kind, all_ms))] = np.arange(len(all_ms))
        return {
            "d": d,
            "n": n_ev + n_g + n_i,
            "stats": {"track": n_t, "sdr": n_ev - n_t, "identify": n_i, "group": n_g},
            "t_day": np.full(n_t, d, np.int32),
            "t_pos": pos[n_g + n_i :],
            "t_ms": s_ms + day_ms,
            "t_user": s_user,
            "t_acct": s_acct,
            "t_act": act[seg],
            "t_dur": duration[seg],
            "t_platform": platform[seg],
            "i_day": np.full(n_i, d, np.int32),
            "i_pos": pos[n_g : n_g + n_i],
            "i_ms": id_ms + day_ms,
            "i_user": id_users,
            "g_day": np.full(n_g, d, np.int32),
            "g_pos": pos[:n_g],
            "g_ms": g_ms + day_ms,
            "g_user": g_users,
            "g_acct": g_accts,
            "s_day": np.full(n_ev - n_t, d, np.int32),
            "s_ms": utc_ms[sdr] + day_ms,
            "s_user": ev_user[sdr],
            "s_acct": ev_acct[sdr],
            "s_act": act[sdr],
            "s_dur": duration[sdr],
        }

    def _common(
        self, days: list[int], day: np.ndarray, pos: np.ndarray, ms: np.ndarray
    ) -> dict[str, pl.Series]:
        """messageId and timestamp pieces from lookup tables (a gather is far cheaper than strftime)."""
        rel = day - days[0]
        tags = pl.Series([f"{self.run_tag}-{self.plan.date(d):%Y%m%d}-" for d in days], dtype=pl.String)
        dates = pl.Series([f"{self.plan.date(d):%Y-%m-%d}T" for d in days], dtype=pl.String)
        ms_of_day = ms % 86_400_000
        return {
            "tag": tags.gather(rel),
            "pos": pl.Series(pos).cast(pl.String).str.zfill(7),
            "tsd": dates.gather(rel),
            "hms": self.hms.gather(ms_of_day // 1000),
            "mss": self.mss.gather(ms_of_day % 1000),
        }

    @staticmethod
    def _head(kind: str) -> list[pl.Expr]:
        return [
            pl.lit(f'{{"type":"{kind}","messageId":"'),
            pl.col("tag"),
            pl.col("pos"),
            pl.lit('","timestamp":"'),
            pl.col("tsd"),
            pl.col("hms"),
            pl.col("mss"),
            pl.lit('","userId":"'),
            pl.col("user"),
        ]

    def _write_segment(self, days: list[int], c: dict[str, np.ndarray]) -> None:
        p = self.plan
        track = pl.DataFrame(
            {
                "day": c["t_day"],
                "order": c["t_pos"],
                **self._common(days, c["t_day"], c["t_pos"], c["t_ms"]),
                "user": self.user_ids.gather(c["t_user"]),
                "acct": self.account_ids.gather(c["t_acct"]),
                "event": self.activity_names.gather(c["t_act"]),
                "module": self.activity_modules.gather(c["t_act"]),
                "dur": c["t_dur"],
                "platform": self.platforms.gather(c["t_platform"]),
            }
        ).select(
            "day",
            "order",
            pl.concat_str(
                [
                    *self._head("track"),
                    pl.lit('","event":"'),
                    pl.col("event"),
                    pl.lit('","properties":{"module":"'),
                    pl.col("module"),
                    pl.lit('","duration_seconds":'),
                    pl.col("dur").cast(pl.String),
                    pl.lit(',"platform":"'),
                    pl.col("platform"),
                    pl.lit('"},"context":{"groupId":"'),
                    pl.col("acct"),
                    pl.lit('"}}\n'),
                ]
            ).alias("line"),
        )
        iu = c["i_user"]
        ident = pl.DataFrame(
            {
                "day": c["i_day"],
                "order": c["i_pos"],
                **self._common(days, c["i_day"], c["i_pos"], c["i_ms"]),
                "user": self.user_ids.gather(iu),
                "acct": self.account_ids.gather(p.user_acct[iu]),
                "email": self.user_emails.gather(iu),
                "name": pl.Series([p.user_names[u] for u in iu], dtype=pl.String),
                "role": pl.Series([ROLES[r] for r in p.user_role[iu]], dtype=pl.String),
            }
        ).select(
            "day",
            "order",
            pl.concat_str(
                [
                    *self._head("identify"),
                    pl.lit('","traits":'),
                    pl.struct("email", "name", "role").struct.json_encode(),
                    pl.lit(',"context":{"groupId":"'),
                    pl.col("acct"),
                    pl.lit('"}}\n'),
                ]
            ).alias("line"),
        )
        ga = c["g_acct"]
        group = pl.DataFrame(
            {
                "day": c["g_day"],
                "order": c["g_pos"],
                **self._common(days, c["g_day"], c["g_pos"], c["g_ms"]),
                "user": self.user_ids.gather(c["g_user"]),
                "acct": self.account_ids.gather(ga),
                "name": self.account_names.gather(ga),
                "plan": pl.Series([TIERS[t] for t in p.tier[ga]], dtype=pl.String),
                "industry": pl.Series([p.industries[a] for a in ga], dtype=pl.String),
                "licenses": p.licenses[ga].astype(np.int64),
            }
        ).select(
            "day",
            "order",
            pl.concat_str(
                [
                    *self._head("group"),
                    pl.lit('","groupId":"'),
                    pl.col("acct"),
                    pl.lit('","traits":'),
                    pl.struct("name", "plan", "industry", "licenses").struct.json_encode(),
                    pl.lit("}\n"),
                ]
            ).alias("line"),
        )
        lines = pl.concat([group, ident, track]).sort("day", "order").get_column("line")
        sizes = np.bincount(
            np.concatenate([c["t_day"], c["i_day"], c["g_day"]]) - days[0], minlength=len(days)
        )
        # The Arrow data buffer of newline-terminated lines is the file content: write byte ranges of it.
        arr = lines.to_arrow()
        if isinstance(arr, pa.ChunkedArray):
            arr = arr.combine_chunks()
        if arr.type != pa.large_string():
            arr = arr.cast(pa.large_string())
        offsets = np.frombuffer(arr.buffers()[1], dtype=np.int64)[arr.offset : arr.offset + len(arr) + 1]
        data = memoryview(arr.buffers()[2])
        bounds = np.concatenate([[0], np.cumsum(sizes)])
        suffix = ".jsonl.gz" if self.use_gzip else ".jsonl"
        for i, d in enumerate(days):
            path = self.out_dir / "app_events" / f"segment-{p.date(d):%Y-%m-%d}{suffix}"
            with open_output(path, self.use_gzip) as f:
                f.write(data[offsets[bounds[i]] : offsets[bounds[i + 1]]])

    def _write_sdr(self, days: list[int], c: dict[str, np.ndarray]) -> None:
        df = pl.DataFrame(
            {
                "sdr_t": pl.DataFrame(self._common(days, c["s_day"], c["s_day"], c["s_ms"]))
                .select(pl.concat_str("tsd", "hms", "mss"))
                .to_series(),
                "sdr_o": self.account_ids.gather(c["s_acct"]),
                "sdr_u": self.user_ids.gather(c["s_user"]),
                "sdr_a": self.activity_names.gather(c["s_act"]),
                "sdr_m": self.activity_modules.gather(c["s_act"]),
                "sdr_dur": c["s_dur"],
                "sdr_o.name": self.account_names.gather(c["s_acct"]),
                "sdr_u.email": self.user_emails.gather(c["s_user"]),
            }
        )
        sizes = np.bincount(c["s_day"] - days[0], minlength=len(days))
        # One CSV write per chunk (Polars quotes fields as needed), then each day's rows as a byte range:
        # no field contains a newline, so line ends mark row boundaries.
        buf = io.BytesIO()
        df.write_csv(buf, include_header=False)
        data = buf.getbuffer()
        starts = np.concatenate([[0], np.flatnonzero(np.frombuffer(data, np.uint8) == 10) + 1])
        bounds = np.concatenate([[0], np.cumsum(sizes)])
        header = (",".join(df.columns) + "\n").encode()
        suffix = ".csv.gz" if self.use_gzip else ".csv"
        for i, d in enumerate(days):
            path = self.out_dir / "app_events" / f"sdr-{self.plan.date(d):%Y-%m-%d}{suffix}"
            with open_output(path, self.use_gzip) as f:
                f.write(header)
                f.write(data[starts[bounds[i]] : starts[bounds[i + 1]]])
