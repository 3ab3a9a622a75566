"""Circuit → tensor network in torch, contraction paths with cotengra, amplitudes and light-cone expectations.

A circuit on n qubits becomes one tensor per gate: a non-diagonal k-qubit gate is a tensor with k new output
indices and the k current wire indices of its qubits; a *diagonal* gate (``cz``, ``rz``, ``cp``…) reuses the
wire indices (hyper-indices), which keeps the network small. Each qubit starts with the vector |0>, and ends
either with the projection <b| for a fixed output bit or with an open index. Before the path search the
network is simplified: every tensor of rank ≤ 2 (initial vectors, projections, one-qubit gates) is
contracted into a neighbour, repeatedly. The remaining network is handed to cotengra's hyper-optimiser
(``HyperOptimizer``) with slicing to a target width; the contraction itself runs in torch, slice by slice
(CPU or CUDA).

Cost conventions: ``cost`` is cotengra's contraction cost, the number of scalar multiply-adds summed over
all pairwise contractions (Gray & Kourtis 2021 call it the FLOP count). Complex arithmetic needs 8 real
floating-point operations per multiply-add, so ``real_flops = 8 * cost``. ``width`` is log2 of the largest
intermediate tensor (in elements); ``peak_bytes`` is cotengra's peak concurrent size times the element size.
"""

from __future__ import annotations

import math
import string
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import torch

from ...circuit import Circuit
from ...errors import SimulationError, SuanliError
from ..statevector.engine import compile_circuit

__all__ = ["ContractionCost", "TensorNetwork", "circuit_network", "contract", "find_tree", "tree_cost"]

Progress = Callable[[int, int], None]


@dataclass
class TensorNetwork:
    """Tensors with integer index labels; ``output`` lists the open indices in order. Every index has size 2."""

    arrays: list[torch.Tensor]
    inputs: list[tuple[int, ...]]
    output: tuple[int, ...]

    @property
    def size_dict(self) -> dict[int, int]:
        return {i: 2 for ix in self.inputs for i in ix} | {i: 2 for i in self.output}

    @property
    def num_tensors(self) -> int:
        return len(self.arrays)

    def symbolic(self) -> tuple[list[tuple[str, ...]], tuple[str, ...], dict[str, int]]:
        """Inputs, output and sizes with string labels (what cotengra contracts with)."""
        from cotengra import get_symbol

        inputs = [tuple(get_symbol(i) for i in ix) for ix in self.inputs]
        output = tuple(get_symbol(i) for i in self.output)
        return inputs, output, {get_symbol(i): d for i, d in self.size_dict.items()}

    def signature(self) -> tuple[Any, ...]:
        """What the path depends on (the index structure, not the values)."""
        return (tuple(self.inputs), self.output)

    def simplify(self) -> TensorNetwork:
        """Contract every tensor of rank ≤ 2 into a neighbour until none is left (in place; returns self)."""
        changed = True
        while changed and len(self.arrays) > 1:
            changed = False
            counts = Counter(i for ix in self.inputs for i in ix)
            for k in range(len(self.arrays)):
                ix = self.inputs[k]
                if len(ix) > 2:
                    continue
                partner = self._neighbour(k)
                if partner is None:
                    continue
                self._merge(k, partner, counts)  # updates counts
                changed = True
                break
        return self

    def _neighbour(self, k: int) -> int | None:
        ix = set(self.inputs[k])
        best = None
        for j, other in enumerate(self.inputs):
            if j != k and ix.intersection(other) and (best is None or len(other) < len(self.inputs[best])):
                best = j
        return best

    def _merge(self, a: int, b: int, counts: Counter[int]) -> None:
        ia, ib = self.inputs[a], self.inputs[b]
        keep = set(self.output)
        # an index survives when another tensor (or the output) still uses it
        out = [i for i in dict.fromkeys((*ib, *ia)) if i in keep or counts[i] > (i in ia) + (i in ib)]
        merged = _einsum([self.arrays[a], self.arrays[b]], [ia, ib], tuple(out))
        for i in (*ia, *ib):
            counts[i] -= 1
        for i in out:
            counts[i] += 1
        for idx in sorted((a, b), reverse=True):
            del self.arrays[idx]
            del self.inputs[idx]
        self.arrays.append(merged)
        self.inputs.append(tuple(out))


def _einsum(arrays: Sequence[torch.Tensor], inputs: Sequence[Sequence[int]], output: Sequence[int]) -> torch.Tensor:
    letters: dict[int, str] = {}
    alphabet = string.ascii_letters
    for ix in (*inputs, output):
        for i in ix:
            if i not in letters:
                letters[i] = alphabet[len(letters)]
    eq = ",".join("".join(letters[i] for i in ix) for ix in inputs) + "->" + "".join(letters[i] for i in output)
    return torch.einsum(eq, *arrays)


