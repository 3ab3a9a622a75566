"""suanli <-> Stim conversion, and the cross-check of suanli's state vector against Stim on Clifford circuits."""

from __future__ import annotations

import math

import numpy as np
import pytest

import suanli
from suanli.errors import CircuitError
from suanli.sim.stabilizer import from_stim, measurement_clbits, sample_stim, to_stim
from suanli.sim.stabilizer.convert import SUANLI_TO_STIM

stim = pytest.importorskip("stim")

CLIFFORD_1Q = ["id", "x", "y", "z", "h", "s", "sdg", "sx", "sxdg", "sy", "sydg"]
CLIFFORD_2Q = ["cx", "cy", "cz", "swap", "iswap", "iswapdg", "ecr", "dcx", "dcxdg"]
# (name, parameter values) of parametrised gates at Clifford angles
CLIFFORD_ANGLES = [
    ("rz", (math.pi / 2,)),
    ("rx", (math.pi,)),
    ("ry", (-math.pi / 2,)),
    ("p", (math.pi / 2,)),
    ("u3", (math.pi / 2, 0.0, math.pi)),
    ("rzz", (math.pi / 2,)),
    ("rxx", (-math.pi / 2,)),
    ("cp", (math.pi,)),
    ("fsim", (math.pi / 2, 0.0)),
]


def random_clifford(n: int, depth: int, seed: int, *, dynamic: bool = False) -> suanli.Circuit:
    """Random Clifford circuit; with ``dynamic`` also mid-circuit measurements, resets and x/z conditioned on a bit."""
    rng = np.random.default_rng(seed)
    c = suanli.Circuit(n, n if not dynamic else 2 * n)
    clbit = 0
    for _ in range(depth):
        order = list(rng.permutation(n))
        while order:
            kind = rng.random()
            if len(order) >= 2 and kind < 0.4:
                a, b = int(order.pop()), int(order.pop())
                if rng.random() < 0.2:
                    name, params = CLIFFORD_ANGLES[int(rng.integers(5, len(CLIFFORD_ANGLES)))]
                    c.append(name, [a, b], list(params))
                else:
                    c.append(CLIFFORD_2Q[int(rng.integers(len(CLIFFORD_2Q)))], [a, b])
                continue
            q = int(order.pop())
            if dynamic and kind > 0.92 and clbit < c.num_clbits:
                c.measure(q, clbit)
                if rng.random() < 0.5:
                    with c.c_if([clbit], 1):
                        c.append("x" if rng.random() < 0.5 else "z", [int(rng.integers(n))])
                clbit += 1
            elif dynamic and kind > 0.88:
                c.reset(q)
            elif rng.random() < 0.2:
                name, params = CLIFFORD_ANGLES[int(rng.integers(0, 5))]
                c.append(name, [q], list(params))
            else:
                c.append(CLIFFORD_1Q[int(rng.integers(len(CLIFFORD_1Q)))], [q])
    return c


@pytest.mark.parametrize("name", sorted(SUANLI_TO_STIM))
def test_named_gates_match_stim_definitions(name: str) -> None:
    # Stim's own gate definitions are the oracle for the one-to-one name table.
    matrix = suanli.get_gate(name).matrix().numpy()
    assert stim.Tableau.from_unitary_matrix(matrix, endian="big") == stim.Tableau.from_named_gate(SUANLI_TO_STIM[name])


@pytest.mark.parametrize("seed", range(12))
def test_state_vector_agrees_with_stim(seed: int) -> None:
    n = 2 + seed % 5
    c = random_clifford(n, depth=8, seed=seed)
    sim = stim.TableauSimulator()
    sim.do_circuit(to_stim(c))
    theirs = sim.state_vector(endian="big")  # Stim computes it in complex64
    ours = suanli.state(c, device="cpu", dtype="double").numpy()
    overlap = abs(np.vdot(theirs, ours))
    assert overlap == pytest.approx(1.0, abs=1e-6), f"|<stim|suanli>| = {overlap} for\n{c}"


def test_a_wrong_mapping_would_be_caught() -> None:
    # sanity of the oracle: S and S_DAG give different states, and the check above sees it.
    c = suanli.Circuit(1).h(0).s(0)
    sim = stim.TableauSimulator()
    sim.do_circuit(stim.Circuit("H 0\nS_DAG 0"))
    ours = suanli.state(c, device="cpu", dtype="double").numpy()
    assert abs(np.vdot(sim.state_vector(endian="big"), ours)) < 0.9


@pytest.mark.parametrize("seed", range(6))
def test_measurement_statistics_and_determinism(seed: int) -> None:
    n = 4 + seed % 3
    c = random_clifford(n, depth=6, seed=100 + seed)
    probs = suanli.probabilities(c, device="cpu").numpy()
    support = probs > 1e-12
    k = int(support.sum())
    # a stabilizer state's outcome distribution is uniform over an affine subspace
    assert k & (k - 1) == 0
    np.testing.assert_allclose(probs[support], 1.0 / k, atol=1e-9)

    # deterministic measurements: Stim's peek_z is ±1 exactly where suanli's marginal is 0 or 1
    sim = stim.TableauSimulator()
    sim.do_circuit(to_stim(c))
    p_one = probs.reshape([2] * n)
    for q in range(n):
        marginal = float(p_one.sum(axis=tuple(a for a in range(n) if a != q))[1])
        peek = sim.peek_z(q)
        expected = {1: 0.0, -1: 1.0, 0: 0.5}[peek]
        assert marginal == pytest.approx(expected, abs=1e-9), f"qubit {q}"

    # sampled statistics: Stim's shots fall in suanli's support and are uniform over it (chi-square)
    measured = c.copy().measure(list(range(n)), list(range(n)))
    shots = 4000
    counts = sample_stim(measured, shots=shots, seed=seed).counts()
    for key in counts:
        assert support[int(key, 2)], f"Stim produced {key}, impossible for suanli"
    observed = np.array([counts.get(format(i, f"0{n}b"), 0) for i in np.flatnonzero(support)])
    chi2 = float(((observed - shots / k) ** 2 / (shots / k)).sum())
    from scipy.stats import chi2 as chi2_dist

    assert chi2_dist.sf(chi2, max(k - 1, 1)) > 1e-4


