"""Resources to break an n-bit elliptic-curve key (ECDLP) with Shor's algorithm on a surface-code machine.

Logical costs (published constructions)
---------------------------------------
* ``roetteler2017``: Roetteler, Naehrig, Svore, Lauter, "Quantum resource estimates for computing elliptic
  curve discrete logarithms", ASIACRYPT 2017 (arXiv:1706.06752): at most ``9n + 2⌈log2 n⌉ + 10`` logical
  qubits and ``448 n³ log2 n + 4090 n³`` Toffoli gates (their Sec. 5 upper bounds; 2 330 qubits and
  1.29·10^11 Toffolis for n = 256).
* ``litinski2023``: Litinski, "How to compute a 256-bit elliptic curve private key with only 50 million
  Toffoli gates" (arXiv:2306.08585): 5·10^7 Toffolis for n = 256. We scale it as ``(n/256)^3`` for other
  sizes and keep Roetteler's qubit count (both are our assumptions, not the paper's).

A Clifford+T circuit spends 7 T gates per Toffoli (``t_count``); the layout makes each Toffoli from one CCZ
state, itself distilled from 8 T states (``t_states``).

Physical costs
--------------
:func:`estimate` turns the logical cost into a layout with :func:`suanli.estimate.surface_code_layout.layout`
(code distance, CCZ/T factories, routing, Toffolis in flight for the reaction-limited rate), for a target run
time. With Webber, Elfving, Weidt & Hensinger's assumptions (AVS Quantum Sci. 4, 013801 (2022): physical
error 10^-3, 1 µs code cycle, 10 µs reaction time) this model gives about 2.1·10^8 physical qubits for one
hour and 1.8·10^7 for one day, against their 3.17·10^8 and 1.3·10^7 (factors 0.66 and 1.37).

Examples:
    >>> c = roetteler2017(256)
    >>> c.logical_qubits, f"{c.toffolis:.3e}"
    (2330, '1.287e+11')
    >>> e = estimate(256, hours=24)
    >>> e.layout.distance, round(e.physical_qubits / 1e6, 1)
    (31, 17.8)
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

from ..errors import SuanliError
from .surface_code_layout import Hardware, Layout, layout

__all__ = [
    "CONSTRUCTIONS",
    "PUBLISHED",
    "EcdlpEstimate",
    "LogicalCost",
    "estimate",
    "litinski2023",
    "qubits_vs_time",
    "roetteler2017",
]

#: Published physical-qubit figures for n = 256 (hours -> physical qubits), Webber et al. 2022 (AVS Quantum
#: Sci. 4, 013801): 317e6 in 1 hour, 13e6 in 1 day (abstract); 1.9e9 in 10 minutes (their press release).
PUBLISHED = {1.0: 317e6, 24.0: 13e6}
PUBLISHED_10_MIN = 1.9e9


@dataclass(frozen=True)
class LogicalCost:
    """Logical resources of one ECDLP construction for an ``bits``-bit curve."""

    construction: str
    bits: int
    logical_qubits: int
    toffolis: float
    source: str

    def __post_init__(self) -> None:
        if self.bits < 2 or self.logical_qubits < 1 or not self.toffolis > 0:
            raise SuanliError("LogicalCost: bits >= 2, logical_qubits >= 1 and toffolis > 0 are required")

    @property
    def t_count(self) -> float:
        """T gates of a Clifford+T compilation (7 per Toffoli)."""
        return 7 * self.toffolis

    @property
    def t_states(self) -> float:
        """T states distilled for the CCZ-based layout (8 per Toffoli)."""
        return 8 * self.toffolis


def _check_bits(bits: int) -> None:
    if isinstance(bits, bool) or not isinstance(bits, int) or bits < 2:
        raise SuanliError(f"bits must be an integer >= 2, got {bits!r}")


def roetteler2017(bits: int) -> LogicalCost:
    """``9n + 2⌈log2 n⌉ + 10`` qubits and ``448 n³ log2 n + 4090 n³`` Toffolis (Roetteler et al. 2017)."""
    _check_bits(bits)
    n = bits
    return LogicalCost(
        "roetteler2017",
        n,
        9 * n + 2 * math.ceil(math.log2(n)) + 10,
        448 * n**3 * math.log2(n) + 4090 * n**3,
        "Roetteler, Naehrig, Svore, Lauter, ASIACRYPT 2017, arXiv:1706.06752",
    )


def litinski2023(bits: int) -> LogicalCost:
    """5·10^7 Toffolis at n = 256 (Litinski 2023), scaled as ``(n/256)^3``; Roetteler's qubit count."""
    _check_bits(bits)
    return LogicalCost(
        "litinski2023",
        bits,
        roetteler2017(bits).logical_qubits,
        5e7 * (bits / 256) ** 3,
        "Litinski, arXiv:2306.08585 (Toffolis at n = 256)",
    )


