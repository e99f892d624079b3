"""The numerical steps of the opinion groups, in numpy: principal components, weighted k-means, silhouettes.

They are scikit-learn's (`PCA(svd_solver="covariance_eigh")`, `KMeans` with k-means++ and Lloyd's iterations,
`silhouette_score`), written again because a summary's worker held scikit-learn and the SciPy it imports in
114 MB of a 300 MB budget for these three steps (issue 21); tests/test_clustering.py checks each against
scikit-learn, which the tests keep. Polis, whose groups these are, writes its own k-means and PCA too."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

# Lloyd's iterations stop when the centres move less than this share of the points' mean variance (scikit-learn's
# `tol`), or after this many.
TOLERANCE = 1e-4
MAX_ITERATIONS = 300
# Distances to the centres, and between the places a silhouette scores, are worked out this many rows at a time:
# a few MB, never the whole matrix (100 000 people × 100 centres: 80 MB).
ROWS_AT_ONCE = 4_096
SILHOUETTE_ROWS = 100


def principal_components(matrix: np.ndarray, count: int) -> tuple[np.ndarray, np.ndarray]:
    """The mean of `matrix`'s columns and its first `count` principal components (rows), from the eigenvectors
    of the columns' covariance: each component's sign set so that its largest coordinate is positive, as
    scikit-learn's `svd_flip` sets it. `matrix` is centred in place."""
    mean = matrix.mean(axis=0)
    matrix -= mean
    covariance = matrix.T @ matrix / max(len(matrix) - 1, 1)
    eigenvalues, eigenvectors = np.linalg.eigh(covariance)
    components = eigenvectors[:, np.argsort(eigenvalues)[::-1][:count]].T
    largest = np.abs(components).argmax(axis=1)
    components *= np.sign(components[np.arange(len(components)), largest])[:, None]
    return mean, components


def nearest(points: np.ndarray, centres: np.ndarray) -> np.ndarray:
    """The index of each point's nearest centre (the first of equally near ones)."""
    labels = np.empty(len(points), dtype=np.int64)
    for start in range(0, len(points), ROWS_AT_ONCE):
        labels[start:start + ROWS_AT_ONCE] = _squared_distances(points[start:start + ROWS_AT_ONCE], centres).argmin(axis=1)
    return labels


def kmeans(
    points: np.ndarray, count: int, *, seed: int, attempts: int, weights: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Each point's group and the groups' centres: the best (least weighted squared distance to the centres) of
    `attempts` runs of Lloyd's iterations, each started from centres chosen by greedy k-means++."""
    weights = np.ones(len(points)) if weights is None else np.asarray(weights, dtype=float)
    tolerance = TOLERANCE * float(np.mean(np.var(points, axis=0)))
    random = np.random.RandomState(seed)
    best: tuple[float, np.ndarray, np.ndarray] | None = None
    for _attempt in range(attempts):
        centres = _plus_plus(points, count, weights, random)
        for _iteration in range(MAX_ITERATIONS):
            labels = nearest(points, centres)
            moved = _weighted_centres(points, labels, weights, centres)
            shift = float(((moved - centres) ** 2).sum())
            centres = moved
            if shift <= tolerance:
                break
        labels = nearest(points, centres)
        spread = float((weights * ((points - centres[labels]) ** 2).sum(axis=1)).sum())
        if best is None or spread < best[0]:
            best = (spread, labels, centres)
    assert best is not None
    return best[1], best[2]


def _plus_plus(points: np.ndarray, count: int, weights: np.ndarray, random: np.random.RandomState) -> np.ndarray:
    """Greedy k-means++ (scikit-learn's): each next centre is the best, for the points' weighted squared distances
    to their nearest centre, of 2 + log(count) points drawn with a chance in proportion to that distance."""
    trials = 2 + int(np.log(count))
    chosen = [int(random.choice(len(points), p=weights / weights.sum()))]
    closest = _squared_distances(points, points[chosen]).ravel()
    for _centre in range(1, count):
        potential = float((closest * weights).sum())
        if potential <= 0:  # every point sits on a centre already: any will do
            chosen.append(int(random.randint(len(points))))
            continue
        drawn = np.searchsorted(np.cumsum(closest * weights), random.uniform(size=trials) * potential)
        drawn = np.minimum(drawn, len(points) - 1)
        with_each = np.minimum(closest, _squared_distances(points[drawn], points))
        best = int((with_each * weights).sum(axis=1).argmin())
        chosen.append(int(drawn[best]))
        closest = with_each[best]
    return points[chosen].astype(float)


def _weighted_centres(points: np.ndarray, labels: np.ndarray, weights: np.ndarray, centres: np.ndarray) -> np.ndarray:
    """Each group's weighted mean; a group with no weight keeps its centre."""
    mass = np.bincount(labels, weights=weights, minlength=len(centres))
    sums = np.stack([np.bincount(labels, weights=weights * points[:, axis], minlength=len(centres))
                     for axis in range(points.shape[1])], axis=1)
    moved = centres.copy()
    kept = mass > 0
    moved[kept] = sums[kept] / mass[kept, None]
    return moved


def _squared_distances(rows: np.ndarray, columns: np.ndarray) -> np.ndarray:
    """rows × columns squared distances, one coordinate at a time (a sum over an axis of two is slow)."""
    return sum((rows[:, [axis]] - columns[:, axis]) ** 2 for axis in range(rows.shape[1]))


def silhouettes(places: np.ndarray, labellings: Sequence[np.ndarray]) -> list[float]:
    """The mean silhouette (scikit-learn's `silhouette_score`) of each labelling of the same `places`, labels 0, 1…
    each. The distances between the places are worked out once for all the labellings, `SILHOUETTE_ROWS` places
    at a time, where scikit-learn works them out again for each (and sums them by group one place at a time): the
    four counts of groups of the 1 M-vote bench were scored in 0.25 s, now in a few hundredths."""
    sums = [np.zeros((len(places), labels.max() + 1)) for labels in labellings]
    members = [np.eye(labels.max() + 1)[labels] for labels in labellings]  # places × groups, 1 where a member
    for start in range(0, len(places), SILHOUETTE_ROWS):
        distances = np.sqrt(_squared_distances(places[start:start + SILHOUETTE_ROWS], places))
        for summed, membership in zip(sums, members, strict=True):
            summed[start:start + SILHOUETTE_ROWS] = distances @ membership
    scores = []
    for labels, summed, membership in zip(labellings, sums, members, strict=True):
        sizes = membership.sum(axis=0)
        everyone = np.arange(len(places))
        # Mean distance to the others of one's own group (not to oneself), and to the nearest other group.
        own = summed[everyone, labels] / np.maximum(sizes[labels] - 1, 1)
        with np.errstate(invalid="ignore", divide="ignore"):
            others = summed / sizes
        others[:, sizes == 0] = np.inf  # a group none of these places is in
        others[everyone, labels] = np.inf
        nearest_group = others.min(axis=1)
        with np.errstate(invalid="ignore"):
            silhouette = np.nan_to_num((nearest_group - own) / np.maximum(own, nearest_group))
        silhouette[sizes[labels] == 1] = 0.0  # alone in one's group, as scikit-learn counts it
        scores.append(float(silhouette.mean()))
    return scores
