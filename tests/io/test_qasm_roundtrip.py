"""Property tests of the OpenQASM 2 reader and writer.

* Random VALID programs (registers, parametrised and nested gate definitions, broadcast, measure/reset/barrier/if,
  expressions) round-trip: parse → dumps_qasm → parse gives an equal Circuit and identical probabilities.
* The writer's output for every gate of the table loads in Qiskit and gives Qiskit's state: this proves the exact
  ``gate`` definitions written for gates outside qelib1.inc (Qiskit uses them instead of its own gates).
* Corrupted programs (random edits of generated programs and of the real corpus) raise QasmError or parse.
* Every real corpus file round-trips.
"""

from __future__ import annotations

import math
import random
import string
import warnings
from dataclasses import dataclass, field

import numpy as np
import pytest
import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from qasm_testutil import (
    canonical,
    is_dynamic,
    little_to_big,
    ours_outcomes,
    ours_probabilities,
    qiskit_exact,
    real_files,
    tvd,
)

import suanli
from suanli import Circuit, CircuitError, GateDefinition, Instruction, QasmError, QasmWarning, dumps_qasm, loads_qasm
from suanli.gates import all_gates

PI = math.pi
FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True)
SLOW = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True)

# qelib1 gates by (name, number of parameters, number of qubits); U and CX are built in
QELIB1 = [
    ("u3", 3, 1), ("u2", 2, 1), ("u1", 1, 1), ("u", 3, 1), ("p", 1, 1), ("u0", 1, 1), ("id", 0, 1), ("x", 0, 1),
    ("y", 0, 1), ("z", 0, 1), ("h", 0, 1), ("s", 0, 1), ("sdg", 0, 1), ("t", 0, 1), ("tdg", 0, 1), ("rx", 1, 1),
    ("ry", 1, 1), ("rz", 1, 1), ("sx", 0, 1), ("sxdg", 0, 1), ("cx", 0, 2), ("cz", 0, 2), ("cy", 0, 2),
    ("swap", 0, 2), ("ch", 0, 2), ("crx", 1, 2), ("cry", 1, 2), ("crz", 1, 2), ("cu1", 1, 2), ("cp", 1, 2),
    ("cu3", 3, 2), ("csx", 0, 2), ("cu", 4, 2), ("rxx", 1, 2), ("rzz", 1, 2), ("ccx", 0, 3), ("cswap", 0, 3),
    ("rccx", 0, 3), ("U", 3, 1), ("CX", 0, 2), ("c3x", 0, 4), ("rc3x", 0, 4), ("c3sqrtx", 0, 4),
]


# ---------------------------------------------------------------------------------------------------------
# expressions that always evaluate to finite values (no division by zero, no domain errors)
# ---------------------------------------------------------------------------------------------------------
NUMBERS = ["0", "1", "2", "3", "0.5", "1.25", ".75", "2.", "1e-3", "2.5E1", "0.001", "pi", "10"]
NONZERO = ["2", "3", "0.5", "pi", "(1+1)", "4.0", "1e1"]  # safe denominators
POSITIVE = ["2", "0.5", "pi", "3.75", "1e-2", "(1+2)"]  # safe arguments of ln and sqrt
SMALL = ["2", "0.5", "pi", "1.25", "3"]  # positive bases and factors of moderate size


