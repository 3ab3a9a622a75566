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
ψ_0 is 2 λ_0. Memory: the two states and their kernel buffers (four state vectors) plus one temporary.

References: Jones & Gacon, "Efficient calculation of gradients in classical simulations of variational
quantum algorithms", arXiv:2009.02823 (2020); Luo et al., "Yao.jl", Quantum 4, 341 (2020).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import torch

from ..sim.statevector.engine import Op, Progress, apply_gate, fuse_ops, fusion_width
from ..sim.statevector.kernels import StateVector
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


def _outer(both: StateVector, b: int, qubits: tuple[int, ...], diagonal: bool) -> torch.Tensor:
    """C = Σ_rest λ ψ^† restricted to ``qubits`` (gate order): (B, d, d), or its diagonal (B, d).

    ``both`` holds ψ in rows :B and λ in rows B:. For a matrix gate its qubits occupy contiguous physical axes
    (the kernel has just applied it).
    """
    n = both.n
    psi_data, lam_data = both.data[:b], both.data[b:]
    pos = [both.pos[q] for q in qubits]
    k = len(qubits)
    order = _argsort(pos)  # physical (sorted) slot j holds gate qubit order[j]
    back = _argsort(order)
    if diagonal:
        special = sorted(pos)
        shape = _grouped_shape(b, n, special)
        w = (lam_data * psi_data.conj()).view(shape)
        keep = {2 + 2 * i for i in range(k)}
        c = w.sum(dim=[d for d in range(1, len(shape)) if d not in keep]).reshape(b, 1 << k)
        return _reorder(c, back, diagonal=True)
    lo = min(pos)
    if max(pos) - lo != k - 1:  # not adjacent (a kernel that leaves the layout alone): a general contraction
        return _reorder(_outer_general(lam_data, psi_data, b, n, sorted(pos)), back, diagonal=False)
    d = 1 << k
    left, right = 1 << lo, 1 << (n - lo - k)
    x = lam_data.view(b, left, d, right)
    y = psi_data.view(b, left, d, right)
    if right > 16:  # batched (d × right)·(right × d) products, summed over the left index
        c = torch.matmul(x, y.mH).sum(dim=1)
    else:  # one product over the left index, then the trace over the short right index
        m = torch.matmul(x.reshape(b, left, d * right).mT, y.reshape(b, left, d * right).conj())
        c = m.reshape(b, d, right, d, right).diagonal(dim1=2, dim2=4).sum(-1)
    return _reorder(c, back, diagonal=False)


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


