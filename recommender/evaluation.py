"""Cross-validated comparison of model configurations on the same seeded folds, with a disk cache.

Every configuration of a grid is fitted and tested on *the same* K folds: Surprise's
``KFold(n_splits=K, random_state=seed, shuffle=True)`` over the ratings, so the figures reproduce
Surprise's own cross-validation (e.g. KNNBaseline, item-based, pearson_baseline: RMSE 0.8525 on
``KFold(n_splits=5, random_state=0)`` of ml-latest-small). Each fold's trainset and testset are
built once and reused by every configuration.

Per configuration and fold it records RMSE, MAE, fit and test time, and the top-5 ranking metrics
of :mod:`recommender.metrics` (candidates = the training fold's movies the user has not rated there;
relevant = test ratings ≥ 4.0).

Results are cached one JSON file per dataset × settings × configuration under ``data/results/``
(or ``$RECOMMENDER_RESULTS_DIR``, or the ``results_dir`` argument), written atomically; a corrupt
file is ignored with a warning. Failed configurations are reported, never cached.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import os
import sys
import tempfile
import time
import traceback
import warnings
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field, fields
from datetime import UTC, datetime
from itertools import product
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from recommender import metrics
from recommender.data import DEFAULT_DATA_DIR, RATING_MAX, RATING_MIN
from recommender.models import (
    BASELINE_ALGORITHMS,
    KNN_ALGORITHMS,
    SIMILARITIES,
    Engine,
    ModelConfig,
)

ENV_RESULTS_DIR = "RECOMMENDER_RESULTS_DIR"
DEFAULT_RESULTS_DIR = DEFAULT_DATA_DIR / "results"
SCHEMA_VERSION = 1
# Bump when the meaning of a stored number changes (metric definitions, fold construction).
PROTOCOL = "kfold-surprise/top5-train-unrated/relevant>=4.0/v1"
DEFAULT_FOLDS = 5
DEFAULT_SEED = 0
USER_BATCH = 1024  # users scored at once when ranking: 1024 × ~9.7k items × 8 B ≈ 80 MB
# The KNN engine scores every item for a whole block of users in one compiled pass
# (``score_users_shared``: the four algorithms with one similarity share the similarity rows and
# the top-k selection), so by default the top-5 metrics rank every training user of each fold.
# ``None`` (or "all") ranks every user, N a seeded sample of N users per fold, 0 nobody.
# The page-facing default is the string "all" (a value of the Compare models page's slider).
RANKING_ALL = "all"
TOP_N_ROWS = 128  # rows of a score block ranked at once (metrics.top_n copies its input)
DEFAULT_RANKING_USERS: int | str | None = RANKING_ALL


def ranking_users_value(n: int | str | None) -> int | None:
    """``"all"`` -> None (every user), otherwise the number (None: every user, 0: no ranking)."""
    if n is None or (isinstance(n, str) and n.lower() == RANKING_ALL):
        return None
    return int(n)


METRIC_NAMES: dict[str, str] = {
    "rmse": "RMSE",
    "mae": "MAE",
    "precision": "Precision@5",
    "recall": "Recall@5",
    "ndcg": "NDCG@5",
    "hit_rate": "Hit rate@5",
    "coverage": "Catalog coverage",
    "mean_popularity": "Mean popularity",
    "fit_seconds": "Fit time (s)",
    "total_seconds": "Fit + test time (s)",
    "test_seconds": "Test time (s)",
    "rank_seconds": "Ranking time (s)",
}
LOWER_IS_BETTER = {"rmse", "mae", "fit_seconds", "test_seconds", "total_seconds", "rank_seconds"}
# Higher coverage and lower popularity are "more diverse", not better (a random model has the
# widest coverage): no winner is highlighted.
NO_WINNER = {"coverage", "mean_popularity"}


# --------------------------------------------------------------------------------------------
# Grids


def knn_grid(
    algorithms: Iterable[str] = KNN_ALGORITHMS,
    similarities: Iterable[str] = SIMILARITIES,
    user_based: Iterable[bool] = (True, False),
    ks: Iterable[int] = (40,),
    min_ks: Iterable[int] = (1,),
) -> list[ModelConfig]:
    """Every combination of the given KNN settings (combinations with min_k > k are skipped)."""
    return [
        ModelConfig(algorithm, similarity, ub, k, min_k)
        for algorithm, similarity, ub, k, min_k in product(
            algorithms, similarities, user_based, ks, min_ks
        )
        if min_k <= k
    ]


def baseline_configs(algorithms: Iterable[str] = BASELINE_ALGORITHMS) -> list[ModelConfig]:
    return [ModelConfig(algorithm) for algorithm in algorithms]


# User-based KNN and two baselines: seconds per fold on ml-latest-small (item-based KNN is slower).
QUICK_PRESET: tuple[ModelConfig, ...] = (
    ModelConfig("KNNBaseline", "pearson_baseline", user_based=True),
    ModelConfig("KNNWithMeans", "msd", user_based=True),
    ModelConfig("KNNBasic", "cosine", user_based=True),
    ModelConfig("BaselineOnly"),
    ModelConfig("NormalPredictor"),
)


def preset(name: str) -> list[ModelConfig]:
    """Configurations of a named preset: ``quick`` or ``all`` (32 KNN + 3 baselines)."""
    if name == "quick":
        return list(QUICK_PRESET)
    if name in ("all", "all KNN"):
        return knn_grid() + baseline_configs()
    raise ValueError(f"Unknown preset {name!r}; choose 'quick' or 'all'.")


# --------------------------------------------------------------------------------------------
# Folds


@dataclass(frozen=True)
class Fold:
    """One train/test split with what ranking needs, built once and shared by every model.

    Item indices are Surprise inner ids of the trainset. Treat as read-only.
    """

    index: int
    trainset: Any
    testset: list[tuple]
    popularity: np.ndarray  # training ratings per item
    item_ids: np.ndarray  # raw movieId per item (tie-break)
    relevant: list[np.ndarray]  # per training user: relevant item indices (test rating ≥ 4.0)
    seed: int = DEFAULT_SEED

    @property
    def n_items(self) -> int:
        return self.trainset.n_items

    def ranking_users(self, n: int | str | None) -> np.ndarray:
        """Inner ids of the users to rank: all (None / "all"), or a seeded sample of ``n`` (same
        for every model)."""
        n = ranking_users_value(n)
        everyone = np.arange(self.trainset.n_users)
        if n is None or n >= everyone.size:
            return everyone
        rng = np.random.default_rng([self.seed, self.index])
        return np.sort(rng.choice(everyone, size=n, replace=False))

    def inner_items(self, raw_ids: np.ndarray) -> np.ndarray:
        """Inner ids of raw movie ids that are in the training fold."""
        order = np.argsort(self.item_ids, kind="stable")
        return order[np.searchsorted(self.item_ids, raw_ids, sorter=order)]


def make_folds(
    ratings: pd.DataFrame, n_folds: int = DEFAULT_FOLDS, seed: int = DEFAULT_SEED
) -> list[Fold]:
    """Surprise's ``KFold(n_splits, random_state=seed, shuffle=True)`` over ``ratings``."""
    from surprise import Dataset, Reader
    from surprise.model_selection import KFold

    if not 2 <= n_folds <= len(ratings):
        raise ValueError(f"Need between 2 and {len(ratings)} folds, got {n_folds}.")
    frame = ratings[["userId", "movieId", "rating"]]
    data = Dataset.load_from_df(frame, Reader(rating_scale=(RATING_MIN, RATING_MAX)))
    splitter = KFold(n_splits=n_folds, random_state=seed, shuffle=True)
    return [
        _fold(index, trainset, testset, seed)
        for index, (trainset, testset) in enumerate(splitter.split(data))
    ]


