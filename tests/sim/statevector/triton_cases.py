"""Cases for the Triton kernels against the torch path, run under Triton's interpreter on the CPU.

Triton reads ``TRITON_INTERPRET`` when it is imported, so ``test_triton.py`` runs this file in a child process
with the variable set; it is not collected on its own.
"""

from __future__ import annotations

import math

import pytest
import torch

import suanli
from suanli.sim.statevector import triton_kernels as tk
from suanli.sim.statevector.kernels import StateVector
from suanli.testing import random_circuit

pytest.importorskip("triton")


@pytest.fixture
def interpreter() -> None:
    """The kernels must run interpreted (this file runs in a child process with TRITON_INTERPRET=1)."""
    assert tk.triton_available(torch.device("cpu")), "run with TRITON_INTERPRET=1"


@pytest.mark.parametrize("variant", ["broadcast", "rows"])
@pytest.mark.parametrize("dtype", [torch.complex64, torch.complex128])
@pytest.mark.parametrize(
    "n,qubits", [(4, (0,)), (4, (3,)), (5, (3, 1)), (6, (0, 5, 2)), (7, (2, 6, 0, 4)), (6, (4, 3, 2, 1, 0))]
)
def test_kernels_match_torch(
    interpreter: None, monkeypatch: pytest.MonkeyPatch, variant: str, dtype: torch.dtype, n: int,
    qubits: tuple[int, ...],
) -> None:
    monkeypatch.setenv("SUANLI_TRITON_DENSE", variant)
    assert tk.dense_variant() == variant
    gen = torch.Generator().manual_seed(n)
    d = 1 << len(qubits)
    x = torch.randn(3, 1 << n, dtype=dtype, generator=gen)
    u = torch.randn(d, d, dtype=dtype, generator=gen)
    ub = torch.randn(3, d, d, dtype=dtype, generator=gen)
    diag = torch.randn(3, d, dtype=dtype, generator=gen)
    tol = 1e-5 if dtype == torch.complex64 else 1e-12
    for op in ("matrix", "batched", "diagonal"):
        ref = StateVector(n, batch=3, dtype=dtype, data=x)
        got = StateVector(n, batch=3, dtype=dtype, data=x, kernels="triton")
        for sv in (ref, got):
            if op == "diagonal":
                sv.apply_diagonal(diag, qubits)
            else:
                sv.apply_matrix(u if op == "matrix" else ub, qubits)
        assert got.perm == list(range(n))  # the Triton path never moves axes
        assert torch.allclose(got.canonical(), ref.canonical(), atol=tol, rtol=0), op


@pytest.mark.parametrize("seed", range(3))
def test_random_circuits_match(interpreter: None, monkeypatch: pytest.MonkeyPatch, seed: int) -> None:
    c = random_circuit(6, depth=8, seed=seed)
    ref = suanli.state(c, device="cpu", dtype=torch.complex128)
    monkeypatch.setenv("SUANLI_KERNELS", "triton")
    for fusion in (None, 3, 5):
        got = suanli.state(c, device="cpu", dtype=torch.complex128, fusion=fusion)
        assert torch.allclose(got, ref, atol=1e-12, rtol=0)


def test_batched_parameters_and_sampling(interpreter: None, monkeypatch: pytest.MonkeyPatch) -> None:
    theta = torch.linspace(0, math.pi, 4, dtype=torch.float64)
    c = suanli.Circuit(4).h(0).ry(theta, 1).cx(0, 2).rzz(theta, 1, 3).swap(0, 3).ccx(0, 1, 2)
    ref = suanli.state(c, device="cpu", dtype=torch.complex128)
    dyn = suanli.Circuit(3, 3).h(0).cx(0, 1).measure(0, 0).reset(0).h(0).cx(1, 2).measure([0, 1, 2], [0, 1, 2])
    ref_p = suanli.outcome_probabilities(dyn, device="cpu")
    monkeypatch.setenv("SUANLI_KERNELS", "triton")
    assert torch.allclose(suanli.state(c, device="cpu", dtype=torch.complex128), ref, atol=1e-12)
    got_p = suanli.outcome_probabilities(dyn, device="cpu")
    assert ref_p.keys() == got_p.keys() and all(abs(ref_p[k] - got_p[k]) < 1e-12 for k in ref_p)


def test_gradients_fall_back_to_torch(interpreter: None, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SUANLI_KERNELS", "triton")
    theta = torch.tensor(0.3, dtype=torch.float64, requires_grad=True)
    c = suanli.Circuit(2).ry(theta, 0).cx(0, 1)
    value = suanli.expectation(c, "Z1", device="cpu", dtype=torch.complex128)
    value.backward()
    assert torch.allclose(theta.grad, -torch.sin(theta.detach()))


def test_forcing_triton_without_a_gpu_or_interpreter_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    if torch.cuda.is_available():
        pytest.skip("a GPU is present")
    monkeypatch.setenv("TRITON_INTERPRET", "0")
    monkeypatch.setenv("SUANLI_KERNELS", "triton")
    with pytest.raises(suanli.DeviceError, match="TRITON_INTERPRET"):
        suanli.state(suanli.Circuit(1).h(0), device="cpu")
    monkeypatch.setenv("SUANLI_KERNELS", "fast")
    with pytest.raises(suanli.DeviceError, match="SUANLI_KERNELS"):
        suanli.state(suanli.Circuit(1).h(0), device="cpu")


def test_adjoint_gradients_on_the_triton_kernels(interpreter: None, monkeypatch: pytest.MonkeyPatch) -> None:
    """The adjoint method's in-place sweeps run on the Triton kernels where they are chosen."""
    from suanli.grad import expectation

    def grads() -> torch.Tensor:
        t = torch.rand(3, dtype=torch.float64, generator=torch.Generator().manual_seed(5), requires_grad=True)
        c = suanli.Circuit(5).h(range(5)).ry(t[0], 0).cx(0, 3).rzz(t[1], 1, 4).crx(t[2], 4, 2).cx(2, 0)
        expectation(c, "Z0*Z3 + X2 + Y4", diff_method="adjoint", device="cpu", dtype=torch.complex128).backward()
        return t.grad

    monkeypatch.setenv("SUANLI_KERNELS", "torch")
    ref = grads()
    monkeypatch.setenv("SUANLI_KERNELS", "triton")
    assert torch.allclose(grads(), ref, atol=1e-12, rtol=0)
