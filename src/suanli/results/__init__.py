"""Results of sampling: :class:`Result` (shot memory, timings) and :class:`Counts`."""

from .result import Counts as Counts
from .result import Result as Result
from .result import to_qiskit_key as to_qiskit_key

__all__ = ["Counts", "Result", "to_qiskit_key"]
