"""Rendering and the velocity-error metric: ~0 on ground truth, the mean speed for a frozen video."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from suanli.errors import SuanliError
from suanli.experiments.video.physics import RANGES, SCENARIOS, simulate_batch
from suanli.experiments.video.render import detect, render, velocity_error


@pytest.mark.parametrize("split", ["in", "out"])
@pytest.mark.parametrize("scenario", SCENARIOS)
def test_velocity_error_is_about_zero_on_ground_truth(scenario, split):
    clips = simulate_batch(8, frames=16, split=split, scenarios=(scenario,), seed=3)
    truth = np.stack([c.positions for c in clips])
    pos, found = detect(render(clips, 32), truth.shape[2])
    assert found.all()
    assert np.abs(pos - truth).max() * 32 < 0.1  # centres within a tenth of a pixel
    err, ok = velocity_error(pos, truth, start=3)
    assert ok == 1.0
    assert err < 0.05 * RANGES["in"]["speed"][0]  # < 5 % of the slowest speed


def test_frozen_video_error_is_the_speed_and_missing_balls_are_reported():
    clips = simulate_batch(4, frames=16, scenarios=("uniform",), seed=4)
    video = render(clips, 32)
    truth = np.stack([c.positions for c in clips])
    frozen = video.clone()
    frozen[:, :, 4:] = video[:, :, 3:4]
    err, _ = velocity_error(detect(frozen, 1)[0], truth, start=3)
    speed = np.linalg.norm(np.diff(truth[:, 3:], axis=1), axis=-1).mean()
    assert abs(err - speed) < 0.05 * speed
    blank = video.clone()
    blank[:, :, 8:] = 0
    _, found = detect(blank, 1)
    assert not found[:, 8:].any() and found[:, :8].all()
    err, ok = velocity_error(detect(blank, 1)[0], truth, start=3)
    assert ok == pytest.approx(4 / 12)


def test_channels_and_errors():
    clips = simulate_batch(2, frames=8, scenarios=("collision",), seed=5)
    video = render(clips, 16)
    assert video.shape == (2, 3, 8, 16, 16) and float(video[:, 1].abs().max()) == 0.0
    assert float(video.min()) >= 0 and float(video.max()) <= 1
    with pytest.raises(SuanliError):
        detect(torch.zeros(1, 3, 4, 4), 1)
    with pytest.raises(SuanliError):
        velocity_error(np.zeros((1, 4, 1, 2)), np.zeros((1, 5, 1, 2)))
