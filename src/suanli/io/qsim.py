"""qsim's text circuit format: the format of the published Sycamore random-circuit files.

The first line holds the number of qubits; every other line is one gate, ``time gate_name qubits params``
(qsim's ``docs/input_format.md``). Gates run in the order of their times (gates with the same time commute;
they keep the file's order). Blank lines and lines starting with ``#`` are skipped. The gates map onto
suanli's gate table with the same matrices (qsim's and Cirq's conventions agree with ours for all of them):

* ``id1`` → ``id``; ``h x y z t s`` → the same names; ``id2`` is dropped (identity);
* ``x_1_2`` → ``sx`` (√X), ``y_1_2`` → ``sy`` (√Y), ``hz_1_2`` → ``sw`` (√W);
* ``rx/ry/rz φ`` → ``rx/ry/rz(φ)`` = exp(-iφP/2); ``rxy θ φ`` → ``r(φ, θ)``: angle φ about cos θ X + sin θ Y;
* ``cz`` → ``cz``; ``cnot``/``cx`` → ``cx``; ``sw`` → ``swap``; ``is`` → ``iswap``; ``fs θ φ`` → ``fsim(θ, φ)``;
  ``cp φ`` → ``cp(φ)``;
* ``m q…`` → ``measure`` into classical bits numbered in the order the qubits are measured.

Controlled gates, ``time c ctrl… gate qubits params`` (every control on |1>, as in qsim's parser), map onto the
gate table: ``x`` with 1–4 controls → ``cx ccx c3x c4x``; ``z`` with 1–2 → ``cz ccz``; ``x_1_2`` with 1 or 3 →
``csx c3sqrtx``; ``sw`` with 1 → ``cswap``; any other one-qubit gate with one control → ``cu(θ, φ, λ, γ)`` from
the gate's matrix. Other combinations are refused with the line number. The writer emits ``c`` lines for
``ccx ccz c3x c4x cswap c3sqrtx`` and for ``ch cy crx cry crz csx``.

qsim numbers qubits 0…n-1 and so does suanli (qubit 0 = leftmost bit of a bitstring).
"""

from __future__ import annotations

import cmath
import math
import os
from pathlib import Path

import numpy as np

from ..circuit import Circuit
from ..errors import CircuitError
from ..gates import get_gate

__all__ = ["dump_qsim", "dumps_qsim", "load_qsim", "loads_qsim"]

# qsim name -> (suanli name, arity, number of parameters)
_READ: dict[str, tuple[str, int, int]] = {
    "id1": ("id", 1, 0),
    "h": ("h", 1, 0),
    "t": ("t", 1, 0),
    "x": ("x", 1, 0),
    "y": ("y", 1, 0),
    "z": ("z", 1, 0),
    "s": ("s", 1, 0),
    "x_1_2": ("sx", 1, 0),
    "y_1_2": ("sy", 1, 0),
    "hz_1_2": ("sw", 1, 0),
    "rx": ("rx", 1, 1),
    "ry": ("ry", 1, 1),
    "rz": ("rz", 1, 1),
    "rxy": ("r", 1, 2),
    "id2": ("id2", 2, 0),
    "cz": ("cz", 2, 0),
    "cnot": ("cx", 2, 0),
    "cx": ("cx", 2, 0),
    "sw": ("swap", 2, 0),
    "is": ("iswap", 2, 0),
    "fs": ("fsim", 2, 2),
    "cp": ("cp", 2, 1),
}
# (qsim gate, number of controls) -> suanli gate for controlled lines with a table equivalent
_CONTROLLED: dict[tuple[str, int], str] = {
    ("x", 1): "cx", ("x", 2): "ccx", ("x", 3): "c3x", ("x", 4): "c4x", ("cnot", 1): "ccx", ("cx", 1): "ccx",
    ("z", 1): "cz", ("z", 2): "ccz", ("cz", 1): "ccz", ("x_1_2", 1): "csx", ("x_1_2", 3): "c3sqrtx",
    ("sw", 1): "cswap",
}
# suanli gate -> (qsim gate, number of controls) for the writer
_WRITE_CONTROLLED: dict[str, tuple[str, int]] = {
    "ccx": ("x", 2), "c3x": ("x", 3), "c4x": ("x", 4), "ccz": ("z", 2), "cswap": ("sw", 1),
    "c3sqrtx": ("x_1_2", 3), "ch": ("h", 1), "cy": ("y", 1), "crx": ("rx", 1), "cry": ("ry", 1),
    "crz": ("rz", 1), "csx": ("x_1_2", 1),
}
_WRITE: dict[str, str] = {
    "id": "id1", "h": "h", "t": "t", "x": "x", "y": "y", "z": "z", "s": "s", "sx": "x_1_2", "sy": "y_1_2",
    "sw": "hz_1_2", "rx": "rx", "ry": "ry", "rz": "rz", "r": "rxy", "cz": "cz", "cx": "cnot", "swap": "sw",
    "iswap": "is", "fsim": "fs", "cp": "cp", "syc": "fs",
}


def _fail(filename: str, line: int, reason: str) -> CircuitError:
    return CircuitError(f"{filename}:{line}: {reason}")


