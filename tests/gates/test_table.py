"""The gate table: every record is unitary, has the right inverse and definition, and equals an independent
oracle (Qiskit's gate matrices, or Cirq's for the Google gates Qiskit lacks).

Qiskit's matrices are little-endian (its first qubit is the least significant bit); suanli's are big-endian.
``reverse_qubits_matrix`` converts; the gates themselves are the same operation on the same qubit list.
"""

from __future__ import annotations

import math
import zlib
from pathlib import Path

import numpy as np
import pytest
import torch

import suanli
from conftest import CIRQ_GATES, QISKIT_GATES, cirq_unitary, qiskit_gate, random_params, reverse_qubits_matrix
from suanli import Circuit, CircuitError, get_gate
from suanli.gates import has_gate
from suanli.testing import assert_gate_consistent

ALL = [s.name for s in suanli.all_gates()]
PARAMETRISED = [s.name for s in suanli.all_gates() if s.num_params]
WITH_DEFINITION = [s.name for s in suanli.all_gates() if s.definition is not None]
SPECIAL_ANGLES = [0.0, math.pi / 2, math.pi, -math.pi, 2 * math.pi, 0.1234]

ROOT = Path(__file__).resolve().parents[2]


def _oracle(name: str, params: list[float]) -> np.ndarray:
    """Big-endian matrix from Qiskit (little-endian, converted) or Cirq (big-endian already)."""
    from qiskit.quantum_info import Operator

    spec = get_gate(name)
    if name in CIRQ_GATES:
        return cirq_unitary(name, params)
    return reverse_qubits_matrix(Operator(QISKIT_GATES[name](*params)).data, spec.num_qubits)


def _param_sets(name: str, count: int = 4, seed: int = 0) -> list[list[float]]:
    spec = get_gate(name)
    if not spec.num_params:
        return [[]]
    rng = np.random.default_rng(zlib.crc32(name.encode()) + seed)
    sets = [random_params(spec.num_params, rng) for _ in range(count)]
    sets += [[a] * spec.num_params for a in SPECIAL_ANGLES]
    return sets


def test_every_gate_has_an_oracle() -> None:
    """The oracle tables cover the whole gate table (a new gate must come with an oracle)."""
    missing = [n for n in ALL if n not in QISKIT_GATES and n not in CIRQ_GATES]
    assert missing == []
    assert not set(QISKIT_GATES) & set(CIRQ_GATES)
    assert len(ALL) == len(set(ALL)) >= 59


# ---------------------------------------------------------------------------------------------------------
# matrices against Qiskit / Cirq
# ---------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", ALL)
def test_matrix_equals_oracle(name: str) -> None:
    spec = get_gate(name)
    for params in _param_sets(name):
        mine = spec.matrix(*params, dtype=torch.complex128).numpy()
        assert mine.shape == (spec.dim, spec.dim)
        theirs = _oracle(name, params)
        np.testing.assert_allclose(mine, theirs, atol=1e-12, err_msg=f"{name}{tuple(params)}")


def test_qiskit_conversion_is_not_a_tautology() -> None:
    """The bit-order conversion matters: cx's matrix differs from Qiskit's raw (little-endian) one."""
    from qiskit.quantum_info import Operator

    raw = Operator(QISKIT_GATES["cx"]()).data
    mine = get_gate("cx").matrix().numpy()
    assert not np.allclose(mine, raw)
    np.testing.assert_allclose(mine, reverse_qubits_matrix(raw, 2))
    np.testing.assert_allclose(mine, [[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 0, 1], [0, 0, 1, 0]])


def test_conventions_spelled_out() -> None:
    """A few matrices written out by hand (from docs/conventions.md)."""
    t = 0.7
    c, s = math.cos(t / 2), math.sin(t / 2)
    np.testing.assert_allclose(get_gate("rx").matrix(t).numpy(), [[c, -1j * s], [-1j * s, c]], atol=1e-15)
    np.testing.assert_allclose(get_gate("ry").matrix(t).numpy(), [[c, -s], [s, c]], atol=1e-15)
    np.testing.assert_allclose(
        get_gate("rz").matrix(t).numpy(), np.diag([np.exp(-0.5j * t), np.exp(0.5j * t)]), atol=1e-15
    )
    np.testing.assert_allclose(get_gate("p").matrix(t).numpy(), np.diag([1, np.exp(1j * t)]), atol=1e-15)
    np.testing.assert_allclose(get_gate("cp").matrix(t).numpy(), np.diag([1, 1, 1, np.exp(1j * t)]), atol=1e-15)
    zz = np.diag([1, -1, -1, 1])
    np.testing.assert_allclose(
        get_gate("rzz").matrix(t).numpy(), np.diag(np.exp(-0.5j * t * np.diag(zz))), atol=1e-15
    )
    # rzx: Z on the first qubit (big-endian kron(Z, X))
    zx = np.kron(np.diag([1, -1]), [[0, 1], [1, 0]])
    np.testing.assert_allclose(get_gate("rzx").matrix(t).numpy(), c * np.eye(4) - 1j * s * zx, atol=1e-15)
    # fsim(θ, φ): Cirq's convention
    th, ph = 0.3, 0.9
    np.testing.assert_allclose(
        get_gate("fsim").matrix(th, ph).numpy(),
        [[1, 0, 0, 0], [0, math.cos(th), -1j * math.sin(th), 0], [0, -1j * math.sin(th), math.cos(th), 0],
         [0, 0, 0, np.exp(-1j * ph)]],
        atol=1e-15,
    )


