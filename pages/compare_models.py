"""Compare models: cross-validated RMSE/MAE and top-5 ranking metrics on the same folds."""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
import pandas as pd
import streamlit as st

from recommender.app.cache import evaluation_folds
from recommender.app.frame import page_frame
from recommender.data import MovieLens
from recommender.evaluation import (
    DEFAULT_FOLDS,
    DEFAULT_RANKING_USERS,
    DEFAULT_SEED,
    METRICS,
    ConfigResult,
    GridSettings,
    Progress,
    baseline_configs,
    best_per_metric,
    cached_results,
    fold_table,
    knn_grid,
    metrics_in,
    preset,
    run_grid,
    summary_table,
)
from recommender.evaluation.charts import accuracy_cost_chart, model_metric_chart
from recommender.evaluation.metrics import RELEVANCE_THRESHOLD, TOP_N
from recommender.models import BASELINE_ALGORITHMS, KNN_ALGORITHMS, SIMILARITIES, ModelConfig

RECOMMEND_PAGE = "pages/recommend.py"
PARALLEL_FROM_STEPS = 20
PRESETS = {"quick": "Quick (5 models)", "all": "All KNN (32 + 3 baselines)", "custom": "Custom"}
K_CHOICES = (5, 10, 20, 40, 60, 80, 100)
RANKED_USERS_TEXT = {None: "all users", 0: "no users (ranking off)"}
BEST_STYLE = "background-color: rgba(33, 195, 84, 0.25); font-weight: 600"


@dataclass(frozen=True)
class Choice:
    """What the visitor asked to compare."""

    configs: list[ModelConfig]
    settings: GridSettings


# Buttons act through callbacks and session state, so a rerun cannot swallow a click.
def request_run() -> None:
    st.session_state["cmp_run_requested"] = True


def hand_over(key: str) -> None:
    st.session_state["recommend_model_key"] = ModelConfig.from_key(key).key
    st.session_state["cmp_hand_over"] = True


# --- Choosing ---------------------------------------------------------------------------------


def render_custom_grid() -> list[ModelConfig]:
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
        "k (max neighbours): range", options=list(K_CHOICES), value=(40, 40), key="cmp_k"
    )
    min_k = c5.slider("min_k (min neighbours)", 1, 10, 1, key="cmp_min_k")
    baselines = c6.multiselect(
        "Baselines", BASELINE_ALGORITHMS, default=["BaselineOnly"], key="cmp_baselines"
    )
    k_values = [k for k in K_CHOICES if ks[0] <= k <= ks[1]]
    return knn_grid(
        algorithms, similarities, [b == "user" for b in based], k_values, [min_k]
    ) + baseline_configs(baselines)


def render_choice(ml: MovieLens) -> Choice:
    with st.container(border=True):
        left, middle, right = st.columns([2, 1, 1])
        chosen = left.radio("Configurations", list(PRESETS), format_func=PRESETS.get,
                            horizontal=True, key="cmp_preset")  # fmt: skip
        n_folds = middle.slider("Folds", 2, 10, DEFAULT_FOLDS, key="cmp_folds")
        engine = right.radio(
            "Engine", ["fast", "surprise"],
            format_func={"fast": "Fast (project)", "surprise": "Surprise (reference)"}.get,
            horizontal=True, key="cmp_engine",
            help="The project's vectorised KNN engine, or scikit-surprise's own classes.",
        )  # fmt: skip
        configs = render_custom_grid() if chosen == "custom" else preset(chosen)
        ranking_choice = st.select_slider(
            "Users ranked per fold for the top-5 metrics",
            options=["off", 25, 50, 100, 200, "all"],
            value=DEFAULT_RANKING_USERS,
            key="cmp_ranking_users",
            help="Every test user by default; a number takes a seeded sample, the same users for "
            "every model. Each ranked user gets the whole catalogue scored.",
        )
    ranking_users = {"all": None, "off": 0}.get(ranking_choice, ranking_choice)
    settings = GridSettings(ml.name, ml.n_ratings, n_folds, DEFAULT_SEED, engine, ranking_users)
    return Choice(configs, settings)


def render_engine_notes(choice: Choice) -> None:
    if not choice.configs:
        st.info("No configuration selected: pick at least one algorithm, similarity and "
                "neighbour kind, or a baseline.")  # fmt: skip
        st.stop()
    if choice.settings.engine != "surprise":
        return
    if any(c.is_knn and not c.user_based for c in choice.configs):
        st.warning(
            "Surprise's own item-based KNN builds a dense movie × movie similarity matrix for "
            "every fold: on ml-latest-small about 15 s and 1 GB of memory per fold and "
            "configuration, some 20× slower than the fast engine. Larger datasets may not fit.",
            icon="⚠️",
        )
    if any(c.is_knn for c in choice.configs):
        st.caption("With the Surprise engine, KNN models get RMSE/MAE only: Surprise has no "
                   "vectorised way to score the whole catalogue for the top-5 metrics.")  # fmt: skip


