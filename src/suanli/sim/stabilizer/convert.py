"""Convert Clifford circuits between suanli and Stim.

:func:`to_stim` turns a suanli :class:`~suanli.Circuit` made of Clifford gates, ``measure``, ``reset`` and
``barrier`` into a :class:`stim.Circuit`. Gates with a Stim name (``h``, ``s``, ``sdg``, ``sx``, ``cx``, ``cz``,
``swap``, ``iswap`` …) map one to one; every other gate of the table, and parametrised gates at Clifford angles
(``rz(pi/2)``, ``rx(pi)``, ``fsim(pi/2, 0)`` …), are converted from their unitary matrix with
:meth:`stim.Tableau.from_unitary_matrix` and written as a short Stim gate sequence (equal up to a global
phase, which no measurement can see). Non-Clifford gates raise :class:`~suanli.CircuitError`.

Classical bits: each ``measure`` becomes one entry of Stim's measurement record, in circuit order;
:func:`measurement_clbits` gives the classical bit of each entry. A bit measured several times holds its last
value, as in suanli. ``if(c==1) x q`` on a single classical bit becomes ``CX rec[-k] q`` (``y``/``z`` likewise).

:func:`from_stim` goes the other way: Stim's unitary gates, ``M``/``MX``/``MY``/``MR``/``MRX``/``MRY``,
``R``/``RX``/``RY`` and classically controlled Paulis (``CX rec[-1] 0``) become suanli instructions; measurement
record entry k becomes classical bit k. Annotations (``TICK``, ``DETECTOR``, ``OBSERVABLE_INCLUDE``, coordinates)
are dropped. Noise channels raise :class:`~suanli.CircuitError` unless ``noise="ignore"``.

Examples:
    >>> import suanli
    >>> from suanli.sim.stabilizer import from_stim, to_stim
    >>> bell = suanli.Circuit(2, 2).h(0).cx(0, 1).measure([0, 1], [0, 1])
    >>> print(to_stim(bell))
    H 0
    CX 0 1
    M 0 1
    >>> from_stim(to_stim(bell)) == bell
    True
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from ...circuit import Circuit, Instruction, ParameterExpression
from ...errors import CircuitError
from ...results import Result

if TYPE_CHECKING:
    import stim

__all__ = ["from_stim", "measurement_clbits", "sample_stim", "to_stim"]

#: suanli gate name -> Stim gate name, for gates that are the same operation up to a global phase.
SUANLI_TO_STIM = {
    "id": "I",
    "x": "X",
    "y": "Y",
    "z": "Z",
    "h": "H",
    "s": "S",
    "sdg": "S_DAG",
    "sx": "SQRT_X",
    "sxdg": "SQRT_X_DAG",
    "sy": "SQRT_Y",
    "sydg": "SQRT_Y_DAG",
    "cx": "CX",
    "cy": "CY",
    "cz": "CZ",
    "swap": "SWAP",
    "iswap": "ISWAP",
    "iswapdg": "ISWAP_DAG",
}
STIM_TO_SUANLI = {v: k for k, v in SUANLI_TO_STIM.items()}
STIM_TO_SUANLI.update({"CNOT": "cx", "ZCX": "cx", "ZCY": "cy", "ZCZ": "cz", "SQRT_Z": "s", "SQRT_Z_DAG": "sdg"})

_ANNOTATIONS = frozenset({"TICK", "DETECTOR", "OBSERVABLE_INCLUDE", "QUBIT_COORDS", "SHIFT_COORDS"})
_CONTROLLED_PAULI = {"CX": "x", "CNOT": "x", "ZCX": "x", "CY": "y", "ZCY": "y", "CZ": "z", "ZCZ": "z"}


def _import_stim() -> Any:
    try:
        import stim
    except ImportError as exc:  # pragma: no cover - stim is installed with suanli[qec]
        raise CircuitError("Stim is not installed; install it with: pip install 'suanli[qec]'") from exc
    return stim


# ---------------------------------------------------------------------------------------------------------
# suanli -> Stim
# ---------------------------------------------------------------------------------------------------------
def _flat_instructions(circuit: Circuit) -> Iterator[Instruction]:
    """The circuit's instructions with custom gates expanded (conditions carried over)."""
    for inst in circuit:
        if inst.definition is not None:
            sub = inst.definition.expand(inst.params, inst.qubits)
            for s in sub:
                if s.definition is not None:
                    inner = Circuit(circuit.num_qubits)
                    inner.append(s)
                    yield from (x.with_condition(inst.condition) for x in _flat_instructions(inner))
                else:
                    yield s.with_condition(inst.condition)
        else:
            yield inst


