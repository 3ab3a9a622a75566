"""Assertions used by the tests: state comparison up to tolerance, gate-record consistency, unitaries."""

from __future__ import annotations

from typing import Any

import numpy as np
import torch

from ..circuit import Circuit
from ..gates import GateSpec, get_gate

__all__ = ["assert_gate_consistent", "assert_states_close", "unitary"]


def unitary(circuit: Circuit, *, params: Any = None, dtype: torch.dtype = torch.complex128) -> np.ndarray:
    """The circuit's unitary (big-endian), built column by column with the state-vector simulator.

    Intended for checks on small circuits (≤ 10 qubits).
    """
    from ..sim.statevector.api import _unitary_ops
    from ..sim.statevector.engine import compile_circuit, run_ops
    from ..sim.statevector.kernels import StateVector

    n = circuit.num_qubits
    if n > 10:
        raise ValueError(f"unitary() is for small circuits; {n} qubits would need {4**n * 16} bytes")
    compiled = compile_circuit(circuit, params, dtype=dtype, device=torch.device("cpu"))
    if compiled.batch is not None:
        raise ValueError("unitary() does not take a batch of parameters")
    ops = _unitary_ops(compiled, "unitary")
    eye = torch.eye(1 << n, dtype=dtype)
    with torch.no_grad():
        sv = StateVector(n, batch=1 << n, dtype=dtype, data=eye, inplace=True)
        run_ops(sv, ops)
        cols = sv.canonical()
    return cols.T.numpy().copy()


def assert_states_close(actual: Any, desired: Any, *, atol: float = 1e-6, up_to_phase: bool = False) -> None:
    """Assert two state vectors are equal within ``atol`` (max-abs), optionally up to a global phase."""
    a = np.asarray(actual.detach().cpu() if isinstance(actual, torch.Tensor) else actual, dtype=np.complex128)
    b = np.asarray(desired.detach().cpu() if isinstance(desired, torch.Tensor) else desired, dtype=np.complex128)
    if a.shape != b.shape:
        raise AssertionError(f"shapes differ: {a.shape} vs {b.shape}")
    if up_to_phase:
        k = int(np.argmax(np.abs(b)))
        if abs(a[k]) > 0:
            a = a * (b[k] / a[k]) / abs(b[k] / a[k])
    err = float(np.max(np.abs(a - b))) if a.size else 0.0
    if err > atol:
        raise AssertionError(f"states differ by {err:.3g} (max abs) > atol={atol:g}")


def assert_gate_consistent(spec: GateSpec | str, *, trials: int = 3, atol: float = 1e-10, seed: int = 0) -> None:
    """Check a gate record: unitary matrix, correct inverse, definition equal to the matrix, batch support."""
    if isinstance(spec, str):
        spec = get_gate(spec)
    rng = np.random.default_rng(seed)
    d = spec.dim
    for _ in range(trials):
        params = [float(x) for x in rng.uniform(-2 * np.pi, 2 * np.pi, spec.num_params)]
        m = spec.matrix(*params, dtype=torch.complex128).numpy()
        if m.shape != (d, d):
            raise AssertionError(f"{spec.name}: matrix shape {m.shape}, expected {(d, d)}")
        if not np.allclose(m @ m.conj().T, np.eye(d), atol=atol):
            raise AssertionError(f"{spec.name}: matrix is not unitary at {params}")
        iname, iparams = spec.inverse(*params)
        mi = get_gate(iname).matrix(*[float(p) for p in iparams], dtype=torch.complex128).numpy()
        if not np.allclose(mi @ m, np.eye(d), atol=atol):
            raise AssertionError(f"{spec.name}: inverse {iname}{tuple(iparams)} is wrong")
        if spec.diagonal and not np.allclose(m, np.diag(np.diag(m)), atol=atol):
            raise AssertionError(f"{spec.name}: marked diagonal but is not")
        if spec.definition is not None:
            c = Circuit(spec.num_qubits)
            for name, qubits, ps in spec.definition(*params):
                c.gate(name, qubits, ps)
            u = unitary(c)
            if not np.allclose(u, m, atol=atol):
                raise AssertionError(f"{spec.name}: definition differs from the matrix by {np.abs(u - m).max():.3g}")
    if spec.num_params:
        batch = torch.tensor(rng.uniform(-3, 3, (spec.num_params, 4)))
        mb = spec.matrix(*batch, dtype=torch.complex128)
        for i in range(4):
            single = spec.matrix(*[float(b[i]) for b in batch], dtype=torch.complex128)
            if not torch.allclose(mb[i], single, atol=atol):
                raise AssertionError(f"{spec.name}: batched matrix differs from the single one")
