"""The Explore page's heaviest queries with pandas (as shipped), DuckDB and Polars, side by side.

    flock /tmp/heavy.lock python benchmarks/explore_engines.py [--data PATH]

On the synthetic ml-32m that ``benchmarks/dataset_load.py --dir /tmp/bench32 --keep`` leaves
behind (default ``--data``), or any MovieLens folder (``--data ../shared/movielens/ml-latest-small``
for a quick correctness check). Every engine reads the dataset's Parquet copy
(``<data>/.parquet/<fingerprint>/``); a folder without one (or a read-only one) gets a copy in the
temporary folder, written by the project's own ``write_cached``.

For each of three movie filters (``genres=Comedy``, ``min_ratings=50``, ``years=1990-1999``) and
five queries (``headline_numbers``, ``monthly_activity``, ``genre_stats``, ``star_kind_by_year``,
``rating_by_release_decade``) it times, per engine, the median of 3 runs after 1 warm-up of
filter + query (a query whose warm-up is slower than ``--slow`` seconds gets 1 timed run):

* ``pandas``: ``apply_filters`` + the function of ``recommender.explore``, on the frames of
  ``read_cached`` (what ``load_movielens`` gives);
* ``duckdb-parquet`` / ``duckdb-memory``: the same filter and query in SQL on an in-memory
  connection, reading the Parquet files (``read_parquet``) / tables created once from them;
* ``polars-lazy`` / ``polars-eager``: the same as a lazy query on ``pl.scan_parquet`` / on frames
  read once with ``pl.read_parquet``.

Each engine runs in its own process (peak RSS: ``VmHWM`` of /proc/self/status; load times are excluded from the
query times and shown apart). Every engine's results are checked against pandas' (counts
exactly, means, std and quantiles within 1e-6; headline numbers against ``summarize`` of the data
and of the view, what ``headline_numbers`` formats). ``--budget`` caps the whole run: an engine
still running when its share is spent is stopped, and its remaining queries are reported as such.
Exits 1 when an engine's results disagree with pandas'.
"""

from __future__ import annotations

import argparse
import os
import pickle
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.proc_memory import peak_mb  # noqa: E402
from recommender.data import NO_GENRES, MovieFilters  # noqa: E402

DEFAULT_DATA = Path("/tmp/bench32/ml-32m-synthetic")
FILTERS: dict[str, MovieFilters] = {
    "genres=Comedy": MovieFilters(genres=("Comedy",)),
    "min_ratings=50": MovieFilters(min_ratings=50),
    "years=1990-1999": MovieFilters(years=(1990, 1999)),
}
QUERIES = (
    "headline_numbers", "monthly_activity", "genre_stats", "star_kind_by_year",
    "rating_by_release_decade",
)  # fmt: skip
ENGINES = ("pandas", "duckdb-parquet", "duckdb-memory", "polars-lazy", "polars-eager")
TOLERANCE = 1e-6
# the columns that identify a row of each result (the rows are compared in this order)
KEYS = {
    "headline_numbers": ["scope"],
    "monthly_activity": ["month"],
    "genre_stats": ["genre"],
    "star_kind_by_year": ["year"],
    "rating_by_release_decade": ["decade"],
}
HEADLINE = ["users", "movies", "rated_movies", "ratings", "tags", "mean_rating",
            "first_rating", "last_rating"]  # fmt: skip

Query = Callable[[str, MovieFilters], pd.DataFrame | Callable[[], pd.DataFrame]]


