"""Circuit → tensor network in torch, contraction paths with cotengra, amplitudes and light-cone expectations.

A circuit on n qubits becomes one tensor per gate: a non-diagonal k-qubit gate is a tensor with k new output
indices and the k current wire indices of its qubits; a *diagonal* gate (``cz``, ``rz``, ``cp``…) reuses the
wire indices (hyper-indices), which keeps the network small. A gate that is a *permutation of its qubits times a
diagonal* (``swap``, ``iswap``, fSim(π/2, φ) and so the Sycamore gate ``syc``) becomes that diagonal on the
current wire indices, after which the wires of its qubits are relabelled (the permutation costs nothing): the
Sycamore network then holds one-qubit gates and two-index diagonals only, as in the published simulations
(Gray & Kourtis 2021 split fSim(π/2, φ) the same way). Each qubit starts with the vector |0>, and ends
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

import itertools
import json
import math
import os
import string
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch

from ...circuit import Circuit
from ...errors import SimulationError, SuanliError
from ..statevector.engine import compile_circuit

__all__ = [
    "ContractionCost",
    "TensorNetwork",
    "circuit_network",
    "contract",
    "contraction_key",
    "find_tree",
    "gate_form",
    "load_tree",
    "save_tree",
    "tree_cost",
]

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


def _qubit_permutation(matrix: torch.Tensor, k: int, tol: float = 1e-12) -> tuple[tuple[int, ...], torch.Tensor] | None:
    """``(p, d)`` when the k-qubit ``matrix`` (rows = outputs, big-endian) maps |x> to d[x] |y> with output bit j
    of y equal to input bit ``p[j]`` of x (a permutation of the qubits times a diagonal); else None.

    Entries below ``tol`` (relative to the largest) count as zeros: fSim(π/2, φ) built in floating point holds
    cos(π/2) ≈ 6e-17 where the exact matrix has 0.
    """
    if k < 2 or k > 3 or matrix.shape != (2**k, 2**k):
        return None
    m = matrix.detach().cpu()
    mask = m.abs() > tol * float(m.abs().max())
    if int(mask.sum()) != 2**k:
        return None
    x = torch.arange(2**k)
    bits = [(x >> (k - 1 - j)) & 1 for j in range(k)]  # bit j of x, qubit 0 most significant
    for p in itertools.permutations(range(k)):
        if p == tuple(range(k)):
            continue
        y = sum(bits[p[j]] << (k - 1 - j) for j in range(k))
        if bool(mask[y, x].all()):
            return p, matrix[y.to(matrix.device), x.to(matrix.device)]
    return None


def gate_form(op: Any) -> tuple[str, tuple[tuple[int, ...], torch.Tensor] | None]:
    """How a compiled gate enters the network: ``("diagonal", None)``, ``("permutation", (p, d))`` for a qubit
    permutation times a diagonal (see :func:`_qubit_permutation`; the network relabels wires and keeps ``d``),
    or ``("dense", None)``."""
    if op.kind == "diagonal":
        return "diagonal", None
    perm = _qubit_permutation(op.tensor, len(op.qubits)) if op.tensor.dim() == 2 else None
    return ("permutation", perm) if perm is not None else ("dense", None)


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
        form, perm = gate_form(op)
        if form == "diagonal":
            arrays.append(op.tensor.reshape([2] * k))
            inputs.append(tuple(wire[q] for q in op.qubits))
            continue
        if perm is not None:
            p, diag = perm
            arrays.append(diag.reshape([2] * k))
            old = [wire[q] for q in op.qubits]
            inputs.append(tuple(old))
            for j, q in enumerate(op.qubits):
                wire[q] = old[p[j]]
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
        unsliced_cost: the cheapest unsliced tree the search saw, each sliced tree also counted without its
            slices (None when unknown, e.g. a tree from elsewhere); with it, ``slicing_overhead = cost /
            unsliced_cost`` (at least 1).
    """

    cost: float
    real_flops: float
    width: float
    peak_bytes: float
    slices: int
    num_tensors: int
    bytes_per_element: int = 8
    unsliced_cost: float | None = None

    def __post_init__(self) -> None:
        if self.cost < 0 or self.slices < 1 or self.num_tensors < 0:
            raise ValueError(f"invalid contraction cost record {self}")
        if self.unsliced_cost is not None and self.unsliced_cost <= 0:
            raise ValueError(f"invalid unsliced cost {self.unsliced_cost}")

    @property
    def log10_cost(self) -> float:
        return math.log10(max(self.cost, 1.0))

    @property
    def slicing_overhead(self) -> float | None:
        """``cost / unsliced_cost`` (None when the unsliced cost is unknown)."""
        return None if self.unsliced_cost is None else self.cost / self.unsliced_cost

    def as_dict(self) -> dict[str, float | None]:
        return {
            "cost": self.cost,
            "log10_cost": self.log10_cost,
            "real_flops": self.real_flops,
            "width": self.width,
            "peak_bytes": self.peak_bytes,
            "slices": self.slices,
            "num_tensors": self.num_tensors,
            "unsliced_cost": self.unsliced_cost,
            "slicing_overhead": self.slicing_overhead,
        }


