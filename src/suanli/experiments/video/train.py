"""Rectified-flow training and sampling of the video DiT on simulated physics, and the Kang et al. evaluation.

Training (Liu et al., "Flow Straight and Fast", ICLR 2023): a clip ``x₁`` (pixels scaled to ``[-1, 1]``) and
noise ``x₀`` give ``x_t = (1 - t) x₀ + t x₁``; the model predicts the clean clip ``x̂₁`` on the frames after the
clean context frames (mean squared error), which gives the velocity ``v = (x̂₁ - x_t)/(1 - t)``. Sampling
integrates ``dx/dt = v(x, t)`` from noise with Euler steps, the context frames held at their clean values.
Every clip is simulated on the fly from one seeded generator.

Evaluation (Kang et al. 2024, arXiv:2411.02385): for fresh clips of each scenario, in and out of the training
distribution, the model continues the context frames; the balls are detected in the generated frames, their
velocities taken by finite differences, and the mean absolute error against the simulator's is reported, next to
two references: the same metric on the ground-truth video (detector error, ~0) and a "frozen" prediction that
repeats the last context frame (error = the true mean speed).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field

import numpy as np
import torch

from ...errors import SuanliError
from .dit import DiTConfig, VideoDiT
from .physics import SCENARIOS, simulate_batch
from .render import detect, render, velocity_error

__all__ = ["MIN_GAP", "TrainConfig", "TrainResult", "evaluate", "flow_loss", "generate", "train_video_dit", "velocity"]


@dataclass(frozen=True)
class TrainConfig:
    """Training settings.

    Attributes:
        steps: optimizer steps.
        batch: clips per step.
        lr: AdamW learning rate (cosine decay to 10 % with a short warm-up).
        seed: seeds the weights, the simulator and the noise; same seed, version, device and thread count give
            the same run.
        scenarios: the scenarios mixed in training.
        split: the parameter range of the training clips (``"in"``).
    """

    steps: int = 600
    batch: int = 8
    lr: float = 1e-3
    seed: int = 0
    scenarios: tuple[str, ...] = SCENARIOS
    split: str = "in"

    def __post_init__(self) -> None:
        if self.steps < 1 or self.batch < 1:
            raise SuanliError(f"steps and batch must be at least 1, got {self.steps}, {self.batch}")
        if not self.lr > 0:
            raise SuanliError(f"lr must be positive, got {self.lr}")
        if not self.scenarios or any(s not in SCENARIOS for s in self.scenarios):
            raise SuanliError(f"scenarios must be a non-empty subset of {SCENARIOS}, got {self.scenarios}")


@dataclass(frozen=True)
class TrainResult:
    """A trained model and its history.

    Attributes:
        model: the trained :class:`VideoDiT` (in eval mode).
        losses: the training loss of every step.
        seconds: wall time of the training loop.
        config: the training settings.
    """

    model: VideoDiT
    losses: tuple[float, ...]
    seconds: float
    config: TrainConfig = field(default_factory=TrainConfig)

    def __post_init__(self) -> None:
        if not self.losses:
            raise SuanliError("a training result needs at least one loss")

    def to_dict(self) -> dict:
        return {
            "dit": self.model.config.to_dict(),
            "train": asdict(self.config),
            "losses": list(self.losses),
            "seconds": self.seconds,
            "parameters": sum(p.numel() for p in self.model.parameters()),
        }


def _clips_to_video(clips: list, size: int, device: torch.device) -> torch.Tensor:
    return (render(clips, size) * 2.0 - 1.0).to(device)


#: Smallest ``1 - t`` used when a clean-video prediction is turned into a velocity.
MIN_GAP = 0.05


def velocity(model: VideoDiT, x_t: torch.Tensor, t: torch.Tensor) -> torch.Tensor:
    """The flow velocity ``(x̂₁ - x_t) / (1 - t)`` from the model's prediction ``x̂₁`` of the clean video."""
    gap = (1 - t).clamp_min(MIN_GAP).view(-1, 1, 1, 1, 1)
    return (model(x_t, t) - x_t) / gap


def flow_loss(model: VideoDiT, x1: torch.Tensor, x0: torch.Tensor, t: torch.Tensor) -> torch.Tensor:
    """Rectified-flow loss on the generated (non-context) frames of clean videos ``x1`` in ``[-1, 1]``.

    The model predicts the clean video ``x̂₁`` (x-prediction) and is scored on it; the velocity follows as
    ``(x̂₁ - x_t)/(1 - t)``. Predicting the clean frames rather than the velocity matters here: a token
    (width ``d``) is narrower than its patch (``C·pt·ph·pw`` values), and the velocity ``x₁ - x₀`` carries
    the full-dimensional noise, which cannot pass through that bottleneck, while the clean frames are simple.
    """
    c = model.config.context_frames
    tt = t.view(-1, 1, 1, 1, 1)
    x_t = (1 - tt) * x0 + tt * x1
    x_t[:, :, :c] = x1[:, :, :c]
    pred = model(x_t, t)
    return ((pred[:, :, c:] - x1[:, :, c:]) ** 2).mean()


