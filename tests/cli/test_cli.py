"""The ``suanli`` command, in-process (``main(argv)``) and as a subprocess, on the bundled examples."""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
import torch
from rich.console import Console

import suanli
from suanli import examples
from suanli.cli import common as cli_common
from suanli.cli import main as cli
from suanli.cli.main import LazyProgress, main

SRC = Path(suanli.__file__).resolve().parents[1]
BELL = str(examples.path("bell"))
TELEPORT = str(examples.path("teleport"))
GROVER = str(examples.path("grover_4"))


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def run_json(capsys: pytest.CaptureFixture[str], *argv: str) -> dict:
    code, out, err = run(capsys, *argv, "--json")
    assert code == 0, err
    return json.loads(out)


def assert_one_line_error(code: int, out: str, err: str, *needles: str) -> None:
    assert code == 2
    assert out == ""
    assert err.endswith("\n") and err.count("\n") == 1, err
    assert err.startswith("suanli: error: ")
    assert "Traceback" not in err
    for needle in needles:
        assert needle in err


@pytest.fixture
def big_file(tmp_path: Path) -> Path:
    p = tmp_path / "big40.qasm"
    p.write_text('OPENQASM 2.0;\ninclude "qelib1.inc";\nqreg q[40];\ncreg c[40];\nh q;\nmeasure q -> c;\n')
    return p


@pytest.fixture
def bad_file(tmp_path: Path) -> Path:
    p = tmp_path / "bad.qasm"
    p.write_text('OPENQASM 2.0;\ninclude "qelib1.inc";\nqreg q[2];\nh q[5];\n')
    return p


# ---------------------------------------------------------------------------------------------------------
# run
# ---------------------------------------------------------------------------------------------------------
def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "--version")
    assert code == 0
    assert out.startswith(f"suanli {suanli.__version__}")


def test_run_table(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "run", BELL, "--seed", "7", "--device", "cpu")
    assert code == 0, err
    assert err == ""
    assert "2 qubits, 2 clbits, 2 gates, depth 3" in out
    assert "seed 7" in out and "device cpu" in out and "1024 shots" in out
    assert "top 2 of 2 outcomes" in out
    lines = {ln.split()[0]: ln for ln in out.splitlines() if ln.strip().startswith(("00 ", "11 "))}
    assert set(lines) == {"00", "11"}
    assert "█" in out
    for stage in ("parse", "compile", "simulate", "sample", "total"):
        assert stage in out


def test_run_json(capsys: pytest.CaptureFixture[str]) -> None:
    data = run_json(capsys, "run", BELL, "--shots", "500", "--seed", "3", "--device", "cpu")
    assert data["file"] == BELL
    assert (data["num_qubits"], data["num_clbits"], data["shots"], data["seed"]) == (2, 2, 500, 3)
    assert (data["device"], data["precision"], data["order"]) == ("cpu", "single", "big")
    assert sum(data["counts"].values()) == 500
    assert set(data["counts"]) <= {"00", "11"}
    assert set(data["timings"]) == {"parse", "compile", "simulate", "sample", "total"}
    assert data["metadata"]["dtype"] == "complex64"
    assert data["metadata"]["suanli_version"] == suanli.__version__


def test_run_json_matches_library(capsys: pytest.CaptureFixture[str]) -> None:
    data = run_json(capsys, "run", GROVER, "--seed", "11", "--device", "cpu", "--precision", "double")
    expected = suanli.sample(suanli.load_qasm(GROVER), shots=1024, seed=11, device="cpu", dtype="double")
    assert data["counts"] == dict(expected.counts().most_common())
    assert next(iter(data["counts"])) == "1011"
    assert data["metadata"]["dtype"] == "complex128"


def test_run_order_qiskit(capsys: pytest.CaptureFixture[str]) -> None:
    grover = run_json(capsys, "run", GROVER, "--seed", "1", "--device", "cpu", "--order", "qiskit")
    assert grover["order"] == "qiskit"
    assert next(iter(grover["counts"])) == "1101"  # the marked item 1011 in Qiskit's order
    tele = run_json(capsys, "run", TELEPORT, "--seed", "1", "--device", "cpu", "--order", "qiskit")
    # registers m, c, result: Qiskit writes the last register first, so the result bit comes first
    assert set(tele["counts"]) == {"0 0 0", "0 0 1", "0 1 0", "0 1 1"}
    assert sum(tele["counts"].values()) == 1024
    assert tele["metadata"]["dynamic"] is True