class _AdjointFunction(torch.autograd.Function):
    """Inputs: a plan (non-tensor), the initial state or None, then the gate tensors that need gradients."""

    @staticmethod
    def forward(ctx: Any, plan: dict[str, Any], init: torch.Tensor | None, *tensors: torch.Tensor) -> torch.Tensor:
        n, b = plan["n"], plan["batch"]
        ops: list[Op] = plan["ops"]
        sv = StateVector(n, batch=b, dtype=plan["dtype"], device=plan["device"], inplace=True, data=init)
        progress: Progress | None = plan["progress"]
        total = 3 * len(ops) if plan["grad"] else len(ops)
        step = max(1, total // 200)
        for i, op in enumerate(ops):
            apply_gate(sv, op)
            if progress is not None and (i % step == 0):
                progress(i + 1, total)
        psi = sv.canonical()
        sv.release()
        values = observable_values(psi, n, plan["observables"])
        ctx.plan = plan
        ctx.sv = sv
        ctx.init_requires_grad = init is not None and init.requires_grad
        return values

    @staticmethod
    @torch.autograd.function.once_differentiable
    def backward(ctx: Any, grad_values: torch.Tensor) -> tuple[Any, ...]:
        plan = ctx.plan
        n, b = plan["n"], plan["batch"]
        ops: list[Op] = plan["ops"]
        progress: Progress | None = plan["progress"]
        fwd: StateVector = ctx.sv
        ctx.sv = None
        real = torch.float64 if plan["dtype"] == torch.complex128 else torch.float32
        weights = grad_values.to(real).reshape(b, -1)
        # ψ (rows :B) and λ (rows B:) in one state of batch 2B: every inverse gate is one kernel call for both
        both = StateVector(n, batch=2 * b, dtype=fwd.dtype, device=fwd.device, inplace=True)
        both.data[:b].copy_(fwd.data)
        del fwd
        apply_observables(both.data[:b], n, plan["observables"], weights, out=both.data[b:])
        grads: dict[int, torch.Tensor] = {}
        inverses: dict[int, torch.Tensor] = {}
        total = 3 * len(ops)
        step = max(1, total // 200)
        for j in range(len(ops) - 1, -1, -1):
            op = ops[j]
            u = op.tensor
            assert u is not None
            inv_t = inverses.get(id(u))
            if inv_t is None:
                inv_t = _inverse(op)
                if inv_t.dim() == (2 if op.kind == "diagonal" else 3):  # a batch of B gates: once for ψ, once for λ
                    inv_t = torch.cat([inv_t, inv_t])
                inverses[id(u)] = inv_t
            apply_gate(both, Op(op.kind, op.qubits, inv_t, None, None, op.name))
            t = plan["grad_tensors"][j]
            if t is not None:
                diagonal = op.kind == "diagonal"
                c = _outer(both, b, op.qubits, diagonal)
                g = 2 * (u * c) if diagonal else 2 * torch.matmul(u, c)
                if u.dim() == (1 if diagonal else 2):  # one gate for the whole batch: sum over it
                    g = g.sum(dim=0)
                key = id(t)
                grads[key] = g if key not in grads else grads[key] + g
            if progress is not None and ((len(ops) - j) % step == 0):
                progress(len(ops) + 2 * (len(ops) - j), total)
        if progress is not None:
            progress(total, total)
        init_grad = 2 * both.canonical()[b:] if ctx.init_requires_grad else None
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
    """
    ops = _fuse_constant_runs(ops, num_qubits, device)
    tensors: list[torch.Tensor] = []
    grad_tensors: list[torch.Tensor | None] = []
    seen: set[int] = set()
    for op in ops:
        t = op.tensor
        if t is not None and t.requires_grad:
            grad_tensors.append(t)
            if id(t) not in seen:
                seen.add(id(t))
                tensors.append(t)
        else:
            grad_tensors.append(None)
    need_grad = torch.is_grad_enabled() and (
        bool(tensors) or (initial_state is not None and initial_state.requires_grad)
    )
    plan = {
        "n": num_qubits,
        "batch": batch,
        "ops": ops,
        "observables": list(observables),
        "dtype": dtype,
        "device": device,
        "progress": progress,
        "tensors": tensors,
        "grad_tensors": grad_tensors,
        "grad": need_grad,
    }
    init = None
    if initial_state is not None:
        init = initial_state.reshape(batch, 1 << num_qubits)
    if not need_grad:
        with torch.no_grad():
            return _AdjointFunction.forward(_NoCtx(), plan, init)
    return _AdjointFunction.apply(plan, init, *tensors)


def _fuse_constant_runs(ops: list[Op], num_qubits: int, device: torch.device) -> list[Op]:
    """Fuse each run of consecutive gates that need no gradient into blocks (fewer passes in both sweeps).

    Gates whose tensors require gradients stay as they are, so each still gets its own gradient; the runs
    between them are contiguous in circuit order, so fusing them changes nothing but the number of passes.
    """
    width = fusion_width("auto", num_qubits, device)
    out: list[Op] = []
    run: list[Op] = []

    def flush() -> None:
        out.extend(fuse_ops(run, width, classify=False) if len(run) > 1 else run)
        run.clear()

    for op in ops:
        t = op.tensor
        if t is not None and not t.requires_grad and op.kind in ("matrix", "diagonal") and op.condition is None:
            run.append(op)
        else:
            flush()
            out.append(op)
    flush()
    return out


class _NoCtx:
    """Stands in for autograd's context when no gradient is needed."""