def train_video_dit(
    dit: DiTConfig,
    train: TrainConfig,
    *,
    device: str | torch.device = "cpu",
    progress: Callable[[int, int], None] | None = None,
) -> TrainResult:
    """Train a :class:`VideoDiT` with rectified flow on freshly simulated clips.

    Examples:
        >>> cfg = DiTConfig(frames=8, size=16, patch=(2, 8, 8), width=32, depth=1, heads=2, context_frames=2)
        >>> res = train_video_dit(cfg, TrainConfig(steps=2, batch=2))
        >>> len(res.losses)
        2
    """
    device = torch.device(device)
    gen = torch.Generator().manual_seed(train.seed)
    torch.manual_seed(train.seed)
    model = VideoDiT(dit).to(device).train()
    opt = torch.optim.AdamW(model.parameters(), lr=train.lr, weight_decay=0.0)
    warm = max(1, min(50, train.steps // 10))

    def lr_at(step: int) -> float:
        if step < warm:
            return (step + 1) / warm
        frac = (step - warm) / max(1, train.steps - warm)
        return 0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * frac))

    sched = torch.optim.lr_scheduler.LambdaLR(opt, lr_at)
    rng = np.random.default_rng(train.seed)
    losses = []
    start = time.perf_counter()
    for step in range(train.steps):
        clips = simulate_batch(
            train.batch,
            frames=dit.frames,
            split=train.split,
            scenarios=train.scenarios,
            seed=int(rng.integers(2**63)),
        )
        x1 = _clips_to_video(clips, dit.size, device)
        x0 = torch.randn(x1.shape, generator=gen).to(device)
        t = torch.rand(train.batch, generator=gen).to(device)
        loss = flow_loss(model, x1, x0, t)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        sched.step()
        losses.append(float(loss.detach()))
        if progress is not None:
            progress(step + 1, train.steps)
    model.eval()
    return TrainResult(model, tuple(losses), time.perf_counter() - start, train)


@torch.no_grad()
def generate(model: VideoDiT, context: torch.Tensor, *, steps: int = 20, seed: int = 0) -> torch.Tensor:
    """Continue videos whose first ``context_frames`` frames are given; Euler integration of the flow.

    Args:
        model: a trained model.
        context: ``(B, C, F, H, W)`` videos in ``[0, 1]``; only the context frames are read.
        steps: Euler steps (denoising steps).
        seed: seeds the starting noise.

    Returns:
        ``(B, C, F, H, W)`` videos in ``[0, 1]`` (the context frames as given).
    """
    if steps < 1:
        raise SuanliError(f"steps must be at least 1, got {steps}")
    c = model.config.context_frames
    device = next(model.parameters()).device
    x1 = context.to(device) * 2.0 - 1.0
    gen = torch.Generator().manual_seed(seed)
    x = torch.randn(x1.shape, generator=gen).to(device)
    x[:, :, :c] = x1[:, :, :c]
    for i in range(steps):
        t = torch.full((x.shape[0],), i / steps, device=device)
        v = velocity(model, x, t)
        x[:, :, c:] = x[:, :, c:] + v[:, :, c:] / steps
    return ((x + 1.0) / 2.0).clamp(0.0, 1.0).cpu()


def evaluate(
    model: VideoDiT,
    *,
    clips_per_scenario: int = 16,
    splits: tuple[str, ...] = ("in", "out"),
    scenarios: tuple[str, ...] = SCENARIOS,
    sample_steps: int = 20,
    seed: int = 1,
    progress: Callable[[int, int], None] | None = None,
) -> list[dict]:
    """Velocity errors of generated continuations, per scenario and split (box widths per frame).

    Returns:
        One dict per (split, scenario): ``error`` (model), ``found`` (fraction of frame pairs where the balls
        were detected), ``error_ground_truth`` (detector on the true video), ``error_frozen`` (repeating the last
        context frame), ``mean_speed`` (true), ``clips``.
    """
    cfg = model.config
    rows = []
    total, done = len(splits) * len(scenarios), 0
    for split in splits:
        for k, scenario in enumerate(scenarios):
            clips = simulate_batch(
                clips_per_scenario, frames=cfg.frames, split=split, scenarios=(scenario,), seed=seed * 1000 + k
            )
            truth = np.stack([c.positions for c in clips])
            video = render(clips, cfg.size)
            fake = generate(model, video, steps=sample_steps, seed=seed)
            balls = truth.shape[2]
            start = cfg.context_frames - 1  # the pair (last context frame, first generated frame) counts
            err, found = velocity_error(detect(fake, balls)[0], truth, start=start)
            err_gt, _ = velocity_error(detect(video, balls)[0], truth, start=start)
            frozen = truth.copy()
            frozen[:, cfg.context_frames :] = truth[:, cfg.context_frames - 1 : cfg.context_frames]
            err_frozen, _ = velocity_error(frozen, truth, start=start)
            speed = float(np.linalg.norm(np.diff(truth[:, start:], axis=1), axis=-1).mean())
            rows.append(
                {
                    "split": split,
                    "scenario": scenario,
                    "clips": clips_per_scenario,
                    "error": err,
                    "found": found,
                    "error_ground_truth": err_gt,
                    "error_frozen": err_frozen,
                    "mean_speed": speed,
                }
            )
            done += 1
            if progress is not None:
                progress(done, total)
    return rows
