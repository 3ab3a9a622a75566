"""Reversible building blocks for the toy attacks, written with gates of suanli's gate table only.

Everything here returns or extends a :class:`suanli.Circuit` so that the gates can be counted
(:meth:`Circuit.count_ops`) and simulated. Qubit lists are big-endian: the first qubit of a register is its
most significant bit.

* :func:`mcx` / :func:`mcz`: an X (Z) controlled by any number of qubits. Up to two controls use ``cx`` /
  ``ccx`` (``cz`` / ``ccz``); more use a ladder of Toffolis into clean ancillas that are returned to |0>
  (``2(m-2)`` Toffolis compute and uncompute the AND of ``m`` controls, one more Toffoli or ``cz`` acts).
* :func:`permutation_circuit`: a controlled basis-state permutation built from transpositions; each
  transposition ``|u> <-> |v>`` is conjugated by CNOTs into a one-bit flip and done by one multi-controlled X
  (the textbook reversible-logic synthesis, e.g. Nielsen & Chuang §4.5.2).
* :func:`inverse_qft`: the inverse quantum Fourier transform (Hadamards, controlled phases, swaps).

Examples:
    >>> from suanli import Circuit
    >>> from suanli.experiments.bitcoin.circuits import mcx
    >>> c = mcx(Circuit(7), [0, 1, 2, 3], 4, ancillas=[5, 6])
    >>> c.count_ops()
    {'ccx': 5}
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

from ...circuit import Circuit
from ...errors import CircuitError

__all__ = ["inverse_qft", "mcx", "mcz", "permutation_circuit", "toffoli_count"]


def mcx(circuit: Circuit, controls: Sequence[int], target: int, ancillas: Sequence[int] = ()) -> Circuit:
    """Append an X on ``target`` controlled by all ``controls`` (clean ancillas: ``len(controls) - 2``).

    Args:
        circuit: the circuit to extend (modified in place and returned).
        controls: control qubits (any number, 0 means a plain X).
        target: the target qubit.
        ancillas: clean qubits in |0>, at least ``len(controls) - 2`` when there are more than two controls;
            they are returned to |0>.

    Raises:
        CircuitError: too few ancillas.
    """
    controls = list(controls)
    m = len(controls)
    if m == 0:
        return circuit.x(target)
    if m == 1:
        return circuit.cx(controls[0], target)
    if m == 2:
        return circuit.ccx(controls[0], controls[1], target)
    if len(ancillas) < m - 2:
        raise CircuitError(f"mcx with {m} controls needs {m - 2} ancillas, got {len(ancillas)}")
    anc = list(ancillas)[: m - 2]
    ladder = [(controls[0], controls[1], anc[0])]
    for i in range(2, m - 1):
        ladder.append((controls[i], anc[i - 2], anc[i - 1]))
    for a, b, t in ladder:
        circuit.ccx(a, b, t)
    circuit.ccx(controls[-1], anc[-1], target)
    for a, b, t in reversed(ladder):
        circuit.ccx(a, b, t)
    return circuit


def mcz(circuit: Circuit, qubits: Sequence[int], ancillas: Sequence[int] = ()) -> Circuit:
    """Append a Z-phase (-1) on the state where all ``qubits`` are 1 (``len(qubits) - 3`` clean ancillas).

    Up to three qubits use ``z``, ``cz`` or ``ccz``; more use a Toffoli ladder (as :func:`mcx`) ending in a
    ``ccz`` on the last two qubits.
    """
    qubits = list(qubits)
    m = len(qubits)
    if m == 0:
        raise CircuitError("mcz needs at least one qubit")
    if m == 1:
        return circuit.z(qubits[0])
    if m == 2:
        return circuit.cz(qubits[0], qubits[1])
    if m == 3:
        return circuit.ccz(qubits[0], qubits[1], qubits[2])
    if len(ancillas) < m - 3:
        raise CircuitError(f"mcz on {m} qubits needs {m - 3} ancillas, got {len(ancillas)}")
    anc = list(ancillas)[: m - 3]
    ladder = [(qubits[0], qubits[1], anc[0])]
    for i in range(2, m - 2):
        ladder.append((qubits[i], anc[i - 2], anc[i - 1]))
    for a, b, t in ladder:
        circuit.ccx(a, b, t)
    circuit.ccz(anc[-1], qubits[-2], qubits[-1])
    for a, b, t in reversed(ladder):
        circuit.ccx(a, b, t)
    return circuit


def _transposition(
    circuit: Circuit, u: int, v: int, register: Sequence[int], control: int | None, ancillas: Sequence[int]
) -> None:
    n = len(register)
    diff = [k for k in range(n) if ((u ^ v) >> (n - 1 - k)) & 1]
    if (u >> (n - 1 - diff[0])) & 1:  # make u the state with a 0 on the pivot bit
        u, v = v, u
    pivot = diff[0]
    for k in diff[1:]:
        circuit.cx(register[pivot], register[k])
    # now the pair is {u, u with the pivot flipped}; flip the pivot when every other bit equals u's bit
    others = [k for k in range(n) if k != pivot]
    zeros = [register[k] for k in others if not (u >> (n - 1 - k)) & 1]
    for q in zeros:
        circuit.x(q)
    ctrls = [register[k] for k in others] + ([control] if control is not None else [])
    mcx(circuit, ctrls, register[pivot], ancillas)
    for q in zeros:
        circuit.x(q)
    for k in reversed(diff[1:]):
        circuit.cx(register[pivot], register[k])


def permutation_circuit(
    circuit: Circuit,
    perm: Mapping[int, int],
    register: Sequence[int],
    *,
    control: int | None = None,
    ancillas: Sequence[int] = (),
) -> Circuit:
    """Append the basis permutation ``|x> -> |perm[x]>`` on ``register`` (big-endian), optionally controlled.

    ``perm`` maps register values to register values; values it does not mention are fixed. Each cycle
    ``(x0 x1 ... x_{L-1})`` is written as the transpositions ``(x0 x_{L-1}) ... (x0 x2)(x0 x1)`` applied right to
    left, and each transposition becomes CNOTs + one multi-controlled X (see the module docstring).

    Args:
        circuit: circuit to extend (in place).
        perm: the permutation as a dict (must be a bijection of its keys onto themselves).
        register: the qubits holding the value, most significant first.
        control: optional control qubit (the permutation acts only when it is 1).
        ancillas: clean ancillas for the multi-controlled X gates (``len(register) - 1`` with a control,
            ``len(register) - 2`` without, when those are positive).

    Raises:
        CircuitError: ``perm`` is not a permutation of values that fit in the register.
    """
    n = len(register)
    if sorted(perm) != sorted(perm.values()):
        raise CircuitError("permutation_circuit: perm must map its keys one-to-one onto themselves")
    if any(not 0 <= x < 2**n for x in perm):
        raise CircuitError(f"permutation_circuit: values must lie in [0, {2**n}) for a {n}-qubit register")
    seen: set[int] = set()
    for start in sorted(perm):
        if start in seen or perm[start] == start:
            seen.add(start)
            continue
        cycle = [start]
        seen.add(start)
        x = perm[start]
        while x != start:
            cycle.append(x)
            seen.add(x)
            x = perm[x]
        # (x0 x1 ... x_{L-1}) = (x0 x1)(x1 x2)...(x_{L-2} x_{L-1}) applied right to left; as a gate sequence the
        # rightmost factor comes first.
        for i in range(len(cycle) - 2, -1, -1):
            _transposition(circuit, cycle[i], cycle[i + 1], register, control, ancillas)
    return circuit


def inverse_qft(circuit: Circuit, register: Sequence[int]) -> Circuit:
    """Append the inverse QFT on ``register`` (big-endian: ``register[0]`` is the most significant bit).

    It maps ``2^{-t/2} Σ_y exp(2πi φ y) |y>`` to ``|φ 2^t>`` when ``φ 2^t`` is an integer. Gates: ``t``
    Hadamards, ``t(t-1)/2`` controlled phases, ``⌊t/2⌋`` swaps.
    """
    t = len(register)
    for k in range(t // 2):
        circuit.swap(register[k], register[t - 1 - k])
    for k in range(t - 1, -1, -1):
        for m in range(t - 1, k, -1):
            circuit.cp(-math.pi / 2 ** (m - k), register[m], register[k])
        circuit.h(register[k])
    return circuit


def toffoli_count(circuit: Circuit) -> int:
    """Number of Toffoli-class gates (``ccx`` and ``ccz``) in ``circuit``."""
    ops = circuit.count_ops()
    return ops.get("ccx", 0) + ops.get("ccz", 0)
