"""TT/MPO layers and TT-SVD: exact at full rank, error bound under truncation, trainable, and agreeing paths."""

from __future__ import annotations

import math

import pytest
import torch
from torch import nn

from suanli.compress import (
    LowRankEmbedding,
    LowRankLinear,
    TTEmbedding,
    TTLinear,
    factor_modes,
    svd_factors,
    tt_parameters,
    tt_ranks_for_budget,
    tt_svd,
    tt_to_matrix,
)
from suanli.errors import SuanliError


@pytest.mark.parametrize(
    ("out_modes", "in_modes"),
    [((4, 6), (3, 5)), ((2, 3, 4), (4, 2, 3)), ((2, 2, 2, 3), (3, 2, 2, 2)), ((7,), (5,))],
)
def test_tt_svd_full_rank_is_exact(out_modes, in_modes):
    g = torch.Generator().manual_seed(1)
    w = torch.randn(math.prod(out_modes), math.prod(in_modes), generator=g, dtype=torch.float64)
    cores = tt_svd(w, out_modes, in_modes)
    assert [c.shape[1] for c in cores] == list(out_modes)
    assert [c.shape[2] for c in cores] == list(in_modes)
    torch.testing.assert_close(tt_to_matrix(cores), w, rtol=0, atol=1e-11)


def test_tt_to_matrix_matches_explicit_index_formula():
    """W[(i1,i2),(j1,j2)] = G1[0,i1,j1,:] · G2[:,i2,j2,0]: big-endian multi-indices (independent of reshapes)."""
    g = torch.Generator().manual_seed(2)
    g1 = torch.randn(1, 2, 3, 4, generator=g, dtype=torch.float64)
    g2 = torch.randn(4, 5, 2, 1, generator=g, dtype=torch.float64)
    w = tt_to_matrix([g1, g2])
    for i1 in range(2):
        for i2 in range(5):
            for j1 in range(3):
                for j2 in range(2):
                    expected = float(g1[0, i1, j1] @ g2[:, i2, j2, 0])
                    assert abs(float(w[i1 * 5 + i2, j1 * 2 + j2]) - expected) < 1e-12


@pytest.mark.parametrize("eps", [0.05, 0.2, 0.5, 0.8])
@pytest.mark.parametrize("modes", [((4, 4, 4), (4, 4, 4)), ((8, 6), (6, 8)), ((2, 3, 2, 3), (3, 2, 3, 2))])
def test_tt_svd_error_bound_holds(eps, modes):
    out_modes, in_modes = modes
    g = torch.Generator().manual_seed(3)
    # a matrix with decaying structure so that truncation actually happens at several ranks
    w = torch.randn(math.prod(out_modes), math.prod(in_modes), generator=g, dtype=torch.float64)
    w = w + 3 * torch.outer(
        torch.randn(w.shape[0], generator=g, dtype=torch.float64),
        torch.randn(w.shape[1], generator=g, dtype=torch.float64),
    )
    cores = tt_svd(w, out_modes, in_modes, rel_error=eps)
    err = float(torch.linalg.norm(tt_to_matrix(cores) - w) / torch.linalg.norm(w))
    assert err <= eps * (1 + 1e-9)
    full = tt_svd(w, out_modes, in_modes)
    assert tt_parameters(out_modes, in_modes, [c.shape[-1] for c in cores[:-1]]) <= tt_parameters(
        out_modes, in_modes, [c.shape[-1] for c in full[:-1]]
    )
    if eps >= 0.5:  # the budget must really have been used to truncate
        assert [c.shape[-1] for c in cores[:-1]] != [c.shape[-1] for c in full[:-1]]


def test_two_core_truncation_equals_eckart_young():
    """With two cores the TT-SVD error at rank r is the tail of the singular values of the reshaped matrix."""
    g = torch.Generator().manual_seed(4)
    w = torch.randn(24, 20, generator=g, dtype=torch.float64)
    out_modes, in_modes = (4, 6), (5, 4)
    unfolded = w.reshape(4, 6, 5, 4).permute(0, 2, 1, 3).reshape(20, 24)
    s = torch.linalg.svdvals(unfolded)
    for r in (1, 5, 12):
        cores = tt_svd(w, out_modes, in_modes, max_ranks=r)
        err = torch.linalg.norm(tt_to_matrix(cores) - w)
        torch.testing.assert_close(err, torch.sqrt((s[r:] ** 2).sum()), rtol=1e-9, atol=1e-9)


