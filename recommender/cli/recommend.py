"""``python -m recommender recommend``: top-N with reasons from ratings, a title or a user."""

from __future__ import annotations

import argparse
import sys
from typing import Any

import pandas as pd

from recommender import settings
from recommender.choice import recommendation_model
from recommender.cli import load_data
from recommender.data import RATING_MAX, RATING_MIN, MovieFilters, MovieLens
from recommender.models import ModelConfig
from recommender.recommend.blend import blend_weights
from recommender.recommend.facade import Recommender
from recommender.recommend.history_import import HistoryImportError, ImportPreview, import_history
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
        if score in ("similarity", "score"):
            value = f"{score} {row.score:.2f}"
        elif pd.notna(row.predicted_rating):  # only where the model predicts ratings and agrees
            value = f"predicted {row.predicted_rating:.1f}★"
        else:
            value = row.match or "recommended"
        print(f"{rank}. {row.title}  [{value}]  {', '.join(row.genres)}")
        print(f"   {row.reason}")


def _read_file(path: str) -> bytes:
    if path == "-":
        return sys.stdin.buffer.read()
    with open(path, "rb") as handle:
        return handle.read()


def _report_import(path: str, preview: ImportPreview) -> None:
    print(f"Imported {path}: {preview.summary()}")
    for note in preview.notes:
        print(f"note: {note}")
    if preview.ambiguous:
        print(
            f"{len(preview.ambiguous):,} ambiguous row(s): the command line takes the most "
            "popular candidate (most ratings) for each; the app lets you pick."
        )
        for row in preview.ambiguous[:5]:
            pick = row.candidates[0]
            print(f"   row {row.row} {row.title!r} -> {pick.title} ({pick.n_ratings:,} ratings)")
        if len(preview.ambiguous) > 5:
            print(f"   … and {len(preview.ambiguous) - 5:,} more")


def _imported_ratings(args: argparse.Namespace, ml: MovieLens) -> dict[int, float] | None:
    """The ratings of ``--import FILE`` (ambiguous rows: the most popular candidate), or None
    after printing why the file cannot be imported."""
    if not args.import_file:
        return {}
    try:
        preview = import_history(_read_file(args.import_file), ml)
    except OSError as error:
        print(f"error: cannot read {args.import_file}: {error.strerror or error}", file=sys.stderr)
        return None
    except HistoryImportError as error:
        print(f"error: {args.import_file}: {error}", file=sys.stderr)
        return None
    _report_import(args.import_file, preview)
    return preview.ratings(most_popular=True)


def _cli_filters(args: argparse.Namespace) -> MovieFilters:
    years = tuple(args.years) if args.years else None
    return MovieFilters(tuple(args.genre or ()), years, args.min_ratings)


def _run_cli(args: argparse.Namespace) -> int:
    ml = load_data(args)
    imported = _imported_ratings(args, ml) if args.mode is None else {}
    if imported is None:
        return 2  # a file that cannot be imported stops before the slow fit
    try:
        model = recommendation_model(ModelConfig.from_key(args.model) if args.model else None)
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
        model = rec.personals_[rec.title_model_].config_.label
        print(f"Most similar to {rec.title_of(movie_id)} (collaborative: {model}):")
        for method in ("collaborative", "content"):
            print(f"\n{method.capitalize()}:")
            label = "similarity" if method == "content" else "score"
            _print_frame(rec.similar_to(movie_id, args.n, filters, method=method), label)
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
    ratings = {**imported, **dict(args.rate or [])}
    unknown = [m for m in ratings if m not in rec.index_]
    if unknown:
        print(
            f"warning: not in {ml.name}, ignored: {', '.join(map(str, unknown))}", file=sys.stderr
        )
    known = len(ratings) - len(unknown)
    weights = ", ".join(f"{name} {w:g}" for name, w in blend_weights(known, rec.schedule_))
    print(f"Top {args.n} from {known} rating(s) (blend: {weights}):")
    _print_frame(rec.for_new_user(ratings, args.n, filters), "rating")
    return 0


def add_cli(subparsers: Any) -> None:
    """``recommend [--rate ID=STARS ...] | recommend similar TITLE | recommend user ID``."""
    parser = subparsers.add_parser(
        "recommend",
        help="top-N recommendations with reasons",
        description="Recommend movies: from ratings (--rate 260=5 --rate 1196=4.5 or --import "
        "FILE), for a title "
        '(similar "Toy Story") or for an existing user (user 42).',
    )
    parser.add_argument(
        "--rate", action="append", type=_parse_rating, metavar="ID=STARS", help="a rating"
    )
    parser.add_argument(
        "--import",
        dest="import_file",
        metavar="FILE",
        help="ratings exported by MovieLens.org, IMDb, Letterboxd (ratings.csv) or this app "
        "(- reads standard input); --rate overrides them",
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
