"""Generate code and docs from the gate table: the Circuit builder methods and docs/gates.md.

Run ``python -m suanli.gates.codegen`` after changing the table; a test checks the outputs are current.
"""

from __future__ import annotations

import keyword
import sys
from pathlib import Path

from .spec import GateSpec, all_gates

_HEADER = '''"""Builder methods of :class:`~suanli.Circuit`, one per gate of the table (generated; do not edit).

Regenerate with ``python -m suanli.gates.codegen``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Iterable

    from .circuit import Circuit

__all__ = ["GateBuilders"]


class GateBuilders:
    """Mixin: one method per gate; parameters first, then qubits (controls before targets)."""

    def _add_gate(self, name: str, params: tuple[Any, ...], qubits: tuple[Any, ...]) -> Circuit:
        raise NotImplementedError
'''


def _param_names(spec: GateSpec) -> list[str]:
    return [p + "_" if keyword.iskeyword(p) else p for p in spec.params]


def _qubit_names(spec: GateSpec) -> list[str]:
    k, nc = spec.num_qubits, spec.num_controls
    if k == 1:
        return ["qubit"]
    if nc:
        controls = ["control"] if nc == 1 else [f"control{i + 1}" for i in range(nc)]
        targets = ["target"] if k - nc == 1 else [f"target{i + 1}" for i in range(k - nc)]
        return controls + targets
    return [f"qubit{i + 1}" for i in range(k)]


def _method(name: str, spec: GateSpec) -> str:
    params = _param_names(spec)
    qubits = _qubit_names(spec)
    qtype = "int | Iterable[int]" if spec.num_qubits == 1 else "int"
    args = ", ".join(["self", *(f"{p}: Any" for p in params), *(f"{q}: {qtype}" for q in qubits)])
    doc = spec.doc or spec.name
    if name != spec.name:
        doc = f"Alias of :meth:`{spec.name}`. {doc}"
    if spec.num_qubits == 1:
        doc += " A list of qubits applies the gate to each."
    ptuple = "(" + "".join(f"{p}, " for p in params) + ")" if params else "()"
    qtuple = "(" + "".join(f"{q}, " for q in qubits) + ")"
    ptuple, qtuple = ptuple.replace(", )", ",)"), qtuple.replace(", )", ",)")
    signature = f"    def {name}({args}) -> Circuit:"
    if len(signature) > 110:
        arglist = "".join(f"        {a},\n" for a in args.split(", "))
        signature = f"    def {name}(\n{arglist}    ) -> Circuit:"
    docline = f'        """{doc}"""'
    if len(docline) > 110:
        words, lines, cur = doc.split(), [], ""
        for w in words:
            if len(cur) + len(w) + 1 > 100:
                lines.append(cur)
                cur = w
            else:
                cur = f"{cur} {w}" if cur else w
        lines.append(cur)
        docline = '        """' + "\n        ".join(lines) + '\n        """'
    return f'\n{signature}\n{docline}\n        return self._add_gate("{spec.name}", {ptuple}, {qtuple})\n'


def builders_source() -> str:
    parts = [_HEADER]
    for spec in all_gates():
        for name in (spec.name, *spec.aliases):
            if name.isidentifier() and name.islower():
                parts.append(_method(name, spec))
    return "".join(parts)


def _matrix_note(spec: GateSpec) -> str:
    return "diagonal" if spec.diagonal else ""


def gates_markdown() -> str:
    lines = [
        "# Gate reference",
        "",
        "Generated from the gate table (`python -m suanli.gates.codegen`); do not edit by hand.",
        "",
        "Matrices are big-endian within a gate: the first qubit is the most significant bit of the row and",
        "column index; controls come first. `qelib1` marks gates that OpenQASM 2's `qelib1.inc` defines; the",
        "others are written to OpenQASM with an exact `gate` definition.",
        "",
        "| name | aliases | qubits | parameters | qelib1 | inverse | notes | description |",
        "| --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for spec in all_gates():
        probe = [0.1 * (i + 1) for i in range(spec.num_params)]
        inv_name, _ = spec.inverse(*probe)
        lines.append(
            f"| `{spec.name}` | {', '.join(f'`{a}`' for a in spec.aliases)} | {spec.num_qubits} | "
            f"{', '.join(spec.params)} | {'yes' if spec.qelib1 else ''} | `{inv_name}` | {_matrix_note(spec)} | "
            f"{spec.doc} |"
        )
    return "\n".join(lines) + "\n"


def outputs(root: Path) -> dict[Path, str]:
    """Map of generated file → expected content, relative to the repository root ``root``."""
    return {
        root / "src" / "suanli" / "circuit" / "_builders.py": builders_source(),
        root / "docs" / "gates.md": gates_markdown(),
    }


def main() -> int:
    root = Path(__file__).resolve().parents[3]
    for path, text in outputs(root).items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        print(f"wrote {path.relative_to(root)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
