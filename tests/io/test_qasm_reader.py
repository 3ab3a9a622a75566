"""The OpenQASM 2 reader, feature by feature, with the exact Circuit each program must give.

Bit order reminder: the reader numbers qubits (and classical bits) register after register in declaration
order; ``qreg a[2]; qreg b[3];`` gives a[0]=0, a[1]=1, b[0]=2, ... . Conditions read ``if(c==n)`` little-endian
from the register (``c[0]`` is the least significant bit), as OpenQASM 2 specifies.
"""

from __future__ import annotations

import math
import os
import warnings
from pathlib import Path

import numpy as np
import pytest
import torch
from qasm_testutil import INCLUDES, ops, registers

import suanli
from suanli import (
    Circuit,
    Condition,
    GateDefinition,
    Instruction,
    Parameter,
    QasmError,
    QasmWarning,
    SimulationError,
    dump_qasm,
    dumps_qasm,
    load_qasm,
    loads_qasm,
)
from suanli.io.qasm2.qelib1 import QELIB1_GATES

PI = math.pi
HEAD = 'OPENQASM 2.0;\ninclude "qelib1.inc";\n'


def I(name, qubits, params=(), clbits=(), condition=None, definition=None):  # noqa: E743 - short on purpose
    return Instruction(name, tuple(qubits), tuple(params), tuple(clbits), condition, definition)


def parse(body: str, **kw) -> Circuit:
    return loads_qasm(HEAD + body, **kw)


def no_warnings_parse(text: str, **kw) -> Circuit:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        return loads_qasm(text, **kw)


# ---------------------------------------------------------------------------------------------------------
# qelib1.inc, built in
# ---------------------------------------------------------------------------------------------------------
def test_qelib1_is_built_in_no_file_needed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # an empty folder: there is no qelib1.inc on disk anywhere near
    assert not (tmp_path / "qelib1.inc").exists()
    c = no_warnings_parse(HEAD + "qreg q[2];\nh q[0];\ncx q[0],q[1];\n")
    assert c.num_qubits == 2 and c.num_clbits == 0
    assert list(c) == [I("h", [0]), I("cx", [0, 1])]
    c2 = loads_qasm(HEAD + "qreg q[1];\nx q[0];\n", base_dir=tmp_path / "does_not_exist")
    assert list(c2) == [I("x", [0])]


@pytest.mark.parametrize("qname", sorted(QELIB1_GATES))
def test_every_qelib1_gate_maps_to_its_table_gate(qname: str) -> None:
    spec = suanli.get_gate(QELIB1_GATES[qname])
    params = [0.25 * (k + 1) for k in range(spec.num_params)]
    ptxt = "(" + ",".join(map(str, params)) + ")" if params else ""
    qubits = ",".join(f"q[{k}]" for k in range(spec.num_qubits))
    c = parse(f"qreg q[{spec.num_qubits}];\n{qname}{ptxt} {qubits};\n")
    assert list(c) == [I(spec.name, range(spec.num_qubits), params)]
    assert c[0].definition is None


def test_qelib1_aliases_u1_u_cu1() -> None:
    c = parse("qreg q[2];\nu1(0.5) q[0];\nu(0.1,0.2,0.3) q[1];\ncu1(0.7) q[0],q[1];\n"
              "p(0.5) q[0];\ncp(0.7) q[1],q[0];\n")
    assert list(c) == [
        I("p", [0], [0.5]),
        I("u3", [1], [0.1, 0.2, 0.3]),
        I("cp", [0, 1], [0.7]),
        I("p", [0], [0.5]),
        I("cp", [1, 0], [0.7]),
    ]


def test_including_qelib1_twice_is_harmless() -> None:
    c = no_warnings_parse(HEAD + 'include "qelib1.inc";\nqreg q[1];\nh q[0];\n')
    assert list(c) == [I("h", [0])]


# ---------------------------------------------------------------------------------------------------------
# built-in U and CX (no include needed)
# ---------------------------------------------------------------------------------------------------------
def test_builtin_U_and_CX_without_include() -> None:
    c = no_warnings_parse("OPENQASM 2.0;\nqreg q[2];\nU(pi/2,0,pi) q[0];\nCX q[0],q[1];\nU(0.1,-0.2,0.3) q;\n")
    assert list(c) == [
        I("u3", [0], [PI / 2, 0.0, PI]),
        I("cx", [0, 1]),
        I("u3", [0], [0.1, -0.2, 0.3]),
        I("u3", [1], [0.1, -0.2, 0.3]),
    ]
    probs = suanli.probabilities(c.copy_empty().append(c[0]).append(c[1]), dtype=torch.complex128, device="cpu")
    np.testing.assert_allclose(probs.numpy(), [0.5, 0, 0, 0.5], atol=1e-12)