def loads_qsim(text: str, *, filename: str = "<string>") -> Circuit:
    """Read a circuit in qsim's text format from a string.

    Raises:
        CircuitError: malformed text; the message starts with ``file:line:``.

    Examples:
        >>> c = loads_qsim("2\\n0 h 0\\n1 fs 0 1 1.5707963267948966 0.5235987755982988\\n2 hz_1_2 1\\n")
        >>> c.count_ops()
        {'h': 1, 'fsim': 1, 'sw': 1}
    """
    lines = text.splitlines()
    header = None
    for i, raw in enumerate(lines):
        s = raw.strip()
        if s and not s.startswith("#"):
            header = i
            break
    if header is None:
        raise _fail(filename, 1, "empty file; the first line must hold the number of qubits")
    try:
        n = int(lines[header].split()[0])
        if len(lines[header].split()) != 1 or n < 1:
            raise ValueError
    except ValueError:
        reason = f"the first line must be the number of qubits, got {lines[header]!r}"
        raise _fail(filename, header + 1, reason) from None
    parsed: list[tuple[int, str, tuple[int, ...], tuple[float, ...]]] = []  # (time, gate, qubits, params)
    n_measured = 0
    for i in range(header + 1, len(lines)):
        s = lines[i].strip()
        if not s or s.startswith("#"):
            continue
        lineno = i + 1
        parts = s.split()
        if len(parts) < 2:
            raise _fail(filename, lineno, f"expected 'time gate qubits [params]', got {s!r}")
        try:
            time = int(parts[0])
        except ValueError:
            raise _fail(filename, lineno, f"the time must be a non-negative integer, got {parts[0]!r}") from None
        if time < 0:
            raise _fail(filename, lineno, f"the time must be a non-negative integer, got {time}")
        name = parts[1]
        args = parts[2:]
        controls: tuple[int, ...] = ()
        if name == "c":
            k = 0
            while k < len(args) and args[k].isdigit():
                k += 1
            if k == 0 or k == len(args):
                raise _fail(filename, lineno, "a controlled line is 'time c control… gate qubits [params]'")
            controls = tuple(_qubit(a, n, filename, lineno) for a in args[:k])
            if len(set(controls)) != len(controls):
                raise _fail(filename, lineno, f"a control qubit appears twice: {controls}")
            name, args = args[k], args[k + 1 :]
            if name in ("c", "m"):
                raise _fail(filename, lineno, f"'{name}' cannot be controlled")
        if name == "m":
            if not args:
                raise _fail(filename, lineno, "'m' needs at least one qubit")
            qubits = tuple(_qubit(a, n, filename, lineno) for a in args)
            n_measured += len(qubits)
            parsed.append((time, "measure", qubits, ()))
            continue
        if name not in _READ:
            known = ", ".join(sorted([*_READ, "m"]))
            raise _fail(filename, lineno, f"unknown qsim gate {name!r}; known gates: {known}")
        target, arity, nparams = _READ[name]
        if len(args) != arity + nparams:
            raise _fail(filename, lineno, f"gate {name!r} takes {arity} qubit(s) and {nparams} parameter(s), "
                        f"got {len(args)} value(s)")
        qubits = tuple(_qubit(a, n, filename, lineno) for a in args[:arity])
        if len(set(qubits)) != arity:
            raise _fail(filename, lineno, f"gate {name!r} acts on the same qubit twice: {qubits}")
        params = []
        for a in args[arity:]:
            try:
                v = float(a)
            except ValueError:
                raise _fail(filename, lineno, f"parameter {a!r} of gate {name!r} is not a number") from None
            if not math.isfinite(v):
                raise _fail(filename, lineno, f"parameter {a!r} of gate {name!r} is not finite")
            params.append(v)
        if target == "r":  # qsim rxy(theta=axis angle, phi=rotation angle) -> r(rotation, axis)
            params = [params[1], params[0]]
        if controls:
            if set(controls) & set(qubits):
                raise _fail(filename, lineno, f"control qubits {controls} overlap the gate's qubits {qubits}")
            target, qubits, params = _controlled(name, target, controls, qubits, params, filename, lineno)
        parsed.append((time, target, qubits, tuple(params)))
    circuit = Circuit(n, n_measured)
    clbit = 0
    parsed.sort(key=lambda item: item[0])  # gates run in time order (stable: file order within a time)
    for _time, target, qubits, params in parsed:
        if target == "id2":
            continue
        if target == "measure":
            circuit.measure(list(qubits), list(range(clbit, clbit + len(qubits))))
            clbit += len(qubits)
        else:
            circuit.gate(target, list(qubits), list(params))
    return circuit


def _controlled(
    name: str,
    target: str,
    controls: tuple[int, ...],
    qubits: tuple[int, ...],
    params: list[float],
    filename: str,
    lineno: int,
) -> tuple[str, tuple[int, ...], list[float]]:
    """The table gate for qsim gate ``name`` (suanli ``target``) under ``controls``: (gate, qubits, params)."""
    gate = _CONTROLLED.get((name, len(controls)))
    if gate is not None and not params:
        return gate, controls + qubits, []
    if len(controls) == 1 and len(qubits) == 1 and target != "id2":
        u = get_gate(target).matrix(*params).numpy()
        return "cu", controls + qubits, list(_u3_angles(u))
    raise _fail(
        filename,
        lineno,
        f"controlled {name!r} with {len(controls)} control(s) has no equivalent in suanli's gate table (supported: "
        "any one-qubit gate with one control; x with 1-4, z with 1-2, x_1_2 with 1 or 3, sw with 1 control)",
    )


