"""Sampling against qiskit-aer's AerSimulator and against suanli's exact outcome distribution; Qiskit-order
keys; seeds; the Result and Counts records.

Distribution checks use fixed seeds and 20000 shots. A check fails when an outcome of probability 0 is seen, when
the chi-square statistic is beyond df + 8·sqrt(2·df) + 10 (a p-value far below 1e-9), or when the total-variation
distance exceeds 2·sqrt(K/N) + 0.005 (about five times its expected size for K outcomes).
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest
import torch

import suanli
from conftest import assert_counts_match, to_qiskit
from suanli import Circuit, Counts, Parameter, Result, SuanliError
from suanli.testing import random_circuit

CPU = "cpu"
SHOTS = 20000


def aer_counts(circuit: Circuit, shots: int = SHOTS, seed: int = 1234) -> dict[str, int]:
    from qiskit import transpile
    from qiskit_aer import AerSimulator

    qc = to_qiskit(circuit)
    if not any(inst.name == "measure" for inst in circuit):
        qc.measure_all()
    sim = AerSimulator(method="statevector", seed_simulator=seed)
    # Aer does not know every gate object by name (e.g. iSwapGate().inverse()): let Qiskit unroll them
    qc = transpile(qc, sim, optimization_level=0)
    return dict(sim.run(qc, shots=shots).result().get_counts())


# ---------------------------------------------------------------------------------------------------------
# circuits with mid-circuit measurement, reset and conditions
# ---------------------------------------------------------------------------------------------------------
def _multi_register_dynamic() -> Circuit:
    c = Circuit(3, 0)
    a = c.add_creg("a", 2)
    b = c.add_creg("b", 2)
    c.h(0).measure(0, 0).reset(0).h(1).cx(1, 2).measure(2, 2)
    with c.c_if("a", 1):
        c.x(0)
    with c.c_if([0, 2], 3):  # bits of two registers: a[0] and b[0]
        c.ry(0.7, 1)
    with c.c_if(b, 1):
        c.h(2)
    c.rx(0.4, 0).measure([0, 1, 2], [1, 3, 0])
    assert a.size == 2
    return c


def _teleport() -> Circuit:
    c = Circuit(3, 0)
    c.add_creg("m0", 1)
    c.add_creg("m1", 1)
    c.add_creg("out", 1)
    c.u3(1.1, 0.4, -0.3, 0).h(1).cx(1, 2).cx(0, 1).h(0).measure([0, 1], [0, 1])
    with c.c_if("m1", 1):
        c.x(2)
    with c.c_if("m0", 1):
        c.z(2)
    c.measure(2, 2)
    return c


def _repeat_until_success() -> Circuit:
    """Measure, conditionally reset and retry; the same classical bit is written twice."""
    c = Circuit(2, 3).ry(1.0, 0).measure(0, 0)
    with c.c_if(0, 0):
        c.reset(0)
    with c.c_if(0, 0):
        c.ry(1.0, 0)
    c.measure(0, 0).cx(0, 1).h(1).measure(1, 1).reset(1).x(1).measure(1, 2)
    return c


FIXED = {"multi_register": _multi_register_dynamic, "teleport": _teleport, "retry": _repeat_until_success}


@pytest.mark.parametrize("name", sorted(FIXED))
def test_dynamic_circuits_match_aer(name: str) -> None:
    c = FIXED[name]()
    exact_q = suanli.outcome_probabilities(c, order="qiskit", device=CPU)
    aer = aer_counts(c)
    assert_counts_match(aer, exact_q, what=f"{name}: Aer vs exact")
    r = suanli.sample(c, shots=SHOTS, seed=7, device=CPU)
    assert r.metadata["dynamic"] is True and r.metadata["branches"] > 1
    assert_counts_match(r.counts(order="qiskit"), exact_q, what=f"{name}: suanli vs exact (qiskit keys)")
    exact_b = suanli.outcome_probabilities(c, device=CPU)
    assert_counts_match(r.counts(), exact_b, what=f"{name}: suanli vs exact (big keys)")
    # the keys are the same outcomes in both orders
    assert sorted(suanli.results.to_qiskit_key(k, [r.size for r in c.cregs]) for k in exact_b) == sorted(exact_q)


@pytest.mark.parametrize("seed", range(5))
def test_random_dynamic_circuits_match_aer(seed: int) -> None:
    n = 3 + seed % 3
    c = random_circuit(n, 5, seed=100 + seed, dynamic=True, max_arity=3)
    assert any(i.condition is not None for i in c) or seed > 2
    exact = suanli.outcome_probabilities(c, order="qiskit", device=CPU)
    assert_counts_match(aer_counts(c, seed=seed), exact, what="Aer vs exact")
    r = suanli.sample(c, shots=SHOTS, seed=seed, device=CPU)
    assert_counts_match(r.counts(order="qiskit"), exact, what="suanli vs exact")
    r64 = suanli.sample(c, shots=SHOTS, seed=seed, dtype=torch.complex128, device=CPU)
    assert_counts_match(r64.counts(order="qiskit"), exact, what="suanli c128 vs exact")


def test_teleportation_is_exact() -> None:
    """Whatever m0, m1 read, 'out' is distributed like u3(1.1, …)|0>: P(out=1) = sin²(0.55)."""
    probs = suanli.outcome_probabilities(_teleport(), device=CPU)
    p1 = sum(v for k, v in probs.items() if k[2] == "1")
    assert p1 == pytest.approx(math.sin(0.55) ** 2, abs=1e-12)
    for m in ("00", "01", "10", "11"):
        assert sum(v for k, v in probs.items() if k[:2] == m) == pytest.approx(0.25, abs=1e-12)


@pytest.mark.parametrize("seed", range(3))
def test_static_circuits_sample_like_qiskit_statevector(seed: int) -> None:
    """Terminal measurements of a subset of qubits into permuted bits, against exact Qiskit probabilities."""
    from qiskit.quantum_info import Statevector

    n = 5
    c = random_circuit(n, 6, seed=seed, max_arity=3)
    sv = Statevector(to_qiskit(c))
    c.add_creg("m", 3)
    qubits = [int(q) for q in np.random.default_rng(seed).permutation(n)[:3]]
    c.measure(qubits, [2, 0, 1])  # clbit j gets qubits[...]; key character j = clbit j
    p = sv.probabilities_dict(qargs=None)
    exact: dict[str, float] = {}
    for key_le, v in p.items():
        bits = key_le[::-1]  # big-endian over qubits
        clb = ["0"] * 3
        for q, cb in zip(qubits, [2, 0, 1]):
            clb[cb] = bits[q]
        k = "".join(clb)
        exact[k] = exact.get(k, 0.0) + v
    r = suanli.sample(c, shots=SHOTS, seed=seed, device=CPU)
    assert r.metadata["dynamic"] is False and r.metadata["branches"] == 1
    assert_counts_match(r.counts(), exact, what="static sample")
    ours = suanli.outcome_probabilities(c, device=CPU)
    for k in set(ours) | set(exact):
        assert ours.get(k, 0.0) == pytest.approx(exact.get(k, 0.0), abs=1e-12)


def test_same_bit_written_by_two_terminal_measurements() -> None:
    """The later measurement of a classical bit wins, as in Qiskit."""
    c = Circuit(2, 1).x(1).h(0).measure(0, 0).measure(1, 0)
    assert suanli.outcome_probabilities(c, device=CPU) == {"1": pytest.approx(1.0)}
    assert suanli.sample(c, shots=100, seed=0, device=CPU).counts() == {"1": 100}
    assert aer_counts(c, shots=100) == {"1": 100}
    d = Circuit(2, 1).x(0).measure(0, 0).measure(1, 0)  # the later one reads 0
    assert suanli.sample(d, shots=100, seed=0, device=CPU).counts() == {"0": 100}
    # measuring one qubit twice gives equal bits
    e = Circuit(1, 2).h(0).measure(0, 0).measure(0, 1)
    r = suanli.sample(e, shots=1000, seed=0, device=CPU)
    assert set(r.counts()) == {"00", "11"}
    assert set(suanli.outcome_probabilities(e, device=CPU)) == {"00", "11"}


def test_sampling_spans_several_blocks() -> None:
    """21 qubits: the state has two blocks of 2^20 amplitudes (qubit 0 picks the block)."""
    c = Circuit(21).h(0).x(20).h(10).ry(0.7, 5)
    r = suanli.sample(c, shots=SHOTS, seed=1, device=CPU)
    c5 = math.cos(0.35) ** 2
    exact = {}
    for b0 in "01":
        for b10 in "01":
            for b5, p5 in (("0", c5), ("1", 1 - c5)):
                key = ["0"] * 21
                key[0], key[10], key[5], key[20] = b0, b10, b5, "1"
                exact["".join(key)] = 0.25 * p5
    assert_counts_match(r.counts(), exact, what="two-block sample")
    ours = suanli.outcome_probabilities(c, device=CPU)
    assert ours.keys() == exact.keys() and all(abs(ours[k] - exact[k]) < 1e-12 for k in ours)


def test_outcome_probabilities_refuses_huge_tables() -> None:
    with pytest.raises(suanli.SimulationError, match="2\\^25 entries; use probabilities\\(\\) or sample"):
        suanli.outcome_probabilities(Circuit(25).h(0), device=CPU, dtype=torch.complex64)


# ---------------------------------------------------------------------------------------------------------
# key order
# ---------------------------------------------------------------------------------------------------------
def test_qiskit_keys_equal_aer_keys_exactly() -> None:
    """A deterministic circuit over three registers: one key, identical to Aer's, character for character."""
    c = Circuit(0)
    c.add_qreg("q", 6)
    c.add_creg("a", 2)
    c.add_creg("b", 1)
    c.add_creg("d", 3)
    c.x([0, 2, 3])
    c.measure([0, 1, 2, 3, 4, 5], [5, 0, 3, 1, 2, 4])  # bits: b0 a0 ... scrambled
    aer = aer_counts(c, shots=50)
    assert len(aer) == 1
    (aer_key,) = aer
    r = suanli.sample(c, shots=50, seed=1, device=CPU)
    assert r.counts(order="qiskit") == Counts({aer_key: 50}, order="qiskit")
    # big order by hand: clbit5=q0=1, clbit0=q1=0, clbit3=q2=1, clbit1=q3=1, clbit2=q4=0, clbit4=q5=0
    assert list(r.counts()) == ["010101"]
    assert aer_key == "101 0 10"  # d[2]d[1]d[0] b[0] a[1]a[0]
    assert list(suanli.outcome_probabilities(c, order="qiskit", device=CPU)) == [aer_key]
    assert r.bitstrings(order="qiskit")[0] == aer_key


