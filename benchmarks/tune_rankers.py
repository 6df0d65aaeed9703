"""Nested tuning of the rankers' hyper-parameters: how the shipped defaults were chosen.

Every family is a ranker of :mod:`recommender.ranking` built as ``ModelConfig(algorithm,
hyper=...).build()``, with a small grid of settings around its shipped defaults (``FAMILIES``;
each grid holds ``ModelConfig(algorithm)``, the other hyper-parameters keep their defaults):

1. Outer folds: the project's ``make_folds(ratings, 5, seed)`` (Surprise's seeded KFold, as on
   the Compare models page). The outer test folds never choose anything.
2. Inside outer training fold f, a seeded 20 % of each user's training ratings is held out
   (:func:`validation_split`, seed 1000·seed + f; a user keeps round(0.8·n) of n ratings, so
   users with one or two keep them all); every setting is fitted on the rest and ranked on the
   held-out part with the project's protocol (``top_n`` and its tie-breaks, ``ranking_metrics``;
   relevant = a held-out rating of 4★ or more; every user ranked).
3. The setting with the best validation NDCG@5 (ties: the shipped default, then grid order) is
   refitted on the whole outer training fold and measured on outer test fold f. Their mean over
   the outer folds is the family's honest ("nested") P@5 / NDCG@5.
4. What to ship is chosen the same way on a validation split of all the ratings (seed
   1000·seed + 100) and compared with the shipped default ``ModelConfig(algorithm)``. Both are
   also evaluated as fixed settings on the outer folds ("fixed on the outer folds": for
   information; a setting chosen with all the data is slightly optimistic there).

The ``-binary`` families fix ``input="binary"`` (every rating counts 1): references showing what
the rating weights of ``INPUTS`` are worth, never shipped (compared with the defaults plus
``input="binary"``). Validation NDCG@5 inside an outer fold is well below the outer one (EASE:
0.19–0.22 vs 0.33–0.35): the outer test ratings are hidden there, so a recommended movie the user
did watch counts as a miss. Compare settings with it, never absolute values.

This is the earlier exploratory study's procedure (its splits exactly: the validation draw follows
the ratings in (userId, movieId) order, so it does not depend on the folds' column order) run on
the project's rankers; its grids used free-form weights where the project has named ``input``
weightings. ALS and BPR run on 2 threads (`implicit`).

Usage (heavy: about 25 minutes on the 2-core machine, run alone; --quick takes seconds)::

    flock /tmp/heavy.lock python benchmarks/tune_rankers.py --data PATH
        [--families EASE ALS ...] [--seed 0] [--quick] [--verbose]

``--quick``: small grids and the first 2 outer folds (a smoke test, tests/test_tune_rankers.py);
``--verbose``: every evaluation as it finishes. Each family's details (every fold's choice with
its validation and test scores) are printed as it finishes, then a summary table (per family:
nested P@5 / NDCG@5, the setting chosen on all the data, and the shipped default on the outer
folds). The shipped defaults' outer-fold figures are those of ``benchmarks/ranking.py``.
"""

from __future__ import annotations

import argparse
import itertools
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from recommender.data import load_movielens
from recommender.evaluation import make_folds
from recommender.evaluation.metrics import RELEVANCE_THRESHOLD
from recommender.evaluation.topn import ranking_metrics, top_n
from recommender.models import ModelConfig
from recommender.settings import TOP_N

HOLDOUT = 0.2  # share of each user's training ratings held out for validation
SHIP_SPLIT = 100  # validation seed offset of the all-data split (fold f uses offset f)
N_FOLDS = 5
QUICK_OUTER = 2  # outer folds evaluated by --quick
USER_BLOCK = 1024  # users scored at once


