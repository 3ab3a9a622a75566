"""Linear cross-entropy benchmarking (XEB) and the depth × noise experiment behind ``suanli xeb``.

Linear XEB of samples x_1…x_N of an n-qubit circuit with ideal output probabilities P:
F = 2**n ⟨P(x_i)⟩ − 1. For ideal samples of a random circuit (Porter–Thomas distribution) F → 1; for
uniformly random bitstrings F → 0. Its statistical error is ``2**n · std(P(x_i)) / √N`` (for small F about
1/√N). Under the digital error model, F ≈ Π(1 − e_g) over every gate and readout error (Arute et al.,
Nature 574, 505 (2019), supplementary information).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import torch

from ...circuit import Circuit
from ...errors import SuanliError
from ...noise import NoiseModel, depolarizing, run_trajectories
from ...noise.channels import ReadoutError
from ...sim.statevector import probabilities as sv_probabilities
from .circuits import sycamore_circuit

__all__ = ["XEBExperiment", "XEBPoint", "XEBResult", "linear_xeb", "pauli_error_model", "run_xeb_experiment"]

Progress = Callable[[int, int], None]

#: Published Sycamore error rates (Arute et al. 2019, Fig. 2, simultaneous operation): Pauli error of
#: single-qubit gates 0.16 %, of two-qubit cycles 0.62 %, readout 3.8 %.
SYCAMORE_ERRORS = {"e1": 0.0016, "e2": 0.0062, "readout": 0.038}


@dataclass(frozen=True)
class XEBResult:
    """Linear XEB fidelity ``fidelity`` ± ``stderr`` from ``shots`` samples of ``num_qubits`` qubits."""

    fidelity: float
    stderr: float
    shots: int
    num_qubits: int

    def __post_init__(self) -> None:
        if self.shots < 1 or self.num_qubits < 1 or not math.isfinite(self.fidelity) or self.stderr < 0:
            raise ValueError(f"invalid XEB result {self}")


def _indices(samples: Any, n: int | None) -> tuple[np.ndarray, int]:
    if isinstance(samples, (np.ndarray, torch.Tensor)):
        arr = np.asarray(samples.cpu() if isinstance(samples, torch.Tensor) else samples)
        if arr.ndim == 2:
            width = arr.shape[1]
            weights = 1 << np.arange(width - 1, -1, -1, dtype=np.int64)
            return (arr.astype(np.int64) * weights).sum(axis=1), width
        if arr.ndim == 1 and n is not None:
            return arr.astype(np.int64), n
        raise SuanliError("samples as a 1-D array of indices need num_qubits=")
    items = list(samples)
    if not items or not all(isinstance(s, str) for s in items):
        raise SuanliError("samples must be bitstrings, a (N, n) 0/1 array, or indices with num_qubits=")
    width = len(items[0])
    if any(len(s) != width or set(s) - {"0", "1"} for s in items):
        raise SuanliError("every sample bitstring must have the same length and only 0/1")
    return np.array([int(s, 2) for s in items], dtype=np.int64), width


def linear_xeb(
    samples: Any,
    ideal: Circuit | np.ndarray | torch.Tensor | None = None,
    *,
    sample_probabilities: Sequence[float] | np.ndarray | None = None,
    num_qubits: int | None = None,
) -> XEBResult:
    """Linear XEB fidelity F = 2**n ⟨P(x)⟩ − 1 with its standard error.

    Args:
        samples: bitstrings (qubit 0 leftmost), a (N, n) 0/1 array, or basis-state indices (with ``num_qubits``).
        ideal: the ideal distribution as a 2**n probability vector (big-endian), or the circuit (its ideal
            probabilities are computed with the state vector, in double precision).
        sample_probabilities: instead of ``ideal``, the ideal probability of each sample (e.g. from
            :func:`suanli.amplitude` on a circuit too wide for a state vector); needs ``num_qubits``.
        num_qubits: n, when the samples do not tell it.

    Examples:
        >>> import numpy as np
        >>> p = np.array([0.5, 0.25, 0.125, 0.125])
        >>> r = linear_xeb(["00", "00", "01", "10"], p)
        >>> r.fidelity, r.shots
        (0.375, 4)
    """
    idx, width = _indices(samples, num_qubits)
    n = num_qubits or width
    if sample_probabilities is not None:
        if ideal is not None:
            raise SuanliError("give either ideal= or sample_probabilities=, not both")
        px = np.asarray(sample_probabilities, dtype=np.float64).reshape(-1)
        if px.shape[0] != idx.shape[0]:
            raise SuanliError(f"{px.shape[0]} sample probabilities for {idx.shape[0]} samples")
    else:
        if ideal is None:
            raise SuanliError("linear_xeb needs ideal= (a circuit or a probability vector) or sample_probabilities=")
        if isinstance(ideal, Circuit):
            if ideal.num_qubits != n:
                raise SuanliError(f"the circuit has {ideal.num_qubits} qubits but the samples have {n} bits")
            probs = sv_probabilities(ideal.copy(), device="cpu", dtype=torch.complex128).reshape(-1)
            vec = probs.cpu().numpy()
        else:
            vec = np.asarray(ideal.cpu() if isinstance(ideal, torch.Tensor) else ideal, dtype=np.float64).reshape(-1)
        if vec.shape[0] != 1 << n:
            raise SuanliError(f"an ideal distribution of {n} qubits has {1 << n} entries, got {vec.shape[0]}")
        if idx.size and (idx.min() < 0 or idx.max() >= vec.shape[0]):
            raise SuanliError("a sample index is out of range")
        px = vec[idx]
    dim = float(2**n)
    shots = int(px.shape[0])
    if shots < 1:
        raise SuanliError("linear_xeb needs at least one sample")
    fid = dim * float(px.mean()) - 1.0
    err = dim * float(px.std(ddof=1)) / math.sqrt(shots) if shots > 1 else float("inf")
    return XEBResult(fidelity=fid, stderr=err if math.isfinite(err) else 0.0, shots=shots, num_qubits=n)


def pauli_error_model(e1: float, e2: float, readout: float) -> NoiseModel:
    """Depolarizing noise with Pauli error e1 after one-qubit gates, e2 after two-qubit gates, and symmetric
    readout error ``readout`` (a depolarizing parameter λ has Pauli error λ(1 − 4**-k))."""
    nm = NoiseModel()
    if e1 > 0:
        nm.add_gate_error(depolarizing(e1 * 4 / 3, 1), arity=1)
    if e2 > 0:
        nm.add_gate_error(depolarizing(e2 * 16 / 15, 2), arity=2)
    if readout > 0:
        nm.add_readout_error(ReadoutError(readout, readout))
    return nm


@dataclass(frozen=True)
class XEBPoint:
    """One (cycles, noise scale) cell of the experiment."""

    cycles: int
    scale: float
    fidelity: float
    stderr: float
    predicted: float
    shots: int


@dataclass(frozen=True)
class XEBExperiment:
    """Settings and results of :func:`run_xeb_experiment`."""

    grid: tuple[int, int]
    num_qubits: int
    e1: float
    e2: float
    readout: float
    shots: int
    seed: int | None
    points: tuple[XEBPoint, ...] = field(default=())

    def as_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["points"] = [asdict(p) for p in self.points]
        return d

    def plot(self, path: str) -> None:
        """Measured F (points with 1σ bars) and the digital-error-model prediction (lines) against cycles."""
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        fig, ax = plt.subplots(figsize=(6.4, 4.4))
        scales = sorted({p.scale for p in self.points})
        for i, s in enumerate(scales):
            pts = sorted((p for p in self.points if p.scale == s), key=lambda p: p.cycles)
            color = f"C{i}"
            ax.errorbar([p.cycles for p in pts], [p.fidelity for p in pts], yerr=[p.stderr for p in pts],
                        fmt="o", color=color, capsize=3, label=f"measured, noise ×{s:g}")
            ax.plot([p.cycles for p in pts], [p.predicted for p in pts], "-", color=color, alpha=0.7,
                    label=f"Π(1−e), noise ×{s:g}")
        ax.set_xlabel("cycles m")
        ax.set_ylabel("linear XEB fidelity")
        ax.set_title(f"{self.num_qubits}-qubit Sycamore-style circuits ({self.grid[0]}×{self.grid[1]} grid)")
        ax.axhline(0, color="grey", lw=0.5)
        ax.legend(fontsize=8)
        fig.tight_layout()
        fig.savefig(path, dpi=120)
        plt.close(fig)


def run_xeb_experiment(
    *,
    grid: tuple[int, int] = (3, 4),
    cycles: Sequence[int] = (2, 4, 6, 8, 10, 12),
    scales: Sequence[float] = (0.0, 1.0, 3.0),
    e1: float = SYCAMORE_ERRORS["e1"],
    e2: float = SYCAMORE_ERRORS["e2"],
    readout: float = SYCAMORE_ERRORS["readout"],
    shots: int = 2000,
    seed: int | None = 0,
    batch: int = 256,
    device: Any = None,
    progress: Progress | None = None,
) -> XEBExperiment:
    """Sample noisy Sycamore-style circuits and compare the measured linear XEB with Π(1 − e_g).

    For each cycle count m a circuit is drawn (seeded by ``seed`` and m) on the ``grid``; for each noise
    scale s the Pauli error rates (e1, e2, readout) are multiplied by s, ``shots`` bitstrings are sampled by
    quantum trajectories (one trajectory per shot: exact sampling of the noisy distribution), and F is
    computed against the ideal probabilities (state vector, double precision).
    """
    if any(m < 0 for m in cycles) or not cycles:
        raise SuanliError("cycles must be a non-empty list of non-negative integers")
    if any(s < 0 for s in scales) or not scales:
        raise SuanliError("scales must be a non-empty list of non-negative numbers")
    n = grid[0] * grid[1]
    if n > 20:
        raise SuanliError(f"the XEB experiment computes ideal probabilities by state vector; {n} qubits is too many")
    total = len(cycles) * len(scales)
    points = []
    done = 0
    for m in cycles:
        circuit = sycamore_circuit(int(m), grid=grid, seed=None if seed is None else seed * 1000 + int(m))
        ideal = sv_probabilities(circuit, device="cpu", dtype=torch.complex128).cpu().numpy()
        for s in scales:
            model = pauli_error_model(min(e1 * s, 0.75), min(e2 * s, 15 / 16), min(readout * s, 0.5))
            sub_seed = None if seed is None else seed * 7919 + int(m) * 101 + round(s * 1000)
            res = run_trajectories(circuit, model, shots=shots, batch=batch, seed=sub_seed, device=device)
            xeb = linear_xeb(res.bits, ideal)
            points.append(XEBPoint(int(m), float(s), xeb.fidelity, xeb.stderr, model.predicted_fidelity(circuit),
                                   shots))
            done += 1
            if progress is not None:
                progress(done, total)
    return XEBExperiment(tuple(grid), n, e1, e2, readout, shots, seed, tuple(points))  # type: ignore[arg-type]
