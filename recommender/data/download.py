"""Verified, atomic download of a MovieLens zip.

The zip streams to a locked temporary file beside its destination while its MD5 and SHA-256 are
computed, and is checked before anything is unpacked:

1. against the MD5 GroupLens publishes beside it (``NAME.zip.md5``, either ``HASH  NAME`` or
   ``MD5 (NAME) = HASH``), when :func:`download_dataset` fetches it;
2. otherwise, for a download from GroupLens itself, against the size, SHA-256 and MD5 pinned in the
   catalogue (only those recorded; if they disagree, the published ``.md5`` is asked as a second
   opinion — the pins may describe an older release of a dataset GroupLens regenerates);
3. otherwise (a mirror that publishes no ``.md5``) it is accepted unverified and the dataset says so
   in its ``warnings``.

It is then unpacked (CRC-checked, never outside its folder) into a temporary folder, validated by
reading it, and only then renamed into place. An interrupted, corrupt or mismatched download, or a
full disk, raises a :class:`DataError` saying which and leaves nothing behind; the temporary files
of a download killed outright are removed at the next start (:mod:`~.tempfiles`).
"""

from __future__ import annotations

import dataclasses
import errno
import io
import json
import os
import time
import zipfile
import zlib
from pathlib import Path

from recommender import settings
from recommender.data.catalog import DatasetInfo, dataset_info, find_dataset
from recommender.data.layouts import read_dataset
from recommender.data.movielens import DataError, MovieLens
from recommender.data.tempfiles import clean_stale, temp_download
from recommender.data.transfer import (
    ProgressCallback,
    check_room,
    copy_stream,
    disk_full,
    download_failed,
    fetch_published_md5,
    stream_url,
)

__all__ = [
    "PROVENANCE_FILE",
    "ProgressCallback",
    "download_dataset",
    "download_movielens",
    "install_zip",
    "provenance_warnings",
]

PROVENANCE_FILE = ".download.json"
"""Written inside a downloaded dataset's folder: where it came from and how it was verified."""


def _official(url: str) -> bool:
    """Pins describe GroupLens's own files: they apply to downloads from GroupLens only."""
    base = settings.DEFAULT_BASE_URL
    return url.startswith(base) or url.startswith(base.replace("https://", "http://", 1))


def _pin_problem(digests, info: DatasetInfo) -> str | None:
    if info.zip_bytes and digests.size != info.zip_bytes:
        return f"size expected {info.zip_bytes:,} bytes, got {digests.size:,}"
    if info.zip_sha256 and digests.sha256.hexdigest() != info.zip_sha256:
        return f"SHA-256 expected {info.zip_sha256}, got {digests.sha256.hexdigest()}"
    if info.zip_md5 and digests.md5.hexdigest() != info.zip_md5:
        return f"MD5 expected {info.zip_md5}, got {digests.md5.hexdigest()}"
    return None


def _mismatch(url: str, problem: str) -> DataError:
    return DataError(
        f"The download of {url} does not match its checksum: {problem}. The file is corrupt, was "
        "cut short or is not the published dataset; nothing was kept. Start again; if it keeps "
        f"happening, fetch the zip by hand and set {settings.ENV_DIR} to it."
    )


def _verify(url: str, digests, info: DatasetInfo | None, md5_url: str | None, ask_first: bool,
            timeout: float) -> str | None:  # fmt: skip
    """How the zip was verified ("MD5 published at …", "pinned …"), None if it could not be;
    a :class:`DataError` when it does not match."""
    zip_name = url.rsplit("/", 1)[-1]
    got = digests.md5.hexdigest()
    if md5_url and ask_first:
        published, _ = fetch_published_md5(md5_url, zip_name, timeout)
        if published is not None:
            if got != published:
                raise _mismatch(
                    url, f"MD5 expected {published} (published at {md5_url}), got {got}"
                )
            return f"MD5 published at {md5_url}"
    if info is None or not _official(url):
        return None
    problem = _pin_problem(digests, info)
    if problem is None:
        return "size and checksums pinned in the catalogue"
    if md5_url and not ask_first:  # the pins may be older than a regenerated dataset
        published, _ = fetch_published_md5(md5_url, zip_name, timeout)
        if published == got:
            return f"MD5 published at {md5_url} (newer than the catalogue's pins)"
    raise _mismatch(url, f"{problem} (pinned in the catalogue)")


def _extract(archive: zipfile.ZipFile, staging: Path, url: str, folder: Path) -> None:
    """Unpack every member under ``staging``, CRC-checked, refusing paths that leave it."""
    members = [m for m in archive.infolist() if not m.is_dir() and "__MACOSX" not in m.filename]
    needed = sum(m.file_size for m in members)
    what = f"unpacking {url.rsplit('/', 1)[-1]}"
    check_room(folder, needed, what)
    root = staging.resolve()
    try:
        for member in members:
            target = (staging / member.filename).resolve()
            if root not in target.parents:
                raise download_failed(
                    url, f"the zip holds a path outside its folder ({member.filename!r})"
                )
            target.parent.mkdir(parents=True, exist_ok=True)
            with archive.open(member) as source, target.open("wb") as out:
                copy_stream(source, out)
    except (zipfile.BadZipFile, zlib.error, EOFError) as exc:
        raise download_failed(url, f"the zip is corrupt ({exc})") from exc
    except OSError as exc:
        if exc.errno == errno.ENOSPC:
            raise disk_full(folder, needed, what) from exc
        raise


