"""Adjoint = backprop = parameter shift = finite differences, on circuits with every parametrised gate."""

from __future__ import annotations

import math
from collections.abc import Iterator

import numpy as np
import pytest
import torch

import suanli
from suanli.errors import SimulationError, SuanliError
from suanli.grad import expectation, shift_rule
from suanli.sim.statevector import memory
from suanli.testing import random_circuit

C128 = torch.complex128


@pytest.fixture(autouse=True)
def one_thread() -> Iterator[None]:
    """Small states run fastest on one thread (and a shared machine stays usable)."""
    old = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(old)
PARAM_GATES = [g.name for g in suanli.all_gates() if g.num_params and g.name != "u0"]
OBS = ["Z0*Z1 + 0.5*X2 + 0.3*Y0*Y2 - 0.2*X1*Y2", "X0*Z1*Y2", suanli.Hermitian(np.diag([1.0, -2.0, 0.5, 3.0]), [2, 0])]
WEIGHTS = torch.tensor([1.0, -0.7, 0.4], dtype=torch.float64)


def _circuit_with(gate: str, w: torch.Tensor, n: int = 3) -> suanli.Circuit:
    """A 3-qubit circuit using ``gate`` three times on different qubits, with angles from ``w``."""
    spec = suanli.get_gate(gate)
    k = spec.num_params
    c = suanli.Circuit(n).h(0).ry(w[-1], 1).rx(w[-2], 2).cx(0, 2)
    c.append(gate, list(range(spec.num_qubits)), [w[i] for i in range(k)])
    c.cx(1, 0)
    c.append(gate, [2, 0, 1][: spec.num_qubits], [w[k + i] for i in range(k)])
    c.append(gate, [1, 2][: spec.num_qubits], [2 * w[2 * k + i] + 0.1 for i in range(k)])  # an expression of w
    c.ry(w[-3], 0)
    return c


def _loss(gate: str, w: torch.Tensor, method: str) -> torch.Tensor:
    e = expectation(_circuit_with(gate, w), OBS, diff_method=method, device="cpu", dtype=C128)
    return (e * WEIGHTS).sum()


def _finite_difference(fn, w: torch.Tensor, h: float = 1e-5) -> torch.Tensor:
    g = torch.zeros_like(w)
    with torch.no_grad():
        for i in range(w.numel()):
            e = torch.zeros_like(w)
            e[i] = h
            g[i] = (fn(w + e) - fn(w - e)) / (2 * h)
    return g


@pytest.mark.parametrize("gate", PARAM_GATES)
def test_every_parametrised_gate_all_methods_agree(gate: str) -> None:
    spec = suanli.get_gate(gate)
    torch.manual_seed(hash(gate) % 1000)
    w0 = torch.rand(3 * spec.num_params + 3, dtype=torch.float64) * 2 * math.pi
    grads = {}
    for method in ("backprop", "adjoint", "shift"):
        w = w0.clone().requires_grad_(True)
        (grads[method],) = torch.autograd.grad(_loss(gate, w, method), w)
    fd = _finite_difference(lambda v: _loss(gate, v, "backprop"), w0)
    assert fd.abs().max() > 1e-3  # the test circuit really depends on the angles
    for method, g in grads.items():
        assert torch.allclose(g, fd, atol=1e-8, rtol=0), (method, (g - fd).abs().max())


def test_values_agree_with_the_simulator() -> None:
    w = torch.rand(9, dtype=torch.float64)
    c = _circuit_with("cu3", w)
    ref = suanli.expectation(c, OBS, device="cpu", dtype=C128)
    for method in ("backprop", "adjoint", "shift", "auto"):
        assert torch.allclose(expectation(c, OBS, diff_method=method, device="cpu", dtype=C128), ref, atol=1e-12)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_random_circuits_with_named_parameters(seed: int) -> None:
    """random_circuit draws from the whole gate table; about half the angles are named parameters."""
    c = random_circuit(4, 5, seed=seed, parameters=True, max_arity=3)
    names = sorted(p.name for p in c.parameters)
    assert names
    rng = np.random.default_rng(seed)
    base = {k: float(v) for k, v in zip(names, rng.uniform(0, 2 * math.pi, len(names)))}
    obs = "Z0*X1 + 0.7*Y2*Z3 - 0.4*X0*X3 + 0.2*Z2"

    def value(vals: dict[str, torch.Tensor], method: str) -> torch.Tensor:
        return expectation(c, obs, params=vals, diff_method=method, device="cpu", dtype=C128)

    grads = {}
    for method in ("backprop", "adjoint", "shift"):
        vals = {k: torch.tensor(v, dtype=torch.float64, requires_grad=True) for k, v in base.items()}
        value(vals, method).backward()
        grads[method] = torch.stack([vals[k].grad for k in names])
    w0 = torch.tensor([base[k] for k in names], dtype=torch.float64)
    fd = _finite_difference(lambda w: value({k: w[i] for i, k in enumerate(names)}, "backprop"), w0)
    for method, g in grads.items():
        assert torch.allclose(g, fd, atol=1e-8, rtol=0), (method, (g - fd).abs().max())


