"""Pauli sums and Hermitian observables: parsing, arithmetic, matrices, and expectation values against Qiskit's
``SparsePauliOp`` / ``Operator`` (Qiskit's Pauli labels are little-endian: the rightmost character is qubit 0)."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

import suanli
from conftest import random_unitary, reverse_qubits_matrix, to_qiskit
from suanli import Circuit, Hermitian, ObservableError, Parameter, PauliSum
from suanli.testing import random_circuit

CPU = "cpu"
P = PauliSum.from_string


def to_sparse_pauli_op(obs: PauliSum, n: int) -> object:
    """suanli PauliSum → Qiskit SparsePauliOp, via explicit qubit indices (no label-order guessing)."""
    from qiskit.quantum_info import SparsePauliOp

    terms = [("".join(p for _, p in t.ops), [q for q, _ in t.ops], t.coeff) for t in obs.terms]
    if not terms:
        terms = [("", [], 0.0)]
    return SparsePauliOp.from_sparse_list(terms, num_qubits=n)


# ---------------------------------------------------------------------------------------------------------
# parsing and printing
# ---------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "terms"),
    [
        ("Z0", {((0, "Z"),): 1.0}),
        ("0.5*Z0*Z1 + X3 - 2*Y1", {((0, "Z"), (1, "Z")): 0.5, ((3, "X"),): 1.0, ((1, "Y"),): -2.0}),
        ("Z0 Z1", {((0, "Z"), (1, "Z")): 1.0}),
        ("Z1*X0", {((0, "X"), (1, "Z")): 1.0}),
        ("-Z0", {((0, "Z"),): -1.0}),
        ("--Z0", {((0, "Z"),): 1.0}),
        ("3 * Z0 * 0.5", {((0, "Z"),): 1.5}),
        ("1e-3*X1 + .5*Y2", {((1, "X"),): 0.001, ((2, "Y"),): 0.5}),
        ("Z0 + Z0", {((0, "Z"),): 2.0}),
        ("Z0 - Z0", {}),
        ("2", {(): 2.0}),
        ("I0", {(): 1.0}),
        ("Z0*I1*X2", {((0, "Z"), (2, "X")): 1.0}),
        ("  X12 ", {((12, "X"),): 1.0}),
    ],
)
def test_parsing(text: str, terms: dict) -> None:
    h = P(text)
    assert {t.ops: t.coeff for t in h.terms} == pytest.approx(terms)
    assert P(str(h)) == h  # printing round-trips


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "empty Pauli sum"),
        ("Z", "column 1: unexpected 'Z'"),
        ("Q0", "column 1: unexpected 'Q'"),
        ("Z0*Z0", "column 4: qubit 0 appears twice"),
        ("X0*", "column 3: '\\*' without a right factor"),
        ("*X0", "column 1: '\\*' without a left factor"),
        ("Z0 +", "column 5: missing term"),
        ("Z0 ^ 2", "column 4: unexpected '\\^'"),
        ("(Z0)", "column 1: unexpected '\\('"),
        ("Z0*-Z1", "without a right factor"),
        ("Z0 + 1j", "unexpected 'j'"),
    ],
)
def test_bad_strings(text: str, message: str) -> None:
    with pytest.raises(ObservableError, match=message):
        P(text)


def test_non_string_input() -> None:
    with pytest.raises(ObservableError, match="expected a string"):
        P(3)  # type: ignore[arg-type]
    with pytest.raises(ObservableError, match="expected a PauliSum, a Hermitian or a Pauli-sum string"):
        suanli.expectation(Circuit(1), 3, device=CPU)


def test_str_and_repr() -> None:
    h = P("0.5*Z0*Z1 + X3 - 2*Y1")
    assert str(h) == "0.5*Z0*Z1 + 1.0*X3 - 2.0*Y1"
    assert repr(h) == "PauliSum.from_string('0.5*Z0*Z1 + 1.0*X3 - 2.0*Y1')"
    assert str(P("-Z0 + 2")) == "-1.0*Z0 + 2.0"
    assert str(PauliSum()) == "0"
    assert h.num_qubits == 4 and P("2").num_qubits == 0


def test_arithmetic() -> None:
    z0, x1 = P("Z0"), P("X1")
    assert z0 * 3 + z0 == P("4*Z0")
    assert 3 * z0 == z0 * 3 == P("3*Z0")
    assert z0 - z0 == PauliSum() and not (z0 - z0).terms
    assert -x1 == P("-X1")
    assert 2 + x1 == x1 + 2 == P("X1 + 2")
    assert z0 + x1 == x1 + z0  # term order does not matter for equality
    assert z0 - 0.5 * x1 == P("Z0 - 0.5*X1")
    assert z0 != x1 and z0 != P("2*Z0")
    assert (z0 == "Z0") is False
    with pytest.raises(TypeError):
        z0 * x1
    with pytest.raises(TypeError):
        z0 * True
    assert PauliSum.from_terms({"Z0*Z1": 0.5, "X3": 1}) == P("0.5*Z0*Z1 + X3")
    assert PauliSum.from_terms([(0.5, "Z0 Z1"), (1, "X3")]) == P("0.5*Z0*Z1 + X3")


def test_pauli_term_validation() -> None:
    from suanli.observables.pauli import PauliTerm

    with pytest.raises(ObservableError, match="twice"):
        PauliTerm(1.0, ((0, "X"), (0, "Z")))
    with pytest.raises(ObservableError, match="bad Pauli factor"):
        PauliTerm(1.0, ((0, "W"),))
    with pytest.raises(ObservableError, match="bad Pauli factor"):
        PauliTerm(1.0, ((-1, "X"),))
    assert PauliTerm(2.0, ((0, "X"), (3, "Y"))).label() == "X0*Y3"


@pytest.mark.parametrize("text", ["Z0", "X0*Y2", "0.5*Z0*Z1 + X3 - 2*Y1", "Y0*Y1*Z2 + 0.3*X1 - 1.5", "X2"])
def test_to_matrix_matches_qiskit(text: str) -> None:
    h = P(text)
    n = max(h.num_qubits, 1) + 1
    mine = h.to_matrix(n)
    theirs = reverse_qubits_matrix(to_sparse_pauli_op(h, n).to_matrix(), n)
    np.testing.assert_allclose(mine, theirs, atol=1e-14)
    # Qiskit's labels are little-endian: "XI" puts X on qubit 1
    from qiskit.quantum_info import SparsePauliOp

    np.testing.assert_allclose(
        P("X1").to_matrix(2), reverse_qubits_matrix(SparsePauliOp("XI").to_matrix(), 2), atol=0)
    assert not np.allclose(P("X1").to_matrix(2), SparsePauliOp("XI").to_matrix())


# ---------------------------------------------------------------------------------------------------------
# expectation values vs Qiskit
# ---------------------------------------------------------------------------------------------------------
def _random_pauli_sum(n: int, rng: np.random.Generator, terms: int = 6) -> PauliSum:
    out = PauliSum()
    for _ in range(terms):
        k = int(rng.integers(1, n + 1))
        qs = sorted(int(q) for q in rng.permutation(n)[:k])
        label = "*".join(f"{'XYZ'[int(rng.integers(3))]}{q}" for q in qs)
        out = out + float(rng.uniform(-2, 2)) * P(label)
    return out + float(rng.uniform(-1, 1))


@pytest.mark.parametrize("seed", range(6))
def test_pauli_expectation_matches_qiskit(seed: int) -> None:
    from qiskit.quantum_info import Statevector

    rng = np.random.default_rng(seed)
    n = 2 + seed
    c = random_circuit(n, 5, seed=seed, max_arity=3)
    sv = Statevector(to_qiskit(c))
    obs = [_random_pauli_sum(n, rng) for _ in range(3)]
    want = [sv.expectation_value(to_sparse_pauli_op(o, n)).real for o in obs]
    for dt, tol in ((torch.complex128, 1e-12), (torch.complex64, 2e-5)):
        single = suanli.expectation(c, obs[0], dtype=dt, device=CPU)
        assert single.shape == () and single.dtype == (torch.float64 if dt == torch.complex128 else torch.float32)
        assert float(single) == pytest.approx(want[0], abs=tol)
        many = suanli.expectation(c, obs, dtype=dt, device=CPU)
        assert many.shape == (3,)
        np.testing.assert_allclose(many.numpy(), want, atol=tol)
        # strings are accepted too
        assert float(suanli.expectation(c, str(obs[1]), dtype=dt, device=CPU)) == pytest.approx(want[1], abs=tol)


def test_every_single_pauli_on_every_qubit() -> None:
    from qiskit.quantum_info import SparsePauliOp, Statevector

    n = 4
    c = random_circuit(n, 4, seed=21)
    sv = Statevector(to_qiskit(c))
    obs = [f"{p}{q}" for q in range(n) for p in "XYZ"]
    got = suanli.expectation(c, obs, dtype=torch.complex128, device=CPU).numpy()
    want = [sv.expectation_value(SparsePauliOp.from_sparse_list([(o[0], [int(o[1:])], 1.0)], n)).real for o in obs]
    np.testing.assert_allclose(got, want, atol=1e-12)
    assert np.ptp(want) > 0.1  # a non-trivial state


def test_known_values() -> None:
    bell = Circuit(2).h(0).cx(0, 1)
    vals = suanli.expectation(bell, ["Z0*Z1", "X0*X1", "Y0*Y1", "Z0", "2", "I1"], dtype=torch.complex128, device=CPU)
    np.testing.assert_allclose(vals.numpy(), [1, 1, -1, 0, 2, 1], atol=1e-15)
    # Z0 reads qubit 0 (the most significant bit): |10> gives <Z0> = -1, <Z1> = +1
    s = suanli.expectation(Circuit(2).x(0), ["Z0", "Z1"], device=CPU)
    assert s.tolist() == [-1.0, 1.0]


@pytest.mark.parametrize("seed", range(4))
def test_hermitian_expectation_matches_qiskit_operator(seed: int) -> None:
    from qiskit.quantum_info import Operator, Statevector

    rng = np.random.default_rng(seed)
    n = 5
    c = random_circuit(n, 4, seed=seed + 40, max_arity=3)
    sv = Statevector(to_qiskit(c))
    obs, want = [], []
    for k in (1, 2, 3):
        qs = [int(q) for q in rng.permutation(n)[:k]]
        a = rng.normal(size=(1 << k, 1 << k)) + 1j * rng.normal(size=(1 << k, 1 << k))
        m = (a + a.conj().T) / 2
        obs.append(Hermitian(m, qs))
        # big-endian within the matrix (qs[0] most significant) → Qiskit's order for qargs=qs
        want.append(sv.expectation_value(Operator(reverse_qubits_matrix(m, k)), qs).real)
    got = suanli.expectation(c, obs, dtype=torch.complex128, device=CPU).numpy()
    np.testing.assert_allclose(got, want, atol=1e-12)
    got64 = suanli.expectation(c, obs, device=CPU).numpy()
    np.testing.assert_allclose(got64, want, atol=5e-5)


def test_hermitian_equals_pauli_sum() -> None:
    c = random_circuit(4, 5, seed=8)
    h = P("0.5*Z0*X2 - Y2*Z0 + 0.25*X0")  # acts on qubits 0 and 2
    # to_matrix over (0, 1, 2) then restricted: build the 2-qubit matrix over qubits (2, 0) directly
    z, x, y = np.diag([1, -1]), np.array([[0, 1], [1, 0]]), np.array([[0, -1j], [1j, 0]])
    m = 0.5 * np.kron(x, z) - np.kron(y, z) + 0.25 * np.kron(np.eye(2), x)  # qubit order (2, 0)
    a = suanli.expectation(c, h, dtype=torch.complex128, device=CPU)
    b = suanli.expectation(c, Hermitian(m, [2, 0]), dtype=torch.complex128, device=CPU)
    assert float(a) == pytest.approx(float(b), abs=1e-12)


def test_hermitian_validation() -> None:
    with pytest.raises(ObservableError, match="not Hermitian"):
        Hermitian(np.array([[0, 1], [0, 0]]), [0])
    with pytest.raises(ObservableError, match="must be 4x4"):
        Hermitian(np.eye(2), [0, 1])
    with pytest.raises(ObservableError, match="distinct non-negative"):
        Hermitian(np.eye(4), [1, 1])
    with pytest.raises(ObservableError, match="distinct non-negative"):
        Hermitian(np.eye(2), [-1])
    with pytest.raises(ObservableError, match="distinct non-negative"):
        Hermitian(np.eye(1), [])
    with pytest.raises(ObservableError, match="too large"):
        Hermitian(np.eye(1 << 11), list(range(11)))
    h = Hermitian(torch.eye(4, dtype=torch.complex64), [3, 1])
    assert h.qubits == (3, 1) and h.num_qubits == 4 and h.matrix.dtype == torch.complex128
    assert "qubits=(3, 1)" in repr(h)


def test_empty_observable_list() -> None:
    with pytest.raises(ObservableError, match="at least one observable"):
        suanli.expectation(Circuit(1).h(0), [], device=CPU)


def test_observable_wider_than_circuit() -> None:
    c = Circuit(2).h(0)
    with pytest.raises(ObservableError, match="acts on qubit 2 but the circuit has 2 qubits"):
        suanli.expectation(c, "Z2", device=CPU)
    with pytest.raises(ObservableError, match="acts on qubit 3"):
        suanli.expectation(c, Hermitian(np.eye(2), [3]), device=CPU)


# ---------------------------------------------------------------------------------------------------------
# batches and gradients
# ---------------------------------------------------------------------------------------------------------
def test_batched_expectations() -> None:
    t = Parameter("t")
    c = Circuit(3).h(range(3)).ry(t, 0).cx(0, 2).rzx(2 * t, 2, 1)
    m = random_unitary(4, np.random.default_rng(1))
    herm = Hermitian(m + m.conj().T, [1, 0])
    obs = ["Z0*Z2 + 0.3*X1", herm]
    tb = torch.tensor([0.2, -1.0, 2.5, 0.0], dtype=torch.float64)
    out = suanli.expectation(c, obs, params={"t": tb}, dtype=torch.complex128, device=CPU)
    assert out.shape == (4, 2)
    single = suanli.expectation(c, obs[0], params={"t": tb}, dtype=torch.complex128, device=CPU)
    assert single.shape == (4,)
    for i in range(4):
        per = suanli.expectation(c, obs, params={"t": float(tb[i])}, dtype=torch.complex128, device=CPU)
        np.testing.assert_allclose(out[i].numpy(), per.numpy(), atol=1e-12)


def test_gradients_of_pauli_and_hermitian_expectations() -> None:
    t = Parameter("t")
    c = Circuit(3).h(range(3)).ry(t, 0).cx(0, 2).rzx(2 * t, 2, 1).u3(0.3, t, -t, 1)
    m = random_unitary(4, np.random.default_rng(2))
    obs = [P("Z0*Z2 + 0.3*X1 - Y1*Y2"), Hermitian(m + m.conj().T, [2, 0])]
    for o in obs:
        x = torch.tensor(0.61, dtype=torch.float64, requires_grad=True)
        e = suanli.expectation(c, o, params={"t": x}, dtype=torch.complex128, device=CPU)
        (g,) = torch.autograd.grad(e, x)
        h = 1e-6

        def ev(v: float, o: object = o) -> float:
            return float(suanli.expectation(c, o, params={"t": v}, dtype=torch.complex128, device=CPU))

        assert float(g) == pytest.approx((ev(0.61 + h) - ev(0.61 - h)) / (2 * h), abs=1e-7)
    # several observables at once: a Jacobian row per observable
    x = torch.tensor(0.61, dtype=torch.float64, requires_grad=True)
    vals = suanli.expectation(c, obs, params={"t": x}, dtype=torch.complex128, device=CPU)
    jac = [torch.autograd.grad(vals[i], x, retain_graph=True)[0] for i in range(2)]
    for i, o in enumerate(obs):
        y = torch.tensor(0.61, dtype=torch.float64, requires_grad=True)
        (gi,) = torch.autograd.grad(suanli.expectation(c, o, params={"t": y}, dtype=torch.complex128, device=CPU), y)
        assert float(jac[i]) == pytest.approx(float(gi), abs=1e-12)


def test_gradient_complex64() -> None:
    x = torch.tensor(0.4, requires_grad=True)
    e = suanli.expectation(Circuit(1).rx(x, 0), "Z0", device=CPU)
    e.backward()
    assert e.dtype == torch.float32
    assert float(x.grad) == pytest.approx(-math.sin(0.4), abs=1e-6)


def test_wide_sum_sums_in_double_precision_with_the_requested_shape():
    """Runs of at most 4096 float32 terms, the block sums in float64: relative error ~1e-7 on 2**21 terms."""
    from suanli.sim.statevector.expect import wide_sum

    x = torch.full((1, 1 << 21, 2), 0.1, dtype=torch.float32)
    exact = (1 << 21) * float(torch.tensor(0.1, dtype=torch.float32))
    got = wide_sum(x, [1])
    assert got.shape == (1, 2) and got.dtype == torch.float64
    assert torch.allclose(got, torch.full((1, 2), exact, dtype=torch.float64), rtol=1e-6)
    y = torch.randn(2, 1 << 6, 2, 1 << 7, 2, 1 << 5, dtype=torch.complex64)
    ref = y.to(torch.complex128).sum(dim=[1, 3, 5])
    assert torch.allclose(wide_sum(y, [1, 3, 5]), ref, atol=1e-9)


def test_single_qubit_flip_terms_match_the_flipped_copy_and_differentiate():
    n = 5
    torch.manual_seed(2)
    psi = torch.randn(3, 1 << n, dtype=torch.complex128)
    psi = psi / psi.norm(dim=1, keepdim=True)
    obs = suanli.PauliSum.from_string("0.5*X0 + Y2*Z3 - 0.7*X4*Z0 + 0.2*Y1")
    dense = torch.tensor(obs.to_matrix(n), dtype=torch.complex128)
    ref = torch.einsum("bi,ij,bj->b", psi.conj(), dense, psi).real
    from suanli.sim.statevector.expect import pauli_expectation

    assert torch.allclose(pauli_expectation(psi, n, obs), ref, atol=1e-12)
    p = psi.clone().requires_grad_(True)
    assert torch.allclose(pauli_expectation(p, n, obs), ref, atol=1e-12)
    pauli_expectation(p, n, obs).sum().backward()
    assert p.grad is not None and torch.isfinite(p.grad).all()


@pytest.mark.slow
def test_single_precision_expectation_at_24_qubits_matches_double():
    """Before double-precision partial sums, complex64 ZZ expectations drifted by 1.5e-5 at 24 qubits (1e-3 at 26)."""
    n = 24
    rng = np.random.default_rng(0)
    c = Circuit(n)
    for q in range(n):
        c.ry(float(rng.uniform(0, 2 * np.pi)), q)
    for q in range(n):
        c.cx(q, (q + 1) % n)
    h = P(" + ".join([f"Z{i}*Z{(i + 1) % n}" for i in range(n)] + [f"X{i}" for i in range(n)]))
    e64 = float(suanli.expectation(c, h, device=CPU, dtype=torch.complex64))
    e128 = float(suanli.expectation(c, h, device=CPU, dtype=torch.complex128))
    assert abs(e64 - e128) < 3e-6
