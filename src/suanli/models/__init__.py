"""Quantum and quantum-inspired generative models and variational algorithms, with training loops and metrics.

- :func:`train_qcbm`: quantum circuit Born machine with the MMD loss (Liu & Wang 2018).
- :func:`train_qgan`: patch quantum GAN on 8×8 digits (Huang et al. 2021).
- :func:`train_born`: MPS Born machine with adaptive bond dimension (Han et al. 2018).
- :func:`train_vqe`: VQE for the transverse-field Ising ring, against the exact energy.
"""

from __future__ import annotations

from .born import BornResult as BornResult
from .born import MPSBornMachine as MPSBornMachine
from .born import train_born as train_born
from .qcbm import QCBMResult as QCBMResult
from .qcbm import train_qcbm as train_qcbm
from .qgan import PatchGenerator as PatchGenerator
from .qgan import QGANResult as QGANResult
from .qgan import train_qgan as train_qgan
from .vqe import VQEResult as VQEResult
from .vqe import train_vqe as train_vqe

__all__ = [
    "BornResult",
    "MPSBornMachine",
    "PatchGenerator",
    "QCBMResult",
    "QGANResult",
    "VQEResult",
    "train_born",
    "train_qcbm",
    "train_qgan",
    "train_vqe",
]