@dataclass(frozen=True)
class Family:
    """A ranker and the grid of settings tuned for it (other hyper-parameters: defaults)."""

    name: str
    algorithm: str
    grid: dict[str, tuple]
    quick: dict[str, tuple]
    fixed: tuple[tuple[str, Any], ...] = ()  # held for every setting, e.g. input="binary"

    def configs(self, quick: bool = False) -> list[ModelConfig]:
        axes = self.quick if quick else self.grid
        return [
            ModelConfig(self.algorithm, hyper=(*self.fixed, *zip(axes, values, strict=True)))
            for values in itertools.product(*axes.values())
        ]

    @property
    def default(self) -> ModelConfig:
        """The shipped default (with the fixed values: the binary reference rows)."""
        return ModelConfig(self.algorithm, hyper=self.fixed)

    @property
    def shipped(self) -> bool:
        """True when the family's choice is what ``ModelConfig(algorithm)`` should be."""
        return not self.fixed

    def values(self, config: ModelConfig) -> str:
        """The tuned values of ``config``, e.g. ``100/liked`` (the order of :attr:`grid`)."""
        return "/".join(_text(config.get(n)) for n in self.grid) or "-"

    def label(self, config: ModelConfig) -> str:
        """The tuned values of ``config``, e.g. ``lam=100 input=liked``."""
        return " ".join(f"{n}={_text(config.get(n))}" for n in self.grid) or "(no settings)"


def _text(value: Any) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


BINARY = (("input", "binary"),)
FAMILIES: tuple[Family, ...] = (
    Family("EASE", "EASE", {"lam": (50.0, 100.0, 200.0, 400.0),
                            "input": ("liked", "loved", "positive")},
           {"lam": (100.0, 400.0), "input": ("liked",)}),
    Family("EASE-binary", "EASE", {"lam": (100.0, 200.0, 400.0, 800.0)},
           {"lam": (100.0, 400.0)}, BINARY),
    Family("ItemKNN", "ItemKNN", {"k": (100, 300, 1000, 3000), "shrink": (0.0, 20.0, 100.0),
                                  "input": ("liked", "loved")},
           {"k": (100, 1000), "shrink": (20.0,), "input": ("loved",)}),
    Family("ItemKNN-binary", "ItemKNN", {"k": (100, 300, 1000, 3000),
                                         "shrink": (0.0, 20.0, 100.0)},
           {"k": (100, 1000), "shrink": (20.0,)}, BINARY),
    Family("UserKNN", "UserKNN", {"k": (20, 50, 100, 200), "power": (1.0, 2.0),
                                  "input": ("liked", "loved")},
           {"k": (20, 50), "power": (2.0,), "input": ("loved",)}),
    Family("RP3beta", "RP3beta", {"alpha": (0.3, 0.5, 0.8), "beta": (0.35, 0.5, 0.7),
                                  "k": (300, 1000), "input": ("liked", "loved")},
           {"alpha": (0.3, 0.5), "beta": (0.5,), "k": (1000,), "input": ("loved",)}),
    Family("ALS", "ALS", {"factors": (64, 128), "reg": (10.0, 30.0, 60.0),
                          "alpha": (1.0, 3.0, 6.0), "input": ("liked", "loved")},
           {"factors": (16,), "reg": (30.0,), "alpha": (1.0, 3.0), "input": ("loved",)}),
    Family("ALS-binary", "ALS", {"factors": (64, 128), "reg": (10.0, 30.0, 60.0),
                                 "alpha": (1.0, 3.0, 6.0)},
           {"factors": (16,), "reg": (30.0,), "alpha": (1.0, 3.0)}, BINARY),
    Family("BPR", "BPR", {"lr": (0.01, 0.05), "reg": (0.01, 0.1), "iterations": (100, 300),
                          "input": ("positive", "binary")},
           {"lr": (0.01,), "reg": (0.1,), "iterations": (20,), "input": ("positive", "binary")}),
    Family("TopRated", "TopRated", {"prior": (0, 10, 100, 1000, 10000)},
           {"prior": (0, 1000)}),
    Family("MostPopular", "MostPopular", {}, {}),
)  # fmt: skip
"""The families, in the order printed; the grids hold the shipped defaults."""


@dataclass(frozen=True)
class Split:
    """Training matrix (users × items, star ratings) and, per row, the relevant held-out items."""

    name: str
    matrix: sp.csr_matrix
    relevant: list[np.ndarray]
    popularity: np.ndarray  # training ratings per item (tie-break)
    item_ids: np.ndarray  # raw movieId per column (tie-break)
    user_ids: np.ndarray  # raw userId per row


