"""The opinion groups' numerical steps (committee/clustering.py) give what scikit-learn gives, which they replace."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.cluster import KMeans
from sklearn.decomposition import PCA
from sklearn.metrics import adjusted_rand_score, silhouette_score

from pedt_participation.committee.clustering import kmeans, nearest, principal_components, silhouettes


def _blobs(rng: np.random.Generator, centres: list[tuple[float, float]], size: int, spread: float) -> np.ndarray:
    return np.concatenate([rng.normal(centre, spread, size=(size, 2)) for centre in centres])


def test_the_principal_components_are_scikit_learn_s_signs_included():
    """Opinions of 400 people on 12 actions, a few of them leaning together: the same mean and the same two
    components, with the same signs, as scikit-learn's covariance solver."""
    rng = np.random.default_rng(4)
    leaning = rng.choice([-1.0, 0.0, 1.0], size=(400, 1))
    matrix = np.clip(np.round(leaning * rng.choice([-1.0, 1.0], size=12) + rng.normal(0, 0.6, size=(400, 12))), -1, 1)
    expected = PCA(n_components=2, svd_solver="covariance_eigh").fit(matrix)
    mean, components = principal_components(matrix.copy(), 2)
    assert mean == pytest.approx(expected.mean_, abs=1e-12)
    assert components == pytest.approx(expected.components_, abs=1e-9)


def test_k_means_finds_scikit_learn_s_groups_and_spreads_no_more():
    """Planted groups are found as scikit-learn finds them; on points with no clear groups, the best of ten starts
    leaves the points no further from their centres than scikit-learn's best of ten; a point's weight counts as
    that many points at the same place."""
    rng = np.random.default_rng(5)
    planted = _blobs(rng, [(0, 0), (4, 1), (-3, 5)], 80, 0.7)
    labels, _centres = kmeans(planted, 3, seed=0, attempts=10)
    assert adjusted_rand_score(KMeans(n_clusters=3, n_init=10, random_state=0).fit_predict(planted), labels) == 1.0

    unclear = rng.normal(0, 1, size=(600, 2))
    for count in (2, 3, 5, 20):
        labels, centres = kmeans(unclear, count, seed=0, attempts=10)
        spread = ((unclear - centres[labels]) ** 2).sum()
        assert spread <= KMeans(n_clusters=count, n_init=10, random_state=0).fit(unclear).inertia_ * 1.01

    weights = rng.integers(0, 6, size=len(planted)).astype(float)  # some places weigh nothing
    _labels, weighted = kmeans(planted, 3, weights=weights, seed=0, attempts=10)
    _labels, repeated = kmeans(np.repeat(planted, weights.astype(int), axis=0), 3, seed=0, attempts=10)
    assert np.sort(weighted, axis=0) == pytest.approx(np.sort(repeated, axis=0), abs=1e-9)


def test_k_means_of_fewer_distinct_places_than_groups_still_labels_every_place():
    """People who answered alike sit at the same place: with three places and five groups asked, every place is
    labelled and each labelled group sits on a place."""
    places = np.repeat([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0]], 20, axis=0)
    labels, centres = kmeans(places, 5, seed=0, attempts=3)
    assert len(labels) == len(places)
    assert ((places - centres[labels]) ** 2).sum() == pytest.approx(0.0)


def test_each_place_goes_to_its_nearest_centre_across_row_blocks():
    rng = np.random.default_rng(6)
    places, centres = rng.normal(0, 1, size=(10_000, 2)), rng.normal(0, 1, size=(100, 2))
    brute = ((places[:, None, :] - centres[None, :, :]) ** 2).sum(axis=2).argmin(axis=1)
    assert (nearest(places, centres) == brute).all()


def test_the_silhouettes_are_scikit_learn_s_for_every_labelling_at_once():
    """The groups' silhouettes, worked out from one pass over the distances for every count of groups, are the
    scores scikit-learn gives each labelling: places in a plane as the projection gives them, more of them than
    one block of rows, groups of one person (scored 0), a group none of the scored places is in."""
    rng = np.random.default_rng(3)
    places = np.concatenate([rng.normal(centre, 0.6, size=(90, 2)) for centre in ((0, 0), (3, 1), (-2, 4))])
    planted = np.repeat([0, 1, 2], 90)
    alone = planted.copy()
    alone[[5, 100]] = [3, 4]  # two groups of one
    missing = np.where(planted == 2, 3, planted)  # groups 0, 1 and 3: none of these places is in group 2
    labellings = [planted, rng.integers(0, 2, len(places)), rng.integers(0, 5, len(places)), alone, missing]
    expected = [float(silhouette_score(places, labels)) for labels in labellings]
    assert silhouettes(places, labellings) == pytest.approx(expected, abs=1e-9)
    assert expected[0] > 0.5 > expected[1]  # the planted groups score far above groups drawn at random
