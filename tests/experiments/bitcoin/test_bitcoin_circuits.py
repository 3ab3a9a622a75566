"""Reversible building blocks: truth tables, clean ancillas, permutations and the inverse QFT."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
import torch

import suanli
from suanli.errors import CircuitError
from suanli.experiments.bitcoin.circuits import inverse_qft, mcx, mcz, permutation_circuit, toffoli_count


def _basis(n: int, value: int) -> suanli.Circuit:
    c = suanli.Circuit(n)
    for k in range(n):
        if (value >> (n - 1 - k)) & 1:
            c.x(k)
    return c


def _run_basis(c: suanli.Circuit, value: int) -> int:
    full = _basis(c.num_qubits, value).compose(c)
    p = suanli.probabilities(full, device="cpu")
    idx = int(p.argmax())
    assert float(p[idx]) == pytest.approx(1.0, abs=1e-12)
    return idx


@pytest.mark.parametrize("m", [1, 2, 3, 4, pytest.param(5, marks=pytest.mark.slow)])
def test_mcx_truth_table_and_clean_ancillas(m):
    anc = max(m - 2, 0)
    n = m + 1 + anc
    c = mcx(suanli.Circuit(n), list(range(m)), m, ancillas=list(range(m + 1, n)))
    for bits in range(2 ** (m + 1)):
        value = bits << anc
        out = _run_basis(c, value)
        controls_on = (bits >> 1) == 2**m - 1
        assert out == (value ^ (1 << anc) if controls_on else value)
    assert toffoli_count(c) == (1 if m == 2 else 0 if m < 2 else 2 * (m - 2) + 1)


@pytest.mark.parametrize("m", [1, 2, 3, 4, 5, 6])
def test_mcz_is_the_diagonal_sign(m):
    anc = max(m - 3, 0)
    c = suanli.Circuit(m + anc)
    c.h(list(range(m)))
    mcz(c, list(range(m)), list(range(m, m + anc)))
    psi = suanli.state(c, device="cpu", dtype=torch.complex128).reshape([2] * (m + anc))
    psi = psi[(slice(None),) * m + (0,) * anc].reshape(-1).numpy()  # ancillas must be back in |0>
    expected = np.full(2**m, 2 ** (-m / 2))
    expected[-1] *= -1
    assert np.allclose(psi, expected, atol=1e-12)


def test_mcx_needs_ancillas():
    with pytest.raises(CircuitError):
        mcx(suanli.Circuit(5), [0, 1, 2, 3], 4, ancillas=[])


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_controlled_random_permutation(seed):
    rng = np.random.default_rng(seed)
    n = 4
    values = rng.permutation(16)[:11]
    perm = dict(zip(values.tolist(), rng.permutation(values).tolist()))
    c = permutation_circuit(suanli.Circuit(1 + n + 3), perm, [1, 2, 3, 4], control=0, ancillas=[5, 6, 7])
    for ctrl, x in itertools.product((0, 1), range(16)):
        value = (ctrl << 7) | (x << 3)
        y = perm.get(x, x) if ctrl else x
        assert _run_basis(c, value) == (ctrl << 7) | (y << 3)


def test_permutation_must_be_a_bijection():
    with pytest.raises(CircuitError):
        permutation_circuit(suanli.Circuit(3), {0: 1, 1: 1}, [0, 1, 2])


@pytest.mark.parametrize("t", [1, 2, 3, 4, 5])
def test_inverse_qft_matches_the_dft_matrix(t):
    size = 2**t
    dft_inv = np.array([[np.exp(-2j * math.pi * j * k / size) for k in range(size)] for j in range(size)])
    dft_inv /= math.sqrt(size)
    for x in range(size):
        psi = suanli.state(inverse_qft(_basis(t, x), list(range(t))), device="cpu", dtype=torch.complex128)
        assert np.allclose(psi.numpy(), dft_inv[:, x], atol=1e-12)
