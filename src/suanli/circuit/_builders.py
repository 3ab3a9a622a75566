"""Builder methods of :class:`~suanli.Circuit`, one per gate of the table (generated; do not edit).

Regenerate with ``python -m suanli.gates.codegen``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Iterable

    from .circuit import Circuit

__all__ = ["GateBuilders"]


class GateBuilders:
    """Mixin: one method per gate; parameters first, then qubits (controls before targets)."""

    def _add_gate(self, name: str, params: tuple[Any, ...], qubits: tuple[Any, ...]) -> Circuit:
        raise NotImplementedError

    def id(self, qubit: int | Iterable[int]) -> Circuit:
        """Identity. A list of qubits applies the gate to each."""
        return self._add_gate("id", (), (qubit,))

    def i(self, qubit: int | Iterable[int]) -> Circuit:
        """Alias of :meth:`id`. Identity. A list of qubits applies the gate to each."""
        return self._add_gate("id", (), (qubit,))

    def x(self, qubit: int | Iterable[int]) -> Circuit:
        """Pauli X (bit flip). A list of qubits applies the gate to each."""
        return self._add_gate("x", (), (qubit,))

    def y(self, qubit: int | Iterable[int]) -> Circuit:
        """Pauli Y. A list of qubits applies the gate to each."""
        return self._add_gate("y", (), (qubit,))

    def z(self, qubit: int | Iterable[int]) -> Circuit:
        """Pauli Z (phase flip). A list of qubits applies the gate to each."""
        return self._add_gate("z", (), (qubit,))

    def h(self, qubit: int | Iterable[int]) -> Circuit:
        """Hadamard. A list of qubits applies the gate to each."""
        return self._add_gate("h", (), (qubit,))

    def s(self, qubit: int | Iterable[int]) -> Circuit:
        """S = √Z. A list of qubits applies the gate to each."""
        return self._add_gate("s", (), (qubit,))

    def sdg(self, qubit: int | Iterable[int]) -> Circuit:
        """S† (inverse of S). A list of qubits applies the gate to each."""
        return self._add_gate("sdg", (), (qubit,))

    def t(self, qubit: int | Iterable[int]) -> Circuit:
        """T = fourth root of Z. A list of qubits applies the gate to each."""
        return self._add_gate("t", (), (qubit,))

    def tdg(self, qubit: int | Iterable[int]) -> Circuit:
        """T† (inverse of T). A list of qubits applies the gate to each."""
        return self._add_gate("tdg", (), (qubit,))

    def sx(self, qubit: int | Iterable[int]) -> Circuit:
        """√X, the square root of X (Qiskit's SXGate, Cirq's X**0.5). A list of qubits applies the gate to
        each.
        """
        return self._add_gate("sx", (), (qubit,))

    def sqrt_x(self, qubit: int | Iterable[int]) -> Circuit:
        """Alias of :meth:`sx`. √X, the square root of X (Qiskit's SXGate, Cirq's X**0.5). A list of qubits
        applies the gate to each.
        """
        return self._add_gate("sx", (), (qubit,))

    def x_1_2(self, qubit: int | Iterable[int]) -> Circuit:
        """Alias of :meth:`sx`. √X, the square root of X (Qiskit's SXGate, Cirq's X**0.5). A list of qubits
        applies the gate to each.
        """
        return self._add_gate("sx", (), (qubit,))

    def sxdg(self, qubit: int | Iterable[int]) -> Circuit:
        """Inverse of √X. A list of qubits applies the gate to each."""
        return self._add_gate("sxdg", (), (qubit,))

    def sy(self, qubit: int | Iterable[int]) -> Circuit:
        """√Y, the square root of Y (Cirq's Y**0.5). A list of qubits applies the gate to each."""
        return self._add_gate("sy", (), (qubit,))

    def sqrt_y(self, qubit: int | Iterable[int]) -> Circuit:
        """Alias of :meth:`sy`. √Y, the square root of Y (Cirq's Y**0.5). A list of qubits applies the gate to
        each.
        """
        return self._add_gate("sy", (), (qubit,))

    def y_1_2(self, qubit: int | Iterable[int]) -> Circuit:
        """Alias of :meth:`sy`. √Y, the square root of Y (Cirq's Y**0.5). A list of qubits applies the gate to
        each.
        """
        return self._add_gate("sy", (), (qubit,))

    def sydg(self, qubit: int | Iterable[int]) -> Circuit:
        """Inverse of √Y. A list of qubits applies the gate to each."""
        return self._add_gate("sydg", (), (qubit,))

    def sw(self, qubit: int | Iterable[int]) -> Circuit:
        """√W with W = (X+Y)/√2 (Cirq's PhasedXPowGate(phase_exponent=0.25, exponent=0.5)); Sycamore RCS. A
        list of qubits applies the gate to each.
        """
        return self._add_gate("sw", (), (qubit,))

    def sqrt_w(self, qubit: int | Iterable[int]) -> Circuit:
        """Alias of :meth:`sw`. √W with W = (X+Y)/√2 (Cirq's PhasedXPowGate(phase_exponent=0.25,
        exponent=0.5)); Sycamore RCS. A list of qubits applies the gate to each.
        """
        return self._add_gate("sw", (), (qubit,))

    def hz_1_2(self, qubit: int | Iterable[int]) -> Circuit:
        """Alias of :meth:`sw`. √W with W = (X+Y)/√2 (Cirq's PhasedXPowGate(phase_exponent=0.25,
        exponent=0.5)); Sycamore RCS. A list of qubits applies the gate to each.
        """
        return self._add_gate("sw", (), (qubit,))

    def swdg(self, qubit: int | Iterable[int]) -> Circuit:
        """Inverse of √W. A list of qubits applies the gate to each."""
        return self._add_gate("swdg", (), (qubit,))

    def rx(self, theta: Any, qubit: int | Iterable[int]) -> Circuit:
        """X rotation exp(-iθX/2). A list of qubits applies the gate to each."""
        return self._add_gate("rx", (theta,), (qubit,))

    def ry(self, theta: Any, qubit: int | Iterable[int]) -> Circuit:
        """Y rotation exp(-iθY/2). A list of qubits applies the gate to each."""
        return self._add_gate("ry", (theta,), (qubit,))

    def rz(self, phi: Any, qubit: int | Iterable[int]) -> Circuit:
        """Z rotation exp(-iφZ/2) = diag(e^{-iφ/2}, e^{iφ/2}). A list of qubits applies the gate to each."""
        return self._add_gate("rz", (phi,), (qubit,))

    def p(self, lambda_: Any, qubit: int | Iterable[int]) -> Circuit:
        """Phase gate diag(1, e^{iλ}); also named u1. A list of qubits applies the gate to each."""
        return self._add_gate("p", (lambda_,), (qubit,))

    def u1(self, lambda_: Any, qubit: int | Iterable[int]) -> Circuit:
        """Alias of :meth:`p`. Phase gate diag(1, e^{iλ}); also named u1. A list of qubits applies the gate to
        each.
        """
        return self._add_gate("p", (lambda_,), (qubit,))

    def phase(self, lambda_: Any, qubit: int | Iterable[int]) -> Circuit:
        """Alias of :meth:`p`. Phase gate diag(1, e^{iλ}); also named u1. A list of qubits applies the gate to
        each.
        """
        return self._add_gate("p", (lambda_,), (qubit,))

    def u0(self, gamma: Any, qubit: int | Iterable[int]) -> Circuit:
        """Idle gate of qelib1.inc (identity for any γ). A list of qubits applies the gate to each."""
        return self._add_gate("u0", (gamma,), (qubit,))

    def u2(self, phi: Any, lambda_: Any, qubit: int | Iterable[int]) -> Circuit:
        """u2(φ, λ) = u3(π/2, φ, λ). A list of qubits applies the gate to each."""
        return self._add_gate("u2", (phi, lambda_,), (qubit,))

    def u3(self, theta: Any, phi: Any, lambda_: Any, qubit: int | Iterable[int]) -> Circuit:
        """General one-qubit gate [[cos θ/2, −e^{iλ} sin θ/2], [e^{iφ} sin θ/2, e^{i(φ+λ)} cos θ/2]]. A list of
        qubits applies the gate to each.
        """
        return self._add_gate("u3", (theta, phi, lambda_,), (qubit,))

    def u(self, theta: Any, phi: Any, lambda_: Any, qubit: int | Iterable[int]) -> Circuit:
        """Alias of :meth:`u3`. General one-qubit gate [[cos θ/2, −e^{iλ} sin θ/2], [e^{iφ} sin θ/2, e^{i(φ+λ)}
        cos θ/2]]. A list of qubits applies the gate to each.
        """
        return self._add_gate("u3", (theta, phi, lambda_,), (qubit,))

    def r(self, theta: Any, phi: Any, qubit: int | Iterable[int]) -> Circuit:
        """Rotation by θ about cos φ·X + sin φ·Y (Qiskit's RGate). A list of qubits applies the gate to each.
        """
        return self._add_gate("r", (theta, phi,), (qubit,))

    def cx(self, control: int, target: int) -> Circuit:
        """Controlled X (CNOT); control first."""
        return self._add_gate("cx", (), (control, target,))

    def cnot(self, control: int, target: int) -> Circuit:
        """Alias of :meth:`cx`. Controlled X (CNOT); control first."""
        return self._add_gate("cx", (), (control, target,))

    def cy(self, control: int, target: int) -> Circuit:
        """Controlled Y."""
        return self._add_gate("cy", (), (control, target,))

    def cz(self, control: int, target: int) -> Circuit:
        """Controlled Z."""
        return self._add_gate("cz", (), (control, target,))

    def ch(self, control: int, target: int) -> Circuit:
        """Controlled Hadamard."""
        return self._add_gate("ch", (), (control, target,))

    def swap(self, qubit1: int, qubit2: int) -> Circuit:
        """Swap two qubits."""
        return self._add_gate("swap", (), (qubit1, qubit2,))

    def iswap(self, qubit1: int, qubit2: int) -> Circuit:
        """iSWAP: swaps |01> and |10> with a phase i."""
        return self._add_gate("iswap", (), (qubit1, qubit2,))

    def iswapdg(self, qubit1: int, qubit2: int) -> Circuit:
        """Inverse of iSWAP."""
        return self._add_gate("iswapdg", (), (qubit1, qubit2,))

    def crx(self, theta: Any, control: int, target: int) -> Circuit:
        """Controlled rx."""
        return self._add_gate("crx", (theta,), (control, target,))

    def cry(self, theta: Any, control: int, target: int) -> Circuit:
        """Controlled ry."""
        return self._add_gate("cry", (theta,), (control, target,))

    def crz(self, theta: Any, control: int, target: int) -> Circuit:
        """Controlled rz."""
        return self._add_gate("crz", (theta,), (control, target,))

    def cp(self, lambda_: Any, control: int, target: int) -> Circuit:
        """Controlled phase diag(1, 1, 1, e^{iλ}); also named cu1."""
        return self._add_gate("cp", (lambda_,), (control, target,))

    def cu1(self, lambda_: Any, control: int, target: int) -> Circuit:
        """Alias of :meth:`cp`. Controlled phase diag(1, 1, 1, e^{iλ}); also named cu1."""
        return self._add_gate("cp", (lambda_,), (control, target,))

    def cphase(self, lambda_: Any, control: int, target: int) -> Circuit:
        """Alias of :meth:`cp`. Controlled phase diag(1, 1, 1, e^{iλ}); also named cu1."""
        return self._add_gate("cp", (lambda_,), (control, target,))

    def cu3(self, theta: Any, phi: Any, lambda_: Any, control: int, target: int) -> Circuit:
        """Controlled u3."""
        return self._add_gate("cu3", (theta, phi, lambda_,), (control, target,))

    def cu(self, theta: Any, phi: Any, lambda_: Any, gamma: Any, control: int, target: int) -> Circuit:
        """Controlled e^{iγ}·u3(θ, φ, λ) (Qiskit's CUGate)."""
        return self._add_gate("cu", (theta, phi, lambda_, gamma,), (control, target,))

    def csx(self, control: int, target: int) -> Circuit:
        """Controlled √X."""
        return self._add_gate("csx", (), (control, target,))

    def csxdg(self, control: int, target: int) -> Circuit:
        """Controlled √X† (inverse of csx)."""
        return self._add_gate("csxdg", (), (control, target,))

    def cs(self, control: int, target: int) -> Circuit:
        """Controlled S."""
        return self._add_gate("cs", (), (control, target,))

    def csdg(self, control: int, target: int) -> Circuit:
        """Controlled S†."""
        return self._add_gate("csdg", (), (control, target,))

    def rxx(self, theta: Any, qubit1: int, qubit2: int) -> Circuit:
        """exp(-iθ X⊗X/2)."""
        return self._add_gate("rxx", (theta,), (qubit1, qubit2,))

    def ryy(self, theta: Any, qubit1: int, qubit2: int) -> Circuit:
        """exp(-iθ Y⊗Y/2)."""
        return self._add_gate("ryy", (theta,), (qubit1, qubit2,))

    def rzz(self, theta: Any, qubit1: int, qubit2: int) -> Circuit:
        """exp(-iθ Z⊗Z/2)."""
        return self._add_gate("rzz", (theta,), (qubit1, qubit2,))

    def rzx(self, theta: Any, qubit1: int, qubit2: int) -> Circuit:
        """exp(-iθ Z⊗X/2) (Z on the first qubit)."""
        return self._add_gate("rzx", (theta,), (qubit1, qubit2,))

    def ecr(self, qubit1: int, qubit2: int) -> Circuit:
        """Echoed cross-resonance gate (Qiskit's ECRGate)."""
        return self._add_gate("ecr", (), (qubit1, qubit2,))

    def dcx(self, qubit1: int, qubit2: int) -> Circuit:
        """Double CNOT: cx a,b then cx b,a."""
        return self._add_gate("dcx", (), (qubit1, qubit2,))

    def dcxdg(self, qubit1: int, qubit2: int) -> Circuit:
        """Inverse of dcx."""
        return self._add_gate("dcxdg", (), (qubit1, qubit2,))

    def fsim(self, theta: Any, phi: Any, qubit1: int, qubit2: int) -> Circuit:
        """Google's fermionic simulation gate fSim(θ, φ) (Cirq's FSimGate): iSWAP-like rotation by θ,
        controlled phase e^{-iφ}.
        """
        return self._add_gate("fsim", (theta, phi,), (qubit1, qubit2,))

    def fs(self, theta: Any, phi: Any, qubit1: int, qubit2: int) -> Circuit:
        """Alias of :meth:`fsim`. Google's fermionic simulation gate fSim(θ, φ) (Cirq's FSimGate): iSWAP-like
        rotation by θ, controlled phase e^{-iφ}.
        """
        return self._add_gate("fsim", (theta, phi,), (qubit1, qubit2,))

    def syc(self, qubit1: int, qubit2: int) -> Circuit:
        """The Sycamore gate fSim(π/2, π/6)."""
        return self._add_gate("syc", (), (qubit1, qubit2,))

    def sycamore(self, qubit1: int, qubit2: int) -> Circuit:
        """Alias of :meth:`syc`. The Sycamore gate fSim(π/2, π/6)."""
        return self._add_gate("syc", (), (qubit1, qubit2,))

    def ccx(self, control1: int, control2: int, target: int) -> Circuit:
        """Toffoli (doubly controlled X)."""
        return self._add_gate("ccx", (), (control1, control2, target,))

    def toffoli(self, control1: int, control2: int, target: int) -> Circuit:
        """Alias of :meth:`ccx`. Toffoli (doubly controlled X)."""
        return self._add_gate("ccx", (), (control1, control2, target,))

    def ccz(self, control1: int, control2: int, target: int) -> Circuit:
        """Doubly controlled Z."""
        return self._add_gate("ccz", (), (control1, control2, target,))

    def cswap(self, control: int, target1: int, target2: int) -> Circuit:
        """Controlled swap (Fredkin)."""
        return self._add_gate("cswap", (), (control, target1, target2,))

    def fredkin(self, control: int, target1: int, target2: int) -> Circuit:
        """Alias of :meth:`cswap`. Controlled swap (Fredkin)."""
        return self._add_gate("cswap", (), (control, target1, target2,))

    def rccx(self, qubit1: int, qubit2: int, qubit3: int) -> Circuit:
        """Relative-phase Toffoli (qelib1.inc's rccx)."""
        return self._add_gate("rccx", (), (qubit1, qubit2, qubit3,))

    def c3x(self, control1: int, control2: int, control3: int, target: int) -> Circuit:
        """Triply controlled X."""
        return self._add_gate("c3x", (), (control1, control2, control3, target,))

    def cccx(self, control1: int, control2: int, control3: int, target: int) -> Circuit:
        """Alias of :meth:`c3x`. Triply controlled X."""
        return self._add_gate("c3x", (), (control1, control2, control3, target,))

    def c3sqrtx(self, control1: int, control2: int, control3: int, target: int) -> Circuit:
        """Triply controlled √X."""
        return self._add_gate("c3sqrtx", (), (control1, control2, control3, target,))

    def c3sx(self, control1: int, control2: int, control3: int, target: int) -> Circuit:
        """Alias of :meth:`c3sqrtx`. Triply controlled √X."""
        return self._add_gate("c3sqrtx", (), (control1, control2, control3, target,))

    def c3sxdg(self, control1: int, control2: int, control3: int, target: int) -> Circuit:
        """Triply controlled √X†."""
        return self._add_gate("c3sxdg", (), (control1, control2, control3, target,))

    def rc3x(self, qubit1: int, qubit2: int, qubit3: int, qubit4: int) -> Circuit:
        """Relative-phase triply controlled X (qelib1.inc's rc3x)."""
        return self._add_gate("rc3x", (), (qubit1, qubit2, qubit3, qubit4,))

    def rc3xdg(self, qubit1: int, qubit2: int, qubit3: int, qubit4: int) -> Circuit:
        """Inverse of rc3x."""
        return self._add_gate("rc3xdg", (), (qubit1, qubit2, qubit3, qubit4,))

    def c4x(self, control1: int, control2: int, control3: int, control4: int, target: int) -> Circuit:
        """Quadruply controlled X."""
        return self._add_gate("c4x", (), (control1, control2, control3, control4, target,))

    def ccccx(self, control1: int, control2: int, control3: int, control4: int, target: int) -> Circuit:
        """Alias of :meth:`c4x`. Quadruply controlled X."""
        return self._add_gate("c4x", (), (control1, control2, control3, control4, target,))
