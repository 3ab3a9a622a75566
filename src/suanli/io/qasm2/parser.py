"""OpenQASM 2 reader: recursive descent over tokens, building a :class:`~suanli.Circuit` directly.

Every malformed input raises :class:`~suanli.QasmError` naming file, line and column; nothing else escapes.
"""

from __future__ import annotations

import math
import os
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ...circuit import Circuit, Condition, GateDefinition, Instruction, Parameter, ParameterExpression, Register
from ...circuit.parameter import FUNCTIONS, binary, constant, function
from ...errors import CircuitError, ParameterError, QasmError, QasmWarning, SuanliError
from ...gates import get_gate, has_gate
from .lexer import Source, Token, tokenize
from .qelib1 import QELIB1_GATES

__all__ = ["parse"]

_MAX_EXPR_DEPTH = 100
_MAX_TREE_DEPTH = 200  # operations nested in one symbolic (gate-body) expression; deeper trees overflow the stack
_MAX_GATE_NESTING = 64
_MAX_QUBITS = 4096
_NOT_IN_BODY = frozenset({"measure", "reset", "if", "qreg", "creg", "gate", "opaque", "include"})


@dataclass
class _Gate:
    """A gate known to the program: a table gate, a custom definition, or an opaque declaration."""

    name: str
    num_params: int
    num_qubits: int
    table_name: str | None = None
    definition: GateDefinition | None = None
    where: str = "built in"
    from_include: bool = False
    nesting: int = 0


@dataclass
class _Program:
    circuit: Circuit
    gates: dict[str, _Gate] = field(default_factory=dict)
    include_stack: list[str] = field(default_factory=list)
    included_qelib1: bool = False
    checked_calls: set[tuple[Any, ...]] = field(default_factory=set)
    qregs: dict[str, Register] = field(default_factory=dict)
    cregs: dict[str, Register] = field(default_factory=dict)


