"""Compare models: cross-validated RMSE/MAE and top-5 ranking metrics on the same folds."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import streamlit as st

from recommender import settings as app_settings
from recommender.app.cache import (
    evaluated_ratings,
    evaluated_shape,
    job_runner,
    paired_comparisons,
)
from recommender.app.datasets import private_results_dir
from recommender.app.frame import page_frame
from recommender.data import MovieLens
from recommender.data.export import csv_bytes
from recommender.evaluation import (
    DEFAULT_FOLDS,
    DEFAULT_RANKING_USERS,
    DEFAULT_SEED,
    METRICS,
    ConfigResult,
    GridSettings,
    baseline_configs,
    best_per_metric,
    cached_results,
    fold_table,
    knn_grid,
    metrics_in,
    preset,
    summary_table,
)
from recommender.evaluation.charts import (
    accuracy_cost_chart,
    accuracy_novelty_chart,
    model_metric_chart,
)
from recommender.evaluation.grids import PRESET_LABELS
from recommender.evaluation.jobs import JobRequest, JobStatus
from recommender.evaluation.metrics import RELEVANCE_THRESHOLD, TOP_N
from recommender.evaluation.sampling import (
    default_sample_size,
    estimate_seconds,
    offered_sample_sizes,
    rough_duration,
    sample_name,
)
from recommender.evaluation.tables import display_table, ranking_view
from recommender.models import (
    BASELINE_ALGORITHMS,
    KNN_ALGORITHMS,
    RANKING_ALGORITHMS,
    SIMILARITIES,
    ModelConfig,
)
from recommender.ranking import RANKERS

RECOMMEND_PAGE = "pages/recommend.py"
PARALLEL_FROM_STEPS = 20
PRESETS = PRESET_LABELS | {"custom": "Custom"}
K_CHOICES = (5, 10, 20, 40, 60, 80, 100)
RESULT_TABS = (f"Top-{TOP_N} ranking", "Rating prediction", "Beyond accuracy")
RANKED_USERS_TEXT = {None: "all users", 0: "no users (ranking off)"}
BEST_STYLE = "background-color: rgba(33, 195, 84, 0.25); font-weight: 600"


@dataclass(frozen=True)
class Choice:
    """What the visitor asked to compare."""

    configs: list[ModelConfig]
    settings: GridSettings
    sample_users: int | None = None  # None: every user's ratings are evaluated
    results_dir: str | None = None  # a visitor's own upload: this session's folder; None: shared


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
    knn = knn_grid(algorithms, similarities, [b == "user" for b in based], k_values, [min_k])
    return knn + baseline_configs(baselines) + render_custom_rankers()


def render_custom_rankers() -> list[ModelConfig]:
    """Top-N models to add, each with its hyper-parameters (defaults: the shipped values)."""
    chosen = st.multiselect(
        "Top-N models", RANKING_ALGORITHMS, default=["MostPopular"], key="cmp_rankers",
        help="Models built to rank a top-N (they do not predict star ratings).",
    )  # fmt: skip
    configs = []
    for algorithm in chosen:
        spec = RANKERS[algorithm]
        if not spec.params:
            configs.append(ModelConfig(algorithm))
            continue
        shipped = dict(ModelConfig(algorithm).hyper)
        with st.expander(f"{algorithm}: {spec.description}"):
            values = {p.name: hyper_input(algorithm, p, shipped[p.name]) for p in spec.params}
        configs.append(ModelConfig(algorithm, hyper=tuple(values.items())))
    return configs


def hyper_input(algorithm: str, param, value):
    """One hyper-parameter's widget, by the type of its default."""
    key = f"cmp_hyper_{algorithm}_{param.name}"
    if param.choices:
        return st.selectbox(param.name, param.choices, index=param.choices.index(value),
                            key=key, help=param.help)  # fmt: skip
    if isinstance(value, bool):
        return st.checkbox(param.name, value=value, key=key, help=param.help)
    if isinstance(value, int):
        return int(st.number_input(param.name, min_value=0, value=value, step=1, key=key,
                                   help=param.help))  # fmt: skip
    return float(st.number_input(param.name, min_value=0.0, value=float(value), format="%g",
                                 key=key, help=param.help))  # fmt: skip


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
        sample = render_user_sample(ml)
    ranking_users = {"all": None, "off": 0}.get(ranking_choice, ranking_choice)
    name = ml.name if sample is None else sample_name(ml.name, sample, DEFAULT_SEED)
    n_ratings = len(evaluated_ratings(ml, sample, DEFAULT_SEED))
    settings = GridSettings(name, n_ratings, n_folds, DEFAULT_SEED, engine, ranking_users,
                            ml.rating_scale)  # fmt: skip
    return Choice(configs, settings, sample, private_results_dir(ml))


