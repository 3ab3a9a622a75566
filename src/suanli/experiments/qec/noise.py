"""Named circuit-level noise models, applied layer by layer to noiseless Stim circuits.

A circuit is cut into layers at its ``TICK`` instructions. In each layer every operation gets its noise
(after gates and resets; measurement results flip with a probability), and every qubit the layer leaves alone
gets idle noise, whose strength depends on the kind of layer (one-qubit gates, two-qubit gates, or
measurement/reset).

Models:

- :func:`uniform_depolarizing` — "SD6" of Gidney, Newman, Fowler and Broughton, *A Fault-Tolerant Honeycomb
  Memory*, Quantum 5, 605 (2021), Table 2: ``DEPOLARIZE1(p)`` after every one-qubit gate and on every idle qubit
  of every layer, ``DEPOLARIZE2(p)`` after every two-qubit gate, ``X_ERROR(p)`` after resets and measurement
  results flipped with probability ``p``. Gates are used as written (CX stays CX).
- :func:`si1000` — "SI1000" (superconducting-inspired, 1000 ns cycle) of the same table: CZ-native, ``p/10``
  after one-qubit gates, ``p`` after CZ, result flip ``5p``, reset error ``2p``, idle ``p/10`` in gate layers and
  ``2p`` ("resonator idle") for qubits idle during a measurement/reset layer. Stim's generated circuits use CX;
  the model rewrites each ``CX c t`` as ``H t; CZ c t; H t`` and merges the one-qubit gates of consecutive
  layers into one Clifford per qubit (identities vanish), the way a CZ-native processor compiles them.
- :func:`hardware_noise` — from a :class:`HardwareSpec` (one- and two-qubit gate errors, readout and reset
  error, T1, T2 and layer durations): gate errors as depolarizing channels, CZ-native like SI1000, and idle
  qubits decohering for the duration of each layer, as the Pauli-twirled amplitude and phase damping channel
  ``p_x = p_y = (1 − e^{−t/T1})/4``, ``p_z = (1 − e^{−t/T2})/2 − p_x``.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

from ...errors import SuanliError

if TYPE_CHECKING:
    import stim

__all__ = ["HardwareSpec", "NoiseModel", "hardware_noise", "noise_model", "si1000", "uniform_depolarizing"]

#: A one-qubit Pauli channel (p_x, p_y, p_z).
Pauli = tuple[float, float, float]

_ANNOTATIONS = frozenset({"DETECTOR", "OBSERVABLE_INCLUDE", "QUBIT_COORDS", "SHIFT_COORDS", "TICK"})
_MEASUREMENTS = frozenset({"M", "MZ", "MX", "MY", "MR", "MRZ", "MRX", "MRY"})
_RESET_FLIP = {"R": "X_ERROR", "RZ": "X_ERROR", "RX": "Z_ERROR", "RY": "X_ERROR"}
_MR_FLIP = {"MR": "X_ERROR", "MRZ": "X_ERROR", "MRX": "Z_ERROR", "MRY": "X_ERROR"}


def _depolarizing(p: float) -> Pauli:
    return (p / 3, p / 3, p / 3)


def _check_probability(name: str, value: float) -> None:
    if not (isinstance(value, (int, float)) and math.isfinite(value) and 0 <= value <= 1):
        raise SuanliError(f"noise model: {name} must be a probability in [0, 1], got {value!r}")


@dataclass(frozen=True)
class NoiseModel:
    """Circuit-level noise: what each operation and each idle qubit suffers in one layer.

    Attributes:
        name: short name (``"uniform"``, ``"si1000"``, ``"hardware"``).
        p: the physical error rate the model was built from (its scale parameter).
        gate1: ``DEPOLARIZE1`` probability after each one-qubit gate.
        gate2: ``DEPOLARIZE2`` probability after each two-qubit gate.
        measure: probability that a measurement result is flipped.
        reset: probability that a reset prepares the wrong state.
        idle_gate1: Pauli channel on qubits idle during a layer of one-qubit gates.
        idle_gate2: Pauli channel on qubits idle during a layer with two-qubit gates.
        idle_measure: Pauli channel on qubits idle during a layer with measurements or resets.
        native_cz: rewrite CX as H·CZ·H and merge one-qubit layers before adding noise.
        description: one line for tables and reports.
    """

    name: str
    p: float
    gate1: float
    gate2: float
    measure: float
    reset: float
    idle_gate1: Pauli = (0.0, 0.0, 0.0)
    idle_gate2: Pauli = (0.0, 0.0, 0.0)
    idle_measure: Pauli = (0.0, 0.0, 0.0)
    native_cz: bool = False
    description: str = ""

    def __post_init__(self) -> None:
        for field_name in ("p", "gate1", "gate2", "measure", "reset"):
            _check_probability(field_name, getattr(self, field_name))
        for field_name in ("idle_gate1", "idle_gate2", "idle_measure"):
            channel = tuple(float(x) for x in getattr(self, field_name))
            if len(channel) != 3:
                raise SuanliError(f"noise model: {field_name} must be (p_x, p_y, p_z), got {channel!r}")
            for x in channel:
                _check_probability(field_name, x)
            if sum(channel) > 1:
                raise SuanliError(f"noise model: {field_name} probabilities sum to {sum(channel)} > 1")
            object.__setattr__(self, field_name, channel)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready description."""
        return asdict(self)

    def apply(self, circuit: stim.Circuit) -> stim.Circuit:
        """The noisy version of a noiseless Stim circuit (``REPEAT`` blocks are kept).

        Raises:
            SuanliError: the circuit already contains noise, or an operation the model does not know.

        Examples:
            >>> import stim
            >>> print(uniform_depolarizing(0.01).apply(stim.Circuit("R 0 1\\nTICK\\nH 0\\nTICK\\nM 0 1")))
            R 0 1
            X_ERROR(0.01) 0 1
            TICK
            H 0
            DEPOLARIZE1(0.01) 0 1
            TICK
            M(0.01) 0 1
        """
        import stim

        used = sorted(_used_qubits(circuit))
        if self.native_cz:
            circuit = _to_cz(circuit)
        return _noisy(stim, self, circuit, used)


