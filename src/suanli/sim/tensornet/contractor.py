"""Pairwise contraction of a cotengra tree in torch with few copies (the default engine of :func:`contract`).

cotengra's own executor calls ``tensordot``/``einsum`` per step: each permutes both operands into a fresh
buffer, multiplies, and permutes the result again into the index order the tree names. On the CPU the large
tensors of a circuit network (2^25 to 2^30 elements, every axis of length 2) make those permutations the
bulk of the time: torch's strided copy reads one element per cache line once the fastest axes move, and every
new buffer is paged in afresh. Here each step

* keeps its result in the order the multiplication produces (batch, left, right) instead of the tree's order,
  and the next step uses an operand as it lies whenever its indices already form the blocks the product needs
  (either side of the product may be read transposed, so both block orders do);
* permutes the operands that do need it with the compiled tiled copy (:func:`suanli.sim.statevector.native.
  permute`, CPU) or torch (other devices), into reused buffers;
* multiplies with ``torch.mm(out=...)`` per batch entry (few, large products) or ``torch.bmm`` (many, small),
  writing into a buffer from a pool that lives across the slices of one contraction, so that after the first
  slice no large buffer is allocated or paged in again.

The result equals cotengra's up to the rounding of the products (the same multiply-adds in another order).
"""

from __future__ import annotations

from collections.abc import Sequence
from math import prod
from typing import Any

import torch

from .network import _einsum

__all__ = ["BufferPool", "contract_slice"]

#: Tensors of fewer elements are allocated by torch as usual (the pool is for the large ones).
POOL_MIN_ELEMENTS = 1 << 15
#: Products with at most LOOP_MAX_BATCH batch entries of at least LOOP_MIN_WORK multiply-adds each run as one
#: ``mm`` per entry (no batched-call overheads, results written in place); the others as one ``bmm``.
LOOP_MAX_BATCH = 16
LOOP_MIN_WORK = 1 << 16


class BufferPool:
    """Free buffers by (dtype, device), handed out again for tensors of the same or a somewhat smaller size.

    A request takes the smallest free buffer of at least its size and at most four times it (a view of its
    start), else a new one, so what the pool holds stays close to the largest set of tensors alive at once.
    """

    def __init__(self) -> None:
        self._free: dict[tuple[torch.dtype, torch.device], list[torch.Tensor]] = {}
        self._base: dict[int, torch.Tensor] = {}  # data pointer -> the whole buffer, for buffers handed out
        self._free_ptrs: set[int] = set()

    def empty(self, shape: Sequence[int], dtype: torch.dtype, device: torch.device) -> torch.Tensor:
        numel = prod(shape)
        if numel < POOL_MIN_ELEMENTS:
            return torch.empty(tuple(shape), dtype=dtype, device=device)
        free = self._free.setdefault((dtype, device), [])
        fits = [k for k, b in enumerate(free) if numel <= b.numel() <= 4 * numel]
        if fits:
            buf = free.pop(min(fits, key=lambda k: free[k].numel()))
            self._free_ptrs.discard(buf.data_ptr())
        else:
            try:
                buf = torch.empty(numel, dtype=dtype, device=device)
            except RuntimeError:  # out of memory: drop what is free and try once more
                self.clear()
                buf = torch.empty(numel, dtype=dtype, device=device)
        self._base[buf.data_ptr()] = buf
        return buf[:numel].view(tuple(shape))

    def give(self, t: torch.Tensor) -> None:
        """Return ``t``'s buffer (only buffers from :meth:`empty` are kept; anything else is ignored)."""
        ptr = t.data_ptr()
        base = self._base.get(ptr)
        if base is not None and ptr not in self._free_ptrs:
            self._free_ptrs.add(ptr)
            self._free.setdefault((base.dtype, base.device), []).append(base)

    def disown(self, t: torch.Tensor) -> None:
        """Forget ``t``'s buffer (a result leaving the executor): it is not kept or handed out again."""
        self._base.pop(t.data_ptr(), None)

    def clear(self) -> None:
        for bufs in self._free.values():
            for b in bufs:
                self._base.pop(b.data_ptr(), None)
        self._free.clear()
        self._free_ptrs.clear()

    @property
    def free_bytes(self) -> int:
        return sum(b.numel() * b.element_size() for bufs in self._free.values() for b in bufs)


def _native_permute() -> Any:
    from suanli.sim.statevector import native

    return native.permute if native.native_available() else None


def _permuted(t: torch.Tensor, inds: tuple[str, ...], want: tuple[str, ...], pool: BufferPool) -> torch.Tensor:
    """``t`` (indices ``inds``) with its axes in the order ``want``, contiguous (``t`` itself when it is)."""
    if inds == want and t.is_contiguous():
        return t
    dims = [inds.index(ix) for ix in want]
    out = pool.empty([t.shape[d] for d in dims], t.dtype, t.device)
    if t.device.type == "cpu" and t.numel() >= POOL_MIN_ELEMENTS and t.is_contiguous():
        fn = _native_permute()
        if fn is not None and not (t.is_conj() or t.is_neg()):
            return fn(t, dims, out=out)
    out.copy_(t.permute(dims))
    return out


def _sum_out(t: torch.Tensor, inds: tuple[str, ...], drop: set[str]) -> tuple[torch.Tensor, tuple[str, ...]]:
    if not drop:
        return t, inds
    axes = [k for k, ix in enumerate(inds) if ix in drop]
    return t.sum(dim=axes), tuple(ix for ix in inds if ix not in drop)


