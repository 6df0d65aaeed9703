"""MovieLens data: loading any GroupLens layout, validating, cleaning, filtering and summarising.

The public face of the data layer; every other part of the package imports from here. Anything
wrong with the input raises :class:`DataError` with a message naming the file, the line or column,
and the problem, never a bare pandas traceback.

Modules: :mod:`~.movielens` (the dataset type), :mod:`~.catalog` (every GroupLens dataset: sizes,
counts, scales, checksums, licences), :mod:`~.titles` (search keys, years), :mod:`~.files` and
:mod:`~.parsing` (reading with located errors), :mod:`~.frames` (the four frames),
:mod:`~.layouts` and :mod:`~.classic` (one reader per GroupLens layout), :mod:`~.scale` and
:mod:`~.integrity` (rating scales; what a dataset is and what looked wrong), :mod:`~.transfer`,
:mod:`~.tempfiles` and :mod:`~.download` (verified atomic download), :mod:`~.parquet_cache` (fast
reloads), :mod:`~.loading` (where the data comes from), :mod:`~.upload` (a visitor's own data),
:mod:`~.quality` (checks and cleaning), :mod:`~.filters` (views and their URL codec),
:mod:`~.stats` (per-movie statistics, Bayesian average), :mod:`~.summary` (headline numbers),
:mod:`~.tally` (exact counting over millions of ratings).
"""

from recommender.data.catalog import (
    CATALOG,
    DatasetInfo,
    dataset_info,
    find_dataset,
    known_datasets,
)
from recommender.data.download import (
    ProgressCallback,
    download_dataset,
    download_movielens,
)
from recommender.data.filters import (
    FilterBounds,
    MovieFilters,
    apply_filters,
    filter_bounds,
    make_filters,
    parse_query_params,
    ratings_per_movie,
    to_query_params,
)
from recommender.data.layouts import read_dataset
from recommender.data.loading import (
    dataset_dir,
    load_dataset,
    load_movielens,
    local_copy,
    resolve_source,
)
from recommender.data.movielens import (
    CITATION,
    NO_GENRES,
    RATING_MAX,
    RATING_MIN,
    DataError,
    MovieLens,
)
from recommender.data.quality import (
    CleaningResult,
    QualityReport,
    clean,
    cleaning_changes,
    off_scale_check,
    quality_report,
)
from recommender.data.scale import default_rating, infer_scale, scale_label
from recommender.data.stats import bayesian_average, movie_rating_stats
from recommender.data.summary import DatasetSummary, summarize
from recommender.data.tally import (
    LevelStats,
    count_distinct,
    counts_by_id,
    dense_codes,
    duplicate_pairs,
    grouped_counts,
    level_counts,
    level_stats,
    month_codes,
    rating_levels,
    year_codes,
)
from recommender.data.titles import normalize_title, parse_year, strip_accents
from recommender.data.upload import read_upload

__all__ = [
    "CATALOG",
    "CITATION",
    "NO_GENRES",
    "RATING_MAX",
    "RATING_MIN",
    "CleaningResult",
    "DataError",
    "DatasetInfo",
    "DatasetSummary",
    "FilterBounds",
    "LevelStats",
    "MovieFilters",
    "MovieLens",
    "ProgressCallback",
    "QualityReport",
    "apply_filters",
    "bayesian_average",
    "clean",
    "cleaning_changes",
    "count_distinct",
    "counts_by_id",
    "dataset_dir",
    "dataset_info",
    "default_rating",
    "dense_codes",
    "duplicate_pairs",
    "download_dataset",
    "download_movielens",
    "filter_bounds",
    "find_dataset",
    "grouped_counts",
    "infer_scale",
    "known_datasets",
    "level_counts",
    "level_stats",
    "load_dataset",
    "load_movielens",
    "local_copy",
    "make_filters",
    "month_codes",
    "movie_rating_stats",
    "normalize_title",
    "off_scale_check",
    "parse_query_params",
    "ratings_per_movie",
    "parse_year",
    "quality_report",
    "rating_levels",
    "read_dataset",
    "read_upload",
    "resolve_source",
    "scale_label",
    "strip_accents",
    "summarize",
    "to_query_params",
    "year_codes",
]
