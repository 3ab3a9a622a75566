"""Linear XEB: closed forms, ideal and uniform samplers, and the noisy experiment against Π(1 − e)."""

from __future__ import annotations

import numpy as np
import pytest

import suanli
from suanli import SuanliError, linear_xeb
from suanli.experiments.rcs import pauli_error_model, run_xeb_experiment, sycamore_circuit


def test_closed_form_on_a_small_distribution() -> None:
    p = np.array([0.5, 0.25, 0.125, 0.125])
    r = linear_xeb(["00", "00", "01", "10"], p)
    # 4 * mean(0.5, 0.5, 0.25, 0.125) - 1 = 0.375
    assert r.fidelity == pytest.approx(0.375)
    px = np.array([0.5, 0.5, 0.25, 0.125])
    assert r.stderr == pytest.approx(4 * px.std(ddof=1) / 2)
    same = linear_xeb(np.array([[0, 0], [0, 0], [0, 1], [1, 0]]), p)
    assert same == r
    assert linear_xeb(np.array([0, 0, 1, 2]), p, num_qubits=2) == r
    assert linear_xeb(["00", "00", "01", "10"], sample_probabilities=px, num_qubits=2) == r


def test_ideal_samples_give_one_and_uniform_samples_give_zero() -> None:
    c = sycamore_circuit(12, grid=(3, 4), seed=7)
    p = suanli.probabilities(c, device="cpu").numpy()
    rng = np.random.default_rng(0)
    ideal = rng.choice(len(p), size=20000, p=p / p.sum())
    r = linear_xeb(ideal, p, num_qubits=12)
    # for Porter-Thomas, E[F] = 2^n sum p^2 - 1 (close to 1)
    expected = 2**12 * float(np.sum(p**2)) - 1
    assert abs(r.fidelity - expected) < 4 * r.stderr
    assert abs(expected - 1) < 0.25
    uniform = rng.integers(0, len(p), size=20000)
    u = linear_xeb(uniform, p, num_qubits=12)
    assert abs(u.fidelity) < 4 * u.stderr
    assert 0.005 < u.stderr < 0.012  # about 1/sqrt(N) for Porter-Thomas


def test_circuit_as_the_ideal_distribution() -> None:
    c = suanli.Circuit(2).h(0).cx(0, 1)
    r = linear_xeb(["00", "11", "11"], c)
    assert r.fidelity == pytest.approx(1.0)  # 4 * 0.5 - 1


@pytest.mark.parametrize(
    ("args", "kwargs", "needle"),
    [
        ((["0", "01"], np.ones(2) / 2), {}, "same length"),
        ((["00"], np.ones(2) / 2), {}, "has 4 entries"),
        ((["00"],), {}, "needs ideal"),
        ((np.array([0, 1]),), {"sample_probabilities": [0.5]}, "need"),
        ((["00", "01"],), {"sample_probabilities": [0.5], "num_qubits": 2}, "1 sample probabilities for 2"),
        ((["000"], suanli.Circuit(2)), {}, "the circuit has 2 qubits"),
    ],
)
def test_errors(args: tuple, kwargs: dict, needle: str) -> None:
    with pytest.raises(SuanliError, match=needle):
        linear_xeb(*args, **kwargs)


def test_pauli_error_model_prediction_for_sycamore() -> None:
    # the published error rates predict F ~ 0.2 % for the 53-qubit, 20-cycle circuit (Arute et al. 2019)
    model = pauli_error_model(0.0016, 0.0062, 0.038)
    f = model.predicted_fidelity(sycamore_circuit(20, seed=0))
    want = (1 - 0.0016) ** 1113 * (1 - 0.0062) ** 430 * (1 - 0.038) ** 53
    assert f == pytest.approx(want, rel=1e-9)
    assert 0.001 < f < 0.003


def test_noisy_experiment_follows_the_error_model() -> None:
    res = run_xeb_experiment(grid=(2, 3), cycles=(8,), scales=(0.0, 4.0), shots=1000, seed=3, device="cpu")
    assert len(res.points) == 2
    ideal, noisy = res.points
    assert ideal.predicted == 1.0
    assert abs(ideal.fidelity - 1.0) < 0.35  # 6 qubits are only roughly Porter-Thomas
    # measured F within 4 sigma plus 25 % model error of the digital-error-model prediction
    assert abs(noisy.fidelity - noisy.predicted) < 4 * noisy.stderr + 0.25 * noisy.predicted
    assert noisy.fidelity < ideal.fidelity - 0.2
    d = res.as_dict()
    assert d["points"][1]["scale"] == 4.0 and d["num_qubits"] == 6
