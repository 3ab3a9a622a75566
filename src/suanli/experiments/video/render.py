"""Render simulated clips as RGB videos, and find the balls again in (generated) videos.

Ball 0 is drawn in the red channel and ball 1 in the blue channel on a black background, with anti-aliased
edges; pixel ``(i, j)`` of an ``H × W`` frame covers the world point ``x = (j + ½)/W``, ``y = 1 - (i + ½)/H``
(row 0 is the top). :func:`detect` returns each ball's intensity-weighted centroid in world coordinates, so the
round trip ``detect(render(clip))`` gives back the simulated centres to a small fraction of a pixel.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch

from ...errors import SuanliError
from .physics import Clip

__all__ = ["BALL_CHANNELS", "detect", "render", "velocity_error"]

#: The colour channel of each ball (red, blue).
BALL_CHANNELS = (0, 2)


def render(clips: Sequence[Clip], size: int = 32) -> torch.Tensor:
    """Videos ``(B, 3, frames, size, size)`` in ``[0, 1]`` (float32) of the given clips (all of one length).

    Examples:
        >>> from suanli.experiments.video.physics import simulate
        >>> render([simulate("uniform", frames=8, rng=0)], size=16).shape
        torch.Size([1, 3, 8, 16, 16])
    """
    if not clips:
        raise SuanliError("render needs at least one clip")
    if size < 8:
        raise SuanliError(f"size must be at least 8 pixels, got {size}")
    frames = clips[0].frames
    if any(c.frames != frames for c in clips):
        raise SuanliError("all clips must have the same number of frames")
    out = torch.zeros(len(clips), 3, frames, size, size)
    coords = (torch.arange(size, dtype=torch.float64) + 0.5) / size
    xs = coords[None, None, :]  # columns
    ys = (1.0 - coords)[None, :, None]  # rows, top first
    for b, clip in enumerate(clips):
        pos = torch.from_numpy(clip.positions)  # (F, balls, 2)
        for k, r in enumerate(clip.radii):
            dist = torch.sqrt((xs - pos[:, k, 0, None, None]) ** 2 + (ys - pos[:, k, 1, None, None]) ** 2)
            out[b, BALL_CHANNELS[k]] = torch.clamp((float(r) - dist) * size + 0.5, 0.0, 1.0).float()
    return out


def detect(video: torch.Tensor, balls: int, *, threshold: float = 0.5) -> tuple[np.ndarray, np.ndarray]:
    """Find the balls in videos ``(B, 3, F, H, W)`` with values in ``[0, 1]``.

    For each ball's channel: the pixels brighter than ``threshold`` mark the ball; that mask grown by one pixel
    (to take in the anti-aliased rim) gives the region whose brightness-weighted centroid, in world
    coordinates, is the ball's centre. A ball is found in a frame when at least one pixel passes ``threshold``.

    Returns:
        ``(positions, found)``: ``(B, F, balls, 2)`` centres (NaN where nothing is found) and ``(B, F, balls)``
        booleans.
    """
    if video.dim() != 5 or video.shape[1] != 3:
        raise SuanliError(f"video must have shape (B, 3, F, H, W), got {tuple(video.shape)}")
    if not 1 <= balls <= len(BALL_CHANNELS):
        raise SuanliError(f"balls must be 1 or 2, got {balls}")
    v = video.detach().double().cpu()
    _, _, _, h, w = v.shape
    xs = ((torch.arange(w, dtype=torch.float64) + 0.5) / w)[None, None, None, :]
    ys = (1.0 - (torch.arange(h, dtype=torch.float64) + 0.5) / h)[None, None, :, None]
    pos, found = [], []
    for k in range(balls):
        img = v[:, BALL_CHANNELS[k]]  # (B, F, H, W)
        core = (img > threshold).double()
        grown = torch.nn.functional.max_pool2d(core.flatten(0, 1)[:, None], 3, stride=1, padding=1)
        weight = img.clamp(0.0, 1.0) * grown.reshape(img.shape)
        mass = weight.sum(dim=(-1, -2))
        ok = core.sum(dim=(-1, -2)) > 0
        safe = mass.clamp_min(1e-12)
        cx = (weight * xs).sum(dim=(-1, -2)) / safe
        cy = (weight * ys).sum(dim=(-1, -2)) / safe
        p = torch.stack([cx, cy], dim=-1)
        p[~ok] = float("nan")
        pos.append(p)
        found.append(ok)
    return torch.stack(pos, dim=2).numpy(), torch.stack(found, dim=2).numpy()


def velocity_error(positions: np.ndarray, true_positions: np.ndarray, *, start: int = 0) -> tuple[float, float]:
    """Mean absolute velocity error, Kang et al. style: finite-difference velocities of detected centres.

    ``v(t) = p(t+1) - p(t)`` for ``t >= start`` in both the detected and the true positions; the error is
    ``|v_detected - v_true|`` (Euclidean, box widths per frame) averaged over every ball and frame pair where the
    ball was found in both frames.

    Args:
        positions: ``(B, F, balls, 2)`` detected centres (NaN where missed).
        true_positions: ``(B, F, balls, 2)`` simulated centres.
        start: first frame of the pairs that count (e.g. the first generated frame minus one).

    Returns:
        ``(mean error, fraction of pairs where the ball was found in both frames)``; the error is NaN if none.
    """
    if positions.shape != true_positions.shape or positions.ndim != 4:
        raise SuanliError(f"shapes differ or are not (B, F, balls, 2): {positions.shape} vs {true_positions.shape}")
    v = np.diff(positions[:, start:], axis=1)
    vt = np.diff(true_positions[:, start:], axis=1)
    err = np.linalg.norm(v - vt, axis=-1)
    ok = np.isfinite(err)
    if not ok.any():
        return float("nan"), 0.0
    return float(err[ok].mean()), float(ok.mean())