@st.composite
def expressions(draw: st.DrawFn, params: tuple[str, ...] = (), depth: int = 0) -> str:
    """Text of an expression; inside a gate body, ``params`` may appear (functions of them stay bounded)."""
    atoms = NUMBERS + list(params) * 8
    if depth >= 3:
        return draw(st.sampled_from(atoms))
    kind = draw(st.integers(0, 10))
    sub = expressions(params, depth + 1)
    if kind <= 2:
        return draw(st.sampled_from(atoms))
    if kind in (3, 10):
        op = draw(st.sampled_from(["+", "-", "*"]))
        right = draw(st.sampled_from(SMALL)) if op == "*" and params else draw(sub)  # keep values from growing
        return f"{draw(sub)} {op} {right}" if draw(st.booleans()) else f"({draw(sub)}){op}({right})"
    if kind == 4:
        return f"{draw(sub)}/{draw(st.sampled_from(NONZERO))}"
    if kind == 5:
        return f"-{draw(st.sampled_from(atoms))}" if draw(st.booleans()) else f"-({draw(sub)})"
    if kind == 6:
        return f"{draw(st.sampled_from(['sin', 'cos']))}({draw(sub)})"
    if kind == 7:
        fn = draw(st.sampled_from(["ln", "sqrt", "exp", "tan"]))
        safe = POSITIVE if fn in ("ln", "sqrt") else ["0.5", "1", "-2", "pi/8"]
        arg = draw(st.sampled_from(safe))
        return f"{fn}({arg})"
    if kind == 8:
        if params and draw(st.booleans()):
            if draw(st.booleans()):  # a symbolic exponent of a positive base
                sign = draw(st.sampled_from(["", "-"]))
                return f"{draw(st.sampled_from(SMALL))}^{sign}({draw(bounded(params, depth + 1))})"
            return draw(bounded(params, depth + 1))
        base = draw(st.sampled_from(SMALL))
        return f"({base})^{draw(st.sampled_from(['2', '3', '-1', '0.5']))}"
    return f"({draw(sub)})"


@st.composite
def bounded(draw: st.DrawFn, params: tuple[str, ...], depth: int) -> str:
    """An expression over ``params`` whose value lies in [-1, 1] (so powers and products of it stay finite)."""
    kind = draw(st.integers(0, 6)) if depth < 4 else 0
    if kind == 5:  # a power of a power, and a power of a negation: right-associative printing matters
        e1, e2 = draw(st.sampled_from(["2", "3"])), draw(st.sampled_from(["2", "3"]))
        return f"({draw(bounded(params, depth + 1))}^{e1})^{e2}"
    if kind == 6:
        return f"(-{draw(bounded(params, depth + 1))})^{draw(st.sampled_from(['2', '3']))}"
    if kind == 0:
        return f"{draw(st.sampled_from(['sin', 'cos']))}({draw(expressions(params, depth + 1))})"
    if kind == 1:
        return f"({draw(bounded(params, depth + 1))})^{draw(st.sampled_from(['2', '3']))}"
    if kind == 2:
        return f"{draw(bounded(params, depth + 1))}^{draw(st.sampled_from(['2', '3']))}"
    if kind == 3:
        return f"-{draw(bounded(params, depth + 1))}"
    return f"({draw(bounded(params, depth + 1))})*({draw(bounded(params, depth + 1))})"


# ---------------------------------------------------------------------------------------------------------
# whole programs
# ---------------------------------------------------------------------------------------------------------
@dataclass
class _Gate:
    name: str
    num_params: int
    num_qubits: int


@dataclass
class _State:
    qregs: list[tuple[str, int]] = field(default_factory=list)
    cregs: list[tuple[str, int]] = field(default_factory=list)
    gates: list[_Gate] = field(default_factory=list)
    dynamic_budget: int = 3

    @property
    def num_qubits(self) -> int:
        return sum(s for _, s in self.qregs)

    def qubit(self, flat: int) -> str:
        for name, size in self.qregs:
            if flat < size:
                return f"{name}[{flat}]"
            flat -= size
        raise AssertionError(flat)

    def qubits_of(self, reg: str) -> list[int]:
        off = 0
        for name, size in self.qregs:
            if name == reg:
                return list(range(off, off + size))
            off += size
        raise AssertionError(reg)


def _sep(draw: st.DrawFn) -> str:
    """Whitespace between tokens: usually a space, sometimes newlines, tabs or comments."""
    return draw(st.sampled_from([" ", " ", " ", "", "\n", "\t", "  /* c */ ", " // c\n", "\r\n"]))