class _Parser:
    def __init__(self, tokens: list[Token], program: _Program, base_dir: Path, is_main: bool) -> None:
        self.toks = tokens
        self.i = 0
        self.prog = program
        self.base_dir = base_dir
        self.is_main = is_main

    # ------------------------------------------------------------------------------------------------------
    # token helpers
    # ------------------------------------------------------------------------------------------------------
    @property
    def tok(self) -> Token:
        return self.toks[self.i]

    def advance(self) -> Token:
        t = self.toks[self.i]
        if t.kind != "eof":
            self.i += 1
        return t

    def at(self, text: str) -> bool:
        t = self.tok
        return t.text == text and t.kind in ("sym", "keyword", "arrow", "eq")

    def expect(self, text: str, context: str = "") -> Token:
        t = self.tok
        if t.text == text and t.kind in ("sym", "keyword", "arrow", "eq"):
            return self.advance()
        where = f" {context}" if context else ""
        raise t.error(f"expected '{text}'{where}, found {t.describe()}")

    def expect_id(self, what: str) -> Token:
        t = self.tok
        if t.kind == "id":
            return self.advance()
        if t.kind == "keyword":
            raise t.error(f"expected {what}, found the keyword {t.text!r}")
        raise t.error(f"expected {what}, found {t.describe()}")

    def expect_int(self, what: str) -> tuple[int, Token]:
        t = self.tok
        if t.kind == "int":
            self.advance()
            return int(t.text), t
        raise t.error(f"expected {what} (a non-negative integer), found {t.describe()}")

    # ------------------------------------------------------------------------------------------------------
    # program structure
    # ------------------------------------------------------------------------------------------------------
    def parse_program(self) -> None:
        if self.tok.kind == "keyword" and self.tok.text == "OPENQASM":
            self.parse_header()
        elif self.is_main:
            t = self.tok
            line, col = t.source.line_col(t.offset)
            warnings.warn(
                f"{t.source.filename}:{line}:{col}: no 'OPENQASM 2.0;' header; reading the file as OpenQASM 2.0",
                QasmWarning,
                stacklevel=4,
            )
        while self.tok.kind != "eof":
            self.statement()

    def parse_header(self) -> None:
        self.advance()
        t = self.tok
        if t.kind not in ("real", "int"):
            raise t.error(f"expected a version number after OPENQASM, found {t.describe()}")
        self.advance()
        major = t.text.split(".")[0]
        if major != "2":
            if major == "3":
                raise t.error("OpenQASM 3 is not supported; this reader handles OpenQASM 2.0 programs")
            raise t.error(f"unsupported OpenQASM version {t.text}; this reader handles OpenQASM 2.0")
        self.expect(";", "after the version")

    def statement(self) -> None:
        t = self.tok
        if t.kind == "keyword":
            kw = t.text
            if kw == "OPENQASM":
                if self.is_main:
                    raise t.error("the OPENQASM header must be the first statement, once")
                self.parse_header()
                return
            handler: Callable[[], None] | None = {
                "include": self.include,
                "qreg": lambda: self.register(quantum=True),
                "creg": lambda: self.register(quantum=False),
                "gate": self.gate_definition,
                "opaque": self.opaque,
                "barrier": lambda: self.barrier(None),
                "measure": lambda: self.measure(None),
                "reset": lambda: self.reset(None),
                "if": self.if_statement,
                "U": lambda: self.gate_call(None),
                "CX": lambda: self.gate_call(None),
            }.get(kw)
            if handler is None:
                raise t.error(f"unexpected {t.describe()} at the start of a statement")
            handler()
            return
        if t.kind == "id":
            self.gate_call(None)
            return
        raise t.error(f"expected a statement, found {t.describe()}")

    def include(self) -> None:
        self.advance()
        t = self.tok
        if t.kind != "string":
            raise t.error(f"expected a file name in double quotes after include, found {t.describe()}")
        self.advance()
        self.expect(";", "after the include file name")
        name = t.text[1:-1]
        if name == "qelib1.inc":
            self.define_qelib1(t)
            return
        if "\x00" in name:
            raise t.error("an include file name cannot contain a NUL character")
        try:
            path = (self.base_dir / name).resolve()
        except (OSError, RuntimeError, ValueError) as exc:  # RuntimeError: symlink loop
            raise t.error(f"cannot resolve included file {name!r}: {exc}") from None
        key = str(path)
        if key in self.prog.include_stack:
            raise t.error(f"include cycle: {name!r} includes itself")
        if len(self.prog.include_stack) > 32:
            raise t.error("includes nest deeper than 32 levels")
        try:
            text = path.read_text(encoding="utf-8-sig")
        except FileNotFoundError:
            raise t.error(f"included file {name!r} not found (looked in {self.base_dir})") from None
        except IsADirectoryError:
            raise t.error(f"included path {name!r} is a directory") from None
        except UnicodeDecodeError as exc:
            raise t.error(f"included file {name!r} is not UTF-8 text ({exc.reason} at byte {exc.start})") from None
        except OSError as exc:
            raise t.error(f"cannot read included file {name!r}: {exc.strerror or exc}") from None
        src = Source(text, str(path) if not os.path.isabs(name) else name)
        self.prog.include_stack.append(key)
        try:
            _Parser(tokenize(src), self.prog, path.parent, is_main=False).parse_program()
        finally:
            self.prog.include_stack.pop()

    def define_qelib1(self, at: Token) -> None:
        if self.prog.included_qelib1:
            return
        self.prog.included_qelib1 = True
        for qname, tname in QELIB1_GATES.items():
            existing = self.prog.gates.get(qname)
            if existing is not None:
                raise at.error(
                    f"qelib1.inc defines {qname!r}, which is already defined at {existing.where}; "
                    "include qelib1.inc before defining gates"
                )
            spec = get_gate(tname)
            self.prog.gates[qname] = _Gate(qname, spec.num_params, spec.num_qubits, spec.name, None, "qelib1.inc", True)

    def register(self, *, quantum: bool) -> None:
        self.advance()
        name_tok = self.expect_id("a register name")
        self.expect("[", "after the register name")
        size, size_tok = self.expect_int("a register size")
        self.expect("]", "after the register size")
        self.expect(";", "after the register declaration")
        c = self.prog.circuit
        if name_tok.text in self.prog.qregs or name_tok.text in self.prog.cregs:
            raise name_tok.error(f"register {name_tok.text!r} is already declared")
        if size < 1:
            raise size_tok.error("a register must hold at least one bit")
        if quantum and c.num_qubits + size > _MAX_QUBITS:
            raise size_tok.error(f"more than {_MAX_QUBITS} qubits in total are not supported")
        if not quantum and c.num_clbits + size > 1 << 20:
            raise size_tok.error("more than 2^20 classical bits are not supported")
        if quantum:
            self.prog.qregs[name_tok.text] = c.add_qreg(name_tok.text, size)
        else:
            self.prog.cregs[name_tok.text] = c.add_creg(name_tok.text, size)

    # ------------------------------------------------------------------------------------------------------
    # gate definitions
    # ------------------------------------------------------------------------------------------------------
    def _check_new_gate_name(self, name_tok: Token) -> None:
        existing = self.prog.gates.get(name_tok.text)
        if existing is not None and not existing.from_include:
            raise name_tok.error(f"gate {name_tok.text!r} is already defined at {existing.where}")
        if name_tok.text in ("U", "CX"):
            raise name_tok.error(f"{name_tok.text!r} is a built-in gate and cannot be redefined")

    def _id_list(self, what: str, end: str) -> list[Token]:
        ids = [self.expect_id(what)]
        while self.at(","):
            self.advance()
            ids.append(self.expect_id(what))
        if not self.at(end):
            raise self.tok.error(f"expected ',' or '{end}' in the list of {what}s, found {self.tok.describe()}")
        return ids

    def _signature(self) -> tuple[Token, list[Token], list[Token]]:
        name_tok = self.expect_id("a gate name")
        self._check_new_gate_name(name_tok)
        params: list[Token] = []
        if self.at("("):
            self.advance()
            if not self.at(")"):
                params = self._id_list("parameter name", ")")
            self.expect(")", "after the parameter names")
        qubits = [self.expect_id("a qubit name")]
        while self.at(","):
            self.advance()
            qubits.append(self.expect_id("a qubit name"))
        seen: dict[str, Token] = {}
        for t in [*params, *qubits]:
            if t.text in seen:
                raise t.error(f"the name {t.text!r} is used twice in the gate's signature")
            seen[t.text] = t
        return name_tok, params, qubits

    def opaque(self) -> None:
        self.advance()
        name_tok, params, qubits = self._signature()
        self.expect(";", "after the opaque declaration")
        where = self._where(name_tok)
        d = GateDefinition(
            name_tok.text, tuple(t.text for t in params), len(qubits), (), tuple(t.text for t in qubits), True
        )
        self._warn_if_redefining(name_tok, False, len(params), len(qubits))
        self.prog.gates[name_tok.text] = _Gate(name_tok.text, len(params), len(qubits), None, d, where)

    def _warn_if_redefining(self, name_tok: Token, same: bool, num_params: int, num_qubits: int) -> None:
        """A definition that replaces a qelib1.inc gate by a different gate of the same signature is allowed,
        but worth a warning. No warning when the body is the same gate (up to a global phase, as qelib1.inc's
        own bodies are), or when the signature differs (files written before qelib1.inc grew define gates
        such as a 2-qubit ``cu`` of their own)."""
        existing = self.prog.gates.get(name_tok.text)
        if (
            existing is not None
            and existing.from_include
            and not same
            and (existing.num_params, existing.num_qubits) == (num_params, num_qubits)
        ):
            warnings.warn(
                f"{self._where(name_tok)}: this definition of {name_tok.text!r} replaces the one from qelib1.inc "
                "and is not the same gate",
                QasmWarning,
                stacklevel=5,
            )

    def gate_definition(self) -> None:
        self.advance()
        name_tok, params, qubits = self._signature()
        self.expect("{", "to start the gate body")
        formal_params = {t.text for t in params}
        formal_qubits = {t.text: i for i, t in enumerate(qubits)}
        body: list[Instruction] = []
        nesting = 0
        while not self.at("}"):
            t = self.tok
            if t.kind == "eof":
                raise t.error(f"unterminated body of gate {name_tok.text!r} (missing '}}')")
            if t.kind == "keyword" and t.text == "barrier":
                self.advance()
                ids = self._id_list("qubit name", ";")
                self.expect(";", "after barrier")
                qs = []
                for q in ids:
                    if q.text not in formal_qubits:
                        raise q.error(f"{q.text!r} is not a qubit of gate {name_tok.text!r}")
                    qs.append(formal_qubits[q.text])
                body.append(Instruction("barrier", tuple(dict.fromkeys(qs))))
                continue
            if t.kind == "keyword" and t.text in _NOT_IN_BODY:
                raise t.error(f"{t.text!r} is not allowed inside a gate body (only gates and barriers)")
            if t.kind == "id" and t.text == name_tok.text:
                raise t.error(f"gate {name_tok.text!r} cannot call itself")
            gate, call_tok = self._gate_ref()
            exprs = self._call_params(gate, call_tok, formal_params)
            args = self._id_list("qubit name", ";")
            self.expect(";", "after the gate's qubits")
            if len(args) != gate.num_qubits:
                raise args[0].error(
                    f"gate {gate.name!r} acts on {gate.num_qubits} qubit(s), but {len(args)} are given"
                )
            qs = []
            for a in args:
                if a.text not in formal_qubits:
                    raise a.error(f"{a.text!r} is not a qubit of gate {name_tok.text!r} (inside a gate body, "
                                  "only its own qubit names may be used, without indices)")
                qs.append(formal_qubits[a.text])
            if len(set(qs)) != len(qs):
                raise args[0].error(f"a qubit is used twice in one call of {gate.name!r}")
            body.append(self._make_instruction(gate, tuple(qs), exprs, call_tok))
            nesting = max(nesting, gate.nesting + 1)
        self.advance()  # '}'
        if nesting > _MAX_GATE_NESTING:
            raise name_tok.error(f"gate definitions nest deeper than {_MAX_GATE_NESTING} levels")
        where = self._where(name_tok)
        d = GateDefinition(
            name_tok.text, tuple(t.text for t in params), len(qubits), tuple(body), tuple(t.text for t in qubits)
        )
        verdict = _compare_with_table_gate(d)
        table_name = get_gate(d.name).name if verdict == "exact" else None
        self._warn_if_redefining(name_tok, verdict is not None, len(params), len(qubits))
        if table_name is not None:
            spec = get_gate(table_name)
            self.prog.gates[d.name] = _Gate(d.name, spec.num_params, spec.num_qubits, spec.name, None, where)
        else:
            self.prog.gates[d.name] = _Gate(d.name, d.num_params, d.num_qubits, None, d, where, nesting=nesting)

    def _where(self, t: Token) -> str:
        line, col = t.source.line_col(t.offset)
        return f"{t.source.filename}:{line}:{col}"

    # ------------------------------------------------------------------------------------------------------
    # gate calls
    # ------------------------------------------------------------------------------------------------------
    def _gate_ref(self) -> tuple[_Gate, Token]:
        t = self.advance()
        if t.kind == "keyword" and t.text == "U":
            spec = get_gate("u3")
            return _Gate("U", 3, 1, spec.name), t
        if t.kind == "keyword" and t.text == "CX":
            return _Gate("CX", 0, 2, "cx"), t
        if t.kind != "id":
            raise t.error(f"expected a gate name, found {t.describe()}")
        gate = self.prog.gates.get(t.text)
        if gate is None:
            if not self.prog.included_qelib1 and t.text in QELIB1_GATES:
                raise t.error(f"gate {t.text!r} is not defined; add 'include \"qelib1.inc\";' after the header")
            import difflib

            close = difflib.get_close_matches(t.text, list(self.prog.gates), n=3)
            hint = f"; did you mean {', '.join(repr(c) for c in close)}?" if close else ""
            if has_gate(t.text) and not close:
                hint = f" ('{t.text}' is not in qelib1.inc; define it with a 'gate' statement)"
            raise t.error(f"unknown gate {t.text!r}{hint}")
        return gate, t

    def _call_params(self, gate: _Gate, call_tok: Token, formals: set[str] | None) -> list[ParameterExpression]:
        exprs: list[ParameterExpression] = []
        if self.at("("):
            self.advance()
            if not self.at(")"):
                exprs.append(self.expression(formals))
                while self.at(","):
                    self.advance()
                    exprs.append(self.expression(formals))
            if not self.at(")"):
                raise self.tok.error(f"expected ',' or ')' in the parameter list, found {self.tok.describe()}")
            self.advance()
        if len(exprs) != gate.num_params:
            raise call_tok.error(
                f"gate {gate.name!r} takes {gate.num_params} parameter(s), but {len(exprs)} are given"
            )
        return exprs

    def _make_instruction(
        self, gate: _Gate, qubits: tuple[int, ...], exprs: list[ParameterExpression], at: Token,
        condition: Condition | None = None,
    ) -> Instruction:
        params = []
        for e in exprs:
            if e.is_constant():
                params.append(float(e))
            else:
                params.append(e)
        if gate.table_name is not None:
            return Instruction(gate.table_name, qubits, tuple(params), (), condition, None)
        assert gate.definition is not None
        return Instruction(gate.name, qubits, tuple(params), (), condition, gate.definition)

    def _args(self) -> list[tuple[list[int], Token, bool]]:
        """Qubit arguments: each is (qubits, token, is_register)."""
        out = [self._qarg()]
        while self.at(","):
            self.advance()
            out.append(self._qarg())
        return out

    def _qarg(self) -> tuple[list[int], Token, bool]:
        return self._reg_arg(quantum=True)

    def _reg_arg(self, *, quantum: bool) -> tuple[list[int], Token, bool]:
        name_tok = self.expect_id("a quantum register" if quantum else "a classical register")
        regs = self.prog.qregs if quantum else self.prog.cregs
        other = self.prog.cregs if quantum else self.prog.qregs
        reg = regs.get(name_tok.text)
        if reg is None:
            if name_tok.text in other:
                kind = "classical" if quantum else "quantum"
                need = "quantum" if quantum else "classical"
                raise name_tok.error(f"{name_tok.text!r} is a {kind} register; a {need} one is needed here")
            raise name_tok.error(f"undeclared {'quantum' if quantum else 'classical'} register {name_tok.text!r}")
        if self.at("["):
            self.advance()
            idx, idx_tok = self.expect_int("an index")
            self.expect("]", "after the index")
            if idx >= reg.size:
                raise idx_tok.error(f"index {idx} is out of range for register {reg.name!r} of size {reg.size}")
            return [reg.offset + idx], name_tok, False
        return list(range(reg.offset, reg.offset + reg.size)), name_tok, True

    def _broadcast(self, args: list[tuple[list[int], Token, bool]], what: str) -> list[list[int]]:
        sizes = {len(a[0]) for a in args if a[2]}
        if len(sizes) > 1:
            tok = next(a[1] for a in args if a[2])
            raise tok.error(f"{what}: registers of different sizes {sorted(sizes)} cannot be broadcast together")
        if not sizes:
            return [[a[0][0] for a in args]]
        n = sizes.pop()
        return [[a[0][i] if a[2] else a[0][0] for a in args] for i in range(n)]

    def gate_call(self, condition: Condition | None) -> None:
        gate, call_tok = self._gate_ref()
        exprs = self._call_params(gate, call_tok, None)
        args = self._args()
        self.expect(";", "after the gate's arguments")
        if len(args) != gate.num_qubits:
            raise call_tok.error(f"gate {gate.name!r} acts on {gate.num_qubits} qubit(s), but {len(args)} are given")
        values = [float(e) for e in exprs]
        if gate.definition is not None and not gate.definition.opaque:
            self._check_expansion(gate.definition, values, call_tok)
        for qs in self._broadcast(args, f"gate {gate.name!r}"):
            if len(set(qs)) != len(qs):
                raise call_tok.error(f"gate {gate.name!r} is applied to the same qubit twice")
            inst = self._make_instruction(gate, tuple(qs), exprs, call_tok, condition)
            self.prog.circuit._ops.append(inst)

    def _check_expansion(self, d: GateDefinition, values: list[float], at: Token) -> None:
        key = (d.name, tuple(values))
        if key in self.prog.checked_calls:
            return
        try:
            _expand_fully(d, values)
        except (SuanliError, ValueError, ZeroDivisionError, OverflowError) as exc:
            raise at.error(f"gate {d.name!r} cannot be evaluated with these parameters: {exc}") from None
        self.prog.checked_calls.add(key)

    def measure(self, condition: Condition | None) -> None:
        t = self.advance()
        q = self._qarg()
        self.expect("->", "between the qubit and the classical bit")
        c = self._reg_arg(quantum=False)
        self.expect(";", "after measure")
        if q[2] != c[2] or len(q[0]) != len(c[0]):
            raise t.error(
                f"measure: {len(q[0])} qubit(s) and {len(c[0])} classical bit(s) cannot be paired "
                "(use two registers of one size, or two single bits)"
            )
        for qb, cb in zip(q[0], c[0]):
            self.prog.circuit._ops.append(Instruction("measure", (qb,), (), (cb,), condition))

    def reset(self, condition: Condition | None) -> None:
        self.advance()
        q = self._qarg()
        self.expect(";", "after reset")
        for qb in q[0]:
            self.prog.circuit._ops.append(Instruction("reset", (qb,), (), (), condition))

    def barrier(self, condition: Condition | None) -> None:
        t = self.advance()
        if condition is not None:
            raise t.error("a barrier cannot be conditioned")
        args = self._args()
        self.expect(";", "after barrier")
        qs = list(dict.fromkeys(q for a in args for q in a[0]))
        self.prog.circuit._ops.append(Instruction("barrier", tuple(qs)))

    def if_statement(self) -> None:
        self.advance()
        self.expect("(", "after if")
        name_tok = self.expect_id("a classical register")
        reg = self.prog.cregs.get(name_tok.text)
        if reg is None:
            if name_tok.text in self.prog.qregs:
                raise name_tok.error(f"{name_tok.text!r} is a quantum register; if() needs a classical register")
            raise name_tok.error(f"undeclared classical register {name_tok.text!r}")
        bits = reg.indices
        register_name: str | None = reg.name
        if self.at("["):  # accepted extension: a single bit
            self.advance()
            idx, idx_tok = self.expect_int("an index")
            self.expect("]", "after the index")
            if idx >= reg.size:
                raise idx_tok.error(f"index {idx} is out of range for register {reg.name!r} of size {reg.size}")
            bits = (reg.offset + idx,)
            register_name = None
        self.expect("==", "in the condition")
        value, value_tok = self.expect_int("the value to compare with")
        self.expect(")", "to close the condition")
        if value >= 1 << len(bits):
            raise value_tok.error(f"value {value} does not fit in {len(bits)} classical bit(s)")
        cond = Condition(tuple(bits), value, register_name)
        t = self.tok
        if t.kind == "keyword" and t.text == "measure":
            self.measure(cond)
        elif t.kind == "keyword" and t.text == "reset":
            self.reset(cond)
        elif t.kind == "id" or (t.kind == "keyword" and t.text in ("U", "CX")):
            self.gate_call(cond)
        elif t.kind == "keyword" and t.text == "barrier":
            raise t.error("a barrier cannot be conditioned")
        else:
            raise t.error(f"expected a gate, measure or reset after if(...), found {t.describe()}")

    # ------------------------------------------------------------------------------------------------------
    # expressions
    # ------------------------------------------------------------------------------------------------------
    def expression(self, formals: set[str] | None, depth: int = 0) -> ParameterExpression:
        if depth > _MAX_EXPR_DEPTH:
            raise self.tok.error(f"expression nested more than {_MAX_EXPR_DEPTH} levels deep")
        start = self.tok
        left = self._term(formals, depth)
        count = 0
        while self.tok.kind == "sym" and self.tok.text in "+-":
            op = self.advance()
            right = self._term(formals, depth)
            left = self._combine(op, left, right)
            count += 1
            if count > 10_000:
                raise op.error("expression too long")
        if depth == 0 and _tree_depth(left) > _MAX_TREE_DEPTH:
            raise start.error(f"expression too complex (operations nested more than {_MAX_TREE_DEPTH} deep)")
        return left

    def _term(self, formals: set[str] | None, depth: int) -> ParameterExpression:
        left = self._unary(formals, depth)
        while self.tok.kind == "sym" and self.tok.text in "*/":
            op = self.advance()
            right = self._unary(formals, depth)
            left = self._combine(op, left, right)
        return left

    def _unary(self, formals: set[str] | None, depth: int) -> ParameterExpression:
        if self.tok.kind == "sym" and self.tok.text in "-+":
            op = self.advance()
            if depth > _MAX_EXPR_DEPTH:
                raise op.error(f"expression nested more than {_MAX_EXPR_DEPTH} levels deep")
            inner = self._unary(formals, depth + 1)
            return -inner if op.text == "-" else inner
        return self._power(formals, depth)

    def _power(self, formals: set[str] | None, depth: int) -> ParameterExpression:
        base = self._primary(formals, depth)
        if self.tok.kind == "sym" and self.tok.text == "^":
            op = self.advance()
            if depth > _MAX_EXPR_DEPTH:
                raise op.error(f"expression nested more than {_MAX_EXPR_DEPTH} levels deep")
            exponent = self._unary(formals, depth + 1)
            return self._combine(op, base, exponent)
        return base

    def _combine(self, op: Token, a: ParameterExpression, b: ParameterExpression) -> ParameterExpression:
        try:
            result = binary(op.text, a, b)
        except ZeroDivisionError:
            raise op.error("division by zero") from None
        except (ValueError, OverflowError) as exc:
            raise op.error(f"invalid arithmetic: {exc}") from None
        v = _const_or_none(result)
        if v is not None and not math.isfinite(v):
            raise op.error("the value overflows (is not finite)")
        return result

    def _primary(self, formals: set[str] | None, depth: int) -> ParameterExpression:
        t = self.advance()
        if t.kind in ("real", "int"):
            value = float(t.text)
            if not math.isfinite(value):
                raise t.error(f"number {t.text} is out of range")
            return constant(value)
        if t.kind == "keyword" and t.text == "pi":
            return constant(math.pi)
        if t.kind == "sym" and t.text == "(":
            inner = self.expression(formals, depth + 1)
            self.expect(")", "to close the parenthesis")
            return inner
        if t.kind == "id":
            if t.text in FUNCTIONS and self.at("("):
                self.advance()
                arg = self.expression(formals, depth + 1)
                self.expect(")", f"to close {t.text}(")
                try:
                    result = function(t.text, arg)
                except (ValueError, OverflowError) as exc:
                    raise t.error(f"{t.text}() of this value is undefined ({exc})") from None
                v = _const_or_none(result)
                if v is not None and not math.isfinite(v):
                    raise t.error(f"{t.text}() overflows")
                return result
            if formals is not None and t.text in formals:
                return Parameter(t.text)
            if formals is None:
                raise t.error(f"unknown identifier {t.text!r} in an expression (only numbers, pi and functions "
                              "may appear outside gate bodies)")
            raise t.error(f"{t.text!r} is not a parameter of this gate")
        raise t.error(f"expected a number, pi, a parameter or '(', found {t.describe()}")


