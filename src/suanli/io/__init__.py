"""Readers and writers of circuit files.

OpenQASM 2 (``load_qasm``, ``loads_qasm``, ``dumps_qasm``, ``dump_qasm``) is read by our own parser with
``qelib1.inc`` built in; errors are :class:`~suanli.QasmError` with file, line and column.
"""

from .qasm import dump_qasm as dump_qasm
from .qasm import dumps_qasm as dumps_qasm
from .qasm import load_qasm as load_qasm
from .qasm import loads_qasm as loads_qasm
from .qsim import dump_qsim as dump_qsim
from .qsim import dumps_qsim as dumps_qsim
from .qsim import load_qsim as load_qsim
from .qsim import loads_qsim as loads_qsim

__all__ = ["dump_qasm", "dump_qsim", "dumps_qasm", "dumps_qsim", "load_qasm", "load_qsim", "loads_qasm", "loads_qsim"]
