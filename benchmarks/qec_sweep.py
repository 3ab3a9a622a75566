"""Benchmark: Λ and ε_7 of the rotated surface code at p = 0.1 % SI1000, on 2 CPU cores, within 10 minutes.

Goal (issue target): the full sweep behind ``suanli qec lambda --noise si1000 --p 0.001 --distances 3,5,7`` (rounds
d, 2d, 3d; 300 logical errors per point) finishes in under 600 s with 2 worker processes, and Λ's 95 % interval is
narrow enough to tell Λ = 2 from Λ = 3 (its width is below 1).

Peer: the same decoding done by hand with Stim and PyMatching in one process (``compile_detector_sampler`` +
``pymatching.Matching.decode_batch``), the loop every Stim user writes. Before timing, both must agree on the
logical error rate of the d = 7, r = 7 circuit (two-proportion z-test, |z| < 4). Throughput is reported as
shots per second, min and median of ``--repeats`` runs.

Usage::

    python benchmarks/qec_sweep.py --out benchmarks/results_qec.json [--repeats 3] [--workers 2]
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import statistics
import sys
import time
from pathlib import Path


def peer_rate(circuit, shots: int) -> tuple[int, float]:
    """Logical errors of ``shots`` shots decoded by plain Stim + PyMatching, and the seconds it took."""
    import numpy as np
    import pymatching

    start = time.perf_counter()
    dem = circuit.detector_error_model(decompose_errors=True)
    matcher = pymatching.Matching.from_detector_error_model(dem)
    sampler = circuit.compile_detector_sampler()
    errors = 0
    left = shots
    while left > 0:
        n = min(left, 100_000)
        det, obs = sampler.sample(n, separate_observables=True)
        pred = matcher.decode_batch(det)
        errors += int(np.any(pred != obs, axis=1).sum())
        left -= n
    return errors, time.perf_counter() - start


def main() -> int:
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
    from suanli.experiments.qec import MemoryPoint, collect, run_lambda, si1000

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", required=True, help="JSON file for the results")
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--peer-shots", type=int, default=400_000)
    ap.add_argument("--skip-sweep", action="store_true", help="only the throughput comparison")
    args = ap.parse_args()

    noise = si1000(0.001)
    report: dict = {
        "device": f"{platform.processor() or platform.machine()}, {os.cpu_count()} CPUs visible",
        "load_average_start": os.getloadavg(),
        "workers": args.workers,
    }

    # 1. the target: the whole Λ sweep
    if not args.skip_sweep:
        t0 = time.perf_counter()
        res = run_lambda(noise, distances=(3, 5, 7), max_shots=20_000_000, max_errors=300, num_workers=args.workers)
        wall = time.perf_counter() - t0
        report["sweep"] = {
            "wall_s": wall,
            "lambda": res.lam.to_dict(),
            "eps": {str(d): f.to_dict() for d, f in res.eps.items()},
            "shots": sum(s.shots for s in res.stats),
            "within_600_s": wall < 600,
            "separates_2_from_3": (res.lam.high - res.lam.low) < 1.0,
        }
        print(
            f"sweep: {wall:.1f} s, Λ = {res.lam.lam:.3f} [{res.lam.low:.3f}, {res.lam.high:.3f}], "
            f"ε_7 = {res.eps[7].eps:.3e} [{res.eps[7].low:.3e}, {res.eps[7].high:.3e}]"
        )

    # 2. throughput: sinter pipeline vs plain Stim + PyMatching on d = 7, r = 7
    point = MemoryPoint("surface", 7, 7, "z", noise)
    circuit = point.circuit()
    shots = args.peer_shots
    ours_t, peer_t = [], []
    ours_k, peer_k = 0, 0
    for _ in range(args.repeats):
        t0 = time.perf_counter()
        (s,) = collect([point], max_shots=shots, num_workers=args.workers)
        ours_t.append(time.perf_counter() - t0)
        ours_k += s.errors
        k, t = peer_rate(circuit, shots)
        peer_t.append(t)
        peer_k += k
    n = shots * args.repeats
    pooled = (ours_k + peer_k) / (2 * n)
    z = (ours_k - peer_k) / n / math.sqrt(max(2 * pooled * (1 - pooled) / n, 1e-30))
    if abs(z) >= 4:
        raise SystemExit(f"results disagree: {ours_k} vs {peer_k} errors in {n} shots (z = {z:.1f})")
    report["throughput_d7_r7"] = {
        "shots_per_run": shots,
        "agreement": {"ours_errors": ours_k, "peer_errors": peer_k, "shots": n, "z": z},
        "suanli_sinter_s": {"min": min(ours_t), "median": statistics.median(ours_t)},
        "stim_pymatching_1proc_s": {"min": min(peer_t), "median": statistics.median(peer_t)},
        "suanli_shots_per_s_best": shots / min(ours_t),
        "peer_shots_per_s_best": shots / min(peer_t),
    }
    report["load_average_end"] = os.getloadavg()
    print(json.dumps(report["throughput_d7_r7"], indent=1))
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
