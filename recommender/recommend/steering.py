"""The visitor's say over their list: "not interested", the watchlist and popular ↔ obscure.

* **Not interested** hides a movie for good and is a negative signal: the hidden movie is folded
  into the visitor's history as a :data:`NOT_INTERESTED_STARS` rating (a dislike, under 3★), so
  the models push down what fans of that film like (:func:`history_with_hidden`). A movie the
  visitor rated keeps its rating. Hidden movies do not count towards the number of ratings that
  picks the blend weights: with no ratings the list is the crowd's, which has no taste to push
  down, so hiding a movie there only hides it (the next one moves up).
* **Watchlist** movies are left out of the list (the visitor already plans to see them) and
  change nothing else: wanting to see a film is not having liked it.
* **Popular ↔ obscure** re-ranks the list without recomputing it (:func:`steer`)::

      steered = z(score) − α · z(log(1 + number of ratings))

  with both z-scores taken over the candidate movies and ``α`` = ``obscurity`` in
  [:data:`OBSCURITY_MIN`, :data:`OBSCURITY_MAX`]: 0 keeps the list exactly as it is, a positive
  α favours films fewer people rated, a negative one better-known films. Each unit of α trades
  one standard deviation of the list's own score for one standard deviation of (log) popularity.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import numpy as np

from recommender.recommend.blend import standardise

__all__ = [
    "NOT_INTERESTED_STARS",
    "OBSCURITY_MAX",
    "OBSCURITY_MIN",
    "history_with_hidden",
    "steer",
]

NOT_INTERESTED_STARS = 1.0
"""The rating a "not interested" movie counts as in the history the models fold in (a dislike)."""
# ±2: at +3 the five were films with a median of one rating (benchmarks/steering.py), absurd to a fan
OBSCURITY_MIN, OBSCURITY_MAX = -2.0, 2.0


def history_with_hidden(
    ratings: Mapping[int, float], hidden: Iterable[int], stars: float = NOT_INTERESTED_STARS
) -> dict[int, float]:
    """The history the models fold in: ``ratings`` plus every hidden movie the visitor has not
    rated, as a ``stars`` rating. ``ratings`` is left unchanged."""
    history = {int(m): stars for m in hidden}
    history.update({int(m): float(s) for m, s in ratings.items()})
    return history


def steer(
    scores: np.ndarray, n_ratings: np.ndarray, candidates: np.ndarray, obscurity: float
) -> np.ndarray:
    """``z(scores) − obscurity · z(log(1 + n_ratings))`` (z-scores over ``candidates``, a boolean
    mask); rows outside ``candidates`` or without a finite score stay ``-inf``. ``obscurity`` 0
    returns a copy of ``scores`` (the same order, the same values).

    ValueError if ``obscurity`` is outside [:data:`OBSCURITY_MIN`, :data:`OBSCURITY_MAX`] or not
    a number.
    """
    alpha = float(obscurity)
    if not OBSCURITY_MIN <= alpha <= OBSCURITY_MAX:  # also refuses NaN
        raise ValueError(
            f"obscurity {obscurity!r} is outside [{OBSCURITY_MIN:g}, {OBSCURITY_MAX:g}]"
        )
    scores = np.asarray(scores, dtype=np.float64)
    if alpha == 0:
        return scores.copy()
    candidates = np.asarray(candidates, dtype=bool)
    usable = candidates & np.isfinite(scores)
    popularity = standardise(np.log1p(np.asarray(n_ratings, dtype=np.float64)), usable)
    steered = standardise(scores, usable) - alpha * popularity
    steered[~usable] = -np.inf
    return steered
