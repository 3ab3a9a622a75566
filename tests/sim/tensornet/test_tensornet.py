"""Tensor-network amplitudes, light-cone expectations and the MPS simulator against the state vector and quimb."""

from __future__ import annotations

import json
import math
import subprocess
import sys

import numpy as np
import pytest
import torch

import suanli
from suanli import SuanliError, amplitude
from suanli.experiments.rcs import brickwork_circuit, sycamore_circuit
from suanli.sim.tensornet import (
    ContractionCost,
    circuit_network,
    contract,
    contraction_key,
    expectation_lightcone,
    find_tree,
    load_tree,
    rehearse_amplitude,
    save_tree,
    simulate_mps,
    tree_cost,
)
from suanli.testing import random_circuit

C128 = torch.complex128


def _bitstrings(n: int, count: int, seed: int) -> list[str]:
    rng = np.random.default_rng(seed)
    return ["".join(map(str, rng.integers(0, 2, n))) for _ in range(count)]


CIRCUITS = [
    ("sycamore-3x3-m6", lambda: sycamore_circuit(6, grid=(3, 3), seed=2)),
    ("brickwork-10", lambda: brickwork_circuit(10, 6, seed=1)),
    ("random-8-3q", lambda: random_circuit(8, 5, seed=4, max_arity=3)),
    ("random-16", lambda: random_circuit(16, 3, seed=9, max_arity=2)),
    ("brickwork-20", lambda: brickwork_circuit(20, 5, seed=3)),
]


@pytest.mark.parametrize(("name", "make"), CIRCUITS, ids=[c[0] for c in CIRCUITS])
@pytest.mark.parametrize("backend", ["tensornet", "mps"])
def test_backends_agree_with_the_state_vector(name: str, make, backend: str) -> None:
    c = make()
    n = c.num_qubits
    if backend == "mps" and name == "random-16":
        pytest.skip("all-to-all random gates need long SWAP chains on an MPS (tested on 8 qubits)")
    psi = suanli.state(c, device="cpu", dtype=C128)
    bits = _bitstrings(n, 6, seed=n)
    want = psi[[int(b, 2) for b in bits]]
    got = amplitude(c, bits, backend=backend, device="cpu", dtype=C128, max_repeats=4)
    torch.testing.assert_close(got, want, atol=1e-10, rtol=1e-8)
    sv = amplitude(c, bits, backend="statevector", device="cpu", dtype=C128)
    torch.testing.assert_close(sv, want)


def test_mps_with_long_range_gates() -> None:
    c = random_circuit(8, 6, seed=4, max_arity=2)
    psi = suanli.state(c, device="cpu", dtype=C128)
    torch.testing.assert_close(simulate_mps(c).mps.to_statevector(), psi, atol=1e-10, rtol=0)


def test_mps_gates_on_three_and_four_qubits() -> None:
    """k-qubit gates (any qubit order, far apart) act on k adjacent sites split by k - 1 SVDs; exact at full bond,
    and the fidelity estimate still tracks the truth when truncated."""
    c = random_circuit(8, 6, seed=7, max_arity=3)
    c.h(5).ccx(7, 0, 4).cswap(6, 2, 1).c3x(5, 1, 7, 3).rccx(3, 6, 0).ry(0.4, 2).ccx(2, 7, 5)
    assert max(len(inst.qubits) for inst in c) == 4
    psi = suanli.state(c, device="cpu", dtype=C128)
    exact = simulate_mps(c)
    assert exact.fidelity_estimate == 1.0
    torch.testing.assert_close(exact.mps.to_statevector(), psi, atol=1e-10, rtol=0)
    r = simulate_mps(c, max_bond=4)
    assert r.max_bond_reached <= 4 and r.truncations > 0
    true = float(abs(torch.vdot(psi, r.mps.to_statevector())) ** 2)
    assert 0 < r.fidelity_estimate < 1
    assert r.fidelity_estimate == pytest.approx(true, rel=0.5)