def test_run_exact_teleport(capsys: pytest.CaptureFixture[str]) -> None:
    data = run_json(capsys, "run", TELEPORT, "--exact")
    assert data["exact"] is True and data["precision"] == "double"
    probs = data["probabilities"]
    assert abs(sum(probs.values()) - 1.0) < 1e-12
    expected = suanli.outcome_probabilities(suanli.load_qasm(TELEPORT))
    assert probs.keys() == expected.keys()
    assert all(abs(probs[k] - expected[k]) < 1e-12 for k in probs)
    # teleportation: the corrected qubit (classical bit 2) reads 0 in every branch
    assert all(k[2] == "0" for k in probs)


def test_run_exact_qiskit_order_and_table(capsys: pytest.CaptureFixture[str]) -> None:
    big = run_json(capsys, "run", GROVER, "--exact")["probabilities"]
    qk = run_json(capsys, "run", GROVER, "--exact", "--order", "qiskit", "--precision", "single")["probabilities"]
    assert {k[::-1]: v for k, v in big.items()}.keys() == qk.keys()
    assert max(abs(big[k[::-1]] - v) for k, v in qk.items()) < 1e-5
    code, out, err = run(capsys, "run", GROVER, "--exact", "--top", "3")
    assert code == 0 and "exact" in out and err == ""


def test_run_seed_drawn_and_repeatable(capsys: pytest.CaptureFixture[str]) -> None:
    first = run_json(capsys, "run", GROVER, "--device", "cpu")
    assert first["metadata"]["seed_given"] is False
    assert isinstance(first["seed"], int)
    again = run_json(capsys, "run", GROVER, "--device", "cpu", "--seed", str(first["seed"]))
    assert again["counts"] == first["counts"]


def test_run_top(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "run", GROVER, "--seed", "1", "--device", "cpu", "--top", "1")
    assert code == 0
    assert "top 1 of" in out
    assert "1011" in out
    code, out, _ = run(capsys, "run", GROVER, "--seed", "1", "--device", "cpu", "--top", "0")
    assert code == 0
    match = re.search(r"top (\d+) of (\d+) outcomes", out)
    assert match and match.group(1) == match.group(2)


