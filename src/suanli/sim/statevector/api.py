"""Public state-vector functions: :func:`state`, :func:`probabilities`, :func:`sample`, :func:`expectation`,
:func:`outcome_probabilities`.

All take keyword-only options: ``params`` (values for the circuit's :class:`~suanli.Parameter` s; a 1-D
tensor value is a batch), ``device`` (``None`` = CUDA when available), ``dtype`` (``torch.complex64`` by
default), ``progress`` (a callback ``progress(done, total)``) and ``fusion``: ``"auto"`` (default) fuses
consecutive gates into blocks of a width chosen per device (see :mod:`suanli.transpile.fusion`), an integer
sets the largest block, ``None`` applies gates one by one. Fusion changes results only by rounding.
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

import numpy as np
import torch

from ...circuit import Circuit
from ...errors import ObservableError, SimulationError, SimulationTooLarge, SuanliError
from ...observables.pauli import Hermitian, PauliSum, as_observable
from ...results import Result
from .engine import (
    Compiled,
    Op,
    Progress,
    apply_gate,
    choose_kernels,
    compile_circuit,
    forced_kernels,
    fuse_ops,
    fusion_width,
    gate_loop_threads,
    host_buildable,
    in_place_max_k,
    ops_to_device,
    resolve_device,
    resolve_dtype,
    run_ops,
    torch_threads,
)
from .expect import hermitian_expectation, pauli_expectation
from .kernels import StateVector
from .memory import check_branch_memory, check_memory
from .sampling import bits_from_indices, marginal_probabilities, sample_bits
from .small import SMALL_MAX_QUBITS, run_small

__all__ = ["expectation", "outcome_probabilities", "probabilities", "sample", "state"]


def _prepare(
    circuit: Circuit, params: Mapping[Any, Any] | None, device: Any, dtype: Any, fusion: Any = "auto"
) -> tuple[Compiled, torch.device, torch.dtype]:
    dev = resolve_device(device)
    dt = resolve_dtype(dtype)
    if not isinstance(circuit, Circuit):
        raise SuanliError(f"expected a suanli.Circuit, got {type(circuit).__name__}")
    width = fusion_width(fusion, circuit.num_qubits, dev)
    # a constant circuit bound for a GPU builds and fuses its matrices on the host (see ops_to_device)
    build = torch.device("cpu") if dev.type == "cuda" and host_buildable(circuit, params) else dev
    compiled = compile_circuit(circuit, params, dtype=dt, device=dev, matrix_device=build)
    compiled.fusion = width
    return compiled, dev, dt


def _static_ops(ops: list[Op]) -> list[Op] | None:
    """The gate ops of a circuit whose result is one pure state, or None when it is dynamic.

    Terminal measurements are dropped, resets of qubits still in |0> are dropped, and conditions on bits that
    no measurement has written yet are decided (they read 0). Anything else (a measurement followed by more
    work, a reset after use, a condition on a measured bit) makes the circuit dynamic.
    """
    dynamic, _terminal = _split_terminal(ops)
    written: set[int] = set()
    touched: set[int] = set()
    out = []
    for op in dynamic:
        if op.condition is not None:
            if written.intersection(op.condition.clbits):
                return None
            if op.condition.value != 0:
                continue
            op = Op(op.kind, op.qubits, op.tensor, op.clbit, None, op.name)
        if op.kind == "measure":
            return None
        if op.kind == "reset":
            if op.qubits[0] in touched:
                return None
            continue
        touched.update(op.qubits)
        out.append(op)
    return out


def _unitary_ops(compiled: Compiled, what: str) -> list[Op]:
    """Gate ops for functions that need one pure state; refuse dynamic circuits with advice."""
    ops = _static_ops(compiled.ops)
    if ops is None:
        raise SimulationError(
            f"{what}() needs a circuit with one pure final state, but this one measures mid-circuit, resets a "
            "used qubit, or conditions on a measured bit; use probabilities(), sample() or "
            "outcome_probabilities(), which simulate such circuits exactly"
        )
    return ops


def _saved_states(ops: list[Op]) -> int:
    return sum(1 for op in ops if op.tensor is not None and op.tensor.requires_grad)


PARALLEL_THRESHOLD = 16


@contextmanager
def cpu_threads_for(num_qubits: int, device: torch.device) -> Iterator[None]:
    """Run states below ``PARALLEL_THRESHOLD`` qubits on one CPU thread (restored afterwards).

    For small states a kernel's work is shorter than the cost of waking a thread team, and on a busy machine an
    OpenMP team can wait a whole scheduler quantum for a descheduled thread (Qiskit Aer has the same threshold
    idea, ``statevector_parallel_threshold``). torch's thread count is process-wide, so this is not meant for
    programs that run torch from several Python threads at once.
    """
    if device.type != "cpu" or num_qubits >= PARALLEL_THRESHOLD:
        yield
        return
    with torch_threads(1):
        yield


def _small_path(compiled: Compiled, ops: list[Op], grad: bool) -> bool:
    """Small, unbatched, constant circuits run on the host with NumPy (see :mod:`.small`)."""
    if grad or compiled.batch is not None or compiled.num_qubits > SMALL_MAX_QUBITS or compiled.fusion == 0:
        return False
    if forced_kernels():
        return False  # a forced kernel path is taken as asked
    # requires_grad covers every tensor that needs a gradient; on a GPU the matrices of a constant circuit are
    # built on the host (see _prepare), where the small state is simulated and then copied over in one go
    return not compiled.requires_grad and all(op.tensor is not None and op.tensor.device.type == "cpu" for op in ops)


def _kernel_plan(compiled: Compiled, ops: list[Op], grad: bool) -> tuple[str, list[Op], int]:
    """The kernel path, the fused ops for it, and the state buffers it holds: the Triton and compiled CPU
    kernels update the state in place (one buffer, blocks of at most their ``MAX_K`` qubits; a wider gate runs
    on the torch kernels, which need a second buffer); the torch path double-buffers."""
    kernels = choose_kernels(compiled.device, grad)
    limit = in_place_max_k(kernels)
    if not limit:
        return kernels, ops_to_device(fuse_ops(ops, compiled.fusion), compiled.device), 2
    fused = ops_to_device(fuse_ops(ops, min(compiled.fusion, limit)), compiled.device,
                          dense_monomials=kernels == "triton")
    return kernels, fused, 1 if all(len(op.qubits) <= limit for op in fused) else 2


def _final_state(compiled: Compiled, ops: list[Op], progress: Progress | None, extra_copies: float = 0) -> StateVector:
    grad = compiled.requires_grad and torch.is_grad_enabled()
    if _small_path(compiled, ops, grad):
        check_memory(compiled.num_qubits, compiled.dtype, compiled.device, copies=2 + extra_copies)
        data = run_small(ops, compiled.num_qubits, compiled.dtype).to(compiled.device)
        if progress is not None:
            progress(len(ops), len(ops))
        return StateVector(compiled.num_qubits, dtype=compiled.dtype, device=compiled.device, data=data)
    kernels, ops, buffers = _kernel_plan(compiled, ops, grad)
    copies = buffers + extra_copies + (_saved_states(ops) if grad else 0)
    check_memory(compiled.num_qubits, compiled.dtype, compiled.device, copies=copies, batch=compiled.batch_size)
    sv = StateVector(
        compiled.num_qubits,
        batch=compiled.batch_size,
        dtype=compiled.dtype,
        device=compiled.device,
        inplace=not grad,
        kernels=kernels,
    )
    if grad:
        with cpu_threads_for(compiled.num_qubits, compiled.device):
            run_ops(sv, ops, progress)
    else:
        with torch.no_grad(), cpu_threads_for(compiled.num_qubits, compiled.device):
            run_ops(sv, ops, progress)
    return sv


def _shape_out(t: torch.Tensor, compiled: Compiled) -> torch.Tensor:
    return t if compiled.batch is not None else t[0]


def state(
    circuit: Circuit,
    *,
    params: Mapping[Any, Any] | None = None,
    device: Any = None,
    dtype: Any = torch.complex64,
    progress: Progress | None = None,
    fusion: Any = "auto",
) -> torch.Tensor:
    """The final state vector, big-endian: index bit ``n-1-k`` is qubit k (qubit 0 is the leftmost bit).

    The circuit must have one pure final state: terminal measurements are ignored, resets of qubits still in
    |0> are no-ops, and conditions on classical bits that no measurement has written yet read 0 and are decided
    before the run. Gradients flow to tensor parameters that require them. Returns shape ``(2**n,)``, or
    ``(B, 2**n)`` for a batch of B parameter sets.

    Raises:
        SimulationTooLarge: the state would not fit in the device's free memory.
        SimulationError: the circuit is dynamic (a measurement followed by more work on the qubit, a reset
            after use, a condition on a measured bit); use probabilities(), sample() or
            outcome_probabilities().

    Examples:
        >>> import suanli
        >>> bell = suanli.Circuit(2).h(0).cx(0, 1)
        >>> suanli.state(bell, device="cpu")
        tensor([0.7071+0.j, 0.0000+0.j, 0.0000+0.j, 0.7071+0.j])
        >>> suanli.state(suanli.Circuit(2).x(0), device="cpu").abs().argmax().item()  # |10> = index 2
        2
    """
    compiled, _, _ = _prepare(circuit, params, device, dtype, fusion)
    ops = _unitary_ops(compiled, "state")
    sv = _final_state(compiled, ops, progress)
    with torch.set_grad_enabled(torch.is_grad_enabled() and compiled.requires_grad):
        out = sv.canonical()
    sv.release()
    return _shape_out(out, compiled)


def probabilities(
    circuit: Circuit,
    *,
    qubits: Sequence[int] | None = None,
    params: Mapping[Any, Any] | None = None,
    device: Any = None,
    dtype: Any = torch.complex128,
    progress: Progress | None = None,
    fusion: Any = "auto",
) -> torch.Tensor:
    """Exact outcome probabilities of all qubits, or the marginal of ``qubits`` in the order given.

    The distribution is that of measuring the qubits after the whole circuit. Terminal measurements do not
    change it; mid-circuit measurements, resets and classical conditions are applied exactly, by following
    every outcome branch with its probability (no sampling). Index ``i`` of the result reads big-endian over
    ``qubits``: ``qubits[0]`` is the most significant bit. The result is float64 for complex128 (the default)
    and float32 for complex64. Gradients flow for circuits without mid-circuit measurements.

    Precision: exact distributions default to complex128, because single-precision rounding, repeated over
    ~10^4 gates, moves the distribution by ~10^-5 in total-variation distance. Pass
    ``dtype=torch.complex64`` to halve memory and time.

    Examples:
        >>> import suanli
        >>> c = suanli.Circuit(3).x(2).h(0)
        >>> suanli.probabilities(c, device="cpu")
        tensor([0.0000, 0.5000, 0.0000, 0.0000, 0.0000, 0.5000, 0.0000, 0.0000], dtype=torch.float64)
        >>> suanli.probabilities(c, qubits=[2, 0], device="cpu", dtype=torch.complex64)  # P(q2, q0)
        tensor([0.0000, 0.0000, 0.5000, 0.5000])
    """
    compiled, _, _ = _prepare(circuit, params, device, dtype, fusion)
    n = compiled.num_qubits
    if qubits is not None:
        qubits = [int(q) for q in qubits]
        if len(set(qubits)) != len(qubits) or any(not 0 <= q < n for q in qubits):
            raise SuanliError(f"qubits must be distinct indices in 0..{n - 1}, got {qubits}")
    ops = _static_ops(compiled.ops)
    if ops is None:
        return _dynamic_probabilities(compiled, qubits, progress)
    sv = _final_state(compiled, ops, progress, extra_copies=0.5)
    with torch.set_grad_enabled(torch.is_grad_enabled() and compiled.requires_grad):
        psi = sv.canonical()
        sv.release()
        p = marginal_probabilities(psi, n, qubits)
    return _shape_out(p, compiled)


def expectation(
    circuit: Circuit,
    observable: Any,
    *,
    params: Mapping[Any, Any] | None = None,
    device: Any = None,
    dtype: Any = torch.complex64,
    progress: Progress | None = None,
    fusion: Any = "auto",
) -> torch.Tensor:
    """Expectation value(s) ⟨ψ|O|ψ⟩ of a :class:`PauliSum` (or its string form) or :class:`Hermitian`.

    A list of observables gives a tensor with a trailing axis, one value per observable. Differentiable.

    Examples:
        >>> import suanli
        >>> bell = suanli.Circuit(2).h(0).cx(0, 1)
        >>> float(suanli.expectation(bell, "Z0*Z1 + 0.5*X0*X1", device="cpu"))
        1.5
    """
    single = not isinstance(observable, (list, tuple))
    observables = [as_observable(o) for o in ([observable] if single else observable)]
    if not observables:
        raise ObservableError("expectation() needs at least one observable; got an empty list")
    compiled, _, _ = _prepare(circuit, params, device, dtype, fusion)
    n = compiled.num_qubits
    for o in observables:
        if o.num_qubits > n:
            raise ObservableError(f"observable {o} acts on qubit {o.num_qubits - 1} but the circuit has {n} qubits")
    ops = _unitary_ops(compiled, "expectation")
    sv = _final_state(compiled, ops, progress, extra_copies=2)
    with torch.set_grad_enabled(torch.is_grad_enabled() and compiled.requires_grad):
        psi = sv.canonical()
        sv.release()
        values = []
        for o in observables:
            if isinstance(o, PauliSum):
                values.append(pauli_expectation(psi, n, o))
            else:
                assert isinstance(o, Hermitian)
                values.append(hermitian_expectation(psi, n, o))
        out = values[0] if single else torch.stack(values, dim=-1)
    return _shape_out(out, compiled)


def _dynamic_probabilities(compiled: Compiled, qubits: list[int] | None, progress: Progress | None) -> torch.Tensor:
    if compiled.batch is not None:
        # each parameter set branches differently: run them one by one
        rows = []
        for b in range(compiled.batch):
            single = Compiled(_slice_ops(compiled.ops, b), compiled.num_qubits, compiled.num_clbits, None, False,
                              compiled.dtype, compiled.device, compiled.fusion)
            rows.append(_dynamic_probabilities(single, qubits, progress))
        return torch.stack(rows)
    n = compiled.num_qubits
    real = torch.float64 if compiled.dtype == torch.complex128 else torch.float32
    m = n if qubits is None else len(qubits)
    acc = torch.zeros(1 << m, dtype=torch.float64, device=compiled.device)
    ops = [op for op in _split_terminal(compiled.ops)[0]]

    def leaf(sv: StateVector, record: np.ndarray, weight: float) -> None:
        psi = sv.canonical()
        acc.add_(marginal_probabilities(psi, n, qubits)[0].to(torch.float64), alpha=weight)

    with torch.no_grad():
        _walk(compiled, ops, None, 1, leaf, progress, cutoff=1e-14)
    return acc.to(real)


# ---------------------------------------------------------------------------------------------------------
# sampling
# ---------------------------------------------------------------------------------------------------------
def _check_shot_memory(shots: int, width: int) -> None:
    """The shot record (shots × classical bits, one byte each, plus working copies) must fit in RAM."""
    from .memory import available_bytes, format_bytes

    need = 3 * shots * max(width, 1)
    have = available_bytes(torch.device("cpu"))
    if need > have:
        raise SimulationTooLarge(
            f"{shots} shots × {width} classical bits need about {format_bytes(need)} for the shot record but "
            f"{format_bytes(have)} of memory is available; take fewer shots per call and combine the counts",
            bytes_needed=need,
            bytes_available=have,
        )


def _split_terminal(ops: list[Op]) -> tuple[list[Op], list[tuple[int, int]]]:
    """Separate measurements that can be deferred to the end (nothing later touches their qubit or reads or
    rewrites their bit) from the dynamic part of the circuit."""
    touched: set[int] = set()
    read: set[int] = set()
    written_dyn: set[int] = set()
    dynamic: list[Op] = []
    terminal: list[tuple[int, int]] = []
    for op in reversed(ops):
        if op.kind == "measure" and op.condition is None:
            q, c = op.qubits[0], op.clbit
            assert c is not None
            if q not in touched and c not in read and c not in written_dyn:
                terminal.append((q, c))
                continue
            written_dyn.add(c)
        if op.condition is not None:
            read.update(op.condition.clbits)
        if op.kind == "measure" and op.condition is not None:
            assert op.clbit is not None
            written_dyn.add(op.clbit)
        touched.update(op.qubits)
        dynamic.append(op)
    dynamic.reverse()
    terminal.reverse()
    return dynamic, terminal


def _slice_ops(ops: list[Op], b: int) -> list[Op]:
    out = []
    for op in ops:
        t = op.tensor
        if t is not None and ((op.kind == "matrix" and t.dim() == 3) or (op.kind == "diagonal" and t.dim() == 2)):
            op = Op(op.kind, op.qubits, t[b], op.clbit, op.condition, op.name)
        out.append(op)
    return out


def _walk(
    compiled: Compiled,
    ops: list[Op],
    rng: np.random.Generator | None,
    shots: int,
    leaf: Any,
    progress: Progress | None,
    cutoff: float = 0.0,
) -> int:
    """Depth-first walk over measurement/reset outcomes (see :func:`_walk_unthreaded`), on one CPU thread for
    small states."""
    with cpu_threads_for(compiled.num_qubits, compiled.device):
        return _walk_unthreaded(compiled, ops, rng, shots, leaf, progress, cutoff)


def _walk_unthreaded(
    compiled: Compiled,
    ops: list[Op],
    rng: np.random.Generator | None,
    shots: int,
    leaf: Any,
    progress: Progress | None,
    cutoff: float = 0.0,
) -> int:
    """Depth-first walk over measurement/reset outcomes.

    With ``rng`` each branch carries a number of shots split binomially; without, a probability weight.
    ``leaf(state_vector, record, shots_or_weight)`` is called for every finished branch. Returns the number of
    branches.
    """
    n = compiled.num_qubits
    kernels, ops, buffers = _kernel_plan(compiled, ops, False)
    check_memory(n, compiled.dtype, compiled.device, copies=buffers)
    root = StateVector(n, dtype=compiled.dtype, device=compiled.device, inplace=True, kernels=kernels)
    stack: list[tuple[int, StateVector, np.ndarray, float]] = [
        (0, root, np.zeros(compiled.num_clbits, dtype=np.uint8), shots if rng is not None else 1.0)
    ]
    branches = 0
    total = len(ops)
    step = max(1, total // 200)
    while stack:
        i, sv, record, amount = stack.pop()
        while i < total:
            op = ops[i]
            if op.condition is not None and not op.condition.holds(record):
                i += 1
                continue
            if op.kind in ("matrix", "diagonal", "monomial"):
                with gate_loop_threads(sv.kernels):
                    apply_gate(sv, op)
            else:
                q = op.qubits[0]
                p1 = float(sv.prob_one(q)[0])
                p1 = min(max(p1, 0.0), 1.0)
                if rng is not None:
                    n1 = int(rng.binomial(int(amount), p1)) if 0.0 < p1 < 1.0 else (int(amount) if p1 >= 1.0 else 0)
                    parts = [(o, a, pr) for o, a, pr in ((0, amount - n1, 1 - p1), (1, n1, p1)) if a > 0]
                else:
                    parts = [(o, amount * pr, pr) for o, pr in ((0, 1 - p1), (1, p1)) if amount * pr > cutoff]
                    if not parts:  # numerically empty: keep the likelier outcome
                        o = int(p1 >= 0.5)
                        parts = [(o, amount * max(p1 if o else 1 - p1, 0.0), p1 if o else 1 - p1)]
                if len(parts) == 2:
                    check_branch_memory(n, compiled.dtype, compiled.device, held=len(stack) + 2)
                    child = sv.clone()
                    o2, a2, pr2 = parts[1]
                    rec2 = record.copy()
                    _outcome(child, op, o2, pr2, rec2)
                    stack.append((i + 1, child, rec2, a2))
                o1, a1, pr1 = parts[0]
                _outcome(sv, op, o1, pr1, record)
                amount = a1
            i += 1
            if progress is not None and i % step == 0:
                progress(min(i, total), total)
        leaf(sv, record, amount)
        branches += 1
    if progress is not None:
        progress(total, total)
    return branches


def _outcome(sv: StateVector, op: Op, outcome: int, prob: float, record: np.ndarray) -> None:
    q = op.qubits[0]
    sv.collapse(q, outcome, prob)
    if op.kind == "reset":
        if outcome == 1:
            sv.flip(q)
    else:
        assert op.clbit is not None
        record[op.clbit] = outcome


def sample(
    circuit: Circuit,
    *,
    shots: int,
    seed: int | None = None,
    params: Mapping[Any, Any] | None = None,
    device: Any = None,
    dtype: Any = torch.complex64,
    progress: Progress | None = None,
    fusion: Any = "auto",
) -> Result | list[Result]:
    """Run the circuit ``shots`` times and record its classical bits.

    Terminal measurements are sampled from one final state. Mid-circuit measurements, resets and conditions
    are simulated exactly by branching: the shots are split between the outcomes binomially and each branch
    continues with its own collapsed state (depth first, so at most one state per pending branch is held).
    A circuit without any measurement is measured on all qubits (the keys are then qubit bitstrings).

    Seeds: the same seed, circuit, suanli version, device and precision give the same samples. Across devices
    or precisions the probabilities differ by rounding, which can change individual shots.

    Returns:
        a :class:`Result`, or a list of them for a batch of parameter sets.

    Examples:
        >>> import suanli
        >>> c = suanli.Circuit(2, 2).h(0).cx(0, 1).measure([0, 1], [0, 1])
        >>> r = suanli.sample(c, shots=1000, seed=7, device="cpu")
        >>> sorted(r.counts())
        ['00', '11']
        >>> r.memory.shape
        (1000, 2)
    """
    if isinstance(shots, bool) or not isinstance(shots, (int, np.integer)) or shots < 1:
        raise SuanliError(f"shots must be a positive int, got {shots!r}")
    shots = int(shots)
    _check_shot_memory(shots, circuit.num_clbits if _measures(circuit) else circuit.num_qubits)
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0):
        raise SuanliError(f"seed must be a non-negative int or None, got {seed!r}")
    t0 = time.perf_counter()
    with torch.no_grad():
        compiled, _, _ = _prepare(circuit, params, device, dtype, fusion)
    implicit = not any(op.kind == "measure" for op in compiled.ops)
    if implicit:
        _measure_all_implicitly(compiled)
        sizes, names = (compiled.num_qubits,), ("meas",)
    else:
        sizes = tuple(r.size for r in circuit.cregs)
        names = tuple(r.name for r in circuit.cregs)
    ss = np.random.SeedSequence(seed)
    results = []
    for b in range(compiled.batch_size):
        ops = _slice_ops(compiled.ops, b) if compiled.batch is not None else compiled.ops
        rng = np.random.default_rng(ss.spawn(1)[0] if compiled.batch is not None else ss)
        results.append(_sample_one(compiled, ops, shots, rng, progress, sizes, names, seed, t0, implicit))
    return results if compiled.batch is not None else results[0]


def _measures(circuit: Circuit) -> bool:
    return any(inst.name == "measure" for inst in circuit)


def _measure_all_implicitly(compiled: Compiled) -> None:
    """For a circuit that measures nothing: measure every qubit into a fresh record ``meas`` (qubit i -> bit i).

    Nothing writes the circuit's own classical bits, so they always read 0: conditions on them are decided here
    and the bits are left out of the result.
    """
    ops = []
    for op in compiled.ops:
        if op.condition is not None:
            if op.condition.value != 0:
                continue
            op = Op(op.kind, op.qubits, op.tensor, op.clbit, None, op.name)
        ops.append(op)
    n = compiled.num_qubits
    compiled.ops = ops + [Op("measure", (q,), None, q, None, "measure") for q in range(n)]
    compiled.num_clbits = n


def _sample_one(
    compiled: Compiled,
    ops: list[Op],
    shots: int,
    rng: np.random.Generator,
    progress: Progress | None,
    sizes: tuple[int, ...],
    names: tuple[str, ...],
    seed: int | None,
    t0: float,
    implicit: bool,
) -> Result:
    n = compiled.num_qubits
    dynamic, terminal = _split_terminal(ops)
    rows: list[np.ndarray] = []
    sample_time = [0.0]
    tq = [q for q, _ in terminal]
    tc = [c for _, c in terminal]

    def leaf(sv: StateVector, record: np.ndarray, k: float) -> None:
        k = int(k)
        ts = time.perf_counter()
        block = np.repeat(record[None, :], k, axis=0)
        if terminal:
            psi = sv.canonical()[0]
            bits = sample_bits(psi, n, tq, k, rng)
            block[:, tc] = bits  # later measurements of the same bit win (terminal is in program order)
        rows.append(block)
        sample_time[0] += time.perf_counter() - ts

    t1 = time.perf_counter()
    with torch.no_grad():
        static = _static_ops(dynamic)
        is_dynamic = static is None
        if static is None:
            branches = _walk(compiled, dynamic, rng, shots, leaf, progress)
        else:
            sv = _final_state(compiled, static, progress)
            leaf(sv, np.zeros(compiled.num_clbits, dtype=np.uint8), shots)
            branches = 1
        if compiled.device.type == "cuda":
            torch.cuda.synchronize(compiled.device)
    t2 = time.perf_counter()
    memory = np.concatenate(rows, axis=0) if rows else np.zeros((0, compiled.num_clbits), dtype=np.uint8)
    if len(rows) > 1:
        memory = memory[rng.permutation(memory.shape[0])]
    return Result(
        memory=memory,
        register_sizes=sizes,
        register_names=names,
        seed=seed,
        timings={
            "compile": t1 - t0,
            "simulate": (t2 - t1) - sample_time[0],
            "sample": sample_time[0],
            "total": time.perf_counter() - t0,
        },
        metadata={
            "device": str(compiled.device),
            "dtype": str(compiled.dtype).replace("torch.", ""),
            "num_qubits": n,
            "branches": branches,
            "dynamic": is_dynamic,
            "implicit_measure": implicit,
        },
    )


def outcome_probabilities(
    circuit: Circuit,
    *,
    params: Mapping[Any, Any] | None = None,
    device: Any = None,
    dtype: Any = torch.complex128,
    order: str = "big",
    cutoff: float = 1e-14,
    progress: Progress | None = None,
    fusion: Any = "auto",
) -> dict[str, float]:
    """The exact distribution of the classical register contents, mid-circuit measurements included.

    Every measurement/reset outcome with probability above ``cutoff`` is followed. Computed in complex128 by
    default (see :func:`probabilities`). Keys are as in
    :meth:`Result.counts` (``order="big"``: classical bit 0 leftmost; ``"qiskit"``: Qiskit's keys). A circuit
    without measurements is measured on all qubits.

    Examples:
        >>> import suanli
        >>> c = suanli.Circuit(1, 2).h(0).measure(0, 0).reset(0).h(0).measure(0, 1)
        >>> {k: round(v, 12) for k, v in sorted(suanli.outcome_probabilities(c, device="cpu").items())}
        {'00': 0.25, '01': 0.25, '10': 0.25, '11': 0.25}
    """
    from ...results.result import to_qiskit_key

    if order not in ("big", "qiskit"):
        raise SuanliError(f"order must be 'big' or 'qiskit', got {order!r}")
    with torch.no_grad():
        compiled, _, _ = _prepare(circuit, params, device, dtype, fusion)
        if compiled.batch is not None:
            raise SuanliError("outcome_probabilities takes one parameter set, not a batch")
        n = compiled.num_qubits
        sizes = [r.size for r in circuit.cregs]
        if not any(op.kind == "measure" for op in compiled.ops):
            _measure_all_implicitly(compiled)
            sizes = [n]
        dynamic, terminal = _split_terminal(compiled.ops)
        tq = [q for q, _ in terminal]
        tc = [c for _, c in terminal]
        if len(set(tq)) > 24:
            raise SimulationError(
                f"the exact distribution over {len(set(tq))} measured qubits has up to 2^{len(set(tq))} entries; "
                "use probabilities() or sample() instead"
            )
        out: dict[str, float] = {}

        def leaf(sv: StateVector, record: np.ndarray, weight: float) -> None:
            if terminal:
                psi = sv.canonical()
                sel = sorted(set(tq))
                p = marginal_probabilities(psi, n, sel)[0].to(torch.float64).cpu().numpy()
                p = p / p.sum()
                nz = np.flatnonzero(p * weight > cutoff)
                bits = bits_from_indices(nz.astype(np.int64), len(sel))
                col = {q: i for i, q in enumerate(sel)}
                block = np.repeat(record[None, :], len(nz), axis=0)
                block[:, tc] = bits[:, [col[q] for q in tq]]
                for row, pr in zip(block, p[nz]):
                    key = "".join(map(str, row.tolist()))
                    out[key] = out.get(key, 0.0) + weight * float(pr)
            else:
                key = "".join(map(str, record.tolist()))
                out[key] = out.get(key, 0.0) + weight

        static = _static_ops(dynamic)
        if static is None:
            _walk(compiled, dynamic, None, 1, leaf, progress, cutoff=cutoff)
        else:
            sv = _final_state(compiled, static, progress)
            leaf(sv, np.zeros(compiled.num_clbits, dtype=np.uint8), 1.0)
    if order == "qiskit":
        return {to_qiskit_key(k, sizes): v for k, v in out.items()}
    return out
