"""Observables: Pauli sums and dense Hermitian matrices on a few qubits."""

from .pauli import Hermitian as Hermitian
from .pauli import PauliSum as PauliSum
from .pauli import PauliTerm as PauliTerm

__all__ = ["Hermitian", "PauliSum", "PauliTerm"]
