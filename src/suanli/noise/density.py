"""Exact noisy simulation with a density matrix (up to 12 qubits), on the state-vector kernels.

ρ (2**n × 2**n) is held as a pure-state tensor of 2n qubits, vec(ρ): the first n axes are the row qubits, the
last n the column qubits (qubit q's row axis is q, its column axis n + q). A gate U becomes U on the row
qubits and conj(U) on the column qubits; a channel becomes its superoperator Σ K ⊗ conj(K) on the 2k axes
(row qubits, then column qubits). Both are applied by the same :class:`~suanli.sim.statevector.StateVector`
kernels as pure states. Cost: memory 2 × 4**n amplitudes (1 GiB for 12 qubits in complex128).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch

from ..circuit import Circuit
from ..errors import SimulationTooLarge
from ..sim.statevector import StateVector
from ..sim.statevector.engine import Op, resolve_device, resolve_dtype
from .model import NoiseModel, compile_noisy

__all__ = ["MAX_DENSITY_QUBITS", "density_matrix", "noisy_probabilities"]

#: Largest number of qubits :func:`density_matrix` accepts.
MAX_DENSITY_QUBITS = 12


def density_matrix(
    circuit: Circuit,
    noise: NoiseModel | None = None,
    *,
    device: Any = None,
    dtype: Any = torch.complex128,
) -> torch.Tensor:
    """The final density matrix (2**n × 2**n, big-endian) of a circuit under a noise model (readout excluded).

    Examples:
        >>> import suanli
        >>> from suanli.noise import NoiseModel, depolarizing
        >>> nm = NoiseModel().add_gate_error(depolarizing(0.5), gates=["x"])
        >>> density_matrix(suanli.Circuit(1).x(0), nm, device="cpu").real
        tensor([[0.2500, 0.0000],
                [0.0000, 0.7500]], dtype=torch.float64)
    """
    n = circuit.num_qubits
    if n > MAX_DENSITY_QUBITS:
        raise SimulationTooLarge(
            f"a density matrix of {n} qubits holds 4**{n} entries; the limit is {MAX_DENSITY_QUBITS} qubits "
            "(use suanli.noise.run_trajectories for wider circuits)",
            bytes_needed=2 * 16 * 4**n,
            bytes_available=2 * 16 * 4**MAX_DENSITY_QUBITS,
        )
    dev = resolve_device(device)
    dt = resolve_dtype(dtype)
    steps = compile_noisy(circuit, noise or NoiseModel(), dtype=dt, device=dev)
    rho = StateVector(2 * n, dtype=dt, device=dev)  # |0><0| = vec index 0
    supers: dict[int, torch.Tensor] = {}
    for step in steps:
        if isinstance(step, Op):
            assert step.tensor is not None
            cols = tuple(q + n for q in step.qubits)
            if step.kind == "diagonal":
                rho.apply_diagonal(step.tensor, step.qubits)
                rho.apply_diagonal(step.tensor.conj(), cols)
            else:
                rho.apply_matrix(step.tensor, step.qubits)
                rho.apply_matrix(step.tensor.conj(), cols)
        else:
            channel, qubits = step
            key = id(channel)
            if key not in supers:
                supers[key] = torch.from_numpy(channel.superoperator()).to(dtype=dt, device=dev)
            rho.apply_matrix(supers[key], (*qubits, *(q + n for q in qubits)))
    d = 1 << n
    return rho.canonical().reshape(d, d)


def noisy_probabilities(
    circuit: Circuit,
    noise: NoiseModel | None = None,
    *,
    device: Any = None,
    dtype: Any = torch.complex128,
) -> torch.Tensor:
    """Outcome probabilities (2**n, big-endian, float64) of measuring every qubit, readout errors included."""
    noise = noise or NoiseModel()
    rho = density_matrix(circuit, noise, device=device, dtype=dtype)
    n = circuit.num_qubits
    p = torch.diagonal(rho).real.to(torch.float64).clamp_min(0).reshape([2] * n) if n else rho.real.reshape(1)
    for q in range(n):
        err = noise.readout_error(q)
        if err is None:
            continue
        m = torch.from_numpy(np.asarray(err.matrix(), dtype=np.float64)).to(p.device)
        p = torch.movedim(torch.tensordot(m, p, dims=([1], [q])), 0, q)
    return p.reshape(-1)
