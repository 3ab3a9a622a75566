"""Toy Grover mining that really runs on suanli's state-vector simulator.

The toy hash
------------
:class:`ToyHash` is a small reversible hash of ``n`` bits (``4 <= n <= 8``) with an ``n``-bit key. The input
``x`` is copied into an output register ``y`` with CNOTs, then ``rounds`` rounds update ``y`` in place::

    for i in 0..n-1:  y[i] ^= y[(i + a) % n] AND y[(i + b) % n]     (a, b) = (1, 2) in even rounds, (2, 3) in odd
    y ^= key                                                         (X gates where the key bit is 1)

Bit ``y[0]`` is the most significant bit of the hash value. Each update is a Toffoli whose target is not one
of its controls, so every round is a permutation of ``y``: the hash is a bijection (a keyed toy block
cipher). A bijection makes the number of inputs that meet a difficulty target exact, so the theory below has
no unknowns; the search itself never uses that fact.

Mining target
-------------
A nonce ``x`` is *marked* (a valid block) when its hash starts with ``zeros`` zero bits, as Bitcoin's target
demands leading zeros: ``H(x) < 2^(n - zeros)``. There are ``M = 2^(n - zeros)`` marked nonces among
``N = 2^n``.

Grover's algorithm
------------------
Start in the uniform superposition over nonces and apply ``k`` Grover iterations, each the oracle (compute
``H`` into ``y``, flip the phase when the leading ``zeros`` bits of ``y`` are 0, uncompute ``H``) followed by
the diffusion ``2|s><s| - 1``. With ``θ = arcsin(sqrt(M/N))`` the probability that a measurement gives a
marked nonce is ``sin²((2k+1)θ)`` (Boyer, Brassard, Høyer, Tapp 1998). The best ``k`` is ``⌊π/(4θ)⌋``,
about ``(π/4) sqrt(N/M)`` oracle calls, against ``(N+1)/(M+1)`` expected classical trials (drawing nonces
without replacement): the square-root speed-up.

Qubits: ``n`` (nonce) + ``n`` (hash) + ``max(n, zeros) - 3`` clean ancillas for the multi-controlled Z gates;
``n = 8`` uses 21 qubits.

Examples:
    >>> h = ToyHash(bits=4, key=0b1010)
    >>> [h(x) for x in range(4)]
    [0, 9, 2, 3]
    >>> sorted(h(x) for x in range(16)) == list(range(16))  # a bijection
    True
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import torch

from ...circuit import Circuit
from ...errors import SuanliError
from ...sim.statevector import probabilities, sample
from .circuits import mcz, toffoli_count

__all__ = [
    "GroverCurve",
    "GroverMining",
    "SpeedupRow",
    "ToyHash",
    "grover_circuit",
    "grover_curve",
    "grover_mine",
    "grover_theory",
    "optimal_iterations",
    "speedup_table",
    "toy_hash_from_seed",
]

MIN_BITS, MAX_BITS = 4, 8


@dataclass(frozen=True)
class ToyHash:
    """The keyed reversible toy hash described in the module docstring.

    Args:
        bits: input and output width ``n`` (4 to 8).
        key: the ``n``-bit key XORed in after every round.
        rounds: number of rounds (1 to 4).
    """

    bits: int
    key: int
    rounds: int = 2

    def __post_init__(self) -> None:
        if not MIN_BITS <= self.bits <= MAX_BITS:
            raise SuanliError(f"ToyHash: bits must be in [{MIN_BITS}, {MAX_BITS}], got {self.bits}")
        if not 0 <= self.key < 2**self.bits:
            raise SuanliError(f"ToyHash: key must be in [0, 2^{self.bits}), got {self.key}")
        if not 1 <= self.rounds <= 4:
            raise SuanliError(f"ToyHash: rounds must be in [1, 4], got {self.rounds}")

    def _offsets(self, r: int) -> tuple[int, int]:
        return (1, 2) if r % 2 == 0 else (2, 3)

    def __call__(self, x: int) -> int:
        """The hash of ``x``, computed classically (the reference the circuit is tested against)."""
        n = self.bits
        y = [(x >> (n - 1 - i)) & 1 for i in range(n)]
        for r in range(self.rounds):
            a, b = self._offsets(r)
            for i in range(n):
                y[i] ^= y[(i + a) % n] & y[(i + b) % n]
            for i in range(n):
                y[i] ^= (self.key >> (n - 1 - i)) & 1
        return int("".join(map(str, y)), 2)

    def append(self, circuit: Circuit, x: list[int], y: list[int]) -> Circuit:
        """Append ``y ^= H(x)`` for ``y`` in |0...0> (copy, then the in-place rounds)."""
        n = self.bits
        for i in range(n):
            circuit.cx(x[i], y[i])
        for r in range(self.rounds):
            a, b = self._offsets(r)
            for i in range(n):
                circuit.ccx(y[(i + a) % n], y[(i + b) % n], y[i])
            for i in range(n):
                if (self.key >> (n - 1 - i)) & 1:
                    circuit.x(y[i])
        return circuit


def toy_hash_from_seed(bits: int, seed: int) -> ToyHash:
    """A :class:`ToyHash` whose key is drawn from ``numpy.random.default_rng(seed)``."""
    key = int(np.random.default_rng(seed).integers(0, 2**bits))
    return ToyHash(bits=bits, key=key)


def _check_zeros(bits: int, zeros: int) -> None:
    if not 1 <= zeros <= bits:
        raise SuanliError(f"zeros (leading zero bits of the target) must be in [1, {bits}], got {zeros}")


def _layout(bits: int, zeros: int) -> tuple[list[int], list[int], list[int]]:
    x = list(range(bits))
    y = list(range(bits, 2 * bits))
    anc = list(range(2 * bits, 2 * bits + max(bits - 3, zeros - 3, 0)))
    return x, y, anc


def grover_circuit(h: ToyHash, zeros: int, iterations: int) -> Circuit:
    """The Grover search circuit: uniform superposition, then ``iterations`` × (oracle, diffusion).

    Qubits ``0..n-1`` hold the nonce, ``n..2n-1`` the hash (returned to 0), the rest are clean ancillas.
    """
    _check_zeros(h.bits, zeros)
    if iterations < 0:
        raise SuanliError(f"iterations must be >= 0, got {iterations}")
    x, y, anc = _layout(h.bits, zeros)
    c = Circuit(2 * h.bits + len(anc), name="toy_grover")
    c.h(x)
    hash_c = h.append(Circuit(c.num_qubits), x, y)
    for _ in range(iterations):
        c.compose(hash_c, inplace=True)
        c.x(y[:zeros])
        mcz(c, y[:zeros], anc)
        c.x(y[:zeros])
        c.compose(hash_c.inverse(), inplace=True)
        c.h(x).x(x)
        mcz(c, x, anc)
        c.x(x).h(x)
    return c


def grover_theory(bits: int, zeros: int, iterations: int) -> float:
    """``sin²((2k+1)θ)`` with ``sin θ = sqrt(M/N) = 2^(-zeros/2)``."""
    theta = math.asin(math.sqrt(2.0**-zeros))
    return math.sin((2 * iterations + 1) * theta) ** 2


def optimal_iterations(bits: int, zeros: int) -> int:
    """``⌊π/(4θ)⌋``, the number of iterations that maximizes the success probability."""
    theta = math.asin(math.sqrt(2.0**-zeros))
    return max(0, math.floor(math.pi / (4 * theta)))


def _success(h: ToyHash, zeros: int, k: int, device: str | None) -> float:
    c = grover_circuit(h, zeros, k)
    p = probabilities(c, qubits=list(range(h.bits)), device=device)
    marked = [x for x in range(2**h.bits) if h(x) >> (h.bits - zeros) == 0]
    return float(p[marked].sum())


@dataclass(frozen=True)
class GroverCurve:
    """Simulated and theoretical success probability of toy Grover mining vs the number of iterations."""

    bits: int
    zeros: int
    key: int
    iterations: tuple[int, ...]
    simulated: tuple[float, ...]
    theory: tuple[float, ...]
    num_qubits: int
    gates_per_iteration: int
    toffolis_per_iteration: int
    optimal_iterations: int

    def __post_init__(self) -> None:
        if not len(self.iterations) == len(self.simulated) == len(self.theory):
            raise SuanliError("GroverCurve: iterations, simulated and theory must have the same length")

    @property
    def max_error(self) -> float:
        """Largest ``|simulated - theory|`` over the curve."""
        return max((abs(a - b) for a, b in zip(self.simulated, self.theory)), default=0.0)


def grover_curve(
    bits: int,
    zeros: int,
    *,
    seed: int = 0,
    max_iterations: int | None = None,
    device: str | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> GroverCurve:
    """Run toy Grover mining for ``k = 0..max_iterations`` iterations and compare with ``sin²((2k+1)θ)``.

    Args:
        bits: nonce width ``n`` (4 to 8).
        zeros: leading zero bits demanded of the hash (1 to ``n``).
        seed: picks the hash key (:func:`toy_hash_from_seed`); the same seed gives the same hash.
        max_iterations: last ``k`` (default: twice the optimum, so that the oscillation shows).
        device: simulator device.
        progress: ``progress(done, total)`` callback.
    """
    _check_zeros(bits, zeros)
    h = toy_hash_from_seed(bits, seed)
    kopt = optimal_iterations(bits, zeros)
    kmax = 2 * kopt + 1 if max_iterations is None else max_iterations
    ks = tuple(range(kmax + 1))
    sim = []
    for i, k in enumerate(ks):
        sim.append(_success(h, zeros, k, device))
        if progress is not None:
            progress(i + 1, len(ks))
    one = grover_circuit(h, zeros, 1)
    zero = grover_circuit(h, zeros, 0)
    return GroverCurve(
        bits=bits,
        zeros=zeros,
        key=h.key,
        iterations=ks,
        simulated=tuple(sim),
        theory=tuple(grover_theory(bits, zeros, k) for k in ks),
        num_qubits=one.num_qubits,
        gates_per_iteration=one.num_gates - zero.num_gates,
        toffolis_per_iteration=toffoli_count(one),
        optimal_iterations=kopt,
    )


@dataclass(frozen=True)
class GroverMining:
    """Nonces sampled after the optimal number of iterations, checked with the classical hash."""

    bits: int
    zeros: int
    key: int
    iterations: int
    shots: int
    valid_shots: int
    found: tuple[int, ...]
    theory: float

    @property
    def success_rate(self) -> float:
        return self.valid_shots / self.shots


def grover_mine(bits: int, zeros: int, *, seed: int = 0, shots: int = 100, device: str | None = None) -> GroverMining:
    """Sample ``shots`` nonces from the Grover state at the optimal ``k``; count those that meet the target.

    The seed picks the hash key and drives the sampler: the same seed gives the same nonces (same suanli
    version and device).
    """
    _check_zeros(bits, zeros)
    h = toy_hash_from_seed(bits, seed)
    k = optimal_iterations(bits, zeros)
    c = grover_circuit(h, zeros, k)
    counts = sample(c, shots=shots, seed=seed, device=device, dtype=torch.complex128).counts()
    valid = 0
    found = set()
    for key, cnt in counts.items():
        nonce = int(key[:bits], 2)
        if h(nonce) >> (bits - zeros) == 0:
            valid += cnt
            found.add(nonce)
    return GroverMining(bits, zeros, h.key, k, shots, valid, tuple(sorted(found)), grover_theory(bits, zeros, k))


@dataclass(frozen=True)
class SpeedupRow:
    """Expected oracle calls to find a marked nonce: classical vs Grover (with restarts on failure)."""

    bits: int
    zeros: int
    ratio_n_over_m: int
    optimal_iterations: int
    success_probability: float
    quantum_queries: float
    classical_queries: float

    @property
    def speedup(self) -> float:
        return self.classical_queries / self.quantum_queries


def speedup_table(
    cases: list[tuple[int, int]], *, seed: int = 0, device: str | None = None, simulate: bool = True
) -> list[SpeedupRow]:
    """Expected queries for each ``(bits, zeros)``: Grover ``k*/P(k*)`` vs classical ``(N+1)/(M+1)``.

    ``P(k*)`` is simulated on the state vector when ``simulate`` (else the ``sin²`` law). Grover's count grows
    as ``(π/4) sqrt(N/M)``, the classical one as ``N/M``.
    """
    rows = []
    for bits, zeros in cases:
        _check_zeros(bits, zeros)
        k = optimal_iterations(bits, zeros)
        h = toy_hash_from_seed(bits, seed)
        p = _success(h, zeros, k, device) if simulate else grover_theory(bits, zeros, k)
        n_all, m = 2**bits, 2 ** (bits - zeros)
        rows.append(SpeedupRow(bits, zeros, n_all // m, k, p, max(k, 1) / p, (n_all + 1) / (m + 1)))
    return rows
