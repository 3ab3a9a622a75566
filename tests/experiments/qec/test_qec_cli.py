"""``suanli qec lambda`` and ``suanli qec threshold``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from suanli.cli.main import main

pytest.importorskip("sinter")

SMALL = ["--code", "repetition", "--noise", "uniform", "--distances", "3,5", "--rounds", "1", "--workers", "1"]


def test_lambda_json_files_and_resume(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out"
    argv = ["qec", "lambda", *SMALL, "--p", "0.03", "--max-shots", "4000", "--json", "--out", str(out)]
    assert main(argv) == 0
    first = json.loads(capsys.readouterr().out)  # stdout is exactly one JSON object
    assert first["lambda"]["distances"] == [3, 5]
    assert {p["shots"] for p in first["points"]} <= {4000}
    assert (out / "qec_lambda.json").exists() and (out / "qec_lambda.csv").exists()
    assert (out / "qec_lambda.png").read_bytes()[:4] == b"\x89PNG"
    # the same command again resumes from the store: nothing new to sample, same counts
    assert main(argv) == 0
    second = json.loads(capsys.readouterr().out)
    assert [(p["shots"], p["errors"]) for p in second["points"]] == [(p["shots"], p["errors"]) for p in first["points"]]


def test_lambda_table_output(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["qec", "lambda", *SMALL, "--p", "0.03", "--max-shots", "3000"]) == 0
    text = capsys.readouterr().out
    assert "Λ =" in text and "logical error per cycle" in text


def test_willow_preset_compares_with_published(capsys: pytest.CaptureFixture[str]) -> None:
    argv = [
        "qec",
        "lambda",
        "--preset",
        "willow",
        "--distances",
        "3,5",
        "--rounds",
        "1",
        "--max-shots",
        "3000",
        "--workers",
        "1",
        "--json",
    ]
    assert main(argv) == 0
    data = json.loads(capsys.readouterr().out)
    w = data["willow"]
    assert w["willow_lambda"] == 2.14 and w["willow_eps7"] == 0.00143
    assert w["reasons"] and w["verdict"]
    assert data["bases"] == ["x", "z"]
    assert set(data["eps_by_basis"]) == {"x", "z"}
    assert data["hardware_spec"]["gate2_error"] == 0.0033


def test_threshold(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    argv = [
        "qec",
        "threshold",
        "--noise",
        "uniform",
        "--distances",
        "3,5",
        "--rounds",
        "1",
        "--workers",
        "1",
        "--p",
        "0.002,0.025",
        "--max-shots",
        "40000",
        "--max-errors",
        "8000",
        "--json",
        "--out",
        str(tmp_path),
    ]
    assert main(argv) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["p"] == [0.002, 0.025]
    assert set(data["eps"]) == {"3", "5"}
    # the surface code threshold under uniform depolarizing noise (about 0.7-1 %) lies between these two rates
    # (the upper rate stays below saturation, where P_L -> 1/2 and ε can no longer be resolved; at 2.5 % the
    # distance-5 ε exceeds the distance-3 one by about 0.05, several standard errors with 8000 errors each)
    assert data["crossings"]["3/5"] is not None, data["eps"]
    assert 0.002 < data["crossings"]["3/5"] < 0.025
    assert (tmp_path / "qec_threshold.png").exists()


@pytest.mark.parametrize(
    "argv,message",
    [
        (["qec", "lambda", "--distances", "3,4"], "odd distances"),
        (["qec", "lambda", "--distances", "3"], "at least two"),
        (["qec", "lambda", "--p", "0"], "--p"),
        (["qec", "threshold", "--p", "0.01"], "at least two"),
    ],
)
def test_bad_input_exits_2(argv: list[str], message: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err
