"""One landing file -> a stream of Arrow chunks of rows with their physical line numbers, in bounded memory.

A file is never read whole: its bytes are read in blocks (gzip is decompressed as a stream, member by member),
and each block is cut into lines (JSON lines) or records (CSV: a newline inside a quoted field does not end a
record) with NumPy, never one line at a time in Python. Every chunk is an Arrow table `_line` (the physical
line a row starts on), `_raw` (its text, without the line break) and `_bad` (why the row cannot be read at
all, e.g. invalid UTF-8; null otherwise). Parsing and typing happen in DuckDB (stage.py): JSON with its JSON
functions, CSV fields with its string functions.
"""

from __future__ import annotations

import csv
import io
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pyarrow as pa

# Bytes of (decompressed) text cut into rows at a time: bounds the memory one file needs, whatever its size.
BLOCK_BYTES = 8 << 20
# Bytes read to find a CSV file's header.
PEEK_BYTES = 64 << 10
# Bytes of compressed input read at a time.
READ_BYTES = 1 << 20
# Parquet rows per chunk.
PARQUET_ROWS = 131_072
NEWLINE, CARRIAGE_RETURN, QUOTE = 10, 13, 34
BOM = b"\xef\xbb\xbf"


@dataclass
class Reject:
    line: int | None
    raw_text: str | None
    reason: str


@dataclass
class FileRows:
    """The rows of one file, read lazily: iterate `chunks()` once. `header` (CSV) is known after `open_rows`.

    `rejects` collects the file-level problems found while reading (a truncated or corrupt gzip stream);
    row-level problems travel with the rows in `_bad`.
    """

    chunks: Iterator[pa.Table]
    header: list[str] | None = None
    rejects: list[Reject] = field(default_factory=list)


def _gunzip_blocks(handle: Any, problems: list[str], size: int) -> Iterator[bytes]:  # noqa: ANN401 - a binary file
    """Decompress every gzip member as a stream; on a truncated or corrupt stream stop and say why."""
    decompressor = zlib.decompressobj(wbits=31)
    fed = False  # the current member has received bytes
    while True:
        data = handle.read(min(READ_BYTES, size))
        if not data:
            break
        while data:
            fed = True
            try:
                out = decompressor.decompress(data, size)
            except zlib.error as error:
                problems.append(f"corrupt gzip data ({error})")
                return
            if out:
                yield out
            if decompressor.eof:
                rest = decompressor.unused_data
                decompressor, fed = zlib.decompressobj(wbits=31), False
                if rest and not b"\x1f\x8b".startswith(rest[:2]):
                    return  # trailing garbage after the last member: ignored, as gzip(1) does
                data = rest
            else:
                data = decompressor.unconsumed_tail
    if fed:
        try:
            out = decompressor.flush()
        except zlib.error as error:  # pragma: no cover - flush raises only on corrupt data
            problems.append(f"corrupt gzip data ({error})")
            return
        if out:
            yield out
        if not decompressor.eof:
            problems.append("truncated gzip file (stream ends before the gzip trailer)")


def byte_blocks(
    handle: Any,
    gzipped: bool,
    problems: list[str],
    size: int = BLOCK_BYTES,  # noqa: ANN401
) -> Iterator[bytes]:
    if gzipped:
        yield from _gunzip_blocks(handle, problems, size)
        return
    while block := handle.read(size):
        yield block


class Splitter:
    """Cuts blocks of bytes into rows, carrying the unfinished last row over to the next block.

    JSON lines: every newline ends a row. CSV: a newline ends a record only outside quotes, i.e. when the
    number of quote characters since the record began is even (RFC 4180: an escaped quote is doubled, so it
    does not change the parity). A trailing carriage return is not part of the row.
    """

    def __init__(self, quoted: bool) -> None:
        self.quoted = quoted
        self.carry = b""
        self.line = 1  # the physical line the carried-over bytes start on
        self.first = True

    def feed(self, block: bytes) -> pa.Table | None:
        data = self.carry + block if self.carry else block
        if self.first:
            data = data.removeprefix(BOM)  # an encoding marker, not data
            self.first = False
        array = np.frombuffer(data, dtype=np.uint8)
        newlines = np.flatnonzero(array == NEWLINE)
        if self.quoted and len(newlines):
            quotes = np.flatnonzero(array == QUOTE)
            ends_record = (np.searchsorted(quotes, newlines) & 1) == 0
            which = np.flatnonzero(ends_record)
            newlines_before = which  # index of each record-ending newline among all newlines
            ends = newlines[which]
        else:
            newlines_before = np.arange(len(newlines))
            ends = newlines
        if not len(ends):
            self.carry = data
            return None
        limit = int(ends[-1]) + 1
        self.carry = data[limit:]
        lines = np.empty(len(ends), dtype=np.int64)
        lines[0] = self.line
        lines[1:] = self.line + newlines_before[:-1] + 1
        self.line += int(newlines_before[-1]) + 1
        return _rows(array[:limit], ends, lines)

    def finish(self) -> pa.Table | None:
        """The last row, when the text does not end in a newline."""
        data, self.carry = self.carry, b""
        if self.first:
            data = data.removeprefix(BOM)
            self.first = False
        if not data:
            return None
        array = np.frombuffer(data + b"\n", dtype=np.uint8)
        return _rows(array, np.array([len(data)]), np.array([self.line], dtype=np.int64))

    def partial(self) -> tuple[int, str] | None:
        """The unfinished row left over (a stream cut mid-row), with its line."""
        if not self.carry:
            return None
        return self.line, self.carry.decode("utf-8", errors="replace")


