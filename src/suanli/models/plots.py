"""Plots of trained models (matplotlib, Agg backend, PNG files)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

__all__ = ["plot_born", "plot_qcbm", "plot_qgan", "plot_vqe"]


def _pyplot() -> Any:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def plot_qcbm(result: Any, path: str | Path) -> Path:
    """Loss and KL per step, and the model distribution against the target (a QCBMResult)."""
    plt = _pyplot()
    fig, axes = plt.subplots(1, 2, figsize=(11, 4))
    ax = axes[0]
    ax.semilogy(result.history["loss"], label="MMD²")
    ax.semilogy(result.history["kl"], label="KL(π‖p)")
    ax.set_xlabel("loss-and-gradient evaluation")
    ax.legend()
    ax.set_title(f"QCBM {result.target}: {result.num_qubits} qubits, depth {result.depth}")
    ax = axes[1]
    x = np.arange(len(result.probabilities))
    if result.target == "bas":
        support = np.flatnonzero(result.target_probabilities > 0)
        other = 1.0 - float(result.probabilities[support].sum())
        labels = [format(int(i), f"0{result.num_qubits}b") for i in support] + ["other"]
        ax.bar(np.arange(len(labels)) - 0.2, [*result.target_probabilities[support], 0.0], width=0.4, label="target")
        ax.bar(np.arange(len(labels)) + 0.2, [*result.probabilities[support], other], width=0.4, label="model")
        ax.set_xticks(np.arange(len(labels)), labels, rotation=90, fontsize=7)
    else:
        ax.plot(x, result.target_probabilities, label="target")
        ax.plot(x, result.probabilities, label="model")
        ax.set_xlabel("x")
    ax.set_ylabel("probability")
    ax.legend()
    fig.tight_layout()
    out = Path(path)
    fig.savefig(out, dpi=120)
    plt.close(fig)
    return out


def plot_vqe(result: Any, path: str | Path) -> Path:
    """Energy and relative error per evaluation (a VQEResult)."""
    plt = _pyplot()
    fig, axes = plt.subplots(1, 2, figsize=(10, 4))
    axes[0].plot(result.history["energy"], label="VQE")
    axes[0].axhline(result.exact_energy, color="k", ls="--", label="exact")
    axes[0].set_xlabel("energy-and-gradient evaluation")
    axes[0].set_ylabel("⟨H⟩")
    axes[0].legend()
    axes[0].set_title(f"TFIM ring n={result.num_qubits}, J={result.j}, h={result.h}, {result.layers} layers")
    axes[1].semilogy(np.maximum(result.history["relative_error"], 1e-16))
    axes[1].set_xlabel("energy-and-gradient evaluation")
    axes[1].set_ylabel("|E - E₀| / |E₀|")
    fig.tight_layout()
    out = Path(path)
    fig.savefig(out, dpi=120)
    plt.close(fig)
    return out


def plot_qgan(result: Any, path: str | Path) -> Path:
    """Generated images next to real ones, and the losses (a QGANResult)."""
    plt = _pyplot()
    k = min(8, len(result.samples))
    fig, axes = plt.subplots(3, k, figsize=(1.4 * k, 4.6))
    for i in range(k):
        axes[0, i].imshow(result.real[i], cmap="gray", vmin=0, vmax=1)
        axes[1, i].imshow(result.samples[i], cmap="gray", vmin=0, vmax=1)
        for r in (0, 1):
            axes[r, i].axis("off")
    axes[0, 0].set_title("real", fontsize=8, loc="left")
    axes[1, 0].set_title("generated", fontsize=8, loc="left")
    gs = axes[2, 0].get_gridspec()
    for ax in axes[2, :]:
        ax.remove()
    ax = fig.add_subplot(gs[2, :])
    ax.plot(result.history["d_loss"], label="discriminator")
    ax.plot(result.history["g_loss"], label="generator")
    ax.set_xlabel("step")
    ax.legend(fontsize=7)
    fig.tight_layout()
    out = Path(path)
    fig.savefig(out, dpi=120)
    plt.close(fig)
    return out


def plot_born(result: Any, path: str | Path) -> Path:
    """Training NLL versus the maximal bond dimension, with the ideal ln |T| (a BornResult)."""
    plt = _pyplot()
    fig, axes = plt.subplots(1, 2, figsize=(10, 4))
    axes[0].plot(result.max_bonds, result.nll, "o-", label="MPS Born machine")
    axes[0].axhline(result.ideal_nll, color="k", ls="--", label="ln |T| (memorised data)")
    axes[0].set_xscale("log", base=2)
    axes[0].set_xlabel("maximal bond dimension")
    axes[0].set_ylabel("training NLL (nats)")
    axes[0].set_title(f"{result.data}: {result.num_bits} bits, {result.num_samples} samples")
    axes[0].legend()
    axes[1].plot(result.max_bonds, result.valid_fraction, "o-")
    axes[1].set_xscale("log", base=2)
    axes[1].set_ylim(0, 1.05)
    axes[1].set_xlabel("maximal bond dimension")
    axes[1].set_ylabel("exact samples in the training set")
    fig.tight_layout()
    out = Path(path)
    fig.savefig(out, dpi=120)
    plt.close(fig)
    return out
