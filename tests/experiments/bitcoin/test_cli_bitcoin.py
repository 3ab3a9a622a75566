"""``suanli bitcoin ...`` and ``suanli estimate ecdlp``: JSON output, files, errors."""

from __future__ import annotations

import json

import pytest

from suanli.cli.main import main


def _json(capsys, argv):
    assert main(argv) == 0
    out = capsys.readouterr().out
    return json.loads(out)


def test_estimate_ecdlp_json_and_plot(capsys, tmp_path):
    d = _json(capsys, ["estimate", "ecdlp", "--bits", "256", "--hours", "1", "--json", "--out", str(tmp_path)])
    e = d["estimates"][0]
    assert e["logical_qubits"] == 2330
    assert 0.5 <= e["physical_qubits"] / 317e6 <= 2
    assert (tmp_path / "ecdlp_qubits_vs_time.png").stat().st_size > 1000
    assert json.loads((tmp_path / "ecdlp.json").read_text())["estimates"][0]["bits"] == 256


def test_estimate_ecdlp_table(capsys):
    assert main(["estimate", "ecdlp", "--hours", "24", "--construction", "all"]) == 0
    out = capsys.readouterr().out
    assert "litinski2023" in out and "Webber" in out


def test_mining_json(capsys, tmp_path):
    d = _json(capsys, ["bitcoin", "mining", "--rates", "100,300", "--blocks", "20000", "--json", "--out",
                       str(tmp_path)])
    assert round(d["x_star"], 3) == 1.594 and round(d["no_block_first_probability"], 3) == 0.203
    assert all(abs(r["z_score"]) < 4.5 for r in d["rates"])
    assert (tmp_path / "mining_share_vs_time.png").exists()


def test_grover_demo_json(capsys, tmp_path):
    d = _json(capsys, ["bitcoin", "grover-demo", "--bits", "4", "--zeros", "2", "--json", "--out", str(tmp_path)])
    assert d["max_error"] < 1e-9 and d["mining"]["success_rate"] == 1.0
    assert (tmp_path / "grover_curve.png").exists()


def test_shor_demo_json(capsys):
    d = _json(capsys, ["bitcoin", "shor-demo", "--modulus", "15", "--base", "7", "--prime", "5", "--json"])
    assert d["period_finding"]["factors"] == [3, 5]
    assert d["discrete_log"]["log"] == 3  # 2^3 = 8 = 3 mod 5
    assert d["discrete_log"]["estimator_logical_qubits"] == 9 * 3 + 2 * 2 + 10


@pytest.mark.parametrize(
    "argv",
    [
        ["bitcoin", "grover-demo", "--bits", "5", "--zeros", "6"],
        ["bitcoin", "shor-demo", "--modulus", "15", "--base", "5"],
        ["bitcoin", "shor-demo", "--prime", "5", "--target", "7"],
        ["estimate", "ecdlp", "--error", "0.05"],
        ["bitcoin", "mining", "--rates", "x"],
    ],
)
def test_bad_input_exits_2(argv, capsys):
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err
