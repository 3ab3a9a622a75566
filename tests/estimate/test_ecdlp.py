"""The ECDLP resource estimator: published logical counts, the layout model and Webber et al.'s figures."""

from __future__ import annotations

import math

import pytest

from suanli.errors import SuanliError
from suanli.estimate.ecdlp import PUBLISHED, PUBLISHED_10_MIN, estimate, litinski2023, qubits_vs_time, roetteler2017
from suanli.estimate.surface_code_layout import (
    Hardware,
    fast_block_tiles,
    layout,
    logical_error_rate,
)


def test_roetteler_counts():
    c = roetteler2017(256)
    assert c.logical_qubits == 9 * 256 + 2 * 8 + 10 == 2330
    assert c.toffolis == pytest.approx(448 * 256**3 * 8 + 4090 * 256**3)
    assert c.toffolis == pytest.approx(1.2875e11, rel=1e-4)
    assert c.t_count == 7 * c.toffolis
    assert roetteler2017(384).logical_qubits == 9 * 384 + 2 * 9 + 10


def test_litinski_count():
    assert litinski2023(256).toffolis == 5e7
    assert litinski2023(512).toffolis == pytest.approx(4e8)


@pytest.mark.parametrize(("hours", "published"), sorted(PUBLISHED.items()))
def test_reproduces_webber_within_factor_two(hours, published):
    e = estimate(256, hours=hours, hardware=Hardware(1e-3, 1e-6, 10e-6))
    ratio = e.physical_qubits / published
    assert 0.5 <= ratio <= 2.0, ratio


def test_ten_minute_window_within_factor_two():
    e = estimate(256, hours=10 / 60)
    assert 0.5 <= e.physical_qubits / PUBLISHED_10_MIN <= 2.0


def test_hour_scale_needs_parallel_toffolis():
    e = estimate(256, hours=1)
    assert e.sequential_reaction_hours == pytest.approx(1.2875e11 * 10e-6 / 3600, rel=1e-4)
    assert e.layout.in_flight_toffolis >= e.sequential_reaction_hours  # ≥ N t_r / T Toffolis at once
    assert e.notes


def test_distance_is_the_smallest_that_meets_the_budget():
    e = estimate(256, hours=24)
    L = e.layout
    assert L.memory_failure <= e.failure_budget / 2
    tiles = L.data_tiles + 3 * L.in_flight_toffolis + 12 * L.ccz_factories
    smaller = tiles * (L.runtime_s / 1e-6) * logical_error_rate(1e-3, L.distance - 2)
    assert smaller > e.failure_budget / 2
    assert L.physical_qubits == L.data_qubits + L.in_flight_qubits + L.factory_qubits
    assert L.data_qubits == L.data_tiles * 2 * L.distance**2


def test_trade_off_curve_is_monotone():
    curve = qubits_vs_time(256, [0.1, 1, 10, 100])
    qubits = [e.physical_qubits for e in curve]
    assert qubits == sorted(qubits, reverse=True)
    # fast runs are factory-dominated: qubits ~ 1/time
    assert qubits[0] / qubits[1] == pytest.approx(10, rel=0.35)


def test_better_hardware_needs_fewer_qubits():
    base = estimate(256, hours=24).physical_qubits
    assert estimate(256, hours=24, hardware=Hardware(physical_error=5e-4)).physical_qubits < base
    assert estimate(256, hours=24, construction="litinski2023").physical_qubits < base


def test_formulas():
    assert logical_error_rate(1e-3, 3) == pytest.approx(0.1 * 0.1**2)
    assert fast_block_tiles(2330) == 2 * 2330 + math.ceil(math.sqrt(8 * 2330)) + 1


def test_errors():
    with pytest.raises(SuanliError):
        estimate(256, construction="nope")
    with pytest.raises(SuanliError):
        estimate(256, hours=0)
    with pytest.raises(SuanliError):
        Hardware(physical_error=0.02)
    with pytest.raises(SuanliError):  # magic states alone blow a tiny budget
        layout(2330, 1.3e11, 3600, failure_budget=1e-4)
    with pytest.raises(SuanliError):
        roetteler2017(1)


def test_more_time_never_costs_more_qubits():
    e1 = estimate(256, hours=1, construction="litinski2023")
    e100 = estimate(256, hours=100, construction="litinski2023")
    assert e100.physical_qubits <= e1.physical_qubits * 1.01
    assert e100.hours <= 100 and e100.target_hours == 100
