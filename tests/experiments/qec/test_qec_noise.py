"""Noise models: checked against Stim's own noise arguments, Stim tableaus and the published SI1000 table."""

from __future__ import annotations

import itertools

import pytest

from suanli.errors import SuanliError
from suanli.experiments.qec import WILLOW, HardwareSpec, NoiseModel, hardware_noise, memory_circuit, noise_model, si1000
from suanli.experiments.qec.noise import _to_cz, uniform_depolarizing

stim = pytest.importorskip("stim")


def _errors(dem: stim.DetectorErrorModel) -> list[str]:
    return sorted(str(i) for i in dem.flattened() if i.type == "error")


@pytest.mark.parametrize("code,basis", [("surface", "x"), ("surface", "z"), ("repetition", "z")])
def test_gate_measure_reset_noise_equals_stims_own(code: str, basis: str) -> None:
    # Stim's generator can add the same noise itself: its error model must be identical to ours.
    p = 0.002
    ours = NoiseModel("test", p, gate1=p, gate2=p, measure=p, reset=p)
    noiseless = memory_circuit(code, 3, 4, basis)
    kind = f"surface_code:rotated_memory_{basis}" if code == "surface" else "repetition_code:memory"
    theirs = stim.Circuit.generated(
        kind,
        distance=3,
        rounds=4,
        after_clifford_depolarization=p,
        after_reset_flip_probability=p,
        before_measure_flip_probability=p,
    )
    a = ours.apply(noiseless).detector_error_model(decompose_errors=True)
    b = theirs.detector_error_model(decompose_errors=True)
    assert _errors(a) == _errors(b)
    # and a different strength is seen as different
    other = NoiseModel("test", p, gate1=p, gate2=p, measure=2 * p, reset=p)
    assert _errors(other.apply(noiseless).detector_error_model(decompose_errors=True)) != _errors(b)


def test_cz_compilation_preserves_the_operation() -> None:
    program = stim.Circuit("H 0 2\nTICK\nCX 0 1 2 3\nTICK\nCX 1 2 3 0\nTICK\nS 1\nTICK\nCX 0 2\nTICK\nH 0 1")
    compiled = _to_cz(program)
    assert compiled.to_tableau() == program.to_tableau()
    names = {op.name for op in compiled}
    assert "CX" not in names and "CZ" in names
    # one-qubit layers between CZ layers are merged: no two one-qubit layers in a row
    layers = str(compiled).split("TICK")
    assert all("CZ" in a or "CZ" in b for a, b in itertools.pairwise(layers))


@pytest.mark.parametrize("code,basis", [("surface", "x"), ("surface", "z"), ("repetition", "x")])
def test_si1000_circuits_stay_valid_memories(code: str, basis: str) -> None:
    noisy = memory_circuit(code, 3, 3, basis, si1000(0.001))
    # deterministic detectors and observable: raises if the CZ rewrite broke a stabilizer
    dem = noisy.detector_error_model(decompose_errors=True)
    assert dem.num_errors > 0
    text = str(noisy)
    assert "CX" not in text
    assert "DEPOLARIZE2(0.001)" in text
    assert "(0.005)" in text  # measurement flips 5p
    assert "X_ERROR(0.002)" in text or "Z_ERROR(0.002)" in text  # reset 2p
    assert "DEPOLARIZE1(0.0001)" in text  # 1q gates and idles p/10
    assert "DEPOLARIZE1(0.002)" in text  # resonator idle 2p
    # noiseless CZ circuit samples no detection events
    clean = _to_cz(memory_circuit(code, 3, 3, basis))
    assert not clean.compile_detector_sampler().sample(50).any()


def test_si1000_table() -> None:
    m = si1000(0.002)
    assert (m.gate1, m.gate2, m.measure, m.reset) == pytest.approx((0.0002, 0.002, 0.01, 0.004))
    assert m.idle_gate2 == pytest.approx((0.0002 / 3,) * 3)
    assert m.idle_measure == pytest.approx((0.004 / 3,) * 3)
    assert m.native_cz


def test_hardware_model_from_t1_t2() -> None:
    spec = HardwareSpec(0.001, 0.005, 0.01, t1_us=50.0, t2_us=40.0, cycle_us=1.0, gate1_ns=20, gate2_ns=30)
    assert spec.measure_reset_duration_ns == pytest.approx(1000 - 5 * 20 - 4 * 30)
    px, py, pz = spec.idle_channel(1000.0)
    import math

    assert px == py == pytest.approx((1 - math.exp(-1 / 50)) / 4)
    assert pz == pytest.approx((1 - math.exp(-1 / 40)) / 2 - px)
    m = hardware_noise(spec)
    assert m.gate2 == 0.005 and m.measure == 0.01
    assert m.idle_measure == pytest.approx(spec.idle_channel(780.0))
    doubled = hardware_noise(spec, 2.0)
    assert doubled.gate1 == pytest.approx(0.002)
    assert "PAULI_CHANNEL_1" in str(m.apply(memory_circuit("surface", 3, 2, "z")))


def test_willow_spec_is_the_published_one() -> None:
    assert (WILLOW.gate1_error, WILLOW.gate2_error, WILLOW.readout_error) == (0.00035, 0.0033, 0.0077)
    assert (WILLOW.t1_us, WILLOW.t2_us, WILLOW.cycle_us) == (68.0, 89.0, 1.1)
    assert noise_model("willow", 0.0033).gate2 == pytest.approx(0.0033)


def test_bad_input() -> None:
    with pytest.raises(SuanliError):
        si1000(0.3)
    with pytest.raises(SuanliError):
        uniform_depolarizing(-0.1)
    with pytest.raises(SuanliError, match="T2"):
        HardwareSpec(0.001, 0.005, 0.01, t1_us=10, t2_us=30)
    with pytest.raises(SuanliError, match="shorter"):
        HardwareSpec(0.001, 0.005, 0.01, t1_us=10, t2_us=10, cycle_us=0.1)
    with pytest.raises(SuanliError, match="unknown noise"):
        noise_model("nope", 0.001)
    with pytest.raises(SuanliError, match="already contains noise"):
        si1000(0.001).apply(stim.Circuit("H 0\nDEPOLARIZE1(0.1) 0\nM 0"))