def test_qiskit_keys_on_a_random_multi_register_circuit() -> None:
    c = _multi_register_dynamic()
    aer = aer_counts(c)
    mine = suanli.sample(c, shots=SHOTS, seed=5, device=CPU).counts(order="qiskit")
    assert {k for k, v in aer.items() if v > 100} == {k for k, v in mine.items() if v > 100}
    assert all(" " in k and len(k) == 5 for k in mine)


def test_implicit_measure_all() -> None:
    c = Circuit(3).x(0).h(2)
    r = suanli.sample(c, shots=1000, seed=3, device=CPU)
    assert r.metadata["implicit_measure"] is True and r.register_names == ("meas",)
    assert set(r.counts()) == {"100", "101"}  # qubit 0 leftmost
    assert set(r.counts(order="qiskit")) == set(aer_counts(c, shots=200)) == {"001", "101"}
    # a circuit with classical bits but no measurement: its never-written bits are left out, and conditions
    # on them read 0
    d = Circuit(2, 1).x(1)
    with d.c_if("c", 0):
        d.x(0)
    with d.c_if("c", 1):
        d.x(1)
    rd = suanli.sample(d, shots=10, seed=0, device=CPU)
    assert rd.register_names == ("meas",) and rd.counts() == {"11": 10}
    assert rd.counts(order="qiskit") == {"11": 10}
    assert suanli.outcome_probabilities(d, device=CPU) == {"11": pytest.approx(1.0)}
    f = Circuit(3, 2).x(2)
    assert suanli.sample(f, shots=5, seed=0, device=CPU).counts(order="qiskit") == {"100": 5}
    e = Circuit(2, 2).h(0).measure(0, 1)
    assert suanli.sample(e, shots=10, seed=0, device=CPU).metadata["implicit_measure"] is False