@st.composite
def _gate_definition(draw: st.DrawFn, state: _State, index: int) -> str:
    name = f"g{index}"
    nparams = draw(st.integers(0, 2))
    nqubits = draw(st.integers(1, 3))
    params = tuple(draw(st.permutations(["theta", "phi", "lam", "a1"])))[:nparams]
    qnames = tuple(draw(st.permutations(["a", "b", "c", "qq"])))[:nqubits]
    callable_gates = [_Gate(n, p, k) for n, p, k in QELIB1 if k <= nqubits] + [
        g for g in state.gates if g.num_qubits <= nqubits
    ]
    body = []
    for _ in range(draw(st.integers(0, 4))):
        if draw(st.integers(0, 9)) == 0:
            qs = draw(st.lists(st.sampled_from(qnames), min_size=1, max_size=nqubits))
            body.append(f"barrier {','.join(qs)};")
            continue
        g = draw(st.sampled_from(callable_gates))
        qs = draw(st.permutations(qnames))[: g.num_qubits]
        ps = [draw(expressions(params)) for _ in range(g.num_params)]
        ptxt = f"({', '.join(ps)})" if ps else ""
        body.append(f"{g.name}{ptxt} {','.join(qs)};")
    state.gates.append(_Gate(name, nparams, nqubits))
    sig = name + (f"({','.join(params)})" if params else draw(st.sampled_from(["", "", "()"])))
    inner = _sep(draw).join(body)
    return f"gate {sig} {','.join(qnames)}{_sep(draw)}{{{_sep(draw)}{inner}{_sep(draw)}}}"


@st.composite
def _arguments(draw: st.DrawFn, state: _State, arity: int) -> list[str] | None:
    """Qubit arguments for one call: single qubits, or registers of one size (broadcast) plus single qubits."""
    n = state.num_qubits
    if arity > n:
        return None
    if draw(st.booleans()):
        by_size: dict[int, list[str]] = {}
        for name, size in state.qregs:
            by_size.setdefault(size, []).append(name)
        size = draw(st.sampled_from(sorted(by_size)))
        regs = by_size[size]
        nfull = draw(st.integers(1, min(arity, len(regs))))
        full = draw(st.permutations(regs))[:nfull]
        used = {q for r in full for q in state.qubits_of(r)}
        rest = [q for q in range(n) if q not in used]
        if len(rest) >= arity - nfull:
            singles = [state.qubit(q) for q in draw(st.permutations(rest))[: arity - nfull]]
            args = list(full) + singles
            return list(draw(st.permutations(args)))
    qs = draw(st.permutations(list(range(n))))[:arity]
    return [state.qubit(q) for q in qs]


@st.composite
def _statement(draw: st.DrawFn, state: _State, dynamic: bool) -> str | None:
    kinds = ["gate"] * 6 + ["barrier"]
    if dynamic and state.dynamic_budget > 0:
        kinds += ["measure", "reset"] + (["if"] * 2 if state.cregs else [])
    if not dynamic and state.cregs:
        kinds += ["if"]  # conditions on never-written bits are static (they read 0)
    kind = draw(st.sampled_from(kinds))
    s = lambda: _sep(draw)  # noqa: E731
    if kind == "barrier":
        choices = [r for r, _ in state.qregs] + [state.qubit(q) for q in range(state.num_qubits)]
        args = draw(st.lists(st.sampled_from(choices), min_size=1, max_size=3))
        return f"barrier {','.join(args)};"
    if kind == "reset":
        state.dynamic_budget -= 1
        reg, size = draw(st.sampled_from(state.qregs))
        return f"reset {reg};" if draw(st.booleans()) else f"reset{s()} {reg}[{draw(st.integers(0, size - 1))}];"
    if kind == "measure":
        if not state.cregs:
            return None
        state.dynamic_budget -= 1
        return draw(_measure(state))
    prefix = ""
    if kind == "if":
        creg, size = draw(st.sampled_from(state.cregs))
        value = draw(st.integers(0, (1 << size) - 1))
        prefix = f"if{s()}({creg}{s()}=={s()}{value}){s()} "
        if dynamic and draw(st.integers(0, 3)) == 0:
            state.dynamic_budget -= 1
            if draw(st.booleans()):
                return prefix + draw(_measure(state))
            return prefix + f"reset {draw(st.sampled_from(state.qregs))[0]};"
    gates = [_Gate(n, p, k) for n, p, k in QELIB1] + state.gates * 4
    g = draw(st.sampled_from(gates))
    args = draw(_arguments(state, g.num_qubits))
    if args is None:
        return None
    ps = [draw(expressions()) for _ in range(g.num_params)]
    ptxt = f"{s()}({','.join(ps)})" if ps else ""
    return f"{prefix}{g.name}{ptxt} {f',{s()}'.join(args)};"