def _u3_angles(u: np.ndarray) -> tuple[float, float, float, float]:
    """(θ, φ, λ, γ) with u = e^{iγ} u3(θ, φ, λ) for a 2×2 unitary ``u``."""
    a, b = abs(u[0, 0]), abs(u[1, 0])
    theta = 2 * math.atan2(b, a)
    if b < 1e-12:  # diagonal
        gamma = cmath.phase(u[0, 0])
        return 0.0, 0.0, cmath.phase(u[1, 1]) - gamma, gamma
    if a < 1e-12:  # anti-diagonal
        gamma = cmath.phase(u[1, 0])
        return math.pi, 0.0, cmath.phase(-u[0, 1]) - gamma, gamma
    gamma = cmath.phase(u[0, 0])
    return theta, cmath.phase(u[1, 0]) - gamma, cmath.phase(-u[0, 1]) - gamma, gamma


def _qubit(text: str, n: int, filename: str, lineno: int) -> int:
    try:
        q = int(text)
    except ValueError:
        raise _fail(filename, lineno, f"qubit {text!r} is not an integer") from None
    if not 0 <= q < n:
        raise _fail(filename, lineno, f"qubit {q} is out of range for {n} qubits")
    return q


def load_qsim(path: str | os.PathLike[str]) -> Circuit:
    """Read a qsim circuit file (for example Google's ``circuit_n53_m20_s0_e0_pABCDCDAB.qsim``).

    Raises:
        CircuitError: the file is missing, unreadable or malformed (``file:line: reason``).
    """
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise CircuitError(f"{path}: no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise CircuitError(f"{path}: cannot read the file: {exc}") from None
    return loads_qsim(text, filename=str(path))


def _moments(circuit: Circuit) -> list[int]:
    """ASAP layer index of every instruction (gates on disjoint qubits share a time)."""
    level = [0] * circuit.num_qubits
    out = []
    for inst in circuit:
        t = max((level[q] for q in inst.qubits), default=0)
        out.append(t)
        for q in inst.qubits:
            level[q] = t + 1
    return out


def dumps_qsim(circuit: Circuit) -> str:
    """The circuit in qsim's text format; times are the ASAP layers of the circuit.

    Only gates qsim knows are written (see the table in the module docstring; ``syc`` becomes
    ``fs π/2 π/6``); each measurement becomes an ``m`` line. qsim has no classical bits, so which bit a
    measurement wrote is lost (the reader numbers bits in the order of measurement). Parameters must be numbers.

    Raises:
        CircuitError: a gate, condition or reset qsim cannot express, or an unbound parameter.

    Examples:
        >>> print(dumps_qsim(Circuit(2).h(0).cz(0, 1).rz(0.25, 1)), end="")
        2
        0 h 0
        1 cz 0 1
        2 rz 1 0.25
    """
    lines = [str(circuit.num_qubits)]
    timed = sorted(zip(_moments(circuit), range(len(circuit))))
    for t, i in timed:
        inst = circuit[i]
        if inst.name == "barrier":
            continue
        if inst.condition is not None or inst.name == "reset" or inst.is_custom:
            raise CircuitError(f"qsim's format cannot express {inst}; write OpenQASM instead")
        if inst.name == "measure":
            lines.append(f"{t} m " + " ".join(map(str, inst.qubits)))
            continue
        if inst.name in _WRITE_CONTROLLED:  # controls first: "c ctrl… gate targets"
            qname, m = _WRITE_CONTROLLED[inst.name]
            head = "c " + " ".join(map(str, inst.qubits[:m])) + f" {qname}"
            targets = inst.qubits[m:]
        elif inst.name in _WRITE:
            head, targets = _WRITE[inst.name], inst.qubits
        else:
            raise CircuitError(
                f"gate {inst.name!r} has no qsim equivalent; qsim gates: {', '.join(sorted(_WRITE))}"
            )
        try:
            values = [float(p) for p in inst.params]  # type: ignore[arg-type]
        except (TypeError, ValueError):
            raise CircuitError(f"{inst}: qsim needs numeric parameters; bind the circuit first") from None
        if inst.name == "syc":
            values = [math.pi / 2, math.pi / 6]
        if inst.name == "r":
            values = [values[1], values[0]]
        text = f"{t} {head} " + " ".join(map(str, targets))
        if values:
            text += " " + " ".join(repr(v) for v in values)
        lines.append(text)
    return "\n".join(lines) + "\n"


def dump_qsim(circuit: Circuit, path: str | os.PathLike[str]) -> None:
    """Write :func:`dumps_qsim` output to ``path``."""
    Path(path).write_text(dumps_qsim(circuit), encoding="utf-8")