def test_single_bitstring_open_qubits_and_arrays() -> None:
    c = sycamore_circuit(6, grid=(3, 3), seed=0)
    psi = suanli.state(c, device="cpu", dtype=C128).reshape([2] * 9)
    one = amplitude(c, "101010101", device="cpu", dtype=C128)
    assert one.dim() == 0
    assert torch.allclose(one, psi[1, 0, 1, 0, 1, 0, 1, 0, 1])
    # open qubits 7 and 2 (in that order): amplitudes over (b7, b2), the other bits from the bitstring
    got = amplitude(c, ["000000000", "111111111"], open_qubits=[7, 2], device="cpu", dtype=C128)
    assert got.shape == (2, 4)
    want0 = psi[0, 0, :, 0, 0, 0, 0, :, 0].T.reshape(-1)
    want1 = psi[1, 1, :, 1, 1, 1, 1, :, 1].T.reshape(-1)
    torch.testing.assert_close(got[0], want0)
    torch.testing.assert_close(got[1], want1)
    arr = np.array([[1, 0, 1, 0, 1, 0, 1, 0, 1]])
    torch.testing.assert_close(amplitude(c, arr, device="cpu", dtype=C128)[0], one)


def test_slicing_to_a_target_width_keeps_the_result() -> None:
    c = sycamore_circuit(10, grid=(3, 4), seed=5)
    net = circuit_network(c, "0" * 12, dtype=C128)
    free = find_tree(net, max_repeats=4)
    sliced = find_tree(net, max_repeats=4, target_width=free.contraction_width() - 3)
    assert sliced.nslices > 1
    assert sliced.contraction_width() <= free.contraction_width() - 3 + 1e-9
    seen = []
    value = contract(net, sliced, progress=lambda d, t: seen.append((d, t)))
    assert seen[-1] == (sliced.nslices, sliced.nslices)
    want = suanli.state(c, device="cpu", dtype=C128)[0]
    assert torch.allclose(value, want, atol=1e-12)


def test_rehearse_reports_cost_without_contracting() -> None:
    c = sycamore_circuit(8, grid=(4, 4), seed=1)
    cost = amplitude(c, "0" * 16, rehearse=True, device="cpu", max_repeats=4)
    assert isinstance(cost, ContractionCost)
    assert cost.slices == 1 and cost.num_tensors > 0
    assert cost.real_flops == 8 * cost.cost
    assert 2 < cost.log10_cost < 9 and 2 <= cost.width <= 16
    assert cost.peak_bytes >= 8 * 2**cost.width
    again = rehearse_amplitude(c, max_repeats=4, target_width=cost.width - 2)
    assert again.slices >= 2 and again.width <= cost.width - 2 + 1e-9
    # the cost of a sliced contraction counts every slice, so it cannot be below the cost of the
    # same tree unsliced (the sliced search may find a different, cheaper tree than the first one)
    assert again.unsliced_cost > 0 and again.cost >= again.unsliced_cost * 0.999
    d = cost.as_dict()
    assert d["log10_cost"] == pytest.approx(math.log10(cost.cost))


_QUIMB_SCRIPT = """
import json, sys
import quimb.tensor as qtn
text, bits = json.load(sys.stdin)
qc = qtn.Circuit.from_qsim_str(text)
amps = [complex(qc.amplitude(b)) for b in bits]
print(json.dumps([[a.real, a.imag] for a in amps]))
"""


@pytest.mark.slow
def test_against_quimb() -> None:
    # quimb reads the circuit from our qsim text and contracts it on its own, in a fresh interpreter
    # (quimb and a torch contraction in one process can disagree about array namespaces)
    pytest.importorskip("quimb.tensor")
    c = sycamore_circuit(10, grid=(4, 4), seed=3)
    bits = _bitstrings(16, 4, seed=1)
    payload = json.dumps([suanli.dumps_qsim(c), bits])
    proc = subprocess.run([sys.executable, "-c", _QUIMB_SCRIPT], input=payload, capture_output=True, text=True,
                          timeout=300, check=True)
    want = np.array([complex(re, im) for re, im in json.loads(proc.stdout)])  # quimb: qubit 0 leftmost
    got = amplitude(c, bits, device="cpu", dtype=C128, max_repeats=4).numpy()
    # quimb's hz_1_2 lacks the global phase sqrt(i) of qsim's (and Cirq's) sqrt(W): amplitudes agree up to one
    # global phase, a power of exp(i pi/4), shared by every bitstring
    phase = want[0] / got[0]
    assert abs(abs(phase) - 1) < 1e-9
    k = np.angle(phase) / (np.pi / 4)
    assert abs(k - round(k)) < 1e-6
    np.testing.assert_allclose(got * phase, want, atol=1e-10)


