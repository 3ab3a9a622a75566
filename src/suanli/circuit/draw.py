"""Plain-text circuit drawings: one line per qubit, one for the classical bits, time flowing right."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .instruction import Instruction, _param_text

if TYPE_CHECKING:
    from .circuit import Circuit

__all__ = ["draw_text"]


def _label(inst: Instruction) -> str:
    if inst.name == "reset":
        return "|0>"
    if inst.name == "measure":
        return "M"
    if inst.definition is not None:
        base = inst.name
    else:
        spec = inst.spec
        base = spec.label or spec.name.upper()
    if inst.params:
        base += "(" + ",".join(_param_text(p) for p in inst.params) + ")"
    return base


def _cells(inst: Instruction, n: int) -> tuple[dict[int, str], int, int, bool]:
    """Labels per qubit row, the vertical span (lo, hi), and whether the span reaches the classical line."""
    qs = inst.qubits
    cells: dict[int, str] = {}
    to_classical = inst.name == "measure" or inst.condition is not None
    if inst.name == "barrier":
        cells = {q: "░" for q in qs}
    elif inst.name in ("measure", "reset"):
        cells = {qs[0]: _label(inst)}
    elif inst.definition is None and inst.spec.name in ("swap", "cswap"):
        nc = inst.spec.num_controls
        cells = {q: "●" for q in qs[:nc]}
        cells.update({q: "x" for q in qs[nc:]})
    elif inst.definition is None and inst.spec.num_controls:
        nc = inst.spec.num_controls
        cells = {q: "●" for q in qs[:nc]}
        label = _label(inst)
        cells.update({q: label for q in qs[nc:]})
    else:
        label = _label(inst)
        if len(qs) == 1:
            cells = {qs[0]: label}
        else:
            cells = {q: f"{label}:{i}" for i, q in enumerate(qs)}
    if inst.name == "barrier":
        lo, hi = min(qs), max(qs)
        return cells, lo, hi, False
    lo, hi = min(qs), max(qs)
    if to_classical:
        hi = n  # the classical line
    return cells, lo, hi, to_classical


def _layers(circuit: Circuit) -> list[list[Instruction]]:
    n = circuit.num_qubits
    frontier = [0] * (n + 1)  # per qubit row + classical line
    layers: list[list[Instruction]] = []
    for inst in circuit:
        if not inst.qubits:
            continue
        _, lo, hi, _ = _cells(inst, n)
        col = max(frontier[lo : hi + 1])
        if col == len(layers):
            layers.append([])
        layers[col].append(inst)
        for r in range(lo, hi + 1):
            frontier[r] = col + 1
    return layers


def draw_text(circuit: Circuit, *, max_width: int | None = None) -> str:
    """Draw ``circuit`` as text. Rows wider than ``max_width`` characters are folded into blocks."""
    n = circuit.num_qubits
    has_classical = circuit.num_clbits > 0
    names = [f"q{i}: " for i in range(n)]
    cname = "c:  " if has_classical else ""
    pad = max([len(s) for s in names] + [len(cname)] + [0])
    # one entry per layer: the text of that layer on every row (wire and gap rows per qubit, classical wire)
    columns: list[list[str]] = []
    for layer in _layers(circuit):
        wires = {q: "" for q in range(n)}
        kinds: dict[int, str] = {}  # vertical line crossing a qubit wire: '┼' or '╫'
        gap_kind: dict[int, str] = {}
        cl_text = ""
        for inst in layer:
            cells, lo, hi, to_cl = _cells(inst, n)
            wires.update(cells)
            if inst.name == "barrier":
                for r in range(lo, hi):
                    gap_kind[r] = "░"
                continue
            top, bottom = min(inst.qubits), max(inst.qubits)
            for r in range(lo, min(hi, n)):
                if top <= r < bottom:
                    gap_kind[r] = "│"
                elif r >= bottom and to_cl:
                    gap_kind[r] = "║"
            for r in range(lo + 1, min(hi, n)):
                if r not in cells:
                    kinds[r] = "╫" if to_cl and r > bottom else "┼"
            if to_cl:
                if inst.name == "measure":
                    cl_text = str(inst.clbits[0])
                else:
                    cond = inst.condition
                    assert cond is not None
                    reg = cond.register or "c[" + ",".join(str(b) for b in cond.clbits) + "]"
                    cl_text = f"{reg}={cond.value}"
        width = max([len(s) for s in wires.values()] + [len(cl_text), 1])
        col = []
        for q in range(n):
            col.append("─" + (wires[q] or kinds.get(q, "")).center(width, "─") + "─")
            col.append(" " + gap_kind.get(q, " ").center(width) + " ")
        if has_classical:
            col.append("═" + cl_text.center(width, "═") + "═")
        columns.append(col)
    heads = []
    for q in range(n):
        heads += [names[q].ljust(pad), " " * pad]
    if has_classical:
        heads.append(cname.ljust(pad))
    ends = ["─", ""] * n + (["═"] if has_classical else [])
    # split the layers into blocks that fit max_width (a layer is never cut)
    blocks: list[list[list[str]]] = [[]]
    used = pad + 1
    for col in columns:
        w = len(col[0])
        if max_width is not None and blocks[-1] and used + w > max_width:
            blocks.append([])
            used = pad + 1
        blocks[-1].append(col)
        used += w
    out = []
    for block in blocks:
        rows = []
        for r, head in enumerate(heads):
            body = "".join(col[r] for col in block)
            line = (head + body + ends[r]).rstrip()
            is_gap = r < 2 * n and r % 2 == 1
            if is_gap and not line.strip():
                continue
            if r == 2 * n - 1 and not has_classical:
                continue
            rows.append(line)
        out.append("\n".join(rows))
    return "\n\n".join(out)
