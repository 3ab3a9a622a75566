"""A circuit as a ``torch.nn.Module``: trainable gate angles, input encodings, batched evaluation."""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from typing import Any

import torch
from torch import nn

from ..circuit import Circuit
from ..errors import SuanliError
from ..grad.api import DIFF_METHODS, expectation
from ..observables.pauli import as_observable
from ..sim.statevector.engine import resolve_dtype

__all__ = ["QuantumLayer"]

Builder = Callable[[torch.Tensor | None, torch.Tensor], Circuit]
_INPUT = re.compile(r"^x(\d+)$")


class QuantumLayer(nn.Module):
    """Expectation values of a parametrised circuit as a differentiable PyTorch layer.

    The layer maps a batch of inputs ``(B, F)`` (or one input ``(F,)``) to ``(B, K)`` (or ``(K,)``) expectation
    values of the K ``observables``. All B inputs run as one batch of states through the batched kernels (no
    Python loop over samples). Gradients reach the weights and the inputs by ``diff_method`` (see
    :func:`suanli.grad.expectation`).

    Two ways to give the circuit:

    - a :class:`~suanli.Circuit` with named parameters: ``x0, x1, …`` are the input features (angle encoding:
      feature i is bound to ``x{i}``), every other parameter is a trainable weight (one entry of ``weight``,
      in sorted name order);
    - a builder ``builder(inputs, weights) -> Circuit``, called on every forward pass with the input batch
      ``(B, F)`` (``None`` for amplitude encoding) and the weight tensor of shape ``weight_shape``; use
      ``inputs[:, i]`` as a batched gate angle.

    ``encoding="amplitude"`` prepares each input vector, zero-padded to 2**n entries and normalised, as the
    initial state; the circuit then takes no ``x`` parameters.

    Args:
        circuit: a Circuit or a builder (above).
        observables: one observable or a list (PauliSum, Pauli-sum string, Hermitian).
        weight_shape: shape of the weight tensor for a builder (a Circuit's weights are counted for you).
        num_qubits: the builder's width (needed for amplitude encoding with a builder; else taken from a trial
            build).
        encoding: ``"angle"`` (default) or ``"amplitude"``.
        diff_method: ``"auto"``, ``"backprop"``, ``"adjoint"`` or ``"shift"``.
        dtype: ``torch.complex64`` (float32 outputs) or ``torch.complex128`` (float64 outputs).
        init_scale: weights start uniform in [0, init_scale) (default 2π); seed with ``torch.manual_seed``.

    The circuit runs on the device of the layer's weights: ``layer.to("cuda")`` moves it to the GPU.

    Examples:
        >>> import torch, suanli
        >>> from suanli.nn import QuantumLayer
        >>> def build(x, w):
        ...     c = suanli.Circuit(2)
        ...     for i in range(2):
        ...         c.ry(x[:, i], i)
        ...     return c.ry(w[0], 0).ry(w[1], 1).cx(0, 1)
        >>> _ = torch.manual_seed(0)
        >>> layer = QuantumLayer(build, ["Z0", "Z1"], weight_shape=(2,))
        >>> layer(torch.zeros(5, 2)).shape
        torch.Size([5, 2])
        >>> model = torch.nn.Sequential(torch.nn.Linear(3, 2), layer, torch.nn.Linear(2, 1))
        >>> model(torch.randn(4, 3)).shape
        torch.Size([4, 1])
    """

    def __init__(
        self,
        circuit: Circuit | Builder,
        observables: Any,
        *,
        weight_shape: Sequence[int] | int | None = None,
        num_qubits: int | None = None,
        encoding: str = "angle",
        diff_method: str = "auto",
        dtype: Any = torch.complex64,
        init_scale: float = 2 * math.pi,
    ) -> None:
        super().__init__()
        if encoding not in ("angle", "amplitude"):
            raise SuanliError(f"encoding must be 'angle' or 'amplitude', got {encoding!r}")
        if diff_method not in DIFF_METHODS:
            raise SuanliError(f"diff_method must be one of {', '.join(DIFF_METHODS)}; got {diff_method!r}")
        self.encoding = encoding
        self.diff_method = diff_method
        self.cdtype = resolve_dtype(dtype)
        real = torch.float64 if self.cdtype == torch.complex128 else torch.float32
        single = not isinstance(observables, (list, tuple))
        self._observables = [as_observable(o) for o in ([observables] if single else observables)]
        if not self._observables:
            raise SuanliError("QuantumLayer needs at least one observable")
        self._single = single
        if isinstance(circuit, Circuit):
            if weight_shape is not None:
                raise SuanliError("weight_shape is for builders; a Circuit's weights are its non-input parameters")
            self._circuit: Circuit | None = circuit
            self._builder: Builder | None = None
            names = [p.name for p in circuit.parameters]
            inputs = sorted((n for n in names if _INPUT.match(n)), key=lambda n: int(n[1:]))
            self.input_names = inputs
            self.weight_names = sorted(n for n in names if not _INPUT.match(n))
            if encoding == "amplitude" and inputs:
                raise SuanliError(f"amplitude encoding takes no input parameters, but the circuit has {inputs}")
            shape: tuple[int, ...] = (len(self.weight_names),)
            self.num_qubits = circuit.num_qubits
        elif callable(circuit):
            if weight_shape is None:
                raise SuanliError("a builder needs weight_shape=(…), the shape of its weight tensor")
            self._circuit = None
            self._builder = circuit
            self.input_names = []
            self.weight_names = []
            shape = (int(weight_shape),) if isinstance(weight_shape, int) else tuple(int(s) for s in weight_shape)
            self.num_qubits = num_qubits if num_qubits is not None else -1
        else:
            raise SuanliError(f"QuantumLayer takes a suanli.Circuit or a builder function, got {type(circuit)}")
        self.weight = nn.Parameter(torch.rand(shape, dtype=real) * init_scale)

    @property
    def num_outputs(self) -> int:
        return len(self._observables)

    def _amplitudes(self, x: torch.Tensor, n: int) -> torch.Tensor:
        dim = 1 << n
        if x.shape[-1] > dim:
            raise SuanliError(f"amplitude encoding on {n} qubits takes at most {dim} features, got {x.shape[-1]}")
        if x.shape[-1] < dim:
            x = torch.nn.functional.pad(x, (0, dim - x.shape[-1]))
        norm = x.norm(dim=-1, keepdim=True)
        if bool((norm == 0).any()):
            raise SuanliError("amplitude encoding got an all-zero input vector, which is no quantum state")
        return (x / norm).to(self.cdtype)

    # Under torch.compile the simulation runs eagerly (a clean graph break, not a trace into the simulator's
    # Python): the layers around it compile as usual and autograd flows through.
    @torch.compiler.disable
    def forward(self, x: torch.Tensor | None = None) -> torch.Tensor:
        """Expectation values for the input batch ``x`` ((B, F) or (F,)); ``x`` may be None without inputs."""
        squeeze = x is not None and x.dim() == 1
        if x is not None:
            if x.dim() not in (1, 2):
                raise SuanliError(f"QuantumLayer inputs must have shape (B, F) or (F,), got {tuple(x.shape)}")
            x = x.reshape(1, -1) if squeeze else x
        device = self.weight.device
        init = None
        if self._circuit is not None:
            circuit = self._circuit
            params: dict[str, Any] = {n: self.weight[i] for i, n in enumerate(self.weight_names)}
            if self.input_names:
                if x is None:
                    raise SuanliError(f"the circuit takes inputs {self.input_names}; call the layer with a batch")
                if x.shape[-1] != len(self.input_names):
                    raise SuanliError(
                        f"the circuit takes {len(self.input_names)} input feature(s) {self.input_names}, "
                        f"got {x.shape[-1]}"
                    )
                for i, n in enumerate(self.input_names):
                    params[n] = x[:, i]
        else:
            assert self._builder is not None
            params = {}
            circuit = self._builder(x if self.encoding == "angle" else None, self.weight)
            if not isinstance(circuit, Circuit):
                raise SuanliError(f"the builder must return a suanli.Circuit, got {type(circuit).__name__}")
        if self.encoding == "amplitude":
            if x is None:
                raise SuanliError("amplitude encoding needs an input batch")
            init = self._amplitudes(x.to(device), circuit.num_qubits)
        out = expectation(
            circuit,
            self._observables,
            params=params,
            diff_method=self.diff_method,
            initial_state=init,
            device=device,
            dtype=self.cdtype,
        )
        if x is not None and out.dim() == 1:  # inputs that did not enter the circuit: one row per sample
            out = out.expand(x.shape[0], -1)
        if squeeze:
            out = out[0]
        return out[..., 0] if self._single else out

    def extra_repr(self) -> str:
        return (
            f"outputs={self.num_outputs}, weights={tuple(self.weight.shape)}, encoding={self.encoding!r}, "
            f"diff_method={self.diff_method!r}"
        )