@pytest.mark.parametrize("seed", range(6))
def test_dynamic_circuits_agree(seed: int) -> None:
    c = random_clifford(4, depth=6, seed=200 + seed, dynamic=True)
    c.measure(list(range(4)), list(range(4, 8)))
    exact = suanli.outcome_probabilities(c, device="cpu")
    support = {k for k, v in exact.items() if v > 1e-12}
    k = len(support)
    assert k & (k - 1) == 0
    for key in support:
        assert exact[key] == pytest.approx(1.0 / k, abs=1e-9)
    counts = sample_stim(c, shots=3000, seed=seed).counts()
    assert set(counts) <= support
    if k <= 32:  # every possible outcome shows up in 3000 shots (miss probability < 32 * (31/32)**3000)
        assert set(counts) == support


def test_measurement_clbits_and_repeated_writes() -> None:
    c = suanli.Circuit(2, 2).x(0).measure(0, 1).measure(1, 0).x(1).measure(1, 1)
    assert measurement_clbits(c) == (1, 0, 1)
    assert sample_stim(c, shots=5, seed=0).counts() == {"01": 5}
    assert suanli.sample(c, shots=5, seed=0, device="cpu").counts() == {"01": 5}


def test_conditions_become_record_controls() -> None:
    c = suanli.Circuit(2, 2).h(0).measure(0, 0)
    with c.c_if([0], 1):
        c.x(1)
    c.measure(1, 1)
    assert "CX rec[-1] 1" in str(to_stim(c))
    counts = sample_stim(c, shots=500, seed=1).counts()
    assert set(counts) == {"00", "11"}
    back = from_stim(to_stim(c))
    assert suanli.outcome_probabilities(back, device="cpu") == pytest.approx({"00": 0.5, "11": 0.5})


def test_from_stim_measurement_bases_and_resets() -> None:
    program = stim.Circuit("""
        RX 0
        RY 1
        H 2
        MX 0
        MY 1
        MRX 2
        M !0
        MR 2
        CX rec[-5] 3
        M 3
    """)
    c = from_stim(program)
    assert c.num_clbits == program.num_measurements == 6
    exact = suanli.outcome_probabilities(c, device="cpu")
    # MX|+>=0, MY|+i>=0, MRX on |+>=0, M !q after MX collapse is random, MR of reset... bit 4 = 0
    keys = {k for k, v in exact.items() if v > 1e-12}
    stim_keys = {"".join("1" if b else "0" for b in row) for row in program.compile_sampler(seed=2).sample(400)}
    assert keys == stim_keys


def test_round_trip_of_named_gates() -> None:
    c = suanli.Circuit(3, 2).h(0).sx(1).sydg(2).cz(0, 2).iswap(1, 0).swap(0, 1).reset(2).measure([0, 1], [0, 1])
    assert from_stim(to_stim(c)) == c
    # record entry k becomes classical bit k, so a permuted measurement does not round-trip literally
    permuted = suanli.Circuit(2, 2).x(0).measure([0, 1], [1, 0])
    assert suanli.outcome_probabilities(from_stim(to_stim(permuted)), device="cpu") == {"10": 1.0}


def test_generated_surface_code_runs_in_suanli() -> None:
    # Stim's noiseless d=3 repetition-code memory: every detector is 0 in suanli's exact distribution too.
    program = stim.Circuit.generated("repetition_code:memory", distance=3, rounds=2)
    c = from_stim(program)
    exact = suanli.outcome_probabilities(c, device="cpu")
    ref = "".join("1" if b else "0" for b in program.reference_sample())
    assert exact == pytest.approx({ref: 1.0})


def test_errors() -> None:
    with pytest.raises(CircuitError, match="not a Clifford"):
        to_stim(suanli.Circuit(1).t(0))
    with pytest.raises(CircuitError, match="unbound"):
        to_stim(suanli.Circuit(1).rz(suanli.Parameter("a"), 0))
    with pytest.raises(CircuitError, match="noise"):
        from_stim(stim.Circuit("H 0\nDEPOLARIZE1(0.1) 0\nM 0"))
    assert len(from_stim(stim.Circuit("H 0\nDEPOLARIZE1(0.1) 0\nM(0.1) 0"), noise="ignore")) == 2
    with pytest.raises(CircuitError, match="MPP"):
        from_stim(stim.Circuit("MPP X0*X1"))
    c = suanli.Circuit(2, 2).measure(0, 0)
    with c.c_if("c", 3):
        c.x(1)
    with pytest.raises(CircuitError, match="one classical bit"):
        to_stim(c)
