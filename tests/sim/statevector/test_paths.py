"""Every execution path gives the same state: the NumPy small-state path, the torch kernels gate by gate, and
the torch kernels on fused blocks of every width (complex128, random circuits with every gate)."""

from __future__ import annotations

import pytest
import torch

import suanli
from suanli.sim.statevector import api
from suanli.testing import random_circuit

C128 = torch.complex128


@pytest.mark.parametrize("seed", range(8))
def test_all_paths_agree(seed: int, monkeypatch: pytest.MonkeyPatch) -> None:
    n = 1 + seed % 10
    c = random_circuit(n, depth=10, seed=100 + seed)
    small = suanli.state(c, device="cpu", dtype=C128)  # n <= 12: the NumPy path
    gate_by_gate = suanli.state(c, device="cpu", dtype=C128, fusion=None)  # torch kernels
    assert torch.allclose(small, gate_by_gate, atol=1e-12, rtol=0)
    monkeypatch.setattr(api, "SMALL_MAX_QUBITS", 0)  # torch kernels on fused blocks
    for width in (2, 3, 4, 5):
        fused = suanli.state(c, device="cpu", dtype=C128, fusion=width)
        assert torch.allclose(fused, gate_by_gate, atol=1e-12, rtol=0), width


def test_small_path_single_precision_and_sampling() -> None:
    c = random_circuit(8, depth=12, seed=3)
    a = suanli.state(c, device="cpu")
    b = suanli.state(c, device="cpu", fusion=None)
    assert a.dtype == torch.complex64 and torch.allclose(a, b, atol=1e-5)
    m = c.copy().measure_all()
    ra = suanli.sample(m, shots=2000, seed=9, device="cpu", dtype=C128).counts()
    rb = suanli.sample(m, shots=2000, seed=9, device="cpu", dtype=C128, fusion=None).counts()
    assert ra == rb


def test_small_path_not_taken_with_gradients_or_batches() -> None:
    theta = torch.tensor([0.1, 0.7], dtype=torch.float64, requires_grad=True)
    c = suanli.Circuit(2).ry(theta, 0).cx(0, 1)
    value = suanli.expectation(c, "Z1", device="cpu", dtype=C128)
    value.sum().backward()
    assert torch.allclose(theta.grad, -torch.sin(theta.detach()))
