"""Temporary files of a download in progress, and the clean-up of those an interrupted one left.

A download writes ``.download-TOKEN.zip.part`` and unpacks into ``.extract-TOKEN`` beside its
destination, and holds an exclusive ``flock`` on the ``.part`` file until it ends (the lock dies
with its process). At the next start, :func:`clean_stale` removes every such leftover whose
``.part`` is not locked (after a short grace, covering the instant between creating a file and
locking it); where locks are unavailable, or a folder has lost its ``.part``, only leftovers older
than an hour go. A download in progress in another process or thread is never touched.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

try:  # POSIX; elsewhere the age rule alone decides
    import fcntl
except ImportError:  # pragma: no cover
    fcntl = None  # type: ignore[assignment]

__all__ = ["GRACE_SECONDS", "STALE_SECONDS", "TempDownload", "clean_stale", "temp_download"]

GRACE_SECONDS = 60.0
STALE_SECONDS = 3600.0
PART_PREFIX, PART_SUFFIX, EXTRACT_PREFIX = ".download-", ".zip.part", ".extract-"


@dataclass
class TempDownload:
    """The ``.part`` file (open, locked) and the staging folder of one download."""

    part: Path
    staging: Path
    handle: BinaryIO


def _lock(handle: BinaryIO, blocking: bool) -> bool:
    if fcntl is None:
        return True
    flags = fcntl.LOCK_EX | (0 if blocking else fcntl.LOCK_NB)
    try:
        fcntl.flock(handle.fileno(), flags)
    except OSError:
        return False
    return True


@contextlib.contextmanager
def temp_download(folder: Path) -> Iterator[TempDownload]:
    """A locked ``.part`` file and an empty staging folder in ``folder``; both are gone afterwards,
    however the block ends."""
    token = secrets.token_hex(6)
    part = folder / f"{PART_PREFIX}{token}{PART_SUFFIX}"
    staging = folder / f"{EXTRACT_PREFIX}{token}"
    handle = part.open("xb")
    try:
        _lock(handle, blocking=True)
        staging.mkdir()
        yield TempDownload(part, staging, handle)
    finally:
        handle.close()  # releases the lock
        part.unlink(missing_ok=True)
        shutil.rmtree(staging, ignore_errors=True)


def _age(path: Path, now: float) -> float:
    try:
        return now - path.stat().st_mtime
    except OSError:
        return 0.0


def _part_is_free(part: Path) -> bool:
    """True when no running download holds ``part`` (its lock can be taken right now)."""
    try:
        with part.open("rb") as handle:
            return fcntl is not None and _lock(handle, blocking=False)
    except OSError:
        return False


def _stale(part: Path, items: list[Path], now: float) -> bool:
    oldest = max(_age(item, now) for item in items)
    if part.exists() and fcntl is not None:
        return oldest > GRACE_SECONDS and _part_is_free(part)
    return oldest > STALE_SECONDS


def _token(name: str) -> str | None:
    if name.startswith(PART_PREFIX) and name.endswith(PART_SUFFIX):
        return name[len(PART_PREFIX) : -len(PART_SUFFIX)]
    if name.startswith(EXTRACT_PREFIX):
        return name[len(EXTRACT_PREFIX) :]
    return None


def clean_stale(folder: Path, now: float | None = None) -> list[str]:
    """Remove the temporary files interrupted downloads left in ``folder``; returns their names."""
    if not folder.is_dir():
        return []
    now = time.time() if now is None else now
    by_token: dict[str, list[Path]] = {}
    for item in folder.iterdir():
        token = _token(item.name)
        if token is not None:
            by_token.setdefault(token, []).append(item)
    removed = []
    for token, items in sorted(by_token.items()):
        if not _stale(folder / f"{PART_PREFIX}{token}{PART_SUFFIX}", items, now):
            continue
        for item in items:
            if item.is_dir():
                shutil.rmtree(item, ignore_errors=True)
            else:
                with contextlib.suppress(OSError):
                    os.unlink(item)
            removed.append(item.name)
    return sorted(removed)
