"""The RCS cost estimator: the model's arithmetic, the machines, and the ``suanli estimate rcs`` command."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

import suanli
from suanli import SuanliError
from suanli.cli.main import main
from suanli.estimate.rcs import MACHINES, estimate_rcs_cost, statevector_cost
from suanli.experiments.rcs import patch_sites, sycamore_circuit


def test_model_arithmetic_and_scaling() -> None:
    c = sycamore_circuit(6, grid=(3, 3), seed=0)
    e = estimate_rcs_cost(c, samples=1000, fidelity=0.01, batch_qubits=2, max_repeats=2, target_width=None)
    assert e.batch is not None and e.batch_qubits == 2
    want = 8 * 0.01 * math.ceil(1000 / 4) * e.batch.cost
    assert e.total_real_flops == pytest.approx(want)
    for name, m in MACHINES.items():
        assert e.seconds[name] == pytest.approx(want / (m.peak_flops * 0.2))
        assert e.joules[name] == pytest.approx(e.seconds[name] * m.power_watts)
    # one amplitude per sample without batching; cost linear in the fidelity
    single = estimate_rcs_cost(c, samples=1000, fidelity=0.02, batch_qubits=0, max_repeats=2, machines=["h100"])
    assert single.batch is None and list(single.seconds) == ["h100"]
    assert single.total_real_flops == pytest.approx(8 * 0.02 * 1000 * single.amplitude.cost)
    d = e.as_dict()
    assert d["years"]["frontier"] == pytest.approx(e.seconds["frontier"] / (365.25 * 86400))
    json.dumps(d)  # serialisable


def test_statevector_reference_counts_gates_and_memory() -> None:
    # per amplitude: h dense (2); cx permutes basis states, not qubits, so dense (4); cz diagonal (1); swap a
    # qubit permutation (1); ccx dense on three qubits (8)
    c = suanli.Circuit(3).h(0).cx(0, 1).cz(1, 2).swap(0, 2).ccx(0, 1, 2)
    assert statevector_cost(c) == (2 + 4 + 1 + 1 + 8) * 2**3
    # the Sycamore gate is SWAP times a diagonal: 1 per amplitude, like the network's relabelled diagonal
    syc = sycamore_circuit(1, grid=(2, 2), seed=0, final_layer=False)
    ops = [op for op in syc.instructions if len(op.qubits) == 2]
    ones = [op for op in syc.instructions if len(op.qubits) == 1]
    assert ops and statevector_cost(syc) == (len(ops) + 2 * len(ones)) * 2**4
    e = estimate_rcs_cost(sycamore_circuit(6, grid=(3, 3), seed=0), batch_qubits=0, max_repeats=2,
                          target_width=None)
    assert e.statevector_bytes == 8 * 2**9
    assert all(e.statevector_fits.values())
    for name, m in MACHINES.items():
        assert e.statevector_seconds[name] == pytest.approx(8 * 10**e.statevector_log10_cost / (m.peak_flops * 0.2))
    # Willow scale: no machine holds 2^105 amplitudes; the reference cost is about 10^35.4 multiply-adds at m = 24
    w = sycamore_circuit(24, sites=patch_sites(105), seed=0)
    assert 35.0 < math.log10(statevector_cost(w)) < 35.8
    assert max(m.memory_bytes for m in MACHINES.values()) < 8 * 2.0**105


def test_cost_grows_with_cycles() -> None:
    costs = [
        estimate_rcs_cost(sycamore_circuit(m, grid=(4, 4), seed=0), batch_qubits=0, max_repeats=3).amplitude.cost
        for m in (2, 6, 12)
    ]
    assert costs[0] < costs[1] < costs[2]


@pytest.mark.parametrize(
    ("kwargs", "needle"),
    [
        ({"fidelity": 0.0}, "fidelity"),
        ({"efficiency": 1.5}, "efficiency"),
        ({"samples": 0}, "samples"),
        ({"batch_qubits": 40}, "batch_qubits"),
        ({"machines": ["cray-1"]}, "unknown machine"),
    ],
)
def test_bad_arguments(kwargs: dict, needle: str) -> None:
    with pytest.raises(SuanliError, match=needle):
        estimate_rcs_cost(suanli.Circuit(2).h(0).cx(0, 1), **{"batch_qubits": 0, **kwargs})


def test_cli_json_and_files(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["estimate", "rcs", "--grid", "3x3", "--cycles", "2,6", "--repeats", "2", "--batch-qubits", "2",
                 "--out", str(tmp_path), "--json"])
    out, err = capsys.readouterr()
    assert code == 0, err
    data = json.loads(out)
    assert [r["cycles"] for r in data["rows"]] == [2, 6]
    assert data["rows"][0]["num_qubits"] == 9
    assert (tmp_path / "estimate_rcs.json").exists() and (tmp_path / "estimate_rcs.png").exists()
    assert json.loads((tmp_path / "estimate_rcs.json").read_text())["samples"] == 1_000_000
    est = data["rows"][0]["estimate"]
    assert est["statevector_bytes"] == 8 * 2**9 and est["statevector_fits"]["h100"]


def test_cli_reads_qsim_and_qasm_files(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    c = sycamore_circuit(4, grid=(2, 3), seed=1)
    (tmp_path / "c.qsim").write_text(suanli.dumps_qsim(c))
    (tmp_path / "c.qasm").write_text(suanli.dumps_qasm(c.copy()))
    costs = []
    for name in ("c.qsim", "c.qasm"):
        code = main(["estimate", "rcs", str(tmp_path / name), "--repeats", "2", "--batch-qubits", "0", "--json"])
        out, err = capsys.readouterr()
        assert code == 0, err
        row = json.loads(out)["rows"][0]
        assert row["num_qubits"] == 6 and row["cycles"] is None
        costs.append(row["estimate"]["amplitude"]["cost"])
    assert costs[0] > 0 and costs[1] > 0
    code = main(["estimate", "rcs", "--grid", "2x2"])
    out, _ = capsys.readouterr()
    assert code == 0 and "efficiency 0.2 of peak" in out


@pytest.mark.parametrize(
    ("argv", "needle"),
    [
        (["--grid", "3y3"], "RxC"),
        (["--grid", "2x2", "--qubits", "5"], "either --grid or --qubits"),
        (["--machines", "h100,cray"], "unknown cray"),
        (["--fidelity", "0"], "fidelity"),
        (["nope.qsim"], "no such file"),
    ],
)
def test_cli_errors_are_one_line(argv: list[str], needle: str, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["estimate", "rcs", *argv])
    out, err = capsys.readouterr()
    assert code == 2 and out == ""
    assert err.startswith("suanli: error") or "usage:" in err
    assert needle in err and "Traceback" not in err


def test_cli_tree_cache_and_slicing_overhead(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """--tree-cache saves the trees; a rerun loads them (the same costs even with another budget), and the JSON
    reports the slicing overhead against the cheapest unsliced tree."""
    argv = ["estimate", "rcs", "--grid", "3x4", "--cycles", "8", "--batch-qubits", "2", "--target-width", "6",
            "--tree-cache", str(tmp_path / "trees"), "--json"]
    rows = []
    for repeats in ("4", "1"):
        code = main([*argv, "--repeats", repeats])
        out, err = capsys.readouterr()
        assert code == 0, err
        rows.append(json.loads(out)["rows"][0]["estimate"])
    assert len(list((tmp_path / "trees").glob("tree-*.json"))) == 2  # one amplitude, one batch of 2^2
    for key in ("amplitude", "batch"):
        assert rows[1][key] == rows[0][key]
        cost = rows[0][key]
        assert cost["width"] <= 6 and cost["slices"] > 1
        assert cost["slicing_overhead"] == pytest.approx(cost["cost"] / cost["unsliced_cost"])
    code = main(["estimate", "rcs", "--grid", "3x4", "--cycles", "8", "--batch-qubits", "0", "--target-width", "6",
                 "--repeats", "2", "--slicing", "trials"])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert "slicing ×" in out and "cheapest unsliced" in out
    code = main([*argv, "--slicing", "some"])
    _, err = capsys.readouterr()
    assert code == 2 and "--slicing" in err


def test_estimate_slicing_overhead_is_at_least_one() -> None:
    c = sycamore_circuit(8, grid=(3, 4), seed=0)
    e = estimate_rcs_cost(c, batch_qubits=0, target_width=6, max_repeats=4, slicing="best")
    amp = e.amplitude
    assert amp.slices > 1 and amp.unsliced_cost is not None
    assert amp.slicing_overhead is not None and amp.slicing_overhead >= 1
    assert e.as_dict()["amplitude"]["slicing_overhead"] == amp.slicing_overhead
