"""Compare models figures, built from an evaluation summary table
(:func:`recommender.evaluation.tables.summary_table`)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from recommender.evaluation.metrics import Metric
from recommender.explore.chart_style import LEGEND, title_layout

__all__ = ["accuracy_cost_chart", "accuracy_novelty_chart", "model_metric_chart"]

PRIMARY = "#3B6EA8"


def model_metric_chart(table: pd.DataFrame, metric: Metric, n_folds: int) -> go.Figure:
    """Dot per model (mean over folds) with ±1 std whiskers, best model on top.

    Dots, not bars: differences between models are small next to the distance from zero.
    """
    name = metric.name
    chart = table.dropna(subset=[name]).sort_values(name, ascending=metric.lower_is_better)
    fig = go.Figure(
        go.Scatter(
            x=chart[name],
            y=chart["model"],
            mode="markers",
            marker={"size": 9, "color": PRIMARY},
            error_x={"type": "data", "array": chart[f"{name}_std"], "visible": True},
            customdata=np.stack([chart[f"{name}_std"], chart["folds"]], axis=-1),
            hovertemplate="%{y}<br>mean %{x:.4f} ± %{customdata[0]:.4f} (std over "
            "%{customdata[1]} folds)<extra></extra>",
        )
    )
    fig.update_layout(
        title=title_layout(
            f"{metric.label} per model (dot = mean over {n_folds} folds, whiskers = ±1 std)"
        ),
        xaxis_title=metric.axis_title(),
        yaxis_title="Model",
        yaxis={"autorange": "reversed"},
        height=max(320, 28 * len(chart) + 140),
        margin={"l": 10, "r": 10, "t": 60, "b": 40},
    )
    return fig


def _labelled_dots(table: pd.DataFrame, kind: pd.Series, x: str, y: str, size: int,
                   customdata: list[str], hovertemplate: str) -> go.Figure:  # fmt: skip
    """One scatter trace per kind of model, every dot labelled with its short model name."""
    fig = go.Figure()
    for name, part in table.groupby(kind.loc[table.index], sort=True):
        fig.add_trace(
            go.Scatter(
                x=part[x],
                y=part[y],
                mode="markers+text",
                name=str(name),
                marker={"size": size},
                text=[_short_label(m) for m in part["model"]],
                textposition="top center",
                textfont={"size": 10},
                customdata=np.stack([part[c] for c in customdata], axis=-1),
                hovertemplate=hovertemplate,
            )
        )
    return fig


def accuracy_cost_chart(table: pd.DataFrame, kind: pd.Series) -> go.Figure:
    """RMSE against fit + test time per fold, one colour per kind of model, every dot labelled
    (models that do not predict ratings have no RMSE and are left out)."""
    fig = _labelled_dots(
        table.dropna(subset=["rmse"]), kind, "total_seconds", "rmse", 11,
        ["fit_seconds", "test_seconds", "model"],
        "%{customdata[2]}<br>RMSE %{y:.4f}<br>fit %{customdata[0]:.2f} s "
        "+ test %{customdata[1]:.2f} s per fold<extra></extra>",
    )  # fmt: skip
    fig.update_layout(
        title=title_layout("RMSE against fit + test time per fold"),
        legend=LEGEND,
        xaxis_title="Fit + test time per fold (s)",
        yaxis_title="RMSE (stars, lower is better)",
        legend_title="Kind",
        height=420,
    )
    return fig


def _short_label(model: str) -> str:
    """A dot's label: the algorithm and its distinguishing settings, compactly."""
    parts = model.split(" · ")
    return " ".join([parts[0], *[p.split("=")[-1] for p in parts[1:3]]])


def accuracy_novelty_chart(table: pd.DataFrame, kind: pd.Series) -> go.Figure:
    """NDCG@5 against novelty (mean self-information of the recommended movies), one colour per
    kind of model, every dot labelled: accurate lists of well-known films sit top-left, accurate
    lists that also surprise top-right."""
    fig = _labelled_dots(
        table.dropna(subset=["ndcg", "novelty"]), kind, "novelty", "ndcg", 10,
        ["model", "coverage"],
        "%{customdata[0]}<br>NDCG@5 %{y:.3f}<br>novelty %{x:.2f} bits"
        "<br>coverage %{customdata[1]:.1%}<extra></extra>",
    )  # fmt: skip
    fig.update_layout(
        title=title_layout("Top-5 accuracy against novelty (mean over folds)"),
        legend=LEGEND,
        xaxis_title="Novelty of the recommended movies (bits, higher = less known)",
        yaxis_title="NDCG@5 (higher is better)",
        legend_title="Kind",
        height=480,
        margin={"l": 10, "r": 10, "t": 60, "b": 40},
    )
    return fig
