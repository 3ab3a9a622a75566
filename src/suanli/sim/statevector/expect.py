"""Expectation values of Pauli sums and dense Hermitian observables on canonical states (B, 2**n)."""

from __future__ import annotations

from collections import defaultdict

import numpy as np
import torch

from ...observables.pauli import Hermitian, PauliSum

__all__ = ["hermitian_expectation", "pauli_expectation", "wide_sum"]


def _grouped(num_qubits: int, axes: list[int]) -> tuple[list[int], list[int]]:
    """Shape (B omitted) isolating sorted ``axes`` and the positions of those axes in it."""
    shape: list[int] = []
    where: list[int] = []
    prev = 0
    for a in sorted(axes):
        shape.append(1 << (a - prev))
        shape.append(2)
        where.append(len(shape))  # +1 for batch dim below
        prev = a + 1
    shape.append(1 << (num_qubits - prev))
    return shape, where


def _compiled(psi: torch.Tensor) -> bool:
    """Whether the compiled CPU kernels take a Pauli sum on ``psi`` (CPU, no autograd, not forced off)."""
    from .engine import forced_kernels
    from .native import native_available

    return (psi.device.type == "cpu" and not psi.requires_grad and forced_kernels() != "torch"
            and native_available())


def pauli_expectation(psi: torch.Tensor, num_qubits: int, obs: PauliSum) -> torch.Tensor:
    """⟨ψ|H|ψ⟩ for each of the B states.

    On the CPU without autograd every term goes into one compiled pass over ψ (:func:`.native.pauli_dots`, sums
    in double precision). Otherwise terms sharing their X/Y support share one flipped copy of ψ.
    """
    b = psi.shape[0]
    real = torch.float64 if psi.dtype == torch.complex128 else torch.float32
    if _compiled(psi) and obs.terms:
        from .native import pauli_dots

        coefs: dict[tuple[int, int], complex] = {}
        for t in obs.terms:
            x, z, phase = t.masks(num_qubits)
            coefs[(x, z)] = coefs.get((x, z), 0) + t.coeff * phase
        masks = list(coefs)
        dots = pauli_dots(psi, num_qubits, masks, np.array([coefs[m] for m in masks]))
        return torch.from_numpy(dots.real.copy()).to(device=psi.device, dtype=real)
    # partial sums over many amplitudes accumulate in double precision (see wide_sum)
    total = torch.zeros(b, dtype=torch.float64, device=psi.device)
    groups: dict[tuple[int, ...], list] = defaultdict(list)
    for t in obs.terms:
        flips = tuple(q for q, p in t.ops if p in "XY")
        groups[flips].append(t)
    for flips, terms in groups.items():
        if len(flips) == 1:  # w[x] = conj(ψ[x ⊕ q]) ψ[x] from the two halves, without a flipped copy
            q = flips[0]
            v = psi.reshape(b, 1 << q, 2, -1)
            if psi.requires_grad:
                w0 = v[:, :, 1].conj() * v[:, :, 0]
                w = torch.stack([w0, w0.conj()], dim=2).reshape(b, -1)
            else:
                w = torch.empty_like(psi)
                wv = w.view(b, 1 << q, 2, -1)
                torch.mul(v[:, :, 1].conj(), v[:, :, 0], out=wv[:, :, 0])
                torch.conj_physical(wv[:, :, 0], out=wv[:, :, 1])
        elif flips:
            shape, where = _grouped(num_qubits, list(flips))
            phi = torch.flip(psi.reshape(b, *shape), dims=where).reshape(b, -1)
            w = torch.conj(phi) * psi
        else:
            w = psi.real.square() + psi.imag.square()
        for t in terms:
            zs = [q for q, p in t.ops if p in "YZ"]
            n_y = sum(1 for _, p in t.ops if p == "Y")
            if zs:
                shape, where = _grouped(num_qubits, zs)
                red = w.reshape(b, *shape)
                keep = set(where)
                sum_dims = [d for d in range(1, len(shape) + 1) if d not in keep]
                red = wide_sum(red, sum_dims)  # (B, 2, …, 2)
                sign = torch.tensor([1.0, -1.0], dtype=torch.float64, device=psi.device)
                for _ in range(len(zs)):
                    red = (red * sign.to(red.dtype)).sum(dim=-1) if red.dim() > 1 else red
                val = red.reshape(b)
            else:
                val = w.sum(dim=1)  # a contiguous full reduction: torch sums it pairwise, accurately
            if n_y:
                val = val * (1j**n_y)
            total = total + t.coeff * (val.real if torch.is_complex(val) else val)
    return total.to(real)


#: Longest run that :func:`wide_sum` lets torch accumulate in the input's precision.
_WIDE_BLOCK = 4096


def wide_sum(t: torch.Tensor, dims: list[int]) -> torch.Tensor:
    """``t.sum(dim=dims)`` with the long runs accumulated in double precision (float64 / complex128).

    torch reduces strided (non-innermost) axes of a float32 tensor with a running float32 sum, whose error grows
    with the length: at 26 qubits a ZZ expectation value came out 1e-3 off. ``sum(dtype=float64)`` fixes that
    but first casts the whole input (a double-size copy of the state, and 20× slower). Here every summed axis
    longer than ``_WIDE_BLOCK`` is split into (blocks, ``_WIDE_BLOCK``): runs of at most ``_WIDE_BLOCK`` are
    summed in the input's precision (a view, no copy), and only the small tensor of block sums is cast and summed
    in double precision.
    """
    wide = torch.complex128 if t.is_complex() else torch.float64
    if not dims:
        return t.to(wide)
    shape: list[int] = []
    runs: list[int] = []
    blocks: list[int] = []
    out_shape = [n for i, n in enumerate(t.shape) if i not in dims]
    budget = _WIDE_BLOCK  # the runs of all summed axes together stay below it, innermost axes first
    plan: dict[int, int] = {}
    for i in sorted(dims, reverse=True):
        n = t.shape[i]
        run = n if n <= budget else budget
        if n % run:
            run = n  # cannot split evenly: one run (only for odd sizes, never for qubit axes)
        plan[i] = run
        budget = max(1, budget // run)
    for i, n in enumerate(t.shape):
        if i in plan and plan[i] < n:
            blocks.append(len(shape))
            runs.append(len(shape) + 1)
            shape += [n // plan[i], plan[i]]
        else:
            if i in plan:
                runs.append(len(shape))
            shape.append(n)
    partial = t.reshape(shape).sum(dim=runs, keepdim=True)
    if blocks:
        partial = partial.to(wide).sum(dim=blocks, keepdim=True)
    return partial.to(wide).reshape(out_shape)


def hermitian_expectation(psi: torch.Tensor, num_qubits: int, obs: Hermitian) -> torch.Tensor:
    """Re Tr(ρ_Q M) with ρ_Q the reduced density matrix of the observable's qubits."""
    b = psi.shape[0]
    qs = list(obs.qubits)
    k = len(qs)
    shape, where = _grouped(num_qubits, qs)
    axis = dict(zip(sorted(qs), where))
    others = [d for d in range(1, len(shape) + 1) if d not in set(where)]
    x = psi.reshape(b, *shape).permute(0, *[axis[q] for q in qs], *others).reshape(b, 1 << k, -1)
    rho = x @ x.conj().transpose(-1, -2)  # (B, d, d)
    m = obs.matrix.to(dtype=psi.dtype, device=psi.device)
    return torch.einsum("bij,ji->b", rho, m).real
