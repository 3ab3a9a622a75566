"""Shared helpers for the suanli tests: independent oracles (Qiskit, Cirq, NumPy) and bit-order converters.

Conventions checked here: suanli is big-endian (qubit 0 = most significant bit of a basis index, leftmost
character of a bitstring); Qiskit is little-endian (qubit 0 = least significant bit). Every converter below says
which way it goes.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
import pytest
import torch

import suanli
from suanli import Circuit

# ---------------------------------------------------------------------------------------------------------
# threads: under pytest-xdist every worker is a process of its own; with torch's default of one thread per core
# in each, the OpenMP thread teams oversubscribe the cores and every parallel region can wait a scheduler
# quantum for a descheduled thread. One thread per worker is many times faster for the small states tested.
# ---------------------------------------------------------------------------------------------------------
if os.environ.get("PYTEST_XDIST_WORKER"):
    torch.set_num_threads(1)

# ---------------------------------------------------------------------------------------------------------
# markers
# ---------------------------------------------------------------------------------------------------------
HAS_CUDA = torch.cuda.is_available()


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Skip ``@pytest.mark.cuda`` tests when PyTorch sees no CUDA GPU."""
    if HAS_CUDA:
        return
    skip = pytest.mark.skip(reason="needs a CUDA GPU (torch.cuda.is_available() is False)")
    for item in items:
        if "cuda" in item.keywords:
            item.add_marker(skip)


# ---------------------------------------------------------------------------------------------------------
# bit order
# ---------------------------------------------------------------------------------------------------------
def reverse_qubits_vector(vec: Any, num_qubits: int) -> np.ndarray:
    """Reverse the qubit order of a vector of 2**n entries (amplitudes or probabilities).

    Converts Qiskit's little-endian order to suanli's big-endian order (and back: it is an involution).
    """
    arr = np.asarray(vec)
    if num_qubits <= 1:
        return arr.reshape(-1).copy()
    return arr.reshape([2] * num_qubits).transpose(list(range(num_qubits))[::-1]).reshape(-1).copy()


def qiskit_to_big_endian_state(sv: Any, num_qubits: int | None = None) -> np.ndarray:
    """A Qiskit ``Statevector`` (or its data, little-endian) as a big-endian NumPy vector."""
    data = np.asarray(getattr(sv, "data", sv), dtype=np.complex128)
    n = round(math.log2(data.shape[0])) if num_qubits is None else num_qubits
    return reverse_qubits_vector(data, n)


def reverse_qubits_matrix(mat: Any, num_qubits: int) -> np.ndarray:
    """Reverse the qubit order of a 2**k × 2**k matrix (Qiskit little-endian ↔ suanli big-endian)."""
    m = np.asarray(mat, dtype=np.complex128)
    k = num_qubits
    if k <= 1:
        return m.copy()
    rev = list(range(k))[::-1]
    t = m.reshape([2] * (2 * k)).transpose(rev + [k + r for r in rev])
    return t.reshape(1 << k, 1 << k).copy()


# ---------------------------------------------------------------------------------------------------------
# Cirq oracles for gates Qiskit does not have (big-endian already for LineQubit order)
# ---------------------------------------------------------------------------------------------------------
def cirq_unitary(name: str, params: Sequence[float] = ()) -> np.ndarray:
    """Cirq's unitary of the suanli gate ``name`` (only the gates Qiskit lacks)."""
    import cirq

    sw = cirq.PhasedXPowGate(phase_exponent=0.25, exponent=0.5)
    table: dict[str, Callable[[], Any]] = {
        "fsim": lambda: cirq.FSimGate(theta=params[0], phi=params[1]),
        "syc": lambda: cirq.FSimGate(theta=math.pi / 2, phi=math.pi / 6),
        "sy": lambda: cirq.Y**0.5,
        "sydg": lambda: cirq.Y**-0.5,
        "sw": lambda: sw,
        "swdg": lambda: sw**-1,
    }
    return np.asarray(cirq.unitary(table[name]()), dtype=np.complex128)


CIRQ_GATES = ("fsim", "syc", "sy", "sydg", "sw", "swdg")