# ---------------------------------------------------------------------------------------------------------
# unitarity, inverses, definitions
# ---------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", ALL)
def test_assert_gate_consistent(name: str) -> None:
    assert_gate_consistent(name, trials=3, atol=1e-12, seed=1)


@pytest.mark.parametrize("name", ALL)
def test_unitary_and_inverse(name: str) -> None:
    spec = get_gate(name)
    eye = np.eye(spec.dim)
    for params in _param_sets(name, count=3, seed=7):
        m = spec.matrix(*params).numpy()
        np.testing.assert_allclose(m @ m.conj().T, eye, atol=1e-12)
        iname, iparams = spec.inverse(*params)
        inv = get_gate(iname)
        assert inv.num_qubits == spec.num_qubits
        mi = inv.matrix(*[float(p) for p in iparams]).numpy()
        np.testing.assert_allclose(mi, m.conj().T, atol=1e-12, err_msg=f"inverse of {name}{tuple(params)}")
        # the inverse of the inverse is the gate again
        jname, jparams = inv.inverse(*iparams)
        np.testing.assert_allclose(get_gate(jname).matrix(*[float(p) for p in jparams]).numpy(), m, atol=1e-12)


def test_inverse_names() -> None:
    """Non-self-inverse constant gates point at their named partner."""
    pairs = {"s": "sdg", "t": "tdg", "sx": "sxdg", "sy": "sydg", "sw": "swdg", "iswap": "iswapdg",
             "csx": "csxdg", "cs": "csdg", "dcx": "dcxdg", "c3sqrtx": "c3sxdg", "rc3x": "rc3xdg"}
    for a, b in pairs.items():
        assert get_gate(a).inverse()[0] == b
        assert get_gate(b).inverse()[0] == a


@pytest.mark.parametrize("name", PARAMETRISED)
def test_inverse_takes_tensors(name: str) -> None:
    """Circuit.inverse passes tensors (and batches) through GateSpec.inverse; the result must still invert."""
    spec = get_gate(name)
    batch = torch.tensor(np.random.default_rng(3).uniform(-3, 3, (spec.num_params, 5)))
    m = spec.matrix(*batch)
    iname, iparams = spec.inverse(*batch)
    mi = get_gate(iname).matrix(*iparams)
    assert mi.shape == m.shape == (5, spec.dim, spec.dim)
    prod = mi @ m
    torch.testing.assert_close(prod, torch.eye(spec.dim, dtype=prod.dtype).expand_as(prod), atol=1e-12, rtol=0)


def _definition_unitary_qiskit(name: str, params: list[float]) -> np.ndarray:
    """The definition's unitary built from Qiskit's matrices of the steps (not from suanli's)."""
    from qiskit import QuantumCircuit
    from qiskit.quantum_info import Operator

    spec = get_gate(name)
    qc = QuantumCircuit(spec.num_qubits)
    for step, qubits, ps in spec.definition(*params):
        qc.append(qiskit_gate(step, [float(p) for p in ps]), list(qubits))
    return reverse_qubits_matrix(Operator(qc).data, spec.num_qubits)


@pytest.mark.parametrize("name", WITH_DEFINITION)
def test_definition_equals_matrix_exactly(name: str) -> None:
    """Definitions are exact (global phase included): checked with Qiskit's step matrices and with suanli's
    own simulator."""
    spec = get_gate(name)
    for params in _param_sets(name, count=2, seed=11):
        m = spec.matrix(*params).numpy()
        np.testing.assert_allclose(_definition_unitary_qiskit(name, params), m, atol=1e-12)
        c = Circuit(spec.num_qubits)
        for step, qubits, ps in spec.definition(*params):
            assert has_gate(step), step
            c.gate(step, qubits, ps)
        np.testing.assert_allclose(suanli.testing.unitary(c), m, atol=1e-12)


