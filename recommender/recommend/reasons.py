"""What a card says: the reason for a recommendation and how good a match it is, in plain words.

Reasons name a contribution that is really among the largest for that movie: the rated film the
model leaned on most (its largest positive contribution), the genres and tags shared with the
closest liked film, or the crowd's verdict. A predicted star rating is shown only by models that
predict ratings, and only when it agrees with the film's place in the list.
"""

from __future__ import annotations

from collections.abc import Mapping

__all__ = ["match_words", "no_neighbours_reason", "stars", "supporting", "taste_reason"]

AGREE_FROM = 3.5  # a predicted rating below this would contradict "recommended for you"


def stars(rating: float) -> str:
    """4.5 -> "4.5★", 5.0 -> "5★"."""
    return f"{rating:g}★"


SUPPORT_SHARE = 0.25  # a rated film "points to" a movie if it gives >= 25 % of the top part


def supporting(parts: Mapping[int, float]) -> list[int]:
    """The rated films that really carry a movie's score: parts of at least
    :data:`SUPPORT_SHARE` of the largest one, largest first."""
    if not parts:
        return []
    top = max(parts.values())
    return [m for m, v in sorted(parts.items(), key=lambda kv: -kv[1]) if v >= SUPPORT_SHARE * top]


def taste_reason(named: list[tuple[str, float]], n_support: int) -> str:
    """ "because you loved Star Wars (5★): people who liked it also liked this", naming the one
    or two rated films with the largest parts in the score."""
    title, rating = named[0]
    verb = "loved" if rating >= 4.5 else "liked" if rating >= 4.0 else "rated"
    if len(named) == 1:
        text = f"because you {verb} {title} ({stars(rating)}): people who liked it also liked this"
    else:
        second, second_rating = named[1]
        text = (
            f"people who liked {title} ({stars(rating)}) and {second} ({stars(second_rating)}) "
            "also liked this"
        )
    others = n_support - len(named)
    if others > 0:
        text += f"; {others} more of your films point to it"
    return text


def match_words(
    n_support: int, n_liked: int, predicted: float | None, personal: bool
) -> tuple[str, float | None]:
    """(plain words, predicted rating to show or None) for a card.

    ``n_support``: how many of the visitor's liked films raise this movie's score;
    ``predicted``: the model's star estimate, if it predicts ratings; ``personal``: whether the
    visitor's taste weighed in at all (else it is a crowd pick)."""
    if not personal:
        return "crowd favourite", None
    shown = predicted if predicted is not None and predicted >= AGREE_FROM else None
    if n_liked == 0:
        return "steers clear of what you disliked", shown
    share = n_support / n_liked
    if n_support >= 3 or share >= 0.5:
        words = "strong match"
    elif n_support >= 1:
        words = "good match"
    else:
        words = "worth a try"
    if n_support:
        films = "film" if n_liked == 1 else "films"
        words += f": {n_support} of the {n_liked} {films} you rated 3★ or more point to it"
    return words, shown


def no_neighbours_reason(title: str, method: str, n_ratings: int, has_terms: bool) -> str:
    """Why a picked title has no similar movies: for ``method`` "content", it shares no genre or
    tag with any film (or has none listed); else too few people rated it (``n_ratings``)."""
    if method == "content":
        if has_terms:
            return f"No other movie shares a genre or tag with {title}."
        return f"{title} has no genres or tags listed, so nothing can be matched to it."
    if n_ratings == 0:
        return f"Nobody has rated {title} yet, so no one's taste links it to other films."
    people = "person" if n_ratings == 1 else "people"
    return (
        f"Only {n_ratings} {people} rated {title}: too few for their other ratings to say what "
        "its fans like."
    )
