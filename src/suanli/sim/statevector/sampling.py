"""Marginal probabilities and sampling from a state vector without extra full-size copies.

Sampling is two-level: the probability of each block of ``2**20`` amplitudes is computed chunk by chunk, the
shots are split among blocks with one multinomial draw, and only the blocks that received shots are expanded
to a cumulative distribution (in float64, on the host). All random numbers come from one NumPy generator, so a
seed gives the same samples on CPU and GPU whenever the probabilities agree.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch

from .expect import wide_sum

__all__ = ["bits_from_indices", "marginal_probabilities", "sample_bits", "sample_from_probabilities"]

_BLOCK_LOG2 = 20
_CHUNK = 1 << 24  # amplitudes per reduction chunk (bounds temporaries)


def _abs2(x: torch.Tensor) -> torch.Tensor:
    """|x|² (differentiable when x requires grad; one real temporary otherwise)."""
    if not x.is_complex():
        return x
    if x.requires_grad:
        return x.real.square() + x.imag.square()
    return torch.abs(x).square_()


def marginal_probabilities(psi: torch.Tensor, num_qubits: int, qubits: Sequence[int] | None) -> torch.Tensor:
    """Probabilities of ``qubits`` (in the given order; qubits[0] most significant) from states (B, 2**n).

    Differentiable. Returns shape (B, 2**len(qubits)).
    """
    b = psi.shape[0]
    p = _abs2(psi) if psi.is_complex() else psi
    if qubits is None or list(qubits) == list(range(num_qubits)):
        return p
    qubits = list(qubits)
    sel = sorted(qubits)
    selected = set(sel)
    # runs of consecutive axes of the same kind (selected / summed out)
    shape = [b]
    kinds = []
    for a in range(num_qubits):
        kind = a in selected
        if kinds and kinds[-1] == kind and not kind:
            shape[-1] *= 2
        else:
            shape.append(2)
            kinds.append(kind)
    t = p.reshape(shape)
    sum_dims = [1 + i for i, k in enumerate(kinds) if not k]
    if len(shape) <= 20:
        # double-precision accumulation (a float32 running sum over 2**n entries loses digits)
        t = wide_sum(t, sum_dims).to(p.dtype) if sum_dims else t
    else:
        for d in reversed(sum_dims):
            t = wide_sum(t, [d]).to(p.dtype)
    # now axes are the selected qubits in increasing order
    order = [sel.index(q) for q in qubits]
    t = t.reshape([b] + [2] * len(sel))
    if order != list(range(len(sel))):
        t = t.permute(0, *[1 + o for o in order])
    return t.reshape(b, -1)


def _block_probs(p_or_psi: torch.Tensor, block: int) -> torch.Tensor:
    """Sum of probabilities per block, computed in chunks (float64, on the tensor's device)."""
    n = p_or_psi.shape[0]
    nb = n // block
    out = torch.empty(nb, dtype=torch.float64, device=p_or_psi.device)
    rows_per_chunk = max(1, _CHUNK // block)
    view = p_or_psi.view(nb, block)
    for r in range(0, nb, rows_per_chunk):
        part = view[r : r + rows_per_chunk]
        out[r : r + rows_per_chunk] = _abs2(part).sum(dim=1, dtype=torch.float64)
    return out


def sample_from_probabilities(p_or_psi: torch.Tensor, shots: int, rng: np.random.Generator) -> np.ndarray:
    """Draw ``shots`` indices from a 1-D probability vector, or from |amplitude|² when given a complex vector.

    The input need not be normalised. Returns int64 indices in random order.
    """
    n = p_or_psi.shape[0]
    block = min(n, 1 << _BLOCK_LOG2)
    probs = _block_probs(p_or_psi.detach(), block).cpu().numpy()
    total = probs.sum()
    if not np.isfinite(total) or total <= 0:
        raise FloatingPointError("the state has zero or non-finite norm; cannot sample")
    probs = np.clip(probs / total, 0.0, None)
    probs /= probs.sum()
    per_block = rng.multinomial(shots, probs)
    out = np.empty(shots, dtype=np.int64)
    filled = 0
    view = p_or_psi.detach().view(-1, block)
    for bi in np.flatnonzero(per_block):
        k = int(per_block[bi])
        w = _abs2(view[bi]).to(dtype=torch.float64).cpu().numpy()
        cdf = np.cumsum(w)
        u = rng.random(k) * cdf[-1]
        idx = np.searchsorted(cdf, u, side="right")
        np.minimum(idx, block - 1, out=idx)
        # never return an outcome of zero probability (guards against rounding at the cdf edges)
        zero = w[idx] == 0
        if zero.any():
            nz = np.flatnonzero(w)
            idx[zero] = nz[np.minimum(np.searchsorted(nz, idx[zero]), len(nz) - 1)]
        out[filled : filled + k] = idx + bi * block
        filled += k
    rng.shuffle(out)
    return out


def bits_from_indices(indices: np.ndarray, width: int) -> np.ndarray:
    """Big-endian bits (column 0 = most significant) of each index; shape (len, width), uint8."""
    if width == 0:
        return np.zeros((len(indices), 0), dtype=np.uint8)
    shifts = np.arange(width - 1, -1, -1, dtype=np.int64)
    return ((indices[:, None] >> shifts[None, :]) & 1).astype(np.uint8)


def sample_bits(
    psi: torch.Tensor, num_qubits: int, qubits: Sequence[int], shots: int, rng: np.random.Generator
) -> np.ndarray:
    """Sample the Z-basis outcomes of ``qubits`` (columns in that order) from one canonical state (2**n,)."""
    qubits = list(qubits)
    if not qubits:
        return np.zeros((shots, 0), dtype=np.uint8)
    sel = sorted(set(qubits))
    if sel == list(range(num_qubits)):
        idx = sample_from_probabilities(psi, shots, rng)
    else:
        p = marginal_probabilities(psi.reshape(1, -1), num_qubits, sel)[0]
        idx = sample_from_probabilities(p, shots, rng)
    bits = bits_from_indices(idx, len(sel))
    col = {q: i for i, q in enumerate(sel)}
    return bits[:, [col[q] for q in qubits]]
