"""A surface-code layout model: code distance, magic-state factories, routing and parallel Toffolis.

Every number this module produces follows from the formulas below; the constants carry their sources.

1. **Logical error per patch and code cycle** (Fowler, Mariantoni, Martinis, Cleland, PRA 86, 032324 (2012);
   Fowler & Gidney, arXiv:1808.06709)::

       p_L(d) = A (p / p_th)^((d+1)/2),   A = 0.1,  p_th = 0.01

2. **Tiles.** A distance-``d`` patch (one *tile*) uses ``2 d²`` physical qubits (``d²`` data + ``d² - 1``
   measure qubits of the rotated surface code, rounded up). The ``Q`` logical data qubits sit in Litinski's
   *fast block* (Game of Surface Codes, Quantum 3, 128 (2019), Sec. 2.4): ``2Q + ⌈sqrt(8Q)⌉ + 1`` tiles, the
   extra tiles being the routing space that lets any Pauli product be measured in one step.

3. **T states.** Litinski's 15-to-1 factory ``(15-to-1)_{17,7,7}`` (Magic state distillation: not as costly as
   you think, Quantum 3, 205 (2019), Table 1, p = 10^-3): 4 620 physical qubits, one T state every 42.6 code
   cycles, output error 4.5·10^-8.

4. **CCZ states.** Every Toffoli consumes one CCZ state, made from 8 T states by Jones's distillation
   (PRA 87, 022328 (2013)): error ``28 ε_T²``. We take the 8T→CCZ stage to occupy 12 tiles of distance ``d``
   for 5.5 ``d`` code cycles, the duration of the Gidney–Fowler CCZ factory (arXiv:1812.01238). One CCZ
   factory = that stage + ``⌈8 × 42.6 / (5.5 d)⌉`` T factories, so it delivers one CCZ every ``5.5 d`` cycles.

5. **Toffoli rate, reaction limit and parallelism.** To finish ``N`` Toffolis in time ``T`` the machine must
   complete ``R = N / T`` per second. A Toffoli applied by teleporting a CCZ state costs one lattice-surgery
   step (``d`` cycles) and one classical *reaction* ``t_r`` before its Clifford fix-up is known (the
   reaction-limited regime of Fowler, arXiv:1210.4626, and Gidney & Fowler's AutoCCZ layout). So
   ``w = ⌈R (d t_c + t_r)⌉`` Toffolis are in flight at once, each holding 3 extra tiles, and
   ``F = ⌈R · 5.5 d t_c⌉`` CCZ factories run in parallel. With one Toffoli at a time the run would take at
   least ``N t_r``; faster targets assume the algorithm offers ``w`` independent Toffolis (the same assumption
   that the published hour-scale estimates rest on, see ``docs/bitcoin.md``).

6. **Code distance.** The smallest odd ``d`` with ``(tiles alive) × (T / t_c) × p_L(d) ≤ budget/2``, where
   the tiles alive are the data block, the in-flight CCZ tiles and the factories' CCZ stages; the other half of
   the failure budget goes to the magic states, ``N × 28 ε_T² ≤ budget/2`` (checked).

7. **Total**: ``2 d² × (data tiles + 3 w + 12 F) + F × ⌈8 × 42.6 / (5.5 d)⌉ × 4620``.

Examples:
    >>> round(logical_error_rate(1e-3, 27), 17)
    1e-15
    >>> fast_block_tiles(100)
    230
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from ..errors import SuanliError

__all__ = [
    "CCZ_STAGE_CYCLES_PER_D",
    "CCZ_STAGE_TILES",
    "T_FACTORY_CYCLES",
    "T_FACTORY_ERROR",
    "T_FACTORY_QUBITS",
    "Hardware",
    "Layout",
    "fast_block_tiles",
    "layout",
    "logical_error_rate",
]

#: Litinski 2019 (Quantum 3, 205), (15-to-1)_{17,7,7} at p = 1e-3: qubits, code cycles per T state, output error.
T_FACTORY_QUBITS = 4620
T_FACTORY_CYCLES = 42.6
T_FACTORY_ERROR = 4.5e-8
#: 8T -> CCZ stage: tiles and duration in units of d code cycles (Gidney & Fowler, arXiv:1812.01238).
CCZ_STAGE_TILES = 12
CCZ_STAGE_CYCLES_PER_D = 5.5
#: Tiles held by each CCZ state waiting for its reaction.
IN_FLIGHT_TILES = 3
PREFACTOR = 0.1
THRESHOLD = 0.01


def logical_error_rate(physical_error: float, distance: int) -> float:
    """``0.1 (p / 0.01)^((d+1)/2)``: logical error per patch per code cycle."""
    return PREFACTOR * (physical_error / THRESHOLD) ** ((distance + 1) / 2)


def fast_block_tiles(logical_qubits: int) -> int:
    """Tiles of Litinski's fast block for ``Q`` qubits: ``2Q + ⌈sqrt(8Q)⌉ + 1``."""
    return 2 * logical_qubits + math.ceil(math.sqrt(8 * logical_qubits)) + 1


