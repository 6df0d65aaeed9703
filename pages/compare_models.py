"""Compare models: cross-validated RMSE/MAE and top-5 ranking metrics on the same folds."""

from __future__ import annotations

import time

import numpy as np
import pandas as pd
import streamlit as st

from recommender import charts
from recommender.cache import ensure_app_navigation, evaluation_folds, get_movielens
from recommender.evaluation import (
    DEFAULT_FOLDS,
    DEFAULT_RANKING_USERS,
    DEFAULT_SEED,
    LOWER_IS_BETTER,
    METRIC_NAMES,
    GridSettings,
    Progress,
    baseline_configs,
    best_per_metric,
    cached_results,
    fold_table,
    knn_grid,
    preset,
    run_grid,
    summary_table,
)
from recommender.metrics import RELEVANCE_THRESHOLD, TOP_N
from recommender.models import BASELINE_ALGORITHMS, KNN_ALGORITHMS, SIMILARITIES, ModelConfig

RECOMMEND_PAGE = "pages/recommend.py"
PARALLEL_FROM_STEPS = 20
PRESETS = {"quick": "Quick (5 models)", "all": "All KNN (32 + 3 baselines)", "custom": "Custom"}
ACCURACY_METRICS = ["rmse", "mae", "fit_seconds", "test_seconds", "total_seconds"]
RANKING_METRICS = ["precision", "recall", "ndcg", "hit_rate", "coverage", "mean_popularity"]
CHART_METRICS = ["rmse", "mae", *RANKING_METRICS, "fit_seconds", "test_seconds", "total_seconds"]


# Buttons act through callbacks and session state, so a rerun (ensure_app_navigation may do one)
# cannot swallow a click.
def request_run() -> None:
    st.session_state["cmp_run_requested"] = True


def hand_over(key: str) -> None:
    st.session_state["recommend_model_key"] = ModelConfig.from_key(key).key
    st.session_state["cmp_hand_over"] = True


ensure_app_navigation()
if st.session_state.pop("cmp_hand_over", False):
    st.switch_page(RECOMMEND_PAGE)
ml = get_movielens()

st.title("⚖️ Compare models")
st.markdown(
    "Which collaborative-filtering configuration predicts ratings best, which ranks a top-5 best, "
    "and what each costs. Every model is fitted and tested on **the same** seeded K folds."
)

# ------------------------------------------------------------------------------ choices
with st.container(border=True):
    left, middle, right = st.columns([2, 1, 1])
    chosen_preset = left.radio(
        "Configurations",
        list(PRESETS),
        format_func=PRESETS.get,
        horizontal=True,
        key="cmp_preset",
    )
    n_folds = middle.slider("Folds", 2, 10, DEFAULT_FOLDS, key="cmp_folds")
    engine = right.radio(
        "Engine",
        ["fast", "surprise"],
        format_func={"fast": "Fast (project)", "surprise": "Surprise (reference)"}.get,
        horizontal=True,
        key="cmp_engine",
        help="The project's vectorised KNN engine, or scikit-surprise's own classes.",
    )
    if chosen_preset == "custom":
        c1, c2, c3 = st.columns(3)
        algorithms = c1.multiselect(
            "KNN algorithms", KNN_ALGORITHMS, default=["KNNBaseline"], key="cmp_algorithms"
        )
        similarities = c2.multiselect(
            "Similarities", SIMILARITIES, default=["pearson_baseline", "msd"], key="cmp_sims"
        )
        based = c3.multiselect(
            "Neighbours", ["user", "item"], default=["user"], key="cmp_based",
            format_func=lambda b: f"{b}-based",
        )  # fmt: skip
        c4, c5, c6 = st.columns(3)
        ks = c4.select_slider(
            "k (max neighbours): range", options=[5, 10, 20, 40, 60, 80, 100], value=(40, 40),
            key="cmp_k",
        )  # fmt: skip
        min_k = c5.slider("min_k (min neighbours)", 1, 10, 1, key="cmp_min_k")
        baselines = c6.multiselect(
            "Baselines", BASELINE_ALGORITHMS, default=["BaselineOnly"], key="cmp_baselines"
        )
        k_values = [k for k in (5, 10, 20, 40, 60, 80, 100) if ks[0] <= k <= ks[1]]
        configs = knn_grid(
            algorithms, similarities, [b == "user" for b in based], k_values, [min_k]
        ) + baseline_configs(baselines)
    else:
        configs = preset(chosen_preset)
    ranking_choice = st.select_slider(
        "Users ranked per fold for the top-5 metrics",
        options=["off", 25, 50, 100, 200, "all"],
        value=DEFAULT_RANKING_USERS,
        key="cmp_ranking_users",
        help="Every test user by default; a number takes a seeded sample, the same users for "
        "every model. Each ranked user gets the whole catalogue scored.",
    )
