"""State vectors and exact probabilities against independent oracles: Qiskit's ``Statevector`` and
``DensityMatrix`` (little-endian, converted), and a NumPy tensordot simulator."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

import suanli
from conftest import (
    numpy_apply,
    qiskit_state,
    random_unitary,
    reverse_qubits_vector,
    to_qiskit,
)
from suanli import Circuit, Parameter, SimulationError
from suanli.sim.statevector.kernels import StateVector
from suanli.testing import assert_states_close, random_circuit, unitary

CPU = "cpu"


def _bindings(circuit: Circuit, seed: int) -> dict[str, float]:
    vals = np.random.default_rng(seed).uniform(-3, 3, circuit.num_parameters)
    return {p.name: float(v) for p, v in zip(circuit.parameters, vals)}


# ---------------------------------------------------------------------------------------------------------
# random circuits vs Qiskit
# ---------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("n", range(1, 11))
@pytest.mark.parametrize("parametrised", [False, True])
def test_random_circuits_match_qiskit(n: int, parametrised: bool) -> None:
    for rep in range(2):
        seed = 1000 * n + 10 * rep + parametrised
        c = random_circuit(n, 6, seed=seed, max_arity=5, parameters=parametrised)
        b = _bindings(c, seed)
        ref = qiskit_state(c, b)
        s128 = suanli.state(c, params=b, dtype=torch.complex128, device=CPU)
        s64 = suanli.state(c, params=b, device=CPU)
        assert s128.dtype == torch.complex128 and s64.dtype == torch.complex64
        assert s128.shape == s64.shape == (1 << n,)
        assert_states_close(s128, ref, atol=1e-12)
        assert_states_close(s64, ref, atol=1e-6)
        # bound parameters and run-time parameters give the same state
        if b:
            assert_states_close(suanli.state(c.bind(b), dtype=torch.complex128, device=CPU), s128, atol=1e-14)


def test_big_endian_convention() -> None:
    """|10> is index 2: qubit 0 is the most significant bit."""
    s = suanli.state(Circuit(2).x(0), device=CPU)
    assert s.abs().argmax().item() == 2
    s3 = suanli.state(Circuit(3).x(2), device=CPU)
    assert s3.abs().argmax().item() == 1
    # cx(0, 1) on |10> gives |11>
    assert suanli.state(Circuit(2).x(0).cx(0, 1), device=CPU).abs().argmax().item() == 3
    # the conversion from Qiskit is needed (not a tautology)
    from qiskit import QuantumCircuit
    from qiskit.quantum_info import Statevector

    qc = QuantumCircuit(3)
    qc.x(2)
    raw = Statevector(qc).data
    assert np.argmax(np.abs(raw)) == 4 and np.argmax(np.abs(reverse_qubits_vector(raw, 3))) == 1


def test_every_gate_in_one_circuit_matches_qiskit() -> None:
    rng = np.random.default_rng(77)
    n = 6
    c = Circuit(n).h(range(n))
    for spec in suanli.all_gates():
        for _ in range(2):
            qs = [int(q) for q in rng.permutation(n)[: spec.num_qubits]]
            c.gate(spec.name, qs, [float(x) for x in rng.uniform(-4, 4, spec.num_params)])
    assert_states_close(suanli.state(c, dtype=torch.complex128, device=CPU), qiskit_state(c), atol=1e-12)
    assert_states_close(suanli.state(c, device=CPU), qiskit_state(c), atol=1e-6)


def test_unitary_helper_matches_qiskit_operator() -> None:
    from qiskit.quantum_info import Operator

    from conftest import reverse_qubits_matrix

    c = random_circuit(4, 5, seed=9, max_arity=4)
    np.testing.assert_allclose(unitary(c), reverse_qubits_matrix(Operator(to_qiskit(c)).data, 4), atol=1e-12)


def test_dtype_names_and_errors() -> None:
    c = Circuit(1).h(0)
    for name, dt in [("single", torch.complex64), ("double", torch.complex128), ("c128", torch.complex128),
                     ("complex64", torch.complex64)]:
        assert suanli.state(c, dtype=name, device=CPU).dtype == dt
    with pytest.raises(suanli.SuanliError, match="dtype must be"):
        suanli.state(c, dtype=torch.float64, device=CPU)
    with pytest.raises(suanli.DeviceError):
        suanli.state(c, device="tpu")
    with pytest.raises(suanli.SuanliError, match=r"expected a suanli\.Circuit"):
        suanli.state("h q[0];", device=CPU)  # type: ignore[arg-type]
    if not torch.cuda.is_available():
        with pytest.raises(suanli.DeviceError, match="no CUDA"):
            suanli.state(c, device="cuda")


def test_empty_and_tiny_circuits() -> None:
    assert suanli.state(Circuit(0), device=CPU).tolist() == [1]
    assert suanli.state(Circuit(3), device=CPU).tolist() == [1, 0, 0, 0, 0, 0, 0, 0]
    ident = Circuit(2).id(0).u0(0.3, 1).barrier().i(1)
    assert suanli.state(ident, device=CPU).tolist() == [1, 0, 0, 0]


# ---------------------------------------------------------------------------------------------------------
# probabilities and marginals
# ---------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("seed", range(5))
def test_probabilities_and_marginals_match_qiskit(seed: int) -> None:
    from qiskit.quantum_info import Statevector

    n = 3 + seed
    c = random_circuit(n, 5, seed=seed, max_arity=3)
    sv = Statevector(to_qiskit(c))
    full = reverse_qubits_vector(sv.probabilities(), n)
    p = suanli.probabilities(c, device=CPU)
    assert p.dtype == torch.float64 and p.shape == (1 << n,)
    np.testing.assert_allclose(p.numpy(), full, atol=1e-12)
    assert suanli.probabilities(c, device=CPU, dtype=torch.complex64).dtype == torch.float32
    rng = np.random.default_rng(seed)
    for k in (1, 2, n - 1, n):
        qubits = [int(q) for q in rng.permutation(n)[:k]]
        mine = suanli.probabilities(c, qubits=qubits, device=CPU).numpy()
        # Qiskit's probabilities(qargs) is little-endian over qargs: qargs[0] is the least significant bit,
        # so asking for the reversed list gives suanli's big-endian order over `qubits`
        theirs = sv.probabilities(qargs=qubits[::-1])
        np.testing.assert_allclose(mine, theirs, atol=1e-12, err_msg=f"qubits={qubits}")
        assert mine.sum() == pytest.approx(1.0, abs=1e-12)


def test_marginals_of_many_scattered_qubits() -> None:
    """21 qubits, every other one kept: the reduction takes its many-axes path; NumPy sums as reference."""
    n = 21
    rng = np.random.default_rng(0)
    c = Circuit(n)
    for q in range(n):
        c.ry(float(rng.uniform(0, 3)), q)
    for q in range(0, n - 1, 3):
        c.cx(q, q + 1)
    sel = list(range(0, n, 2))[::-1]  # descending order on purpose
    got = suanli.probabilities(c, qubits=sel, device=CPU).numpy()
    full = suanli.probabilities(c, device=CPU).numpy().reshape([2] * n)
    ref = full.sum(axis=tuple(q for q in range(n) if q not in sel))  # remaining axes: increasing qubit order
    ref = np.transpose(ref, [sorted(sel).index(q) for q in sel]).reshape(-1)
    np.testing.assert_allclose(got, ref, atol=1e-14)
    # product state check of the full distribution on two qubits the CX chain did not touch
    p20 = suanli.probabilities(c, qubits=[20], device=CPU).numpy()
    assert p20[1] == pytest.approx(math.sin(float(c[20].params[0]) / 2) ** 2, abs=1e-12)


def test_marginal_order_is_the_order_given() -> None:
    c = Circuit(3).x(2).h(0)
    np.testing.assert_allclose(suanli.probabilities(c, qubits=[2, 0], device=CPU).numpy(), [0, 0, 0.5, 0.5])
    np.testing.assert_allclose(suanli.probabilities(c, qubits=[0, 2], device=CPU).numpy(), [0, 0.5, 0, 0.5])
    with pytest.raises(suanli.SuanliError, match="distinct"):
        suanli.probabilities(c, qubits=[0, 0], device=CPU)
    with pytest.raises(suanli.SuanliError, match=r"0\.\.2"):
        suanli.probabilities(c, qubits=[3], device=CPU)


def test_probabilities_ignore_terminal_measurements() -> None:
    c = random_circuit(4, 4, seed=2)
    m = c.copy()
    m.add_creg("m", 4)
    m.measure(range(4), range(4))
    np.testing.assert_allclose(suanli.probabilities(m, device=CPU).numpy(),
                               suanli.probabilities(c, device=CPU).numpy(), atol=1e-15)
    assert_states_close(suanli.state(m, device=CPU), suanli.state(c, device=CPU), atol=0)


def _dephase_kraus() -> object:
    from qiskit.quantum_info import Kraus

    return Kraus([np.diag([1.0, 0.0]), np.diag([0.0, 1.0])])


@pytest.mark.parametrize("seed", range(4))
def test_dynamic_probabilities_match_density_matrix(seed: int) -> None:
    """Mid-circuit measurements (unread) and resets: the qubits' final distribution equals that of a density
    matrix evolved with a dephasing channel per measurement and Qiskit's reset."""
    from qiskit import QuantumCircuit
    from qiskit.quantum_info import DensityMatrix

    from conftest import qiskit_gate

    rng = np.random.default_rng(seed)
    n = 4
    c = Circuit(n, n)
    rho = DensityMatrix.from_label("0" * n)
    for _ in range(30):
        r = rng.random()
        q = int(rng.integers(n))
        if r < 0.15:
            c.measure(q, q)
            rho = rho.evolve(_dephase_kraus(), [q])
        elif r < 0.25:
            c.reset(q)
            rho = rho.reset([q])
        else:
            small = [s for s in suanli.all_gates() if s.num_qubits <= 3]
            spec = small[int(rng.integers(len(small)))]
            qs = [int(x) for x in rng.permutation(n)[: spec.num_qubits]]
            ps = [float(x) for x in rng.uniform(-3, 3, spec.num_params)]
            c.gate(spec.name, qs, ps)
            qc = QuantumCircuit(n)
            qc.append(qiskit_gate(spec.name, ps), qs)
            rho = rho.evolve(qc)
    want = reverse_qubits_vector(rho.probabilities(), n)
    got = suanli.probabilities(c, device=CPU).numpy()
    np.testing.assert_allclose(got, want, atol=1e-12)
    marg = suanli.probabilities(c, qubits=[3, 1], device=CPU).numpy()
    np.testing.assert_allclose(marg, rho.probabilities(qargs=[1, 3]), atol=1e-12)