def test_lightcone_expectation() -> None:
    c = brickwork_circuit(14, 4, seed=6)
    obs = "Z0*Z1 + 0.5*X7 - 0.25*Y13*Z12 + 0.1"
    want = suanli.expectation(c, suanli.PauliSum.from_string(obs), device="cpu", dtype=C128)
    got = expectation_lightcone(c, obs, device="cpu")
    assert got == pytest.approx(float(want), abs=1e-10)
    with pytest.raises(SuanliError):
        expectation_lightcone(c, "Z20", device="cpu")


def test_mps_truncation_tracks_the_fidelity() -> None:
    c = brickwork_circuit(10, 10, seed=1)
    psi = suanli.state(c, device="cpu", dtype=C128)
    exact = simulate_mps(c)
    assert exact.fidelity_estimate == 1.0 and exact.truncations == 0
    assert exact.max_bond_reached <= 32
    torch.testing.assert_close(exact.mps.to_statevector(), psi, atol=1e-10, rtol=0)
    for chi in (4, 8, 16):
        r = simulate_mps(c, max_bond=chi)
        assert r.max_bond_reached <= chi and r.truncations > 0
        true = float(abs(torch.vdot(psi, r.mps.to_statevector())) ** 2)
        assert r.fidelity_estimate == pytest.approx(true, rel=0.15)
        assert r.fidelity_estimate < 1.0


def test_errors() -> None:
    c = suanli.Circuit(3).h(0)
    with pytest.raises(SuanliError, match="backend"):
        amplitude(c, "000", backend="magic", device="cpu")
    with pytest.raises(SuanliError, match="3 characters"):
        amplitude(c, "00", device="cpu")
    with pytest.raises(SuanliError, match="rehearse"):
        amplitude(c, "000", backend="mps", rehearse=True, device="cpu")
    dyn = suanli.Circuit(2, 1).h(0).measure(0, 0).cx(0, 1)
    with pytest.raises(SuanliError, match="unitary circuit"):
        amplitude(dyn, "00", device="cpu")
    # terminal measurements are ignored
    bell = suanli.Circuit(2, 2).h(0).cx(0, 1).measure([0, 1], [0, 1])
    assert abs(float(amplitude(bell, "11", device="cpu").real) - 2**-0.5) < 1e-6


@pytest.mark.cuda
def test_cuda_amplitudes_match_cpu() -> None:
    c = sycamore_circuit(8, grid=(4, 4), seed=1)
    bits = _bitstrings(16, 4, seed=0)
    cpu = amplitude(c, bits, device="cpu", dtype=C128)
    for backend in ("tensornet", "mps", "statevector"):
        gpu = amplitude(c, bits, backend=backend, device="cuda", dtype=C128).cpu()
        torch.testing.assert_close(gpu, cpu, atol=1e-10, rtol=1e-8)


@pytest.mark.slow
@pytest.mark.slow
def test_sycamore_53_20_single_amplitude_cost() -> None:
    # Gray & Kourtis (2021) report about 10^18.3 multiply-adds for one amplitude of this circuit with
    # cotengra's hyper-optimiser; a modest budget must land within a factor of ~10 of it.
    c = sycamore_circuit(20, seed=0)
    cost = rehearse_amplitude(c, max_repeats=16)
    assert 17.8 < cost.log10_cost < 19.3, cost