def _unitary_ops(circuit: Circuit, dtype: torch.dtype, device: torch.device) -> list[Any]:
    """The circuit's gate ops; terminal measurements and barriers are dropped, anything dynamic refused."""
    compiled = compile_circuit(circuit, None, dtype=dtype, device=device)
    if compiled.batch is not None:
        raise SimulationError("the tensor-network backend does not take batched parameters; bind numbers")
    ops = compiled.ops
    done: set[int] = set()
    out = []
    for op in reversed(ops):
        if op.kind == "measure" and op.condition is None and op.qubits[0] not in done:
            continue  # terminal measurement
        if op.kind in ("measure", "reset") or op.condition is not None:
            raise SimulationError(
                "the tensor-network backend needs a unitary circuit; mid-circuit measurements, resets and "
                "conditions are simulated by suanli.sample / suanli.probabilities"
            )
        done.update(op.qubits)
        out.append(op)
    out.reverse()
    return out


def circuit_network(
    circuit: Circuit,
    bitstring: str | None = None,
    *,
    open_qubits: Sequence[int] = (),
    dtype: torch.dtype = torch.complex64,
    device: torch.device | str = "cpu",
    simplify: bool = True,
) -> TensorNetwork:
    """The tensor network of ``<bitstring| U |0…0>`` with the qubits ``open_qubits`` left open.

    Args:
        circuit: a unitary circuit (terminal measurements are ignored).
        bitstring: the output bits, qubit 0 leftmost; characters at open qubits are ignored. ``None``: all
            zeros (only the structure matters, e.g. for a path search).
        open_qubits: qubits whose output index stays open, in the order of the result's axes.
        dtype: complex64 or complex128.
        device: where the tensors live.
        simplify: absorb tensors of rank ≤ 2 into their neighbours.
    """
    n = circuit.num_qubits
    dev = torch.device(device)
    if bitstring is None:
        bitstring = "0" * n
    if len(bitstring) != n or any(ch not in "01" for ch in bitstring):
        raise SuanliError(f"a bitstring for {n} qubits must be {n} characters 0/1, got {bitstring!r}")
    open_list = list(open_qubits)
    if len(set(open_list)) != len(open_list) or any(not 0 <= q < n for q in open_list):
        raise SuanliError(f"open_qubits must be distinct qubits in 0..{n - 1}, got {open_list}")
    ops = _unitary_ops(circuit, dtype, dev)
    arrays: list[torch.Tensor] = []
    inputs: list[tuple[int, ...]] = []
    zero = torch.tensor([1, 0], dtype=dtype, device=dev)
    one = torch.tensor([0, 1], dtype=dtype, device=dev)
    wire = list(range(n))
    counter = n
    for q in range(n):
        arrays.append(zero)
        inputs.append((q,))
    for op in ops:
        k = len(op.qubits)
        if op.kind == "diagonal":
            arrays.append(op.tensor.reshape([2] * k))
            inputs.append(tuple(wire[q] for q in op.qubits))
            continue
        new = tuple(range(counter, counter + k))
        counter += k
        arrays.append(op.tensor.reshape([2] * (2 * k)))
        inputs.append((*new, *(wire[q] for q in op.qubits)))
        for q, i in zip(op.qubits, new):
            wire[q] = i
    open_set = set(open_list)
    for q in range(n):
        if q not in open_set:
            arrays.append(one if bitstring[q] == "1" else zero)
            inputs.append((wire[q],))
    net = TensorNetwork(arrays, inputs, tuple(wire[q] for q in open_list))
    return net.simplify() if simplify else net


@dataclass(frozen=True)
class ContractionCost:
    """What a contraction costs, from its tree (no contraction is done).

    Attributes:
        cost: scalar multiply-adds over all slices (cotengra's contraction cost).
        real_flops: ``8 * cost`` (complex arithmetic).
        width: log2 of the largest intermediate tensor (elements), per slice.
        peak_bytes: peak memory of one slice's contraction, bytes.
        slices: number of slices (independent sub-contractions).
        num_tensors: tensors in the simplified network.
        bytes_per_element: 8 (complex64) or 16 (complex128).
    """

    cost: float
    real_flops: float
    width: float
    peak_bytes: float
    slices: int
    num_tensors: int
    bytes_per_element: int = 8

    def __post_init__(self) -> None:
        if self.cost < 0 or self.slices < 1 or self.num_tensors < 0:
            raise ValueError(f"invalid contraction cost record {self}")

    @property
    def log10_cost(self) -> float:
        return math.log10(max(self.cost, 1.0))

    def as_dict(self) -> dict[str, float]:
        return {
            "cost": self.cost,
            "log10_cost": self.log10_cost,
            "real_flops": self.real_flops,
            "width": self.width,
            "peak_bytes": self.peak_bytes,
            "slices": self.slices,
            "num_tensors": self.num_tensors,
        }


