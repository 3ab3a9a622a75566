"""qsim's text format: every gate against Cirq's matrices, round trips, and errors with file:line."""

from __future__ import annotations

import math
from pathlib import Path

import cirq
import numpy as np
import pytest
import torch

import suanli
from suanli import CircuitError, dumps_qsim, load_qsim, loads_qsim
from suanli.experiments.rcs import sycamore_circuit

THETA, PHI = 0.7, 1.9

# qsim line (on qubits 0, 1) -> the same gate in Cirq
CASES = [
    ("h 0", lambda q: cirq.H(q[0])),
    ("t 1", lambda q: cirq.T(q[1])),
    ("s 0", lambda q: cirq.S(q[0])),
    ("x 0", lambda q: cirq.X(q[0])),
    ("y 1", lambda q: cirq.Y(q[1])),
    ("z 0", lambda q: cirq.Z(q[0])),
    ("x_1_2 0", lambda q: (cirq.X**0.5)(q[0])),
    ("y_1_2 1", lambda q: (cirq.Y**0.5)(q[1])),
    ("hz_1_2 0", lambda q: cirq.PhasedXPowGate(phase_exponent=0.25, exponent=0.5)(q[0])),
    (f"rx 0 {THETA}", lambda q: cirq.rx(THETA)(q[0])),
    (f"ry 1 {THETA}", lambda q: cirq.ry(THETA)(q[1])),
    (f"rz 0 {THETA}", lambda q: cirq.rz(THETA)(q[0])),
    # rxy(theta, phi) = exp(-i phi (cos theta X + sin theta Y) / 2)
    (f"rxy 0 {THETA} {PHI}",
     lambda q: cirq.PhasedXPowGate(phase_exponent=THETA / math.pi, exponent=PHI / math.pi, global_shift=-0.5)(q[0])),
    ("cz 0 1", lambda q: cirq.CZ(q[0], q[1])),
    ("cnot 1 0", lambda q: cirq.CNOT(q[1], q[0])),
    ("cx 0 1", lambda q: cirq.CNOT(q[0], q[1])),
    ("sw 0 1", lambda q: cirq.SWAP(q[0], q[1])),
    ("is 1 0", lambda q: cirq.ISWAP(q[1], q[0])),
    (f"fs 0 1 {THETA} {PHI}", lambda q: cirq.FSimGate(THETA, PHI)(q[0], q[1])),
    (f"cp 1 0 {PHI}", lambda q: cirq.CZPowGate(exponent=PHI / math.pi)(q[1], q[0])),
    ("id1 0", lambda q: cirq.I(q[0])),
    ("id2 0 1", lambda q: cirq.IdentityGate(2)(q[0], q[1])),
]


@pytest.mark.parametrize(("line", "cirq_op"), CASES, ids=[c[0].split()[0] for c in CASES])
def test_every_gate_matches_cirq(line: str, cirq_op) -> None:
    # a random-ish preparation so that phases and qubit order matter
    prep = "0 h 0\n0 ry 1 0.4\n1 rz 0 0.3\n1 t 1\n"
    c = loads_qsim(f"2\n{prep}2 {line}\n")
    q = cirq.LineQubit.range(2)
    ref = cirq.Circuit([cirq.H(q[0]), cirq.ry(0.4)(q[1]), cirq.rz(0.3)(q[0]), cirq.T(q[1]), cirq_op(q)])
    want = cirq.final_state_vector(ref, qubit_order=q, dtype=np.complex128)  # big-endian, like suanli
    got = suanli.state(c, device="cpu", dtype=torch.complex128).numpy()
    np.testing.assert_allclose(got, want, atol=1e-10)


def test_gates_run_in_time_order_and_comments_are_skipped() -> None:
    text = "# a comment\n2\n1 x 0\n\n0 h 0\n# another\n1 cz 0 1\n"
    c = loads_qsim(text)
    assert [i.name for i in c] == ["h", "x", "cz"]


def test_round_trip_of_a_sycamore_circuit(tmp_path: Path) -> None:
    c = sycamore_circuit(5, grid=(3, 3), seed=4, two_qubit_gate=(1.5, 0.5))
    c.rz(0.123456789012345, 2).cp(-0.25, 1, 4).r(0.3, 1.1, 0)
    path = tmp_path / "c.qsim"
    suanli.io.dump_qsim(c, path)
    back = load_qsim(path)
    assert back.num_qubits == 9
    a = suanli.state(c, device="cpu", dtype=torch.complex128)
    b = suanli.state(back, device="cpu", dtype=torch.complex128)
    assert torch.allclose(a, b, atol=1e-12)
    # times never decrease in what we write
    times = [int(line.split()[0]) for line in path.read_text().splitlines()[1:]]
    assert times == sorted(times)


def test_syc_is_written_as_fs() -> None:
    text = dumps_qsim(suanli.Circuit(2).syc(0, 1))
    assert text == f"2\n0 fs 0 1 {math.pi / 2!r} {math.pi / 6!r}\n"


