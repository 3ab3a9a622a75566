"""Which fused-block width is fastest on this device: the measurement behind ``fusion="auto"``.

Goal: pick the block width k that minimises the run time of random brickwork and Sycamore-pattern circuits;
the engine's defaults (``AUTO_FUSION`` in ``suanli/sim/statevector/engine.py``) come from this table. Prints,
for each width, the number of passes and the time; every width is first checked against the unfused state.

Usage:
    python benchmarks/fusion.py --qubits 16 20 24 --device cpu --out fusion_cpu.json
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
import suanli
from _common import machine, timed
from statevector import CIRCUITS
from suanli.sim.statevector.engine import compile_circuit, fuse_ops


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--qubits", type=int, nargs="+", default=[16, 20, 24])
    ap.add_argument("--circuits", nargs="+", default=["brickwork20", "sycamore14"], choices=list(CIRCUITS))
    ap.add_argument("--widths", type=int, nargs="+", default=[1, 2, 3, 4, 5, 6])
    ap.add_argument("--device", default="cpu")
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--out", required=True)
    args = ap.parse_args()
    dev = torch.device(args.device)
    rows: list[dict[str, Any]] = []
    for cname in args.circuits:
        for n in args.qubits:
            c = CIRCUITS[cname](n)
            ref = suanli.state(c, device=dev, fusion=None)
            tmin, tmed = timed(lambda c=c: suanli.state(c, device=dev, fusion=None), args.repeats, dev)
            rows.append({"circuit": cname, "qubits": n, "width": 0, "passes": len(c), "min_s": tmin,
                         "median_s": tmed})
            print(f"{cname:12s} n={n:2d} unfused      {len(c):5d} passes  min {tmin:.4f}s")
            ops = compile_circuit(c).ops
            for w in args.widths:
                passes = len(fuse_ops(ops, w))
                got = suanli.state(c, device=dev, fusion=w)
                fid = float(abs(torch.vdot(ref.to(torch.complex128), got.to(torch.complex128))) ** 2)
                if fid < 0.9999:
                    raise SystemExit(f"width {w} disagrees: fidelity {fid}")
                tmin, tmed = timed(lambda c=c, w=w: suanli.state(c, device=dev, fusion=w), args.repeats, dev)
                rows.append({"circuit": cname, "qubits": n, "width": w, "passes": passes, "min_s": tmin,
                             "median_s": tmed})
                print(f"{cname:12s} n={n:2d} width {w}     {passes:5d} passes  min {tmin:.4f}s  median {tmed:.4f}s")
    meta = machine(dev) | {"device": str(dev)}
    Path(args.out).write_text(json.dumps({"meta": meta, "rows": rows}, indent=2))


if __name__ == "__main__":
    main()
