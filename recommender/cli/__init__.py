"""The command line (``python -m recommender …``): one module per command, each with
``add_cli(subparsers)`` that adds its sub-parser and sets ``func`` to a callable taking the parsed
arguments and returning an exit code. Like the app, it sits above every other layer.

:func:`load_data` is the one way a command gets its dataset: ``--data PATH`` > ``--dataset NAME``
> ``$MOVIELENS_DIR`` > ``$MOVIELENS_DATASET`` (default ml-latest-small).
"""

from __future__ import annotations

import argparse
import sys
import time

from recommender.data import DataError, MovieLens, load_dataset, load_movielens
from recommender.data.transfer import human_bytes

__all__ = ["load_data"]


def _progress(name: str):
    """``progress(done, total)`` printing the download to stderr, at most every half second."""
    last = [0.0]

    def report(done: int, total: int | None) -> None:
        now = time.monotonic()
        if now - last[0] < 0.5 and (not total or done < total):
            return
        last[0] = now
        of = f" of {human_bytes(total)}" if total else ""
        end = "\n" if total and done >= total else ""
        print(f"\rDownloading {name}: {human_bytes(done)}{of}", end=end, file=sys.stderr)

    return report


def load_data(args: argparse.Namespace) -> MovieLens:
    """The dataset the command line asks for: ``--data PATH`` (a folder or zip, read as it is) or
    ``--dataset NAME`` (a GroupLens dataset: the data home's copy, else downloaded and checked
    against its published MD5), else the environment's choice (:func:`load_movielens`)."""
    data, name = getattr(args, "data", None), getattr(args, "dataset", None)
    if data and name:
        raise DataError("Give either --data PATH or --dataset NAME, not both.")
    if name:
        return load_dataset(name, progress=_progress(name))
    return load_movielens(data)