# ---------------------------------------------------------------------------------------------------------
# Qiskit gate classes, by suanli name
# ---------------------------------------------------------------------------------------------------------
def _qiskit_factories() -> dict[str, Callable[..., Any]]:
    from qiskit.circuit import library as lib

    return {
        "id": lib.IGate,
        "x": lib.XGate,
        "y": lib.YGate,
        "z": lib.ZGate,
        "h": lib.HGate,
        "s": lib.SGate,
        "sdg": lib.SdgGate,
        "t": lib.TGate,
        "tdg": lib.TdgGate,
        "sx": lib.SXGate,
        "sxdg": lib.SXdgGate,
        "rx": lib.RXGate,
        "ry": lib.RYGate,
        "rz": lib.RZGate,
        "p": lib.PhaseGate,
        "u0": lambda gamma: lib.IGate(),  # qelib1's idle gate: the identity for every γ
        "u2": lib.U2Gate,
        "u3": lib.U3Gate,
        "r": lib.RGate,
        "cx": lib.CXGate,
        "cy": lib.CYGate,
        "cz": lib.CZGate,
        "ch": lib.CHGate,
        "swap": lib.SwapGate,
        "iswap": lib.iSwapGate,
        "iswapdg": lambda: lib.iSwapGate().inverse(),
        "crx": lib.CRXGate,
        "cry": lib.CRYGate,
        "crz": lib.CRZGate,
        "cp": lib.CPhaseGate,
        "cu3": lib.CU3Gate,
        "cu": lib.CUGate,
        "csx": lib.CSXGate,
        "csxdg": lambda: lib.CSXGate().inverse(),
        "cs": lib.CSGate,
        "csdg": lib.CSdgGate,
        "rxx": lib.RXXGate,
        "ryy": lib.RYYGate,
        "rzz": lib.RZZGate,
        "rzx": lib.RZXGate,
        "ecr": lib.ECRGate,
        "dcx": lib.DCXGate,
        "dcxdg": lambda: lib.DCXGate().inverse(),
        "ccx": lib.CCXGate,
        "ccz": lib.CCZGate,
        "cswap": lib.CSwapGate,
        "rccx": lib.RCCXGate,
        "c3x": lib.C3XGate,
        "c3sqrtx": lib.C3SXGate,
        "c3sxdg": lambda: lib.C3SXGate().inverse(),
        "rc3x": lib.RC3XGate,
        "rc3xdg": lambda: lib.RC3XGate().inverse(),
        "c4x": lib.C4XGate,
    }


QISKIT_GATES: dict[str, Callable[..., Any]] = _qiskit_factories()


def qiskit_gate(name: str, params: Sequence[float] = ()) -> Any:
    """The Qiskit gate object for a suanli table gate (Cirq-only gates become a ``UnitaryGate`` of Cirq's
    matrix, converted to Qiskit's little-endian order, so the oracle stays independent of suanli)."""
    spec = suanli.get_gate(name)
    if spec.name in QISKIT_GATES:
        return QISKIT_GATES[spec.name](*[float(p) for p in params])
    if spec.name in CIRQ_GATES:
        from qiskit.circuit.library import UnitaryGate

        big = cirq_unitary(spec.name, [float(p) for p in params])
        return UnitaryGate(reverse_qubits_matrix(big, spec.num_qubits), label=spec.name)
    raise KeyError(f"no Qiskit or Cirq oracle for gate {name!r}")


def _qiskit_condition_target(qc: Any, circuit: Circuit, cond: suanli.Condition) -> Any:
    """What ``QuantumCircuit.if_test`` takes for a suanli condition (register, bit, or a classical expr)."""
    from qiskit.circuit.classical import expr

    for reg in circuit.cregs:
        if reg.indices == tuple(cond.clbits):
            return (qc.cregs[[r.name for r in circuit.cregs].index(reg.name)], cond.value)
    if len(cond.clbits) == 1:
        return (qc.clbits[cond.clbits[0]], bool(cond.value))
    # value read little-endian from the listed bits: AND of per-bit tests
    test = None
    for i, c in enumerate(cond.clbits):
        bit = expr.lift(qc.clbits[c])
        term = bit if (cond.value >> i) & 1 else expr.logic_not(bit)
        test = term if test is None else expr.logic_and(test, term)
    return test


def to_qiskit(circuit: Circuit, bindings: dict[str, float] | None = None) -> Any:
    """Convert a suanli Circuit to a ``qiskit.QuantumCircuit`` gate by gate (no QASM in between).

    Registers keep their names and sizes (so Qiskit's count keys group bits the same way). Qubit i of suanli
    is qubit i of Qiskit; the operations are the same, only the printed bit orders differ. Parameters must
    be numbers (bind them first or pass ``bindings``). Custom gates are unrolled. Conditions become
    ``if_test`` blocks.
    """
    from qiskit import ClassicalRegister, QuantumCircuit, QuantumRegister

    if bindings:
        circuit = circuit.bind(bindings)
    qregs = [QuantumRegister(r.size, r.name) for r in circuit.qregs]
    cregs = [ClassicalRegister(r.size, r.name) for r in circuit.cregs]
    qc = QuantumCircuit(*qregs, *cregs)

    def numbers(inst: suanli.Instruction) -> list[float]:
        out = []
        for p in inst.params:
            if isinstance(p, torch.Tensor):
                if p.dim() != 0:
                    raise ValueError("to_qiskit takes scalar parameters only")
                out.append(float(p.detach()))
            else:
                out.append(float(p))
        return out

    def emit(inst: suanli.Instruction) -> None:
        if inst.name == "barrier":
            qc.barrier(list(inst.qubits))
        elif inst.name == "measure":
            qc.measure(list(inst.qubits), list(inst.clbits))
        elif inst.name == "reset":
            for q in inst.qubits:
                qc.reset(q)
        elif inst.definition is not None:
            for sub in inst.definition.expand(numbers(inst), inst.qubits):
                emit(sub)
        else:
            qc.append(qiskit_gate(inst.name, numbers(inst)), list(inst.qubits))

    for inst in circuit:
        if inst.condition is not None:
            with qc.if_test(_qiskit_condition_target(qc, circuit, inst.condition)):
                emit(inst.with_condition(None))
        else:
            emit(inst)
    return qc