# ---------------------------------------------------------------------------------------------------------
# seeds
# ---------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("builder", [lambda: random_circuit(5, 5, seed=2, measure=True), _teleport,
                                     _repeat_until_success])
def test_seeds_are_reproducible(builder: object) -> None:
    c = builder()  # type: ignore[operator]
    a = suanli.sample(c, shots=2000, seed=42, device=CPU)
    b = suanli.sample(c, shots=2000, seed=42, device=CPU)
    other = suanli.sample(c, shots=2000, seed=43, device=CPU)
    assert np.array_equal(a.memory, b.memory)
    assert a.counts() == b.counts() and a.seed == 42
    assert not np.array_equal(a.memory, other.memory)
    unseeded = [suanli.sample(c, shots=2000, device=CPU).memory for _ in range(2)]
    assert not np.array_equal(unseeded[0], unseeded[1])
    assert suanli.sample(c, shots=5, seed=np.int64(42), device=CPU).seed == 42


def test_shot_order_is_shuffled() -> None:
    """Shots of different outcomes are interleaved (not sorted by outcome or by branch)."""
    r = suanli.sample(_teleport(), shots=4000, seed=1, device=CPU)
    first = r.memory[:200, :2]
    assert len({tuple(row) for row in first}) == 4
    rs = suanli.sample(Circuit(1, 1).h(0).measure(0, 0), shots=4000, seed=1, device=CPU)
    changes = int(np.count_nonzero(np.diff(rs.memory[:, 0].astype(int))))
    assert changes > 1000


