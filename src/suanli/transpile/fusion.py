"""Gate fusion: merge runs of gates into k-qubit blocks so that a circuit needs fewer passes over the state.

A dense pass over an n-qubit state reads and writes all 2**n amplitudes, whatever the gate, so the time of a
memory-bound simulation is (number of passes) × (bytes per pass) / bandwidth. Fusion cuts the number of passes:
consecutive gates whose qubits fit in ``max_qubits`` are multiplied into one 2**k × 2**k matrix, applied once.

The pass is a greedy frontier fusion, the same idea as qsim's and Aer's: every qubit has at most one *open*
block (the last block that touched it). A new gate joins the open blocks it touches when their qubits together
with its own fit in ``max_qubits``; otherwise the largest of those blocks are closed (emitted) until the rest
fits. Gates on disjoint qubits commute, so open blocks on disjoint qubits may be emitted in any order, and a
block is emitted only after every block it depends on. A closed block still takes a later gate whose qubits it
holds and that nothing since has touched (the gate commutes with every block emitted after it): a rotation
layer after a CNOT chain joins the chain's blocks instead of running as blocks of its own. Measurements, resets
and classically conditioned operations are boundaries: the blocks on their qubits are closed first, and they
pass through unchanged.

Each fused block is classified for the cheapest kernel:

* ``diagonal`` — every gate in it is diagonal (phases only: one multiply pass, no matrix product);
* ``monomial`` — one non-zero per row, e.g. products of X, CX, SWAP, Toffoli and phases (a gather, no
  arithmetic beyond the phases);
* ``matrix`` — anything else (dense 2**k × 2**k product).

Blocks whose matrices are constant (no autograd, no parameter batch) are multiplied on the host in double
precision with NumPy; blocks with tensor parameters are multiplied with torch so that gradients flow and a
leading batch dimension broadcasts.

Examples:
    >>> import torch
    >>> from suanli.transpile.fusion import GateItem, fuse
    >>> h = torch.tensor([[1, 1], [1, -1]], dtype=torch.complex128) / 2**0.5
    >>> cz = torch.tensor([1, 1, 1, -1], dtype=torch.complex128)
    >>> items = [GateItem("matrix", (0,), h), GateItem("matrix", (1,), h), GateItem("diagonal", (0, 1), cz)]
    >>> [(b.kind, b.qubits, b.num_gates) for b in fuse(items, max_qubits=2)]
    [('matrix', (0, 1), 3)]
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import numpy as np
import torch

from ..errors import SuanliError
from ..gates.reorder import reorder_qubits

__all__ = ["FusedBlock", "FusionStats", "GateItem", "fuse", "fusion_stats"]

#: Entries smaller than this (relative to 1) are treated as exact zeros when a constant block is classified.
ZERO_TOL = 1e-13
_GATE_KINDS = ("matrix", "diagonal")


@dataclass
class GateItem:
    """One gate for the fusion pass: ``kind`` is ``matrix`` (``tensor`` is (d, d) or (B, d, d)) or ``diagonal``
    (``tensor`` is the diagonal, (d,) or (B, d)); any other kind (or a set ``condition``) is a boundary.

    ``payload`` is handed back untouched for boundaries (the caller's own operation object).
    """

    kind: str
    qubits: tuple[int, ...]
    tensor: torch.Tensor | None = None
    condition: Any = None
    payload: Any = None

    @property
    def is_gate(self) -> bool:
        return self.kind in _GATE_KINDS and self.condition is None and self.tensor is not None


@dataclass
class FusedBlock:
    """A fused block of gates, or a boundary passed through (``kind == "boundary"``, see ``payload``).

    Attributes:
        kind: ``matrix``, ``diagonal``, ``monomial`` or ``boundary``.
        qubits: the block's qubits; the matrix's first qubit is the most significant bit of its row index.
        tensor: ``matrix``: (d, d) or (B, d, d); ``diagonal``: (d,) or (B, d); ``monomial``: the phases (d,).
        perm: ``monomial`` only: ``out[i] = tensor[i] * in[perm[i]]`` (int64, (d,)).
        num_gates: how many gates were fused into it.
        payload: the boundary's own object.
    """

    kind: str
    qubits: tuple[int, ...]
    tensor: torch.Tensor | None = None
    perm: torch.Tensor | None = None
    num_gates: int = 0
    payload: Any = None


@dataclass
class _Open:
    qubits: list[int]
    gates: list[GateItem] = field(default_factory=list)


def fuse(items: Iterable[GateItem], max_qubits: int, *, classify: bool = True) -> list[FusedBlock]:
    """Fuse gates into blocks of at most ``max_qubits`` qubits (see the module docstring).

    Args:
        items: the operations in circuit order.
        max_qubits: the largest block (1 keeps gates apart but still merges runs of gates on one qubit).
            Gates wider than this stay alone.
        classify: detect ``monomial`` blocks and constant blocks that turned out diagonal; drop identities.

    Returns:
        The blocks in an order that respects every dependency of the input.
    """
    if not isinstance(max_qubits, int) or max_qubits < 1:
        raise SuanliError(f"max_qubits must be a positive integer, got {max_qubits!r}")
    out: list[FusedBlock | _Open] = []
    open_of: dict[int, _Open] = {}
    # The newest block on each qubit (None after a boundary or a lone wide gate). A closed block that is still
    # the newest on every qubit of a gate takes that gate too: nothing after the block touches those qubits, so
    # the gate commutes with everything emitted since (a rotation layer after a CNOT chain joins the chain's
    # blocks instead of running alone).
    last_of: dict[int, _Open | None] = {}
    closed: set[int] = set()

    def close(block: _Open) -> None:
        for q in block.qubits:
            if open_of.get(q) is block:
                del open_of[q]
        closed.add(id(block))
        out.append(block)

    def touching(qubits: Sequence[int]) -> list[_Open]:
        seen: dict[int, _Open] = {}
        for q in qubits:
            b = open_of.get(q)
            if b is not None:
                seen[id(b)] = b
        return list(seen.values())

    for item in items:
        if not item.is_gate:
            for b in touching(item.qubits):
                close(b)
            out.append(FusedBlock("boundary", tuple(item.qubits), payload=item.payload))
            for q in item.qubits:
                last_of[q] = None
            continue
        if len(item.qubits) == 1:  # the common case: a one-qubit gate joins the open block on its qubit
            b = open_of.get(item.qubits[0])
            if b is not None:
                b.gates.append(item)
                continue
        qs = list(item.qubits)
        newest = last_of.get(qs[0])
        if newest is not None and id(newest) in closed and all(last_of.get(q) is newest for q in qs):
            newest.gates.append(item)
            continue
        blocks = touching(qs)
        if len(qs) > max_qubits:
            for b in blocks:
                close(b)
            out.append(_single(item))
            for q in qs:
                last_of[q] = None
            continue
        blocks.sort(key=lambda b: len(b.qubits), reverse=True)
        while True:
            union = set(qs).union(*(b.qubits for b in blocks))
            if len(union) <= max_qubits:
                break
            close(blocks.pop(0))
        if len(blocks) == 1 and set(qs) <= set(blocks[0].qubits):
            blocks[0].gates.append(item)
            continue
        merged = _Open(qubits=[], gates=[])
        for b in sorted(blocks, key=lambda b: min(b.qubits)):
            merged.qubits += b.qubits
            merged.gates += b.gates
        merged.qubits += [q for q in qs if q not in merged.qubits]
        merged.gates.append(item)
        for q in merged.qubits:
            open_of[q] = merged
            last_of[q] = merged
    remaining: dict[int, _Open] = {}
    for b in open_of.values():
        remaining[id(b)] = b
    for b in remaining.values():
        close(b)
    blocks_out: list[FusedBlock] = []
    for entry in out:
        if isinstance(entry, _Open):
            fused = _multiply(entry, classify)
            if fused is not None:
                blocks_out.append(fused)
        else:
            blocks_out.append(entry)
    return _pack_disjoint(blocks_out, max_qubits, classify)


def _pack_disjoint(blocks: list[FusedBlock], max_qubits: int, classify: bool) -> list[FusedBlock]:
    """Merge runs of consecutive blocks on disjoint qubits into one block (their tensor product) while the
    qubits fit in ``max_qubits``: a layer of one-qubit gates that nothing joins (the first layer of a circuit,
    or one between gradient points) becomes a few wide passes instead of one pass per qubit. Consecutive
    blocks on disjoint qubits commute, so the merge keeps the order of every dependency."""
    out: list[FusedBlock] = []
    run: list[FusedBlock] = []
    held: set[int] = set()

    def flush() -> None:
        if len(run) == 1:
            out.append(run[0])
        elif run:
            items = [GateItem(b.kind, b.qubits, b.tensor) for b in run]
            merged = _multiply(_Open(qubits=sorted(held), gates=items), classify)
            if merged is not None:
                merged.num_gates = sum(b.num_gates for b in run)
                out.append(merged)
        run.clear()
        held.clear()

    for b in blocks:
        packable = b.kind in _GATE_KINDS and b.tensor is not None
        if packable and held.isdisjoint(b.qubits) and len(held) + len(b.qubits) <= max_qubits:
            run.append(b)
            held.update(b.qubits)
            continue
        flush()
        if packable and len(b.qubits) < max_qubits:
            run.append(b)
            held.update(b.qubits)
        else:
            out.append(b)
    flush()
    return out


def _single(item: GateItem) -> FusedBlock:
    return FusedBlock(item.kind, tuple(item.qubits), item.tensor, num_gates=1)


def _constant(t: torch.Tensor) -> bool:
    return t.device.type == "cpu" and not t.requires_grad


def _multiply(block: _Open, classify: bool) -> FusedBlock | None:
    """The product of a block's gates (later gates to the left)."""
    gates = block.gates
    if len(gates) == 1 and not classify:
        return _single(gates[0])
    qubits = sorted(block.qubits)
    k = len(qubits)
    axis = {q: i for i, q in enumerate(qubits)}
    batched = any(g.tensor.dim() == (1 if g.kind == "diagonal" else 2) + 1 for g in gates)  # type: ignore[union-attr]
    dtype = gates[0].tensor.dtype  # type: ignore[union-attr]
    if all(_constant(g.tensor) for g in gates) and not batched:  # type: ignore[arg-type]
        return _multiply_numpy(gates, qubits, axis, dtype, classify)
    all_diag = all(g.kind == "diagonal" for g in gates)
    if len(gates) == 1 and all_diag == (gates[0].kind == "diagonal") and tuple(gates[0].qubits) == tuple(qubits):
        return _single(gates[0])
    device = gates[0].tensor.device  # type: ignore[union-attr]
    if all_diag:
        diag = torch.ones([2] * k, dtype=dtype, device=device)
        for g in gates:
            diag = diag * _place_diag(g.tensor, [axis[q] for q in g.qubits], k)  # type: ignore[arg-type]
        lead = diag.shape[:-k]
        return FusedBlock("diagonal", tuple(qubits), diag.reshape(*lead, 1 << k), num_gates=len(gates))
    m = torch.eye(1 << k, dtype=dtype, device=device).reshape(*([2] * k), 1 << k)
    for g in gates:
        m = _apply_torch(m, g, [axis[q] for q in g.qubits], k)
    lead = m.shape[: m.dim() - k - 1]
    return FusedBlock("matrix", tuple(qubits), m.reshape(*lead, 1 << k, 1 << k), num_gates=len(gates))


def _place_diag(diag: torch.Tensor, axes: list[int], k: int) -> torch.Tensor:
    """A gate diagonal (…, 2**kg) as a tensor broadcastable to (…, 2, …, 2) over the block's k axes."""
    kg = len(axes)
    lead = list(diag.shape[:-1])
    t = diag.reshape(*lead, *([2] * kg))
    order = sorted(range(kg), key=lambda i: axes[i])
    t = t.permute(*range(len(lead)), *[len(lead) + i for i in order])
    shape = lead + [2 if a in axes else 1 for a in range(k)]
    return t.reshape(shape)


def _apply_torch(m: torch.Tensor, g: GateItem, axes: list[int], k: int) -> torch.Tensor:
    """Apply gate ``g`` to the row axes ``axes`` of a block matrix m of shape (…, 2, …, 2, d)."""
    assert g.tensor is not None
    if g.kind == "diagonal":
        return m * _place_diag(g.tensor, axes, k)[..., None]
    kg = len(axes)
    lead_m = m.dim() - k - 1
    u = g.tensor
    lead_u = u.dim() - 2
    letters = "abcdefghijklmnopqrstuvwxyz"
    rows = letters[:k]
    new = letters[k : k + kg]
    col = "Z"
    ub = "Y" if lead_u else ""
    mb = "Y" if lead_m else ""
    u_sub = ub + "".join(new) + "".join(rows[a] for a in axes)
    m_sub = mb + rows + col
    out_rows = list(rows)
    for j, a in enumerate(axes):
        out_rows[a] = new[j]
    out_sub = ("Y" if (lead_u or lead_m) else "") + "".join(out_rows) + col
    return torch.einsum(f"{u_sub},{m_sub}->{out_sub}", u.reshape(*u.shape[:lead_u], *([2] * (2 * kg))), m)


@lru_cache(maxsize=4096)
def index_orders(k: int, axes: tuple[int, ...]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Index arrays for acting on the block axes ``axes`` (gate order) of a 2**k-dimensional space.

    ``order`` lists the block indices sorted by (gate bits, other bits), so that ``M[order]`` viewed as
    (2**kg, rest) has the gate's index first; ``inverse`` undoes it; ``sub`` is each block index's gate index.
    """
    d = 1 << k
    idx = np.arange(d)
    sub = np.zeros(d, dtype=np.int64)
    for a in axes:
        sub = (sub << 1) | ((idx >> (k - 1 - a)) & 1)
    rest = idx.copy()
    for a in axes:
        rest &= ~(1 << (k - 1 - a))
    order = np.lexsort((rest, sub))
    inverse = np.empty_like(order)
    inverse[order] = idx
    return order, inverse, sub


def _block_native(gates: list[GateItem], k: int, axis: dict[int, int]) -> np.ndarray | None:
    """The block's matrix in double precision from the compiled whole-program kernel, or None where it is not
    available (no compiler, a block wider than it takes, or parameters other than complex64/complex128).

    The identity matrix, row-major, is a state of 2k qubits whose first k qubits are the row index: the gates
    act on those, and the state comes out as the block's matrix.
    """
    from ..sim.statevector.native import PROGRAM_MAX_K, Program, native_available

    dtype = gates[0].tensor.dtype  # type: ignore[union-attr]
    if k > PROGRAM_MAX_K or dtype not in (torch.complex64, torch.complex128) or not native_available():
        return None
    m = torch.eye(1 << k, dtype=torch.complex128)
    ops = [(g.kind, [axis[q] for q in g.qubits], g.tensor, None) for g in gates]
    Program(2 * k, torch.complex128, ops, mats_dtype=dtype).run(m.view(1, -1))
    return m.numpy()


def _block_numpy(gates: list[GateItem], k: int, axis: dict[int, int]) -> np.ndarray:
    """The block's matrix in double precision, gate by gate with NumPy (later gates to the left)."""
    d = 1 << k
    m = np.eye(d, dtype=np.complex128)
    for g in gates:
        axes = tuple(axis[q] for q in g.qubits)
        t = g.tensor.numpy()  # type: ignore[union-attr]
        if g.kind == "diagonal":
            _, _, sub = index_orders(k, axes)
            m *= t[sub][:, None]
            continue
        dg = t.shape[-1]
        lo = min(axes)
        if max(axes) - lo == len(axes) - 1:  # adjacent block axes: one broadcast product over a view
            t = reorder_qubits(t, sorted(range(len(axes)), key=axes.__getitem__))  # block-axis order
            m = np.matmul(t, m.reshape(1 << lo, dg, -1)).reshape(d, d)
            continue
        order, inverse, _ = index_orders(k, axes)
        m = (t @ m[order].reshape(dg, -1)).reshape(d, d)[inverse]
    return m


def _multiply_numpy(
    gates: list[GateItem], qubits: list[int], axis: dict[int, int], dtype: torch.dtype, classify: bool
) -> FusedBlock | None:
    k = len(qubits)
    d = 1 << k
    n_gates = len(gates)
    if all(g.kind == "diagonal" for g in gates):
        diag = np.ones(d, dtype=np.complex128)
        for g in gates:
            _, _, sub = index_orders(k, tuple(axis[q] for q in g.qubits))
            diag *= g.tensor.numpy()[sub]  # type: ignore[union-attr]
        if classify and np.abs(diag - 1).max() < ZERO_TOL:
            return None
        return FusedBlock("diagonal", tuple(qubits), torch.from_numpy(diag).to(dtype), num_gates=n_gates)
    m = _block_native(gates, k, axis)
    if m is None:
        m = _block_numpy(gates, k, axis)
    mat = m
    if classify:
        nz = np.abs(mat) > ZERO_TOL
        per_row = nz.sum(axis=1)
        if (per_row == 1).all() and (nz.sum(axis=0) == 1).all():
            perm = nz.argmax(axis=1)
            phases = mat[np.arange(d), perm]
            if (perm == np.arange(d)).all():
                if np.abs(phases - 1).max() < ZERO_TOL:
                    return None
                return FusedBlock("diagonal", tuple(qubits), torch.from_numpy(phases).to(dtype), num_gates=n_gates)
            return FusedBlock(
                "monomial",
                tuple(qubits),
                torch.from_numpy(np.ascontiguousarray(phases)).to(dtype),
                perm=torch.from_numpy(perm.astype(np.int64)),
                num_gates=n_gates,
            )
    return FusedBlock("matrix", tuple(qubits), torch.from_numpy(mat).to(dtype), num_gates=n_gates)


@dataclass(frozen=True)
class FusionStats:
    """What fusion did: gates in, passes out by kind, and the largest block."""

    gates: int
    blocks: int
    by_kind: dict[str, int]
    max_qubits: int

    def __post_init__(self) -> None:
        if self.gates < 0 or self.blocks < 0:
            raise SuanliError("FusionStats counts must be non-negative")


def fusion_stats(blocks: Sequence[FusedBlock]) -> FusionStats:
    """Summarise a fused program (boundaries are not counted as blocks)."""
    by_kind: dict[str, int] = {}
    gates = 0
    widest = 0
    for b in blocks:
        if b.kind == "boundary":
            continue
        by_kind[b.kind] = by_kind.get(b.kind, 0) + 1
        gates += b.num_gates
        widest = max(widest, len(b.qubits))
    return FusionStats(gates, sum(by_kind.values()), by_kind, widest)
