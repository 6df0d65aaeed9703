"""``python -m recommender recommend``: top-N with reasons from ratings, a title or a user."""

from __future__ import annotations

import argparse
import sys
from typing import Any

import pandas as pd

from recommender import settings
from recommender.choice import recommendation_model
from recommender.data import RATING_MAX, RATING_MIN, MovieFilters, load_movielens
from recommender.models import ModelConfig
from recommender.recommend.facade import Recommender
from recommender.recommend.search import TitleNotFoundError, resolve_title

__all__ = ["add_cli"]


def _parse_rating(text: str) -> tuple[int, float]:
    movie, sep, stars = text.partition("=")
    try:
        movie_id, rating = int(movie), float(stars)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r}: expected MOVIE_ID=STARS, e.g. 260=5 or 1196=4.5"
        ) from None
    if not sep or not RATING_MIN <= rating <= RATING_MAX or (rating * 2) % 1:
        raise argparse.ArgumentTypeError(f"{text!r}: stars must be a half step from 0.5 to 5")
    return movie_id, rating


def _print_frame(frame: pd.DataFrame, score: str) -> None:
    if frame.empty:
        print("No movie matches.")
        return
    for rank, row in enumerate(frame.itertuples(index=False), start=1):
        value = (
            f"{row.predicted_rating:.1f}★" if score == "rating" else f"similarity {row.score:.2f}"
        )
        print(f"{rank}. {row.title}  [{value}]  {', '.join(row.genres)}")
        print(f"   {row.reason}")


def _cli_filters(args: argparse.Namespace) -> MovieFilters:
    years = tuple(args.years) if args.years else None
    return MovieFilters(tuple(args.genre or ()), years, args.min_ratings)


def _run_cli(args: argparse.Namespace) -> int:
    ml = load_movielens(args.data)
    try:
        model = ModelConfig.from_key(args.model) if args.model else recommendation_model(ml)
    except ValueError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    rec = Recommender.from_movielens(ml, model)
    filters = _cli_filters(args)
    if args.mode == "similar":
        popularity = rec.catalog_.set_index("movieId")["n_ratings"]
        try:
            movie_id = resolve_title(ml.movies, args.title, popularity)
        except TitleNotFoundError as error:
            print(f"error: {error}", file=sys.stderr)
            return 2
        print(f"Most similar to {rec.title_of(movie_id)} ({rec.model_.label}):")
        for method in ("collaborative", "content"):
            print(f"\n{method.capitalize()}:")
            _print_frame(rec.similar_to(movie_id, args.n, filters, method=method), "similarity")
        return 0
    if args.mode == "user":
        try:
            frame = rec.for_user(args.user_id, args.n, filters)
        except KeyError as error:
            print(f"error: {error.args[0]}", file=sys.stderr)
            return 2
        print(f"Top {args.n} for user {args.user_id} ({rec.model_.label}):")
        _print_frame(frame, "rating")
        return 0
    ratings = dict(args.rate or [])
    unknown = [m for m in ratings if m not in rec.index_]
    if unknown:
        print(
            f"warning: not in {ml.name}, ignored: {', '.join(map(str, unknown))}", file=sys.stderr
        )
    print(f"Top {args.n} from {len(ratings) - len(unknown)} rating(s) ({rec.model_.label}):")
    _print_frame(rec.for_new_user(ratings, args.n, filters), "rating")
    return 0


def add_cli(subparsers: Any) -> None:
    """``recommend [--rate ID=STARS ...] | recommend similar TITLE | recommend user ID``."""
    parser = subparsers.add_parser(
        "recommend",
        help="top-N recommendations with reasons",
        description="Recommend movies: from ratings (--rate 260=5 --rate 1196=4.5), for a title "
        '(similar "Toy Story") or for an existing user (user 42).',
    )
    parser.add_argument(
        "--rate", action="append", type=_parse_rating, metavar="ID=STARS", help="a rating"
    )
    parser.add_argument("-n", type=int, default=settings.TOP_N, help="how many (default 5)")
    parser.add_argument("--genre", action="append", help="only movies with this genre (repeat)")
    parser.add_argument("--years", type=int, nargs=2, metavar=("FROM", "TO"))
    parser.add_argument("--min-ratings", type=int, default=0, dest="min_ratings")
    parser.add_argument("--model", help="ModelConfig key (default: best cached, else default)")
    modes = parser.add_subparsers(dest="mode")
    similar = modes.add_parser("similar", help="movies most like a title")
    similar.add_argument("title")
    user = modes.add_parser("user", help="top-N for an existing user")
    user.add_argument("user_id", type=int)
    parser.set_defaults(func=_run_cli, mode=None)
