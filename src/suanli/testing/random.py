"""Random circuits for tests and benchmarks."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from ..circuit import Circuit, Parameter
from ..gates import all_gates, get_gate

__all__ = ["random_circuit"]


def random_circuit(
    num_qubits: int,
    depth: int,
    *,
    seed: int | None = None,
    gates: Sequence[str] | None = None,
    max_arity: int = 3,
    measure: bool = False,
    parameters: bool = False,
    dynamic: bool = False,
) -> Circuit:
    """A random circuit of ``depth`` layers; each layer covers the qubits with random gates.

    Args:
        num_qubits: width.
        depth: number of layers.
        seed: makes the circuit reproducible.
        gates: names to draw from (default: every table gate with arity ≤ ``max_arity``).
        max_arity: largest gate arity drawn by default.
        measure: measure every qubit at the end (into a register ``c`` of ``num_qubits`` bits).
        parameters: use :class:`Parameter` ``p0, p1, …`` instead of numbers for about half the angles.
        dynamic: sprinkle mid-circuit measurements, resets and conditioned gates (implies ``measure``).
    """
    rng = np.random.default_rng(seed)
    names = list(gates) if gates is not None else [s.name for s in all_gates() if s.num_qubits <= max_arity]
    specs = [get_gate(n) for n in names]
    specs = [s for s in specs if s.num_qubits <= num_qubits]
    if not specs:
        raise ValueError("no gate fits in the circuit")
    nclbits = num_qubits if (measure or dynamic) else 0
    c = Circuit(num_qubits, nclbits)
    pcount = 0
    for _layer in range(depth):
        order = list(rng.permutation(num_qubits))
        while order:
            fitting = [s for s in specs if s.num_qubits <= len(order)]
            spec = fitting[int(rng.integers(len(fitting)))]
            qs = [int(order.pop()) for _ in range(spec.num_qubits)]
            vals = []
            for _ in spec.params:
                if parameters and rng.random() < 0.5:
                    vals.append(float(rng.uniform(0.5, 2)) * Parameter(f"p{pcount}") + float(rng.uniform(-1, 1)))
                    pcount += 1
                else:
                    vals.append(float(rng.uniform(-2 * math.pi, 2 * math.pi)))
            if dynamic and rng.random() < 0.15:
                bit = int(rng.integers(nclbits))
                c.measure(qs[0], bit)
                if rng.random() < 0.5:
                    c.reset(qs[0])
                with c.c_if([bit], 1):
                    c.gate(spec.name, qs, vals)
            else:
                c.gate(spec.name, qs, vals)
    if measure or dynamic:
        c.measure(list(range(num_qubits)), list(range(num_qubits)))
    return c
