"""The compiled CPU kernel checked against the torch path and a NumPy reference, and its fallbacks."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

import suanli
from conftest import numpy_apply
from suanli.sim.statevector import native
from suanli.sim.statevector.engine import choose_kernels
from suanli.sim.statevector.kernels import StateVector
from suanli.testing import random_circuit

needs_native = pytest.mark.skipif(not native.native_available(), reason="no working C compiler")


def test_the_kernels_build_wherever_a_compiler_is_found() -> None:
    """A C compiler on the machine must build the kernels: a compile error in the source fails here instead of
    turning every compiled-kernel test into a skip."""
    if native._compiler() is None:
        pytest.skip("no C compiler on this machine")
    assert native.native_available(), native.native_status()


def random_monomial(
    d: int, dtype: torch.dtype, gen: torch.Generator
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """A random permutation with unit phases: (row map, phases, its dense matrix)."""
    perm = torch.randperm(d, generator=gen)
    phases = torch.exp(1j * torch.rand(d, dtype=torch.float64, generator=gen)).to(dtype)
    dense = torch.zeros(d, d, dtype=dtype)
    dense[torch.arange(d), perm] = phases
    return perm, phases, dense


def reference_apply(x: torch.Tensor, n: int, u: torch.Tensor, axes: list[int]) -> torch.Tensor:
    """Reference: (B, 2**n) states times a k-qubit matrix ((d, d) or (B, d, d)) on physical ``axes`` (gate
    order), state by state with the suite's NumPy tensordot oracle."""
    mats = u if u.dim() == 3 else u.expand(x.shape[0], *u.shape)
    return torch.stack([
        torch.from_numpy(numpy_apply(x[b].numpy(), mats[b].numpy(), axes, n)) for b in range(x.shape[0])
    ])


CASES = [
    (6, [0]),
    (6, [5]),
    (7, [1, 0]),
    (9, [8, 2]),  # a low target: lanes are not the lowest bits
    (10, [3, 4, 5]),
    (10, [9, 0, 4]),
    (11, [2, 7, 5, 6]),
    (10, [9, 8, 7, 6, 5]),  # n = k + lane bits: one tile per state
    (12, [11, 0, 6, 3, 8]),
    (12, [1, 3, 5, 7, 9, 11]),  # k = MAX_K
]


@needs_native
@pytest.mark.parametrize("dtype", [torch.complex64, torch.complex128])
@pytest.mark.parametrize("n,axes", CASES)
def test_kernel_matches_reference(dtype: torch.dtype, n: int, axes: list[int]) -> None:
    gen = torch.Generator().manual_seed(n + len(axes))
    d = 1 << len(axes)
    x = torch.randn(3, 1 << n, dtype=dtype, generator=gen)
    tol = 2e-5 if dtype == torch.complex64 else 1e-12
    real = torch.randn(d, d, dtype=torch.float64, generator=gen).to(dtype)  # the real-matrix loop
    mixed = torch.stack([real, real, torch.randn(d, d, dtype=dtype, generator=gen)])  # one complex: general loop
    for u in (torch.randn(d, d, dtype=dtype, generator=gen), torch.randn(3, d, d, dtype=dtype, generator=gen), real,
              mixed):
        got = x.clone()
        native.apply_matrix_native(got, n, u, axes)
        want = reference_apply(x, n, u, axes)
        assert torch.allclose(got, want, atol=tol * want.abs().max().item(), rtol=0)


@needs_native
@pytest.mark.parametrize("dtype", [torch.complex64, torch.complex128])
@pytest.mark.parametrize("k", [1, 2, 3, 4, 5, 6])
def test_kernel_on_every_mix_of_low_bits(dtype: torch.dtype, k: int) -> None:
    """Blocks holding any of the lowest bits (the tile moves as exchanged vectors), in any gate order."""
    n = 12
    gen = torch.Generator().manual_seed(40 + k)
    rng = np.random.default_rng(k)
    x = torch.randn(2, 1 << n, dtype=dtype, generator=gen)
    d = 1 << k
    tol = 2e-5 if dtype == torch.complex64 else 1e-12
    for trial in range(12):
        low = rng.choice(5, size=min(k, 1 + trial % 5), replace=False)  # flat bits 0..4 = the last qubits
        rest = rng.choice(np.arange(5, n), size=k - len(low), replace=False)
        axes = [int(n - 1 - b) for b in rng.permutation(np.concatenate([low, rest]))]
        u = torch.randn(d, d, dtype=dtype, generator=gen)
        if trial % 3 == 1:
            u = u.real.to(dtype)
        got = x.clone()
        native.apply_matrix_native(got, n, u, axes)
        want = reference_apply(x, n, u, axes)
        assert torch.allclose(got, want, atol=tol * want.abs().max().item(), rtol=0), axes
        perm, phases, dense = random_monomial(d, dtype, gen)
        got = x.clone()
        native.apply_monomial_native(got, n, phases, perm, axes)
        assert torch.allclose(got, reference_apply(x, n, dense, axes), atol=tol * 10, rtol=0), axes


