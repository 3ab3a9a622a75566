"""Our pairwise executor (``contract(engine="suanli")``) against cotengra's and the state vector; the tiled
permutation kernel against torch's permute; the buffer pool."""

from __future__ import annotations

import random
import string

import numpy as np
import pytest
import torch

import suanli
from suanli import SuanliError
from suanli.experiments.rcs import brickwork_circuit, sycamore_circuit
from suanli.sim.statevector import native
from suanli.sim.tensornet import circuit_network, contract, contractor, find_tree
from suanli.sim.tensornet.contractor import BufferPool, _pair

C128 = torch.complex128
needs_native = pytest.mark.skipif(not native.native_available(), reason="no C compiler for the CPU kernels")


@pytest.fixture(params=["large", "all"])
def thresholds(request, monkeypatch):
    """"all": every tensor goes through the pool and the compiled permutation, and the per-entry mm loop and
    bmm both run (the defaults reserve them for large tensors, which small test networks do not have)."""
    if request.param == "all":
        monkeypatch.setattr(contractor, "POOL_MIN_ELEMENTS", 1)
        monkeypatch.setattr(contractor, "LOOP_MIN_WORK", 1)
    return request.param


CASES = [
    ("sycamore-4x4-m8-sliced", lambda: sycamore_circuit(8, grid=(4, 4), seed=1), 7, ()),
    ("sycamore-3x4-m6", lambda: sycamore_circuit(6, grid=(3, 4), seed=0), None, ()),
    ("brickwork-12-open", lambda: brickwork_circuit(12, 6, seed=2), 8, (0, 5, 11)),
    ("sycamore-3x3-open", lambda: sycamore_circuit(5, grid=(3, 3), seed=3), None, (4, 1)),
]


@pytest.mark.parametrize(("name", "make", "width", "open_qubits"), CASES, ids=[c[0] for c in CASES])
def test_engine_matches_cotengra_and_the_state_vector(name, make, width, open_qubits, thresholds) -> None:
    c = make()
    n = c.num_qubits
    bits = "".join(random.Random(n).choice("01") for _ in range(n))
    net = circuit_network(c, bits, open_qubits=open_qubits, dtype=C128)
    tree = find_tree(net, max_repeats=4, target_width=width)
    if width is not None and name.endswith("sliced"):
        assert tree.nslices > 1
    ours = contract(net, tree)
    theirs = contract(net, tree, engine="cotengra")
    assert ours.shape == theirs.shape == (2,) * len(open_qubits)
    torch.testing.assert_close(ours, theirs, atol=1e-12, rtol=1e-9)
    psi = suanli.state(c, device="cpu", dtype=C128).reshape((2,) * n)
    index = [slice(None) if q in open_qubits else int(bits[q]) for q in range(n)]
    want = psi[tuple(index)]
    if open_qubits:  # the network's open axes follow open_qubits; psi's follow the qubit order
        order = sorted(open_qubits)
        want = want.permute([order.index(q) for q in open_qubits])
    torch.testing.assert_close(ours, want, atol=1e-12, rtol=1e-9)


def test_engine_is_checked() -> None:
    c = sycamore_circuit(4, grid=(2, 3), seed=0)
    net = circuit_network(c, "0" * 6)
    with pytest.raises(SuanliError, match="engine"):
        contract(net, find_tree(net, max_repeats=1), engine="numpy")


def _einsum_pair(a, ai, b, bi, keep):
    letters = {ix: string.ascii_letters[k] for k, ix in enumerate(dict.fromkeys((*ai, *bi)))}
    out = [ix for ix in dict.fromkeys((*ai, *bi)) if ix in keep]
    eq = f"{''.join(letters[i] for i in ai)},{''.join(letters[i] for i in bi)}->{''.join(letters[i] for i in out)}"
    return torch.einsum(eq, a, b), tuple(out)


