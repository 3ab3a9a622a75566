"""The gate table: one record per gate (:class:`GateSpec`), looked up by name or alias.

Examples:
    >>> from suanli.gates import get_gate
    >>> spec = get_gate("cnot")
    >>> spec.name, spec.num_qubits, spec.qelib1
    ('cx', 2, True)
"""

from . import library as _library  # noqa: F401  (fills the registry)
from .spec import GateSpec as GateSpec
from .spec import all_gates as all_gates
from .spec import get_gate as get_gate
from .spec import has_gate as has_gate

__all__ = ["GateSpec", "all_gates", "get_gate", "has_gate"]
