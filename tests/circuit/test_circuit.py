"""The circuit IR: builders, registers, conditions, composition, inversion, analysis, binding, drawing and the
errors a user gets for bad input."""

from __future__ import annotations

import math
from collections import Counter

import numpy as np
import pytest
import torch

import suanli
from conftest import random_params, to_qiskit
from suanli import Circuit, CircuitError, Condition, GateDefinition, Instruction, Parameter, ParameterError, Register
from suanli.testing import random_circuit, unitary

ALL = [s.name for s in suanli.all_gates()]
THETA, PHI = Parameter("theta"), Parameter("phi")


# ---------------------------------------------------------------------------------------------------------
# builders
# ---------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", ALL)
def test_builder_method_for_every_gate(name: str) -> None:
    spec = suanli.get_gate(name)
    n = spec.num_qubits + 1
    params = random_params(spec.num_params, np.random.default_rng(len(name)))
    qubits = list(range(n - 1, 0, -1))  # not the trivial order
    c = Circuit(n)
    out = getattr(c, name)(*params, *qubits)
    assert out is c  # chains
    assert len(c) == 1
    inst = c[0]
    assert inst.name == name and inst.qubits == tuple(qubits) and inst.params == tuple(params)
    assert inst.is_gate and not inst.is_custom and inst.spec is spec
    # the same gate through gate()/append() by name
    assert Circuit(n).gate(name, qubits, params) == c
    assert Circuit(n).append(name, qubits, params) == c
    # builder keyword names are the gate's parameter names (keywords get a trailing underscore)
    if spec.num_params:
        kw = {(p + "_" if p == "lambda" else p): v for p, v in zip(spec.params, params)}
        assert getattr(Circuit(n), name)(**kw, **dict(zip(_qubit_kwargs(spec), qubits))) == c


def _qubit_kwargs(spec: suanli.GateSpec) -> list[str]:
    import inspect

    sig = inspect.signature(getattr(Circuit, spec.name))
    return [p for p in sig.parameters if p != "self"][spec.num_params:]


def test_builder_signatures_list_controls_first() -> None:
    import inspect

    assert list(inspect.signature(Circuit.cx).parameters) == ["self", "control", "target"]
    assert list(inspect.signature(Circuit.ccx).parameters) == ["self", "control1", "control2", "target"]
    assert list(inspect.signature(Circuit.cswap).parameters) == ["self", "control", "target1", "target2"]
    assert list(inspect.signature(Circuit.cu).parameters)[:5] == ["self", "theta", "phi", "lambda_", "gamma"]
    assert list(inspect.signature(Circuit.swap).parameters) == ["self", "qubit1", "qubit2"]


def test_one_qubit_gates_broadcast_over_lists() -> None:
    c = Circuit(4).h([0, 2, 3]).rx(0.5, range(2)).t(np.array([1, 3]))
    assert [(i.name, i.qubits) for i in c] == [
        ("h", (0,)), ("h", (2,)), ("h", (3,)), ("rx", (0,)), ("rx", (1,)), ("t", (1,)), ("t", (3,))]
    assert all(i.params == (0.5,) for i in c if i.name == "rx")
    d = Circuit(0)
    reg = d.add_qreg("a", 2)
    d.add_qreg("b", 3)
    d.x(d.qreg("b"))
    assert [i.qubits for i in d] == [(2,), (3,), (4,)]
    assert reg.indices == (0, 1)
    with pytest.raises(CircuitError, match="empty list"):
        Circuit(2).h([])
    with pytest.raises(CircuitError, match="must be ints"):
        Circuit(3).cx([0, 1], 2)
    with pytest.raises(CircuitError, match="out of range"):
        Circuit(2).h([0, 1, 2])  # checked per qubit


def test_numpy_integers_are_qubits() -> None:
    c = Circuit(3).cx(np.int64(0), np.int32(2))
    assert c[0].qubits == (0, 2) and all(type(q) is int for q in c[0].qubits)