def test_gate_without_include_names_the_fix() -> None:
    with pytest.raises(QasmError) as info:
        loads_qasm("OPENQASM 2.0;\nqreg q[1];\nh q[0];\n")
    assert (info.value.line, info.value.column) == (3, 1)
    assert 'include "qelib1.inc"' in info.value.reason


# ---------------------------------------------------------------------------------------------------------
# registers, flattening, broadcast
# ---------------------------------------------------------------------------------------------------------
def test_several_registers_flatten_in_declaration_order() -> None:
    c = parse(
        "qreg a[2];\ncreg m[1];\nqreg b[3];\ncreg n[2];\n"
        "x a[1];\nx b[0];\ncx a[0],b[2];\nmeasure b[2] -> n[1];\nmeasure a[1] -> m[0];\n"
    )
    assert c.num_qubits == 5 and c.num_clbits == 3
    assert registers(c) == ([("a", 2, 0), ("b", 3, 2)], [("m", 1, 0), ("n", 2, 1)])
    assert list(c) == [
        I("x", [1]),
        I("x", [2]),
        I("cx", [0, 4]),
        I("measure", [4], clbits=[2]),
        I("measure", [1], clbits=[0]),
    ]
    # a[1]=1 and b[0]=1: big-endian index 0b01100 over (a0 a1 b0 b1 b2)
    assert suanli.outcome_probabilities(c, device="cpu") == pytest.approx({"100": 1.0})


def test_broadcast_one_qubit_gate_over_register() -> None:
    c = parse("qreg q[3];\nh q;\nrz(0.5) q;\n")
    assert list(c) == [I("h", [0]), I("h", [1]), I("h", [2])] + [I("rz", [k], [0.5]) for k in range(3)]


def test_broadcast_two_registers_and_mixed_forms() -> None:
    c = parse("qreg q[2];\nqreg r[2];\ncx q, r;\ncx q[0], r;\ncx q, r[1];\nswap q,r;\n")
    assert list(c) == [
        I("cx", [0, 2]),
        I("cx", [1, 3]),
        I("cx", [0, 2]),
        I("cx", [0, 3]),
        I("cx", [0, 3]),
        I("cx", [1, 3]),
        I("swap", [0, 2]),
        I("swap", [1, 3]),
    ]


def test_broadcast_measure_reset_and_barrier() -> None:
    c = parse("qreg q[2];\nqreg r[1];\ncreg c[2];\nmeasure q -> c;\nreset q;\nbarrier q, r;\nbarrier r[0], q[1];\n")
    assert list(c) == [
        I("measure", [0], clbits=[0]),
        I("measure", [1], clbits=[1]),
        I("reset", [0]),
        I("reset", [1]),
        I("barrier", [0, 1, 2]),
        I("barrier", [2, 1]),
    ]


def test_broadcast_custom_gate() -> None:
    c = parse("gate g(t) a,b { rx(t) a; cz a,b; }\nqreg q[2];\nqreg r[2];\ng(0.5) q, r;\n")
    d = c[0].definition
    assert d is not None and d.name == "g"
    assert [(i.name, i.qubits, i.params) for i in c] == [("g", (0, 2), (0.5,)), ("g", (1, 3), (0.5,))]


# ---------------------------------------------------------------------------------------------------------
# user gates
# ---------------------------------------------------------------------------------------------------------
def test_user_gate_definition_body_and_expansion() -> None:
    c = parse(
        "gate inner(a) x { rx(a) x; }\n"
        "gate outer(a,b) x,y { inner(a*2) x; cx x,y; inner(-b/2+a) y; U(a,b,pi) x; CX y,x; barrier x,y; }\n"
        "qreg q[2];\nqreg r[1];\nouter(0.5, pi/2) q[1], r[0];\n"
    )
    assert len(c) == 1
    call = c[0]
    a, b = Parameter("a"), Parameter("b")
    inner = GateDefinition("inner", ("a",), 1, (I("rx", [0], [a]),), ("x",))
    outer = GateDefinition(
        "outer",
        ("a", "b"),
        2,
        (
            I("inner", [0], [a * 2], definition=inner),
            I("cx", [0, 1]),
            I("inner", [1], [-b / 2 + a], definition=inner),
            I("u3", [0], [a, b, PI]),
            I("cx", [1, 0]),
            I("barrier", [0, 1]),
        ),
        ("x", "y"),
    )
    assert call == I("outer", [1, 2], [0.5, PI / 2], definition=outer)
    assert call.definition.qubit_names == ("x", "y")
    assert [d.name for d in c.custom_gates()] == ["inner", "outer"]
    # one level of expansion, on the call's qubits and values
    assert call.definition.expand([0.5, 1.0], (1, 2)) == [
        I("inner", [1], [1.0], definition=inner),
        I("cx", [1, 2]),
        I("inner", [2], [0.0], definition=inner),
        I("u3", [1], [0.5, 1.0, PI]),
        I("cx", [2, 1]),
        I("barrier", [1, 2]),
    ]
    # the simulation unrolls it: compare with the hand-expanded circuit
    flat = Circuit(3).rx(1.0, 1).cx(1, 2).rx(0.5 - (PI / 2) / 2, 2).u3(0.5, PI / 2, PI, 1).cx(2, 1)
    ours = suanli.state(c, dtype=torch.complex128, device="cpu")
    ref = suanli.state(flat, dtype=torch.complex128, device="cpu")
    torch.testing.assert_close(ours, ref, atol=1e-12, rtol=0)


