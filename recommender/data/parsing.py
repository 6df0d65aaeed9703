"""Parsing helpers that turn every pandas failure into a :class:`DataError` naming file, line and
column."""

from __future__ import annotations

import io
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pa_csv

from recommender.data.movielens import DataError

__all__ = [
    "ARROW_TYPES",
    "as_float",
    "as_int32",
    "as_link_ids",
    "as_utc",
    "check_decodes",
    "read_csv_fast",
    "read_headed_csv",
]

INT32_MAX = np.iinfo(np.int32).max
TIMESTAMP_LIMIT = 2**33  # seconds either side of 1970: years 1697 to 2242

ARROW_TYPES = {
    "int32": pa.int32(),
    "float32": pa.float32(),
    "int64": pa.int64(),
    "str": pa.string(),
}


def read_csv_fast(source: bytes | Path, columns: dict[str, str]) -> pd.DataFrame | None:
    """The fast path for big headed CSVs: pyarrow, multi-threaded, straight to tight types.

    ``columns`` maps each column to read to ``int32``, ``float32``, ``int64`` or ``str``. Returns
    None whenever anything is unusual (a missing column, a value that does not convert, a missing
    ID or timestamp, bytes that are not UTF-8, a short row): the caller then reads the file with
    pandas, whose checks name the line and column. So both paths accept exactly the same files.
    """
    types = {name: ARROW_TYPES[kind] for name, kind in columns.items()}
    options = pa_csv.ConvertOptions(
        column_types=types, include_columns=list(columns), strings_can_be_null=True
    )
    try:
        data = pa.BufferReader(source) if isinstance(source, bytes) else str(source)
        table = pa_csv.read_csv(data, convert_options=options)
    except (pa.ArrowException, OSError, ValueError):
        return None
    for name, kind in columns.items():
        if kind in ("int32", "int64") and table.column(name).null_count:
            return None
    return table.to_pandas()


def check_decodes(raw: bytes, where: str, encoding: str) -> None:
    if raw.isascii():
        return
    try:
        raw.decode(encoding)
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise DataError(
            f"{where}, line {line}: not valid {encoding.upper()} text "
            f"(byte 0x{raw[exc.start]:02x} at offset {exc.start})."
        ) from exc


def read_headed_csv(
    raw: bytes, where: str, required: list[str], dtypes: dict[str, str] | None = None
) -> pd.DataFrame:
    """Parse a headed CSV, turning every pandas failure into a DataError naming the place."""
    if not raw.strip():
        raise DataError(f"{where}: file is empty.")
    check_decodes(raw, where, "utf-8")
    try:
        frame = pd.read_csv(io.BytesIO(raw), dtype=dtypes, encoding="utf-8")
    except pd.errors.EmptyDataError as exc:
        raise DataError(f"{where}: file is empty.") from exc
    except pd.errors.ParserError as exc:
        detail = re.sub(r"^Error tokenizing data\. C error: ", "", str(exc)).strip()
        raise DataError(f"{where}: malformed CSV ({detail}).") from exc
    except (ValueError, TypeError) as exc:
        raise DataError(f"{where}: cannot parse ({exc}).") from exc
    frame.columns = [str(c).strip() for c in frame.columns]
    missing = [c for c in required if c not in frame.columns]
    if missing:
        raise DataError(
            f"{where}: missing column(s) {', '.join(repr(c) for c in missing)}; "
            f"found {', '.join(repr(c) for c in frame.columns)}."
        )
    return frame


def as_int32(frame: pd.DataFrame, column: str, where: str, header: bool = True) -> np.ndarray:
    """The column as int32, or a DataError naming the first line with a non-integer value."""
    if frame[column].dtype == np.int32 and not (frame[column].to_numpy() < 0).any():
        return frame[column].to_numpy()
    values = pd.to_numeric(frame[column], errors="coerce")
    bad = values.isna() | (values % 1 != 0) | (values < 0) | (values > INT32_MAX)
    if bad.any():
        pos = int(np.flatnonzero(bad.to_numpy())[0])
        shown = frame[column].iloc[pos]
        if pd.isna(shown):
            problem = "missing value"
        elif pd.isna(values.iloc[pos]) or values.iloc[pos] % 1:
            problem = f"non-numeric ID {str(shown)!r}"
        else:
            problem = f"ID {str(shown)!r} is out of range (0 to {INT32_MAX:,})"
        line = pos + (2 if header else 1)
        raise DataError(f"{where}, line {line}, column {column!r}: {problem}.")
    return values.to_numpy().astype(np.int32)


def _numbers(frame: pd.DataFrame, column: str, where: str, header: bool, problem: str) -> pd.Series:
    """The column as numbers; a value that is there but not a number raises a DataError naming
    its line and ``problem`` (with ``{!r}`` for the value). Missing values stay NaN."""
    values = pd.to_numeric(frame[column], errors="coerce")
    bad = values.isna() & frame[column].notna()
    if bad.any():
        pos = int(np.flatnonzero(bad.to_numpy())[0])
        line = pos + (2 if header else 1)
        shown = problem.format(str(frame[column].iloc[pos]))
        raise DataError(f"{where}, line {line}, column {column!r}: {shown}.")
    return values


def as_float(frame: pd.DataFrame, column: str, where: str, header: bool = True) -> np.ndarray:
    """The column as float32; missing values stay NaN (reported by quality_report)."""
    if frame[column].dtype == np.float32:
        return frame[column].to_numpy()
    values = _numbers(frame, column, where, header, "non-numeric value {!r}")
    return values.to_numpy(dtype=np.float32)


def as_link_ids(frame: pd.DataFrame, column: str, where: str, *, imdb: bool) -> pd.Series:
    """IMDb ids as 7-digit zero-padded text ("" when missing; a leading "tt" is accepted), or
    TMDB ids as nullable Int32. Anything else is a DataError naming line and column: a garbage id
    must not become a link to someone else's page."""
    text = frame[column].astype("string").str.strip().fillna("")
    if imdb:
        text = text.str.removeprefix("tt")
    ok = text.str.fullmatch(r"\d{1,10}(\.0+)?") | (text == "")
    numbers = pd.to_numeric(text.where(ok & (text != "")), errors="coerce")
    ok &= ~(numbers > INT32_MAX).fillna(False)
    if not ok.all():
        pos = int(np.flatnonzero(~ok.to_numpy())[0])
        kind = "an IMDb id (digits, e.g. 0114709)" if imdb else "a TMDB id (digits, e.g. 862)"
        raise DataError(
            f"{where}, line {pos + 2}, column {column!r}: "
            f"{str(frame[column].iloc[pos])!r} is not {kind}."
        )
    if imdb:
        digits = numbers.astype("Int64").astype("string").fillna("")
        return digits.where(digits == "", digits.str.zfill(7)).astype(str)
    return numbers.round().astype("Int32")


def as_utc(frame: pd.DataFrame, column: str, where: str, header: bool = True) -> pd.Series:
    """The column of Unix seconds as UTC timestamps."""
    values = _numbers(frame, column, where, header, "timestamp {!r} is not a number of seconds")
    far = values.abs() > TIMESTAMP_LIMIT
    if far.any():
        pos = int(np.flatnonzero(far.to_numpy())[0])
        line = pos + (2 if header else 1)
        raise DataError(
            f"{where}, line {line}, column {column!r}: timestamp "
            f"{str(frame[column].iloc[pos])!r} is out of range (seconds since 1970)."
        )
    return pd.to_datetime(values, unit="s", utc=True).astype("datetime64[ns, UTC]")
