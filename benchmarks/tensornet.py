"""Tensor-network contraction of Sycamore-style circuits: path cost, published numbers, and a peer (quimb).

Goals:

1. The single-amplitude cost of the 53-qubit, 20-cycle Sycamore circuit (ABCDCDAB) found by our network
   + cotengra's hyper-optimiser lands within a factor of a few of the published 10^18.3 multiply-adds
   (Gray & Kourtis, Quantum 5, 410 (2021)).
2. Our path cost is within 2x of quimb's (its own circuit network and simplifications) with the same cotengra
   optimiser and the same number of trials.
3. Real amplitudes of 53-qubit circuits at modest depth are computed and agree with quimb's contraction.
4. The cost of Willow-scale circuits (105 qubits) per amplitude, for the estimate in docs/rcs.md.

Before timing a contraction, its amplitudes are checked against quimb's (relative difference < 1e-4 in
complex64, up to one global phase: quimb's ``hz_1_2`` lacks the factor √i of qsim's √W). The path searches
use ``--repeats`` trials each (KaHyPar + greedy when KaHyPar is installed).

Usage:
    python benchmarks/tensornet.py --out tn.json [--cost-cycles 20] [--amp-cycles 10 12] [--willow-cycles 24 40]
        [--repeats 8] [--amp-width 30] [--device cpu|cuda]
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import subprocess
import sys
import time
from typing import Any

import numpy as np
import torch

import suanli
from suanli.experiments.rcs import patch_sites, sycamore_circuit
from suanli.sim.tensornet import circuit_network, contract, find_tree, tree_cost

PUBLISHED_LOG10_COST_M20 = 18.3  # Gray & Kourtis 2021, Sycamore 53 qubits, m = 20, one amplitude

_QUIMB = """
import json, sys, time
import cotengra as ctg
import quimb.tensor as qtn
cfg = json.load(sys.stdin)
qc = qtn.Circuit.from_qsim_str(cfg["qsim"])
out = {}
if cfg.get("repeats"):
    opt = ctg.HyperOptimizer(methods=cfg["methods"], max_repeats=cfg["repeats"], parallel=False, progbar=False)
    rehs = qc.amplitude_rehearse("0" * qc.N, optimize=opt)
    out["log10_cost"] = float(rehs["tree"].contraction_cost(log=10))
    out["width"] = float(rehs["W"])
if cfg.get("bits"):
    amps = []
    slicing = {"target_size": 2 ** int(cfg["width"])} if cfg.get("width") else None
    for b in cfg["bits"]:
        opt = ctg.HyperOptimizer(methods=cfg["methods"], max_repeats=cfg.get("amp_repeats", 4), parallel=False,
                                 progbar=False, slicing_opts=slicing)
        a = complex(qc.amplitude(b, optimize=opt))
        amps.append([a.real, a.imag])
    out["amplitudes"] = amps
