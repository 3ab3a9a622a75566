"""Memory circuits, sampling with sinter + PyMatching, and the resumable store (kill and restart)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from suanli.errors import SuanliError
from suanli.experiments.qec import MemoryPoint, collect, memory_circuit, run_lambda, si1000, uniform_depolarizing

stim = pytest.importorskip("stim")
sinter = pytest.importorskip("sinter")


def test_circuit_shapes() -> None:
    c = memory_circuit("surface", 5, 4, "z")
    assert c.num_observables == 1
    # first round: the 12 Z stabilizers; later rounds compare all 24 with the round before; final data check: 12
    assert c.num_detectors == 12 + 3 * 24 + 12
    rep = memory_circuit("repetition", 7, 3, "z")
    assert rep.num_detectors == 3 * 6 + 6
    with pytest.raises(SuanliError, match="odd"):
        memory_circuit("surface", 4, 3, "z")
    with pytest.raises(SuanliError, match="basis"):
        memory_circuit("surface", 3, 3, "y")


def test_x_basis_repetition_code_protects_against_phase_flips() -> None:
    for basis, harmless, harmful in (("z", "Z_ERROR", "X_ERROR"), ("x", "X_ERROR", "Z_ERROR")):
        c = memory_circuit("repetition", 3, 3, basis)
        ops = str(c).split("TICK", 1)
        for error, should_fire in ((harmless, False), (harmful, True)):
            last_data = 4  # the observable is the last data qubit's final measurement
            hit = stim.Circuit(ops[0] + f"\nTICK\n{error}(1) {last_data}\n" + ops[1])
            det, obs = hit.compile_detector_sampler().sample(4, separate_observables=True)
            assert det.any() == should_fire, (basis, error)
            assert obs.any() == should_fire, (basis, error)


def test_below_and_above_threshold() -> None:
    # SI1000 (threshold near 0.8 %): at p = 0.1 % the bigger code is better, at p = 1.5 % it is worse.
    # Three rounds for both distances keep P_L away from 1/2, where ε could no longer be resolved.
    below = [MemoryPoint("surface", d, 3, "z", si1000(0.001)) for d in (3, 5)]
    above = [MemoryPoint("surface", d, 3, "z", si1000(0.015)) for d in (3, 5)]
    stats = collect(below + above, max_shots=60_000, max_errors=2000, num_workers=1)
    by = {(s.point.noise.p, s.point.distance): s.rate for s in stats}
    assert all(s.errors > 0 for s in stats)
    assert by[(0.001, 5)] < by[(0.001, 3)] / 2
    assert by[(0.015, 5)] > by[(0.015, 3)] * 1.1


KILLABLE = textwrap.dedent(
    """
    import sys
    from suanli.experiments.qec import MemoryPoint, collect, uniform_depolarizing

    if __name__ == "__main__":
        points = [MemoryPoint("repetition", 5, 5, "z", uniform_depolarizing(0.02))]
        collect(points, max_shots=10**9, num_workers=1, store=sys.argv[1])
    """
)


def _csv_shots(path: Path) -> int:
    return sum(s.shots for s in sinter.read_stats_from_csv_files(path))


def test_killed_sweep_loses_nothing_and_repeats_nothing(tmp_path: Path) -> None:
    store = tmp_path / "store.csv"
    script = tmp_path / "run.py"
    script.write_text(KILLABLE)
    env = dict(os.environ, PYTHONPATH=str(Path(__file__).resolve().parents[3] / "src"))
    proc = subprocess.Popen([sys.executable, str(script), str(store)], env=env, start_new_session=True)
    try:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if store.exists() and store.read_text().count("\n") >= 4:  # header + 3 batches
                break
            time.sleep(0.2)
        else:
            pytest.fail("the sweep wrote nothing in 90 s")
    finally:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
    # a line torn by the kill is dropped on restart; simulate the worst case explicitly
    with store.open("a") as f:
        f.write("     1234,    12,   0,  0.1,pymatch")
    before_lines = store.read_text().splitlines()[:-1]
    before = sum(int(line.split(",")[0]) for line in before_lines[1:])
    assert before > 0

    point = MemoryPoint("repetition", 5, 5, "z", uniform_depolarizing(0.02))
    target = before + 5_000
    (stats,) = collect([point], max_shots=target, num_workers=1, store=store)
    assert stats.shots == target  # nothing lost, no shot counted twice, the plan completed exactly
    after_lines = store.read_text().splitlines()
    assert after_lines[: len(before_lines)] == before_lines  # earlier samples untouched
    assert _csv_shots(store) == target
    # a finished plan does not sample again
    (again,) = collect([point], max_shots=target, num_workers=1, store=store)
    assert again.shots == target and store.read_text().splitlines() == after_lines


def test_collect_rejects_bad_input(tmp_path: Path) -> None:
    point = MemoryPoint("repetition", 3, 3, "z", uniform_depolarizing(0.01))
    with pytest.raises(SuanliError, match="max_shots"):
        collect([point], max_shots=0)
    with pytest.raises(SuanliError, match="twice"):
        collect([point, point], max_shots=10)
    bad = tmp_path / "bad.csv"
    bad.write_text("this is not,a sinter file\n1,2\n")
    with pytest.raises(SuanliError, match="sinter CSV"):
        collect([point], max_shots=10, store=bad)


def test_run_lambda_on_repetition_code(tmp_path: Path) -> None:
    res = run_lambda(
        uniform_depolarizing(0.03),
        distances=(3, 5),
        code="repetition",
        bases=("z",),
        rounds=(1, 2),
        max_shots=20_000,
        max_errors=200,
        num_workers=1,
        store=tmp_path / "s.csv",
    )
    assert set(res.eps) == {3, 5}
    assert len(res.stats) == 4
    assert res.lam.low <= res.lam.lam <= res.lam.high
    assert res.lam.lam > 1  # 3 % is below the repetition code's threshold
    data = res.to_dict()
    assert data["lambda"]["distances"] == [3, 5]
    from suanli.experiments.qec.plots import plot_lambda

    png = plot_lambda(res, tmp_path / "l.png")
    assert png.read_bytes()[:4] == b"\x89PNG"