def test_batched_gradients_equal_the_loop() -> None:
    torch.manual_seed(3)
    b = 5
    angles = torch.rand(b, 6, dtype=torch.float64)
    fixed = torch.tensor(0.4, dtype=torch.float64)

    def circuit(a: torch.Tensor, f: torch.Tensor) -> suanli.Circuit:
        return (
            suanli.Circuit(3).ry(a[..., 0], 0).crx(a[..., 1], 0, 1).rzz(a[..., 2], 1, 2).u3(a[..., 3], f, a[..., 4], 2)
            .cx(2, 0).rx(a[..., 5], 0)
        )

    for method in ("backprop", "adjoint", "shift"):
        a = angles.clone().requires_grad_(True)  # (B, 6): a[..., i] is a batch of B angles
        f = fixed.clone().requires_grad_(True)
        e = expectation(circuit(a, f), ["Z0*Z2", "X1"], diff_method=method, device="cpu", dtype=C128)
        assert e.shape == (b, 2)
        (e[:, 0] - 0.5 * e[:, 1]).sum().backward()
        loop_e, loop_g, loop_f = [], [], torch.zeros((), dtype=torch.float64)
        for i in range(b):
            ai = angles[i].clone().requires_grad_(True)
            fi = fixed.clone().requires_grad_(True)
            ei = expectation(circuit(ai, fi), ["Z0*Z2", "X1"], diff_method="backprop", device="cpu", dtype=C128)
            (ei[0] - 0.5 * ei[1]).backward()
            loop_e.append(ei.detach())
            loop_g.append(ai.grad)
            loop_f = loop_f + fi.grad
        assert torch.allclose(e.detach(), torch.stack(loop_e), atol=1e-12)
        assert torch.allclose(a.grad, torch.stack(loop_g), atol=1e-10), method
        assert torch.allclose(f.grad, loop_f, atol=1e-10), method  # an unbatched angle sums over the batch


@pytest.mark.parametrize("method", ["backprop", "adjoint"])
def test_gradient_to_the_initial_state(method: str) -> None:
    torch.manual_seed(5)
    raw = torch.randn(2, 8, dtype=torch.float64, requires_grad=True)
    w = torch.rand(3, dtype=torch.float64, requires_grad=True)

    def loss(r: torch.Tensor, w: torch.Tensor, m: str) -> torch.Tensor:
        psi = (r / r.norm(dim=1, keepdim=True)).to(C128)
        c = suanli.Circuit(3).ry(w[0], 0).cx(0, 1).rx(w[1], 2).crz(w[2], 2, 0)
        return expectation(c, "Z0*X1 + Y2", diff_method=m, initial_state=psi, device="cpu", dtype=C128).sum()

    gr, gw = torch.autograd.grad(loss(raw, w, method), (raw, w))
    fd_r = _finite_difference(lambda v: loss(v.reshape(2, 8), w, "backprop"), raw.detach().reshape(-1))
    fd_w = _finite_difference(lambda v: loss(raw, v, "backprop"), w.detach())
    assert torch.allclose(gr.reshape(-1), fd_r, atol=1e-8)
    assert torch.allclose(gw, fd_w, atol=1e-8)


