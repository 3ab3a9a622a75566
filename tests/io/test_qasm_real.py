"""Real-world OpenQASM 2 files (tests/data/qasm/real/) and programs written by Qiskit and Cirq at test time.

Every corpus file must load. For every file Qiskit can load, our exact results must equal an exact reference
computed from Qiskit's reading of the same file (``qasm_testutil.qiskit_exact``: Statevector with Qiskit's gate
matrices, branching over mid-circuit measurements and resets, ``if`` read from the classical record):
total-variation distance < 1e-9 in complex128 and < 1e-5 in complex64, both for the distribution of the classical
bits (``outcome_probabilities``) and for the final qubit distribution (``probabilities``). Dynamic files are also
checked against qiskit-aer shot counts (fixed seed) with a loose TVD bound.

Bit order: suanli keys put classical bit 0 first (leftmost), bits flattened in register declaration order;
Qiskit's count keys are little-endian per register, last register first (converted by qiskit_key_to_big).
"""

from __future__ import annotations

import math
import re
import warnings
from pathlib import Path

import numpy as np
import pytest
import torch
from qasm_testutil import (
    REAL_DIR,
    little_to_big,
    manifest,
    measured,
    ours_outcomes,
    ours_probabilities,
    qiskit_exact,
    qiskit_key_to_big,
    real_files,
    tvd,
    unroll_name_clashes,
)

import suanli
from suanli import QasmWarning, load_qasm, loads_qasm

REAL = real_files()
IDS = [p.name for p in REAL]
MANIFEST = manifest()


def _qiskit_load(path: Path):
    """Qiskit's reading of a file: the legacy loader (what Qiskit users get from old files), else the default one.

    Qiskit refuses a register named like a gate (staq's ``qreg x[2];``); such a register is renamed in the text
    (which changes nothing else) and the text read again. Returns None when Qiskit still refuses the file.
    """
    import qiskit.qasm2 as q2

    text = path.read_text(encoding="utf-8-sig")
    for _attempt in range(3):
        error = None
        for kwargs in ({"custom_instructions": q2.LEGACY_CUSTOM_INSTRUCTIONS}, {}):
            try:
                return q2.loads(text, **kwargs)
            except q2.QASM2ParseError as exc:
                error = str(exc)
        clash = re.search(r"'(\w+)' is already defined", error or "")
        if clash is None or not re.search(rf"\b[qc]reg\s+{clash.group(1)}\s*\[", text):
            return None
        text = re.sub(rf"\b{clash.group(1)}(\s*\[)", rf"{clash.group(1)}_register\1", text)
        text = re.sub(rf"(\b[qc]reg\s+){clash.group(1)}\b", rf"\1{clash.group(1)}_register", text)
    return None


def test_corpus_is_present() -> None:
    assert len(REAL) >= 30, f"expected the real-world corpus in {REAL_DIR}"


@pytest.mark.parametrize("path", REAL, ids=IDS)
def test_real_file_loads(path: Path) -> None:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        c = load_qasm(path)
    qasm_warnings = [w for w in caught if issubclass(w.category, QasmWarning)]
    # a QasmWarning only for a file without the OPENQASM header (comments may come first)
    text = re.sub(r"//[^\n]*|/\*.*?\*/", "", path.read_text(encoding="utf-8-sig"), flags=re.S).lstrip()
    assert len(qasm_warnings) == (0 if text.startswith("OPENQASM") else 1), [str(w.message) for w in qasm_warnings]
    assert c.num_qubits >= 1
    entry = MANIFEST.get(path.name)
    if entry is not None:
        assert c.num_qubits == entry["num_qubits"]
        assert c.num_clbits == entry["num_clbits"]
        if "num_ops" in entry:
            assert len(c) == entry["num_ops"]
    # the same text through loads_qasm (with the file's folder as base_dir) gives the same circuit
    again = loads_qasm(path.read_text(encoding="utf-8-sig"), filename=str(path), base_dir=path.parent)
    assert again == c