def _gate_to_stim(stim: Any, inst: Instruction, out: Any) -> None:
    name = SUANLI_TO_STIM.get(inst.name)
    if name is not None and not inst.params:
        out.append(name, list(inst.qubits))
        return
    for p in inst.params:
        if isinstance(p, ParameterExpression):
            raise CircuitError(f"to_stim: {inst} has unbound parameters; bind them first (circuit.bind(...))")
        if not isinstance(p, float) and getattr(p, "dim", lambda: 0)() != 0:
            raise CircuitError(f"to_stim: {inst} has a batch of parameter values; Stim needs one value per gate")
    matrix = inst.spec.matrix(*[float(p) for p in inst.params]).numpy()
    try:
        tableau = stim.Tableau.from_unitary_matrix(matrix, endian="big")
    except ValueError:
        raise CircuitError(
            f"to_stim: {inst} is not a Clifford gate; Stim simulates Clifford circuits only "
            "(h, s, sdg, sx, cx, cz, swap, ... and rotations by multiples of pi/2)"
        ) from None
    for op in tableau.to_circuit(method="elimination"):
        targets = [inst.qubits[t.value] for t in op.targets_copy()]
        out.append(op.name, targets)


def to_stim(circuit: Circuit) -> stim.Circuit:
    """Convert a suanli Clifford circuit to a :class:`stim.Circuit`.

    Args:
        circuit: gates of the table (Clifford only; parameters bound), custom gates made of them,
            ``measure``, ``reset``, ``barrier`` (becomes ``TICK``), and conditions ``if(c==1)`` on one classical bit
            on ``x``/``y``/``z``.

    Returns:
        The Stim circuit on the same qubit indices; measurement record entry k is classical bit
        ``measurement_clbits(circuit)[k]``.

    Raises:
        CircuitError: a non-Clifford gate, an unbound parameter, or a condition Stim cannot express.
    """
    stim = _import_stim()
    out = stim.Circuit()
    last_write: dict[int, int] = {}  # clbit -> index of the record entry that wrote it last
    num_records = 0
    for inst in _flat_instructions(circuit):
        if inst.condition is not None:
            cond = inst.condition
            pauli = {"x": "CX", "y": "CY", "z": "CZ"}.get(inst.name)
            if pauli is None or len(cond.clbits) != 1 or cond.value not in (0, 1):
                raise CircuitError(
                    f"to_stim: cannot express {inst}; Stim supports only x/y/z conditioned on one classical bit == 1"
                )
            bit = cond.clbits[0]
            written = bit in last_write
            if cond.value == 0:
                raise CircuitError(f"to_stim: cannot express {inst}; use a condition == 1 on one classical bit")
            if written:
                out.append(pauli, [stim.target_rec(last_write[bit] - num_records), inst.qubits[0]])
            continue  # an unwritten bit reads 0: the gate never fires
        if inst.name == "measure":
            out.append("M", list(inst.qubits))
            last_write[inst.clbits[0]] = num_records
            num_records += 1
        elif inst.name == "reset":
            out.append("R", list(inst.qubits))
        elif inst.name == "barrier":
            out.append("TICK")
        else:
            _gate_to_stim(stim, inst, out)
    return out


def measurement_clbits(circuit: Circuit) -> tuple[int, ...]:
    """The classical bit written by each entry of the measurement record of ``to_stim(circuit)``.

    Examples:
        >>> measurement_clbits(Circuit(2, 2).measure([1, 0], [0, 1]).measure(0, 0))
        (0, 1, 0)
    """
    return tuple(inst.clbits[0] for inst in _flat_instructions(circuit) if inst.name == "measure")


def sample_stim(circuit: Circuit, *, shots: int, seed: int | None = None) -> Result:
    """Sample a Clifford circuit with Stim; the result reads like :func:`suanli.sample`'s.

    Classical bits hold the value of their last measurement (0 when never measured). A circuit without
    measurements is measured in full at the end into a new register ``meas``, as :func:`suanli.sample` does.
    The same seed, circuit, Stim version and machine (Stim's SIMD width) give the same shots.

    Examples:
        >>> c = Circuit(2, 2).h(0).cx(0, 1).measure([0, 1], [0, 1])
        >>> sorted(sample_stim(c, shots=100, seed=3).counts())
        ['00', '11']
    """
    if shots < 0:
        raise CircuitError(f"shots must be >= 0, got {shots}")
    if not any(inst.name == "measure" for inst in circuit):
        circuit = circuit.copy()
        circuit.measure_all()
    program = to_stim(circuit)
    clbits = measurement_clbits(circuit)
    records = program.compile_sampler(seed=seed).sample(shots) if clbits else np.zeros((shots, 0), dtype=bool)
    memory = np.zeros((shots, circuit.num_clbits), dtype=np.uint8)
    for k, bit in enumerate(clbits):
        memory[:, bit] = records[:, k]
    return Result(
        memory,
        register_sizes=tuple(len(r) for r in circuit.cregs),
        register_names=tuple(r.name for r in circuit.cregs),
        seed=seed,
        metadata={"backend": "stim"},
    )


