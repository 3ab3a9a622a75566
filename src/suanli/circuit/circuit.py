"""The :class:`Circuit`: an ordered list of instructions on qubits and classical bits.

Bit order (used everywhere in suanli): qubit 0 is the most significant bit of a basis-state index and the
leftmost character of a bitstring; classical bit 0 is the leftmost character of a count key.
"""

from __future__ import annotations

import contextlib
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any, Union

from ..errors import CircuitError
from ._builders import GateBuilders
from .instruction import (
    Condition,
    GateDefinition,
    Instruction,
    Register,
    check_bindings,
    make_gate_instruction,
    normalize_param,
)
from .parameter import Parameter

__all__ = ["Circuit"]

QubitLike = Union[int, Iterable[int]]  # noqa: UP007  (runtime alias; Python 3.10 has no `|` on these)
ConditionTarget = Union[str, Register, int, Sequence[int]]  # noqa: UP007


def _as_index(value: Any) -> Any:
    """NumPy integers become ints; everything else is returned for the caller's check."""
    if not isinstance(value, (int, bool)):
        try:
            import numpy as np

            if isinstance(value, np.integer):
                return int(value)
        except ImportError:  # pragma: no cover
            pass
    return value


def _index_list(value: Any) -> list[Any]:
    value = _as_index(value)
    if isinstance(value, int):
        return [value]
    if isinstance(value, (str, bytes)) or not isinstance(value, Iterable):
        raise CircuitError(f"expected an index or a list of indices, got {value!r}")
    return [_as_index(v) for v in value]


_SHAPES: dict[str, tuple[int, int]] = {}


def _table_shapes() -> dict[str, tuple[int, int]]:
    """(qubits, parameters) of every gate of the table by canonical name (filled on first use)."""
    if not _SHAPES:
        from ..gates import all_gates

        _SHAPES.update({spec.name: (spec.num_qubits, spec.num_params) for spec in all_gates()})
    return _SHAPES