def _fold(index: int, trainset: Any, testset: list[tuple], seed: int) -> Fold:
    popularity = np.array([len(trainset.ir[i]) for i in range(trainset.n_items)], dtype=np.int64)
    item_ids = np.array([trainset.to_raw_iid(i) for i in range(trainset.n_items)], dtype=np.int64)
    relevant: list[list[int]] = [[] for _ in range(trainset.n_users)]
    rated = [{i for i, _ in trainset.ur[u]} for u in range(trainset.n_users)]
    for raw_user, raw_item, rating in testset:
        if rating < metrics.RELEVANCE_THRESHOLD:
            continue
        if not (trainset.knows_user(u := _inner(trainset.to_inner_uid, raw_user))):
            continue
        i = _inner(trainset.to_inner_iid, raw_item)
        if trainset.knows_item(i) and i not in rated[u]:
            relevant[u].append(i)
    return Fold(
        index=index,
        trainset=trainset,
        testset=testset,
        popularity=popularity,
        item_ids=item_ids,
        relevant=[np.array(sorted(r), dtype=np.int64) for r in relevant],
        seed=seed,
    )


def _inner(convert: Callable[[Any], int], raw: Any) -> int:
    try:
        return convert(raw)
    except ValueError:
        return -1  # unknown: knows_user / knows_item say False


# --------------------------------------------------------------------------------------------
# Results