# ---------------------------------------------------------------------------------------------------------
# Stim -> suanli
# ---------------------------------------------------------------------------------------------------------
def _append_gate(out: Circuit, stim: Any, name: str, qubits: list[int]) -> None:
    mapped = STIM_TO_SUANLI.get(name)
    if mapped is not None:
        out.append(mapped, tuple(qubits))
        return
    decomposition = stim.Tableau.from_named_gate(name).to_circuit(method="elimination")
    for op in decomposition:
        _append_gate(out, stim, op.name, [qubits[t.value] for t in op.targets_copy()])


def _measure(out: Circuit, name: str, target: Any, clbit: int) -> None:
    q = target.value
    basis = name[-1] if name[-1] in "XY" else "Z"
    if basis == "X":
        out.h(q)
    elif basis == "Y":
        out.sdg(q).h(q)
    if target.is_inverted_result_target:
        out.x(q)
    out.measure(q, clbit)
    if name.startswith("MR"):
        out.reset(q)
        if basis == "X":
            out.h(q)
        elif basis == "Y":
            out.h(q).s(q)
        return
    if target.is_inverted_result_target:
        out.x(q)
    if basis == "X":
        out.h(q)
    elif basis == "Y":
        out.h(q).s(q)


def from_stim(program: stim.Circuit, *, noise: Literal["error", "ignore"] = "error") -> Circuit:
    """Convert a :class:`stim.Circuit` to a suanli circuit (``REPEAT`` blocks are unrolled).

    Args:
        program: a Stim circuit of unitary gates, measurements ``M``/``MX``/``MY``/``MR``/``MRX``/``MRY``, resets
            ``R``/``RX``/``RY``, classically controlled Paulis and annotations.
        noise: ``"error"`` (default) refuses noise channels and noisy measurements; ``"ignore"`` drops them.

    Returns:
        A circuit on ``program.num_qubits`` qubits with one classical bit per measurement (register ``c``), bit k
        holding record entry k.

    Raises:
        CircuitError: an operation suanli cannot express (``MPP``, sweep controls, noise unless ignored, ...).
    """
    stim = _import_stim()
    if noise not in ("error", "ignore"):
        raise CircuitError(f"from_stim: noise must be 'error' or 'ignore', got {noise!r}")
    out = Circuit(program.num_qubits, program.num_measurements)
    gate_data = stim.gate_data()
    record = 0
    for op in program.flattened():
        name = op.name
        targets = op.targets_copy()
        data = gate_data[name]
        if name in _ANNOTATIONS:
            continue
        if data.is_noisy_gate and not data.produces_measurements:
            if noise == "error":
                raise CircuitError(f"from_stim: {op} is a noise channel; pass noise='ignore' to drop it")
            continue
        if data.produces_measurements:
            if name not in ("M", "MZ", "MX", "MY", "MR", "MRZ", "MRX", "MRY"):
                raise CircuitError(f"from_stim: measurement {name} is not supported (use M, MX, MY, MR, MRX, MRY)")
            if any(a != 0 for a in op.gate_args_copy()) and noise == "error":
                raise CircuitError(f"from_stim: {op} flips results with a probability; pass noise='ignore'")
            for t in targets:
                _measure(out, name.replace("MZ", "M").replace("MRZ", "MR"), t, record)
                record += 1
            continue
        if name in ("R", "RZ", "RX", "RY"):
            for t in targets:
                out.reset(t.value)
                if name == "RX":
                    out.h(t.value)
                elif name == "RY":
                    out.h(t.value).s(t.value)
            continue
        if not data.is_unitary:
            raise CircuitError(f"from_stim: operation {name} is not supported")
        arity = 2 if data.is_two_qubit_gate else 1
        for i in range(0, len(targets), arity):
            group = targets[i : i + arity]
            if any(t.is_measurement_record_target for t in group):
                pauli = _CONTROLLED_PAULI.get(name)
                if pauli is None or not group[0].is_measurement_record_target or group[1].is_measurement_record_target:
                    raise CircuitError(f"from_stim: classical control in {op} is not supported")
                bit = record + group[0].value
                with out.c_if([bit], 1):
                    out.append(pauli, (group[1].value,))
                continue
            if any(not t.is_qubit_target for t in group):
                raise CircuitError(f"from_stim: targets of {op} are not supported (sweep bits or Pauli targets)")
            _append_gate(out, stim, name, [t.value for t in group])
    return out
