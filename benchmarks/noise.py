"""Noisy sampling by quantum trajectories: suanli beside Qiskit Aer's noisy state-vector simulator, same run.

Goal: suanli's batched trajectories should sample noisy random circuits at least as fast as Aer's trajectory
method (one noise realisation per shot) on the same device; on a GPU, 28-30 qubit circuits with batches of
trajectories.

Check before timing: on a small circuit both tools' samples are compared with the exact noisy distribution
from suanli's density matrix (total-variation distance below 3x its statistical expectation).
Timings: wall-clock seconds for ``--shots`` noisy shots (one trajectory per shot), min and median of
``--repeats`` runs; the figure of merit is trajectories per second.

Usage:
    python benchmarks/noise.py --qubits 12 16 20 --shots 256 --out noise.json [--device cpu|cuda]
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import time
from typing import Any

import numpy as np
import torch

import suanli
from suanli.experiments.rcs import brickwork_circuit
from suanli.noise import NoiseModel, ReadoutError, depolarizing, noisy_probabilities, run_trajectories

P1, P2, READOUT = 0.002, 0.01, 0.02


def suanli_model() -> NoiseModel:
    nm = NoiseModel().add_gate_error(depolarizing(P1, 1), arity=1).add_gate_error(depolarizing(P2, 2), arity=2)
    return nm.add_readout_error(ReadoutError(READOUT, READOUT))


def aer_setup(circuit: suanli.Circuit) -> tuple[Any, Any]:
    from qiskit import QuantumCircuit
    from qiskit_aer import AerSimulator
    from qiskit_aer import noise as aer_noise

    qc = QuantumCircuit.from_qasm_str(suanli.dumps_qasm(circuit))
    qc.measure_all()
    nm = aer_noise.NoiseModel()
    nm.add_all_qubit_quantum_error(aer_noise.depolarizing_error(P1, 1), ["u3", "u"])
    nm.add_all_qubit_quantum_error(aer_noise.depolarizing_error(P2, 2), ["cz"])
    nm.add_all_qubit_readout_error(aer_noise.ReadoutError([[1 - READOUT, READOUT], [READOUT, 1 - READOUT]]))
    sim = AerSimulator(method="statevector", noise_model=nm, precision="single")
    return sim, qc


def aer_bits(sim: Any, qc: Any, shots: int, seed: int) -> np.ndarray:
    counts = sim.run(qc, shots=shots, seed_simulator=seed).result().get_counts()
    rows = []
    for key, k in counts.items():
        bits = [int(ch) for ch in key.replace(" ", "")[::-1]]  # Qiskit keys: qubit 0 rightmost
        rows.extend([bits] * k)
    return np.array(rows, dtype=np.uint8)


def check(device: str) -> dict[str, float]:
    c = brickwork_circuit(6, 6, seed=1)
    exact = noisy_probabilities(c, suanli_model(), device="cpu").numpy()
    shots = 20000
    weights = 1 << np.arange(5, -1, -1)
    ours = np.bincount(run_trajectories(c, suanli_model(), shots=shots, seed=1, device=device).bits @ weights,
                       minlength=64) / shots
    sim, qc = aer_setup(c)
    theirs = np.bincount(aer_bits(sim, qc, shots, 1) @ weights, minlength=64) / shots
    bound = 3 * 0.5 * float(np.sum(np.sqrt(2 * exact / (np.pi * shots))))
    tvd = {"suanli": 0.5 * float(np.abs(ours - exact).sum()), "aer": 0.5 * float(np.abs(theirs - exact).sum())}
    for tool, value in tvd.items():
        if value > bound:
            raise SystemExit(f"{tool}'s noisy samples disagree with the density matrix (TVD {value:.4f} > {bound:.4f})")
    return tvd | {"bound": bound}


def timed(fn: Any, repeats: int, sync: bool) -> list[float]:
    out = []
    for _ in range(repeats):
        if sync:
            torch.cuda.synchronize()
        t = time.perf_counter()
        fn()
        if sync:
            torch.cuda.synchronize()
        out.append(time.perf_counter() - t)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--qubits", type=int, nargs="+", default=[12, 16, 20])
    ap.add_argument("--depth", type=int, default=10)
    ap.add_argument("--shots", type=int, default=256)
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    ap.add_argument("--no-aer", action="store_true", help="time suanli only (e.g. above Aer's memory)")
    ap.add_argument("--out", required=True)
    args = ap.parse_args()
    sync = args.device == "cuda"
    result: dict[str, Any] = {
        "info": {"python": platform.python_version(), "torch": torch.__version__, "suanli": suanli.__version__,
                 "device": torch.cuda.get_device_name() if sync else "cpu", "threads": torch.get_num_threads(),
                 "date": time.strftime("%Y-%m-%d"), "noise": {"p1": P1, "p2": P2, "readout": READOUT}},
        "check": check(args.device),
        "rows": [],
    }
    print(json.dumps(result["check"]), flush=True)
    for n in args.qubits:
        c = brickwork_circuit(n, args.depth, seed=0)
        model = suanli_model()
        batch = min(args.batch, args.shots)
        ours = timed(lambda c=c, model=model, batch=batch: run_trajectories(
            c, model, shots=args.shots, batch=batch, seed=0, device=args.device), args.repeats, sync)
        row = {"qubits": n, "depth": args.depth, "shots": args.shots, "batch": batch,
               "suanli_min_s": min(ours), "suanli_median_s": statistics.median(ours),
               "suanli_traj_per_s": args.shots / min(ours)}
        if not args.no_aer:
            sim, qc = aer_setup(c)
            theirs = timed(lambda sim=sim, qc=qc: aer_bits(sim, qc, args.shots, 0), args.repeats, False)
            row |= {"aer_min_s": min(theirs), "aer_median_s": statistics.median(theirs),
                    "aer_traj_per_s": args.shots / min(theirs), "aer_over_suanli_time": min(theirs) / min(ours)}
        result["rows"].append(row)
        print(json.dumps(row), flush=True)
        with open(args.out, "w", encoding="utf-8") as fh:
            json.dump(result, fh, indent=2)


if __name__ == "__main__":
    main()