@pytest.mark.parametrize("path", REAL, ids=IDS)
def test_real_file_agrees_with_qiskit_exactly(path: Path) -> None:
    qc = _qiskit_load(path)
    entry = MANIFEST.get(path.name, {})
    if qc is None:
        assert entry.get("qiskit_loads") is not True, "Qiskit should load this file (MANIFEST says so)"
        pytest.skip(f"Qiskit does not load {path.name}: {entry.get('qiskit_error')}")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", QasmWarning)
        c = load_qasm(path)
    assert (qc.num_qubits, qc.num_clbits) == (c.num_qubits, c.num_clbits)
    ref_probs, ref_outcomes = qiskit_exact(qc)
    assert math.isclose(sum(ref_outcomes.values()), 1.0, abs_tol=1e-9)

    assert tvd(ours_probabilities(c, torch.complex128), ref_probs) < 1e-9
    assert tvd(ours_probabilities(c, torch.complex64), ref_probs) < 1e-5
    if measured(c):
        assert tvd(ours_outcomes(c, torch.complex128), ref_outcomes) < 1e-9
        assert tvd(ours_outcomes(c, torch.complex64), ref_outcomes) < 1e-5
        # Qiskit's key order, converted by suanli, matches the reference converted by this test
        ours_qiskit = suanli.outcome_probabilities(c, device="cpu", order="qiskit")
        assert tvd({qiskit_key_to_big(k): v for k, v in ours_qiskit.items()}, ref_outcomes) < 1e-9


def _dynamic_files() -> list[Path]:
    out = []
    for p in REAL:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", QasmWarning)
                c = load_qasm(p)
        except suanli.QasmError:  # reported by test_real_file_loads
            continue
        ops = list(c)
        mid = any(
            i.name in ("measure", "reset") and any(set(j.qubits) & set(i.qubits) and j.name != "barrier"
                                                     for j in ops[k + 1 :] if j.name != "measure")
            for k, i in enumerate(ops)
        )
        if mid or any(i.condition is not None for i in ops):
            out.append(p)
    return out


DYNAMIC = _dynamic_files()
AER_MAX_QUBITS = 12  # Aer re-runs dynamic circuits shot by shot; the exact reference covers the wide ones


def test_corpus_has_dynamic_files() -> None:
    assert {"qasmbench__ipea_n2.qasm", "openqasm__generic_teleport.qasm"} <= {p.name for p in DYNAMIC}


@pytest.mark.parametrize("path", DYNAMIC, ids=[p.name for p in DYNAMIC])
def test_dynamic_real_file_against_aer_counts(path: Path) -> None:
    qc = _qiskit_load(path)
    if qc is None:
        pytest.skip("Qiskit does not load this file")
    from qiskit import transpile
    from qiskit_aer import AerSimulator

    c = load_qasm(path)
    if c.num_qubits > AER_MAX_QUBITS:
        pytest.skip(f"{c.num_qubits} qubits: too slow shot by shot in Aer (checked exactly above)")
    ours = ours_outcomes(c)
    sim = AerSimulator(method="statevector", seed_simulator=1234)
    shots = 4000
    # custom gates named like Qiskit's own (QASMBench's 2-qubit 'cu') are unrolled by their definitions first:
    # transpiling by name would swap in Qiskit's 4-parameter CUGate
    tqc = transpile(unroll_name_clashes(qc), sim, optimization_level=0, seed_transpiler=1)
    counts = sim.run(tqc, shots=shots).result().get_counts()
    empirical = {qiskit_key_to_big(k): v / shots for k, v in counts.items()}
    assert set(empirical) <= {k for k, v in ours.items() if v > 0}, "Aer saw an outcome we give probability 0"
    # expected TVD of an empirical distribution is about 0.5 * sum sqrt(2 p (1-p) / (pi N)); allow 4x plus slack
    expected = 0.5 * sum(math.sqrt(2 * p * (1 - p) / (math.pi * shots)) for p in ours.values())
    assert tvd(ours, empirical) < 4 * expected + 0.005


# ---------------------------------------------------------------------------------------------------------
# programs written by Cirq and by Qiskit at test time
# ---------------------------------------------------------------------------------------------------------
def _cirq_gate_domain():
    import cirq

    return {
        cirq.X: 1, cirq.Y: 1, cirq.Z: 1, cirq.H: 1, cirq.S: 1, cirq.T: 1,
        cirq.rx(0.37): 1, cirq.ry(-1.1): 1, cirq.rz(2.3): 1, cirq.X**0.31: 1, cirq.Y**-0.6: 1, cirq.Z**0.17: 1,
        cirq.PhasedXPowGate(phase_exponent=0.3, exponent=0.7): 1,
        cirq.CNOT: 2, cirq.CZ: 2, cirq.SWAP: 2, cirq.ISWAP: 2, cirq.CZ**0.41: 2, cirq.CNOT**0.5: 2,
        cirq.XX**0.3: 2, cirq.YY**0.2: 2, cirq.ZZ**0.7: 2, cirq.ISWAP**0.5: 2,
        cirq.CCX: 3, cirq.CCZ: 3, cirq.CSWAP: 3,
    }