print(json.dumps(out))
"""


def quimb(cfg: dict[str, Any]) -> dict[str, Any]:
    """Run quimb in a fresh interpreter (so that its array namespace is untouched by our torch contractions)."""
    proc = subprocess.run([sys.executable, "-c", _QUIMB], input=json.dumps(cfg), capture_output=True, text=True,
                          check=True)
    return json.loads(proc.stdout)


def methods() -> list[str]:
    try:
        import kahypar  # noqa: F401

        return ["kahypar", "greedy"]
    except ImportError:
        return ["greedy", "labels"]


def cost_rows(cycles: list[int], repeats: int) -> list[dict[str, Any]]:
    rows = []
    for m in cycles:
        c = sycamore_circuit(m, seed=0)
        net = circuit_network(c)
        t = time.perf_counter()
        tree = find_tree(net, max_repeats=repeats, methods=methods())
        ours = tree_cost(tree, net)
        t_ours = time.perf_counter() - t
        t = time.perf_counter()
        peer = quimb({"qsim": suanli.dumps_qsim(c), "repeats": repeats, "methods": methods()})
        t_peer = time.perf_counter() - t
        rows.append({
            "circuit": f"sycamore53_m{m}", "cycles": m, "repeats": repeats,
            "suanli_log10_cost": ours.log10_cost, "suanli_width": ours.width, "suanli_search_s": t_ours,
            "quimb_log10_cost": peer["log10_cost"], "quimb_width": peer["width"], "quimb_search_s": t_peer,
            "cost_ratio_suanli_over_quimb": 10 ** (ours.log10_cost - peer["log10_cost"]),
            "published_log10_cost": PUBLISHED_LOG10_COST_M20 if m == 20 else None,
        })
        print(json.dumps(rows[-1]), flush=True)
    return rows


def amplitude_rows(
    cycles: list[int], repeats: int, device: str, timing_repeats: int, width: float
) -> list[dict[str, Any]]:
    rows = []
    rng = np.random.default_rng(0)
    for m in cycles:
        c = sycamore_circuit(m, seed=0)
        bits = ["".join(map(str, rng.integers(0, 2, 53))) for _ in range(3)]
        # quimb gets the same trial budget and memory target (a short search on its network can need more
        # memory than the machine has)
        peer = quimb({"qsim": suanli.dumps_qsim(c), "bits": bits, "methods": methods(), "amp_repeats": repeats,
                      "width": width})
        want = np.array([complex(a, b) for a, b in peer["amplitudes"]])
        net = circuit_network(c, bits[0], device=device)
        tree = find_tree(net, max_repeats=repeats, methods=methods(), target_width=width)
        got = []
        for b in bits:
            got.append(complex(contract(circuit_network(c, b, device=device), tree).reshape(())))
        # quimb's hz_1_2 lacks qsim's global phase sqrt(i): compare up to one phase shared by all bitstrings
        phase = want[0] / got[0]
        err = float(np.max(np.abs(np.array(got) * phase - want)) / np.max(np.abs(want)))
        err = max(err, abs(abs(phase) - 1))
        if err > 1e-4:
            raise SystemExit(f"m={m}: amplitudes disagree with quimb (relative error {err:.2e})")
        times = []
        for _ in range(timing_repeats):
            if device == "cuda":
                torch.cuda.synchronize()
            t = time.perf_counter()
            contract(net, tree)
            if device == "cuda":
                torch.cuda.synchronize()
            times.append(time.perf_counter() - t)
        cost = tree_cost(tree, net)
        rows.append({
            "circuit": f"sycamore53_m{m}", "cycles": m, "device": device, "log10_cost": cost.log10_cost,
            "width": cost.width, "slices": cost.slices, "amplitude": [got[0].real, got[0].imag],
            "relative_error_vs_quimb": err, "min_s": min(times), "median_s": statistics.median(times),
            "gflops_real": 8 * cost.cost / min(times) / 1e9,
        })
        print(json.dumps(rows[-1]), flush=True)
    return rows


def willow_rows(cycles: list[int], repeats: int) -> list[dict[str, Any]]:
    rows = []
    for m in cycles:
        c = sycamore_circuit(m, sites=patch_sites(105), seed=0)
        net = circuit_network(c)
        t = time.perf_counter()
        tree = find_tree(net, max_repeats=repeats, methods=methods())
        cost = tree_cost(tree, net)
        rows.append({"circuit": f"patch105_m{m}", "cycles": m, "repeats": repeats, "log10_cost": cost.log10_cost,
                     "width": cost.width, "search_s": time.perf_counter() - t})
        print(json.dumps(rows[-1]), flush=True)
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", required=True, help="JSON file for the results")
    ap.add_argument("--cost-cycles", type=int, nargs="*", default=[20])
    ap.add_argument("--amp-cycles", type=int, nargs="*", default=[10, 12])
    ap.add_argument("--willow-cycles", type=int, nargs="*", default=[24, 40])
    ap.add_argument("--repeats", type=int, default=8)
    ap.add_argument("--timing-repeats", type=int, default=3)
    ap.add_argument("--amp-width", type=float, default=30, help="log2 of the largest tensor in the contractions")
    ap.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    args = ap.parse_args()
    info = {
        "machine": platform.processor() or platform.machine(), "cpus": torch.get_num_threads(),
        "python": platform.python_version(), "torch": torch.__version__, "suanli": suanli.__version__,
        "device": torch.cuda.get_device_name() if args.device == "cuda" else "cpu",
        "date": time.strftime("%Y-%m-%d"),
    }
    result: dict[str, Any] = {"info": info}
    for key, run in (
        ("cost", lambda: cost_rows(args.cost_cycles, args.repeats)),
        ("willow", lambda: willow_rows(args.willow_cycles, max(1, args.repeats // 2))),
        ("amplitudes", lambda: amplitude_rows(args.amp_cycles, args.repeats, args.device, args.timing_repeats,
                                              args.amp_width)),
    ):
        result[key] = run()
        with open(args.out, "w", encoding="utf-8") as fh:  # written after every part
            json.dump(result, fh, indent=2)


if __name__ == "__main__":
    main()
