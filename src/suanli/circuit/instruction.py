"""Instructions, classical conditions, registers and custom gate definitions: the records of the circuit IR."""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import torch

from ..errors import CircuitError, ParameterError
from ..gates import GateSpec, get_gate, has_gate
from .parameter import Parameter, ParameterExpression, ParamValue, is_numeric

__all__ = ["DIRECTIVES", "Condition", "GateDefinition", "Instruction", "Register", "normalize_param"]

#: Instruction names that are not gates.
DIRECTIVES = frozenset({"measure", "reset", "barrier"})
_NO_PARAMETERS: frozenset[Any] = frozenset()


def normalize_param(value: Any, *, where: str = "gate") -> ParamValue:
    """Check and normalise one gate parameter: numbers become floats, constant expressions floats.

    Tensors are kept as they are (0-d, or 1-d for a batch of values), so autograd flows through them.
    """
    if isinstance(value, ParameterExpression):
        if value.is_constant():
            return _finite(float(value), where)
        return value
    if isinstance(value, torch.Tensor):
        if value.is_complex():
            raise CircuitError(f"{where}: parameters must be real, got a complex tensor")
        if value.dim() > 1:
            raise CircuitError(
                f"{where}: a tensor parameter must be a scalar or 1-D (a batch of values), "
                f"got shape {tuple(value.shape)}"
            )
        return value
    if is_numeric(value):
        return _finite(float(value), where)
    raise CircuitError(
        f"{where}: a parameter must be a number, a torch.Tensor or a suanli.Parameter expression, "
        f"got {type(value).__name__}"
    )


def _finite(x: float, where: str) -> float:
    if not math.isfinite(x):
        raise CircuitError(f"{where}: parameter value {x} is not finite")
    return x


def params_equal(a: ParamValue, b: ParamValue) -> bool:
    """Value equality of two parameters (tensors compared by value, expressions structurally)."""
    if isinstance(a, torch.Tensor) or isinstance(b, torch.Tensor):
        if not (isinstance(a, torch.Tensor) and isinstance(b, torch.Tensor)):
            return False
        return a.shape == b.shape and bool(torch.equal(a.detach().cpu(), b.detach().cpu()))
    if isinstance(a, ParameterExpression) or isinstance(b, ParameterExpression):
        return a == b
    return float(a) == float(b)


@dataclass(frozen=True)
class Register:
    """A named run of qubits or classical bits (``qreg q[5];``). ``reg[i]`` is the flat index of its i-th bit.

    Examples:
        >>> r = Register("anc", 3, offset=5)
        >>> r[0], r[2], list(r)
        (5, 7, [5, 6, 7])
    """

    name: str
    size: int
    offset: int = 0

    def __getitem__(self, i: int) -> int:
        if not isinstance(i, int) or isinstance(i, bool):
            raise CircuitError(f"register {self.name!r}: index must be an int, got {type(i).__name__}")
        if not -self.size <= i < self.size:
            raise CircuitError(f"register {self.name!r} has {self.size} bits; index {i} is out of range")
        return self.offset + (i % self.size)

    def __iter__(self) -> Iterator[int]:
        return iter(range(self.offset, self.offset + self.size))

    def __len__(self) -> int:
        return self.size

    @property
    def indices(self) -> tuple[int, ...]:
        return tuple(range(self.offset, self.offset + self.size))


@dataclass(frozen=True)
class Condition:
    """Run an instruction only when classical bits hold a value (OpenQASM 2's ``if(c==n)``).

    The value is read little-endian from ``clbits``: ``clbits[0]`` is bit 0 (the least significant), as for an
    OpenQASM 2 register where ``c[0]`` is the lowest bit of ``c``.

    Attributes:
        clbits: the classical bits read, least significant first.
        value: the value that enables the instruction.
        register: name of the register when the condition reads a whole register (for OpenQASM output).
    """

    clbits: tuple[int, ...]
    value: int
    register: str | None = None

    def __post_init__(self) -> None:
        if not self.clbits:
            raise CircuitError("a condition needs at least one classical bit")
        if len(set(self.clbits)) != len(self.clbits):
            raise CircuitError(f"a condition reads a classical bit twice: {self.clbits}")
        if isinstance(self.value, bool) or not isinstance(self.value, int):
            raise CircuitError(f"a condition value must be an int, got {self.value!r}")
        if not 0 <= self.value < (1 << len(self.clbits)):
            raise CircuitError(
                f"condition value {self.value} does not fit in {len(self.clbits)} classical bit(s)"
            )

    def holds(self, bits: Sequence[int]) -> bool:
        """Whether the condition is met by the classical record ``bits`` (indexed by clbit)."""
        v = 0
        for i, c in enumerate(self.clbits):
            v |= (int(bits[c]) & 1) << i
        return v == self.value

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Condition) and (self.clbits, self.value) == (other.clbits, other.value)

    def __hash__(self) -> int:
        return hash((self.clbits, self.value))


