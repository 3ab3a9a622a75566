"""Fusion: fused programs equal the gate-by-gate program, blocks respect their width, kinds are detected."""

from __future__ import annotations

import math
import random

import numpy as np
import pytest
import torch

import suanli
from suanli.errors import SuanliError
from suanli.sim.statevector import api
from suanli.sim.statevector.engine import compile_circuit, fuse_ops, fusion_width
from suanli.testing import random_circuit
from suanli.transpile import GateItem, fuse, fusion_stats

C128 = torch.complex128


@pytest.fixture(autouse=True)
def _no_small_state_path(monkeypatch: pytest.MonkeyPatch) -> None:
    """States of ≤ 12 qubits would otherwise run on the NumPy path, which does not fuse: test the fused kernels."""
    monkeypatch.setattr(api, "SMALL_MAX_QUBITS", 0)


def _state(c: suanli.Circuit, fusion, **kw) -> torch.Tensor:
    return suanli.state(c, device="cpu", dtype=C128, fusion=fusion, **kw)


@pytest.mark.parametrize("width", [1, 2, 3, 4, 5, 6])
@pytest.mark.parametrize("seed", range(6))
def test_fused_state_equals_unfused(width: int, seed: int) -> None:
    n = 3 + seed % 6
    c = random_circuit(n, depth=12, seed=seed)
    ref = _state(c, None)
    got = _state(c, width)
    assert torch.allclose(got, ref, atol=1e-12, rtol=0)


def test_blocks_never_exceed_width_and_keep_all_gates() -> None:
    c = random_circuit(8, depth=20, seed=3)
    compiled = compile_circuit(c, dtype=C128)
    for width in (1, 2, 3, 4):
        ops = fuse_ops(compiled.ops, width)
        assert all(len(op.qubits) <= max(width, 3) for op in ops)
        wide = [op for op in ops if len(op.qubits) > width]
        assert all(op.name == "gate" for op in wide)  # only gates wider than the block stay alone
        assert len(ops) < len(compiled.ops)


def test_brickwork_fuses_to_few_passes() -> None:
    rng = random.Random(0)
    n, depth = 12, 10
    c = suanli.Circuit(n)
    for layer in range(depth):
        for q in range(n):
            c.u3(rng.random(), rng.random(), rng.random(), q)
        for q in range(layer % 2, n - 1, 2):
            c.cz(q, q + 1)
    items = [GateItem(op.kind, op.qubits, op.tensor) for op in compile_circuit(c, dtype=C128).ops]
    stats = fusion_stats(fuse(items, 4))
    assert stats.gates == len(items)
    assert stats.max_qubits <= 4
    assert stats.blocks <= len(items) / 4  # at least four gates per pass on average


def test_diagonal_blocks_are_detected() -> None:
    c = suanli.Circuit(3).rz(0.3, 0).cz(0, 1).t(2).rzz(0.7, 1, 2).p(0.2, 1)
    ops = fuse_ops(compile_circuit(c, dtype=C128).ops, 3)
    assert [op.kind for op in ops] == ["diagonal"]
    assert torch.allclose(_state(c.copy().h(0), 3), _state(c.copy().h(0), None), atol=1e-13)


def test_permutation_blocks_are_monomial_and_correct() -> None:
    perm = suanli.Circuit(4).cx(0, 1).x(2).swap(1, 3).ccx(0, 1, 2).cz(2, 3).s(1).cx(3, 0)
    ops = fuse_ops(compile_circuit(perm, dtype=C128).ops, 4)
    assert [op.kind for op in ops] == ["monomial"]
    c = suanli.Circuit(4).ry(0.1, 0).ry(0.2, 1).ry(0.3, 2).ry(0.4, 3).compose(perm)
    for width in (1, 2, 3, 4):
        assert torch.allclose(_state(c, width), _state(c, None), atol=1e-13)


def test_monomial_on_permuted_axes() -> None:
    """A monomial block whose qubits sit on the state's axes in another order than the block's."""
    c = suanli.Circuit(5)
    for q in range(5):
        c.ry(0.3 + q, q)
    c.cx(4, 0).cx(3, 1).swap(0, 2).cx(1, 4).x(3).cx(2, 3)
    for width in (2, 3, 4, 5):
        assert torch.allclose(_state(c, width), _state(c, None), atol=1e-13)