def outer_splits(ratings: pd.DataFrame, seed: int) -> list[Split]:
    """The project's folds (``make_folds``: Surprise's seeded KFold) as splits."""
    return [
        Split(f"outer{f.index}", f.matrix, f.relevant, f.popularity, f.item_ids, f.user_ids)
        for f in make_folds(ratings, N_FOLDS, seed)
    ]


def all_data(ratings: pd.DataFrame) -> Split:
    """Every rating as training data (nothing held out): the parent of the shipping split."""
    pairs = ratings.drop_duplicates(["userId", "movieId"], keep="last")
    user_ids, rows = np.unique(pairs["userId"].to_numpy(np.int64), return_inverse=True)
    item_ids, cols = np.unique(pairs["movieId"].to_numpy(np.int64), return_inverse=True)
    matrix = sp.csr_matrix((pairs["rating"].to_numpy(np.float32), (rows, cols)),
                           shape=(user_ids.size, item_ids.size))  # fmt: skip
    empty = [np.empty(0, np.int64)] * user_ids.size
    return Split("all", matrix, empty, np.bincount(cols, minlength=item_ids.size), item_ids,
                 user_ids)  # fmt: skip


def validation_split(parent: Split, seed: int, name: str) -> Split:
    """A seeded ``HOLDOUT`` share of each user's training ratings held out (rounded: users with
    one or two ratings keep them all); items left without training ratings are dropped. The draw
    follows the ratings in (userId, movieId) order, so it does not depend on the column order."""
    coo = parent.matrix.tocoo()
    order = np.lexsort((parent.item_ids[coo.col], parent.user_ids[coo.row]))
    rows, cols, stars = coo.row[order], coo.col[order], coo.data[order]
    key = np.random.default_rng(seed).random(rows.size)
    by_key = np.lexsort((key, rows))  # each user's ratings, in the order of their random keys
    sizes = np.bincount(rows, minlength=parent.matrix.shape[0])
    starts = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    position = np.arange(rows.size) - starts[rows[by_key]]
    held = np.zeros(rows.size, dtype=bool)
    held[by_key] = position < np.round(HOLDOUT * sizes)[rows[by_key]]
    kept = np.flatnonzero(np.bincount(cols[~held], minlength=parent.matrix.shape[1]))
    new_col = np.full(parent.matrix.shape[1], -1)
    new_col[kept] = np.arange(kept.size)
    shape = (parent.matrix.shape[0], kept.size)
    train = sp.csr_matrix((stars[~held], (rows[~held], new_col[cols[~held]])), shape=shape)
    train.sort_indices()
    liked = held & (stars >= RELEVANCE_THRESHOLD) & (new_col[cols] >= 0)
    relevant = [np.empty(0, np.int64)] * shape[0]
    for user, items in pd.Series(new_col[cols[liked]]).groupby(rows[liked]):
        relevant[int(user)] = np.sort(items.to_numpy(np.int64))
    popularity = np.bincount(train.indices, minlength=kept.size)
    return Split(name, train, relevant, popularity, parent.item_ids[kept], parent.user_ids)


def evaluate(config: ModelConfig, split: Split) -> dict[str, float]:
    """Fit on the split's training matrix, rank every user's top-N from their own row (the
    project's protocol: ``top_n`` tie-breaks, ``ranking_metrics``)."""
    started = time.perf_counter()
    model = config.build().fit(split.matrix)
    tops = []
    for start in range(0, split.matrix.shape[0], USER_BLOCK):
        rows = split.matrix[start : start + USER_BLOCK]
        scores = model.score(rows)
        tops.append(top_n(scores, rows.toarray() > 0, split.popularity, split.item_ids, TOP_N))
    m = ranking_metrics(np.vstack(tops), split.relevant, split.popularity, split.matrix.shape[1],
                        n_users=split.matrix.shape[0])  # fmt: skip
    return {"precision": m.precision, "recall": m.recall, "ndcg": m.ndcg,
            "seconds": time.perf_counter() - started}  # fmt: skip