@dataclass(frozen=True, eq=False)
class Instruction:
    """One operation of a circuit: a gate, a custom gate, ``measure``, ``reset`` or ``barrier``.

    Attributes:
        name: the canonical gate name (aliases are resolved), a custom gate's name, or a directive.
        qubits: the qubits it acts on, in the gate's order (controls first).
        params: gate parameters (floats, tensors, or :class:`ParameterExpression`).
        clbits: classical bits written (``measure``) — one per qubit.
        condition: optional classical condition.
        definition: the :class:`GateDefinition` of a custom gate, None otherwise.
    """

    name: str
    qubits: tuple[int, ...]
    params: tuple[ParamValue, ...] = ()
    clbits: tuple[int, ...] = ()
    condition: Condition | None = None
    definition: GateDefinition | None = None

    @property
    def is_gate(self) -> bool:
        """True for table gates and custom gates (anything unitary)."""
        return self.name not in DIRECTIVES

    @property
    def is_custom(self) -> bool:
        return self.definition is not None

    @property
    def spec(self) -> GateSpec:
        """The gate-table record (table gates only)."""
        if self.definition is not None or self.name in DIRECTIVES:
            raise CircuitError(f"instruction {self.name!r} is not a gate of the gate table")
        return get_gate(self.name)

    @property
    def parameters(self) -> frozenset[Parameter]:
        out: set[Parameter] | None = None
        for p in self.params:
            if isinstance(p, ParameterExpression):
                out = (out or set()) | p.parameters
        return frozenset(out) if out else _NO_PARAMETERS

    def with_condition(self, condition: Condition | None) -> Instruction:
        return Instruction(self.name, self.qubits, self.params, self.clbits, condition, self.definition)

    def replace(self, **changes: Any) -> Instruction:
        fields = {
            "name": self.name,
            "qubits": self.qubits,
            "params": self.params,
            "clbits": self.clbits,
            "condition": self.condition,
            "definition": self.definition,
        }
        fields.update(changes)
        return Instruction(**fields)

    def bind(self, table: Mapping[str, Any]) -> Instruction:
        """Substitute parameters (``table`` maps names to numbers, tensors or expressions)."""
        if not any(isinstance(p, ParameterExpression) for p in self.params):
            return self
        new = []
        for p in self.params:
            if isinstance(p, ParameterExpression) and p.parameters & {Parameter(n) for n in table}:
                new.append(_substitute(p, table))
            else:
                new.append(p)
        return self.replace(params=tuple(new))

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Instruction):
            return NotImplemented
        return (
            self.name == other.name
            and self.qubits == other.qubits
            and self.clbits == other.clbits
            and self.condition == other.condition
            and len(self.params) == len(other.params)
            and all(params_equal(a, b) for a, b in zip(self.params, other.params))
            and self.definition == other.definition
        )

    def __hash__(self) -> int:
        return hash((self.name, self.qubits, self.clbits))

    def __str__(self) -> str:
        text = self.name
        if self.params:
            text += "(" + ", ".join(_param_text(p) for p in self.params) + ")"
        text += " " + ", ".join(f"q[{q}]" for q in self.qubits)
        if self.clbits:
            text += " -> " + ", ".join(f"c[{c}]" for c in self.clbits)
        if self.condition is not None:
            text = f"if({_cond_text(self.condition)}) {text}"
        return text

    __repr__ = __str__


def _cond_text(cond: Condition) -> str:
    lhs = cond.register if cond.register else "[" + ",".join(f"c[{c}]" for c in cond.clbits) + "]"
    return f"{lhs}=={cond.value}"


def _param_text(p: ParamValue) -> str:
    if isinstance(p, torch.Tensor):
        if p.dim() == 0:
            return f"{float(p.detach()):.6g}"
        return f"tensor[{p.shape[0]}]"
    if isinstance(p, ParameterExpression):
        return str(p)
    return f"{p:.6g}"


