"""Public entry points of the tensor-network backend: :func:`amplitude`, :func:`rehearse_amplitude` and
:func:`expectation_lightcone`.

Bit order: a bitstring lists qubit 0 first (leftmost), as everywhere in suanli.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import torch

from ...circuit import Circuit
from ...errors import SuanliError
from ...observables.pauli import PauliSum, as_observable
from ..statevector import state as sv_state
from ..statevector.engine import resolve_device, resolve_dtype
from .contractor import BufferPool
from .mps import bits_tensor, simulate_mps
from .network import ContractionCost, circuit_network, contract, find_tree, tree_cost

__all__ = ["amplitude", "expectation_lightcone", "rehearse_amplitude"]

Progress = Callable[[int, int], None]
_BACKENDS = ("tensornet", "statevector", "mps")


def _as_bitstrings(bitstrings: Any, n: int) -> tuple[list[str], bool]:
    """(list of bitstrings, whether a single one was given)."""
    if isinstance(bitstrings, str):
        return [bitstrings], True
    if isinstance(bitstrings, (np.ndarray, torch.Tensor)):
        arr = np.asarray(bitstrings.cpu() if isinstance(bitstrings, torch.Tensor) else bitstrings)
        if arr.ndim == 1:
            arr = arr[None, :]
        if arr.ndim != 2 or arr.shape[1] != n or not np.isin(arr, (0, 1)).all():
            raise SuanliError(f"a bit array must have shape (B, {n}) with entries 0/1, got shape {arr.shape}")
        return ["".join(str(int(b)) for b in row) for row in arr], False
    items = list(bitstrings)
    if not items or not all(isinstance(b, str) for b in items):
        raise SuanliError("bitstrings must be a string, a non-empty list of strings, or a (B, n) 0/1 array")
    return items, False


def amplitude(
    circuit: Circuit,
    bitstrings: str | Sequence[str] | np.ndarray | torch.Tensor,
    *,
    backend: str = "tensornet",
    rehearse: bool = False,
    open_qubits: Sequence[int] | None = None,
    device: Any = None,
    dtype: Any = torch.complex64,
    max_repeats: int = 16,
    target_width: float | None = None,
    max_bond: int | None = None,
    slicing: str = "both",
    cache: str | os.PathLike[str] | None = None,
    checkpoint: str | os.PathLike[str] | None = None,
    progress: Progress | None = None,
) -> torch.Tensor | ContractionCost:
    """Amplitudes <x|U|0…0> of a unitary circuit for given output bitstrings.

    Args:
        circuit: the circuit (terminal measurements are ignored).
        bitstrings: one bitstring (qubit 0 leftmost), a list of them, or a (B, n) array of 0/1.
        backend: ``"tensornet"`` (contract a tensor network; path found once by cotengra and reused for every
            bitstring), ``"statevector"`` (full state, ≤ ~30 qubits) or ``"mps"`` (matrix product state,
            ``max_bond`` truncation; exact when ``max_bond`` is None).
        rehearse: tensornet only: find the path and return its :class:`ContractionCost` without contracting.
        open_qubits: tensornet only: leave these qubits open; each amplitude then becomes ``2**k`` amplitudes
            (the open qubits' bits, big-endian in the order given; the bitstring's characters there are ignored).
        device: ``None`` = CUDA when available.
        dtype: complex64 (default) or complex128.
        max_repeats: cotengra hyper-optimisation trials (tensornet).
        target_width: slice the contraction so that no intermediate exceeds ``2**target_width`` elements.
        max_bond: MPS bond-dimension limit.
        slicing: tensornet with ``target_width``: how the sliced tree is searched (``"both"``, ``"trials"``
            or ``"best"``; see :func:`~suanli.sim.tensornet.find_tree`).
        cache: tensornet only: a ``.json`` file or a directory where the contraction tree is saved, and from
            where a later call for the same circuit (and open qubits) loads it instead of searching again (see
            :func:`~suanli.sim.tensornet.find_tree`).
        checkpoint: tensornet only: a directory where each bitstring's contraction saves its finished slices
            (see :func:`~suanli.sim.tensornet.contract`), and the contraction tree too when ``cache`` is not
            given: an interrupted call, run again with the same arguments, loads the tree, resumes each
            amplitude where it stopped, and reads finished amplitudes back.
        progress: ``progress(done, total)`` during the path search, then over the slices of each amplitude.

    Returns:
        A complex tensor of shape (B,) (or (B, 2**k) with open qubits); 0-d (or (2**k,)) for one bitstring.

    Examples:
        >>> import suanli
        >>> c = suanli.Circuit(3).h(0).cx(0, 1).cx(1, 2)
        >>> amplitude(c, ["000", "111", "010"], device="cpu").abs() ** 2
        tensor([0.5000, 0.5000, 0.0000])
        >>> amplitude(c, "000", backend="mps", device="cpu", dtype="double").real.item()
        0.7071067811865475
    """
    if backend not in _BACKENDS:
        raise SuanliError(f"backend must be one of {', '.join(_BACKENDS)}, got {backend!r}")
    if not isinstance(circuit, Circuit):
        raise SuanliError(f"expected a suanli.Circuit, got {type(circuit).__name__}")
    n = circuit.num_qubits
    items, single = _as_bitstrings(bitstrings, n)
    if backend != "tensornet" and (rehearse or open_qubits or cache is not None or checkpoint is not None):
        raise SuanliError("rehearse=True, open_qubits, cache and checkpoint are options of backend='tensornet'")
    dev = resolve_device(device)
    dt = resolve_dtype(dtype)
    if backend == "statevector":
        psi = sv_state(circuit, device=dev, dtype=dt, progress=progress)
        if psi.dim() != 1:
            raise SuanliError("amplitude() takes circuits without batched parameters")
        idx = torch.tensor([int(b, 2) if len(b) == n and set(b) <= {"0", "1"} else -1 for b in items])
        if (idx < 0).any():
            raise SuanliError(f"every bitstring must be {n} characters 0/1")
        out = psi[idx.to(psi.device)]
    elif backend == "mps":
        bits = bits_tensor(items, n)
        result = simulate_mps(circuit, max_bond=max_bond, dtype=dt, device=dev, progress=progress)
        out = result.mps.amplitudes(bits)
    else:
        if checkpoint is not None and cache is None:
            cache = checkpoint  # resuming needs the same tree
        opened = list(open_qubits or ())
        masked = [_mask(b, opened, n) for b in items]
        net = circuit_network(circuit, masked[0], open_qubits=opened, dtype=dt, device=dev)
        tree = find_tree(
            net, max_repeats=max_repeats, target_width=target_width, slicing=slicing, cache=cache, progress=progress
        )
        signature = net.signature()
        if rehearse:
            return tree_cost(tree, net, bytes_per_element=8 if dt == torch.complex64 else 16)
        results = []
        pool = BufferPool()  # one set of large buffers for every bitstring
        for b in masked:
            if b != masked[0]:
                net = circuit_network(circuit, b, open_qubits=opened, dtype=dt, device=dev)
                if net.signature() != signature:  # cannot happen for the same circuit; kept as a guard
                    tree = find_tree(net, max_repeats=max_repeats, target_width=target_width, slicing=slicing)
                    signature = net.signature()
            results.append(contract(net, tree, progress=progress, checkpoint=checkpoint, pool=pool).reshape(-1))
        out = torch.stack(results)
        if not opened:
            out = out[:, 0]
    return out[0] if single else out


def _mask(bitstring: str, opened: Sequence[int], n: int) -> str:
    if len(bitstring) != n:
        raise SuanliError(f"a bitstring for {n} qubits must be {n} characters, got {bitstring!r}")
    chars = list(bitstring)
    for q in opened:
        if not 0 <= q < n:
            raise SuanliError(f"open qubit {q} is out of range for {n} qubits")
        chars[q] = "0"
    return "".join(chars)


def rehearse_amplitude(circuit: Circuit, **kwargs: Any) -> ContractionCost:
    """The :class:`ContractionCost` of one amplitude of ``circuit`` (path search only, nothing contracted).

    Keyword arguments are those of :func:`amplitude` (``max_repeats``, ``target_width``, ``dtype``…).
    """
    return amplitude(circuit, "0" * circuit.num_qubits, rehearse=True, device="cpu", **kwargs)  # type: ignore[return-value]


def _lightcone(circuit: Circuit, qubits: set[int]) -> tuple[Circuit, list[int]]:
    """The gates in the backward light cone of ``qubits``, on the cone's qubits renumbered 0..k-1."""
    cone = set(qubits)
    kept = []
    for inst in reversed(circuit.instructions):
        if inst.name in ("barrier", "measure"):
            continue
        if cone.intersection(inst.qubits):
            kept.append(inst)
            cone.update(inst.qubits)
    order = sorted(cone)
    index = {q: i for i, q in enumerate(order)}
    sub = Circuit(len(order))
    for inst in reversed(kept):
        sub.append(inst.replace(qubits=tuple(index[q] for q in inst.qubits)))
    return sub, order


