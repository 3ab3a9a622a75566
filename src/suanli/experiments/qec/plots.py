"""Plots (matplotlib, Agg backend, PNG): ε_d against d with the Λ fit, and ε_d against the physical error rate."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from .experiment import LambdaResult, ThresholdResult
from .fits import per_round_probability

__all__ = ["plot_lambda", "plot_threshold"]


def plot_lambda(result: LambdaResult, path: str | Path) -> Path:
    """Two panels: logical error against rounds per distance (with the fitted curves), and ε_d against d."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    path = Path(path)
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 4))
    distances = sorted(result.eps)
    for d in distances:
        mine = sorted((s for s in result.stats if s.point.distance == d and s.shots), key=lambda s: s.point.rounds)
        r = np.array([s.point.rounds for s in mine])
        rate = np.array([s.rate for s in mine])
        err = np.sqrt(np.maximum(rate * (1 - rate), 1e-30) / np.array([s.shots for s in mine]))
        line = ax1.errorbar(r, rate, yerr=err, fmt="o", label=f"d={d}")
        rr = np.linspace(1, max(r.max(), 1), 100)
        ax1.plot(rr, per_round_probability(result.eps[d].eps, rr), color=line[0].get_color(), lw=1)
    ax1.set_xlabel("rounds r")
    ax1.set_ylabel("logical error probability P_L(r)")
    ax1.set_yscale("log")
    ax1.legend()
    ax1.set_title(f"{result.code} code, {result.noise.description}", fontsize=9)

    eps = np.array([result.eps[d].eps for d in distances])
    low = np.array([result.eps[d].low for d in distances])
    high = np.array([result.eps[d].high for d in distances])
    ax2.errorbar(distances, eps, yerr=[eps - low, high - eps], fmt="o", label="ε_d (95 % interval)")
    dd = np.linspace(min(distances), max(distances), 50)
    ax2.plot(
        dd,
        [result.lam.predict(x) for x in dd],
        "-",
        lw=1,
        label=f"Λ = {result.lam.lam:.2f} [{result.lam.low:.2f}, {result.lam.high:.2f}]",
    )
    ax2.set_yscale("log")
    ax2.set_xlabel("code distance d")
    ax2.set_ylabel("logical error per cycle ε_d")
    ax2.set_xticks(distances)
    ax2.legend()
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path


def plot_threshold(result: ThresholdResult, path: str | Path) -> Path:
    """ε_d against the physical error rate, one curve per distance, with the threshold estimate."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    path = Path(path)
    fig, ax = plt.subplots(figsize=(6, 4.5))
    ps = np.array(result.ps)
    for d in sorted(result.results[0].eps):
        fits = [r.eps[d] for r in result.results]
        eps = np.array([f.eps for f in fits])
        lo = np.array([f.low for f in fits])
        hi = np.array([f.high for f in fits])
        ax.errorbar(ps, eps, yerr=[eps - lo, hi - eps], fmt="o-", label=f"d={d}", capsize=2)
    if result.threshold is not None:
        ax.axvline(result.threshold, color="gray", ls="--", lw=1, label=f"threshold ≈ {result.threshold:.2%}")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel(f"physical error rate p ({result.noise_name})")
    ax.set_ylabel("logical error per cycle ε_d")
    ax.legend()
    ax.set_title(f"{result.code} code threshold", fontsize=10)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path
