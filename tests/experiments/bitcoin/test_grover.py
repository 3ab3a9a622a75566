"""Toy Grover mining: the hash circuit, the sin² law, sampling and the square-root speed-up."""

from __future__ import annotations

import math

import pytest

import suanli
from suanli.errors import SuanliError
from suanli.experiments.bitcoin.grover import (
    ToyHash,
    grover_circuit,
    grover_curve,
    grover_mine,
    grover_theory,
    optimal_iterations,
    speedup_table,
    toy_hash_from_seed,
)


@pytest.mark.parametrize("bits", [4, 5, 6])
def test_toy_hash_is_a_bijection(bits):
    h = toy_hash_from_seed(bits, 3)
    assert sorted(h(x) for x in range(2**bits)) == list(range(2**bits))


@pytest.mark.parametrize("key", [0b0000, 0b1011])
def test_hash_circuit_matches_classical_hash(key):
    h = ToyHash(bits=4, key=key)
    x, y = list(range(4)), list(range(4, 8))
    for value in range(16):
        c = suanli.Circuit(8)
        for k in range(4):
            if (value >> (3 - k)) & 1:
                c.x(k)
        h.append(c, x, y)
        p = suanli.probabilities(c, qubits=y + x, device="cpu")
        assert int(p.argmax()) == (h(value) << 4) | value


def test_hash_is_nontrivial():
    h = ToyHash(bits=5, key=0)
    assert sum(h(x) != x for x in range(32)) > 16


@pytest.mark.parametrize(
    ("bits", "zeros", "seed"),
    [(4, 2, 0), (5, 3, 1), (5, 2, 2), pytest.param(6, 4, 3, marks=pytest.mark.slow)],
)
def test_sin_squared_law(bits, zeros, seed):
    curve = grover_curve(bits, zeros, seed=seed)
    assert curve.max_error < 1e-9
    k = curve.optimal_iterations
    assert curve.simulated[k] == max(curve.simulated[: 2 * k + 1])


def test_theory_is_not_trivially_matched():
    # the simulated curve oscillates: far from the optimum the probability is small
    curve = grover_curve(5, 3, seed=0)
    assert min(curve.simulated[1:]) < 0.2 < max(curve.simulated)
    assert grover_theory(5, 3, 2) > 0.9


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_mining_finds_valid_nonces(seed):
    bits, zeros = 5, 3
    r = grover_mine(bits, zeros, seed=seed, shots=200)
    h = toy_hash_from_seed(bits, seed)
    assert r.found and all(h(x) >> (bits - zeros) == 0 for x in r.found)
    # binomial tolerance around the sin² prediction
    sd = math.sqrt(r.theory * (1 - r.theory) / r.shots)
    assert abs(r.success_rate - r.theory) < 5 * sd + 1e-9
    assert r.success_rate > 0.85


def test_square_root_speedup():
    rows = speedup_table([(5, z) for z in range(2, 6)], seed=0)
    for r in rows:
        assert r.success_probability == pytest.approx(grover_theory(r.bits, r.zeros, r.optimal_iterations), abs=1e-9)
        # Grover needs about (π/4) sqrt(N/M) hashes, classical search about N/M
        assert r.quantum_queries == pytest.approx(math.pi / 4 * math.sqrt(r.ratio_n_over_m), rel=0.5)
    # classical search needs (N+1)/(M+1) draws; the gap widens as the target gets harder
    assert rows[-1].speedup > rows[0].speedup
    assert rows[-1].speedup > 4
    assert rows[-1].classical_queries / rows[0].classical_queries > 4


def test_optimal_iterations():
    assert optimal_iterations(8, 8) == 12  # ⌊π/(4 asin(1/16))⌋
    assert optimal_iterations(4, 2) == 1


def test_bad_arguments():
    with pytest.raises(SuanliError):
        ToyHash(bits=3, key=0)
    with pytest.raises(SuanliError):
        ToyHash(bits=4, key=16)
    with pytest.raises(SuanliError):
        grover_circuit(ToyHash(4, 1), zeros=5, iterations=1)
