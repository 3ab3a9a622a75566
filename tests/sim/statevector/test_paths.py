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


def test_constant_circuits_build_on_the_host_for_a_gpu() -> None:
    """A GPU run of a circuit without tensor parameters builds and fuses its matrices on the host."""
    from suanli.sim.statevector.engine import host_buildable

    c = random_circuit(4, depth=3, seed=1)
    assert host_buildable(c, None)
    theta = suanli.Parameter("theta")
    assert host_buildable(suanli.Circuit(1).rx(theta, 0), {"theta": 0.3})
    assert not host_buildable(suanli.Circuit(1).rx(theta, 0), {"theta": torch.tensor(0.3)})
    assert not host_buildable(suanli.Circuit(1).rx(torch.tensor([0.1, 0.2]), 0), None)
    inner = suanli.Circuit(1).rx(torch.tensor(0.2), 0).to_gate("g")  # a tensor inside a custom gate's body
    assert not host_buildable(suanli.Circuit(1).append(inner, [0]), None)
    compiled, dev, _ = api._prepare(c, None, "cpu", C128)
    assert dev.type == "cpu" and compiled.device.type == "cpu"


def test_ops_move_to_a_device_in_one_buffer() -> None:
    """Fused ops packed into one buffer per dtype keep their values; monomials can become dense matrices."""
    from suanli.sim.statevector.engine import compile_circuit, fuse_ops, ops_to_device

    c = suanli.Circuit(6).h(0).cx(0, 1).cx(1, 2).swap(3, 5).x(4).rz(0.3, 2).cz(2, 5).ry(0.7, 1)
    ops = fuse_ops(api._unitary_ops(compile_circuit(c, dtype=C128), "state"), 3)
    kinds = {op.kind for op in ops}
    assert "monomial" in kinds and "matrix" in kinds
    moved = ops_to_device(ops, torch.device("cpu"), dense_monomials=True, force=True)
    bases = {op.tensor.untyped_storage().data_ptr() for op in moved}
    assert len(bases) == 1  # one buffer for all (one transfer)
    assert all(op.kind != "monomial" for op in moved)
    want = suanli.state(c, device="cpu", dtype=C128, fusion=None)
    from suanli.sim.statevector.engine import run_ops
    from suanli.sim.statevector.kernels import StateVector

    for program in (ops, moved):
        sv = StateVector(6, dtype=C128)
        run_ops(sv, program)
        assert torch.allclose(sv.canonical()[0], want, atol=1e-12)
    assert ops_to_device(ops, torch.device("cpu")) == ops  # already there: nothing moves