def test_measure_reset_barrier() -> None:
    c = Circuit(3, 3)
    c.measure(0, 2).measure([1, 2], [0, 1]).reset(1).reset([0, 2]).barrier().barrier(0, [2])
    names = [(i.name, i.qubits, i.clbits) for i in c]
    assert names == [
        ("measure", (0,), (2,)), ("measure", (1,), (0,)), ("measure", (2,), (1,)),
        ("reset", (1,), ()), ("reset", (0,), ()), ("reset", (2,), ()),
        ("barrier", (0, 1, 2), ()), ("barrier", (0, 2), ())]
    assert not c[0].is_gate and not c[6].is_gate
    assert c.num_gates == 0
    with pytest.raises(CircuitError, match=r"2 qubit.*1 classical"):
        Circuit(2, 2).measure([0, 1], [0])
    with pytest.raises(CircuitError, match="classical bit 3 is out of range"):
        Circuit(2, 2).measure(0, 3)
    with pytest.raises(CircuitError, match="one classical bit per qubit"):
        Circuit(2, 2).append(Instruction("measure", (0, 1), (), (0,)))
    with pytest.raises(CircuitError, match="'measure' is not a gate; use the circuit's measure"):
        Circuit(2).gate("measure", [0])


def test_measure_all() -> None:
    c = Circuit(3, 1).h(0).measure_all()
    assert [r.name for r in c.cregs] == ["c", "meas"] and c.num_clbits == 4
    assert [(i.qubits, i.clbits) for i in c if i.name == "measure"] == [((0,), (1,)), ((1,), (2,)), ((2,), (3,))]
    c.measure_all()
    assert [r.name for r in c.cregs] == ["c", "meas", "meas1"]
    d = Circuit(2, 3).measure_all(add_bits=False)
    assert [(i.qubits, i.clbits) for i in d] == [((0,), (0,)), ((1,), (1,))]
    with pytest.raises(CircuitError, match="only 1 classical"):
        Circuit(2, 1).measure_all(add_bits=False)


def test_registers() -> None:
    c = Circuit()
    q = c.add_qreg("q", 2)
    anc = c.add_qreg("anc", 3)
    m = c.add_creg("m", 2)
    assert (c.num_qubits, c.num_clbits) == (5, 2)
    assert anc[0] == 2 and anc[-1] == 4 and list(anc) == [2, 3, 4] and len(anc) == 3
    assert c.qreg("anc") is anc and c.creg("m") is m and c.qregs == (q, anc)
    with pytest.raises(CircuitError, match="already exists"):
        c.add_creg("q", 1)
    with pytest.raises(CircuitError, match="identifier"):
        c.add_qreg("1x", 1)
    with pytest.raises(CircuitError, match="positive int"):
        c.add_qreg("z", 0)
    with pytest.raises(CircuitError, match="no classical register named 'k'; have: m"):
        c.creg("k")
    with pytest.raises(CircuitError, match="no quantum register named 'k'"):
        c.qreg("k")
    with pytest.raises(CircuitError, match="out of range"):
        anc[3]
    with pytest.raises(CircuitError, match="must be an int"):
        anc[True]


# ---------------------------------------------------------------------------------------------------------
# conditions
# ---------------------------------------------------------------------------------------------------------
def test_c_if_targets() -> None:
    c = Circuit(2, 0)
    a = c.add_creg("a", 2)
    c.add_creg("b", 1)
    with c.c_if("a", 3):
        c.x(0).cx(0, 1)
    with c.c_if(a, 1):
        c.z(1)
    with c.c_if(2, 1):  # one bit: it is the whole register b
        c.h(0)
    with c.c_if([1, 2], 2):  # bits that are no register
        c.y(1)
    with c.c_if([0, 1], 2):  # same bits as register a, given as a list
        c.s(0)
    c.h(1)  # after the block: unconditioned
    conds = [i.condition for i in c]
    assert conds[0] == conds[1] == Condition((0, 1), 3, "a")
    assert conds[2] == Condition((0, 1), 1) and conds[2].register == "a"
    assert conds[3].clbits == (2,) and conds[3].register == "b"
    assert conds[4].clbits == (1, 2) and conds[4].value == 2 and conds[4].register is None
    assert conds[5].register == "a"
    assert conds[6] is None
    assert str(c[0]) == "if(a==3) x q[0]"