@dataclass(frozen=True)
class FoldResult:
    """One configuration on one fold."""

    fold: int
    rmse: float
    mae: float
    fit_seconds: float
    test_seconds: float
    rank_seconds: float = math.nan
    precision: float = math.nan
    recall: float = math.nan
    ndcg: float = math.nan
    hit_rate: float = math.nan
    coverage: float = math.nan
    mean_popularity: float = math.nan
    users_evaluated: int = 0

    @property
    def total_seconds(self) -> float:
        """Fit + test time (ranking excluded: it depends on how many users are ranked)."""
        return self.fit_seconds + self.test_seconds

    def to_json(self) -> dict[str, Any]:
        return {
            k: (None if isinstance(v, float) and math.isnan(v) else v)
            for k, v in asdict(self).items()
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> FoldResult:
        names = {f.name for f in fields(cls)}
        return cls(**{k: (math.nan if v is None else v) for k, v in data.items() if k in names})


@dataclass(frozen=True)
class ConfigResult:
    """One configuration over every fold, or the error that stopped it."""

    config: ModelConfig
    engine: str
    folds: tuple[FoldResult, ...] = ()
    error: str | None = None
    cached: bool = False

    @property
    def ok(self) -> bool:
        return self.error is None and bool(self.folds)

    def values(self, metric: str) -> np.ndarray:
        return np.array([getattr(f, metric) for f in self.folds], dtype=float)

    def mean(self, metric: str) -> float:
        values = self.values(metric)
        return float(np.mean(values)) if values.size and not np.isnan(values).all() else math.nan

    def std(self, metric: str) -> float:
        values = self.values(metric)
        return float(np.std(values)) if values.size and not np.isnan(values).all() else math.nan


@dataclass(frozen=True)
class GridSettings:
    """What a cached result depends on besides the configuration."""

    dataset: str
    n_ratings: int
    n_folds: int = DEFAULT_FOLDS
    seed: int = DEFAULT_SEED
    engine: str = "fast"
    ranking_users: int | None = None  # None: every user

    @property
    def dataset_id(self) -> str:
        return f"{self.dataset}-{self.n_ratings}"

    @property
    def folder(self) -> str:
        ranked = "all" if self.ranking_users is None else self.ranking_users
        return f"{self.engine}-folds{self.n_folds}-seed{self.seed}-rank{ranked}"


@dataclass
class GridResult:
    settings: GridSettings
    results: list[ConfigResult] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def n_cached(self) -> int:
        return sum(r.cached for r in self.results)

    @property
    def failed(self) -> list[ConfigResult]:
        return [r for r in self.results if not r.ok]


@dataclass(frozen=True)
class Progress:
    """Where a grid run is: ``done`` of ``total`` configuration × fold steps."""

    done: int
    total: int
    elapsed: float
    remaining: float | None  # seconds, estimated from the steps computed so far
    current: str


ProgressCallback = Callable[[Progress], None]


# --------------------------------------------------------------------------------------------
# Disk cache


def results_dir(directory: str | os.PathLike[str] | None = None) -> Path:
    """``directory`` > ``$RECOMMENDER_RESULTS_DIR`` > ``data/results``."""
    if directory is not None:
        return Path(directory)
    env = os.environ.get(ENV_RESULTS_DIR)
    return Path(env) if env else DEFAULT_RESULTS_DIR


def cache_path(settings: GridSettings, config: ModelConfig, directory: Path) -> Path:
    return directory / settings.dataset_id / settings.folder / f"{config.key}.json"


_memory: dict[Path, tuple[float, ConfigResult]] = {}


def load_result(
    settings: GridSettings, config: ModelConfig, directory: Path
) -> ConfigResult | None:
    """The cached result, or None if absent, stale or corrupt (warned, then ignored)."""
    path = cache_path(settings, config, directory)
    try:
        mtime = path.stat().st_mtime
    except OSError:
        return None
    hit = _memory.get(path)
    if hit is not None and hit[0] == mtime:
        return hit[1]
    result = _read_result(path, settings, config)
    if result is not None:
        _memory[path] = (mtime, result)
    return result


def _read_result(path: Path, settings: GridSettings, config: ModelConfig) -> ConfigResult | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if data.get("schema") != SCHEMA_VERSION or data.get("protocol") != PROTOCOL:
            return None  # written by another version: recompute
        if data["key"] != config.key or data["settings"] != asdict(settings):
            raise ValueError("it belongs to another configuration or settings")
        folds = tuple(FoldResult.from_json(f) for f in data["folds"])
        if len(folds) != settings.n_folds:
            raise ValueError(f"it holds {len(folds)} folds, expected {settings.n_folds}")
    except (OSError, ValueError, KeyError, TypeError) as error:
        warnings.warn(f"Ignoring corrupt result cache file {path}: {error}", stacklevel=2)
        return None
    return ConfigResult(config=config, engine=settings.engine, folds=folds, cached=True)


def save_result(settings: GridSettings, result: ConfigResult, directory: Path) -> Path:
    """Write one successful result atomically (temp file + ``os.replace``)."""
    if not result.ok:
        raise ValueError("Only successful results are cached.")
    path = cache_path(settings, result.config, directory)
    path.parent.mkdir(parents=True, exist_ok=True)
    _ignore_in_git(directory)
    payload = {
        "schema": SCHEMA_VERSION,
        "protocol": PROTOCOL,
        "key": result.config.key,
        "config": result.config.to_dict(),
        "settings": asdict(settings),
        "computed_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "folds": [f.to_json() for f in result.folds],
    }
    with tempfile.NamedTemporaryFile(
        "w", encoding="utf-8", dir=path.parent, prefix=f".{path.stem}.", suffix=".tmp", delete=False
    ) as handle:
        json.dump(payload, handle, indent=1, allow_nan=False)
    os.replace(handle.name, path)
    _memory.pop(path, None)
    return path


def _ignore_in_git(directory: Path) -> None:
    """Results are recomputable: keep them out of git wherever the directory is."""
    marker = directory / ".gitignore"
    if not marker.exists():
        with contextlib.suppress(OSError):
            marker.write_text("*\n", encoding="utf-8")


def cached_results(
    settings: GridSettings,
    configs: Sequence[ModelConfig],
    directory: str | os.PathLike[str] | None = None,
) -> list[ConfigResult]:
    """The cached results among ``configs`` (in their order), without computing anything."""
    folder = results_dir(directory)
    found = (load_result(settings, c, folder) for c in configs)
    return [r for r in found if r is not None]


def all_cached_results(
    settings: GridSettings, directory: str | os.PathLike[str] | None = None
) -> list[ConfigResult]:
    """Every cached result of these settings, whatever the configuration (sorted by key)."""
    folder = results_dir(directory) / settings.dataset_id / settings.folder
    configs = []
    for path in sorted(folder.glob("*.json")):
        try:
            configs.append(ModelConfig.from_key(path.stem))
        except ValueError:
            continue
    return cached_results(settings, configs, directory)


def best_cached_config(
    dataset_name: str,
    n_ratings: int | None = None,
    directory: str | os.PathLike[str] | None = None,
) -> ModelConfig | None:
    """The KNN configuration with the lowest mean RMSE in the cache for this dataset, or None.

    Looks at every cached engine / folds / seed of ``dataset_name`` (of size ``n_ratings`` if
    given); when several settings were run, the one with the most KNN configurations is used, so
    the winner was compared against the widest field on the same folds.
    """
    root = results_dir(directory)
    if not root.is_dir():
        return None
    best_field: tuple[int, float, str] | None = None
    winner: ModelConfig | None = None
    for dataset_dir in root.iterdir():
        name, _, size = dataset_dir.name.rpartition("-")
        if name != dataset_name or not size.isdigit():
            continue
        if n_ratings is not None and int(size) != n_ratings:
            continue
        for settings_dir in (d for d in dataset_dir.iterdir() if d.is_dir()):
            settings = _settings_from_folder(name, int(size), settings_dir.name)
            if settings is None:
                continue
            knn = [r for r in all_cached_results(settings, root) if r.config.is_knn and r.ok]
            scored = [
                (r.mean("rmse"), r.config.key, r) for r in knn if not math.isnan(r.mean("rmse"))
            ]
            if not scored:
                continue
            rmse, key, result = min(scored)
            rank = (-len(scored), rmse, key)
            if best_field is None or rank < best_field:
                best_field, winner = rank, result.config
    return winner


def _settings_from_folder(dataset: str, n_ratings: int, folder: str) -> GridSettings | None:
    try:
        engine, folds, seed, ranked = folder.split("-")
        if not (
            folds.startswith("folds") and seed.startswith("seed") and ranked.startswith("rank")
        ):
            return None
        users = None if ranked == "rankall" else int(ranked[4:])
        return GridSettings(dataset, n_ratings, int(folds[5:]), int(seed[4:]), engine, users)
    except ValueError:
        return None


# --------------------------------------------------------------------------------------------
# Running one configuration


def user_scores(algo: Any, fold: Fold, users: np.ndarray) -> np.ndarray | None:
    """Unclipped estimates of every training item for ``users`` (inner ids; NaN where the model
    gives none), or None if the model has no vectorised way to produce them."""
    import surprise

    trainset = algo.trainset
    if hasattr(algo, "score_users"):  # the project's KNN engine: compiled, rated items NaN
        return algo.score_users(np.asarray(users, dtype=np.int64), inner=True)
    mu = trainset.global_mean
    if type(algo) is surprise.BaselineOnly:
        return mu + algo.bu[users][:, None] + algo.bi[None, :]
    if type(algo) is surprise.SVD:
        scores = algo.pu[users] @ algo.qi.T
        if algo.biased:
            scores += mu + algo.bu[users][:, None] + algo.bi[None, :]
        return scores
    if type(algo) is surprise.NormalPredictor:
        # Its estimates are independent normal draws: draw them from a seeded generator.
        rng = np.random.default_rng([int(users[0]), trainset.n_items])
        return rng.normal(mu, algo.sigma, size=(len(users), trainset.n_items))
    return None


def rank_fold(
    algo: Any,
    fold: Fold,
    n_users: int | str | None = DEFAULT_RANKING_USERS,
    n: int = metrics.TOP_N,
) -> metrics.RankingMetrics | None:
    """Top-``n`` ranking metrics of a fitted model on ``fold`` for ``n_users`` sampled users
    (None or "all": every user); None if the model cannot score in bulk."""
    return _rank_many([algo], fold, n_users, n)[0]


def _rank_many(
    algos: Sequence[Any], fold: Fold, n_users: int | str | None, n: int = metrics.TOP_N
) -> list[metrics.RankingMetrics | None]:
    """:func:`rank_fold` for several fitted models; KNN models sharing a similarity share the
    neighbour computation (:func:`recommender.knn.score_users_shared`)."""
    from recommender.knn import _SymmetricKNN, iter_score_blocks

    trainset = fold.trainset
    ranked_users = fold.ranking_users(n_users)
    tops: list[list[np.ndarray] | None] = [[] for _ in algos]
    knn = [m for m, a in enumerate(algos) if isinstance(a, _SymmetricKNN)]
    for start in range(0, len(ranked_users), USER_BATCH):
        users = ranked_users[start : start + USER_BATCH]
        excluded = np.zeros((len(users), fold.n_items), dtype=bool)
        for row, u in enumerate(users):
            excluded[row, [i for i, _ in trainset.ur[int(u)]]] = True
        # KNN models: compiled, shared neighbours, block by block (rated items are NaN)
        for g, first, scores in iter_score_blocks([algos[m] for m in knn], users):
            for r0 in range(0, scores.shape[0], TOP_N_ROWS):  # bounded top_n temporaries
                part = scores[r0 : r0 + TOP_N_ROWS]
                rows = slice(first + r0, first + r0 + part.shape[0])
                top = metrics.top_n(part, excluded[rows], fold.popularity, fold.item_ids, n)
                tops[knn[g]].append(top)  # type: ignore[union-attr]
            del scores, part
        for m, algo in enumerate(algos):
            if m in knn or tops[m] is None:
                continue
            scores = user_scores(algo, fold, users)
            if scores is None:
                tops[m] = None
                continue
            tops[m].append(metrics.top_n(scores, excluded, fold.popularity, fold.item_ids, n))
            del scores
    relevant = [fold.relevant[int(u)] for u in ranked_users]
    return [
        None
        if top is None
        else metrics.ranking_metrics(np.vstack(top), relevant, fold.popularity, fold.n_items)
        for top in tops
    ]


def evaluate_fold(
    config: ModelConfig,
    fold: Fold,
    engine: Engine = "fast",
    ranking: bool = True,
    ranking_users: int | str | None = DEFAULT_RANKING_USERS,
) -> FoldResult:
    """Fit ``config`` on the fold's trainset and measure it on its testset."""
    outcome = evaluate_fold_group([config], fold, engine, ranking, ranking_users)[0]
    if isinstance(outcome, BaseException):
        raise outcome
    return outcome


def evaluate_fold_group(
    configs: Sequence[ModelConfig],
    fold: Fold,
    engine: Engine = "fast",
    ranking: bool = True,
    ranking_users: int | str | None = DEFAULT_RANKING_USERS,
) -> list[FoldResult | BaseException]:
    """:func:`evaluate_fold` for several configurations on one fold (a result or the exception
    per configuration). Ranking is done for all of them together, so KNN configurations that
    differ only by algorithm share the similarity and neighbour selection; each is charged an
    equal share of that ranking time."""
    fitted: list[tuple[int, Any, float, float, np.ndarray, np.ndarray]] = []
    outcomes: list[FoldResult | BaseException | None] = [None] * len(configs)
    for n, config in enumerate(configs):
        try:
            algo = config.build(engine)
            start = time.perf_counter()
            algo.fit(fold.trainset)
            fitted_at = time.perf_counter()
            predictions = algo.test(fold.testset)
            tested = time.perf_counter()
        except Exception as exc:
            outcomes[n] = exc
            continue
        count = len(predictions)
        estimates = np.fromiter((p.est for p in predictions), dtype=float, count=count)
        truths = np.fromiter((p.r_ui for p in predictions), dtype=float, count=count)
        del predictions
        fitted.append((n, algo, fitted_at - start, tested - fitted_at, estimates, truths))
    ranked: list[metrics.RankingMetrics | None] = [None] * len(fitted)
    rank_seconds = math.nan
    if ranking and fitted:
        started = time.perf_counter()
        try:
            ranked = _rank_many([f[1] for f in fitted], fold, ranking_users)
        except Exception as exc:
            for f in fitted:
                outcomes[f[0]] = exc
            return outcomes  # type: ignore[return-value]
        rank_seconds = (time.perf_counter() - started) / len(fitted)
    for (n, _, fit_s, test_s, estimates, truths), result in zip(fitted, ranked, strict=True):
        extra: dict[str, Any] = {}
        if result is not None:
            extra = {
                name: getattr(result, name)
                for name in (
                    "precision",
                    "recall",
                    "ndcg",
                    "hit_rate",
                    "coverage",
                    "mean_popularity",
                )
            }
            extra["users_evaluated"] = result.users_evaluated
        outcomes[n] = FoldResult(
            fold=fold.index,
            rmse=metrics.rmse(estimates, truths),
            mae=metrics.mae(estimates, truths),
            fit_seconds=fit_s,
            test_seconds=test_s,
            rank_seconds=rank_seconds if result is not None else math.nan,
            **extra,
        )
    return outcomes  # type: ignore[return-value]


def _share_groups(configs: Sequence[ModelConfig]) -> list[list[ModelConfig]]:
    """Configurations that differ only by KNN algorithm, together (their neighbours are shared);
    every other configuration alone. Order of first appearance."""
    groups: dict[Any, list[ModelConfig]] = {}
    for config in configs:
        key = (
            (config.similarity, config.user_based, config.k, config.min_k)
            if config.is_knn
            else config
        )
        groups.setdefault(key, []).append(config)
    return list(groups.values())


def _error_text(error: BaseException) -> str:
    where = traceback.extract_tb(error.__traceback__)
    last = f" (at {Path(where[-1].filename).name}:{where[-1].lineno})" if where else ""
    return f"{type(error).__name__}: {error}{last}"


# --------------------------------------------------------------------------------------------
# Running a grid


def run_grid(
    configs: Sequence[ModelConfig],
    ratings: pd.DataFrame,
    dataset_name: str,
    *,
    n_folds: int = DEFAULT_FOLDS,
    seed: int = DEFAULT_SEED,
    engine: Engine = "fast",
    ranking: bool = True,
    ranking_users: int | str | None = DEFAULT_RANKING_USERS,
    directory: str | os.PathLike[str] | None = None,
    use_cache: bool = True,
    write_cache: bool = True,
    progress: ProgressCallback | None = None,
    folds: Sequence[Fold] | None = None,
    workers: int = 1,
) -> GridResult:
    """Evaluate ``configs`` on the same folds; cached results are returned without recomputing.

    ``use_cache=False`` recomputes everything; ``write_cache=False`` leaves the disk untouched.
    ``workers > 1`` runs configuration × fold steps in that many worker processes, each building
    the same seeded folds once (``folds`` is then unused).

    A configuration that raises is reported with its error (``ConfigResult.error``) and the rest
    go on. Successful results are written to the cache as soon as each configuration finishes.
    """
    configs = list(dict.fromkeys(configs))  # drop duplicates, keep order
    ranking_users = ranking_users_value(ranking_users)
    if not ranking or ranking_users == 0:  # 0 users ranked means no ranking at all
        ranking, ranking_users = False, 0
    settings = GridSettings(dataset_name, len(ratings), n_folds, seed, engine, ranking_users)
    folder = results_dir(directory)
    started = time.perf_counter()
    results: dict[ModelConfig, ConfigResult] = {}
    todo = []
    for config in configs:
        hit = load_result(settings, config, folder) if use_cache else None
        if hit is not None:
            results[config] = hit
        else:
            todo.append(config)
    total = len(configs) * n_folds
    state = {"done": (len(configs) - len(todo)) * n_folds, "computed": 0, "since": started}

    def report(current: str) -> None:
        if progress is None:
            return
        remaining = None
        if state["computed"]:
            per_step = (time.perf_counter() - state["since"]) / state["computed"]
            remaining = per_step * (total - state["done"])
        progress(Progress(state["done"], total, time.perf_counter() - started, remaining, current))

    def finish(config: ModelConfig, fold_results: list[FoldResult], error: str | None) -> None:
        result = ConfigResult(
            config, engine, tuple(sorted(fold_results, key=lambda f: f.fold)), error=error
        )
        if result.ok and write_cache:
            try:
                save_result(settings, result, folder)
            except OSError as exc:
                warnings.warn(f"Could not cache {config.key} in {folder}: {exc}", stacklevel=3)
        results[config] = result

    if todo:
        report(f"Preparing {n_folds} folds…")
        step = (engine, ranking, ranking_users)
        if workers > 1:
            _run_parallel(todo, ratings, n_folds, seed, step, workers, state, report, finish)
        else:
            if folds is None:
                folds = make_folds(ratings, n_folds, seed)
            elif len(folds) != n_folds:
                raise ValueError(f"Got {len(folds)} folds, expected {n_folds}.")
            state["since"] = time.perf_counter()
            for group in _share_groups(todo):
                collected: dict[ModelConfig, list[FoldResult]] = {c: [] for c in group}
                errors: dict[ModelConfig, str] = {}
                for fold in folds:
                    active = [c for c in group if c not in errors]
                    if not active:
                        break
                    names = ", ".join(c.label for c in active)
                    report(f"{names} · fold {fold.index + 1} of {n_folds}")
                    for config, outcome in zip(active, _run_step(active, fold, *step), strict=True):
                        state["computed"] += 1
                        state["done"] += 1
                        if isinstance(outcome, str):
                            errors[config] = outcome
                            state["done"] += n_folds - fold.index - 1  # skip its other folds
                        else:
                            collected[config].append(outcome)
                for config in group:
                    finish(config, collected[config], errors.get(config))
    report("Done")
    return GridResult(settings, [results[c] for c in configs], time.perf_counter() - started)


def _run_step(
    configs: Sequence[ModelConfig],
    fold: Fold,
    engine: Engine,
    ranking: bool,
    ranking_users: int | str | None,
) -> list[FoldResult | str]:
    """Configurations (one share group) on one fold; the error text for those that fail."""
    try:
        outcomes = evaluate_fold_group(configs, fold, engine, ranking, ranking_users)
    except Exception as exc:  # one failing configuration must not stop the grid
        return [_error_text(exc)] * len(configs)
    return [_error_text(o) if isinstance(o, BaseException) else o for o in outcomes]


_worker_folds: list[Fold] = []


def _init_worker(ratings: pd.DataFrame, n_folds: int, seed: int) -> None:
    _worker_folds[:] = make_folds(ratings, n_folds, seed)


def _worker_step(
    configs: Sequence[ModelConfig], fold_index: int, step: tuple
) -> list[FoldResult | str]:
    return _run_step(configs, _worker_folds[fold_index], *step)


def _run_parallel(
    todo: list[ModelConfig],
    ratings: pd.DataFrame,
    n_folds: int,
    seed: int,
    step: tuple,
    workers: int,
    state: dict,
    report: Callable[[str], None],
    finish: Callable[[ModelConfig, list[FoldResult], str | None], None],
) -> None:
    """Run every configuration × fold step in a pool of ``workers`` spawned processes."""
    import multiprocessing
    from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait

    frame = ratings[["userId", "movieId", "rating"]].copy()
    context = multiprocessing.get_context("spawn")  # no fork of a threaded (Streamlit) process
    with ProcessPoolExecutor(
        workers, mp_context=context, initializer=_init_worker, initargs=(frame, n_folds, seed)
    ) as pool:
        pending = {
            pool.submit(_worker_step, group, index, step): (group, index)
            for group in _share_groups(todo)
            for index in range(n_folds)
        }
        collected: dict[ModelConfig, list[FoldResult]] = {c: [] for c in todo}
        failed: dict[ModelConfig, str] = {}
        state["since"] = time.perf_counter()
        while pending:
            finished, _ = wait(pending, return_when=FIRST_COMPLETED)
            for future in finished:
                group, index = pending.pop(future)
                if future.cancelled():
                    continue
                try:
                    outcomes = future.result()
                except Exception as exc:  # a crashed worker fails its step, not the grid
                    outcomes = [_error_text(exc)] * len(group)
                for config, outcome in zip(group, outcomes, strict=True):
                    state["computed"] += 1
                    state["done"] += 1
                    if isinstance(outcome, str):
                        failed.setdefault(config, outcome)
                    else:
                        collected[config].append(outcome)
                still = any(g is group for g, _ in pending.values())
                for config in group:
                    if config in failed and not still:
                        finish(config, collected[config], failed[config])
                    elif config not in failed and len(collected[config]) == n_folds:
                        finish(config, collected[config], None)
                report(f"{group[0].label} · fold {index + 1} of {n_folds}")


# --------------------------------------------------------------------------------------------
# Tables


def summary_table(results: Sequence[ConfigResult]) -> pd.DataFrame:
    """One row per configuration: mean and std over folds of every metric, plus the error."""
    rows = []
    for r in results:
        row: dict[str, Any] = {
            "key": r.config.key,
            "model": r.config.label,
            "algorithm": r.config.algorithm,
            "similarity": r.config.similarity or "",
            "based": ("user" if r.config.user_based else "item") if r.config.is_knn else "",
            "k": r.config.k if r.config.is_knn else None,
            "min_k": r.config.min_k if r.config.is_knn else None,
            "engine": r.engine,
            "folds": len(r.folds),
            "cached": r.cached,
            "error": r.error or "",
        }
        for metric in METRIC_NAMES:
            row[metric] = r.mean(metric)
            row[f"{metric}_std"] = r.std(metric)
        rows.append(row)
    table = pd.DataFrame(rows)
    if not rows:
        return table
    table["k"] = table["k"].astype("Int64")
    table["min_k"] = table["min_k"].astype("Int64")
    return table


def fold_table(results: Sequence[ConfigResult]) -> pd.DataFrame:
    """One row per configuration × fold."""
    rows = [
        {"key": r.config.key, "model": r.config.label, **asdict(f)}
        for r in results
        for f in r.folds
    ]
    return pd.DataFrame(rows)


def best_per_metric(table: pd.DataFrame) -> dict[str, str]:
    """Key of the best configuration for each metric of :data:`METRIC_NAMES` that has a winner."""
    best = {}
    for metric in METRIC_NAMES:
        if metric in NO_WINNER or metric not in table or table[metric].isna().all():
            continue
        column = table[metric]
        index = column.idxmin() if metric in LOWER_IS_BETTER else column.idxmax()
        best[metric] = str(table.loc[index, "key"])
    return best


# --------------------------------------------------------------------------------------------
# Command line


def add_cli(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "evaluate",
        help="cross-validate a grid of model configurations and cache the results",
        description="Cross-validate model configurations on the same folds; results go to the "
        f"cache ({DEFAULT_RESULTS_DIR} or ${ENV_RESULTS_DIR}) that the Compare models page reads.",
    )
    parser.add_argument(
        "--preset",
        choices=("quick", "all"),
        default="all",
        help="configurations (default: all = 32 KNN + 3 baselines)",
    )
    parser.add_argument(
        "--model",
        action="append",
        metavar="KEY",
        help="a model key such as baseline-item-pearson_baseline-k40-m1 (repeatable; replaces --preset)",
    )
    parser.add_argument("--folds", type=int, default=DEFAULT_FOLDS)
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--engine", choices=("fast", "surprise"), default="fast")
    parser.add_argument("--no-ranking", action="store_true", help="skip the top-5 ranking metrics")
    parser.add_argument(
        "--ranking-users",
        default=str(DEFAULT_RANKING_USERS),
        metavar="N|all",
        help=f"users ranked per fold for the top-5 metrics: N sampled, or all (default "
        f"{DEFAULT_RANKING_USERS})",
    )
    parser.add_argument(
        "--no-cache", action="store_true", help="recompute even if cached (still writes)"
    )
    parser.add_argument(
        "--results-dir",
        metavar="DIR",
        help=f"cache folder (default: ${ENV_RESULTS_DIR} or {DEFAULT_RESULTS_DIR})",
    )
    parser.add_argument(
        "--workers", type=int, default=2, help="worker processes (default 2; 1 runs in-process)"
    )
    parser.add_argument("--csv", metavar="FILE", help="also write the summary table as CSV")
    parser.set_defaults(func=_cli)


def _progress_bar(stream=sys.stderr) -> ProgressCallback:
    def show(p: Progress) -> None:
        width = 30
        filled = int(width * p.done / p.total) if p.total else width
        eta = f" ~{p.remaining:.0f}s left" if p.remaining is not None else ""
        stream.write(
            f"\r[{'#' * filled}{'.' * (width - filled)}] {p.done}/{p.total} {p.elapsed:.0f}s{eta}  {p.current[:50]:<50}"
        )
        if p.done >= p.total:
            stream.write("\n")
        stream.flush()

    return show


def _cli(args: argparse.Namespace) -> int:
    from recommender.data import load_movielens

    try:
        configs = (
            [ModelConfig.from_key(k) for k in args.model] if args.model else preset(args.preset)
        )
    except ValueError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    ml = load_movielens(args.data)
    if args.engine == "surprise" and any(c.is_knn and not c.user_based for c in configs):
        print(
            "warning: Surprise's item-based KNN takes minutes and GBs of memory per fold.",
            file=sys.stderr,
        )
    grid = run_grid(
        configs,
        ml.ratings,
        ml.name,
        n_folds=args.folds,
        seed=args.seed,
        engine=args.engine,
        ranking=not args.no_ranking,
        ranking_users=ranking_users_value(args.ranking_users),
        directory=args.results_dir,
        use_cache=not args.no_cache,
        progress=_progress_bar(),
        workers=args.workers,
    )
    table = summary_table(grid.results)
    shown = table[
        ["model", "rmse", "mae", "precision", "recall", "ndcg", "hit_rate", "fit_seconds", "error"]
    ]
    with pd.option_context(
        "display.width", 200, "display.max_colwidth", 60, "display.max_rows", 500
    ):
        print(shown.sort_values("rmse").to_string(index=False, float_format=lambda v: f"{v:.4f}"))
    print(
        f"{len(grid.results)} configurations ({grid.n_cached} from cache) in {grid.seconds:.1f} s"
    )
    if args.csv:
        table.to_csv(args.csv, index=False)
    return 1 if grid.failed else 0
