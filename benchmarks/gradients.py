"""Gradients of circuits: how fast is suanli's adjoint method, how much memory does it take, how much does batching
save?

Goals (issue "differentiable circuits"):

1. ``hea``: a hardware-efficient ansatz (RY on every qubit, then a ring of CNOTs; 10 layers) with the cost
   Σ⟨Z_i Z_{i+1}⟩ + Σ⟨X_i⟩. Value + gradient by the adjoint method should cost ≤ 3× one forward evaluation, and
   be ≥ 2× faster than PennyLane's lightning.qubit adjoint on the CPU at 16–20 qubits. Gradients are checked to
   agree (suanli adjoint vs suanli backprop, and vs PennyLane when installed) before anything is timed.
2. ``memory``: the adjoint gradient of a 26-qubit circuit; peak resident memory in state-vector copies.
3. ``batch``: a 10-qubit QuantumLayer on 1 000 inputs, one batched call against a Python loop (≥ 10× faster).

Usage::

    python benchmarks/gradients.py hea --qubits 16,18,20 --repeats 3 --out results/gradients_hea.json
    python benchmarks/gradients.py memory --qubits 26 --layers 1 --out results/gradients_memory.json
    python benchmarks/gradients.py batch --qubits 10 --batch 1000 --out results/gradients_batch.json

Times are min and median over ``--repeats`` runs, in seconds, after one warm-up run.
"""

from __future__ import annotations

import argparse
import json
import platform
import resource
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import torch

import suanli
from suanli.grad import expectation
from suanli.nn import QuantumLayer


def _device_info(threads: int) -> dict[str, Any]:
    return {
        "cpu": platform.processor() or platform.machine(),
        "torch_threads": threads,
        "torch": torch.__version__,
        "python": platform.python_version(),
    }


def _times(fn: Any, repeats: int) -> dict[str, float]:
    fn()  # warm-up
    ts = []
    for _ in range(repeats):
        t = time.perf_counter()
        fn()
        ts.append(time.perf_counter() - t)
    return {"min": min(ts), "median": statistics.median(ts)}


def _hamiltonian(n: int) -> suanli.PauliSum:
    return suanli.PauliSum.from_string(
        " + ".join([f"Z{i}*Z{(i + 1) % n}" for i in range(n)] + [f"X{i}" for i in range(n)])
    )


def _hea(n: int, w: Any) -> suanli.Circuit:
    c = suanli.Circuit(n)
    for layer in range(len(w)):
        for q in range(n):
            c.ry(w[layer][q], q)
        for q in range(n):
            c.cx(q, (q + 1) % n)
    return c


def _pennylane(n: int, layers: int) -> Any:
    try:
        import pennylane as qml
    except ImportError:
        return None
    dev = qml.device("lightning.qubit", wires=n)
    h = qml.Hamiltonian(
        [1.0] * (2 * n),
        [qml.PauliZ(i) @ qml.PauliZ((i + 1) % n) for i in range(n)] + [qml.PauliX(i) for i in range(n)],
    )

    @qml.qnode(dev, diff_method="adjoint")
    def cost(w: Any) -> Any:
        for layer in range(layers):
            for q in range(n):
                qml.RY(w[layer, q], wires=q)
            for q in range(n):
                qml.CNOT(wires=[q, (q + 1) % n])
        return qml.expval(h)

    def grad(w: np.ndarray) -> np.ndarray:  # one forward and one adjoint sweep inside PennyLane
        return np.asarray(qml.grad(cost)(qml.numpy.array(w, requires_grad=True)))

    return cost, grad, qml.version()


def bench_hea(args: argparse.Namespace) -> dict[str, Any]:
    rows = []
    for n in args.qubits:
        rng = np.random.default_rng(n)
        w0 = rng.uniform(0, 2 * np.pi, size=(args.layers, n))
        h = _hamiltonian(n)

        def forward(w0: np.ndarray = w0, n: int = n, h: suanli.PauliSum = h) -> float:
            with torch.no_grad():
                return float(expectation(_hea(n, torch.as_tensor(w0, dtype=torch.float32)), h, device="cpu"))

        def value_grad(w0: np.ndarray = w0, n: int = n, h: suanli.PauliSum = h, method: str = "adjoint") -> Any:
            w = torch.tensor(w0, dtype=torch.float32, requires_grad=True)
            e = expectation(_hea(n, w), h, diff_method=method, device="cpu")
            e.backward()
            return e.item(), w.grad.numpy()

        # correctness first: adjoint against backprop (complex64), and against PennyLane
        v_a, g_a = value_grad()
        check: dict[str, Any] = {}
        if n <= 18:
            _v_b, g_b = value_grad(method="backprop")
            check["max_abs_grad_diff_vs_backprop"] = float(np.abs(g_a - g_b).max())
            assert check["max_abs_grad_diff_vs_backprop"] < 1e-3
        row: dict[str, Any] = {"qubits": n, "layers": args.layers, "value": v_a}
        row["suanli_forward_s"] = _times(forward, args.repeats)
        row["suanli_adjoint_value_grad_s"] = _times(value_grad, args.repeats)
        row["ratio_value_grad_over_forward"] = (
            row["suanli_adjoint_value_grad_s"]["min"] / row["suanli_forward_s"]["min"]
        )
        pl = _pennylane(n, args.layers) if not args.no_pennylane else None
        if pl is not None:
            pl_cost, pl_vg, version = pl
            v_p, g_p = float(pl_cost(w0)), pl_vg(w0)
            check["abs_value_diff_vs_pennylane"] = abs(v_p - v_a)
            check["max_abs_grad_diff_vs_pennylane"] = float(np.abs(g_p - g_a).max())
            assert check["max_abs_grad_diff_vs_pennylane"] < 1e-3, check
            row["pennylane_version"] = version
            row["pennylane_adjoint_value_grad_s"] = _times(lambda w0=w0, f=pl_vg: f(w0), args.repeats)
            row["speedup_vs_pennylane"] = (
                row["pennylane_adjoint_value_grad_s"]["min"] / row["suanli_adjoint_value_grad_s"]["min"]
            )
        row["checks"] = check
        rows.append(row)
        print(json.dumps(row), file=sys.stderr, flush=True)
    return {"benchmark": "hea", "rows": rows}


