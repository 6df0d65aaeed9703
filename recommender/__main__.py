"""Command line: ``python -m recommender <command> …``.

Each command is a module of :mod:`recommender.cli` listed in ``COMMAND_MODULES``: it defines
``add_cli(subparsers)``, which adds its sub-parser and sets ``func`` to a callable taking the parsed
arguments and returning an exit code.
"""

from __future__ import annotations

import argparse
import importlib
import sys

from recommender import settings
from recommender.cli import load_data
from recommender.data import DataError, known_datasets, summarize

COMMAND_MODULES: tuple[str, ...] = ("recommender.cli.evaluate", "recommender.cli.recommend")


def _info(args: argparse.Namespace) -> int:
    s = summarize(load_data(args))
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
        help=f"MovieLens folder or zip (default: ${settings.ENV_DIR}, the data home, or download)",
    )
    parser.add_argument(
        "--dataset",
        metavar="NAME",
        help=f"a GroupLens dataset: {', '.join(known_datasets())} (downloaded and verified on "
        f"first use into the data home; wins over ${settings.ENV_DIR} and ${settings.ENV_DATASET})",
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