# --- Running ----------------------------------------------------------------------------------


def render_run_button(choice: Choice, cached: list[ConfigResult]) -> bool:
    missing = len(choice.configs) - len(cached)
    run_col, info_col = st.columns([1, 4], vertical_alignment="center")
    run_col.button(
        f"Run {missing} of {len(choice.configs)}" if missing else "All cached: re-run",
        type="primary", key="cmp_run", on_click=request_run,
    )  # fmt: skip
    info_col.caption(
        f"{len(choice.configs)} configurations × {choice.settings.n_folds} folds on "
        f"`{choice.settings.dataset}` ({len(cached)} cached, {missing} to compute). Results are "
        "kept on disk and reopen instantly."
    )
    return bool(st.session_state.pop("cmp_run_requested", False))


def run_with_progress(ml: MovieLens, choice: Choice, missing: int) -> None:
    """Run the grid with a progress bar, remember failures, then redraw the page."""
    bar = st.progress(0.0, text="Starting…")

    def show(p: Progress) -> None:
        remaining = f" · about {p.remaining:.0f} s left" if p.remaining is not None else ""
        bar.progress(
            p.done / p.total if p.total else 1.0,
            text=f"{p.done} of {p.total} model × fold runs · {p.elapsed:.0f} s elapsed"
            f"{remaining} · {p.current}",
        )

    started = time.perf_counter()
    settings, configs = choice.settings, choice.configs
    # missing == 0 means "re-run": everything is recomputed
    parallel = (missing or len(configs)) * settings.n_folds >= PARALLEL_FROM_STEPS
    grid = run_grid(
        configs, ml.ratings, ml.name, n_folds=settings.n_folds, engine=settings.engine,
        ranking_users=settings.ranking_users, use_cache=missing > 0, progress=show,
        folds=None if parallel else evaluation_folds(ml, settings.n_folds, DEFAULT_SEED),
        # Two processes halve a long run; for a few steps their start-up (~5 s) is not worth it.
        workers=2 if parallel else 1,
    )  # fmt: skip
    bar.empty()
    failures = st.session_state.setdefault("cmp_failures", {})
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


def shown_results(choice: Choice, cached: list[ConfigResult]) -> list[ConfigResult]:
    """The cached results plus this session's failures, in the order of the configurations."""
    failures = st.session_state.get("cmp_failures", {})
    have = {r.config for r in cached}
    results = cached + [
        failures[c.key] for c in choice.configs if c.key in failures and c not in have
    ]
    order = {c: n for n, c in enumerate(choice.configs)}
    return sorted(results, key=lambda r: order.get(r.config, len(order)))


# --- Results ----------------------------------------------------------------------------------


def results_frame(table: pd.DataFrame, metric_names: list[str]) -> pd.DataFrame:
    """Readable "mean ± std" columns; a Status column only if something failed."""
    frame = pd.DataFrame({"Model": table["model"]})
    for name in metric_names:
        metric = METRICS[name]
        frame[metric.label] = [
            metric.format(a, b) for a, b in zip(table[name], table[f"{name}_std"], strict=True)
        ]
    if (table["error"] != "").any():
        frame["Status"] = np.where(table["error"] != "", "❌ " + table["error"], "✅")
    return frame


def highlight(frame: pd.DataFrame, table: pd.DataFrame, best: dict[str, str]) -> pd.DataFrame:
    styles = pd.DataFrame("", index=frame.index, columns=frame.columns)
    for name, key in best.items():
        if METRICS[name].label in styles.columns:
            styles.loc[table["key"] == key, METRICS[name].label] = BEST_STYLE
    return styles


