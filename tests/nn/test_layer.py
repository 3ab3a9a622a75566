"""QuantumLayer: shapes, batching = loop, gradients, training, encodings, nn.Sequential, torch.compile."""

from __future__ import annotations

import math
from collections.abc import Iterator

import numpy as np
import pytest
import torch

import suanli
from suanli.errors import SuanliError
from suanli.nn import QuantumLayer


@pytest.fixture(autouse=True)
def one_thread() -> Iterator[None]:
    """Small states run fastest on one thread (and a shared machine stays usable)."""
    old = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(old)


def _builder(x: torch.Tensor | None, w: torch.Tensor) -> suanli.Circuit:
    n = w.shape[1]
    c = suanli.Circuit(n)
    if x is not None:
        for i in range(x.shape[1]):
            c.ry(x[:, i], i % n)
    for layer in range(w.shape[0]):
        for q in range(n):
            c.ry(w[layer, q], q)
        for q in range(n - 1):
            c.cx(q, q + 1)
    return c


def test_batch_equals_loop_values_and_gradients() -> None:
    torch.manual_seed(0)
    layer = QuantumLayer(_builder, ["Z0", "X1*Z2", "Y2"], weight_shape=(2, 3), dtype=torch.complex128)
    x = torch.randn(7, 3, dtype=torch.float64, requires_grad=True)
    out = layer(x)
    assert out.shape == (7, 3) and out.dtype == torch.float64
    out.sum().backward()
    gw, gx = layer.weight.grad.clone(), x.grad.clone()
    layer.zero_grad()
    rows, gxs = [], []
    for i in range(7):
        xi = x[i].detach().clone().requires_grad_(True)
        yi = layer(xi)
        assert yi.shape == (3,)
        yi.sum().backward()
        rows.append(yi.detach())
        gxs.append(xi.grad)
    assert torch.allclose(out.detach(), torch.stack(rows), atol=1e-12)
    assert torch.allclose(gx, torch.stack(gxs), atol=1e-10)
    assert torch.allclose(gw, layer.weight.grad, atol=1e-10)  # the loop accumulated the same weight gradient


@pytest.mark.parametrize("method", ["backprop", "adjoint", "shift"])
def test_diff_methods_agree_through_the_layer(method: str) -> None:
    torch.manual_seed(1)
    ref = QuantumLayer(_builder, ["Z0*Z1", "X2"], weight_shape=(2, 3), dtype=torch.complex128)
    layer = QuantumLayer(_builder, ["Z0*Z1", "X2"], weight_shape=(2, 3), dtype=torch.complex128, diff_method=method)
    layer.load_state_dict(ref.state_dict())
    x = torch.randn(4, 3, dtype=torch.float64)
    (ref(x) ** 2).sum().backward()
    (layer(x) ** 2).sum().backward()
    assert torch.allclose(layer.weight.grad, ref.weight.grad, atol=1e-10)


def test_training_step_decreases_the_loss() -> None:
    """A hybrid model learns sign(x0·x1)-like labels: the loss must go down under Adam."""
    torch.manual_seed(2)
    x = torch.rand(64, 2) * 2 - 1
    y = (x[:, 0] * x[:, 1] > 0).float() * 2 - 1
    model = torch.nn.Sequential(
        torch.nn.Linear(2, 3), QuantumLayer(_builder, ["Z0", "Z1", "Z2"], weight_shape=(2, 3)), torch.nn.Linear(3, 1)
    )
    opt = torch.optim.Adam(model.parameters(), lr=0.05)
    losses = []
    for _ in range(25):
        opt.zero_grad()
        loss = torch.mean((model(x)[:, 0] - y) ** 2)
        loss.backward()
        opt.step()
        losses.append(loss.item())
    assert losses[-1] < 0.8 * losses[0]
    assert all(p.grad is not None and torch.isfinite(p.grad).all() for p in model.parameters())


def test_circuit_with_named_inputs_and_weights() -> None:
    x0, x1, a, b = (suanli.Parameter(n) for n in ("x0", "x1", "a", "b"))
    c = suanli.Circuit(2).rx(x0, 0).rx(x1, 1).ry(a, 0).crz(b, 0, 1).ry(2 * a, 1)
    layer = QuantumLayer(c, "Z0 + Z1", dtype=torch.complex128)
    assert layer.input_names == ["x0", "x1"] and layer.weight_names == ["a", "b"]
    x = torch.tensor([[0.1, 0.2], [0.3, -0.4]], dtype=torch.float64)
    out = layer(x)
    assert out.shape == (2,)
    wa, wb = layer.weight.tolist()
    for i in range(2):
        ref = suanli.expectation(c, "Z0 + Z1", params={"x0": float(x[i, 0]), "x1": float(x[i, 1]), "a": wa, "b": wb},
                                 device="cpu", dtype=torch.complex128)
        assert out[i].item() == pytest.approx(ref.item(), abs=1e-12)
    with pytest.raises(SuanliError, match="input feature"):
        layer(torch.zeros(2, 3, dtype=torch.float64))


