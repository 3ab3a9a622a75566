"""Grover mining against a classical network: the Nerem–Gaur Markov model and a Monte Carlo check.

Model (Nerem & Gaur, "Conditions for advantageous quantum Bitcoin mining", arXiv:2110.00878)
----------------------------------------------------------------------------------------------
The classical network finds blocks as a Poisson process of rate ``λ = 1/block_time``. A single quantum miner
starts a Grover search on every new block and applies Grover iterations at rate ``r`` (per second); a block
needs on average ``D`` classical hashes, so ``sin θ = 1/sqrt(D)``. The miner plans to measure at time ``T``.
One *round* of the chain (their Fig. 1):

* with probability ``μ = 1 - exp(-λT)`` a classical block arrives first. A *peaceful* miner gives up; an
  *aggressive* miner measures at once (success probability ``φ``, below) and its block wins the tie with
  probability ``γ``;
* otherwise the miner measures at ``T``: success with ``ν = sin²((2rT + 1)θ)`` (a block for the miner); on
  failure no block was found and a new round starts (the Poisson process has no memory).

The fraction of all blocks that the quantum miner adds (exact for the chain) is::

    P = [(1-μ) ν + μ φ γ] / [(1-μ) ν + μ],   φ = (1/μ) ∫_0^T λ e^{-λt} sin²((2rt+1)θ) dt.

In the small-power regime (``ν ≪ 1``, ``rT ≫ 1``) ``ν ≈ 4r²T²/D`` and, with ``x = λT``, the peaceful miner
gets ``P ≈ (4 r² / (D λ²)) · x² / (e^x - 1)``. Its maximum solves ``d/dx [x²/(e^x-1)] = 0``, i.e.
``x = 2(1 - e^{-x})``: ``x* ≈ 1.5936``, so ``T* ≈ 1.594 / λ ≈ 15.9 min`` for 10-minute blocks, and the chance
that no classical block arrives first is ``e^{-x*} ≈ 0.203``.

Derived measures, following the definitions of the paper's Sec. IV.B (the algebra below is ours): the
effective hash rate ``H = P D λ`` (the classical hash rate that would win the same share of blocks; in the
small-power regime ``4 r² g(x)/λ`` with ``g = x²/(e^x-1)``, independent of ``D``), and the cost condition.
A Grover iteration costs ``Q``, a classical hash ``C``: the quantum miner spends ``Q r/(λP)`` per block it
wins, a classical miner ``C D``, so quantum mining is cheaper when ``Q < C r b`` (the paper's form) with
``b = D λ P / r²`` (seconds), which tends to ``4 g(x)/λ`` and is largest at ``x*``.

Examples:
    >>> round(optimal_x(), 4), round(math.exp(-optimal_x()), 4)
    (1.5936, 0.2032)
    >>> round(optimal_measurement_minutes(10.0), 2)
    15.94
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ...errors import SuanliError

__all__ = [
    "MiningModel",
    "MonteCarloResult",
    "g_factor",
    "optimal_measurement_minutes",
    "optimal_x",
    "simulate_mining",
]


def optimal_x() -> float:
    """The positive root of ``x = 2(1 - e^{-x})`` (Newton's method to machine precision)."""
    x = 1.5
    for _ in range(50):
        f = x - 2.0 * (1.0 - math.exp(-x))
        fp = 1.0 - 2.0 * math.exp(-x)
        step = f / fp
        x -= step
        if abs(step) < 1e-15:
            break
    return x


def g_factor(x: float) -> float:
    """``x² / (e^x - 1)``: the peaceful miner's success fraction in units of ``4 r² / (D λ²)``."""
    if x <= 0:
        raise SuanliError(f"x = λT must be positive, got {x}")
    return x * x / math.expm1(x)


def optimal_measurement_minutes(block_minutes: float = 10.0) -> float:
    """``T* = x* × block_minutes``: when a peaceful quantum miner should measure."""
    if not block_minutes > 0:
        raise SuanliError(f"block_minutes must be positive, got {block_minutes}")
    return optimal_x() * block_minutes


@dataclass(frozen=True)
class MiningModel:
    """One quantum miner against a classical Poisson network (see the module docstring).

    Args:
        grover_rate: Grover iterations per second ``r``.
        difficulty: expected classical hashes per block ``D`` (``sin θ = 1/sqrt(D)``).
        block_minutes: mean time between classical blocks (10 for Bitcoin).
        aggressive: measure as soon as a classical block arrives (else give up: peaceful).
        tie_win: probability ``γ`` that the quantum block wins a tie (aggressive mining only).
    """

    grover_rate: float
    difficulty: float
    block_minutes: float = 10.0
    aggressive: bool = False
    tie_win: float = 0.5

    def __post_init__(self) -> None:
        if not self.grover_rate > 0:
            raise SuanliError(f"grover_rate must be positive, got {self.grover_rate}")
        if not self.difficulty >= 1:
            raise SuanliError(f"difficulty (hashes per block) must be >= 1, got {self.difficulty}")
        if not self.block_minutes > 0:
            raise SuanliError(f"block_minutes must be positive, got {self.block_minutes}")
        if not 0 <= self.tie_win <= 1:
            raise SuanliError(f"tie_win must be in [0, 1], got {self.tie_win}")

    @property
    def rate(self) -> float:
        """``λ`` in blocks per second."""
        return 1.0 / (60.0 * self.block_minutes)

    @property
    def theta(self) -> float:
        return math.asin(1.0 / math.sqrt(self.difficulty))

    def mu(self, t: float) -> float:
        """Probability that a classical block arrives before ``t`` seconds."""
        return -math.expm1(-self.rate * t)

    def nu(self, t: float) -> float:
        """Probability that a measurement after ``t`` seconds of Grover iterations finds a block."""
        return math.sin((2 * self.grover_rate * t + 1) * self.theta) ** 2

    def phi(self, t: float) -> float:
        """Aggressive mining: success probability of the forced measurement, given a classical block first.

        ``(1/μ) ∫_0^t λ e^{-λs} sin²((2rs+1)θ) ds`` in closed form (``sin² = (1 - cos)/2``).
        """
        if not self.aggressive:
            return 0.0
        lam, w, p0 = self.rate, 4 * self.grover_rate * self.theta, 2 * self.theta
        z = complex(-lam, w)
        integral_cos = lam * (complex(math.cos(p0), math.sin(p0)) * (np.exp(z * t) - 1) / z).real
        mu = self.mu(t)
        return float((mu - integral_cos) / 2 / mu)

    def success_fraction(self, t: float) -> float:
        """Exact fraction ``P`` of all blocks mined by the quantum miner when it measures at ``t`` seconds."""
        if not t > 0:
            raise SuanliError(f"measurement time must be positive, got {t}")
        mu, nu = self.mu(t), self.nu(t)
        return ((1 - mu) * nu + mu * self.phi(t) * self.tie_win) / ((1 - mu) * nu + mu)

    def success_fraction_approx(self, t: float) -> float:
        """Small-power closed form: ``(4r²/(Dλ²)) x²/(e^x-1)`` (+ the aggressive term ``γ 4r² E[s²; s<t]/D``)."""
        lam, x = self.rate, self.rate * t
        c = 4 * self.grover_rate**2 / self.difficulty
        p = c / lam**2 * g_factor(x)
        if self.aggressive:
            # ∫_0^t λ e^{-λs} s² ds = 2/λ² - e^{-x} (t² + 2t/λ + 2/λ²), divided by μ = 1 - e^{-x}
            m2 = 2 / lam**2 - math.exp(-x) * (t * t + 2 * t / lam + 2 / lam**2)
            p += self.tie_win * c * m2 / (1 - math.exp(-x))
        return p

    def optimal_time(self) -> float:
        """Measurement time (s) maximizing the exact ``P`` (golden-section search on ``(0, 10/λ]``)."""
        lo, hi = 1e-3 / self.rate, 10 / self.rate
        invphi = (math.sqrt(5) - 1) / 2
        a, b = lo, hi
        for _ in range(200):
            c, d = b - invphi * (b - a), a + invphi * (b - a)
            if self.success_fraction(c) > self.success_fraction(d):
                b = d
            else:
                a = c
        return (a + b) / 2

    def effective_hash_rate(self, t: float) -> float:
        """``P D λ``: the classical hash rate (hashes/s) that would win the same share of blocks."""
        return self.success_fraction(t) * self.difficulty * self.rate

    def b_factor(self, t: float) -> float:
        """``b = D λ P / r²`` (seconds) of the cost condition ``Q < C r b``."""
        return self.difficulty * self.rate * self.success_fraction(t) / self.grover_rate**2

    def quantum_is_cheaper(self, t: float, grover_cost: float, hash_cost: float) -> bool:
        """Whether ``Q < C r b``: a quantum-mined block costs less than a classically mined one."""
        return grover_cost < hash_cost * self.grover_rate * self.b_factor(t)


@dataclass(frozen=True)
class MonteCarloResult:
    """Monte Carlo estimate of the quantum miner's share of blocks, with its standard error."""

    measurement_seconds: float
    blocks: int
    quantum_blocks: int
    rounds: int
    fraction: float
    stderr: float
    closed_form: float
    mean_block_seconds: float

    @property
    def z_score(self) -> float:
        """``(fraction - closed_form) / stderr``."""
        return (self.fraction - self.closed_form) / self.stderr if self.stderr > 0 else 0.0


def simulate_mining(model: MiningModel, t: float, *, blocks: int = 100_000, seed: int | None = 0) -> MonteCarloResult:
    """Simulate the Poisson block process with one quantum miner that measures ``t`` seconds into each round.

    Rounds are drawn in vectorized batches until ``blocks`` blocks were found: a classical arrival time
    ``s ~ Exp(λ)``; if ``s < t`` the classical block counts (an aggressive miner measures at ``s`` and wins
    the tie with probability ``γ``); else the miner measures at ``t`` and wins with ``ν``, or the round ends
    without a block. Each block is the quantum miner's independently with probability ``P``, so the standard
    error is ``sqrt(P(1-P)/blocks)``. The seed fixes every random number (NumPy ``default_rng``).
    """
    if blocks < 1:
        raise SuanliError(f"blocks must be >= 1, got {blocks}")
    if not t > 0:
        raise SuanliError(f"measurement time must be positive, got {t}")
    rng = np.random.default_rng(seed)
    lam, r, th = model.rate, model.grover_rate, model.theta
    nu = model.nu(t)
    found = quantum = rounds = 0
    total_time = 0.0
    while found < blocks:
        batch = max(1024, 2 * (blocks - found))
        s = rng.exponential(1 / lam, size=batch)
        u = rng.random(batch)
        classical = s < t
        q_at_t = ~classical & (u < nu)
        is_block = classical | q_at_t
        q_block = q_at_t.copy()
        if model.aggressive:
            p_forced = np.sin((2 * r * s + 1) * th) ** 2
            v = rng.random(batch)
            w = rng.random(batch)
            q_block |= classical & (v < p_forced) & (w < model.tie_win)
        durations = np.where(classical, s, t)
        idx = np.flatnonzero(is_block)
        if found + len(idx) > blocks:  # stop at exactly `blocks` blocks
            last = idx[blocks - found - 1]
            is_block, q_block, durations = is_block[: last + 1], q_block[: last + 1], durations[: last + 1]
        found += int(is_block.sum())
        quantum += int(q_block.sum())
        rounds += len(durations)
        total_time += float(durations.sum())
    frac = quantum / found
    closed = model.success_fraction(t)
    return MonteCarloResult(
        measurement_seconds=t,
        blocks=found,
        quantum_blocks=quantum,
        rounds=rounds,
        fraction=frac,
        stderr=math.sqrt(max(closed * (1 - closed), 1e-300) / found),
        closed_form=closed,
        mean_block_seconds=total_time / found,
    )
