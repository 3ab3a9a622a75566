"""Sycamore-style and brickwork circuits: the chip layout, coupler patterns (against Cirq's), gate rules."""

from __future__ import annotations

import cirq
import numpy as np
import pytest
import torch
from cirq.experiments import GRID_ALIGNED_PATTERN, GRID_STAGGERED_PATTERN

import suanli
from suanli import CircuitError
from suanli.experiments.rcs import (
    SYCAMORE_DEAD_QUBIT,
    SYCAMORE_SITES,
    brickwork_circuit,
    grid_couplers,
    grid_sites,
    patch_sites,
    pattern_couplers,
    sycamore_circuit,
)

SYC53 = tuple(s for s in SYCAMORE_SITES if s != SYCAMORE_DEAD_QUBIT)


def test_sycamore_chip_layout() -> None:
    assert len(SYCAMORE_SITES) == 54 and len(SYC53) == 53
    assert len(grid_couplers(SYCAMORE_SITES)) == 88
    assert len(grid_couplers(SYC53)) == 86
    rows = {}
    for r, c in SYC53:
        rows.setdefault(r, []).append(c)
    # the published 53-qubit files list these rows (GridQubit coordinates), in row-major order
    assert {r: (min(cs), max(cs), len(cs)) for r, cs in rows.items()} == {
        0: (5, 6, 2), 1: (4, 7, 4), 2: (4, 8, 5), 3: (2, 9, 8), 4: (1, 9, 9),
        5: (0, 8, 9), 6: (1, 7, 7), 7: (2, 6, 5), 8: (3, 5, 3), 9: (4, 4, 1),
    }


@pytest.mark.parametrize("letter", "ABCDEFGH")
def test_patterns_match_cirq(letter: str) -> None:
    # Cirq's GRID_STAGGERED_PATTERN is the supremacy sequence ABCDCDAB; GRID_ALIGNED_PATTERN is EFGH
    layer = (*GRID_STAGGERED_PATTERN[:4], *GRID_ALIGNED_PATTERN)["ABCDEFGH".index(letter)]
    want = {
        (a, b)
        for a, b in grid_couplers(SYCAMORE_SITES)
        if (cirq.GridQubit(*a), cirq.GridQubit(*b)) in layer
    }
    assert set(pattern_couplers(SYCAMORE_SITES, letter)) == want


def test_cirq_staggered_sequence_is_abcdcdab() -> None:
    letters = {layer: ch for ch, layer in zip("ABCD", GRID_STAGGERED_PATTERN[:4])}
    assert "".join(letters[layer] for layer in GRID_STAGGERED_PATTERN) == "ABCDCDAB"


def test_patterns_partition_the_couplers() -> None:
    counts = [len(pattern_couplers(SYC53, ch)) for ch in "ABCD"]
    assert counts == [24, 19, 23, 20]  # the 53-qubit supremacy layout's A/B/C/D layers
    for group in ("ABCD", "EFGH"):
        allc = [p for ch in group for p in pattern_couplers(SYC53, ch)]
        assert len(allc) == len(set(allc)) == 86
        for ch in group:  # each layer touches every qubit at most once
            qs = [q for p in pattern_couplers(SYC53, ch) for q in p]
            assert len(qs) == len(set(qs))


def test_sycamore_53_20_gate_counts() -> None:
    c = sycamore_circuit(20, seed=0)
    ops = c.count_ops()
    assert c.num_qubits == 53
    assert ops["syc"] == 430  # Arute et al. 2019: 430 two-qubit gates
    assert ops["sx"] + ops["sy"] + ops["sw"] == 1113  # and 1113 single-qubit gates (21 layers x 53)


def test_cycle_structure_and_no_repeated_single_qubit_gates() -> None:
    grid = (3, 4)
    pattern = "ABCDCDAB"
    c = sycamore_circuit(10, grid=grid, seed=3, pattern=pattern)
    index = {s: i for i, s in enumerate(grid_sites(*grid))}
    insts = list(c)
    n = 12
    pos = 0
    last: list[str | None] = [None] * n
    for m in range(10):
        layer = insts[pos : pos + n]
        assert [i.qubits[0] for i in layer] == list(range(n))
        for i in layer:
            assert i.name in ("sx", "sy", "sw") and i.name != last[i.qubits[0]]
            last[i.qubits[0]] = i.name
        pos += n
        expected = {(index[a], index[b]) for a, b in pattern_couplers(grid_sites(*grid), pattern[m % 8])}
        two = []
        while pos < len(insts) and len(insts[pos].qubits) == 2:
            two.append(insts[pos].qubits)
            pos += 1
        assert set(two) == expected
    assert len(insts) - pos == n  # final half cycle


