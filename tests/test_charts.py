"""recommender.explore figures: every figure has a title, axis titles, exact hover text and sane axes."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pytest

from recommender import explore
from recommender.data import MovieLens
from recommender.explore.chart_style import PHONE_TITLE_CHARS, title_layout
from recommender.explore.rating_charts import LONG_TAIL_POINTS


@pytest.fixture(scope="module")
def figures(ml: MovieLens) -> dict[str, go.Figure]:
    """Every figure of the Explore page, built from the real data."""
    user = 414
    return {
        "rating_distribution": explore.rating_distribution_chart(
            explore.rating_distribution(ml), explore.rating_center(ml)
        ),
        "star_kind": explore.star_kind_chart(explore.star_kind_by_year(ml)),
        "tail_movies": explore.long_tail_chart(explore.ratings_per_movie(ml), "movie"),
        "tail_users": explore.long_tail_chart(explore.ratings_per_user(ml), "user"),
        "genre_counts": explore.genre_counts_chart(explore.genre_stats(ml)),
        "genre_spread": explore.genre_rating_spread_chart(explore.genre_stats(ml)),
        "cooccurrence": explore.genre_cooccurrence_chart(explore.genre_cooccurrence(ml)),
        "per_year": explore.movies_per_year_chart(explore.movies_per_release_year(ml)),
        "decades": explore.decade_rating_chart(explore.rating_by_release_decade(ml)),
        "monthly": explore.monthly_activity_chart(explore.monthly_activity(ml)),
        "top_movies": explore.top_movies_chart(explore.bayesian_top_movies(ml, 20)),
        "top_tags": explore.top_tags_chart(explore.top_tags(ml)),
        "tags_per_movie": explore.tags_per_movie_chart(explore.tags_per_movie(ml)),
        "user_hist": explore.user_histogram_chart(explore.user_rating_histogram(ml, user), user),
        "user_genres": explore.user_genres_chart(explore.user_genre_preferences(ml, user), user),
    }


def test_long_titles_become_title_and_subtitle():
    assert title_layout("Rating distribution (half-star steps)") == {
        "text": "Rating distribution (half-star steps)", "x": 0.0, "xanchor": "left",
    }  # fmt: skip
    long = title_layout("Genre co-occurrence: % of the row genre's movies with the column genre")
    assert long["text"] == "Genre co-occurrence"
    assert long["subtitle"]["text"].startswith("% of the row")
    paren = title_layout("Movies and ratings per genre (a movie counts in each of its genres)")
    assert paren["subtitle"]["text"] == "a movie counts in each of its genres"


def _axis_titles(fig: go.Figure, axis: str) -> list[str]:
    layout = fig.layout.to_plotly_json()
    return [
        (value.get("title") or {}).get("text") or ""
        for key, value in layout.items()
        if key.startswith(f"{axis}axis")
    ]


def test_every_figure_has_title_axis_titles_and_hover(figures):
    for name, fig in figures.items():
        assert fig.layout.title.text, name
        # plotly never wraps a title: past this, it is cut off on a 390 px phone
        assert len(fig.layout.title.text) <= PHONE_TITLE_CHARS, (name, fig.layout.title.text)
        subplot_titles = [a for a in fig.layout.annotations if a.xref == a.yref == "paper"]
        assert not subplot_titles, f"{name}: subplot titles collide on a phone"
        assert any(_axis_titles(fig, "x")), name
        # The top-movies dot plot labels movies on y; everything else titles both axes.
        if name != "top_movies":
            assert any(_axis_titles(fig, "y")), name
        shown = [t for t in fig.data if t.hoverinfo != "skip"]
        assert shown, name
        for trace in shown:
            if isinstance(trace, go.Box):
                continue  # box hover is plotly's own list of the precomputed statistics
            assert trace.hovertemplate, f"{name}: {trace.name} has no hover template"


def test_units_in_axis_titles(figures):
    assert "stars" in _axis_titles(figures["rating_distribution"], "x")[0]
    assert "count" in _axis_titles(figures["rating_distribution"], "y")[0]
    assert any("%" in t for t in _axis_titles(figures["star_kind"], "y"))


def test_long_tail_axes_are_logarithmic_and_say_so(figures):
    for name in ("tail_movies", "tail_users"):
        fig = figures[name]
        assert fig.layout.xaxis.type == "log" and fig.layout.yaxis.type == "log"
        assert "log scale" in fig.layout.xaxis.title.text
        assert "log scale" in fig.layout.yaxis.title.text
    movie_hover = figures["tail_movies"].data[0].customdata[0][0]
    assert movie_hover == "Forrest Gump (1994)"  # most-rated movie first


def test_monthly_activity_uses_a_date_axis(figures):
    fig = figures["monthly"]
    assert fig.layout.xaxis.type == "date"
    assert np.issubdtype(np.asarray(fig.data[0].x).dtype, np.datetime64)


def test_cooccurrence_heatmap_is_readable(figures):
    heatmap = figures["cooccurrence"].data[0]
    z = np.asarray(heatmap.z, dtype=float)
    assert z.shape == (19, 19)
    assert np.isnan(np.diag(z)).all()  # 100 % on the diagonal would flatten the colour scale
    assert np.nanmax(z) <= 100
    assert list(heatmap.x)[0] == "Drama"  # ordered by number of movies
    assert figures["cooccurrence"].layout.height >= 19 * 30


def test_rating_distribution_marks_mean_and_median(figures):
    names = [t.name for t in figures["rating_distribution"].data]
    assert "Mean 3.50 ★" in names
    assert "Median 3.5 ★" in names


def test_top_movies_chart_keeps_rank_order(figures):
    labels = list(figures["top_movies"].data[-2].y)
    assert labels[0].startswith("1. Shawshank")
    assert figures["top_movies"].layout.yaxis.autorange == "reversed"


def test_readable_columns_cover_every_eda_frame(ml):
    frames = [
        explore.headline_numbers(ml, ml),
        explore.rating_distribution(ml),
        explore.rating_center(ml),
        explore.star_kind_by_year(ml),
        explore.ratings_per_user(ml),
        explore.ratings_per_movie(ml),
        explore.long_tail_stats(ml),
        explore.genre_stats(ml),
        explore.genre_cooccurrence(ml),
        explore.movies_per_release_year(ml),
        explore.rating_by_release_decade(ml),
        explore.monthly_activity(ml),
        explore.bayesian_top_movies(ml, 10),
        explore.top_tags(ml),
        explore.tags_per_movie(ml),
        explore.user_rating_histogram(ml, 1),
        explore.user_genre_preferences(ml, 1),
        explore.user_recent_ratings(ml, 1),
    ]
    for frame in frames:
        missing = [c for c in frame.columns if c not in explore.COLUMN_LABELS]
        assert not missing, f"no readable label for {missing}"
        renamed = explore.readable_columns(frame)
        assert all("_" not in c for c in renamed.columns)


def _evaluation_table() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "model": ["KNNBasic · item", "SVD", "NormalPredictor"],
            "rmse": [0.90, 0.87, np.nan],
            "rmse_std": [0.01, 0.02, np.nan],
            "folds": [5, 5, 5],
            "total_seconds": [0.6, 1.1, 0.1],
            "fit_seconds": [0.2, 1.0, 0.05],
            "test_seconds": [0.4, 0.1, 0.05],
        }
    )


def test_model_metric_chart_orders_best_first_and_drops_missing():
    from recommender.evaluation.charts import model_metric_chart
    from recommender.evaluation.metrics import METRICS

    fig = model_metric_chart(_evaluation_table(), METRICS["rmse"], 5)
    trace = fig.data[0]
    assert list(trace.y) == ["SVD", "KNNBasic · item"]
    assert list(trace.x) == [0.87, 0.90]
    assert list(trace.error_x.array) == [0.02, 0.01]
    assert fig.layout.xaxis.title.text == "RMSE (stars)"
    assert fig.layout.title.text == "RMSE per model"
    assert "5 folds" in fig.layout.title.subtitle.text


def test_accuracy_cost_chart_has_one_trace_per_kind():
    from recommender.evaluation.charts import accuracy_cost_chart

    table = _evaluation_table()
    kind = pd.Series(["item-based KNN", "baseline", "baseline"])
    fig = accuracy_cost_chart(table, kind)
    assert sorted(t.name for t in fig.data) == ["baseline", "item-based KNN"]
    knn = next(t for t in fig.data if t.name == "item-based KNN")
    assert list(knn.x) == [0.6] and list(knn.y) == [0.90]
    assert fig.layout.xaxis.title.text == "Fit + test time per fold (s)"


def test_a_long_tail_of_many_users_draws_a_log_spaced_sample_with_both_ends():
    n = 200_948  # users of ml-32m
    counts = pd.Series(np.arange(n, 0, -1), index=pd.Index(np.arange(1, n + 1), name="userId"))
    frame = pd.DataFrame({"rank": np.arange(1, n + 1), "userId": counts.index,
                          "ratings": counts.to_numpy(), "cumulative_share": np.linspace(0, 1, n)})  # fmt: skip
    x = list(explore.long_tail_chart(frame, "user").data[0].x)
    assert x[0] == 1 and x[-1] == n and len(x) <= LONG_TAIL_POINTS
    assert x[:10] == list(range(1, 11))  # the head, where the curve bends, keeps every rank
    small = frame.head(500)
    assert list(explore.long_tail_chart(small, "user").data[0].x) == list(range(1, 501))


def test_the_whole_vs_half_stars_chart_labels_every_year_it_shows(ml, figures):
    shown = explore.star_kind_by_year(ml)["year"].tolist()
    assert list(figures["star_kind"].layout.xaxis.tickvals) == shown
    two_years = pd.DataFrame({"year": [1997, 1998], "whole_star": [50_000, 50_000],
                              "half_star": [0, 0], "half_star_share": [0.0, 0.0]})  # fmt: skip
    assert list(explore.star_kind_chart(two_years).layout.xaxis.tickvals) == [1997, 1998]