def render_user_sample(ml: MovieLens) -> int | None:
    """On a large dataset, the seeded user sample to evaluate on (None: every user)."""
    threshold = app_settings.sample_threshold()
    if ml.n_ratings <= threshold:
        return None
    n_users = ml.n_users
    sizes = offered_sample_sizes(n_users)
    if not sizes:  # too few users for any offered sample
        return None
    choice = st.select_slider(
        "Users evaluated", options=[*sizes, "all"],
        value=default_sample_size(sizes, n_users, ml.n_ratings),
        format_func=lambda n: f"all {n_users:,}" if n == "all" else f"{n:,}",
        key="cmp_sample_users",
        help=f"Above {threshold:,} ratings a grid on every rating takes hours here: evaluate on "
        f"every rating of a random sample of users instead (seed {DEFAULT_SEED}: the same users "
        "on any machine). The sample is part of the results' name, so sampled and full results "
        "never mix.",
    )  # fmt: skip
    return None if choice == "all" else int(choice)


def render_sample_note(ml: MovieLens, choice: Choice) -> None:
    if choice.sample_users is None:
        return
    shape = evaluated_shape(ml, choice.sample_users, DEFAULT_SEED)
    st.info(
        f"Evaluating on a seeded random sample: every rating of {shape.users:,} of "
        f"{ml.n_users:,} users ({shape.ratings:,} of {ml.n_ratings:,} ratings, {shape.items:,} "
        f"movies), seed {DEFAULT_SEED}. Results are saved and shown as "
        f"“{choice.settings.dataset}”.",
        icon="🎲",
    )


def estimate_text(ml: MovieLens, choice: Choice, configs: list[ModelConfig]) -> str:
    """“about N min” for computing ``configs`` (rough: see recommender.evaluation.sampling)."""
    shape = evaluated_shape(ml, choice.sample_users, DEFAULT_SEED)
    seconds = estimate_seconds(configs, choice.settings, shape, app_settings.grid_workers())
    return rough_duration(seconds)


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


def request_recompute() -> None:
    st.session_state["cmp_confirm_recompute"] = True


def confirm_recompute() -> None:
    st.session_state.pop("cmp_confirm_recompute", None)
    st.session_state["cmp_run_requested"] = "recompute"


def render_run_button(ml: MovieLens, choice: Choice, cached: list[ConfigResult]) -> str | None:
    """The Run button (or "Recompute", which asks first); returns "run", "recompute" or None."""
    done = {r.config.key for r in cached}
    to_compute = [c for c in choice.configs if c.key not in done]
    missing = len(to_compute)
    run_col, info_col = st.columns([1, 4], vertical_alignment="center")
    if missing:
        run_col.button(f"Run {missing} of {len(choice.configs)}", type="primary", key="cmp_run",
                       on_click=request_run)  # fmt: skip
    else:
        run_col.button("All cached: recompute…", key="cmp_run", on_click=request_recompute)
    info_col.caption(
        f"{len(choice.configs)} configurations × {choice.settings.n_folds} folds on "
        f"`{choice.settings.dataset}` ({len(cached)} cached, {missing} to compute). "
        + (
            "Results of your own dataset are kept for this session only, seen by you only."
            if choice.results_dir
            else "Results are kept on disk and reopen instantly; a run goes on on the server if "
            "you leave the page."
        )
    )
    estimate = estimate_text(ml, choice, to_compute or choice.configs)
    if estimate:
        what = "Computing them" if to_compute else "Recomputing them all"
        info_col.caption(
            f"{what} takes {estimate} (a rough estimate: the times measured for the shipped "
            "ml-latest-small results, scaled to the data and settings chosen)."
        )
    if st.session_state.get("cmp_confirm_recompute"):
        st.warning(f"Recompute all {len(cached)} cached results? They stay shown until the new "
                   "ones replace them.", icon="⚠️")  # fmt: skip
        yes, no = st.columns([1, 5])
        yes.button("Yes, recompute", key="cmp_confirm", on_click=confirm_recompute)
        no.button("Cancel", key="cmp_keep", on_click=st.session_state.pop,
                  args=("cmp_confirm_recompute", None))  # fmt: skip
    requested = st.session_state.pop("cmp_run_requested", None)
    return {True: "run", "recompute": "recompute"}.get(requested)