@st.composite
def _measure(draw: st.DrawFn, state: _State) -> str:
    pairs = [(q, c) for q, qs in state.qregs for c, cs in state.cregs if qs == cs]
    if pairs and draw(st.booleans()):
        q, c = draw(st.sampled_from(pairs))
        return f"measure {q} -> {c};"
    qreg, qsize = draw(st.sampled_from(state.qregs))
    creg, csize = draw(st.sampled_from(state.cregs))
    return f"measure {qreg}[{draw(st.integers(0, qsize - 1))}] -> {creg}[{draw(st.integers(0, csize - 1))}];"


@st.composite
def programs(draw: st.DrawFn, dynamic: bool = True, max_qubits: int = 6, max_statements: int = 12) -> str:
    """A valid OpenQASM 2 program (the text)."""
    state = _State()
    lines = ["OPENQASM 2.0;", 'include "qelib1.inc";']
    budget = max_qubits
    for name in draw(st.permutations(["q", "r", "anc", "data"]))[: draw(st.integers(1, 3))]:
        if budget < 1:
            break
        size = draw(st.integers(1, min(3, budget)))
        budget -= size
        state.qregs.append((name, size))
    ncregs = draw(st.integers(0, 2))
    for name in ["c", "m"][:ncregs]:
        state.cregs.append((name, draw(st.integers(1, 3))))
    decls = [f"qreg {n}[{s}];" for n, s in state.qregs] + [f"creg {n}[{s}];" for n, s in state.cregs]
    draw(st.randoms(use_true_random=False)).shuffle(decls)  # declarations may interleave
    gate_count = draw(st.integers(0, 3))
    for i in range(gate_count):
        lines.append(draw(_gate_definition(state, i)))
    lines += decls
    for _ in range(draw(st.integers(1, max_statements))):
        stmt = draw(_statement(state, dynamic))
        if stmt is not None:
            lines.append(stmt)
    if dynamic and state.cregs and draw(st.booleans()):
        lines.append(draw(_measure(state)))
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------------------------------------------------
# round trip of generated programs
# ---------------------------------------------------------------------------------------------------------
def _assert_same_results(a: Circuit, b: Circuit) -> None:
    if is_dynamic(a) or is_dynamic(b):
        pa, pb = ours_outcomes(a), ours_outcomes(b)
        assert set(pa) == set(pb)
        assert tvd(pa, pb) < 1e-12
        assert all(abs(pa[k] - pb[k]) <= 1e-12 for k in pa)
    else:
        np.testing.assert_allclose(ours_probabilities(a), ours_probabilities(b), rtol=0, atol=1e-12)


def _round_trip(text: str) -> tuple[Circuit, Circuit, str]:
    first = loads_qasm(text)
    written = dumps_qasm(first)
    second = loads_qasm(written)
    return first, second, written


@FAST
@given(programs(dynamic=False))
def test_round_trip_static_programs(text: str) -> None:
    first, second, written = _round_trip(text)
    assert second == first, written
    assert canonical(second) == canonical(first)
    assert dumps_qasm(second) == written  # the writer's output is a fixed point
    _assert_same_results(first, second)


