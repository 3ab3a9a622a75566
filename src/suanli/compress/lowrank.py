"""Low-rank (truncated SVD) baselines: ``W ≈ U·V`` with ``r (M + N)`` parameters instead of ``M·N``."""

from __future__ import annotations

import torch
from torch import nn

from ..errors import SuanliError

__all__ = ["LowRankEmbedding", "LowRankLinear", "svd_factors"]


def svd_factors(matrix: torch.Tensor, rank: int) -> tuple[torch.Tensor, torch.Tensor]:
    """The best rank-``rank`` factors ``(U·diag(s)^½, diag(s)^½·Vᵀ)`` of ``matrix`` (Eckart–Young).

    Examples:
        >>> w = torch.randn(5, 4, dtype=torch.float64)
        >>> a, b = svd_factors(w, 4)
        >>> bool(torch.allclose(a @ b, w))
        True
    """
    if matrix.dim() != 2:
        raise SuanliError(f"svd_factors needs a 2-D matrix, got shape {tuple(matrix.shape)}")
    if not 1 <= rank <= min(matrix.shape):
        raise SuanliError(f"rank must be in [1, {min(matrix.shape)}], got {rank}")
    u, s, vh = torch.linalg.svd(matrix.detach().double(), full_matrices=False)
    root = s[:rank].sqrt()
    return (u[:, :rank] * root).to(matrix.dtype), (root[:, None] * vh[:rank]).to(matrix.dtype)


class LowRankLinear(nn.Module):
    """``y = (x Vᵀ) Uᵀ + b``: a linear layer of rank ``rank`` (two thin matrix products).

    Examples:
        >>> dense = nn.Linear(8, 6)
        >>> lr = LowRankLinear.from_linear(dense, rank=6)   # full rank: exact
        >>> x = torch.randn(3, 8)
        >>> bool(torch.allclose(lr(x), dense(x), atol=1e-5))
        True
    """

    def __init__(self, u: torch.Tensor, v: torch.Tensor, bias: torch.Tensor | None = None) -> None:
        super().__init__()
        self.u = nn.Parameter(u.detach().clone())  # (out, r)
        self.v = nn.Parameter(v.detach().clone())  # (r, in)
        self.bias = None if bias is None else nn.Parameter(bias.detach().clone())
        self.out_features, self.rank = self.u.shape
        self.in_features = self.v.shape[1]

    @classmethod
    def from_linear(cls, linear: nn.Linear, *, rank: int) -> LowRankLinear:
        u, v = svd_factors(linear.weight, rank)
        return cls(u, v, linear.bias)

    def weight_matrix(self) -> torch.Tensor:
        return self.u @ self.v

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return nn.functional.linear(nn.functional.linear(x, self.v), self.u, self.bias)

    def extra_repr(self) -> str:
        return f"in_features={self.in_features}, out_features={self.out_features}, rank={self.rank}"


class LowRankEmbedding(nn.Module):
    """An embedding table ``A·B`` of rank ``rank``: look up a row of ``A`` and multiply by ``B``."""

    def __init__(self, a: torch.Tensor, b: torch.Tensor, *, padding_idx: int | None = None) -> None:
        super().__init__()
        self.a = nn.Parameter(a.detach().clone())  # (V, r)
        self.b = nn.Parameter(b.detach().clone())  # (r, E)
        self.num_embeddings, self.rank = self.a.shape
        self.embedding_dim = self.b.shape[1]
        self.padding_idx = padding_idx

    @classmethod
    def from_embedding(cls, embedding: nn.Embedding, *, rank: int) -> LowRankEmbedding:
        a, b = svd_factors(embedding.weight, rank)
        return cls(a, b, padding_idx=embedding.padding_idx)

    @property
    def weight(self) -> torch.Tensor:
        return self.a @ self.b

    def forward(self, idx: torch.Tensor) -> torch.Tensor:
        return nn.functional.embedding(idx, self.a) @ self.b

    def extra_repr(self) -> str:
        return f"{self.num_embeddings}, {self.embedding_dim}, rank={self.rank}"