def _import_cotengra() -> Any:
    try:
        import cotengra
    except ImportError:  # pragma: no cover - cotengra is a declared dependency of the tensornet extra
        raise SuanliError("the tensor-network backend needs cotengra: pip install 'suanli[tensornet]'") from None
    return cotengra


def find_tree(
    net: TensorNetwork,
    *,
    max_repeats: int = 32,
    max_time: float | None = None,
    target_width: float | None = None,
    minimize: str = "flops",
    methods: Sequence[str] | None = None,
    seed: int | None = 0,
    progress: Progress | None = None,
) -> Any:
    """Search a contraction tree with cotengra's hyper-optimiser; slice it down to ``target_width`` if given.

    Args:
        net: the (simplified) network.
        max_repeats: number of hyper-optimisation trials (the search budget).
        max_time: optional time limit in seconds for the search.
        target_width: log2 of the largest allowed intermediate tensor; slicing is searched together with the
            path (``slicing_reconf_opts``) so that every slice fits.
        minimize: cotengra's objective (``"flops"``, ``"size"``, ``"write"``, ``"combo"``).
        methods: cotengra path finders (default: ``kahypar`` and ``greedy`` when KaHyPar is installed, else
            ``greedy`` and ``labels``).
        seed: seeds Python's and NumPy's generators that cotengra's trials draw from.
        progress: ``progress(done, total)`` after every chunk of trials.

    Returns:
        A ``cotengra.ContractionTree``.
    """
    ctg = _import_cotengra()
    if methods is None:
        try:
            import kahypar  # noqa: F401

            methods = ("kahypar", "greedy")
        except ImportError:
            methods = ("greedy", "labels")
    if seed is not None:
        import random

        import numpy as np

        random.seed(seed)
        np.random.seed(seed)
    kwargs: dict[str, Any] = {
        "methods": list(methods),
        "minimize": minimize,
        "parallel": False,
        "progbar": False,
        "on_trial_error": "ignore",
    }
    if target_width is not None:
        kwargs["slicing_reconf_opts"] = {"target_size": 2 ** float(target_width)}
    chunk = max(1, min(8, max_repeats))
    symbolic = net.symbolic()
    import time

    started = time.perf_counter()
    done = 0
    opt = None
    while done < max_repeats:
        step = min(chunk, max_repeats - done)
        left = None if max_time is None else max_time - (time.perf_counter() - started)
        if left is not None and left <= 0 and opt is not None:
            break
        opt = ctg.HyperOptimizer(max_repeats=step, max_time=left, **kwargs) if opt is None else opt
        opt.max_repeats = step
        opt.search(*symbolic)
        done += step
        if progress is not None:
            progress(done, max_repeats)
    assert opt is not None
    tree = opt.tree
    if target_width is not None and tree.contraction_width() > target_width + 1e-9:
        tree = tree.slice_and_reconfigure(target_size=2 ** float(target_width))
    return tree


def tree_cost(tree: Any, net: TensorNetwork, bytes_per_element: int = 8) -> ContractionCost:
    """The :class:`ContractionCost` of a cotengra tree."""
    cost = float(tree.contraction_cost())
    return ContractionCost(
        cost=cost,
        real_flops=8.0 * cost,
        width=float(tree.contraction_width()),
        peak_bytes=float(tree.peak_size()) * bytes_per_element,
        slices=int(tree.nslices),
        num_tensors=net.num_tensors,
        bytes_per_element=bytes_per_element,
    )


def contract(net: TensorNetwork, tree: Any, *, progress: Progress | None = None) -> torch.Tensor:
    """Contract ``net`` along ``tree`` in torch, one slice at a time (summed); shape ``[2] * len(output)``."""
    if tree.nslices <= 1:
        out = tree.contract(net.arrays, backend="torch")
        if progress is not None:
            progress(1, 1)
        return out
    total = None
    for i in range(tree.nslices):
        part = tree.contract_slice(net.arrays, i, backend="torch")
        total = part if total is None else total + part
        if progress is not None:
            progress(i + 1, tree.nslices)
    return total
