"""CSV files meant to be opened in a spreadsheet, safe whatever the data says.

A cell that starts with ``=``, ``+``, ``-`` or ``@`` (or a tab or carriage return, which some
spreadsheets skip before reading one) is taken as a formula by Excel, LibreOffice and Google
Sheets, so a crafted movie title or tag could run a formula on the reader's machine ("CSV
injection", OWASP). Every text cell that starts so gets a leading apostrophe, which spreadsheets
show as text and hide; numbers stay numbers (a negative number is not text).
"""

from __future__ import annotations

from typing import Any

import pandas as pd

__all__ = ["FORMULA_TRIGGERS", "csv_bytes", "spreadsheet_safe"]

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
"""First characters that make a spreadsheet read a cell as a formula (OWASP CSV injection)."""


def spreadsheet_safe(value: Any) -> Any:
    """``value`` with a leading apostrophe if it is text a spreadsheet would run as a formula
    (``=1+1`` -> ``'=1+1``); anything else unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """``frame`` as UTF-8 CSV (no index) with every formula-like text cell neutralised; the
    frame itself is left unchanged."""
    safe = frame.copy()
    for column in safe.columns:
        if not (
            pd.api.types.is_numeric_dtype(safe[column]) or pd.api.types.is_bool_dtype(safe[column])
        ):
            safe[column] = safe[column].map(spreadsheet_safe)
    safe.columns = [spreadsheet_safe(str(c)) for c in safe.columns]
    return safe.to_csv(index=False).encode("utf-8")
