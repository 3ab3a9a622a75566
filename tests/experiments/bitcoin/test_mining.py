"""The Nerem–Gaur mining model: closed forms against independent numerics and Monte Carlo."""

from __future__ import annotations

import math

import numpy as np
import pytest

from suanli.errors import SuanliError
from suanli.experiments.bitcoin.mining import (
    MiningModel,
    g_factor,
    optimal_measurement_minutes,
    optimal_x,
    simulate_mining,
)


def test_optimal_x_published_digits():
    x = optimal_x()
    assert round(x, 3) == 1.594
    assert round(math.exp(-x), 3) == 0.203
    assert round(optimal_measurement_minutes(10.0), 1) == 15.9
    assert abs(x - 2 * (1 - math.exp(-x))) < 1e-14


def test_optimal_x_maximizes_g_on_a_grid():
    grid = np.linspace(0.01, 6, 600_001)
    g = grid**2 / np.expm1(grid)
    assert abs(grid[np.argmax(g)] - optimal_x()) < 1e-4
    assert abs(g.max() - g_factor(optimal_x())) < 1e-9


def test_exact_optimum_tends_to_closed_form_in_small_power_regime():
    m = MiningModel(grover_rate=10.0, difficulty=1e14)
    assert m.optimal_time() / 60 == pytest.approx(optimal_measurement_minutes(10.0), rel=1e-3)
    t = optimal_measurement_minutes(10.0) * 60
    assert m.success_fraction(t) == pytest.approx(m.success_fraction_approx(t), rel=1e-3)


def test_phi_closed_form_matches_quadrature():
    m = MiningModel(grover_rate=300.0, difficulty=1e12, aggressive=True)
    for t in (120.0, 956.0, 2400.0):
        s = np.linspace(0, t, 400_001)
        f = m.rate * np.exp(-m.rate * s) * np.sin((2 * m.grover_rate * s + 1) * m.theta) ** 2
        assert m.phi(t) == pytest.approx(np.trapezoid(f, s) / m.mu(t), rel=1e-8)


@pytest.mark.parametrize("aggressive", [False, True])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_monte_carlo_agrees_with_closed_form(aggressive, seed):
    m = MiningModel(grover_rate=300.0, difficulty=1e12, aggressive=aggressive, tie_win=0.5)
    t = optimal_measurement_minutes(10.0) * 60
    mc = simulate_mining(m, t, blocks=100_000, seed=seed)
    assert mc.blocks == 100_000
    assert abs(mc.z_score) < 4.5
    # the time per block is also predicted: E[round] = μ/λ, blocks per round = μ + (1-μ)ν (+ nothing else)
    mu, nu = m.mu(t), m.nu(t)
    expected_time = (mu / m.rate) / (mu + (1 - mu) * nu)
    assert mc.mean_block_seconds == pytest.approx(expected_time, rel=0.02)


def test_monte_carlo_detects_a_wrong_model():
    # a quantum miner measuring at 5 minutes has a clearly different share than at T*: the test can fail
    m = MiningModel(grover_rate=300.0, difficulty=1e12)
    mc = simulate_mining(m, 300.0, blocks=100_000, seed=3)
    wrong = m.success_fraction(optimal_measurement_minutes() * 60)
    assert abs(mc.fraction - wrong) / mc.stderr > 10


def test_seed_reproducible():
    m = MiningModel(grover_rate=300.0, difficulty=1e12)
    a = simulate_mining(m, 900.0, blocks=5000, seed=7)
    b = simulate_mining(m, 900.0, blocks=5000, seed=7)
    assert a == b


def test_effective_hash_rate_and_cost_condition():
    r, lam = 50.0, 1 / 600
    m = MiningModel(grover_rate=r, difficulty=1e15)
    t = optimal_x() / lam
    g = g_factor(optimal_x())
    assert m.effective_hash_rate(t) == pytest.approx(4 * r**2 * g / lam, rel=1e-3)
    b = m.b_factor(t)
    assert b == pytest.approx(4 * g / lam, rel=1e-3)
    # b is largest at the optimal time
    assert b > m.b_factor(0.5 * t) and b > m.b_factor(2 * t)
    assert m.quantum_is_cheaper(t, grover_cost=0.99 * r * b, hash_cost=1.0)
    assert not m.quantum_is_cheaper(t, grover_cost=1.01 * r * b, hash_cost=1.0)


def test_aggressive_mining_never_hurts():
    t = 900.0
    peaceful = MiningModel(300.0, 1e12).success_fraction(t)
    aggressive = MiningModel(300.0, 1e12, aggressive=True, tie_win=0.3).success_fraction(t)
    assert aggressive > peaceful


@pytest.mark.parametrize(
    "kwargs",
    [
        {"grover_rate": 0.0, "difficulty": 1e6},
        {"grover_rate": 1.0, "difficulty": 0.5},
        {"grover_rate": 1.0, "difficulty": 1e6, "block_minutes": -1},
        {"grover_rate": 1.0, "difficulty": 1e6, "tie_win": 2},
    ],
)
def test_bad_parameters(kwargs):
    with pytest.raises(SuanliError):
        MiningModel(**kwargs)
