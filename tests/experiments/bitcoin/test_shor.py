"""Toy Shor: order finding and discrete logarithms recovered from simulated runs."""

from __future__ import annotations

import pytest

from suanli.errors import SuanliError
from suanli.experiments.bitcoin.shor import (
    discrete_log,
    ideal_period_distribution,
    order_from_outcome,
    period_finding,
    period_finding_circuit,
)


@pytest.mark.parametrize("a", [2, 7, 8, 11, 13])
@pytest.mark.parametrize("seed", [0, 1])
def test_factor_15(a, seed):
    r = period_finding(15, a, shots=12, seed=seed)
    true_order = next(k for k in range(1, 15) if pow(a, k, 15) == 1)
    assert r.order == true_order
    assert r.max_deviation_from_ideal < 1e-9
    if true_order % 2 == 0 and pow(a, true_order // 2, 15) != 14:
        assert r.factors == (3, 5)


def test_ideal_distribution_peaks():
    p = ideal_period_distribution(15, 7, 8)  # order 4: peaks at multiples of 256/4
    assert set(p.argsort()[-4:].tolist()) == {0, 64, 128, 192}
    assert p.sum() == pytest.approx(1.0)


def test_order_from_outcome():
    assert order_from_outcome(192, 8, 7, 15) == 4
    assert order_from_outcome(0, 8, 7, 15) is None
    assert order_from_outcome(171, 10, 2, 21) == 6  # 171/1024 ≈ 1/6


def test_counts_are_reported():
    c = period_finding_circuit(15, 7)
    assert c.num_qubits == 8 + 4 + 2
    r = period_finding(15, 7, shots=5, seed=0)
    assert r.toffolis == r.gate_counts.get("ccx", 0) > 0


@pytest.mark.parametrize("h", [1, 2, 3, 4])
@pytest.mark.parametrize("seed", [0, 1])
def test_discrete_log_mod_5(h, seed):
    r = discrete_log(5, 2, h, shots=16, seed=seed)
    assert r.log is not None and pow(2, r.log, 5) == h
    assert r.relation_holds


def test_bad_arguments():
    with pytest.raises(SuanliError):
        period_finding_circuit(15, 5)  # not coprime
    with pytest.raises(SuanliError):
        discrete_log(7, 3, 2)
    with pytest.raises(SuanliError):
        discrete_log(17, 4, 2)  # 4 is not a generator mod 17


@pytest.mark.slow
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_factor_21(seed):
    r = period_finding(21, 2, shots=10, seed=seed)
    assert r.order == 6 and r.factors == (3, 7)
    assert r.max_deviation_from_ideal < 1e-9


@pytest.mark.slow
@pytest.mark.parametrize("seed", [0, 1])
def test_discrete_log_mod_17(seed):
    r = discrete_log(17, 3, 13, shots=20, seed=seed)
    assert r.log == 4 and r.relation_holds


def test_order_finding_state_matches_qiskit():
    qasm2 = pytest.importorskip("qiskit.qasm2")
    import numpy as np
    import torch
    from qiskit.quantum_info import Statevector

    import suanli

    c = period_finding_circuit(15, 7)
    ours = suanli.state(c, device="cpu", dtype=torch.complex128).numpy()
    qc = qasm2.loads(suanli.dumps_qasm(c))
    n = c.num_qubits
    theirs = np.asarray(Statevector(qc)).reshape([2] * n).transpose(list(range(n))[::-1]).reshape(-1)
    assert abs(np.vdot(theirs, ours)) == pytest.approx(1.0, abs=1e-9)
