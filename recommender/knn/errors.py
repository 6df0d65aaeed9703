"""The engine's named errors."""

from __future__ import annotations

__all__ = ["KNNZeroDivisionError"]


class KNNZeroDivisionError(ZeroDivisionError):
    """Raised exactly where scikit-surprise 1.1.5 raises ``ZeroDivisionError`` on degenerate data
    or options, so code written against Surprise (``except ZeroDivisionError``) keeps working:

    * ``fit`` with the cosine or pearson_baseline similarity when two users (items) with enough
      common ratings have a zero vector on them (e.g. all ratings 0 for cosine, or every rating
      equal to its baseline for pearson_baseline), or with a shrinkage that zeroes the shrinkage
      term; with msd or cosine and ``min_support`` <= 0 when two of them have no common rating;
    * KNNBasic's estimate with ``min_k`` <= 0 and no neighbour of positive similarity.

    The message starts with Surprise's own ("float division" / "division by zero") and says
    which ids caused it.
    """
