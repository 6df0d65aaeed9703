"""Cold start: how good is a top-5 after 0, 1, 3, 5, 10 or 20 ratings, and how should signals blend?

Simulates new visitors: held-out users (none of their ratings or tags are used for fitting) show the
recommender only ``n`` of their ratings, picked at random; the rest are hidden. A top-5 is judged
against the hidden ratings with the project's ranking protocol (:mod:`recommender.evaluation.metrics`):

* candidates: movies rated in the training data that the visitor has not shown;
* relevant: hidden ratings of 4★ or more among the candidates;
* precision@5 and NDCG@5 (binary relevance), averaged over visitors with at least one relevant movie.

Single methods: popularity (Bayesian average + log count), content (TF-IDF profile), and every
personal model — each top-N ranker of :mod:`recommender.ranking` at its shipped settings and the
reference KNN rating model — scoring the shown ratings with the Recommend page's own code
(:class:`recommender.recommend.PersonalModel`, dislikes pushing down what their fans like). The
blend is the weighted sum of the standardised popularity, content and personal (shipped model)
signals of :data:`recommender.recommend.SIGNALS`.

Honesty: the blend weights and the dislike weight are chosen per ``n`` on one set of held-out
users (tuning) and the table is reported on a different set (report), drawn from the same seeded
shuffle. A blend is chosen only if it beats the best single method on the tuning users by a
margin; otherwise that single method is used (so noise cannot make the shipped blend worse than
what it combines). Ties in every ranking are broken by popularity, as in the metrics protocol.

Usage::

    flock /tmp/heavy.lock python benchmarks/cold_start.py [--data PATH] [--users 150] [--seed 0]

Result (ml-latest-small, seed 0, 150 tuning + 150 report users, 375 s on the 2-core machine); the
shipped schedule (:data:`recommender.recommend.BLEND_SCHEDULE`) is the tuned one::

    Chosen on the tuning users (weights, dislike weight; or a single method):
      n= 0: most_rated
      n= 1: ({'most_rated': 1.0, 'content': 0.25, 'ALS': 0.5}, 0.25)
      n= 3: ({'most_rated': 1.0, 'popularity': 0.5, 'content': 0.25, 'EASE': 0.5, 'ALS': 1.0}, 0.25)
      n= 5: ({'most_rated': 0.5, 'popularity': 0.5, 'UserKNN': 0.5, 'ALS': 1.0}, 0.25)
      n=10: ({'content': 0.25, 'UserKNN': 0.5, 'ALS': 1.0}, 0.25)
      n=20: ({'most_rated': 0.5, 'content': 0.25, 'EASE': 1.0, 'UserKNN': 0.5, 'ALS': 1.0}, 0.25)

    Report users: precision@5 / NDCG@5 (higher is better)
      n | cases |    most_rated |    popularity |       content |          EASE |       UserKNN |           ALS |   MostPopular |      TopRated |       ItemKNN |       RP3beta |           BPR |   KNNBaseline | blend (tuned) | blend (shippe
    -------------------------------------------------------------------------------------------------------------------------------------------------------------------------------------------------------------------------------------------
      0 |   150 | 0.479/0.487 | 0.421/0.440 | 0.479/0.487 | 0.479/0.487 | 0.479/0.487 | 0.479/0.487 | 0.479/0.487 | 0.032/0.034 | 0.479/0.487 | 0.479/0.487 | 0.441/0.463 | 0.313/0.348 | 0.479/0.487 | 0.479/0.487  ok
      1 |   300 | 0.475/0.484 | 0.417/0.435 | 0.156/0.164 | 0.331/0.334 | 0.426/0.440 | 0.351/0.359 | 0.475/0.484 | 0.032/0.035 | 0.350/0.359 | 0.253/0.250 | 0.443/0.462 | 0.282/0.299 | 0.481/0.501 | 0.481/0.501  ok
      3 |   300 | 0.469/0.479 | 0.409/0.427 | 0.097/0.104 | 0.361/0.376 | 0.458/0.478 | 0.421/0.435 | 0.469/0.479 | 0.031/0.034 | 0.451/0.461 | 0.355/0.362 | 0.453/0.469 | 0.231/0.242 | 0.489/0.510 | 0.489/0.510  ok
      5 |   300 | 0.465/0.476 | 0.397/0.418 | 0.081/0.086 | 0.431/0.448 | 0.504/0.525 | 0.493/0.505 | 0.465/0.476 | 0.032/0.035 | 0.503/0.522 | 0.445/0.460 | 0.459/0.476 | 0.200/0.209 | 0.526/0.548 | 0.526/0.548  ok
     10 |   300 | 0.443/0.458 | 0.387/0.408 | 0.093/0.096 | 0.475/0.501 | 0.523/0.539 | 0.512/0.528 | 0.443/0.458 | 0.032/0.034 | 0.515/0.534 | 0.505/0.521 | 0.469/0.485 | 0.125/0.131 | 0.523/0.541 | 0.523/0.541  ok
     20 |   298 | 0.407/0.416 | 0.350/0.370 | 0.081/0.087 | 0.476/0.497 | 0.504/0.519 | 0.499/0.514 | 0.407/0.416 | 0.031/0.034 | 0.498/0.516 | 0.505/0.520 | 0.452/0.464 | 0.064/0.065 | 0.510/0.525 | 0.510/0.525  ok

    Shipped blend (dislike weight 0.25) >= every single method, both metrics, every n: yes
"""

