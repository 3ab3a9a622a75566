"""Fits of ε per cycle, Λ and threshold crossings, against closed forms, sinter's binomial fits and simulation."""

from __future__ import annotations

import math

import numpy as np
import pytest

from suanli.errors import SuanliError
from suanli.experiments.qec import fit_error_per_cycle, fit_lambda, per_round_probability, threshold_crossings

sinter = pytest.importorskip("sinter")


@pytest.mark.parametrize("rounds,shots,errors", [(1, 10_000, 37), (5, 200_000, 1234), (25, 50_000, 4000)])
def test_single_row_matches_sinter(rounds: int, shots: int, errors: int) -> None:
    # One row: the MLE is the closed-form inversion of P_L(r); the likelihood-ratio interval is sinter's
    # binomial fit with likelihood factor exp(chi2_1(0.95)/2), mapped through the same inversion.
    from scipy.stats import chi2

    fit = fit_error_per_cycle([(rounds, shots, errors)])
    ref = sinter.fit_binomial(num_shots=shots, num_hits=errors, max_likelihood_factor=math.exp(chi2.ppf(0.95, 1) / 2))
    per = sinter.shot_error_rate_to_piece_error_rate(ref, pieces=rounds)
    assert fit.eps == pytest.approx(per.best, rel=1e-5)
    assert fit.low == pytest.approx(per.low, rel=2e-3)
    assert fit.high == pytest.approx(per.high, rel=2e-3)


def test_multi_round_fit_recovers_eps_and_covers() -> None:
    rng = np.random.default_rng(5)
    eps = 0.004
    rounds = np.array([3, 9, 27])
    shots = 20_000
    covered = 0
    trials = 200
    for _ in range(trials):
        k = rng.binomial(shots, per_round_probability(eps, rounds))
        fit = fit_error_per_cycle([(int(r), shots, int(x)) for r, x in zip(rounds, k)])
        covered += fit.low <= eps <= fit.high
    assert 0.90 <= covered / trials <= 0.99  # a 95 % interval
    k = rng.binomial(10**7, per_round_probability(eps, rounds))
    fit = fit_error_per_cycle([(int(r), 10**7, int(x)) for r, x in zip(rounds, k)])
    assert fit.eps == pytest.approx(eps, rel=0.01)


def test_zero_errors_gives_upper_bound() -> None:
    fit = fit_error_per_cycle([(10, 1000, 0)])
    assert fit.eps == 0 and fit.low == 0
    # P_L <= 1.92/1000 at 95 % (likelihood ratio), i.e. eps <= ~1.9e-4 per round
    assert fit.high == pytest.approx(per_round_inverse(1 - math.exp(-1.920729 / 1000), 10), rel=1e-3)


def per_round_inverse(pl: float, r: int) -> float:
    return (1 - (1 - 2 * pl) ** (1 / r)) / 2


def _synthetic(lam: float, shots: int, seed: int) -> dict[int, list[tuple[int, int, int]]]:
    rng = np.random.default_rng(seed)
    data = {}
    for d in (3, 5, 7):
        eps = 0.02 / lam ** ((d + 1) / 2)
        data[d] = [(r, shots, int(rng.binomial(shots, per_round_probability(eps, r)))) for r in (d, 2 * d, 3 * d)]
    return data


def test_lambda_fit_recovers_and_separates() -> None:
    two = fit_lambda(_synthetic(2.0, 400_000, 1), replicas=200)
    three = fit_lambda(_synthetic(3.0, 400_000, 2), replicas=200)
    assert two.low <= 2.0 <= two.high
    assert three.low <= 3.0 <= three.high
    assert two.high < three.low
    assert set(two.pairwise) == {"3/5", "5/7"}
    v, lo, hi = two.pairwise["3/5"]
    assert lo <= v <= hi and lo < 2.0 < hi
    assert two.predict(5) == pytest.approx(two.eps[1], rel=0.1)
    # the seed makes the interval reproducible
    again = fit_lambda(_synthetic(2.0, 400_000, 1), replicas=200)
    assert (again.low, again.high) == (two.low, two.high)


def test_lambda_two_distances_is_the_ratio() -> None:
    data = {3: [(3, 10**6, 3000)], 5: [(5, 10**6, 1000)]}
    fit = fit_lambda(data, replicas=50)
    e3 = per_round_inverse(3000 / 10**6, 3)
    e5 = per_round_inverse(1000 / 10**6, 5)
    assert fit.lam == pytest.approx(e3 / e5, rel=1e-4)


def test_threshold_crossings_of_power_laws() -> None:
    pth = 0.0071
    ps = [0.003, 0.005, 0.007, 0.009, 0.012]
    curves = {d: [(p, 0.1 * (p / pth) ** ((d + 1) / 2)) for p in ps] for d in (3, 5, 7)}
    cross = threshold_crossings(curves)
    assert cross["3/5"] == pytest.approx(pth, rel=1e-9)
    assert cross["5/7"] == pytest.approx(pth, rel=1e-9)
    below = {d: [(p, 0.1 * (p / 0.05) ** ((d + 1) / 2)) for p in ps] for d in (3, 5)}
    assert threshold_crossings(below) == {"3/5": None}


def test_bad_rows() -> None:
    with pytest.raises(SuanliError):
        fit_error_per_cycle([])
    with pytest.raises(SuanliError):
        fit_error_per_cycle([(3, 10, 11)])
    with pytest.raises(SuanliError):
        fit_lambda({3: [(3, 10, 1)]})