@FAST
@given(programs(dynamic=True))
def test_round_trip_dynamic_programs(text: str) -> None:
    first, second, written = _round_trip(text)
    assert second == first, written
    assert canonical(second) == canonical(first)
    assert dumps_qasm(second) == written
    _assert_same_results(first, second)


@pytest.mark.slow
@SLOW
@given(programs(dynamic=True, max_qubits=7, max_statements=20))
def test_round_trip_programs_many(text: str) -> None:
    first, second, written = _round_trip(text)
    assert second == first, written
    _assert_same_results(first, second)


@settings(max_examples=400, deadline=None, derandomize=True)
@given(expressions(params=("theta", "phi")), st.floats(-3, 3), st.floats(-3, 3))
def test_round_trip_gate_body_expressions(expr: str, theta: float, phi: float) -> None:
    text = (f'OPENQASM 2.0;\ninclude "qelib1.inc";\ngate g(theta, phi) a {{ rz({expr}) a; }}\n'
            f"qreg q[1];\ng({theta!r}, {phi!r}) q[0];\n")
    first, second, written = _round_trip(text)
    assert second == first, written
    body1, body2 = first[0].definition.body[0], second[0].definition.body[0]
    values = {"theta": theta, "phi": phi}
    v1 = body1.params[0] if isinstance(body1.params[0], float) else body1.params[0].evaluate(values)
    v2 = body2.params[0] if isinstance(body2.params[0], float) else body2.params[0].evaluate(values)
    assert v1 == v2


@FAST
@given(st.floats(allow_nan=False, allow_infinity=False, width=64))
def test_round_trip_any_finite_float(value: float) -> None:
    c = Circuit(1).rz(value, 0)
    back = loads_qasm(dumps_qasm(c))
    assert back == c and back[0].params[0] == value


def test_generator_makes_what_it_should() -> None:
    """The strategy is not vacuous: over a fixed sample it produces every feature."""
    needles = ("gate g0", "gate g2", "if(", "measure", "reset", "barrier", "g1(", "^", "sin(", "/* c */", " q;",
               "g0()", "-> c;", "U(", "CX ", "\r\n")
    seen: set[str] = set()

    @settings(max_examples=300, deadline=None, derandomize=True, database=None)
    @given(programs(dynamic=True))
    def collect(text: str) -> None:
        seen.update(n for n in needles if n in text)
        loads_qasm(text)  # and every one of them is valid

    collect()
    assert seen == set(needles)


# ---------------------------------------------------------------------------------------------------------
# writer output for every table gate, read by Qiskit
# ---------------------------------------------------------------------------------------------------------
def _every_gate_circuit(name: str, seed: int) -> Circuit:
    spec = suanli.get_gate(name)
    rng = np.random.default_rng(seed)
    n = spec.num_qubits + 1
    c = Circuit(n)
    for q in range(n):
        c.u3(*[float(x) for x in rng.uniform(-3, 3, 3)], q)
    if spec.name == "u0":
        params = [2.0]  # Qiskit reads u0(γ) as γ single-qubit delays: γ must be an integer there
    else:
        params = [float(x) for x in rng.uniform(-3, 3, spec.num_params)]
    qubits = [int(q) for q in rng.permutation(n)[: spec.num_qubits]]
    c.append(spec.name, qubits, params)
    for q in range(n):
        c.rx(float(rng.uniform(-3, 3)), q)
    return c


@pytest.mark.parametrize("legacy", [True, False], ids=["legacy", "default"])
@pytest.mark.parametrize("name", [g.name for g in all_gates()])
def test_writer_output_loads_in_qiskit_with_same_state(name: str, legacy: bool) -> None:
    import qiskit.qasm2
    from qiskit.quantum_info import Statevector

    c = _every_gate_circuit(name, seed=sum(map(ord, name)))
    text = dumps_qasm(c)
    kwargs = {"custom_instructions": qiskit.qasm2.LEGACY_CUSTOM_INSTRUCTIONS} if legacy else {}
    qc = qiskit.qasm2.loads(text, **kwargs)
    ref = little_to_big(Statevector(qc).data, c.num_qubits)
    ours = suanli.state(c, dtype=torch.complex128, device="cpu").numpy()
    # the full state, global phase included: the written definitions are exact
    np.testing.assert_allclose(ours, ref, rtol=0, atol=1e-10)
    back = loads_qasm(text)
    assert back == c  # and our reader maps the definitions back to the table gate
    assert back[c.num_qubits].definition is None


