"""The adjoint method: exact gradients of expectation values with O(1) extra state vectors.

Forward: |ψ_N⟩ = U_N ⋯ U_1 |ψ_0⟩, run in place (no autograd graph, two buffers). Backward, for the loss
L = Σ_k g_k ⟨ψ_N|O_k|ψ_N⟩ (g = the incoming gradient): start from |λ_N⟩ = Σ_k g_k O_k |ψ_N⟩ (every observable and
every Pauli term in one state) and walk the gates in reverse, applying U_j^† to both states:
|ψ_{j-1}⟩ = U_j^† |ψ_j⟩ and |λ_{j-1}⟩ = U_j^† |λ_j⟩. The gradient of L with respect to the matrix of gate j is
(PyTorch's convention for complex tensors, ∂L/∂Re + i ∂L/∂Im)

    ∂L/∂U_j = 2 λ_j ψ_{j-1}^† = 2 U_j (λ_{j-1} ψ_{j-1}^†),

where the outer product is contracted over every qubit the gate does not touch. The matrices are inputs of a
:class:`torch.autograd.Function`, so autograd carries these gradients on to whatever produced them (gate angles,
parameter expressions, batches of angles, network outputs). The gradient with respect to an initial state
ψ_0 is 2 λ_0.

Two savings over the textbook sweep. (1) Gradient points: if every gate between gate j and a later point acts
on other qubits, the partial trace there gives the same gradient, ∂L/∂U_j = 2 C U_j with C = Σ_rest λψ^† at
the point; so a whole layer of rotations shares one point, the transition matrices of neighbouring gates come
from one product over a window of axes, and the gates between points are fused into blocks for both sweeps.
(2) Snapshots: when the copies fit in ``SNAPSHOT_FRACTION`` of free memory, ψ at each point is kept from the
forward sweep and only λ walks back (half the backward passes, and ψ exact rather than recomputed). Without
snapshots the memory is two states and their kernel buffers (four state vectors) plus one temporary.

References: Jones & Gacon, "Efficient calculation of gradients in classical simulations of variational
quantum algorithms", arXiv:2009.02823 (2020); Luo et al., "Yao.jl", Quantum 4, 341 (2020).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import torch

from ..sim.statevector.engine import (
    Op,
    Progress,
    apply_gate,
    choose_kernels,
    fuse_ops,
    fusion_width,
    gate_loop_threads,
)
from ..sim.statevector.kernels import StateVector
from ..sim.statevector.memory import available_bytes, host_copy, spare_buffer
from ..sim.statevector.native import pair_sums
from .observe import apply_observables, observable_values

__all__ = ["adjoint_expectation"]


def _inverse(op: Op) -> torch.Tensor:
    t = op.tensor
    assert t is not None
    inv = t.conj() if op.kind == "diagonal" else t.conj().transpose(-1, -2)
    return inv.resolve_conj()


def _grouped_shape(batch: int, n: int, special: Sequence[int]) -> list[int]:
    shape = [batch]
    prev = 0
    for p in special:
        shape += [1 << (p - prev), 2]
        prev = p + 1
    shape.append(1 << (n - prev))
    return shape


def _reorder(u: torch.Tensor, order: Sequence[int], diagonal: bool) -> torch.Tensor:
    """Permute the qubits of a (…, d, d) matrix or (…, d) diagonal: new qubit j is old qubit ``order[j]``."""
    k = len(order)
    if list(order) == list(range(k)):
        return u
    nb = u.dim() - (1 if diagonal else 2)
    batch = u.shape[:nb]
    t = u.reshape(*batch, *([2] * (k if diagonal else 2 * k)))
    perm = list(range(nb)) + [nb + o for o in order]
    if not diagonal:
        perm += [nb + k + o for o in order]
    t = t.permute(perm)
    return t.reshape(*batch, 1 << k) if diagonal else t.reshape(*batch, 1 << k, 1 << k)


def _argsort(xs: Sequence[int]) -> list[int]:
    return sorted(range(len(xs)), key=list(xs).__getitem__)


def _outer_general(lam: torch.Tensor, psi: torch.Tensor, b: int, n: int, special: list[int]) -> torch.Tensor:
    """Σ_rest λ ψ^† over the sorted physical axes ``special`` (any positions), as a (B, d, d) matrix."""
    shape = _grouped_shape(b, n, special)
    k = len(special)
    letters = "cdefghijklmnopqrstuvwxyz"
    groups = [letters[i] for i in range(k + 1)]
    rows = [chr(ord("A") + i) for i in range(k)]
    cols = [chr(ord("N") + i) for i in range(k)]
    lhs = "b" + "".join(groups[i] + rows[i] for i in range(k)) + groups[k]
    rhs = "b" + "".join(groups[i] + cols[i] for i in range(k)) + groups[k]
    c = torch.einsum(f"{lhs},{rhs}->b{''.join(rows)}{''.join(cols)}", lam.view(shape), psi.view(shape).conj())
    return c.reshape(b, 1 << k, 1 << k)


# Gradient points: the transition matrices of several gates are taken from one product over a window of up to
# this many adjacent physical axes (one pass over both states instead of one per gate).
_WINDOW = 4
# Head windows are batched (d × right)·(right × d) products; below this many trailing amplitudes those products
# are too small to be efficient, and the last axes are covered by one tail window instead.
_MIN_RIGHT = 64
# The tail window (the last axes, one (d × left)·(left × d) product) spans at most this many axes.
_TAIL = 5
# ψ at each gradient point is kept from the forward sweep (instead of being recomputed by undoing every gate
# on it in the backward sweep) when these copies take at most this fraction of the free memory.
SNAPSHOT_FRACTION = 0.25
# Largest fused block in the adjoint sweeps, per device type: each block runs twice (forward and backward), and
# on the CPU 4-qubit blocks beat 5-qubit ones there (benchmarks/gradients.py, 16 and 20 qubits).
ADJOINT_FUSION = {"cpu": 4, "cuda": 4}


@dataclass
class _Stage:
    """Ops run before one gradient point, and the gates whose gradients are taken there.

    ``ops`` are fused, detached kernel ops; ``grads`` index the circuit's ops (the ones that need gradients).
    """

    ops: list[Op]
    grads: list[int]


def _points(ops: list[Op], needs: Sequence[bool]) -> list[tuple[list[Op], list[int]]]:
    """Split ``ops`` at gradient points: few points, each serving many gates.

    The gradient of gate j may be taken at any later point p provided every gate between j and p acts on
    other qubits (they commute past the partial trace, see :func:`_transitions`). So gates needing gradients
    accumulate until a gate touches one of their qubits; the point goes just before that gate. A layer of
    rotations on distinct qubits becomes one point.
    """
    out: list[tuple[list[Op], list[int]]] = []
    cur: list[Op] = []
    pending: list[int] = []
    busy: set[int] = set()
    for i, op in enumerate(ops):
        qs = set(op.qubits)
        if pending and not busy.isdisjoint(qs):
            out.append((cur, pending))
            cur, pending, busy = [], [], set()
        cur.append(op)
        if needs[i]:
            pending.append(i)
            busy |= qs
    if cur or pending:
        out.append((cur, pending))
    return out


def _gram(lam: torch.Tensor, psi: torch.Tensor, b: int, n: int, lo: int, w: int) -> torch.Tensor:
    """Σ_rest λψ^† over the ``w`` adjacent physical axes from ``lo``: (B, 2**w, 2**w), axis ``lo`` most significant."""
    d = 1 << w
    left, right = 1 << lo, 1 << (n - lo - w)
    x = lam.view(b, left, d, right)
    y = psi.view(b, left, d, right)
    if right > 16:  # batched (d × right)·(right × d) products, summed over the left index
        return torch.matmul(x, y.mH).sum(dim=1)
    # one product over the left index, then the trace over the short right index
    m = torch.matmul(x.reshape(b, left, d * right).mT, y.reshape(b, left, d * right).conj())
    if right == 1:
        return m
    return m.reshape(b, d, right, d, right).diagonal(dim1=2, dim2=4).sum(-1)


def _restrict(window: torch.Tensor, w: int, slots: Sequence[int]) -> torch.Tensor:
    """Partial trace of a window's (B, 2**w, 2**w) matrix onto ``slots`` (window axes, in gate-qubit order)."""
    if list(slots) == list(range(w)):
        return window
    b = window.shape[0]
    letters = "abcdefghijklmnopqrstuvwxy"
    rows = letters[:w]
    cols = "".join(rows[s] if s not in slots else letters[w + s] for s in range(w))
    out = "".join(rows[s] for s in slots) + "".join(cols[s] for s in slots)
    k = len(slots)
    c = torch.einsum(f"z{rows}{cols}->z{out}", window.reshape(b, *([2] * (2 * w))))
    return c.reshape(b, 1 << k, 1 << k)