def test_definitions_do_not_recurse_into_themselves() -> None:
    for name in WITH_DEFINITION:
        spec = get_gate(name)
        steps = spec.definition(*([0.3] * spec.num_params))
        assert all(get_gate(s).name != name for s, _, _ in steps), name
        for _, qubits, _ in steps:
            assert all(0 <= q < spec.num_qubits for q in qubits)


@pytest.mark.parametrize("name", ALL)
def test_structure_flags(name: str) -> None:
    """``diagonal`` holds exactly for diagonal matrices; ``num_controls`` gives block-diag(I, …, I, base)."""
    spec = get_gate(name)
    params = random_params(spec.num_params, np.random.default_rng(5))
    m = spec.matrix(*params).numpy()
    is_diag = np.allclose(m, np.diag(np.diag(m)), atol=1e-14)
    if name != "u0":  # u0 is the identity, diagonal either way
        assert spec.diagonal == is_diag, f"{name}: diagonal flag {spec.diagonal}, matrix diagonal {is_diag}"
    if spec.num_controls:
        d = spec.dim >> spec.num_controls
        top = spec.dim - d
        np.testing.assert_allclose(m[:top, :top], np.eye(top), atol=1e-14)
        np.testing.assert_allclose(m[:top, top:], 0, atol=1e-14)
        np.testing.assert_allclose(m[top:, :top], 0, atol=1e-14)
        assert not np.allclose(m[top:, top:], np.eye(d)), "controlled identity?"
    assert spec.doc, f"{name} has no doc line"
    assert spec.num_params == len(spec.params)


# ---------------------------------------------------------------------------------------------------------
# batches, precision, autograd
# ---------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", PARAMETRISED)
def test_batched_matrix_equals_per_element(name: str) -> None:
    spec = get_gate(name)
    rng = np.random.default_rng(17)
    vals = rng.uniform(-4, 4, (spec.num_params, 6))
    mb = spec.matrix(*torch.tensor(vals))
    assert mb.shape == (6, spec.dim, spec.dim)
    for i in range(6):
        single = _oracle(name, [float(v[i]) for v in vals])
        np.testing.assert_allclose(mb[i].numpy(), single, atol=1e-12)
    if spec.num_params > 1:
        # one batched parameter broadcasts against plain numbers
        mixed = spec.matrix(torch.tensor(vals[0]), *[float(v[0]) for v in vals[1:]])
        assert mixed.shape == (6, spec.dim, spec.dim)
        np.testing.assert_allclose(mixed[0].numpy(), mb[0].numpy(), atol=1e-12)
        np.testing.assert_allclose(
            mixed[3].numpy(), _oracle(name, [float(vals[0][3])] + [float(v[0]) for v in vals[1:]]), atol=1e-12
        )


@pytest.mark.parametrize("name", ALL)
def test_complex64(name: str) -> None:
    spec = get_gate(name)
    params = random_params(spec.num_params, np.random.default_rng(23))
    m64 = spec.matrix(*params, dtype=torch.complex64)
    assert m64.dtype == torch.complex64
    np.testing.assert_allclose(m64.numpy(), _oracle(name, params), atol=2e-6)
    if spec.num_params:
        # float32 tensors on the complex64 path stay single precision
        t32 = [torch.tensor(p, dtype=torch.float32) for p in params]
        m = spec.matrix(*t32, dtype=torch.complex64)
        assert m.dtype == torch.complex64
        np.testing.assert_allclose(m.numpy(), _oracle(name, [float(t) for t in t32]), atol=2e-6)
        # float16 tensors are accepted (computed in float32)
        mh = spec.matrix(*[torch.tensor(p, dtype=torch.float16) for p in params], dtype=torch.complex64)
        assert mh.dtype == torch.complex64


@pytest.mark.parametrize("name", PARAMETRISED)
def test_matrix_gradients(name: str) -> None:
    """Matrices are differentiable in every parameter (torch.autograd.gradcheck, double precision)."""
    spec = get_gate(name)
    rng = np.random.default_rng(29)
    inputs = tuple(torch.tensor(float(x), dtype=torch.float64, requires_grad=True)
                   for x in rng.uniform(-2, 2, spec.num_params))
    assert torch.autograd.gradcheck(lambda *p: spec.matrix(*p), inputs, atol=1e-7)