def _used_qubits(circuit: stim.Circuit) -> set[int]:
    used: set[int] = set()
    for op in circuit.flattened():
        if op.name in _ANNOTATIONS:
            continue
        used.update(t.value for t in op.targets_copy() if t.is_qubit_target)
    return used


def _emit_pauli(out: Any, channel: Pauli, qubits: list[int]) -> None:
    if not qubits or sum(channel) == 0:
        return
    if channel[0] == channel[1] == channel[2]:
        out.append("DEPOLARIZE1", qubits, 3 * channel[0])
    else:
        out.append("PAULI_CHANNEL_1", qubits, list(channel))


def _emit_layer(stim: Any, model: NoiseModel, layer: list[Any], used: list[int], out: Any) -> None:
    touched: set[int] = set()
    kind = "gate1"
    for op in layer:
        name = op.name
        targets = op.targets_copy()
        qubits = [t.value for t in targets if t.is_qubit_target]
        data = stim.gate_data(name)
        if name in _ANNOTATIONS:
            out.append(op)
            continue
        touched.update(qubits)
        if name in _MEASUREMENTS:
            kind = "measure"
            out.append(name, targets, model.measure)
            if name in _MR_FLIP and model.reset > 0:
                out.append(_MR_FLIP[name], qubits, model.reset)
        elif name in _RESET_FLIP:
            kind = "measure"
            out.append(op)
            if model.reset > 0:
                out.append(_RESET_FLIP[name], qubits, model.reset)
        elif data.is_unitary and data.is_two_qubit_gate:
            if kind != "measure":
                kind = "gate2"
            out.append(op)
            if model.gate2 > 0:
                out.append("DEPOLARIZE2", qubits, model.gate2)
        elif data.is_unitary and data.is_single_qubit_gate:
            out.append(op)
            if model.gate1 > 0:
                out.append("DEPOLARIZE1", qubits, model.gate1)
        elif data.is_noisy_gate:
            raise SuanliError(f"noise model: the circuit already contains noise ({name}); start from a noiseless one")
        else:
            raise SuanliError(f"noise model: operation {name} is not supported")
    if not touched:
        return
    idle = [q for q in used if q not in touched]
    channel = {"gate1": model.idle_gate1, "gate2": model.idle_gate2, "measure": model.idle_measure}[kind]
    _emit_pauli(out, channel, idle)


