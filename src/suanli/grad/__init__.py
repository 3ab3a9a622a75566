"""Gradients of circuits: autograd (backprop), the adjoint method and parameter-shift rules.

Examples:
    >>> import torch, suanli
    >>> from suanli.grad import expectation
    >>> w = torch.tensor([0.1, 0.2], requires_grad=True)
    >>> c = suanli.Circuit(2).ry(w[0], 0).ry(w[1], 1).cx(0, 1)
    >>> expectation(c, "Z0*Z1", diff_method="shift", device="cpu").backward()
    >>> w.grad.shape
    torch.Size([2])
"""

from __future__ import annotations

from .adjoint import adjoint_expectation as adjoint_expectation
from .api import DIFF_METHODS as DIFF_METHODS
from .api import expectation as expectation
from .observe import apply_observables as apply_observables
from .shift import shift_rule as shift_rule

__all__ = ["DIFF_METHODS", "adjoint_expectation", "apply_observables", "expectation", "shift_rule"]
