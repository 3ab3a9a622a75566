"""Readers and writers of circuit files.

OpenQASM 2 (``load_qasm``, ``loads_qasm``, ``dumps_qasm``, ``dump_qasm``) is read by our own parser with
``qelib1.inc`` built in; errors are :class:`~suanli.QasmError` with file, line and column.
"""

from .qasm import dump_qasm as dump_qasm
from .qasm import dumps_qasm as dumps_qasm
from .qasm import load_qasm as load_qasm
from .qasm import loads_qasm as loads_qasm

__all__ = ["dump_qasm", "dumps_qasm", "load_qasm", "loads_qasm"]