def test_teleportation_probabilities_are_exact() -> None:
    """Conditions on measured bits are followed exactly: teleportation moves ry(θ)|0> from qubit 0 to 2."""
    theta = 1.1
    c = Circuit(3, 2).ry(theta, 0).h(1).cx(1, 2).cx(0, 1).h(0).measure([0, 1], [0, 1])
    with c.c_if(1, 1):
        c.x(2)
    with c.c_if(0, 1):
        c.z(2)
    p = suanli.probabilities(c, qubits=[2], device=CPU).numpy()
    np.testing.assert_allclose(p, [math.cos(theta / 2) ** 2, math.sin(theta / 2) ** 2], atol=1e-12)
    with pytest.raises(SimulationError, match="one pure final state"):
        suanli.state(c, device=CPU)
    with pytest.raises(SimulationError, match="probabilities\\(\\), sample\\(\\)"):
        suanli.expectation(c, "Z2", device=CPU)


# ---------------------------------------------------------------------------------------------------------
# resets and conditions in state()
# ---------------------------------------------------------------------------------------------------------
def test_reset_on_untouched_qubit_is_allowed() -> None:
    c = Circuit(3).reset(0).h(0).cx(0, 1).reset(2).reset([2])
    assert_states_close(suanli.state(c, device=CPU), suanli.state(Circuit(3).h(0).cx(0, 1), device=CPU), atol=0)


