"""``python -m recommender evaluate``: cross-validate a grid and fill the Compare models cache."""

from __future__ import annotations

import argparse
import sys

import pandas as pd

from recommender import settings
from recommender.evaluation.folds import (
    DEFAULT_FOLDS,
    DEFAULT_RANKING_USERS,
    DEFAULT_SEED,
    ranking_users_value,
)
from recommender.evaluation.grids import PRESETS, preset
from recommender.evaluation.results import Progress, ProgressCallback
from recommender.evaluation.runner import run_grid
from recommender.evaluation.sampling import sample_name, sample_users
from recommender.evaluation.tables import summary_table
from recommender.models import ModelConfig
from recommender.ranking import RANKERS

__all__ = ["add_cli"]


def add_cli(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "evaluate",
        help="cross-validate a grid of model configurations and cache the results",
        description="Cross-validate model configurations on the same folds; results go to the "
        f"cache (${settings.ENV_RESULTS_DIR} or <data home>/results) that the Compare models page reads.",
    )
    parser.add_argument(
        "--preset",
        choices=PRESETS,
        default="all",
        help="configurations (default: all = 32 KNN + 3 baselines + the top-N models)",
    )
    parser.add_argument(
        "--model",
        action="append",
        metavar="KEY",
        help="a model key such as baseline-item-pearson_baseline-k40-m1 or ease-l500-wliked "
        "(repeatable; replaces --preset; see --list-models)",
    )
    parser.add_argument(
        "--list-models", action="store_true", help="list every model and its key, then stop"
    )
    parser.add_argument("--folds", type=int, default=DEFAULT_FOLDS)
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--engine", choices=("fast", "surprise"), default="fast")
    parser.add_argument("--no-ranking", action="store_true", help="skip the top-5 ranking metrics")
    parser.add_argument(
        "--sample-users",
        type=int,
        metavar="N",
        help="evaluate on every rating of N users drawn at random with --seed (for large datasets; "
        "results are saved as DATASET~usersN~seedS, as Compare models does)",
    )
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
        help=f"cache folder (default: ${settings.ENV_RESULTS_DIR} or <data home>/results)",
    )
    parser.add_argument(
        "--workers", type=int, default=2, help="worker processes (default 2; 1 runs in-process)"
    )
    parser.add_argument("--csv", metavar="FILE", help="also write the summary table as CSV")
    parser.set_defaults(func=_cli)


def _progress_bar(stream=None) -> ProgressCallback:
    stream = stream or sys.stderr  # at call time: a captured stderr may be gone by then

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


def _list_models() -> int:
    """Every preset configuration's key and label, and each top-N model's hyper-parameters."""
    for config in preset("all"):
        print(f"{config.key:45} {config.label}")
    print("\nTop-N model hyper-parameters (key code: name = shipped value — meaning):")
    for spec in RANKERS.values():
        shipped = dict(ModelConfig(spec.algorithm).hyper)
        for param in spec.params:
            print(
                f"  {spec.short}  {param.code}: {param.name} = {shipped[param.name]} — {param.help}"
            )
    return 0


def _cli(args: argparse.Namespace) -> int:
    from recommender.cli import load_data

    if args.list_models:
        return _list_models()
    try:
        configs = (
            [ModelConfig.from_key(k) for k in args.model] if args.model else preset(args.preset)
        )
    except ValueError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    ml = load_data(args)
    if args.engine == "surprise" and any(c.is_knn and not c.user_based for c in configs):
        print(
            "warning: Surprise's item-based KNN takes minutes and GBs of memory per fold.",
            file=sys.stderr,
        )
    ratings, name = ml.ratings, ml.name
    if args.sample_users is not None:
        if args.sample_users < 1:
            print("error: --sample-users needs at least 1 user", file=sys.stderr)
            return 2
        ratings = sample_users(ml.ratings, args.sample_users, args.seed)
        name = sample_name(ml.name, args.sample_users, args.seed)
        print(f"Seeded sample: {ratings['userId'].nunique():,} of {ml.n_users:,} users, "
              f"{len(ratings):,} ratings, saved as {name}", file=sys.stderr)  # fmt: skip
    grid = run_grid(
        configs,
        ratings,
        name,
        n_folds=args.folds,
        seed=args.seed,
        engine=args.engine,
        ranking=not args.no_ranking,
        ranking_users=ranking_users_value(args.ranking_users),
        directory=args.results_dir,
        use_cache=not args.no_cache,
        progress=_progress_bar(),
        workers=args.workers,
        movies=ml.movies,
        rating_scale=ml.rating_scale,
    )
    table = summary_table(grid.results)
    columns = ["model", "rmse", "mae", "precision", "recall", "ndcg", "novelty", "fit_seconds"]
    shown = table[columns + ["error"]].sort_values(
        ["ndcg", "rmse"], ascending=[False, True], na_position="last"
    )
    with pd.option_context(
        "display.width", 220, "display.max_colwidth", 60, "display.max_rows", 500
    ):
        print(shown.to_string(index=False, float_format=lambda v: f"{v:.4f}", na_rep="—"))
    print(
        f"{len(grid.results)} configurations ({grid.n_cached} from cache) in {grid.seconds:.1f} s"
    )
    if args.csv:
        table.to_csv(args.csv, index=False)
    return 1 if grid.failed else 0
