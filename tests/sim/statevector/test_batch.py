"""Many circuits of one shape as one batch: equal to one state at a time, and clear errors otherwise."""

from __future__ import annotations

import math

import pytest
import torch

import suanli
from suanli.experiments.rcs import brickwork_circuit

C128 = torch.complex128


@pytest.mark.parametrize("n", [3, 9, 14])  # the small-state path one by one, the kernels in the batch
def test_batch_equals_one_at_a_time(n: int) -> None:
    circuits = [brickwork_circuit(n, 6, seed=s) for s in range(5)]
    got = suanli.state_batch(circuits, device="cpu", dtype=C128)
    assert got.shape == (5, 1 << n)
    for b, c in enumerate(circuits):
        assert torch.allclose(got[b], suanli.state(c, device="cpu", dtype=C128), atol=1e-12)
    single = suanli.state_batch(circuits[:1], device="cpu", dtype=C128, fusion=None)
    assert torch.allclose(single[0], got[0], atol=1e-12)


def test_sycamore_instances_and_mixed_gate_kinds() -> None:
    """Sycamore circuits with other seeds share their shape; a diagonal gate beside a dense one is fine."""
    circuits = [suanli.sycamore_circuit(4, grid=(3, 4), seed=s) for s in range(3)]
    got = suanli.state_batch(circuits, device="cpu", dtype=C128, fusion=3)
    for b, c in enumerate(circuits):
        assert torch.allclose(got[b], suanli.state(c, device="cpu", dtype=C128), atol=1e-12)
    a = suanli.Circuit(2).h(0).rz(0.3, 1).cx(0, 1)
    b = suanli.Circuit(2).h(0).rx(1.1, 1).cx(0, 1)
    got = suanli.state_batch([a, b], device="cpu", dtype=C128)
    assert torch.allclose(got[1], suanli.state(b, device="cpu", dtype=C128), atol=1e-12)
    assert abs(got[0].abs().square().sum().item() - 1) < 1e-12


def test_circuits_of_other_shapes_are_refused() -> None:
    a = suanli.Circuit(3).h(0).cx(0, 1)
    with pytest.raises(suanli.SuanliError, match="gate 1 of circuit 1 is cx on qubits \\[0, 2\\]"):
        suanli.state_batch([a, suanli.Circuit(3).h(0).cx(0, 2)])
    with pytest.raises(suanli.SuanliError, match="same shape"):
        suanli.state_batch([a, suanli.Circuit(3).h(0)])
    with pytest.raises(suanli.SuanliError, match="one width"):
        suanli.state_batch([a, suanli.Circuit(4).h(0).cx(0, 1)])
    with pytest.raises(suanli.SuanliError, match="at least one"):
        suanli.state_batch([])
    with pytest.raises(suanli.SuanliError, match="tensor parameters"):
        suanli.state_batch([suanli.Circuit(1).ry(torch.tensor([0.1, 0.2]), 0)])
    m = suanli.Circuit(2, 1).h(0).measure(0, 0).cx(0, 1)
    with pytest.raises(suanli.SimulationError, match="pure final state"):
        suanli.state_batch([m])
    assert math.isclose(float(suanli.state_batch([a], device="cpu").abs().square().sum()), 1.0, rel_tol=1e-6)
