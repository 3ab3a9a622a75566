"""Triton kernels for the state vector: a fused k-qubit gate or a diagonal in one pass over memory, in place.

The dense kernel gives each program ``BLOCK`` groups of 2**k amplitudes (the amplitudes that a k-qubit gate
mixes). A group's base index is the group number with zero bits inserted at the target bit positions; its
members are ``base + offsets[i]``. The program loads the group (real and imaginary parts from the interleaved
complex storage), multiplies by the matrix in registers and writes the result back to the same places. Groups
are disjoint, so the update is in place and every amplitude is read and written exactly once: one pass.

The diagonal kernel multiplies every amplitude by ``diag[sub(i)]``, where ``sub(i)`` gathers the bits of ``i``
at the gate's positions.

Both work for complex64 and complex128 and for a batch of states (one matrix for all, or one per state). On a
machine without a GPU they run under Triton's interpreter (``TRITON_INTERPRET=1``) on CPU tensors, which is how
the test suite checks them against the torch path.
"""

from __future__ import annotations

import os
from functools import lru_cache

import torch

from .native import bit_offsets

__all__ = ["apply_diagonal_triton", "apply_matrix_triton", "dense_variant", "triton_available"]

# Groups per program for the dense kernel, by k (registers hold BLOCK × 2**k × 2**k products).
_BLOCKS = {1: 512, 2: 256, 3: 128, 4: 32, 5: 16, 6: 8}
# Groups per program for the row-by-row variant (registers hold BLOCK × 2**k entries).
_ROW_BLOCKS = {1: 512, 2: 256, 3: 256, 4: 128, 5: 64, 6: 32}
_DIAG_BLOCK = 1024
MAX_K = 6


def dense_variant() -> str:
    """The dense kernel in use: ``SUANLI_TRITON_DENSE=rows`` picks the row-by-row variant, anything else the
    broadcast one (both one in-place pass; which is faster on a given GPU is for benchmarks/bandwidth.py)."""
    return "rows" if os.environ.get("SUANLI_TRITON_DENSE", "").strip().lower() == "rows" else "broadcast"


def _interpreting() -> bool:
    return os.environ.get("TRITON_INTERPRET", "") not in ("", "0")


@lru_cache(maxsize=1)
def _triton():  # type: ignore[no-untyped-def]
    try:
        from . import _triton_jit as jit
    except Exception:  # ImportError, or a broken installation
        return None
    return jit.triton, jit.dense_kernel, jit.diag_kernel, jit.dense_rows_kernel


def triton_available(device: torch.device) -> bool:
    """Whether the Triton kernels can run on ``device``: a CUDA GPU, or any device under the interpreter."""
    if _triton() is None:
        return False
    return device.type == "cuda" or _interpreting()


def _bit_positions(n: int, axes: list[int]) -> list[int]:
    """Physical axis p (0 = most significant) is bit ``n - 1 - p`` of the flat index."""
    return [n - 1 - p for p in axes]


@lru_cache(maxsize=4096)
def _dense_tables(n: int, axes: tuple[int, ...], device: torch.device) -> tuple[torch.Tensor, torch.Tensor]:
    """The dense kernel's group offsets and sorted bit positions for ``axes``, kept on ``device`` (a table
    copied to the GPU per gate would make every launch wait for the copy)."""
    bits = _bit_positions(n, list(axes))
    offs = torch.from_numpy(bit_offsets(bits)).to(device)
    return offs, torch.tensor(sorted(bits), dtype=torch.int32).to(device)


@lru_cache(maxsize=4096)
def _diag_table(n: int, axes: tuple[int, ...], device: torch.device) -> torch.Tensor:
    """The diagonal kernel's bit positions for ``axes`` (gate order), kept on ``device``."""
    return torch.tensor(_bit_positions(n, list(axes)), dtype=torch.int32).to(device)


def apply_matrix_triton(data: torch.Tensor, n: int, u: torch.Tensor, axes: list[int]) -> None:
    """In place: apply the k-qubit matrix ``u`` ((d, d) or (B, d, d)) to physical ``axes`` (gate order) of
    ``data`` (shape (B, 2**n), contiguous)."""
    mod = _triton()
    assert mod is not None
    triton, dense_kernel, _, rows_kernel = mod
    rows = dense_variant() == "rows"
    k = len(axes)
    if k > MAX_K:
        raise ValueError(f"the Triton dense kernel takes at most {MAX_K} qubits, got {k}")
    d = 1 << k
    dev = data.device
    offs, sorted_bits = _dense_tables(n, tuple(axes), dev)
    batch = data.shape[0]
    real = torch.view_as_real(data)  # (B, 2**n, 2)
    u = u.to(device=dev, dtype=data.dtype)
    batched = u.dim() == 3
    ureal = torch.view_as_real(u.contiguous())
    n_groups = 1 << (n - k)
    block = (_ROW_BLOCKS if rows else _BLOCKS)[k]
    grid = (triton.cdiv(n_groups, block), batch)
    (rows_kernel if rows else dense_kernel)[grid](
        real,
        ureal,
        offs,
        sorted_bits,
        n_groups,
        2 << n,
        2 * d * d if batched else 0,
        K=k,
        D=d,
        BLOCK=block,
    )


def apply_diagonal_triton(data: torch.Tensor, n: int, diag: torch.Tensor, axes: list[int]) -> None:
    """In place: multiply ``data`` (B, 2**n) by a diagonal ((d,) or (B, d)) on physical ``axes`` (gate order)."""
    mod = _triton()
    assert mod is not None
    triton, _, diag_kernel, _ = mod
    k = len(axes)
    dev = data.device
    pos = _diag_table(n, tuple(axes), dev)
    batch = data.shape[0]
    real = torch.view_as_real(data)
    dg = diag.to(device=dev, dtype=data.dtype).contiguous()
    batched = dg.dim() == 2
    dreal = torch.view_as_real(dg)
    n_amps = 1 << n
    grid = (triton.cdiv(n_amps, _DIAG_BLOCK), batch)
    diag_kernel[grid](real, dreal, pos, n_amps, 2 << n, (2 << k) if batched else 0, K=k, BLOCK=_DIAG_BLOCK)