@pytest.mark.parametrize(
    "build",
    [
        lambda: Circuit(2).h(0).reset(0),
        lambda: Circuit(2).cx(1, 0).reset(0),
        lambda: Circuit(2, 1).h(0).measure(0, 0).h(0),  # mid-circuit measurement
        lambda: Circuit(2, 1).h(0).measure(0, 0).reset(0),
    ],
)
def test_non_unitary_circuits_are_refused(build: object) -> None:
    c = build()  # type: ignore[operator]
    for fn in (suanli.state, lambda circ, **kw: suanli.expectation(circ, "Z0", **kw)):
        with pytest.raises(SimulationError, match="one pure final state"):
            fn(c, device=CPU)


def test_condition_on_measured_bit_is_refused() -> None:
    c = Circuit(2, 1).h(0).measure(0, 0)
    with c.c_if(0, 1):
        c.x(1)
    with pytest.raises(SimulationError, match="conditions on a measured bit"):
        suanli.state(c, device=CPU)


def test_condition_on_unwritten_bit_reads_zero() -> None:
    """A condition on a bit no measurement wrote is decided (bits start at 0), as Qiskit decides it."""
    c = Circuit(2, 2).h(0)
    with c.c_if("c", 0):
        c.x(1)  # runs
    with c.c_if(1, 1):
        c.z(0)  # skipped
    s = suanli.state(c, dtype=torch.complex128, device=CPU)
    want = np.zeros(4)
    want[[1, 3]] = 1 / math.sqrt(2)  # (|0> + |1>)|1>
    assert_states_close(s, want, atol=1e-15)


