"""Helpers shared by the OpenQASM 2 tests (tests/io/test_qasm_*.py).

Independent oracles: an exact branching simulator written here on top of ``qiskit.quantum_info.Statevector`` (so
Qiskit's gate matrices and Qiskit's reading of the file are the reference), bit-order converters, and a
structural comparison of circuits that ignores the names of custom gates (the writer renames a custom gate
whose name would clash with a ``qelib1.inc`` or gate-table name, e.g. QASMBench's 2-qubit ``cu`` → ``cu_1``).

Bit order: suanli is big-endian (qubit 0 / classical bit 0 leftmost); Qiskit is little-endian.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import torch

import suanli
from suanli import Circuit, GateDefinition, Instruction

DATA = Path(__file__).resolve().parents[1] / "data" / "qasm"
REAL_DIR = DATA / "real"
INCLUDES = DATA / "includes"


def real_files() -> list[Path]:
    """Every ``.qasm`` file of the real-world corpus (read at collection time: the corpus may grow)."""
    return sorted(REAL_DIR.glob("*.qasm"))


def manifest() -> dict[str, dict[str, Any]]:
    """MANIFEST.json of the corpus, by file name ({} when absent or unreadable)."""
    try:
        entries = json.loads((REAL_DIR / "MANIFEST.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return {e["file"]: e for e in entries if isinstance(e, dict) and "file" in e}


# ---------------------------------------------------------------------------------------------------------
# structural comparison
# ---------------------------------------------------------------------------------------------------------
def _param_key(p: Any) -> Any:
    if isinstance(p, torch.Tensor):
        return ("tensor", float(p))
    if isinstance(p, suanli.ParameterExpression):
        return ("expr", str(p))
    return ("num", float(p))


def canonical(circuit: Circuit) -> tuple[Any, ...]:
    """A hashable description of ``circuit`` in which custom gates are described by their bodies, not names."""
    memo: dict[int, Any] = {}

    def definition(d: GateDefinition) -> Any:
        key = id(d)
        if key not in memo:
            memo[key] = ("def", d.params, d.num_qubits, d.opaque, tuple(inst(i) for i in d.body))
        return memo[key]

    def inst(i: Instruction) -> Any:
        cond = None if i.condition is None else (i.condition.clbits, i.condition.value)
        name = definition(i.definition) if i.definition is not None else i.name
        return (name, i.qubits, tuple(_param_key(p) for p in i.params), i.clbits, cond)

    regs = (
        tuple((r.name, r.size) for r in circuit.qregs),
        tuple((r.name, r.size) for r in circuit.cregs),
    )
    return (circuit.num_qubits, circuit.num_clbits, regs, tuple(inst(i) for i in circuit))


def registers(circuit: Circuit) -> tuple[list[tuple[str, int, int]], list[tuple[str, int, int]]]:
    return ([(r.name, r.size, r.offset) for r in circuit.qregs], [(r.name, r.size, r.offset) for r in circuit.cregs])


def ops(circuit: Circuit) -> list[str]:
    """``str`` of each instruction (names, qubits, rounded params, clbits, conditions) for readable asserts."""
    return [str(i) for i in circuit]


def is_dynamic(circuit: Circuit) -> bool:
    """True when measurements/resets/conditions make the circuit more than one pure state."""
    return any(i.name in ("measure", "reset") or i.condition is not None for i in circuit)


# ---------------------------------------------------------------------------------------------------------
# distributions
# ---------------------------------------------------------------------------------------------------------
def tvd(p: Any, q: Any) -> float:
    """Total-variation distance of two arrays, or of two dicts keyed by outcome."""
    if isinstance(p, dict) or isinstance(q, dict):
        keys = set(p) | set(q)
        return 0.5 * sum(abs(float(p.get(k, 0.0)) - float(q.get(k, 0.0))) for k in keys)
    a = np.asarray(p, dtype=np.float64).reshape(-1)
    b = np.asarray(q, dtype=np.float64).reshape(-1)
    assert a.shape == b.shape, (a.shape, b.shape)
    return 0.5 * float(np.abs(a - b).sum())


def little_to_big(vec: Any, n: int) -> np.ndarray:
    """Reverse the qubit order of a 2**n vector (Qiskit little-endian ↔ suanli big-endian; an involution)."""
    arr = np.asarray(vec)
    if n <= 1:
        return arr.reshape(-1).copy()
    return arr.reshape([2] * n).transpose(list(range(n))[::-1]).reshape(-1).copy()


def ours_probabilities(circuit: Circuit, dtype: torch.dtype = torch.complex128) -> np.ndarray:
    return suanli.probabilities(circuit, dtype=dtype, device="cpu").detach().cpu().numpy().astype(np.float64)


def ours_outcomes(circuit: Circuit, dtype: torch.dtype = torch.complex128) -> dict[str, float]:
    return suanli.outcome_probabilities(circuit, dtype=dtype, device="cpu")


# ---------------------------------------------------------------------------------------------------------
# exact reference from Qiskit: branch over every measurement/reset outcome with Statevector
# ---------------------------------------------------------------------------------------------------------
def _project(data: np.ndarray, n: int, qubit: int, outcome: int) -> tuple[np.ndarray, float]:
    """Project a little-endian state on ``qubit`` = outcome; returns (normalised state, probability)."""
    psi = data.reshape([2] * n)  # axis 0 is qubit n-1 (little-endian)
    axis = n - 1 - qubit
    keep = np.zeros_like(psi)
    index = [slice(None)] * n
    index[axis] = outcome
    keep[tuple(index)] = psi[tuple(index)]
    prob = float(np.vdot(keep, keep).real)
    if prob <= 0:
        return keep.reshape(-1), 0.0
    return (keep / math.sqrt(prob)).reshape(-1), prob


def _flip(data: np.ndarray, n: int, qubit: int) -> np.ndarray:
    return np.flip(data.reshape([2] * n), axis=n - 1 - qubit).reshape(-1).copy()


def _condition_holds(qc: Any, condition: Any, record: list[int]) -> bool:
    target, value = condition
    from qiskit.circuit import Clbit

    if isinstance(target, Clbit):
        return record[qc.find_bit(target).index] == int(value)
    bits = [qc.find_bit(b).index for b in target]  # register bits, least significant first
    return sum(record[b] << i for i, b in enumerate(bits)) == int(value)


_AER: list[Any] = []


def unroll_name_clashes(qc: Any) -> Any:
    """Decompose custom gates that share a name with a Qiskit standard gate (QASMBench's 2-qubit ``cu``), so that
    transpiling cannot swap them for the standard gate of that name."""
    from qiskit.circuit.library import get_standard_gate_name_mapping

    standard = get_standard_gate_name_mapping()
    clash = {ci.operation.name for ci in qc.data
             if ci.operation.name in standard and type(ci.operation) is not type(standard[ci.operation.name])}
    return qc.decompose(gates_to_decompose=sorted(clash), reps=4) if clash else qc


def _evolve(data: np.ndarray, n: int, ops: list[tuple[Any, list[int]]]) -> np.ndarray:
    """Apply unitary operations to a little-endian state: Statevector.evolve for small n, qiskit-aer's
    double-precision statevector simulator (set_statevector … save_statevector) for wide states."""
    if not ops:
        return data
    if n <= 10:
        from qiskit.quantum_info import Statevector

        sv = Statevector(data, dims=(2,) * n)
        for op, qubits in ops:
            sv = sv.evolve(op, qargs=qubits)
        return sv.data
    from qiskit import QuantumCircuit, transpile
    from qiskit_aer import AerSimulator

    if not _AER:
        _AER.append(AerSimulator(method="statevector", precision="double", max_parallel_threads=1))
    sim = _AER[0]
    qc = QuantumCircuit(n)
    qc.set_statevector(data)
    for op, qubits in ops:
        qc.append(op, qubits)
    qc.save_statevector()
    tqc = transpile(unroll_name_clashes(qc), sim, optimization_level=0)
    return np.asarray(sim.run(tqc).result().get_statevector(), dtype=np.complex128)


def _terminal_measures(qc: Any) -> set[int]:
    """Indices of top-level measurements after which nothing touches their qubit and no ``if`` follows."""
    touched: set[int] = set()
    later_if = False
    out: set[int] = set()
    for k in range(len(qc.data) - 1, -1, -1):
        ci = qc.data[k]
        name = ci.operation.name
        qubits = [qc.find_bit(b).index for b in ci.qubits]
        if name == "barrier":
            continue
        if name == "measure" and not later_if and qubits[0] not in touched:
            out.add(k)
            continue
        if name == "if_else":
            later_if = True
        touched.update(qubits)
    return out


def qiskit_exact(qc: Any, cutoff: float = 1e-15) -> tuple[np.ndarray, dict[str, float]]:
    """Exact results of a Qiskit circuit, computed by following every measurement and reset outcome.

    Returns ``(probs, outcomes)``: the big-endian distribution of all qubits at the end (the mixture over
    branches) and the distribution of the classical bits (keys: classical bit 0 leftmost, bits flattened in
    register declaration order; bits never written read 0). Gates use Qiskit's matrices (``Statevector.evolve``,
    or qiskit-aer's exact statevector simulator for more than 10 qubits); ``if`` blocks (``IfElseOp``) read the
    classical record; measurements at the end are read from the final state's marginal.
    """
    n = qc.num_qubits
    start = np.zeros(2**n, dtype=np.complex128)
    start[0] = 1.0
    # a branch: [state, classical record, weight, unitary ops not yet applied]
    branches: list[list[Any]] = [[start, [0] * qc.num_clbits, 1.0, []]]

    def flush(b: list[Any]) -> None:
        b[0] = _evolve(b[0], n, b[3])
        b[3] = []

    def run(op: Any, qubits: list[int], clbits: list[int], b: list[Any]) -> list[list[Any]]:
        name = op.name
        if name == "barrier":
            return [b]
        if name in ("measure", "reset"):
            flush(b)
            out = []
            for outcome in (0, 1):
                psi, p = _project(b[0], n, qubits[0], outcome)
                if p * b[2] > cutoff:
                    rec = list(b[1])
                    if name == "measure":
                        rec[clbits[0]] = outcome
                    else:
                        psi = _flip(psi, n, qubits[0]) if outcome else psi
                    out.append([psi, rec, b[2] * p, []])
            return out
        if name == "if_else":
            if not _condition_holds(qc, op.condition, b[1]):
                return [b]
            body = op.blocks[0]
            current = [b]
            for ci in body.data:
                inner_q = [qubits[body.find_bit(x).index] for x in ci.qubits]
                inner_c = [clbits[body.find_bit(x).index] for x in ci.clbits]
                current = [nb for cb in current for nb in run(ci.operation, inner_q, inner_c, cb)]
            return current
        b[3].append((op, qubits))
        return [b]

    terminal = _terminal_measures(qc)
    final: list[tuple[int, int]] = []  # (qubit, clbit) read at the end, in program order
    for k, ci in enumerate(qc.data):
        qubits = [qc.find_bit(x).index for x in ci.qubits]
        clbits = [qc.find_bit(x).index for x in ci.clbits]
        if k in terminal:
            final.append((qubits[0], clbits[0]))
            continue
        branches = [nb for b in branches for nb in run(ci.operation, qubits, clbits, b)]

    probs = np.zeros(2**n)
    outcomes: dict[str, float] = {}
    fq = sorted({q for q, _ in final})
    for b in branches:
        flush(b)
        p = np.abs(b[0]) ** 2
        probs += b[2] * p
        if not fq:
            key = "".join(map(str, b[1]))
            outcomes[key] = outcomes.get(key, 0.0) + b[2]
            continue
        big = little_to_big(p, n).reshape([2] * n)
        marginal = big.sum(axis=tuple(a for a in range(n) if a not in fq)).reshape(-1)
        for index in np.flatnonzero(marginal * b[2] > cutoff):
            bits = format(int(index), f"0{len(fq)}b")
            value = dict(zip(fq, (int(x) for x in bits)))
            rec = list(b[1])
            for q, c in final:
                rec[c] = value[q]
            key = "".join(map(str, rec))
            outcomes[key] = outcomes.get(key, 0.0) + b[2] * float(marginal[index])
    return little_to_big(probs, n), outcomes


def qiskit_key_to_big(key: str) -> str:
    """A Qiskit count key ('d1d0 c1c0', registers last-first, bits little-endian) → suanli's big-order key."""
    return "".join(part[::-1] for part in reversed(key.split()))


def measured(circuit: Circuit) -> bool:
    return any(i.name == "measure" for i in circuit)
