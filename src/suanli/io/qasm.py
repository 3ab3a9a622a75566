"""Public OpenQASM 2 entry points."""

from __future__ import annotations

import os
from pathlib import Path

from ..circuit import Circuit
from ..errors import QasmError
from .qasm2 import dumps as _dumps
from .qasm2 import parse as _parse

__all__ = ["dump_qasm", "dumps_qasm", "load_qasm", "loads_qasm"]


def load_qasm(path: str | os.PathLike[str]) -> Circuit:
    """Read an OpenQASM 2 file; ``include`` paths resolve relative to the file's folder.

    Raises:
        QasmError: the file is missing, unreadable or malformed (message: ``file:line:col: reason``).
    """
    p = Path(path)
    try:
        raw = p.read_bytes()
    except FileNotFoundError:
        raise QasmError("no such file", filename=str(path)) from None
    except IsADirectoryError:
        raise QasmError("is a directory, not a file", filename=str(path)) from None
    except OSError as exc:
        raise QasmError(f"cannot read the file: {exc.strerror or exc}", filename=str(path)) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        col = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        raise QasmError(
            f"the file is not UTF-8 text ({exc.reason})", filename=str(path), line=line, column=col
        ) from None
    return _parse(text, filename=str(path), base_dir=p.parent)


def loads_qasm(text: str, *, filename: str = "<string>", base_dir: str | os.PathLike[str] | None = None) -> Circuit:
    """Read OpenQASM 2 from a string; ``include`` paths resolve against ``base_dir`` (default: current folder).

    Examples:
        >>> c = loads_qasm('OPENQASM 2.0; include "qelib1.inc"; qreg q[2]; h q[0]; cx q[0],q[1];')
        >>> c.count_ops()
        {'h': 1, 'cx': 1}
        >>> loads_qasm('OPENQASM 2.0; qreg q[1]; h q[0];')
        Traceback (most recent call last):
        ...
        suanli.errors.QasmError: <string>:1:26: gate 'h' is not defined; add 'include "qelib1.inc";' after the header
    """
    return _parse(text, filename=filename, base_dir=base_dir)


def dumps_qasm(circuit: Circuit) -> str:
    """The circuit as OpenQASM 2 text (``qelib1.inc`` gates, exact definitions for the rest).

    Examples:
        >>> import suanli
        >>> print(dumps_qasm(suanli.Circuit(2, 2).h(0).cx(0, 1).measure([0, 1], [0, 1])), end="")
        OPENQASM 2.0;
        include "qelib1.inc";
        qreg q[2];
        creg c[2];
        h q[0];
        cx q[0],q[1];
        measure q[0] -> c[0];
        measure q[1] -> c[1];
    """
    return _dumps(circuit)


def dump_qasm(circuit: Circuit, path: str | os.PathLike[str]) -> None:
    """Write :func:`dumps_qasm` output to ``path``."""
    Path(path).write_text(_dumps(circuit), encoding="utf-8")
