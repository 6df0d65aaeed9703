"""CSV exports cannot smuggle a formula into the reader's spreadsheet."""

from __future__ import annotations

import io

import pandas as pd

from recommender.data.export import csv_bytes, spreadsheet_safe


def test_formula_like_text_gets_an_apostrophe_and_numbers_stay_numbers():
    frame = pd.DataFrame(
        {
            "title": ["=HYPERLINK(\"http://evil.example\",\"x\")", "+1", "-2+3", "@SUM(A1)",
                      "\tlead tab", "Heat (1995)", "a=b"],
            "rating": [-1.5, 2.0, 3.0, 4.0, 5.0, 0.5, 1.0],
        }
    )  # fmt: skip
    back = pd.read_csv(io.BytesIO(csv_bytes(frame)), keep_default_na=False)
    assert list(back["title"]) == ["'=HYPERLINK(\"http://evil.example\",\"x\")", "'+1", "'-2+3",
                                   "'@SUM(A1)", "'\tlead tab", "Heat (1995)", "a=b"]  # fmt: skip
    assert list(back["rating"]) == list(frame["rating"])  # a negative number is not text
    assert frame.loc[0, "title"].startswith("=")  # the caller's frame is untouched


def test_headers_and_non_text_cells():
    frame = pd.DataFrame({"=cmd": [None, 3], "genres": [["Drama"], "-x"]})
    text = csv_bytes(frame).decode("utf-8").splitlines()
    assert text[0] == "'=cmd,genres"
    assert text[2] == "3.0,'-x"
    assert spreadsheet_safe(None) is None and spreadsheet_safe(-4) == -4
