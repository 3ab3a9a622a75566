"""Small-circuit overhead: a 10-qubit, 200-gate circuit end to end, where Python and launch overhead dominate.

Goal: ≤ 2 ms per run on the CPU, end to end (compile, fuse, simulate, return the state), no faster than the peers
need to be to matter but not slower than them. Every tool's final state is checked against suanli's
(fidelity > 0.9999) before it is timed. Reported: min and median of ``--repeats`` runs, cold (a new circuit
object each run, so nothing is cached) for suanli, and the peers' own run call on a prebuilt circuit.

Usage:
    python benchmarks/overhead.py --out overhead.json
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
import suanli
from _common import machine, timed
from statevector import PEERS, fidelity


def circuit(n: int = 10, gates: int = 200, seed: int = 0) -> suanli.Circuit:
    """Half random u3 gates, half CNOTs between random pairs."""
    rng = random.Random(seed)
    c = suanli.Circuit(n)
    for _ in range(gates):
        if rng.random() < 0.5:
            c.u3(rng.uniform(0, 6.3), rng.uniform(0, 6.3), rng.uniform(0, 6.3), rng.randrange(n))
        else:
            a, b = rng.sample(range(n), 2)
            c.cx(a, b)
    return c


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--qubits", type=int, default=10)
    ap.add_argument("--gates", type=int, default=200)
    ap.add_argument("--repeats", type=int, default=50)
    ap.add_argument("--threads", type=int, default=1, help="threads for every tool (default 1: small states)")
    ap.add_argument("--out", required=True)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    c = circuit(args.qubits, args.gates)
    ref = suanli.state(c, device="cpu", dtype=torch.complex128).numpy()
    rows: list[dict[str, Any]] = []

    def record(tool: str, fn: Any) -> None:
        tmin, tmed = timed(fn, args.repeats)
        rows.append({"tool": tool, "min_ms": tmin * 1e3, "median_ms": tmed * 1e3})
        print(f"{tool:22s} min {tmin * 1e3:7.3f} ms  median {tmed * 1e3:7.3f} ms")

    for fusion in ("auto", None):
        label = "suanli" if fusion == "auto" else "suanli(nofuse)"
        out = suanli.state(c, device="cpu", fusion=fusion).numpy()
        assert fidelity(out, ref) > 0.9999
        record(label + " warm circuit", lambda f=fusion: suanli.state(c, device="cpu", fusion=f))

        def cold(f: Any = fusion) -> None:
            suanli.state(circuit(args.qubits, args.gates, 0), device="cpu", fusion=f)

        record(label + " new circuit", cold)
    t = time.perf_counter()
    for _ in range(20):
        circuit(args.qubits, args.gates)
    build = (time.perf_counter() - t) / 20
    rows.append({"tool": "building the suanli.Circuit (included in 'new circuit')", "min_ms": build * 1e3})
    for name in ("qiskit-aer", "qsim(f=2)", "qsim(f=4)", "qulacs", "lightning.qubit"):
        try:
            run = PEERS[name](c, args.threads)
            out = np.asarray(run())
        except ImportError as exc:
            print(f"{name}: not installed ({exc.name})")
            rows.append({"tool": name, "skipped": f"not installed ({exc.name})"})
            continue
        if fidelity(out, ref) < 0.9999:
            raise SystemExit(f"{name} disagrees with suanli")
        record(name, run)
    meta = machine(torch.device("cpu")) | {"qubits": args.qubits, "gates": args.gates}
    Path(args.out).write_text(json.dumps({"meta": meta, "rows": rows}, indent=2))


if __name__ == "__main__":
    main()
