"""The small-state path: states of up to ``SMALL_MAX_QUBITS`` qubits simulated gate by gate with NumPy.

For a few thousand amplitudes a gate costs far less than the fixed cost of a torch operator (several
microseconds each) or of fusing gates, so small circuits are dominated by per-gate overhead. Here each gate is
three NumPy calls on the host: gather the amplitudes so that the gate's qubits come first, one matrix product,
scatter back (index orders cached per qubit tuple). Diagonal gates are one multiply. The path is taken only
without autograd and without a parameter batch; results agree with the torch path to rounding (tested).
"""

from __future__ import annotations

import numpy as np
import torch

from ...transpile.fusion import index_orders

__all__ = ["SMALL_MAX_QUBITS", "run_small"]

#: Largest state handled by the NumPy path (2**12 amplitudes = 32 KiB in complex64).
SMALL_MAX_QUBITS = 12


def run_small(ops: list, num_qubits: int, dtype: torch.dtype) -> torch.Tensor:
    """Apply gate ops (``matrix``, ``diagonal``, ``monomial``) to |0…0>; returns a (1, 2**n) tensor."""
    n = num_qubits
    npdtype = np.complex64 if dtype == torch.complex64 else np.complex128
    psi = np.zeros(1 << n, dtype=npdtype)
    psi[0] = 1
    for op in ops:
        axes = tuple(op.qubits)
        order, inverse, sub = index_orders(n, axes)
        t = op.tensor.numpy()
        if op.kind == "diagonal":
            psi *= t[sub]
        elif op.kind == "monomial":
            d = t.shape[0]
            g = psi[order].reshape(d, -1)
            psi = (t[:, None] * g[op.perm.numpy()]).reshape(-1)[inverse]
        else:
            d = t.shape[-1]
            psi = (t @ psi[order].reshape(d, -1)).reshape(-1)[inverse]
    return torch.from_numpy(np.ascontiguousarray(psi)).reshape(1, -1)
