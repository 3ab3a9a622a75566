"""Compile passes between the circuit IR and the simulators: gate fusion into k-qubit blocks.

See :mod:`suanli.transpile.fusion`.
"""

from .fusion import FusedBlock as FusedBlock
from .fusion import FusionStats as FusionStats
from .fusion import GateItem as GateItem
from .fusion import fuse as fuse
from .fusion import fusion_stats as fusion_stats

__all__ = ["FusedBlock", "FusionStats", "GateItem", "fuse", "fusion_stats"]