def _substitute(expr: ParameterExpression, table: Mapping[str, Any]) -> ParamValue:
    """Replace parameters by values: all numbers → float; tensors → tensor; otherwise an expression."""
    names = {p.name for p in expr.parameters}
    values = {n: table[n] for n in names if n in table}
    if len(values) == len(names):
        if all(is_numeric(v) for v in values.values()):
            return normalize_param(expr.evaluate(values))
        if not any(isinstance(v, ParameterExpression) for v in values.values()):
            return expr.evaluate(values)  # tensors: keep the graph
    tensors = sorted(n for n, v in values.items() if isinstance(v, torch.Tensor))
    if tensors:  # an expression cannot hold a tensor
        rest = ", ".join(sorted(names - set(tensors)))
        raise ParameterError(
            f"cannot bind a tensor to {', '.join(tensors)} in {expr}: the expression keeps the symbolic "
            f"parameter(s) {rest}; bind all of them at once (numbers or tensors), or bind numbers"
        )
    return normalize_param(expr.subs(values))


@dataclass(frozen=True, eq=False)
class GateDefinition:
    """A user-defined gate (OpenQASM 2 ``gate name(params) qubits { body }``).

    The body's instructions act on the gate's own qubits ``0 .. num_qubits-1``; their parameters are
    expressions over the formal parameters (``Parameter(name)`` for each name in ``params``).

    Attributes:
        name: the gate's name.
        params: formal parameter names.
        num_qubits: arity.
        body: the instructions (table gates, other custom gates, barriers); empty for opaque gates.
        qubit_names: formal qubit names (for writing OpenQASM).
        opaque: True for ``opaque`` declarations, which cannot be simulated.
    """

    name: str
    params: tuple[str, ...]
    num_qubits: int
    body: tuple[Instruction, ...] = ()
    qubit_names: tuple[str, ...] = ()
    opaque: bool = False
    _cache: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.num_qubits < 1:
            raise CircuitError(f"gate {self.name!r} must act on at least one qubit")
        if not self.qubit_names:
            object.__setattr__(self, "qubit_names", tuple(f"q{i}" for i in range(self.num_qubits)))
        if len(self.qubit_names) != self.num_qubits:
            raise CircuitError(f"gate {self.name!r}: {len(self.qubit_names)} qubit names for {self.num_qubits} qubits")
        for inst in self.body:
            if any(q >= self.num_qubits for q in inst.qubits):
                raise CircuitError(f"gate {self.name!r}: body uses a qubit outside 0..{self.num_qubits - 1}")
            if inst.name in ("measure", "reset") or inst.condition is not None:
                raise CircuitError(f"gate {self.name!r}: a gate body may hold only gates and barriers")
            extra = {p.name for p in inst.parameters} - set(self.params)
            if extra:
                raise CircuitError(f"gate {self.name!r}: body uses undeclared parameters {sorted(extra)}")

    @property
    def num_params(self) -> int:
        return len(self.params)

    def expand(self, params: Sequence[ParamValue], qubits: Sequence[int]) -> list[Instruction]:
        """The body with formal parameters and qubits replaced by actual ones (one level deep)."""
        if self.opaque:
            raise CircuitError(f"gate {self.name!r} is opaque (declared without a body) and cannot be simulated")
        if len(params) != len(self.params) or len(qubits) != self.num_qubits:
            raise CircuitError(
                f"gate {self.name!r} takes {len(self.params)} parameter(s) and {self.num_qubits} qubit(s)"
            )
        table = dict(zip(self.params, params))
        out = []
        for inst in self.body:
            new_q = tuple(qubits[q] for q in inst.qubits)
            out.append(inst.bind(table).replace(qubits=new_q))
        return out

    def inverse(self) -> GateDefinition:
        """The definition of the inverse gate (named ``<name>_dg``; the inverse of that is the original)."""
        cached = self._cache.get("inverse")
        if cached is not None:
            return cached
        body = []
        for inst in reversed(self.body):
            if inst.name == "barrier":
                body.append(inst)
            elif inst.definition is not None:
                body.append(inst.replace(name=inst.definition.inverse().name, definition=inst.definition.inverse()))
            else:
                iname, iparams = inst.spec.inverse(*inst.params)
                body.append(inst.replace(name=iname, params=tuple(normalize_param(p) for p in iparams)))
        name = self.name[:-3] if self.name.endswith("_dg") else self.name + "_dg"
        inv = GateDefinition(name, self.params, self.num_qubits, tuple(body), self.qubit_names, self.opaque)
        inv._cache["inverse"] = self
        self._cache["inverse"] = inv
        return inv

    def dependencies(self) -> list[GateDefinition]:
        """Custom gates used in the body, recursively, each before its users (no duplicates)."""
        seen: dict[str, GateDefinition] = {}

        def visit(d: GateDefinition) -> None:
            for inst in d.body:
                if inst.definition is not None and inst.definition.name not in seen:
                    visit(inst.definition)
                    seen[inst.definition.name] = inst.definition

        visit(self)
        return list(seen.values())

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, GateDefinition):
            return NotImplemented
        if self is other:
            return True
        return (
            self.name == other.name
            and self.params == other.params
            and self.num_qubits == other.num_qubits
            and self.opaque == other.opaque
            and self.body == other.body
        )

    def __hash__(self) -> int:
        return hash((self.name, self.params, self.num_qubits))


