"""Random-circuit-sampling (RCS) circuits: Sycamore-style grid circuits and random brickwork circuits.

**Sycamore layout.** Google's Sycamore processor has 54 transmon qubits on a tilted square lattice; drawn on
Cirq's ``GridQubit(row, col)`` coordinates, the sites are (row: columns)::

    row 0: 5-6          row 5: 0-8
    row 1: 4-7          row 6: 1-7
    row 2: 3-8          row 7: 2-6
    row 3: 2-9          row 8: 3-5
    row 4: 1-9          row 9: 4

Couplers join sites one row or one column apart (86 couplers; 88 minus the two of the dead qubit). In the 2019
experiment (Arute et al., Nature 574, 505) qubit ``(2, 3)`` did not work, leaving 53 qubits; the published
circuit files number the 53 qubits 0..52 in row-major order of ``(row, col)``, and so does
:func:`sycamore_circuit` (``dead=((2, 3),)`` is the default).

**Coupler patterns** (Cirq's ``GridInteractionLayer``; for a vertical coupler (r, c)-(r+1, c) and a horizontal
coupler (r, c)-(r, c+1), with ``r`` and ``c`` of the first site):

* A: vertical, r ≡ c (mod 2);  B: vertical, r ≢ c;  C: horizontal, r ≢ c;  D: horizontal, r ≡ c.
* E: horizontal, c even (every row);  F: horizontal, c odd;  G: vertical, r even;  H: vertical, r odd.

A, B, C, D together use every coupler once; so do E, F, G, H. The supremacy circuits use the sequence
``ABCDCDAB`` (hard to simulate); ``EFGH`` gives circuits that patch into easier pieces.

**One cycle** is a layer of single-qubit gates drawn at random from {√X, √Y, √W}, never the same gate twice in
a row on a qubit (the first layer draws freely), followed by a layer of two-qubit gates on the couplers of the
cycle's pattern. After the last cycle comes a final half cycle: one more single-qubit layer.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ...circuit import Circuit
from ...errors import CircuitError

__all__ = [
    "SYCAMORE_DEAD_QUBIT",
    "SYCAMORE_SITES",
    "brickwork_circuit",
    "grid_couplers",
    "grid_sites",
    "patch_sites",
    "pattern_couplers",
    "sycamore_circuit",
]

#: Columns of the 54 Sycamore sites per row, on Cirq's GridQubit coordinates.
_SYCAMORE_ROWS: tuple[tuple[int, int], ...] = (
    (5, 6), (4, 7), (3, 8), (2, 9), (1, 9), (0, 8), (1, 7), (2, 6), (3, 5), (4, 4),
)
#: The 54 sites (row, col) of the Sycamore processor, row-major.
SYCAMORE_SITES: tuple[tuple[int, int], ...] = tuple(
    (r, c) for r, (lo, hi) in enumerate(_SYCAMORE_ROWS) for c in range(lo, hi + 1)
)
#: The qubit that did not work in the 2019 experiment (Arute et al. 2019).
SYCAMORE_DEAD_QUBIT: tuple[int, int] = (2, 3)

_SINGLE = ("sx", "sy", "sw")

Site = tuple[int, int]


def grid_sites(rows: int, cols: int) -> tuple[Site, ...]:
    """All sites of a full ``rows`` × ``cols`` rectangle, row-major."""
    if rows < 1 or cols < 1:
        raise CircuitError(f"a grid needs at least one row and one column, got {rows}x{cols}")
    return tuple((r, c) for r in range(rows) for c in range(cols))


def patch_sites(num_qubits: int) -> tuple[Site, ...]:
    """``num_qubits`` sites of the square lattice nearest to a centre point: a round patch, row-major.

    A stand-in for chips whose exact layout is not built in (e.g. a 105-qubit Willow-scale patch); the
    simulation cost depends mainly on the patch's diameter, which a round patch makes as small as possible.

    Examples:
        >>> len(patch_sites(105)), len(grid_couplers(patch_sites(105)))
        (105, 187)
    """
    if num_qubits < 1:
        raise CircuitError(f"a patch needs at least one site, got {num_qubits}")
    side = int(num_qubits**0.5) + 3
    centre = (side - 1) / 2 + 0.25
    ranked = sorted(((r - centre) ** 2 + (c - centre + 0.1) ** 2, r, c) for r in range(side) for c in range(side))
    return tuple(sorted((r, c) for _, r, c in ranked[:num_qubits]))


def grid_couplers(sites: Sequence[Site]) -> tuple[tuple[Site, Site], ...]:
    """Nearest-neighbour couplers between the given sites, each as (first, second) in row-major order."""
    present = set(sites)
    out = []
    for r, c in sorted(present):
        for nb in ((r, c + 1), (r + 1, c)):
            if nb in present:
                out.append(((r, c), nb))
    return tuple(out)


def _in_pattern(letter: str, a: Site, b: Site) -> bool:
    vertical = a[1] == b[1]
    if vertical:  # transpose so that the rule is the horizontal one (as Cirq does)
        a, b = (a[1], a[0]), (b[1], b[0])
    r, c = a
    stagger = letter in "ABCD"
    vertical_letters = "ABGH"
    if vertical != (letter in vertical_letters):
        return False
    offset = {"A": 0, "B": 1, "C": 1, "D": 0, "E": 0, "F": 1, "G": 0, "H": 1}[letter]
    pos = (r % 2, (c - offset) % 2)
    return pos == (0, 0) or pos == (1, int(stagger))


def pattern_couplers(sites: Sequence[Site], letter: str) -> tuple[tuple[Site, Site], ...]:
    """The couplers among ``sites`` that belong to pattern ``letter`` (one of ``ABCDEFGH``).

    Examples:
        >>> sites = grid_sites(2, 2)
        >>> print(pattern_couplers(sites, "A"), pattern_couplers(sites, "D"))
        (((0, 0), (1, 0)),) (((0, 0), (0, 1)),)
    """
    if letter not in "ABCDEFGH" or len(letter) != 1:
        raise CircuitError(f"coupler pattern letters are A-H, got {letter!r}")
    return tuple(p for p in grid_couplers(sites) if _in_pattern(letter, *p))


def sycamore_circuit(
    cycles: int,
    *,
    grid: tuple[int, int] | None = None,
    sites: Sequence[Site] | None = None,
    dead: Sequence[Site] | None = None,
    pattern: str = "ABCDCDAB",
    two_qubit_gate: str | tuple[float, float] = "syc",
    seed: int | None = None,
    final_layer: bool = True,
) -> Circuit:
    """A Sycamore-style random circuit: ``cycles`` cycles of (√X/√Y/√W layer, coupler layer), then a half cycle.

    Args:
        cycles: number of full cycles m (≥ 0).
        grid: ``(rows, cols)`` for a full rectangular grid; default (with ``sites`` None): the Sycamore chip.
        sites: explicit sites (row, col) instead of ``grid``; qubits are numbered in row-major order.
        dead: sites to drop; for the Sycamore chip the default is ``((2, 3),)`` (53 qubits), else none.
        pattern: coupler pattern letters applied cyclically, e.g. ``"ABCDCDAB"`` or ``"EFGH"``.
        two_qubit_gate: ``"syc"`` (fSim(π/2, π/6)), any two-qubit gate name without parameters, or a pair
            ``(theta, phi)`` for ``fsim(theta, phi)``.
        seed: seeds the choice of single-qubit gates; the same seed and arguments give the same circuit.
        final_layer: add the final half cycle (a last single-qubit layer).

    Returns:
        A :class:`~suanli.Circuit` without measurements.

    The 53-qubit, 20-cycle circuit has 1113 single-qubit and 430 two-qubit gates, as in Arute et al. (2019).

    Examples:
        >>> c = sycamore_circuit(20, seed=0)
        >>> c.num_qubits, c.count_ops()["syc"]
        (53, 430)
        >>> sycamore_circuit(2, grid=(2, 3), seed=1).count_ops()
        {'sy': 7, 'sx': 7, 'sw': 4, 'syc': 3}
    """
    if isinstance(cycles, bool) or not isinstance(cycles, int) or cycles < 0:
        raise CircuitError(f"cycles must be a non-negative int, got {cycles!r}")
    if not pattern or any(ch not in "ABCDEFGH" for ch in pattern):
        raise CircuitError(f"pattern must be a non-empty string of letters A-H, got {pattern!r}")
    if sites is not None and grid is not None:
        raise CircuitError("give either grid=(rows, cols) or sites=..., not both")
    if sites is None and grid is None:
        all_sites: tuple[Site, ...] = SYCAMORE_SITES
        dead = (SYCAMORE_DEAD_QUBIT,) if dead is None else dead
    elif grid is not None:
        all_sites = grid_sites(*grid)
    else:
        all_sites = tuple(sorted({(int(r), int(c)) for r, c in sites}))  # type: ignore[union-attr]
    dead_set = {tuple(d) for d in (dead or ())}
    unknown = dead_set - set(all_sites)
    if unknown:
        raise CircuitError(f"dead sites {sorted(unknown)} are not on the chip")
    used = tuple(s for s in sorted(all_sites) if s not in dead_set)
    if not used:
        raise CircuitError("no qubits left after removing the dead sites")
    index = {s: i for i, s in enumerate(used)}
    layers = {ch: [(index[a], index[b]) for a, b in pattern_couplers(used, ch)] for ch in set(pattern)}
    gate_params: tuple[float, ...]
    if isinstance(two_qubit_gate, tuple):
        theta, phi = (float(x) for x in two_qubit_gate)
        gate_name, gate_params = "fsim", (theta, phi)
    else:
        gate_name, gate_params = str(two_qubit_gate), ()
    rng = np.random.default_rng(seed)
    n = len(used)
    circuit = Circuit(n, name=f"sycamore_n{n}_m{cycles}_p{pattern}")
    last = [-1] * n

    def single_layer() -> None:
        for q in range(n):
            if last[q] < 0:
                g = int(rng.integers(3))
            else:
                g = (last[q] + 1 + int(rng.integers(2))) % 3  # one of the two other gates
            last[q] = g
            circuit.gate(_SINGLE[g], [q])

    for m in range(cycles):
        single_layer()
        for a, b in layers[pattern[m % len(pattern)]]:
            circuit.gate(gate_name, [a, b], gate_params)
    if final_layer:
        single_layer()
    return circuit


def brickwork_circuit(
    num_qubits: int,
    depth: int,
    *,
    seed: int | None = None,
    two_qubit_gate: str = "haar",
    periodic: bool = False,
) -> Circuit:
    """A random brickwork circuit on a line: layers of two-qubit gates on pairs (0,1),(2,3)… then (1,2),(3,4)….

    Args:
        num_qubits: width (≥ 2).
        depth: number of brick layers.
        seed: seeds every random choice.
        two_qubit_gate: ``"haar"`` draws Haar-random single-qubit ``u3`` gates around a fixed ``cz`` on every
            pair (a universal random brick); any parameter-free two-qubit gate name (``"cz"``, ``"syc"``…) is
            used with Haar-random ``u3`` layers around it likewise. A last ``u3`` layer ends the circuit.
        periodic: also couple the last and first qubit in odd layers (a ring).

    Examples:
        >>> brickwork_circuit(4, 2, seed=0).count_ops()
        {'u3': 10, 'cz': 3}
    """
    if num_qubits < 2:
        raise CircuitError(f"a brickwork circuit needs at least 2 qubits, got {num_qubits}")
    if depth < 0:
        raise CircuitError(f"depth must be >= 0, got {depth}")
    rng = np.random.default_rng(seed)
    core = "cz" if two_qubit_gate == "haar" else two_qubit_gate
    c = Circuit(num_qubits, name=f"brickwork_n{num_qubits}_d{depth}")

    def random_u3(q: int) -> None:
        # Haar measure on SU(2): theta with density sin(theta)/2, phi and lambda uniform
        theta = float(np.arccos(1 - 2 * rng.random()))
        phi, lam = (float(x) for x in rng.uniform(0, 2 * np.pi, size=2))
        c.u3(theta, phi, lam, q)

    for layer in range(depth):
        start = layer % 2
        pairs = [(q, q + 1) for q in range(start, num_qubits - 1, 2)]
        if periodic and start == 1 and num_qubits > 2 and num_qubits % 2 == 0:
            pairs.append((num_qubits - 1, 0))
        for a, b in pairs:
            random_u3(a)
            random_u3(b)
            c.gate(core, [a, b])
    for q in range(num_qubits):
        random_u3(q)
    return c