@pytest.mark.parametrize("seed", range(40))
def test_pair_layouts_batches_and_sums(seed, thresholds) -> None:
    """Random pairs: shared indices kept (batch) or summed, indices of one side summed out, operands already in
    product order (either way round) or not, different sizes."""
    rng = random.Random(seed)
    names = list("abcdefghij")
    rng.shuffle(names)
    shared = names[: rng.randint(0, 4)]
    only_a = names[len(shared): len(shared) + rng.randint(0, 3)]
    only_b = names[len(shared) + len(only_a): len(shared) + len(only_a) + rng.randint(0, 3)]
    keep = {ix for ix in shared if rng.random() < 0.4} | {ix for ix in only_a + only_b if rng.random() < 0.85}
    ai = shared + only_a
    bi = shared + only_b
    rng.shuffle(ai)
    if rng.random() < 0.5:  # b already in product order for a's contracted block
        con = [ix for ix in ai if ix in shared and ix not in keep]
        batch = [ix for ix in ai if ix in shared and ix in keep]
        rest = [ix for ix in bi if ix not in shared]
        bi = batch + (con + rest if rng.random() < 0.5 else rest + con)
    else:
        rng.shuffle(bi)
    ai, bi = tuple(ai), tuple(bi)
    dims = {ix: rng.choice([1, 2, 4]) for ix in names}
    a = torch.randn([dims[i] for i in ai], dtype=C128)
    b = torch.randn([dims[i] for i in bi], dtype=C128)
    pool = BufferPool()
    got, inds, temps = _pair(a, ai, b, bi, keep, pool)
    want, out = _einsum_pair(a, ai, b, bi, keep)
    assert set(inds) == set(out)
    torch.testing.assert_close(got.permute([inds.index(i) for i in out]), want, atol=1e-12, rtol=1e-10)
    for t in temps:
        assert t.data_ptr() not in (a.data_ptr(), b.data_ptr())


@needs_native
@pytest.mark.parametrize("dtype", [torch.complex64, torch.complex128, torch.float32, torch.float64])
def test_native_permute_matches_torch(dtype) -> None:
    rng = random.Random(7)
    for n in (0, 1, 3, 6, 11, 16, 19):
        for _ in range(4):
            shape, left = [], n
            while left:
                bits = rng.randint(1, min(3, left))
                shape.append(1 << bits)
                left -= bits
            x = torch.randn(shape, dtype=dtype) if shape else torch.randn((), dtype=dtype)
            dims = list(range(len(shape)))
            rng.shuffle(dims)
            with native.kernel_threads(2):
                got = native.permute(x, dims)
            assert torch.equal(got, x.permute(dims).contiguous()), (shape, dims)
    x = torch.arange(2**12, dtype=torch.int64).reshape([2] * 12)
    out = torch.empty_like(x)
    assert native.permute(x, list(range(12))[::-1], out=out) is out
    assert torch.equal(out, x.permute(list(range(12))[::-1]).contiguous())


@needs_native
def test_native_permute_refuses_what_it_cannot_do() -> None:
    x = torch.zeros(2, 3, dtype=torch.complex64)
    with pytest.raises(ValueError, match="power-of-two"):
        native.permute(x, [1, 0])
    y = torch.zeros(2, 4, dtype=torch.complex64)
    with pytest.raises(ValueError, match="not a permutation"):
        native.permute(y, [0, 0])
    with pytest.raises(ValueError, match="contiguous"):
        native.permute(y.t(), [1, 0])
    with pytest.raises(ValueError, match="shape"):
        native.permute(y, [1, 0], out=torch.empty(2, 4, dtype=torch.complex64))
    with pytest.raises(ValueError, match="complex64"):
        native.permute(torch.zeros(2, 2, dtype=torch.int8), [1, 0])