def test_user_gate_empty_body_and_empty_parentheses() -> None:
    c = parse("gate nop a { }\ngate idle() a,b { }\nqreg q[2];\nnop q[0];\nidle() q[0],q[1];\nidle q[1],q[0];\n")
    assert [i.name for i in c] == ["nop", "idle", "idle"]
    assert c[0].definition.body == () and c[1].definition.num_qubits == 2
    np.testing.assert_allclose(suanli.probabilities(c, device="cpu").numpy(), [1, 0, 0, 0])


def test_user_gate_with_qelib1_name_collision_in_parameters_is_fine() -> None:
    # parameter and qubit names may equal gate names; a parameter called 'sin' is a parameter
    c = parse("gate g(sin, h) x { rx(sin) x; rz(h*2) x; }\nqreg q[1];\ng(0.5, 0.25) q[0];\n")
    body = c[0].definition.body
    assert body == (I("rx", [0], [Parameter("sin")]), I("rz", [0], [Parameter("h") * 2]))


def test_user_gate_equal_to_table_gate_becomes_native() -> None:
    # Qiskit's own definitions of gates that are not in qelib1.inc (exact, global phase included)
    c = parse(
        "gate ryy(param0) q0,q1 { rx(pi/2) q0; rx(pi/2) q1; cx q0,q1; rz(param0) q1; cx q0,q1; "
        "rx(-pi/2) q0; rx(-pi/2) q1; }\n"
        "gate iswap q0,q1 { s q0; s q1; h q0; cx q0,q1; cx q1,q0; h q1; }\n"
        "gate rzx(param0) q0,q1 { h q1; cx q0,q1; rz(param0) q1; cx q0,q1; h q1; }\n"
        "gate ecr q0,q1 { rzx(pi/4) q0,q1; x q0; rzx(-pi/4) q0,q1; }\n"
        "gate dcx q0,q1 { cx q0,q1; cx q1,q0; }\n"
        "qreg q[2];\nryy(0.3) q[0],q[1];\niswap q[1],q[0];\nrzx(-0.7) q[0],q[1];\necr q[0],q[1];\ndcx q[1],q[0];\n"
    )
    assert list(c) == [
        I("ryy", [0, 1], [0.3]),
        I("iswap", [1, 0]),
        I("rzx", [0, 1], [-0.7]),
        I("ecr", [0, 1]),
        I("dcx", [1, 0]),
    ]
    assert all(i.definition is None for i in c)


def test_user_gate_redefining_qelib1_gate_exactly_stays_native() -> None:
    # u1(pi/4) x u1(pi/4) x is the global phase e^{i pi/4}: this body is sx exactly
    c = parse("gate sx a { rx(pi/2) a; u1(pi/4) a; x a; u1(pi/4) a; x a; }\nqreg q[1];\nsx q[0];\n")
    assert list(c) == [I("sx", [0])]
    # Qiskit's sdg-h-sdg is sx only up to a global phase: it stays a custom gate called sx
    c = parse("gate sx a { sdg a; h a; sdg a; }\nqreg q[1];\nsx q[0];\n")
    assert c[0].name == "sx" and c[0].definition is not None


def test_inexact_user_gate_with_table_name_stays_custom() -> None:
    # ryy up to a sign of the angle, and the old qelib1 rzz (differs by a global phase): not the table gates
    c = parse(
        "gate ryy(t) a,b { rx(pi/2) a; rx(pi/2) b; cx a,b; rz(-t) b; cx a,b; rx(-pi/2) a; rx(-pi/2) b; }\n"
        "gate rzz(theta) a,b { cx a,b; u1(theta) b; cx a,b; }\n"
        "gate iswap a,b { }\n"
        "qreg q[2];\nryy(0.3) q[0],q[1];\nrzz(0.4) q[0],q[1];\niswap q[0],q[1];\n"
    )
    assert [(i.name, i.definition is not None) for i in c] == [("ryy", True), ("rzz", True), ("iswap", True)]
    # and the custom gates simulate by their bodies
    p = suanli.probabilities(c, dtype=torch.complex128, device="cpu").numpy()
    ref = Circuit(2).ryy(-0.3, 0, 1)
    ref_p = suanli.probabilities(ref, dtype=torch.complex128, device="cpu").numpy()
    np.testing.assert_allclose(p, ref_p, atol=1e-12)


