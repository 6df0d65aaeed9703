"""Compare models figures, built from an evaluation summary table
(:func:`recommender.evaluation.tables.summary_table`)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from recommender.evaluation.metrics import Metric

__all__ = ["accuracy_cost_chart", "model_metric_chart"]

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
        title=f"{metric.label} per model (dot = mean over {n_folds} folds, whiskers = ±1 std)",
        xaxis_title=metric.axis_title(),
        yaxis_title="Model",
        yaxis={"autorange": "reversed"},
        height=max(320, 28 * len(chart) + 140),
        margin={"l": 10, "r": 10, "t": 60, "b": 40},
    )
    return fig


def accuracy_cost_chart(table: pd.DataFrame, kind: pd.Series) -> go.Figure:
    """RMSE against fit + test time per fold, one colour per kind of model."""
    fig = go.Figure()
    for name, part in table.groupby(kind, sort=True):
        fig.add_trace(
            go.Scatter(
                x=part["total_seconds"],
                y=part["rmse"],
                mode="markers",
                name=str(name),
                marker={"size": 11},
                text=part["model"],
                customdata=np.stack([part["fit_seconds"], part["test_seconds"]], axis=-1),
                hovertemplate="%{text}<br>RMSE %{y:.4f}<br>fit %{customdata[0]:.2f} s + test "
                "%{customdata[1]:.2f} s per fold<extra></extra>",
            )
        )
    fig.update_layout(
        title="RMSE against fit + test time per fold",
        xaxis_title="Fit + test time per fold (s)",
        yaxis_title="RMSE (stars, lower is better)",
        legend_title="Kind",
        height=420,
    )
    return fig
