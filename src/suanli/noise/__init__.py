"""Noise: channels (depolarizing, amplitude and phase damping, Pauli channels), readout errors, a
:class:`NoiseModel`, and two simulators that must agree: quantum trajectories on the state vector (CPU and
CUDA, batched) and an exact density matrix for up to 12 qubits.
"""

from .channels import KrausChannel as KrausChannel
from .channels import ReadoutError as ReadoutError
from .channels import amplitude_damping as amplitude_damping
from .channels import bit_flip as bit_flip
from .channels import depolarizing as depolarizing
from .channels import pauli_channel as pauli_channel
from .channels import phase_damping as phase_damping
from .channels import phase_flip as phase_flip
from .density import MAX_DENSITY_QUBITS as MAX_DENSITY_QUBITS
from .density import density_matrix as density_matrix
from .density import noisy_probabilities as noisy_probabilities
from .model import NoiseModel as NoiseModel
from .trajectories import TrajectoryResult as TrajectoryResult
from .trajectories import run_trajectories as run_trajectories

__all__ = [
    "MAX_DENSITY_QUBITS",
    "KrausChannel",
    "NoiseModel",
    "ReadoutError",
    "TrajectoryResult",
    "amplitude_damping",
    "bit_flip",
    "density_matrix",
    "depolarizing",
    "noisy_probabilities",
    "pauli_channel",
    "phase_damping",
    "phase_flip",
    "run_trajectories",
]