def test_custom_gate_and_adjoint_single_precision() -> None:
    theta = suanli.Parameter("theta")
    body = suanli.Circuit(2).ry(theta, 0).cx(0, 1).rz(2 * theta, 1)
    g = body.to_gate("mygate")
    c = suanli.Circuit(3).h(2).append(g, [0, 2], [theta]).append(g, [2, 1], [theta * 0.5])
    vals = {}
    for method in ("backprop", "adjoint", "shift"):
        t = torch.tensor(0.7, dtype=torch.float64, requires_grad=True)
        expectation(c, "X0*Z1 + Y2", params={"theta": t}, diff_method=method, device="cpu", dtype=C128).backward()
        vals[method] = float(t.grad)
    t = torch.tensor(0.7, dtype=torch.float64, requires_grad=True)
    expectation(c, "X0*Z1 + Y2", params={"theta": t}, diff_method="adjoint", device="cpu").backward()
    vals["adjoint_c64"] = float(t.grad)
    assert vals["adjoint"] == pytest.approx(vals["backprop"], abs=1e-10)
    assert vals["shift"] == pytest.approx(vals["backprop"], abs=1e-10)
    assert vals["adjoint_c64"] == pytest.approx(vals["backprop"], abs=1e-5)


def test_adjoint_on_a_wider_circuit_matches_backprop() -> None:
    """12 qubits, hardware-efficient ansatz, many Pauli terms: the adjoint layout handling on non-adjacent gates."""
    n, layers = 12, 3
    torch.manual_seed(11)
    w0 = torch.rand(layers, n, dtype=torch.float64)
    h = " + ".join([f"Z{i}*Z{(i + 5) % n}" for i in range(n)] + [f"0.3*X{i}" for i in range(n)] + ["Y0*Y11"])
    grads = {}
    for method in ("backprop", "adjoint"):
        w = w0.clone().requires_grad_(True)
        c = suanli.Circuit(n)
        for layer in range(layers):
            for q in range(n):
                c.ry(w[layer, q], q)
            for q in range(n):
                c.cx(q, (q + 3) % n)
        expectation(c, h, diff_method=method, device="cpu", dtype=C128).backward()
        grads[method] = w.grad
    assert torch.allclose(grads["adjoint"], grads["backprop"], atol=1e-10)


def test_shift_rules_have_the_expected_sizes() -> None:
    assert len(shift_rule("ry", 0)) == 2
    assert len(shift_rule("cry", 0)) == 4  # frequencies 1/2 and 1
    assert len(shift_rule("cp", 0)) == 2  # diag(1, 1, 1, e^{iλ}): frequency 1 only
    assert len(shift_rule("u0", 0)) == 0  # identity: no dependence
    with pytest.raises(SuanliError):
        shift_rule("rx", 1)


def test_errors() -> None:
    c = suanli.Circuit(1).rx(0.3, 0)
    with pytest.raises(SuanliError, match="diff_method"):
        expectation(c, "Z0", diff_method="magic", device="cpu")
    with pytest.raises(SuanliError, match="initial_state"):
        expectation(c, "Z0", initial_state=torch.ones(3), device="cpu")
    dyn = suanli.Circuit(1, 1).h(0).measure(0, 0).h(0)
    with pytest.raises(SimulationError):
        expectation(dyn, "Z0", device="cpu")
    psi = torch.tensor([1.0, 0.0], dtype=C128, requires_grad=True)
    t = torch.tensor(0.2, requires_grad=True)
    with pytest.raises(SuanliError, match="shift"):
        expectation(suanli.Circuit(1).rx(t, 0), "Z0", initial_state=psi, diff_method="shift", device="cpu")


@pytest.mark.cuda
@pytest.mark.parametrize("method", ["backprop", "adjoint", "shift"])
def test_gradients_on_cuda_equal_cpu(method: str) -> None:
    torch.manual_seed(7)
    w0 = torch.rand(3, 8, dtype=torch.float64)
    grads = {}
    for device in ("cpu", "cuda"):
        w = w0.clone().to(device).requires_grad_(True)
        c = suanli.Circuit(8)
        for layer in range(3):
            for q in range(8):
                c.ry(w[layer, q], q)
            for q in range(8):
                c.crx(w[layer, q], q, (q + 3) % 8)
        expectation(c, "Z0*Z5 + X3 + Y7*Z1", diff_method=method, device=device, dtype=C128).backward()
        grads[device] = w.grad.cpu()
    assert torch.allclose(grads["cuda"], grads["cpu"], atol=1e-10)