class Circuit(GateBuilders):
    """A quantum circuit.

    Args:
        num_qubits: number of qubits (a register ``q`` is created for them when > 0).
        num_clbits: number of classical bits (a register ``c`` is created for them when > 0).
        name: optional name (used as the gate name by :meth:`to_gate`).

    Every gate of the table has a builder method taking parameters first, then qubits, and returning the
    circuit, so calls chain. One-qubit gates accept a list of qubits.

    Examples:
        >>> c = Circuit(3, 3)
        >>> c.h(0).cx(0, 1).cx(1, 2).measure([0, 1, 2], [0, 1, 2])
        Circuit(num_qubits=3, num_clbits=3, instructions=6)
        >>> c.depth(), c.count_ops()
        (4, {'measure': 3, 'cx': 2, 'h': 1})
        >>> print(c.draw())
        q0: ─H──●─────M────────
                │     ║
        q1: ────X──●──╫──M─────
                   │  ║  ║
        q2: ───────X──╫──╫──M──
                      ║  ║  ║
        c:  ══════════0══1══2══
    """

    def __init__(self, num_qubits: int = 0, num_clbits: int = 0, *, name: str | None = None) -> None:
        for label, value in (("num_qubits", num_qubits), ("num_clbits", num_clbits)):
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise CircuitError(f"{label} must be a non-negative int, got {value!r}")
        self.name = name
        self._qregs: list[Register] = []
        self._cregs: list[Register] = []
        self._num_qubits = 0
        self._num_clbits = 0
        self._ops: list[Instruction] = []
        self._condition: Condition | None = None
        if num_qubits:
            self.add_qreg("q", num_qubits)
        if num_clbits:
            self.add_creg("c", num_clbits)

    # ------------------------------------------------------------------------------------------------------
    # registers and sizes
    # ------------------------------------------------------------------------------------------------------
    @property
    def num_qubits(self) -> int:
        return self._num_qubits

    @property
    def num_clbits(self) -> int:
        return self._num_clbits

    @property
    def qregs(self) -> tuple[Register, ...]:
        """Quantum registers in declaration order; their bits are numbered consecutively."""
        return tuple(self._qregs)

    @property
    def cregs(self) -> tuple[Register, ...]:
        """Classical registers in declaration order; their bits are numbered consecutively."""
        return tuple(self._cregs)

    def add_qreg(self, name: str, size: int) -> Register:
        """Append a quantum register of ``size`` qubits (numbered after the existing ones)."""
        self._check_reg(name, size)
        reg = Register(name, size, self._num_qubits)
        self._qregs.append(reg)
        self._num_qubits += size
        return reg

    def add_creg(self, name: str, size: int) -> Register:
        """Append a classical register of ``size`` bits (numbered after the existing ones)."""
        self._check_reg(name, size)
        reg = Register(name, size, self._num_clbits)
        self._cregs.append(reg)
        self._num_clbits += size
        return reg

    def _check_reg(self, name: str, size: int) -> None:
        if not isinstance(name, str) or not name.isidentifier():
            raise CircuitError(f"a register name must be an identifier, got {name!r}")
        if any(r.name == name for r in (*self._qregs, *self._cregs)):
            raise CircuitError(f"a register named {name!r} already exists")
        if isinstance(size, bool) or not isinstance(size, int) or size < 1:
            raise CircuitError(f"register {name!r}: size must be a positive int, got {size!r}")

    def creg(self, name: str) -> Register:
        """The classical register called ``name``."""
        for r in self._cregs:
            if r.name == name:
                return r
        have = ", ".join(r.name for r in self._cregs) or "none"
        raise CircuitError(f"no classical register named {name!r}; have: {have}")

    def qreg(self, name: str) -> Register:
        """The quantum register called ``name``."""
        for r in self._qregs:
            if r.name == name:
                return r
        have = ", ".join(r.name for r in self._qregs) or "none"
        raise CircuitError(f"no quantum register named {name!r}; have: {have}")

    # ------------------------------------------------------------------------------------------------------
    # sequence protocol
    # ------------------------------------------------------------------------------------------------------
    @property
    def instructions(self) -> tuple[Instruction, ...]:
        return tuple(self._ops)

    def __iter__(self) -> Iterator[Instruction]:
        return iter(self._ops)

    def __len__(self) -> int:
        return len(self._ops)

    def __getitem__(self, i: int) -> Instruction:
        return self._ops[i]

    def __repr__(self) -> str:
        name = f", name={self.name!r}" if self.name else ""
        return (
            f"Circuit(num_qubits={self._num_qubits}, num_clbits={self._num_clbits}, "
            f"instructions={len(self._ops)}{name})"
        )

    def __str__(self) -> str:
        return self.draw()

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Circuit):
            return NotImplemented
        return (
            self._num_qubits == other._num_qubits
            and self._num_clbits == other._num_clbits
            and self._ops == other._ops
        )

    __hash__ = None  # type: ignore[assignment]  # mutable

    def copy(self, *, name: str | None = None) -> Circuit:
        """A copy (instructions are immutable and shared)."""
        new = Circuit(name=name if name is not None else self.name)
        new._qregs = list(self._qregs)
        new._cregs = list(self._cregs)
        new._num_qubits = self._num_qubits
        new._num_clbits = self._num_clbits
        new._ops = list(self._ops)
        return new

    def copy_empty(self) -> Circuit:
        """A circuit with the same registers and no instructions."""
        new = self.copy()
        new._ops = []
        return new

    # ------------------------------------------------------------------------------------------------------
    # building
    # ------------------------------------------------------------------------------------------------------
    def _check_qubits(self, qubits: Sequence[int], what: str) -> tuple[int, ...]:
        out = []
        for q in qubits:
            if isinstance(q, bool) or not isinstance(q, int):
                try:
                    import numpy as np

                    if isinstance(q, np.integer):
                        q = int(q)
                    else:
                        raise TypeError
                except TypeError:
                    raise CircuitError(f"{what}: qubit indices must be ints, got {q!r}") from None
            if not 0 <= q < self._num_qubits:
                raise CircuitError(
                    f"{what}: qubit {q} is out of range for a circuit of {self._num_qubits} qubit(s)"
                )
            out.append(q)
        if len(set(out)) != len(out):
            raise CircuitError(f"{what}: a qubit is used twice in one instruction: {tuple(out)}")
        return tuple(out)

    def _check_clbits(self, clbits: Sequence[int], what: str) -> tuple[int, ...]:
        out = []
        for c in clbits:
            c = _as_index(c)
            if isinstance(c, bool) or not isinstance(c, int):
                raise CircuitError(f"{what}: classical bit indices must be ints, got {c!r}")
            if not 0 <= c < self._num_clbits:
                raise CircuitError(
                    f"{what}: classical bit {c} is out of range for a circuit of {self._num_clbits} bit(s)"
                )
            out.append(c)
        return tuple(out)

    def _check_instruction(self, inst: Instruction) -> Instruction:
        what = f"instruction {inst.name!r}"
        qubits = self._check_qubits(inst.qubits, what)
        clbits = self._check_clbits(inst.clbits, what)
        if inst.condition is not None:
            self._check_clbits(inst.condition.clbits, what + " condition")
        if inst.name == "measure" and len(inst.clbits) != len(inst.qubits):
            raise CircuitError("measure needs one classical bit per qubit")
        if any(type(b) is not int for b in (*inst.qubits, *inst.clbits)):  # NumPy integers become ints
            inst = inst.replace(qubits=qubits, clbits=clbits)
        return inst

    def append(
        self,
        instruction: Instruction | str | GateDefinition,
        qubits: Sequence[int] | None = None,
        params: Sequence[Any] = (),
        clbits: Sequence[int] = (),
    ) -> Circuit:
        """Append an :class:`Instruction`, or a gate given by name/alias or :class:`GateDefinition`.

        Examples:
            >>> Circuit(2).append("cnot", [0, 1]).append("rz", [1], [0.5])[1]
            rz(0.5) q[1]
        """
        if isinstance(instruction, Instruction):
            if qubits is not None or params or clbits:
                raise CircuitError("append(Instruction) takes no extra qubits, params or clbits")
            inst = instruction
        elif isinstance(instruction, str) and instruction in ("measure", "reset", "barrier"):
            inst = Instruction(instruction, tuple(qubits or ()), (), tuple(clbits))
        else:
            if qubits is None:
                raise CircuitError("append: qubits are required for a gate")
            inst = make_gate_instruction(instruction, tuple(qubits), tuple(params))
        if self._condition is not None:
            if inst.condition is not None:
                raise CircuitError("an instruction inside a c_if block cannot carry its own condition")
            inst = inst.with_condition(self._condition)
        inst = self._check_instruction(inst)
        self._ops.append(inst)
        return self

    def gate(self, name: str | GateDefinition, qubits: Sequence[int], params: Sequence[Any] = ()) -> Circuit:
        """Append a gate by name or alias (or a custom :class:`GateDefinition`)."""
        if isinstance(name, str) and name in ("measure", "reset", "barrier"):
            raise CircuitError(f"{name!r} is not a gate; use the circuit's {name}() method")
        return self.append(name, qubits, params)

    def _add_gate(self, name: str, params: tuple[Any, ...], qubits: tuple[Any, ...]) -> Circuit:
        # called by the generated builder methods (canonical table names); one-qubit gates broadcast over a
        # list of qubits. The common case (int qubits in range and distinct, finite float angles, no c_if block)
        # is checked here directly; anything else takes the general path with its detailed errors.
        shape = _table_shapes().get(name)
        if shape is not None and self._condition is None and shape == (len(qubits), len(params)):
            n = self._num_qubits
            if all(type(q) is int and 0 <= q < n for q in qubits) and all(
                type(p) is float and p - p == 0.0 for p in params  # p - p is nan for inf and nan
            ) and (len(qubits) == 1 or len(set(qubits)) == len(qubits)):
                self._ops.append(Instruction(name, qubits, params))
                return self
        if len(qubits) == 1 and not isinstance(qubits[0], int) and isinstance(qubits[0], (Iterable, Register)):
            targets = list(qubits[0])
            if not targets:
                raise CircuitError(f"{name}: empty list of qubits")
            for q in targets:
                self.append(name, (q,), params)
            return self
        return self.append(name, qubits, params)

    def measure(self, qubit: QubitLike, clbit: QubitLike) -> Circuit:
        """Measure qubit(s) in the Z basis into classical bit(s); lists are paired element by element."""
        qs = _index_list(qubit)
        cs = _index_list(clbit)
        if len(qs) != len(cs):
            raise CircuitError(f"measure: {len(qs)} qubit(s) but {len(cs)} classical bit(s)")
        for q, c in zip(qs, cs):
            self.append(Instruction("measure", (q,), (), (c,)))
        return self

    def measure_all(self, *, add_bits: bool = True) -> Circuit:
        """Measure every qubit; with ``add_bits`` a new register ``meas`` receives the results.

        Without ``add_bits``, qubit i is measured into classical bit i (the circuit needs enough bits).
        """
        if add_bits:
            name = "meas"
            k = 0
            while any(r.name == name for r in self._cregs):
                k += 1
                name = f"meas{k}"
            reg = self.add_creg(name, self._num_qubits)
            return self.measure(list(range(self._num_qubits)), list(reg))
        if self._num_clbits < self._num_qubits:
            raise CircuitError(f"measure_all: {self._num_qubits} qubits but only {self._num_clbits} classical bits")
        return self.measure(list(range(self._num_qubits)), list(range(self._num_qubits)))

    def reset(self, qubit: QubitLike) -> Circuit:
        """Reset qubit(s) to |0>."""
        for q in _index_list(qubit):
            self.append(Instruction("reset", (q,)))
        return self

    def barrier(self, *qubits: int | Iterable[int]) -> Circuit:
        """A barrier on the given qubits (all qubits when none are given). It has no effect on results."""
        flat: list[int] = []
        for q in qubits:
            flat.extend(_index_list(q))
        if not flat:
            flat = list(range(self._num_qubits))
        return self.append(Instruction("barrier", tuple(flat)))

    def _resolve_condition(self, target: ConditionTarget, value: int) -> Condition:
        if isinstance(target, str):
            reg = self.creg(target)
            return Condition(reg.indices, value, reg.name)
        if isinstance(target, Register):
            if target not in self._cregs:
                raise CircuitError(f"register {target.name!r} is not a classical register of this circuit")
            return Condition(target.indices, value, target.name)
        bits = (target,) if isinstance(target, int) else tuple(target)
        bits = self._check_clbits(bits, "c_if")
        for reg in self._cregs:
            if reg.indices == bits:
                return Condition(bits, value, reg.name)
        return Condition(bits, value, None)

    @contextlib.contextmanager
    def c_if(self, target: ConditionTarget, value: int) -> Iterator[Circuit]:
        """Make every instruction appended inside the block conditional (OpenQASM 2's ``if(c==n)``).

        ``target`` is a classical register (name or :class:`Register`), a classical bit, or a list of bits
        (least significant first).

        Examples:
            >>> c = Circuit(2, 2)
            >>> _ = c.h(0).measure(0, 0)
            >>> with c.c_if("c", 1):
            ...     _ = c.x(1)
            >>> c[-1]
            if(c==1) x q[1]
        """
        if self._condition is not None:
            raise CircuitError("c_if blocks cannot be nested")
        self._condition = self._resolve_condition(target, value)
        try:
            yield self
        finally:
            self._condition = None

    def compose(
        self,
        other: Circuit,
        qubits: Sequence[int] | None = None,
        clbits: Sequence[int] | None = None,
        *,
        inplace: bool = False,
    ) -> Circuit:
        """Append ``other``'s instructions, mapping its qubit i to ``qubits[i]`` (default: identity).

        Returns the result (``self`` when ``inplace``, else a new circuit).
        """
        qmap = list(range(other.num_qubits)) if qubits is None else list(qubits)
        cmap = list(range(other.num_clbits)) if clbits is None else list(clbits)
        if len(qmap) != other.num_qubits:
            raise CircuitError(f"compose: {len(qmap)} qubits given for a circuit of {other.num_qubits}")
        if len(cmap) != other.num_clbits:
            raise CircuitError(f"compose: {len(cmap)} classical bits given for a circuit of {other.num_clbits}")
        self._check_qubits(qmap, "compose")
        self._check_clbits(cmap, "compose")
        target = self if inplace else self.copy()
        for inst in other:
            cond = inst.condition
            if cond is not None:
                new_bits = tuple(cmap[c] for c in cond.clbits)
                reg = next((r.name for r in target._cregs if r.indices == new_bits), None)
                cond = Condition(new_bits, cond.value, reg)
            target.append(
                inst.replace(
                    qubits=tuple(qmap[q] for q in inst.qubits),
                    clbits=tuple(cmap[c] for c in inst.clbits),
                    condition=cond,
                )
            )
        return target

    def inverse(self) -> Circuit:
        """The inverse circuit (gates reversed and inverted).

        Raises:
            CircuitError: the circuit measures or resets (not invertible).
        """
        new = self.copy_empty()
        if self.name:
            new.name = self.name + "_dg"
        for inst in reversed(self._ops):
            if inst.name in ("measure", "reset"):
                raise CircuitError(f"cannot invert a circuit that contains {inst.name!r}")
            if inst.name == "barrier":
                new._ops.append(inst)
            elif inst.definition is not None:
                inv = inst.definition.inverse()
                new._ops.append(inst.replace(name=inv.name, definition=inv))
            else:
                iname, iparams = inst.spec.inverse(*inst.params)
                new._ops.append(inst.replace(name=iname, params=tuple(normalize_param(p) for p in iparams)))
        return new

    def to_gate(self, name: str | None = None) -> GateDefinition:
        """Turn this (unitary, measurement-free) circuit into a custom gate with the circuit's parameters.

        Examples:
            >>> theta = Parameter("theta")
            >>> bell = Circuit(2, name="bell_rot").h(0).cx(0, 1).rz(theta, 1).to_gate()
            >>> big = Circuit(4).gate(bell, [2, 3], [0.5])
            >>> big[0].name, big[0].params
            ('bell_rot', (0.5,))
        """
        gname = name or self.name
        if not gname or not gname.isidentifier():
            raise CircuitError("to_gate needs a name that is an identifier (pass name=...)")
        for inst in self._ops:
            if not inst.is_gate and inst.name != "barrier":
                raise CircuitError(f"to_gate: the circuit contains {inst.name!r}; only gates can form a gate")
            if inst.condition is not None:
                raise CircuitError("to_gate: the circuit contains conditioned instructions")
        params = tuple(p.name for p in sorted(self.parameters))
        return GateDefinition(gname, params, self._num_qubits, tuple(self._ops))

    # ------------------------------------------------------------------------------------------------------
    # parameters
    # ------------------------------------------------------------------------------------------------------
    @property
    def parameters(self) -> tuple[Parameter, ...]:
        """The unbound parameters, sorted by name."""
        out: set[Parameter] = set()
        for inst in self._ops:
            out |= inst.parameters
        return tuple(sorted(out))

    @property
    def num_parameters(self) -> int:
        """Number of distinct unbound parameters."""
        return len(self.parameters)

    def bind(self, values: Mapping[Any, Any], *, partial: bool = False) -> Circuit:
        """A copy with parameters replaced by numbers, tensors or expressions.

        Args:
            values: mapping from :class:`Parameter` or name to value.
            partial: allow leaving some parameters unbound.

        Raises:
            ParameterError: unknown names, or (unless ``partial``) missing ones.

        Examples:
            >>> theta = Parameter("theta")
            >>> Circuit(1).rx(2 * theta, 0).bind({"theta": 0.25})[0]
            rx(0.5) q[0]
        """
        table = check_bindings(frozenset(self.parameters), values, partial=partial)
        new = self.copy()
        new._ops = [inst.bind(table) for inst in self._ops]
        return new

    # ------------------------------------------------------------------------------------------------------
    # analysis
    # ------------------------------------------------------------------------------------------------------
    def depth(self) -> int:
        """Number of layers on the longest path through qubits and classical bits (barriers don't count)."""
        qlevel = [0] * self._num_qubits
        clevel = [0] * self._num_clbits
        best = 0
        for inst in self._ops:
            if inst.name == "barrier":
                continue
            cbits = list(inst.clbits) + (list(inst.condition.clbits) if inst.condition else [])
            level = 1 + max([qlevel[q] for q in inst.qubits] + [clevel[c] for c in cbits] + [0])
            for q in inst.qubits:
                qlevel[q] = level
            for c in cbits:
                clevel[c] = level
            best = max(best, level)
        return best

    def count_ops(self) -> dict[str, int]:
        """How many times each instruction name occurs, most frequent first."""
        return dict(Counter(inst.name for inst in self._ops).most_common())

    @property
    def num_gates(self) -> int:
        """Number of gate instructions (custom gates count once)."""
        return sum(1 for inst in self._ops if inst.is_gate)

    def custom_gates(self) -> list[GateDefinition]:
        """The custom gate definitions used, each after the ones it depends on."""
        seen: dict[str, GateDefinition] = {}
        for inst in self._ops:
            d = inst.definition
            if d is not None and d.name not in seen:
                for dep in d.dependencies():
                    seen.setdefault(dep.name, dep)
                seen[d.name] = d
        return list(seen.values())

    def draw(self, *, max_width: int | None = None) -> str:
        """A text drawing (one line per qubit, then the classical bits)."""
        from .draw import draw_text

        return draw_text(self, max_width=max_width)
