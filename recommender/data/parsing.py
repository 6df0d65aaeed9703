"""Parsing helpers that turn every pandas failure into a :class:`DataError` naming file, line and
column."""

from __future__ import annotations

import io
import re

import numpy as np
import pandas as pd

from recommender.data.movielens import DataError

__all__ = ["as_float", "as_int32", "as_utc", "check_decodes", "read_headed_csv"]

def check_decodes(raw: bytes, where: str, encoding: str) -> None:
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
    values = pd.to_numeric(frame[column], errors="coerce")
    bad = values.isna() | (values % 1 != 0)
    if bad.any():
        pos = int(np.flatnonzero(bad.to_numpy())[0])
        shown = frame[column].iloc[pos]
        problem = "missing value" if pd.isna(shown) else f"non-numeric ID {str(shown)!r}"
        line = pos + (2 if header else 1)
        raise DataError(f"{where}, line {line}, column {column!r}: {problem}.")
    return values.to_numpy().astype(np.int32)


def _numbers(
    frame: pd.DataFrame, column: str, where: str, header: bool, problem: str
) -> pd.Series:
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
    values = _numbers(frame, column, where, header, "non-numeric value {!r}")
    return values.to_numpy(dtype=np.float32)


def as_utc(frame: pd.DataFrame, column: str, where: str, header: bool = True) -> pd.Series:
    """The column of Unix seconds as UTC timestamps."""
    values = _numbers(frame, column, where, header, "timestamp {!r} is not a number of seconds")
    return pd.to_datetime(values, unit="s", utc=True).astype("datetime64[ns, UTC]")