ranking_users = {"all": None, "off": 0}.get(ranking_choice, ranking_choice)
RANKED_USERS_TEXT = {None: "all users", 0: "no users (ranking off)"}
settings = GridSettings(ml.name, ml.n_ratings, n_folds, DEFAULT_SEED, engine, ranking_users)

if not configs:
    st.info("No configuration selected: pick at least one algorithm, similarity and neighbour "
            "kind, or a baseline.")  # fmt: skip
    st.stop()
if engine == "surprise" and any(c.is_knn and not c.user_based for c in configs):
    st.warning(
        "Surprise's own item-based KNN builds a dense movie × movie similarity matrix for every "
        "fold: on ml-latest-small about 15 s and 1 GB of memory per fold and configuration, "
        "some 20× slower than the fast engine. Larger datasets may not fit in memory.",
        icon="⚠️",
    )
if engine == "surprise" and any(c.is_knn for c in configs):
    st.caption("With the Surprise engine, KNN models get RMSE/MAE only: Surprise has no "
               "vectorised way to score the whole catalogue for the top-5 metrics.")  # fmt: skip

cached = cached_results(settings, configs)
missing = len(configs) - len(cached)
run_col, info_col = st.columns([1, 4], vertical_alignment="center")
run_col.button(
    f"Run {missing} of {len(configs)}" if missing else "All cached: re-run",
    type="primary",
    key="cmp_run",
    on_click=request_run,
)
run = st.session_state.pop("cmp_run_requested", False)
info_col.caption(
    f"{len(configs)} configurations × {n_folds} folds on `{ml.name}` "
    f"({len(cached)} cached, {missing} to compute). Results are kept on disk and reopen instantly."
)

failures: dict[str, object] = st.session_state.setdefault("cmp_failures", {})
if run:
    bar = st.progress(0.0, text="Starting…")

    def show(p: Progress) -> None:
        remaining = f" · about {p.remaining:.0f} s left" if p.remaining is not None else ""
        bar.progress(
            p.done / p.total if p.total else 1.0,
            text=f"{p.done} of {p.total} model × fold runs · {p.elapsed:.0f} s elapsed{remaining}"
            f" · {p.current}",
        )

    started = time.perf_counter()
    # missing == 0 means "re-run": everything is recomputed
    parallel = (missing or len(configs)) * n_folds >= PARALLEL_FROM_STEPS
    folds = None if parallel else evaluation_folds(ml, n_folds, DEFAULT_SEED)
    grid = run_grid(
        configs,
        ml.ratings,
        ml.name,
        n_folds=n_folds,
        engine=engine,
        ranking_users=ranking_users,
        use_cache=missing > 0,  # "re-run" when all are cached recomputes them
        progress=show,
        folds=folds,
        # Two processes halve a long run; for a few steps their start-up (~5 s) is not worth it.
        workers=2 if parallel else 1,
    )
    bar.empty()
    for result in grid.results:
        if result.ok:
            failures.pop(result.config.key, None)
        else:
            failures[result.config.key] = result
    st.session_state["cmp_finished"] = (
        f"Finished {len(grid.results)} configurations in {time.perf_counter() - started:.1f} s"
        + (f" ({len(grid.failed)} failed: see the table)" if grid.failed else "")
    )
    st.rerun()  # redraw the controls (run button, counts) with the new cache state

if finished := st.session_state.pop("cmp_finished", None):
    st.success(finished)

results = cached + [
    failures[c.key] for c in configs if c.key in failures and c not in {r.config for r in cached}
]
if not results:
    st.info("No results yet for this choice: press **Run** to compute them.")
    st.stop()

order = {c: n for n, c in enumerate(configs)}
results.sort(key=lambda r: order.get(r.config, len(order)))
table = summary_table(results)
best = best_per_metric(table[table["error"] == ""])

# ------------------------------------------------------------------------------ table
st.subheader("Results: mean ± standard deviation over folds")
st.caption(
    f"Lower is better for RMSE, MAE and times; higher for the top-{TOP_N} metrics. "
    f"Top-{TOP_N}: every movie of the training fold the user has not rated there is a candidate; "
    f"relevant = test rating ≥ {RELEVANCE_THRESHOLD:g} ★; averages over users with at least one "
    f"relevant movie; {RANKED_USERS_TEXT.get(ranking_users, f'{ranking_users} sampled users')} "
    "ranked per fold, the same for every model. Best per column in green."
)


def fmt(mean: float, std: float, digits: int) -> str:
    if np.isnan(mean):
        return "–"
    return f"{mean:.{digits}f} ± {std:.{digits}f}"


