"""Toy Shor that really runs: period finding (N = 15, 21) and a discrete logarithm in the group Z_p^*.

Construction
------------
*Period finding* (Shor 1994; the phase-estimation form of Nielsen & Chuang §5.3). Registers, in qubit order:
``t = 2n`` counting qubits (``n = ⌈log2 N⌉``), an ``n``-qubit work register starting in |1>, and ``n - 2``
clean ancillas. Counting qubit ``k`` (weight ``2^(t-1-k)``) controls multiplication of the work register by
``a^(2^(t-1-k)) mod N``. Each controlled multiplication ``x -> c x mod N`` (identity for ``x >= N``) is a
permutation of basis states, written as a *circuit of counted gates*: its cycles are split into
transpositions, each transposition is conjugated by CNOTs into a single-bit flip and done by one
multi-controlled X, itself a ladder of Toffolis into the ancillas
(:func:`suanli.experiments.bitcoin.circuits.permutation_circuit`). This is far from the cheapest arithmetic
(Beauregard's 2n + 3 qubit adder circuits, Roetteler's ECC arithmetic) but every gate is a table gate that
counts. The inverse QFT on the counting register ends the circuit.

*Post-processing*: the outcome ``y`` approximates ``s/r · 2^t``; the continued-fraction convergents of
``y / 2^t`` with denominators below ``N`` give candidates ``q`` for the order ``r`` (the smallest multiple
of ``q`` with ``a^r = 1 mod N``); an even ``r`` with ``a^(r/2) ≠ -1`` gives the factors
``gcd(a^(r/2) ± 1, N)``.

*Discrete logarithm* (Shor's two-register algorithm). For a prime ``p`` with ``p - 1 = 2^t`` (5, 17) and a
generator ``g``, find ``s`` with ``g^s = h mod p``. Two ``t``-qubit registers ``A, B`` in uniform
superposition control multiplication of the work register (starting in |1>) by ``g^(2^j)`` and
``h^(2^j)``, giving ``Σ |a, b> |g^(a + s b)>``; inverse QFTs on both registers give outcomes ``(c, d)`` with
``d = s c mod 2^t`` exactly (the group order is a power of two, so the Fourier transform is exact), hence
``s = d c^{-1} mod 2^t`` whenever ``c`` is odd.

Simulation: the exact outcome distribution of the counting registers comes from
:func:`suanli.probabilities`; shots are then drawn from it with ``numpy.random.default_rng(seed)`` (same seed,
same suanli version and device: same shots).

Examples:
    >>> r = period_finding(15, 7, shots=20, seed=1)
    >>> r.order, r.factors
    (4, (3, 5))
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from ...circuit import Circuit
from ...errors import SuanliError
from ...sim.statevector import probabilities
from .circuits import inverse_qft, permutation_circuit, toffoli_count

__all__ = [
    "DiscreteLogResult",
    "PeriodFindingResult",
    "discrete_log",
    "discrete_log_circuit",
    "ideal_period_distribution",
    "order_from_outcome",
    "period_finding",
    "period_finding_circuit",
]


def _mult_perm(c: int, modulus: int) -> dict[int, int]:
    return {x: (c * x) % modulus for x in range(modulus)}


def period_finding_circuit(n_mod: int, a: int, *, counting: int | None = None) -> Circuit:
    """The order-finding circuit for ``a`` modulo ``n_mod`` (see the module docstring for the layout)."""
    if n_mod < 3 or n_mod > 31:
        raise SuanliError(f"N must be in [3, 31] for the toy simulation (at most 18 qubits), got {n_mod}")
    if not 1 < a < n_mod or math.gcd(a, n_mod) != 1:
        raise SuanliError(f"a must be in (1, N) and coprime to N = {n_mod}, got {a}")
    n = n_mod.bit_length()
    t = 2 * n if counting is None else counting
    if not 1 <= t <= 12:
        raise SuanliError(f"counting qubits must be in [1, 12], got {t}")
    count = list(range(t))
    work = list(range(t, t + n))
    anc = list(range(t + n, t + n + max(n - 2, 0)))
    c = Circuit(t + n + len(anc), name=f"order_{a}_mod_{n_mod}")
    c.h(count)
    c.x(work[-1])
    for k in range(t):
        mult = pow(a, 2 ** (t - 1 - k), n_mod)
        if mult != 1:
            permutation_circuit(c, _mult_perm(mult, n_mod), work, control=count[k], ancillas=anc)
    inverse_qft(c, count)
    return c


def ideal_period_distribution(n_mod: int, a: int, counting: int) -> np.ndarray:
    """The exact outcome distribution of the counting register, computed classically with an FFT."""
    size = 2**counting
    values = np.array([pow(a, x, n_mod) for x in range(size)])
    probs = np.zeros(size)
    for v in np.unique(values):
        amp = np.fft.fft((values == v).astype(float)) / size  # Σ_x e^{-2πi x y / 2^t}, inverse-QFT sign
        probs += np.abs(amp) ** 2
    return probs


def order_from_outcome(y: int, counting: int, a: int, n_mod: int) -> int | None:
    """The order of ``a`` mod ``n_mod`` from one outcome, by continued fractions (None if it fails)."""
    if y == 0:
        return None
    frac = Fraction(y, 2**counting)
    cf = []
    x = frac
    while True:
        q = math.floor(x)
        cf.append(q)
        rest = x - q
        if rest == 0:
            break
        x = 1 / rest
    for i in range(1, len(cf) + 1):
        conv = Fraction(0)
        for q in reversed(cf[:i]):
            conv = q + (1 / conv if conv != 0 else 0)
        den = conv.denominator
        if den >= n_mod:
            break
        for m in range(1, n_mod // den + 1):
            if pow(a, den * m, n_mod) == 1:
                return den * m
    return None


def _factors_from_order(a: int, r: int, n_mod: int) -> tuple[int, int] | None:
    if r % 2:
        return None
    half = pow(a, r // 2, n_mod)
    if half == n_mod - 1:
        return None
    f = math.gcd(half - 1, n_mod)
    if f in (1, n_mod):
        f = math.gcd(half + 1, n_mod)
    if f in (1, n_mod):
        return None
    return (min(f, n_mod // f), max(f, n_mod // f))


@dataclass(frozen=True)
class PeriodFindingResult:
    """Outcome of a toy Shor run."""

    modulus: int
    base: int
    counting_qubits: int
    num_qubits: int
    gate_counts: dict
    toffolis: int
    shots: tuple[int, ...]
    orders: tuple[int | None, ...]
    order: int | None
    factors: tuple[int, int] | None
    max_deviation_from_ideal: float

    @property
    def success_rate(self) -> float:
        """Fraction of shots whose continued fractions gave the true order."""
        true = self.order
        return sum(r == true for r in self.orders) / len(self.orders) if true else 0.0


def period_finding(
    n_mod: int,
    a: int,
    *,
    shots: int = 20,
    seed: int | None = 0,
    counting: int | None = None,
    device: str | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> PeriodFindingResult:
    """Run order finding for ``a`` mod ``n_mod`` on the simulator and recover the order and the factors.

    The order reported is the most frequent order among the shots that passed the check ``a^r = 1``.
    """
    if shots < 1:
        raise SuanliError(f"shots must be >= 1, got {shots}")
    c = period_finding_circuit(n_mod, a, counting=counting)
    t = 2 * n_mod.bit_length() if counting is None else counting
    probs = probabilities(c, qubits=list(range(t)), device=device, progress=progress).cpu().numpy()
    ideal = ideal_period_distribution(n_mod, a, t)
    rng = np.random.default_rng(seed)
    ys = rng.choice(2**t, size=shots, p=probs / probs.sum())
    orders = tuple(order_from_outcome(int(y), t, a, n_mod) for y in ys)
    found = [r for r in orders if r is not None]
    order = max(set(found), key=found.count) if found else None
    factors = _factors_from_order(a, order, n_mod) if order else None
    return PeriodFindingResult(
        modulus=n_mod,
        base=a,
        counting_qubits=t,
        num_qubits=c.num_qubits,
        gate_counts=c.count_ops(),
        toffolis=toffoli_count(c),
        shots=tuple(int(y) for y in ys),
        orders=orders,
        order=order,
        factors=factors,
        max_deviation_from_ideal=float(np.abs(probs - ideal).max()),
    )


def _fermat_t(p: int) -> int:
    if p not in (5, 17):
        raise SuanliError(f"the toy discrete log needs p - 1 to be a power of two: p = 5 or 17, got {p}")
    return (p - 1).bit_length() - 1


def discrete_log_circuit(p: int, g: int, h: int) -> Circuit:
    """Shor's two-register discrete-log circuit for ``g^s = h (mod p)``, ``p`` in {5, 17}."""
    t = _fermat_t(p)
    if pow(g, (p - 1) // 2, p) != p - 1:
        raise SuanliError(f"g = {g} is not a generator of Z_{p}^*")
    if not 1 <= h < p:
        raise SuanliError(f"h must be in [1, {p}), got {h}")
    n = p.bit_length()
    ra, rb = list(range(t)), list(range(t, 2 * t))
    work = list(range(2 * t, 2 * t + n))
    anc = list(range(2 * t + n, 2 * t + n + n - 2))
    c = Circuit(2 * t + 2 * n - 2, name=f"dlog_{g}_{h}_mod_{p}")
    c.h(ra + rb)
    c.x(work[-1])
    for reg, base in ((ra, g), (rb, h)):
        for k in range(t):
            mult = pow(base, 2 ** (t - 1 - k), p)
            if mult != 1:
                permutation_circuit(c, _mult_perm(mult, p), work, control=reg[k], ancillas=anc)
    inverse_qft(c, ra)
    inverse_qft(c, rb)
    return c


@dataclass(frozen=True)
class DiscreteLogResult:
    """Outcome of a toy discrete-log run."""

    prime: int
    generator: int
    target: int
    num_qubits: int
    gate_counts: dict
    toffolis: int
    shots: tuple[tuple[int, int], ...]
    candidates: tuple[int | None, ...]
    log: int | None
    relation_holds: bool

    @property
    def success_rate(self) -> float:
        return sum(s == self.log for s in self.candidates) / len(self.candidates) if self.log is not None else 0.0


def discrete_log(
    p: int,
    g: int,
    h: int,
    *,
    shots: int = 20,
    seed: int | None = 0,
    device: str | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> DiscreteLogResult:
    """Find ``s`` with ``g^s = h mod p`` by running Shor's discrete-log circuit and post-processing.

    ``relation_holds`` checks that every outcome with non-zero probability satisfies ``d = s c mod 2^t``.
    """
    if shots < 1:
        raise SuanliError(f"shots must be >= 1, got {shots}")
    t = _fermat_t(p)
    c = discrete_log_circuit(p, g, h)
    probs = probabilities(c, qubits=list(range(2 * t)), device=device, progress=progress).cpu().numpy()
    size = 2**t
    rng = np.random.default_rng(seed)
    draws = rng.choice(size * size, size=shots, p=probs / probs.sum())
    pairs = tuple((int(v) // size, int(v) % size) for v in draws)
    cands: list[int | None] = []
    for cc, dd in pairs:
        s = (dd * pow(cc, -1, size)) % size if cc % 2 else None
        cands.append(s if s is not None and pow(g, s, p) == h else None)
    found = [s for s in cands if s is not None]
    log = max(set(found), key=found.count) if found else None
    holds = True
    if log is not None:
        for v in np.flatnonzero(probs > 1e-9):
            cc, dd = int(v) // size, int(v) % size
            holds &= (dd - log * cc) % size == 0
    return DiscreteLogResult(
        prime=p,
        generator=g,
        target=h,
        num_qubits=c.num_qubits,
        gate_counts=c.count_ops(),
        toffolis=toffoli_count(c),
        shots=pairs,
        candidates=tuple(cands),
        log=log,
        relation_holds=bool(holds),
    )