def test_run_without_measurements(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    p = tmp_path / "nomeas.qasm"
    p.write_text('OPENQASM 2.0;\ninclude "qelib1.inc";\nqreg q[3];\nx q[0];\n')
    data = run_json(capsys, "run", str(p), "--seed", "1", "--device", "cpu", "--shots", "10")
    assert data["counts"] == {"100": 10}  # qubit 0 is the leftmost character
    assert data["metadata"]["implicit_measure"] is True


def test_progress_never_in_json_stdout(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Even with the progress bar forced on (a terminal on stderr, no delay), stdout holds only the JSON."""
    shown = []

    class TerminalOut(cli.Output):
        def __init__(self) -> None:
            super().__init__()
            self.err = Console(file=io.StringIO(), force_terminal=True, width=80)
            shown.append(self.err)

    monkeypatch.setattr(cli, "Output", TerminalOut)
    monkeypatch.setattr(cli_common, "PROGRESS_DELAY_S", 0.0)
    data = run_json(capsys, "run", str(examples.path("qft_12")), "--seed", "1", "--device", "cpu")
    assert sum(data["counts"].values()) == 1024
    assert "operations" in shown[0].file.getvalue()  # the bar was drawn, on the stderr console


def test_lazy_progress() -> None:
    buf = io.StringIO()
    console = Console(file=buf, force_terminal=True, width=80)
    slow = LazyProgress(console, "work", delay=100.0)
    for i in range(10):
        slow(i + 1, 10)
    slow.close()
    assert not slow.shown and buf.getvalue() == ""
    fast = LazyProgress(console, "work", delay=0.0)
    fast(1, 10)
    assert fast.shown
    fast(10, 10)
    fast.close()
    assert fast.shown
    assert "work" in buf.getvalue()


# ---------------------------------------------------------------------------------------------------------
# info, draw, demo
# ---------------------------------------------------------------------------------------------------------
def test_info_json(capsys: pytest.CaptureFixture[str]) -> None:
    data = run_json(capsys, "info", TELEPORT, "--device", "cpu")
    assert (data["num_qubits"], data["num_clbits"]) == (3, 3)
    assert [r["name"] for r in data["cregs"]] == ["m", "c", "result"]
    assert data["qregs"] == [{"name": "q", "size": 3}]
    assert data["count_ops"]["measure"] == 3
    assert data["dynamic"] is True
    assert data["mid_circuit_measurements"] == 2
    assert data["conditioned_operations"] == 2
    assert data["resets"] == 0
    assert data["memory"]["single"]["bytes"] == 2 * 2**3 * 8
    assert data["memory"]["double"]["bytes"] == 2 * 2**3 * 16
    assert data["memory"]["single"]["fits"] is True

    grover = run_json(capsys, "info", GROVER, "--device", "cpu")
    assert grover["custom_gates"] == ["c3z", "oracle", "diffuser"]
    assert grover["dynamic"] is False
    assert grover["num_parameters"] == 0
    assert grover["depth"] == suanli.load_qasm(GROVER).depth()


def test_info_table(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "info", GROVER, "--device", "cpu")
    assert code == 0, err
    for needle in ("qubits", "4 (q[4])", "oracle", "diffuser", "256 B", "512 B", "fits", "dynamic"):
        assert needle in out


def test_info_large_circuit_does_not_fit(capsys: pytest.CaptureFixture[str], big_file: Path) -> None:
    from suanli.sim.statevector.native import native_available

    data = run_json(capsys, "info", str(big_file), "--device", "cpu")
    buffers = 1 if native_available() else 2  # in place with the compiled CPU kernels
    assert data["memory"]["buffers"] == buffers
    text = "8.0 TiB" if buffers == 1 else "16.0 TiB"
    assert data["memory"]["single"] == {"bytes": buffers * 2**40 * 8, "text": text, "fits": False}
    assert data["memory"]["double"]["text"] == ("16.0 TiB" if buffers == 1 else "32.0 TiB")
    code, out, _ = run(capsys, "info", str(big_file), "--device", "cpu")
    assert code == 0 and "does NOT fit" in out


def test_info_dynamic_features(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    p = tmp_path / "params.qasm"
    p.write_text(
        'OPENQASM 2.0;\ninclude "qelib1.inc";\nqreg q[1];\ncreg c[1];\nmeasure q[0] -> c[0];\nreset q[0];\n'
        "if(c==1) x q[0];\nmeasure q[0] -> c[0];\n"
    )
    data = run_json(capsys, "info", str(p))
    assert data["resets"] == 1 and data["conditioned_operations"] == 1 and data["dynamic"] is True


def test_draw(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "draw", BELL)
    assert code == 0, err
    assert out == suanli.load_qasm(BELL).draw() + "\n"
    code, out, _ = run(capsys, "draw", TELEPORT, "--width", "40")
    assert code == 0
    assert out == suanli.load_qasm(TELEPORT).draw(max_width=40) + "\n"
    assert max(len(line) for line in out.splitlines()) <= 40
    data = run_json(capsys, "draw", BELL)
    assert data["drawing"] == suanli.load_qasm(BELL).draw()


def test_demo_json(capsys: pytest.CaptureFixture[str]) -> None:
    t0 = time.perf_counter()
    data = run_json(capsys, "demo", "--device", "cpu", "--shots", "256")
    assert time.perf_counter() - t0 < 30
    rows = {row["name"]: row for row in data["circuits"]}
    assert sorted(rows) == examples.names()
    for row in rows.values():
        assert sum(row["counts"].values()) == 256
    assert set(rows["bell"]["counts"]) <= {"00", "11"}
    assert set(rows["ghz_8"]["counts"]) <= {"00000000", "11111111"}
    assert next(iter(rows["grover_4"]["counts"])) == "1011"
    assert all(k.endswith("0" * 9) for k in rows["qft_12"]["counts"])
    assert all(k.endswith("0") for k in rows["teleport"]["counts"])  # keys 'm c result'
    assert rows["random_20"]["num_qubits"] == 20


def test_demo_table(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(
        examples, "names", lambda: ["bell", "grover_4", "teleport"]
    )  # test_demo_json runs all
    code, out, err = run(capsys, "demo", "--device", "cpu", "--shots", "64")
    assert code == 0, err
    assert err == ""
    for name in ("bell", "grover_4", "teleport"):
        assert name in out
    assert "1011" in out and "seed 1234" in out and "total" in out


# ---------------------------------------------------------------------------------------------------------
# errors
# ---------------------------------------------------------------------------------------------------------
def test_warning_is_one_line(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    p = tmp_path / "noheader.qasm"
    p.write_text('include "qelib1.inc";\nqreg q[1];\ncreg c[1];\nx q[0];\nmeasure q[0] -> c[0];\n')
    code, out, err = run(capsys, "run", str(p), "--json", "--shots", "8", "--device", "cpu")
    assert code == 0
    assert json.loads(out)["counts"] == {"1": 8}
    assert err.startswith("suanli: warning: ") and err.count("\n") == 1, err


def test_missing_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    missing = str(tmp_path / "nope.qasm")
    for command in ("run", "info", "draw"):
        assert_one_line_error(*run(capsys, command, missing), missing)
    assert_one_line_error(*run(capsys, "run", missing, "--json"), missing)


def test_directory(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert_one_line_error(*run(capsys, "run", str(tmp_path)), str(tmp_path))


def test_malformed_file(capsys: pytest.CaptureFixture[str], bad_file: Path) -> None:
    code, out, err = run(capsys, "run", str(bad_file))
    assert_one_line_error(code, out, err, f"{bad_file}:4:")
    assert_one_line_error(*run(capsys, "info", str(bad_file), "--json"), f"{bad_file}:4:")


def test_not_utf8(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    p = tmp_path / "binary.qasm"
    p.write_bytes(b"OPENQASM 2.0;\n\xff\xfe\x00")
    assert_one_line_error(*run(capsys, "run", str(p)), str(p))


@pytest.mark.parametrize(
    "argv",
    [
        ["run", BELL, "--shots", "0"],
        ["run", BELL, "--shots", "many"],
        ["run", BELL, "--shots", "-5"],
        ["run", BELL, "--seed", "-1"],
        ["run", BELL, "--device", "tpu"],
        ["run", BELL, "--precision", "half"],
        ["run", BELL, "--order", "little"],
        ["draw", BELL, "--width", "3"],
        ["run"],
        ["frobnicate"],
    ],
)
def test_usage_errors(capsys: pytest.CaptureFixture[str], argv: list[str]) -> None:
    code, out, err = run(capsys, *argv)
    assert code == 2
    assert out == ""
    assert "error:" in err and "Traceback" not in err


def test_bad_shots_message(capsys: pytest.CaptureFixture[str]) -> None:
    _, _, err = run(capsys, "run", BELL, "--shots", "0")
    assert "argument --shots: must be at least 1, got 0" in err


def test_no_command(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys)
    assert code == 2 and out == "" and "usage:" in err


@pytest.mark.skipif(torch.cuda.is_available(), reason="needs a machine without a CUDA GPU")
def test_cuda_without_gpu(capsys: pytest.CaptureFixture[str]) -> None:
    assert_one_line_error(*run(capsys, "run", BELL, "--device", "cuda"), "cuda")
    assert_one_line_error(*run(capsys, "demo", "--device", "cuda", "--json"), "cuda")


def test_too_large_refused(capsys: pytest.CaptureFixture[str], big_file: Path) -> None:
    from suanli.sim.statevector.native import native_available

    code, out, err = run(capsys, "run", str(big_file), "--device", "cpu")
    # one in-place buffer with the compiled CPU kernels, two with the double-buffered torch kernels
    assert_one_line_error(code, out, err, "40-qubit", "8.0 TiB" if native_available() else "16.0 TiB")
    code, out, err = run(capsys, "run", str(big_file), "--device", "cpu", "--precision", "double", "--json")
    assert_one_line_error(code, out, err, "16.0 TiB" if native_available() else "32.0 TiB")


def test_memory_cap(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    from suanli.sim.statevector.native import native_available

    monkeypatch.setenv("SUANLI_MAX_MEMORY", "1MiB")
    code, out, err = run(capsys, "run", str(examples.path("random_20")), "--device", "cpu")
    assert_one_line_error(code, out, err, "20-qubit", "8.0 MiB" if native_available() else "16.0 MiB")
    data = run_json(capsys, "info", str(examples.path("random_20")), "--device", "cpu")
    assert data["memory"]["single"]["fits"] is False


def test_os_error(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    def deny(path: str) -> None:
        raise PermissionError(13, "Permission denied", path)

    monkeypatch.setattr(cli, "load_qasm", deny)
    assert_one_line_error(*run(capsys, "run", "locked.qasm"), "locked.qasm: Permission denied")


def test_decode_error_names_the_file(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def undecodable(path: str) -> None:
        b"\xff".decode("utf-8")

    monkeypatch.setattr(cli, "load_qasm", undecodable)
    assert_one_line_error(*run(capsys, "info", "odd.qasm"), "odd.qasm: the file is not UTF-8 text")


def test_internal_error(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    def boom(path: str) -> None:
        raise RuntimeError("boom\nsecond line")

    monkeypatch.setattr(cli, "load_qasm", boom)
    monkeypatch.delenv("SUANLI_DEBUG", raising=False)
    code, out, err = run(capsys, "run", BELL)
    assert code == 1 and out == ""
    assert err == (
        "suanli: internal error: RuntimeError: boom second line (set SUANLI_DEBUG=1 for a traceback)\n"
    )
    monkeypatch.setenv("SUANLI_DEBUG", "1")
    with pytest.raises(RuntimeError, match="boom"):
        main(["run", BELL])


def test_keyboard_interrupt(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    def interrupt(path: str) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(cli, "load_qasm", interrupt)
    code, out, err = run(capsys, "run", BELL)
    assert code == 130 and out == ""
    assert err.strip() == "suanli: interrupted"


# ---------------------------------------------------------------------------------------------------------
# as a subprocess
# ---------------------------------------------------------------------------------------------------------
def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(SRC), *filter(None, [env.get("PYTHONPATH")])])
    env.pop("SUANLI_DEBUG", None)
    env["COLUMNS"] = "100"
    return env


def _sub(*argv: str, module: str = "suanli") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", module, *argv], capture_output=True, text=True, env=_env(), timeout=120
    )


def test_subprocess_run_json() -> None:
    proc = _sub("run", BELL, "--json", "--shots", "100", "--seed", "5", "--device", "cpu")
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""
    data = json.loads(proc.stdout)
    assert sum(data["counts"].values()) == 100


def test_subprocess_module_cli_main() -> None:
    proc = _sub("--version", module="suanli.cli.main")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("suanli ")
    assert "RuntimeWarning" not in proc.stderr


@pytest.mark.parametrize("kind", ["missing", "malformed", "too large"])
def test_subprocess_errors(kind: str, bad_file: Path, big_file: Path, tmp_path: Path) -> None:
    argv, needle = {
        "missing": (["run", str(tmp_path / "missing.qasm")], "missing.qasm"),
        "malformed": (["info", str(bad_file), "--json"], f"{bad_file}:4:"),
        "too large": (["run", str(big_file), "--device", "cpu"], "TiB"),
    }[kind]
    proc = _sub(*argv)
    assert_one_line_error(proc.returncode, proc.stdout, proc.stderr, needle)


def test_console_script() -> None:
    exe = Path(sys.executable).with_name("suanli")
    script = str(exe) if exe.exists() else shutil.which("suanli")
    if script is None:
        pytest.skip("the suanli console script is not installed (pip install -e .)")
    proc = subprocess.run([script, "draw", BELL], capture_output=True, text=True, env=_env(), timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == suanli.load_qasm(BELL).draw() + "\n"