def test_seeds_and_options() -> None:
    a = sycamore_circuit(6, grid=(2, 3), seed=5)
    assert a == sycamore_circuit(6, grid=(2, 3), seed=5)
    assert a != sycamore_circuit(6, grid=(2, 3), seed=6)
    f = sycamore_circuit(2, grid=(2, 2), two_qubit_gate=(0.5, 0.25), seed=0, final_layer=False)
    assert f.count_ops()["fsim"] == 2 and len(f) == 10
    assert sycamore_circuit(0, grid=(1, 2), seed=0).num_gates == 2
    e = sycamore_circuit(3, sites=[(0, 0), (0, 1), (1, 1)], dead=[(1, 1)], seed=0)
    assert e.num_qubits == 2


@pytest.mark.parametrize(
    ("kwargs", "needle"),
    [
        ({"cycles": -1}, "cycles"),
        ({"cycles": 2, "pattern": "ABX"}, "pattern"),
        ({"cycles": 2, "grid": (2, 2), "sites": [(0, 0)]}, "either grid"),
        ({"cycles": 2, "grid": (2, 2), "dead": [(5, 5)]}, "not on the chip"),
        ({"cycles": 2, "grid": (0, 2)}, "at least one row"),
    ],
)
def test_bad_arguments(kwargs: dict, needle: str) -> None:
    with pytest.raises(CircuitError, match=needle):
        sycamore_circuit(**kwargs)


def test_deep_random_circuits_are_porter_thomas() -> None:
    # Porter-Thomas: 2^n sum p^2 -> 2 (collision probability of an exponential distribution)
    c = sycamore_circuit(14, grid=(3, 4), seed=1)
    p = suanli.probabilities(c, device="cpu").numpy()
    assert abs(2**12 * np.sum(p**2) - 2.0) < 0.25
    b = brickwork_circuit(12, 24, seed=2)
    p = suanli.probabilities(b, device="cpu").numpy()
    assert abs(2**12 * np.sum(p**2) - 2.0) < 0.25
    shallow = sycamore_circuit(1, grid=(3, 4), seed=1)
    p = suanli.probabilities(shallow, device="cpu").numpy()
    assert 2**12 * np.sum(p**2) > 3.0  # not yet scrambled


def test_brickwork_structure() -> None:
    c = brickwork_circuit(5, 3, seed=0)
    twos = [i.qubits for i in c if i.name == "cz"]
    assert twos == [(0, 1), (2, 3), (1, 2), (3, 4), (0, 1), (2, 3)]
    ring = brickwork_circuit(4, 2, seed=0, periodic=True, two_qubit_gate="syc")
    assert [i.qubits for i in ring if i.name == "syc"] == [(0, 1), (2, 3), (1, 2), (3, 0)]
    with pytest.raises(CircuitError):
        brickwork_circuit(1, 3)
    # the u3 draw is Haar: the average of |<0|U|0>|^2 over many draws is 1/2
    vals = []
    for s in range(200):
        u = suanli.state(brickwork_circuit(2, 0, seed=s), device="cpu", dtype=torch.complex128)
        vals.append(float(abs(u[0]) ** 2))
    assert abs(np.mean(vals) - 0.25) < 0.03  # two independent Haar qubits: (1/2)^2


def test_patch_sites_are_connected() -> None:
    sites = patch_sites(105)
    assert len(sites) == 105 and len(set(sites)) == 105
    # connected: a flood fill over couplers reaches every site
    adj: dict = {}
    for a, b in grid_couplers(sites):
        adj.setdefault(a, []).append(b)
        adj.setdefault(b, []).append(a)
    seen = {sites[0]}
    todo = [sites[0]]
    while todo:
        for nb in adj.get(todo.pop(), []):
            if nb not in seen:
                seen.add(nb)
                todo.append(nb)
    assert len(seen) == 105
