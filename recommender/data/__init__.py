"""MovieLens data: loading any GroupLens layout, validating, cleaning, filtering and summarising.

The public face of the data layer; every other part of the package imports from here. Anything
wrong with the input raises :class:`DataError` with a message naming the file, the line or column,
and the problem, never a bare pandas traceback.

Modules: :mod:`~.movielens` (the dataset type), :mod:`~.titles` (search keys, years),
:mod:`~.files` and :mod:`~.parsing` (reading with located errors), :mod:`~.layouts` (one reader per
GroupLens layout), :mod:`~.download` (atomic download), :mod:`~.loading` (where the data comes
from), :mod:`~.quality` (checks and cleaning), :mod:`~.filters` (views and their URL codec),
:mod:`~.stats` (per-movie statistics, Bayesian average), :mod:`~.summary` (headline numbers).
"""

from recommender.data.download import ProgressCallback, download_movielens
from recommender.data.filters import (
    FilterBounds,
    MovieFilters,
    apply_filters,
    filter_bounds,
    make_filters,
    parse_query_params,
    to_query_params,
)
from recommender.data.layouts import read_dataset
from recommender.data.loading import dataset_dir, load_movielens, resolve_source
from recommender.data.movielens import (
    CITATION,
    NO_GENRES,
    RATING_MAX,
    RATING_MIN,
    DataError,
    MovieLens,
)
from recommender.data.quality import CleaningResult, QualityReport, clean, quality_report
from recommender.data.stats import bayesian_average, movie_rating_stats
from recommender.data.summary import DatasetSummary, summarize
from recommender.data.titles import normalize_title, parse_year, strip_accents

__all__ = [
    "CITATION",
    "NO_GENRES",
    "RATING_MAX",
    "RATING_MIN",
    "CleaningResult",
    "DataError",
    "DatasetSummary",
    "FilterBounds",
    "MovieFilters",
    "MovieLens",
    "ProgressCallback",
    "QualityReport",
    "apply_filters",
    "bayesian_average",
    "clean",
    "dataset_dir",
    "download_movielens",
    "filter_bounds",
    "load_movielens",
    "make_filters",
    "movie_rating_stats",
    "normalize_title",
    "parse_query_params",
    "parse_year",
    "quality_report",
    "read_dataset",
    "resolve_source",
    "strip_accents",
    "summarize",
    "to_query_params",
]
