"""Many circuits of one shape as one batch of states: :func:`state_batch`.

Circuits "of one shape" apply their gates to the same qubits in the same order; only the gate matrices differ
(random-circuit instances, the same ansatz with other fixed angles, Sycamore circuits with other seeds). Their
states are simulated together as a batch (B, 2**n): every fused block is one kernel pass over all B states with a
matrix per state, so the per-gate and per-call costs are paid once for the whole batch.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import torch

from ...circuit import Circuit
from ...errors import SuanliError
from .engine import Compiled, Op, Progress


def _describe(op: Op) -> str:
    return f"{op.name or op.kind} on qubits {list(op.qubits)}"


def _stack(ops: list[Op], index: int) -> Op:
    """One batched op from the B circuits' ops at position ``index`` (a diagonal becomes a dense matrix when
    another circuit has a dense gate there)."""
    first = ops[0]
    if all(op.kind == "diagonal" for op in ops):
        return Op("diagonal", first.qubits, torch.stack([op.tensor for op in ops]), name=first.name)  # type: ignore[misc]
    mats = [torch.diag_embed(op.tensor) if op.kind == "diagonal" else op.tensor for op in ops]  # type: ignore[arg-type]
    return Op("matrix", first.qubits, torch.stack(mats), name=first.name)  # type: ignore[arg-type]


def _on_host(ops: list[Op], n: int, compiled: Compiled) -> bool:
    """Small states whose matrices are on the host go to the compiled whole-program kernel (unfused)."""
    from .engine import forced_kernels
    from .native import PROGRAM_MAX_K, native_available
    from .small import SMALL_MAX_QUBITS

    return (n <= SMALL_MAX_QUBITS and compiled.fusion != 0 and not forced_kernels() and native_available()
            and all(len(op.qubits) <= PROGRAM_MAX_K and op.tensor.device.type == "cpu" for op in ops))  # type: ignore[union-attr]


def state_batch(
    circuits: Sequence[Circuit],
    *,
    device: Any = None,
    dtype: Any = torch.complex64,
    progress: Progress | None = None,
    fusion: Any = "auto",
) -> torch.Tensor:
    """The final states of B circuits of one shape, simulated as one batch; shape (B, 2**n), big-endian.

    The circuits must have the same number of qubits and act with the same number of gates on the same qubits
    in the same order (the gates themselves may differ); each must have one pure final state (see
    :func:`suanli.state`). Parameters must be numbers (bind :class:`~suanli.Parameter` s first).

    Raises:
        SuanliError: the list is empty, the circuits differ in shape (the message names the first gate that
            differs), or a circuit has tensor parameters.
        SimulationTooLarge: B states do not fit in the device's memory.

    Examples:
        >>> import suanli
        >>> cs = [suanli.Circuit(1).ry(a, 0) for a in (0.0, 3.141592653589793)]
        >>> suanli.state_batch(cs, device="cpu").abs().round(decimals=6)
        tensor([[1., 0.],
                [0., 1.]])
    """
    from .api import _final_state, _prepare, _unitary_ops

    circuits = list(circuits)
    if not circuits:
        raise SuanliError("state_batch needs at least one circuit")
    if not all(isinstance(c, Circuit) for c in circuits):
        raise SuanliError("state_batch takes a list of suanli.Circuit objects")
    n = circuits[0].num_qubits
    programs: list[list[Op]] = []
    first: Compiled | None = None
    for b, c in enumerate(circuits):
        if c.num_qubits != n:
            raise SuanliError(f"circuit {b} has {c.num_qubits} qubits, circuit 0 has {n}: one batch needs one width")
        compiled, _, _ = _prepare(c, None, device, dtype, fusion)
        if compiled.batch is not None or compiled.requires_grad:
            raise SuanliError(f"circuit {b} has tensor parameters; state_batch takes circuits with numeric angles")
        ops = _unitary_ops(compiled, "state_batch")
        if programs and len(ops) != len(programs[0]):
            raise SuanliError(
                f"circuit {b} has {len(ops)} gates after compilation, circuit 0 has {len(programs[0])}: "
                "the circuits of one batch need the same shape"
            )
        for i, (op, ref) in enumerate(zip(ops, programs[0] if programs else ops)):
            if op.qubits != ref.qubits:
                raise SuanliError(
                    f"gate {i} of circuit {b} is {_describe(op)} but gate {i} of circuit 0 is {_describe(ref)}: "
                    "the circuits of one batch need the same gates on the same qubits"
                )
        programs.append(ops)
        first = first or compiled
    assert first is not None
    batched = [_stack([ops[i] for ops in programs], i) for i in range(len(programs[0]))]
    if _on_host(batched, n, first):  # small states: every gate of every circuit in one compiled call
        from .memory import check_memory
        from .native import Program

        check_memory(n, first.dtype, first.device, copies=1, batch=len(circuits))
        psi = torch.zeros(len(circuits), 1 << n, dtype=first.dtype)
        psi[:, 0] = 1
        Program(n, first.dtype, [(op.kind, op.qubits, op.tensor, None) for op in batched]).run(psi)
        if progress is not None:
            progress(len(batched), len(batched))
        return psi.to(first.device)
    compiled = Compiled(batched, n, 0, len(circuits), False, first.dtype, first.device, first.fusion)
    sv = _final_state(compiled, batched, progress)
    out = sv.canonical()
    sv.release()
    return out
