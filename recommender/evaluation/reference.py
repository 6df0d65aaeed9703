"""Reference results shipped with the package: the default grid on ml-latest-small, so that Compare
models shows results at once on a freshly started server (Streamlit Community Cloud's disk does
not survive a reboot, and the grid takes minutes).

The file ``reference/<dataset>-<ratings>.json.gz`` holds, per configuration, what the result store
would hold for the default settings (5 folds, seed 0, fast engine, every user ranked). It is written
by ``benchmarks/reference_results.py`` and checked by ``tests/test_reference_results.py``, which
recomputes configurations and compares every number: the app never shows numbers it cannot
reproduce. A result in the visitor's own results folder always wins over the reference.
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path

from recommender.evaluation.results import ConfigResult, FoldResult, GridSettings
from recommender.models import ModelConfig

__all__ = ["REFERENCE_DIR", "reference_path", "reference_results", "write_reference"]

REFERENCE_DIR = Path(__file__).resolve().parent / "reference"


def reference_path(settings: GridSettings) -> Path:
    return REFERENCE_DIR / f"{settings.dataset_id}.json.gz"


def reference_results(settings: GridSettings) -> dict[str, ConfigResult]:
    """The shipped results for exactly these settings, by configuration key (empty if none)."""
    path = reference_path(settings)
    if not path.is_file():
        return {}
    try:
        with gzip.open(path, "rt", encoding="utf-8") as handle:
            data = json.load(handle)
        if data.get("settings") != settings.to_json():
            return {}
        return {
            key: ConfigResult(ModelConfig.from_key(key), settings.engine,
                              tuple(FoldResult.from_json(f) for f in folds), cached=True)
            for key, folds in data["results"].items()
        }  # fmt: skip
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return {}  # a damaged reference is as good as none: results get computed


def write_reference(settings: GridSettings, results: list[ConfigResult]) -> Path:
    """Write the reference file for ``settings`` from successful ``results``."""
    path = reference_path(settings)
    payload = {
        "settings": settings.to_json(),
        "results": {r.config.key: [f.to_json() for f in r.folds] for r in results if r.ok},
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    with gzip.open(path, "wt", encoding="utf-8", compresslevel=9) as handle:
        json.dump(payload, handle, separators=(",", ":"), allow_nan=False)
    return path
