"""``suanli xeb``: JSON on stdout, files with --out, one-line errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from suanli.cli.main import main


def test_xeb_json_and_files(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["xeb", "--grid", "2x2", "--cycles", "2,4", "--scales", "0,2", "--shots", "200", "--device", "cpu",
                 "--out", str(tmp_path), "--json"])
    out, err = capsys.readouterr()
    assert code == 0, err
    data = json.loads(out)
    assert data["num_qubits"] == 4 and len(data["points"]) == 4
    assert {p["cycles"] for p in data["points"]} == {2, 4}
    assert all(p["predicted"] == 1.0 for p in data["points"] if p["scale"] == 0)
    assert (tmp_path / "xeb.png").stat().st_size > 1000
    assert json.loads((tmp_path / "xeb.json").read_text())["points"] == data["points"]


def test_xeb_table(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["xeb", "--grid", "1x2", "--cycles", "1", "--scales", "1", "--shots", "50", "--device", "cpu"])
    out, _ = capsys.readouterr()
    assert code == 0 and "F measured" in out


@pytest.mark.parametrize(
    ("argv", "needle"),
    [
        (["--grid", "5x5"], "at most 20"),
        (["--scales", "-1"], "non-negative"),
        (["--e1", "2"], "e1"),
        (["--shots", "1"], "at least 2"),
    ],
)
def test_xeb_errors(argv: list[str], needle: str, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["xeb", *argv])
    out, err = capsys.readouterr()
    assert code == 2 and out == ""
    assert needle in err and "Traceback" not in err