# ---------------------------------------------------------------------------------------------------------
# batches of parameters
# ---------------------------------------------------------------------------------------------------------
def test_batch_equals_per_element_runs() -> None:
    t, p = Parameter("t"), Parameter("p")
    c = Circuit(4).h(range(4)).rx(t, 0).cx(0, 2).ry(2 * t + p, 3).crz(p, 3, 1).rzz(t, 0, 3).u3(t, p, 0.2, 1)
    c.cp(torch.tensor([0.1, 0.2, 0.3]), 1, 2)  # a batched tensor in the circuit itself
    tb = torch.tensor([0.1, -0.7, 2.2], dtype=torch.float64)
    for dt in (torch.complex64, torch.complex128):
        s = suanli.state(c, params={"t": tb, "p": 0.4}, dtype=dt, device=CPU)
        pr = suanli.probabilities(c, params={"t": tb, "p": 0.4}, qubits=[3, 1], dtype=dt, device=CPU)
        ex = suanli.expectation(c, ["Z0*X3", "Y1"], params={"t": tb, "p": 0.4}, dtype=dt, device=CPU)
        assert s.shape == (3, 16) and pr.shape == (3, 4) and ex.shape == (3, 2)
        tol = 1e-12 if dt == torch.complex128 else 1e-6
        for i in range(3):
            single = c.copy_empty()
            for inst in c:
                if inst.name == "cp":
                    single.cp(float(inst.params[0][i]), *inst.qubits)
                else:
                    single.append(inst)
            b = {"t": float(tb[i]), "p": 0.4}
            assert_states_close(s[i], qiskit_state(single, b), atol=tol)
            assert_states_close(s[i], suanli.state(single, params=b, dtype=dt, device=CPU), atol=tol)
            np.testing.assert_allclose(
                pr[i].numpy(), suanli.probabilities(single, params=b, qubits=[3, 1], dtype=dt, device=CPU).numpy(),
                atol=tol)
            np.testing.assert_allclose(
                ex[i].numpy(), suanli.expectation(single, ["Z0*X3", "Y1"], params=b, dtype=dt, device=CPU).numpy(),
                atol=tol)


def test_batch_sizes_must_agree() -> None:
    c = Circuit(2).rx(torch.tensor([1.0, 2.0]), 0).rx(Parameter("a"), 1)
    with pytest.raises(suanli.ParameterError, match="batch size 3 differs"):
        suanli.state(c, params={"a": torch.tensor([1.0, 2.0, 3.0])}, device=CPU)
    with pytest.raises(ValueError, match="batch"):
        unitary(c, params={"a": 0.3})


def test_batched_dynamic_probabilities() -> None:
    t = Parameter("t")
    c = Circuit(2, 1).ry(t, 0).measure(0, 0).reset(0).ry(t, 0).cx(0, 1)
    tb = torch.tensor([0.3, 1.9])
    p = suanli.probabilities(c, params={"t": tb}, device=CPU)
    assert p.shape == (2, 4)
    for i in range(2):
        np.testing.assert_allclose(p[i].numpy(), suanli.probabilities(c, params={"t": float(tb[i])},
                                                                       device=CPU).numpy(), atol=1e-6)
        s = math.sin(float(tb[i]) / 2) ** 2
        np.testing.assert_allclose(p[i].numpy(), [1 - s, 0, 0, s], atol=1e-6)


