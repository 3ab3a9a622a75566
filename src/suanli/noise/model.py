"""A :class:`NoiseModel`: which channel follows which gate, and the readout errors.

Rules are checked in the order they were added; the first rule that matches a gate (by name, by arity, by
qubits) attaches its channel right after the gate. A one-qubit channel attached to a k-qubit gate acts on
each of the gate's qubits; a k-qubit channel must match the gate's arity. Readout errors flip measured bits.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import torch

from ..circuit import Circuit
from ..errors import SimulationError, SuanliError
from ..sim.statevector.engine import Op, compile_circuit
from .channels import KrausChannel, ReadoutError, depolarizing

__all__ = ["NoiseModel", "compile_noisy"]


@dataclass(frozen=True)
class _Rule:
    channel: KrausChannel
    gates: frozenset[str] | None
    arity: int | None
    qubits: frozenset[int] | None


@dataclass
class NoiseModel:
    """Gate errors and readout errors.

    Examples:
        >>> from suanli.noise import NoiseModel, depolarizing
        >>> nm = NoiseModel.uniform_depolarizing(p1=0.001, p2=0.01, readout=0.02)
        >>> import suanli
        >>> c = suanli.Circuit(2).h(0).cx(0, 1)
        >>> round(nm.predicted_fidelity(c), 6)  # (1-0.00075) * (1-0.009375) * (1-0.02)**2
        0.950683
    """

    rules: list[_Rule] = field(default_factory=list)
    readout: dict[int | None, ReadoutError] = field(default_factory=dict)

    def add_gate_error(
        self,
        channel: KrausChannel,
        *,
        gates: Iterable[str] | None = None,
        arity: int | None = None,
        qubits: Iterable[int] | None = None,
    ) -> NoiseModel:
        """Attach ``channel`` after every gate that matches (all given filters must hold); returns self."""
        if not isinstance(channel, KrausChannel):
            raise SuanliError(f"expected a KrausChannel, got {type(channel).__name__}")
        rule = _Rule(
            channel,
            frozenset(gates) if gates is not None else None,
            arity,
            frozenset(qubits) if qubits is not None else None,
        )
        self.rules.append(rule)
        return self

    def add_readout_error(self, error: ReadoutError, qubits: Iterable[int] | None = None) -> NoiseModel:
        """Readout error on the given qubits (default: every qubit without its own entry); returns self."""
        if qubits is None:
            self.readout[None] = error
        else:
            for q in qubits:
                self.readout[int(q)] = error
        return self

    @classmethod
    def uniform_depolarizing(cls, *, p1: float = 0.0, p2: float = 0.0, readout: float = 0.0) -> NoiseModel:
        """Depolarizing noise of parameter p1 after one-qubit gates and p2 (two-qubit) after two-qubit gates,
        and a symmetric readout error ``readout``."""
        nm = cls()
        if p1 > 0:
            nm.add_gate_error(depolarizing(p1, 1), arity=1)
        if p2 > 0:
            nm.add_gate_error(depolarizing(p2, 2), arity=2)
        if readout > 0:
            nm.add_readout_error(ReadoutError(readout, readout))
        return nm

    # ------------------------------------------------------------------------------------------------------
    def readout_error(self, qubit: int) -> ReadoutError | None:
        return self.readout.get(qubit, self.readout.get(None))

    def channel_for(self, name: str, qubits: Sequence[int]) -> list[tuple[KrausChannel, tuple[int, ...]]]:
        """The channels (with their qubits) that follow gate ``name`` on ``qubits``."""
        for rule in self.rules:
            if rule.gates is not None and name not in rule.gates:
                continue
            if rule.arity is not None and rule.arity != len(qubits):
                continue
            if rule.qubits is not None and not rule.qubits.issuperset(qubits):
                continue
            k = rule.channel.num_qubits
            if k == len(qubits):
                return [(rule.channel, tuple(qubits))]
            if k == 1:
                return [(rule.channel, (q,)) for q in qubits]
            raise SuanliError(
                f"a {k}-qubit channel cannot follow the {len(qubits)}-qubit gate {name!r}; "
                "use a one-qubit channel or restrict the rule with arity="
            )
        return []

    def predicted_fidelity(self, circuit: Circuit, *, measured: Sequence[int] | None = None) -> float:
        """The digital error model: F ≈ Π(1 − e_g) over every channel application and every readout.

        ``e_g`` is the channel's error probability (Pauli error for Pauli channels) and each measured qubit
        contributes (1 − e_r) with e_r its average readout flip probability (Arute et al., Nature 574, 505
        (2019), supplementary information, the digital error model).
        """
        f = 1.0
        for item in compile_noisy(circuit, self):
            if isinstance(item, tuple):
                f *= 1.0 - item[0].error_probability
        qubits = range(circuit.num_qubits) if measured is None else measured
        for q in qubits:
            err = self.readout_error(q)
            if err is not None:
                f *= 1.0 - err.error_probability
        return float(f) if math.isfinite(f) else 0.0


NoisyStep = Op | tuple[KrausChannel, tuple[int, ...]]


def compile_noisy(
    circuit: Circuit,
    model: NoiseModel,
    *,
    dtype: torch.dtype = torch.complex64,
    device: torch.device | None = None,
) -> list[NoisyStep]:
    """The circuit's compiled gate ops (custom gates unrolled, identities dropped) with the model's channels
    after each gate, as ``Op`` or ``(channel, qubits)``; terminal measurements and barriers are dropped.

    Raises:
        SimulationError: mid-circuit measurements, resets or conditions (noisy runs take unitary circuits).
    """
    compiled = compile_circuit(circuit, None, dtype=dtype, device=device)
    if compiled.batch is not None:
        raise SimulationError("noisy simulation does not take batched parameters")
    done: set[int] = set()
    kept: list[Op] = []
    for op in reversed(compiled.ops):
        if op.kind == "measure" and op.condition is None and op.qubits[0] not in done:
            continue
        if op.kind in ("measure", "reset") or op.condition is not None:
            raise SimulationError("noisy simulation takes unitary circuits (terminal measurements allowed)")
        done.update(op.qubits)
        kept.append(op)
    out: list[NoisyStep] = []
    for op in reversed(kept):
        out.append(op)
        out.extend(model.channel_for(op.name, op.qubits))
    return out
