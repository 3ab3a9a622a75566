"""Stabilizer simulation through Stim: convert suanli Clifford circuits to and from :class:`stim.Circuit`.

This package is a thin adapter; Stim (``pip install suanli[qec]``) does the simulation. See
:mod:`suanli.sim.stabilizer.convert` for what converts and how classical bits map to Stim's measurement record.
"""

from __future__ import annotations

from .convert import from_stim as from_stim
from .convert import measurement_clbits as measurement_clbits
from .convert import sample_stim as sample_stim
from .convert import to_stim as to_stim

__all__ = ["from_stim", "measurement_clbits", "sample_stim", "to_stim"]