def test_amplitude_encoding_matches_the_state_and_differentiates_inputs() -> None:
    torch.manual_seed(3)
    layer = QuantumLayer(_builder, ["Z0", "X1"], weight_shape=(1, 2), num_qubits=2, encoding="amplitude",
                         dtype=torch.complex128)
    x = torch.randn(3, 3, dtype=torch.float64, requires_grad=True)  # padded to 4 amplitudes
    out = layer(x)
    w = layer.weight.detach()
    for i in range(3):
        v = torch.cat([x[i].detach(), torch.zeros(1, dtype=torch.float64)])
        psi = _run_numpy(_builder(None, w), (v / v.norm()).numpy().astype(complex))
        z0 = np.kron(np.diag([1, -1]), np.eye(2))
        x1 = np.kron(np.eye(2), np.array([[0, 1], [1, 0]]))
        assert out[i, 0].item() == pytest.approx(float(np.real(psi.conj() @ z0 @ psi)), abs=1e-12)
        assert out[i, 1].item() == pytest.approx(float(np.real(psi.conj() @ x1 @ psi)), abs=1e-12)
    out.sum().backward()
    h = 1e-6
    x2 = x.detach().clone()
    x2[1, 2] += h
    x3 = x.detach().clone()
    x3[1, 2] -= h
    fd = (layer(x2).sum() - layer(x3).sum()) / (2 * h)
    assert x.grad[1, 2].item() == pytest.approx(fd.item(), abs=1e-7)


def _run_numpy(c: suanli.Circuit, psi: np.ndarray) -> np.ndarray:
    """Apply the circuit's gates to a big-endian NumPy state (an oracle independent of the torch kernels)."""
    n = c.num_qubits
    t = psi.reshape([2] * n)
    for inst in c:
        k = len(inst.qubits)
        m = suanli.get_gate(inst.name).matrix(*[float(p) for p in inst.params]).numpy().reshape([2] * (2 * k))
        t = np.tensordot(m, t, axes=(list(range(k, 2 * k)), list(inst.qubits)))
        t = np.moveaxis(t, list(range(k)), list(inst.qubits))
    return t.reshape(-1)


def test_torch_compile_runs_and_agrees() -> None:
    torch.manual_seed(4)
    layer = QuantumLayer(_builder, ["Z0", "Z1"], weight_shape=(1, 2))
    x = torch.randn(3, 2)
    compiled = torch.compile(layer, backend="eager")
    assert torch.allclose(compiled(x), layer(x), atol=1e-6)


def test_inductor_compiles_the_layers_around_it() -> None:
    """torch.compile with its default backend: the model around the quantum layer compiles, the simulation
    runs eagerly in between, and outputs and gradients equal the eager model's."""
    torch.manual_seed(6)
    model = torch.nn.Sequential(
        torch.nn.Linear(3, 2), QuantumLayer(_builder, ["Z0", "Z1"], weight_shape=(1, 2)), torch.nn.Linear(2, 1)
    )
    x = torch.randn(5, 3)
    ref = model(x)
    ref.sum().backward()
    want = [p.grad.clone() for p in model.parameters()]
    model.zero_grad()
    out = torch.compile(model)(x)
    out.sum().backward()
    assert torch.allclose(out, ref, atol=1e-5)
    for p, g in zip(model.parameters(), want):
        assert torch.allclose(p.grad, g, atol=1e-5)


def test_layer_errors_and_repr() -> None:
    with pytest.raises(SuanliError, match="weight_shape"):
        QuantumLayer(_builder, "Z0")
    with pytest.raises(SuanliError, match="encoding"):
        QuantumLayer(_builder, "Z0", weight_shape=(1, 2), encoding="basis")
    layer = QuantumLayer(_builder, "Z0", weight_shape=(1, 2), encoding="amplitude")
    with pytest.raises(SuanliError, match="all-zero"):
        layer(torch.zeros(2, 4))
    assert "encoding='amplitude'" in repr(layer)
    assert math.isfinite(layer(torch.ones(2, 4))[0].item())


@pytest.mark.cuda
def test_layer_on_cuda_matches_cpu() -> None:
    torch.manual_seed(5)
    layer = QuantumLayer(_builder, ["Z0", "X1"], weight_shape=(2, 3), dtype=torch.complex128)
    x = torch.randn(6, 3, dtype=torch.float64)
    ref = layer(x)
    ref.sum().backward()
    g_cpu = layer.weight.grad.clone()
    layer.zero_grad()
    layer.to("cuda")
    out = layer(x.cuda())
    assert out.device.type == "cuda"
    out.sum().backward()
    assert torch.allclose(out.cpu(), ref.detach(), atol=1e-10)
    assert torch.allclose(layer.weight.grad.cpu(), g_cpu, atol=1e-10)
