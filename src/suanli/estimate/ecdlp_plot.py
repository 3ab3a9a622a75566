"""Plot of the ECDLP estimator's physical qubits vs run time (matplotlib, Agg backend)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from .ecdlp import PUBLISHED, PUBLISHED_10_MIN, EcdlpEstimate

__all__ = ["plot_qubits_vs_time"]


def plot_qubits_vs_time(
    curves: dict[str, Sequence[EcdlpEstimate]], path: str | Path, *, show_published: bool = True
) -> Path:
    """Physical qubits vs run time for each construction, with the 10-minute block window and, for
    256-bit curves, Webber et al.'s published points."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 4.5))
    bits = None
    for name, ests in curves.items():
        bits = ests[0].cost.bits
        ax.loglog([e.hours for e in ests], [e.physical_qubits for e in ests], label=f"{name} ({bits}-bit)")
    ax.axvspan(1 / 60, 10 / 60, color="orange", alpha=0.15)
    ax.axvline(10 / 60, color="orange", lw=1.5, label="10-minute block window")
    if show_published and bits == 256:
        ax.loglog(list(PUBLISHED), list(PUBLISHED.values()), "k*", ms=11, label="Webber et al. 2022")
        ax.loglog([10 / 60], [PUBLISHED_10_MIN], "k+", ms=11, label="Webber et al. (10 min)")
    ax.set_xlabel("run time (hours)")
    ax.set_ylabel("physical qubits")
    ax.set_title("Breaking an elliptic-curve key: qubits vs time (surface code)")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    path = Path(path)
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path
