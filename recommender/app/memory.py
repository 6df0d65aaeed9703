"""How much memory the app needs with a dataset: peaks measured with every page visited.

``benchmarks/page_memory.py`` drives every page (Overview, every Explore tab with and without
filters, Compare models, Recommend while its models are fitted and after) in a fresh process per
dataset and records the peak; :func:`estimated_bytes` interpolates those measurements.
"""

from __future__ import annotations

import math

import numpy as np

from recommender.data import DatasetInfo

__all__ = ["BASE_BYTES", "CLOUD_BYTES", "MEASURED_PEAKS", "estimated_bytes", "gb_label",
           "memory_note"]  # fmt: skip

CLOUD_BYTES = int(2.7e9)
"""Memory of a Streamlit Community Cloud app."""
MEASURED_PEAKS: tuple[tuple[int, int], ...] = (
    (0, int(0.29e9)),  # Streamlit and the package imported, no data
    (100_836, int(0.77e9)),  # ml-latest-small
    (1_000_000, int(0.80e9)),  # synthetic sets shaped like GroupLens': 1M, 10M, 32M ratings
    (10_000_000, int(2.37e9)),
    (32_000_204, int(3.39e9)),
)
"""(ratings, peak bytes) of the app process with every page visited: Overview, every Explore tab
with and without filters, Compare models, Recommend while its models are fitted and after (rate 5,
pick a user); ``benchmarks/page_memory.py`` on a 2-core machine. The synthetic sets are laid out
as GroupLens's files are (each (user, movie) pair once, rows sorted by user then movie). At 10M
ratings the peak is the recommender's fit, at 32M Explore's "One user" tab while that fit runs
beside it."""
BASE_BYTES = MEASURED_PEAKS[0][1]
"""The app process before any dataset."""


def estimated_bytes(n_ratings: int) -> int:
    """Peak memory of the app serving ``n_ratings`` ratings: the measured peaks, linearly
    interpolated (and extended past the largest measurement along its last segment)."""
    ratings, peaks = zip(*MEASURED_PEAKS, strict=True)
    if n_ratings <= ratings[-1]:
        return int(np.interp(n_ratings, ratings, peaks))
    slope = (peaks[-1] - peaks[-2]) / (ratings[-1] - ratings[-2])
    return int(peaks[-1] + slope * (n_ratings - ratings[-1]))


def gb_label(n: int) -> str:
    """Bytes as GB rounded up to the next half GB: a memory need is never understated."""
    return f"{max(0.5, math.ceil(n / 0.5e9) / 2):g} GB"


def memory_note(info: DatasetInfo) -> str:
    """ "needs ~4 GB: run locally" for a dataset that does not fit Streamlit Cloud; else ""."""
    need = estimated_bytes(info.n_ratings)
    return f"needs ~{gb_label(need)}: run locally" if need > CLOUD_BYTES else ""
