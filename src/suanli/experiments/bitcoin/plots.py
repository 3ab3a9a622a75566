"""PNG plots for the Bitcoin experiments (matplotlib, Agg backend)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

from .grover import GroverCurve, SpeedupRow
from .mining import MiningModel, optimal_x

__all__ = ["plot_grover_curve", "plot_mining", "plot_speedup"]


def _pyplot():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def plot_mining(models: Sequence[MiningModel], path: str | Path) -> Path:
    """Quantum miner's share of blocks vs measurement time, one curve per Grover rate (exact + small-power)."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(7, 4.5))
    block = models[0].block_minutes
    minutes = np.linspace(0.2, 6 * block, 300)
    for m in models:
        exact = [m.success_fraction(t * 60) for t in minutes]
        approx = [m.success_fraction_approx(t * 60) for t in minutes]
        (line,) = ax.plot(minutes, exact, label=f"r = {m.grover_rate:g} iterations/s")
        ax.plot(minutes, approx, ls=":", color=line.get_color())
    ax.axvline(optimal_x() * block, color="k", ls="--", lw=1, label=f"T* = {optimal_x() * block:.1f} min")
    ax.axvline(block, color="grey", ls="-.", lw=1, label=f"mean block time {block:g} min")
    ax.set_xlabel("measurement time T (minutes)")
    ax.set_ylabel("share of blocks mined by the quantum miner")
    ax.set_title(f"Grover miner vs a Poisson network (D = {models[0].difficulty:.3g}; dotted: small-power law)")
    ax.legend(fontsize=8)
    fig.tight_layout()
    path = Path(path)
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path


def plot_grover_curve(curve: GroverCurve, path: str | Path) -> Path:
    """Simulated success probability vs Grover iterations, with the ``sin²((2k+1)θ)`` law."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(6.5, 4))
    ks = np.array(curve.iterations)
    fine = np.linspace(0, ks.max(), 400)
    theta = np.arcsin(2.0 ** (-curve.zeros / 2))
    ax.plot(fine, np.sin((2 * fine + 1) * theta) ** 2, color="grey", label="sin²((2k+1)θ)")
    ax.plot(ks, curve.simulated, "o", label="suanli state vector")
    ax.set_xlabel("Grover iterations k")
    ax.set_ylabel("P(valid nonce)")
    ax.set_title(f"Toy Grover mining: {curve.bits}-bit nonce, {curve.zeros} leading zeros, {curve.num_qubits} qubits")
    ax.legend()
    fig.tight_layout()
    path = Path(path)
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path


def plot_speedup(rows: Sequence[SpeedupRow], path: str | Path) -> Path:
    """Expected oracle calls vs N/M: classical trials and Grover (simulated), log-log."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(6.5, 4))
    x = np.array([r.ratio_n_over_m for r in rows], dtype=float)
    ax.loglog(x, [r.classical_queries for r in rows], "s-", label="classical (N+1)/(M+1)")
    ax.loglog(x, [r.quantum_queries for r in rows], "o-", label="Grover k*/P(k*) (simulated)")
    ax.loglog(x, np.pi / 4 * np.sqrt(x), "k:", label="(π/4) sqrt(N/M)")
    ax.set_xlabel("N/M (inputs per valid nonce)")
    ax.set_ylabel("expected hash evaluations")
    ax.legend()
    fig.tight_layout()
    path = Path(path)
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path
