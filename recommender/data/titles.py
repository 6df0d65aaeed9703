"""Titles: the normalised search key ("Matrix, The (1999)" -> "the matrix") and the release year."""

from __future__ import annotations

import re
import unicodedata

import pandas as pd

__all__ = ["UNSAFE_TEXT", "normalize_title", "parse_year", "sanitize_text", "strip_accents"]

# "(1995)", "(2006–2007)", "(2006-)", optionally followed by one short lettered note such as
# ml-100k's "(V)" (video): "Land Before Time III: The Time of the Great Giving (1995) (V)".
_YEAR_AT_END = re.compile(
    r"\s*\((\d{4})(?:\s*[-–]\s*(?:\d{4})?)?\)(?:\s*\([A-Za-z][A-Za-z' .-]{0,24}\))?\s*$"
)
_ARTICLES = (
    "the", "a", "an", "la", "le", "les", "l'", "il", "el", "los", "las", "die", "der", "das",
    "den", "det", "lo", "gli", "i", "un", "une", "o", "os",
)  # fmt: skip
_TRAILING_ARTICLE = re.compile(
    r"^(?P<body>.*?),\s*(?P<article>" + "|".join(_ARTICLES) + r")$", re.I
)
_NON_ALNUM = re.compile(r"[^0-9a-z]+")
UNSAFE_TEXT = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]|[\t\r\n\v\f]"
)
"""Control characters, line breaks and tabs, and the bidirectional embedding / override / isolate
characters that can make text display as something else. Zero-width joiners (emoji sequences)
and right-to-left letters themselves are kept."""
_BREAKS = re.compile(r"[\t\r\n\v\f]+")
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


def sanitize_text(values: pd.Series) -> tuple[pd.Series, int]:
    """``values`` with line breaks and tabs turned into one space and the other :data:`UNSAFE_TEXT`
    characters removed; and how many values changed. Everything else is kept verbatim (HTML,
    markdown and ``$`` are the app's business to escape: it shows data as plain text)."""
    text = values.astype("string")
    bad = text.str.contains(UNSAFE_TEXT, na=False)
    if not bad.any():
        return values, 0
    fixed = text[bad].str.replace(_BREAKS, " ", regex=True).str.replace(UNSAFE_TEXT, "", regex=True)
    out = values.copy()
    out[bad.to_numpy()] = fixed.str.strip().to_numpy(dtype=object)
    return out, int(bad.sum())


def parse_year(titles: pd.Series) -> pd.Series:
    """Release year from a "Title (1999)" string; missing where the title has none."""
    years = titles.str.extract(_YEAR_AT_END, expand=False)
    return pd.to_numeric(years, errors="coerce").astype("Int16")