def test_qubit_permutation_gates_become_relabelled_diagonals() -> None:
    """swap, iswap and fSim(π/2, φ) (the Sycamore gate) are a permutation of their qubits times a diagonal: the
    network holds only the diagonal, and the amplitudes still equal the state vector's."""
    from suanli.sim.tensornet.network import _qubit_permutation

    c = suanli.Circuit(4).h(0).h(1).ry(0.4, 3).swap(0, 2).iswap(1, 0).syc(2, 3).fsim(math.pi / 2, 0.3, 1, 3)
    c.cswap(0, 1, 2).rx(0.3, 1).cx(2, 0).fsim(1.2, 0.3, 0, 3).h(2)
    kinds = {}
    for name in ("swap", "iswap", "syc", "cx", "cz", "cswap"):
        spec = suanli.gates.get_gate(name)
        mat = spec.matrix(dtype=C128)
        kinds[name] = _qubit_permutation(mat, round(math.log2(mat.shape[0])))
    assert kinds["swap"][0] == (1, 0) and kinds["syc"][0] == (1, 0) and kinds["iswap"][0] == (1, 0)
    torch.testing.assert_close(kinds["iswap"][1], torch.tensor([1, 1j, 1j, 1], dtype=C128))
    assert kinds["cx"] is None and kinds["cswap"] is None and kinds["cz"] is None  # cz is already diagonal
    psi = suanli.state(c, device="cpu", dtype=C128)
    bits = [format(i, "04b") for i in range(16)]
    torch.testing.assert_close(amplitude(c, bits, device="cpu", dtype=C128, max_repeats=2), psi)
    # the network of a Sycamore circuit holds no rank-4 two-qubit gate tensor once its syc gates are diagonals
    net = circuit_network(sycamore_circuit(4, grid=(3, 3), seed=0), simplify=False)
    assert max(len(ix) for ix in net.inputs) == 2


@pytest.mark.parametrize("slicing", ["both", "trials", "best"])
def test_sliced_and_unsliced_agree_and_report_the_overhead(slicing: str) -> None:
    c = sycamore_circuit(10, grid=(3, 4), seed=5)
    net = circuit_network(c, "0" * 12, dtype=C128)
    free = find_tree(net, max_repeats=4)
    width = free.contraction_width() - 3
    sliced = find_tree(net, max_repeats=4, target_width=width, slicing=slicing)
    assert sliced.nslices > 1 and sliced.contraction_width() <= width + 1e-9
    torch.testing.assert_close(contract(net, sliced), contract(net, free), atol=1e-12, rtol=0)
    cost = tree_cost(sliced, net)
    assert cost.unsliced_cost is not None and cost.slicing_overhead == pytest.approx(cost.cost / cost.unsliced_cost)
    assert cost.slicing_overhead >= 1  # slicing a tree never lowers its total cost
    assert cost.unsliced_cost <= float(sliced.unslice_all().contraction_cost()) * (1 + 1e-12)
    if slicing == "trials":  # the only unsliced tree seen is the chosen tree without its slices
        assert cost.unsliced_cost == pytest.approx(float(sliced.unslice_all().contraction_cost()))
    assert tree_cost(free, net).slicing_overhead == 1.0
    with pytest.raises(SuanliError, match="slicing"):
        find_tree(net, target_width=width, slicing="all")


def test_saved_tree_is_reused(tmp_path) -> None:
    """A tree saved to a file (or a cache directory) is loaded instead of searched: same cost, slices, amplitude."""
    c = sycamore_circuit(8, grid=(3, 4), seed=2)
    bits = _bitstrings(12, 2, seed=3)
    net = circuit_network(c, bits[0], dtype=C128)
    file = tmp_path / "tree.json"
    first = find_tree(net, max_repeats=3, target_width=7, cache=file)
    data = json.loads(file.read_text())
    assert data["slices"] == first.nslices > 1 and data["network_sha256"]
    # a search with another seed would find another tree; the saved one is loaded instead
    again = find_tree(net, max_repeats=1, target_width=7, seed=99, methods=["greedy"], cache=file)
    assert again.get_path() == first.get_path() and set(again.sliced_inds) == set(first.sliced_inds)
    assert tree_cost(again, net) == tree_cost(first, net)
    torch.testing.assert_close(contract(net, again), contract(net, first), atol=1e-14, rtol=0)
    save_tree(first, net, tmp_path / "copy.json", target_width=7)
    assert load_tree(tmp_path / "copy.json", net).get_path() == first.get_path()
    # through amplitude(): a directory cache holds one file per network and target width
    want = suanli.state(c, device="cpu", dtype=C128)[[int(b, 2) for b in bits]]
    for _ in range(2):
        got = amplitude(c, bits, device="cpu", dtype=C128, max_repeats=2, target_width=7, cache=tmp_path / "d")
        torch.testing.assert_close(got, want)
    assert len(list((tmp_path / "d").glob("tree-*-w7.json"))) == 1
    # a file for another network (other couplers; the single-qubit gates do not change the structure), or a
    # tree wider than asked, is refused with a message
    other = circuit_network(sycamore_circuit(8, grid=(3, 4), seed=2, pattern="EFGH"), dtype=C128)
    with pytest.raises(SuanliError, match="another network"):
        find_tree(other, cache=file)
    with pytest.raises(SuanliError, match="width"):
        find_tree(net, target_width=5, cache=file)
    (tmp_path / "bad.json").write_text("{}")
    with pytest.raises(SuanliError, match="not a suanli"):
        find_tree(net, cache=tmp_path / "bad.json")
    with pytest.raises(SuanliError, match="cache"):
        amplitude(c, bits[0], backend="mps", cache=file)


