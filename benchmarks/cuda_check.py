"""CUDA path check and first timings of the state-vector engine.

Goal: (1) the CUDA path agrees with the CPU path on random circuits of 20+ qubits (complex64 to 1e-5,
complex128 to 1e-10); (2) record how close a gate pass on the GPU comes to the measured memory bandwidth
(a dense gate pass moves 2·2^n·b bytes, b = 8 for complex64).

Usage: python benchmarks/cuda_check.py --out results.json
"""

from __future__ import annotations

import argparse
import json
import math
import platform
import time

import numpy as np
import torch

import suanli
from suanli import Circuit
from suanli.testing import random_circuit


def brickwork(n: int, depth: int, seed: int = 0) -> Circuit:
    """Random u3 on every qubit, then CZ on alternating pairs; ``depth`` such layers."""
    rng = np.random.default_rng(seed)
    c = Circuit(n)
    for d in range(depth):
        for q in range(n):
            c.u3(*rng.uniform(0, 2 * math.pi, 3), q)
        for q in range(d % 2, n - 1, 2):
            c.cz(q, q + 1)
    return c


def copy_bandwidth(nbytes: int) -> float:
    """Measured device-to-device copy bandwidth in bytes/s (read + write counted)."""
    x = torch.empty(nbytes // 8, dtype=torch.complex64, device="cuda")
    x.real.normal_()
    y = torch.empty_like(x)
    for _ in range(3):
        y.copy_(x)
    torch.cuda.synchronize()
    times = []
    for _ in range(10):
        s, e = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
        s.record()
        y.copy_(x)
        e.record()
        torch.cuda.synchronize()
        times.append(s.elapsed_time(e) / 1e3)
    del x, y
    torch.cuda.empty_cache()
    return 2 * nbytes / min(times)


def timed(fn, repeats: int = 5) -> list[float]:
    out = []
    for _ in range(repeats):
        torch.cuda.synchronize()
        t = time.perf_counter()
        fn()
        torch.cuda.synchronize()
        out.append(time.perf_counter() - t)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", required=True)
    ap.add_argument("--max-qubits", type=int, default=30)
    args = ap.parse_args()
    if not torch.cuda.is_available():
        raise SystemExit("no CUDA device")
    rep: dict = {
        "device": torch.cuda.get_device_name(0),
        "torch": torch.__version__,
        "python": platform.python_version(),
        "date": time.strftime("%Y-%m-%d"),
    }
    bw = copy_bandwidth(2 << 30)
    rep["copy_bandwidth_GBps"] = bw / 1e9
    print(f"device {rep['device']}, copy bandwidth {bw / 1e9:.0f} GB/s")

    agree = []
    for n, seed in ((20, 1), (22, 2), (24, 3)):
        c = random_circuit(n, 6, seed=seed, max_arity=3)
        for dt, tol in ((torch.complex64, 1e-5), (torch.complex128, 1e-10)):
            a = suanli.state(c, device="cpu", dtype=dt)
            b = suanli.state(c, device="cuda", dtype=dt).cpu()
            err = float((a - b).abs().max())
            agree.append({"qubits": n, "dtype": str(dt), "max_abs_diff": err, "ok": err < tol})
            print(f"agree n={n} {dt}: max|diff| = {err:.2e} {'OK' if err < tol else 'FAIL'}")
    # dynamic circuit on cuda: exact distribution agrees with cpu
    dyn = random_circuit(8, 6, seed=5, dynamic=True)
    pa = suanli.probabilities(dyn, device="cpu", dtype=torch.complex128)
    pb = suanli.probabilities(dyn, device="cuda", dtype=torch.complex128).cpu()
    agree.append({"qubits": 8, "dynamic": True, "tvd": float(0.5 * (pa - pb).abs().sum())})
    print(f"dynamic circuit tvd cpu/cuda = {agree[-1]['tvd']:.2e}")
    rep["agreement"] = agree

    # gradients on cuda vs cpu
    theta = suanli.Parameter("theta")
    gc = Circuit(3).h(0).rx(theta, 1).cx(1, 2).ry(2 * theta, 0)
    grads = []
    for dev in ("cpu", "cuda"):
        t = torch.tensor([0.3, 1.1], dtype=torch.float64, device=dev, requires_grad=True)
        e = suanli.expectation(gc, "Z0 + X1*Z2", params={"theta": t}, device=dev, dtype=torch.complex128)
        e.sum().backward()
        grads.append(t.grad.cpu())
    rep["grad_max_abs_diff"] = float((grads[0] - grads[1]).abs().max())
    print(f"grad cpu/cuda diff {rep['grad_max_abs_diff']:.2e}")

    timings = []
    for n in range(22, args.max_qubits + 1, 2):
        depth = 10
        c = brickwork(n, depth)
        suanli.state(c, device="cuda")  # warm-up
        torch.cuda.empty_cache()
        ts = timed(lambda c=c: suanli.state(c, device="cuda"), repeats=3 if n >= 28 else 5)
        gates = len(c)
        bytes_moved = gates * 2 * (1 << n) * 8
        row = {
            "qubits": n,
            "gates": gates,
            "min_s": min(ts),
            "median_s": float(np.median(ts)),
            "GBps_per_gate_pass": bytes_moved / min(ts) / 1e9,
            "fraction_of_copy_bw": bytes_moved / min(ts) / bw,
        }
        timings.append(row)
        print(
            f"brickwork n={n} gates={gates}: min {row['min_s']:.3f}s median {row['median_s']:.3f}s "
            f"{row['GBps_per_gate_pass']:.0f} GB/s = {100 * row['fraction_of_copy_bw']:.0f}% of copy bw"
        )
        torch.cuda.empty_cache()
    rep["brickwork_c64"] = timings

    n = min(28, args.max_qubits)
    c = brickwork(n, 4)
    c.measure_all()
    t = time.perf_counter()
    r = suanli.sample(c, shots=1_000_000, seed=1, device="cuda")
    rep["sample_28q_1e6"] = {"seconds": time.perf_counter() - t, "timings": dict(r.timings)}
    print(f"sample n={n} 1e6 shots: {rep['sample_28q_1e6']['seconds']:.2f}s {dict(r.timings)}")

    with open(args.out, "w") as f:
        json.dump(rep, f, indent=2)


if __name__ == "__main__":
    main()
