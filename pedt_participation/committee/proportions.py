"""The tests and intervals of proportions that the division between audiences uses: Wilson's interval, Newcombe's
hybrid score interval of a difference, the score test of equal proportions and Benjamini–Hochberg's correction.

They are statsmodels' (`proportion_confint(method="wilson")`, `confint_proportions_2indep(method="newcomb")`,
`test_proportions_2indep(method="score")`, `multipletests(method="fdr_bh")`), written again from their closed
forms because a summary's worker held statsmodels, with the SciPy and pandas it imports, for four formulas, in a
300 MB budget (issue 21); tests/test_proportions.py checks each against statsmodels, which the tests keep."""

from __future__ import annotations

import math
from statistics import NormalDist

import numpy as np


def _critical(alpha: float) -> float:
    """The two-sided normal quantile: 1.96 for 95 %."""
    return NormalDist().inv_cdf(1 - alpha / 2)


def wilson_interval(successes: np.ndarray, trials: np.ndarray, alpha: float) -> tuple[np.ndarray, np.ndarray]:
    """Wilson's score interval of each proportion, within 0…1."""
    successes, trials = np.asarray(successes, dtype=float), np.asarray(trials, dtype=float)
    z = _critical(alpha)
    z2 = z**2
    share = successes / trials
    denominator = 1 + z2 / trials
    centre = (share + z2 / (2 * trials)) / denominator
    half = z * np.sqrt(share * (1 - share) / trials + z2 / (4 * trials**2)) / denominator
    return np.clip(centre - half, 0, 1), np.clip(centre + half, 0, 1)


def newcombe_interval(successes1: np.ndarray, trials1: np.ndarray, successes2: np.ndarray, trials2: np.ndarray,
                      alpha: float) -> tuple[np.ndarray, np.ndarray]:
    """Newcombe's hybrid score interval of each difference of two proportions (first minus second), from their
    Wilson intervals."""
    share1, share2 = np.asarray(successes1) / np.asarray(trials1), np.asarray(successes2) / np.asarray(trials2)
    low1, high1 = wilson_interval(successes1, trials1, alpha)
    low2, high2 = wilson_interval(successes2, trials2, alpha)
    difference = share1 - share2
    return (difference - np.sqrt((share1 - low1) ** 2 + (high2 - share2) ** 2),
            difference + np.sqrt((share2 - low2) ** 2 + (high1 - share1) ** 2))


def score_test_p_values(successes1: np.ndarray, trials1: np.ndarray, successes2: np.ndarray,
                        trials2: np.ndarray) -> np.ndarray:
    """The two-sided p-value of the score test that two proportions are equal (Miettinen–Nurminen's, whose
    variance under that hypothesis is the pooled proportion's, times n / (n − 1)); NaN when both proportions are
    0 or both 1."""
    successes1, trials1 = np.asarray(successes1, dtype=float), np.asarray(trials1, dtype=float)
    successes2, trials2 = np.asarray(successes2, dtype=float), np.asarray(trials2, dtype=float)
    trials = trials1 + trials2
    pooled = (successes1 + successes2) / trials
    variance = pooled * (1 - pooled) * (1 / trials1 + 1 / trials2) * trials / (trials - 1)
    with np.errstate(divide="ignore", invalid="ignore"):
        statistic = (successes1 / trials1 - successes2 / trials2) / np.sqrt(variance)
    return np.array([math.erfc(abs(z) / math.sqrt(2)) if z == z else math.nan for z in statistic.tolist()])


def benjamini_hochberg(p_values: np.ndarray) -> np.ndarray:
    """The p-values corrected for their number by Benjamini and Hochberg's procedure (false discovery rate)."""
    p_values = np.asarray(p_values, dtype=float)
    order = np.argsort(p_values)
    ranked = p_values[order] * len(p_values) / np.arange(1, len(p_values) + 1)
    corrected = np.minimum(np.minimum.accumulate(ranked[::-1])[::-1], 1)
    result = np.empty_like(corrected)
    result[order] = corrected
    return result
