"""KNNBasic, KNNWithMeans, KNNWithZScore and KNNBaseline: scikit-surprise's k-NN algorithms with
the same parameters and the same predictions (within 1e-6, ties included), computed from sparse
data block by block. Each is its row of the formula table (:mod:`recommender.knn.formulas`)."""

from __future__ import annotations

from recommender.knn.base import SymmetricKNN
from recommender.knn.formulas import FORMULAS

__all__ = ["ALGORITHMS", "KNNBaseline", "KNNBasic", "KNNWithMeans", "KNNWithZScore"]


class KNNBasic(SymmetricKNN):
    """A basic collaborative filtering algorithm (Surprise's ``KNNBasic``).

    .. math::
        \\hat{r}_{ui} = \\frac{\\sum_{j \\in N^k_u(i)} \\text{sim}(i, j) \\cdot r_{uj}}
        {\\sum_{j \\in N^k_u(i)} \\text{sim}(i, j)}  \\quad\\text{(item-based; symmetric for users)}

    Fewer than ``min_k`` positive neighbours: impossible (global mean).
    """

    formula = FORMULAS["KNNBasic"]


class KNNWithMeans(SymmetricKNN):
    """Surprise's ``KNNWithMeans``: the neighbours' mean-centred ratings.

    .. math::
        \\hat{r}_{ui} = \\mu_i + \\frac{\\sum_{j \\in N^k_u(i)} \\text{sim}(i, j) (r_{uj} - \\mu_j)}
        {\\sum_{j \\in N^k_u(i)} \\text{sim}(i, j)}

    Fewer than ``min_k`` neighbours: the mean alone.
    """

    formula = FORMULAS["KNNWithMeans"]


class KNNWithZScore(SymmetricKNN):
    """Surprise's ``KNNWithZScore``: z-score normalised neighbours.

    .. math::
        \\hat{r}_{ui} = \\mu_i + \\sigma_i \\frac{\\sum_{j \\in N^k_u(i)} \\text{sim}(i, j)
        (r_{uj} - \\mu_j) / \\sigma_j} {\\sum_{j \\in N^k_u(i)} \\text{sim}(i, j)}

    A sigma of 0 is replaced by the standard deviation of all ratings.
    """

    formula = FORMULAS["KNNWithZScore"]


class KNNBaseline(SymmetricKNN):
    """Surprise's ``KNNBaseline`` (Koren 2010, eq. 3), baselines b_ui = mu + b_u + b_i.

    .. math::
        \\hat{r}_{ui} = b_{ui} + \\frac{\\sum_{j \\in N^k_u(i)} \\text{sim}(i, j) (r_{uj} - b_{uj})}
        {\\sum_{j \\in N^k_u(i)} \\text{sim}(i, j)}

    Unknown user or item: the baseline of what is known (not "impossible").
    """

    formula = FORMULAS["KNNBaseline"]


ALGORITHMS: dict[str, type[SymmetricKNN]] = {
    cls.__name__: cls for cls in (KNNBasic, KNNWithMeans, KNNWithZScore, KNNBaseline)
}