def test_condition_reads_bits_little_endian() -> None:
    cond = Condition((3, 1), 1)
    assert cond.holds([0, 0, 0, 1]) and not cond.holds([0, 1, 0, 0])
    assert Condition((3, 1), 2).holds([0, 1, 0, 0])
    with pytest.raises(CircuitError, match="does not fit"):
        Condition((0,), 2)
    with pytest.raises(CircuitError, match="twice"):
        Condition((0, 0), 1)
    with pytest.raises(CircuitError, match="at least one"):
        Condition((), 0)
    with pytest.raises(CircuitError, match="must be an int"):
        Condition((0,), True)


def test_c_if_errors() -> None:
    c = Circuit(2, 2)
    with pytest.raises(CircuitError, match="cannot be nested"), c.c_if("c", 1), c.c_if("c", 2):
        pass
    c.x(0)
    assert c[-1].condition is None  # the failed block left no condition behind
    with pytest.raises(CircuitError, match="no classical register named 'd'"), c.c_if("d", 1):
        pass
    with pytest.raises(CircuitError, match="does not fit in 2"), c.c_if("c", 4):
        pass
    with pytest.raises(CircuitError, match="not a classical register of this circuit"), c.c_if(Register("d", 2), 1):
        pass
    with pytest.raises(CircuitError, match="classical bit 5 is out of range"), c.c_if([5], 1):
        pass
    with pytest.raises(CircuitError, match="cannot carry its own condition"), c.c_if("c", 1):
        c.append(Instruction("x", (0,), condition=Condition((0,), 1)))
    with pytest.raises(RuntimeError), c.c_if("c", 1):
        raise RuntimeError("boom")
    c.h(1)
    assert c[-1].condition is None


# ---------------------------------------------------------------------------------------------------------
# append, compose, copy
# ---------------------------------------------------------------------------------------------------------
def test_append_forms() -> None:
    c = Circuit(2, 1)
    c.append("cnot", [0, 1]).append("rz", [1], [0.5]).append("measure", [1], clbits=[0]).append(Instruction("h", (0,)))
    assert [i.name for i in c] == ["cx", "rz", "measure", "h"]
    with pytest.raises(CircuitError, match="takes no extra"):
        c.append(Instruction("h", (0,)), [1])
    with pytest.raises(CircuitError, match="qubits are required"):
        c.append("h")
    with pytest.raises(CircuitError, match="expected a gate name"):
        c.append(3, [0])  # type: ignore[arg-type]
    with pytest.raises(CircuitError, match="qubit 2 is out of range"):
        c.append(Instruction("h", (2,)))


def test_compose_maps_qubits_clbits_and_conditions() -> None:
    small = Circuit(2, 2)
    small.h(0).cx(0, 1).measure(1, 0)
    with small.c_if("c", 2):
        small.x(1)
    with small.c_if(0, 1):
        small.z(0)
    big = Circuit(3, 0)
    big.add_creg("x", 1)
    big.add_creg("y", 2)
    out = big.compose(small, qubits=[2, 0], clbits=[1, 2])
    assert out is not big and len(big) == 0
    assert [(i.name, i.qubits, i.clbits) for i in out] == [
        ("h", (2,), ()), ("cx", (2, 0), ()), ("measure", (0,), (1,)), ("x", (0,), ()), ("z", (2,), ())]
    assert out[3].condition == Condition((1, 2), 2) and out[3].condition.register == "y"
    assert out[4].condition == Condition((1,), 1) and out[4].condition.register is None
    # reversed clbit map: the register condition now reads bits (2, 1): no register matches
    out2 = big.compose(small, qubits=[2, 0], clbits=[2, 1])
    assert out2[3].condition.clbits == (2, 1) and out2[3].condition.register is None
    # in place, default maps
    same = Circuit(2, 2)
    assert same.compose(small, inplace=True) is same and same == small
    with pytest.raises(CircuitError, match="compose: 1 qubits given for a circuit of 2"):
        big.compose(small, qubits=[0], clbits=[0, 1])
    with pytest.raises(CircuitError, match="compose: 1 classical bits"):
        big.compose(small, qubits=[0, 1], clbits=[0])
    with pytest.raises(CircuitError, match="twice"):
        big.compose(small, qubits=[0, 0], clbits=[0, 1])
    with pytest.raises(CircuitError, match="out of range"):
        big.compose(small, qubits=[0, 3], clbits=[0, 1])