# ---------------------------------------------------------------------------------------------------------
# gradients
# ---------------------------------------------------------------------------------------------------------
OBS = "Z0*Z1 + 0.5*X2 - 0.7*Y0*Y2 + 0.3*Z1*X2"


def _ansatz() -> Circuit:
    t, p = Parameter("t"), Parameter("p")
    return (Circuit(3).h([0, 1, 2]).rx(t, 0).cx(0, 1).ry(2 * t + p, 1).crz(p, 1, 2).u3(t, p, 0.2, 2)
            .rzz(t, 0, 2).fsim(p, t.sin(), 1, 2))


def _energy(c: Circuit, t: float, p: float) -> float:
    return float(suanli.expectation(c, OBS, params={"t": t, "p": p}, dtype=torch.complex128, device=CPU))


def test_autograd_matches_finite_differences() -> None:
    c = _ansatz()
    t = torch.tensor(0.3, dtype=torch.float64, requires_grad=True)
    p = torch.tensor(-0.8, dtype=torch.float64, requires_grad=True)
    e = suanli.expectation(c, OBS, params={"t": t, "p": p}, dtype=torch.complex128, device=CPU)
    assert e.requires_grad
    e.backward()
    h = 1e-6
    dt = (_energy(c, 0.3 + h, -0.8) - _energy(c, 0.3 - h, -0.8)) / (2 * h)
    dp = (_energy(c, 0.3, -0.8 + h) - _energy(c, 0.3, -0.8 - h)) / (2 * h)
    assert float(t.grad) == pytest.approx(dt, abs=1e-7)
    assert float(p.grad) == pytest.approx(dp, abs=1e-7)
    # the energy itself agrees with Qiskit
    from qiskit.quantum_info import SparsePauliOp, Statevector

    qc = to_qiskit(c, {"t": 0.3, "p": -0.8})
    op = SparsePauliOp.from_sparse_list(
        [("ZZ", [0, 1], 1.0), ("X", [2], 0.5), ("YY", [0, 2], -0.7), ("ZX", [1, 2], 0.3)], num_qubits=3)
    assert float(e.detach()) == pytest.approx(Statevector(qc).expectation_value(op).real, abs=1e-12)


@pytest.mark.parametrize("gate", ["rx", "ry", "rz"])
def test_autograd_matches_parameter_shift(gate: str) -> None:
    """For a Pauli rotation used once, dE/dθ = (E(θ+π/2) − E(θ−π/2))/2 exactly."""
    rng = np.random.default_rng(5)
    base = random_circuit(3, 3, seed=12, gates=["h", "cx", "ry", "rz", "t", "sx"])
    tail = random_circuit(3, 2, seed=13, gates=["h", "cx", "rx", "s", "cz"])
    theta = Parameter("theta")
    c = base.copy()
    c.gate(gate, [1], [theta])
    c = c.compose(tail)
    obs = "Z0*X1 + 0.4*Y1*Z2 - X0*Y2 + 0.2*Z1"
    for th0 in rng.uniform(-3, 3, 3):
        t = torch.tensor(float(th0), dtype=torch.float64, requires_grad=True)
        e = suanli.expectation(c, obs, params={"theta": t}, dtype=torch.complex128, device=CPU)
        (g,) = torch.autograd.grad(e, t)

        def ev(x: float) -> float:
            return float(suanli.expectation(c, obs, params={"theta": x}, dtype=torch.complex128, device=CPU))

        shift = (ev(th0 + math.pi / 2) - ev(th0 - math.pi / 2)) / 2
        assert float(g) == pytest.approx(shift, abs=1e-12)
        assert abs(shift) > 1e-6 or abs(float(g)) < 1e-9


def test_gradients_of_states_and_probabilities() -> None:
    """Gradients flow through state() and probabilities() as well, in complex64 and complex128."""
    a = torch.tensor([0.4, 1.2], dtype=torch.float64, requires_grad=True)  # a batch with gradients
    c = Circuit(2).ry(a, 0).cx(0, 1).rx(0.3, 1)
    p = suanli.probabilities(c, qubits=[1], device=CPU)
    p[:, 1].sum().backward()
    # P(q1 = 1) = sin²(a/2)cos²(0.15) + cos²(a/2)sin²(0.15); derivative: sin(a)/2·(cos²−sin²)(0.15)
    want = np.sin(a.detach().numpy()) / 2 * math.cos(0.3)
    np.testing.assert_allclose(a.grad.numpy(), want, atol=1e-12)
    b = torch.tensor(0.7, requires_grad=True)
    s = suanli.state(Circuit(1).rx(b, 0), device=CPU)
    assert s.dtype == torch.complex64
    s[1].imag.backward()  # amplitude of |1> is -i sin(b/2)
    assert float(b.grad) == pytest.approx(-0.5 * math.cos(0.35), abs=1e-6)


