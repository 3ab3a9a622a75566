"""A 2-D physics simulator for world-model probes: uniform motion, elastic collisions of two balls, parabolic motion.

The world is the unit square ``[0, 1]²`` with ``y`` pointing up; time is counted in frames (positions are given
at integer times ``0, 1, …, frames-1``), so velocities are in box widths per frame and the gravity of the
parabolic scenario in box widths per frame². Balls are disks of mass proportional to their area (``m = r²``).
Each scenario has an in-distribution range of speeds and radii and an out-of-distribution range that lies
outside it, as in Kang et al., "How Far is Video Generation from World Model: A Physical Law Perspective"
(arXiv:2411.02385, 2024), which trains on one range and tests on both. Parameters are drawn (and rejected until
every ball stays inside the square for the whole clip) from a NumPy generator, so a seed fixes the clips.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ...errors import SuanliError

__all__ = [
    "GRAVITY",
    "RANGES",
    "SCENARIOS",
    "Clip",
    "collide_elastic",
    "kinetic_energy",
    "momentum",
    "simulate",
    "simulate_batch",
]

#: Scenario names.
SCENARIOS = ("uniform", "collision", "parabola")

#: Downward acceleration of the parabolic scenario, box widths per frame².
GRAVITY = 0.002

#: Parameter ranges: ``RANGES[split] = {"speed": (lo, hi), "radius": (lo, hi)}``; out-of-distribution values
#: are faster and larger than every in-distribution one.
RANGES = {
    "in": {"speed": (0.012, 0.025), "radius": (0.07, 0.10)},
    "out": {"speed": (0.030, 0.040), "radius": (0.11, 0.13)},
}


@dataclass(frozen=True)
class Clip:
    """The ground truth of one simulated clip.

    Attributes:
        scenario: one of :data:`SCENARIOS`.
        positions: ``(frames, balls, 2)`` centres ``(x, y)`` at each frame.
        velocities: ``(frames, balls, 2)`` instantaneous velocities at each frame (after any collision at it).
        radii: ``(balls,)`` radii.
        collision_frame: the (fractional) time of the collision, or None.
    """

    scenario: str
    positions: np.ndarray
    velocities: np.ndarray
    radii: np.ndarray
    collision_frame: float | None = None

    def __post_init__(self) -> None:
        if self.scenario not in SCENARIOS:
            raise SuanliError(f"scenario must be one of {SCENARIOS}, got {self.scenario!r}")
        if self.positions.shape != self.velocities.shape or self.positions.ndim != 3 or self.positions.shape[2] != 2:
            raise SuanliError("positions and velocities must both have shape (frames, balls, 2)")
        if self.radii.shape != (self.positions.shape[1],) or not np.all(self.radii > 0):
            raise SuanliError("radii must be positive, one per ball")

    @property
    def frames(self) -> int:
        return int(self.positions.shape[0])

    @property
    def masses(self) -> np.ndarray:
        return self.radii**2


def momentum(masses: np.ndarray, velocities: np.ndarray) -> np.ndarray:
    """Total momentum ``Σ m v`` (over the ball axis, the one before the last)."""
    return np.einsum("b,...bk->...k", masses, velocities)


def kinetic_energy(masses: np.ndarray, velocities: np.ndarray) -> np.ndarray:
    """Total kinetic energy ``Σ m |v|² / 2``."""
    return 0.5 * np.einsum("b,...b->...", masses, np.sum(velocities**2, axis=-1))


def collide_elastic(
    p1: np.ndarray, v1: np.ndarray, m1: float, p2: np.ndarray, v2: np.ndarray, m2: float
) -> tuple[np.ndarray, np.ndarray]:
    """Velocities after an elastic collision of two disks touching at centres ``p1``, ``p2``.

    Only the components along the line of centres change; momentum and kinetic energy are conserved.

    Examples:
        >>> a, b = collide_elastic(np.zeros(2), np.array([1.0, 0]), 1.0, np.array([1.0, 0]), np.zeros(2), 1.0)
        >>> a.tolist(), b.tolist()
        ([0.0, 0.0], [1.0, 0.0])
    """
    n = p2 - p1
    n = n / np.linalg.norm(n)
    approach = float(np.dot(v1 - v2, n))
    j = 2.0 * approach / (1.0 / m1 + 1.0 / m2)  # impulse along n
    return v1 - (j / m1) * n, v2 + (j / m2) * n


def _contact_time(dp: np.ndarray, dv: np.ndarray, dist: float) -> float | None:
    """Smallest t >= 0 with |dp + dv t| = dist while approaching, or None."""
    a = float(dv @ dv)
    b = 2.0 * float(dp @ dv)
    c = float(dp @ dp) - dist**2
    if a == 0 or b >= 0:
        return None
    disc = b * b - 4 * a * c
    if disc < 0:
        return None
    t = (-b - math.sqrt(disc)) / (2 * a)
    return max(t, 0.0)


def _run_two_balls(p0: np.ndarray, v0: np.ndarray, radii: np.ndarray, frames: int) -> tuple[np.ndarray, ...]:
    """Exact event-driven motion of two disks (free flight + one elastic collision)."""
    masses = radii**2
    tc = _contact_time(p0[1] - p0[0], v0[1] - v0[0], float(radii.sum()))
    times = np.arange(frames, dtype=float)
    pos = p0[None] + times[:, None, None] * v0[None]
    vel = np.repeat(v0[None], frames, axis=0)
    if tc is not None and tc <= frames - 1:
        pc = p0 + tc * v0
        va, vb = collide_elastic(pc[0], v0[0], masses[0], pc[1], v0[1], masses[1])
        v1 = np.stack([va, vb])
        after = times >= tc
        pos[after] = pc[None] + (times[after] - tc)[:, None, None] * v1[None]
        vel[after] = v1
    return pos, vel, tc


def _inside(pos: np.ndarray, radii: np.ndarray, margin: float = 0.0) -> bool:
    lo = radii[None, :, None] + margin
    return bool(np.all(pos >= lo) and np.all(pos <= 1.0 - lo))


def _draw(rng: np.random.Generator, split: str, key: str) -> float:
    lo, hi = RANGES[split][key]
    return float(rng.uniform(lo, hi))


def simulate(
    scenario: str, *, frames: int = 16, split: str = "in", rng: np.random.Generator | int | None = None
) -> Clip:
    """Simulate one clip of ``scenario`` with parameters drawn from the ``split`` ranges.

    Args:
        scenario: ``"uniform"``, ``"collision"`` or ``"parabola"``.
        frames: clip length (at least 4).
        split: ``"in"`` or ``"out"`` (out-of-distribution speeds and radii, see :data:`RANGES`).
        rng: a NumPy generator or a seed.

    Returns:
        The :class:`Clip`; every ball stays inside the unit square in every frame.

    Examples:
        >>> clip = simulate("collision", frames=16, rng=0)
        >>> clip.positions.shape, clip.collision_frame is not None
        ((16, 2, 2), True)
        >>> bool(np.allclose(momentum(clip.masses, clip.velocities[0]), momentum(clip.masses, clip.velocities[-1])))
        True
    """
    if scenario not in SCENARIOS:
        raise SuanliError(f"scenario must be one of {SCENARIOS}, got {scenario!r}")
    if split not in RANGES:
        raise SuanliError(f"split must be 'in' or 'out', got {split!r}")
    if frames < 4:
        raise SuanliError(f"frames must be at least 4, got {frames}")
    rng = rng if isinstance(rng, np.random.Generator) else np.random.default_rng(rng)
    times = np.arange(frames, dtype=float)
    for _ in range(10_000):
        if scenario == "uniform":
            r = _draw(rng, split, "radius")
            speed, angle = _draw(rng, split, "speed"), rng.uniform(0, 2 * math.pi)
            v = speed * np.array([math.cos(angle), math.sin(angle)])
            p0 = rng.uniform(r, 1 - r, size=2)
            pos = (p0[None] + times[:, None] * v[None])[:, None, :]
            vel = np.repeat(v[None, None], frames, axis=0)
            radii = np.array([r])
            if _inside(pos, radii):
                return Clip(scenario, pos, vel, radii)
        elif scenario == "parabola":
            r = _draw(rng, split, "radius")
            speed, angle = _draw(rng, split, "speed"), rng.uniform(math.pi / 6, 5 * math.pi / 6)
            v = speed * np.array([math.cos(angle), math.sin(angle)])
            p0 = rng.uniform(r, 1 - r, size=2)
            g = np.array([0.0, -GRAVITY])
            pos = (p0[None] + times[:, None] * v[None] + 0.5 * times[:, None] ** 2 * g[None])[:, None, :]
            vel = (v[None] + times[:, None] * g[None])[:, None, :]
            radii = np.array([r])
            if _inside(pos, radii):
                return Clip(scenario, pos, vel, radii)
        else:
            radii = np.array([_draw(rng, split, "radius"), _draw(rng, split, "radius")])
            v0 = np.stack([_draw(rng, split, "speed") * _unit(rng.uniform(0, 2 * math.pi)) for _ in range(2)])
            tc = rng.uniform(frames / 4, 3 * frames / 4)
            normal = _unit(rng.uniform(0, 2 * math.pi))
            centre = rng.uniform(0.3, 0.7, size=2)
            pc = np.stack([centre - normal * radii[0], centre + normal * radii[1]])
            if float((v0[0] - v0[1]) @ normal) <= 0:  # must approach along the line of centres
                continue
            p0 = pc - tc * v0
            if np.linalg.norm(p0[1] - p0[0]) <= radii.sum():
                continue
            pos, vel, t_hit = _run_two_balls(p0, v0, radii, frames)
            if t_hit is not None and abs(t_hit - tc) < 1e-6 and _inside(pos, radii):
                return Clip(scenario, pos, vel, radii, collision_frame=float(t_hit))
    raise SuanliError(f"could not place a {scenario!r} clip of {frames} frames inside the box; use fewer frames")


def _unit(angle: float) -> np.ndarray:
    return np.array([math.cos(angle), math.sin(angle)])


def simulate_batch(
    n: int, *, frames: int = 16, split: str = "in", scenarios: tuple[str, ...] = SCENARIOS, seed: int | None = None
) -> list[Clip]:
    """``n`` clips, scenarios taken in turn from ``scenarios``, from one generator seeded with ``seed``."""
    if n < 1:
        raise SuanliError(f"n must be at least 1, got {n}")
    rng = np.random.default_rng(seed)
    return [simulate(scenarios[i % len(scenarios)], frames=frames, split=split, rng=rng) for i in range(n)]
