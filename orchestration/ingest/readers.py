"""Bytes of one landing file -> an Arrow table of rows with their line numbers, plus file-level rejects.

Parsing into typed columns happens later, in DuckDB (stage.py); here we only decompress, decode and split.
"""

from __future__ import annotations

import csv
import io
import sys
import zlib
from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

csv.field_size_limit(min(sys.maxsize, 2**31 - 1))


@dataclass
class Reject:
    line: int | None
    raw_text: str | None
    reason: str


@dataclass
class Decoded:
    text: str
    rejects: list[Reject] = field(default_factory=list)
    cut_line: str | None = None  # the partial last line of a truncated gzip file


@dataclass
class Rows:
    """Rows ready for staging. `table` has _line, _raw and (for CSV) one varchar column per header field."""

    table: pa.Table
    header: dict[str, str] = field(default_factory=dict)  # CSV header name -> column in `table`
    rejects: list[Reject] = field(default_factory=list)


def _gunzip(data: bytes) -> tuple[bytes, str | None]:
    """Decompress every gzip member; on a truncated or corrupt stream keep what came out before the break."""
    out: list[bytes] = []
    rest = data
    while rest:
        decompressor = zlib.decompressobj(wbits=31)
        try:
            out.append(decompressor.decompress(rest))
            out.append(decompressor.flush())
        except zlib.error as error:
            return b"".join(out), f"corrupt gzip data ({error})"
        if not decompressor.eof:
            return b"".join(out), "truncated gzip file (stream ends before the gzip trailer)"
        rest = decompressor.unused_data
        if rest and not rest.startswith(b"\x1f\x8b"):
            break  # trailing garbage after the last member: ignore like gzip(1) does
    return b"".join(out), None


def decode(data: bytes, path: str) -> Decoded:
    """gzip (by .gz suffix), UTF-8 with or without BOM. A truncated gzip keeps its complete lines."""
    problem = None
    if path.endswith(".gz"):
        data, problem = _gunzip(data)
    rejects: list[Reject] = []
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = _decode_lines_leniently(data, rejects)
    text = text.removeprefix("\ufeff")  # a UTF-8 BOM is an encoding marker, not data
    decoded = Decoded(text, rejects)
    if problem is not None:
        # the bytes stop mid-line: the partial last line is not a row, it is evidence of the truncation
        complete, newline, partial = text.rpartition("\n")
        decoded.text = complete + newline
        line = decoded.text.count("\n") + 1 if partial else None
        rejects.append(Reject(line, partial or None, f"{problem}: rows before the break were loaded"))
    return decoded


def _decode_lines_leniently(data: bytes, rejects: list[Reject]) -> str:
    """Slow path for files with invalid UTF-8: such lines become rejects (blanked), the others stay."""
    lines = data.split(b"\n")
    good: list[str] = []
    for number, line in enumerate(lines, start=1):
        try:
            good.append(line.decode("utf-8"))
        except UnicodeDecodeError as error:
            rejects.append(
                Reject(number, line.decode("utf-8", errors="replace"), f"invalid UTF-8 ({error.reason})")
            )
            good.append("")
    return "\n".join(good)


def split_lines(decoded: Decoded) -> Rows:
    """JSON lines: one Arrow string per physical line, vectorized (no per-line Python)."""
    text = decoded.text
    if text.endswith("\n"):
        text = text[:-1]
    if not text:
        lines = pa.array([], pa.large_string())
    else:
        lines = pc.split_pattern(pa.array([text], pa.large_string()), "\n").flatten()
    numbers = pa.array(np.arange(1, len(lines) + 1, dtype=np.int64))
    return Rows(pa.table({"_line": numbers, "_raw": lines}), rejects=decoded.rejects)


def split_csv(decoded: Decoded, delimiter: str = ",") -> Rows:
    """CSV with exact physical line numbers and raw text per row (quoted fields may span lines)."""
    rejects = decoded.rejects
    consumed: list[str] = []
    physical = 0

    def feed():
        nonlocal physical
        for line in io.StringIO(decoded.text, newline=""):
            physical += 1
            consumed.append(line)
            yield line

    reader = csv.reader(feed(), delimiter=delimiter)
    header: list[str] | None = None
    values: list[list[str]] = []
    numbers: list[int] = []
    raws: list[str] = []
    start = 1
    while True:
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as error:
            rejects.append(Reject(start, "".join(consumed), f"malformed CSV ({error})"))
            consumed.clear()
            start = physical + 1
            continue
        raw = "".join(consumed).rstrip("\r\n")
        consumed.clear()
        line, start = start, physical + 1
        if not row or (len(row) == 1 and not row[0].strip()):
            continue  # blank line
        if header is None:
            header = [name.strip() for name in row]
            width = len(header)
            continue
        if len(row) != width:
            rejects.append(
                Reject(line, raw, f"wrong field count: expected {width} fields (header), got {len(row)}")
            )
            continue
        values.append(row)
        numbers.append(line)
        raws.append(raw)
    header = header or []
    columns: dict[str, pa.Array] = {
        "_line": pa.array(numbers, pa.int64()),
        "_raw": pa.array(raws, pa.large_string()),
    }
    names: dict[str, str] = {}
    transposed = list(zip(*values, strict=True)) if values else [() for _ in header]
    for index, name in enumerate(header):
        column = f"c{index}"
        columns[column] = pa.array(transposed[index], pa.large_string())
        names.setdefault(name, column)  # a repeated header name: the first column wins
    return Rows(pa.table(columns), names, rejects)


def parquet_rows(data: bytes) -> pa.Table:
    """Parquet: each row as a struct; stage.py turns it into JSON text and parses it like a JSON line."""
    import pyarrow.parquet as pq

    table = pq.read_table(io.BytesIO(data))
    struct = (
        pa.StructArray.from_arrays(
            [column.combine_chunks() for column in table.columns], names=table.column_names
        )
        if table.num_columns
        else pa.array([{}] * table.num_rows)
    )
    numbers = pa.array(np.arange(1, table.num_rows + 1, dtype=np.int64))
    return pa.table({"_line": numbers, "_row": struct})