def test_gate_body_may_use_barrier_and_builtins() -> None:
    c = parse("gate g a,b { U(0,0,pi) a; CX a,b; barrier a,b; barrier b; }\nqreg q[2];\ng q[0],q[1];\n")
    assert c[0].definition.body == (
        I("u3", [0], [0.0, 0.0, PI]), I("cx", [0, 1]), I("barrier", [0, 1]), I("barrier", [1])
    )


# ---------------------------------------------------------------------------------------------------------
# opaque
# ---------------------------------------------------------------------------------------------------------
def test_opaque_declared_but_unused_loads_and_simulates() -> None:
    c = parse("opaque magic(t) a,b;\nqreg q[2];\nh q[0];\n")
    assert list(c) == [I("h", [0])]
    np.testing.assert_allclose(suanli.probabilities(c, device="cpu").numpy(), [0.5, 0, 0.5, 0], atol=1e-7)


@pytest.mark.parametrize(
    "body",
    [
        "opaque magic(t) a,b;\nqreg q[2];\nh q[0];\nmagic(0.5) q[0],q[1];\n",
        "opaque magic(t) a,b;\ngate wrap a,b { magic(1) b,a; }\nqreg q[2];\nwrap q[0],q[1];\n",
    ],
)
def test_opaque_used_loads_but_simulation_raises(body: str) -> None:
    c = parse(body)
    last = c[-1]
    assert last.definition is not None
    if last.name == "magic":
        assert last.definition.opaque and last.params == (0.5,) and last.qubits == (0, 1)
        assert last.definition.params == ("t",) and last.definition.num_qubits == 2
    for run in (
        lambda: suanli.probabilities(c, device="cpu"),
        lambda: suanli.state(c, device="cpu"),
        lambda: suanli.outcome_probabilities(c, device="cpu"),
        lambda: suanli.sample(c, shots=2, seed=1, device="cpu"),
    ):
        with pytest.raises(SimulationError, match="opaque"):
            run()


def test_opaque_round_trips_through_the_writer() -> None:
    c = parse("opaque magic(t) a,b;\nqreg q[2];\nmagic(0.5) q[0],q[1];\n")
    text = dumps_qasm(c)
    assert "opaque magic(t) a,b;" in text
    assert loads_qasm(text) == c


# ---------------------------------------------------------------------------------------------------------
# expressions
# ---------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("expr", "value"),
    [
        ("pi", PI),
        ("-pi/2", -PI / 2),
        ("3*pi/8", 3 * PI / 8),
        ("1+2*3", 7.0),
        ("(1+2)*3", 9.0),
        ("1-2-3", -4.0),
        ("8/4/2", 1.0),
        ("2^3^2", 512.0),
        ("-2^2", -4.0),
        ("2^-1", 0.5),
        ("(-2)^2", 4.0),
        ("--1", 1.0),
        ("-(-(-1))", -1.0),
        ("+1", 1.0),
        ("sin(pi/6)", math.sin(PI / 6)),
        ("cos(1)", math.cos(1)),
        ("tan(0.5)", math.tan(0.5)),
        ("exp(1)", math.e),
        ("ln(2)", math.log(2)),
        ("sqrt(2)", math.sqrt(2)),
        ("sqrt(4)*ln(exp(1.5))", 2 * 1.5),
        (".5", 0.5),
        ("5.", 5.0),
        ("1e-3", 1e-3),
        ("1.5E+2", 150.0),
        ("2.5e2", 250.0),
        ("0", 0.0),
        ("0^0", 1.0),
        ("-pi/2 + 3*2^2 - sin(1)/cos(2) + tan(0.5)*exp(1) - ln(2) + sqrt(4)",
         -PI / 2 + 3 * 2**2 - math.sin(1) / math.cos(2) + math.tan(0.5) * math.exp(1) - math.log(2) + math.sqrt(4)),
    ],
)
def test_expressions(expr: str, value: float) -> None:
    c = parse(f"qreg q[1];\nrz({expr}) q[0];\n")
    assert c[0].params[0] == pytest.approx(value, rel=1e-15, abs=1e-15)