def expectation_lightcone(
    circuit: Circuit,
    observable: PauliSum | str,
    *,
    device: Any = None,
    dtype: Any = torch.complex128,
    max_repeats: int = 16,
    target_width: float | None = None,
) -> float:
    """<ψ|H|ψ> for a Pauli sum H, one tensor network per term restricted to the term's light cone.

    For a Pauli string P on qubits S, <0|U† P U|0> only involves the gates in the backward light cone of S
    (the others cancel against their inverses), so each term is the amplitude <0…0| U_c† P U_c |0…0> of a
    circuit on the cone's qubits only. Gates must be unitary table gates (measurements are ignored).

    Examples:
        >>> import suanli
        >>> c = suanli.Circuit(30).h(0).cx(0, 1).ry(0.3, 29)
        >>> round(expectation_lightcone(c, "Z0*Z1 + 0.5*Z29", device="cpu"), 6)
        1.477668
    """
    obs = as_observable(observable) if not isinstance(observable, str) else PauliSum.from_string(observable)
    if not isinstance(obs, PauliSum):
        raise SuanliError("expectation_lightcone takes a PauliSum (or its text form)")
    total = 0.0
    for term in obs.terms:
        if any(q >= circuit.num_qubits for q in term.qubits):
            raise SuanliError(f"term {term.label()} acts on a qubit the {circuit.num_qubits}-qubit circuit lacks")
        if not term.ops:
            total += term.coeff
            continue
        sub, order = _lightcone(circuit, set(term.qubits))
        index = {q: i for i, q in enumerate(order)}
        sandwich = sub.copy()
        for q, p in term.ops:
            sandwich.gate(p.lower(), [index[q]])
        sandwich = sandwich.compose(sub.inverse())
        amp = amplitude(
            sandwich,
            "0" * sandwich.num_qubits,
            device=device,
            dtype=dtype,
            max_repeats=max_repeats,
            target_width=target_width,
        )
        total += term.coeff * float(amp.real)  # type: ignore[union-attr]
    return total

