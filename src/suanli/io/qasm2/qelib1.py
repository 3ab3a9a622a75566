"""The standard library ``qelib1.inc``, built in: its gates map onto the gate table."""

from __future__ import annotations

__all__ = ["PAPER_QELIB1", "QELIB1_GATES"]

#: qelib1.inc gate name -> gate-table name (the same gate; ``u1``, ``u`` and ``cu1`` are aliases).
QELIB1_GATES: dict[str, str] = {
    name: name
    for name in (
        "u3", "u2", "cx", "id", "u0", "p", "x", "y", "z", "h", "s", "sdg", "t", "tdg", "rx", "ry", "rz", "sx",
        "sxdg", "cz", "cy", "swap", "ch", "ccx", "cswap", "crx", "cry", "crz", "cp", "cu3", "csx", "cu", "rxx",
        "rzz", "rccx", "rc3x", "c3x", "c3sqrtx", "c4x",
    )
}
QELIB1_GATES.update({"u1": "p", "u": "u3", "cu1": "cp"})

#: Gates of the original ``qelib1.inc`` (the OpenQASM 2.0 paper), which every reader knows: gate-table name ->
#: name to write. The writer defines every other gate with an exact ``gate`` statement.
PAPER_QELIB1: dict[str, str] = {
    name: name
    for name in (
        "u3", "u2", "cx", "id", "x", "y", "z", "h", "s", "sdg", "t", "tdg", "rx", "ry", "rz", "cz", "cy", "ch",
        "ccx", "crz", "cu3",
    )
}
PAPER_QELIB1.update({"p": "u1", "cp": "cu1"})
