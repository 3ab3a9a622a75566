"""The gate record (:class:`GateSpec`) and the registry that holds one record per gate."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import torch

from ..errors import CircuitError

__all__ = ["GateSpec", "all_gates", "get_gate", "has_gate", "register"]

#: One step of a gate definition: (gate name, qubit positions within the gate, parameter values).
DefinitionStep = tuple[str, tuple[int, ...], tuple[Any, ...]]


@dataclass(frozen=True)
class GateSpec:
    """Everything suanli knows about one gate; the single source of truth for every layer.

    Attributes:
        name: canonical lower-case name.
        num_qubits: arity.
        params: parameter names, in call order.
        matrix_fn: builds the unitary from real tensors (one per parameter; any common batch shape) and
            returns a complex tensor of shape ``(*batch, 2**k, 2**k)``. Qubit 0 of the gate is the most
            significant bit of the row/column index (big-endian, as everywhere in suanli).
        inverse_fn: maps parameters to ``(name, params)`` of the inverse gate.
        aliases: other accepted names (``cnot``, ``u1`` …).
        qelib1: True when ``qelib1.inc`` defines the gate, so OpenQASM 2 output can use it directly.
        definition: exact decomposition into other gates, as steps ``(name, qubits, params)``; used to write
            gates that are not in ``qelib1.inc`` and checked against ``matrix_fn`` by the tests.
        diagonal: the matrix is diagonal for every parameter value (cheap in-place kernels).
        num_controls: leading control qubits (the gate is ``|1..1><1..1| ⊗ base + rest ⊗ I``).
        label: short text for drawings (defaults to the upper-case name).
        doc: one-line description (the generated gate reference uses it).
    """

    name: str
    num_qubits: int
    params: tuple[str, ...]
    matrix_fn: Callable[..., torch.Tensor]
    inverse_fn: Callable[..., tuple[str, tuple[Any, ...]]]
    aliases: tuple[str, ...] = ()
    qelib1: bool = False
    definition: Callable[..., list[DefinitionStep]] | None = None
    diagonal: bool = False
    num_controls: int = 0
    label: str | None = None
    doc: str = ""
    _cache: dict[Any, torch.Tensor] = field(default_factory=dict, repr=False, compare=False)

    @property
    def num_params(self) -> int:
        return len(self.params)

    @property
    def dim(self) -> int:
        return 1 << self.num_qubits

    def matrix(
        self,
        *params: Any,
        dtype: torch.dtype = torch.complex128,
        device: torch.device | str | None = None,
        copy: bool = True,
    ) -> torch.Tensor:
        """The unitary for the given parameter values (floats or real tensors; a batch dimension broadcasts).

        Matrices of parameter-free gates are cached per dtype and device; ``copy=False`` returns the cached
        tensor itself (callers must not modify it).

        Examples:
            >>> get_gate("rx").matrix(math.pi, dtype=torch.complex128)
            tensor([[6.1232e-17+0.j, 0.0000e+00-1.j],
                    [0.0000e+00-1.j, 6.1232e-17+0.j]], dtype=torch.complex128)
        """
        if len(params) != self.num_params:
            raise CircuitError(
                f"gate {self.name!r} takes {self.num_params} parameter(s) "
                f"({', '.join(self.params) or 'none'}), got {len(params)}"
            )
        device = torch.device(device) if device is not None else torch.device("cpu")
        if not params:
            key = (dtype, device)
            mat = self._cache.get(key)
            if mat is None:
                mat = self.matrix_fn().to(dtype=dtype, device=device)
                self._cache[key] = mat
            return mat.clone() if copy else mat
        args = [_to_real_tensor(self.name, p, dtype, device) for p in params]
        return self.matrix_fn(*args).to(dtype=dtype)

    def inverse(self, *params: Any) -> tuple[str, tuple[Any, ...]]:
        """Name and parameters of the inverse gate."""
        return self.inverse_fn(*params)


_REGISTRY: dict[str, GateSpec] = {}
_LOOKUP: dict[str, GateSpec] = {}


def register(spec: GateSpec) -> GateSpec:
    """Add a gate record; its name and aliases must be new."""
    for key in (spec.name, *spec.aliases):
        if key in _LOOKUP:
            raise ValueError(f"gate name {key!r} is already registered")
    _REGISTRY[spec.name] = spec
    for key in (spec.name, *spec.aliases):
        _LOOKUP[key] = spec
    return spec


def has_gate(name: str) -> bool:
    """True when ``name`` (or an alias) is in the gate table."""
    return name in _LOOKUP


def get_gate(name: str) -> GateSpec:
    """Look up a gate by name or alias.

    Raises:
        CircuitError: unknown gate (the message suggests close names).
    """
    try:
        return _LOOKUP[name]
    except KeyError:
        import difflib

        close = difflib.get_close_matches(name, list(_LOOKUP), n=3)
        hint = f"; did you mean {', '.join(close)}?" if close else ""
        raise CircuitError(f"unknown gate {name!r}{hint}") from None


def all_gates() -> Sequence[GateSpec]:
    """Every gate record, in table order."""
    return tuple(_REGISTRY.values())


def _to_real_tensor(gate: str, value: Any, dtype: torch.dtype, device: torch.device) -> torch.Tensor:
    """Turn a parameter value into a real tensor: numbers in float64, tensors keep autograd and batch shape."""
    if isinstance(value, torch.Tensor):
        if value.is_complex():
            raise CircuitError(f"gate {gate!r} needs real parameters, got a complex tensor")
        if not value.is_floating_point() or dtype == torch.complex128:
            value = value.to(torch.float64)
        elif value.dtype in (torch.float16, torch.bfloat16):
            value = value.to(torch.float32)
        return value.to(device)
    if isinstance(value, bool):
        raise CircuitError(f"gate {gate!r}: a bool is not a valid parameter")
    try:
        number = float(value)  # numbers, numpy scalars, bound expressions
    except (TypeError, ValueError):
        raise CircuitError(f"gate {gate!r}: cannot use {type(value).__name__} as a parameter") from None
    if not math.isfinite(number):
        raise CircuitError(f"gate {gate!r}: parameter value {number} is not finite")
    return torch.tensor(number, dtype=torch.float64, device=device)