def test_compose_unitary() -> None:
    a = random_circuit(3, 3, seed=4)
    b = random_circuit(2, 3, seed=5)
    c = a.compose(b, qubits=[2, 0])
    # reference: embed b on qubits (2, 0) of three by hand
    bb = Circuit(3)
    for inst in b:
        bb.append(inst.replace(qubits=tuple([2, 0][q] for q in inst.qubits)))
    np.testing.assert_allclose(unitary(c), unitary(bb) @ unitary(a), atol=1e-12)


def test_copy_is_independent() -> None:
    c = Circuit(2, 1, name="orig").h(0)
    d = c.copy()
    d.x(1)
    assert len(c) == 1 and len(d) == 2 and d.name == "orig"
    e = c.copy_empty()
    assert len(e) == 0 and e.num_qubits == 2 and e.cregs == c.cregs
    assert c.copy(name="new").name == "new"


# ---------------------------------------------------------------------------------------------------------
# inverse
# ---------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("seed", range(6))
def test_inverse_of_random_circuits(seed: int) -> None:
    n = 2 + seed % 4
    c = random_circuit(n, 5, seed=seed, max_arity=5)
    u = unitary(c)
    ui = unitary(c.inverse())
    np.testing.assert_allclose(ui @ u, np.eye(1 << n), atol=1e-12)
    assert not np.allclose(u, np.eye(1 << n))  # non-trivial check


def test_inverse_covers_every_gate() -> None:
    rng = np.random.default_rng(8)
    c = Circuit(5)
    for spec in suanli.all_gates():
        qs = [int(q) for q in rng.permutation(5)[: spec.num_qubits]]
        c.gate(spec.name, qs, random_params(spec.num_params, rng))
    np.testing.assert_allclose(unitary(c.inverse()) @ unitary(c), np.eye(32), atol=1e-11)


def test_inverse_with_parameters_and_tensors() -> None:
    c = Circuit(2, name="ansatz").rx(THETA, 0).u3(THETA, PHI, 2 * PHI, 1).u2(PHI, THETA + 1, 0).cu(
        THETA, PHI, 0.3, -THETA, 0, 1).syc(1, 0).rx(torch.tensor(0.4), 1)
    inv = c.inverse()
    assert inv.name == "ansatz_dg" and inv.parameters == c.parameters
    vals = {"theta": 0.37, "phi": -1.2}
    np.testing.assert_allclose(unitary(inv, params=vals) @ unitary(c, params=vals), np.eye(4), atol=1e-12)
    # binding then inverting equals inverting then binding
    assert c.bind(vals).inverse() == inv.bind(vals)


def test_inverse_of_custom_gates_nested() -> None:
    inner = Circuit(2, name="inner").ry(THETA, 0).cx(0, 1).rzx(2 * THETA, 1, 0).iswap(0, 1).to_gate()
    outer = Circuit(3, name="outer").gate(inner, [2, 0], [PHI]).ccz(0, 1, 2).barrier().gate(
        inner, [0, 1], [PHI / 2]).to_gate()
    c = Circuit(4).h(3).gate(outer, [3, 1, 0], [0.81]).t(2)
    ci = c.inverse()
    assert ci[1].name == "outer_dg" and ci[1].definition is not None
    assert ci[1].definition.inverse() is outer  # the inverse of the inverse is the original definition
    np.testing.assert_allclose(unitary(ci) @ unitary(c), np.eye(16), atol=1e-12)
    assert [i.name for i in ci[1].definition.body] == ["inner_dg", "barrier", "ccz", "inner_dg"]


def test_inverse_refuses_measure_and_reset_keeps_barriers() -> None:
    with pytest.raises(CircuitError, match="contains 'measure'"):
        Circuit(1, 1).h(0).measure(0, 0).inverse()
    with pytest.raises(CircuitError, match="contains 'reset'"):
        Circuit(1).reset(0).h(0).inverse()
    c = Circuit(2).h(0).barrier().s(1)
    assert [i.name for i in c.inverse()] == ["sdg", "barrier", "h"]


