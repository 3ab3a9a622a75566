"""How close each state-vector kernel comes to the memory bandwidth.

Goal: a dense k-qubit pass (k ≤ 4–5) is memory-bound; it should reach ≥ 80 % of the measured copy bandwidth on
a GPU, and as much as the CPU allows. A pass reads and writes the whole state once: 2·2^n·b bytes (b = 8 for
complex64). For every kernel (dense k = 1…5 on low, middle and high qubits, diagonal, monomial) this script prints
the achieved bytes/s and its fraction of the measured copy bandwidth. Each kernel is first checked against a
plain reference (``torch.einsum`` on the full tensor) at a small size.

Usage:
    python benchmarks/bandwidth.py --qubits 24 --device cpu --out bandwidth_cpu.json     # torch and compiled paths
    python benchmarks/bandwidth.py --qubits 30 --device cuda --out bandwidth_cuda.json   # torch and Triton paths
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import copy_bandwidth, einsum_gate, machine, timed
from suanli.sim.statevector.kernels import StateVector
from suanli.sim.statevector.native import native_available
from suanli.sim.statevector.triton_kernels import triton_available


def cases(n: int) -> list[tuple[str, tuple[int, ...]]]:
    out = []
    for k in range(1, 6):
        out.append((f"dense k={k} high", tuple(range(k))))
        mid = n // 2 - k // 2
        out.append((f"dense k={k} middle", tuple(range(mid, mid + k))))
        out.append((f"dense k={k} low", tuple(range(n - k, n))))
        out.append((f"dense k={k} spread", tuple(sorted({round(i * (n - 1) / max(k - 1, 1)) for i in range(k)}))))
    out.append(("diagonal k=2", (1, n - 2)))
    out.append(("monomial k=3", (0, n // 2, n - 1)))
    return out


def apply(sv: StateVector, name: str, qubits: tuple[int, ...], u: torch.Tensor, perm: torch.Tensor) -> None:
    if name.startswith("diagonal"):
        sv.apply_diagonal(torch.diagonal(u), qubits)
    elif name.startswith("monomial"):
        sv.apply_monomial(torch.ones(u.shape[0], dtype=u.dtype), perm, qubits)
    else:
        sv.apply_matrix(u, qubits)


@contextmanager
def variant(path: str) -> Iterator[None]:
    """Select the dense Triton kernel's variant for the ``triton-rows`` path."""
    before = os.environ.get("SUANLI_TRITON_DENSE")
    os.environ["SUANLI_TRITON_DENSE"] = "rows" if path == "triton-rows" else "broadcast"
    try:
        yield
    finally:
        if before is None:
            del os.environ["SUANLI_TRITON_DENSE"]
        else:
            os.environ["SUANLI_TRITON_DENSE"] = before


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--qubits", type=int, default=24)
    ap.add_argument("--device", default="cpu")
    ap.add_argument("--dtype", choices=("complex64", "complex128"), default="complex64")
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--out", required=True, help="JSON file for the results")
    args = ap.parse_args()
    dev = torch.device(args.device)
    dtype = getattr(torch, args.dtype)
    b = 8 if dtype == torch.complex64 else 16
    n = args.qubits
    bw = copy_bandwidth(dev)
    # triton-rows: the row-by-row variant of the dense Triton kernel (SUANLI_TRITON_DENSE=rows)
    paths = ["torch"] + (["triton", "triton-rows"] if triton_available(dev) else [])
    paths += ["native"] if dev.type == "cpu" and native_available() else []
    print(f"device {dev}, copy bandwidth {bw / 1e9:.1f} GB/s, paths {paths}")
    gen = torch.Generator().manual_seed(0)
    rows: list[dict[str, Any]] = []
    for name, qubits in cases(n):
        k = len(qubits)
        d = 1 << k
        u = torch.linalg.qr(torch.randn(d, d, dtype=torch.complex128, generator=gen))[0].to(dtype)
        if name.startswith("diagonal"):
            u = torch.diag(torch.exp(1j * torch.rand(d, dtype=torch.float64, generator=gen))).to(dtype)
        perm = torch.randperm(d, generator=gen)
        if name.startswith("monomial"):
            u = torch.eye(d, dtype=dtype)[perm]
        # correctness at a small size first
        small_q = tuple(sorted({min(q, 9) for q in qubits})) if max(qubits) > 9 else qubits
        if len(small_q) == k:
            x = torch.randn(1 << 10, dtype=dtype, generator=gen)
            x128 = x.to(torch.complex128).reshape([2] * 10)
            want = einsum_gate(x128, 10, u.to(torch.complex128), small_q).reshape(-1)
            for path in paths:
                with variant(path):
                    sv = StateVector(10, dtype=dtype, device=dev, data=x.to(dev), kernels=path.split("-")[0])
                    apply(sv, name, small_q, u.to(dev), perm)
                err = (sv.canonical()[0].cpu().to(torch.complex128) - want).abs().max().item()
                if err > (1e-5 if dtype == torch.complex64 else 1e-12):
                    raise SystemExit(f"{name} ({path}) disagrees with the reference: max error {err:.2e}")
        for path in paths:
            sv = StateVector(n, dtype=dtype, device=dev, kernels=path.split("-")[0])
            ud = u.to(dev)
            sv.apply_matrix(torch.eye(2, dtype=dtype, device=dev), (0,))  # allocate the spare buffer

            def step(sv: StateVector = sv, ud: torch.Tensor = ud, nm: str = name, q: tuple = qubits,
                     p: torch.Tensor = perm) -> None:
                apply(sv, nm, q, ud, p)

            with variant(path):
                tmin, tmed = timed(step, args.repeats, dev)
            rate = 2 * (1 << n) * b / tmin
            rows.append(
                {"kernel": name, "path": path, "qubits": list(qubits), "min_s": tmin, "median_s": tmed,
                 "GBps": rate / 1e9, "fraction_of_copy": rate / bw}
            )
            print(f"{name:22s} {path:6s} min {tmin * 1e3:8.2f} ms  {rate / 1e9:6.1f} GB/s  {rate / bw:5.0%} of copy")
            del sv
    meta = machine(dev) | {"device": str(dev), "qubits": n, "dtype": args.dtype, "copy_GBps": bw / 1e9}
    Path(args.out).write_text(json.dumps({"meta": meta, "rows": rows}, indent=2))


if __name__ == "__main__":
    main()