def _split(
    inds: tuple[str, ...], batch: list[str], first: list[str], second: list[str]
) -> tuple[list[str], list[str]] | None:
    """When ``inds`` is batch, then the indices of ``first`` and then those of ``second`` (each group in any
    order): the two groups in the order they lie; else None."""
    nb, nf = len(batch), len(first)
    if list(inds[:nb]) != batch:
        return None
    one, two = list(inds[nb:nb + nf]), list(inds[nb + nf:])
    return (one, two) if set(one) == set(first) and set(two) == set(second) else None


def _pair(
    a: torch.Tensor, ai: tuple[str, ...], b: torch.Tensor, bi: tuple[str, ...], keep: set[str], pool: BufferPool,
) -> tuple[torch.Tensor, tuple[str, ...], list[torch.Tensor]]:
    """Contract two tensors, keeping the indices in ``keep``; (result, its indices, temporaries to pool)."""
    aset, bset = set(ai), set(bi)
    a, ai = _sum_out(a, ai, {ix for ix in ai if ix not in bset and ix not in keep})
    b, bi = _sum_out(b, bi, {ix for ix in bi if ix not in aset and ix not in keep})
    if b.numel() > a.numel():  # the larger operand sets the orders, so it moves as rarely as possible
        a, ai, b, bi = b, bi, a, ai
        aset, bset = bset, aset
    batch = [ix for ix in ai if ix in bset and ix in keep]
    con = [ix for ix in ai if ix in bset and ix not in keep]
    ka = [ix for ix in ai if ix not in bset]
    kb = [ix for ix in bi if ix not in aset]
    temps: list[torch.Tensor] = []

    # the large operand: used as it lies when its indices form the blocks (batch, ka, con) or (batch, con, ka),
    # its own orders adopted
    la = None
    if a.is_contiguous():
        if (got := _split(ai, batch, ka, con)) is not None:
            (ka, con), la = got, "N"
        elif (got := _split(ai, batch, con, ka)) is not None:
            (con, ka), la = got, "T"
    if la is None:
        want = (*batch, *ka, *con)
        moved = _permuted(a, ai, want, pool)
        if moved is not a:
            temps.append(moved)
        a, ai, la = moved, want, "N"
    # the small operand: batch and contracted orders as in the large one; stored (batch, kb, con) or
    # (batch, con, kb) (b_kn: a (K, Mb) matrix per batch entry)
    b_kn = None
    if b.is_contiguous():
        got = _split(bi, batch, kb, con)
        if got is not None and got[1] == con:
            kb, b_kn = got[0], False
        elif (got := _split(bi, batch, con, kb)) is not None and got[0] == con:
            kb, b_kn = got[1], True
    if b_kn is None:
        want = (*batch, *con, *kb)
        moved = _permuted(b, bi, want, pool)
        if moved is not b:
            temps.append(moved)
        b, bi, b_kn = moved, want, True

    size = dict(zip(ai, a.shape)) | dict(zip(bi, b.shape))
    nbatch = prod(size[ix] for ix in batch)
    m, k, n = prod(size[ix] for ix in ka), prod(size[ix] for ix in con), prod(size[ix] for ix in kb)
    am = a.reshape(nbatch, m, k) if la == "N" else a.reshape(nbatch, k, m).transpose(1, 2)
    bm = b.reshape(nbatch, k, n) if b_kn else b.reshape(nbatch, n, k).transpose(1, 2)
    out = pool.empty((nbatch, m, n), torch.promote_types(a.dtype, b.dtype), a.device)
    if nbatch <= LOOP_MAX_BATCH and m * n * k >= LOOP_MIN_WORK:
        for i in range(nbatch):
            torch.mm(am[i], bm[i], out=out[i])
    else:
        torch.bmm(am, bm, out=out)
    inds = (*batch, *ka, *kb)
    return out.view([size[ix] for ix in inds]), inds, temps


def contract_slice(tree: Any, arrays: Sequence[torch.Tensor], i: int | None, pool: BufferPool) -> torch.Tensor:
    """Contract slice ``i`` of ``tree`` (None: an unsliced tree) over ``arrays`` (the network's, unsliced);
    the result's axes follow ``tree.output`` without the sliced indices."""
    sliced = set(tree.sliced_inds)
    if i is not None and tree.nslices > 1:
        arrays = tree.slice_arrays(arrays, i)
    live: dict[Any, tuple[torch.Tensor, tuple[str, ...]]] = {}
    for k, arr in enumerate(arrays):
        node = tree.input_to_node(k)
        legs = tuple(tree.get_inds(node))
        inds = tuple(ix for ix in tree.inputs[k] if ix not in sliced)
        if inds != legs and (len(set(inds)) != len(inds) or set(inds) != set(legs)):
            arr = _einsum([arr], [inds], legs)  # an index summed (or traced) within one input
            inds = legs
        live[node] = (arr, inds)
    if tree.N == 1:
        (arr, inds), = live.values()
    else:
        for p, left, right in tree.traverse():
            (ta, ia), (tb, ib) = live.pop(left), live.pop(right)
            arr, inds, temps = _pair(ta, ia, tb, ib, set(tree.get_inds(p)), pool)
            for t in (*temps, ta, tb):
                pool.give(t)
            live[p] = (arr, inds)
    out = tuple(ix for ix in tree.output if ix not in sliced)
    if inds != out:
        arr = arr.permute([inds.index(ix) for ix in out])
    pool.disown(arr)  # the caller's now: never handed out again, and freed when the caller drops it
    return arr.contiguous()