def _sliced_case(seed: int = 4) -> tuple[suanli.Circuit, object, object]:
    c = sycamore_circuit(8, grid=(3, 4), seed=seed)
    net = circuit_network(c, "0" * 12, dtype=C128)
    free = find_tree(net, max_repeats=2, seed=0)
    tree = find_tree(net, max_repeats=2, target_width=free.contraction_width() - 3, slicing="trials", seed=0)
    assert tree.nslices >= 4
    return c, net, tree


def test_interrupted_contraction_resumes_from_its_checkpoint(tmp_path) -> None:
    c, net, tree = _sliced_case()
    want = contract(net, tree)

    def stop_at(k: int):
        def progress(done: int, total: int) -> None:
            if done == k:
                raise KeyboardInterrupt
        return progress

    with pytest.raises(KeyboardInterrupt):  # saved on the interrupt even though no periodic save came due
        contract(net, tree, checkpoint=tmp_path, save_every=1e9, progress=stop_at(3))
    files = list(tmp_path.glob("contraction-*.pt"))
    assert len(files) == 1 and files[0].name.startswith(f"contraction-{contraction_key(net, tree)[:24]}")
    seen: list[int] = []
    got = contract(net, tree, checkpoint=tmp_path, progress=lambda d, t: seen.append(d))
    assert seen[:2] == [3, 4] and seen[-1] == tree.nslices  # slices 0-2 were not contracted again
    torch.testing.assert_close(got, want, atol=1e-12, rtol=0)
    seen.clear()
    again = contract(net, tree, checkpoint=tmp_path, progress=lambda d, t: seen.append(d))
    assert seen == [tree.nslices] and torch.equal(again, got)  # finished: read back, nothing contracted

    # another bitstring is another contraction (another file); a file swapped in from it is refused by name
    other = circuit_network(c, "1" + "0" * 11, dtype=C128)
    assert contraction_key(other, tree) != contraction_key(net, tree)
    contract(other, tree, checkpoint=tmp_path)
    files = sorted(tmp_path.glob("contraction-*.pt"), key=lambda p: p.stat().st_mtime)
    assert len(files) == 2
    files[0].write_bytes(files[1].read_bytes())
    with pytest.raises(SuanliError, match="belongs to another contraction"):
        contract(net, tree, checkpoint=tmp_path)
    files[0].write_bytes(b"not a checkpoint")
    with pytest.raises(SuanliError, match="not a readable contraction checkpoint"):
        contract(net, tree, checkpoint=tmp_path)
    with pytest.raises(SuanliError, match="directory"):
        contract(net, tree, checkpoint=tmp_path / "x.pt")


def test_amplitude_checkpoint_keeps_the_tree_and_the_finished_amplitudes(tmp_path) -> None:
    c = sycamore_circuit(8, grid=(3, 4), seed=6)
    bits = _bitstrings(12, 2, seed=1)
    want = suanli.state(c, device="cpu", dtype=C128)[[int(b, 2) for b in bits]]
    got = amplitude(c, bits, device="cpu", dtype=C128, max_repeats=2, target_width=5, checkpoint=tmp_path)
    torch.testing.assert_close(got, want, atol=1e-12, rtol=0)
    assert len(list(tmp_path.glob("tree-*.json"))) == 1 and len(list(tmp_path.glob("contraction-*.pt"))) == 2
    seen: list[tuple[int, int]] = []
    again = amplitude(c, bits, device="cpu", dtype=C128, max_repeats=2, target_width=5, checkpoint=tmp_path,
                      progress=lambda d, t: seen.append((d, t)))
    assert torch.equal(again, got)
    assert len(seen) == 2 and all(d == t and t > 1 for d, t in seen)  # tree loaded, each amplitude read back
    with pytest.raises(SuanliError, match="checkpoint"):
        amplitude(c, bits, backend="statevector", device="cpu", checkpoint=tmp_path)
