"""Quantum computers and Bitcoin: the Nerem–Gaur Grover-mining model, toy Grover mining and toy Shor.

* :mod:`.mining`: the Markov model of one Grover miner against a classical Poisson network, its closed forms
  (optimal measurement time ``x* = 2(1 - e^{-x*})``) and a Monte Carlo check.
* :mod:`.grover`: a reversible toy hash and Grover search for nonces with leading zeros, simulated.
* :mod:`.shor`: period finding (N = 15, 21) and a discrete logarithm in Z_p^*, simulated.
* :mod:`.circuits`: the reversible building blocks (multi-controlled gates, permutations, inverse QFT).

The resource estimator for breaking elliptic-curve keys lives in :mod:`suanli.estimate.ecdlp`.
"""

from __future__ import annotations

from .grover import ToyHash as ToyHash
from .grover import grover_circuit as grover_circuit
from .grover import grover_curve as grover_curve
from .grover import grover_mine as grover_mine
from .grover import speedup_table as speedup_table
from .mining import MiningModel as MiningModel
from .mining import optimal_measurement_minutes as optimal_measurement_minutes
from .mining import optimal_x as optimal_x
from .mining import simulate_mining as simulate_mining
from .shor import discrete_log as discrete_log
from .shor import period_finding as period_finding

__all__ = [
    "MiningModel",
    "ToyHash",
    "discrete_log",
    "grover_circuit",
    "grover_curve",
    "grover_mine",
    "optimal_measurement_minutes",
    "optimal_x",
    "period_finding",
    "simulate_mining",
    "speedup_table",
]
