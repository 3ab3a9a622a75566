"""PNG plots of the video experiment: the loss curve and image strips of true and generated clips."""

from __future__ import annotations

import os
from collections.abc import Sequence

import numpy as np
import torch

__all__ = ["plot_losses", "plot_strips"]


def plot_losses(losses: Sequence[float], path: str | os.PathLike, *, window: int = 20) -> None:
    """The training loss per step and its running mean over ``window`` steps."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    y = np.asarray(losses, dtype=float)
    fig, ax = plt.subplots(figsize=(6, 3.5))
    ax.plot(y, lw=0.6, alpha=0.5, label="loss")
    if len(y) >= window:
        ax.plot(np.arange(window - 1, len(y)), np.convolve(y, np.ones(window) / window, "valid"), label="mean")
    ax.set_xlabel("step")
    ax.set_ylabel("rectified-flow loss")
    ax.set_yscale("log")
    ax.grid(alpha=0.3)
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def plot_strips(
    true: torch.Tensor, fake: torch.Tensor, labels: Sequence[str], path: str | os.PathLike, *, context: int
) -> None:
    """For each clip: one row of true frames and one row of generated frames (the context frames are framed)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    b, _, f, _, _ = true.shape
    fig, axes = plt.subplots(2 * b, f, figsize=(f * 0.75, 2 * b * 0.85), squeeze=False)
    for i in range(b):
        for row, video, name in ((2 * i, true, "true"), (2 * i + 1, fake, "generated")):
            for t in range(f):
                ax = axes[row, t]
                ax.imshow(video[i, :, t].permute(1, 2, 0).clamp(0, 1).numpy(), interpolation="nearest")
                ax.set_xticks([])
                ax.set_yticks([])
                for spine in ax.spines.values():
                    spine.set_color("orange" if t < context else "gray")
                if t == 0:
                    ax.set_ylabel(f"{labels[i]}\n{name}", fontsize=6)
    fig.tight_layout(pad=0.1)
    fig.savefig(path, dpi=110)
    plt.close(fig)
