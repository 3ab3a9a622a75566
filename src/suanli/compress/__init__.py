"""Tensor-network (TT/MPO) and low-rank compression of ``torch.nn`` models.

- :class:`TTLinear`, :class:`TTEmbedding`: layers whose weight is a tensor train (matrix product operator),
  computed in factorized form; built from dense layers by :func:`tt_svd` with a rank or error budget.
- :class:`LowRankLinear`, :class:`LowRankEmbedding`: truncated-SVD baselines.
- :func:`compress`: replace the layers of any model in place and report sizes and errors.

Examples:
    >>> import torch
    >>> from torch import nn
    >>> from suanli.compress import compress
    >>> _ = torch.manual_seed(0)
    >>> net = nn.Sequential(nn.Embedding(1000, 64), nn.Linear(64, 256), nn.GELU(), nn.Linear(256, 64))
    >>> report = compress(net, ratio=0.5, method="tt")
    >>> report.reduction > 0.45
    True
"""

from __future__ import annotations

from .api import METHODS as METHODS
from .api import CompressionReport as CompressionReport
from .api import LayerReport as LayerReport
from .api import compress as compress
from .api import count_parameters as count_parameters
from .lowrank import LowRankEmbedding as LowRankEmbedding
from .lowrank import LowRankLinear as LowRankLinear
from .lowrank import svd_factors as svd_factors
from .tt import TTEmbedding as TTEmbedding
from .tt import TTLinear as TTLinear
from .tt import factor_modes as factor_modes
from .tt import tt_parameters as tt_parameters
from .tt import tt_ranks_for_budget as tt_ranks_for_budget
from .tt import tt_svd as tt_svd
from .tt import tt_to_matrix as tt_to_matrix

__all__ = [
    "METHODS",
    "CompressionReport",
    "LayerReport",
    "LowRankEmbedding",
    "LowRankLinear",
    "TTEmbedding",
    "TTLinear",
    "compress",
    "count_parameters",
    "factor_modes",
    "svd_factors",
    "tt_parameters",
    "tt_ranks_for_budget",
    "tt_svd",
    "tt_to_matrix",
]
