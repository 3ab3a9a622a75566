"""The bundled example circuits: valid OpenQASM 2 for Qiskit too, the same distributions as Qiskit's, and
the scripts beside them (examples/make_random.py, examples/quickstart.py) current and runnable."""

from __future__ import annotations

import os
import re
import runpy
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import suanli
from suanli import examples

ROOT = Path(__file__).resolve().parents[2]
SRC = Path(suanli.__file__).resolve().parents[1]
STATIC = ["bell", "ghz_8", "grover_4", "qft_12", "random_20"]


def test_names_and_paths() -> None:
    assert examples.names() == ["bell", "ghz_8", "grover_4", "qft_12", "random_20", "teleport"]
    for name in examples.names():
        p = examples.path(name)
        assert p.is_file() and p.suffix == ".qasm"
        assert examples.path(name + ".qasm") == p
        assert p.read_text(encoding="utf-8").startswith('OPENQASM 2.0;\ninclude "qelib1.inc";\n')
    with pytest.raises(suanli.SuanliError, match="no bundled example named 'nope'"):
        examples.path("nope")


@pytest.mark.parametrize("name", ["bell", "ghz_8", "grover_4", "qft_12", "random_20", "teleport"])
def test_loads_in_suanli_and_qiskit(name: str) -> None:
    qasm2 = pytest.importorskip("qiskit.qasm2")
    ours = suanli.load_qasm(examples.path(name))
    theirs = qasm2.load(str(examples.path(name)))  # Qiskit's strict reader with the original qelib1.inc
    assert ours.num_qubits == theirs.num_qubits
    assert ours.num_clbits == theirs.num_clbits


def _qiskit_classical_distribution(qc: Any) -> dict[str, float]:
    """Exact distribution of the classical bits from Qiskit's Statevector, keyed in suanli's order
    (classical bit 0 leftmost). Every measurement must be terminal."""
    from qiskit.quantum_info import Statevector

    measured = {}
    for inst in qc.data:
        if inst.operation.name == "measure":
            measured[qc.find_bit(inst.clbits[0]).index] = qc.find_bit(inst.qubits[0]).index
    clbits = sorted(measured)
    qubits = [measured[c] for c in clbits]
    probs = Statevector(qc.remove_final_measurements(inplace=False)).probabilities(qargs=qubits)
    out = {}
    for index, p in enumerate(probs):  # Qiskit: bit k of the index is qargs[k]
        if p > 1e-12:
            bits = ["0"] * qc.num_clbits
            for k, c in enumerate(clbits):
                bits[c] = str((index >> k) & 1)
            out["".join(bits)] = float(p)
    return out


@pytest.mark.parametrize("name", ["bell", "ghz_8", "grover_4", "qft_12"])
def test_outcomes_match_qiskit(name: str) -> None:
    qasm2 = pytest.importorskip("qiskit.qasm2")
    expected = _qiskit_classical_distribution(qasm2.load(str(examples.path(name))))
    got = suanli.outcome_probabilities(suanli.load_qasm(examples.path(name)), device="cpu", dtype="double")
    keys = set(expected) | set(got)
    assert max(abs(expected.get(k, 0.0) - got.get(k, 0.0)) for k in keys) < 1e-9


def _qiskit_probabilities(qc: Any) -> np.ndarray:
    """Qiskit's probabilities of the final state (its own order: qubit 0 is the least significant bit).
    Qiskit's reference Statevector for small circuits; Aer's (much faster) above 12 qubits."""
    qc = qc.remove_final_measurements(inplace=False)
    if qc.num_qubits <= 12:
        from qiskit.quantum_info import Statevector

        return Statevector(qc).probabilities()
    pytest.importorskip("qiskit_aer")
    from qiskit import transpile
    from qiskit_aer import AerSimulator

    qc.save_statevector()
    sim = AerSimulator(method="statevector", precision="double")
    psi = np.asarray(sim.run(transpile(qc, sim, optimization_level=0)).result().get_statevector())
    return np.abs(psi) ** 2