def _tree_depth(expr: ParameterExpression) -> int:
    """Depth of an expression tree, computed without recursion."""
    best = 0
    stack = [(expr, 1)]
    while stack:
        e, d = stack.pop()
        best = max(best, d)
        for attr in ("a", "b", "arg"):
            child = getattr(e, attr, None)
            if isinstance(child, ParameterExpression):
                stack.append((child, d + 1))
    return best


def _const_or_none(expr: ParameterExpression) -> float | None:
    from ...circuit.parameter import const_value

    return const_value(expr)


def _expand_fully(d: GateDefinition, values: list[Any]) -> None:
    """Expand a custom gate down to table gates, evaluating every parameter (raises on domain errors)."""
    stack = [(d, list(values), tuple(range(d.num_qubits)))]
    seen: set[tuple[int, tuple[float, ...]]] = set()  # (definition, values) already checked
    steps = 0
    while stack:
        defn, vals, qubits = stack.pop()
        if defn.opaque:
            continue
        for inst in defn.expand(vals, qubits):
            steps += 1
            if steps > 5_000_000:
                return
            if inst.definition is not None:
                vals = [float(p) for p in inst.params]
                key = (id(inst.definition), tuple(vals))
                if key not in seen:
                    seen.add(key)
                    stack.append((inst.definition, vals, inst.qubits))
            elif inst.name != "barrier":
                for p in inst.params:
                    v = float(p)
                    if not math.isfinite(v):
                        raise ValueError(f"parameter of {inst.name!r} is not finite")