def test_measurement_lines() -> None:
    c = loads_qsim("3\n0 x 2\n1 m 2 0\n2 m 1\n")
    assert c.num_clbits == 3
    assert suanli.sample(c, shots=10, seed=0, device="cpu").counts() == {"100": 10}
    # qsim has no classical bits: one 'm' line per measured qubit, at its ASAP time
    assert dumps_qsim(suanli.Circuit(3, 2).x(2).measure([2, 0], [0, 1])) == "3\n0 x 2\n0 m 0\n1 m 2\n"


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("", "<string>:1: empty file"),
        ("two\n0 h 0\n", "<string>:1: the first line must be the number of qubits"),
        ("2\n0 h 5\n", "<string>:2: qubit 5 is out of range for 2 qubits"),
        ("2\n0 h 0\n1 foo 0\n", "<string>:3: unknown qsim gate 'foo'"),
        ("2\n0 fs 0 1 0.5\n", "<string>:2: gate 'fs' takes 2 qubit(s) and 2 parameter(s), got 3 value(s)"),
        ("2\nx h 0\n", "<string>:2: the time must be a non-negative integer"),
        ("2\n0 rz 0 abc\n", "<string>:2: parameter 'abc' of gate 'rz' is not a number"),
        ("2\n0 cz 1 1\n", "<string>:2: gate 'cz' acts on the same qubit twice"),
        ("3\n0 c 0 fs 1 2 0.1 0.2\n", "<string>:2: controlled 'fs' with 1 control(s) has no equivalent"),
        ("3\n0 c 0 1 h 2\n", "<string>:2: controlled 'h' with 2 control(s)"),
        ("3\n0 c 0 x 0\n", "<string>:2: control qubits (0,) overlap"),
        ("3\n0 c 0 0 x 1\n", "<string>:2: a control qubit appears twice"),
        ("3\n0 c 0 1\n", "<string>:2: a controlled line is"),
        ("3\n0 c 0 m 1\n", "<string>:2: 'm' cannot be controlled"),
        ("2\n0 rz 0 nan\n", "is not finite"),
    ],
)
def test_errors_name_the_line(text: str, needle: str) -> None:
    with pytest.raises(CircuitError) as info:
        loads_qsim(text)
    assert needle in str(info.value)


def test_missing_file_and_unwritable_gates(tmp_path: Path) -> None:
    with pytest.raises(CircuitError, match="no such file"):
        load_qsim(tmp_path / "nope.qsim")
    with pytest.raises(CircuitError, match="no qsim equivalent"):
        dumps_qsim(suanli.Circuit(3).rccx(0, 1, 2))
    with pytest.raises(CircuitError, match="bind the circuit first"):
        dumps_qsim(suanli.Circuit(1).rz(suanli.Parameter("a"), 0))


def _apply(psi: np.ndarray, u: np.ndarray, qubits: list[int], n: int) -> np.ndarray:
    k = len(qubits)
    t = np.tensordot(u.reshape([2] * (2 * k)), psi.reshape([2] * n), axes=(list(range(k, 2 * k)), qubits))
    return np.moveaxis(t, list(range(k)), qubits).reshape(-1)


def _ctrl(u: np.ndarray, m: int) -> np.ndarray:
    d = u.shape[0]
    big = np.eye(d << m, dtype=complex)
    big[-d:, -d:] = u
    return big


def test_controlled_lines_equal_explicit_controlled_matrices() -> None:
    """``c`` lines (qsim's controlled gates, all controls on |1>) against controlled matrices applied with NumPy."""
    text = "\n".join([
        "5", "0 h 0", "0 h 1", "0 h 2", "1 c 0 1 x 3", "2 c 2 rxy 4 0.7 1.1", "3 c 3 hz_1_2 0",
        "4 c 4 0 1 x 2", "5 c 1 sw 0 4", "6 c 0 2 z 1", "7 c 3 x_1_2 4", "8 c 2 y_1_2 1", "9 c 4 rz 0 0.3",
        "10 c 1 2 4 x_1_2 3", "11 c 0 t 3", "12 c 3 x 2",
    ]) + "\n"
    c = loads_qsim(text)
    assert c.count_ops() == {"h": 3, "ccx": 1, "cu": 5, "c3x": 1, "cswap": 1, "ccz": 1, "csx": 1, "c3sqrtx": 1,
                             "cx": 1}
    g = lambda name, *p: suanli.get_gate(name).matrix(*p).numpy()  # noqa: E731
    x = np.zeros(32, complex)
    x[0] = 1
    steps = [
        (g("h"), [0]), (g("h"), [1]), (g("h"), [2]), (_ctrl(g("x"), 2), [0, 1, 3]),
        (_ctrl(g("r", 1.1, 0.7), 1), [2, 4]), (_ctrl(g("sw"), 1), [3, 0]), (_ctrl(g("x"), 3), [4, 0, 1, 2]),
        (_ctrl(g("swap"), 1), [1, 0, 4]), (_ctrl(g("z"), 2), [0, 2, 1]), (_ctrl(g("sx"), 1), [3, 4]),
        (_ctrl(g("sy"), 1), [2, 1]), (_ctrl(g("rz", 0.3), 1), [4, 0]), (_ctrl(g("sx"), 3), [1, 2, 4, 3]),
        (_ctrl(g("t"), 1), [0, 3]), (_ctrl(g("x"), 1), [3, 2]),
    ]
    for u, qs in steps:
        x = _apply(x, u, qs, 5)
    psi = suanli.state(c, device="cpu", dtype=torch.complex128).numpy()
    np.testing.assert_allclose(psi, x, atol=1e-12)


def test_controlled_gates_are_written_as_c_lines_and_read_back() -> None:
    c = suanli.Circuit(5).h(0).h(1).ccx(0, 1, 2).ccz(2, 0, 3).c3x(0, 1, 2, 4).cswap(4, 0, 1).ch(3, 0)
    c.cy(1, 4).crx(0.4, 2, 3).cry(0.5, 3, 1).crz(0.6, 4, 2).csx(0, 4).c3sqrtx(4, 3, 2, 1).c4x(0, 1, 2, 3, 4)
    text = dumps_qsim(c)
    assert "c 0 1 x 2" in text and "c 4 sw 0 1" in text and "c 2 rx 3 0.4" in text
    back = loads_qsim(text)
    a = suanli.state(c, device="cpu", dtype=torch.complex128)
    b = suanli.state(back, device="cpu", dtype=torch.complex128)
    torch.testing.assert_close(a, b, atol=1e-12, rtol=0)