@pytest.mark.parametrize("seed", range(12))
def test_cirq_written_programs_agree(seed: int) -> None:
    import cirq

    qubits = cirq.LineQubit.range(4 + seed % 3)
    circuit = cirq.testing.random_circuit(qubits=qubits, n_moments=10, op_density=0.9,
                                          gate_domain=_cirq_gate_domain(), random_state=seed)
    text = cirq.qasm(circuit)
    with warnings.catch_warnings():
        warnings.simplefilter("error", QasmWarning)
        ours = loads_qasm(text)
    assert ours.num_qubits == len(qubits)
    ref = np.abs(cirq.final_state_vector(circuit, qubit_order=qubits, dtype=np.complex128)) ** 2
    assert tvd(ours_probabilities(ours, torch.complex128), ref) < 1e-9
    assert tvd(ours_probabilities(ours, torch.complex64), ref) < 1e-5
    # with measurements: Cirq's key 'm' lists qubits in order, bit 0 first, exactly like our big-endian keys
    measured_circuit = circuit + cirq.measure(*qubits, key="m")
    c = loads_qasm(cirq.qasm(measured_circuit))
    outcomes = ours_outcomes(c)
    ref_outcomes = {format(i, f"0{len(qubits)}b"): float(p) for i, p in enumerate(ref) if p > 1e-15}
    assert tvd(outcomes, ref_outcomes) < 1e-9


@pytest.mark.parametrize("seed", range(12))
def test_qiskit_written_programs_agree(seed: int) -> None:
    import qiskit.qasm2
    from qiskit.circuit.random import random_circuit

    n = 3 + seed % 4
    qc = random_circuit(n, 6, max_operands=4, measure=True, conditional=seed % 2 == 1, reset=seed % 3 == 0,
                        seed=seed)
    text = qiskit.qasm2.dumps(qc)
    with warnings.catch_warnings():
        warnings.simplefilter("error", QasmWarning)
        ours = loads_qasm(text)
    ref_probs, ref_outcomes = qiskit_exact(qc)
    assert tvd(ours_outcomes(ours, torch.complex128), ref_outcomes) < 1e-9
    assert tvd(ours_outcomes(ours, torch.complex64), ref_outcomes) < 1e-5
    assert tvd(ours_probabilities(ours, torch.complex128), ref_probs) < 1e-9


@pytest.mark.parametrize("seed", range(8))
def test_qiskit_written_unitary_programs_agree_statevector(seed: int) -> None:
    import qiskit.qasm2
    from qiskit.circuit.random import random_circuit
    from qiskit.quantum_info import Statevector

    qc = random_circuit(5, 8, max_operands=4, seed=100 + seed)
    text = qiskit.qasm2.dumps(qc)
    ours = loads_qasm(text)
    state = suanli.state(ours, dtype=torch.complex128, device="cpu").numpy()
    # Qiskit's reading of the same text, global phase included (Qiskit's own export of some gates, e.g. ecr,
    # is exact only up to a global phase, so the original circuit can differ from the text by a phase)
    reread = qiskit.qasm2.loads(text, custom_instructions=qiskit.qasm2.LEGACY_CUSTOM_INSTRUCTIONS)
    np.testing.assert_allclose(state, little_to_big(Statevector(reread).data, 5), rtol=0, atol=1e-10)
    original = little_to_big(Statevector(qc).probabilities(), 5)
    assert tvd(np.abs(state) ** 2, original) < 1e-9


def test_qiskit_exact_reference_is_sound() -> None:
    """The reference itself on a known dynamic program: teleporting |1> gives bit 2 = 1 always."""
    import qiskit.qasm2

    text = (
        'OPENQASM 2.0;\ninclude "qelib1.inc";\nqreg q[3];\ncreg a[1];\ncreg b[1];\ncreg r[1];\n'
        "x q[0];\nh q[1];\ncx q[1],q[2];\ncx q[0],q[1];\nh q[0];\nmeasure q[0] -> a[0];\nmeasure q[1] -> b[0];\n"
        "if(b==1) x q[2];\nif(a==1) z q[2];\nmeasure q[2] -> r[0];\n"
    )
    qc = qiskit.qasm2.loads(text)
    _, ref = qiskit_exact(qc)
    assert ref == pytest.approx({"001": 0.25, "011": 0.25, "101": 0.25, "111": 0.25})
    assert ours_outcomes(loads_qasm(text)) == pytest.approx(ref, abs=1e-12)