def _transitions(
    lam: torch.Tensor,
    psi: torch.Tensor,
    b: int,
    n: int,
    pos: Sequence[int],
    gates: Sequence[tuple[tuple[int, ...], bool]],
    compiled: bool = False,
) -> list[torch.Tensor]:
    """C_g = Σ_rest λψ^† on each gate's qubits (gate order): (B, d, d), or its diagonal (B, d) for diagonal gates.

    ``pos`` maps qubit -> physical axis of both (B, 2**n) tensors. With ``compiled`` (CPU tensors and the
    compiled kernels), the one-qubit gates' matrices come from one kernel call that sums over all their axes.
    Otherwise gates on the leading axes share windows of up to ``_WINDOW`` axes, gates on the last ``_TAIL``
    axes one tail window; the rest get one product each.
    """
    placed = [[pos[q] for q in qs] for qs, _ in gates]
    out: list[torch.Tensor | None] = [None] * len(gates)
    if compiled:
        singles = [i for i, p in enumerate(placed) if len(p) == 1]
        if singles:
            sums = pair_sums(lam, psi, n, [placed[i][0] for i in singles])
            for j, i in enumerate(singles):
                out[i] = sums[:, j]
    todo = [i for i in range(len(gates)) if out[i] is None]
    head_limit = n - 1 - (_MIN_RIGHT.bit_length() - 1)  # last axis a head window may reach (right >= _MIN_RIGHT)
    tail = [i for i in todo if min(placed[i]) >= n - _TAIL]
    head = sorted((i for i in todo if max(placed[i]) <= head_limit), key=lambda i: min(placed[i]))
    windows: list[tuple[int, int, list[int]]] = []
    if len(tail) > 1:
        lo = min(min(placed[i]) for i in tail)
        windows.append((lo, n - lo, tail))
    while head:
        lo = min(placed[head[0]])
        members = [i for i in head if max(placed[i]) < lo + _WINDOW]
        hi = max(max(placed[i]) for i in members)
        windows.append((lo, hi - lo + 1, members))
        head = [i for i in head if i not in members]
    for lo, w, members in windows:
        gram = _gram(lam, psi, b, n, lo, w)
        for i in members:
            out[i] = _restrict(gram, w, [p - lo for p in placed[i]])
    for i, p in enumerate(placed):
        if out[i] is None:
            lo, hi = min(p), max(p)
            if hi - lo + 1 == len(p):
                out[i] = _restrict(_gram(lam, psi, b, n, lo, len(p)), len(p), [q - lo for q in p])
            else:  # not adjacent: a general contraction
                order = _argsort(p)
                c = _outer_general(lam, psi, b, n, sorted(p))
                out[i] = _reorder(c, _argsort(order), diagonal=False)
    return [c.diagonal(dim1=-2, dim2=-1) if diag else c for c, (_, diag) in zip(out, gates)]  # type: ignore[union-attr]


