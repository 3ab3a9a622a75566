"""State vector on an NVIDIA GPU: suanli (fused blocks, Triton kernels) beside cuStateVec and a naive torch
implementation, in the same run.

Goal (H100, complex64, 28–33 qubits): ≥ 1.2× faster than the best peer on the same device, every fused-pass
kernel ≥ 80 % of the measured copy bandwidth (see bandwidth.py), and 33 qubits (64 GiB) completes in place.

Peers:
* cuStateVec, called through ctypes on the library of the ``custatevec-cu13`` wheel (``custatevecApplyMatrix``
  per gate, in place), when the library can be found (``--custatevec PATH`` or the wheel's install location);
* naive torch: one ``torch.einsum`` per gate on the (2,)*n tensor (a new state per gate), no fusion;
* suanli with ``fusion=None`` (one Triton pass per gate) to show what fusion buys.

Before timing, every tool's final state is compared with suanli's (fidelity > 0.9999): against a complex128
CPU run up to ``--check-cpu-max`` qubits, else between the GPU tools.

Usage (on a machine with a CUDA GPU):
    python benchmarks/gpu_statevector.py --qubits 24 28 30 32 33 --out gpu.json
Smoke test of the script on the CPU (Triton's interpreter, tiny sizes):
    TRITON_INTERPRET=1 python benchmarks/gpu_statevector.py --device cpu --qubits 8 --out gpu_smoke.json
"""

from __future__ import annotations

import argparse
import contextlib
import ctypes
import glob
import json
import os
import site
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
import suanli
from _common import copy_bandwidth, einsum_gate, machine, timed
from statevector import CIRCUITS
from suanli import Circuit

_CUDA_C_32F, _CUDA_C_64F = 4, 5
_LAYOUT_ROW = 1
_COMPUTE_32F, _COMPUTE_64F = 1 << 2, 1 << 4


def _find_custatevec(explicit: str | None) -> str | None:
    if explicit:
        return explicit
    roots = [*site.getsitepackages(), site.getusersitepackages()]
    for root in roots:
        for pattern in ("cuquantum/lib/libcustatevec.so*", "custatevec*/lib/libcustatevec.so*", "**/libcustatevec.so*"):
            hits = sorted(glob.glob(os.path.join(root, pattern), recursive=pattern.startswith("**")))
            if hits:
                return hits[0]
    return None


class CuStateVec:
    """The few cuStateVec calls the benchmark needs, through ctypes."""

    def __init__(self, path: str) -> None:
        for root in site.getsitepackages():  # cuBLAS from the nvidia wheels that torch brings
            for lib in sorted(glob.glob(os.path.join(root, "nvidia/cu*/lib/libcublas*.so*"))) + sorted(
                glob.glob(os.path.join(root, "nvidia/cublas/lib/libcublas*.so*"))
            ):
                with contextlib.suppress(OSError):
                    ctypes.CDLL(lib, mode=ctypes.RTLD_GLOBAL)
        self.lib = ctypes.CDLL(path)
        self.handle = ctypes.c_void_p()
        self._check(self.lib.custatevecCreate(ctypes.byref(self.handle)), "custatevecCreate")

    def _check(self, status: int, what: str) -> None:
        if status != 0:
            self.lib.custatevecGetErrorString.restype = ctypes.c_char_p
            raise RuntimeError(f"{what}: {self.lib.custatevecGetErrorString(status).decode()}")

    def apply(self, sv: torch.Tensor, n: int, u: torch.Tensor, qubits: tuple[int, ...]) -> None:
        """In place; our matrices are big-endian in their qubits, cuStateVec's targets[0] is the lowest bit."""
        targets = (ctypes.c_int32 * len(qubits))(*[n - 1 - q for q in reversed(qubits)])
        c64 = sv.dtype == torch.complex64
        self._check(
            self.lib.custatevecApplyMatrix(
                self.handle,
                ctypes.c_void_p(sv.data_ptr()),
                _CUDA_C_32F if c64 else _CUDA_C_64F,
                ctypes.c_uint32(n),
                ctypes.c_void_p(u.data_ptr()),
                _CUDA_C_32F if c64 else _CUDA_C_64F,
                _LAYOUT_ROW,
                ctypes.c_int32(0),
                targets,
                ctypes.c_uint32(len(qubits)),
                None,
                None,
                ctypes.c_uint32(0),
                _COMPUTE_32F if c64 else _COMPUTE_64F,
                None,
                ctypes.c_size_t(0),
            ),
            "custatevecApplyMatrix",
        )


def _gates(c: Circuit, dtype: torch.dtype, dev: torch.device) -> list[tuple[torch.Tensor, tuple[int, ...]]]:
    out = []
    for inst in c:
        m = suanli.get_gate(inst.name).matrix(*(float(p) for p in inst.params), dtype=dtype)
        out.append((m.to(dev).contiguous(), tuple(inst.qubits)))
    return out


