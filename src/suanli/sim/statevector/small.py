"""The small-state path: states of up to ``SMALL_MAX_QUBITS`` qubits simulated gate by gate on the host.

For a few thousand amplitudes a gate costs far less than the fixed cost of a torch operator (several
microseconds each) or of fusing gates, so small circuits are dominated by per-gate overhead. Where the compiled
CPU kernels are available (:mod:`.native`), the whole list of gates goes to them in one call, which loops over
the gates in C. Otherwise each gate is one or three NumPy calls: a one-qubit gate is one product over a
reshaped view, a permutation gate (CNOT, SWAP, Toffoli) one gather, a diagonal gate one multiply, any other
gate a gather so that its qubits come first, one matrix product and a scatter back (index arrays cached per
qubit tuple). The path is taken only without autograd and without a parameter batch; results agree with the
torch path to rounding (tested).
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import torch

from ...transpile.fusion import index_orders

__all__ = ["SMALL_MAX_QUBITS", "run_small"]

#: Largest state handled by the NumPy path (2**12 amplitudes = 32 KiB in complex64).
SMALL_MAX_QUBITS = 12
# A one-qubit gate on qubit q <= this is one broadcast product over the view (2**q, 2, rest); beyond it the
# 2**q small products cost more than a gather and one product (measured at 10 qubits).
_VIEW_MAX_AXIS = 5


def _permutation(t: np.ndarray) -> tuple[int, ...] | None:
    """``perm`` with ``t[i, perm[i]] == 1`` and zeros elsewhere (a CNOT, SWAP, Toffoli ...), else None."""
    if t.ndim != 2 or np.count_nonzero(t) != t.shape[0]:
        return None
    perm = np.argmax(np.abs(t), axis=1)
    if not np.all(t[np.arange(t.shape[0]), perm] == 1):
        return None
    return tuple(int(p) for p in perm)


@lru_cache(maxsize=4096)
def _gather_index(n: int, axes: tuple[int, ...], perm: tuple[int, ...]) -> np.ndarray:
    """Full-state index ``idx`` with ``(P ψ) = ψ[idx]`` for a permutation gate on ``axes``."""
    order, inverse, _ = index_orders(n, axes)
    return order.reshape(len(perm), -1)[list(perm)].reshape(-1)[inverse]


def run_small(ops: list, num_qubits: int, dtype: torch.dtype, *, compiled: bool | None = None) -> torch.Tensor:
    """Apply gate ops (``matrix``, ``diagonal``, ``monomial``) to |0…0>; returns a (1, 2**n) tensor.

    ``compiled``: use the compiled whole-program kernel (True), the NumPy loop (False), or the kernel where it is
    available and takes every gate (None).
    """
    from .native import PROGRAM_MAX_K, native_available, run_program

    if compiled is None:
        compiled = native_available() and all(len(op.qubits) <= PROGRAM_MAX_K for op in ops)
    if compiled:
        psi = torch.zeros(1, 1 << num_qubits, dtype=dtype)
        psi[0, 0] = 1
        run_program(psi, num_qubits, [(op.kind, op.qubits, op.tensor, op.perm) for op in ops])
        return psi
    return _run_numpy(ops, num_qubits, dtype)


def _run_numpy(ops: list, num_qubits: int, dtype: torch.dtype) -> torch.Tensor:
    """The NumPy loop: one-qubit matrices on the leading or the last qubit are one product over a reshaped view;
    permutation matrices one gather; other gates a gather, a product and a scatter."""
    n = num_qubits
    npdtype = np.complex64 if dtype == torch.complex64 else np.complex128
    psi = np.zeros(1 << n, dtype=npdtype)
    psi[0] = 1
    seen: dict[int, tuple[np.ndarray, tuple[int, ...] | None]] = {}  # gates share matrices: convert once
    for op in ops:
        axes = tuple(op.qubits)
        entry = seen.get(id(op.tensor))
        if entry is None:
            arr = op.tensor.numpy()
            entry = seen[id(op.tensor)] = (
                arr,
                _permutation(arr) if op.kind == "matrix" and arr.ndim == 2 and arr.shape[0] > 2 else None,
            )
        t, perm = entry
        if op.kind == "diagonal":
            psi *= t[index_orders(n, axes)[2]]
        elif op.kind == "monomial":
            order, inverse, _ = index_orders(n, axes)
            g = psi[order].reshape(t.shape[0], -1)
            psi = (t[:, None] * g[op.perm.numpy()]).reshape(-1)[inverse]
        elif len(axes) == 1 and axes[0] == n - 1:
            psi = (psi.reshape(-1, 2) @ t.T).reshape(-1)
        elif len(axes) == 1 and axes[0] <= _VIEW_MAX_AXIS:
            psi = np.matmul(t, psi.reshape(1 << axes[0], 2, -1)).reshape(-1)
        elif perm is not None:
            psi = psi[_gather_index(n, axes, perm)]
        else:
            order, inverse, _ = index_orders(n, axes)
            psi = (t @ psi[order].reshape(t.shape[-1], -1)).reshape(-1)[inverse]
    return torch.from_numpy(np.ascontiguousarray(psi)).reshape(1, -1)