@dataclass
class Evaluator:
    """:func:`evaluate` with a memory: each (setting, split) pair is evaluated once per run."""

    verbose: bool = False
    done: dict[tuple[str, str], dict[str, float]] = field(default_factory=dict)

    def __call__(self, config: ModelConfig, split: Split) -> dict[str, float]:
        key = (config.key, split.name)
        if key not in self.done:
            self.done[key] = evaluate(config, split)
            if self.verbose:
                r = self.done[key]
                print(f"    {split.name:7} {config.key:42} P {r['precision']:.4f} "
                      f"N {r['ndcg']:.4f} {r['seconds']:5.1f}s", flush=True)  # fmt: skip
        return self.done[key]

    def best(self, configs: Sequence[ModelConfig], split: Split, default: ModelConfig
             ) -> ModelConfig:  # fmt: skip
        """The setting with the best NDCG@5 on ``split``; ties go to ``default`` (the shipped
        setting), then to the first in the grid."""
        scores = [(self(c, split)["ndcg"], c == default, -i) for i, c in enumerate(configs)]
        return configs[max(range(len(configs)), key=scores.__getitem__)]


@dataclass
class FamilyResult:
    family: Family
    choices: list[ModelConfig]  # per outer fold
    inner: list[dict[str, float]]  # the choice's validation scores, per outer fold
    outer: list[dict[str, float]]  # the choice's test scores, per outer fold
    ship: ModelConfig  # chosen on the all-data validation split
    fixed: dict[str, dict[str, float]]  # "ship" / "default": a fixed setting's outer means
    validation: dict[str, float]  # "ship" / "default": NDCG@5 on the all-data validation split
    n_settings: int
    seconds: float

    def nested(self, metric: str) -> float:
        return float(np.mean([o[metric] for o in self.outer]))


def tune(family: Family, outer: list[Split], inner: list[Split], ship_split: Split,
         run: Evaluator, quick: bool = False) -> FamilyResult:  # fmt: skip
    """Nested choice per outer fold, then the all-data choice and both fixed settings' means."""
    started = time.perf_counter()
    configs = family.configs(quick)
    choices = [run.best(configs, val, family.default) for val in inner]
    inner_scores = [run(c, val) for c, val in zip(choices, inner, strict=True)]
    outer_scores = [run(c, test) for c, test in zip(choices, outer, strict=True)]
    ship = run.best(configs, ship_split, family.default)
    fixed, validation = {}, {}
    for role, config in (("ship", ship), ("default", family.default)):
        scores = [run(config, test) for test in outer]
        fixed[role] = {m: float(np.mean([s[m] for s in scores])) for m in ("precision", "ndcg")}
        validation[role] = run(config, ship_split)["ndcg"]
    return FamilyResult(family, choices, inner_scores, outer_scores, ship, fixed, validation,
                        len(configs), time.perf_counter() - started)  # fmt: skip


def print_family(result: FamilyResult) -> None:
    """The family's per-fold choices, nested means, all-data choice and shipped default."""
    family, label = result.family, result.family.label
    plural = "s" if result.n_settings != 1 else ""
    print(f"\n== {family.name} ({family.algorithm}: {result.n_settings} setting{plural}, "
          f"{result.seconds:.0f} s)")  # fmt: skip
    for f, (choice, val, test) in enumerate(zip(result.choices, result.inner, result.outer,
                                                strict=True)):  # fmt: skip
        print(f"  {f'fold {f}:':16} {label(choice):46} validation NDCG@5 {val['ndcg']:.4f} | test "
              f"P@5 {test['precision']:.4f} NDCG@5 {test['ndcg']:.4f}")  # fmt: skip
    print(
        f"  nested, mean of {len(result.outer)} outer folds: P@5 "
        f"{result.nested('precision'):.4f} NDCG@5 {result.nested('ndcg'):.4f}"
    )
    default = f"ModelConfig({family.algorithm!r}{_fixed(family)})"
    rows = [("all-data choice:", result.ship, "ship")]
    if result.ship == family.default:
        default += ": the same setting"
    else:
        rows.append(("default:", family.default, "default"))
    for role, config, key in rows:
        fixed = result.fixed[key]
        print(f"  {role:16} {label(config):46} validation NDCG@5 {result.validation[key]:.4f}"
              f" | fixed on the outer folds P@5 {fixed['precision']:.4f} "
              f"NDCG@5 {fixed['ndcg']:.4f}")  # fmt: skip
    print(f"  {'shipped' if family.shipped else 'reference'} default: {default}")


