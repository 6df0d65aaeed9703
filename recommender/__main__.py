"""Command line: ``python -m recommender <command> …``.

Each command lives with the code it drives: a module listed in ``COMMAND_MODULES`` defines
``add_cli(subparsers)``, which adds its sub-parser and sets ``func`` to a callable taking the parsed
arguments and returning an exit code.
"""

from __future__ import annotations

import argparse
import importlib
import sys

from recommender.data import DataError, load_movielens
from recommender.summary import summarize

COMMAND_MODULES: tuple[str, ...] = ("recommender.evaluation", "recommender.recommend")


def _info(args: argparse.Namespace) -> int:
    s = summarize(load_movielens(args.data))
    print(
        f"{s.name}: {s.users:,} users, {s.movies:,} movies, {s.ratings:,} ratings, {s.tags:,} tags"
    )
    print(
        f"sparsity {s.sparsity_percent:.2f} %, ratings {s.date_range}, median {s.median_ratings_per_user:.0f} per user"
    )
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m recommender", description=__doc__.splitlines()[0]
    )
    parser.add_argument(
        "--data",
        metavar="PATH",
        help="MovieLens folder or zip (default: $MOVIELENS_DIR, data/, or download)",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    info = sub.add_parser("info", help="print the dataset's headline numbers")
    info.set_defaults(func=_info)
    for name in COMMAND_MODULES:
        importlib.import_module(name).add_cli(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except DataError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
