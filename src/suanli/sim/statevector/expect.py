"""Expectation values of Pauli sums and dense Hermitian observables on canonical states (B, 2**n)."""

from __future__ import annotations

from collections import defaultdict

import torch

from ...observables.pauli import Hermitian, PauliSum

__all__ = ["hermitian_expectation", "pauli_expectation"]


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


def pauli_expectation(psi: torch.Tensor, num_qubits: int, obs: PauliSum) -> torch.Tensor:
    """⟨ψ|H|ψ⟩ for each of the B states; terms sharing their X/Y support share one flipped copy of ψ."""
    b = psi.shape[0]
    real = torch.float64 if psi.dtype == torch.complex128 else torch.float32
    total = torch.zeros(b, dtype=real, device=psi.device)
    groups: dict[tuple[int, ...], list] = defaultdict(list)
    for t in obs.terms:
        flips = tuple(q for q, p in t.ops if p in "XY")
        groups[flips].append(t)
    for flips, terms in groups.items():
        if flips:
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
                red = red.sum(dim=sum_dims)  # (B, 2, …, 2)
                sign = torch.tensor([1.0, -1.0], dtype=real, device=psi.device)
                for _ in range(len(zs)):
                    red = (red * sign.to(red.dtype)).sum(dim=-1) if red.dim() > 1 else red
                val = red.reshape(b)
            else:
                val = w.sum(dim=1)
            if n_y:
                val = val * (1j**n_y)
            total = total + t.coeff * (val.real if torch.is_complex(val) else val)
    return total


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
