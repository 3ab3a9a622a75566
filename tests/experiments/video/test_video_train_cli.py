"""``suanli train video-dit``: a two-step run with files."""

from __future__ import annotations

import json

from suanli.cli.main import main


def test_train_video_dit_two_steps_writes_files(capsys, tmp_path):
    code = main(
        [
            "train",
            "video-dit",
            "--frames",
            "8",
            "--size",
            "16",
            "--steps",
            "2",
            "--batch",
            "2",
            "--eval-clips",
            "1",
            "--sample-steps",
            "1",
            "--device",
            "cpu",
            "--out",
            str(tmp_path),
            "--json",
        ]
    )
    out, err = capsys.readouterr()
    assert code == 0, err
    result = json.loads(out)
    assert len(result["losses"]) == 2 and len(result["evaluation"]) == 6
    for name in ("video_dit.json", "video_dit_loss.png", "video_dit_samples.png", "video_dit.pt"):
        assert (tmp_path / name).stat().st_size > 0


def test_train_video_dit_bad_input(capsys):
    assert main(["train", "video-dit", "--preset", "huge"]) == 2
    assert capsys.readouterr().err.startswith("suanli: error: --preset")
    assert main(["train", "video-dit", "--frames", "7", "--steps", "1"]) == 2
    assert "--frames" in capsys.readouterr().err