def test_inverse_pairs_vanish() -> None:
    c = suanli.Circuit(2).h(0).cx(0, 1).cx(0, 1).h(0)
    assert fuse_ops(compile_circuit(c, dtype=C128).ops, 2) == []
    assert torch.allclose(_state(c, "auto"), torch.tensor([1, 0, 0, 0], dtype=C128))


def test_gradients_flow_through_fused_blocks() -> None:
    theta = torch.tensor(0.4, dtype=torch.float64, requires_grad=True)
    grads = []
    for fusion in (None, 3):
        theta.grad = None
        c = suanli.Circuit(3).h(0).rx(theta, 0).cx(0, 1).ry(theta * 2, 2).cz(1, 2)
        value = suanli.expectation(c, "Z0*Z1 + X2", device="cpu", dtype=C128, fusion=fusion)
        value.backward()
        grads.append(theta.grad.clone())
    assert torch.allclose(grads[0], grads[1], atol=1e-12)


def test_batched_parameters_fuse() -> None:
    theta = torch.linspace(0, math.pi, 5, dtype=torch.float64)
    c = suanli.Circuit(3).h(0).rx(theta, 0).cx(0, 1).rz(theta, 1).crx(0.3, 1, 2).rzz(theta, 0, 2)
    assert torch.allclose(_state(c, 3), _state(c, None), atol=1e-12)


def test_mid_circuit_measurement_and_conditions_are_boundaries() -> None:
    c = suanli.Circuit(3, 3)
    c.h(0).cx(0, 1).ry(0.7, 2).measure(1, 1).h(1).cx(1, 2).x(2)
    c.measure(0, 0).reset(0).h(0).cz(0, 2).measure([0, 1, 2], [0, 1, 2])
    ref = suanli.outcome_probabilities(c, device="cpu", fusion=None)
    got = suanli.outcome_probabilities(c, device="cpu", fusion=3)
    assert ref.keys() == got.keys()
    assert all(abs(ref[k] - got[k]) < 1e-12 for k in ref)


def test_conditioned_gate_is_not_fused() -> None:
    text = """OPENQASM 2.0; include "qelib1.inc"; qreg q[2]; creg c[1];
    h q[0]; measure q[0] -> c[0]; h q[1]; if(c==1) x q[1]; h q[1]; cx q[0], q[1]; measure q[1] -> c[0];"""
    c = suanli.loads_qasm(text)
    ref = suanli.outcome_probabilities(c, device="cpu", fusion=None)
    got = suanli.outcome_probabilities(c, device="cpu", fusion=2)
    assert all(abs(ref[k] - got.get(k, 0.0)) < 1e-12 for k in ref)
    ops = fuse_ops(compile_circuit(c, dtype=C128).ops, 2)
    assert any(op.condition is not None for op in ops)


def test_sampling_agrees_with_and_without_fusion() -> None:
    c = random_circuit(6, depth=10, seed=11).measure_all()
    a = suanli.sample(c, shots=4000, seed=5, device="cpu", dtype=C128, fusion=None).counts()
    b = suanli.sample(c, shots=4000, seed=5, device="cpu", dtype=C128, fusion=4).counts()
    assert a == b  # same probabilities to ~1e-15, same seed: the same shots


def test_fusion_option_is_checked() -> None:
    with pytest.raises(SuanliError, match="fusion"):
        suanli.state(suanli.Circuit(1), fusion="fast", device="cpu")
    with pytest.raises(SuanliError, match="fusion"):
        suanli.state(suanli.Circuit(1), fusion=11, device="cpu")
    with pytest.raises(SuanliError, match="max_qubits"):
        fuse([], 0)
    assert fusion_width(None, 20, torch.device("cpu")) == 0
    assert fusion_width("auto", 3, torch.device("cpu")) == 3
    assert fusion_width("auto", 30, torch.device("cpu")) == 5