@dataclass(frozen=True)
class Hardware:
    """Physical assumptions: error per operation, code cycle and reaction time (seconds)."""

    physical_error: float = 1e-3
    cycle_s: float = 1e-6
    reaction_s: float = 10e-6

    def __post_init__(self) -> None:
        if not 0 < self.physical_error < THRESHOLD:
            raise SuanliError(
                f"physical error must be in (0, {THRESHOLD}) (below threshold), got {self.physical_error}"
            )
        if not self.cycle_s > 0:
            raise SuanliError(f"code cycle time must be positive, got {self.cycle_s}")
        if not self.reaction_s >= 0:
            raise SuanliError(f"reaction time must be >= 0, got {self.reaction_s}")


@dataclass(frozen=True)
class Layout:
    """The layout that runs ``toffolis`` Toffolis on ``logical_qubits`` qubits in ``runtime_s`` seconds."""

    logical_qubits: int
    toffolis: float
    runtime_s: float
    distance: int
    data_tiles: int
    in_flight_toffolis: int
    ccz_factories: int
    t_factories_per_ccz: int
    data_qubits: int
    in_flight_qubits: int
    factory_qubits: int
    memory_failure: float
    magic_failure: float

    def __post_init__(self) -> None:
        if self.distance < 3 or self.distance % 2 == 0:
            raise SuanliError(f"distance must be an odd number >= 3, got {self.distance}")

    @property
    def physical_qubits(self) -> int:
        return self.data_qubits + self.in_flight_qubits + self.factory_qubits

    @property
    def failure_probability(self) -> float:
        return self.memory_failure + self.magic_failure


def layout(
    logical_qubits: int,
    toffolis: float,
    runtime_s: float,
    hardware: Hardware = Hardware(),
    *,
    failure_budget: float = 0.1,
    max_distance: int = 99,
) -> Layout:
    """The smallest layout of the model (module docstring) that finishes in ``runtime_s`` seconds.

    Raises:
        SuanliError: bad arguments, or the magic states alone exceed the failure budget (the factory model
            here has two levels; a lower physical error or fewer Toffolis is needed).
    """
    if logical_qubits < 1 or toffolis <= 0 or runtime_s <= 0:
        raise SuanliError("logical_qubits, toffolis and runtime must be positive")
    if not 0 < failure_budget < 1:
        raise SuanliError(f"failure budget must be in (0, 1), got {failure_budget}")
    eps_t = T_FACTORY_ERROR * (hardware.physical_error / 1e-3) ** 3  # 15-to-1 output scales as 35 p^3
    magic = toffolis * 28 * eps_t**2
    if magic > failure_budget / 2:
        raise SuanliError(
            f"{toffolis:.3g} Toffolis with CCZ states of error {28 * eps_t**2:.2g} fail with probability "
            f"{magic:.2g} > budget/2 = {failure_budget / 2:g}: raise --budget or lower the physical error"
        )
    rate = toffolis / runtime_s
    data_tiles = fast_block_tiles(logical_qubits)
    cycles = runtime_s / hardware.cycle_s
    d = 3
    while True:
        w = math.ceil(rate * (d * hardware.cycle_s + hardware.reaction_s))
        f = math.ceil(rate * CCZ_STAGE_CYCLES_PER_D * d * hardware.cycle_s)
        tiles = data_tiles + IN_FLIGHT_TILES * w + CCZ_STAGE_TILES * f
        memory = tiles * cycles * logical_error_rate(hardware.physical_error, d)
        if memory <= failure_budget / 2:
            break
        d += 2
        if d > max_distance:
            raise SuanliError(f"no code distance up to {max_distance} meets the failure budget")
    per_ccz = math.ceil(8 * T_FACTORY_CYCLES / (CCZ_STAGE_CYCLES_PER_D * d))
    tile_q = 2 * d * d
    return Layout(
        logical_qubits=logical_qubits,
        toffolis=toffolis,
        runtime_s=runtime_s,
        distance=d,
        data_tiles=data_tiles,
        in_flight_toffolis=w,
        ccz_factories=f,
        t_factories_per_ccz=per_ccz,
        data_qubits=data_tiles * tile_q,
        in_flight_qubits=IN_FLIGHT_TILES * w * tile_q,
        factory_qubits=f * (CCZ_STAGE_TILES * tile_q + per_ccz * T_FACTORY_QUBITS),
        memory_failure=memory,
        magic_failure=magic,
    )
