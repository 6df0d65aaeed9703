"""The files of one dataset, in a folder or inside a zip, read with errors that name the place."""

from __future__ import annotations

import zipfile
from pathlib import Path

from recommender.data.movielens import DataError

__all__ = ["DatasetFiles"]

class DatasetFiles:
    """Files of one dataset, in a folder or inside a zip (possibly under a top-level folder)."""

    def __init__(self, location: Path):
        self.location = location
        self._zip: zipfile.ZipFile | None = None
        self._members: dict[str, str] = {}
        if location.is_file():
            try:
                self._zip = zipfile.ZipFile(location)
            except (zipfile.BadZipFile, OSError) as exc:
                raise DataError(f"{location}: not a zip file ({exc}).") from exc
            for member in self._zip.namelist():
                base = member.rsplit("/", 1)[-1]
                if base and base not in self._members:
                    self._members[base] = member
            tops = {m.split("/", 1)[0] for m in self._members.values() if "/" in m}
            self.name = tops.pop() if len(tops) == 1 else location.stem
        elif location.is_dir():
            self.name = location.name
        else:
            raise DataError(f"{location}: no such folder or zip file.")

    def has(self, filename: str) -> bool:
        if self._zip is not None:
            return filename in self._members
        return (self.location / filename).is_file()

    def read_bytes(self, filename: str) -> bytes:
        if not self.has(filename):
            raise DataError(f"{self.describe(filename)}: file is missing.")
        try:
            if self._zip is not None:
                return self._zip.read(self._members[filename])
            return (self.location / filename).read_bytes()
        except (OSError, zipfile.BadZipFile, zipfile.LargeZipFile) as exc:
            raise DataError(f"{self.describe(filename)}: cannot be read ({exc}).") from exc

    def describe(self, filename: str) -> str:
        if self._zip is not None:
            return f"{self.location}!{self._members.get(filename, filename)}"
        return str(self.location / filename)

    def close(self) -> None:
        if self._zip is not None:
            self._zip.close()