def test_ttlinear_full_rank_equals_dense_and_grad_flows():
    torch.manual_seed(0)
    dense = nn.Linear(24, 30).double()
    tt = TTLinear.from_linear(dense, out_modes=(5, 6), in_modes=(4, 6))
    x = torch.randn(7, 3, 24, dtype=torch.float64)
    torch.testing.assert_close(tt(x), dense(x), rtol=1e-10, atol=1e-10)
    # gradients w.r.t. the input agree too (autograd through the factorized contraction)
    x1 = x.clone().requires_grad_(True)
    x2 = x.clone().requires_grad_(True)
    tt(x1).square().sum().backward()
    dense(x2).square().sum().backward()
    torch.testing.assert_close(x1.grad, x2.grad, rtol=1e-9, atol=1e-9)
    assert all(c.grad is not None for c in tt.cores)


def test_ttlinear_three_cores_and_dense_execution_agree():
    torch.manual_seed(1)
    dense = nn.Linear(64, 48)
    tt = TTLinear.from_linear(dense, d=3, max_ranks=6)
    tt_dense = TTLinear(list(tt.cores), tt.bias, execution="dense").eval()
    x = torch.randn(11, 64)
    with torch.no_grad():
        torch.testing.assert_close(tt(x), tt_dense(x), rtol=1e-4, atol=1e-5)
        torch.testing.assert_close(tt(x), nn.functional.linear(x, tt.weight_matrix(), tt.bias), rtol=1e-4, atol=1e-5)
    assert tt.ranks == (6, 6)


