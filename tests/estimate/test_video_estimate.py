"""Video compute accounting: the DiT formula against FlopCounterMode, DiT-XL/2's 118.6 GFLOPs, 1.2 M token passes."""

from __future__ import annotations

import math

import pytest
import torch
from torch.utils.flop_counter import FlopCounterMode

from suanli.errors import SuanliError
from suanli.estimate.video import DIT_MODELS, GPUS, dit_image_macs, dit_macs, estimate_video
from suanli.experiments.video.dit import DiTConfig, VideoDiT


def _count(model: VideoDiT, batch: int) -> tuple[int, dict]:
    cfg = model.config
    x = torch.randn(batch, cfg.channels, cfg.frames, cfg.size, cfg.size)
    counter = FlopCounterMode(display=False)
    with counter, torch.no_grad():
        model(x, torch.rand(batch))
    return counter.get_total_flops(), counter.get_flop_counts()


@pytest.mark.parametrize("attention", ["full", "factorized"])
def test_formula_equals_flop_counter_on_our_dit(attention):
    cfg = DiTConfig(
        frames=8, size=16, patch=(2, 4, 4), width=32, depth=3, heads=2, attention=attention, context_frames=2
    )
    model = VideoDiT(cfg)
    total, per_module = _count(model, batch=3)
    assert total == 2 * 3 * model.forward_macs()
    # the blocks alone follow the estimator's L·(12·T·d² + 2·T·g·d) plus the adaLN 6d² per block
    blocks = sum(
        sum(v.values()) for k, v in per_module.items() if k.count(".") == 2 and k.startswith("VideoDiT.blocks.")
    )
    gt, gh, gw = cfg.grid
    if attention == "full":
        expected = dit_macs(cfg.depth, cfg.width, cfg.tokens)
    else:  # blocks alternate spatial (g = gh·gw) and temporal (g = gt) attention
        spatial = dit_macs(1, cfg.width, cfg.tokens, group=gh * gw)
        temporal = dit_macs(1, cfg.width, cfg.tokens, group=gt)
        expected = 2 * spatial + temporal
    assert blocks == 2 * 3 * (expected + cfg.depth * 6 * cfg.width**2)


def test_dit_xl2_reproduces_published_118_6_gflops():
    # Peebles & Xie 2023 count multiply-accumulates as "Gflops": DiT-XL/2 at 256 px is 118.6
    assert round(dit_image_macs("dit-xl/2", 256) / 1e9, 1) == 118.6
    # the blocks alone are within 0.3 % of it
    blocks = dit_macs(28, 1152, 256)
    assert 0.997 < blocks / dit_image_macs("dit-xl/2", 256) < 1.0
    # patch 4 and 8 give 4x and 16x fewer tokens
    assert dit_image_macs("dit-xl/4", 256) < dit_image_macs("dit-xl/2", 256) / 4 + 1e9


def test_sixty_frames_is_1_2_million_token_passes():
    e = estimate_video(frames=60, patches_per_frame=1000, steps=20)
    assert e.tokens == 60_000 and e.token_passes == 1_200_000
    assert estimate_video(guidance=True).token_passes == 2_400_000
    d, L, t = 1152, 28, 60_000
    assert e.macs_linear == L * 12 * t * d * d
    assert e.macs_attention == L * 2 * t * t * d
    assert e.flops_forward == 2 * (e.macs_linear + e.macs_attention)
    assert e.flops_clip == 20 * e.flops_forward
    assert e.flops_train_step == 3 * e.flops_forward
    assert math.isclose(e.flops_per_token_pass * e.tokens, e.flops_forward)


def test_model_sizes_order_and_gpu_arithmetic():
    flops = [estimate_video(model=m).flops_clip for m in ("dit-s/2", "dit-b/2", "dit-l/2", "dit-xl/2")]
    assert flops == sorted(flops)
    e = estimate_video(utilization=0.5, gpus=("h100-sxm", "a100"))
    h100 = e.gpus[0]
    assert math.isclose(h100["seconds_per_clip"], e.flops_clip / (GPUS["h100-sxm"].tflops * 1e12 * 0.5))
    assert math.isclose(h100["energy_wh_per_clip"], h100["seconds_per_clip"] * 700 / 3600)
    assert e.gpus[1]["seconds_per_clip"] > h100["seconds_per_clip"]
    assert "dit-xl/2" in DIT_MODELS


def test_bad_inputs():
    with pytest.raises(SuanliError, match="unknown model"):
        estimate_video(model="dit-xxl/2")
    with pytest.raises(SuanliError, match="unknown GPU"):
        estimate_video(gpus=("tpu",))
    with pytest.raises(SuanliError, match="utilization"):
        estimate_video(utilization=0)
    with pytest.raises(SuanliError, match="resolution"):
        dit_image_macs("dit-xl/2", 100)
    with pytest.raises(SuanliError, match="group"):
        dit_macs(2, 8, 10, group=11)
