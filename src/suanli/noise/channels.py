"""Quantum channels (Kraus form) and readout errors.

A channel on k qubits is a list of Kraus matrices K_i (2**k × 2**k, big-endian within the channel like every
gate matrix in suanli) with Σ K_i† K_i = I; it maps ρ → Σ K_i ρ K_i†. A channel whose Kraus matrices are
multiples of Pauli strings is a *Pauli channel*: trajectories then draw one Pauli per application without
looking at the state.

Conventions (the same as Qiskit Aer's noise functions, so that the two can be compared):

* ``depolarizing(lam, k)``: ρ → (1 − λ) ρ + λ I/2**k. Each of the 4**k − 1 non-identity Pauli strings occurs
  with probability λ/4**k, so the probability of an error is ``λ (1 − 4**-k)``.
* ``amplitude_damping(gamma)``: K0 = [[1, 0], [0, √(1−γ)]], K1 = [[0, √γ], [0, 0]].
* ``phase_damping(lam)``: K0 = [[1, 0], [0, √(1−λ)]], K1 = [[0, 0], [0, √λ]].
* ``pauli_channel({"X": px, "Y": py, "Z": pz})`` (or two-qubit labels ``"XZ"``…; identity takes the rest).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np

from ..errors import SuanliError

__all__ = [
    "KrausChannel",
    "ReadoutError",
    "amplitude_damping",
    "bit_flip",
    "depolarizing",
    "pauli_channel",
    "phase_damping",
    "phase_flip",
]

_PAULI = {
    "I": np.eye(2, dtype=complex),
    "X": np.array([[0, 1], [1, 0]], dtype=complex),
    "Y": np.array([[0, -1j], [1j, 0]], dtype=complex),
    "Z": np.array([[1, 0], [0, -1]], dtype=complex),
}


def pauli_matrix(label: str) -> np.ndarray:
    """The matrix of a Pauli string such as ``"XZ"`` (first letter = most significant qubit)."""
    out = np.ones((1, 1), dtype=complex)
    for ch in label:
        out = np.kron(out, _PAULI[ch])
    return out


@dataclass(frozen=True)
class KrausChannel:
    """A completely positive trace-preserving map in Kraus form.

    Attributes:
        kraus: the Kraus matrices (complex128 NumPy arrays of shape (2**k, 2**k)).
        name: a short description.
        pauli: for a Pauli channel, ``((label, probability), …)`` including the identity; else empty.
    """

    kraus: tuple[np.ndarray, ...]
    name: str = "channel"
    pauli: tuple[tuple[str, float], ...] = field(default=())

    def __post_init__(self) -> None:
        if not self.kraus:
            raise SuanliError("a channel needs at least one Kraus matrix")
        mats = tuple(np.asarray(k, dtype=np.complex128) for k in self.kraus)
        d = mats[0].shape[0]
        if d < 2 or d & (d - 1) or any(m.shape != (d, d) for m in mats):
            raise SuanliError(f"Kraus matrices must all be square with side 2**k, got {[m.shape for m in mats]}")
        total = sum(m.conj().T @ m for m in mats)
        if not np.allclose(total, np.eye(d), atol=1e-9):
            raise SuanliError(f"channel {self.name!r} is not trace preserving: sum K^dag K != I")
        object.__setattr__(self, "kraus", mats)

    @property
    def num_qubits(self) -> int:
        return int(self.kraus[0].shape[0]).bit_length() - 1

    @property
    def is_pauli(self) -> bool:
        return bool(self.pauli)

    @property
    def error_probability(self) -> float:
        """Probability that something other than the identity happens.

        For a Pauli channel, 1 − p(I). For a general channel, 1 − |tr K_0|²/d² summed over Kraus matrices
        (one minus the process fidelity with the identity), which equals the Pauli error for Pauli channels.
        """
        if self.pauli:
            return 1.0 - dict(self.pauli).get("I" * self.num_qubits, 0.0)
        d = self.kraus[0].shape[0]
        return 1.0 - sum(abs(np.trace(k)) ** 2 for k in self.kraus) / d**2

    def superoperator(self) -> np.ndarray:
        """Σ K ⊗ conj(K): acts on vec(ρ) with the row qubits first, then the column qubits."""
        return sum(np.kron(k, k.conj()) for k in self.kraus)


def pauli_channel(probabilities: Mapping[str, float]) -> KrausChannel:
    """A Pauli channel from Pauli-string labels and probabilities; the identity takes what is left.

    Examples:
        >>> ch = pauli_channel({"X": 0.1, "Z": 0.05})
        >>> ch.num_qubits, round(ch.error_probability, 12)
        (1, 0.15)
    """
    if not probabilities:
        raise SuanliError("a Pauli channel needs at least one label")
    labels = list(probabilities)
    k = len(labels[0])
    if k < 1 or any(len(lab) != k or set(lab) - set("IXYZ") for lab in labels):
        raise SuanliError(f"Pauli labels must be strings of I/X/Y/Z of one length, got {labels}")
    probs = {lab: float(p) for lab, p in probabilities.items()}
    if any(not (0.0 <= p <= 1.0) or math.isnan(p) for p in probs.values()):
        raise SuanliError(f"Pauli probabilities must lie in [0, 1], got {probs}")
    ident = "I" * k
    rest = 1.0 - sum(p for lab, p in probs.items() if lab != ident)
    if rest < -1e-12:
        raise SuanliError(f"Pauli probabilities add up to more than 1: {probs}")
    probs[ident] = max(rest, 0.0)
    items = tuple((lab, p) for lab, p in probs.items() if p > 0)
    kraus = tuple(math.sqrt(p) * pauli_matrix(lab) for lab, p in items)
    return KrausChannel(kraus, name=f"pauli({', '.join(f'{lab}:{p:g}' for lab, p in items)})", pauli=items)


def depolarizing(lam: float, num_qubits: int = 1) -> KrausChannel:
    """ρ → (1 − λ) ρ + λ I/2**k (Qiskit Aer's ``depolarizing_error(λ, k)``); 0 ≤ λ ≤ 4**k/(4**k − 1).

    Examples:
        >>> round(depolarizing(0.01, 2).error_probability, 6)
        0.009375
    """
    d2 = 4**num_qubits
    if num_qubits < 1 or not (0.0 <= lam <= d2 / (d2 - 1)):
        raise SuanliError(f"depolarizing parameter must lie in [0, {d2 / (d2 - 1):g}] for {num_qubits} qubit(s)")
    probs = {"".join(lab): lam / d2 for lab in itertools.product("IXYZ", repeat=num_qubits)}
    probs["I" * num_qubits] = 1.0 - lam + lam / d2
    ch = pauli_channel(probs)
    return KrausChannel(ch.kraus, name=f"depolarizing({lam:g}, {num_qubits})", pauli=ch.pauli)


def bit_flip(p: float) -> KrausChannel:
    """X with probability p."""
    return pauli_channel({"X": p})


def phase_flip(p: float) -> KrausChannel:
    """Z with probability p."""
    return pauli_channel({"Z": p})


def _prob(name: str, value: float) -> float:
    value = float(value)
    if not 0.0 <= value <= 1.0:
        raise SuanliError(f"{name} must lie in [0, 1], got {value}")
    return value


def amplitude_damping(gamma: float) -> KrausChannel:
    """Energy relaxation |1> → |0> with probability γ."""
    g = _prob("gamma", gamma)
    k0 = np.array([[1, 0], [0, math.sqrt(1 - g)]], dtype=complex)
    k1 = np.array([[0, math.sqrt(g)], [0, 0]], dtype=complex)
    return KrausChannel((k0, k1), name=f"amplitude_damping({g:g})")


def phase_damping(lam: float) -> KrausChannel:
    """Pure dephasing: coherences shrink by √(1 − λ)."""
    v = _prob("lambda", lam)
    k0 = np.array([[1, 0], [0, math.sqrt(1 - v)]], dtype=complex)
    k1 = np.array([[0, 0], [0, math.sqrt(v)]], dtype=complex)
    return KrausChannel((k0, k1), name=f"phase_damping({v:g})")


@dataclass(frozen=True)
class ReadoutError:
    """Classical bit flips at measurement: a true 0 reads 1 with ``p0to1``, a true 1 reads 0 with ``p1to0``."""

    p0to1: float
    p1to0: float

    def __post_init__(self) -> None:
        _prob("p0to1", self.p0to1)
        _prob("p1to0", self.p1to0)

    @property
    def error_probability(self) -> float:
        """The average of the two flip probabilities."""
        return 0.5 * (self.p0to1 + self.p1to0)

    def matrix(self) -> np.ndarray:
        """Column-stochastic 2×2 matrix M with M[read, true]."""
        return np.array([[1 - self.p0to1, self.p1to0], [self.p0to1, 1 - self.p1to0]])

