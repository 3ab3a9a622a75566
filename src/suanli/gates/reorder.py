"""Putting a gate matrix's qubits in another order (NumPy arrays or torch tensors, batched or not)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeVar

import numpy as np
import torch

__all__ = ["reorder_qubits"]

Matrix = TypeVar("Matrix", np.ndarray, torch.Tensor)


def reorder_qubits(u: Matrix, order: Sequence[int]) -> Matrix:
    """The matrix ``u`` (…, 2**k, 2**k) with its qubits reordered: new qubit j is old qubit ``order[j]``.

    Qubit 0 is the most significant bit of the row/column index; leading batch axes are kept.

    Examples:
        >>> import numpy as np
        >>> cx = np.eye(4)[[0, 1, 3, 2]]  # control 0, target 1
        >>> bool((reorder_qubits(cx, [1, 0]) == np.eye(4)[[0, 3, 2, 1]]).all())  # control 1, target 0
        True
    """
    k = len(order)
    if list(order) == list(range(k)):
        return u
    batch = tuple(u.shape[:-2])
    nb = len(batch)
    perm = list(range(nb)) + [nb + o for o in order] + [nb + k + o for o in order]
    t = u.reshape(*batch, *([2] * (2 * k)))
    t = t.permute(perm) if isinstance(t, torch.Tensor) else t.transpose(perm)
    return t.reshape(*batch, 1 << k, 1 << k)