def naive_torch(c: Circuit, dtype: torch.dtype, dev: torch.device) -> Callable[[], torch.Tensor]:
    n = c.num_qubits
    gates = _gates(c, dtype, dev)

    def run() -> torch.Tensor:
        psi = torch.zeros([2] * n, dtype=dtype, device=dev)
        psi.view(-1)[0] = 1
        for u, qs in gates:
            psi = einsum_gate(psi, n, u, qs)
        return psi.reshape(-1)

    return run


def custatevec_run(cs: CuStateVec, c: Circuit, dtype: torch.dtype, dev: torch.device) -> Callable[[], torch.Tensor]:
    n = c.num_qubits
    gates = _gates(c, dtype, dev)

    def run() -> torch.Tensor:
        sv = torch.zeros(1 << n, dtype=dtype, device=dev)
        sv[0] = 1
        for u, qs in gates:
            cs.apply(sv, n, u, qs)
        return sv

    return run


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--qubits", type=int, nargs="+", default=[24, 28, 30, 32, 33])
    ap.add_argument("--circuits", nargs="+", default=["brickwork20", "qft", "ghz", "sycamore14"],
                    choices=list(CIRCUITS))
    ap.add_argument("--device", default="cuda")
    ap.add_argument("--dtype", choices=("complex64", "complex128"), default="complex64")
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--custatevec", help="path of libcustatevec.so (default: search site-packages)")
    ap.add_argument("--naive-max", type=int, default=30, help="largest n for the naive torch peer (it copies)")
    ap.add_argument("--check-cpu-max", type=int, default=24)
    ap.add_argument("--out", required=True)
    args = ap.parse_args()
    dev = torch.device(args.device)
    dtype = getattr(torch, args.dtype)
    lib = _find_custatevec(args.custatevec) if dev.type == "cuda" else None
    cs = CuStateVec(lib) if lib else None
    print(f"device {dev} ({torch.cuda.get_device_name(dev) if dev.type == 'cuda' else 'cpu'}), "
          f"cuStateVec: {lib or 'not found'}")
    bw = copy_bandwidth(dev, 1 << 30 if dev.type == "cuda" else 1 << 24)
    rows: list[dict[str, Any]] = []
    for cname in args.circuits:
        for n in args.qubits:
            c = CIRCUITS[cname](n)
            tools: dict[str, Callable[[], torch.Tensor]] = {
                "suanli": lambda c=c: suanli.state(c, device=dev, dtype=dtype),
                "suanli(nofuse)": lambda c=c: suanli.state(c, device=dev, dtype=dtype, fusion=None),
            }
            if n <= args.naive_max:
                tools["naive torch"] = naive_torch(c, dtype, dev)
            if cs is not None:
                tools["cuStateVec"] = custatevec_run(cs, c, dtype, dev)
            ref = (suanli.state(c, device="cpu", dtype=torch.complex128) if n <= args.check_cpu_max else None)
            base = None
            for name, fn in tools.items():
                try:
                    out = fn()
                except torch.OutOfMemoryError:
                    rows.append({"circuit": cname, "qubits": n, "tool": name, "skipped": "out of memory"})
                    print(f"{cname} n={n} {name}: out of memory")
                    torch.cuda.empty_cache()
                    continue
                against = ref if ref is not None else base
                if against is not None:
                    fid = float(abs(torch.vdot(against.to(dev, torch.complex128), out.to(torch.complex128))) ** 2)
                    if fid < 0.9999:
                        raise SystemExit(f"{name} disagrees on {cname}({n}): fidelity {fid}")
                if base is None:
                    base = out
                del out
                tmin, tmed = timed(fn, args.repeats, dev)
                rows.append({"circuit": cname, "qubits": n, "gates": len(c), "tool": name, "min_s": tmin,
                             "median_s": tmed})
                print(f"{cname:12s} n={n:2d} {name:15s} min {tmin:.4f}s median {tmed:.4f}s")
                if dev.type == "cuda":
                    torch.cuda.empty_cache()
            del base
    for r in rows:
        s = next((x for x in rows if (x["circuit"], x["qubits"], x["tool"]) == (r["circuit"], r["qubits"], "suanli")
                  and "min_s" in x), None)
        if s and "min_s" in r:
            r["time_vs_suanli"] = r["min_s"] / s["min_s"]
    meta = machine(dev) | {"device": str(dev), "dtype": args.dtype, "copy_GBps": bw / 1e9, "custatevec": lib}
    Path(args.out).write_text(json.dumps({"meta": meta, "rows": rows}, indent=2))


if __name__ == "__main__":
    main()
