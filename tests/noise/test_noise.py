"""Noise channels, the density matrix (against Qiskit Aer) and trajectories (against the density matrix)."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from qiskit import QuantumCircuit
from qiskit_aer import AerSimulator
from qiskit_aer import noise as aer_noise

import suanli
from suanli import SimulationTooLarge, SuanliError
from suanli.noise import (
    KrausChannel,
    NoiseModel,
    ReadoutError,
    amplitude_damping,
    bit_flip,
    density_matrix,
    depolarizing,
    noisy_probabilities,
    pauli_channel,
    phase_damping,
    phase_flip,
    run_trajectories,
)


def _apply(channel: KrausChannel, rho: np.ndarray) -> np.ndarray:
    return sum(k @ rho @ k.conj().T for k in channel.kraus)


def test_depolarizing_matches_its_definition() -> None:
    rng = np.random.default_rng(0)
    for k in (1, 2):
        d = 2**k
        a = rng.normal(size=(d, d)) + 1j * rng.normal(size=(d, d))
        rho = a @ a.conj().T
        rho /= np.trace(rho)
        lam = 0.3
        got = _apply(depolarizing(lam, k), rho)
        np.testing.assert_allclose(got, (1 - lam) * rho + lam * np.eye(d) / d, atol=1e-12)
    assert depolarizing(0.01, 1).error_probability == pytest.approx(0.0075)
    assert depolarizing(0.01, 2).error_probability == pytest.approx(0.009375)


def test_channel_properties_and_validation() -> None:
    ad = amplitude_damping(0.2)
    rho1 = np.array([[0, 0], [0, 1]], dtype=complex)
    np.testing.assert_allclose(_apply(ad, rho1), np.diag([0.2, 0.8]), atol=1e-12)
    pd = phase_damping(0.36)
    plus = np.full((2, 2), 0.5, dtype=complex)
    assert _apply(pd, plus)[0, 1] == pytest.approx(0.5 * 0.8)
    assert pauli_channel({"X": 0.1, "Z": 0.05}).error_probability == pytest.approx(0.15)
    assert bit_flip(0.1).is_pauli and phase_flip(0.1).num_qubits == 1
    assert not ad.is_pauli
    # the general formula agrees with the Pauli error for Pauli channels
    ch = pauli_channel({"XY": 0.02, "ZI": 0.03})
    general = KrausChannel(ch.kraus)
    assert general.error_probability == pytest.approx(ch.error_probability)
    with pytest.raises(SuanliError, match="trace preserving"):
        KrausChannel((np.eye(2) * 0.5,))
    with pytest.raises(SuanliError):
        pauli_channel({"X": 0.7, "Y": 0.6})
    with pytest.raises(SuanliError):
        depolarizing(2.0, 1)
    with pytest.raises(SuanliError):
        ReadoutError(1.5, 0.0)
    with pytest.raises(SuanliError, match="cannot follow"):
        NoiseModel().add_gate_error(depolarizing(0.1, 2)).predicted_fidelity(suanli.Circuit(1).h(0))


def _circuit() -> suanli.Circuit:
    c = suanli.Circuit(3)
    c.h(0).sx(1).ry(0.7, 2).cx(0, 1).rz(0.3, 1).cz(1, 2).h(2).cx(2, 0).ry(1.1, 1)
    return c


def _to_qiskit(c: suanli.Circuit) -> QuantumCircuit:
    return QuantumCircuit.from_qasm_str(suanli.dumps_qasm(c))


def _aer_density(c: suanli.Circuit, model: aer_noise.NoiseModel) -> np.ndarray:
    qc = _to_qiskit(c)
    qc.save_density_matrix()
    sim = AerSimulator(method="density_matrix", noise_model=model)
    rho = np.asarray(sim.run(qc).result().data()["density_matrix"])
    n = c.num_qubits
    t = rho.reshape([2] * (2 * n))  # little-endian: reverse the row and the column qubits
    perm = [*range(n - 1, -1, -1), *range(2 * n - 1, n - 1, -1)]
    return t.transpose(perm).reshape(2**n, 2**n)


ONE_Q = ["h", "sx", "ry", "rz"]
TWO_Q = ["cx", "cz"]


@pytest.mark.parametrize("kind", ["depolarizing", "damping"])
def test_density_matrix_matches_aer(kind: str) -> None:
    c = _circuit()
    ours = NoiseModel()
    aer = aer_noise.NoiseModel()
    if kind == "depolarizing":
        ours.add_gate_error(depolarizing(0.05, 1), arity=1).add_gate_error(depolarizing(0.1, 2), arity=2)
        aer.add_all_qubit_quantum_error(aer_noise.depolarizing_error(0.05, 1), ONE_Q)
        aer.add_all_qubit_quantum_error(aer_noise.depolarizing_error(0.1, 2), TWO_Q)
    else:
        ours.add_gate_error(amplitude_damping(0.1), arity=1).add_gate_error(phase_damping(0.2), arity=2)
        aer.add_all_qubit_quantum_error(aer_noise.amplitude_damping_error(0.1), ONE_Q)
        pd = aer_noise.phase_damping_error(0.2)
        aer.add_all_qubit_quantum_error(pd.tensor(pd), TWO_Q)
    got = density_matrix(c, ours, device="cpu").numpy()
    want = _aer_density(c, aer)
    np.testing.assert_allclose(got, want, atol=1e-10)
    assert np.trace(got).real == pytest.approx(1.0)


def test_noiseless_density_matrix_is_the_pure_state() -> None:
    c = _circuit()
    psi = suanli.state(c, device="cpu", dtype=torch.complex128).numpy()
    np.testing.assert_allclose(density_matrix(c, device="cpu").numpy(), np.outer(psi, psi.conj()), atol=1e-12)


def test_readout_error_on_probabilities() -> None:
    c = suanli.Circuit(2).x(0)
    nm = NoiseModel().add_readout_error(ReadoutError(0.1, 0.2))
    p = noisy_probabilities(c, nm, device="cpu").numpy()
    # qubit 0 is 1 (reads 0 w.p. 0.2), qubit 1 is 0 (reads 1 w.p. 0.1); index = 2*b0 + b1
    np.testing.assert_allclose(p, [0.2 * 0.9, 0.2 * 0.1, 0.8 * 0.9, 0.8 * 0.1], atol=1e-12)
    with pytest.raises(SimulationTooLarge):
        density_matrix(suanli.Circuit(13), device="cpu")


def _tvd(a: np.ndarray, b: np.ndarray) -> float:
    return 0.5 * float(np.abs(a - b).sum())


@pytest.mark.parametrize("dtype", [torch.complex64, torch.complex128])
def test_trajectories_agree_with_the_density_matrix(dtype: torch.dtype) -> None:
    c = _circuit()
    nm = NoiseModel()
    nm.add_gate_error(depolarizing(0.1, 2), arity=2)
    nm.add_gate_error(amplitude_damping(0.15), gates=["h", "ry"])
    nm.add_gate_error(pauli_channel({"X": 0.05, "Y": 0.02}), arity=1)
    nm.add_readout_error(ReadoutError(0.03, 0.08))
    exact = noisy_probabilities(c, nm, device="cpu").numpy()
    shots = 4000
    r = run_trajectories(c, nm, shots=shots, batch=1000, seed=11, device="cpu", dtype=dtype,
                         return_probabilities=True)
    assert r.shots == shots and r.trajectories == shots
    counts = np.bincount(r.bits @ (1 << np.arange(2, -1, -1)), minlength=8) / shots
    # TVD of N samples over 8 outcomes: E ~ 0.5 * sum sqrt(2 p / (pi N)); allow 3x
    bound = 3 * 0.5 * float(np.sum(np.sqrt(2 * exact / (np.pi * shots))))
    assert _tvd(counts, exact) < bound
    # the mean of |psi_t|^2 over trajectories estimates the noisy distribution before readout
    before = noisy_probabilities(c, NoiseModel(rules=nm.rules), device="cpu").numpy()
    assert _tvd(r.probabilities.numpy(), before) < 0.025
    assert _tvd(before, exact) > 0.02  # the readout error is visible


def test_trajectories_are_seeded_and_independent_of_the_batch_split_in_distribution() -> None:
    c = _circuit()
    nm = NoiseModel.uniform_depolarizing(p1=0.02, p2=0.05, readout=0.01)
    a = run_trajectories(c, nm, shots=300, batch=64, seed=5, device="cpu")
    b = run_trajectories(c, nm, shots=300, batch=64, seed=5, device="cpu")
    assert np.array_equal(a.bits, b.bits)
    fewer = run_trajectories(c, nm, shots=1000, trajectories=10, batch=4, seed=5, device="cpu")
    assert fewer.trajectories == 10 and fewer.shots == 1000
    assert sum(fewer.counts().values()) == 1000


def test_trajectory_errors() -> None:
    c = suanli.Circuit(1, 1).h(0).measure(0, 0).h(0)
    with pytest.raises(SuanliError, match="unitary"):
        run_trajectories(c, NoiseModel(), shots=1, device="cpu")
    with pytest.raises(SuanliError):
        run_trajectories(suanli.Circuit(1), NoiseModel(), shots=0, device="cpu")
    with pytest.raises(SuanliError):
        run_trajectories(suanli.Circuit(1), NoiseModel(), shots=1, batch=0, device="cpu")


@pytest.mark.cuda
def test_trajectories_on_cuda_agree_with_the_density_matrix() -> None:
    c = _circuit()
    nm = NoiseModel.uniform_depolarizing(p1=0.05, p2=0.1, readout=0.02)
    exact = noisy_probabilities(c, nm, device="cpu").numpy()
    r = run_trajectories(c, nm, shots=8000, batch=1024, seed=2, device="cuda")
    counts = np.bincount(r.bits @ (1 << np.arange(2, -1, -1)), minlength=8) / 8000
    assert _tvd(counts, exact) < 3 * 0.5 * float(np.sum(np.sqrt(2 * exact / (np.pi * 8000))))
