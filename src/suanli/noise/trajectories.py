"""Noisy simulation by quantum trajectories on the state vector (CPU and CUDA, trajectories in batches).

Each trajectory is a pure state. After every gate (applied with the state-vector kernels), every channel
the noise model attaches is *unravelled*: a Pauli channel applies one Pauli string drawn from its
probabilities (no look at the state); a general channel applies K_i/‖K_i ψ‖ with probability ‖K_i ψ‖².
``batch`` trajectories run at once as one ``(batch, 2**n)`` tensor: each channel application draws one
choice per trajectory and applies the per-trajectory matrices in one batched kernel call. The average of
|ψ_t><ψ_t| over trajectories converges to the density matrix; the sampled bitstrings follow the noisy
distribution exactly (each shot comes from its own trajectory when ``trajectories == shots``).

Seeds: ``seed`` drives one NumPy generator for every random choice (channels, shots, readout flips). The same
seed, circuit, noise model, batch size, suanli version, device and precision give the same bitstrings.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch

from ..circuit import Circuit
from ..errors import SuanliError
from ..results import Counts
from ..sim.statevector import StateVector, check_memory
from ..sim.statevector.engine import Op, apply_gate, resolve_device, resolve_dtype
from ..sim.statevector.sampling import bits_from_indices, sample_from_probabilities
from .channels import KrausChannel
from .model import NoiseModel, compile_noisy

__all__ = ["TrajectoryResult", "apply_readout_error", "run_trajectories"]

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class TrajectoryResult:
    """Samples of a noisy circuit.

    Attributes:
        bits: (shots, n) uint8 array, column q = qubit q (after readout errors).
        trajectories: number of trajectories simulated.
        probabilities: mean over trajectories of |ψ_t|² (2**n float64, big-endian, before readout errors)
            when requested, else None.
    """

    bits: np.ndarray
    trajectories: int
    probabilities: torch.Tensor | None = None

    def __post_init__(self) -> None:
        if self.bits.ndim != 2 or self.trajectories < 1:
            raise SuanliError("TrajectoryResult needs a (shots, n) bit array and at least one trajectory")

    @property
    def shots(self) -> int:
        return int(self.bits.shape[0])

    def bitstrings(self) -> list[str]:
        """One string per shot, qubit 0 leftmost."""
        return ["".join("1" if b else "0" for b in row) for row in self.bits]

    def counts(self) -> Counts:
        out: dict[str, int] = {}
        for s in self.bitstrings():
            out[s] = out.get(s, 0) + 1
        return Counts(out)


def _apply_channel(
    sv: StateVector,
    channel: KrausChannel,
    qubits: tuple[int, ...],
    rng: np.random.Generator,
    cache: dict[int, Any],
) -> None:
    """Unravel one channel application on every trajectory of the batch."""
    b = sv.batch
    key = id(channel)
    if key not in cache:
        mats = torch.stack([torch.from_numpy(k) for k in channel.kraus]).to(dtype=sv.dtype, device=sv.device)
        cache[key] = mats
    mats = cache[key]
    if channel.is_pauli:
        probs = np.array([p for _, p in channel.pauli], dtype=np.float64)
        choice = rng.choice(len(probs), size=b, p=probs / probs.sum())
        ident = [i for i, (lab, _) in enumerate(channel.pauli) if set(lab) == {"I"}]
        if ident and (choice == ident[0]).all():
            return  # every trajectory drew the identity
        unitaries = mats / torch.sqrt(torch.tensor(probs, dtype=mats.real.dtype, device=mats.device))[:, None, None]
        sv.apply_matrix(unitaries[torch.from_numpy(choice).to(sv.device)], qubits)
        return
    # general channel: probabilities from the state
    norms = []
    for k in range(mats.shape[0]):
        trial = sv.clone()
        trial.apply_matrix(mats[k], qubits)
        norms.append((trial.data.abs() ** 2).sum(dim=1).to(torch.float64))
        del trial
    p = torch.stack(norms, dim=1).cpu().numpy()  # (B, K)
    p = np.clip(p, 0, None)
    p /= p.sum(axis=1, keepdims=True)
    u = rng.random(b)
    choice = np.minimum((np.cumsum(p, axis=1) < u[:, None]).sum(axis=1), p.shape[1] - 1)
    scale = 1.0 / np.sqrt(np.maximum(p[np.arange(b), choice], 1e-300))
    chosen = mats[torch.from_numpy(choice).to(sv.device)] * torch.from_numpy(scale).to(
        device=sv.device, dtype=mats.real.dtype
    )[:, None, None]
    sv.apply_matrix(chosen, qubits)


def apply_readout_error(bits: np.ndarray, model: NoiseModel, rng: np.random.Generator) -> np.ndarray:
    """Flip measured bits with the model's readout-error probabilities (returns a new array)."""
    out = bits.copy()
    for q in range(bits.shape[1]):
        err = model.readout_error(q)
        if err is None:
            continue
        col = out[:, q]
        u = rng.random(col.shape[0])
        flip = np.where(col == 0, u < err.p0to1, u < err.p1to0)
        out[:, q] = col ^ flip.astype(np.uint8)
    return out


