"""``suanli estimate video``."""

from __future__ import annotations

import json

from suanli.cli.main import main


def test_estimate_video_json_defaults(capsys):
    assert main(["estimate", "video", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["token_passes"] == 1_200_000
    assert round(out["image_gmacs_per_forward"], 1) == 118.6


def test_estimate_video_resolution_sets_patches(capsys):
    assert main(["estimate", "video", "--resolution", "512", "--model", "dit-b/2", "--frames", "16", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["patches_per_frame"] == (512 // 8 // 2) ** 2
    assert out["tokens"] == 16 * 1024


def test_estimate_video_table_and_errors(capsys):
    assert main(["estimate", "video", "--model", "dit-s/2", "--guidance"]) == 0
    out = capsys.readouterr().out
    assert "2,400,000 token passes" in out
    assert main(["estimate", "video", "--model", "gpt"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("suanli: error: --model") and err.count("\n") == 1
    assert main(["estimate", "video", "--gpus", "h100-sxm,tpu"]) == 2
    assert "--gpus" in capsys.readouterr().err
    assert main(["estimate", "video", "--resolution", "100"]) == 2
    assert "--resolution" in capsys.readouterr().err