def _definition_unitary(d: GateDefinition, values: list[float]) -> np.ndarray:
    k = d.num_qubits
    state = np.eye(1 << k, dtype=np.complex128).reshape([2] * k + [1 << k])
    stack: list[Instruction] = list(reversed(d.expand(values, tuple(range(k)))))
    steps = 0
    while stack:
        inst = stack.pop()
        steps += 1
        if steps > 100_000:  # no table gate needs this many; nested definitions can expand exponentially
            raise ValueError("definition too long to compare with the gate table")
        if inst.name == "barrier":
            continue
        if inst.definition is not None:
            if inst.definition.opaque:
                raise ValueError("opaque")
            stack.extend(reversed(inst.definition.expand([float(p) for p in inst.params], inst.qubits)))
            continue
        spec = get_gate(inst.name)
        m = spec.matrix(*[float(p) for p in inst.params]).numpy()
        g = len(inst.qubits)
        t = m.reshape([2] * (2 * g))
        state = np.moveaxis(np.tensordot(t, state, axes=(list(range(g, 2 * g)), list(inst.qubits))),
                            list(range(g)), list(inst.qubits))
    return state.reshape(1 << k, 1 << k)


def _compare_with_table_gate(d: GateDefinition) -> str | None:
    """How the definition compares with the table gate of the same name and signature.

    Returns ``"exact"`` (same matrix), ``"phase"`` (same up to a global phase, e.g. qelib1.inc's own bodies),
    or None (no such table gate, or a different gate).
    """
    if not has_gate(d.name) or d.num_qubits > 6:
        return None
    spec = get_gate(d.name)
    if spec.num_qubits != d.num_qubits or spec.num_params != d.num_params:
        return None
    rng = np.random.default_rng(12345)
    verdict = "exact"
    try:
        for _ in range(2):
            vals = [float(v) for v in rng.uniform(-3.0, 3.0, d.num_params)]
            u = _definition_unitary(d, vals)
            m = spec.matrix(*vals).numpy()
            if np.allclose(u, m, atol=1e-9, rtol=0):
                continue
            overlap = np.vdot(m.ravel(), u.ravel()) / m.shape[0]
            if abs(abs(overlap) - 1) < 1e-9 and np.allclose(u, overlap * m, atol=1e-9, rtol=0):
                verdict = "phase"
                continue
            return None
    except (SuanliError, ValueError, ZeroDivisionError, OverflowError):
        return None
    return verdict



def parse(text: str, *, filename: str = "<string>", base_dir: str | os.PathLike[str] | None = None) -> Circuit:
    """Parse OpenQASM 2 ``text`` into a :class:`Circuit`.

    Args:
        text: the program.
        filename: name used in error messages.
        base_dir: folder against which ``include`` paths resolve (default: the current directory).
    """
    if not isinstance(text, str):
        raise QasmError(f"expected program text (str), got {type(text).__name__}", filename=filename)
    if text.startswith("\ufeff"):
        text = text[1:]
    src = Source(text, filename)
    circuit = Circuit(name=Path(filename).stem if filename and not filename.startswith("<") else None)
    prog = _Program(circuit)
    base = Path(base_dir) if base_dir is not None else Path.cwd()
    try:
        tokens = tokenize(src)
        _Parser(tokens, prog, base, is_main=True).parse_program()
    except QasmError:
        raise
    except (CircuitError, ParameterError) as exc:  # pragma: no cover - parser checks first
        raise QasmError(f"invalid program: {exc}", filename=filename) from None
    except RecursionError:  # pragma: no cover - depth limits prevent this
        raise QasmError("program nested too deeply", filename=filename) from None
    return circuit
