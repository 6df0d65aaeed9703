"""Model configurations: one KNN or baseline setting, buildable on the fast engine or on Surprise.

A :class:`ModelConfig` is the unit the Compare models page evaluates, the Recommend page uses and the
on-disk result cache is keyed by. Its :attr:`~ModelConfig.key` is a short stable string, safe in URLs.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Literal

from recommender.knn import ALGORITHMS, MEASURES

__all__ = [
    "BASELINE_ALGORITHMS",
    "Engine",
    "DEFAULT_MODEL",
    "KNN_ALGORITHMS",
    "SIMILARITIES",
    "ModelConfig",
]


KNN_ALGORITHMS: tuple[str, ...] = tuple(ALGORITHMS)
BASELINE_ALGORITHMS = ("NormalPredictor", "BaselineOnly", "SVD")
SIMILARITIES: tuple[str, ...] = MEASURES
Engine = Literal["fast", "surprise"]

_SHORT = {
    "KNNBasic": "basic",
    "KNNWithMeans": "means",
    "KNNWithZScore": "zscore",
    "KNNBaseline": "baseline",
    "NormalPredictor": "normal",
    "BaselineOnly": "baselineonly",
    "SVD": "svd",
}
_LONG = {v: k for k, v in _SHORT.items()}


@dataclass(frozen=True, order=True)
class ModelConfig:
    """One rating-prediction model: a KNN algorithm with its similarity and neighbourhood, or a baseline.

    ``similarity``, ``user_based``, ``k`` and ``min_k`` only apply to the KNN algorithms; for the
    baselines they are normalised to ``None`` / ``False`` / 0 / 0 so equal models compare equal.
    """

    algorithm: str
    similarity: str | None = None
    user_based: bool = False
    k: int = 40
    min_k: int = 1
    random_state: int = 0

    def __post_init__(self) -> None:
        if self.algorithm not in _SHORT:
            raise ValueError(
                f"Unknown algorithm {self.algorithm!r}; choose one of {', '.join(_SHORT)}."
            )
        if self.is_knn:
            sim = self.similarity or "msd"
            if sim not in SIMILARITIES:
                raise ValueError(
                    f"Unknown similarity {sim!r}; choose one of {', '.join(SIMILARITIES)}."
                )
            if self.k < 1 or self.min_k < 0 or self.min_k > self.k:
                raise ValueError(
                    f"Need k >= 1 and 0 <= min_k <= k, got k={self.k}, min_k={self.min_k}."
                )
            object.__setattr__(self, "similarity", sim)
        else:
            object.__setattr__(self, "similarity", None)
            object.__setattr__(self, "user_based", False)
            object.__setattr__(self, "k", 0)
            object.__setattr__(self, "min_k", 0)

    @property
    def is_knn(self) -> bool:
        return self.algorithm in KNN_ALGORITHMS

    @property
    def key(self) -> str:
        """Stable short id, e.g. ``baseline-item-pearson_baseline-k40-m1`` or ``svd``."""
        if not self.is_knn:
            return (
                _SHORT[self.algorithm] if self.algorithm != "SVD" else f"svd-s{self.random_state}"
            )
        kind = "user" if self.user_based else "item"
        return f"{_SHORT[self.algorithm]}-{kind}-{self.similarity}-k{self.k}-m{self.min_k}"

    @classmethod
    def from_key(cls, key: str) -> ModelConfig:
        """Parse :attr:`key` back; raises ValueError naming what is wrong."""
        parts = key.strip().split("-")
        algorithm = _LONG.get(parts[0])
        if algorithm is None:
            raise ValueError(f"Unknown model key {key!r}.")
        if algorithm not in KNN_ALGORITHMS:
            if algorithm == "SVD" and len(parts) == 2 and parts[1].startswith("s"):
                return cls("SVD", random_state=int(parts[1][1:]))
            return cls(algorithm)
        try:
            _, kind, similarity, k, min_k = parts
            if kind not in ("user", "item") or not k.startswith("k") or not min_k.startswith("m"):
                raise ValueError
            return cls(algorithm, similarity, kind == "user", int(k[1:]), int(min_k[1:]))
        except ValueError as exc:
            raise ValueError(
                f"Malformed model key {key!r}; expected e.g. 'baseline-item-pearson_baseline-k40-m1'."
            ) from exc

    @property
    def label(self) -> str:
        """Human-readable name, e.g. ``KNNBaseline · item-based · pearson_baseline · k=40``."""
        if not self.is_knn:
            return self.algorithm
        kind = "user-based" if self.user_based else "item-based"
        extra = f" · min_k={self.min_k}" if self.min_k != 1 else ""
        return f"{self.algorithm} · {kind} · {self.similarity} · k={self.k}{extra}"

    def params(self) -> dict[str, Any]:
        """Constructor keyword arguments, as Surprise's classes take them."""
        if self.algorithm == "SVD":
            return {"random_state": self.random_state}
        if not self.is_knn:
            return {}
        return {
            "k": self.k,
            "min_k": self.min_k,
            "sim_options": {"name": self.similarity, "user_based": self.user_based},
            "verbose": False,
        }

    def build(self, engine: Engine = "fast") -> Any:
        """An unfitted Surprise-compatible algorithm: the project's engine or Surprise's reference."""
        if self.is_knn and engine == "fast":
            cls = ALGORITHMS[self.algorithm]
        else:
            if engine not in ("fast", "surprise"):
                raise ValueError(f"Unknown engine {engine!r}; choose 'fast' or 'surprise'.")
            import surprise

            cls = getattr(surprise, self.algorithm)
        if self.algorithm == "BaselineOnly":
            return cls(verbose=False)
        return cls(**self.params())

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


DEFAULT_MODEL = ModelConfig("KNNBaseline", "pearson_baseline", user_based=False)
