"""OpenQASM 2 writer: ``include "qelib1.inc"`` plus exact ``gate`` definitions for everything else.

Only the gates of the original ``qelib1.inc`` are used directly, so that every OpenQASM 2 reader accepts the
output; every other gate gets an exact definition (global phase included), which suanli's reader maps back to
the native gate.
"""

from __future__ import annotations

import torch

from ...circuit import Circuit, GateDefinition, Instruction, Parameter, ParameterExpression
from ...circuit.parameter import format_number
from ...errors import CircuitError
from ...gates import GateSpec, get_gate, has_gate
from .lexer import KEYWORDS
from .qelib1 import PAPER_QELIB1, QELIB1_GATES

__all__ = ["dumps"]

_QUBIT_NAMES = "abcdefghijklmnop"


def _param(p: object, where: str) -> str:
    if isinstance(p, torch.Tensor):
        if p.dim() != 0:
            raise CircuitError(f"{where}: a batch of parameter values cannot be written to OpenQASM; bind one value")
        return format_number(float(p.detach()))
    if isinstance(p, ParameterExpression):
        if p.parameters:
            names = ", ".join(sorted(x.name for x in p.parameters))
            raise CircuitError(f"{where}: unbound parameter(s) {names}; bind them before writing OpenQASM 2")
        return format_number(float(p))
    return format_number(float(p))  # type: ignore[arg-type]


def _expr(p: object) -> str:
    if isinstance(p, ParameterExpression):
        return str(p)
    return format_number(float(p))  # type: ignore[arg-type]


