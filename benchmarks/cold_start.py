"""Cold start: how good is a top-5 after 1, 3, 5, 10 or 20 ratings, and how should signals blend?

Simulates new visitors: held-out users (none of their ratings or tags are used for fitting) show the
recommender only ``n`` of their ratings, picked at random; the rest are hidden. A top-5 is judged
against the hidden ratings with the project's ranking protocol (:mod:`recommender.evaluation.metrics`):

* candidates: movies rated in the training data that the visitor has not shown;
* relevant: hidden ratings of 4★ or more among the candidates;
* precision@5 and NDCG@5 (binary relevance), averaged over visitors with at least one relevant movie.

Methods: popularity (Bayesian average + log count), content only (TF-IDF profile), CF only in two
forms — "CF rating" ranks by the KNN model's fold-in predicted rating, "CF neighbours" by the sum of
the movie's similarities to the rated movies — and the blend (weighted sum of the standardised
signals of :data:`recommender.recommend.SIGNALS`).

Honesty: blend weights are chosen per ``n`` on one set of held-out users (tuning) and the table is
reported on a different set (report), drawn from the same seeded shuffle. A blend is chosen only if
it beats the best single method on the tuning users by a margin; otherwise that single method is
the "blend" (so noise cannot make the shipped blend worse than what it combines). Ties in every ranking are
broken by popularity, as in the metrics protocol.

Usage::

    flock /tmp/heavy.lock python benchmarks/cold_start.py [--data PATH] [--users 150] [--seed 0]
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
from recommender.recommend import (
    BLEND_SCHEDULE,
    SIGNALS,
    BlendWeights,
    Recommender,
    blend_weights,
    standardise,
)

N_SHOWN = (1, 3, 5, 10, 20)
TOP = 5
RELEVANT = 4.0
PERSONAL_GRID = (0.0, 0.1, 0.25, 0.5, 1.0)  # weights of content and the CF signals; popularity is 1
MARGIN = 0.01  # a blend must beat the best single method on tuning users by this (P@5 + NDCG@5)
TIE_BREAK = 1e-6  # popularity breaks ties (content scores are often exactly equal)
SINGLES = {
    "popularity": "popularity",
    "content": "content",
    "CF rating": "cf_rating",
    "CF neighbours": "cf_support",
}


@dataclass
class Case:
    """One simulated visitor at one n: standardised signals (signals x candidates) and relevance."""

    z: np.ndarray
    relevant: np.ndarray


def build_cases(
    rec: Recommender,
    ratings_by_user: dict[int, dict[int, float]],
    users: np.ndarray,
    rng: np.random.Generator,
    in_training: np.ndarray,
    draws: int,
) -> dict[int, list[Case]]:
    """``draws`` random choices of the shown ratings per user and n."""
    cases: dict[int, list[Case]] = {n: [] for n in N_SHOWN}
    for user in users:
        rated = ratings_by_user[int(user)]
        ids = np.array(list(rated), dtype=np.int64)
        for n in N_SHOWN:
            for _ in range(draws):
                shown_ids = rng.choice(ids, size=n, replace=False)
                shown = {int(m): rated[int(m)] for m in shown_ids}
                candidates = in_training.copy()
                candidates[rec.index_.get_indexer(shown_ids)] = False
                relevant = np.zeros(len(candidates), dtype=bool)
                hidden = [m for m in rated if m not in shown and rated[m] >= RELEVANT]
                rows = rec.index_.get_indexer(np.array(hidden, dtype=np.int64))
                relevant[rows[rows >= 0]] = True
                relevant &= candidates
                if not relevant.any():
                    continue
                signals, _ = rec.signals(shown)
                z = np.vstack([standardise(signals[name], candidates) for name in SIGNALS])
                cases[n].append(Case(z[:, candidates].astype(np.float32), relevant[candidates]))
    return cases


def evaluate(cases: list[Case], weights: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Mean precision@5 and NDCG@5 for each row of ``weights`` (one weight per signal)."""
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


def _vector(weights: BlendWeights) -> np.ndarray:
    return np.array([weights.as_dict()[name] for name in SIGNALS])


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
    tuning, report = eligible[: args.users], eligible[args.users : 2 * args.users]
    held_out = np.concatenate([tuning, report])
    train = ml.ratings[~ml.ratings["userId"].isin(held_out)]
    train_tags = ml.tags[~ml.tags["userId"].isin(held_out)]
    rec = Recommender(model=None).fit(ml, ratings=train, tags=train_tags)
    in_training = rec.catalog_["n_ratings"].to_numpy() > 0
    held = ml.ratings[ml.ratings["userId"].isin(held_out)]
    ratings_by_user = {
        int(u): dict(zip(g["movieId"].astype(int), g["rating"].astype(float), strict=True))
        for u, g in held.groupby("userId")
    }
    print(
        f"{ml.name}: fitted {rec.model_.label} on {train['userId'].nunique()} users; "
        f"{len(tuning)} tuning + {len(report)} report users held out (>= {max(N_SHOWN) + 10} "
        f"ratings each), {args.draws} draws of the shown ratings per user, seed {args.seed}"
    )
    tune_cases = build_cases(rec, ratings_by_user, tuning, rng, in_training, args.draws)
    report_cases = build_cases(rec, ratings_by_user, report, rng, in_training, args.draws)

    singles = {label: _vector(BlendWeights(**{name: 1.0})) for label, name in SINGLES.items()}
    grid = np.array([(1.0, *w) for w in itertools.product(PERSONAL_GRID, repeat=len(SIGNALS) - 1)])
    chosen: dict[int, np.ndarray] = {}
    for n in N_SHOWN:
        p, d = evaluate(tune_cases[n], grid)
        total = p + d
        best = int(np.argmax(total))
        single_totals = {k: float(sum(evaluate(tune_cases[n], w))[0]) for k, w in singles.items()}
        best_single = max(single_totals, key=single_totals.get)
        if total[best] >= single_totals[best_single] + MARGIN:
            chosen[n] = grid[best]
        else:
            chosen[n] = singles[best_single]

    print("\nWeights chosen on the tuning users (blend if it beats the best single by a margin):")
    print("BLEND_SCHEDULE = (\n    (0, BlendWeights(popularity=1.0)),")
    for n in N_SHOWN:
        args_text = ", ".join(f"{k}={v:g}" for k, v in zip(SIGNALS, chosen[n], strict=True) if v)
        print(f"    ({n}, BlendWeights({args_text})),")
    print(")")

    labels = (*singles, "blend (tuned)", "blend (shipped)")
    header = f"{'n':>3} | {'cases':>5} | " + " | ".join(f"{name:>17}" for name in labels)
    print("\nReport users: precision@5 / NDCG@5 (higher is better)")
    print(header)
    print("-" * len(header))
    all_ok = True
    for n in N_SHOWN:
        cases = report_cases[n]
        vectors = [*singles.values(), chosen[n], _vector(blend_weights(n, BLEND_SCHEDULE))]
        p, d = evaluate(cases, np.vstack(vectors))
        k = len(singles)
        ok = p[-1] >= p[:k].max() - 1e-12 and d[-1] >= d[:k].max() - 1e-12
        all_ok &= ok
        cells = " | ".join(f"{pi:7.3f} / {di:6.3f}" for pi, di in zip(p, d, strict=True))
        print(f"{n:>3} | {len(cases):>5} | {cells}  {'ok' if ok else 'BELOW best single'}")
    verdict = "yes" if all_ok else "NO"
    print(f"\nShipped blend >= best single method (both metrics) at every n: {verdict}")
    print(f"Runtime: {time.perf_counter() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