def render_tables(table: pd.DataFrame, settings: GridSettings) -> None:
    st.subheader("Results: mean ± standard deviation over folds")
    ranked = RANKED_USERS_TEXT.get(
        settings.ranking_users, f"{settings.ranking_users} sampled users"
    )
    st.caption(
        f"Lower is better for RMSE, MAE and times; higher for the top-{TOP_N} metrics. "
        f"Top-{TOP_N}: every movie of the training fold the user has not rated there is a "
        f"candidate; relevant = test rating ≥ {RELEVANCE_THRESHOLD:g} ★; averages over users "
        f"with at least one relevant movie; {ranked} ranked per fold, the same for every model. "
        "Best per column in green."
    )
    best = best_per_metric(table[table["error"] == ""])
    rating = [m.name for m in metrics_in("rating")] + [
        m for m in ("fit_seconds", "test_seconds", "total_seconds")
    ]
    ranking = [m.name for m in metrics_in("ranking")]
    accuracy_tab, ranking_tab = st.tabs(["Rating prediction", f"Top-{TOP_N} ranking"])
    for tab, names in ((accuracy_tab, rating), (ranking_tab, ranking)):
        shown = results_frame(table, names)
        tab.dataframe(
            shown.style.apply(highlight, axis=None, table=table, best=best),
            hide_index=True,
            height=min(38 + 35 * len(shown), 38 + 35 * 36),  # the full grid, no inner scrollbar
        )
    ranking_tab.caption(
        "Low precision with a low mean popularity means a model's top-5 is filled with rarely "
        "rated movies, whose estimate rests on one or two neighbours: accurate ratings on "
        "average (RMSE) do not make a good top-5. Mean popularity = training ratings per "
        "recommended movie."
    )
    st.download_button(
        "Download results (CSV)",
        table.rename(columns={"key": "model_key"}).to_csv(index=False).encode("utf-8"),
        file_name=f"compare-{settings.dataset_id}-{settings.folder}.csv",
        mime="text/csv", key="cmp_csv",
    )  # fmt: skip


def render_charts(ok: pd.DataFrame, results: list[ConfigResult], n_folds: int) -> None:
    st.subheader("Metric by model, with the spread over folds")
    chart_metrics = [m for m in METRICS if m != "rank_seconds"]
    name = st.selectbox(
        "Metric", chart_metrics, format_func=lambda m: METRICS[m].label, key="cmp_metric"
    )
    metric = METRICS[name]
    if ok[name].isna().all():
        st.info(f"No {metric.label} for these models (the Surprise engine gives no top-5).")
    else:
        st.plotly_chart(model_metric_chart(ok, metric, n_folds), key="cmp_bars")
    st.subheader("Accuracy against cost")
    kind = np.where(ok["algorithm"].isin(KNN_ALGORITHMS), ok["based"] + "-based KNN", "baseline")
    st.plotly_chart(accuracy_cost_chart(ok, pd.Series(kind, index=ok.index)), key="cmp_scatter")
    with st.expander("Per-fold detail"):
        folds = fold_table([r for r in results if r.ok])
        columns = (
            {"model": "Model", "fold": "Fold"}
            | {m: METRICS[m].label for m in METRICS if m in folds}
            | {"users_evaluated": "Users with relevant movies"}
        )
        detail = folds[list(columns)].rename(columns=columns)
        detail["Fold"] = detail["Fold"] + 1
        st.dataframe(detail, hide_index=True, key="cmp_folds_table")


def render_hand_over(ok: pd.DataFrame) -> None:
    st.subheader("Use a configuration in Recommend")
    knn = ok[ok["algorithm"].isin(KNN_ALGORITHMS)].sort_values("rmse")
    if knn.empty:
        st.info("No KNN configuration in these results: the Recommend page uses KNN models.")
        return
    labels = dict(zip(knn["key"], knn["model"], strict=True))
    pick_col, go_col = st.columns([3, 1], vertical_alignment="bottom")
    chosen = pick_col.selectbox(
        "Configuration (best RMSE first)", list(labels), format_func=labels.get
    )  # no key: a new list of configurations starts again from its best
    go_col.button("Use in Recommend", key="cmp_use", on_click=hand_over, args=(chosen,))


def main() -> None:
    ml = page_frame("Compare models", "⚖️")
    if st.session_state.pop("cmp_hand_over", False):
        st.switch_page(RECOMMEND_PAGE)
    st.title("⚖️ Compare models")
    st.markdown(
        "Which collaborative-filtering configuration predicts ratings best, which ranks a top-5 "
        "best, and what each costs. Every model is fitted and tested on **the same** seeded K "
        "folds."
    )
    choice = render_choice(ml)
    render_engine_notes(choice)
    cached = cached_results(choice.settings, choice.configs)
    if render_run_button(choice, cached):
        run_with_progress(ml, choice, len(choice.configs) - len(cached))
    if finished := st.session_state.pop("cmp_finished", None):
        st.success(finished)
    results = shown_results(choice, cached)
    if not results:
        st.info("No results yet for this choice: press **Run** to compute them.")
        return
    table = summary_table(results)
    render_tables(table, choice.settings)
    ok = table[table["error"] == ""].copy()
    if ok.empty:
        st.info("Every selected configuration failed: see the Status column.")
        return
    render_charts(ok, results, choice.settings.n_folds)
    render_hand_over(ok)


main()