def _noisy(stim: Any, model: NoiseModel, circuit: stim.Circuit, used: list[int]) -> stim.Circuit:
    out = stim.Circuit()
    layer: list[Any] = []
    for op in circuit:
        if isinstance(op, stim.CircuitRepeatBlock):
            _emit_layer(stim, model, layer, used, out)
            layer = []
            out.append(stim.CircuitRepeatBlock(op.repeat_count, _noisy(stim, model, op.body_copy(), used)))
        elif op.name == "TICK":
            _emit_layer(stim, model, layer, used, out)
            layer = []
            out.append("TICK")
        else:
            layer.append(op)
    _emit_layer(stim, model, layer, used, out)
    return out


# ---------------------------------------------------------------------------------------------------------
# CZ-native compilation
# ---------------------------------------------------------------------------------------------------------
_TABLEAU_NAMES: dict[str, str] = {}


def _clifford_name(tableau: Any) -> str:
    import stim

    if not _TABLEAU_NAMES:
        for g in stim.gate_data().values():
            if g.is_unitary and g.is_single_qubit_gate:
                key = str(g.tableau)
                if key not in _TABLEAU_NAMES or g.name in ("I", "H", "S", "S_DAG", "X", "Y", "Z"):
                    _TABLEAU_NAMES[key] = g.name
    return _TABLEAU_NAMES[str(tableau)]


def _is_single_qubit_layer(stim: Any, layer: list[Any]) -> bool:
    return bool(layer) and all(
        stim.gate_data(op.name).is_unitary and stim.gate_data(op.name).is_single_qubit_gate for op in layer
    )


def _fuse(stim: Any, layers: list[list[Any]]) -> list[Any]:
    """One layer: per qubit, the product of the one-qubit gates of consecutive layers (identities dropped)."""
    per_qubit: dict[int, Any] = {}
    for layer in layers:
        for op in layer:
            t = stim.Tableau.from_named_gate(op.name)
            for target in op.targets_copy():
                q = target.value
                per_qubit[q] = per_qubit[q].then(t) if q in per_qubit else t
    by_name: dict[str, list[int]] = {}
    for q in sorted(per_qubit):
        name = _clifford_name(per_qubit[q])
        if name != "I":
            by_name.setdefault(name, []).append(q)
    return [stim.CircuitInstruction(name, qs) for name, qs in by_name.items()]


def _to_cz(circuit: stim.Circuit) -> stim.Circuit:
    """Rewrite ``CX c t`` as ``H t; CZ c t; H t`` (each its own layer) and merge adjacent one-qubit layers."""
    import stim

    items: list[Any] = []  # layers (lists of instructions), "TICK" markers removed, or repeat blocks
    layer: list[Any] = []

    def close() -> None:
        nonlocal layer
        cx_targets = [op for op in layer if op.name in ("CX", "CNOT", "ZCX")]
        if cx_targets:
            before = []
            middle = []
            for op in layer:
                if op.name in ("CX", "CNOT", "ZCX"):
                    ts = op.targets_copy()
                    before.append(stim.CircuitInstruction("H", ts[1::2]))
                    middle.append(stim.CircuitInstruction("CZ", ts))
                else:
                    middle.append(op)
            items.extend([before, middle, [stim.CircuitInstruction(op.name, op.targets_copy()) for op in before]])
        else:
            items.append(layer)
        layer = []

    for op in circuit:
        if isinstance(op, stim.CircuitRepeatBlock):
            close()
            items.append(stim.CircuitRepeatBlock(op.repeat_count, _to_cz(op.body_copy())))
        elif op.name == "TICK":
            close()
        else:
            layer.append(op)
    close()

    out = stim.Circuit()
    pending: list[list[Any]] = []
    # keep a leading TICK (a REPEAT body starting a new layer) so layers stay separated
    first = not (len(circuit) > 0 and not isinstance(circuit[0], stim.CircuitRepeatBlock) and circuit[0].name == "TICK")

    def flush_pending() -> None:
        nonlocal pending, first
        if pending:
            fused = _fuse(stim, pending)
            if fused:
                if not first:
                    out.append("TICK")
                for op in fused:
                    out.append(op)
                first = False
            pending = []

    for item in items:
        if isinstance(item, stim.CircuitRepeatBlock):
            flush_pending()
            out.append(item)
            first = False
        elif _is_single_qubit_layer(stim, item):
            pending.append(item)
        elif item:
            flush_pending()
            if not first:
                out.append("TICK")
            for op in item:
                out.append(op)
            first = False
    flush_pending()
    return out


