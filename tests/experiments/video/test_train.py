"""The video DiT: shapes, conditioning, a two-step training run that lowers the loss, sampling, evaluation."""

from __future__ import annotations

import math

import pytest
import torch

from suanli.errors import SuanliError
from suanli.experiments.video import (
    DiTConfig,
    TrainConfig,
    VideoDiT,
    evaluate,
    generate,
    render,
    simulate_batch,
    train_video_dit,
)
from suanli.experiments.video.train import flow_loss

SMALL = DiTConfig(frames=8, size=16, patch=(2, 8, 8), width=32, depth=2, heads=2, context_frames=2)


def test_patchify_roundtrip_and_token_order():
    model = VideoDiT(DiTConfig(frames=8, size=16, patch=(2, 4, 4), width=32, depth=1, heads=2, context_frames=2))
    x = torch.randn(2, 3, 8, 16, 16)
    tokens = model.patchify(x)
    assert tokens.shape == (2, 4 * 4 * 4, 3 * 2 * 4 * 4)
    torch.testing.assert_close(model.unpatchify(tokens), x)
    # token 0 is the first time slot, top-left patch; token 16 starts the second time slot
    torch.testing.assert_close(tokens[0, 0].reshape(3, 2, 4, 4), x[0, :, 0:2, 0:4, 0:4])
    torch.testing.assert_close(tokens[0, 16].reshape(3, 2, 4, 4), x[0, :, 2:4, 0:4, 0:4])


def test_two_step_training_decreases_the_loss():
    torch.manual_seed(0)
    model = VideoDiT(SMALL).train()
    x1 = render(simulate_batch(8, frames=8, seed=0), 16) * 2 - 1
    g = torch.Generator().manual_seed(1)
    x0, t = torch.randn(x1.shape, generator=g), torch.rand(8, generator=g)
    opt = torch.optim.Adam(model.parameters(), lr=3e-3)
    losses = []
    for _ in range(3):
        loss = flow_loss(model, x1, x0, t)
        losses.append(float(loss.detach()))
        opt.zero_grad()
        loss.backward()
        opt.step()
    assert losses[2] < losses[1] < losses[0]


def test_train_function_is_seeded_and_finite():
    a = train_video_dit(SMALL, TrainConfig(steps=2, batch=2, seed=3))
    b = train_video_dit(SMALL, TrainConfig(steps=2, batch=2, seed=3))
    assert len(a.losses) == 2 and all(math.isfinite(x) for x in a.losses)
    assert a.losses == b.losses
    assert not a.model.training


def test_generate_keeps_the_context_and_evaluate_reports_rows():
    torch.manual_seed(0)
    model = VideoDiT(SMALL).eval()
    video = render(simulate_batch(2, frames=8, seed=1), 16)
    out = generate(model, video, steps=2, seed=0)
    assert out.shape == video.shape
    torch.testing.assert_close(out[:, :, :2], video[:, :, :2], atol=1e-6, rtol=0)
    rows = evaluate(model, clips_per_scenario=2, sample_steps=1, scenarios=("uniform",))
    assert [(r["split"], r["scenario"]) for r in rows] == [("in", "uniform"), ("out", "uniform")]
    for r in rows:
        assert r["error_ground_truth"] < 0.005  # 16 px frames: a tenth of a pixel per frame
        assert r["error_frozen"] == pytest.approx(r["mean_speed"])


def test_config_validation():
    with pytest.raises(SuanliError, match="patch"):
        DiTConfig(frames=7)
    with pytest.raises(SuanliError, match="context_frames"):
        DiTConfig(context_frames=3)
    with pytest.raises(SuanliError, match="attention"):
        DiTConfig(attention="sparse")
    with pytest.raises(SuanliError, match="expects videos"):
        VideoDiT(SMALL)(torch.zeros(1, 3, 8, 8, 8), torch.zeros(1))


def test_dit_linear_layers_can_be_tt_compressed_and_still_train():
    from suanli.compress import TTLinear, compress

    torch.manual_seed(0)
    model = VideoDiT(DiTConfig(frames=8, size=16, patch=(2, 8, 8), width=64, depth=2, heads=2, context_frames=2))
    report = compress(model, ratio=0.5, method="tt", layers=["blocks.*.qkv", "blocks.*.fc1", "blocks.*.fc2"])
    assert len(report.layers) == 6 and all(isinstance(model.get_submodule(la.name), TTLinear) for la in report.layers)
    x1 = render(simulate_batch(4, frames=8, seed=0), 16) * 2 - 1
    g = torch.Generator().manual_seed(1)
    x0, t = torch.randn(x1.shape, generator=g), torch.rand(4, generator=g)
    opt = torch.optim.Adam(model.parameters(), lr=3e-3)
    losses = []
    for _ in range(3):
        loss = flow_loss(model, x1, x0, t)
        losses.append(float(loss.detach()))
        opt.zero_grad()
        loss.backward()
        opt.step()
    assert losses[-1] < losses[0]