def start_job(ml: MovieLens, choice: Choice, recompute: bool) -> None:
    """Hand the grid to the server's job queue; this session follows it by id."""
    request = JobRequest(choice.settings, tuple(choice.configs), recompute, choice.results_dir)
    ratings = evaluated_ratings(ml, choice.sample_users, DEFAULT_SEED)
    job = job_runner().submit(request, ratings, ml.movies)
    st.session_state["cmp_job_id"] = job.job_id


def cancel_job(job_id: str) -> None:
    job = job_runner().jobs.get(job_id)
    if job is not None:
        job.cancel()


@st.fragment(run_every=1.0)
def render_job() -> None:
    """The running job's progress, refreshed every second; the page redraws when it ends."""
    job_id = st.session_state.get("cmp_job_id")
    status = job_runner().status(job_id) if job_id else None
    if status is None:
        return
    if status.finished:
        st.session_state.pop("cmp_job_id", None)
        st.session_state["cmp_finished"] = status
        st.rerun(scope="app")
    if status.queue_position:
        text = f"Queued: {status.queue_position} job(s) ahead of yours on this server…"
    else:
        left = f" · about {status.remaining:.0f} s left" if status.remaining is not None else ""
        text = (f"{status.done} of {status.total} model × fold runs · {status.elapsed:.0f} s "
                f"elapsed{left} · {status.current}")  # fmt: skip
    bar_col, stop_col = st.columns([5, 1], vertical_alignment="center")
    bar_col.progress(status.done / status.total if status.total else 0.0, text=text)
    stop_col.button("Cancel", key="cmp_cancel", on_click=cancel_job, args=(job_id,))


def render_finished(choice: Choice) -> None:
    status: JobStatus | None = st.session_state.pop("cmp_finished", None)
    if status is None:
        return
    failures = st.session_state.setdefault("cmp_failures", {})
    for config in choice.configs:
        if config.key in status.failures:
            failures[config.key] = ConfigResult(config, choice.settings.engine,
                                                error=status.failures[config.key])  # fmt: skip
        else:
            failures.pop(config.key, None)
    if status.state == "cancelled":
        st.info(f"Cancelled after {status.done} of {status.total} runs; what finished is kept "
                "and a new run resumes from it.", icon="⏹️")  # fmt: skip
    elif status.state == "failed":
        st.error(f"The run stopped: {status.error}", icon="🚫")
    else:
        failed = f" ({len(status.failures)} failed: see the table)" if status.failures else ""
        st.success(f"Finished {status.total // max(1, choice.settings.n_folds)} configurations "
                   f"in {status.elapsed:.1f} s{failed}")  # fmt: skip


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


def highlight(frame: pd.DataFrame, table: pd.DataFrame, best: dict[str, str]) -> pd.DataFrame:
    styles = pd.DataFrame("", index=frame.index, columns=frame.columns)
    for name, key in best.items():
        if METRICS[name].label in styles.columns:
            styles.loc[table.index[table["key"] == key], METRICS[name].label] = BEST_STYLE
    return styles


def show_table(tab, shown: pd.DataFrame, table: pd.DataFrame, best: dict[str, str]) -> None:
    tab.dataframe(
        shown.style.apply(highlight, axis=None, table=table.loc[shown.index], best=best),
        hide_index=True,
        height=min(38 + 35 * len(shown), 38 + 35 * 48),  # the full grid, no inner scrollbar
    )