DIGITS = {"rmse": 4, "mae": 4, "mean_popularity": 1} | dict.fromkeys(
    ["fit_seconds", "test_seconds", "total_seconds"], 2
)


def results_frame(metrics: list[str]) -> pd.DataFrame:
    """Readable "mean ± std" columns for ``metrics``; a Status column only if something failed."""
    frame = pd.DataFrame(
        {"Model": table["model"]}
        | {
            METRIC_NAMES[m]: [
                fmt(a, b, DIGITS.get(m, 3))
                for a, b in zip(table[m], table[f"{m}_std"], strict=True)
            ]
            for m in metrics
        }
    )
    if (table["error"] != "").any():
        frame["Status"] = np.where(table["error"] != "", "❌ " + table["error"], "✅")
    return frame


def highlight(frame: pd.DataFrame) -> pd.DataFrame:
    styles = pd.DataFrame("", index=frame.index, columns=frame.columns)
    for metric, key in best.items():
        if METRIC_NAMES[metric] in styles.columns:
            styles.loc[table["key"] == key, METRIC_NAMES[metric]] = (
                "background-color: rgba(33, 195, 84, 0.25); font-weight: 600"
            )
    return styles


accuracy_tab, ranking_tab = st.tabs(["Rating prediction", f"Top-{TOP_N} ranking"])
for tab, metrics in ((accuracy_tab, ACCURACY_METRICS), (ranking_tab, RANKING_METRICS)):
    shown = results_frame(metrics)
    tab.dataframe(
        shown.style.apply(highlight, axis=None),
        hide_index=True,
        height=min(38 + 35 * len(shown), 38 + 35 * 36),  # the full grid, no inner scrollbar
    )
ranking_tab.caption(
    "Low precision with a low mean popularity means a model's top-5 is filled with rarely rated "
    "movies, whose estimate rests on one or two neighbours: accurate ratings on average (RMSE) "
    "do not make a good top-5. Mean popularity = training ratings per recommended movie."
)

csv = table.rename(columns={"key": "model_key"}).to_csv(index=False).encode("utf-8")
st.download_button(
    "Download results (CSV)",
    csv,
    file_name=f"compare-{settings.dataset_id}-{settings.folder}.csv",
    mime="text/csv",
    key="cmp_csv",
)

ok = table[table["error"] == ""].copy()
if ok.empty:
    st.info("Every selected configuration failed: see the Status column.")
    st.stop()

# ------------------------------------------------------------------------------ charts
st.subheader("Metric by model, with the spread over folds")
metric = st.selectbox("Metric", CHART_METRICS, format_func=METRIC_NAMES.get, key="cmp_metric")
if ok[metric].isna().all():
    st.info(f"No {METRIC_NAMES[metric]} for these models (the Surprise engine gives no top-5).")
else:
    bars = charts.model_metric_chart(
        ok, metric, METRIC_NAMES[metric], n_folds, metric in LOWER_IS_BETTER
    )
    st.plotly_chart(bars, key="cmp_bars")

st.subheader("Accuracy against cost")
kind = np.where(ok["algorithm"].isin(KNN_ALGORITHMS), ok["based"] + "-based KNN", "baseline")
scatter = charts.accuracy_cost_chart(ok, pd.Series(kind, index=ok.index))
st.plotly_chart(scatter, key="cmp_scatter")

with st.expander("Per-fold detail"):
    folds_frame = fold_table([r for r in results if r.ok])
    columns = (
        {"model": "Model", "fold": "Fold"}
        | {m: METRIC_NAMES[m] for m in METRIC_NAMES if m in folds_frame}
        | {"users_evaluated": "Users with relevant movies"}
    )
    detail = folds_frame[list(columns)].rename(columns=columns)
    detail["Fold"] = detail["Fold"] + 1
    st.dataframe(detail, hide_index=True, key="cmp_folds_table")

# ------------------------------------------------------------------------------ hand-over
st.subheader("Use a configuration in Recommend")
knn = ok[ok["algorithm"].isin(KNN_ALGORITHMS)].sort_values("rmse")
if knn.empty:
    st.info("No KNN configuration in these results: the Recommend page uses KNN models.")
else:
    labels = dict(zip(knn["key"], knn["model"], strict=True))
    pick_col, go_col = st.columns([3, 1], vertical_alignment="bottom")
    chosen = pick_col.selectbox(
        "Configuration (best RMSE first)", list(labels), format_func=labels.get
    )  # no key: a new list of configurations starts again from its best
    go_col.button("Use in Recommend", key="cmp_use", on_click=hand_over, args=(chosen,))