def test_shift_runs_in_chunks_with_the_same_result() -> None:
    from suanli.grad.shift import shift_expectation

    w = torch.rand(4, dtype=torch.float64)
    grads = []
    for chunk in (1, 1 << 28):  # one shifted circuit per run, or all in one batch
        v = w.clone().requires_grad_(True)
        c = suanli.Circuit(2).ry(v[0], 0).crx(v[1], 0, 1).u3(v[2], v[3], 0.2, 1)
        e = shift_expectation(c, None, [suanli.PauliSum.from_string("Z0*X1")], batch=1, dtype=C128,
                              device=torch.device("cpu"), chunk_bytes=chunk)
        e.sum().backward()
        grads.append(v.grad)
    assert torch.allclose(grads[0], grads[1], atol=1e-12)
    assert grads[0].abs().max() > 1e-3


@pytest.mark.parametrize("special", [[1, 2], [0, 3], [2, 4], [3]])
def test_general_outer_product_contraction(special: list[int]) -> None:
    """The layout-independent contraction Σ_rest λψ^† equals a permute-and-multiply oracle."""
    from suanli.grad.adjoint import _outer_general

    n, b = 5, 2
    lam = torch.randn(b, 1 << n, dtype=C128)
    psi = torch.randn(b, 1 << n, dtype=C128)
    others = [a for a in range(n) if a not in special]
    perm = [0, *[1 + a for a in special], *[1 + a for a in others]]
    lp = lam.view(b, *[2] * n).permute(perm).reshape(b, 1 << len(special), -1)
    pp = psi.view(b, *[2] * n).permute(perm).reshape(b, 1 << len(special), -1)
    assert torch.allclose(_outer_general(lam, psi, b, n, special), lp @ pp.conj().mT, atol=1e-12)


@pytest.mark.parametrize("snapshots", [True, False])
def test_adjoint_gradient_points_and_snapshots(snapshots: bool) -> None:
    """Gradients taken at shared points (windows, tail, non-adjacent pairs, diagonal gates, batched angles) with ψ
    from forward snapshots or from undoing the gates equal backprop."""
    from suanli.grad.adjoint import adjoint_expectation
    from suanli.sim.statevector.engine import compile_circuit

    n, b = 13, 3
    torch.manual_seed(5)
    w = torch.rand(4, n, b, dtype=torch.float64, requires_grad=True)
    c = suanli.Circuit(n)
    for layer in range(4):
        for q in range(n):
            c.ry(w[layer, q], q) if q % 3 else c.rz(w[layer, q], q)
        c.rxx(w[layer, 0], 0, 9).cp(w[layer, 1], 11, 2).crx(w[layer, 2], 6, 7)
        for q in range(n):
            c.cx(q, (q + 1 + layer) % n)
    h = suanli.PauliSum.from_string(" + ".join(f"Z{i}*Z{(i + 4) % n}" for i in range(n)) + " + 0.4*X3 + 0.2*Y12")
    ref = expectation(c, h, diff_method="backprop", device="cpu", dtype=C128)
    (gref,) = torch.autograd.grad(ref.sum(), w)
    comp = compile_circuit(c, dtype=C128)
    memory.release_spare_buffers()
    val = adjoint_expectation(comp.ops, n, b, [h], dtype=C128, device=torch.device("cpu"), snapshots=snapshots)
    (g,) = torch.autograd.grad(val.sum(), w)
    assert torch.allclose(val.reshape(-1), ref.reshape(-1), atol=1e-10)
    assert torch.allclose(g, gref, atol=1e-10)
    # the snapshots' buffers are kept for the next call, which takes them (same values, nothing left over)
    kept = memory.release_spare_buffers() if not snapshots else memory._spare_bytes
    assert (kept > 0) == snapshots
    comp = compile_circuit(c, dtype=C128)  # a new graph from w to the gate matrices
    again = adjoint_expectation(comp.ops, n, b, [h], dtype=C128, device=torch.device("cpu"), snapshots=snapshots)
    assert memory._spare_bytes == 0  # every spare buffer went into this call's snapshots
    (g2,) = torch.autograd.grad(again.sum(), w)
    assert torch.equal(again, val) and torch.equal(g2, g)
    memory.release_spare_buffers()
