"""The Parquet copy of a dataset: written once beside it, read on every later start.

Reading 32 million ratings from CSV takes tens of seconds; from Parquet (typed columns, no parsing,
no validation left to do) a fraction of that. The copy lives in ``.parquet/<fingerprint>/`` inside
the dataset's folder (``.NAME.zip.parquet/<fingerprint>/`` beside a zip): ``ratings``, ``movies``,
``tags`` and ``links`` as Parquet and ``meta.json`` (name, scale, warnings …). The fingerprint
(:meth:`~.files.DatasetFiles.fingerprint`: size, mtime and sampled bytes of every source file, and
:data:`FORMAT` — bump it whenever the readers change what they produce) keys it, so an edited
source is read afresh. It is written to a temporary folder and renamed into place: a reader never
sees half a copy. Failing to write it (read-only folder, full disk) costs only speed.

Only datasets in the data home get a copy: the loader never writes beside a folder it was merely
pointed at (``$MOVIELENS_DIR``, ``--data``) and never for an upload.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import shutil
import time
from pathlib import Path

import pandas as pd
import pyarrow as pa

from recommender.data.movielens import MovieLens

__all__ = ["FORMAT", "FRAMES", "cache_root", "read_cached", "write_cached"]

FORMAT = 1
FRAMES = ("ratings", "movies", "tags", "links")
_TMP_PREFIX = ".tmp-"
_STALE_SECONDS = 3600.0


def cache_root(source: Path) -> Path:
    """Where the copies of the dataset at ``source`` (a folder or a zip) live."""
    if source.is_dir():
        return source / ".parquet"
    return source.parent / f".{source.name}.parquet"


def read_cached(source: Path, fingerprint: str) -> MovieLens | None:
    """The dataset from its Parquet copy, or None when there is none for these exact files."""
    folder = cache_root(source) / fingerprint
    try:
        meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
        if meta.get("format") != FORMAT or meta.get("fingerprint") != fingerprint:
            return None
        frames = {name: pd.read_parquet(folder / f"{name}.parquet") for name in FRAMES}
    except (OSError, ValueError, TypeError, KeyError, pa.ArrowException):
        return None
    movies = frames["movies"]
    movies["genres"] = pd.Series([list(g) for g in movies["genres"]], dtype=object)
    return MovieLens(
        meta["name"], frames["ratings"], movies, frames["tags"], frames["links"],
        source=str(source), rating_scale=tuple(meta["rating_scale"]),
        rating_step=float(meta["rating_step"]), has_tags=bool(meta["has_tags"]),
        movie_ids_are_movielens=bool(meta["movie_ids_are_movielens"]),
        warnings=tuple(meta["warnings"]), fingerprint=fingerprint,
    )  # fmt: skip


def _meta(ml: MovieLens) -> dict:
    return {
        "format": FORMAT, "fingerprint": ml.fingerprint, "name": ml.name,
        "rating_scale": list(ml.rating_scale), "rating_step": ml.rating_step,
        "has_tags": ml.has_tags, "movie_ids_are_movielens": ml.movie_ids_are_movielens,
        "warnings": list(ml.warnings), "written": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }  # fmt: skip


def _sweep(root: Path, keep: str) -> None:
    """Remove copies of earlier versions of the files, and temporary folders left by a crash."""
    now = time.time()
    for item in root.iterdir():
        if item.name == keep:
            continue
        if item.name.startswith(_TMP_PREFIX):
            with contextlib.suppress(OSError):
                if now - item.stat().st_mtime < _STALE_SECONDS:
                    continue
        shutil.rmtree(item, ignore_errors=True)


def write_cached(ml: MovieLens, source: Path) -> bool:
    """Write the Parquet copy of ``ml`` (read from ``source``); True when it is in place."""
    if not ml.fingerprint:
        return False
    root = cache_root(source)
    tmp = root / f"{_TMP_PREFIX}{secrets.token_hex(6)}"
    try:
        tmp.mkdir(parents=True)
        for name in FRAMES:
            getattr(ml, name).to_parquet(tmp / f"{name}.parquet", index=False)
        (tmp / "meta.json").write_text(json.dumps(_meta(ml), indent=1), encoding="utf-8")
        final = root / ml.fingerprint
        try:
            os.replace(tmp, final)
        except OSError:
            if not (final / "meta.json").is_file():
                raise
        _sweep(root, ml.fingerprint)
        return True
    except (OSError, ValueError, TypeError, pa.ArrowException):
        return False
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