@needs_native
@pytest.mark.parametrize("dtype", [torch.complex64, torch.complex128])
@pytest.mark.parametrize("n,axes", [(6, [0]), (9, [8, 2]), (10, [9, 0, 4]), (12, [11, 0, 6, 3, 8])])
def test_monomial_kernel_matches_its_dense_matrix(dtype: torch.dtype, n: int, axes: list[int]) -> None:
    gen = torch.Generator().manual_seed(n)
    d = 1 << len(axes)
    x = torch.randn(2, 1 << n, dtype=dtype, generator=gen)
    perm, phases, dense = random_monomial(d, dtype, gen)
    got = x.clone()
    native.apply_monomial_native(got, n, phases, perm, axes)
    tol = 1e-6 if dtype == torch.complex64 else 1e-13
    assert torch.allclose(got, reference_apply(x, n, dense, axes), atol=tol * 10, rtol=0)
    with pytest.raises(ValueError, match="permutation"):
        native.apply_monomial_native(got, n, phases, torch.zeros(d, dtype=torch.int64), axes)


@needs_native
def test_kernel_uses_every_thread_count() -> None:
    """Splitting the tiles over threads does not change the result, with many states or with one."""
    gen = torch.Generator().manual_seed(7)
    x = torch.randn(5, 1 << 14, dtype=torch.complex128, generator=gen)
    u = torch.randn(16, 16, dtype=torch.complex128, generator=gen)
    want = reference_apply(x, 14, u, [2, 9, 13, 0])
    before = torch.get_num_threads()
    try:
        for threads in (1, 2, 3):
            torch.set_num_threads(threads)
            got = x.clone()
            native.apply_matrix_native(got, 14, u, [2, 9, 13, 0])
            assert torch.allclose(got, want, atol=1e-12, rtol=0)
    finally:
        torch.set_num_threads(before)


@needs_native
def test_kernel_refuses_what_it_cannot_do() -> None:
    x = torch.zeros(1, 1 << 8, dtype=torch.complex64)
    with pytest.raises(ValueError, match="at least"):
        native.apply_matrix_native(x, 8, torch.eye(16, dtype=torch.complex64), [0, 1, 2, 3])  # 8 < 4 + 5
    with pytest.raises(ValueError, match="at least"):
        native.apply_matrix_native(x, 8, torch.eye(128, dtype=torch.complex64), list(range(7)))
    with pytest.raises(ValueError, match="complex64/complex128"):
        native.apply_matrix_native(x.real.contiguous(), 8, torch.eye(2), [0])


@needs_native
@pytest.mark.parametrize("dtype", [torch.complex64, torch.complex128])
def test_state_vector_native_path_matches_torch(dtype: torch.dtype) -> None:
    """Matrices, diagonals and monomials on a StateVector, native path against the torch path."""
    n = 9
    gen = torch.Generator().manual_seed(3)
    x = torch.randn(2, 1 << n, dtype=dtype, generator=gen)
    ref = StateVector(n, batch=2, dtype=dtype, data=x)
    got = StateVector(n, batch=2, dtype=dtype, data=x, kernels="native")
    for qubits in [(0,), (8,), (3, 7), (8, 0, 4), (1, 2, 5, 6)]:
        d = 1 << len(qubits)
        u = torch.randn(d, d, dtype=dtype, generator=gen)
        diag = torch.randn(d, dtype=dtype, generator=gen)
        perm = torch.randperm(d, generator=gen)
        phases = torch.exp(1j * torch.rand(d, generator=gen).double()).to(dtype)
        for sv in (ref, got):
            sv.apply_matrix(u, qubits)
            sv.apply_diagonal(diag, qubits)
            sv.apply_monomial(phases, perm, qubits)
    assert got.perm == list(range(n))  # gates the native kernel takes never move axes
    tol = 1e-3 if dtype == torch.complex64 else 1e-10
    assert torch.allclose(got.canonical(), ref.canonical(), atol=tol * ref.data.abs().max().item(), rtol=0)


