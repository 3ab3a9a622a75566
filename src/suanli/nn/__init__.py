"""PyTorch layers built from circuits (:class:`QuantumLayer`)."""

from __future__ import annotations

from .layer import QuantumLayer as QuantumLayer

__all__ = ["QuantumLayer"]