def qiskit_state(circuit: Circuit, bindings: dict[str, float] | None = None) -> np.ndarray:
    """The final state of a unitary circuit from ``qiskit.quantum_info.Statevector``, big-endian."""
    from qiskit.quantum_info import Statevector

    qc = to_qiskit(circuit, bindings)
    qc.remove_final_measurements(inplace=True)
    return qiskit_to_big_endian_state(Statevector(qc), circuit.num_qubits)


# ---------------------------------------------------------------------------------------------------------
# a NumPy reference simulator (no suanli code at all)
# ---------------------------------------------------------------------------------------------------------
def numpy_apply(state: np.ndarray, mat: np.ndarray, qubits: Sequence[int], n: int) -> np.ndarray:
    """Apply a big-endian k-qubit matrix to ``qubits`` of a big-endian n-qubit state (tensordot)."""
    k = len(qubits)
    psi = state.reshape([2] * n)
    g = np.asarray(mat).reshape([2] * (2 * k))
    out = np.tensordot(g, psi, axes=(list(range(k, 2 * k)), list(qubits)))
    # out axes: gate outputs (k), then the remaining state axes in order
    rest = [a for a in range(n) if a not in qubits]
    order = list(qubits) + rest
    inv = np.argsort(order)
    return out.transpose(inv).reshape(-1)


# ---------------------------------------------------------------------------------------------------------
# distributions
# ---------------------------------------------------------------------------------------------------------
def assert_counts_match(counts: Mapping[str, int], probs: Mapping[str, float], *, what: str = "") -> None:
    """Counts are a plausible sample of ``probs``, with thresholds that a correct sampler never crosses.

    Fails when an outcome of probability 0 was drawn, when the chi-square statistic (outcomes expecting fewer
    than 5 shots pooled into one bin) exceeds df + 8·sqrt(2·df) + 10 (a p-value far below 1e-9), or when the
    total-variation distance exceeds 2·sqrt(K/N) + 0.005 for K possible outcomes and N shots (about five times
    its expected size). Use it with fixed seeds.
    """
    shots = sum(counts.values())
    impossible = {k: v for k, v in counts.items() if probs.get(k, 0.0) < 1e-12}
    assert not impossible, f"{what}: outcomes of probability 0 were drawn: {impossible}"
    assert sum(probs.values()) == pytest.approx(1.0, abs=1e-9)
    # chi-square, pooling outcomes with small expectations into one bin
    stat, df, pool_obs, pool_exp = 0.0, -1, 0, 0.0
    for k, p in probs.items():
        e = p * shots
        o = counts.get(k, 0)
        if e < 5:
            pool_obs += o
            pool_exp += e
            continue
        stat += (o - e) ** 2 / e
        df += 1
    if pool_exp > 0:
        stat += (pool_obs - pool_exp) ** 2 / max(pool_exp, 1.0)
        df += 1
    df = max(df, 1)
    limit = df + 8 * math.sqrt(2 * df) + 10
    assert stat < limit, f"{what}: chi-square {stat:.1f} > {limit:.1f} (df={df})"
    keys = set(counts) | set(probs)
    tvd = 0.5 * sum(abs(counts.get(k, 0) / shots - probs.get(k, 0.0)) for k in keys)
    k_eff = sum(1 for p in probs.values() if p > 1e-12)
    assert tvd < 2 * math.sqrt(k_eff / shots) + 0.005, f"{what}: TVD {tvd:.4f} too large (K={k_eff})"


# ---------------------------------------------------------------------------------------------------------
# fixtures
# ---------------------------------------------------------------------------------------------------------
@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(20240601)


def random_unitary(d: int, rng: np.random.Generator) -> np.ndarray:
    """A Haar-ish random unitary (QR of a complex Gaussian)."""
    z = (rng.normal(size=(d, d)) + 1j * rng.normal(size=(d, d))) / math.sqrt(2)
    q, r = np.linalg.qr(z)
    return q * (np.diag(r) / np.abs(np.diag(r)))


def random_params(num: int, rng: np.random.Generator) -> list[float]:
    return [float(x) for x in rng.uniform(-2 * math.pi, 2 * math.pi, num)]