@needs_native
@pytest.mark.parametrize("seed", range(3))
def test_random_circuits_native_equals_torch(monkeypatch: pytest.MonkeyPatch, seed: int) -> None:
    c = random_circuit(13, depth=12, seed=seed)  # above the small-state NumPy path
    monkeypatch.setenv("SUANLI_KERNELS", "torch")
    ref = suanli.state(c, device="cpu", dtype=torch.complex128)
    monkeypatch.setenv("SUANLI_KERNELS", "native")
    for fusion in (None, 2, 4, 6):
        got = suanli.state(c, device="cpu", dtype=torch.complex128, fusion=fusion)
        assert torch.allclose(got, ref, atol=1e-11, rtol=0), fusion


@needs_native
def test_batched_parameters_sampling_and_gradients(monkeypatch: pytest.MonkeyPatch) -> None:
    theta = torch.linspace(0, math.pi, 5, dtype=torch.float64)
    c = suanli.Circuit(8).h(0).ry(theta, 1).cx(0, 2).rzz(theta, 1, 7).swap(0, 7).ccx(0, 1, 6)
    dyn = suanli.Circuit(7, 3).h(0).cx(0, 6).measure(0, 0).reset(0).h(0).cx(6, 2).measure([0, 6, 2], [0, 1, 2])
    monkeypatch.setenv("SUANLI_KERNELS", "torch")
    ref = suanli.state(c, device="cpu", dtype=torch.complex128)
    ref_p = suanli.outcome_probabilities(dyn, device="cpu")
    monkeypatch.setenv("SUANLI_KERNELS", "native")
    assert torch.allclose(suanli.state(c, device="cpu", dtype=torch.complex128), ref, atol=1e-12)
    got_p = suanli.outcome_probabilities(dyn, device="cpu")
    assert ref_p.keys() == got_p.keys() and all(abs(ref_p[k] - got_p[k]) < 1e-12 for k in ref_p)
    # autograd needs the functional torch path, whatever is asked
    t = torch.tensor(0.3, dtype=torch.float64, requires_grad=True)
    value = suanli.expectation(suanli.Circuit(7).ry(t, 0).cx(0, 6), "Z6", device="cpu", dtype=torch.complex128)
    value.backward()
    assert torch.allclose(t.grad, -torch.sin(t.detach()))


def test_default_choice_and_forcing(monkeypatch: pytest.MonkeyPatch) -> None:
    cpu = torch.device("cpu")
    monkeypatch.delenv("SUANLI_KERNELS", raising=False)
    assert choose_kernels(cpu, grad=True) == "torch"
    assert choose_kernels(cpu, grad=False) == ("native" if native.native_available() else "torch")
    monkeypatch.setenv("SUANLI_KERNELS", "torch")
    assert choose_kernels(cpu, grad=False) == "torch"
    monkeypatch.setenv("SUANLI_KERNELS", "native")
    if native.native_available():
        assert choose_kernels(cpu, grad=False) == "native"
    with pytest.raises(suanli.DeviceError, match="CPU"):
        choose_kernels(torch.device("meta"), grad=False)