class _Writer:
    def __init__(self, circuit: Circuit) -> None:
        self.c = circuit
        self.lines: list[str] = []
        self.defined: set[str] = set(QELIB1_GATES)  # names already meaning something in the output
        self.table_defs: set[str] = set()
        self.custom_names: dict[int, str] = {}

    # table gates outside qelib1.inc ------------------------------------------------------------------------
    def table_gate(self, spec: GateSpec) -> str:
        if spec.name in PAPER_QELIB1:
            return PAPER_QELIB1[spec.name]
        if spec.name in self.table_defs:
            return spec.name
        assert spec.definition is not None, f"gate {spec.name} has no definition"
        formals = [Parameter(p if p.isidentifier() else f"p{i}") for i, p in enumerate(spec.params)]
        steps = spec.definition(*formals)
        body = []
        for name, qubits, params in steps:
            sub = get_gate(name)
            sub_name = self.table_gate(sub)
            args = ",".join(_QUBIT_NAMES[q] for q in qubits)
            ptxt = "(" + ",".join(_expr(x) for x in params) + ")" if params else ""
            body.append(f"{sub_name}{ptxt} {args};")
        sig = spec.name + ("(" + ",".join(f.name for f in formals) + ")" if formals else "")
        qargs = ",".join(_QUBIT_NAMES[i] for i in range(spec.num_qubits))
        self.lines.append(f"gate {sig} {qargs} {{ {' '.join(body)} }}")
        self.table_defs.add(spec.name)
        self.defined.add(spec.name)
        return spec.name

    # custom gates ---------------------------------------------------------------------------------------------
    def custom_gate(self, d: GateDefinition) -> str:
        key = id(d)
        if key in self.custom_names:
            return self.custom_names[key]
        # write dependencies first
        for inst in d.body:
            if inst.definition is not None:
                self.custom_gate(inst.definition)
            elif inst.name != "barrier":
                self.table_gate(get_gate(inst.name))
        name = d.name
        k = 1
        # a table gate's own name stays free for its exact definition (written by table_gate)
        while name in self.defined or name in ("U", "CX") or (has_gate(name) and get_gate(name).name == name):
            name = f"{d.name}_{k}"
            k += 1
        self.defined.add(name)
        self.custom_names[key] = name
        qnames = list(d.qubit_names)
        sig = name + ("(" + ",".join(d.params) + ")" if d.params else "")
        if d.opaque:
            self.lines.append(f"opaque {sig} {','.join(qnames)};")
            return name
        body = []
        for inst in d.body:
            args = ",".join(qnames[q] for q in inst.qubits)
            if inst.name == "barrier":
                if inst.qubits:  # a barrier on no qubits has no OpenQASM 2 form (and no effect)
                    body.append(f"barrier {args};")
                continue
            if inst.definition is not None:
                gname = self.custom_gate(inst.definition)
            else:
                gname = self.table_gate(get_gate(inst.name))
            ptxt = "(" + ",".join(_expr(x) for x in inst.params) + ")" if inst.params else ""
            body.append(f"{gname}{ptxt} {args};")
        self.lines.append(f"gate {sig} {','.join(qnames)} {{ {' '.join(body)} }}")
        return name

    # circuit ---------------------------------------------------------------------------------------------------
    def qubit(self, q: int) -> str:
        for r in self.c.qregs:
            if r.offset <= q < r.offset + r.size:
                return f"{r.name}[{q - r.offset}]"
        raise CircuitError(f"qubit {q} is in no register")  # pragma: no cover

    def clbit(self, b: int) -> str:
        for r in self.c.cregs:
            if r.offset <= b < r.offset + r.size:
                return f"{r.name}[{b - r.offset}]"
        raise CircuitError(f"classical bit {b} is in no register")  # pragma: no cover

    def condition(self, inst: Instruction, index: int) -> str:
        cond = inst.condition
        if cond is None:
            return ""
        for r in self.c.cregs:
            if r.indices == cond.clbits:
                return f"if({r.name}=={cond.value}) "
        raise CircuitError(
            f"instruction {index} ({inst.name}) is conditioned on classical bits {cond.clbits}, which are not one "
            "whole register; OpenQASM 2 can only test whole registers"
        )

    def body(self) -> list[str]:
        out = []
        for i, inst in enumerate(self.c):
            where = f"instruction {i} ({inst.name})"
            prefix = self.condition(inst, i)
            if inst.name == "measure":
                for q, b in zip(inst.qubits, inst.clbits):
                    out.append(f"{prefix}measure {self.qubit(q)} -> {self.clbit(b)};")
                continue
            if inst.name == "reset":
                out.extend(f"{prefix}reset {self.qubit(q)};" for q in inst.qubits)
                continue
            args = ",".join(self.qubit(q) for q in inst.qubits)
            if inst.name == "barrier":
                if inst.qubits:  # a barrier on no qubits has no OpenQASM 2 form (and no effect)
                    out.append(f"barrier {args};")
                continue
            name = self.custom_gate(inst.definition) if inst.definition is not None else self.table_gate(inst.spec)
            ptxt = "(" + ",".join(_param(p, where) for p in inst.params) + ")" if inst.params else ""
            out.append(f"{prefix}{name}{ptxt} {args};")
        return out


def dumps(circuit: Circuit) -> str:
    """OpenQASM 2 text for ``circuit``; any OpenQASM 2 reader gets the same unitary (global phase included).

    Raises:
        CircuitError: unbound parameters, batched values, or conditions on bits that are not a whole register.
    """
    if not isinstance(circuit, Circuit):
        raise CircuitError(f"expected a suanli.Circuit, got {type(circuit).__name__}")
    w = _Writer(circuit)
    body = w.body()
    head = ["OPENQASM 2.0;", 'include "qelib1.inc";']
    for r in (*circuit.qregs, *circuit.cregs):
        if r.name in KEYWORDS:
            raise CircuitError(
                f"register {r.name!r} has the name of an OpenQASM 2 keyword; rename it before writing OpenQASM"
            )
    regs = [f"qreg {r.name}[{r.size}];" for r in circuit.qregs] + [f"creg {r.name}[{r.size}];" for r in circuit.cregs]
    return "\n".join(head + w.lines + regs + body) + "\n"