def _dynamic_circuit(seed: int) -> Circuit:
    """Several registers, every kind of table gate, custom gates, mid-circuit measurement, reset and if."""
    rng = np.random.default_rng(seed)
    c = Circuit(name="dyn")
    c.add_qreg("a", 2)
    c.add_qreg("b", 2)
    c.add_creg("mx", 1)
    c.add_creg("my", 2)
    theta = suanli.Parameter("theta")
    sub = Circuit(2, name="blk").ry(theta, 0).cx(0, 1).rz(theta / 2 + 0.25, 1).to_gate()
    specs = [s for s in all_gates() if s.num_qubits <= 4]
    for step in range(14):
        spec = specs[int(rng.integers(len(specs)))]
        qubits = [int(q) for q in rng.permutation(4)[: spec.num_qubits]]
        params = [2.0] if spec.name == "u0" else [float(v) for v in rng.uniform(-3, 3, spec.num_params)]
        if step % 4 == 3:
            q = int(rng.integers(4))
            c.measure(q, int(rng.integers(3)))
            if rng.random() < 0.5:
                c.reset(q)
            reg = "mx" if rng.random() < 0.5 else "my"
            with c.c_if(reg, int(rng.integers(1 << (1 if reg == "mx" else 2)))):
                c.gate(spec.name, qubits, params)
        elif step % 5 == 1:
            c.gate(sub, [int(q) for q in rng.permutation(4)[:2]], [float(rng.uniform(-2, 2))])
        else:
            c.gate(spec.name, qubits, params)
    c.measure([0, 1, 3], [0, 1, 2])
    return c


@pytest.mark.parametrize("seed", range(6))
def test_writer_dynamic_circuits_agree_with_qiskit(seed: int) -> None:
    import qiskit.qasm2

    c = _dynamic_circuit(seed)
    text = dumps_qasm(c)
    back = loads_qasm(text)
    assert canonical(back)[3] == canonical(c)[3]
    qc = qiskit.qasm2.loads(text, custom_instructions=qiskit.qasm2.LEGACY_CUSTOM_INSTRUCTIONS)
    probs, outcomes = qiskit_exact(qc)
    ours = ours_outcomes(c)
    assert tvd(ours, outcomes) < 1e-9
    assert tvd(ours_probabilities(c), probs) < 1e-9
    assert tvd(ours_outcomes(back), outcomes) < 1e-9


# ---------------------------------------------------------------------------------------------------------
# corruption fuzzing: only QasmError (or a successful parse)
# ---------------------------------------------------------------------------------------------------------
TOKENS = [
    ";", ",", "(", ")", "[", "]", "{", "}", "->", "==", "-", "+", "*", "/", "^", "pi", "q", "c", "x", "g0", "gate",
    "opaque", "if", "measure", "reset", "barrier", "qreg", "creg", "include", "OPENQASM", "U", "CX", '"', "/*",
    "//", "*/", "0", "1", "7", "1e999", "99999999999999999999", "-1", ".", "1.5", "\n", " ", "\t", "\x00", "\x7f",
    "\u00e9", "\ufeff", "\U0001f600", "sqrt(-1)", "ln(0)", "1/0", "2.0", "3.0", "qelib1.inc", '"qelib1.inc"',
    "cu", "sin", "exp(1e3)", "(" * 200, "-" * 300, "q[0]", "q,q", "\\", "'", "@", "#", "=",
]