def test_without_a_compiler_the_torch_path_is_used(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    """No compiler: the default falls back quietly, a forced native path is refused with the reason."""
    monkeypatch.setattr(native, "_compiler", lambda: None)
    monkeypatch.setenv("SUANLI_CACHE_DIR", str(tmp_path))
    native._library.cache_clear()
    try:
        assert not native.native_available()
        assert "no C compiler" in native.native_status()
        monkeypatch.delenv("SUANLI_KERNELS", raising=False)
        assert choose_kernels(torch.device("cpu"), grad=False) == "torch"
        c = random_circuit(13, depth=4, seed=0)
        assert torch.allclose(suanli.state(c).abs().pow(2).sum(), torch.tensor(1.0), atol=1e-5)
        monkeypatch.setenv("SUANLI_KERNELS", "native")
        with pytest.raises(suanli.DeviceError, match="no C compiler"):
            suanli.state(c)
        with pytest.raises(RuntimeError, match="not available"):
            native.apply_matrix_native(torch.zeros(1, 1 << 8, dtype=torch.complex64), 8, torch.eye(2), [0])
    finally:
        native._library.cache_clear()


@needs_native
def test_the_library_is_cached_by_source_and_cpu(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    monkeypatch.setenv("SUANLI_CACHE_DIR", str(tmp_path))
    native._library.cache_clear()
    try:
        assert native.native_available()
        built = list((tmp_path / "kernels").glob("cpu_kernels-*.so"))
        assert len(built) == 1
        stamp = built[0].stat().st_mtime_ns
        native._library.cache_clear()
        assert native.native_available()  # a second load reuses the file
        assert built[0].stat().st_mtime_ns == stamp
        assert not list((tmp_path / "kernels").glob("*.so.*")) and len(list((tmp_path / "kernels").iterdir())) == 1
    finally:
        native._library.cache_clear()


@needs_native
@pytest.mark.parametrize("dtype", [torch.complex64, torch.complex128])
@pytest.mark.parametrize("n", [1, 2, 3, 9, 18])  # states shorter than a vector, longer, and summed block by block
def test_pair_sums_match_einsum(dtype: torch.dtype, n: int) -> None:
    gen = torch.Generator().manual_seed(11)
    lam = torch.randn(2, 1 << n, dtype=dtype, generator=gen)
    psi = torch.randn(2, 1 << n, dtype=dtype, generator=gen)
    # runs shorter and longer than a vector; at 18 qubits, bits below and above the cached block, in any order
    axes = {9: [0, 8, 3, 6, 1, 7, 2, 5, 4], 18: [17, 0, 9, 1, 16, 2, 3, 15, 12]}.get(n, list(range(n)))
    got = native.pair_sums(lam, psi, n, axes)
    for i, a in enumerate(axes):
        lv = lam.reshape(2, 1 << a, 2, -1).to(torch.complex128)
        pv = psi.reshape(2, 1 << a, 2, -1).to(torch.complex128)
        want = torch.einsum("zxay,zxby->zab", lv, pv.conj())
        tol = 1e-5 if dtype == torch.complex64 else 1e-12
        assert torch.allclose(got[:, i].to(torch.complex128), want, atol=tol * want.abs().max().item(), rtol=0)


@needs_native
def test_adjoint_gradients_on_the_compiled_path_equal_the_torch_path(monkeypatch: pytest.MonkeyPatch) -> None:
    """One-qubit gates take their transition matrices from the compiled pair sums; all gates agree."""
    from suanli.grad import expectation

    def grads() -> torch.Tensor:
        t = torch.linspace(0.1, 1.7, 7, dtype=torch.float64).requires_grad_(True)
        c = suanli.Circuit(8).h(range(8))
        c.ry(t[0], 0).rz(t[1], 7).cx(0, 7).rx(t[2], 3).u3(t[3], t[4], t[5], 5).crx(t[6], 5, 2).p(t[1], 4).cz(4, 1)
        for q in range(8):
            c.ry(t[q % 7], q)
        h = "Z0*Z7 + X3 + 0.5*Y5*Z2 + X1*X4"
        expectation(c, h, diff_method="adjoint", device="cpu", dtype=torch.complex128).backward()
        return t.grad

    monkeypatch.setenv("SUANLI_KERNELS", "torch")
    ref = grads()
    monkeypatch.setenv("SUANLI_KERNELS", "native")
    calls = []
    orig = native.pair_sums
    monkeypatch.setattr("suanli.grad.adjoint.pair_sums", lambda *a: calls.append(1) or orig(*a))
    assert torch.allclose(grads(), ref, atol=1e-12, rtol=0)
    assert calls, "the compiled pair sums were not used"


def _child_state(queue: object) -> None:  # runs in a forked child
    # torch's own OpenMP pool is not fork-safe: keep torch on one thread, give the compiled kernel two
    torch.set_num_threads(1)
    native._threads = lambda: 2
    n, axes = 16, [0, 5, 9, 12, 13]
    x = torch.from_numpy(np.random.default_rng(0).standard_normal((1, 1 << n)).astype(np.complex64))
    u = torch.from_numpy(np.linalg.qr(np.random.default_rng(1).standard_normal((32, 32)))[0].astype(np.complex64))
    before = float(x.abs().pow(2).sum())
    native.apply_matrix_native(x, n, u, axes)  # a unitary: the norm is kept
    queue.put(float(x.abs().pow(2).sum()) / before)  # type: ignore[attr-defined]


@needs_native
def test_a_forked_child_starts_its_own_worker_pool() -> None:
    """The parent's pool threads do not exist in a fork()ed child (e.g. data-loader workers); the child must
    start its own instead of waiting for them."""
    import multiprocessing as mp
    import sys

    if sys.platform != "linux":
        pytest.skip("fork start method")
    x = torch.zeros(1, 1 << 16, dtype=torch.complex64)
    x[0, 0] = 1
    saved = native._threads
    native._threads = lambda: 2
    try:
        native.apply_matrix_native(x, 16, torch.eye(32, dtype=torch.complex64), [0, 1, 2, 3, 4])  # pool running
    finally:
        native._threads = saved
    ctx = mp.get_context("fork")
    queue = ctx.Queue()
    child = ctx.Process(target=_child_state, args=(queue,))
    child.start()
    child.join(timeout=60)
    if child.exitcode is None:
        child.kill()
    assert child.exitcode == 0, "the child hung or failed"
    assert abs(queue.get(timeout=5) - 1.0) < 1e-4


# ---------------------------------------------------------------------------------------------------------
# the whole-program kernel (small states: every gate of a circuit in one call)
# ---------------------------------------------------------------------------------------------------------
def _random_program(n: int, count: int, dtype: torch.dtype, gen: torch.Generator) -> tuple[list, list]:
    """Random unitary ops of every kind on 1..min(6, n) qubits, and their dense matrices for the reference."""
    ops, dense = [], []
    for i in range(count):
        k = 1 + int(torch.randint(min(6, n), (1,), generator=gen))
        axes = torch.randperm(n, generator=gen)[:k].tolist()
        d = 1 << k
        phases = torch.exp(2j * math.pi * torch.rand(d, dtype=torch.float64, generator=gen)).to(dtype)
        kind = ("matrix", "diagonal", "monomial")[i % 3]
        if kind == "matrix":
            a = torch.randn(d, d, dtype=torch.float64 if i % 2 else torch.complex128, generator=gen)
            u = torch.linalg.qr(a)[0].to(dtype)  # odd i: a real orthogonal matrix (the real-matrix loop)
            ops.append((kind, axes, u, None))
            dense.append((u, axes))
        elif kind == "diagonal":
            ops.append((kind, axes, phases, None))
            dense.append((torch.diag(phases), axes))
        else:
            perm, phases, m = random_monomial(d, dtype, gen)
            ops.append((kind, axes, phases, perm.numpy()))
            dense.append((m, axes))
    return ops, dense


@needs_native
@pytest.mark.parametrize("dtype", [torch.complex64, torch.complex128])
@pytest.mark.parametrize("n", [1, 2, 3, 5, 7, 9, 10, 12])
def test_program_matches_gate_by_gate_reference(dtype: torch.dtype, n: int) -> None:
    """Below and above the tile size (n < k + lane bits takes the plain loop), every kind, batches of states."""
    gen = torch.Generator().manual_seed(100 + n)
    ops, dense = _random_program(n, 24, dtype, gen)
    x = torch.randn(3, 1 << n, dtype=dtype, generator=gen)
    want = x.clone()
    for u, axes in dense:
        want = torch.stack([torch.from_numpy(numpy_apply(s.numpy(), u.numpy(), axes, n)) for s in want])
    got = x.clone()
    native.run_program(got, n, ops)
    tol = 1e-5 if dtype == torch.complex64 else 1e-12
    assert torch.allclose(got, want, atol=tol * want.abs().max().item(), rtol=0)


@needs_native
def test_program_refuses_bad_ops() -> None:
    x = torch.zeros(1, 1 << 4, dtype=torch.complex64)
    eye = torch.eye(2, dtype=torch.complex64)
    with pytest.raises(ValueError, match=r"1\.\.4 qubits"):
        native.run_program(x, 4, [("matrix", [0, 1, 2, 3, 0], torch.eye(32, dtype=torch.complex64), None)])
    with pytest.raises(ValueError, match="shape"):
        native.run_program(x, 4, [("matrix", [0, 1], eye, None)])
    with pytest.raises(ValueError, match="permutation"):
        native.run_program(x, 4, [("monomial", [0], torch.ones(2, dtype=torch.complex64), [0, 0])])
    with pytest.raises(ValueError, match="contiguous"):
        native.Program(4, torch.complex64, [("matrix", [0], eye, None)]).run(torch.zeros(1, 8, dtype=torch.complex64))
    with pytest.raises(RuntimeError, match="refused"):
        native.run_program(x, 4, [("matrix", [1, 1], torch.eye(4, dtype=torch.complex64), None)])  # repeated qubit


@needs_native
@pytest.mark.parametrize("seed", range(4))
def test_small_path_compiled_equals_numpy(seed: int) -> None:
    from suanli.sim.statevector.api import _prepare, _unitary_ops
    from suanli.sim.statevector.small import run_small

    n = 2 + 3 * seed
    c = random_circuit(n, depth=12, seed=seed)
    for dtype in (torch.complex64, torch.complex128):
        compiled, _, _ = _prepare(c, None, "cpu", dtype)
        ops = _unitary_ops(compiled, "state")
        a = run_small(ops, n, dtype, compiled=True)
        b = run_small(ops, n, dtype, compiled=False)
        assert torch.allclose(a, b, atol=2e-6 if dtype == torch.complex64 else 1e-12, rtol=0)


# ---------------------------------------------------------------------------------------------------------
# Pauli sums: H|ψ⟩ and ⟨ψ|H|ψ⟩ in one compiled pass, against the torch path and dense matrices
# ---------------------------------------------------------------------------------------------------------
def _random_pauli_sum(n: int, terms: int, seed: int) -> suanli.PauliSum:
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(terms):
        ops = [(q, str(rng.choice(list("IXYZ")))) for q in range(n)]
        label = "*".join(f"{p}{q}" for q, p in ops if p != "I") or "I0"
        out.append(f"{rng.normal():.4f}*{label}")
    return suanli.PauliSum.from_string(" + ".join(out).replace("*I0", ""))


@needs_native
@pytest.mark.parametrize("dtype", [torch.complex64, torch.complex128])
@pytest.mark.parametrize("n", [1, 2, 4, 11, 13])  # shorter than a vector, one block, several blocks
def test_pauli_sums_match_the_torch_path_and_dense_matrices(
    dtype: torch.dtype, n: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    from suanli.grad.observe import apply_observables
    from suanli.sim.statevector.expect import pauli_expectation

    gen = torch.Generator().manual_seed(n)
    psi = torch.randn(2, 1 << n, dtype=dtype, generator=gen)
    psi /= psi.norm(dim=1, keepdim=True)
    h = _random_pauli_sum(n, 15, seed=n)
    h2 = _random_pauli_sum(n, 4, seed=n + 50)
    real = torch.float64 if dtype == torch.complex128 else torch.float32
    weights = torch.tensor([[1.0, -0.5], [0.25, 2.0]], dtype=real)
    got_apply = apply_observables(psi, n, [h, h2], weights)
    got_value = pauli_expectation(psi, n, h)
    got_both, got_weighted = apply_observables(psi, n, [h, h2], weights, with_value=True)  # one pass for both
    monkeypatch.setenv("SUANLI_KERNELS", "torch")
    want_apply = apply_observables(psi, n, [h, h2], weights)
    want_value = pauli_expectation(psi, n, h)
    _, want_weighted = apply_observables(psi, n, [h, h2], weights, with_value=True)
    tol = 2e-5 if dtype == torch.complex64 else 1e-11
    assert torch.allclose(got_apply, want_apply, atol=tol * want_apply.abs().max().item(), rtol=0)
    assert torch.allclose(got_both, want_apply, atol=tol * want_apply.abs().max().item(), rtol=0)
    assert torch.allclose(got_value.double(), want_value.double(), atol=tol * 10, rtol=0)
    assert torch.allclose(got_weighted.double(), want_weighted.double(), atol=tol * 10, rtol=0)
    if n <= 4:  # and the dense matrix as an independent oracle
        m = torch.from_numpy(h.to_matrix(n)).to(torch.complex128)
        p = psi.to(torch.complex128)
        dense = torch.einsum("bi,ij,bj->b", p.conj(), m, p).real
        assert torch.allclose(got_value.double(), dense, atol=tol * 10, rtol=0)


@needs_native
def test_pauli_kernel_refuses_masks_outside_the_state() -> None:
    psi = torch.zeros(1, 8, dtype=torch.complex64)
    with pytest.raises(ValueError, match="within 3 bits"):
        native.pauli_apply(psi, 3, [(8, 0)], np.ones(1))
    with pytest.raises(ValueError, match="shape"):
        native.pauli_dots(psi, 4, [(1, 0)], np.ones(1))
