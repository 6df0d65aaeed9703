"""Content-based filtering: TF-IDF over each movie's genres and tags, compared by cosine similarity.

A movie's "document" is its genres plus the tags users gave it (lower-cased, one token per distinct
tag, repeated once per user who applied it so widely shared tags weigh more). scikit-learn's
:class:`~sklearn.feature_extraction.text.TfidfVectorizer` turns the documents into L2-normalised
rows, so a dot product is the cosine similarity.

A user's content profile is the rating-weighted sum of the rows of the movies they rated, centred on
:attr:`ContentModel.neutral_rating` so that a 1★ pushes similar movies down and a 5★ pulls them up.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer

__all__ = [
    "GENRE_PREFIX",
    "TAG_PREFIX",
    "ContentModel",
    "Explanation",
    "movie_documents",
]


GENRE_PREFIX = "genre:"
TAG_PREFIX = "tag:"


def _identity(tokens: list[str]) -> list[str]:
    return tokens


def movie_documents(movies: pd.DataFrame, tags: pd.DataFrame) -> list[list[str]]:
    """One token list per row of ``movies``: ``genre:<g>`` tokens then ``tag:<t>`` tokens."""
    tag_tokens: dict[int, list[str]] = {}
    if len(tags):
        texts = tags["tag"].astype("str").str.strip().str.lower()
        keep = tags["tag"].notna() & (texts != "")
        for movie_id, text in zip(tags.loc[keep, "movieId"], texts[keep], strict=True):
            tag_tokens.setdefault(int(movie_id), []).append(TAG_PREFIX + text)
    documents = []
    for movie_id, genres in zip(movies["movieId"], movies["genres"], strict=True):
        tokens = [GENRE_PREFIX + g for g in genres]
        documents.append(tokens + tag_tokens.get(int(movie_id), []))
    return documents


@dataclass(frozen=True)
class Explanation:
    """Why two movies are alike: the genres and tags they share."""

    genres: tuple[str, ...]
    tags: tuple[str, ...]

    def describe(self, other_title: str) -> str:
        """``shares Crime and Thriller and the tag 'heist' with Heat (1995)``."""
        parts = []
        if self.genres:
            parts.append(_join_words(list(self.genres)))
        if self.tags:
            quoted = [f"'{t}'" for t in self.tags]
            parts.append(("the tag " if len(quoted) == 1 else "the tags ") + _join_words(quoted))
        if not parts:
            return f"similar to {other_title}"
        return f"shares {' and '.join(parts)} with {other_title}"


def _join_words(words: list[str]) -> str:
    if len(words) <= 1:
        return "".join(words)
    return ", ".join(words[:-1]) + " and " + words[-1]


class ContentModel:
    """TF-IDF content similarity between movies.

    Parameters
    ----------
    neutral_rating:
        Ratings above it make a user's profile lean toward a movie's genres and tags, ratings below
        it lean away (2.75 sits just under MovieLens' "liked it" threshold of 3★).
    sublinear_tf:
        Use ``1 + log(tf)`` so one tag applied by twenty users does not swamp everything else.
    """

    def __init__(self, neutral_rating: float = 2.75, sublinear_tf: bool = True):
        self.neutral_rating = neutral_rating
        self.sublinear_tf = sublinear_tf

    def fit(self, movies: pd.DataFrame, tags: pd.DataFrame) -> ContentModel:
        """Learn the vocabulary and the movie × term TF-IDF matrix."""
        documents = movie_documents(movies, tags)
        self.vectorizer_ = TfidfVectorizer(
            analyzer=_identity, sublinear_tf=self.sublinear_tf, norm="l2", dtype=np.float32
        )
        self.features_ = sparse.csr_matrix(self.vectorizer_.fit_transform(documents))
        self.terms_ = np.asarray(self.vectorizer_.get_feature_names_out(), dtype=object)
        self.movie_ids_ = movies["movieId"].to_numpy(dtype=np.int64)
        self.index_ = pd.Index(self.movie_ids_)
        self.titles_ = movies["title"].to_numpy(dtype=object)
        return self

    # -- similarity -----------------------------------------------------------------------

    def positions(self, movie_ids: Iterable[int]) -> np.ndarray:
        """Row positions of ``movie_ids`` (-1 for movies the model does not know)."""
        return self.index_.get_indexer(np.asarray(list(movie_ids), dtype=np.int64))

    def similarities(self, movie_id: int) -> np.ndarray:
        """Cosine similarity (0..1) of ``movie_id`` with every movie, aligned to :attr:`movie_ids_`."""
        pos = self.positions([movie_id])[0]
        if pos < 0:
            raise KeyError(f"Movie {movie_id} is not in the content model.")
        return np.asarray((self.features_ @ self.features_[pos].T).toarray()).ravel()

    def has_terms(self, movie_id: int) -> bool:
        """Whether the movie has any genre or tag (else it is like nothing)."""
        pos = self.positions([movie_id])[0]
        return bool(pos >= 0 and self.features_[pos].nnz)

    def profile(self, ratings: Mapping[int, float]) -> sparse.csr_matrix:
        """The user's content profile: rows of the rated movies weighted by rating - neutral."""
        ids = np.fromiter(ratings.keys(), dtype=np.int64, count=len(ratings))
        values = np.fromiter(ratings.values(), dtype=np.float64, count=len(ratings))
        pos = self.positions(ids)
        known = pos >= 0
        weights = values[known] - self.neutral_rating
        if not known.any():
            return sparse.csr_matrix((1, self.features_.shape[1]), dtype=np.float32)
        rows = self.features_[pos[known]]
        return sparse.csr_matrix(weights.astype(np.float32) @ rows)

    def score_profile(self, ratings: Mapping[int, float]) -> np.ndarray:
        """Cosine similarity of every movie with the user's profile (-1..1; 0 for no ratings)."""
        vector = self.profile(ratings)
        norm = float(np.sqrt(vector.multiply(vector).sum()))
        if norm == 0.0:
            return np.zeros(len(self.movie_ids_), dtype=np.float64)
        return np.asarray((self.features_ @ vector.T).toarray()).ravel() / norm

    # -- explanations ---------------------------------------------------------------------

    def shared_terms(self, movie_a: int, movie_b: int, max_tags: int = 2) -> Explanation:
        """Genres and the most distinctive tags ``movie_a`` and ``movie_b`` have in common."""
        pos = self.positions([movie_a, movie_b])
        if (pos < 0).any():
            return Explanation((), ())
        row_a, row_b = self.features_[pos[0]], self.features_[pos[1]]
        common = row_a.multiply(row_b).tocoo()
        weight = Counter(dict(zip(common.col.tolist(), common.data.tolist(), strict=True)))
        genres: list[str] = []
        tags: list[str] = []
        for col, _ in weight.most_common():
            term = str(self.terms_[col])
            if term.startswith(GENRE_PREFIX):
                genres.append(term[len(GENRE_PREFIX) :])
            elif len(tags) < max_tags:
                tags.append(term[len(TAG_PREFIX) :])
        return Explanation(tuple(genres[:3]), tuple(tags))

    def closest_rated(self, movie_id: int, ratings: Mapping[int, float]) -> int | None:
        """The liked movie (rated above neutral) contributing most to ``movie_id``'s score."""
        liked = [m for m, r in ratings.items() if r > self.neutral_rating]
        if not liked:
            return None
        pos = self.positions([movie_id])[0]
        liked_pos = self.positions(liked)
        ok = liked_pos >= 0
        if pos < 0 or not ok.any():
            return None
        sims = np.asarray((self.features_[liked_pos[ok]] @ self.features_[pos].T).toarray()).ravel()
        weights = np.array([ratings[m] - self.neutral_rating for m in np.asarray(liked)[ok]])
        best = int(np.argmax(sims * weights))
        return int(np.asarray(liked)[ok][best]) if sims[best] > 0 else None
