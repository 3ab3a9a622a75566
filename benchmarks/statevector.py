"""State-vector speed on the CPU: suanli beside Qiskit Aer, qsim, Qulacs and PennyLane-Lightning, same run.

Goal: suanli's CPU path should be at least as fast as the peers' defaults for full-state simulation of
random brickwork, QFT and GHZ circuits, and each gate pass should approach the machine's memory bandwidth
(a dense gate pass reads and writes 2·2^n·8 bytes in complex64).

Before anything is timed, every tool's final state is checked against suanli's (fidelity > 0.9999).
Timings are wall-clock seconds of a full simulation (construction of the tool's circuit object excluded),
the minimum and median of ``--repeats`` runs. Peers that are not installed are skipped with a note.

Usage:
    python benchmarks/statevector.py --qubits 16 20 24 --out results.json [--markdown table.md]
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import statistics
import time
from collections.abc import Callable
from typing import Any

import numpy as np
import torch

import suanli
from suanli import Circuit


# ---------------------------------------------------------------------------------------------------------
# circuits
# ---------------------------------------------------------------------------------------------------------
def brickwork(n: int, depth: int = 20, seed: int = 0) -> Circuit:
    """``depth`` layers of a random u3 on every qubit followed by CZ on alternating neighbour pairs."""
    rng = np.random.default_rng(seed)
    c = Circuit(n)
    for d in range(depth):
        for q in range(n):
            c.u3(*(float(x) for x in rng.uniform(0, 2 * math.pi, 3)), q)
        for q in range(d % 2, n - 1, 2):
            c.cz(q, q + 1)
    return c


def qft(n: int) -> Circuit:
    """Textbook QFT on a non-trivial input (an H layer first), with the final swaps."""
    c = Circuit(n)
    for q in range(n):
        c.h(q)
        c.p(0.1 * (q + 1), q)
    for i in range(n):
        c.h(i)
        for j in range(i + 1, n):
            c.cp(math.pi / 2 ** (j - i), j, i)
    for i in range(n // 2):
        c.swap(i, n - 1 - i)
    return c


def ghz(n: int) -> Circuit:
    c = Circuit(n).h(0)
    for q in range(n - 1):
        c.cx(q, q + 1)
    return c


def sycamore_pattern(n: int, cycles: int = 14, seed: int = 0) -> Circuit:
    """Sycamore-style cycles on a near-square grid of n qubits: a random √X/√Y/√W on every qubit (never the
    same twice in a row on a qubit), then fSim(π/2, π/6) on one of four coupler sets, in the order ABCDCDAB."""
    rng = np.random.default_rng(seed)
    cols = math.ceil(math.sqrt(n))
    sets: dict[str, list[tuple[int, int]]] = {"A": [], "B": [], "C": [], "D": []}
    for q in range(n):
        r, col = divmod(q, cols)
        if col + 1 < cols and q + 1 < n:
            sets["A" if (col + r) % 2 == 0 else "B"].append((q, q + 1))
        if q + cols < n:
            sets["C" if (col + r) % 2 == 0 else "D"].append((q, q + cols))
    order = "ABCDCDAB"
    last = [-1] * n
    c = Circuit(n)
    for cycle in range(cycles):
        for q in range(n):
            choice = int(rng.choice([g for g in range(3) if g != last[q]]))
            last[q] = choice
            (c.sx, c.sy, c.sw)[choice](q)
        for a, b in sets[order[cycle % len(order)]]:
            c.fsim(math.pi / 2, math.pi / 6, a, b)
    return c


CIRCUITS: dict[str, Callable[[int], Circuit]] = {
    "brickwork20": brickwork,
    "qft": qft,
    "ghz": ghz,
    "sycamore14": sycamore_pattern,
}


def _u3_matrix(theta: float, phi: float, lam: float) -> np.ndarray:
    return suanli.get_gate("u3").matrix(theta, phi, lam).numpy()


def _matrix(inst: Any) -> np.ndarray:
    return suanli.get_gate(inst.name).matrix(*(float(x) for x in inst.params)).numpy()


# ---------------------------------------------------------------------------------------------------------
# peers: each returns (prepare -> runner) where runner() returns the final state in suanli's order
# ---------------------------------------------------------------------------------------------------------
def peer_suanli(fusion: Any = "auto") -> Callable[[Circuit, int], Callable[[], np.ndarray]]:
    def make(c: Circuit, threads: int) -> Callable[[], np.ndarray]:
        def run() -> np.ndarray:
            return suanli.state(c, device="cpu", fusion=fusion).numpy()

        return run

    return make


def peer_aer(c: Circuit, threads: int) -> Callable[[], np.ndarray]:
    import qiskit.qasm2
    from qiskit_aer import AerSimulator

    qc = qiskit.qasm2.loads(suanli.dumps_qasm(c), custom_instructions=qiskit.qasm2.LEGACY_CUSTOM_INSTRUCTIONS)
    qc.save_statevector()
    sim = AerSimulator(method="statevector", precision="single", max_parallel_threads=threads)
    from qiskit import transpile

    tqc = transpile(qc, sim, optimization_level=0)
    n = c.num_qubits

    def run() -> np.ndarray:
        data = np.asarray(sim.run(tqc).result().get_statevector())
        return data.reshape([2] * n).transpose(list(range(n))[::-1]).reshape(-1)

    return run


def _cirq_circuit(c: Circuit) -> Any:
    import cirq

    qs = cirq.LineQubit.range(c.num_qubits)
    ops = []
    for inst in c:
        q = [qs[i] for i in inst.qubits]
        p = [float(x) for x in inst.params]
        if inst.name == "u3":
            ops.append(cirq.MatrixGate(_u3_matrix(*p)).on(*q))
        elif inst.name == "cz":
            ops.append(cirq.CZ(*q))
        elif inst.name == "cx":
            ops.append(cirq.CNOT(*q))
        elif inst.name == "h":
            ops.append(cirq.H(*q))
        elif inst.name == "p":
            ops.append(cirq.ZPowGate(exponent=p[0] / math.pi).on(*q))
        elif inst.name == "cp":
            ops.append(cirq.CZPowGate(exponent=p[0] / math.pi).on(*q))
        elif inst.name == "swap":
            ops.append(cirq.SWAP(*q))
        else:  # any other gate by its matrix (both tools are big-endian within a gate)
            ops.append(cirq.MatrixGate(_matrix(inst)).on(*q))
    return cirq.Circuit(ops), qs


def peer_qsim(fused: int) -> Callable[[Circuit, int], Callable[[], np.ndarray]]:
    def make(c: Circuit, threads: int) -> Callable[[], np.ndarray]:
        import qsimcirq

        circuit, qs = _cirq_circuit(c)
        sim = qsimcirq.QSimSimulator(qsim_options={"f": fused, "t": threads})

        def run() -> np.ndarray:
            return sim.simulate(circuit, qubit_order=qs).final_state_vector

        return run

    return make


def peer_qulacs(c: Circuit, threads: int) -> Callable[[], np.ndarray]:
    import qulacs
    from qulacs.gate import CNOT, CZ, SWAP, DenseMatrix, H

    n = c.num_qubits
    m = {q: n - 1 - q for q in range(n)}  # qulacs is little-endian
    circ = qulacs.QuantumCircuit(n)
    for inst in c:
        q = [m[i] for i in inst.qubits]
        p = [float(x) for x in inst.params]
        if inst.name == "u3":
            circ.add_gate(DenseMatrix(q[0], _u3_matrix(*p)))
        elif inst.name == "cz":
            circ.add_gate(CZ(*q))
        elif inst.name == "cx":
            circ.add_gate(CNOT(*q))
        elif inst.name == "h":
            circ.add_gate(H(q[0]))
        elif inst.name == "p":
            circ.add_gate(DenseMatrix(q[0], np.diag([1, np.exp(1j * p[0])])))
        elif inst.name == "cp":
            circ.add_gate(DenseMatrix(q, np.diag([1, 1, 1, np.exp(1j * p[0])])))
        elif inst.name == "swap":
            circ.add_gate(SWAP(*q))
        else:  # qulacs reads its target list least significant first
            circ.add_gate(DenseMatrix(q[::-1] if len(q) > 1 else q[0], _matrix(inst)))

    def run() -> np.ndarray:
        st = qulacs.QuantumState(n)
        circ.update_quantum_state(st)
        return st.get_vector()

    return run


def peer_lightning(c: Circuit, threads: int) -> Callable[[], np.ndarray]:
    import pennylane as qml

    n = c.num_qubits
    dev = qml.device("lightning.qubit", wires=n, c_dtype=np.complex64)

    @qml.qnode(dev)
    def circuit() -> Any:
        for inst in c:
            q = list(inst.qubits)
            p = [float(x) for x in inst.params]
            if inst.name == "u3":
                qml.U3(*p, wires=q[0])
            elif inst.name == "cz":
                qml.CZ(wires=q)
            elif inst.name == "cx":
                qml.CNOT(wires=q)
            elif inst.name == "h":
                qml.Hadamard(wires=q[0])
            elif inst.name == "p":
                qml.PhaseShift(p[0], wires=q[0])
            elif inst.name == "cp":
                qml.ControlledPhaseShift(p[0], wires=q)
            elif inst.name == "swap":
                qml.SWAP(wires=q)
            else:
                qml.QubitUnitary(_matrix(inst), wires=q)
        return qml.state()

    def run() -> np.ndarray:
        return np.asarray(circuit())

    return run


PEERS: dict[str, Callable[[Circuit, int], Callable[[], np.ndarray]]] = {
    "suanli": peer_suanli("auto"),
    "suanli(nofuse)": peer_suanli(None),
    "qiskit-aer": peer_aer,
    "qsim(f=2)": peer_qsim(2),
    "qsim(f=4)": peer_qsim(4),
    "qulacs": peer_qulacs,
    "lightning.qubit": peer_lightning,
}


def fidelity(a: np.ndarray, b: np.ndarray) -> float:
    return float(abs(np.vdot(a.astype(np.complex128), b.astype(np.complex128))) ** 2)


def copy_bandwidth() -> float:
    x = torch.empty(1 << 26, dtype=torch.complex64)
    x.real.normal_()
    y = torch.empty_like(x)
    y.copy_(x)
    best = min(_time(lambda: y.copy_(x)) for _ in range(5))
    return 2 * x.numel() * 8 / best


def _time(fn: Callable[[], Any]) -> float:
    t = time.perf_counter()
    fn()
    return time.perf_counter() - t


def main() -> None:
    ap = argparse.ArgumentParser(description="CPU state-vector benchmark: suanli vs peers")
    ap.add_argument("--qubits", type=int, nargs="+", default=[16, 20, 24])
    ap.add_argument("--circuits", nargs="+", default=list(CIRCUITS), choices=list(CIRCUITS))
    ap.add_argument("--peers", nargs="+", default=list(PEERS), choices=list(PEERS))
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--threads", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--out", required=True, help="JSON file for the full results")
    ap.add_argument("--markdown", help="optional markdown table file")
    args = ap.parse_args()

    torch.set_num_threads(args.threads)
    bw = copy_bandwidth()
    meta = {
        "date": time.strftime("%Y-%m-%d"),
        "machine": f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores",
        "threads": args.threads,
        "python": platform.python_version(),
        "torch": torch.__version__,
        "suanli": suanli.__version__,
        "copy_bandwidth_GBps": bw / 1e9,
    }
    print(f"copy bandwidth {bw / 1e9:.1f} GB/s, {args.threads} threads")
    rows = []
    for cname in args.circuits:
        for n in args.qubits:
            c = CIRCUITS[cname](n)
            ref = suanli.state(c, device="cpu", dtype=torch.complex128).numpy()
            for pname in args.peers:
                row: dict[str, Any] = {"circuit": cname, "qubits": n, "gates": len(c), "tool": pname}
                try:
                    run = PEERS[pname](c, args.threads)
                    out = run()
                except ImportError as exc:
                    row["skipped"] = f"not installed ({exc.name})"
                    rows.append(row)
                    continue
                fid = fidelity(out, ref)
                row["fidelity"] = fid
                if fid < 0.9999:
                    raise SystemExit(f"{pname} disagrees with suanli on {cname}({n}): fidelity {fid}")
                times = [_time(run) for _ in range(args.repeats)]
                row["min_s"] = min(times)
                row["median_s"] = statistics.median(times)
                row["GBps_per_gate"] = len(c) * 2 * (1 << n) * 8 / min(times) / 1e9
                rows.append(row)
                print(f"{cname:12s} n={n:2d} {pname:16s} min {row['min_s']:.4f}s median {row['median_s']:.4f}s")
    # ratios against suanli
    for r in rows:
        base = next(
            x for x in rows if (x["circuit"], x["qubits"], x["tool"]) == (r["circuit"], r["qubits"], "suanli")
        )
        if "min_s" in r and "min_s" in base:
            r["time_vs_suanli"] = r["min_s"] / base["min_s"]
    with open(args.out, "w") as f:
        json.dump({"meta": meta, "rows": rows}, f, indent=2)
    lines = [
        "| circuit | qubits | tool | min s | median s | peer time / suanli time | GB/s per gate pass |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for r in rows:
        if "min_s" not in r:
            lines.append(f"| {r['circuit']} | {r['qubits']} | {r['tool']} | {r.get('skipped', '')} | | | |")
            continue
        lines.append(
            f"| {r['circuit']} | {r['qubits']} | {r['tool']} | {r['min_s']:.4f} | {r['median_s']:.4f} | "
            f"{r['time_vs_suanli']:.2f} | {r['GBps_per_gate']:.1f} |"
        )
    table = "\n".join(lines)
    print(table)
    if args.markdown:
        with open(args.markdown, "w") as f:
            f.write(table + "\n")


if __name__ == "__main__":
    main()