def _open_zip(part: Path, url: str, info: DatasetInfo | None) -> tuple[zipfile.ZipFile, str]:
    try:
        archive = zipfile.ZipFile(part)
    except zipfile.BadZipFile as exc:
        raise download_failed(url, f"the file received is not a valid zip ({exc})") from exc
    names = [n for n in archive.namelist() if n.strip("/") and "__MACOSX" not in n]
    tops = {name.split("/", 1)[0] for name in names}
    if len(tops) != 1 or not any("/" in n for n in names):
        archive.close()
        raise download_failed(url, "the zip does not hold exactly one dataset folder")
    top = tops.pop()
    if info is not None and top != info.folder:
        archive.close()
        raise download_failed(url, f"the zip holds the folder {top!r}, not {info.folder!r}")
    return archive, top


def _write_provenance(folder: Path, url: str, digests, verified_by: str | None) -> None:
    record = {
        "url": url, "bytes": digests.size, "md5": digests.md5.hexdigest(),
        "sha256": digests.sha256.hexdigest(), "verified_by": verified_by,
        "downloaded": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }  # fmt: skip
    with (folder / PROVENANCE_FILE).open("wb") as out:
        copy_stream(io.BytesIO(json.dumps(record, indent=1).encode()), out)


def provenance_warnings(folder: Path) -> tuple[str, ...]:
    """A warning when the dataset in ``folder`` was downloaded without any checksum to check."""
    try:
        record = json.loads((folder / PROVENANCE_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return ()
    if not isinstance(record, dict) or record.get("verified_by"):
        return ()
    return (
        f"This copy was downloaded from {record.get('url')} without a published checksum to check "
        "it against (no .md5 beside the zip, and the catalogue's pins are for GroupLens's own "
        "server): only the zip's CRCs and the data itself were checked.",
    )


def install_zip(
    url: str,
    data_dir: Path,
    *,
    info: DatasetInfo | None,
    progress: ProgressCallback | None = None,
    timeout: float = 60.0,
    md5_url: str | None = None,
    ask_md5_first: bool = True,
) -> tuple[Path, MovieLens | None]:
    """Download, verify, unpack, validate and install the zip at ``url`` in ``data_dir``.

    Returns the dataset folder and the dataset read while validating it (None when another process
    installed the same folder first: read that one)."""
    data_dir = Path(data_dir)
    try:
        data_dir.mkdir(parents=True, exist_ok=True)
        clean_stale(data_dir)
        return _install(url, data_dir, info, progress, timeout, md5_url, ask_md5_first)
    except DataError:
        raise
    except OSError as exc:  # a folder we may not write to, a file system that fails
        if exc.errno == errno.ENOSPC:
            raise disk_full(
                data_dir, info.zip_bytes if info else None, f"downloading {url}"
            ) from exc
        raise DataError(
            f"Could not store the MovieLens data in {data_dir}: {exc}. Nothing was kept. Set "
            f"{settings.ENV_DATA_HOME} to a folder you can write to, or point {settings.ENV_DIR} at "
            "a copy on disk."
        ) from exc


def _install(
    url: str,
    data_dir: Path,
    info: DatasetInfo | None,
    progress: ProgressCallback | None,
    timeout: float,
    md5_url: str | None,
    ask_md5_first: bool,
) -> tuple[Path, MovieLens | None]:
    expected = info.zip_bytes if info is not None else None
    with temp_download(data_dir) as tmp:
        digests = stream_url(
            url, tmp.handle, data_dir, progress=progress, timeout=timeout, expected_size=expected
        )
        verified_by = _verify(url, digests, info, md5_url, ask_md5_first, timeout)
        archive, top = _open_zip(tmp.part, url, info)
        with archive:
            _extract(archive, tmp.staging, url, data_dir)
        extracted = tmp.staging / top
        _write_provenance(extracted, url, digests, verified_by)
        ml = read_dataset(extracted)  # validate before it becomes visible
        final = data_dir / top
        try:
            os.replace(extracted, final)
        except OSError:
            if not final.is_dir():
                raise
            return final, None  # another process finished first: keep its copy
    staged = str(extracted)
    warnings = tuple(w.replace(staged, str(final)) for w in ml.warnings)
    warnings += provenance_warnings(final)
    return final, dataclasses.replace(ml, source=str(final), warnings=warnings)


def download_movielens(
    url: str,
    data_dir: Path,
    *,
    progress: ProgressCallback | None = None,
    timeout: float = 60.0,
) -> Path:
    """Download and unpack the zip at ``url`` into ``data_dir``; returns the dataset folder.

    The folder is named after the zip's top-level folder (``ml-latest-small``). If it already exists
    (another process finished first), the existing copy is kept and returned. One request: the
    published ``.md5`` is fetched only when a GroupLens download disagrees with the catalogue's
    pins (:func:`download_dataset` always fetches it first).
    """
    stem = url.rsplit("/", 1)[-1].removesuffix(".zip")
    folder, _ = install_zip(
        url, data_dir, info=find_dataset(stem), progress=progress, timeout=timeout,
        md5_url=url + ".md5", ask_md5_first=False,
    )  # fmt: skip
    return folder


def download_dataset(
    name: str,
    data_dir: Path | None = None,
    *,
    base_url: str | None = None,
    progress: ProgressCallback | None = None,
    timeout: float = 60.0,
) -> tuple[Path, MovieLens | None]:
    """Download the catalogue dataset ``name`` from ``base_url`` (default ``$MOVIELENS_URL`` or
    GroupLens) into ``data_dir`` (default: the data home), checking it against the ``.md5``
    published beside it. Returns its folder and, when freshly read, the dataset."""
    info = dataset_info(name)
    url = settings.dataset_url(info.name, base_url)
    return install_zip(
        url, Path(data_dir) if data_dir else settings.data_home(), info=info, progress=progress,
        timeout=timeout, md5_url=settings.checksum_url(info.name, base_url), ask_md5_first=True,
    )  # fmt: skip
