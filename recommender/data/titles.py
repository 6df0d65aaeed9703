"""Titles: the normalised search key ("Matrix, The (1999)" -> "the matrix") and the release year."""

from __future__ import annotations

import re
import unicodedata

import pandas as pd

__all__ = ["normalize_title", "parse_year", "strip_accents"]

_YEAR_AT_END = re.compile(r"\s*\((\d{4})(?:\s*[-–]\s*(?:\d{4})?)?\)\s*$")
_ARTICLES = (
    "the", "a", "an", "la", "le", "les", "l'", "il", "el", "los", "las", "die", "der", "das",
    "den", "det", "lo", "gli", "i", "un", "une", "o", "os",
)  # fmt: skip
_TRAILING_ARTICLE = re.compile(
    r"^(?P<body>.*?),\s*(?P<article>" + "|".join(_ARTICLES) + r")$", re.I
)
_NON_ALNUM = re.compile(r"[^0-9a-z]+")
_PAREN_GROUP = re.compile(r"\(([^()]*)\)")
_PAREN_STRIP = re.compile(r"\s*\([^()]*\)")


def strip_accents(text: str) -> str:
    """Drop diacritics: "Amélie" -> "Amelie"."""
    if text.isascii():
        return text
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def _move_article(part: str) -> str:
    if "," not in part:
        return part
    match = _TRAILING_ARTICLE.match(part.strip())
    if not match:
        return part
    article = match["article"]
    sep = "" if article.endswith("'") else " "
    return f"{article}{sep}{match['body']}"


def normalize_title(text: str) -> str:
    """Search key for a title: lower case, no accents, no year, leading article restored.

    >>> normalize_title("Matrix, The (1999)")
    'the matrix'
    >>> normalize_title("City of Lost Children, The (Cité des enfants perdus, La) (1995)")
    'the city of lost children la cite des enfants perdus'
    """
    if not isinstance(text, str):
        return ""
    title = _YEAR_AT_END.sub("", text.strip())
    # A trailing parenthesised group is an alternative title ("Postman, The (Postino, Il)").
    if "(" in title:
        parts = _PAREN_GROUP.findall(title)
        main = _PAREN_STRIP.sub("", title)
        pieces = [_move_article(main)] + [_move_article(p) for p in parts]
    else:
        pieces = [_move_article(title)]
    key = " ".join(pieces)
    key = strip_accents(key).lower().replace("&", " and ")
    return _NON_ALNUM.sub(" ", key).strip()


def parse_year(titles: pd.Series) -> pd.Series:
    """Release year from a "Title (1999)" string; missing where the title has none."""
    years = titles.str.extract(_YEAR_AT_END, expand=False)
    return pd.to_numeric(years, errors="coerce").astype("Int16")
