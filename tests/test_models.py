"""ModelConfig: stable keys that round-trip, normalised baselines, clear errors."""

from __future__ import annotations

import pytest

from recommender.evaluation import knn_grid, preset
from recommender.models import DEFAULT_MODEL, ModelConfig


@pytest.mark.parametrize("config", [*preset("all"), *knn_grid(ks=(5, 100), min_ks=(1, 5))],
                         ids=lambda c: c.key)  # fmt: skip
def test_every_key_round_trips(config: ModelConfig) -> None:
    assert ModelConfig.from_key(config.key) == config
    assert ModelConfig.from_key(f"  {config.key} ") == config


def test_keys_are_short_readable_and_url_safe() -> None:
    assert DEFAULT_MODEL.key == "baseline-item-pearson_baseline-k40-m1"
    assert ModelConfig("SVD", random_state=3).key == "svd-s3"
    assert ModelConfig("BaselineOnly").key == "baselineonly"
    for config in preset("all"):
        # RFC 3986 unreserved characters: safe in a URL and as a cache file name.
        assert all(ch.isalnum() or ch in "-_." for ch in config.key), config.key


def test_baselines_ignore_knn_settings_so_equal_models_compare_equal() -> None:
    assert ModelConfig("BaselineOnly", "cosine", True, 7, 3) == ModelConfig("BaselineOnly")


@pytest.mark.parametrize(
    ("key", "message"),
    [
        ("nonsense", "Unknown model key"),
        ("baseline-sideways-msd-k40-m1", "Malformed model key"),
        ("baseline-item-msd-k40", "Malformed model key"),
        ("baseline-item-jaccard-k40-m1", "Malformed model key"),
        ("baseline-item-msd-k4-m9", "Malformed model key"),
    ],
)
def test_bad_keys_raise_a_value_error_naming_the_key(key: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        ModelConfig.from_key(key)


def test_labels_name_algorithm_neighbours_similarity_and_k() -> None:
    assert DEFAULT_MODEL.label == "KNNBaseline · item-based · pearson_baseline · k=40"
    assert "min_k=3" in ModelConfig("KNNBasic", "msd", True, 20, 3).label