def bench_memory(args: argparse.Namespace) -> dict[str, Any]:
    n = args.qubits[0]
    rng = np.random.default_rng(0)
    w = torch.tensor(rng.uniform(0, 2 * np.pi, size=(args.layers, n)), dtype=torch.float32, requires_grad=True)
    h = _hamiltonian(n)
    base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    t = time.perf_counter()
    e = expectation(_hea(n, w), h, diff_method="adjoint", device="cpu")
    t_fwd = time.perf_counter() - t
    e.backward()
    t_all = time.perf_counter() - t
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    state = (1 << n) * 8
    return {
        "benchmark": "memory",
        "qubits": n,
        "layers": args.layers,
        "gates": 2 * n * args.layers,
        "value": e.item(),
        "grad_norm": float(w.grad.norm()),
        "forward_s": t_fwd,
        "value_grad_s": t_all,
        "state_bytes_complex64": state,
        "peak_rss_bytes": peak,
        "rss_before_bytes": base,
        "peak_in_state_copies": (peak - base) / state,
    }


def bench_batch(args: argparse.Namespace) -> dict[str, Any]:
    n, b = args.qubits[0], args.batch

    def build(x: torch.Tensor | None, w: torch.Tensor) -> suanli.Circuit:
        c = suanli.Circuit(n)
        assert x is not None
        for q in range(n):
            c.ry(x[:, q], q)
        for layer in range(w.shape[0]):
            for q in range(n):
                c.ry(w[layer, q], q)
            for q in range(n - 1):
                c.cx(q, q + 1)
        return c

    torch.manual_seed(0)
    layer = QuantumLayer(build, [f"Z{q}" for q in range(n)], weight_shape=(args.layers, n))
    x = torch.rand(b, n)
    batched = layer(x)
    looped = torch.stack([layer(x[i : i + 1])[0] for i in range(b)])
    diff = float((batched - looped).abs().max().detach())
    assert diff < 1e-5, diff

    def fwd_batched() -> None:
        with torch.no_grad():
            layer(x)

    def fwd_loop() -> None:
        with torch.no_grad():
            for i in range(b):
                layer(x[i : i + 1])

    def train_batched() -> None:
        layer.zero_grad()
        layer(x).sum().backward()

    def train_loop() -> None:
        layer.zero_grad()
        for i in range(b):
            layer(x[i : i + 1]).sum().backward()

    reps = max(1, args.repeats)
    out = {"benchmark": "batch", "qubits": n, "batch": b, "layers": args.layers, "max_abs_diff": diff}
    out["forward_batched_s"] = _times(fwd_batched, reps)
    out["forward_loop_s"] = _times(fwd_loop, 1)
    out["forward_speedup"] = out["forward_loop_s"]["min"] / out["forward_batched_s"]["min"]
    out["value_grad_batched_s"] = _times(train_batched, reps)
    out["value_grad_loop_s"] = _times(train_loop, 1)
    out["value_grad_speedup"] = out["value_grad_loop_s"]["min"] / out["value_grad_batched_s"]["min"]
    return out


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("what", choices=("hea", "memory", "batch"))
    p.add_argument("--qubits", default="16,18,20", help="comma-separated widths (memory/batch use the first)")
    p.add_argument("--layers", type=int, default=10)
    p.add_argument("--batch", type=int, default=1000)
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--threads", type=int, default=None, help="torch CPU threads (default: torch's choice)")
    p.add_argument("--no-pennylane", action="store_true", help="skip the PennyLane comparison")
    p.add_argument("--out", required=True, help="JSON file for the results")
    args = p.parse_args(argv)
    args.qubits = [int(q) for q in args.qubits.split(",")]
    if args.threads is not None:
        torch.set_num_threads(args.threads)
    result = {"hea": bench_hea, "memory": bench_memory, "batch": bench_batch}[args.what](args)
    result["device"] = _device_info(torch.get_num_threads())
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