# ---------------------------------------------------------------------------------------------------------
# depth, count_ops
# ---------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("seed", range(8))
def test_depth_matches_qiskit(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n = int(rng.integers(1, 7))
    c = Circuit(n, n)
    for _ in range(25):
        r = rng.random()
        if r < 0.1:
            c.measure(int(rng.integers(n)), int(rng.integers(n)))
        elif r < 0.15:
            c.reset(int(rng.integers(n)))
        else:
            specs = [s for s in suanli.all_gates() if s.num_qubits <= n]
            spec = specs[int(rng.integers(len(specs)))]
            qs = [int(q) for q in rng.permutation(n)[: spec.num_qubits]]
            c.gate(spec.name, qs, random_params(spec.num_params, rng))
    qc = to_qiskit(c)
    assert c.depth() == qc.depth()
    assert sum(c.count_ops().values()) == sum(qc.count_ops().values()) == len(c)


def test_depth_rules() -> None:
    assert Circuit(3).depth() == 0
    assert Circuit(3).h([0, 1, 2]).depth() == 1
    assert Circuit(3).h(0).cx(0, 1).cx(1, 2).depth() == 3
    assert Circuit(3).h(0).barrier().h(1).depth() == 1  # barriers don't count
    # a classical bit links operations: measure then a condition on that bit
    c = Circuit(2, 1).h(0).measure(0, 0)
    with c.c_if(0, 1):
        c.x(1)
    assert c.depth() == 3
    # two measurements into the same bit are ordered
    assert Circuit(2, 1).measure(0, 0).measure(1, 0).depth() == 2


def test_count_ops() -> None:
    c = Circuit(3, 3).h([0, 1, 2]).cx(0, 1).cnot(1, 2).measure([0, 1], [0, 1]).barrier().u1(0.1, 0)
    counts = c.count_ops()
    assert counts == {"h": 3, "cx": 2, "measure": 2, "barrier": 1, "p": 1}
    assert list(counts.values()) == sorted(counts.values(), reverse=True)
    assert c.num_gates == 6
    rc = random_circuit(5, 6, seed=3, max_arity=5, dynamic=True)
    assert rc.count_ops() == dict(Counter(i.name for i in rc))


# ---------------------------------------------------------------------------------------------------------
# parameters and binding
# ---------------------------------------------------------------------------------------------------------
def test_parameters_and_bind() -> None:
    c = Circuit(2).rx(THETA, 0).ry(2 * THETA + PHI, 1).rz(0.5, 0).cp(PHI.sin(), 0, 1)
    assert c.parameters == (PHI, THETA) and c.num_parameters == 2  # sorted by name
    b = c.bind({"theta": 0.25, PHI: -1.0})
    assert b.num_parameters == 0 and c.num_parameters == 2  # a copy
    assert b[0].params == (0.25,) and b[1].params == (-0.5,) and b[3].params == (math.sin(-1.0),)
    assert all(isinstance(p, float) for inst in b for p in inst.params)
    part = c.bind({"theta": 1.0}, partial=True)
    assert part.parameters == (PHI,)
    assert part[1].params[0] == 2.0 + PHI
    # binding to an expression renames
    ren = c.bind({"theta": Parameter("t2"), "phi": PHI}, partial=False)
    assert {p.name for p in ren.parameters} == {"t2", "phi"}
    with pytest.raises(ParameterError, match=r"missing value.*phi"):
        c.bind({"theta": 1.0})
    with pytest.raises(ParameterError, match=r"unknown parameter.*'gamma'.*the circuit's parameters are: phi, theta"):
        c.bind({"theta": 1.0, "phi": 2.0, "gamma": 3.0})
    with pytest.raises(ParameterError, match=r"unknown parameter.*the circuit has none"):
        Circuit(1).h(0).bind({"x": 1.0})
    with pytest.raises(ParameterError, match="bound twice"):
        c.bind({"theta": 1.0, THETA: 2.0, "phi": 0.0})
    with pytest.raises(ParameterError, match="cannot bind a str"):
        c.bind({"theta": "1", "phi": 0.0})
    with pytest.raises(ParameterError, match="0-D or 1-D"):
        c.bind({"theta": torch.zeros(2, 2), "phi": 0.0})
    with pytest.raises(ParameterError, match="real"):
        c.bind({"theta": torch.tensor(1j), "phi": 0.0})
    with pytest.raises(ParameterError, match=r"names or suanli\.Parameter"):
        c.bind({3: 1.0})


def test_bind_tensors_keeps_the_graph() -> None:
    t = torch.tensor(0.3, dtype=torch.float64, requires_grad=True)
    c = Circuit(1).rx(2 * THETA, 0).bind({"theta": t})
    p = c[0].params[0]
    assert isinstance(p, torch.Tensor) and p.requires_grad
    p.backward()
    assert float(t.grad) == 2.0


def test_partial_bind_with_a_tensor_is_refused_clearly() -> None:
    """Expressions are symbolic and cannot hold tensors: binding one of several parameters to a tensor is a
    ParameterError that says what to do (not a TypeError from deep inside)."""
    c = Circuit(1).rx(THETA * PHI, 0)
    with pytest.raises(ParameterError, match=r"cannot bind a tensor to theta.*symbolic parameter\(s\) phi"):
        c.bind({"theta": torch.tensor(0.5)}, partial=True)
    with pytest.raises(ParameterError, match="cannot bind a tensor"):
        c.bind({"theta": torch.tensor(0.5), "phi": PHI + 1})
    both = c.bind({"theta": torch.tensor(0.5), "phi": 2.0})
    assert isinstance(both[0].params[0], torch.Tensor) and float(both[0].params[0]) == 1.0
    assert c.bind({"theta": 0.5}, partial=True)[0].params[0] == 0.5 * PHI


def test_bind_non_finite_is_refused() -> None:
    c = Circuit(1).rx(THETA, 0)
    with pytest.raises(suanli.SuanliError, match="not finite"):
        c.bind({"theta": float("nan")})
    with pytest.raises(suanli.SuanliError, match="not finite"):
        suanli.state(c, params={"theta": float("inf")}, device="cpu")


def test_to_gate() -> None:
    c = Circuit(2, name="rot").rx(THETA, 0).cx(0, 1).rz(PHI, 1)
    g = c.to_gate()
    assert isinstance(g, GateDefinition) and g.name == "rot" and g.params == ("phi", "theta")
    assert g.num_qubits == 2 and g.body == tuple(c)
    assert c.to_gate("other").name == "other"
    big = Circuit(3).gate(g, [2, 0], [0.5, THETA])
    assert big[0].is_custom and big[0].qubits == (2, 0) and big.parameters == (THETA,)
    with pytest.raises(CircuitError, match="identifier"):
        Circuit(1).h(0).to_gate()
    with pytest.raises(CircuitError, match="contains 'measure'"):
        Circuit(1, 1, name="m").measure(0, 0).to_gate()
    cc = Circuit(1, 1, name="cond")
    with cc.c_if(0, 1):
        cc.x(0)
    with pytest.raises(CircuitError, match="conditioned"):
        cc.to_gate()
    with pytest.raises(CircuitError, match="takes 2 parameter"):
        Circuit(2).gate(g, [0, 1], [0.1])
    with pytest.raises(CircuitError, match="acts on 2 qubit"):
        Circuit(2).gate(g, [0], [0.1, 0.2])
    with pytest.raises(CircuitError, match="outside"):
        GateDefinition("bad", (), 1, (Instruction("h", (1,)),))
    with pytest.raises(CircuitError, match="undeclared"):
        GateDefinition("bad", (), 1, (Instruction("rx", (0,), (THETA,)),))
    with pytest.raises(CircuitError, match="only gates and barriers"):
        GateDefinition("bad", (), 1, (Instruction("reset", (0,)),))


def test_custom_gates_listing() -> None:
    inner = Circuit(1, name="inner").h(0).to_gate()
    outer = Circuit(2, name="outer").gate(inner, [1]).cx(0, 1).to_gate()
    c = Circuit(3).gate(outer, [0, 2]).gate(inner, [1])
    assert [d.name for d in c.custom_gates()] == ["inner", "outer"]


# ---------------------------------------------------------------------------------------------------------
# equality
# ---------------------------------------------------------------------------------------------------------
def test_equality() -> None:
    def make(p: object) -> Circuit:
        return Circuit(2, 1).h(0).rx(p, 1).measure(1, 0)

    assert make(0.5) == make(0.5)
    assert make(0.5) != make(0.25)
    assert make(torch.tensor(0.5)) == make(torch.tensor(0.5))
    assert make(torch.tensor([0.5, 0.1])) == make(torch.tensor([0.5, 0.1]))
    assert make(torch.tensor([0.5, 0.1])) != make(torch.tensor([0.5, 0.2]))
    assert make(torch.tensor([0.5, 0.1])) != make(torch.tensor([0.5, 0.1, 0.0]))
    assert make(torch.tensor(0.5)) != make(0.5)  # a tensor is not a number (gradients may flow)
    assert make(2 * THETA) == make(2 * THETA)
    assert make(2 * THETA) != make(THETA * 2)
    assert make(THETA) != make(PHI)
    assert make(0.5) != Circuit(3, 1).h(0).rx(0.5, 1).measure(1, 0)
    assert make(0.5) != Circuit(2, 2).h(0).rx(0.5, 1).measure(1, 0)
    assert (make(0.5) == "circuit") is False
    a, b = make(0.5), make(0.5)
    with a.c_if(0, 1):
        a.x(0)
    with b.c_if(0, 0):
        b.x(0)
    assert a != b
    with pytest.raises(TypeError):
        hash(a)
    g1 = Circuit(1, name="g").h(0).to_gate()
    g2 = Circuit(1, name="g").x(0).to_gate()
    assert Circuit(1).gate(g1, [0]) != Circuit(1).gate(g2, [0])
    assert Circuit(1).gate(g1, [0]) == Circuit(1).gate(Circuit(1, name="g").h(0).to_gate(), [0])


# ---------------------------------------------------------------------------------------------------------
# drawing
# ---------------------------------------------------------------------------------------------------------
GHZ = """\
q0: ─H──●─────M────────
        │     ║
q1: ────X──●──╫──M─────
           │  ║  ║
q2: ───────X──╫──╫──M──
              ║  ║  ║
c:  ══════════0══1══2══"""

MIXED = """\
q0: ─RX(theta)──●──RZZ(1.5708):0──░──●──x──
                │        │        ░  │  │
q1: ────────────x────────┼────────░──X──┼──
                │        │           │  │
q2: ────────────x──RZZ(1.5708):1─────●──x──"""

DYNAMIC = """\
q0: ─H──M──|0>──
        ║
q1: ────╫───X───
        ║   ║
c:  ════0══c=1══"""


def test_draw_golden() -> None:
    ghz = Circuit(3, 3).h(0).cx(0, 1).cx(1, 2).measure([0, 1, 2], [0, 1, 2])
    assert ghz.draw() == GHZ
    assert str(ghz) == GHZ
    mixed = Circuit(3).rx(THETA, 0).cswap(0, 1, 2).rzz(math.pi / 2, 0, 2).barrier(0, 1).ccx(2, 0, 1).swap(0, 2)
    assert mixed.draw() == MIXED
    dyn = Circuit(2, 2).h(0).measure(0, 0).reset(0)
    with dyn.c_if("c", 1):
        dyn.x(1)
    assert dyn.draw() == DYNAMIC


def test_draw_folds_at_max_width() -> None:
    c = Circuit(2).h([0, 1])
    for _ in range(10):
        c.cx(0, 1).rz(0.123, 1)
    text = c.draw(max_width=40)
    blocks = text.split("\n\n")
    assert len(blocks) > 1
    for block in blocks:
        lines = block.splitlines()
        assert lines[0].startswith("q0: ") and any(line.startswith("q1: ") for line in lines)
        assert max(len(line) for line in lines) <= 40
    assert "\n\n" not in c.draw()


@pytest.mark.parametrize("seed", range(4))
def test_draw_random_circuits_with_every_gate(seed: int) -> None:
    c = random_circuit(6, 6, seed=seed, max_arity=5, dynamic=True, parameters=True)
    rng = np.random.default_rng(seed)
    for spec in suanli.all_gates():  # make sure every gate appears at least once
        qs = [int(q) for q in rng.permutation(6)[: spec.num_qubits]]
        c.gate(spec.name, qs, random_params(spec.num_params, rng))
    g = Circuit(2, name="blk").h(0).cx(0, 1).to_gate()
    c.gate(g, [5, 1]).rx(torch.tensor([0.1, 0.2]), 2).barrier(1, 4)
    with c.c_if([0, 3], 2):
        c.cx(4, 0)
    for width in (None, 50):
        text = c.draw(max_width=width)
        for q in range(6):
            assert f"q{q}: " in text
        assert "c:  " in text
    assert "blk:0" in text and "blk:1" in text and "RX(tensor[2])" in text and "c[0,3]=2" in text


# ---------------------------------------------------------------------------------------------------------
# bad input
# ---------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda: Circuit(2).h(2), "qubit 2 is out of range for a circuit of 2 qubit"),
        (lambda: Circuit(2).h(-1), "qubit -1 is out of range"),
        (lambda: Circuit(2).cx(1, 1), r"a qubit is used twice in one instruction: \(1, 1\)"),
        (lambda: Circuit(3).ccx(0, 2, 0), "used twice"),
        (lambda: Circuit(2).h(1.0), "qubit indices must be ints, got 1.0"),
        (lambda: Circuit(2).h(True), "qubit indices must be ints"),
        (lambda: Circuit(2).gate("rx", [0], []), r"gate 'rx' takes 1 parameter\(s\) \(theta\), got 0"),
        (lambda: Circuit(2).gate("h", [0], [0.1]), r"gate 'h' takes 0 parameter\(s\) \(none\), got 1"),
        (lambda: Circuit(2).gate("cx", [0]), r"gate 'cx' acts on 2 qubit\(s\), got 1"),
        (lambda: Circuit(2).rx(float("nan"), 0), "gate 'rx': parameter value nan is not finite"),
        (lambda: Circuit(2).rx(float("inf"), 0), "not finite"),
        (lambda: Circuit(2).rx(np.float64("-inf"), 0), "not finite"),
        (lambda: Circuit(2).rx(True, 0), "got bool"),
        (lambda: Circuit(2).rx("0.5", 0), "got str"),
        (lambda: Circuit(2).rx(1j, 0), "got complex"),
        (lambda: Circuit(2).rx(torch.tensor(0.5j), 0), "must be real"),
        (lambda: Circuit(2).rx(torch.zeros(2, 2), 0), r"scalar or 1-D .*shape \(2, 2\)"),
        (lambda: Circuit(2).rx(constant_inf(), 0), "not finite"),
        (lambda: Circuit(-1), "num_qubits must be a non-negative int"),
        (lambda: Circuit(2, 1.5), "num_clbits must be a non-negative int"),
        (lambda: Circuit(True), "non-negative int"),
        (lambda: Circuit(2).gate("nosuchgate", [0]), "unknown gate 'nosuchgate'"),
    ],
)
def test_bad_input(build: object, message: str) -> None:
    with pytest.raises(CircuitError, match=message):
        build()  # type: ignore[operator]


def constant_inf() -> object:
    from suanli.circuit.parameter import constant

    return constant(1e308) * 10


def test_errors_are_suanli_errors() -> None:
    assert issubclass(CircuitError, suanli.SuanliError) and issubclass(CircuitError, ValueError)
    assert issubclass(ParameterError, suanli.SuanliError)


def test_repr_and_sequence_protocol() -> None:
    c = Circuit(2, 1, name="n").h(0).cx(0, 1)
    assert repr(c) == "Circuit(num_qubits=2, num_clbits=1, instructions=2, name='n')"
    assert len(c) == 2 and c[1].name == "cx" and [i.name for i in c] == ["h", "cx"]
    assert c.instructions == tuple(c)
    assert str(Circuit(2).rx(0.5, 1)[0]) == "rx(0.5) q[1]"
    assert str(Circuit(2, 2).measure(1, 0)[0]) == "measure q[1] -> c[0]"
