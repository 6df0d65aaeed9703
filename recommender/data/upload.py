"""A visitor's own dataset: uploaded CSVs (or one zip of them), validated like any other.

The layout is GroupLens's (``ratings.csv`` with ``userId``, ``movieId``, ``rating`` and optionally
``timestamp``; optional ``movies.csv``, ``tags.csv``, ``links.csv``; a zip may also hold one of the
classic layouts). What is relaxed for an upload, and reported in ``warnings``: no timestamps (the
time charts stay empty), no movies.csv or movies missing from it (titles read "Movie 123", no
genres). The rating scale is inferred from the ratings (:func:`~.scale.infer_scale`) and movieIds
are never taken for movielens.org ids. Errors are the same located :class:`DataError` messages.

The result is only returned: it is never written to the data home, a Parquet copy or any shared
cache; the app keeps it in the visitor's session. Its ``key`` carries a hash of the uploaded bytes.
"""

from __future__ import annotations

import dataclasses
import io
import zipfile
from collections.abc import Mapping

from recommender import settings
from recommender.data.files import DatasetFiles
from recommender.data.layouts import read_files
from recommender.data.movielens import UPLOAD_SOURCE, DataError, MovieLens
from recommender.data.transfer import human_bytes

__all__ = ["UNPACKED_FACTOR", "UPLOAD_FILES", "read_upload"]

UPLOAD_FILES = ("ratings.csv", "movies.csv", "tags.csv", "links.csv")
UNPACKED_FACTOR = 5
"""A zip may unpack to at most this many times the upload limit (a guard against zip bombs)."""


def _refuse_size(size: int, limit: int, what: str) -> None:
    if size > limit:
        raise DataError(
            f"{what} is {human_bytes(size)}; the limit for an upload is {human_bytes(limit)} "
            f"(set by {settings.ENV_UPLOAD_MB}). Upload a smaller dataset — fewer users or "
            "ratings — or ask whoever runs the app to raise the limit."
        )


def _check_zip(filename: str, data: bytes, limit: int) -> None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(member.file_size for member in archive.infolist())
    except zipfile.BadZipFile as exc:
        raise DataError(f"{filename}: not a zip file ({exc}).") from exc
    _refuse_size(unpacked, UNPACKED_FACTOR * limit, f"{filename} unpacked")


def _check_names(files: Mapping[str, bytes]) -> None:
    for filename in files:
        base = filename.replace("\\", "/").rsplit("/", 1)[-1]
        if base not in UPLOAD_FILES:
            raise DataError(
                f"{filename}: not a MovieLens file. Upload ratings.csv (required: userId, movieId, "
                "rating, and optionally timestamp) with any of movies.csv, tags.csv and links.csv, "
                "or one zip holding them."
            )
    if not any(f.replace("\\", "/").endswith("ratings.csv") for f in files):
        raise DataError("ratings.csv is missing: an upload needs at least the ratings.")


def read_upload(
    files: Mapping[str, bytes] | bytes,
    *,
    name: str | None = None,
    limit_bytes: int | None = None,
) -> MovieLens:
    """Validate and read an upload: ``{filename: bytes}`` of CSVs, one zip as ``{"x.zip": bytes}``,
    or a zip's bytes. ``limit_bytes`` defaults to ``$MOVIELENS_UPLOAD_MB`` (50 MB).

    ``name`` (default: the zip's folder, else "your dataset") becomes ``MovieLens.name``; the
    ``source`` is ``upload:<name>``.
    """
    limit = settings.upload_limit_bytes() if limit_bytes is None else limit_bytes
    if isinstance(files, bytes | bytearray):
        files = {"upload.zip": bytes(files)}
    if not files:
        raise DataError(
            "Nothing was uploaded: choose ratings.csv (and optionally movies.csv, tags.csv and "
            "links.csv), or one zip holding them."
        )
    _refuse_size(sum(len(v) for v in files.values()), limit, "The upload")
    is_zip = len(files) == 1 and next(iter(files)).lower().endswith(".zip")
    if is_zip:
        _check_zip(*next(iter(files.items())), limit)
    else:
        _check_names(files)
    src = DatasetFiles.in_memory(name or "your dataset", files)
    try:
        ml = read_files(src, custom=True)
    finally:
        src.close()
    label = name or (src.name if is_zip and src.name != "upload" else "your dataset")
    return dataclasses.replace(ml, name=label, source=f"{UPLOAD_SOURCE}{label}")