def test_expressions_inside_gate_bodies_are_symbolic() -> None:
    c = parse("gate g(theta, phi) a { u3(theta/2, -phi, 2*pi - theta^2) a; rz(sin(theta)+cos(phi)) a; }\n"
              "qreg q[1];\ng(0.3, -1.1) q[0];\n")
    t, f = Parameter("theta"), Parameter("phi")
    body = c[0].definition.body
    assert body[0].params == (t / 2, -f, 2 * PI - t**2)
    assert body[1].params == (t.sin() + f.cos(),)
    (u3, rz) = c[0].definition.expand([0.3, -1.1], (0,))
    assert u3.params == pytest.approx((0.15, 1.1, 2 * PI - 0.09), rel=1e-15)
    assert rz.params == pytest.approx((math.sin(0.3) + math.cos(-1.1),), rel=1e-15)


def test_long_but_reasonable_expressions_are_fine() -> None:
    n = 5000
    c = parse("qreg q[1];\nrz(" + "+".join(["1"] * n) + ") q[0];\n")
    assert c[0].params == (float(n),)
    c = parse("qreg q[1];\nrz(" + "(" * 90 + "pi" + ")" * 90 + ") q[0];\n")
    assert c[0].params == (PI,)
    # a gate-body expression 150 operations deep is accepted, written and read back
    c = parse("gate g(t) a { rz(" + "+".join(["t"] * 150) + ") a; }\nqreg q[1];\ng(0.01) q[0];\n")
    assert loads_qasm(dumps_qasm(c)) == c


# ---------------------------------------------------------------------------------------------------------
# measure, reset, barrier, if
# ---------------------------------------------------------------------------------------------------------
def test_measure_reset_barrier() -> None:
    c = parse("qreg q[2];\ncreg c[2];\nh q[0];\nbarrier q[0],q[1];\nmeasure q[0] -> c[1];\nreset q[0];\n")
    assert list(c) == [I("h", [0]), I("barrier", [0, 1]), I("measure", [0], clbits=[1]), I("reset", [0])]


def test_if_whole_register_condition() -> None:
    c = parse(
        "qreg q[2];\ncreg a[1];\ncreg c[2];\n"
        "if(c==2) x q[0];\nif (c == 3) rz(0.5) q;\nif(a==1) measure q[1] -> c[0];\nif(c==0) reset q[1];\n"
        "if(c==1) CX q[0],q[1];\n"
    )
    cond2 = Condition((1, 2), 2, "c")
    assert list(c) == [
        I("x", [0], condition=cond2),
        I("rz", [0], [0.5], condition=Condition((1, 2), 3, "c")),
        I("rz", [1], [0.5], condition=Condition((1, 2), 3, "c")),
        I("measure", [1], clbits=[1], condition=Condition((0,), 1, "a")),
        I("reset", [1], condition=Condition((1, 2), 0, "c")),
        I("cx", [0, 1], condition=Condition((1, 2), 1, "c")),
    ]
    assert c[0].condition.register == "c"


def test_if_semantics_little_endian_register_value() -> None:
    # c[1] = 1 (x then measure), c[0] = 0: the register holds 2, so only the if(c==2) fires
    c = parse("qreg q[3];\ncreg c[2];\nx q[0];\nmeasure q[0] -> c[1];\nif(c==2) x q[1];\nif(c==1) x q[2];\n"
              "measure q[1] -> c[0];\n")
    assert suanli.outcome_probabilities(c, device="cpu") == pytest.approx({"11": 1.0})


def test_if_single_bit_extension() -> None:
    c = parse("qreg q[2];\ncreg c[3];\nx q[0];\nmeasure q[0] -> c[1];\nif(c[1]==1) x q[1];\nif(c[2]==1) h q[1];\n"
              "measure q[1] -> c[0];\n")
    assert c[2] == I("x", [1], condition=Condition((1,), 1))
    assert c[2].condition.register is None
    assert c[3] == I("h", [1], condition=Condition((2,), 1))
    assert suanli.outcome_probabilities(c, device="cpu") == pytest.approx({"110": 1.0})


def test_if_single_bit_of_one_bit_register_writes_back_as_register() -> None:
    c = parse("qreg q[1];\ncreg c[1];\nif(c[0]==1) x q[0];\n")
    text = dumps_qasm(c)
    assert "if(c==1) x q[0];" in text
    assert loads_qasm(text) == c


# ---------------------------------------------------------------------------------------------------------
# comments, whitespace, encodings
# ---------------------------------------------------------------------------------------------------------
def test_comments_line_and_block() -> None:
    text = (
        "// leading comment\n/* block\n   comment */ OPENQASM 2.0; // after header\n"
        'include "qelib1.inc"; /* inline */ qreg q[2];\n'
        "h /* inside a statement */ q[0]; // x q[1];\n/* x q[1]; */\ncx q[0], // split\n q[1];\n// end without newline"
    )
    c = no_warnings_parse(text)
    assert list(c) == [I("h", [0]), I("cx", [0, 1])]


