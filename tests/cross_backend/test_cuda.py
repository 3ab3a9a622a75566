"""CUDA against CPU: the same circuits give the same states, distributions and gradients on both devices.

Every test here is marked ``cuda`` and skipped when PyTorch sees no CUDA GPU (see tests/conftest.py).
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

import suanli
from conftest import assert_counts_match
from suanli import Circuit, Parameter
from suanli.testing import random_circuit

pytestmark = pytest.mark.cuda

GPU = "cuda"
CPU = "cpu"
GPU_TYPE = torch.device(GPU).type


def _bindings(c: Circuit, seed: int) -> dict[str, float]:
    vals = np.random.default_rng(seed).uniform(-3, 3, c.num_parameters)
    return {p.name: float(v) for p, v in zip(c.parameters, vals)}


@pytest.mark.parametrize(("n", "seed"), [(20, 0), (21, 1), (22, 2)])
@pytest.mark.parametrize(("dtype", "atol"), [(torch.complex64, 1e-5), (torch.complex128, 1e-10)])
def test_random_circuits_agree(n: int, seed: int, dtype: torch.dtype, atol: float) -> None:
    c = random_circuit(n, 6, seed=seed, max_arity=4, parameters=True)
    b = _bindings(c, seed)
    gpu = suanli.state(c, params=b, dtype=dtype, device=GPU)
    assert gpu.device.type == GPU_TYPE and gpu.dtype == dtype and gpu.shape == (1 << n,)
    cpu = suanli.state(c, params=b, dtype=dtype, device=CPU)
    err = float((gpu.cpu() - cpu).abs().max())
    assert err < atol, f"CUDA and CPU states differ by {err:.3g}"
    assert abs(float(torch.linalg.vector_norm(gpu.to(torch.complex128))) - 1.0) < 10 * atol
    pg = suanli.probabilities(c, params=b, qubits=[n - 1, 0, 7], device=GPU)
    pc = suanli.probabilities(c, params=b, qubits=[n - 1, 0, 7], device=CPU)
    assert float((pg.cpu() - pc).abs().max()) < 1e-10


def test_default_device_is_cuda() -> None:
    s = suanli.state(Circuit(3).h(0).cx(0, 2))
    assert s.device.type == "cuda"
    r = suanli.sample(Circuit(2, 2).h(0).measure(0, 0), shots=10, seed=1)
    assert r.metadata["device"].startswith("cuda")


def test_expectations_agree() -> None:
    c = random_circuit(12, 6, seed=4, max_arity=3)
    obs = ["Z0*Z11 + 0.5*X3*Y7 - Y1", suanli.Hermitian(np.diag([1.0, -2.0, 0.5, 3.0]), [9, 2])]
    g = suanli.expectation(c, obs, dtype=torch.complex128, device=GPU)
    h = suanli.expectation(c, obs, dtype=torch.complex128, device=CPU)
    assert g.device.type == GPU_TYPE
    np.testing.assert_allclose(g.cpu().numpy(), h.numpy(), atol=1e-10)


def test_sampling_on_cuda() -> None:
    # static circuit: counts follow the exact distribution
    c = random_circuit(6, 6, seed=7, measure=True)
    exact = suanli.outcome_probabilities(c, device=CPU)
    r = suanli.sample(c, shots=50_000, seed=3, device=GPU)
    assert r.shots == 50_000 and r.metadata["device"].startswith(GPU_TYPE)
    assert_counts_match(r.counts(), exact, what="CUDA sample")
    # reproducible with a seed
    again = suanli.sample(c, shots=50_000, seed=3, device=GPU)
    assert np.array_equal(r.memory, again.memory)
    # a seed gives the same samples on CPU and GPU when the probabilities agree exactly
    bell = Circuit(2, 2).h(0).cx(0, 1).measure([0, 1], [0, 1])
    a = suanli.sample(bell, shots=1000, seed=11, dtype=torch.complex128, device=GPU)
    b = suanli.sample(bell, shots=1000, seed=11, dtype=torch.complex128, device=CPU)
    assert np.array_equal(a.memory, b.memory)


def test_dynamic_sampling_on_cuda() -> None:
    c = Circuit(3, 3).u3(1.1, 0.4, -0.3, 0).h(1).cx(1, 2).cx(0, 1).h(0).measure([0, 1], [0, 1])
    with c.c_if(1, 1):
        c.x(2)
    with c.c_if(0, 1):
        c.z(2)
    c.measure(2, 2).reset(2).h(2)
    r = suanli.sample(c, shots=40_000, seed=5, device=GPU)
    assert r.metadata["dynamic"] is True
    p1 = float(np.mean(r.memory[:, 2]))
    assert abs(p1 - math.sin(0.55) ** 2) < 0.015  # 6 standard deviations
    assert_counts_match(r.counts(), suanli.outcome_probabilities(c, device=CPU), what="CUDA dynamic sample")
    pg = suanli.probabilities(c, device=GPU)
    pc = suanli.probabilities(c, device=CPU)
    np.testing.assert_allclose(pg.cpu().numpy(), pc.numpy(), atol=1e-10)
    og = suanli.outcome_probabilities(c, device=GPU)
    oc = suanli.outcome_probabilities(c, device=CPU)
    assert og.keys() == oc.keys() and all(abs(og[k] - oc[k]) < 1e-10 for k in og)


@pytest.mark.parametrize("dtype", [torch.complex64, torch.complex128])
def test_gradients_on_cuda(dtype: torch.dtype) -> None:
    t, p = Parameter("t"), Parameter("p")
    c = (Circuit(6).h(range(6)).rx(t, 0).cx(0, 3).ry(2 * t + p, 3).crz(p, 3, 5).u3(t, p, 0.2, 5)
         .rzz(t, 0, 5).fsim(p, t, 1, 4))
    obs = "Z0*Z3 + 0.5*X5 - 0.7*Y1*Y4"
    grads = {}
    for dev in (GPU, CPU):
        tt = torch.tensor(0.3, dtype=torch.float64, requires_grad=True, device=dev)
        pp = torch.tensor(-0.8, dtype=torch.float64, requires_grad=True, device=dev)
        e = suanli.expectation(c, obs, params={"t": tt, "p": pp}, dtype=dtype, device=dev)
        assert e.device.type == torch.device(dev).type
        e.backward()
        grads[dev] = (float(tt.grad), float(pp.grad), float(e.detach()))
    tol = 1e-5 if dtype == torch.complex64 else 1e-10
    np.testing.assert_allclose(grads[GPU], grads[CPU], atol=tol)


def test_batched_on_cuda() -> None:
    t = Parameter("t")
    c = Circuit(8).h(range(8)).ry(t, 0).cx(0, 7).rzx(t, 7, 3).cp(t, 3, 5)
    tb = torch.tensor([0.1, 0.9, -2.0], dtype=torch.float64, device=GPU)
    g = suanli.state(c, params={"t": tb}, dtype=torch.complex128, device=GPU)
    h = suanli.state(c, params={"t": tb.cpu()}, dtype=torch.complex128, device=CPU)
    assert g.shape == (3, 256)
    assert float((g.cpu() - h).abs().max()) < 1e-12
    rs = suanli.sample(c, shots=100, seed=0, params={"t": tb}, device=GPU)
    assert isinstance(rs, list) and len(rs) == 3


def test_memory_guard_on_cuda() -> None:
    with pytest.raises(suanli.SimulationTooLarge, match="cuda"):
        suanli.state(Circuit(40).h(0), device=GPU)


@pytest.mark.parametrize("kernels", ["torch", "triton"])
@pytest.mark.parametrize("fusion", [None, 2, 4, 6])
def test_kernel_paths_and_fusion_widths_agree(
    kernels: str, fusion: int | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Both CUDA kernel paths (torch, Triton) at every fusion width agree with the CPU at 20 qubits."""
    if kernels == "triton":
        pytest.importorskip("triton")
    monkeypatch.setenv("SUANLI_KERNELS", kernels)
    c = random_circuit(20, 5, seed=9, max_arity=3)
    cpu = suanli.state(c, dtype=torch.complex128, device=CPU, fusion=None)
    gpu = suanli.state(c, dtype=torch.complex128, device=GPU, fusion=fusion)
    assert float((gpu.cpu() - cpu).abs().max()) < 1e-10