def render_tables(table: pd.DataFrame, results: list[ConfigResult], choice: Choice) -> None:
    settings = choice.settings
    st.subheader("Results: mean ± standard deviation over folds")
    ranked = RANKED_USERS_TEXT.get(
        settings.ranking_users, f"{settings.ranking_users} sampled users"
    )
    st.caption(
        f"Top-{TOP_N}: every movie of the training fold the user has not rated there is a "
        f"candidate; relevant = test rating ≥ {RELEVANCE_THRESHOLD:g} ★; averages over users "
        f"with at least one relevant movie; {ranked} ranked per fold, the same for every model. "
        "Best per column in green; “—”: the metric does not apply (top-N models rank, they do "
        "not predict stars)."
    )
    ok = table[table["error"] == ""]
    best = best_per_metric(ok)
    # Only the open tab is drawn (a table is a canvas grid the browser builds even when hidden)
    ranking_tab, rating_tab, beyond_tab = st.tabs(
        list(RESULT_TABS), key="cmp_tab", on_change="rerun"
    )
    if ranking_tab.open:
        ranking = [m.name for m in metrics_in("ranking")]
        keys = tuple(r.config.key for r in results if r.ok)
        comparisons = paired_comparisons(settings, keys, choice.results_dir)
        show_table(ranking_tab, ranking_view(table, comparisons, ranking), table, best)
        ranking_tab.caption(
            "“vs best”: each model's per-user NDCG@5 minus the best model's, over the same users "
            "and folds: the mean difference with its 95 % bootstrap interval and the Wilcoxon "
            "signed-rank p-value. “tied with the best” = no real difference (the interval holds "
            "0 or p ≥ 0.05)."
        )
    if rating_tab.open:
        rating = [m.name for m in metrics_in("rating")] + [
            "fit_seconds",
            "test_seconds",
            "total_seconds",
        ]
        by_rmse = table["rmse"].fillna(np.inf).sort_values(kind="stable").index
        show_table(rating_tab, display_table(table, rating).loc[by_rmse], table, best)
    if beyond_tab.open:
        beyond = [m.name for m in metrics_in("beyond")]
        show_table(beyond_tab, display_table(table, beyond), table, best)
        beyond_tab.caption(
            "Properties of the lists, not qualities: none is “best”. Novelty = mean "
            "self-information of the recommended movies (bits: higher = less known); diversity = "
            "mean genre distance within a list; Gini = how unequally the catalogue is shown (1 = "
            "one movie for everyone)."
        )
        if not ok.empty and ok["novelty"].notna().any():
            beyond_tab.plotly_chart(accuracy_novelty_chart(ok, ok["kind"]), key="cmp_novelty")
    st.download_button(
        "Download results (CSV)",
        lambda: csv_bytes(table.rename(columns={"key": "model_key"})),  # written on click
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
    if ok["rmse"].notna().any():
        st.subheader("Rating accuracy against cost")
        st.plotly_chart(accuracy_cost_chart(ok, ok["kind"]), key="cmp_scatter")
    detail_box = st.expander("Per-fold detail", key="cmp_fold_detail", on_change="rerun")
    if not detail_box.open:  # drawn only while open: a closed expander costs nothing
        return
    with detail_box:
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
    usable = ok[ok["algorithm"].isin(KNN_ALGORITHMS + RANKING_ALGORITHMS)]
    usable = usable.sort_values("ndcg", ascending=False, na_position="last", kind="stable")
    if usable.empty:
        st.info("No top-N or KNN model in these results: Recommend needs one of those.")
        return
    labels = dict(zip(usable["key"], usable["model"], strict=True))
    pick_col, go_col = st.columns([3, 1], vertical_alignment="bottom")
    chosen = pick_col.selectbox(
        "Model (best top-5 first)", list(labels), format_func=labels.get
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
    render_sample_note(ml, choice)
    action = render_run_button(ml, choice, cached)
    if action:
        start_job(ml, choice, recompute=action == "recompute")
    render_job()
    render_finished(choice)
    # a finished job may have added some
    cached = cached_results(choice.settings, choice.configs, choice.results_dir)
    results = shown_results(choice, cached)
    if not results:
        st.info("No results yet for this choice: press **Run** to compute them.")
        return
    table = summary_table(results)
    render_tables(table, results, choice)
    ok = table[table["error"] == ""].copy()
    if ok.empty:
        st.info("Every selected configuration failed: see the Status column.")
        return
    render_charts(ok, results, choice.settings.n_folds)
    render_hand_over(ok)


main()
