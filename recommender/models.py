"""Model configurations: one KNN, baseline or ranking model with its settings.

A :class:`ModelConfig` is the unit the Compare models page evaluates, the Recommend page uses and the
on-disk result cache is keyed by. Its :attr:`~ModelConfig.key` is a short stable string, safe in URLs
and file names. Three kinds:

* the Surprise-exact **KNN** rating models (``similarity``, ``user_based``, ``k``, ``min_k``);
* Surprise's **baselines** (NormalPredictor, BaselineOnly, SVD);
* the **rankers** of :mod:`recommender.ranking` (top-N models that do not predict ratings), whose
  hyper-parameters are ``hyper`` — (name, value) pairs, completed with their defaults.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Literal

from recommender.knn import ALGORITHMS, MEASURES
from recommender.ranking import RANKERS, RankerSpec

__all__ = [
    "BASELINE_ALGORITHMS",
    "Engine",
    "DEFAULT_MODEL",
    "KNN_ALGORITHMS",
    "RANKING_ALGORITHMS",
    "SIMILARITIES",
    "ModelConfig",
]


KNN_ALGORITHMS: tuple[str, ...] = tuple(ALGORITHMS)
BASELINE_ALGORITHMS = ("NormalPredictor", "BaselineOnly", "SVD")
SIMILARITIES: tuple[str, ...] = MEASURES
RANKING_ALGORITHMS: tuple[str, ...] = tuple(RANKERS)
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
_SHORT |= {spec.algorithm: spec.short for spec in RANKERS.values()}
_LONG = {v: k for k, v in _SHORT.items()}
Hyper = tuple[tuple[str, Any], ...]


def _value_text(value: Any) -> str:
    return (
        f"{value:g}"
        if isinstance(value, float)
        else str(int(value) if isinstance(value, bool) else value)
    )


@dataclass(frozen=True, order=True)
class ModelConfig:
    """One model: a KNN algorithm with its similarity and neighbourhood, a baseline, or a ranker.

    ``similarity``, ``user_based``, ``k`` and ``min_k`` only apply to the KNN algorithms and
    ``hyper`` only to rankers; elsewhere they are normalised (``None`` / ``False`` / 0 / 0 / ())
    so equal models compare equal.
    """

    algorithm: str
    similarity: str | None = None
    user_based: bool = False
    k: int = 40
    min_k: int = 1
    random_state: int = 0
    hyper: Hyper = ()

    def __post_init__(self) -> None:
        if self.algorithm not in _SHORT:
            raise ValueError(
                f"Unknown algorithm {self.algorithm!r}; choose one of {', '.join(_SHORT)}."
            )
        if self.is_ranker:
            object.__setattr__(self, "hyper", self._full_hyper(self.hyper))
        elif self.hyper:
            raise ValueError(f"{self.algorithm} takes no hyper-parameters {self.hyper!r}.")
        if self.is_ranker:
            for name, value in (("similarity", None), ("user_based", False), ("k", 0),
                                ("min_k", 0), ("random_state", 0)):  # fmt: skip
                object.__setattr__(self, name, value)
        elif self.is_knn:
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

    def _full_hyper(self, given: Any) -> Hyper:
        """Every hyper-parameter of the ranker, in its declared order, defaults filled in."""
        spec = self.spec
        given = dict(given)
        unknown = set(given) - {p.name for p in spec.params}
        if unknown:
            raise ValueError(
                f"{self.algorithm} has no hyper-parameter {', '.join(sorted(unknown))}."
            )
        values = []
        for param in spec.params:
            value = given.get(param.name, param.default)
            value = (
                param.parse(_value_text(value))
                if not isinstance(value, str)
                else param.parse(value)
            )
            values.append((param.name, value))
        return tuple(values)

    @property
    def is_knn(self) -> bool:
        return self.algorithm in KNN_ALGORITHMS

    @property
    def is_ranker(self) -> bool:
        return self.algorithm in RANKERS

    @property
    def predicts_ratings(self) -> bool:
        """True for models that estimate star ratings (RMSE/MAE apply); rankers only rank."""
        return not self.is_ranker

    @property
    def spec(self) -> RankerSpec:
        """The ranker's registry entry (rankers only)."""
        if not self.is_ranker:
            raise ValueError(f"{self.algorithm} is not a ranker.")
        return RANKERS[self.algorithm]

    def get(self, name: str) -> Any:
        """A ranker's hyper-parameter value."""
        return dict(self.hyper)[name]

    @property
    def key(self) -> str:
        """Stable short id, e.g. ``baseline-item-pearson_baseline-k40-m1``, ``svd-s0`` or
        ``ease-l500-wliked`` (a ranker: its short name, then each hyper-parameter's code and
        value)."""
        if self.is_ranker:
            codes = {p.name: p.code for p in self.spec.params}
            return "-".join(
                [self.spec.short] + [f"{codes[n]}{_value_text(v)}" for n, v in self.hyper]
            )
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
        if algorithm in RANKERS:
            return cls._ranker_from_key(algorithm, parts[1:], key)
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

    @classmethod
    def _ranker_from_key(cls, algorithm: str, parts: list[str], key: str) -> ModelConfig:
        params = RANKERS[algorithm].params
        values = {}
        for part in parts:
            param = next((p for p in params if part.startswith(p.code)), None)
            if param is None or param.name in values:
                raise ValueError(f"Malformed model key {key!r}: what is {part!r}?")
            try:
                values[param.name] = param.parse(part[len(param.code) :])
            except ValueError as exc:
                raise ValueError(f"Malformed model key {key!r}: {param.name} {exc}") from exc
        return cls(algorithm, hyper=tuple(values.items()))

    @property
    def label(self) -> str:
        """Human-readable name, e.g. ``KNNBaseline · item-based · pearson_baseline · k=40`` or
        ``EASE · λ=500 · input=liked``."""
        if self.is_ranker:
            shown = [f"{n}={_value_text(v)}" for n, v in self.hyper]
            return " · ".join([self.algorithm, *shown])
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
        """An unfitted model: a Surprise-compatible algorithm (the project's engine or Surprise's
        reference), or a ranker of :mod:`recommender.ranking`."""
        if self.is_ranker:
            return self.spec.factory(**dict(self.hyper))
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