# ---------------------------------------------------------------------------------------------------------
# the named models
# ---------------------------------------------------------------------------------------------------------
def uniform_depolarizing(p: float) -> NoiseModel:
    """Uniform depolarizing noise of strength ``p`` on every operation and idle qubit ("SD6").

    Examples:
        >>> uniform_depolarizing(0.001).measure
        0.001
    """
    _check_probability("p", p)
    return NoiseModel(
        name="uniform",
        p=p,
        gate1=p,
        gate2=p,
        measure=p,
        reset=p,
        idle_gate1=_depolarizing(p),
        idle_gate2=_depolarizing(p),
        idle_measure=_depolarizing(p),
        native_cz=False,
        description=f"uniform depolarizing p={p:g} (SD6, Gidney et al. 2021)",
    )


def si1000(p: float) -> NoiseModel:
    """SI1000 superconducting-inspired noise (CZ-native): 1q p/10, CZ p, readout 5p, reset 2p, idle p/10 or 2p.

    Examples:
        >>> m = si1000(0.001)
        >>> (m.gate1, m.gate2, m.measure, m.reset)
        (0.0001, 0.001, 0.005, 0.002)
    """
    _check_probability("p", p)
    if 5 * p > 1:
        raise SuanliError(f"SI1000 needs 5p <= 1 (its readout error is 5p), got p={p:g}")
    return NoiseModel(
        name="si1000",
        p=p,
        gate1=p / 10,
        gate2=p,
        measure=5 * p,
        reset=2 * p,
        idle_gate1=_depolarizing(p / 10),
        idle_gate2=_depolarizing(p / 10),
        idle_measure=_depolarizing(2 * p),
        native_cz=True,
        description=f"SI1000 p={p:g} (Gidney et al. 2021)",
    )


@dataclass(frozen=True)
class HardwareSpec:
    """Physical error rates and timings of a superconducting processor.

    Error rates are Pauli error probabilities (the chance that a gate applies a non-identity Pauli error),
    modelled as depolarizing channels.

    Attributes:
        gate1_error: one-qubit gate error.
        gate2_error: two-qubit (CZ) gate error.
        readout_error: probability that a measurement result is wrong.
        reset_error: probability that a reset leaves the qubit in the wrong state.
        t1_us: energy relaxation time T1 (µs).
        t2_us: dephasing time T2 (µs), at most 2·T1.
        gate1_ns: duration of a layer of one-qubit gates (ns).
        gate2_ns: duration of a layer of CZ gates (ns).
        measure_reset_ns: duration of the measurement and reset layer (ns); None: the rest of ``cycle_us`` after
            the 5 one-qubit and 4 CZ layers of a surface-code cycle.
        cycle_us: the error-correction cycle time (µs), used when ``measure_reset_ns`` is None.
        name: label for reports.
        source: where the numbers come from.
    """

    gate1_error: float
    gate2_error: float
    readout_error: float
    t1_us: float
    t2_us: float
    reset_error: float = 0.0
    gate1_ns: float = 25.0
    gate2_ns: float = 42.0
    measure_reset_ns: float | None = None
    cycle_us: float | None = 1.1
    name: str = "hardware"
    source: str = ""

    def __post_init__(self) -> None:
        for f in ("gate1_error", "gate2_error", "readout_error", "reset_error"):
            _check_probability(f, getattr(self, f))
        for f in ("t1_us", "t2_us", "gate1_ns", "gate2_ns"):
            v = getattr(self, f)
            if not (math.isfinite(v) and v > 0):
                raise SuanliError(f"hardware spec: {f} must be > 0, got {v!r}")
        if self.t2_us > 2 * self.t1_us:
            raise SuanliError(f"hardware spec: T2 ({self.t2_us} µs) cannot exceed 2·T1 ({2 * self.t1_us} µs)")
        if self.measure_reset_ns is None and self.cycle_us is None:
            raise SuanliError("hardware spec: give measure_reset_ns or cycle_us")
        if self.measure_reset_duration_ns <= 0:
            raise SuanliError(
                f"hardware spec: cycle {self.cycle_us} µs is shorter than its gate layers "
                f"(5 × {self.gate1_ns} ns + 4 × {self.gate2_ns} ns)"
            )

    @property
    def measure_reset_duration_ns(self) -> float:
        if self.measure_reset_ns is not None:
            return float(self.measure_reset_ns)
        assert self.cycle_us is not None
        return self.cycle_us * 1000 - 5 * self.gate1_ns - 4 * self.gate2_ns

    def idle_channel(self, duration_ns: float) -> Pauli:
        """The Pauli-twirled T1/T2 channel of a qubit left idle for ``duration_ns``.

        Examples:
            >>> spec = HardwareSpec(0.001, 0.003, 0.01, t1_us=50, t2_us=100)  # T2 = 2·T1: no pure dephasing
            >>> px, py, pz = spec.idle_channel(1000)
            >>> round(px, 6), round(pz, 6)  # p_x = (1 - e^{-1/50})/4, p_z = (1 - e^{-1/100})²/4
            (0.00495, 2.5e-05)
        """
        t_us = duration_ns / 1000
        a = 1 - math.exp(-t_us / self.t1_us)
        px = a / 4
        pz = (1 - math.exp(-t_us / self.t2_us)) / 2 - a / 4
        return (px, px, max(pz, 0.0))