def test_odd_whitespace_and_statements_split_over_lines() -> None:
    text = (
        "OPENQASM\t2.0 ;\ninclude\n\"qelib1.inc\"\n;\nqreg   q [ 2 ] ;\ncreg c\n[2];\n"
        "u1 (-3*pi/8) q[0];\nrx\n(\npi\n/\n2\n)\nq\n[\n1\n]\n;\n"
        "cx q[0] ,\tq[1] ;measure q[0]\n->\nc[0];   \n\n\n   \t\f\v"
    )
    c = no_warnings_parse(text)
    assert list(c) == [I("p", [0], [-3 * PI / 8]), I("rx", [1], [PI / 2]), I("cx", [0, 1]),
                       I("measure", [0], clbits=[0])]


def test_bom_crlf_and_tabs() -> None:
    text = "\ufeffOPENQASM 2.0;\r\ninclude \"qelib1.inc\";\r\n\tqreg q[2];\r\n\th\tq[0];\r\n\tcx q[0],\tq[1];\r\n"
    c = no_warnings_parse(text)
    assert list(c) == [I("h", [0]), I("cx", [0, 1])]
    # line numbers still count lines with CRLF endings
    with pytest.raises(QasmError) as info:
        loads_qasm(text + "\tbogus q[0];\r\n")
    assert (info.value.line, info.value.column, info.value.reason) == (6, 2, "unknown gate 'bogus'")


def test_bom_crlf_file_via_load_qasm(tmp_path: Path) -> None:
    f = tmp_path / "crlf.qasm"
    f.write_bytes(b"\xef\xbb\xbfOPENQASM 2.0;\r\ninclude \"qelib1.inc\";\r\nqreg q[1];\r\nx q[0];\r\n")
    c = load_qasm(f)
    assert list(c) == [I("x", [0])]
    assert c.name == "crlf"


def test_bom_in_the_middle_is_an_error() -> None:
    with pytest.raises(QasmError) as info:
        loads_qasm(HEAD + "qreg q[1];\n\ufeffx q[0];\n")
    assert (info.value.line, info.value.column) == (4, 1)


# ---------------------------------------------------------------------------------------------------------
# header
# ---------------------------------------------------------------------------------------------------------
def test_missing_header_warns_and_loads() -> None:
    with pytest.warns(QasmWarning, match=r"<string>:2:1: no 'OPENQASM 2.0;' header"):
        c = loads_qasm('// no header\ninclude "qelib1.inc";\nqreg q[1];\nh q[0];\n')
    assert list(c) == [I("h", [0])]


def test_missing_header_in_file_names_the_file(tmp_path: Path) -> None:
    f = tmp_path / "nohead.qasm"
    f.write_text("qreg q[1];\nU(0,0,0) q[0];\n", encoding="utf-8")
    with pytest.warns(QasmWarning) as record:
        c = load_qasm(f)
    assert len(record) == 1 and str(record[0].message).startswith(f"{f}:1:1:")
    assert list(c) == [I("u3", [0], [0.0, 0.0, 0.0])]


def test_header_version_forms() -> None:
    for head in ("OPENQASM 2.0;", "OPENQASM 2;", "OPENQASM /* c */ 2.0 ;"):
        assert no_warnings_parse(head + "\nqreg q[1];").num_qubits == 1


@pytest.mark.parametrize("text", ["OPENQASM 3.0;\nqubit q;\n", "OPENQASM 3;\ninclude \"stdgates.inc\";\n"])
def test_openqasm3_header_is_refused(text: str) -> None:
    with pytest.raises(QasmError) as info:
        loads_qasm(text)
    assert (info.value.line, info.value.column) == (1, 10)
    assert "OpenQASM 3" in info.value.reason


def test_empty_program_is_zero_qubit_circuit_with_warning() -> None:
    for text in ("", "   \n\t\n", "// only a comment\n/* and a block */"):
        with pytest.warns(QasmWarning, match="no 'OPENQASM 2.0;' header"):
            c = loads_qasm(text)
        assert c.num_qubits == 0 and c.num_clbits == 0 and len(c) == 0


def test_header_only_program_is_empty_without_warning() -> None:
    c = no_warnings_parse("OPENQASM 2.0;\n")
    assert (c.num_qubits, c.num_clbits, len(c)) == (0, 0, 0)