# ---------------------------------------------------------------------------------------------------------
# validation
# ---------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("shots", [0, -5, 1.5, True, "10", None])
def test_shots_validation(shots: object) -> None:
    with pytest.raises(SuanliError, match="shots must be a positive int"):
        suanli.sample(Circuit(1).h(0), shots=shots, device=CPU)  # type: ignore[arg-type]


@pytest.mark.parametrize("seed", [-1, True, 1.5, "x"])
def test_seed_validation(seed: object) -> None:
    with pytest.raises(SuanliError, match="seed must be"):
        suanli.sample(Circuit(1).h(0), shots=5, seed=seed, device=CPU)  # type: ignore[arg-type]


def test_sample_accepts_numpy_shots() -> None:
    assert suanli.sample(Circuit(1).x(0), shots=np.int64(7), seed=0, device=CPU).counts() == {"1": 7}


def test_outcome_probabilities_arguments() -> None:
    c = Circuit(1, 1).h(0).measure(0, 0)
    with pytest.raises(SuanliError, match="order must be"):
        suanli.outcome_probabilities(c, order="little", device=CPU)
    with pytest.raises(SuanliError, match="not a batch"):
        suanli.outcome_probabilities(Circuit(1).rx(torch.tensor([0.1, 0.2]), 0), device=CPU)
    probs = suanli.outcome_probabilities(c, device=CPU)
    assert probs == {"0": pytest.approx(0.5), "1": pytest.approx(0.5)}


# ---------------------------------------------------------------------------------------------------------
# batches
# ---------------------------------------------------------------------------------------------------------
def test_batched_params_give_a_list_of_results() -> None:
    t = Parameter("t")
    c = Circuit(2, 2).ry(t, 0).cx(0, 1).measure([0, 1], [0, 1])
    tb = torch.tensor([0.0, math.pi / 2, math.pi])
    rs = suanli.sample(c, shots=SHOTS, seed=3, params={"t": tb}, device=CPU)
    assert isinstance(rs, list) and len(rs) == 3 and all(isinstance(r, Result) for r in rs)
    assert rs[0].counts() == {"00": SHOTS}
    assert rs[2].counts() == {"11": SHOTS}
    assert_counts_match(rs[1].counts(), {"00": 0.5, "11": 0.5}, what="batch element 1")
    again = suanli.sample(c, shots=SHOTS, seed=3, params={"t": tb}, device=CPU)
    assert all(np.array_equal(a.memory, b.memory) for a, b in zip(rs, again))
    # batch elements draw from different streams
    same = suanli.sample(c, shots=500, seed=3, params={"t": torch.tensor([math.pi / 2, math.pi / 2])}, device=CPU)
    assert not np.array_equal(same[0].memory, same[1].memory)


def test_batched_dynamic_sampling() -> None:
    t = Parameter("t")
    c = Circuit(1, 2).ry(t, 0).measure(0, 0).reset(0).ry(t, 0).measure(0, 1)
    tb = torch.tensor([0.4, 2.5], dtype=torch.float64)
    rs = suanli.sample(c, shots=SHOTS, seed=1, params={"t": tb}, device=CPU)
    for i, r in enumerate(rs):
        exact = suanli.outcome_probabilities(c, params={"t": float(tb[i])}, device=CPU)
        s = math.sin(float(tb[i]) / 2) ** 2
        assert exact["11"] == pytest.approx(s * s, abs=1e-12)
        assert_counts_match(r.counts(), exact, what=f"batch {i}")


