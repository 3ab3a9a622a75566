"""Quantum error correction below threshold: surface- and repetition-code memory experiments.

Stim generates the circuits, :mod:`~suanli.experiments.qec.noise` adds named noise (uniform depolarizing,
SI1000, a hardware spec such as Willow's), sinter samples them in parallel and PyMatching decodes, with a
resumable CSV store; :mod:`~suanli.experiments.qec.fits` turns the counts into the logical error per cycle ε_d,
the suppression factor Λ and threshold crossings.

Examples:
    >>> from suanli.experiments.qec import memory_circuit, si1000
    >>> memory_circuit("surface", 3, 2, "z", si1000(0.001)).num_detectors
    16
"""

from __future__ import annotations

from .experiment import WILLOW_RESULT as WILLOW_RESULT
from .experiment import LambdaResult as LambdaResult
from .experiment import ThresholdResult as ThresholdResult
from .experiment import default_rounds as default_rounds
from .experiment import run_lambda as run_lambda
from .experiment import run_threshold as run_threshold
from .experiment import willow_comparison as willow_comparison
from .fits import LambdaFit as LambdaFit
from .fits import PerCycleFit as PerCycleFit
from .fits import fit_error_per_cycle as fit_error_per_cycle
from .fits import fit_lambda as fit_lambda
from .fits import per_round_probability as per_round_probability
from .fits import threshold_crossings as threshold_crossings
from .memory import MemoryPoint as MemoryPoint
from .memory import MemoryStats as MemoryStats
from .memory import collect as collect
from .memory import memory_circuit as memory_circuit
from .noise import WILLOW as WILLOW
from .noise import HardwareSpec as HardwareSpec
from .noise import NoiseModel as NoiseModel
from .noise import hardware_noise as hardware_noise
from .noise import noise_model as noise_model
from .noise import si1000 as si1000
from .noise import uniform_depolarizing as uniform_depolarizing

__all__ = [
    "WILLOW",
    "WILLOW_RESULT",
    "HardwareSpec",
    "LambdaFit",
    "LambdaResult",
    "MemoryPoint",
    "MemoryStats",
    "NoiseModel",
    "PerCycleFit",
    "ThresholdResult",
    "collect",
    "default_rounds",
    "fit_error_per_cycle",
    "fit_lambda",
    "hardware_noise",
    "memory_circuit",
    "noise_model",
    "per_round_probability",
    "run_lambda",
    "run_threshold",
    "si1000",
    "threshold_crossings",
    "uniform_depolarizing",
    "willow_comparison",
]