def _import_cotengra() -> Any:
    try:
        import cotengra
    except ImportError:  # pragma: no cover - cotengra is a declared dependency of the tensornet extra
        raise SuanliError("the tensor-network backend needs cotengra: pip install 'suanli[tensornet]'") from None
    return cotengra


def _methods(methods: Sequence[str] | None) -> list[str]:
    if methods is not None:
        return list(methods)
    try:
        import kahypar  # noqa: F401

        return ["kahypar", "greedy"]
    except ImportError:
        return ["greedy", "labels"]


def _search(
    symbolic: tuple[Any, ...],
    *,
    max_repeats: int,
    max_time: float | None,
    progress: Progress | None,
    **kwargs: Any,
) -> Any:
    """Run ``max_repeats`` hyper-optimisation trials in chunks (for progress and the time limit); the best tree."""
    import time

    ctg = _import_cotengra()
    chunk = max(1, min(8, max_repeats))
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
    return opt.tree


def find_tree(
    net: TensorNetwork,
    *,
    max_repeats: int = 32,
    max_time: float | None = None,
    target_width: float | None = None,
    minimize: str = "flops",
    methods: Sequence[str] | None = None,
    seed: int | None = 0,
    slicing: str = "both",
    refine: bool = True,
    cache: str | os.PathLike[str] | None = None,
    progress: Progress | None = None,
) -> Any:
    """Search a contraction tree with cotengra's hyper-optimiser; slice it down to ``target_width`` if given.

    Every trial ends with cotengra's subtree reconfiguration (``reconf_opts``), and with ``refine`` the best
    unsliced tree gets a longer one when it costs more than 2^30 multiply-adds (``subtree_reconfigure_forest``:
    randomised reconfiguration branches over subtrees of 10 leaves, the cheapest kept; about 20 s and a 1.1-1.5x
    lower cost on the 53-qubit, 12-cycle Sycamore network). With a ``target_width`` the slicing is searched in
    one of two ways, or both (the cheaper tree wins):

    * ``"trials"``: every trial is sliced and reconfigured to the target (``slicing_reconf_opts``), so the
      optimiser tunes its parameters on the sliced cost;
    * ``"best"``: an unsliced search first; its best tree is then sliced by cotengra's
      ``slice_and_reconfigure_forest`` (several slicing + reconfiguration branches, the cheapest kept).

    ``"both"`` (the default) splits ``max_repeats`` between the two. The cheapest unsliced tree seen (each
    sliced tree also counted without its slices) is kept in ``tree.suanli_unsliced_cost``, so that
    :func:`tree_cost` can report the slicing overhead.

    Args:
        net: the (simplified) network.
        max_repeats: number of hyper-optimisation trials (the search budget).
        max_time: optional time limit in seconds for the search.
        target_width: log2 of the largest allowed intermediate tensor.
        minimize: cotengra's objective (``"flops"``, ``"size"``, ``"write"``, ``"combo"``).
        methods: cotengra path finders (default: ``kahypar`` and ``greedy`` when KaHyPar is installed, else
            ``greedy`` and ``labels``).
        seed: seeds Python's and NumPy's generators that cotengra's trials draw from.
        slicing: ``"both"``, ``"trials"`` or ``"best"`` (see above; ignored without ``target_width``).
        refine: reconfigure the best unsliced tree further before slicing it (or returning it).
        cache: a ``.json`` file or a directory. A tree saved there for the same network (and, for a
            directory, the same target width) is loaded and no search is run; otherwise the tree found is
            saved there. See :func:`save_tree` for the format.
        progress: ``progress(done, total)`` after every chunk of trials.

    Returns:
        A ``cotengra.ContractionTree``.
    """
    if slicing not in ("both", "trials", "best"):
        raise SuanliError(f"slicing must be 'both', 'trials' or 'best', got {slicing!r}")
    if max_repeats < 1:
        raise SuanliError(f"max_repeats must be at least 1, got {max_repeats}")
    path = _cache_file(net, cache, target_width) if cache is not None else None
    if path is not None and path.exists():
        tree = load_tree(path, net)
        if target_width is not None and tree.contraction_width() > target_width + 1e-9:
            raise SuanliError(
                f"{path}: the saved tree has width {tree.contraction_width():g} > target width {target_width:g}; "
                "give another file or remove this one"
            )
        return tree
    if seed is not None:
        import random

        import numpy as np

        random.seed(seed)
        np.random.seed(seed)
    kwargs: dict[str, Any] = {
        "methods": _methods(methods),
        "minimize": minimize,
        "parallel": False,
        "progbar": False,
        "on_trial_error": "ignore",
    }
    symbolic = net.symbolic()
    if target_width is None:
        tree = _search(symbolic, max_repeats=max_repeats, max_time=max_time, progress=progress,
                       reconf_opts={}, **kwargs)
        if refine:
            tree = _refine(tree, minimize)
        tree.suanli_unsliced_cost = float(tree.contraction_cost())
    else:
        target = 2 ** float(target_width)
        n_best = {"trials": 0, "best": max_repeats, "both": max_repeats // 2}[slicing]
        n_trials = max_repeats - n_best
        half = None if max_time is None or slicing != "both" else max_time / 2
        candidates = []
        unsliced = None

        def stage(offset: int) -> Progress | None:
            if progress is None:
                return None
            return lambda done, total: progress(offset + done, max_repeats)

        if n_best:
            free = _search(symbolic, max_repeats=n_best, max_time=half or max_time, progress=stage(0),
                           reconf_opts={}, **kwargs)
            if refine:
                free = _refine(free, minimize)
            unsliced = float(free.contraction_cost())
            if free.contraction_width() > target_width + 1e-9:
                free = free.slice_and_reconfigure_forest(target_size=target, minimize=minimize, parallel=False)
            candidates.append(free)
        if n_trials:
            sliced = _search(symbolic, max_repeats=n_trials, max_time=half or max_time, progress=stage(n_best),
                             slicing_reconf_opts={"target_size": target, "reconf_opts": {}}, **kwargs)
            if sliced.contraction_width() > target_width + 1e-9:  # a trial that failed to slice
                sliced = sliced.slice_and_reconfigure(target_size=target)
            candidates.append(sliced)
        # each candidate without its slices is an unsliced tree seen too: the reconfiguration after slicing
        # can make it cheaper than the best tree of the unsliced search (or there was no such search)
        for t in candidates:
            own = float(t.unslice_all().contraction_cost())
            unsliced = own if unsliced is None else min(unsliced, own)
        tree = min(candidates, key=lambda t: t.get_score(minimize))
        tree.suanli_unsliced_cost = unsliced
    if path is not None:
        save_tree(tree, net, path, target_width=target_width)
    return tree


_REFINE_ABOVE = 2.0**30  # multiply-adds; below this the contraction takes about a second or less


def _refine(tree: Any, minimize: str) -> Any:
    """The cheaper of ``tree`` and its forested subtree reconfiguration (for trees worth the extra search)."""
    if float(tree.contraction_cost()) <= _REFINE_ABOVE:
        return tree
    better = tree.subtree_reconfigure_forest(
        num_trees=4, num_restarts=4, subtree_size=10, minimize=minimize, parallel=False, progbar=False
    )
    return better if better.get_score(minimize) <= tree.get_score(minimize) else tree


_TREE_FORMAT = "suanli.contraction-tree"


def _network_hash(net: TensorNetwork) -> str:
    import hashlib

    text = json.dumps([[list(ix) for ix in net.inputs], list(net.output)], separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def _cache_file(net: TensorNetwork, cache: str | os.PathLike[str], target_width: float | None) -> Path:
    path = Path(cache)
    if path.suffix.lower() == ".json":
        return path
    width = "full" if target_width is None else f"w{float(target_width):g}"
    return path / f"tree-{_network_hash(net)[:20]}-{width}.json"


def _tree_labels(tree: Any, net: TensorNetwork) -> tuple[list[list[int]], list[int]]:
    """A tree as plain data: its pairwise contraction path (cotengra's linear ``get_path()`` format) and its
    sliced indices as ``net``'s integer labels (in the tree's order)."""
    from cotengra import get_symbol

    symbols = {get_symbol(i): i for i in net.size_dict}
    return [list(map(int, step)) for step in tree.get_path()], [symbols[ix] for ix in tree.sliced_inds]


def save_tree(
    tree: Any, net: TensorNetwork, path: str | os.PathLike[str], *, target_width: float | None = None
) -> None:
    """Write a contraction tree of ``net`` as JSON: the pairwise contraction path (cotengra's linear
    ``get_path()`` format), the sliced indices (``net``'s integer labels), a SHA-256 hash of the network's
    index structure, and the tree's cost, width and slice count (checked again on loading)."""
    steps, sliced = _tree_labels(tree, net)
    unsliced = getattr(tree, "suanli_unsliced_cost", None)
    data = {
        "format": _TREE_FORMAT,
        "version": 1,
        "network_sha256": _network_hash(net),
        "num_tensors": net.num_tensors,
        "path": steps,
        "sliced": sliced,
        "target_width": target_width,
        "cost": float(tree.contraction_cost()),
        "unsliced_cost": unsliced,
        "width": float(tree.contraction_width()),
        "slices": int(tree.nslices),
        "cotengra": _import_cotengra().__version__,
    }
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".part")
    tmp.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
    tmp.replace(out)


def load_tree(path: str | os.PathLike[str], net: TensorNetwork) -> Any:
    """Read a tree written by :func:`save_tree` for ``net``; errors when it belongs to another network."""
    ctg = _import_cotengra()
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise SuanliError(f"{path}: cannot read a saved contraction tree ({exc})") from None
    if not isinstance(data, dict) or data.get("format") != _TREE_FORMAT:
        raise SuanliError(f"{path}: not a suanli contraction-tree file")
    if data.get("network_sha256") != _network_hash(net):
        raise SuanliError(
            f"{path}: the saved tree belongs to another network (other circuit, open qubits or suanli version); "
            "give another file or remove this one"
        )
    inputs, output, sizes = net.symbolic()
    tree = ctg.ContractionTree.from_path(inputs, output, sizes, path=[tuple(p) for p in data["path"]])
    for i in data["sliced"]:
        tree.remove_ind_(ctg.get_symbol(int(i)))
    if not math.isclose(float(tree.contraction_cost()), float(data["cost"]), rel_tol=1e-9):
        raise SuanliError(f"{path}: the rebuilt tree's cost differs from the saved one; the file is damaged")
    tree.suanli_unsliced_cost = data.get("unsliced_cost")
    return tree


def tree_cost(tree: Any, net: TensorNetwork, bytes_per_element: int = 8) -> ContractionCost:
    """The :class:`ContractionCost` of a cotengra tree."""
    cost = float(tree.contraction_cost())
    unsliced = getattr(tree, "suanli_unsliced_cost", None)
    return ContractionCost(
        cost=cost,
        real_flops=8.0 * cost,
        width=float(tree.contraction_width()),
        peak_bytes=float(tree.peak_size()) * bytes_per_element,
        slices=int(tree.nslices),
        num_tensors=net.num_tensors,
        bytes_per_element=bytes_per_element,
        unsliced_cost=None if unsliced is None else float(unsliced),
    )


_CHECKPOINT_FORMAT = "suanli-contraction"


def contraction_key(net: TensorNetwork, tree: Any) -> str:
    """SHA-256 of what a contraction's result depends on: the network's index structure and tensor values
    (so another bitstring gives another key), the tree's path and sliced indices, and the dtype."""
    import hashlib

    steps, sliced = _tree_labels(tree, net)
    h = hashlib.sha256(_network_hash(net).encode())
    h.update(json.dumps([steps, sorted(sliced)]).encode())
    for a in net.arrays:
        t = a.detach().resolve_conj().to("cpu").contiguous()
        h.update(str((t.dtype, tuple(t.shape))).encode())
        h.update(t.view(torch.uint8).numpy().tobytes() if t.numel() else b"")
    return h.hexdigest()


def _load_checkpoint(path: Path, key: str, nslices: int) -> tuple[int, torch.Tensor | None]:
    """(slices done, their sum) from ``path``; (0, None) when there is no such file."""
    if not path.exists():
        return 0, None
    try:
        data = torch.load(path, map_location="cpu", weights_only=True)
        ok = isinstance(data, dict) and data.get("format") == _CHECKPOINT_FORMAT
    except Exception as exc:  # a truncated or foreign file
        raise SuanliError(f"{path}: not a readable contraction checkpoint ({exc}); remove it to start over") from exc
    if not ok:
        raise SuanliError(f"{path}: not a suanli contraction checkpoint; remove it to start over")
    if data["key"] != key or int(data["nslices"]) != nslices:
        raise SuanliError(
            f"{path}: this checkpoint belongs to another contraction (network, bitstring, tree or dtype differ); "
            "give another directory or remove the file"
        )
    done = int(data["done"])
    if not 0 <= done <= nslices or (done > 0) != (data["sum"] is not None):
        raise SuanliError(f"{path}: inconsistent checkpoint (done={done} of {nslices}); remove it to start over")
    return done, data["sum"]


def _save_checkpoint(path: Path, key: str, nslices: int, done: int, total: torch.Tensor | None) -> None:
    data = {
        "format": _CHECKPOINT_FORMAT,
        "version": 1,
        "key": key,
        "nslices": nslices,
        "done": done,
        "sum": None if total is None else total.detach().to("cpu").clone(),
    }
    tmp = path.with_name(path.name + ".part")
    torch.save(data, tmp)
    tmp.replace(path)  # atomic: an interrupted save leaves the previous checkpoint intact


def contract(
    net: TensorNetwork,
    tree: Any,
    *,
    progress: Progress | None = None,
    checkpoint: str | os.PathLike[str] | None = None,
    save_every: float = 60.0,
    engine: str = "suanli",
    pool: Any = None,
) -> torch.Tensor:
    """Contract ``net`` along ``tree`` in torch, one slice at a time (summed); shape ``[2] * len(output)``.

    Args:
        net: the network (arrays on the device that contracts).
        tree: a cotengra ``ContractionTree`` for ``net`` (sliced or not).
        progress: ``progress(done, total)`` after every slice (``done`` counts slices finished in earlier,
            interrupted runs too).
        checkpoint: a directory. The running sum of the finished slices is saved there, in a file named by
            :func:`contraction_key` (network values, tree, dtype), at most every ``save_every`` seconds, when
            the contraction is interrupted (``KeyboardInterrupt``) and at the end. A later call for the same
            network and tree resumes after the last saved slice, and a finished one returns the saved sum
            without contracting. Slices run in order, so a resumed sum equals an uninterrupted one up to the
            rounding of the device's arithmetic.
        save_every: seconds between checkpoint saves (0: after every slice).
        engine: ``"suanli"`` (default): our pairwise executor (:mod:`.contractor`: results kept in the order the
            products make them, operands permuted by a tiled copy only where needed, buffers reused across
            slices); ``"cotengra"``: cotengra's own executor (``tensordot``/``einsum`` per step). Both do the
            same multiply-adds; they differ in copies and memory traffic.
        pool: a :class:`~suanli.sim.tensornet.contractor.BufferPool` for the executor's large buffers; pass the
            same one to several contractions along one tree (other bitstrings) so that only the first pages its
            buffers in. Default: a pool for this call.
    """
    if engine not in ("suanli", "cotengra"):
        raise SuanliError(f"engine must be 'suanli' or 'cotengra', got {engine!r}")
    nslices = max(1, int(tree.nslices))
    path = key = None
    done, total = 0, None
    if checkpoint is not None:
        folder = Path(checkpoint)
        if folder.suffix:
            raise SuanliError(f"checkpoint must be a directory, got the file name {folder}")
        folder.mkdir(parents=True, exist_ok=True)
        key = contraction_key(net, tree)
        path = folder / f"contraction-{key[:24]}.pt"
        done, total = _load_checkpoint(path, key, nslices)
        device = net.arrays[0].device if net.arrays else torch.device("cpu")
        total = None if total is None else total.to(device)
        if done and progress is not None:
            progress(done, nslices)
    if done == nslices:
        assert total is not None
        return total
    import time

    from suanli.sim.tensornet.contractor import BufferPool, contract_slice

    if pool is None:
        pool = BufferPool()
    last = time.monotonic()
    try:
        for i in range(done, nslices):
            if engine == "suanli":
                part = contract_slice(tree, net.arrays, i if nslices > 1 else None, pool)
            elif nslices == 1:
                part = tree.contract(net.arrays, backend="torch")
            else:
                part = tree.contract_slice(net.arrays, i, backend="torch")
            total = part if total is None else total + part
            done = i + 1
            if path is not None and (done == nslices or time.monotonic() - last >= save_every):
                _save_checkpoint(path, key, nslices, done, total)
                last = time.monotonic()
            if progress is not None:
                progress(done, nslices)
    except KeyboardInterrupt:
        if path is not None and done > 0:
            _save_checkpoint(path, key, nslices, done, total)
        raise
    assert total is not None
    return total
