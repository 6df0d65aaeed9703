"""Moving bytes: streaming a download to disk while hashing it, fetching and parsing the ``.md5``
GroupLens publishes beside each zip, and turning a full disk into a :class:`DataError` that says how
much room is needed. Every byte written to disk goes through :func:`_write_chunk` (tests make it
raise ``OSError(ENOSPC)`` to play a full disk).
"""

from __future__ import annotations

import errno
import hashlib
import re
import shutil
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

from recommender.data.movielens import DataError
from recommender.settings import ENV_DATA_HOME, ENV_DIR

__all__ = [
    "CHUNK_BYTES",
    "check_room",
    "Digests",
    "ProgressCallback",
    "copy_stream",
    "disk_full",
    "download_failed",
    "fetch_published_md5",
    "human_bytes",
    "parse_md5",
    "stream_url",
]

ProgressCallback = Callable[[int, int | None], None]
"""``progress(bytes_done, bytes_total or None)``, called as a download streams (the app shows the
bytes and, from the time between calls, an ETA)."""

CHUNK_BYTES = 1 << 16
MD5_MAX_BYTES = 4096
_MD5_LINE = re.compile(r"^([0-9a-fA-F]{32})(?:\s+\*?(\S.*?))?\s*$")  # "HASH  NAME" (md5sum)
_MD5_BSD = re.compile(r"^MD5\s*\((.+)\)\s*=\s*([0-9a-fA-F]{32})\s*$")  # "MD5 (NAME) = HASH"


@dataclass
class Digests:
    """MD5 and SHA-256 of everything written, computed as it streams."""

    md5: Any = field(default_factory=hashlib.md5)
    sha256: Any = field(default_factory=hashlib.sha256)
    size: int = 0

    def update(self, chunk: bytes) -> None:
        self.md5.update(chunk)
        self.sha256.update(chunk)
        self.size += len(chunk)


def _write_chunk(out: BinaryIO, chunk: bytes) -> None:
    """The one place bytes reach the disk (download and extraction)."""
    out.write(chunk)


def human_bytes(n: int) -> str:
    """ "812 bytes", "1.2 kB", "262.0 MB", "1.1 GB" (powers of 1000, as download sizes are given)."""
    if n < 1000:
        return f"{n:,} bytes"
    for unit, size in (("GB", 1e9), ("MB", 1e6), ("kB", 1e3)):
        if n >= size:
            return f"{n / size:,.1f} {unit}"
    return f"{n:,} bytes"  # pragma: no cover


def disk_full(folder: Path, needed: int | None, what: str) -> DataError:
    """The message for ENOSPC: where, how much is needed, how much is free, what to do."""
    try:
        free = shutil.disk_usage(folder).free
    except OSError:
        free = None
    need = f"about {human_bytes(needed)} free" if needed else "more free space"
    have = f"; only {human_bytes(free)} are free" if free is not None else ""
    return DataError(
        f"The disk is full: {what} in {folder} needs {need}{have}. Nothing was kept. Free some "
        f"space, or set {ENV_DATA_HOME} to a folder on a disk with room, and start again."
    )


def download_failed(url: str, problem: str) -> DataError:
    return DataError(
        f"Could not download the MovieLens data from {url}: {problem}. "
        f"Check the network connection and start again, or point the app at a copy on disk by "
        f"setting {ENV_DIR}=/path/to/ml-latest-small (a folder or the zip)."
    )


def copy_stream(
    source: BinaryIO, out: BinaryIO, on_chunk: Callable[[bytes], None] | None = None
) -> int:
    """Copy ``source`` to ``out`` chunk by chunk; returns the bytes copied."""
    done = 0
    while chunk := source.read(CHUNK_BYTES):
        _write_chunk(out, chunk)
        done += len(chunk)
        if on_chunk is not None:
            on_chunk(chunk)
    return done


def stream_url(
    url: str,
    out: BinaryIO,
    folder: Path,
    *,
    progress: ProgressCallback | None,
    timeout: float,
    expected_size: int | None = None,
) -> Digests:
    """Stream ``url`` into the open file ``out`` (in ``folder``), hashing as it goes. Raises a
    :class:`DataError` naming the URL for HTTP errors, an unreachable server and a connection
    closed early, and one saying how much room is needed for a full disk."""
    digests = Digests()
    total: int | None = None
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            length = response.headers.get("Content-Length")
            total = int(length) if length and length.isdigit() else None
            check_room(folder, total or expected_size)
            if progress:
                progress(0, total)

            def advance(chunk: bytes) -> None:
                digests.update(chunk)
                if progress:
                    progress(digests.size, total)

            copy_stream(response, out, advance)
            out.flush()
            if total is not None and digests.size != total:
                raise download_failed(
                    url, f"the connection closed after {digests.size:,} of {total:,} bytes"
                )
    except DataError:
        raise
    except urllib.error.HTTPError as exc:
        raise download_failed(url, f"the server answered HTTP {exc.code} {exc.reason}") from exc
    except urllib.error.URLError as exc:
        raise download_failed(url, f"{exc.reason}") from exc
    except OSError as exc:
        if exc.errno == errno.ENOSPC:
            raise disk_full(folder, total or expected_size, f"downloading {url}") from exc
        raise download_failed(url, f"{type(exc).__name__}: {exc}") from exc
    except ValueError as exc:  # http.client.IncompleteRead, bad URLs
        raise download_failed(url, f"{type(exc).__name__}: {exc}") from exc
    return digests


def check_room(folder: Path, needed: int | None, what: str = "the download") -> None:
    """Refuse before writing a byte when ``needed`` bytes cannot fit in ``folder``."""
    if not needed:
        return
    try:
        free = shutil.disk_usage(folder).free
    except OSError:
        return
    if free < needed:
        raise disk_full(folder, needed, what)


def parse_md5(text: str, zip_name: str) -> str | None:
    """The MD5 in a ``.md5`` file, in either form GroupLens has used: ``HASH  NAME`` (md5sum) or
    ``MD5 (NAME) = HASH`` (BSD md5). None when the text holds no such line, or names another file.
    """
    for line in text.splitlines():
        line = line.strip()
        bsd = _MD5_BSD.match(line)
        plain = _MD5_LINE.match(line)
        if bsd:
            name, digest = bsd.group(1).strip(), bsd.group(2)
        elif plain:
            digest, name = plain.group(1), (plain.group(2) or "").strip()
        else:
            continue
        if name and Path(name).name != zip_name:
            return None
        return digest.lower()
    return None


def fetch_published_md5(url: str, zip_name: str, timeout: float) -> tuple[str | None, str]:
    """``(md5, note)``: the MD5 published at ``url`` (``NAME.zip.md5``), or None with the reason it
    could not be used (not published, unreachable, not an MD5 file)."""
    try:
        with urllib.request.urlopen(url, timeout=min(timeout, 15.0)) as response:
            text = response.read(MD5_MAX_BYTES).decode("utf-8", errors="replace")
    except urllib.error.HTTPError as exc:
        return None, f"{url} answered HTTP {exc.code}"
    except (urllib.error.URLError, OSError, ValueError) as exc:
        return None, f"{url} could not be fetched ({exc})"
    digest = parse_md5(text, zip_name)
    if digest is None:
        return None, f"{url} holds no MD5 for {zip_name}"
    return digest, url
