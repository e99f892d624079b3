"""The division's tests and intervals of proportions (committee/proportions.py) give what statsmodels gives, which
they replace: on every small count, where the formulas' edges are (shares of 0 and 1, groups of one), and on
counts as large as a town's."""

from __future__ import annotations

import numpy as np
import pytest
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.proportion import confint_proportions_2indep, proportion_confint
from statsmodels.stats.proportion import test_proportions_2indep as statsmodels_score_test

from pedt_participation.committee.proportions import (
    benjamini_hochberg,
    newcombe_interval,
    score_test_p_values,
    wilson_interval,
)


def _counts() -> tuple[np.ndarray, np.ndarray]:
    """Every (successes, trials) up to 12 trials, then random ones up to 5 000."""
    small = [(successes, trials) for trials in range(1, 13) for successes in range(trials + 1)]
    rng = np.random.default_rng(7)
    trials = rng.integers(13, 5_000, size=300)
    large = list(zip(rng.integers(0, trials + 1).tolist(), trials.tolist(), strict=True))
    successes, trials = np.array(small + large).T
    return successes, trials


@pytest.mark.parametrize("alpha", [0.05, 0.1])
def test_wilson_s_interval_is_statsmodels(alpha):
    successes, trials = _counts()
    expected_low, expected_high = proportion_confint(successes, trials, alpha=alpha, method="wilson")
    low, high = wilson_interval(successes, trials, alpha)
    assert low == pytest.approx(expected_low, abs=1e-12)
    assert high == pytest.approx(expected_high, abs=1e-12)


def test_newcombe_s_interval_and_the_score_test_are_statsmodels():
    successes, trials = _counts()
    rng = np.random.default_rng(8)
    first, second = rng.permutation(len(trials)), rng.permutation(len(trials))
    # And the pairs the score test cannot compare: both shares 0, both 1.
    s1, n1 = np.append(successes[first], [0, 4]), np.append(trials[first], [3, 4])
    s2, n2 = np.append(successes[second], [0, 9]), np.append(trials[second], [5, 9])
    expected_low, expected_high = confint_proportions_2indep(s1, n1, s2, n2, method="newcomb", alpha=0.05)
    low, high = newcombe_interval(s1, n1, s2, n2, 0.05)
    assert low == pytest.approx(expected_low, abs=1e-12)
    assert high == pytest.approx(expected_high, abs=1e-12)
    with np.errstate(divide="ignore", invalid="ignore"):
        expected_p = statsmodels_score_test(s1, n1, s2, n2, method="score").pvalue
    p_values = score_test_p_values(s1, n1, s2, n2)
    assert np.isnan(p_values).tolist() == np.isnan(expected_p).tolist()
    assert np.isnan(expected_p).any()  # both shares 0, or both 1: no test
    assert p_values[~np.isnan(p_values)] == pytest.approx(expected_p[~np.isnan(expected_p)], abs=1e-12)


def test_benjamini_hochberg_s_correction_is_statsmodels():
    rng = np.random.default_rng(9)
    p_values = np.concatenate([rng.uniform(0, 0.05, 20), rng.uniform(0, 1, 80), [0.5, 0.5, 1.0]])
    expected = multipletests(p_values, alpha=0.05, method="fdr_bh")[1]
    assert benjamini_hochberg(p_values) == pytest.approx(expected, abs=1e-15)