def _fixed(family: Family) -> str:
    return f", hyper={family.fixed!r}" if family.fixed else ""


def print_summary(results: list[FamilyResult], n_outer: int) -> None:
    """The table: per family its tuned hyper-parameters, the nested P@5 / NDCG@5, the all-data
    choice and whether it is the shipped default; below, the choice of every outer fold and, when
    the choice is not the default, both as fixed settings on the outer folds."""
    print(
        f"\nSummary. nested: mean of {n_outer} outer test folds, the setting re-chosen inside "
        "each;\nchoice: on the all-data validation split; (ref): input=binary, not shipped"
    )
    header = (f"{'family':15} {'tuned':24} {'nested P@5':>10} {'NDCG@5':>7}  {'choice':22} "
              "= default?")  # fmt: skip
    print(header)
    print("-" * len(header))
    for r in results:
        family, ship = r.family, r.family.values
        verdict = "yes" if r.ship == family.default else "NO"
        verdict = verdict if family.shipped else f"(ref) {verdict.lower()}"
        print(f"{family.name:15} {'/'.join(family.grid) or '-':24} {r.nested('precision'):10.4f} "
              f"{r.nested('ndcg'):7.4f}  {ship(r.ship):22} {verdict}")  # fmt: skip
        folds = [ship(c) for c in r.choices]
        print("    folds: " + (f"all {folds[0]}" if len(set(folds)) == 1 else " ".join(folds)))
        if r.ship != family.default:
            d, c = r.fixed["default"], r.fixed["ship"]
            print(f"    outer folds, fixed: default {ship(family.default)} P@5 "
                  f"{d['precision']:.4f} NDCG@5 {d['ndcg']:.4f} | choice P@5 {c['precision']:.4f} "
                  f"NDCG@5 {c['ndcg']:.4f}")  # fmt: skip


def select(names: Sequence[str] | None) -> list[Family]:
    """Families by name (case-insensitive), all when ``names`` is empty."""
    if not names:
        return list(FAMILIES)
    by_name = {f.name.lower(): f for f in FAMILIES}
    unknown = [n for n in names if n.lower() not in by_name]
    if unknown:
        raise SystemExit(f"Unknown families {', '.join(unknown)}; choose from "
                         f"{', '.join(f.name for f in FAMILIES)}.")  # fmt: skip
    return [by_name[n.lower()] for n in names]


def run(ratings: pd.DataFrame, families: Sequence[Family], seed: int = 0, quick: bool = False,
        verbose: bool = False) -> list[FamilyResult]:  # fmt: skip
    """Every family's nested tuning on the same splits; prints as it goes."""
    outer = outer_splits(ratings, seed)[: QUICK_OUTER if quick else N_FOLDS]
    inner = [validation_split(s, 1000 * seed + f, f"inner{f}") for f, s in enumerate(outer)]
    ship_split = validation_split(all_data(ratings), 1000 * seed + SHIP_SPLIT, "ship")
    evaluator = Evaluator(verbose)
    results = []
    for family in families:
        results.append(tune(family, outer, inner, ship_split, evaluator, quick))
        print_family(results[-1])
    print_summary(results, len(outer))
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", help="MovieLens folder or zip (default: $MOVIELENS_DIR, data/)")
    parser.add_argument(
        "--families",
        nargs="+",
        metavar="NAME",
        help=f"default: all of {', '.join(f.name for f in FAMILIES)}",
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help=f"small grids, first {QUICK_OUTER} outer folds (a smoke test)",
    )
    parser.add_argument("--seed", type=int, default=0, help="folds and validation splits")
    parser.add_argument("--verbose", action="store_true", help="print every evaluation")
    args = parser.parse_args(argv)  # fmt: skip
    families = select(args.families)
    ml = load_movielens(args.data)
    started = time.perf_counter()
    print(
        f"{ml.name}: {len(ml.ratings):,} ratings; seed {args.seed}"
        f"{'; QUICK: small grids, ' + str(QUICK_OUTER) + ' outer folds' if args.quick else ''}"
    )
    run(ml.ratings, families, args.seed, args.quick, args.verbose)
    print(f"\nTotal {time.perf_counter() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
