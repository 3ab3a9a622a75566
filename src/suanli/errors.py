"""The one exception hierarchy of suanli.

Every error a user can provoke with bad input is a :class:`SuanliError`. Messages say what was wrong, where,
and what to do about it. The command-line tool prints ``str(error)`` on one line and exits with code 2.
"""

from __future__ import annotations

__all__ = [
    "CircuitError",
    "DeviceError",
    "ObservableError",
    "ParameterError",
    "QasmError",
    "QasmWarning",
    "SimulationError",
    "SimulationTooLarge",
    "SuanliError",
]


class SuanliError(Exception):
    """Base class of every error raised by suanli on bad input or impossible requests."""


class CircuitError(SuanliError, ValueError):
    """A circuit was built or used wrongly (bad qubit index, wrong number of parameters, ...)."""


class ParameterError(SuanliError, ValueError):
    """Parameters are missing, unknown, or of the wrong shape when a circuit is bound or run."""


class ObservableError(SuanliError, ValueError):
    """An observable (Pauli sum or Hermitian matrix) is malformed or does not fit the circuit."""


class DeviceError(SuanliError, RuntimeError):
    """The requested device (for example ``cuda``) is not available."""


class SimulationError(SuanliError, RuntimeError):
    """A simulation cannot be carried out as asked (e.g. a non-unitary circuit given to ``state``)."""


class SimulationTooLarge(SimulationError, MemoryError):
    """The simulation would need more memory than the target device has.

    Attributes:
        bytes_needed: bytes the simulation would allocate.
        bytes_available: bytes the device can offer (after the configured cap).
    """

    def __init__(self, message: str, *, bytes_needed: int, bytes_available: int) -> None:
        super().__init__(message)
        self.bytes_needed = bytes_needed
        self.bytes_available = bytes_available


class QasmError(SuanliError, ValueError):
    """A malformed OpenQASM program.

    ``str(err)`` reads ``file:line:col: reason``; the parts are also attributes.

    Attributes:
        reason: one-line description of the problem.
        filename: the file (``<string>`` for text given directly), or None.
        line: 1-based line number, or None.
        column: 1-based column number, or None.
    """

    def __init__(
        self,
        reason: str,
        *,
        filename: str | None = None,
        line: int | None = None,
        column: int | None = None,
    ) -> None:
        self.reason = reason
        self.filename = filename
        self.line = line
        self.column = column
        super().__init__(self._format())

    def _format(self) -> str:
        where = []
        if self.filename is not None:
            where.append(str(self.filename))
        if self.line is not None:
            where.append(str(self.line))
            if self.column is not None:
                where.append(str(self.column))
        return f"{':'.join(where)}: {self.reason}" if where else self.reason


class QasmWarning(UserWarning):
    """Something in an OpenQASM program was accepted but is not strictly valid (e.g. a missing header)."""
