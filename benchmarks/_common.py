"""Shared helpers for the benchmark scripts: timing, bandwidth, machine description."""

from __future__ import annotations

import os
import platform
import statistics
import time
from collections.abc import Callable
from typing import Any

import torch

import suanli


def sync(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def timed(fn: Callable[[], Any], repeats: int, device: torch.device | None = None) -> tuple[float, float]:
    """(min, median) wall seconds of ``repeats`` calls, after one warm-up call."""
    dev = device or torch.device("cpu")
    fn()
    sync(dev)
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        fn()
        sync(dev)
        times.append(time.perf_counter() - t)
    return min(times), statistics.median(times)


def copy_bandwidth(device: torch.device, num_bytes: int = 1 << 29) -> float:
    """Measured device copy bandwidth in bytes/s, counting the read and the write (best of 5)."""
    x = torch.ones(num_bytes // 8, dtype=torch.complex64, device=device)
    y = torch.empty_like(x)
    best, _ = timed(lambda: y.copy_(x), 5, device)
    return 2 * x.numel() * 8 / best


def machine(device: torch.device) -> dict[str, Any]:
    info: dict[str, Any] = {
        "date": time.strftime("%Y-%m-%d"),
        "python": platform.python_version(),
        "torch": torch.__version__,
        "suanli": suanli.__version__,
        "cpu": f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores",
        "threads": torch.get_num_threads(),
    }
    if device.type == "cuda":
        info["gpu"] = torch.cuda.get_device_name(device)
    return info


_LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"


def einsum_gate(psi: torch.Tensor, n: int, u: torch.Tensor, qubits: tuple[int, ...]) -> torch.Tensor:
    """Apply a k-qubit matrix (first qubit most significant) to a state of shape (2,)*n with one plain
    ``torch.einsum``: the reference kernels are checked against, and the naive GPU peer."""
    k = len(qubits)
    ins = _LETTERS[:n]
    new = _LETTERS[n : n + k]
    out = list(ins)
    for j, q in enumerate(qubits):
        out[q] = new[j]
    expr = f"{new}{''.join(ins[q] for q in qubits)},{ins}->{''.join(out)}"
    return torch.einsum(expr, u.reshape([2] * (2 * k)), psi)