# ---------------------------------------------------------------------------------------------------------
# include resolution
# ---------------------------------------------------------------------------------------------------------
def test_include_relative_to_including_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # not the folder of the files: resolution must not depend on the cwd
    c = load_qasm(INCLUDES / "main.qasm")
    assert c.name == "main"
    assert ops(c) == ["bell q[0], q[1]", "twist(0.785398) q[1]"]
    bell, twist = c[0].definition, c[1].definition
    assert bell.body == (I("h", [0]), I("cx", [0, 1]))
    t = Parameter("t")
    assert twist.body == (I("rz", [0], [t]), I("rx", [0], [-t / 2]))
    np.testing.assert_allclose(
        suanli.state(c, dtype=torch.complex128, device="cpu").numpy(),
        suanli.state(Circuit(2).h(0).cx(0, 1).rz(PI / 4, 1).rx(-PI / 8, 1), dtype=torch.complex128,
                     device="cpu").numpy(),
        atol=1e-12,
    )


def test_loads_qasm_includes_resolve_against_base_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    text = (INCLUDES / "main.qasm").read_text(encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    with pytest.raises(QasmError) as info:
        loads_qasm(text)  # base_dir defaults to the cwd, which has no lib/
    assert (info.value.line, info.value.column) == (4, 9)
    c = loads_qasm(text, base_dir=INCLUDES)
    assert ops(c) == ["bell q[0], q[1]", "twist(0.785398) q[1]"]
    monkeypatch.chdir(INCLUDES)
    assert loads_qasm(text) == c


def test_include_generated_tree(tmp_path: Path) -> None:
    (tmp_path / "a" / "b").mkdir(parents=True)
    (tmp_path / "a" / "first.inc").write_text('include "b/second.inc";\ngate one q { two q; }\n', encoding="utf-8")
    (tmp_path / "a" / "b" / "second.inc").write_text("gate two q { U(pi,0,pi) q; }\n", encoding="utf-8")
    (tmp_path / "prog.qasm").write_text('OPENQASM 2.0;\ninclude "a/first.inc";\nqreg q[1];\none q[0];\n',
                                        encoding="utf-8")
    c = load_qasm(tmp_path / "prog.qasm")
    assert c[0].name == "one" and c[0].definition.body[0].definition.name == "two"
    np.testing.assert_allclose(suanli.probabilities(c, device="cpu").numpy(), [0, 1], atol=1e-7)


def test_include_of_absolute_path(tmp_path: Path) -> None:
    inc = tmp_path / "abs.inc"
    inc.write_text("gate flip a { U(pi,0,pi) a; }\n", encoding="utf-8")
    c = loads_qasm(f'OPENQASM 2.0;\ninclude "{inc.as_posix()}";\nqreg q[1];\nflip q[0];\n')
    assert c[0].name == "flip"


def test_missing_include_reports_the_include_line() -> None:
    with pytest.raises(QasmError) as info:
        load_qasm(INCLUDES / "missing_include.qasm")
    e = info.value
    assert (e.filename, e.line, e.column) == (str(INCLUDES / "missing_include.qasm"), 3, 11)
    assert "lib/no_such_file.inc" in e.reason and "not found" in e.reason


def test_error_inside_included_file_names_that_file() -> None:
    with pytest.raises(QasmError) as info:
        load_qasm(INCLUDES / "broken_include.qasm")
    e = info.value
    assert Path(e.filename).resolve() == (INCLUDES / "lib" / "broken.inc").resolve()
    assert (e.line, e.column) == (2, 19)
    assert "'b' is not a qubit of gate 'broken'" in e.reason


def test_include_cycle_is_an_error() -> None:
    with pytest.raises(QasmError) as info:
        load_qasm(INCLUDES / "cycle_main.qasm")
    e = info.value
    assert Path(e.filename).resolve() == (INCLUDES / "cycle_b.inc").resolve()
    assert (e.line, e.column) == (2, 9)
    assert "include cycle" in e.reason


def test_file_including_itself_is_an_error() -> None:
    with pytest.raises(QasmError) as info:
        load_qasm(INCLUDES / "self_include.qasm")
    assert (info.value.line, info.value.column) == (2, 9)
    assert "include cycle" in info.value.reason


def test_include_of_directory_and_symlink_loop(tmp_path: Path) -> None:
    (tmp_path / "folder.inc").mkdir()
    with pytest.raises(QasmError) as info:
        loads_qasm('OPENQASM 2.0;\ninclude "folder.inc";\n', base_dir=tmp_path)
    assert (info.value.line, info.value.column) == (2, 9) and "directory" in info.value.reason
    if hasattr(os, "symlink"):
        os.symlink(tmp_path / "loop_b.inc", tmp_path / "loop_a.inc")
        os.symlink(tmp_path / "loop_a.inc", tmp_path / "loop_b.inc")
        with pytest.raises(QasmError) as info:
            loads_qasm('OPENQASM 2.0;\ninclude "loop_a.inc";\n', base_dir=tmp_path)
        assert (info.value.line, info.value.column) == (2, 9)


def test_included_file_not_utf8(tmp_path: Path) -> None:
    (tmp_path / "bin.inc").write_bytes(b"gate g a { h a; }\n\xff\xfe\n")
    with pytest.raises(QasmError) as info:
        loads_qasm('OPENQASM 2.0;\ninclude "qelib1.inc";\ninclude "bin.inc";\n', base_dir=tmp_path)
    assert (info.value.line, info.value.column) == (3, 9) and "UTF-8" in info.value.reason


# ---------------------------------------------------------------------------------------------------------
# files: load_qasm / dump_qasm
# ---------------------------------------------------------------------------------------------------------
def test_dump_and_load_file(tmp_path: Path) -> None:
    c = Circuit(2, 2).h(0).cx(0, 1).measure([0, 1], [0, 1])
    path = tmp_path / "bell.qasm"
    dump_qasm(c, path)
    assert path.read_text(encoding="utf-8") == dumps_qasm(c)
    back = load_qasm(str(path))
    assert back == c and back.name == "bell"


def test_error_string_format() -> None:
    with pytest.raises(QasmError) as info:
        loads_qasm(HEAD + "qreg q[1];\nh r[0];\n", filename="prog.qasm")
    e = info.value
    assert str(e) == "prog.qasm:4:3: undeclared quantum register 'r'"
    assert (e.filename, e.line, e.column, e.reason) == ("prog.qasm", 4, 3, "undeclared quantum register 'r'")
    assert isinstance(e, suanli.SuanliError) and isinstance(e, ValueError)


def test_register_names_may_equal_gate_names() -> None:
    # staq's inline_test.qasm declares 'qreg x[2]'; registers and gates live in different namespaces here
    c = parse("qreg x[2];\ncreg h[1];\nx x[0];\nh x[1];\nmeasure x[1] -> h[0];\n")
    assert list(c) == [I("x", [0]), I("h", [1]), I("measure", [1], clbits=[0])]


def test_exponentially_nested_definitions_load() -> None:
    """g_i calls g_{i-1} twice: g39 stands for 2^39 gates. Loading must stay cheap: the domain check visits each
    (gate, values) pair once and the comparison with the table gate 'ryy' gives up on such a long definition
    (regressions: both used to walk every one of the 2^39 paths)."""
    n = 40
    c = parse(
        "gate g0 a { h a; }\n"
        + "".join(f"gate g{i} a {{ g{i - 1} a; g{i - 1} a; }}\n" for i in range(1, n))
        + f"gate ryy(t) a,b {{ g{n - 1} a; rz(t) b; }}\nqreg q[2];\nryy(0.1) q[0],q[1];\ng{n - 1} q[1];\n"
    )
    assert [i.name for i in c] == ["ryy", f"g{n - 1}"]
    assert c[0].definition is not None  # stays a custom gate (it is not the table's ryy)
    assert c[0].definition.body[0].definition.name == f"g{n - 1}"


def test_redefining_a_qelib1_gate_warns_only_for_a_different_gate() -> None:
    import warnings

    head = 'OPENQASM 2.0;\ninclude "qelib1.inc";\n'
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        # the same gate up to a global phase (qelib1.inc's own body), and a different signature: no warning
        suanli.loads_qasm(head + "gate rzz(t) a,b { cx a,b; u1(t) b; cx a,b; }\ngate cu a,b { cx a,b; }\nqreg q[2];\n")
        assert not [w for w in caught if issubclass(w.category, suanli.QasmWarning)]
    with pytest.warns(suanli.QasmWarning, match=r"<string>:3:6: this definition of 'h' replaces"):
        suanli.loads_qasm(head + "gate h a { x a; }\nqreg q[1];\nh q[0];\n")
    with pytest.warns(suanli.QasmWarning, match="replaces the one from qelib1.inc"):
        suanli.loads_qasm(head + "opaque x a;\nqreg q[1];\n")


def test_old_mac_line_endings_count_lines() -> None:
    with pytest.raises(suanli.QasmError) as info:
        suanli.loads_qasm("OPENQASM 2.0;\r\rqreg q[1];\rfoo q;")
    assert (info.value.line, info.value.column) == (4, 1)


def test_writer_refuses_keyword_register_names() -> None:
    c = Circuit()
    c.add_qreg("gate", 1)
    with pytest.raises(suanli.CircuitError, match="keyword"):
        suanli.dumps_qasm(c)
