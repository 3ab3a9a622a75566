"""The 2-D physics simulator: conservation laws, kinematics, ranges and seeds."""

from __future__ import annotations

import numpy as np
import pytest

from suanli.errors import SuanliError
from suanli.experiments.video.physics import (
    GRAVITY,
    RANGES,
    collide_elastic,
    kinetic_energy,
    momentum,
    simulate,
    simulate_batch,
)


@pytest.mark.parametrize("split", ["in", "out"])
def test_collisions_conserve_momentum_and_energy(split):
    rng = np.random.default_rng(0)
    for _ in range(40):
        clip = simulate("collision", frames=16, split=split, rng=rng)
        assert clip.collision_frame is not None and 0 < clip.collision_frame < 15
        m, v = clip.masses, clip.velocities
        np.testing.assert_allclose(momentum(m, v[-1]), momentum(m, v[0]), rtol=0, atol=1e-14)
        np.testing.assert_allclose(kinetic_energy(m, v[-1]), kinetic_energy(m, v[0]), rtol=1e-12)
        # the velocities really changed, and the balls touched (never overlapped) at the collision
        assert not np.allclose(v[0], v[-1])
        t = clip.collision_frame
        p_hit = clip.positions[0] + t * v[0]
        assert abs(np.linalg.norm(p_hit[1] - p_hit[0]) - clip.radii.sum()) < 1e-9
        gaps = np.linalg.norm(clip.positions[:, 1] - clip.positions[:, 0], axis=-1) - clip.radii.sum()
        assert gaps.min() > -1e-9


def test_head_on_equal_masses_exchange_velocities_and_unequal_follow_closed_form():
    a, b = collide_elastic(np.zeros(2), np.array([2.0, 0.0]), 1.0, np.array([1.0, 0.0]), np.array([-1.0, 0.0]), 1.0)
    np.testing.assert_allclose(a, [-1.0, 0.0])
    np.testing.assert_allclose(b, [2.0, 0.0])
    m1, m2, u1 = 1.0, 3.0, 1.0  # 1-D closed form: v1 = (m1-m2)/(m1+m2) u1, v2 = 2 m1/(m1+m2) u1
    a, b = collide_elastic(np.zeros(2), np.array([u1, 0.0]), m1, np.array([1.0, 0.0]), np.zeros(2), m2)
    np.testing.assert_allclose(a, [(m1 - m2) / (m1 + m2) * u1, 0.0])
    np.testing.assert_allclose(b, [2 * m1 / (m1 + m2) * u1, 0.0])


def test_uniform_and_parabolic_kinematics_and_box():
    rng = np.random.default_rng(1)
    for _ in range(20):
        u = simulate("uniform", frames=16, rng=rng)
        np.testing.assert_allclose(np.diff(u.positions, 2, axis=0), 0, atol=1e-15)
        p = simulate("parabola", frames=16, rng=rng)
        acc = np.diff(p.positions[:, 0], 2, axis=0)
        np.testing.assert_allclose(acc, np.tile([0.0, -GRAVITY], (14, 1)), atol=1e-15)
        np.testing.assert_allclose(np.diff(p.positions[:, 0], axis=0), (p.velocities[:-1, 0] + p.velocities[1:, 0]) / 2)
        for clip in (u, p):
            r = clip.radii[None, :, None]
            assert np.all(clip.positions >= r) and np.all(clip.positions <= 1 - r)


@pytest.mark.parametrize("split", ["in", "out"])
def test_parameters_come_from_their_ranges(split):
    lo_s, hi_s = RANGES[split]["speed"]
    lo_r, hi_r = RANGES[split]["radius"]
    for clip in simulate_batch(30, frames=16, split=split, seed=2):
        assert np.all((clip.radii >= lo_r) & (clip.radii <= hi_r))
        speed = np.linalg.norm(clip.velocities[0], axis=-1)
        assert np.all((speed >= lo_s - 1e-12) & (speed <= hi_s + 1e-12))
    assert RANGES["in"]["speed"][1] < RANGES["out"]["speed"][0]
    assert RANGES["in"]["radius"][1] < RANGES["out"]["radius"][0]


def test_seed_reproducible_and_errors():
    a = simulate_batch(6, frames=12, seed=5)
    b = simulate_batch(6, frames=12, seed=5)
    assert all(np.array_equal(x.positions, y.positions) for x, y in zip(a, b))
    assert [c.scenario for c in a] == ["uniform", "collision", "parabola"] * 2
    with pytest.raises(SuanliError, match="scenario"):
        simulate("bounce")
    with pytest.raises(SuanliError, match="split"):
        simulate("uniform", split="mid")
    with pytest.raises(SuanliError, match="frames"):
        simulate("uniform", frames=2)