def make_gate_instruction(
    name_or_def: str | GateDefinition,
    qubits: Sequence[int],
    params: Sequence[Any] = (),
    *,
    condition: Condition | None = None,
) -> Instruction:
    """Build a checked gate instruction from a table name/alias or a custom definition."""
    if isinstance(name_or_def, GateDefinition):
        d = name_or_def
        if len(params) != d.num_params:
            raise CircuitError(f"gate {d.name!r} takes {d.num_params} parameter(s), got {len(params)}")
        if len(qubits) != d.num_qubits:
            raise CircuitError(f"gate {d.name!r} acts on {d.num_qubits} qubit(s), got {len(qubits)}")
        ps = tuple(normalize_param(p, where=f"gate {d.name!r}") for p in params)
        return Instruction(d.name, tuple(qubits), ps, (), condition, d)
    if not isinstance(name_or_def, str):
        raise CircuitError(f"expected a gate name or GateDefinition, got {type(name_or_def).__name__}")
    if name_or_def in DIRECTIVES:
        raise CircuitError(f"{name_or_def!r} is not a gate; use the circuit's {name_or_def}() method")
    if not has_gate(name_or_def):
        get_gate(name_or_def)  # raises with suggestions
    spec = get_gate(name_or_def)
    if len(params) != spec.num_params:
        names = ", ".join(spec.params) or "none"
        raise CircuitError(f"gate {spec.name!r} takes {spec.num_params} parameter(s) ({names}), got {len(params)}")
    if len(qubits) != spec.num_qubits:
        raise CircuitError(f"gate {spec.name!r} acts on {spec.num_qubits} qubit(s), got {len(qubits)}")
    ps = tuple(normalize_param(p, where=f"gate {spec.name!r}") for p in params)
    return Instruction(spec.name, tuple(qubits), ps, (), condition, None)


def check_bindings(expected: frozenset[Parameter], values: Mapping[Any, Any], *, partial: bool) -> dict[str, Any]:
    """Normalise a binding dict (keys: names or Parameters); reject unknown names, and missing ones unless partial."""
    table: dict[str, Any] = {}
    for key, val in values.items():
        name = key.name if isinstance(key, Parameter) else key
        if not isinstance(name, str):
            raise ParameterError(f"parameter keys must be names or suanli.Parameter, got {type(key).__name__}")
        if name in table:
            raise ParameterError(f"parameter {name!r} is bound twice")
        table[name] = val
    known = {p.name for p in expected}
    unknown = sorted(set(table) - known)
    if unknown:
        hint = f"; the circuit's parameters are: {', '.join(sorted(known))}" if known else "; the circuit has none"
        raise ParameterError(f"unknown parameter(s) {', '.join(map(repr, unknown))}{hint}")
    if not partial:
        missing = sorted(known - set(table))
        if missing:
            raise ParameterError(f"missing value(s) for parameter(s): {', '.join(missing)}")
    for name, val in table.items():
        if isinstance(val, torch.Tensor):
            if val.dim() > 1:
                raise ParameterError(
                    f"parameter {name!r}: a tensor value must be 0-D or 1-D (a batch), got shape {tuple(val.shape)}"
                )
            if val.is_complex():
                raise ParameterError(f"parameter {name!r}: values must be real")
        elif not (is_numeric(val) or isinstance(val, ParameterExpression)):
            raise ParameterError(f"parameter {name!r}: cannot bind a {type(val).__name__}")
        elif is_numeric(val) and not math.isfinite(float(val)):
            raise ParameterError(f"parameter {name!r}: value {val} is not finite")
    return table