# ---------------------------------------------------------------------------------------------------------
# Result and Counts
# ---------------------------------------------------------------------------------------------------------
def test_result_api() -> None:
    c = Circuit(3, 0)
    c.add_creg("a", 2)
    c.add_creg("b", 1)
    c.h(0).x(2).measure([0, 1, 2], [0, 1, 2])
    r = suanli.sample(c, shots=500, seed=9, device=CPU)
    assert r.memory.shape == (500, 3) and r.memory.dtype == np.uint8
    assert r.shots == 500 and r.num_clbits == 3
    assert set(np.unique(r.memory)) <= {0, 1}
    assert r.register_sizes == (2, 1) and r.register_names == ("a", "b")
    assert not r.memory.flags.writeable
    with pytest.raises(ValueError):
        r.memory[0, 0] = 1
    with pytest.raises(dataclasses.FrozenInstanceError):
        r.seed = 3  # type: ignore[misc]
    keys = r.bitstrings()
    assert len(keys) == 500 and set(keys) == {"001", "101"}
    assert Counts(dict(zip(*np.unique(keys, return_counts=True)))) == r.counts()
    assert r.counts().shots == 500
    assert r.probabilities() == pytest.approx({k: v / 500 for k, v in r.counts().items()})
    assert set(r.counts(order="qiskit")) == {"1 00", "1 01"}
    assert r.counts(order="qiskit").order == "qiskit"
    assert set(r.timings) >= {"compile", "simulate", "sample", "total"}
    assert r.metadata["device"] == "cpu" and r.metadata["dtype"] == "complex64" and r.metadata["num_qubits"] == 3
    with pytest.raises(SuanliError, match="order must be"):
        r.counts(order="little")
    with pytest.raises(SuanliError, match="order must be"):
        r.bitstrings(order="little")


def test_result_validation() -> None:
    with pytest.raises(SuanliError, match="2-D"):
        Result(np.zeros(3, dtype=np.uint8), register_sizes=(3,))
    with pytest.raises(SuanliError, match="0 or 1"):
        Result(np.array([[2, 0]]), register_sizes=(2,))
    with pytest.raises(SuanliError, match="registers hold 3 bits but memory has 2"):
        Result(np.zeros((4, 2)), register_sizes=(3,))
    r = Result(np.array([[1, 0, 1], [1, 0, 1], [0, 0, 0]]), register_sizes=(2, 1))
    assert r.memory.dtype == np.uint8 and r.register_names == ("c0", "c1")
    assert r.counts() == {"101": 2, "000": 1}
    assert r.counts(order="qiskit") == {"1 01": 2, "0 00": 1}
    empty = Result(np.zeros((3, 0), dtype=np.uint8), register_sizes=())
    assert empty.counts() == {"": 3} and empty.bitstrings() == ["", "", ""]


def test_counts_api() -> None:
    c = Counts({"00": 5, "11": 5, "01": 2, "10": 0})
    assert c.shots == 12 and len(c) == 4 and c["11"] == 5 and "01" in c
    assert c.most_common() == [("00", 5), ("11", 5), ("01", 2), ("10", 0)]  # ties broken by key
    assert c.most_common(1) == [("00", 5)]
    assert repr(c).startswith("Counts({'00': 5, '11': 5")
    assert c.probabilities() == {"00": 5 / 12, "11": 5 / 12, "01": 2 / 12, "10": 0.0}
    assert c.tvd({"00": 0.5, "11": 0.5}) == pytest.approx(2 / 12)
    assert c.tvd(Counts({"00": 5, "11": 5, "01": 2})) == pytest.approx(0.0)
    assert c.tvd({"x": 1}) == pytest.approx(1.0)
    with pytest.raises(SuanliError, match="empty"):
        c.tvd({})
    with pytest.raises(dataclasses.FrozenInstanceError):
        c.order = "qiskit"  # type: ignore[misc]
    with pytest.raises(TypeError):
        c["00"] = 3  # type: ignore[index]
    for bad in ({"0": -1}, {"0": 1.5}, {0: 1}):
        with pytest.raises(SuanliError, match="bad count entry"):
            Counts(bad)  # type: ignore[arg-type]
    with pytest.raises(SuanliError, match="order must be"):
        Counts({}, order="le")
    src = {"0": 1}
    cc = Counts(src)
    src["1"] = 5
    assert dict(cc) == {"0": 1}  # a copy, not a view
    assert Counts({}).probabilities() == {}