def _mutate(text: str, rnd: random.Random, edits: int) -> str:
    for _ in range(edits):
        k = rnd.randrange(9)
        n = len(text)
        i = rnd.randrange(n + 1)
        j = min(n, i + rnd.randint(1, 12))
        if k == 0:  # delete characters
            text = text[:i] + text[j:]
        elif k == 1:  # duplicate characters
            text = text[:j] + text[i:j] + text[j:]
        elif k == 2:  # insert a token
            text = text[:i] + rnd.choice(TOKENS) + text[i:]
        elif k == 3:  # insert a random character
            text = text[:i] + chr(rnd.choice([rnd.randrange(32, 127), rnd.randrange(0, 0x3000)])) + text[i:]
        elif k == 4:  # swap two slices
            i2 = rnd.randrange(n + 1)
            j2 = min(n, i2 + rnd.randint(1, 12))
            if j <= i2:
                text = text[:i] + text[i2:j2] + text[j:i2] + text[i:j] + text[j2:]
        elif k == 5:  # truncate
            text = text[:i]
        elif k == 6:  # replace one character
            if i < n:
                text = text[:i] + rnd.choice(string.printable) + text[i + 1 :]
        else:  # token-level edits: delete, duplicate or swap whole tokens
            tokens = _split_tokens(text)
            if not tokens:
                continue
            a = rnd.randrange(len(tokens))
            b = rnd.randrange(len(tokens))
            if k == 7:
                tokens[a], tokens[b] = tokens[b], tokens[a]
            elif rnd.random() < 0.5:
                del tokens[a]
            else:
                tokens.insert(a, tokens[b])
            text = "".join(tokens)
    return text


def _split_tokens(text: str) -> list[str]:
    import re

    return re.findall(r"\s+|//[^\n]*|/\*.*?\*/|[A-Za-z_][A-Za-z0-9_]*|[0-9.]+(?:[eE][-+]?[0-9]+)?|->|==|\"[^\"]*\"|.",
                      text, flags=re.S)


def _parse_only_qasm_errors(text: str) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", QasmWarning)
        try:
            circuit = loads_qasm(text)
        except QasmError as e:
            assert e.line is not None and e.column is not None and e.filename == "<string>", repr(e)
            assert e.line >= 1 and e.column >= 1
            assert e.reason and "\n" not in e.reason, repr(e)
            return
        # accepted: what the reader accepts, the writer can write and the reader read back
        try:
            written = dumps_qasm(circuit)
        except CircuitError as e:  # single-bit conditions (if(c[1]==1)) have no OpenQASM 2 form
            assert "whole register" in str(e)
            return
        back = loads_qasm(written)
        assert canonical(back)[3] == canonical(circuit)[3]


@FAST
@given(programs(dynamic=True), st.randoms(use_true_random=False), st.integers(1, 5))
def test_corrupted_generated_programs_raise_only_qasm_error(text: str, rnd: random.Random, edits: int) -> None:
    _parse_only_qasm_errors(_mutate(text, rnd, edits))


REAL = real_files()
REAL_TEXTS = {p.name: p.read_text(encoding="utf-8-sig") for p in REAL}


@pytest.mark.parametrize("name", sorted(REAL_TEXTS))
def test_corrupted_real_files_raise_only_qasm_error(name: str) -> None:
    rnd = random.Random(f"corrupt:{name}")
    for _ in range(150):
        _parse_only_qasm_errors(_mutate(REAL_TEXTS[name], rnd, rnd.randint(1, 4)))


@FAST
@given(st.sampled_from(sorted(REAL_TEXTS)), st.randoms(use_true_random=False), st.integers(1, 6))
def test_corrupted_real_files_hypothesis(name: str, rnd: random.Random, edits: int) -> None:
    _parse_only_qasm_errors(_mutate(REAL_TEXTS[name], rnd, edits))


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(REAL_TEXTS))
def test_corrupted_real_files_many(name: str) -> None:
    rnd = random.Random(f"corrupt-many:{name}")
    for _ in range(1000):
        _parse_only_qasm_errors(_mutate(REAL_TEXTS[name], rnd, rnd.randint(1, 8)))


