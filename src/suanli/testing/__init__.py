"""Checkers and generators that suanli's own tests use, public so users can test their circuits and gates.

Examples:
    >>> from suanli.testing import random_circuit
    >>> c = random_circuit(4, 5, seed=1)
    >>> c.num_qubits, c.depth() <= 5
    (4, True)
"""

from .checks import assert_gate_consistent as assert_gate_consistent
from .checks import assert_states_close as assert_states_close
from .checks import unitary as unitary
from .random import random_circuit as random_circuit

__all__ = ["assert_gate_consistent", "assert_states_close", "random_circuit", "unitary"]
