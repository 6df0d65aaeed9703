"""Every user's ratings, compactly: what "pick a user" and the reasons read back.

A dict of dicts held 32 million Python objects on ml-32m (gigabytes, and minutes of
interpreter-bound work while the server fitted its models). :class:`UserHistories` keeps the
ratings as three NumPy arrays sorted by user, with one offset per user, and builds a user's
``{movieId: rating}`` only when asked. A repeated (user, movie) pair keeps its last rating, as
a dict built row by row would.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

import numpy as np

__all__ = ["UserHistories"]


class UserHistories(Mapping[int, dict[int, float]]):
    """``{userId: {movieId: rating}}`` as a read-only mapping over sorted arrays."""

    def __init__(self, users: np.ndarray, movies: np.ndarray, ratings: np.ndarray):
        users, movies, ratings = np.asarray(users), np.asarray(movies), np.asarray(ratings)
        # GroupLens files come sorted by user: then the arrays are kept as they are (views, no
        # copy: 0.5 GB less at ml-32m); else one stable sort keeps each user's rows in order
        if not bool(np.all(users[1:] >= users[:-1])):
            order = np.argsort(users, kind="stable")
            users, movies, ratings = users[order], movies[order], ratings[order]
        self._movies, self._ratings = movies, ratings
        new_user = np.ones(len(users), dtype=bool)
        new_user[1:] = users[1:] != users[:-1]
        starts = np.flatnonzero(new_user)
        self._users = users[starts].astype(np.int64)
        self._bounds = np.append(starts, users.size)

    def _position(self, user_id: int) -> int:
        pos = int(np.searchsorted(self._users, user_id))
        if pos == self._users.size or self._users[pos] != user_id:
            raise KeyError(user_id)
        return pos

    def __getitem__(self, user_id: int) -> dict[int, float]:
        pos = self._position(int(user_id))
        lo, hi = self._bounds[pos], self._bounds[pos + 1]
        return dict(zip(self._movies[lo:hi].tolist(), self._ratings[lo:hi].tolist(), strict=True))

    def __contains__(self, user_id: object) -> bool:
        try:
            self._position(int(user_id))  # type: ignore[call-overload]
        except (KeyError, TypeError, ValueError):
            return False
        return True

    def __iter__(self) -> Iterator[int]:
        return iter(self._users.tolist())

    def __len__(self) -> int:
        return int(self._users.size)

    @property
    def ids(self) -> np.ndarray:
        """Every user id, ascending (read-only; no copy)."""
        ids = self._users.view()
        ids.flags.writeable = False
        return ids

    def count(self, user_id: int) -> int:
        """How many rating rows ``user_id`` has (without building the dict)."""
        pos = self._position(int(user_id))
        return int(self._bounds[pos + 1] - self._bounds[pos])