CONSTRUCTIONS = {"roetteler2017": roetteler2017, "litinski2023": litinski2023}


@dataclass(frozen=True)
class EcdlpEstimate:
    """Logical cost + surface-code layout for one target run time."""

    cost: LogicalCost
    hardware: Hardware
    layout: Layout
    failure_budget: float
    target_hours: float
    notes: tuple[str, ...] = field(default=())

    @property
    def physical_qubits(self) -> int:
        return self.layout.physical_qubits

    @property
    def hours(self) -> float:
        return self.layout.runtime_s / 3600

    @property
    def sequential_reaction_hours(self) -> float:
        """``N t_r``: the run time if Toffolis had to wait for each other's reactions one at a time."""
        return self.cost.toffolis * self.hardware.reaction_s / 3600

    def to_dict(self) -> dict:
        L = self.layout
        return {
            "construction": self.cost.construction,
            "source": self.cost.source,
            "bits": self.cost.bits,
            "logical_qubits": self.cost.logical_qubits,
            "toffolis": self.cost.toffolis,
            "t_count": self.cost.t_count,
            "t_states": self.cost.t_states,
            "physical_error": self.hardware.physical_error,
            "cycle_us": self.hardware.cycle_s * 1e6,
            "reaction_us": self.hardware.reaction_s * 1e6,
            "target_hours": self.target_hours,
            "hours": self.hours,
            "code_distance": L.distance,
            "data_tiles": L.data_tiles,
            "ccz_factories": L.ccz_factories,
            "t_factories_per_ccz": L.t_factories_per_ccz,
            "toffolis_in_flight": L.in_flight_toffolis,
            "data_qubits": L.data_qubits,
            "in_flight_qubits": L.in_flight_qubits,
            "factory_qubits": L.factory_qubits,
            "physical_qubits": L.physical_qubits,
            "failure_probability": L.failure_probability,
            "failure_budget": self.failure_budget,
            "sequential_reaction_hours": self.sequential_reaction_hours,
        }


def estimate(
    bits: int = 256,
    *,
    hours: float = 1.0,
    construction: str = "roetteler2017",
    hardware: Hardware | None = None,
    failure_budget: float = 0.1,
) -> EcdlpEstimate:
    """Physical qubits to solve an ``bits``-bit ECDLP within ``hours`` (see the module docstring).

    The run may end earlier than ``hours`` when that needs fewer qubits (``EcdlpEstimate.hours`` is the run
    time of the layout chosen), so the qubit count never grows with the time allowed.

    Args:
        bits: curve size ``n`` (256 for Bitcoin's secp256k1).
        hours: target run time.
        construction: ``"roetteler2017"`` or ``"litinski2023"``.
        hardware: physical error, code cycle, reaction time (default: Webber et al.'s assumptions).
        failure_budget: allowed probability that the run fails (half for memory, half for magic states).

    Raises:
        SuanliError: unknown construction or impossible parameters.
    """
    if construction not in CONSTRUCTIONS:
        raise SuanliError(f"unknown construction {construction!r}; choose from {', '.join(CONSTRUCTIONS)}")
    if not hours > 0:
        raise SuanliError(f"hours must be positive, got {hours}")
    hw = hardware or Hardware()
    cost = CONSTRUCTIONS[construction](bits)
    # A run may finish before the deadline: a shorter run needs more factories but can use a smaller code
    # distance (fewer patch-cycles to protect), so the cheapest of the runs of length hours·2^(-k/8) is kept.
    candidates = [
        layout(cost.logical_qubits, cost.toffolis, hours * 3600 * 2 ** (-k / 8), hw, failure_budget=failure_budget)
        for k in range(0, 161)
    ]
    lay = min(candidates, key=lambda c: (c.physical_qubits, -c.runtime_s))
    notes = []
    if lay.in_flight_toffolis > 1:
        notes.append(
            f"needs {lay.in_flight_toffolis} Toffolis in flight at once; one at a time the reactions alone take "
            f"{cost.toffolis * hw.reaction_s / 3600:.3g} h"
        )
    return EcdlpEstimate(cost, hw, lay, failure_budget, hours, tuple(notes))


def qubits_vs_time(
    bits: int = 256,
    hours: Sequence[float] | None = None,
    *,
    construction: str = "roetteler2017",
    hardware: Hardware | None = None,
    failure_budget: float = 0.1,
) -> list[EcdlpEstimate]:
    """Estimates over a range of run times (default: 40 log-spaced points from 1 minute to 1 000 hours)."""
    if hours is None:
        hours = [10 ** (-1.778 + 4.778 * i / 39) for i in range(40)]
    return [
        estimate(bits, hours=h, construction=construction, hardware=hardware, failure_budget=failure_budget)
        for h in hours
    ]
