"""Tensor-network backend: circuit → tensor network in torch, cotengra contraction paths with slicing, and an
MPS simulator with bond truncation. ``amplitude(..., rehearse=True)`` reports the cost without contracting.
"""

from .api import amplitude as amplitude
from .api import expectation_lightcone as expectation_lightcone
from .api import rehearse_amplitude as rehearse_amplitude
from .mps import MPS as MPS
from .mps import MPSResult as MPSResult
from .mps import simulate_mps as simulate_mps
from .network import ContractionCost as ContractionCost
from .network import TensorNetwork as TensorNetwork
from .network import circuit_network as circuit_network
from .network import contract as contract
from .network import contraction_key as contraction_key
from .network import find_tree as find_tree
from .network import load_tree as load_tree
from .network import save_tree as save_tree
from .network import tree_cost as tree_cost

__all__ = [
    "MPS",
    "ContractionCost",
    "MPSResult",
    "TensorNetwork",
    "amplitude",
    "circuit_network",
    "contract",
    "contraction_key",
    "expectation_lightcone",
    "find_tree",
    "load_tree",
    "rehearse_amplitude",
    "save_tree",
    "simulate_mps",
    "tree_cost",
]
