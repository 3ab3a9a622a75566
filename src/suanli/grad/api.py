"""Differentiable expectation values with a choice of gradient method.

``diff_method``:

- ``"backprop"``: PyTorch autograd through the state-vector kernels. Fast for small circuits; keeps one
  state per parametrised gate for the backward pass, so its memory grows with the circuit.
- ``"adjoint"``: the adjoint method (:mod:`suanli.grad.adjoint`): one forward state and one backward state,
  whatever the depth; all observables and all Pauli terms in one backward sweep. The method for large circuits.
- ``"shift"``: the parameter-shift rule (:mod:`suanli.grad.shift`): gradients from shifted expectation values,
  as on hardware; 2 (or 4 for controlled rotations) extra circuit runs per gate angle, batched.
- ``"auto"`` (default): no gradient machinery when nothing requires a gradient; otherwise backprop while the
  states are small (batch × 2**n ≤ 2**12 amplitudes and at most 64 parametrised gates) and adjoint beyond.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import torch

from ..circuit import Circuit
from ..errors import ParameterError, SimulationError, SuanliError
from ..sim.statevector.api import _static_ops
from ..sim.statevector.engine import Progress, compile_circuit, resolve_device, resolve_dtype, run_ops
from ..sim.statevector.kernels import StateVector
from ..sim.statevector.memory import check_memory
from .adjoint import adjoint_expectation
from .observe import as_observables, observable_values
from .shift import shift_expectation

__all__ = ["DIFF_METHODS", "expectation"]

DIFF_METHODS = ("auto", "backprop", "adjoint", "shift")

_BACKPROP_MAX_AMPLITUDES = 1 << 12
_BACKPROP_MAX_GATES = 64


def _check_initial_state(
    init: Any, n: int, batch: int | None, dtype: torch.dtype, device: torch.device
) -> torch.Tensor:
    if not isinstance(init, torch.Tensor):
        raise SuanliError(f"initial_state must be a torch.Tensor of shape (2**n,) or (B, 2**n), got {type(init)}")
    dim = 1 << n
    if init.dim() not in (1, 2) or init.shape[-1] != dim:
        raise SuanliError(
            f"initial_state must have shape ({dim},) or (B, {dim}) for {n} qubits, got {tuple(init.shape)}"
        )
    if init.dim() == 2 and batch is not None and init.shape[0] != batch:
        raise ParameterError(f"initial_state has batch {init.shape[0]} but the parameters have batch {batch}")
    return init.to(dtype=dtype, device=device)


def expectation(
    circuit: Circuit,
    observable: Any,
    *,
    params: Mapping[Any, Any] | None = None,
    diff_method: str = "auto",
    initial_state: torch.Tensor | None = None,
    device: Any = None,
    dtype: Any = torch.complex64,
    progress: Progress | None = None,
) -> torch.Tensor:
    """Expectation value(s) ⟨ψ|O|ψ⟩, differentiable by the chosen method.

    Same shapes as :func:`suanli.expectation`: a scalar, ``(B,)`` for a batch of B parameter sets (or initial
    states), and a trailing axis of K values for a list of K observables. Gradients flow to tensor gate
    angles (and to ``params`` values) that require them and, except with ``"shift"``, to ``initial_state``.

    Args:
        circuit: a circuit without mid-circuit measurements, resets of used qubits or classical conditions.
        observable: a :class:`~suanli.PauliSum`, a Pauli-sum string, a :class:`~suanli.Hermitian`, or a list.
        params: values of the circuit's named parameters (tensors may carry a batch dimension).
        diff_method: ``"auto"``, ``"backprop"``, ``"adjoint"`` or ``"shift"`` (see the module docs).
        initial_state: starting amplitudes ``(2**n,)`` or ``(B, 2**n)`` in big-endian order, normalised by the
            caller (amplitude encoding); default |0…0⟩.
        device: ``None`` = CUDA when available.
        dtype: ``torch.complex64`` (default) or ``torch.complex128``.
        progress: optional callback ``progress(done, total)`` (adjoint: over the forward and backward sweeps).

    Raises:
        SuanliError: an unknown ``diff_method`` or a malformed initial state.
        SimulationError: the circuit is dynamic.
        SimulationTooLarge: the states would not fit in the device's memory.

    Examples:
        >>> import torch, suanli
        >>> from suanli.grad import expectation
        >>> theta = torch.tensor(0.3, dtype=torch.float64, requires_grad=True)
        >>> c = suanli.Circuit(1).rx(theta, 0)
        >>> e = expectation(c, "Z0", diff_method="adjoint", device="cpu", dtype=torch.complex128)
        >>> e.backward()
        >>> round(e.item(), 6), round(theta.grad.item(), 6)  # cos θ and -sin θ
        (0.955336, -0.29552)
    """
    if diff_method not in DIFF_METHODS:
        raise SuanliError(f"diff_method must be one of {', '.join(DIFF_METHODS)}; got {diff_method!r}")
    if not isinstance(circuit, Circuit):
        raise SuanliError(f"expected a suanli.Circuit, got {type(circuit).__name__}")
    dev = resolve_device(device)
    dt = resolve_dtype(dtype)
    n = circuit.num_qubits
    observables, single = as_observables(observable, n)
    compiled = compile_circuit(circuit, params, dtype=dt, device=dev)
    ops = _static_ops(compiled.ops)
    if ops is None:
        raise SimulationError(
            "expectation() needs a circuit with one pure final state, but this one measures mid-circuit, resets a "
            "used qubit, or conditions on a measured bit; use suanli.probabilities() or suanli.sample()"
        )
    init = None
    batch = compiled.batch
    if initial_state is not None:
        init = _check_initial_state(initial_state, n, batch, dt, dev)
        if init.dim() == 2 and batch is None:
            batch = init.shape[0]
    b = batch or 1
    if init is not None:
        init = init.reshape(-1, 1 << n).expand(b, 1 << n)
    wants_grad = torch.is_grad_enabled() and (compiled.requires_grad or (init is not None and init.requires_grad))
    method = diff_method
    if method == "auto":
        if not wants_grad:
            method = "adjoint"  # the in-place forward pass, no graph
        else:
            n_grad = sum(1 for op in ops if op.tensor is not None and op.tensor.requires_grad)
            small = b * (1 << n) <= _BACKPROP_MAX_AMPLITUDES and n_grad <= _BACKPROP_MAX_GATES
            method = "backprop" if small else "adjoint"
    if method == "backprop":
        n_saved = sum(1 for op in ops if op.tensor is not None and op.tensor.requires_grad) if wants_grad else 0
        check_memory(n, dt, dev, copies=3 + n_saved, batch=b, what="backprop state-vector simulation")
        sv = StateVector(n, batch=b, dtype=dt, device=dev, inplace=not wants_grad, data=init)
        if init is not None and wants_grad:
            sv.data = init.reshape(b, -1) + 0  # keep the graph to the initial state
        with torch.set_grad_enabled(wants_grad):
            run_ops(sv, ops, progress)
            out = observable_values(sv.canonical(), n, observables)
    elif method == "adjoint":
        check_memory(n, dt, dev, copies=5 if wants_grad else 3, batch=b, what="adjoint state-vector simulation")
        out = adjoint_expectation(ops, n, b, observables, dtype=dt, device=dev, initial_state=init, progress=progress)
    else:
        check_memory(n, dt, dev, copies=5, batch=b, what="parameter-shift state-vector simulation")
        out = shift_expectation(circuit, params, observables, batch=b, dtype=dt, device=dev, initial_state=init)
    if batch is None:
        out = out[0]
    return out[..., 0] if single else out