def test_buffer_pool_reuses_and_ignores_foreign_tensors(monkeypatch) -> None:
    monkeypatch.setattr(contractor, "POOL_MIN_ELEMENTS", 4)
    pool = BufferPool()
    dev = torch.device("cpu")
    t = pool.empty((4, 8), torch.complex64, dev)
    ptr = t.data_ptr()
    pool.give(t)
    pool.give(t)  # a second return of the same buffer is ignored (it is handed out once)
    assert pool.free_bytes == 32 * 8
    u = pool.empty((2, 8), torch.complex64, dev)  # smaller, within 4x: the same buffer
    assert u.data_ptr() == ptr and pool.free_bytes == 0
    v = pool.empty((2, 8), torch.complex64, dev)  # none free: a new one
    assert v.data_ptr() != ptr
    pool.give(torch.zeros(32, dtype=torch.complex64))  # not from the pool: ignored
    assert pool.free_bytes == 0
    pool.give(u)
    w = pool.empty((4,), torch.complex64, dev)  # 32 > 4 x 4: not reused
    assert w.data_ptr() != ptr
    assert pool.empty((8, 4), torch.complex128, dev).data_ptr() != ptr  # another dtype
    small = pool.empty((3,), torch.complex64, dev)  # below the threshold: plain torch
    pool.give(small)
    assert pool.free_bytes == 32 * 8
    pool.clear()
    assert pool.free_bytes == 0


def test_slices_reuse_buffers_across_a_contraction(monkeypatch) -> None:
    """After the first slice the pool serves every large tensor: no new buffers."""
    monkeypatch.setattr(contractor, "POOL_MIN_ELEMENTS", 64)
    c = sycamore_circuit(8, grid=(4, 4), seed=1)
    net = circuit_network(c, "0" * 16, dtype=C128)
    tree = find_tree(net, max_repeats=2, target_width=8)
    assert tree.nslices > 2
    pool = BufferPool()
    made: list[int] = []
    real_empty = torch.empty

    def counting_empty(*args, **kwargs):
        t = real_empty(*args, **kwargs)
        if t.numel() >= 64:
            made.append(t.numel())
        return t

    open_net = circuit_network(c, "0" * 16, open_qubits=range(8), dtype=C128)  # results of 256 >= 64 elements
    big = contractor.contract_slice(find_tree(open_net, max_repeats=1), open_net.arrays, None, pool)
    assert big.numel() == 256 and big.data_ptr() not in pool._base
    parts = [contractor.contract_slice(tree, net.arrays, 0, pool)]
    monkeypatch.setattr(torch, "empty", counting_empty)
    parts += [contractor.contract_slice(tree, net.arrays, i, pool) for i in range(1, tree.nslices)]
    monkeypatch.undo()
    assert made == []
    assert all(p.data_ptr() not in pool._base for p in parts)  # results leave the pool (freed with the caller's)
    total = sum(parts[1:], parts[0])
    torch.testing.assert_close(total, contract(net, tree, engine="cotengra"), atol=1e-12, rtol=1e-9)
    np.testing.assert_allclose(abs(complex(total.reshape(()))), abs(complex(
        suanli.state(c, device="cpu", dtype=C128)[0])), rtol=1e-9)


def test_a_pool_shared_by_contractions_of_other_bitstrings(monkeypatch) -> None:
    monkeypatch.setattr(contractor, "POOL_MIN_ELEMENTS", 16)
    c = sycamore_circuit(6, grid=(3, 4), seed=2)
    tree = find_tree(circuit_network(c, "0" * 12, dtype=C128), max_repeats=2, target_width=7)
    pool = BufferPool()
    psi = suanli.state(c, device="cpu", dtype=C128)
    for bits in ("0" * 12, "101100111010", "1" * 12):
        got = contract(circuit_network(c, bits, dtype=C128), tree, pool=pool)
        torch.testing.assert_close(got.reshape(()), psi[int(bits, 2)], atol=1e-12, rtol=1e-9)
    assert pool.free_bytes > 0