def test_ttlinear_healing_step_reduces_loss():
    torch.manual_seed(2)
    target = nn.Linear(32, 32)
    tt = TTLinear.from_linear(target, max_ranks=3)
    x = torch.randn(64, 32)
    y = target(x).detach()
    opt = torch.optim.Adam(tt.parameters(), lr=1e-2)
    with torch.no_grad():
        first = float(nn.functional.mse_loss(tt(x), y))
    for _ in range(20):
        loss = nn.functional.mse_loss(tt(x), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
    with torch.no_grad():
        assert float(nn.functional.mse_loss(tt(x), y)) < first


def test_ttembedding_exact_with_padding_and_checks_range():
    torch.manual_seed(3)
    emb = nn.Embedding(11, 12)  # 11 rows padded to 12 = 3 x 4
    tt = TTEmbedding.from_embedding(emb, vocab_modes=(3, 4), dim_modes=(3, 4))
    idx = torch.tensor([[0, 10, 5], [7, 7, 1]])
    torch.testing.assert_close(tt(idx), emb(idx), rtol=1e-5, atol=1e-6)
    torch.testing.assert_close(tt.weight, emb.weight, rtol=1e-5, atol=1e-6)
    with pytest.raises(SuanliError, match="out of range"):
        tt(torch.tensor([11]))


def test_ttembedding_three_cores_default_modes():
    torch.manual_seed(4)
    emb = nn.Embedding(1000, 64)
    tt = TTEmbedding.from_embedding(emb)
    assert math.prod(tt.vocab_modes) >= 1000
    idx = torch.randint(0, 1000, (50,))
    torch.testing.assert_close(tt(idx), emb(idx), rtol=1e-4, atol=1e-5)


def test_lowrank_layers_exact_at_full_rank_and_eckart_young_below():
    torch.manual_seed(5)
    dense = nn.Linear(10, 8).double()
    x = torch.randn(4, 10, dtype=torch.float64)
    torch.testing.assert_close(LowRankLinear.from_linear(dense, rank=8)(x), dense(x))
    s = torch.linalg.svdvals(dense.weight.detach())
    a, b = svd_factors(dense.weight.detach(), 3)
    torch.testing.assert_close(torch.linalg.norm(a @ b - dense.weight), torch.sqrt((s[3:] ** 2).sum()))
    emb = nn.Embedding(20, 6)
    low = LowRankEmbedding.from_embedding(emb, rank=6)
    idx = torch.tensor([1, 19, 4])
    torch.testing.assert_close(low(idx), emb(idx), rtol=1e-5, atol=1e-6)


def test_factor_modes_and_budgets():
    assert math.prod(factor_modes(1536, 3)) == 1536
    assert factor_modes(7, 2) == (7, 1)
    ranks = tt_ranks_for_budget((24, 16), (24, 16), 50_000)
    assert tt_parameters((24, 16), (24, 16), ranks) <= 50_000
    assert tt_parameters((24, 16), (24, 16), [r + 1 for r in ranks]) > 50_000
    with pytest.raises(SuanliError, match="too small"):
        tt_ranks_for_budget((24, 16), (24, 16), 10)


def test_bad_inputs_raise_suanli_errors():
    w = torch.randn(6, 8)
    with pytest.raises(SuanliError, match="modes"):
        tt_svd(w, (2, 2), (4, 2))
    with pytest.raises(SuanliError, match="rel_error"):
        tt_svd(w, (2, 3), (4, 2), rel_error=-1)
    with pytest.raises(SuanliError, match="execution"):
        TTLinear(tt_svd(w, (2, 3), (4, 2)), execution="fast")
    tt = TTLinear(tt_svd(w, (2, 3), (4, 2)))
    with pytest.raises(SuanliError, match="features"):
        tt(torch.randn(3, 5))


def test_contraction_plan_follows_the_cheaper_cost():
    torch.manual_seed(6)
    dense = nn.Linear(256, 256)
    low = TTLinear.from_linear(dense, out_modes=(16, 16), in_modes=(16, 16), max_ranks=2).eval()
    high = TTLinear.from_linear(dense, out_modes=(16, 16), in_modes=(16, 16)).eval()  # full rank 256
    b = 512
    assert low.forward_macs(b) == 2 * b * 16 * 16 * 2 * 16  # two steps of b·n·n·r·m each
    big = 4096  # at full rank the factorized order costs 1.5 b·256² > rebuild + b·256² for large b
    assert high.forward_macs(big) == high._rebuild_macs() + big * 256 * 256
    assert high.forward_macs(b) <= high._rebuild_macs() + b * 256 * 256
    x = torch.randn(big, 256)
    with torch.no_grad():
        for layer in (low, high):
            torch.testing.assert_close(
                layer(x), nn.functional.linear(x, layer.weight_matrix(), layer.bias), rtol=1e-4, atol=1e-4
            )
        torch.testing.assert_close(high(x), dense(x), rtol=1e-4, atol=1e-4)


def test_cached_dense_weight_follows_in_place_updates():
    torch.manual_seed(7)
    tt = TTLinear.from_linear(nn.Linear(16, 16), out_modes=(4, 4), in_modes=(4, 4), execution="dense").eval()
    x = torch.randn(3, 16)
    with torch.no_grad():
        before = tt(x)
        tt.cores[0].mul_(2.0)
        torch.testing.assert_close(tt(x) - tt.bias, 2 * (before - tt.bias))


@pytest.mark.parametrize("vocab_modes, dim_modes", [((5, 4, 3), (2, 3, 2)), ((3, 2, 2, 5), (2, 1, 3, 2))])
def test_ttembedding_lookup_equals_the_rebuilt_table_values_and_gradients(vocab_modes, dim_modes):
    """The grouped right-to-left lookup (one product per distinct digit) against indexing the rebuilt table,
    with repeated indices and at truncated ranks, gradients included."""
    torch.manual_seed(6)
    rows = math.prod(vocab_modes) - 1
    emb = nn.Embedding(rows, math.prod(dim_modes)).double()
    tt = TTEmbedding.from_embedding(emb, vocab_modes=vocab_modes, dim_modes=dim_modes, max_ranks=3).double()
    idx = torch.tensor([[0, rows - 1, 7, 7], [3, 11, 0, 29]]) % rows
    out = tt(idx)
    ref = tt.weight[idx]
    torch.testing.assert_close(out, ref)
    w = torch.randn_like(out)
    g = torch.autograd.grad((out * w).sum(), list(tt.cores))
    g_ref = torch.autograd.grad((ref * w).sum(), list(tt.cores))
    for a, b in zip(g, g_ref):
        torch.testing.assert_close(a, b)