@pytest.mark.parametrize("name", STATIC)
def test_state_probabilities_match_qiskit(name: str) -> None:
    qasm2 = pytest.importorskip("qiskit.qasm2")
    qc = qasm2.load(str(examples.path(name)))
    n = qc.num_qubits
    theirs = _qiskit_probabilities(qc)
    # Qiskit's index has qubit 0 as its least significant bit; reverse the axes to get suanli's big-endian
    theirs = theirs.reshape([2] * n).transpose(list(range(n))[::-1]).reshape(-1)
    ours = suanli.probabilities(suanli.load_qasm(examples.path(name)), device="cpu", dtype="double").numpy()
    np.testing.assert_allclose(ours, theirs, atol=1e-10)


def test_expected_results() -> None:
    """What each example is meant to show (its comments say so)."""
    dist = {}
    for name in ["grover_4", "qft_12", "teleport"]:
        circuit = suanli.load_qasm(examples.path(name))
        dist[name] = suanli.outcome_probabilities(circuit, device="cpu", dtype="double")
    assert dist["grover_4"]["1011"] == pytest.approx(0.9613, abs=1e-4)
    assert sorted(k for k, p in dist["qft_12"].items() if p > 1e-9) == [
        format(k, "03b") + "0" * 9 for k in range(8)
    ]
    assert all(p == pytest.approx(1 / 8) for p in dist["qft_12"].values() if p > 1e-9)
    tele = {k: p for k, p in dist["teleport"].items() if p > 1e-12}
    assert sorted(tele) == ["000", "010", "100", "110"]  # m, c random; the result bit always 0
    assert all(p == pytest.approx(0.25) for p in tele.values())


def test_teleport_matches_qiskit_aer() -> None:
    pytest.importorskip("qiskit_aer")
    from qiskit import qasm2, transpile
    from qiskit_aer import AerSimulator

    qc = qasm2.load(str(examples.path("teleport")))
    sim = AerSimulator()
    counts = sim.run(transpile(qc, sim), shots=4000, seed_simulator=1).result().get_counts()
    exact = suanli.outcome_probabilities(
        suanli.load_qasm(examples.path("teleport")), device="cpu", order="qiskit", dtype="double"
    )
    total = sum(counts.values())
    tvd = 0.5 * sum(abs(counts.get(k, 0) / total - exact.get(k, 0.0)) for k in set(counts) | set(exact))
    assert tvd < 0.05
    assert all(key.startswith("0 ") for key in counts)  # Qiskit writes the last register (result) first


def test_random_20_is_current() -> None:
    script = ROOT / "examples" / "make_random.py"
    if not script.exists():
        pytest.skip("examples/make_random.py is not in this tree")
    make = runpy.run_path(str(script))["make"]
    assert make() == examples.path("random_20").read_text(encoding="utf-8")
    c = suanli.load_qasm(examples.path("random_20"))
    assert c.num_qubits == 20
    assert c.count_ops() == {"u3": 240, "cz": 114, "measure": 20}


def test_quickstart_runs() -> None:
    script = ROOT / "examples" / "quickstart.py"
    if not script.exists():
        pytest.skip("examples/quickstart.py is not in this tree")
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(SRC), *filter(None, [env.get("PYTHONPATH")])])
    proc = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, env=env, timeout=120)
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert "'001'" in lines[-3] and "'111'" in lines[-3]
    assert "'100'" in lines[-2] and "'111'" in lines[-2]
    assert float(lines[-1]) == pytest.approx(0.5, abs=1e-5)


def test_readme_python_blocks_run(capsys: pytest.CaptureFixture[str]) -> None:
    readme = ROOT / "README.md"
    if not readme.exists():
        pytest.skip("README.md is not in this tree")
    blocks = re.findall(r"```python\n(.*?)```", readme.read_text(encoding="utf-8"), flags=re.S)
    assert blocks, "the README has no Python example"
    namespace: dict[str, Any] = {}
    for block in blocks:
        exec(compile(block, str(readme), "exec"), namespace)
    out = capsys.readouterr().out.splitlines()
    assert "'001'" in out[-3] and "'100'" in out[-2]