from __future__ import annotations

import argparse
import itertools
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from recommender.data import load_movielens
from recommender.evaluation.grids import ranker_configs
from recommender.models import ModelConfig
from recommender.recommend import (
    BLEND_SCHEDULE,
    DISLIKE_WEIGHT,
    ENSEMBLE,
    PersonalModel,
    Recommender,
    blend_weights,
    standardise,
)

N_SHOWN = (0, 1, 3, 5, 10, 20)
TOP = 5
RELEVANT = 4.0
CROWD = ("most_rated", "popularity", "content")
GRID = {"most_rated": (0.0, 0.5, 1.0), "popularity": (0.0, 0.5), "content": (0.0, 0.25),
        "EASE": (0.0, 0.5, 1.0), "UserKNN": (0.0, 0.5, 1.0), "ALS": (0.0, 0.5, 1.0)}  # fmt: skip
DISLIKE_GRID = (0.25, 0.5, 1.0)  # > 0: a dislike must push its neighbours down (product rule)
MARGIN = 0.005  # a blend must beat the best single method on tuning users by this (P@5 + NDCG@5)
TIE_BREAK = 1e-6  # popularity breaks ties (content scores are often exactly equal)
REFERENCE_KNN = ModelConfig("KNNBaseline", "pearson_baseline", user_based=False)


@dataclass
class Case:
    """One simulated visitor at one n: standardised signals (rows, see :func:`row_names`) over the
    candidates, and which candidates are relevant."""

    z: np.ndarray
    relevant: np.ndarray


def row_names(others: list[str]) -> list[tuple[str, float]]:
    """(signal, dislike weight) of every case row: the crowd signals, each ensemble model at
    every dislike weight and alone (0), then every other model alone."""
    rows = [(name, 0.0) for name in CROWD]
    rows += [(m, d) for d in (0.0, *DISLIKE_GRID) for m in ENSEMBLE]
    return rows + [(m, 0.0) for m in others]


def signal_rows(rec: Recommender, models: dict, shown: dict, candidates: np.ndarray,
                names: list[tuple[str, float]]) -> np.ndarray:  # fmt: skip
    crowd = {"most_rated": rec.popularity_.n_ratings_.astype(float),
             "popularity": rec.popularity_.scores_, "content": rec.content_.score_profile(shown)}  # fmt: skip
    rows = []
    for name, dislike in names:
        if name in crowd:
            rows.append(standardise(crowd[name], candidates))
            continue
        models[name].dislike_weight = dislike
        rows.append(standardise(models[name].score(shown).scores, candidates))
    return np.vstack(rows)[:, candidates].astype(np.float32)


