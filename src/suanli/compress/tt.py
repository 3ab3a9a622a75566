"""Tensor-train (TT / MPO) matrices: TT-SVD, and ``Linear`` and ``Embedding`` layers computing in factorized form.

A matrix ``W`` of shape ``(M, N)`` with ``M = m_1 ··· m_d`` and ``N = n_1 ··· n_d`` is written as a chain of
cores ``G_k`` of shape ``(r_{k-1}, m_k, n_k, r_k)`` (``r_0 = r_d = 1``)::

    W[(i_1 … i_d), (j_1 … j_d)] = G_1[:, i_1, j_1, :] · G_2[:, i_2, j_2, :] ··· G_d[:, i_d, j_d, :]

Row and column multi-indices are big-endian (``i_1`` is the most significant digit), the order of
``numpy.reshape``. This is the matrix product operator (MPO) of quantum many-body physics with bond
dimensions ``r_k``. :func:`tt_svd` finds the cores of a given matrix by successive truncated SVDs (Oseledets,
SIAM J. Sci. Comput. 33, 2295 (2011)), with a guaranteed error bound.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import torch
from torch import nn

from ..errors import SuanliError

__all__ = [
    "TTEmbedding",
    "TTLinear",
    "factor_modes",
    "tt_parameters",
    "tt_ranks_for_budget",
    "tt_svd",
    "tt_to_matrix",
]


def _prime_factors(n: int) -> list[int]:
    out, p = [], 2
    while p * p <= n:
        while n % p == 0:
            out.append(p)
            n //= p
        p += 1
    if n > 1:
        out.append(n)
    return out


def factor_modes(n: int, d: int) -> tuple[int, ...]:
    """Split ``n`` into ``d`` integer factors as equal as possible (largest first).

    Args:
        n: the number to split (at least 1).
        d: the number of factors (at least 1).

    Returns:
        ``d`` factors whose product is ``n``; factors of 1 appear when ``n`` has fewer prime factors than ``d``.

    Examples:
        >>> factor_modes(384, 2)
        (24, 16)
        >>> factor_modes(1536, 3)
        (16, 12, 8)
    """
    if n < 1 or d < 1:
        raise SuanliError(f"factor_modes needs n >= 1 and d >= 1, got n={n}, d={d}")
    modes = [1] * d
    for p in sorted(_prime_factors(n), reverse=True):  # greedy: give each prime to the smallest mode
        k = min(range(d), key=lambda i: modes[i])
        modes[k] *= p
    return tuple(sorted(modes, reverse=True))


def tt_parameters(out_modes: Sequence[int], in_modes: Sequence[int], ranks: Sequence[int]) -> int:
    """Number of entries of the TT cores with these modes and bond ranks (``len(ranks) == d - 1``)."""
    r = [1, *ranks, 1]
    return sum(r[k] * out_modes[k] * in_modes[k] * r[k + 1] for k in range(len(out_modes)))


def _full_ranks(out_modes: Sequence[int], in_modes: Sequence[int]) -> list[int]:
    """The largest useful bond ranks (those of an exact TT decomposition of a generic matrix)."""
    sizes = [m * n for m, n in zip(out_modes, in_modes)]
    d = len(sizes)
    return [min(math.prod(sizes[: k + 1]), math.prod(sizes[k + 1 :])) for k in range(d - 1)]


def tt_ranks_for_budget(out_modes: Sequence[int], in_modes: Sequence[int], budget: int) -> list[int]:
    """The bond ranks ``min(r, full rank)`` with the largest uniform cap ``r`` whose cores fit ``budget`` entries.

    Raises:
        SuanliError: when even rank 1 does not fit the budget.
    """
    full = _full_ranks(out_modes, in_modes)
    if len(full) == 0:
        return []
    lo, hi = 0, max(full)
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if tt_parameters(out_modes, in_modes, [min(mid, f) for f in full]) <= budget:
            lo = mid
        else:
            hi = mid - 1
    if lo == 0:
        raise SuanliError(
            f"a parameter budget of {budget} is too small for a TT matrix with modes {tuple(out_modes)} x "
            f"{tuple(in_modes)} (rank 1 needs {tt_parameters(out_modes, in_modes, [1] * len(full))}); "
            "lower the compression ratio"
        )
    return [min(lo, f) for f in full]


def tt_svd(
    matrix: torch.Tensor,
    out_modes: Sequence[int],
    in_modes: Sequence[int],
    *,
    max_ranks: Sequence[int] | int | None = None,
    rel_error: float | None = None,
) -> list[torch.Tensor]:
    """Decompose ``matrix`` (shape ``(M, N)``) into TT cores by successive truncated SVDs.

    With ``rel_error=ε`` every one of the ``d - 1`` truncations discards at most ``ε·‖W‖_F / sqrt(d-1)`` in
    Frobenius norm, so the result satisfies ``‖W - W_TT‖_F <= ε ‖W‖_F`` (Oseledets 2011, Theorem 2.2).
    ``max_ranks`` caps the bond ranks in addition (the error is then whatever the cap leaves).

    Args:
        matrix: a real 2-D tensor ``(prod(out_modes), prod(in_modes))``.
        out_modes: factors ``m_k`` of the number of rows.
        in_modes: factors ``n_k`` of the number of columns (same length as ``out_modes``).
        max_ranks: one cap for every bond or one per bond (``d - 1`` values); None for no cap.
        rel_error: relative Frobenius error budget ``ε >= 0``; None for no error-driven truncation.

    Returns:
        The cores ``G_k`` of shape ``(r_{k-1}, m_k, n_k, r_k)``, in the dtype of ``matrix``.

    Examples:
        >>> w = torch.randn(6, 8, dtype=torch.float64)
        >>> cores = tt_svd(w, (2, 3), (4, 2))
        >>> [tuple(c.shape) for c in cores]
        [(1, 2, 4, 6), (6, 3, 2, 1)]
        >>> bool(torch.allclose(tt_to_matrix(cores), w))
        True
    """
    out_modes, in_modes = tuple(int(m) for m in out_modes), tuple(int(n) for n in in_modes)
    d = len(out_modes)
    if matrix.dim() != 2:
        raise SuanliError(f"tt_svd needs a 2-D matrix, got shape {tuple(matrix.shape)}")
    if d == 0 or len(in_modes) != d:
        raise SuanliError(f"out_modes {out_modes} and in_modes {in_modes} must be non-empty and of equal length")
    if (math.prod(out_modes), math.prod(in_modes)) != tuple(matrix.shape):
        raise SuanliError(
            f"modes {out_modes} x {in_modes} give a {math.prod(out_modes)} x {math.prod(in_modes)} matrix, "
            f"but the matrix is {tuple(matrix.shape)}"
        )
    if rel_error is not None and not rel_error >= 0:
        raise SuanliError(f"rel_error must be >= 0, got {rel_error}")
    if isinstance(max_ranks, int):
        caps = [max_ranks] * (d - 1)
    elif max_ranks is None:
        caps = [None] * (d - 1)
    else:
        caps = list(max_ranks)
        if len(caps) != d - 1:
            raise SuanliError(f"max_ranks needs {d - 1} values (one per bond), got {len(caps)}")
    if any(c is not None and c < 1 for c in caps):
        raise SuanliError(f"every rank cap must be at least 1, got {caps}")
    work_dtype = torch.float64 if matrix.dtype != torch.float64 else matrix.dtype
    w = matrix.detach().to(work_dtype)
    # (m1..md, n1..nd) -> (m1, n1, m2, n2, ...)
    t = w.reshape(*out_modes, *in_modes)
    t = t.permute(*[p for k in range(d) for p in (k, d + k)])
    delta = 0.0 if rel_error is None or d == 1 else rel_error * float(torch.linalg.norm(w)) / math.sqrt(d - 1)
    cores: list[torch.Tensor] = []
    rank = 1
    rest = t.reshape(-1)
    for k in range(d - 1):
        mat = rest.reshape(rank * out_modes[k] * in_modes[k], -1)
        u, s, vh = torch.linalg.svd(mat, full_matrices=False)
        keep = s.numel()
        if delta > 0:
            tail = torch.sqrt(torch.flip(torch.cumsum(torch.flip(s**2, [0]), 0), [0]))  # tail[j] = ‖s[j:]‖
            ok = (tail <= delta).nonzero()
            keep = int(ok[0, 0]) if ok.numel() else keep
            keep = max(keep, 1)
        if caps[k] is not None:
            keep = min(keep, int(caps[k]))
        cores.append(u[:, :keep].reshape(rank, out_modes[k], in_modes[k], keep))
        rest = s[:keep, None] * vh[:keep]
        rank = keep
    cores.append(rest.reshape(rank, out_modes[-1], in_modes[-1], 1))
    return [c.to(matrix.dtype) for c in cores]


def tt_to_matrix(cores: Sequence[torch.Tensor]) -> torch.Tensor:
    """The dense ``(M, N)`` matrix of a chain of TT cores (the inverse of :func:`tt_svd` without truncation)."""
    d = len(cores)
    out = cores[0]  # (1, m1, n1, r1)
    for core in cores[1:]:
        out = torch.tensordot(out, core, dims=([out.dim() - 1], [0]))
    out = out.reshape(*out.shape[1:-1])  # (m1, n1, m2, n2, ...)
    out = out.permute(*range(0, 2 * d, 2), *range(1, 2 * d, 2))
    m = math.prod(c.shape[1] for c in cores)
    n = math.prod(c.shape[2] for c in cores)
    return out.reshape(m, n)


_LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"


class TTLinear(nn.Module):
    """A ``torch.nn.Linear`` whose weight is a TT matrix (MPO), applied to the input core by core.

    The contraction of the input with the cores runs in the order opt_einsum finds optimal for the batch size,
    chosen once per batch size and cached. When every factorized order needs more multiply-adds than rebuilding
    the dense weight and applying it (large batches at moderate compression), the layer rebuilds the weight and
    applies it with one matrix product instead (:meth:`forward_macs` tells which cost applies).
    ``execution="dense"`` always rebuilds (for comparison). A rebuilt weight is recomputed on every call while
    gradients are enabled and cached otherwise (the cache is dropped by ``train()``/``eval()``).

    Args:
        cores: TT cores ``(r_{k-1}, m_k, n_k, r_k)``; the weight is ``tt_to_matrix(cores)`` of shape
            ``(out_features, in_features)``.
        bias: optional bias of shape ``(out_features,)``.
        execution: ``"factorized"`` (default) or ``"dense"``.

    Examples:
        >>> torch.manual_seed(0)
        <torch._C.Generator object at ...>
        >>> dense = nn.Linear(12, 6)
        >>> tt = TTLinear.from_linear(dense, out_modes=(2, 3), in_modes=(4, 3))   # full ranks: exact
        >>> x = torch.randn(5, 12)
        >>> bool(torch.allclose(tt(x), dense(x), atol=1e-5))
        True
    """

    def __init__(
        self, cores: Sequence[torch.Tensor], bias: torch.Tensor | None = None, *, execution: str = "factorized"
    ) -> None:
        super().__init__()
        if execution not in ("factorized", "dense"):
            raise SuanliError(f"execution must be 'factorized' or 'dense', got {execution!r}")
        if len(cores) == 0 or len(cores) > 12:
            raise SuanliError(f"a TTLinear needs 1 to 12 cores, got {len(cores)}")
        self.cores = nn.ParameterList([nn.Parameter(c.detach().clone()) for c in cores])
        self.out_modes = tuple(int(c.shape[1]) for c in cores)
        self.in_modes = tuple(int(c.shape[2]) for c in cores)
        self.out_features = math.prod(self.out_modes)
        self.in_features = math.prod(self.in_modes)
        self.bias = None if bias is None else nn.Parameter(bias.detach().clone())
        self.execution = execution
        self._exprs: dict[int, tuple] = {}
        self._dense_cache: torch.Tensor | None = None
        self._dense_key: tuple = ()
        d = len(cores)
        ins, outs, bonds = _LETTERS[:d], _LETTERS[d : 2 * d], _LETTERS[2 * d : 3 * d + 1]
        terms = [f"{bonds[k]}{outs[k]}{ins[k]}{bonds[k + 1]}" for k in range(d)]
        self._equation = "Z" + ins + "," + ",".join(terms) + "->Z" + outs

    @classmethod
    def from_linear(
        cls,
        linear: nn.Linear,
        *,
        out_modes: Sequence[int] | None = None,
        in_modes: Sequence[int] | None = None,
        d: int = 2,
        max_ranks: Sequence[int] | int | None = None,
        rel_error: float | None = None,
        execution: str = "factorized",
    ) -> TTLinear:
        """A TT layer from a dense ``nn.Linear`` by TT-SVD (modes default to :func:`factor_modes` with ``d``)."""
        w = linear.weight.detach()
        out_modes = tuple(out_modes) if out_modes is not None else factor_modes(w.shape[0], d)
        in_modes = tuple(in_modes) if in_modes is not None else factor_modes(w.shape[1], d)
        cores = tt_svd(w, out_modes, in_modes, max_ranks=max_ranks, rel_error=rel_error)
        return cls(cores, None if linear.bias is None else linear.bias.detach(), execution=execution)

    @property
    def ranks(self) -> tuple[int, ...]:
        """The bond ranks ``(r_1, ..., r_{d-1})``."""
        return tuple(int(c.shape[-1]) for c in self.cores[:-1])

    def weight_matrix(self) -> torch.Tensor:
        """The dense weight ``(out_features, in_features)`` the cores represent."""
        return tt_to_matrix(list(self.cores))

    def train(self, mode: bool = True) -> TTLinear:
        self._dense_cache = None
        return super().train(mode)

    def _rebuild_macs(self) -> int:
        macs, size = 0, self.cores[0].shape[1] * self.cores[0].shape[2]
        for core in self.cores[1:]:
            r0, m, n, r1 = core.shape
            macs += size * r0 * m * n * r1
            size *= m * n
        return macs

    def _plan(self, batch: int) -> object:
        """The contraction for ``batch`` rows: an opt_einsum expression, or ``"dense"`` when rebuilding is cheaper."""
        plan = self._exprs.get(batch)
        if plan is None:
            import opt_einsum

            shapes = [(batch, *self.in_modes)] + [tuple(c.shape) for c in self.cores]
            path, info = opt_einsum.contract_path(self._equation, *shapes, shapes=True, optimize="optimal")
            factorized = int(info.opt_cost) // 2  # opt_einsum counts a multiply-add as 2 operations
            rebuilt = self._rebuild_macs() + batch * self.in_features * self.out_features
            if factorized < rebuilt:
                plan = (opt_einsum.contract_expression(self._equation, *shapes, optimize=path), factorized)
            else:
                plan = ("dense", rebuilt)
            self._exprs[batch] = plan
        return plan

    def forward_macs(self, batch: int) -> int:
        """Multiply-accumulates of one forward pass on ``batch`` rows along the chosen contraction order."""
        if self.execution == "dense":
            return self._rebuild_macs() + batch * self.in_features * self.out_features
        return int(self._plan(batch)[1])  # type: ignore[index]

    def _dense_weight(self) -> torch.Tensor:
        if torch.is_grad_enabled() or self.training:
            return self.weight_matrix()
        key = tuple((c.data_ptr(), c._version) for c in self.cores)  # any in-place update invalidates the cache
        if self._dense_cache is None or self._dense_key != key:
            self._dense_cache, self._dense_key = self.weight_matrix(), key
        return self._dense_cache

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if x.shape[-1] != self.in_features:
            raise SuanliError(f"TTLinear expects inputs with {self.in_features} features, got {x.shape[-1]}")
        lead = x.shape[:-1]
        batch = math.prod(lead)
        expr = "dense" if self.execution == "dense" else self._plan(batch)[0]  # type: ignore[index]
        if expr == "dense":
            return nn.functional.linear(x, self._dense_weight(), self.bias)
        y = expr(x.reshape(batch, *self.in_modes), *self.cores, backend="torch")  # type: ignore[operator]
        y = y.reshape(*lead, self.out_features)
        return y if self.bias is None else y + self.bias

    def extra_repr(self) -> str:
        return (
            f"in_features={self.in_features}, out_features={self.out_features}, out_modes={self.out_modes}, "
            f"in_modes={self.in_modes}, ranks={self.ranks}, execution={self.execution!r}"
        )


class TTEmbedding(nn.Module):
    """A ``torch.nn.Embedding`` whose ``(num_embeddings, embedding_dim)`` table is a TT matrix.

    The vocabulary is padded to ``prod(vocab_modes) >= num_embeddings`` (padding rows are never looked up). A
    lookup decomposes each distinct index of the batch into its big-endian digits over ``vocab_modes``, gathers
    one slice per core and multiplies the slices (``O(Σ_k e_1…e_k · r_{k-1} · e_k · r_k)`` work per distinct
    index); the table is never formed.

    Args:
        cores: TT cores ``(r_{k-1}, v_k, e_k, r_k)`` with ``prod(e_k) == embedding_dim``.
        num_embeddings: the number of valid indices (``<= prod(v_k)``).
        padding_idx: kept for compatibility with ``nn.Embedding`` (its row is not forced to zero).

    Examples:
        >>> torch.manual_seed(0)
        <torch._C.Generator object at ...>
        >>> emb = nn.Embedding(10, 6)
        >>> tt = TTEmbedding.from_embedding(emb, vocab_modes=(3, 4), dim_modes=(2, 3))  # full ranks: exact
        >>> idx = torch.tensor([[0, 9], [3, 4]])
        >>> bool(torch.allclose(tt(idx), emb(idx), atol=1e-6))
        True
    """

    def __init__(self, cores: Sequence[torch.Tensor], num_embeddings: int, *, padding_idx: int | None = None) -> None:
        super().__init__()
        self.cores = nn.ParameterList([nn.Parameter(c.detach().clone()) for c in cores])
        self.vocab_modes = tuple(int(c.shape[1]) for c in cores)
        self.dim_modes = tuple(int(c.shape[2]) for c in cores)
        self.embedding_dim = math.prod(self.dim_modes)
        if num_embeddings > math.prod(self.vocab_modes):
            raise SuanliError(
                f"vocab_modes {self.vocab_modes} hold {math.prod(self.vocab_modes)} rows, fewer than "
                f"num_embeddings={num_embeddings}"
            )
        self.num_embeddings = int(num_embeddings)
        self.padding_idx = padding_idx
        strides = [math.prod(self.vocab_modes[k + 1 :]) for k in range(len(cores))]
        self.register_buffer("_strides", torch.tensor(strides, dtype=torch.long), persistent=False)

    @staticmethod
    def padded_vocab(num_embeddings: int, d: int) -> tuple[int, ...]:
        """Vocabulary modes for ``num_embeddings`` rows: the most balanced split of a size at most 2 % larger."""
        best: tuple[float, tuple[int, ...]] | None = None
        for v in range(num_embeddings, num_embeddings + max(1, num_embeddings // 50) + 1):
            modes = factor_modes(v, d)
            score = max(modes) / min(modes) + 1e-9 * v
            if best is None or score < best[0]:
                best = (score, modes)
        assert best is not None
        return best[1]

    @classmethod
    def from_embedding(
        cls,
        embedding: nn.Embedding,
        *,
        vocab_modes: Sequence[int] | None = None,
        dim_modes: Sequence[int] | None = None,
        d: int = 3,
        max_ranks: Sequence[int] | int | None = None,
        rel_error: float | None = None,
    ) -> TTEmbedding:
        """A TT embedding from a dense ``nn.Embedding`` by TT-SVD of its (zero-padded) table."""
        table = embedding.weight.detach()
        v, e = table.shape
        vocab_modes = tuple(vocab_modes) if vocab_modes is not None else cls.padded_vocab(v, d)
        dim_modes = tuple(dim_modes) if dim_modes is not None else factor_modes(e, len(vocab_modes))
        rows = math.prod(vocab_modes)
        if rows < v:
            raise SuanliError(f"vocab_modes {vocab_modes} hold {rows} rows, fewer than the {v} of the embedding")
        if rows > v:
            table = torch.cat([table, table.new_zeros(rows - v, e)])
        cores = tt_svd(table, vocab_modes, dim_modes, max_ranks=max_ranks, rel_error=rel_error)
        return cls(cores, v, padding_idx=embedding.padding_idx)

    @property
    def ranks(self) -> tuple[int, ...]:
        return tuple(int(c.shape[-1]) for c in self.cores[:-1])

    @property
    def weight(self) -> torch.Tensor:
        """The dense table ``(num_embeddings, embedding_dim)`` (built on demand; for inspection only)."""
        return tt_to_matrix(list(self.cores))[: self.num_embeddings]

    def forward(self, idx: torch.Tensor) -> torch.Tensor:
        flat = idx.reshape(-1)
        if flat.numel() and (int(flat.min()) < 0 or int(flat.max()) >= self.num_embeddings):
            raise SuanliError(f"embedding index out of range [0, {self.num_embeddings})")
        # rows are built once per distinct index: a batch of text repeats most of its tokens
        unique, inverse = torch.unique(flat, return_inverse=True)
        digits = (unique[:, None] // self._strides) % torch.tensor(self.vocab_modes, device=flat.device)
        rows = self._rows(digits)
        return rows[inverse].reshape(*idx.shape, self.embedding_dim)

    def _rows(self, digits: torch.Tensor) -> torch.Tensor:
        """The table rows for ``digits`` (U, d): a right-to-left sweep over the cores.

        Level k holds one partial row per distinct suffix of digits ``(i_k, …, i_d)`` among the indices, shape
        (r_{k-1}, e_k ⋯ e_d). The suffixes with the same digit i_k share the core slice ``G_k[:, i_k]``, so each
        level is one matrix product per distinct digit (the slice is read once, not once per index).
        """
        cores = list(self.cores)
        last = cores[-1][..., 0].permute(1, 0, 2)  # (v_d, r_{d-1}, e_d)
        keys, where = torch.unique(digits[:, -1], return_inverse=True)
        part = last[keys]  # (S, r_{d-1}, E)
        for k in range(len(cores) - 2, -1, -1):
            core = cores[k]  # (r_{k-1}, v_k, e_k, r_k)
            r_prev, _, e_k, r_k = core.shape
            s, width = part.shape[0], part.shape[2]
            pairs, where = torch.unique(digits[:, k] * s + where, return_inverse=True)
            digit, sub = pairs // s, pairs % s
            values, groups = torch.unique(digit, return_inverse=True)
            pieces, order = [], []
            for g, v in enumerate(values.tolist()):
                sel = torch.nonzero(groups == g).reshape(-1)
                m = sel.numel()
                rhs = part[sub[sel]].permute(1, 0, 2).reshape(r_k, m * width)  # (r_k, m·E)
                prod = core[:, v].reshape(r_prev * e_k, r_k) @ rhs  # (r_{k-1}·e_k, m·E)
                pieces.append(prod.reshape(r_prev, e_k, m, width).permute(2, 0, 1, 3).reshape(m, r_prev, e_k * width))
                order.append(sel)
            stacked = torch.cat(pieces)
            part = stacked[torch.argsort(torch.cat(order))]
        return part[where, 0]

    def extra_repr(self) -> str:
        return (
            f"{self.num_embeddings}, {self.embedding_dim}, vocab_modes={self.vocab_modes}, "
            f"dim_modes={self.dim_modes}, ranks={self.ranks}"
        )