def test_no_grad_when_not_asked() -> None:
    c = Circuit(1).rx(torch.tensor(0.3), 0)
    assert not suanli.state(c, device=CPU).requires_grad
    with torch.no_grad():
        t = torch.tensor(0.3, requires_grad=True)
        assert not suanli.state(Circuit(1).rx(t, 0), device=CPU).requires_grad


# ---------------------------------------------------------------------------------------------------------
# custom gates
# ---------------------------------------------------------------------------------------------------------
def test_custom_gates_nested() -> None:
    t = Parameter("t")
    inner = Circuit(2, name="inner").ry(t, 0).cx(0, 1).rzx(2 * t, 1, 0).iswap(0, 1).to_gate()
    mid = (Circuit(3, name="mid").gate(inner, [2, 0], [t + 0.5]).ccz(0, 1, 2).barrier()
           .gate(inner, [0, 1], [-t]).to_gate())
    c = Circuit(5).h(range(5)).gate(mid, [4, 1, 3], [Parameter("a")]).gate(inner, [0, 2], [0.9]).cx(3, 0)
    b = {"a": 0.37}
    flat = Circuit(5).h(range(5))
    # hand-unrolled reference
    for q, pp in (((3, 4), 0.37 + 0.5),):
        flat.ry(pp, q[0]).cx(q[0], q[1]).rzx(2 * pp, q[1], q[0]).iswap(q[0], q[1])
    flat.ccz(4, 1, 3)
    flat.ry(-0.37, 4).cx(4, 1).rzx(-0.74, 1, 4).iswap(4, 1)
    flat.ry(0.9, 0).cx(0, 2).rzx(1.8, 2, 0).iswap(0, 2).cx(3, 0)
    s = suanli.state(c, params=b, dtype=torch.complex128, device=CPU)
    assert_states_close(s, suanli.state(flat, dtype=torch.complex128, device=CPU), atol=1e-12)
    assert_states_close(s, qiskit_state(c, b), atol=1e-12)
    # a gradient through a custom gate's parameter
    a = torch.tensor(0.37, dtype=torch.float64, requires_grad=True)
    e = suanli.expectation(c, "Z0*Z4 + X2", params={"a": a}, dtype=torch.complex128, device=CPU)
    e.backward()
    h = 1e-6
    fd = (float(suanli.expectation(c, "Z0*Z4 + X2", params={"a": 0.37 + h}, dtype=torch.complex128, device=CPU))
          - float(suanli.expectation(c, "Z0*Z4 + X2", params={"a": 0.37 - h}, dtype=torch.complex128, device=CPU)))
    assert float(a.grad) == pytest.approx(fd / (2 * h), abs=1e-7)


def test_custom_gate_that_shadows_a_table_name_uses_its_body() -> None:
    fake_h = Circuit(1, name="h").x(0).to_gate()
    s = suanli.state(Circuit(1).gate(fake_h, [0]), device=CPU)
    assert s.abs().argmax().item() == 1


def test_opaque_gate_is_refused() -> None:
    op = suanli.GateDefinition("blackbox", (), 1, opaque=True)
    with pytest.raises(SimulationError, match="opaque"):
        suanli.state(Circuit(1).gate(op, [0]), device=CPU)


# ---------------------------------------------------------------------------------------------------------
# kernel layout stress
# ---------------------------------------------------------------------------------------------------------
def _runs(sv: StateVector) -> int:
    return 1 + sum(1 for q in range(sv.n - 1) if sv.pos[q + 1] != sv.pos[q] + 1)