def _rows(array: np.ndarray, ends: np.ndarray, lines: np.ndarray) -> pa.Table:
    """Rows ending at `ends` (positions of their newline) in `array` -> (_line, _raw, _bad), vectorized.

    The newlines and the carriage returns before them are dropped with one boolean mask; the rows stay
    contiguous, so their text is one buffer and the offsets are the cumulative lengths.
    """
    starts = np.empty_like(ends)
    starts[0] = 0
    starts[1:] = ends[:-1] + 1
    has_cr = (ends > starts) & (array[np.maximum(ends - 1, 0)] == CARRIAGE_RETURN)
    stops = ends - has_cr
    keep = np.ones(len(array), dtype=bool)
    keep[ends] = False
    keep[ends[has_cr] - 1] = False
    text = array[keep]
    offsets = np.zeros(len(ends) + 1, dtype=np.int64)
    np.cumsum(stops - starts, out=offsets[1:])
    raw = pa.LargeStringArray.from_buffers(len(ends), pa.py_buffer(offsets), pa.py_buffer(text))
    bad = pa.nulls(len(ends), pa.string())
    try:
        raw.validate(full=True)
    except pa.ArrowInvalid:
        raw, bad = _valid_utf8(raw.cast(pa.large_binary()))
    return pa.table({"_line": pa.array(lines, pa.int64()), "_raw": raw, "_bad": bad})


def _valid_utf8(raw: pa.Array) -> tuple[pa.Array, pa.Array]:
    """Slow path for a block with invalid UTF-8: such rows keep their text (bad bytes replaced) and why."""
    texts: list[str] = []
    reasons: list[str | None] = []
    for value in raw.to_pylist():
        try:
            texts.append(value.decode("utf-8"))
            reasons.append(None)
        except UnicodeDecodeError as error:
            texts.append(value.decode("utf-8", errors="replace"))
            reasons.append(f"invalid UTF-8 ({error.reason})")
    return pa.array(texts, pa.large_string()), pa.array(reasons, pa.string())


def parse_header(text: str, delimiter: str) -> list[str]:
    """A CSV header line -> its field names (stripped)."""
    row = next(csv.reader(io.StringIO(text), delimiter=delimiter), [])
    return [name.strip() for name in row]


def text_rows(
    handle: Any,
    path: str,
    quoted: bool,
    rejects: list[Reject],
    size: int = BLOCK_BYTES,  # noqa: ANN401
) -> Iterator[pa.Table]:
    """Chunks of rows of a text file (gzip by the .gz suffix). A stream cut short keeps its complete rows;
    the unfinished last row becomes a reject that says what happened."""
    problems: list[str] = []
    splitter = Splitter(quoted)
    for block in byte_blocks(handle, path.endswith(".gz"), problems, size):
        table = splitter.feed(block)
        if table is not None and table.num_rows:
            yield table
    if problems:
        cut = splitter.partial()
        reason = f"{problems[0]}: rows before the break were loaded"
        rejects.append(Reject(cut[0], cut[1], reason) if cut else Reject(None, None, reason))
        return
    table = splitter.finish()
    if table is not None:
        yield table


def csv_rows(chunks: Iterator[pa.Table], delimiter: str) -> tuple[list[str] | None, Iterator[pa.Table]]:
    """Take the header (the first non-blank record) off a stream of CSV record chunks."""
    header: list[str] | None = None
    first: pa.Table | None = None
    for table in chunks:
        raws, bads = table.column("_raw"), table.column("_bad")
        for index in range(table.num_rows):
            raw = raws[index].as_py()
            if bads[index].as_py() is None and raw.strip():
                header = parse_header(raw, delimiter)
                first = table.slice(index + 1)
                break
        if header is not None:
            break

    def rest() -> Iterator[pa.Table]:
        if first is not None and first.num_rows:
            yield first
        yield from chunks

    return header, rest()


def peek_header(handle: Any, path: str, delimiter: str) -> list[str]:  # noqa: ANN401
    """A CSV file's header, reading only as far as its first non-blank record."""
    header, _ = csv_rows(text_rows(handle, path, True, [], size=PEEK_BYTES), delimiter)
    return header or []


def parquet_chunks(handle: Any) -> Iterator[pa.Table]:  # noqa: ANN401
    """Parquet: each row as a struct (`_row`), in batches; stage.py turns it into JSON text."""
    import pyarrow.parquet as pq

    parquet = pq.ParquetFile(handle)
    line = 1
    for batch in parquet.iter_batches(batch_size=PARQUET_ROWS):
        struct = (
            pa.StructArray.from_arrays(list(batch.columns), names=batch.schema.names)
            if batch.num_columns
            else pa.array([{}] * batch.num_rows)
        )
        numbers = pa.array(np.arange(line, line + batch.num_rows, dtype=np.int64))
        line += batch.num_rows
        yield pa.table({"_line": numbers, "_row": struct})
