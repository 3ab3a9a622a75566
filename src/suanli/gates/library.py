"""The gate table: one :class:`~suanli.gates.spec.GateSpec` per gate.

Conventions: a matrix's row/column index reads the gate's qubits big-endian (the first qubit is the most
significant bit); controlled gates list their controls first. The matrices equal Qiskit's for the same gate
(Qiskit prints them little-endian; the tests convert) and Cirq's for ``fsim``, ``syc``, ``sy`` and ``sw``.
Rotations follow the physics convention ``rx(θ) = exp(-iθX/2)``; ``p``/``u1``, ``u3``/``u`` and ``cp``/``cu1``
are one gate each under two names.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np
import torch

from .spec import GateSpec, register

PI = math.pi
_S2 = 1 / math.sqrt(2)


# ---------------------------------------------------------------------------------------------------------
# matrix helpers (differentiable, batch-broadcasting)
# ---------------------------------------------------------------------------------------------------------
def _cplx(x: torch.Tensor) -> torch.Tensor:
    return torch.complex(x, torch.zeros_like(x))


def _expi(x: torch.Tensor) -> torch.Tensor:
    return torch.complex(torch.cos(x), torch.sin(x))


def _stack(rows: list[list[Any]]) -> torch.Tensor:
    """Assemble a (…, d, d) complex matrix from entries that are complex tensors or Python numbers."""
    tensors = [e for row in rows for e in row if isinstance(e, torch.Tensor)]
    shape = torch.broadcast_shapes(*(t.shape for t in tensors))
    cdtype = torch.complex128 if any(t.dtype == torch.complex128 for t in tensors) else torch.complex64
    device = tensors[0].device
    flat = []
    for row in rows:
        for e in row:
            if isinstance(e, torch.Tensor):
                flat.append(e.to(cdtype).expand(shape))
            else:
                flat.append(torch.full(shape, complex(e), dtype=cdtype, device=device))
    d = len(rows)
    return torch.stack(flat, dim=-1).reshape(*shape, d, d)


def _controlled(u: torch.Tensor, controls: int = 1) -> torch.Tensor:
    """Block-diag(I, …, I, u) with 2**controls blocks (differentiable)."""
    d = u.shape[-1]
    big = d << controls
    eye = torch.eye(big, dtype=u.dtype, device=u.device).expand(*u.shape[:-2], big, big)
    top = eye[..., : big - d, :]
    bottom = torch.cat([torch.zeros(*u.shape[:-2], d, big - d, dtype=u.dtype, device=u.device), u], dim=-1)
    return torch.cat([top, bottom], dim=-2)


def _const(array: Any) -> Callable[[], torch.Tensor]:
    arr = np.asarray(array, dtype=np.complex128)

    def fn() -> torch.Tensor:
        return torch.from_numpy(arr.copy())

    return fn


def _np_controlled(u: np.ndarray, controls: int = 1) -> np.ndarray:
    d = u.shape[0]
    out = np.eye(d << controls, dtype=np.complex128)
    out[-d:, -d:] = u
    return out


def _rot1(theta: torch.Tensor, axis: str) -> torch.Tensor:
    c, s = _cplx(torch.cos(theta / 2)), torch.sin(theta / 2)
    if axis == "x":
        ms = torch.complex(torch.zeros_like(s), -s)
        return _stack([[c, ms], [ms, c]])
    if axis == "y":
        return _stack([[c, _cplx(-s)], [_cplx(s), c]])
    return _stack([[_expi(-theta / 2), 0], [0, _expi(theta / 2)]])


def _u3(theta: torch.Tensor, phi: torch.Tensor, lam: torch.Tensor) -> torch.Tensor:
    c, s = _cplx(torch.cos(theta / 2)), _cplx(torch.sin(theta / 2))
    return _stack([[c, -_expi(lam) * s], [_expi(phi) * s, _expi(phi + lam) * c]])


def _two_pauli_rot(theta: torch.Tensor, pauli: np.ndarray) -> torch.Tensor:
    """exp(-i θ/2 P) for a Pauli product P (P² = I): cos(θ/2) I − i sin(θ/2) P."""
    p = torch.from_numpy(pauli).to(dtype=_cplx(theta).dtype, device=theta.device)
    c = _cplx(torch.cos(theta / 2))[..., None, None]
    s = _cplx(torch.sin(theta / 2))[..., None, None]
    eye = torch.eye(p.shape[0], dtype=p.dtype, device=p.device)
    return c * eye - 1j * s * p


_I2 = np.eye(2)
_X = np.array([[0, 1], [1, 0]], dtype=complex)
_Y = np.array([[0, -1j], [1j, 0]], dtype=complex)
_Z = np.diag([1.0, -1.0]).astype(complex)
_H = np.array([[1, 1], [1, -1]], dtype=complex) * _S2
_SX = 0.5 * np.array([[1 + 1j, 1 - 1j], [1 - 1j, 1 + 1j]])
_SY = 0.5 * np.array([[1 + 1j, -1 - 1j], [1 + 1j, 1 + 1j]])
_W_PHASE = np.diag([1, np.exp(1j * PI / 4)])
_SW = _W_PHASE @ _SX @ _W_PHASE.conj()
_CX = _np_controlled(_X)
_SWAP = np.eye(4)[[0, 2, 1, 3]].astype(complex)


def _rzx_np(theta: float) -> np.ndarray:
    zx = np.kron(_Z, _X)
    return math.cos(theta / 2) * np.eye(4) - 1j * math.sin(theta / 2) * zx


_ECR = _rzx_np(-PI / 4) @ np.kron(_X, _I2) @ _rzx_np(PI / 4)


def _mcx(n_controls: int) -> np.ndarray:
    return _np_controlled(_X, n_controls)


def _unitary_of_steps(steps: list[tuple[str, tuple[int, ...], tuple[float, ...]]], n: int) -> np.ndarray:
    """Dense unitary of a gate definition (used to build matrices of a few gates from their definitions)."""
    from .spec import get_gate

    total = np.eye(1 << n, dtype=np.complex128)
    for name, qubits, params in steps:
        spec = get_gate(name)
        mat = spec.matrix(*[float(p) for p in params]).numpy()
        total = _embed(mat, qubits, n) @ total
    return total


def _embed(mat: np.ndarray, qubits: tuple[int, ...], n: int) -> np.ndarray:
    k = len(qubits)
    t = mat.reshape([2] * (2 * k))
    full = np.eye(1 << n, dtype=np.complex128).reshape([2] * (2 * n))
    # contract the gate's input legs with the identity's output legs on `qubits`
    letters = "abcdefghijklmnopqrstuvwxyz"
    out_idx = list(letters[:n])
    in_idx = list(letters[n : 2 * n])
    g_out = [letters[2 * n + i] for i in range(k)]
    g_in = [out_idx[q] for q in qubits]
    res_idx = out_idx.copy()
    for i, q in enumerate(qubits):
        res_idx[q] = g_out[i]
    expr = f"{''.join(g_out + g_in)},{''.join(out_idx + in_idx)}->{''.join(res_idx + in_idx)}"
    return np.einsum(expr, t, full).reshape(1 << n, 1 << n)


# ---------------------------------------------------------------------------------------------------------
# registration helpers
# ---------------------------------------------------------------------------------------------------------
def _self_inverse(name: str) -> Callable[..., tuple[str, tuple[Any, ...]]]:
    return lambda *p: (name, tuple(p))


def _negate(name: str) -> Callable[..., tuple[str, tuple[Any, ...]]]:
    return lambda *p: (name, tuple(-x for x in p))


def _named(name: str) -> Callable[..., tuple[str, tuple[Any, ...]]]:
    return lambda *p: (name, ())


def gate(
    name: str,
    num_qubits: int,
    matrix_fn: Callable[..., torch.Tensor],
    inverse_fn: Callable[..., tuple[str, tuple[Any, ...]]],
    *,
    params: tuple[str, ...] = (),
    aliases: tuple[str, ...] = (),
    qelib1: bool = False,
    definition: Callable[..., list[Any]] | None = None,
    diagonal: bool = False,
    num_controls: int = 0,
    label: str | None = None,
    doc: str = "",
) -> GateSpec:
    return register(
        GateSpec(
            name=name,
            num_qubits=num_qubits,
            params=params,
            matrix_fn=matrix_fn,
            inverse_fn=inverse_fn,
            aliases=aliases,
            qelib1=qelib1,
            definition=definition,
            diagonal=diagonal,
            num_controls=num_controls,
            label=label,
            doc=doc,
        )
    )


def _reverse_definition(steps_fn: Callable[..., list[Any]]) -> Callable[..., list[Any]]:
    """Definition of the inverse: the steps reversed, each replaced by its inverse."""
    from .spec import get_gate

    def inv(*p: Any) -> list[Any]:
        out = []
        for name, qubits, params in reversed(steps_fn(*p)):
            iname, iparams = get_gate(name).inverse(*params)
            out.append((iname, qubits, iparams))
        return out

    return inv


# ---------------------------------------------------------------------------------------------------------
# one-qubit gates
# ---------------------------------------------------------------------------------------------------------
def _phase_steps(angle: Any) -> list[Any]:
    """exp(i·angle)·I written with qelib1 gates (global phase, needed for exact definitions)."""
    return [("p", (0,), (angle,)), ("x", (0,), ()), ("p", (0,), (angle,)), ("x", (0,), ())]


gate("id", 1, _const(_I2), _self_inverse("id"), aliases=("i",), qelib1=True, diagonal=True,
     label="I", doc="Identity.")
gate("x", 1, _const(_X), _self_inverse("x"), qelib1=True, doc="Pauli X (bit flip).")
gate("y", 1, _const(_Y), _self_inverse("y"), qelib1=True, doc="Pauli Y.")
gate("z", 1, _const(_Z), _self_inverse("z"), qelib1=True, diagonal=True, doc="Pauli Z (phase flip).")
gate("h", 1, _const(_H), _self_inverse("h"), qelib1=True, doc="Hadamard.")
gate("s", 1, _const(np.diag([1, 1j])), _named("sdg"), qelib1=True, diagonal=True, doc="S = √Z.")
gate("sdg", 1, _const(np.diag([1, -1j])), _named("s"), qelib1=True, diagonal=True, label="S†",
     doc="S† (inverse of S).")
gate("t", 1, _const(np.diag([1, np.exp(1j * PI / 4)])), _named("tdg"), qelib1=True, diagonal=True,
     doc="T = fourth root of Z.")
gate("tdg", 1, _const(np.diag([1, np.exp(-1j * PI / 4)])), _named("t"), qelib1=True, diagonal=True,
     label="T†", doc="T† (inverse of T).")
gate("sx", 1, _const(_SX), _named("sxdg"), aliases=("sqrt_x", "x_1_2"), qelib1=True, label="√X",
     definition=lambda: [("rx", (0,), (PI / 2,)), *_phase_steps(PI / 4)],
     doc="√X, the square root of X (Qiskit's SXGate, Cirq's X**0.5).")
gate("sxdg", 1, _const(_SX.conj().T), _named("sx"), qelib1=True, label="√X†",
     definition=lambda: [("rx", (0,), (-PI / 2,)), *_phase_steps(-PI / 4)], doc="Inverse of √X.")


gate("sy", 1, _const(_SY), _named("sydg"), aliases=("sqrt_y", "y_1_2"), label="√Y",
     definition=lambda: [("ry", (0,), (PI / 2,)), *_phase_steps(PI / 4)],
     doc="√Y, the square root of Y (Cirq's Y**0.5).")
gate("sydg", 1, _const(_SY.conj().T), _named("sy"), label="√Y†",
     definition=lambda: [("ry", (0,), (-PI / 2,)), *_phase_steps(-PI / 4)], doc="Inverse of √Y.")
gate("sw", 1, _const(_SW), _named("swdg"), aliases=("sqrt_w", "hz_1_2"), label="√W",
     definition=lambda: [("p", (0,), (-PI / 4,)), ("sx", (0,), ()), ("p", (0,), (PI / 4,))],
     doc="√W with W = (X+Y)/√2 (Cirq's PhasedXPowGate(phase_exponent=0.25, exponent=0.5)); Sycamore RCS.")
gate("swdg", 1, _const(_SW.conj().T), _named("sw"), label="√W†",
     definition=lambda: [("p", (0,), (-PI / 4,)), ("sxdg", (0,), ()), ("p", (0,), (PI / 4,))],
     doc="Inverse of √W.")
gate("rx", 1, lambda t: _rot1(t, "x"), _negate("rx"), params=("theta",), qelib1=True,
     doc="X rotation exp(-iθX/2).")
gate("ry", 1, lambda t: _rot1(t, "y"), _negate("ry"), params=("theta",), qelib1=True,
     doc="Y rotation exp(-iθY/2).")
gate("rz", 1, lambda t: _rot1(t, "z"), _negate("rz"), params=("phi",), qelib1=True, diagonal=True,
     doc="Z rotation exp(-iφZ/2) = diag(e^{-iφ/2}, e^{iφ/2}).")
gate("p", 1, lambda lam: _stack([[1, 0], [0, _expi(lam)]]), _negate("p"), params=("lambda",),
     aliases=("u1", "phase"), qelib1=True, diagonal=True, label="P",
     doc="Phase gate diag(1, e^{iλ}); also named u1.")
gate("u0", 1, lambda g: _stack([[1, 0 * g], [0, 1]]), _negate("u0"), params=("gamma",), qelib1=True,
     diagonal=True, definition=lambda g: [], label="U0", doc="Idle gate of qelib1.inc (identity for any γ).")
gate("u2", 1, lambda phi, lam: _u3(torch.full_like(phi, PI / 2), phi, lam),
     lambda phi, lam: ("u3", (-PI / 2, -lam, -phi)), params=("phi", "lambda"), qelib1=True,
     doc="u2(φ, λ) = u3(π/2, φ, λ).")
gate("u3", 1, _u3, lambda t, phi, lam: ("u3", (-t, -lam, -phi)), params=("theta", "phi", "lambda"),
     aliases=("u", "U"), qelib1=True, label="U",
     doc="General one-qubit gate [[cos θ/2, −e^{iλ} sin θ/2], [e^{iφ} sin θ/2, e^{i(φ+λ)} cos θ/2]].")
gate("r", 1, lambda t, phi: _u3(t, phi - PI / 2, PI / 2 - phi), lambda t, phi: ("r", (-t, phi)),
     params=("theta", "phi"), definition=lambda t, phi: [("u3", (0,), (t, phi - PI / 2, PI / 2 - phi))],
     label="R", doc="Rotation by θ about cos φ·X + sin φ·Y (Qiskit's RGate).")

# ---------------------------------------------------------------------------------------------------------
# two-qubit gates
# ---------------------------------------------------------------------------------------------------------
gate("cx", 2, _const(_CX), _self_inverse("cx"), aliases=("cnot", "CX"), qelib1=True, num_controls=1,
     label="X", doc="Controlled X (CNOT); control first.")
gate("cy", 2, _const(_np_controlled(_Y)), _self_inverse("cy"), qelib1=True, num_controls=1, label="Y",
     doc="Controlled Y.")
gate("cz", 2, _const(_np_controlled(_Z)), _self_inverse("cz"), qelib1=True, diagonal=True,
     num_controls=1, label="Z", doc="Controlled Z.")
gate("ch", 2, _const(_np_controlled(_H)), _self_inverse("ch"), qelib1=True, num_controls=1, label="H",
     doc="Controlled Hadamard.")
gate("swap", 2, _const(_SWAP), _self_inverse("swap"), qelib1=True,
     definition=lambda: [("cx", (0, 1), ()), ("cx", (1, 0), ()), ("cx", (0, 1), ())], doc="Swap two qubits.")
_ISWAP = np.array([[1, 0, 0, 0], [0, 0, 1j, 0], [0, 1j, 0, 0], [0, 0, 0, 1]])
_ISWAP_STEPS = [("s", (0,), ()), ("s", (1,), ()), ("h", (0,), ()), ("cx", (0, 1), ()), ("cx", (1, 0), ()),
                ("h", (1,), ())]
gate("iswap", 2, _const(_ISWAP), _named("iswapdg"), label="iSWAP", definition=lambda: list(_ISWAP_STEPS),
     doc="iSWAP: swaps |01> and |10> with a phase i.")
gate("iswapdg", 2, _const(_ISWAP.conj().T), _named("iswap"), label="iSWAP†",
     definition=_reverse_definition(lambda: list(_ISWAP_STEPS)), doc="Inverse of iSWAP.")
gate("crx", 2, lambda t: _controlled(_rot1(t, "x")), _negate("crx"), params=("theta",), qelib1=True,
     definition=lambda t: [("p", (1,), (PI / 2,)), ("cx", (0, 1), ()), ("u3", (1,), (-t / 2, 0.0, 0.0)),
                           ("cx", (0, 1), ()), ("u3", (1,), (t / 2, -PI / 2, 0.0))],
     num_controls=1, label="RX", doc="Controlled rx.")
gate("cry", 2, lambda t: _controlled(_rot1(t, "y")), _negate("cry"), params=("theta",), qelib1=True,
     definition=lambda t: [("ry", (1,), (t / 2,)), ("cx", (0, 1), ()), ("ry", (1,), (-t / 2,)),
                           ("cx", (0, 1), ())],
     num_controls=1, label="RY", doc="Controlled ry.")
gate("crz", 2, lambda t: _controlled(_rot1(t, "z")), _negate("crz"), params=("theta",), qelib1=True,
     diagonal=True, num_controls=1, label="RZ", doc="Controlled rz.")
gate("cp", 2, lambda lam: _stack([[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0], [0, 0, 0, _expi(lam)]]),
     _negate("cp"), params=("lambda",), aliases=("cu1", "cphase"), qelib1=True, diagonal=True,
     num_controls=1, label="P", doc="Controlled phase diag(1, 1, 1, e^{iλ}); also named cu1.")
gate("cu3", 2, lambda t, phi, lam: _controlled(_u3(t, phi, lam)),
     lambda t, phi, lam: ("cu3", (-t, -lam, -phi)), params=("theta", "phi", "lambda"), qelib1=True,
     num_controls=1, label="U3", doc="Controlled u3.")
gate("cu", 2, lambda t, phi, lam, g: _controlled(_expi(g)[..., None, None] * _u3(t, phi, lam)),
     lambda t, phi, lam, g: ("cu", (-t, -lam, -phi, -g)), params=("theta", "phi", "lambda", "gamma"),
     qelib1=True, definition=lambda t, phi, lam, g: [
         ("p", (0,), (g,)), ("p", (0,), ((lam + phi) / 2,)), ("p", (1,), ((lam - phi) / 2,)), ("cx", (0, 1), ()),
         ("u3", (1,), (-t / 2, 0.0, -(phi + lam) / 2)), ("cx", (0, 1), ()), ("u3", (1,), (t / 2, phi, 0.0))],
     num_controls=1, label="U", doc="Controlled e^{iγ}·u3(θ, φ, λ) (Qiskit's CUGate).")
gate("csx", 2, _const(_np_controlled(_SX)), _named("csxdg"), qelib1=True, num_controls=1, label="√X",
     definition=lambda: [("h", (1,), ()), ("cp", (0, 1), (PI / 2,)), ("h", (1,), ())],
     doc="Controlled √X.")
gate("csxdg", 2, _const(_np_controlled(_SX.conj().T)), _named("csx"), num_controls=1, label="√X†",
     definition=lambda: [("h", (1,), ()), ("cp", (0, 1), (-PI / 2,)), ("h", (1,), ())],
     doc="Controlled √X† (inverse of csx).")
gate("cs", 2, _const(_np_controlled(np.diag([1, 1j]))), _named("csdg"), diagonal=True, num_controls=1,
     label="S", definition=lambda: [("cp", (0, 1), (PI / 2,))], doc="Controlled S.")
gate("csdg", 2, _const(_np_controlled(np.diag([1, -1j]))), _named("cs"), diagonal=True, num_controls=1,
     label="S†", definition=lambda: [("cp", (0, 1), (-PI / 2,))], doc="Controlled S†.")
_XX, _YY, _ZZ, _ZX = (np.kron(a, b) for a, b in ((_X, _X), (_Y, _Y), (_Z, _Z), (_Z, _X)))
gate("rxx", 2, lambda t: _two_pauli_rot(t, _XX), _negate("rxx"), params=("theta",), qelib1=True,
     definition=lambda t: [("h", (0,), ()), ("h", (1,), ()), ("cx", (0, 1), ()), ("rz", (1,), (t,)),
                           ("cx", (0, 1), ()), ("h", (0,), ()), ("h", (1,), ())],
     label="RXX", doc="exp(-iθ X⊗X/2).")
gate("ryy", 2, lambda t: _two_pauli_rot(t, _YY), _negate("ryy"), params=("theta",), label="RYY",
     definition=lambda t: [("rx", (0,), (PI / 2,)), ("rx", (1,), (PI / 2,)), ("cx", (0, 1), ()),
                           ("rz", (1,), (t,)), ("cx", (0, 1), ()), ("rx", (0,), (-PI / 2,)),
                           ("rx", (1,), (-PI / 2,))],
     doc="exp(-iθ Y⊗Y/2).")
gate("rzz", 2, lambda t: _two_pauli_rot(t, _ZZ), _negate("rzz"), params=("theta",), qelib1=True,
     definition=lambda t: [("cx", (0, 1), ()), ("rz", (1,), (t,)), ("cx", (0, 1), ())],
     diagonal=True, label="RZZ", doc="exp(-iθ Z⊗Z/2).")
gate("rzx", 2, lambda t: _two_pauli_rot(t, _ZX), _negate("rzx"), params=("theta",), label="RZX",
     definition=lambda t: [("h", (1,), ()), ("cx", (0, 1), ()), ("rz", (1,), (t,)), ("cx", (0, 1), ()),
                           ("h", (1,), ())],
     doc="exp(-iθ Z⊗X/2) (Z on the first qubit).")
gate("ecr", 2, _const(_ECR), _self_inverse("ecr"), label="ECR",
     definition=lambda: [("rzx", (0, 1), (PI / 4,)), ("x", (0,), ()), ("rzx", (0, 1), (-PI / 4,))],
     doc="Echoed cross-resonance gate (Qiskit's ECRGate).")
_DCX_STEPS = [("cx", (0, 1), ()), ("cx", (1, 0), ())]
gate("dcx", 2, lambda: torch.from_numpy(_unitary_of_steps(_DCX_STEPS, 2)), _named("dcxdg"), label="DCX",
     definition=lambda: [("cx", (0, 1), ()), ("cx", (1, 0), ())], doc="Double CNOT: cx a,b then cx b,a.")
gate("dcxdg", 2, lambda: torch.from_numpy(_unitary_of_steps(_DCX_STEPS, 2).conj().T), _named("dcx"), label="DCX†",
     definition=lambda: [("cx", (1, 0), ()), ("cx", (0, 1), ())], doc="Inverse of dcx.")


def _fsim(theta: torch.Tensor, phi: torch.Tensor) -> torch.Tensor:
    c = _cplx(torch.cos(theta))
    ms = torch.complex(torch.zeros_like(theta), -torch.sin(theta))
    return _stack([[1, 0, 0, 0], [0, c, ms, 0], [0, ms, c, 0], [0, 0, 0, _expi(-phi)]])


gate("fsim", 2, _fsim, _negate("fsim"), params=("theta", "phi"), aliases=("fs",), label="FSim",
     definition=lambda t, phi: [("rxx", (0, 1), (t,)), ("ryy", (0, 1), (t,)), ("cp", (0, 1), (-phi,))],
     doc="Google's fermionic simulation gate fSim(θ, φ) (Cirq's FSimGate): iSWAP-like rotation by θ, "
         "controlled phase e^{-iφ}.")
gate("syc", 2, lambda: _fsim(torch.tensor(PI / 2, dtype=torch.float64), torch.tensor(PI / 6, dtype=torch.float64)),
     lambda: ("fsim", (-PI / 2, -PI / 6)), aliases=("sycamore",), label="SYC",
     definition=lambda: [("fsim", (0, 1), (PI / 2, PI / 6))], doc="The Sycamore gate fSim(π/2, π/6).")

# ---------------------------------------------------------------------------------------------------------
# three- to five-qubit gates
# ---------------------------------------------------------------------------------------------------------
gate("ccx", 3, _const(_mcx(2)), _self_inverse("ccx"), aliases=("toffoli",), qelib1=True, num_controls=2,
     label="X", doc="Toffoli (doubly controlled X).")
gate("ccz", 3, _const(_np_controlled(_Z, 2)), _self_inverse("ccz"), diagonal=True, num_controls=2,
     label="Z", definition=lambda: [("h", (2,), ()), ("ccx", (0, 1, 2), ()), ("h", (2,), ())],
     doc="Doubly controlled Z.")
gate("cswap", 3, _const(_np_controlled(_SWAP)), _self_inverse("cswap"), aliases=("fredkin",), qelib1=True,
     definition=lambda: [("cx", (2, 1), ()), ("ccx", (0, 1, 2), ()), ("cx", (2, 1), ())],
     num_controls=1, doc="Controlled swap (Fredkin).")


def _rccx_steps() -> list[Any]:
    return [("u2", (2,), (0.0, PI)), ("p", (2,), (PI / 4,)), ("cx", (1, 2), ()), ("p", (2,), (-PI / 4,)),
            ("cx", (0, 2), ()), ("p", (2,), (PI / 4,)), ("cx", (1, 2), ()), ("p", (2,), (-PI / 4,)),
            ("u2", (2,), (0.0, PI))]


def _rc3x_steps() -> list[Any]:
    h = ("u2", (3,), (0.0, PI))

    def p(a: float) -> Any:
        return ("p", (3,), (a,))

    q = PI / 4
    return [h, p(q), ("cx", (2, 3), ()), p(-q), h, ("cx", (0, 3), ()), p(q), ("cx", (1, 3), ()), p(-q),
            ("cx", (0, 3), ()), p(q), ("cx", (1, 3), ()), p(-q), h, p(q), ("cx", (2, 3), ()), p(-q), h]


def _c3sqrtx_steps() -> list[Any]:
    def cp(c: int, a: float) -> list[Any]:
        return [("h", (3,), ()), ("cp", (c, 3), (a,)), ("h", (3,), ())]

    e = PI / 8
    return [*cp(0, e), ("cx", (0, 1), ()), *cp(1, -e), ("cx", (0, 1), ()), *cp(1, e), ("cx", (1, 2), ()),
            *cp(2, -e), ("cx", (0, 2), ()), *cp(2, e), ("cx", (1, 2), ()), *cp(2, -e), ("cx", (0, 2), ()),
            *cp(2, e)]


gate("rccx", 3, lambda: torch.from_numpy(_unitary_of_steps(_rccx_steps(), 3)), _self_inverse("rccx"),
     qelib1=True, label="RCCX", definition=_rccx_steps,
     doc="Relative-phase Toffoli (qelib1.inc's rccx).")
def _c3x_steps() -> list[Any]:
    e = PI / 8

    def p(q: int, a: float) -> Any:
        return ("p", (q,), (a,))

    def cx(a: int, b: int) -> Any:
        return ("cx", (a, b), ())

    return [("h", (3,), ()), p(0, e), p(1, e), p(2, e), p(3, e), cx(0, 1), p(1, -e), cx(0, 1), cx(1, 2), p(2, -e),
            cx(0, 2), p(2, e), cx(1, 2), p(2, -e), cx(0, 2), cx(2, 3), p(3, -e), cx(1, 3), p(3, e), cx(2, 3),
            p(3, -e), cx(0, 3), p(3, e), cx(2, 3), p(3, -e), cx(1, 3), p(3, e), cx(2, 3), p(3, -e), cx(0, 3),
            ("h", (3,), ())]


def _c4x_steps() -> list[Any]:
    def hcp(c: int, a: float) -> list[Any]:
        return [("h", (4,), ()), ("cp", (c, 4), (a,)), ("h", (4,), ())]

    return [*hcp(3, PI / 2), ("c3x", (0, 1, 2, 3), ()), *hcp(3, -PI / 2), ("c3x", (0, 1, 2, 3), ()),
            ("c3sqrtx", (0, 1, 2, 4), ())]


gate("c3x", 4, _const(_mcx(3)), _self_inverse("c3x"), aliases=("cccx",), qelib1=True, num_controls=3,
     definition=_c3x_steps,
     label="X", doc="Triply controlled X.")
gate("c3sqrtx", 4, _const(_np_controlled(_SX, 3)), _named("c3sxdg"), aliases=("c3sx",), qelib1=True,
     num_controls=3, label="√X", definition=_c3sqrtx_steps, doc="Triply controlled √X.")
gate("c3sxdg", 4, _const(_np_controlled(_SX.conj().T, 3)), _named("c3sqrtx"), num_controls=3,
     label="√X†", definition=_reverse_definition(_c3sqrtx_steps), doc="Triply controlled √X†.")
gate("rc3x", 4, lambda: torch.from_numpy(_unitary_of_steps(_rc3x_steps(), 4)), _named("rc3xdg"),
     qelib1=True, label="RC3X", definition=_rc3x_steps,
     doc="Relative-phase triply controlled X (qelib1.inc's rc3x).")
gate("rc3xdg", 4, lambda: torch.from_numpy(_unitary_of_steps(_rc3x_steps(), 4).conj().T), _named("rc3x"),
     label="RC3X†", definition=_reverse_definition(_rc3x_steps), doc="Inverse of rc3x.")
gate("c4x", 5, _const(_mcx(4)), _self_inverse("c4x"), aliases=("ccccx",), qelib1=True, num_controls=4,
     definition=_c4x_steps,
     label="X", doc="Quadruply controlled X.")