def _inverse_op(op: Op, twice: bool) -> Op:
    """The op undoing ``op``; ``twice`` repeats a batched tensor for a state holding ψ and λ batches."""
    inv = _inverse(op)
    if twice and inv.dim() == (2 if op.kind == "diagonal" else 3):
        inv = torch.cat([inv, inv])
    return Op(op.kind, op.qubits, inv, None, None, op.name)


class _AdjointFunction(torch.autograd.Function):
    """Inputs: a plan (non-tensor), the initial state or None, then the gate tensors that need gradients."""

    @staticmethod
    def forward(ctx: Any, plan: dict[str, Any], init: torch.Tensor | None, *tensors: torch.Tensor) -> torch.Tensor:
        n, b = plan["n"], plan["batch"]
        stages: list[_Stage] = plan["stages"]
        sv = StateVector(n, batch=b, dtype=plan["dtype"], device=plan["device"], inplace=True, data=init,
                         kernels=plan["kernels"])
        progress: Progress | None = plan["progress"]
        done, total = 0, plan["passes"]
        step = max(1, total // 200)
        snaps: dict[int, torch.Tensor] | None = {} if plan["snapshots"] else None
        for s, stage in enumerate(stages):
            with gate_loop_threads(sv.kernels):
                for op in stage.ops:
                    apply_gate(sv, op)
                    done += 1
                    if progress is not None and done % step == 0:
                        progress(done, total)
            if snaps is not None and stage.grads and s < len(stages) - 1:
                snaps[s] = host_copy(sv.canonical(), reuse=True)  # mapped pages from the last call, if any
        psi = sv.canonical()
        sv.release()
        ctx.hpsi = None
        if snaps is not None and len(plan["observables"]) == 1:
            # one observable: O|ψ⟩ gives the value now and (scaled by the incoming gradient) λ later
            real = torch.float64 if plan["dtype"] == torch.complex128 else torch.float32
            ones = torch.ones(b, 1, dtype=real, device=psi.device)
            ctx.hpsi, value = apply_observables(psi, n, plan["observables"], ones, with_value=True)
            values = value.reshape(b, 1)
        else:
            values = observable_values(psi, n, plan["observables"])
        ctx.plan = plan
        ctx.sv = sv
        ctx.snaps = snaps
        ctx.init_requires_grad = init is not None and init.requires_grad
        return values

    @staticmethod
    @torch.autograd.function.once_differentiable
    def backward(ctx: Any, grad_values: torch.Tensor) -> tuple[Any, ...]:
        plan = ctx.plan
        n, b = plan["n"], plan["batch"]
        ops: list[Op] = plan["ops"]
        stages: list[_Stage] = plan["stages"]
        progress: Progress | None = plan["progress"]
        fwd: StateVector = ctx.sv
        snaps: dict[int, torch.Tensor] | None = ctx.snaps
        ctx.sv = ctx.snaps = None
        real = torch.float64 if plan["dtype"] == torch.complex128 else torch.float32
        weights = grad_values.to(real).reshape(b, -1)
        done, total = plan["passes"] // 2, plan["passes"]
        step = max(1, total // 200)
        compiled = plan["kernels"] == "native"  # one-qubit transition matrices from the compiled pair sums
        if snaps is not None:  # ψ comes from the forward snapshots; only λ walks back
            final = fwd.data
            lam_sv = StateVector(n, batch=b, dtype=fwd.dtype, device=fwd.device, inplace=True, kernels=fwd.kernels)
            if ctx.hpsi is not None:
                torch.mul(ctx.hpsi, weights.to(fwd.dtype), out=lam_sv.data)
                ctx.hpsi = None
            else:
                apply_observables(final, n, plan["observables"], weights, out=lam_sv.data)
            walker = lam_sv
        else:  # ψ (rows :B) and λ (rows B:) in one state of batch 2B: every inverse gate is one call for both
            walker = StateVector(n, batch=2 * b, dtype=fwd.dtype, device=fwd.device, inplace=True,
                                 kernels=fwd.kernels)
            walker.data[:b].copy_(fwd.data)
            apply_observables(walker.data[:b], n, plan["observables"], weights, out=walker.data[b:])
        del fwd
        grads: dict[int, torch.Tensor] = {}
        last = len(stages) - 1
        for s in range(last, -1, -1):
            stage = stages[s]
            if stage.grads:
                if snaps is not None:
                    lam = walker.canonical()
                    psi = final if s == last else snaps.pop(s)
                    pos: Sequence[int] = range(n)
                else:
                    psi, lam, pos = walker.data[:b], walker.data[b:], walker.pos
                gates = [(ops[j].qubits, ops[j].kind == "diagonal") for j in stage.grads]
                for j, c in zip(stage.grads, _transitions(lam, psi, b, n, pos, gates, compiled)):
                    op = ops[j]
                    u = op.tensor.detach()  # type: ignore[union-attr]
                    diagonal = op.kind == "diagonal"
                    # ∂L/∂U = 2 λ_j ψ_{j-1}^† = 2 C U, with C = Σ_rest λψ^† taken at the point (after the gate)
                    g = 2 * (u * c) if diagonal else 2 * torch.matmul(c, u)
                    if u.dim() == (1 if diagonal else 2):  # one gate for the whole batch: sum over it
                        g = g.sum(dim=0)
                    key = id(op.tensor)
                    grads[key] = g if key not in grads else grads[key] + g
                if snaps is not None and s != last:
                    spare_buffer(psi)  # this snapshot is done with: the next call's forward reuses its pages
                    del psi
            with gate_loop_threads(walker.kernels):
                for op in reversed(stage.ops):
                    apply_gate(walker, _inverse_op(op, twice=snaps is None))
                    done += 1
                    if progress is not None and done % step == 0:
                        progress(done, total)
        if progress is not None:
            progress(total, total)
        init_grad = None
        if ctx.init_requires_grad:
            init_grad = 2 * (walker.canonical() if snaps is not None else walker.canonical()[b:])
        out = [grads.get(id(t)) for t in plan["tensors"]]
        return (None, init_grad, *out)


def adjoint_expectation(
    ops: list[Op],
    num_qubits: int,
    batch: int,
    observables: Sequence[Any],
    *,
    dtype: torch.dtype,
    device: torch.device,
    initial_state: torch.Tensor | None = None,
    progress: Progress | None = None,
    snapshots: bool | None = None,
) -> torch.Tensor:
    """Expectation values (B, K) whose backward pass is the adjoint method.

    Args:
        ops: compiled gate ops (no measurements, resets or conditions); tensors that require gradients get them.
        num_qubits: n.
        batch: B, the number of states (1 when unbatched).
        observables: K observables (:class:`PauliSum` or :class:`Hermitian`).
        dtype: complex64 or complex128.
        device: where the states live.
        initial_state: optional (B, 2**n) starting amplitudes (canonical order); gradients flow to it.
        progress: optional callback ``progress(done, total)`` over the forward and backward sweeps.
        snapshots: keep ψ at every gradient point from the forward sweep (True), undo the gates on ψ in the
            backward sweep instead (False), or decide by free memory (None: snapshots when they take at most
            ``SNAPSHOT_FRACTION`` of it). Results agree to rounding either way.
    """
    tensors: list[torch.Tensor] = []
    needs: list[bool] = []
    seen: set[int] = set()
    for op in ops:
        t = op.tensor
        need = t is not None and t.requires_grad
        needs.append(need)
        if need and id(t) not in seen:
            seen.add(id(t))
            tensors.append(t)  # type: ignore[arg-type]
    need_grad = torch.is_grad_enabled() and (
        bool(tensors) or (initial_state is not None and initial_state.requires_grad)
    )
    width = min(ADJOINT_FUSION.get(device.type, 4), fusion_width("auto", num_qubits, device))
    with torch.no_grad():
        if need_grad:
            split = _points(ops, needs)
            stages = [_Stage(fuse_ops([_detached(op) for op in seg], width, classify=False), g) for seg, g in split]
        else:
            stages = [_Stage(fuse_ops([_detached(op) for op in ops], width, classify=False), [])]
    points = sum(1 for s in stages[:-1] if s.grads)
    if snapshots is None:
        itemsize = dtype.itemsize
        snapshots = points * batch * itemsize * (1 << num_qubits) <= SNAPSHOT_FRACTION * available_bytes(device)
    passes = sum(len(s.ops) for s in stages)
    plan = {
        "n": num_qubits,
        "batch": batch,
        "ops": ops,
        "stages": stages,
        "snapshots": bool(snapshots) and need_grad,
        "observables": list(observables),
        "dtype": dtype,
        "device": device,
        "kernels": choose_kernels(device, grad=False),  # both sweeps run without autograd, in place
        "progress": progress,
        "tensors": tensors,
        "passes": 2 * passes if need_grad else passes,
    }
    init = None
    if initial_state is not None:
        init = initial_state.reshape(batch, 1 << num_qubits)
    if not need_grad:
        with torch.no_grad():
            return _AdjointFunction.forward(_NoCtx(), plan, init)
    return _AdjointFunction.apply(plan, init, *tensors)


def _detached(op: Op) -> Op:
    t = op.tensor
    return (
        op
        if t is None or not t.requires_grad
        else Op(op.kind, op.qubits, t.detach(), op.clbit, op.condition, op.name, op.perm)
    )


class _NoCtx:
    """Stands in for autograd's context when no gradient is needed."""