def test_random_orderings_of_disjoint_gates_keep_dependencies() -> None:
    """Many narrow gates on few qubits with width 2: the most re-ordering the frontier does."""
    rng = np.random.default_rng(0)
    c = suanli.Circuit(4)
    for _ in range(300):
        a, b = rng.choice(4, size=2, replace=False)
        kind = rng.integers(4)
        if kind == 0:
            c.cx(int(a), int(b))
        elif kind == 1:
            c.rx(float(rng.normal()), int(a))
        elif kind == 2:
            c.cz(int(a), int(b))
        else:
            c.ry(float(rng.normal()), int(b))
    for width in (1, 2, 3):
        assert torch.allclose(_state(c, width), _state(c, None), atol=1e-11)



@pytest.mark.parametrize("gather", [False, True])
@pytest.mark.parametrize("qubits", [(0,), (3,), (2, 0), (0, 2), (4, 1, 3), (1, 2, 3), (3, 0, 4, 1)])
def test_monomial_kernel_equals_dense_matrix(
    qubits: tuple[int, ...], gather: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    from suanli.sim.statevector import kernels
    from suanli.sim.statevector.kernels import StateVector

    monkeypatch.setattr(kernels, "MONOMIAL_GATHER", gather)

    gen = torch.Generator().manual_seed(len(qubits))
    k = len(qubits)
    d = 1 << k
    perm = torch.randperm(d, generator=gen)
    phases = torch.exp(1j * torch.rand(d, generator=gen, dtype=torch.float64))
    dense = torch.zeros(d, d, dtype=C128)
    dense[torch.arange(d), perm] = phases
    x = torch.randn(1, 32, dtype=C128, generator=gen)
    a = StateVector(5, dtype=C128, data=x)
    a.apply_matrix(torch.eye(4, dtype=C128), (4, 0))  # non-adjacent: moves axes, so the layout is permuted
    assert a.perm != list(range(5))
    b = a.clone()
    a.apply_monomial(phases, perm, qubits)
    b.apply_matrix(dense, qubits)
    assert torch.allclose(a.canonical(), b.canonical(), atol=1e-13)


@pytest.mark.parametrize("dtype", [torch.complex64, C128])
@pytest.mark.parametrize("seed", range(4))
def test_block_product_compiled_equals_numpy(dtype: torch.dtype, seed: int) -> None:
    """A block's matrix from the compiled program kernel equals the NumPy product, for every block width."""
    from suanli.sim.statevector.native import native_available
    from suanli.transpile import fusion as fusion_mod

    if not native_available():
        pytest.skip("no working C compiler")
    k = 1 + seed + (seed > 1)  # 1, 2, 4, 5 qubits
    c = random_circuit(k, depth=8, seed=seed)
    ops = api._unitary_ops(compile_circuit(c, dtype=dtype), "state")
    gates = [GateItem(op.kind, op.qubits, op.tensor) for op in ops]
    axis = {q: q for q in range(k)}
    native = fusion_mod._block_native(gates, k, axis)
    assert native is not None
    want = fusion_mod._block_numpy(gates, k, axis)
    assert np.allclose(native, want, atol=1e-12, rtol=0)
    # and the product is the circuit's unitary: its first column is the state from |0...0>
    state = suanli.state(c, device="cpu", dtype=C128, fusion=None).numpy()
    assert np.allclose(native[:, 0], state, atol=1e-6 if dtype == torch.complex64 else 1e-12)


def test_disjoint_one_qubit_layers_are_packed_into_wide_blocks() -> None:
    """A layer of one-qubit gates that no two-qubit gate joins becomes blocks of the full width."""
    c = suanli.Circuit(8)
    for q in range(8):
        c.ry(0.1 + q, q).rz(0.3 * q, q)
    ops = api._unitary_ops(compile_circuit(c, dtype=C128), "state")
    for width, passes in ((4, 2), (3, 3), (1, 8)):
        blocks = fuse_ops(ops, width)
        assert len(blocks) == passes and all(len(b.qubits) <= width for b in blocks)
        assert torch.allclose(_state(c, width), _state(c, None), atol=1e-12, rtol=0)
    c.cx(0, 7).h(3)  # a later two-qubit gate: the packed layer still comes first
    assert torch.allclose(_state(c, 4), _state(c, None), atol=1e-12, rtol=0)
