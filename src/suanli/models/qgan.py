"""Patch quantum GAN on 8×8 handwritten digits (Huang et al., "Experimental quantum generative adversarial
networks for image generation", Phys. Rev. Applied 16, 024051 (2021), arXiv:2010.06201).

The generator is G sub-generators, each a circuit of n qubits of which ``ancillas`` are measured out. A latent
vector z (uniform in [0, π/2)) enters as RY(z_q) on every qubit, followed by ``depth`` layers of trainable RY
rotations and a CZ chain. Sub-generator g outputs the probabilities of the data qubits' basis states
conditioned on the ancillas reading 0 (the non-linearity of the patch method), scaled by their maximum; the
G patches of 2**(n - ancillas) pixels are concatenated into one image. With the defaults (5 qubits, 1 ancilla,
4 sub-generators) that is 4 × 16 = 64 pixels, one 8×8 image. All sub-generators and all latent vectors of a
batch run as one batch of circuits. The discriminator is a small fully connected torch network; both play
the usual binary cross-entropy game.

Metric: the mean-image distance ‖mean(generated) - mean(real)‖₂ / 8 (root-mean-square per pixel) and the
mean over generated images of the distance to the nearest real training image (per pixel, RMS).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import torch
from torch import nn

from ..circuit import Circuit
from ..errors import SuanliError
from ..sim.statevector import probabilities
from ..sim.statevector.engine import resolve_device
from .datasets import digits_8x8

__all__ = ["PatchGenerator", "QGANResult", "train_qgan"]

Progress = Callable[[int, int, dict[str, float]], None]


class PatchGenerator(nn.Module):
    """G quantum sub-generators whose post-selected outputs are concatenated into one image."""

    def __init__(self, *, qubits: int = 5, ancillas: int = 1, depth: int = 6, generators: int = 4) -> None:
        super().__init__()
        if not 0 < ancillas < qubits:
            raise SuanliError(f"need 0 < ancillas < qubits, got ancillas={ancillas}, qubits={qubits}")
        self.qubits, self.ancillas, self.depth, self.generators = qubits, ancillas, depth, generators
        self.weights = nn.Parameter(torch.rand(generators, depth, qubits) * 0.2 * math.pi)

    @property
    def num_pixels(self) -> int:
        return self.generators << (self.qubits - self.ancillas)

    def circuit(self, z: torch.Tensor, w: torch.Tensor) -> Circuit:
        """One batched circuit: z (N, qubits) latent angles, w (N, depth, qubits) weights."""
        n = self.qubits
        c = Circuit(n)
        for q in range(n):
            c.ry(z[:, q], q)
        for layer in range(self.depth):
            for q in range(n):
                c.ry(w[:, layer, q], q)
            for q in range(n - 1):
                c.cz(q, q + 1)
        return c

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        """Images (B, num_pixels) in [0, 1] from latent vectors z (B, qubits)."""
        b = z.shape[0]
        g = self.generators
        zz = z.repeat(g, 1)  # row g*B + i: sub-generator g, sample i
        ww = self.weights.repeat_interleave(b, dim=0)
        p = probabilities(self.circuit(zz, ww), device=z.device, dtype=torch.complex64)  # (G*B, 2**n)
        data = p[:, : 1 << (self.qubits - self.ancillas)]  # ancillas (the first qubits) read 0
        data = data / data.sum(dim=1, keepdim=True)
        patch = data / data.max(dim=1, keepdim=True).values
        return patch.reshape(g, b, -1).permute(1, 0, 2).reshape(b, -1)


def _discriminator(pixels: int) -> nn.Module:
    return nn.Sequential(
        nn.Linear(pixels, 64), nn.ReLU(), nn.Linear(64, 16), nn.ReLU(), nn.Linear(16, 1), nn.Sigmoid()
    )


@dataclass(frozen=True)
class QGANResult:
    """Outcome of :func:`train_qgan`: metrics, history, samples (8×8 arrays) and real images for comparison."""

    digit: int
    steps: int
    seconds: float
    seed: int
    mean_image_distance: float
    initial_mean_image_distance: float
    nearest_real_distance: float
    history: dict[str, list[float]] = field(repr=False)
    samples: np.ndarray = field(repr=False)
    real: np.ndarray = field(repr=False)

    def __post_init__(self) -> None:
        if self.samples.ndim != 3 or self.samples.shape[1:] != (8, 8):
            raise SuanliError(f"samples must have shape (N, 8, 8), got {self.samples.shape}")

    def metrics(self) -> dict[str, Any]:
        """The scalar results as a JSON-ready dict."""
        return {
            "model": "qgan",
            "digit": self.digit,
            "steps": self.steps,
            "seconds": self.seconds,
            "seed": self.seed,
            "mean_image_distance": self.mean_image_distance,
            "initial_mean_image_distance": self.initial_mean_image_distance,
            "nearest_real_distance": self.nearest_real_distance,
        }


def _mean_distance(fake: np.ndarray, real: np.ndarray) -> float:
    return float(np.sqrt(np.mean((fake.mean(0) - real.mean(0)) ** 2)))


def train_qgan(
    *,
    digit: int = 0,
    steps: int = 300,
    batch: int = 8,
    depth: int = 6,
    lr_generator: float = 0.3,
    lr_discriminator: float = 0.01,
    samples: int = 16,
    seed: int = 0,
    device: Any = "cpu",
    progress: Progress | None = None,
) -> QGANResult:
    """Train the patch quantum GAN on one digit class of scikit-learn's 8×8 digits (SGD, as Huang et al.).

    Args:
        digit: which digit class (0..9) to learn.
        steps: training steps (one discriminator and one generator update each).
        batch: images per step.
        depth: trainable layers per sub-generator.
        lr_generator, lr_discriminator: SGD learning rates.
        samples: images generated at the end for the metrics and the plot.
        seed: seeds weights, latent vectors and the order of the data (same seed, version, device → same run).
        device: where the circuits and the discriminator run.
        progress: optional callback ``progress(step, steps, {"d_loss": …, "g_loss": …})``.
    """
    if not 0 <= digit <= 9:
        raise SuanliError(f"digit must be 0..9, got {digit}")
    if steps < 1 or batch < 1 or samples < 1:
        raise SuanliError("steps, batch and samples must be at least 1")
    dev = resolve_device(device)
    torch.manual_seed(seed)
    rng = np.random.default_rng(seed)
    images, labels = digits_8x8()
    real_all = images[labels == digit].reshape(-1, 64).astype(np.float32)
    real_t = torch.as_tensor(real_all, device=dev)
    gen = PatchGenerator(depth=depth).to(dev)
    disc = _discriminator(gen.num_pixels).to(dev)
    opt_g = torch.optim.SGD(gen.parameters(), lr=lr_generator)
    opt_d = torch.optim.SGD(disc.parameters(), lr=lr_discriminator)
    bce = nn.BCELoss()
    ones = torch.ones(batch, 1, device=dev)
    zeros = torch.zeros(batch, 1, device=dev)
    z_eval = torch.rand(samples, gen.qubits, device=dev) * math.pi / 2
    with torch.no_grad():
        initial = _mean_distance(gen(z_eval).cpu().numpy(), real_all)
    history: dict[str, list[float]] = {"d_loss": [], "g_loss": []}
    t0 = time.perf_counter()
    for step in range(steps):
        idx = rng.choice(len(real_all), size=batch, replace=False)
        real = real_t[idx]
        z = torch.rand(batch, gen.qubits, device=dev) * math.pi / 2
        fake = gen(z)
        opt_d.zero_grad()
        d_loss = bce(disc(real), ones) + bce(disc(fake.detach()), zeros)
        d_loss.backward()
        opt_d.step()
        opt_g.zero_grad()
        g_loss = bce(disc(fake), ones)
        g_loss.backward()
        opt_g.step()
        history["d_loss"].append(d_loss.item())
        history["g_loss"].append(g_loss.item())
        if progress is not None:
            progress(step + 1, steps, {"d_loss": d_loss.item(), "g_loss": g_loss.item()})
    seconds = time.perf_counter() - t0
    with torch.no_grad():
        fake = gen(z_eval).cpu().numpy()
    d2 = ((fake[:, None, :] - real_all[None, :, :]) ** 2).mean(-1)
    return QGANResult(
        digit=digit,
        steps=steps,
        seconds=seconds,
        seed=seed,
        mean_image_distance=_mean_distance(fake, real_all),
        initial_mean_image_distance=initial,
        nearest_real_distance=float(np.sqrt(d2.min(1)).mean()),
        history=history,
        samples=fake.reshape(-1, 8, 8),
        real=real_all[:samples].reshape(-1, 8, 8),
    )