def run_trajectories(
    circuit: Circuit,
    noise: NoiseModel,
    *,
    shots: int,
    trajectories: int | None = None,
    batch: int = 64,
    seed: int | None = None,
    device: Any = None,
    dtype: Any = torch.complex64,
    return_probabilities: bool = False,
    progress: Progress | None = None,
) -> TrajectoryResult:
    """Sample a noisy circuit by quantum trajectories.

    Args:
        circuit: a unitary circuit (terminal measurements allowed; every qubit is read out).
        noise: the :class:`NoiseModel`.
        shots: number of bitstrings.
        trajectories: number of trajectories (default: ``shots``, one trajectory per shot, exact sampling);
            the shots are split evenly between them.
        batch: trajectories simulated at once (memory: ``2 * batch`` state vectors).
        seed: seeds every random choice (see the module docstring).
        device: ``None`` = CUDA when available.
        dtype: complex64 or complex128.
        return_probabilities: also return the mean of |ψ_t|² over trajectories (2**n floats).
        progress: ``progress(done, total)`` in trajectories.

    Examples:
        >>> import suanli
        >>> from suanli.noise import NoiseModel, bit_flip
        >>> nm = NoiseModel().add_gate_error(bit_flip(1.0), gates=["h"])  # an X after every h
        >>> r = run_trajectories(suanli.Circuit(1).h(0).h(0), nm, shots=4, seed=1, device="cpu")
        >>> r.counts()  # H X H X |0> = |1>
        Counts({'1': 4})
    """
    if shots < 1:
        raise SuanliError(f"shots must be at least 1, got {shots}")
    trajectories = shots if trajectories is None else int(trajectories)
    if trajectories < 1:
        raise SuanliError(f"trajectories must be at least 1, got {trajectories}")
    if batch < 1:
        raise SuanliError(f"batch must be at least 1, got {batch}")
    dev = resolve_device(device)
    dt = resolve_dtype(dtype)
    n = circuit.num_qubits
    batch = min(batch, trajectories)
    check_memory(n, dt, dev, copies=3, batch=batch, what="batch of noisy trajectories")
    steps = compile_noisy(circuit, noise, dtype=dt, device=dev)
    rng = np.random.default_rng(seed)
    per_traj = np.full(trajectories, shots // trajectories, dtype=np.int64)
    per_traj[: shots % trajectories] += 1
    cache: dict[int, Any] = {}
    rows: list[np.ndarray] = []
    mean = torch.zeros(1 << n, dtype=torch.float64, device=dev) if return_probabilities else None
    done = 0
    while done < trajectories:
        b = min(batch, trajectories - done)
        sv = StateVector(n, batch=b, dtype=dt, device=dev)
        for step in steps:
            if isinstance(step, Op):
                apply_gate(sv, step)
            else:
                _apply_channel(sv, step[0], step[1], rng, cache)
        psi = sv.canonical()
        if mean is not None:
            mean += (psi.abs() ** 2).to(torch.float64).sum(dim=0)
        for t in range(b):
            k = int(per_traj[done + t])
            if k:
                idx = sample_from_probabilities(psi[t], k, rng)
                rows.append(bits_from_indices(idx, n))
        done += b
        if progress is not None:
            progress(done, trajectories)
    bits = np.concatenate(rows) if rows else np.zeros((0, n), dtype=np.uint8)
    bits = apply_readout_error(bits, noise, rng)
    probs = mean / trajectories if mean is not None else None
    return TrajectoryResult(bits=bits, trajectories=trajectories, probabilities=probs)
