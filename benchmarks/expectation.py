"""Expectation values of Pauli sums on a given state: suanli beside Qiskit Aer, Qulacs and PennyLane-Lightning.

Goal: ⟨ψ|H|ψ⟩ for a Hamiltonian of many Pauli terms is where variational algorithms spend much of their time
(every energy evaluation, and H|ψ⟩ starts every adjoint gradient). suanli's compiled CPU pass takes every term
while a block of ψ is in cache, so it should be at least as fast as the peers' C++ loops, and far faster than
one pass per term when the Hamiltonian is long.

Hamiltonians: ``ising`` (Σ Z_i Z_{i+1} + Σ X_i on a ring, 2n terms) and ``random`` (``--terms`` random Pauli
strings of weight 1-4, as in molecular Hamiltonians). The state is a seeded random normalised complex128
vector; every tool gets the same amplitudes (in its own bit order) and must agree with suanli's double-precision
value to 1e-8 before it is timed. Times: min and median of ``--repeats`` calls (one warm-up), one thread for
every tool unless ``--threads`` says otherwise.

Usage:
    python benchmarks/expectation.py --qubits 16 20 24 --out expval.json [--markdown expval.md]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
import suanli
from _common import machine, timed
from suanli.sim.statevector.expect import pauli_expectation


def ising(n: int, rng: np.random.Generator) -> list[tuple[float, str]]:
    """(coefficient, label) with label[q] the Pauli on qubit q (suanli's order: qubit 0 first)."""
    out = []
    for i in range(n):
        label = ["I"] * n
        label[i] = label[(i + 1) % n] = "Z"
        out.append((1.0, "".join(label)))
    for i in range(n):
        label = ["I"] * n
        label[i] = "X"
        out.append((0.7, "".join(label)))
    return out


def random_sum(n: int, rng: np.random.Generator, terms: int) -> list[tuple[float, str]]:
    out = []
    for _ in range(terms):
        label = ["I"] * n
        for q in rng.choice(n, size=int(rng.integers(1, 5)), replace=False):
            label[int(q)] = "XYZ"[int(rng.integers(3))]
        out.append((float(rng.normal()), "".join(label)))
    return out


def to_suanli(terms: list[tuple[float, str]]) -> suanli.PauliSum:
    return suanli.PauliSum.from_terms(
        [(c, "*".join(f"{p}{q}" for q, p in enumerate(label) if p != "I") or "I") for c, label in terms]
    )


def peer_aer(psi: np.ndarray, n: int, terms: list[tuple[float, str]], threads: int) -> Callable[[], float]:
    from qiskit.quantum_info import SparsePauliOp
    from qiskit_aer.quantum_info import AerStatevector

    # the same amplitudes: suanli's qubit q is Qiskit's qubit n-1-q, and Qiskit labels put qubit 0 last, so
    # suanli's label (qubit 0 first) is already Qiskit's label of the same operator
    op = SparsePauliOp.from_list([(label, c) for c, label in terms])
    state = AerStatevector(psi, max_parallel_threads=threads)
    return lambda: float(np.real(state.expectation_value(op)))


def peer_qulacs(psi: np.ndarray, n: int, terms: list[tuple[float, str]], threads: int) -> Callable[[], float]:
    import qulacs

    os.environ.setdefault("QULACS_NUM_THREADS", str(threads))
    obs = qulacs.Observable(n)
    for c, label in terms:
        text = " ".join(f"{p} {n - 1 - q}" for q, p in enumerate(label) if p != "I")  # qulacs: qubit 0 = LSB
        obs.add_operator(c, text)
    state = qulacs.QuantumState(n)
    state.load(psi)
    return lambda: float(obs.get_expectation_value(state))


def peer_lightning(psi: np.ndarray, n: int, terms: list[tuple[float, str]], threads: int) -> Callable[[], float]:
    import pennylane as qml

    ops = {"X": qml.PauliX, "Y": qml.PauliY, "Z": qml.PauliZ}
    coeffs, obs = [], []
    for c, label in terms:
        factors = [ops[p](q) for q, p in enumerate(label) if p != "I"]
        coeffs.append(c)
        obs.append(qml.prod(*factors) if len(factors) > 1 else factors[0])
    h = qml.Hamiltonian(coeffs, obs)
    dev = qml.device("lightning.qubit", wires=n)

    @qml.qnode(dev)
    def run() -> Any:
        qml.StatePrep(psi, wires=range(n))  # big-endian, like suanli
        return qml.expval(h)

    return lambda: float(run())


PEERS = {"qiskit-aer": peer_aer, "qulacs": peer_qulacs, "lightning.qubit": peer_lightning}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--qubits", type=int, nargs="+", default=[16, 20, 24])
    ap.add_argument("--hamiltonians", nargs="+", default=["ising", "random"], choices=["ising", "random"])
    ap.add_argument("--terms", type=int, default=200, help="terms of the random Hamiltonian")
    ap.add_argument("--peers", nargs="+", default=list(PEERS), choices=list(PEERS))
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--out", required=True, help="JSON file for the results")
    ap.add_argument("--markdown", help="optional markdown table file")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    rows: list[dict[str, Any]] = []
    for n in args.qubits:
        rng = np.random.default_rng(n)
        psi = rng.normal(size=1 << n) + 1j * rng.normal(size=1 << n)
        psi /= np.linalg.norm(psi)
        for hname in args.hamiltonians:
            terms = ising(n, rng) if hname == "ising" else random_sum(n, rng, args.terms)
            h = to_suanli(terms)
            exact = float(pauli_expectation(torch.from_numpy(psi).reshape(1, -1), n, h)[0])
            for dtype, label in ((torch.complex64, "suanli c64"), (torch.complex128, "suanli c128")):
                t = torch.from_numpy(psi).to(dtype).reshape(1, -1)

                def ours(t: torch.Tensor = t, h: suanli.PauliSum = h, n: int = n) -> float:
                    return float(pauli_expectation(t, n, h)[0])

                assert abs(ours() - exact) < (1e-4 if dtype == torch.complex64 else 1e-10)
                tmin, tmed = timed(ours, args.repeats)
                rows.append({"qubits": n, "hamiltonian": hname, "terms": len(terms), "tool": label,
                             "min_s": tmin, "median_s": tmed})
                print(f"{hname:7s} n={n} {label:16s} min {tmin * 1e3:9.3f} ms  median {tmed * 1e3:9.3f} ms")
            for pname in args.peers:
                row: dict[str, Any] = {"qubits": n, "hamiltonian": hname, "terms": len(terms), "tool": pname}
                try:
                    fn = PEERS[pname](psi, n, terms, args.threads)
                    value = fn()
                except ImportError as exc:
                    row["skipped"] = f"not installed ({exc.name})"
                    rows.append(row)
                    continue
                if abs(value - exact) > 1e-8:
                    raise SystemExit(f"{pname} disagrees with suanli on {hname}({n}): {value} vs {exact}")
                row["min_s"], row["median_s"] = timed(fn, args.repeats)
                rows.append(row)
                print(f"{hname:7s} n={n} {pname:16s} min {row['min_s'] * 1e3:9.3f} ms  "
                      f"median {row['median_s'] * 1e3:9.3f} ms")
    base = {(r["qubits"], r["hamiltonian"]): r["min_s"] for r in rows if r["tool"] == "suanli c128"}
    for r in rows:
        if "min_s" in r:
            r["time_over_suanli_c128"] = r["min_s"] / base[(r["qubits"], r["hamiltonian"])]
    meta = machine(torch.device("cpu")) | {"threads": args.threads}
    Path(args.out).write_text(json.dumps({"meta": meta, "rows": rows}, indent=2))
    if args.markdown:
        lines = ["| hamiltonian | qubits | terms | tool | min ms | median ms | time / suanli c128 |",
                 "| --- | --- | --- | --- | --- | --- | --- |"]
        for r in rows:
            if "min_s" in r:
                lines.append(f"| {r['hamiltonian']} | {r['qubits']} | {r['terms']} | {r['tool']} | "
                             f"{r['min_s'] * 1e3:.2f} | {r['median_s'] * 1e3:.2f} | {r['time_over_suanli_c128']:.2f} |")
        Path(args.markdown).write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
