"""PyTorch state-vector simulator (CPU and CUDA, complex64/complex128, autograd-aware)."""

from .api import expectation as expectation
from .api import outcome_probabilities as outcome_probabilities
from .api import probabilities as probabilities
from .api import sample as sample
from .api import state as state
from .batch import state_batch as state_batch
from .kernels import StateVector as StateVector
from .memory import check_memory as check_memory

__all__ = ["StateVector", "check_memory", "expectation", "outcome_probabilities", "probabilities", "sample", "state",
           "state_batch"]
