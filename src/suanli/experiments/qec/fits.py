"""Fits: logical error per cycle from multi-round data, the suppression factor Λ, and threshold crossings.

Per-cycle error. If each cycle flips the logical qubit independently with probability ε, after r cycles the
logical error probability is ``P_L(r) = (1 − (1 − 2ε)^r) / 2``. :func:`fit_error_per_cycle` finds the
maximum-likelihood ε from (rounds, shots, errors) rows (a binomial likelihood per row) and its confidence
interval from the likelihood ratio (the ε where the log-likelihood is ``χ²₁(level)/2`` below its maximum; 1.92 at
95 %).

Λ. With ``ε_d ≈ C / Λ^((d+1)/2)``, :func:`fit_lambda` fits a line to ``ln ε_d`` against ``(d+1)/2``; with two
distances it is the ratio ``ε_d / ε_{d+2}``. Its confidence interval comes from a parametric bootstrap: every row's
error count is redrawn as ``Binomial(shots, errors/shots)``, every ε_d refitted and Λ refitted; the interval is
the percentile range of the replicas. The bootstrap is seeded, so the same data and seed give the same interval.

Threshold. :func:`threshold_crossings` finds, for each pair of consecutive distances, the physical error rate
where their ε curves cross (linear interpolation of ``ln ε_d − ln ε_{d'}`` in ``ln p``).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from ...errors import SuanliError

__all__ = [
    "LambdaFit",
    "PerCycleFit",
    "fit_error_per_cycle",
    "fit_lambda",
    "per_round_probability",
    "threshold_crossings",
]

Row = tuple[int, int, int]  # (rounds, shots, errors)


def per_round_probability(eps: float | np.ndarray, rounds: int | np.ndarray) -> np.ndarray:
    """``P_L(r) = (1 − (1 − 2ε)^r) / 2``.

    Examples:
        >>> float(per_round_probability(0.01, 1))
        0.01
        >>> round(float(per_round_probability(0.01, 10)), 6)
        0.091464
    """
    eps = np.asarray(eps, dtype=float)
    return (1 - np.power(1 - 2 * eps, rounds)) / 2


def _check_rows(rows: Sequence[Row]) -> np.ndarray:
    arr = np.asarray(rows, dtype=float).reshape(-1, 3)
    if arr.shape[0] == 0:
        raise SuanliError("fit: no data rows")
    r, n, k = arr.T
    if np.any(r < 1) or np.any(n < 0) or np.any(k < 0) or np.any(k > n):
        raise SuanliError("fit: rows must be (rounds >= 1, shots >= 0, 0 <= errors <= shots)")
    if n.sum() == 0:
        raise SuanliError("fit: no shots")
    return arr


def _loglik(eps: float, arr: np.ndarray) -> float:
    r, n, k = arr.T
    pl = np.clip(per_round_probability(eps, r), 1e-300, 1 - 1e-16)
    return float(np.sum(k * np.log(pl) + (n - k) * np.log1p(-pl)))


def _mle(arr: np.ndarray) -> float:
    from scipy.optimize import minimize_scalar

    r, n, k = arr.T
    if k.sum() == 0:
        return 0.0
    # start from the pooled per-round estimate and maximise over log(eps)
    guess = float(np.clip(np.sum(k) / np.sum(n * r), 1e-12, 0.49))
    lo, hi = math.log(guess) - 6, math.log(0.4999999)
    res = minimize_scalar(
        lambda x: -_loglik(math.exp(x), arr), bounds=(lo, hi), method="bounded", options={"xatol": 1e-7}
    )
    return float(math.exp(res.x))


@dataclass(frozen=True)
class PerCycleFit:
    """Logical error per cycle with its confidence interval.

    Attributes:
        eps: maximum-likelihood error per cycle.
        low: lower end of the interval.
        high: upper end of the interval.
        level: confidence level of the interval.
        shots: total shots used.
        errors: total logical errors.
    """

    eps: float
    low: float
    high: float
    level: float
    shots: int
    errors: int

    def __post_init__(self) -> None:
        if not (0 <= self.low <= self.eps <= self.high <= 0.5):
            raise SuanliError(f"inconsistent fit: {self.low} <= {self.eps} <= {self.high} does not hold")

    def to_dict(self) -> dict[str, float]:
        return {
            "eps": self.eps,
            "low": self.low,
            "high": self.high,
            "level": self.level,
            "shots": self.shots,
            "errors": self.errors,
        }


def fit_error_per_cycle(rows: Sequence[Row], *, level: float = 0.95) -> PerCycleFit:
    """Fit ε from ``(rounds, shots, errors)`` rows, with a likelihood-ratio confidence interval.

    Examples:
        >>> fit = fit_error_per_cycle([(1, 10000, 100)])  # one round: ε is simply the error rate
        >>> round(fit.eps, 4), fit.low < 0.01 < fit.high
        (0.01, True)
    """
    from scipy.optimize import brentq
    from scipy.stats import chi2

    if not 0 < level < 1:
        raise SuanliError(f"level must be in (0, 1), got {level}")
    arr = _check_rows(rows)
    eps = _mle(arr)
    best = _loglik(eps, arr) if eps > 0 else _loglik(1e-300, arr)
    drop = chi2.ppf(level, 1) / 2

    def gap(x: float) -> float:
        return _loglik(x, arr) - (best - drop)

    top = 0.4999999
    high = top if gap(top) > 0 else brentq(gap, max(eps, 1e-300), top, xtol=1e-14, rtol=1e-10)
    if eps <= 0:
        low = 0.0
    else:
        tiny = eps * 1e-9
        low = 0.0 if gap(tiny) > 0 else brentq(gap, tiny, eps, xtol=1e-16, rtol=1e-10)
    n = int(arr[:, 1].sum())
    k = int(arr[:, 2].sum())
    return PerCycleFit(eps=eps, low=min(low, eps), high=max(high, eps), level=level, shots=n, errors=k)


@dataclass(frozen=True)
class LambdaFit:
    """The error-suppression factor Λ = ε_d / ε_{d+2}, from a fit over several distances.

    Attributes:
        lam: best-fit Λ.
        low: lower end of its bootstrap interval.
        high: upper end.
        level: confidence level.
        distances: the distances used.
        eps: fitted ε per distance.
        pairwise: Λ between consecutive distances, ``{"3/5": (value, low, high), ...}``.
        replicas: bootstrap replicas drawn.
    """

    lam: float
    low: float
    high: float
    level: float
    distances: tuple[int, ...]
    eps: tuple[float, ...]
    pairwise: Mapping[str, tuple[float, float, float]] = field(default_factory=dict)
    replicas: int = 0

    def to_dict(self) -> dict[str, object]:
        return {
            "lambda": self.lam,
            "low": self.low,
            "high": self.high,
            "level": self.level,
            "distances": list(self.distances),
            "eps": list(self.eps),
            "pairwise": {k: list(v) for k, v in self.pairwise.items()},
            "replicas": self.replicas,
        }

    def predict(self, distance: int) -> float:
        """ε at ``distance`` on the fitted line."""
        x = np.array([(d + 1) / 2 for d in self.distances])
        y = np.log(np.asarray(self.eps))
        slope = -math.log(self.lam)
        intercept = float(np.mean(y - slope * x))
        return math.exp(intercept + slope * (distance + 1) / 2)


def _lambda_of(distances: np.ndarray, eps: np.ndarray) -> float:
    if np.any(eps <= 0):
        return math.inf
    x = (distances + 1) / 2
    y = np.log(eps)
    slope = np.polyfit(x, y, 1)[0] if len(x) > 2 else (y[1] - y[0]) / (x[1] - x[0])
    return float(math.exp(-slope))


def fit_lambda(
    data: Mapping[int, Sequence[Row]],
    *,
    level: float = 0.95,
    replicas: int = 400,
    seed: int | None = 0,
) -> LambdaFit:
    """Fit Λ from multi-round data per distance (``{d: [(rounds, shots, errors), ...]}``).

    Args:
        data: at least two distances, each with rows for :func:`fit_error_per_cycle`.
        level: confidence level of the bootstrap interval.
        replicas: bootstrap replicas.
        seed: seed of the bootstrap (the same data and seed give the same interval).

    Examples:
        >>> data = {3: [(3, 100000, 3000)], 5: [(5, 100000, 2500)], 7: [(7, 100000, 1750)]}
        >>> fit = fit_lambda(data, replicas=50)
        >>> fit.low < fit.lam < fit.high
        True
    """
    if len(data) < 2:
        raise SuanliError("fit_lambda needs at least two distances")
    if replicas < 10:
        raise SuanliError(f"replicas must be >= 10, got {replicas}")
    distances = np.array(sorted(data), dtype=float)
    arrays = [_check_rows(data[int(d)]) for d in distances]
    eps = np.array([_mle(a) for a in arrays])
    lam = _lambda_of(distances, eps)

    rng = np.random.default_rng(seed)
    boot_eps = np.empty((replicas, len(arrays)))
    for b in range(replicas):
        for j, arr in enumerate(arrays):
            redrawn = arr.copy()
            n = arr[:, 1].astype(np.int64)
            prob = np.divide(arr[:, 2], arr[:, 1], out=np.zeros(len(arr)), where=arr[:, 1] > 0)
            redrawn[:, 2] = rng.binomial(n, prob)
            boot_eps[b, j] = _mle(redrawn)
    alpha = (1 - level) / 2
    boot_lam = np.array([_lambda_of(distances, e) for e in boot_eps])
    low, high = (float(v) for v in np.quantile(boot_lam, [alpha, 1 - alpha]))
    pairwise = {}
    for j in range(len(distances) - 1):
        ratio = boot_eps[:, j] / np.where(boot_eps[:, j + 1] > 0, boot_eps[:, j + 1], np.nan)
        ratio = np.where(np.isnan(ratio), np.inf, ratio)
        value = float(eps[j] / eps[j + 1]) if eps[j + 1] > 0 else math.inf
        q = np.quantile(ratio, [alpha, 1 - alpha])
        pairwise[f"{int(distances[j])}/{int(distances[j + 1])}"] = (value, float(q[0]), float(q[1]))
    return LambdaFit(
        lam=lam,
        low=min(low, lam),
        high=max(high, lam),
        level=level,
        distances=tuple(int(d) for d in distances),
        eps=tuple(float(e) for e in eps),
        pairwise=pairwise,
        replicas=replicas,
    )


def threshold_crossings(curves: Mapping[int, Sequence[tuple[float, float]]]) -> dict[str, float | None]:
    """Where the ε(p) curves of consecutive distances cross.

    Args:
        curves: ``{d: [(p, eps), ...]}``, the same p values for every distance.

    Returns:
        ``{"3/5": p_cross or None, ...}`` (None: no sign change of ``ε_d − ε_{d+2}`` in the range).

    Examples:
        >>> curves = {3: [(0.001, 1e-3), (0.01, 1e-2)], 5: [(0.001, 1e-4), (0.01, 1e-1)]}
        >>> round(threshold_crossings(curves)["3/5"], 6)
        0.003162
    """
    ds = sorted(curves)
    out: dict[str, float | None] = {}
    for a, b in itertools.pairwise(ds):
        pa = dict(curves[a])
        pb = dict(curves[b])
        ps = sorted(set(pa) & set(pb))
        ps = [p for p in ps if pa[p] > 0 and pb[p] > 0]
        found = None
        for p0, p1 in itertools.pairwise(ps):
            g0 = math.log(pa[p0]) - math.log(pb[p0])
            g1 = math.log(pa[p1]) - math.log(pb[p1])
            if g0 == 0:
                found = p0
                break
            if g0 * g1 < 0:
                t = g0 / (g0 - g1)
                found = math.exp(math.log(p0) + t * (math.log(p1) - math.log(p0)))
                break
        if found is None and ps and math.log(pa[ps[-1]]) == math.log(pb[ps[-1]]):
            found = ps[-1]
        out[f"{a}/{b}"] = found
    return out