def _sql_text(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


# --------------------------------------------------------------------------------------------
# pandas: the project's functions, as shipped


def pandas_engine(source: Path, fingerprint: str) -> Query:
    """The Explore functions on the dataset's frames (the Parquet copy, as the app loads it)."""
    from recommender import explore
    from recommender.data import apply_filters, summarize
    from recommender.data.parquet_cache import read_cached

    ml = read_cached(source, fingerprint)
    if ml is None:
        raise SystemExit(f"no Parquet copy {fingerprint} for {source}")

    def headline_reference(view: Any) -> pd.DataFrame:
        rows = []
        for scope, data in (("all_data", ml), ("view", view)):
            s = summarize(data)
            rows.append({"scope": scope, "users": s.users, "movies": s.movies,
                         "rated_movies": s.rated_movies, "ratings": s.ratings, "tags": s.tags,
                         "mean_rating": s.mean_rating, "first_rating": s.first_rating,
                         "last_rating": s.last_rating})  # fmt: skip
        return pd.DataFrame(rows)

    def run(query: str, filters: MovieFilters) -> pd.DataFrame | Callable[[], pd.DataFrame]:
        view = apply_filters(ml, filters)
        if query == "headline_numbers":
            explore.headline_numbers(ml, view)  # timed as shipped; checked through summarize
            return lambda: headline_reference(view)  # computed after the timing
        return getattr(explore, query)(view)

    return run


# --------------------------------------------------------------------------------------------
# DuckDB: SQL on the Parquet files, or on tables created from them


def _duck_view(filters: MovieFilters, src: dict[str, str]) -> str:
    """CTEs ``kept`` (the movies the filters keep: movieId, genres, year) and ``vr`` (their
    ratings), with the semantics of ``MovieFilters.mask``."""
    conditions, counts = [], ""
    if filters.genres:
        wanted = ", ".join(_sql_text(g) for g in filters.genres)
        conditions.append(
            "list_has_any(CASE WHEN coalesce(len(m.genres), 0) = 0 "
            f"THEN [{_sql_text(NO_GENRES)}] ELSE m.genres END, [{wanted}])"
        )
    if filters.years is not None:
        conditions.append(f"m.year BETWEEN {int(filters.years[0])} AND {int(filters.years[1])}")
    if filters.min_ratings > 0:
        counts = (f"LEFT JOIN (SELECT movieId, count(*) AS n FROM {src['ratings']} "
                  "GROUP BY movieId) c ON c.movieId = m.movieId")  # fmt: skip
        conditions.append(f"coalesce(c.n, 0) >= {int(filters.min_ratings)}")
    where = " AND ".join(conditions) or "TRUE"
    return f"""
        kept AS (SELECT m.movieId, m.genres, m.year FROM {src["movies"]} m {counts}
                 WHERE {where}),
        vr AS (SELECT * FROM {src["ratings"]} WHERE movieId IN (SELECT movieId FROM kept))"""


def _duck_sql(query: str, filters: MovieFilters, src: dict[str, str]) -> str:
    view = _duck_view(filters, src)
    no_genres = _sql_text(NO_GENRES)
    if query == "headline_numbers":
        stats = ("count(DISTINCT userId) AS users, count(DISTINCT movieId) AS rated_movies, "
                 "count(*) AS ratings, avg(rating::DOUBLE) AS mean_rating, "
                 "min(timestamp) AS first_rating, max(timestamp) AS last_rating")  # fmt: skip
        return f"""
        WITH {view}
        SELECT 'all_data' AS scope, {stats}, (SELECT count(*) FROM {src["movies"]}) AS movies,
               (SELECT count(*) FROM {src["tags"]}) AS tags
        FROM {src["ratings"]}
        UNION ALL
        SELECT 'view', {stats}, (SELECT count(*) FROM kept),
               (SELECT count(*) FROM {src["tags"]} WHERE movieId IN (SELECT movieId FROM kept))
        FROM vr"""
    if query == "monthly_activity":
        return f"""
        WITH {view},
        m AS (SELECT date_trunc('month', timestamp::TIMESTAMP) AS month, count(*) AS ratings,
                     count(DISTINCT userId) AS active_users, avg(rating::DOUBLE) AS mean_rating
              FROM vr GROUP BY 1),
        span AS (SELECT unnest(generate_series(min(month), max(month), INTERVAL 1 MONTH)) AS month
                 FROM m)
        SELECT span.month, coalesce(m.ratings, 0) AS ratings,
               coalesce(m.active_users, 0) AS active_users, m.mean_rating
        FROM span LEFT JOIN m ON m.month = span.month ORDER BY span.month"""
    if query == "genre_stats":
        return f"""
        WITH {view},
        pairs AS (SELECT movieId, unnest(CASE WHEN coalesce(len(genres), 0) = 0
                                         THEN [{no_genres}] ELSE genres END) AS genre FROM kept),
        per_genre AS (SELECT genre, count(*) AS movies FROM pairs GROUP BY genre),
        rated AS MATERIALIZED (SELECT p.genre, r.rating::DOUBLE AS rating
                               FROM vr r JOIN pairs p ON p.movieId = r.movieId),
        stats AS (SELECT genre, count(*) AS ratings, avg(rating) AS mean_rating,
                         stddev_samp(rating) AS std_rating, quantile_cont(rating, 0.25) AS q1,
                         quantile_cont(rating, 0.5) AS median, quantile_cont(rating, 0.75) AS q3
                  FROM rated GROUP BY genre),
        whiskers AS (SELECT r.genre, min(r.rating) AS lower_whisker,
                            max(r.rating) AS upper_whisker
                     FROM rated r JOIN stats s ON s.genre = r.genre
                     WHERE r.rating BETWEEN s.q1 - 1.5 * (s.q3 - s.q1)
                                        AND s.q3 + 1.5 * (s.q3 - s.q1)
                     GROUP BY r.genre)
        SELECT g.genre, g.movies, coalesce(s.ratings, 0) AS ratings, s.mean_rating, s.std_rating,
               s.q1, s.median, s.q3, w.lower_whisker, w.upper_whisker
        FROM per_genre g LEFT JOIN stats s ON s.genre = g.genre
                         LEFT JOIN whiskers w ON w.genre = g.genre
        ORDER BY ratings DESC, g.movies DESC, g.genre"""
    if query == "star_kind_by_year":
        return f"""
        WITH {view},
        y AS (SELECT year(timestamp) AS year, count(*) AS ratings,
                     count(*) FILTER (WHERE rating::DOUBLE % 1 <> 0) AS half_star
              FROM vr GROUP BY 1)
        SELECT year, ratings, ratings - half_star AS whole_star, half_star,
               half_star / ratings AS half_star_share
        FROM y ORDER BY year"""
    if query == "rating_by_release_decade":
        return f"""
        WITH {view},
        d AS (SELECT (k.year // 10) * 10 AS decade, count(DISTINCT r.movieId) AS movies,
                     count(*) AS ratings, avg(r.rating::DOUBLE) AS mean_rating
              FROM vr r JOIN kept k ON k.movieId = r.movieId
              WHERE k.year IS NOT NULL GROUP BY 1)
        SELECT decade, decade::VARCHAR || 's' AS decade_label, movies, ratings, mean_rating
        FROM d ORDER BY decade"""
    raise ValueError(query)


def duckdb_engine(folder: Path, in_memory: bool) -> tuple[Query, float]:
    """Queries on a fresh in-memory connection; with ``in_memory``, on tables loaded first (the
    load's seconds are returned)."""
    import duckdb

    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    files = {name: _sql_text(str(folder / f"{name}.parquet")) for name in ("ratings", "movies",
                                                                              "tags")}  # fmt: skip
    columns = {"ratings": "*", "movies": "movieId, genres, year", "tags": "movieId"}
    src = {name: f"read_parquet({path})" for name, path in files.items()}
    load = 0.0
    if in_memory:
        t0 = time.perf_counter()
        for name, path in files.items():
            con.execute(f"CREATE TABLE {name} AS SELECT {columns[name]} FROM read_parquet({path})")
        load = time.perf_counter() - t0
        src = {name: name for name in files}

    def run(query: str, filters: MovieFilters) -> pd.DataFrame:
        return con.execute(_duck_sql(query, filters, src)).df()

    return run, load


# --------------------------------------------------------------------------------------------
# Polars: lazy queries on scan_parquet, or on frames read once


def _polars_view(filters: MovieFilters, src: dict[str, Any]) -> tuple[Any, Any]:
    """``(kept, view_ratings)`` lazy frames, with the semantics of ``MovieFilters.mask``."""
    import polars as pl

    kept = src["movies"]
    if filters.genres:
        genres = pl.col("genres")
        any_wanted = genres.list.eval(pl.element().is_in(list(filters.genres))).list.any()
        no_genres_kept = NO_GENRES in filters.genres
        kept = kept.filter(
            pl.when(genres.list.len().fill_null(0) == 0)
            .then(pl.lit(no_genres_kept))
            .otherwise(any_wanted)
        )
    if filters.years is not None:
        kept = kept.filter(pl.col("year").is_between(*filters.years))
    if filters.min_ratings > 0:
        counts = src["ratings"].group_by("movieId").agg(n=pl.len())
        kept = kept.join(counts, on="movieId", how="left").filter(
            pl.col("n").fill_null(0) >= filters.min_ratings
        )
    ratings = src["ratings"].join(kept.select("movieId"), on="movieId", how="semi")
    return kept, ratings


def _polars_query(query: str, filters: MovieFilters, src: dict[str, Any]) -> Any:
    import polars as pl

    kept, vr = _polars_view(filters, src)
    rating = pl.col("rating").cast(pl.Float64)
    if query == "headline_numbers":

        def stats(ratings: Any, movies: Any, tags: Any, scope: str) -> Any:
            numbers = ratings.select(
                users=pl.col("userId").n_unique().cast(pl.Int64),
                rated_movies=pl.col("movieId").n_unique().cast(pl.Int64),
                ratings=pl.len().cast(pl.Int64),
                mean_rating=rating.mean(),
                first_rating=pl.col("timestamp").min(),
                last_rating=pl.col("timestamp").max(),
            )
            return pl.concat(
                [numbers, movies.select(movies=pl.len().cast(pl.Int64)),
                 tags.select(tags=pl.len().cast(pl.Int64))],
                how="horizontal",
            ).with_columns(scope=pl.lit(scope))  # fmt: skip

        view_tags = src["tags"].join(kept.select("movieId"), on="movieId", how="semi")
        return pl.concat(
            [stats(src["ratings"], src["movies"], src["tags"], "all_data"),
             stats(vr, kept, view_tags, "view")]
        )  # fmt: skip
    if query == "monthly_activity":
        month = pl.col("timestamp").dt.replace_time_zone(None).dt.truncate("1mo").alias("month")
        per_month = vr.group_by(month).agg(
            ratings=pl.len().cast(pl.Int64),
            active_users=pl.col("userId").n_unique().cast(pl.Int64),
            mean_rating=rating.mean(),
        )
        return per_month.sort("month")  # the empty months are added by _fill_months
    if query == "genre_stats":
        genres = pl.col("genres")
        pairs = kept.select(
            "movieId",
            genre=pl.when(genres.list.len().fill_null(0) == 0)
            .then(pl.lit([NO_GENRES]))
            .otherwise(genres),
        ).explode("genre")
        per_genre = pairs.group_by("genre").agg(movies=pl.len().cast(pl.Int64))
        rated = vr.select("movieId", rating=rating).join(pairs, on="movieId")
        r = pl.col("rating")
        q1, q3 = r.quantile(0.25, "linear"), r.quantile(0.75, "linear")
        inside = r.filter((r >= q1 - 1.5 * (q3 - q1)) & (r <= q3 + 1.5 * (q3 - q1)))
        stats = rated.group_by("genre").agg(
            ratings=pl.len().cast(pl.Int64), mean_rating=r.mean(), std_rating=r.std(ddof=1),
            q1=q1, median=r.median(), q3=q3,
            lower_whisker=inside.min(), upper_whisker=inside.max(),
        )  # fmt: skip
        return (
            per_genre.join(stats, on="genre", how="left")
            .with_columns(pl.col("ratings").fill_null(0))
            .sort(["ratings", "movies", "genre"], descending=[True, True, False])
        )
    if query == "star_kind_by_year":
        return (
            vr.group_by(year=pl.col("timestamp").dt.year())
            .agg(ratings=pl.len().cast(pl.Int64), half_star=((rating % 1) != 0).sum())
            .with_columns(
                whole_star=pl.col("ratings") - pl.col("half_star"),
                half_star_share=pl.col("half_star") / pl.col("ratings"),
            )
            .select("year", "ratings", "whole_star", "half_star", "half_star_share")
            .sort("year")
        )
    if query == "rating_by_release_decade":
        return (
            vr.select("movieId", rating=rating)
            .join(
                kept.filter(pl.col("year").is_not_null()).select("movieId", "year"), on="movieId"
            )  # fmt: skip
            .group_by(decade=(pl.col("year").cast(pl.Int64) // 10) * 10)
            .agg(
                movies=pl.col("movieId").n_unique().cast(pl.Int64),
                ratings=pl.len().cast(pl.Int64),
                mean_rating=pl.col("rating").mean(),
            )
            .with_columns(decade_label=pl.col("decade").cast(pl.String) + "s")
            .select("decade", "decade_label", "movies", "ratings", "mean_rating")
            .sort("decade")
        )
    raise ValueError(query)


def _fill_months(per_month: Any) -> Any:
    """Monthly activity with the months without ratings (0 ratings and users, no mean)."""
    import polars as pl

    if per_month.is_empty():
        return per_month
    return per_month.upsample("month", every="1mo").with_columns(
        pl.col("ratings", "active_users").fill_null(0)
    )


def polars_engine(folder: Path, eager: bool) -> tuple[Query, float]:
    """Lazy queries on ``scan_parquet``; with ``eager``, on frames read first (the read's seconds
    are returned)."""
    import polars as pl

    columns = {"ratings": None, "movies": ["movieId", "genres", "year"], "tags": ["movieId"]}
    load = 0.0
    if eager:
        t0 = time.perf_counter()
        frames = {
            n: pl.read_parquet(folder / f"{n}.parquet", columns=c) for n, c in columns.items()
        }
        load = time.perf_counter() - t0

        def sources() -> dict[str, Any]:
            return {name: frame.lazy() for name, frame in frames.items()}
    else:

        def sources() -> dict[str, Any]:
            scans = {n: pl.scan_parquet(folder / f"{n}.parquet") for n in columns}
            return {n: scan.select(columns[n]) if columns[n] else scan for n, scan in scans.items()}

    def run(query: str, filters: MovieFilters) -> pd.DataFrame:
        frame = _polars_query(query, filters, sources()).collect()
        return (_fill_months(frame) if query == "monthly_activity" else frame).to_pandas()

    return run, load


# --------------------------------------------------------------------------------------------
# One engine, in its own process


def _timed(run: Query, query: str, filters: MovieFilters) -> tuple[float, pd.DataFrame]:
    t0 = time.perf_counter()
    result = run(query, filters)
    return time.perf_counter() - t0, result


def run_engine(args: argparse.Namespace) -> None:
    """Time every (filter, query) on one engine; append one pickled record each to ``--out``."""
    baseline = peak_mb()
    folder = args.source / ".parquet" / args.fingerprint
    with open(args.out, "ab") as out:

        def emit(record: dict[str, Any]) -> None:
            pickle.dump(record | {"peak_mb": peak_mb()}, out)
            out.flush()

        t0 = time.perf_counter()
        if args.engine == "pandas":
            run, load = pandas_engine(args.source, args.fingerprint), time.perf_counter() - t0
        elif args.engine.startswith("duckdb"):
            run, load = duckdb_engine(folder, in_memory=args.engine == "duckdb-memory")
        else:
            run, load = polars_engine(folder, eager=args.engine == "polars-eager")
        emit({"kind": "load", "seconds": load, "baseline_mb": baseline})
        for label in args.filters:
            for query in args.queries:
                record: dict[str, Any] = {
                    "kind": "query",
                    "engine": args.engine,
                    "filter": label,
                    "query": query,
                }
                try:
                    times, result = [], None
                    for _ in range(args.warmup):
                        warm, result = _timed(run, query, FILTERS[label])
                        times.append(warm)
                    runs = 1 if times and max(times) > args.slow else args.runs
                    timed = [_timed(run, query, FILTERS[label]) for _ in range(runs)]
                    result = timed[-1][1]
                    if callable(result):
                        result = result()
                    record |= {"times": [t for t, _ in timed], "result": pd.DataFrame(result)}
                except Exception as error:  # reported with the table, loudly
                    record["error"] = f"{type(error).__name__}: {error}"
                emit(record)
        emit({"kind": "done"})


def _read_records(path: Path) -> list[dict[str, Any]]:
    records = []
    with open(path, "rb") as stream:
        while True:
            try:
                records.append(pickle.load(stream))
            except (EOFError, pickle.UnpicklingError):
                return records


def spawn_engine(
    engine: str, source: Path, fingerprint: str, args: argparse.Namespace, timeout: float
) -> dict[str, Any]:
    """Run one engine in a fresh Python process; its records, complete or not."""
    with tempfile.NamedTemporaryFile(prefix=f"engines-{engine}-", suffix=".pkl") as tmp:
        command = [
            sys.executable, __file__, "--engine", engine, "--out", tmp.name,
            "--source", str(source), "--fingerprint", fingerprint,
            "--filters", *args.filters, "--queries", *args.queries,
            "--runs", str(args.runs), "--warmup", str(args.warmup), "--slow", str(args.slow),
        ]  # fmt: skip
        t0 = time.perf_counter()
        status = "ok"
        try:
            done = subprocess.run(command, capture_output=True, text=True, timeout=timeout)
            if done.returncode:
                status = f"exit {done.returncode}: {done.stderr.strip()[-2000:]}"
        except subprocess.TimeoutExpired:
            status = f"stopped after {timeout:.0f} s (--budget)"
        wall = time.perf_counter() - t0
        records = _read_records(Path(tmp.name))
    result: dict[str, Any] = {"status": status, "wall": wall, "queries": {}, "peak_mb": None}
    for record in records:
        result["peak_mb"] = record["peak_mb"]
        if record["kind"] == "load":
            result["load"], result["baseline_mb"] = record["seconds"], record["baseline_mb"]
        elif record["kind"] == "query":
            result["queries"][record["filter"], record["query"]] = record
        else:
            result["finished"] = True
    return result


# --------------------------------------------------------------------------------------------
# Results: agreement with pandas


def _canonical(frame: pd.DataFrame, query: str) -> pd.DataFrame:
    """Rows in key order, datetimes as tz-naive UTC nanoseconds, numbers as int64 / float64."""
    frame = frame.copy()
    for column in frame.columns:
        values = frame[column]
        if isinstance(values.dtype, pd.DatetimeTZDtype):
            frame[column] = values.dt.tz_convert("UTC").dt.tz_localize(None)
        elif values.dtype == object and len(values) and isinstance(values.iloc[0], pd.Timestamp):
            frame[column] = pd.to_datetime(values, utc=True).dt.tz_localize(None)
        if pd.api.types.is_datetime64_any_dtype(frame[column]):
            frame[column] = frame[column].astype("datetime64[ns]")
        elif pd.api.types.is_bool_dtype(frame[column]):
            continue
        elif pd.api.types.is_integer_dtype(frame[column]):
            frame[column] = frame[column].astype(np.int64)
        elif pd.api.types.is_float_dtype(frame[column]):
            frame[column] = frame[column].astype(np.float64)
        elif not pd.api.types.is_numeric_dtype(frame[column]):
            frame[column] = frame[column].astype(str)
    return frame.sort_values(KEYS[query], kind="stable").reset_index(drop=True)


def compare(reference: pd.DataFrame, other: pd.DataFrame, query: str) -> list[str]:
    """What differs between pandas' result and another engine's (empty: they agree)."""
    ref, got = _canonical(reference, query), _canonical(other, query)
    missing = [c for c in ref.columns if c not in got.columns]
    if missing:
        return [f"missing columns {missing}"]
    if len(ref) != len(got):
        return [f"{len(got)} rows instead of {len(ref)}"]
    problems = []
    for column in ref.columns:
        a, b = ref[column], got[column]
        if pd.api.types.is_integer_dtype(a):  # counts: exactly equal
            bad = ~np.equal(a.to_numpy(np.float64), pd.to_numeric(b).to_numpy(np.float64))
            kind = "count"
        elif pd.api.types.is_float_dtype(a) and pd.api.types.is_numeric_dtype(b):
            x, y = a.to_numpy(np.float64), b.to_numpy(np.float64)
            bad = ~np.isclose(x, y, rtol=0.0, atol=TOLERANCE, equal_nan=True)
            kind = "value"
        else:
            same = (a.astype(str) == b.astype(str)) | (a.isna() & b.isna())
            bad = ~same.to_numpy()
            kind = "value"
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            key = ", ".join(f"{k}={ref[k].iloc[i]}" for k in KEYS[query])
            detail = f"{kind} {column}: {int(bad.sum())} row(s) differ, e.g. {key}: "
            detail += f"pandas {a.iloc[i]!r} vs {b.iloc[i]!r}"
            if kind == "value" and pd.api.types.is_float_dtype(a):
                gap = np.nanmax(np.abs(a.to_numpy(np.float64) - b.to_numpy(np.float64)))
                detail += f" (max |diff| {gap:.3g})"
            problems.append(detail)
    return problems


# --------------------------------------------------------------------------------------------
# The dataset's Parquet copy


def parquet_source(data: Path) -> tuple[Path, str]:
    """``(source, fingerprint)`` with the copy in ``source/.parquet/<fingerprint>/``: the dataset's
    own, else one written (once) under the temporary folder."""
    from recommender.data import read_dataset
    from recommender.data.files import DatasetFiles
    from recommender.data.parquet_cache import cache_root, write_cached

    files = DatasetFiles(data)
    try:
        fingerprint = files.fingerprint()
    finally:
        files.close()
    if (cache_root(data) / fingerprint / "meta.json").is_file():
        return data, fingerprint
    scratch = Path(tempfile.gettempdir()) / "explore-engines" / f"{data.name}-{fingerprint}"
    if not (cache_root(scratch) / fingerprint / "meta.json").is_file():
        print(f"no Parquet copy in {data}: reading the CSV, writing one under {scratch}")
        scratch.mkdir(parents=True, exist_ok=True)
        ml = read_dataset(data)
        if ml.fingerprint != fingerprint or not write_cached(ml, scratch):
            raise SystemExit(f"could not write a Parquet copy of {data} under {scratch}")
    return scratch, fingerprint


# --------------------------------------------------------------------------------------------
# Report


def _versions() -> str:
    import duckdb
    import polars as pl
    import pyarrow as pa

    return (f"Python {platform.python_version()}, pandas {pd.__version__}, numpy {np.__version__}, "
            f"pyarrow {pa.__version__}, duckdb {duckdb.__version__}, polars {pl.__version__}; "
            f"{os.cpu_count()} CPUs, default threads (polars pool {pl.thread_pool_size()})")  # fmt: skip


def _median(record: dict[str, Any] | None) -> float | None:
    if record is None or "times" not in record:
        return None
    return statistics.median(record["times"])


def _cell(record: dict[str, Any] | None, base: float | None, width: int) -> str:
    seconds = _median(record)
    if seconds is None:
        text = "error" if record and "error" in record else "not run"
        return f"{text:>{width}}"
    mark = "*" if len(record["times"]) < 3 else " "
    ratio = f"{seconds / base:.3g}×" if base and record.get("engine") != "pandas" else ""
    return f"{seconds:>8.3f}{mark}{ratio:>{width - 9}}"


def print_report(engines: list[str], results: dict[str, dict[str, Any]], args: argparse.Namespace,
                 ) -> int:  # fmt: skip
    """The timing table, memory, and the agreement check; 1 when an engine disagrees."""
    pandas_q = results.get("pandas", {}).get("queries", {})
    width = 18
    head = f"{'filter':<17}{'query':<26}" + "".join(f"{e:>{width}}" for e in engines)
    print(f"\nmedian seconds of {args.runs} runs after {args.warmup} warm-up "
          f"(* fewer runs: warm-up > {args.slow:g} s); × = engine time / pandas time "
          "(< 1: faster than pandas)")  # fmt: skip
    print(head)
    print("-" * len(head))
    totals = dict.fromkeys(engines, 0.0)
    complete = dict.fromkeys(engines, True)
    for label in args.filters:
        for query in args.queries:
            base = _median(pandas_q.get((label, query)))
            row = f"{label:<17}{query:<26}"
            for engine in engines:
                record = results[engine]["queries"].get((label, query))
                row += _cell(record, base, width)
                seconds = _median(record)
                totals[engine] += seconds or 0.0
                complete[engine] &= seconds is not None
            print(row)
    print("-" * len(head))
    base_total = totals.get("pandas") if "pandas" in engines else None
    row = f"{'all queries (sum of medians)':<43}"
    for engine in engines:
        ratio = f"{totals[engine] / base_total:.3g}×" if base_total and engine != "pandas" else ""
        mark = " " if complete[engine] else "+"
        row += f"{totals[engine]:>8.2f}{mark}{ratio:>{width - 9}}"
    print(row)
    print(
        f"{'load, excluded above (s)':<43}"
        + "".join(f"{results[e].get('load', float('nan')):>{width}.2f}" for e in engines)
    )
    print(
        f"{'peak RSS (MB)':<43}"
        + "".join(f"{results[e]['peak_mb'] or float('nan'):>{width},.0f}" for e in engines)
    )
    print(f"{'  of which after imports (MB)':<43}"
          + "".join(f"{results[e].get('baseline_mb', float('nan')):>{width},.0f}"
                    for e in engines))  # fmt: skip
    print(f"{'process wall time (s)':<43}"
          + "".join(f"{results[e]['wall']:>{width}.1f}" for e in engines))  # fmt: skip
    print("(+: some queries did not finish; pandas' load is read_cached, the others load only "
          "the columns the queries use)")  # fmt: skip
    for engine in engines:
        if results[engine]["status"] != "ok":
            print(f"!!! {engine}: {results[engine]['status']}")
        for (label, query), record in results[engine]["queries"].items():
            if "error" in record:
                print(f"!!! {engine} {label} {query}: {record['error']}")
    return check_agreement(engines, results, args)


def check_agreement(engines: list[str], results: dict[str, dict[str, Any]],
                    args: argparse.Namespace) -> int:  # fmt: skip
    """Print whether every engine's results agree with pandas'; 1 when one does not."""
    pandas_q = results.get("pandas", {}).get("queries", {})
    print(f"\nagreement with pandas (counts exact; other numbers within {TOLERANCE:g}; "
          "rows matched by key):")  # fmt: skip
    if not pandas_q:
        print("  no pandas results to compare with")
        return 0
    failures = []
    for engine in (e for e in engines if e != "pandas"):
        agree = checked = 0
        for label in args.filters:
            for query in args.queries:
                ref = pandas_q.get((label, query), {}).get("result")
                got = results[engine]["queries"].get((label, query), {}).get("result")
                if ref is None or got is None:
                    continue
                checked += 1
                problems = compare(ref, got, query)
                if problems:
                    failures.extend(f"{engine} | {label} | {query}: {p}" for p in problems)
                else:
                    agree += 1
        total = len(args.filters) * len(args.queries)
        verdict = "all agree" if agree == checked == total else "DISAGREE" if agree < checked \
            else "agree (not all compared)"  # fmt: skip
        print(f"  {engine:<16}{agree}/{checked} results agree ({total} expected): {verdict}")
    for failure in failures:
        print(f"!!! MISMATCH {failure}")
    if failures:
        print(f"!!! {len(failures)} disagreement(s) with pandas")
    sizes = [(label, pandas_q[label, "headline_numbers"]["result"]) for label in args.filters
             if "result" in pandas_q.get((label, "headline_numbers"), {})]  # fmt: skip
    for label, frame in sizes:
        view = frame.set_index("scope").loc["view"]
        print(f"  view {label}: {view['ratings']:,} ratings, {view['movies']:,} movies, "
              f"{view['users']:,} users")  # fmt: skip
    return 1 if failures else 0


def _engines(names: str) -> list[str]:
    chosen = []
    for name in names.split(","):
        name = name.strip()
        matches = [e for e in ENGINES if e == name or e.startswith(name + "-")]
        if not matches:
            raise argparse.ArgumentTypeError(f"unknown engine {name!r} (one of {ENGINES})")
        chosen += [m for m in matches if m not in chosen]
    return [e for e in ENGINES if e in chosen]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="a MovieLens folder")
    parser.add_argument("--engines", type=_engines, default=list(ENGINES),
                        help="comma-separated: pandas, duckdb, polars, or a variant such as "
                        "duckdb-memory (default: all)")  # fmt: skip
    parser.add_argument("--filters", nargs="+", choices=list(FILTERS), default=list(FILTERS))
    parser.add_argument("--queries", nargs="+", choices=QUERIES, default=list(QUERIES))
    parser.add_argument("--runs", type=int, default=3, help="timed runs per query")
    parser.add_argument("--warmup", type=int, default=1, help="untimed runs first")
    parser.add_argument("--slow", type=float, default=20.0,
                        help="a warm-up slower than this (s) gets 1 timed run")  # fmt: skip
    parser.add_argument("--budget", type=float, default=900.0,
                        help="seconds for the whole run; each engine is stopped when its share "
                        "is spent (60 s kept for every engine still to run)")  # fmt: skip
    for hidden in ("--engine", "--out", "--source", "--fingerprint"):
        parser.add_argument(hidden, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.engine:
        args.source = Path(args.source)
        run_engine(args)
        return 0

    start = time.perf_counter()
    print(_versions())
    source, fingerprint = parquet_source(args.data.expanduser())
    folder = source / ".parquet" / fingerprint
    import pyarrow.parquet as pq

    n_ratings = pq.ParquetFile(folder / "ratings.parquet").metadata.num_rows
    n_movies = pq.ParquetFile(folder / "movies.parquet").metadata.num_rows
    print(f"data: {args.data} ({n_ratings:,} ratings, {n_movies:,} movies), "
          f"Parquet copy {folder}")  # fmt: skip
    results = {}
    for i, engine in enumerate(args.engines):
        left = args.budget - (time.perf_counter() - start) - 60 * (len(args.engines) - i - 1)
        print(f"{engine}: running (up to {max(left, 60):.0f} s) …", flush=True)
        results[engine] = spawn_engine(engine, source, fingerprint, args, max(left, 60))
        print(f"{engine}: {results[engine]['status']} in {results[engine]['wall']:.1f} s",
              flush=True)  # fmt: skip
    status = print_report(args.engines, results, args)
    print(f"\ntotal {time.perf_counter() - start:.0f} s")
    return status


if __name__ == "__main__":
    sys.exit(main())