def test_matrix_argument_errors() -> None:
    rx = get_gate("rx")
    with pytest.raises(CircuitError, match=r"takes 1 parameter"):
        rx.matrix()
    with pytest.raises(CircuitError, match=r"takes 1 parameter"):
        rx.matrix(0.1, 0.2)
    with pytest.raises(CircuitError, match="bool"):
        rx.matrix(True)
    with pytest.raises(CircuitError, match="not finite"):
        rx.matrix(float("nan"))
    with pytest.raises(CircuitError, match="not finite"):
        rx.matrix(float("inf"))
    with pytest.raises(CircuitError, match="complex"):
        rx.matrix(torch.tensor(0.1 + 0.2j))
    with pytest.raises(CircuitError, match="str"):
        rx.matrix("0.1x")
    with pytest.raises(CircuitError, match="takes 0 parameter"):
        get_gate("h").matrix(0.5)


def test_constant_matrices_are_cached_per_dtype() -> None:
    h = get_gate("h")
    a, b = h.matrix(dtype=torch.complex64), h.matrix(dtype=torch.complex128)
    assert a.dtype == torch.complex64 and b.dtype == torch.complex128
    np.testing.assert_allclose(b.numpy(), np.array([[1, 1], [1, -1]]) / math.sqrt(2), atol=1e-15)


# ---------------------------------------------------------------------------------------------------------
# names and aliases
# ---------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", ALL)
def test_aliases_resolve(name: str) -> None:
    spec = get_gate(name)
    assert spec.name == name
    assert has_gate(name)
    for alias in spec.aliases:
        assert get_gate(alias) is spec
        assert has_gate(alias)
        c = Circuit(spec.num_qubits).gate(alias, list(range(spec.num_qubits)), [0.25] * spec.num_params)
        assert c[0].name == name  # canonical name stored
        if alias.isidentifier() and alias.islower():
            builder = getattr(Circuit(spec.num_qubits), alias)
            c2 = builder(*[0.25] * spec.num_params, *range(spec.num_qubits))
            assert c2 == c


def test_known_aliases() -> None:
    expected = {"cnot": "cx", "u1": "p", "phase": "p", "u": "u3", "U": "u3", "CX": "cx", "cu1": "cp",
                "cphase": "cp", "toffoli": "ccx", "fredkin": "cswap", "i": "id", "sqrt_x": "sx",
                "fs": "fsim", "sycamore": "syc", "cccx": "c3x", "c3sx": "c3sqrtx", "ccccx": "c4x"}
    for alias, canonical in expected.items():
        assert get_gate(alias).name == canonical


def test_names_are_unique_across_aliases() -> None:
    seen: dict[str, str] = {}
    for spec in suanli.all_gates():
        for key in (spec.name, *spec.aliases):
            assert key not in seen, f"{key} names both {seen.get(key)} and {spec.name}"
            seen[key] = spec.name


def test_register_refuses_duplicates() -> None:
    from suanli.gates.spec import register

    with pytest.raises(ValueError, match="already registered"):
        register(get_gate("h"))


@pytest.mark.parametrize(("typo", "suggestion"), [("cnto", "cnot"), ("hadamrd", None), ("rxy", "rx"),
                                                    ("tofoli", "toffoli"), ("swapp", "swap")])
def test_unknown_gate_suggests(typo: str, suggestion: str | None) -> None:
    with pytest.raises(CircuitError, match=f"unknown gate '{typo}'") as err:
        get_gate(typo)
    if suggestion:
        assert "did you mean" in str(err.value) and suggestion in str(err.value)
    with pytest.raises(CircuitError, match="unknown gate"):
        Circuit(3).gate(typo, [0])
    assert not has_gate(typo)


def test_unknown_gate_without_close_match() -> None:
    with pytest.raises(CircuitError) as err:
        get_gate("qqqqqqqqqq")
    assert "did you mean" not in str(err.value)


# ---------------------------------------------------------------------------------------------------------
# generated code and docs
# ---------------------------------------------------------------------------------------------------------
def test_generated_files_are_current() -> None:
    from suanli.gates import codegen

    outputs = codegen.outputs(ROOT)
    assert len(outputs) >= 2
    for path, text in outputs.items():
        assert path.is_file(), f"{path} is missing; run python -m suanli.gates.codegen"
        assert path.read_text(encoding="utf-8") == text, f"{path} is stale; run python -m suanli.gates.codegen"


def test_every_gate_has_a_builder_and_a_doc_row() -> None:
    from suanli.gates import codegen

    md = codegen.gates_markdown()
    for spec in suanli.all_gates():
        assert f"| `{spec.name}` |" in md
        assert callable(getattr(Circuit, spec.name)), spec.name
