"""Atomic, streaming download of a MovieLens zip.

The zip streams to a temporary file beside its destination, is checked for integrity, extracted to a
temporary folder, validated by reading it, and only then renamed into place. An interrupted or
corrupt download never leaves a half dataset behind; the next start simply retries.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import urllib.error
import urllib.request
import zipfile
from collections.abc import Callable
from pathlib import Path

from recommender.data.layouts import read_dataset
from recommender.data.movielens import DataError
from recommender.settings import ENV_DIR

__all__ = ["ProgressCallback", "download_movielens"]

ProgressCallback = Callable[[int, int | None], None]
"""``progress(bytes_done, bytes_total or None)``, called as a download streams."""

CHUNK_BYTES = 1 << 16


def _fail(url: str, problem: str) -> DataError:
    return DataError(
        f"Could not download the MovieLens data from {url}: {problem}. "
        f"Check the network connection and start again, or point the app at a copy on disk by "
        f"setting {ENV_DIR}=/path/to/ml-latest-small (a folder or the zip)."
    )


def _stream_to(url: str, target: Path, progress: ProgressCallback | None, timeout: float) -> None:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response, target.open("wb") as out:
            length = response.headers.get("Content-Length")
            total = int(length) if length and length.isdigit() else None
            done = 0
            if progress:
                progress(0, total)
            while chunk := response.read(CHUNK_BYTES):
                out.write(chunk)
                done += len(chunk)
                if progress:
                    progress(done, total)
            if total is not None and done != total:
                raise _fail(url, f"the connection closed after {done:,} of {total:,} bytes")
    except DataError:
        raise
    except urllib.error.HTTPError as exc:
        raise _fail(url, f"the server answered HTTP {exc.code} {exc.reason}") from exc
    except urllib.error.URLError as exc:
        raise _fail(url, f"{exc.reason}") from exc
    except (OSError, ValueError) as exc:  # http.client.IncompleteRead, timeouts, resets
        raise _fail(url, f"{type(exc).__name__}: {exc}") from exc


def download_movielens(
    url: str,
    data_dir: Path,
    *,
    progress: ProgressCallback | None = None,
    timeout: float = 60.0,
) -> Path:
    """Download and unpack the zip at ``url`` into ``data_dir``; returns the dataset folder.

    The folder is named after the zip's top-level folder (``ml-latest-small``). If it already exists
    (another process finished first), the existing copy is kept and returned.
    """
    data_dir = Path(data_dir)
    data_dir.mkdir(parents=True, exist_ok=True)
    fd, part_name = tempfile.mkstemp(prefix=".download-", suffix=".zip.part", dir=data_dir)
    os.close(fd)
    part = Path(part_name)
    staging = Path(tempfile.mkdtemp(prefix=".extract-", dir=data_dir))
    try:
        _stream_to(url, part, progress, timeout)
        try:
            with zipfile.ZipFile(part) as archive:
                broken = archive.testzip()
                if broken is not None:
                    raise _fail(url, f"the zip is corrupt (bad CRC in {broken})")
                tops = {name.split("/", 1)[0] for name in archive.namelist() if name.strip("/")}
                if len(tops) != 1:
                    raise _fail(url, "the zip does not hold exactly one dataset folder")
                archive.extractall(staging)
        except zipfile.BadZipFile as exc:
            raise _fail(url, f"the file received is not a valid zip ({exc})") from exc
        name = tops.pop()
        extracted = staging / name
        read_dataset(extracted)  # validate before it becomes visible
        final = data_dir / name
        try:
            os.replace(extracted, final)
        except OSError:
            if not (final / "ratings.csv").is_file():
                raise
        return final
    finally:
        part.unlink(missing_ok=True)
        shutil.rmtree(staging, ignore_errors=True)
