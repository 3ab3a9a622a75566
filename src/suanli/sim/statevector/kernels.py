"""The state-vector core: a state tensor and the kernels that apply gates to it, in place.

The state is a complex tensor of shape ``(B, 2**n)`` (``B`` = batch of parameter sets, 1 when unbatched). To
avoid a full-state transpose after every gate on non-adjacent qubits, the tensor's axes may be held in a
permuted order: physical axis ``p`` (0 = most significant) holds qubit ``perm[p]``. A gate whose qubits sit on
adjacent physical axes is one matrix product over a reshaped view; otherwise one copy makes them adjacent (the
longest adjacent run of them stays, the others join it) and the layout stays so, so the next gates on them are
cheap. :meth:`StateVector.canonical` restores the big-endian order (qubit 0 most significant) once, at the end.

Without autograd every kernel writes into one of two preallocated buffers (no new ``2**n`` allocation per
gate); with autograd the same code runs functionally so that gradients flow.
"""

from __future__ import annotations

import itertools
import math

import torch

from ...gates.reorder import reorder_qubits
from .memory import host_copy, host_zeros
from .native import LANES_BITS as NATIVE_LANES_BITS
from .native import MAX_K as NATIVE_MAX_K
from .native import apply_matrix_native, apply_monomial_native
from .triton_kernels import MAX_K as TRITON_MAX_K
from .triton_kernels import apply_diagonal_triton, apply_matrix_triton

__all__ = ["StateVector"]

# Below this many trailing amplitudes per group the k-qubit matrix is widened to act on the group at once
# (one large matrix product instead of many tiny ones).
_KRON_MAX_R = 8
# A single permute-copy handles up to this many runs of axes; more are moved in chunks.
_MAX_RUNS = 12
# Apply monomial gates by a gather (True) or by the dense kernel (False, faster on the CPUs measured so far).
MONOMIAL_GATHER = False
# Diagonal gates on the last this-many axes are expanded to an explicit factor over those axes.
_DIAG_TAIL = 10


def _argsort(xs: list[int]) -> list[int]:
    return sorted(range(len(xs)), key=xs.__getitem__)


def _kron_identity(u: torch.Tensor, r: int) -> torch.Tensor:
    """kron(u, I_r) for a (…, d, d) matrix."""
    d = u.shape[-1]
    eye = torch.eye(r, dtype=u.dtype, device=u.device)
    big = u[..., :, None, :, None] * eye[:, None, :]
    return big.reshape(*u.shape[:-2], d * r, d * r)