def hardware_noise(spec: HardwareSpec, scale: float = 1.0) -> NoiseModel:
    """A CZ-native noise model from a :class:`HardwareSpec`; ``scale`` multiplies every error rate.

    Idle noise is the T1/T2 channel over each layer's duration (scaled too); qubits under a gate or being
    measured get only that operation's error, which includes their decoherence.
    """
    if not (math.isfinite(scale) and scale >= 0):
        raise SuanliError(f"hardware noise: scale must be >= 0, got {scale!r}")

    def sc(channel: Pauli) -> Pauli:
        return (channel[0] * scale, channel[1] * scale, channel[2] * scale)

    return NoiseModel(
        name="hardware",
        p=min(1.0, spec.gate2_error * scale),
        gate1=min(1.0, spec.gate1_error * scale),
        gate2=min(1.0, spec.gate2_error * scale),
        measure=min(1.0, spec.readout_error * scale),
        reset=min(1.0, spec.reset_error * scale),
        idle_gate1=sc(spec.idle_channel(spec.gate1_ns)),
        idle_gate2=sc(spec.idle_channel(spec.gate2_ns)),
        idle_measure=sc(spec.idle_channel(spec.measure_reset_duration_ns)),
        native_cz=True,
        description=f"{spec.name} (x{scale:g})" if scale != 1 else spec.name,
    )


#: Willow's published physical error rates. Sources: Google Quantum AI, "Willow spec sheet" (December 2024):
#: simultaneous single-qubit gate error 0.035 %, simultaneous CZ error 0.33 %, simultaneous measurement error
#: 0.77 %, mean T1 68 µs; Google Quantum AI and collaborators, Nature 638, 920 (2025): mean T1 68 µs, T2,CPMG
#: 89 µs, cycle time 1.1 µs. Reset error is not published separately; it is taken as 0 (the repeated-measurement
#: readout error above includes what the reset leaves behind). Layer durations of 25 ns (1q) and 42 ns (CZ)
#: are typical values for these devices, not published figures; the measurement+reset layer takes the rest of
#: the 1.1 µs cycle (807 ns).
WILLOW = HardwareSpec(
    gate1_error=0.00035,
    gate2_error=0.0033,
    readout_error=0.0077,
    reset_error=0.0,
    t1_us=68.0,
    t2_us=89.0,
    gate1_ns=25.0,
    gate2_ns=42.0,
    cycle_us=1.1,
    name="willow",
    source=(
        "Google Quantum AI, Willow spec sheet (Dec 2024): 1q 0.035 %, CZ 0.33 %, readout 0.77 %, T1 68 µs; "
        "Nature 638, 920 (2025): T2,CPMG 89 µs, cycle 1.1 µs"
    ),
)


def noise_model(name: str, p: float) -> NoiseModel:
    """The named model at strength ``p``: ``uniform``, ``si1000``, or ``willow`` (Willow's rates × p/0.0033).

    For ``willow``, ``p`` is the CZ error; every other rate is scaled by the same factor.
    """
    key = name.lower().replace("-", "_")
    if key in ("uniform", "depolarizing", "uniform_depolarizing", "sd6"):
        return uniform_depolarizing(p)
    if key == "si1000":
        return si1000(p)
    if key in ("willow", "hardware"):
        return hardware_noise(WILLOW, p / WILLOW.gate2_error)
    raise SuanliError(f"unknown noise model {name!r}; choose uniform, si1000 or willow")
