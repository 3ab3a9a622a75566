"""Parameter-shift gradients: derivatives from expectation values at shifted gate angles, as on hardware.

For one gate angle θ, the expectation value E(θ) is a trigonometric polynomial whose frequencies are the
differences of the frequencies that occur in the gate's matrix entries U(θ). With base frequency Ω and highest
multiple R (frequencies ⊆ {Ω, 2Ω, …, RΩ}) the general equidistant shift rule is exact:

    E'(θ) = Ω Σ_{μ=1}^{2R} (-1)^{μ-1} / (4R sin²(x_μ/2)) · E(θ + x_μ/Ω),   x_μ = (2μ-1)π/(2R)

(Wierichs, Izaac, Wang & Lin, "General parameter-shift rules for quantum gradients", Quantum 6, 677 (2022)).
R = 1 is the familiar two-term rule E'(θ) = [E(θ+π/2) - E(θ-π/2)]/2 of rx, ry, rz, p, u3, rxx, rzz, …; the
controlled rotations (crx, cry, crz, cu3, cu) have frequencies {1/2, 1} and take four terms (R = 2, Ω = 1/2).
The frequencies of every gate slot are read off the gate table itself (a discrete Fourier transform of
U(θ) over θ ∈ [0, 4π), checked at an off-grid angle), so every parametrised gate of the table, and custom gates
built from them, is covered without a hand-written table.

All shifted circuits of one backward pass run as one batch of parameter sets (in chunks that fit in memory).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from functools import cache
from typing import Any

import numpy as np
import torch

from ..circuit import Circuit, Instruction
from ..circuit.instruction import check_bindings
from ..circuit.parameter import ParameterExpression
from ..errors import SimulationError, SuanliError
from ..gates import get_gate
from ..sim.statevector.api import _static_ops
from ..sim.statevector.engine import compile_circuit
from ..sim.statevector.memory import state_bytes
from .adjoint import adjoint_expectation

__all__ = ["shift_expectation", "shift_rule"]

_GRID = 64  # angles sampled over [0, 4π): frequencies up to 16 in steps of 1/2


@cache
def shift_rule(gate: str, slot: int) -> tuple[tuple[float, float], ...]:
    """The exact shift rule for parameter ``slot`` of ``gate``: pairs (shift, coefficient) with
    E'(θ) = Σ coefficient · E(θ + shift). Empty when E does not depend on the parameter.

    Examples:
        >>> [(round(s, 4), round(c, 4)) for s, c in shift_rule("rx", 0)]
        [(1.5708, 0.5), (4.7124, -0.5)]
        >>> len(shift_rule("crx", 0))
        4
    """
    spec = get_gate(gate)
    if not 0 <= slot < spec.num_params:
        raise SuanliError(f"gate {gate!r} has no parameter number {slot}")
    rng = np.random.default_rng(1234)
    others = rng.uniform(0.3, 2.9, size=spec.num_params)
    theta = torch.arange(_GRID, dtype=torch.float64) * (4 * math.pi / _GRID)

    def matrices(values: torch.Tensor) -> torch.Tensor:
        args = [torch.full_like(values, float(o)) for o in others]
        args[slot] = values
        return spec.matrix(*args, dtype=torch.complex128)

    u = matrices(theta).reshape(_GRID, -1)
    coef = torch.fft.fft(u, dim=0) / _GRID  # coefficient of exp(i f θ / 2) at bin f
    bins = np.fft.fftfreq(_GRID, d=1.0 / _GRID).astype(int)  # signed f
    mags = coef.abs().amax(dim=1).numpy()
    present = [int(bins[i]) for i in range(_GRID) if mags[i] > 1e-9]
    # check the reconstruction off the grid: the entries really are trigonometric polynomials of these frequencies
    probe = torch.tensor([0.123456, 2.71828], dtype=torch.float64)
    idx = [int(np.flatnonzero(bins == f)[0]) for f in present]
    phases = torch.exp(1j * torch.outer(probe, torch.tensor(present, dtype=torch.float64)) / 2)
    recon = phases @ coef[idx]
    if not torch.allclose(recon, matrices(probe).reshape(len(probe), -1), atol=1e-8):
        raise SimulationError(
            f"parameter {slot} of gate {gate!r} is not a trigonometric polynomial with half-integer frequencies; "
            "use diff_method='adjoint' or 'backprop'"
        )
    diffs = sorted({abs(a - b) for a in present for b in present if a != b})  # in units of 1/2
    if not diffs:
        return ()
    base = math.gcd(*diffs)
    r = diffs[-1] // base
    omega = base / 2
    out = []
    for mu in range(1, 2 * r + 1):
        x = (2 * mu - 1) * math.pi / (2 * r)
        out.append((x / omega, omega * (-1) ** (mu - 1) / (4 * r * math.sin(x / 2) ** 2)))
    return tuple(out)


def _evaluate(value: Any, bindings: Mapping[str, Any]) -> Any:
    return value.evaluate(bindings) if isinstance(value, ParameterExpression) else value


def _flatten(circuit: Circuit, bindings: Mapping[str, Any]) -> list[Instruction]:
    """Table gates, measurements, resets with evaluated parameters (custom gates unrolled, barriers dropped)."""
    out: list[Instruction] = []

    def emit(inst: Instruction, depth: int) -> None:
        if depth > 64:
            raise SimulationError(f"custom gates nest deeper than 64 levels at {inst.name!r}")
        if inst.name == "barrier":
            return
        if inst.name in ("measure", "reset"):
            out.append(inst)
            return
        values = tuple(_evaluate(p, bindings) for p in inst.params)
        if inst.definition is not None:
            for sub in inst.definition.expand(values, inst.qubits):
                emit(sub.with_condition(inst.condition) if inst.condition is not None else sub, depth + 1)
            return
        out.append(Instruction(get_gate(inst.name).name, inst.qubits, values, (), inst.condition))

    for inst in circuit:
        emit(inst, 0)
    return out


class _ShiftFunction(torch.autograd.Function):
    @staticmethod
    def forward(ctx: Any, plan: dict[str, Any], *slot_values: torch.Tensor) -> torch.Tensor:
        ctx.plan = plan
        return _run(plan, [])

    @staticmethod
    @torch.autograd.function.once_differentiable
    def backward(ctx: Any, grad_values: torch.Tensor) -> tuple[Any, ...]:
        plan = ctx.plan
        b = plan["batch"]
        evals: list[tuple[int, float]] = []  # (slot index, shift)
        coefs: list[tuple[int, float]] = []
        for s, (i, j) in enumerate(plan["slots"]):
            for shift, c in shift_rule(plan["tape"][i].name, j):
                evals.append((s, shift))
                coefs.append((s, c))
        grads: list[torch.Tensor | None] = [None] * len(plan["slots"])
        if evals:
            values = _run(plan, evals)  # (len(evals) * B, K)
            values = values.reshape(len(evals), b, -1)
            g = grad_values.reshape(b, -1).to(values.dtype)
            per_eval = (values * g).sum(dim=-1)  # (E, B): Σ_k g_bk E_bk at each shifted point
            for e, (s, c) in enumerate(coefs):
                contrib = c * per_eval[e]
                grads[s] = contrib if grads[s] is None else grads[s] + contrib
        out: list[torch.Tensor | None] = []
        for s, (i, j) in enumerate(plan["slots"]):
            v = plan["tape"][i].params[j]
            gs = grads[s]
            if gs is None:
                out.append(torch.zeros_like(v))
                continue
            gs = gs.sum() if v.dim() == 0 else gs
            out.append(gs.to(dtype=v.dtype, device=v.device))
        return (None, *out)


def _run(plan: dict[str, Any], evals: Sequence[tuple[int, float]]) -> torch.Tensor:
    """Values (max(1, E) · B, K): the unshifted circuit when ``evals`` is empty, else one row block per shift."""
    tape: list[Instruction] = plan["tape"]
    b, n = plan["batch"], plan["n"]
    count = max(1, len(evals))
    per_state = state_bytes(n, plan["dtype"], b) * 4
    chunk = max(1, min(count, plan["chunk_bytes"] // max(per_state, 1)))
    slot_of = {ij: s for s, ij in enumerate(plan["slots"])}
    rows = []
    for start in range(0, count, chunk):
        part = list(evals[start : start + chunk])
        m = max(1, len(part))
        c = Circuit(n, plan["num_clbits"])
        for i, inst in enumerate(tape):
            if not inst.params or not any(isinstance(p, torch.Tensor) for p in inst.params):
                c.append(inst)
                continue
            params = []
            for j, p in enumerate(inst.params):
                if not isinstance(p, torch.Tensor):
                    params.append(p)
                    continue
                v = p.detach().to(torch.float64).expand(b).reshape(1, b).repeat(m, 1)
                s = slot_of.get((i, j))
                if s is not None and part:
                    for e, (slot, shift) in enumerate(part):
                        if slot == s:
                            v[e] += shift
                params.append(v.reshape(m * b) if (b > 1 or m > 1) else v.reshape(()))
            c.append(inst.replace(params=tuple(params)))
        compiled = compile_circuit(c, None, dtype=plan["dtype"], device=plan["device"])
        ops = _static_ops(compiled.ops)
        assert ops is not None
        init = plan["init"]
        if init is not None:
            init = init.detach().reshape(b, -1).repeat(m, 1)
        with torch.no_grad():
            rows.append(
                adjoint_expectation(ops, n, m * b, plan["observables"], dtype=plan["dtype"], device=plan["device"],
                                    initial_state=init)
            )
    return torch.cat(rows, dim=0)


def shift_expectation(
    circuit: Circuit,
    params: Mapping[Any, Any] | None,
    observables: Sequence[Any],
    *,
    batch: int,
    dtype: torch.dtype,
    device: torch.device,
    initial_state: torch.Tensor | None = None,
    chunk_bytes: int = 1 << 28,
) -> torch.Tensor:
    """Expectation values (B, K) whose gradients come from the parameter-shift rule (see the module docs)."""
    bindings = check_bindings(frozenset(circuit.parameters), params or {}, partial=False)
    tape = _flatten(circuit, bindings)
    if initial_state is not None and initial_state.requires_grad and torch.is_grad_enabled():
        raise SuanliError(
            "diff_method='shift' differentiates gate angles only, not an initial state; use 'adjoint' or 'backprop'"
        )
    slots = [
        (i, j)
        for i, inst in enumerate(tape)
        for j, p in enumerate(inst.params)
        if isinstance(p, torch.Tensor) and p.requires_grad and get_gate(inst.name).name != "u0"
    ]
    plan = {
        "tape": tape,
        "slots": slots,
        "batch": batch,
        "n": circuit.num_qubits,
        "num_clbits": circuit.num_clbits,
        "observables": list(observables),
        "dtype": dtype,
        "device": device,
        "init": initial_state,
        "chunk_bytes": chunk_bytes,
    }
    slot_values = [tape[i].params[j] for i, j in slots]
    if not slots or not torch.is_grad_enabled():
        with torch.no_grad():
            return _run(plan, [])
    return _ShiftFunction.apply(plan, *slot_values)