class StateVector:
    """A batch of ``n``-qubit pure states with lazily permuted axes.

    Args:
        num_qubits: n.
        batch: number of states B.
        dtype: complex64 or complex128.
        device: torch device.
        inplace: write into preallocated buffers (no autograd); else functional (autograd works).
        data: optional initial amplitudes of shape (B, 2**n) in canonical order (copied); default |0…0>.
        kernels: ``"torch"`` (matrix products over reshaped views), ``"triton"`` (one-pass in-place Triton
            kernels on any qubits, no axis moves; needs ``inplace`` and a CUDA device or Triton's interpreter) or
            ``"native"`` (the compiled one-pass in-place CPU kernel of :mod:`.native`; needs ``inplace`` and a
            CPU tensor). Gates the fast paths do not take (too wide, or a state too small for a tile) run on
            the torch kernels.
    """

    def __init__(
        self,
        num_qubits: int,
        *,
        batch: int = 1,
        dtype: torch.dtype = torch.complex64,
        device: torch.device | str = "cpu",
        inplace: bool = True,
        data: torch.Tensor | None = None,
        kernels: str = "torch",
    ) -> None:
        if kernels not in ("torch", "triton", "native"):
            raise ValueError(f"kernels must be 'torch', 'triton' or 'native', got {kernels!r}")
        if kernels != "torch" and not inplace:
            raise ValueError(f"the {kernels} kernels work in place; autograd needs kernels='torch'")
        self.kernels = kernels
        self.n = num_qubits
        self.batch = batch
        self.dtype = dtype
        self.device = torch.device(device)
        self.inplace = inplace
        if data is None:
            self.data = host_zeros((batch, 1 << num_qubits), dtype, self.device)
            self.data[:, 0] = 1
        else:
            self.data = host_copy(data.reshape(batch, 1 << num_qubits).to(dtype=dtype, device=self.device))
        self._spare: torch.Tensor | None = None
        self.perm = list(range(num_qubits))  # physical axis -> qubit
        self.pos = list(range(num_qubits))  # qubit -> physical axis

    # ------------------------------------------------------------------------------------------------------
    def clone(self) -> StateVector:
        """An independent copy (same layout)."""
        new = StateVector.__new__(StateVector)
        new.n, new.batch, new.dtype, new.device, new.inplace = self.n, self.batch, self.dtype, self.device, self.inplace
        new.kernels = self.kernels
        new.data = host_copy(self.data)
        new._spare = None
        new.perm = list(self.perm)
        new.pos = list(self.pos)
        return new

    def _native_takes(self, k: int) -> bool:
        """Whether the compiled CPU kernel takes a k-qubit gate here (else the torch kernels do)."""
        return self.kernels == "native" and k <= NATIVE_MAX_K and self.n >= k + NATIVE_LANES_BITS

    def _spare_buffer(self) -> torch.Tensor:
        if self._spare is None:
            self._spare = host_zeros(tuple(self.data.shape), self.dtype, self.device)
        return self._spare

    def _swap_buffers(self) -> None:
        self.data, self._spare = self._spare, self.data  # type: ignore[assignment]

    def _grouped_shape(self, special: list[int]) -> list[int]:
        """Shape (B, G0, 2, G1, 2, …, Gk) isolating the sorted physical axes ``special``."""
        shape = [self.batch]
        prev = 0
        for p in special:
            shape.append(1 << (p - prev))
            shape.append(2)
            prev = p + 1
        shape.append(1 << (self.n - prev))
        return shape

    # ------------------------------------------------------------------------------------------------------
    # gates
    # ------------------------------------------------------------------------------------------------------
    def apply_diagonal(self, diag: torch.Tensor, qubits: tuple[int, ...]) -> None:
        """Multiply by a diagonal gate given as its diagonal (d,) or (B, d), in the gate's qubit order.

        The diagonal is broadcast over the state in place. Targets among the last axes are folded into one
        small explicit factor over the trailing ``2**_DIAG_TAIL`` amplitudes, so that the innermost loop of
        the multiplication stays long.
        """
        k = len(qubits)
        pos = [self.pos[q] for q in qubits]
        if self.kernels == "triton":
            apply_diagonal_triton(self.data, self.n, diag, pos)
            return
        batched = diag.dim() == 2
        nb = diag.shape[0] if batched else 1
        cut = max(0, self.n - _DIAG_TAIL)
        head = sorted((p, i) for i, p in enumerate(pos) if p < cut)
        tail = sorted((p, i) for i, p in enumerate(pos) if p >= cut)
        d = diag.reshape(nb, *([2] * k)).permute(0, *[1 + i for _, i in head], *[1 + i for _, i in tail])
        tail_len = 1 << (self.n - cut)
        if tail:
            tail_set = {p for p, _ in tail}
            shape = [nb] + [2] * len(head) + [2 if a in tail_set else 1 for a in range(cut, self.n)]
            full = [nb] + [2] * len(head) + [2] * (self.n - cut)
            d = d.reshape(shape).expand(full).reshape(nb, *([2] * len(head)), tail_len)
        else:
            d = d.reshape(nb, *([2] * len(head)), 1)
        special = [p for p, _ in head]
        xshape = self._grouped_shape(special)
        last = xshape.pop()
        xshape += [last // tail_len, tail_len]
        dshape = [nb] + [1] * (len(xshape) - 1)
        for j in range(len(head)):
            dshape[2 + 2 * j] = 2
        dshape[-1] = tail_len if tail else 1
        d = d.reshape(dshape)
        x = self.data.view(xshape)
        if self.inplace:
            x.mul_(d)
        else:
            self.data = (x * d).reshape(self.batch, -1)

    def apply_matrix(self, u: torch.Tensor, qubits: tuple[int, ...]) -> None:
        """Apply a k-qubit unitary ``u`` of shape (d, d) or (B, d, d) to ``qubits`` (gate order)."""
        k = len(qubits)
        pos = [self.pos[q] for q in qubits]
        if self.kernels == "triton" and k <= TRITON_MAX_K:
            apply_matrix_triton(self.data, self.n, u, pos)
            return
        if self._native_takes(k):
            apply_matrix_native(self.data, self.n, u, pos)
            return
        lo, hi = min(pos), max(pos)
        if hi - lo != k - 1:
            self._make_adjacent(list(qubits))
            pos = [self.pos[q] for q in qubits]
            lo = min(pos)
        order = _argsort(pos)
        up = reorder_qubits(u, order)
        self._matmul(up, lo, k)

    def apply_monomial(self, phases: torch.Tensor, perm: torch.Tensor, qubits: tuple[int, ...]) -> None:
        """Apply a monomial k-qubit gate ``out[i] = phases[i] * in[perm[i]]`` (indices in ``qubits`` order).

        The compiled CPU kernel applies it as a permutation pass (no matrix product). On the other paths, with
        ``gather=True`` (see :attr:`MONOMIAL_GATHER`) this is a gather along the gate's axes plus a phase
        multiply; otherwise the dense kernel is used. On this code's CPU measurements torch's strided gathers
        were slower than the dense product for k ≤ 5 (see benchmarks/bandwidth.py), and on a GPU both are
        memory-bound, so the dense kernel is the default there.
        """
        k = len(qubits)
        d = 1 << k
        if self._native_takes(k):
            apply_monomial_native(self.data, self.n, phases, perm, [self.pos[q] for q in qubits])
            return
        if not MONOMIAL_GATHER or self.kernels == "triton":
            dense = torch.zeros(d, d, dtype=self.dtype, device=self.device)
            dense[torch.arange(d, device=self.device), perm.to(self.device)] = phases.to(self.device, self.dtype)
            self.apply_matrix(dense, qubits)
            return
        pos = [self.pos[q] for q in qubits]
        if max(pos) - min(pos) != k - 1:
            self._move_to_end(list(qubits))
            pos = [self.pos[q] for q in qubits]
        order = _argsort(pos)
        if order != list(range(k)):
            # relabel indices from gate order to physical order: new index j is old index idx[j]
            idx = torch.arange(d).reshape([2] * k).permute(order).reshape(d)
            inv = torch.empty_like(idx)
            inv[idx] = torch.arange(d)
            perm = inv[perm.cpu()[idx]]
            phases = phases.reshape([2] * k).permute(order).reshape(d)
        start = min(pos)
        shape = (self.batch, 1 << start, d, 1 << (self.n - start - k))
        perm = perm.to(self.device)
        x = self.data.view(shape)
        trivial = bool(torch.all(phases == 1))
        ph = None if trivial else phases.to(self.device, self.dtype).view(1, 1, d, 1)
        if self.inplace:
            out = self._spare_buffer().view(shape)
            torch.index_select(x, 2, perm, out=out)
            if ph is not None:
                out.mul_(ph)
            self._swap_buffers()
        else:
            y = torch.index_select(x, 2, perm)
            self.data = (y if ph is None else y * ph).reshape(self.batch, -1)

    def _matmul(self, u: torch.Tensor, start: int, k: int) -> None:
        """y = (I_L ⊗ u ⊗ I_R) x for the contiguous physical axes [start, start+k)."""
        b, d = self.batch, 1 << k
        left = 1 << start
        right = 1 << (self.n - start - k)
        batched = u.dim() == 3
        x = self.data
        if right == 1:
            lhs, rhs = x.view(b, left, d), u.transpose(-1, -2)
            shape: tuple[int, ...] = (b, left, d)
        elif left == 1:
            lhs, rhs = u, x.view(b, d, right)
            shape = (b, d, right)
        elif right <= _KRON_MAX_R:
            lhs, rhs = x.view(b, left, d * right), _kron_identity(u, right).transpose(-1, -2)
            shape = (b, left, d * right)
        else:
            lhs, rhs = (u[:, None] if batched else u), x.view(b, left, d, right)
            shape = (b, left, d, right)
        if self.inplace:
            out = self._spare_buffer()
            torch.matmul(lhs, rhs, out=out.view(shape))
            self._swap_buffers()
        else:
            self.data = torch.matmul(lhs, rhs).reshape(b, -1)

    def _permute(self, shape: list[int], dims: list[int]) -> None:
        """Reorder the state's axes: view as ``shape``, permute by ``dims``, one copy into the spare buffer."""
        src = self.data.view(shape).permute(dims)
        if self.inplace:
            out = self._spare_buffer()
            out.view(src.shape).copy_(src)
            self._swap_buffers()
        else:
            self.data = src.reshape(self.batch, -1)

    def _make_adjacent(self, qubits: list[int]) -> None:
        """Make ``qubits`` occupy adjacent physical axes with one copy, moving as few of them as possible.

        The longest run of them that is already adjacent stays; the others are taken out and put next to it,
        those with a smaller qubit index before it and the rest after it. The layout so stays close to the
        canonical order, and the following gates are more often adjacent (a CNOT ring's closing block costs one
        move there and one back, not a move per block). Falls back to moving them to the last axes.
        """
        pos = sorted(self.pos[q] for q in qubits)
        best_lo, best_len, run_lo = pos[0], 1, pos[0]
        for a, b in itertools.pairwise(pos):
            if b != a + 1:
                run_lo = b
            if b - run_lo + 1 > best_len:
                best_lo, best_len = run_lo, b - run_lo + 1
        anchor = self.perm[best_lo : best_lo + best_len]
        movers = sorted(q for q in qubits if q not in anchor)
        before = [q for q in movers if q < min(anchor)]
        after = [q for q in movers if q >= min(anchor)]
        rest = [q for q in self.perm if q not in movers]
        i = rest.index(anchor[0])
        new_perm = rest[:i] + before + anchor + after + rest[i + best_len :]
        if not self._relayout(new_perm):
            self._move_to_end(qubits)

    def _relayout(self, new_perm: list[int]) -> bool:
        """Permute the physical axes into ``new_perm`` (physical axis -> qubit) with one copy.

        Consecutive axes that stay consecutive move as one block; returns False (nothing done) when the
        permutation has more than ``_MAX_RUNS`` such blocks.
        """
        runs: list[list[int]] = [[new_perm[0]]]
        for q in new_perm[1:]:
            if self.pos[q] == self.pos[runs[-1][-1]] + 1:
                runs[-1].append(q)
            else:
                runs.append([q])
        if len(runs) > _MAX_RUNS:
            return False
        if len(runs) > 1:
            by_old = sorted(range(len(runs)), key=lambda i: self.pos[runs[i][0]])
            shape = [self.batch] + [1 << len(runs[i]) for i in by_old]
            where = {i: 1 + j for j, i in enumerate(by_old)}
            self._permute(shape, [0] + [where[i] for i in range(len(runs))])
        self.perm = list(new_perm)
        for p, q in enumerate(self.perm):
            self.pos[q] = p
        return True

    def _move_to_end(self, qubits: list[int]) -> None:
        """Permute physical axes so that ``qubits`` become the last axes, in the given order (one copy)."""
        pos = [self.pos[q] for q in qubits]
        special = sorted(pos)
        shape = self._grouped_shape(special)
        k = len(special)
        groups = [1 + 2 * i for i in range(k + 1)]  # G0..Gk dims
        axis_of = {p: 2 + 2 * i for i, p in enumerate(special)}
        dims = [0, *groups, *[axis_of[p] for p in pos]]
        self._permute(shape, dims)
        moved = set(qubits)
        self.perm = [q for q in self.perm if q not in moved] + list(qubits)
        for p, q in enumerate(self.perm):
            self.pos[q] = p

    def scale(self, factor: complex | torch.Tensor) -> None:
        """Multiply by a scalar (e.g. a global phase)."""
        if self.inplace:
            self.data.mul_(factor)
        else:
            self.data = self.data * factor

    # ------------------------------------------------------------------------------------------------------
    # measurement support (no autograd; batch entries are measured independently)
    # ------------------------------------------------------------------------------------------------------
    def _qubit_view(self, qubit: int) -> torch.Tensor:
        shape = self._grouped_shape([self.pos[qubit]])
        return self.data.view(shape)

    def prob_one(self, qubit: int) -> torch.Tensor:
        """Probability (per batch entry, shape (B,)) that ``qubit`` reads 1; the state need not be normalised."""
        x = self._qubit_view(qubit)
        p1 = torch.linalg.vector_norm(x[:, :, 1, :], dim=(1, 2)) ** 2
        total = torch.linalg.vector_norm(self.data, dim=1) ** 2
        return (p1 / total).real

    def collapse(self, qubit: int, outcome: int, prob: float) -> None:
        """Project ``qubit`` onto ``outcome`` (which had probability ``prob``) and renormalise."""
        x = self._qubit_view(qubit)
        x[:, :, 1 - outcome, :].zero_()
        if prob > 0:
            x[:, :, outcome, :].mul_(1.0 / math.sqrt(prob))

    def flip(self, qubit: int) -> None:
        """Apply X to ``qubit`` by exchanging its two halves."""
        x = self._qubit_view(qubit)
        tmp = x[:, :, 0, :].clone()
        x[:, :, 0, :].copy_(x[:, :, 1, :])
        x[:, :, 1, :].copy_(tmp)

    # ------------------------------------------------------------------------------------------------------
    def canonical(self) -> torch.Tensor:
        """The amplitudes in canonical big-endian order, shape (B, 2**n); restores the layout in place."""
        if self.perm == list(range(self.n)):
            return self.data
        if self._relayout(list(range(self.n))):  # one copy when the layout has few runs
            return self.data
        chunk = 6
        for s in range(0, self.n, chunk):
            self._move_to_end(list(range(s, min(s + chunk, self.n))))
        return self.data

    def release(self) -> None:
        """Drop the spare buffer (frees memory once no more gates come)."""
        self._spare = None
