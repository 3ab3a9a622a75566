"""Random circuit sampling: Sycamore-style circuits, brickwork circuits and the linear cross-entropy benchmark."""

from .circuits import SYCAMORE_DEAD_QUBIT as SYCAMORE_DEAD_QUBIT
from .circuits import SYCAMORE_SITES as SYCAMORE_SITES
from .circuits import brickwork_circuit as brickwork_circuit
from .circuits import grid_couplers as grid_couplers
from .circuits import grid_sites as grid_sites
from .circuits import patch_sites as patch_sites
from .circuits import pattern_couplers as pattern_couplers
from .circuits import sycamore_circuit as sycamore_circuit
from .xeb import SYCAMORE_ERRORS as SYCAMORE_ERRORS
from .xeb import XEBExperiment as XEBExperiment
from .xeb import XEBPoint as XEBPoint
from .xeb import XEBResult as XEBResult
from .xeb import linear_xeb as linear_xeb
from .xeb import pauli_error_model as pauli_error_model
from .xeb import run_xeb_experiment as run_xeb_experiment

__all__ = [
    "SYCAMORE_DEAD_QUBIT",
    "SYCAMORE_ERRORS",
    "SYCAMORE_SITES",
    "XEBExperiment",
    "XEBPoint",
    "XEBResult",
    "brickwork_circuit",
    "grid_couplers",
    "grid_sites",
    "linear_xeb",
    "patch_sites",
    "pattern_couplers",
    "pauli_error_model",
    "run_xeb_experiment",
    "sycamore_circuit",
]