@FAST
@given(st.lists(st.sampled_from(TOKENS + list("qcrgx[](){};,->=0123456789 \n")), max_size=80).map("".join))
def test_token_soup_raises_only_qasm_error(text: str) -> None:
    _parse_only_qasm_errors("OPENQASM 2.0;\ninclude \"qelib1.inc\";\nqreg q[3];\ncreg c[3];\n" + text)


@FAST
@given(st.text(max_size=300))
def test_arbitrary_text_raises_only_qasm_error(text: str) -> None:
    _parse_only_qasm_errors(text)


@FAST
@given(programs(dynamic=True), st.data())
def test_every_truncation_point(text: str, data: st.DataObject) -> None:
    cut = data.draw(st.integers(0, len(text)))
    _parse_only_qasm_errors(text[:cut])


# ---------------------------------------------------------------------------------------------------------
# real corpus round trip
# ---------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("path", REAL, ids=[p.name for p in REAL])
def test_real_file_round_trip(path) -> None:
    first = suanli.load_qasm(path)
    written = dumps_qasm(first)
    second = loads_qasm(written)
    # equal up to the names of custom gates (the writer renames e.g. a 2-qubit 'cu' that clashes with qelib1's)
    assert canonical(second)[:2] == canonical(first)[:2]
    assert canonical(second)[3] == canonical(first)[3]
    assert [(r.name, r.size) for r in second.qregs] == [(r.name, r.size) for r in first.qregs]
    assert [(r.name, r.size) for r in second.cregs] == [(r.name, r.size) for r in first.cregs]
    renamed = {i.name for i in first if i.definition is not None} - {i.name for i in second if i.definition is not None}
    if not renamed:
        assert second == first
    assert dumps_qasm(second) == written
    if first.num_qubits <= 16:
        _assert_same_results(first, second)


def test_writer_keeps_table_names_for_table_gates() -> None:
    """A custom gate named like a table gate must not collide with that gate's definition (regression)."""
    d = GateDefinition("ryy", ("t",), 2, (Instruction("h", (0,)),), ("a", "b"))
    for c in (Circuit(2).gate(d, [0, 1], [0.5]).ryy(0.3, 0, 1), Circuit(2).ryy(0.3, 0, 1).gate(d, [0, 1], [0.5])):
        text = dumps_qasm(c)
        back = loads_qasm(text)
        assert [i.name for i in back if i.definition is None] == ["ryy"]
        assert canonical(back)[3] == canonical(c)[3]
        np.testing.assert_allclose(ours_probabilities(back), ours_probabilities(c), atol=1e-12)


def test_writer_skips_barrier_on_no_qubits() -> None:
    """``barrier ;`` is not OpenQASM 2; an empty barrier has no effect, so it is left out (regression)."""
    d = GateDefinition("g", (), 1, (Instruction("barrier", ()), Instruction("h", (0,))), ("a",))
    c = Circuit(2).append(Instruction("barrier", ())).gate(d, [1]).barrier(0, 1)
    text = dumps_qasm(c)
    assert "barrier ;" not in text and "barrier;" not in text
    back = loads_qasm(text)
    assert [str(i) for i in back] == ["g q[1]", "barrier q[0], q[1]"]
    assert back[0].definition.body == (Instruction("h", (0,)),)
    empty = Circuit(0)
    empty.barrier()
    assert loads_qasm(dumps_qasm(empty)).num_qubits == 0


def test_writer_refuses_single_bit_condition_of_wider_register() -> None:
    """The reader accepts the ``if(c[1]==1)`` extension; OpenQASM 2 cannot write it back (documented CircuitError)."""
    c = loads_qasm('OPENQASM 2.0;\ninclude "qelib1.inc";\nqreg q[1];\ncreg c[2];\nif(c[1]==1) x q[0];\n')
    with pytest.raises(CircuitError, match="not one whole register"):
        dumps_qasm(c)
