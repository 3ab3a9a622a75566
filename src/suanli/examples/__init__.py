"""Example OpenQASM 2 circuits shipped with suanli.

``bell``, ``ghz_8``, ``qft_12``, ``teleport`` (mid-circuit measurements and ``if``), ``grover_4`` (a search
for the marked item ``1011``) and ``random_20`` (a 20-qubit brickwork random circuit of 12 cycles).

Examples:
    >>> from suanli import examples
    >>> examples.names()
    ['bell', 'ghz_8', 'grover_4', 'qft_12', 'random_20', 'teleport']
    >>> examples.path("bell").name
    'bell.qasm'
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from ..errors import SuanliError

__all__ = ["names", "path"]


def names() -> list[str]:
    """Names of the bundled example circuits (without the ``.qasm`` suffix), sorted."""
    files = resources.files(__package__)
    return sorted(f.name[: -len(".qasm")] for f in files.iterdir() if f.name.endswith(".qasm"))


def path(name: str) -> Path:
    """The file of the example ``name`` (``"bell"`` or ``"bell.qasm"``).

    Raises:
        SuanliError: there is no such example.
    """
    stem = name[: -len(".qasm")] if name.endswith(".qasm") else name
    if stem not in names():
        raise SuanliError(f"no bundled example named {name!r}; choose one of {', '.join(names())}")
    return Path(str(resources.files(__package__).joinpath(stem + ".qasm")))
