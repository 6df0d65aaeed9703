"""The files of one dataset, in a folder, inside a zip or in memory (an upload), read with errors
that name the place."""

from __future__ import annotations

import hashlib
import io
import zipfile
from collections.abc import Mapping
from pathlib import Path

from recommender.data.movielens import DataError

__all__ = ["DATA_FILES", "DatasetFiles"]

_HASH_CHUNK = 1 << 20
DATA_FILES = (
    "ratings.csv", "movies.csv", "tags.csv", "links.csv",
    "u.data", "u.item", "u.genre", "ratings.dat", "movies.dat", "tags.dat",
)  # fmt: skip
"""Every file a layout reader reads: what a dataset's fingerprint covers."""


def _sample(path: Path, digest: hashlib.blake2b) -> None:
    """Size, modification time and the first and last MiB of a file: a fast, strong-enough
    stand-in for hashing gigabytes (any edit changes the size, the time or a sampled byte)."""
    stat = path.stat()
    digest.update(f"{path.name}:{stat.st_size}:{stat.st_mtime_ns};".encode())
    with path.open("rb") as handle:
        digest.update(handle.read(_HASH_CHUNK))
        if stat.st_size > 2 * _HASH_CHUNK:
            handle.seek(-_HASH_CHUNK, 2)
            digest.update(handle.read(_HASH_CHUNK))


class DatasetFiles:
    """Files of one dataset, in a folder or inside a zip (possibly under a top-level folder).

    ``DatasetFiles.in_memory(name, {filename: bytes})`` wraps uploaded files the same way; a zip
    given as bytes is opened in memory. Files are found by their base name.
    """

    def __init__(self, location: Path, *, archive: zipfile.ZipFile | None = None):
        self.location = location
        self._zip: zipfile.ZipFile | None = archive
        self._memory: dict[str, bytes] | None = None
        self._members: dict[str, str] = {}
        if archive is None and location.is_file():
            try:
                self._zip = zipfile.ZipFile(location)
            except (zipfile.BadZipFile, OSError) as exc:
                raise DataError(f"{location}: not a zip file ({exc}).") from exc
        if self._zip is not None:
            self._index_zip(location)
        elif location.is_dir():
            self.name = location.name
        else:
            raise DataError(f"{location}: no such folder or zip file.")

    def _index_zip(self, location: Path) -> None:
        assert self._zip is not None
        for member in self._zip.namelist():
            base = member.rsplit("/", 1)[-1]
            if base and base not in self._members and "__MACOSX" not in member:
                self._members[base] = member
        tops = {m.split("/", 1)[0] for m in self._members.values() if "/" in m}
        self.name = tops.pop() if len(tops) == 1 else location.stem

    @classmethod
    def in_memory(cls, name: str, files: Mapping[str, bytes]) -> DatasetFiles:
        """Uploaded files by name (``ratings.csv`` …), or one zip's bytes under any name."""
        if len(files) == 1 and next(iter(files)).lower().endswith(".zip"):
            filename, data = next(iter(files.items()))
            try:
                archive = zipfile.ZipFile(io.BytesIO(data))
            except zipfile.BadZipFile as exc:
                raise DataError(f"{filename}: not a zip file ({exc}).") from exc
            return cls(Path(filename), archive=archive)
        self = cls.__new__(cls)
        self.location, self._zip, self._members = Path(name), None, {}
        self._memory = {Path(k).name: bytes(v) for k, v in files.items()}
        self.name = name
        return self

    def has(self, filename: str) -> bool:
        if self._memory is not None:
            return filename in self._memory
        if self._zip is not None:
            return filename in self._members
        return (self.location / filename).is_file()

    def path_of(self, filename: str) -> Path | None:
        """The file on disk, when the dataset is a folder (readers can then stream it)."""
        if self._memory is None and self._zip is None and self.has(filename):
            return self.location / filename
        return None

    def size(self, filename: str) -> int:
        """Size in bytes (uncompressed, inside a zip)."""
        if self._memory is not None:
            return len(self._memory[filename])
        if self._zip is not None:
            return self._zip.getinfo(self._members[filename]).file_size
        return (self.location / filename).stat().st_size

    def read_bytes(self, filename: str) -> bytes:
        if not self.has(filename):
            raise DataError(f"{self.describe(filename)}: file is missing.")
        try:
            if self._memory is not None:
                return self._memory[filename]
            if self._zip is not None:
                return self._zip.read(self._members[filename])
            return (self.location / filename).read_bytes()
        except (OSError, zipfile.BadZipFile, zipfile.LargeZipFile) as exc:
            raise DataError(f"{self.describe(filename)}: cannot be read ({exc}).") from exc

    def sha256(self, filename: str) -> str:
        """SHA-256 of the file's bytes, streamed (a large file is never held in memory)."""
        digest = hashlib.sha256()
        try:
            if self._memory is not None:
                digest.update(self._memory[filename])
                return digest.hexdigest()
            if self._zip is not None:
                handle = self._zip.open(self._members[filename])
            else:
                handle = (self.location / filename).open("rb")
            with handle:
                while chunk := handle.read(_HASH_CHUNK):
                    digest.update(chunk)
        except (OSError, zipfile.BadZipFile) as exc:
            raise DataError(f"{self.describe(filename)}: cannot be read ({exc}).") from exc
        return digest.hexdigest()

    def fingerprint(self) -> str:
        """16 hex digits identifying these exact files: size + mtime + sampled bytes of each data
        file (of the zip, for a zip); the full contents for files in memory."""
        try:
            return self._fingerprint()
        except (OSError, zipfile.BadZipFile):
            return ""  # unknown: no Parquet copy, and the key falls back to name, place, size

    def _fingerprint(self) -> str:
        digest = hashlib.blake2b(digest_size=8)
        if self._memory is not None:
            for name in sorted(self._memory):
                digest.update(name.encode() + b"\0" + self._memory[name])
        elif self._zip is not None and self.location.is_file():
            _sample(self.location, digest)
        elif self._zip is not None:  # a zip held in memory
            for info in sorted(self._zip.infolist(), key=lambda i: i.filename):
                digest.update(f"{info.filename}:{info.file_size}:{info.CRC};".encode())
        else:
            for name in DATA_FILES:
                if self.has(name):
                    _sample(self.location / name, digest)
        return digest.hexdigest()

    def describe(self, filename: str) -> str:
        if self._memory is not None:
            return filename
        if self._zip is not None:
            return f"{self.location}!{self._members.get(filename, filename)}"
        return str(self.location / filename)

    def close(self) -> None:
        if self._zip is not None:
            self._zip.close()