@pytest.mark.parametrize(("n", "inplace", "batch"), [(12, True, 1), (14, False, 2), (16, True, 2), (16, False, 1)])
def test_kernel_layout_stress_vs_numpy(n: int, inplace: bool, batch: int) -> None:
    """Many dense and diagonal gates on random, non-adjacent qubits permute the axes; the canonical state
    must still equal a plain NumPy simulation (forcing the chunked restore when the layout has > 12 runs)."""
    rng = np.random.default_rng(n * 10 + batch)
    sv = StateVector(n, batch=batch, dtype=torch.complex128, inplace=inplace)
    ref = np.zeros((batch, 1 << n), complex)
    ref[:, 0] = 1
    for _ in range(120):
        k = int(rng.integers(1, 5))
        qs = [int(q) for q in rng.permutation(n)[:k]]
        batched = batch > 1 and rng.random() < 0.5
        if rng.random() < 0.4:
            d = np.exp(1j * rng.uniform(0, 6, (batch, 1 << k)))
            sv.apply_diagonal(torch.tensor(d if batched else d[0]), tuple(qs))
            mats = [np.diag(d[b] if batched else d[0]) for b in range(batch)]
        else:
            us = [random_unitary(1 << k, rng) for _ in range(batch)]
            sv.apply_matrix(torch.tensor(np.stack(us) if batched else us[0]), tuple(qs))
            mats = [us[b] if batched else us[0] for b in range(batch)]
        for b in range(batch):
            ref[b] = numpy_apply(ref[b], mats[b], qs, n)
    runs = _runs(sv)
    if n == 16:
        assert runs > 12, f"only {runs} runs: the chunked restore is not exercised"
    out = sv.canonical()
    assert sv.perm == list(range(n))
    np.testing.assert_allclose(out.detach().numpy(), ref, atol=1e-12)


def test_chunked_canonical_restore_through_state(monkeypatch: pytest.MonkeyPatch) -> None:
    """A 16-qubit circuit whose final layout has more than 12 runs goes through the chunked restore."""
    monkeypatch.setenv("SUANLI_KERNELS", "torch")  # the torch kernels move axes; the compiled ones do not
    seen: list[int] = []
    orig = StateVector.canonical

    def spy(self: StateVector) -> torch.Tensor:
        seen.append(_runs(self))
        return orig(self)

    monkeypatch.setattr(StateVector, "canonical", spy)
    n = 16
    rng = np.random.default_rng(3)
    c = Circuit(n).h(range(n))
    names = ["cx", "cz", "rzz", "ch", "iswap", "ccx", "cp", "rxx", "fsim", "c3x", "swap", "u3", "ry"]
    for i in range(160):
        spec = suanli.get_gate(names[i % len(names)])
        qs = [int(q) for q in rng.permutation(n)[: spec.num_qubits]]
        c.gate(spec.name, qs, [float(x) for x in rng.uniform(-3, 3, spec.num_params)])
    s = suanli.state(c, dtype=torch.complex128, device=CPU)
    assert seen and max(seen) > 12, f"layout had only {seen} runs; the chunked path was not exercised"
    assert_states_close(s, qiskit_state(c), atol=1e-11)


def test_batched_state_with_unbatched_gates_in_every_kernel_path() -> None:
    """Batched and unbatched matrices mixed, on axes that hit each matmul case (first, last, middle)."""
    n = 13
    rng = np.random.default_rng(4)
    tb = torch.tensor([0.2, 1.4, -2.0], dtype=torch.float64)
    c = Circuit(n).h(range(n))
    for q in (0, n - 1, 5, n - 2, 1):
        c.rx(tb, q).ry(float(rng.uniform(-3, 3)), q).cu3(tb, 0.3, -0.2, q, (q + 6) % n).crz(tb, (q + 3) % n, q)
    s = suanli.state(c, dtype=torch.complex128, device=CPU)
    for i in range(3):
        single = c.copy_empty()
        for inst in c:
            ps = [float(p[i]) if isinstance(p, torch.Tensor) else p for p in inst.params]
            single.gate(inst.name, inst.qubits, ps)
        assert_states_close(s[i], qiskit_state(single), atol=1e-11)


def test_progress_callback() -> None:
    calls: list[tuple[int, int]] = []
    c = random_circuit(4, 10, seed=1)
    suanli.state(c, device=CPU, progress=lambda d, t: calls.append((d, t)))
    assert calls and calls[-1][0] == calls[-1][1] and all(d <= t for d, t in calls)
    assert [d for d, _ in calls] == sorted(d for d, _ in calls)
