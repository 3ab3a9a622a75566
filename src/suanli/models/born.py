"""Matrix-product-state Born machine (Han, Wang, Fan, Wang & Zhang, "Unsupervised generative modeling using matrix
product states", Phys. Rev. X 8, 031012 (2018), arXiv:1709.01662).

p(x) = |ψ(x)|² / Z with ψ(x) = A¹[x₁] A²[x₂] ⋯ Aⁿ[xₙ]. Training minimises the negative log-likelihood
NLL = -(1/|T|) Σ_{x∈T} ln p(x) by DMRG-like sweeps: two neighbouring tensors are merged into a bond tensor B,
which takes gradient steps (Z = ‖B‖² because the MPS is kept in mixed-canonical form around B), and is split
again by an SVD that keeps the singular values above ``cutoff`` (relative to the largest) up to ``max_bond``:
the bond dimension adapts to the data. Samples are drawn exactly, one bit after the other, from the
conditional probabilities of the canonical MPS (no Markov chain).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import torch

from ..errors import SuanliError

__all__ = ["BornResult", "MPSBornMachine", "train_born"]

Progress = Callable[[int, int, dict[str, float]], None]


class MPSBornMachine:
    """An MPS over n bits with tensors of shape (D_left, 2, D_right) (float64), trained by two-site sweeps."""

    def __init__(self, n: int, *, bond: int = 2, seed: int = 0) -> None:
        if n < 2:
            raise SuanliError(f"an MPS Born machine needs at least 2 bits, got {n}")
        gen = torch.Generator().manual_seed(seed)
        dims = [1] + [min(bond, 2 ** min(k, n - k)) for k in range(1, n)] + [1]
        self.n = n
        self.tensors = [torch.rand(dims[k], 2, dims[k + 1], generator=gen, dtype=torch.float64) for k in range(n)]
        # right-canonical form, centre at site 0
        for k in range(n - 1, 0, -1):
            a = self.tensors[k]
            q, r = torch.linalg.qr(a.reshape(a.shape[0], -1).T)
            self.tensors[k] = q.T.reshape(-1, 2, a.shape[2])
            self.tensors[k - 1] = torch.einsum("lsr,rq->lsq", self.tensors[k - 1], r.T)
        self.tensors[0] = self.tensors[0] / self.tensors[0].norm()

    @property
    def bond_dimensions(self) -> list[int]:
        return [t.shape[2] for t in self.tensors[:-1]]

    def amplitudes(self, data: torch.Tensor) -> torch.Tensor:
        """ψ(x) for bit rows ``data`` (N, n)."""
        v = torch.ones(data.shape[0], 1, dtype=torch.float64)
        for k, a in enumerate(self.tensors):
            v = torch.einsum("nl,nlr->nr", v, a[:, data[:, k], :].permute(1, 0, 2))
        return v[:, 0]

    def norm2(self) -> torch.Tensor:
        """Z = Σ_x ψ(x)²."""
        e = torch.ones(1, 1, dtype=torch.float64)
        for a in self.tensors:
            e = torch.einsum("ab,asc,bsd->cd", e, a, a)
        return e[0, 0]

    def nll(self, data: torch.Tensor) -> float:
        """Negative log-likelihood (nats per sample) of the bit rows ``data``."""
        psi = self.amplitudes(data)
        return float(-(torch.log(psi**2)).mean() + torch.log(self.norm2()))

    def sweep(self, data: torch.Tensor, *, lr: float, steps: int, cutoff: float, max_bond: int) -> None:
        """One left-to-right and one right-to-left sweep of two-site updates (the centre starts at site 0)."""
        n, m = self.n, data.shape[0]
        # right environments R[k] = A^k[x_k] ⋯ A^{n-1}[x_{n-1}] as (N, D_left(k)) vectors
        right: list[torch.Tensor | None] = [None] * (n + 1)
        right[n] = torch.ones(m, 1, dtype=torch.float64)
        for k in range(n - 1, 0, -1):
            right[k] = torch.einsum("nlr,nr->nl", self.tensors[k][:, data[:, k], :].permute(1, 0, 2), right[k + 1])
        left = torch.ones(m, 1, dtype=torch.float64)
        lefts = [left]
        for k in range(n - 1):  # left to right
            self._update(k, data, lefts[k], right[k + 2], lr, steps, cutoff, max_bond, move_right=True)
            lefts.append(torch.einsum("nl,nlr->nr", lefts[k], self.tensors[k][:, data[:, k], :].permute(1, 0, 2)))
        right = [None] * (n + 1)
        right[n] = torch.ones(m, 1, dtype=torch.float64)
        for k in range(n - 2, -1, -1):  # right to left
            self._update(k, data, lefts[k], right[k + 2], lr, steps, cutoff, max_bond, move_right=False)
            right[k + 1] = torch.einsum(
                "nlr,nr->nl", self.tensors[k + 1][:, data[:, k + 1], :].permute(1, 0, 2), right[k + 2]
            )

    def _update(
        self, k: int, data: torch.Tensor, left: torch.Tensor, right: torch.Tensor | None, lr: float, steps: int,
        cutoff: float, max_bond: int, *, move_right: bool,
    ) -> None:
        assert right is not None
        b = torch.einsum("lsm,mtr->lstr", self.tensors[k], self.tensors[k + 1])
        for _ in range(steps):
            b = b.detach().requires_grad_(True)
            psi = torch.einsum("nl,lnr,nr->n", left, b[:, data[:, k], data[:, k + 1], :], right)
            loss = -(torch.log(psi**2)).mean() + torch.log((b**2).sum())
            (g,) = torch.autograd.grad(loss, b)
            b = (b - lr * g).detach()
            b = b / b.norm()
        dl, dr = b.shape[0], b.shape[3]
        u, s, vh = torch.linalg.svd(b.reshape(dl * 2, 2 * dr), full_matrices=False)
        keep = int((s > cutoff * s[0]).sum().clamp(min=1, max=max_bond))
        u, s, vh = u[:, :keep], s[:keep], vh[:keep]
        s = s / s.norm()
        if move_right:
            self.tensors[k] = u.reshape(dl, 2, keep)
            self.tensors[k + 1] = (torch.diag(s) @ vh).reshape(keep, 2, dr)
        else:
            self.tensors[k] = (u @ torch.diag(s)).reshape(dl, 2, keep)
            self.tensors[k + 1] = vh.reshape(keep, 2, dr)

    def sample(self, count: int, seed: int = 0) -> np.ndarray:
        """Exact samples (count, n) uint8 from p(x) = ψ(x)²/Z (the MPS must have its centre at site 0)."""
        rng = np.random.default_rng(seed)
        out = np.zeros((count, self.n), dtype=np.uint8)
        v = torch.ones(count, 1, dtype=torch.float64)
        for k, a in enumerate(self.tensors):
            cand = torch.einsum("nl,lsr->nsr", v, a)  # (N, 2, D)
            p = (cand**2).sum(-1)
            p1 = (p[:, 1] / p.sum(-1)).numpy()
            bits = (rng.random(count) < p1).astype(np.uint8)
            out[:, k] = bits
            v = cand[torch.arange(count), torch.as_tensor(bits, dtype=torch.long)]
            v = v / v.norm(dim=1, keepdim=True)
        return out


@dataclass(frozen=True)
class BornResult:
    """NLL (nats/sample) versus the maximal bond dimension, the ideal NLL ln |T| and sample quality."""

    data: str
    num_bits: int
    num_samples: int
    max_bonds: list[int]
    nll: list[float]
    reached_bonds: list[int]
    ideal_nll: float
    valid_fraction: list[float]
    seconds: float
    seed: int
    history: dict[str, list[float]] = field(repr=False)

    def __post_init__(self) -> None:
        if len(self.nll) != len(self.max_bonds):
            raise SuanliError("one NLL per bond dimension is expected")

    def metrics(self) -> dict[str, Any]:
        return {
            "model": "mps_born_machine",
            "data": self.data,
            "num_bits": self.num_bits,
            "training_samples": self.num_samples,
            "max_bonds": self.max_bonds,
            "nll": self.nll,
            "reached_bonds": self.reached_bonds,
            "ideal_nll": self.ideal_nll,
            "valid_fraction": self.valid_fraction,
            "seconds": self.seconds,
            "seed": self.seed,
        }


def train_born(
    *,
    data: str = "bas",
    rows: int = 4,
    cols: int = 4,
    max_bonds: tuple[int, ...] = (2, 4, 8, 16),
    sweeps: int = 4,
    lr: float = 0.05,
    steps_per_bond: int = 2,
    cutoff: float = 1e-7,
    digits: int = 200,
    shots: int = 2000,
    seed: int = 0,
    progress: Progress | None = None,
) -> BornResult:
    """Train one MPS Born machine per maximal bond dimension; report the training NLL of each.

    Args:
        data: ``"bas"`` (bars and stripes rows×cols) or ``"digits"`` (the first ``digits`` binarised 8×8 digits).
        max_bonds: maximal bond dimensions to try.
        sweeps: two-way sweeps per model.
        lr: gradient step on the bond tensor; steps_per_bond: steps per visit.
        cutoff: relative singular-value cutoff of the adaptive truncation.
        shots: exact samples drawn to measure the fraction that lies in the training set.
        seed: seeds the initial tensors and the samples.
        progress: optional callback ``progress(done, total, {"nll": …})`` over sweeps of all models.
    """
    from .datasets import bars_and_stripes, binarized_digits

    if data == "bas":
        bits = bars_and_stripes(rows, cols)
    elif data == "digits":
        bits = np.unique(binarized_digits()[:digits], axis=0)
    else:
        raise SuanliError(f"data must be 'bas' or 'digits', got {data!r}")
    if sweeps < 1 or not max_bonds or min(max_bonds) < 1:
        raise SuanliError("sweeps and every max bond must be at least 1")
    t = torch.as_tensor(bits.astype(np.int64))
    train_set = {r.tobytes() for r in bits}
    nlls, reached, valid = [], [], []
    history: dict[str, list[float]] = {"nll": []}
    total = sweeps * len(max_bonds)
    done = 0
    t0 = time.perf_counter()
    for d in max_bonds:
        mps = MPSBornMachine(bits.shape[1], bond=2, seed=seed)
        for _ in range(sweeps):
            mps.sweep(t, lr=lr, steps=steps_per_bond, cutoff=cutoff, max_bond=d)
            nll = mps.nll(t)
            history["nll"].append(nll)
            done += 1
            if progress is not None:
                progress(done, total, {"max_bond": float(d), "nll": nll})
        nlls.append(mps.nll(t))
        reached.append(max(mps.bond_dimensions))
        samples = mps.sample(shots, seed=seed)
        valid.append(float(np.mean([s.tobytes() in train_set for s in samples])))
    return BornResult(
        data=data,
        num_bits=bits.shape[1],
        num_samples=len(bits),
        max_bonds=list(max_bonds),
        nll=nlls,
        reached_bonds=reached,
        ideal_nll=math.log(len(bits)),
        valid_fraction=valid,
        seconds=time.perf_counter() - t0,
        seed=seed,
        history=history,
    )
