"""Movie night for two: one top-5 for you and a friend, with whom each film suits.

Each person's list is scored as Recommend scores it for them alone
(:meth:`~.facade.Recommender.visitor_scores`: the blend for their own ratings, their "not
interested" movies as dislikes), standardised over the movies both can be offered (rated or
hidden by neither, within the filters), then combined (:data:`AGGREGATIONS`):

* **least misery** (default): ``min(z_you, z_them)`` - a film is as good as the less keen of the
  two finds it, so nobody sits through a film they would hate;
* **average**: ``(z_you + z_them) / 2`` - the most enjoyment in total, even if one of you is
  lukewarm.

Each card says whom the film suits, from its rank in each person's own list among the shared
candidates (:func:`suits_reason`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from urllib.parse import parse_qs, urlsplit

import numpy as np
import pandas as pd

from recommender import settings
from recommender.data import MovieFilters
from recommender.recommend.blend import standardise
from recommender.recommend.catalog import RESULT_COLUMNS, top_rows
from recommender.recommend.facade import Recommender
from recommender.recommend.profile_link import PROFILE_PARAM

__all__ = [
    "AGGREGATIONS",
    "DEFAULT_AGGREGATION",
    "Viewer",
    "movie_night",
    "profile_text_from_link",
    "suits_reason",
]

AGGREGATIONS: dict[str, Callable[[np.ndarray, np.ndarray], np.ndarray]] = {
    "least_misery": np.minimum,
    "average": lambda a, b: (a + b) / 2,
}
DEFAULT_AGGREGATION = "least_misery"
BOTH_WITHIN = 50  # a film within both people's own top 50 "suits you both"
ENJOY_WITHIN = 200  # the other one "should enjoy it too" within their top 200


@dataclass(frozen=True)
class Viewer:
    """One of the two: a name for the reasons ("you" reads "your"), ratings and hidden movies."""

    name: str
    ratings: Mapping[int, float] = field(default_factory=dict)
    hidden: Iterable[int] = ()

    @property
    def possessive(self) -> str:
        return "your" if self.name.lower() == "you" else f"{self.name}'s"


def profile_text_from_link(text: str) -> str:
    """The ``?profile=`` value of a pasted link (a full address, ``?profile=…`` or the bare
    value); the text itself, trimmed, when it holds no such parameter."""
    text = text.strip()
    query = urlsplit(text).query if "?" in text else ""
    if not query and text.startswith(f"{PROFILE_PARAM}="):
        query = text
    values = parse_qs(query).get(PROFILE_PARAM)
    return values[-1].strip() if values else text


def suits_reason(first: Viewer, first_rank: int, second: Viewer, second_rank: int) -> str:
    """Whom a film suits, from its rank in each person's own list (1 = their best), e.g.
    "suits you both: your #2 and Sam's #4", or "Sam's #1 pick; you should enjoy it too (your
    #120)" when only one of them ranks it within :data:`BOTH_WITHIN`."""
    if max(first_rank, second_rank) <= BOTH_WITHIN:
        return (
            f"suits you both: {first.possessive} #{first_rank:,} and "
            f"{second.possessive} #{second_rank:,}"
        )
    (keen, keen_rank), (other, other_rank) = sorted(
        ((first, first_rank), (second, second_rank)), key=lambda pair: pair[1]
    )
    verb = "should enjoy it too" if other_rank <= ENJOY_WITHIN else "should be fine with it"
    return (
        f"{keen.possessive} #{keen_rank:,} pick; {other.name} {verb} "
        f"({other.possessive} #{other_rank:,})"
    )


def _ranks(scores: np.ndarray, candidates: np.ndarray, rows: list[int]) -> list[int]:
    """Each row's rank among the candidates' scores (1 + how many score higher)."""
    pool = np.sort(scores[candidates])
    return [int(pool.size - np.searchsorted(pool, scores[r], side="right")) + 1 for r in rows]


def movie_night(
    rec: Recommender,
    first: Viewer,
    second: Viewer,
    n: int = settings.TOP_N,
    aggregation: str = DEFAULT_AGGREGATION,
    filters: MovieFilters | None = None,
) -> pd.DataFrame:
    """The top-``n`` for the two together (module docstring), never a movie either of them rated
    or hid; frames with ``RESULT_COLUMNS`` (``score``: the combined score, ``reason``: whom it
    suits). ValueError for an unknown ``aggregation``."""
    if aggregation not in AGGREGATIONS:
        raise ValueError(
            f"Unknown aggregation {aggregation!r}; use one of {', '.join(AGGREGATIONS)}."
        )
    first_scores, first_ok = rec.visitor_scores(first.ratings, first.hidden, filters)
    second_scores, second_ok = rec.visitor_scores(second.ratings, second.hidden, filters)
    both = first_ok & second_ok
    together = AGGREGATIONS[aggregation](
        standardise(first_scores, both), standardise(second_scores, both)
    )
    together[~both] = -np.inf
    rows = top_rows(together, n, rec.popularity_.n_ratings_)
    first_ranks = _ranks(first_scores, both, rows)
    second_ranks = _ranks(second_scores, both, rows)
    frame = rec.catalog_.iloc[rows].copy()
    frame["score"] = together[rows]
    frame["predicted_rating"] = np.nan
    frame["match"] = ""
    frame["reason"] = [
        suits_reason(first, a, second, b) for a, b in zip(first_ranks, second_ranks, strict=True)
    ]
    frame["source"] = f"movie-night:{aggregation}"
    return frame[list(RESULT_COLUMNS)].reset_index(drop=True)