def build_cases(rec, models, ratings_by_user, users, rng, in_training, draws, names) -> dict:
    """``draws`` random choices of the shown ratings per user and n."""
    cases: dict[int, list[Case]] = {n: [] for n in N_SHOWN}
    for user in users:
        rated = ratings_by_user[int(user)]
        ids = np.array(list(rated), dtype=np.int64)
        for n in N_SHOWN:
            for _ in range(draws if n else 1):
                shown_ids = rng.choice(ids, size=n, replace=False)
                shown = {int(m): rated[int(m)] for m in shown_ids}
                candidates = in_training.copy()
                candidates[rec.index_.get_indexer(shown_ids)] = False
                relevant = np.zeros(len(candidates), dtype=bool)
                hidden = [m for m in rated if m not in shown and rated[m] >= RELEVANT]
                rows = rec.index_.get_indexer(np.array(hidden, dtype=np.int64))
                relevant[rows[rows >= 0]] = True
                relevant &= candidates
                if relevant.any():
                    z = signal_rows(rec, models, shown, candidates, names)
                    cases[n].append(Case(z, relevant[candidates]))
    return cases


def evaluate(cases: list[Case], weights: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Mean precision@5 and NDCG@5 for each row of ``weights`` (one weight per signal row)."""
    weights = np.atleast_2d(weights).astype(np.float32)
    discounts = 1.0 / np.log2(np.arange(2, TOP + 2))
    precision = np.zeros(len(weights))
    ndcg = np.zeros(len(weights))
    for case in cases:
        scores = weights @ case.z + TIE_BREAK * case.z[0]
        top = np.argpartition(-scores, TOP, axis=1)[:, :TOP]
        order = np.argsort(-np.take_along_axis(scores, top, axis=1), axis=1, kind="stable")
        hits = case.relevant[np.take_along_axis(top, order, axis=1)].astype(float)
        precision += hits.mean(axis=1)
        ideal = discounts[: min(TOP, int(case.relevant.sum()))].sum()
        ndcg += (hits * discounts).sum(axis=1) / ideal
    return precision / len(cases), ndcg / len(cases)


def vector(names: list[tuple[str, float]], weights: dict[str, float], dislike: float) -> np.ndarray:
    """Weights over the case rows: crowd signals by name, ensemble models at ``dislike``."""
    out = np.zeros(len(names))
    for row, (name, d) in enumerate(names):
        if name in weights and (name in CROWD or d == dislike):
            out[row] = weights[name]
    return out


def blend_grid(names: list[tuple[str, float]]) -> tuple[np.ndarray, list[tuple]]:
    """Every weight combination of :data:`GRID` at every dislike weight."""
    vectors, labels = [], []
    for values in itertools.product(*GRID.values()):
        weights = dict(zip(GRID, values, strict=True))
        if not any(weights[m] for m in ENSEMBLE):
            continue
        for dislike in DISLIKE_GRID:
            vectors.append(vector(names, weights, dislike))
            labels.append(({k: v for k, v in weights.items() if v}, dislike))
    return np.array(vectors), labels


def fit_models(rec: Recommender, train) -> dict[str, PersonalModel]:
    """The recommender's own ensemble, and every other model, fitted on ``train``."""
    models = dict(rec.personals_)
    others = [c for c in ranker_configs(comparators=False) if c.algorithm not in models]
    for config in [*others, REFERENCE_KNN]:
        models[config.algorithm] = PersonalModel(config, 0.0).fit(train, rec.movie_ids_)
    return models


def choose(tune_cases: dict, names: list, singles: dict) -> dict[int, tuple]:
    """Per n: (weight vector, label) of the best blend on the tuning users, or the best single
    method when no blend beats it by the margin."""
    grid, labels = blend_grid(names)
    chosen = {}
    for n in N_SHOWN:
        p, d = evaluate(tune_cases[n], grid)
        best = int(np.argmax(p + d))
        single = {k: float(sum(evaluate(tune_cases[n], w))[0]) for k, w in singles.items()}
        best_single = max(single, key=single.get)
        if p[best] + d[best] >= single[best_single] + MARGIN:
            chosen[n] = (grid[best], labels[best])
        else:
            chosen[n] = (singles[best_single], best_single)
    return chosen


def shipped_vector(n: int, names: list) -> np.ndarray:
    """The weights the app uses at n ratings, as a vector over the case rows."""
    return vector(names, blend_weights(n, BLEND_SCHEDULE).as_dict(), DISLIKE_WEIGHT)


def report(report_cases: dict, singles: dict, chosen: dict, names: list) -> bool:
    labels = (*singles, "blend (tuned)", "blend (shipped)")
    header = f"{'n':>3} | {'cases':>5} | " + " | ".join(f"{name[:13]:>13}" for name in labels)
    print("\nReport users: precision@5 / NDCG@5 (higher is better)")
    print(header)
    print("-" * len(header))
    all_ok = True
    for n in N_SHOWN:
        cases = report_cases[n]
        vectors = [*singles.values(), chosen[n][0], shipped_vector(n, names)]
        p, d = evaluate(cases, np.vstack(vectors))
        k = len(singles)
        ok = p[-1] >= p[:k].max() - 1e-12 and d[-1] >= d[:k].max() - 1e-12
        all_ok &= ok
        cells = " | ".join(f"{pi:.3f}/{di:.3f}" for pi, di in zip(p, d, strict=True))
        print(f"{n:>3} | {len(cases):>5} | {cells}  {'ok' if ok else 'BELOW best single'}")
    return all_ok


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", help="MovieLens folder or zip (default: $MOVIELENS_DIR, data/)")
    parser.add_argument("--users", type=int, default=150, help="users per set (tuning, report)")
    parser.add_argument("--draws", type=int, default=2, help="random draws of shown ratings")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    started = time.perf_counter()
    rng = np.random.default_rng(args.seed)

    ml = load_movielens(args.data)
    counts = ml.ratings.groupby("userId").size()
    eligible = counts[counts >= max(N_SHOWN) + 10].index.to_numpy().copy()
    rng.shuffle(eligible)
    tuning, report_users = eligible[: args.users], eligible[args.users : 2 * args.users]
    held_out = np.concatenate([tuning, report_users])
    train = ml.ratings[~ml.ratings["userId"].isin(held_out)]
    rec = Recommender().fit(ml, ratings=train, tags=ml.tags[~ml.tags["userId"].isin(held_out)])
    models = fit_models(rec, train)
    names = row_names([m for m in models if m not in ENSEMBLE])
    in_training = rec.catalog_["n_ratings"].to_numpy() > 0
    held = ml.ratings[ml.ratings["userId"].isin(held_out)]
    ratings_by_user = {
        int(u): dict(zip(g["movieId"].astype(int), g["rating"].astype(float), strict=True))
        for u, g in held.groupby("userId")
    }
    print(f"{ml.name}: fitted on {train['userId'].nunique()} users; {len(tuning)} tuning + "
          f"{len(report_users)} report users held out (>= {max(N_SHOWN) + 10} ratings each), "
          f"{args.draws} draws of the shown ratings per user, seed {args.seed}")  # fmt: skip
    cases = {
        label: build_cases(rec, models, ratings_by_user, users, rng, in_training, args.draws, names)
        for label, users in (("tune", tuning), ("report", report_users))
    }
    singles = {name: vector(names, {name: 1.0}, 0.0) for name, d in names if d == 0.0}
    chosen = choose(cases["tune"], names, singles)
    print("\nChosen on the tuning users (weights, dislike weight; or a single method):")
    for n in N_SHOWN:
        print(f"  n={n:>2}: {chosen[n][1]}")
    ok = report(cases["report"], singles, chosen, names)
    print(
        f"\nShipped blend (dislike weight {DISLIKE_WEIGHT:g}) >= every single method, both "
        f"metrics, every n: {'yes' if ok else 'NO'}"
    )
    print(f"Runtime: {time.perf_counter() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
