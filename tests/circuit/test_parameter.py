"""Parameters and parameter expressions: naming, arithmetic, printing (valid text that means the same value),
evaluation with numbers and tensors, gradients, substitution."""

from __future__ import annotations

import math

import pytest
import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from suanli import Parameter, ParameterError, ParameterExpression
from suanli.circuit.parameter import FUNCTIONS, constant, format_number, is_numeric

A, B = Parameter("a"), Parameter("b")
BIND = {"a": 0.7, "b": 1.3}
PY_NAMES = {
    "sin": math.sin, "cos": math.cos, "tan": math.tan, "exp": math.exp, "ln": math.log, "sqrt": math.sqrt,
    "asin": math.asin, "acos": math.acos, "atan": math.atan, "pi": math.pi, **BIND,
}


def py_eval(text: str) -> float:
    """Evaluate printed expression text with Python (``^`` → ``**``; Python's precedence of unary minus and
    ``**`` is OpenQASM's: ``-a^2 == -(a^2)``, ``a^b^c == a^(b^c)``)."""
    return eval(text.replace("^", "**"), {"__builtins__": {}}, PY_NAMES)


# ---------------------------------------------------------------------------------------------------------
# names, identity
# ---------------------------------------------------------------------------------------------------------
def test_names() -> None:
    assert Parameter("theta").name == "theta"
    assert Parameter("_x1").name == "_x1"
    for bad in ["", "1a", "a b", "a-b", "θ-1", None, 3]:
        with pytest.raises(ParameterError, match="identifier"):
            Parameter(bad)  # type: ignore[arg-type]


def test_identity_by_name() -> None:
    assert Parameter("a") == Parameter("a")
    assert Parameter("a") != Parameter("b")
    assert hash(Parameter("a")) == hash(Parameter("a"))
    assert len({Parameter("a"), Parameter("a"), Parameter("b")}) == 2
    assert sorted([Parameter("z"), Parameter("a"), Parameter("m")]) == [Parameter("a"), Parameter("m"),
                                                                         Parameter("z")]
    assert repr(A) == "Parameter('a')"
    assert A.parameters == frozenset({A})


def test_structural_equality() -> None:
    assert 2 * A + B == 2 * A + B
    assert hash(2 * A + B) == hash(2 * A + B)
    assert A + B != B + A  # structural, not algebraic
    assert A * 2 != 2 * A
    assert (A + 1).sin() == (A + 1).sin()
    assert (A + 1).sin() != (A + 1).cos()
    assert -A == -A and -A != A


# ---------------------------------------------------------------------------------------------------------
# arithmetic and folding
# ---------------------------------------------------------------------------------------------------------
def test_arithmetic_evaluates() -> None:
    a, b = BIND["a"], BIND["b"]
    cases = [
        (A + B, a + b), (A - B, a - b), (A * B, a * b), (A / B, a / b), (A**B, a**b), (-A, -a), (+A, a),
        (2 + A, 2 + a), (2 - A, 2 - a), (2 * A, 2 * a), (2 / A, 2 / a), (2**A, 2**a), (A**2, a**2),
        (A.sin(), math.sin(a)), (A.cos(), math.cos(a)), (A.tan(), math.tan(a)), (A.exp(), math.exp(a)),
        (A.ln(), math.log(a)), (A.sqrt(), math.sqrt(a)), (A.apply("asin"), math.asin(a)),
        (A.apply("acos"), math.acos(a)), (A.apply("atan"), math.atan(a)),
        ((2 * A + 0.5).sin() / B - A**0.5, math.sin(2 * a + 0.5) / b - a**0.5),
    ]
    for expr, want in cases:
        got = expr.evaluate(BIND)
        assert isinstance(got, float), expr
        assert got == pytest.approx(want, rel=1e-14), str(expr)
    assert {"sin", "cos", "tan", "exp", "ln", "sqrt", "asin", "acos", "atan"} == FUNCTIONS


def test_constants_fold() -> None:
    e = constant(2.0) * constant(3.0) + 1
    assert isinstance(e, ParameterExpression) and e.is_constant()
    assert float(e) == 7.0
    assert (-constant(2.0)).is_constant()
    assert constant(0.0).apply("cos").is_constant() and float(constant(0.0).apply("cos")) == 1.0
    s = (2 * A + B).subs({"a": 1.0, B: 0.5})
    assert s.is_constant() and float(s) == 2.5
    # partial substitution keeps an expression; substituting an expression composes
    p = (2 * A + B).subs({"a": 1.0})
    assert p.parameters == frozenset({B}) and p.evaluate({"b": 3.0}) == 5.0
    q = (A * A).subs({"a": B + 1})
    assert q.parameters == frozenset({B}) and q.evaluate({"b": 2.0}) == 9.0


def test_combining_with_unsupported_types() -> None:
    with pytest.raises(TypeError, match="str"):
        A + "x"
    with pytest.raises(TypeError, match="Tensor"):
        A * torch.tensor(2.0)
    with pytest.raises(ValueError, match="unknown function"):
        A.apply("sinh")


def test_evaluation_errors() -> None:
    with pytest.raises(ParameterError, match="'a' is not bound"):
        (A + B).evaluate({"b": 1.0})
    with pytest.raises(ParameterError, match="unbound parameters: a, b"):
        float(A + B)
    with pytest.raises(ParameterError, match="domain"):
        A.ln().evaluate({"a": -1.0})
    with pytest.raises(ParameterError, match="division by zero"):
        (1 / A).evaluate({"a": 0.0})
    with pytest.raises(ParameterError, match="fractional power"):
        (A**0.5).evaluate({"a": -2.0})
    with pytest.raises(ZeroDivisionError):
        constant(1.0) / 0  # folding a constant division by zero fails at construction


def test_evaluate_keys_may_be_parameters() -> None:
    assert (A * B).evaluate({A: 2.0, "b": 3.0}) == 6.0


# ---------------------------------------------------------------------------------------------------------
# printing
# ---------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("expr", "text"),
    [
        (2 * A + 0.5, "2.0*a + 0.5"),
        (-A / 2, "-a/2.0"),
        (A - (B - A), "a - (b - a)"),
        (A / (B * A), "a/(b*a)"),
        (-(A + B), "-(a + b)"),
        (-A.__neg__(), "-(-a)"),
        (A * (-B), "a*(-b)"),
        (A**B**2, "a^b^2.0"),
        ((A**B) ** 2, "(a^b)^2.0"),
        ((-A) ** 2, "(-a)^2.0"),
        (-(A**2), "-a^2.0"),
        (A ** (-0.5), "a^(-0.5)"),
        ((math.pi / 2) * A, "pi/2*a"),
        (A / (math.pi / 2), "a/(pi/2)"),
        ((A + 1).sin(), "sin(a + 1.0)"),
        (A + 1e-5, "a + 1.0e-05"),
    ],
)
def test_printing(expr: ParameterExpression, text: str) -> None:
    assert str(expr) == text
    assert py_eval(text) == pytest.approx(expr.evaluate(BIND), rel=1e-12)
    assert repr(expr) == f"ParameterExpression({text!r})" or isinstance(expr, Parameter)


def test_format_number() -> None:
    assert format_number(math.pi / 2) == "pi/2"
    assert format_number(-math.pi) == "-pi"
    assert format_number(3 * math.pi / 4) == "3*pi/4"
    assert format_number(2 * math.pi) == "2*pi"
    assert format_number(0.1) == "0.1"
    assert format_number(1e-5) == "1.0e-05"
    assert format_number(1e20) == "1.0e+20"
    assert format_number(-3.0) == "-3.0"
    assert format_number(0.0) == "0.0"
    with pytest.raises(ParameterError, match="non-finite"):
        format_number(float("nan"))


@settings(max_examples=300, deadline=None)
@given(st.floats(allow_nan=False, allow_infinity=False))
def test_format_number_round_trips(x: float) -> None:
    text = format_number(x)
    assert "e" not in text or "." in text.split("e")[0]  # OpenQASM 2 reals need a decimal point
    assert py_eval(text) == x


_CONSTS = [0.5, -0.5, 2.0, -3.0, math.pi, -math.pi, math.pi / 2, -math.pi / 2, 3 * math.pi / 4, 1e-5, -2.5e-7,
           0.1, 0.0]
_leaf = st.one_of(st.sampled_from(["a", "b"]), st.sampled_from(_CONSTS))


def _extend(children: st.SearchStrategy) -> st.SearchStrategy:
    return st.one_of(
        st.tuples(st.sampled_from("+-*/^"), children, children),
        st.tuples(st.just("neg"), children),
        st.tuples(st.sampled_from(["sin", "cos", "exp", "atan", "sqrt", "ln"]), children),
        st.tuples(st.sampled_from(["r+", "r*", "r-", "r/", "r^"]), st.sampled_from(_CONSTS), children),
    )


_OPS = {"+": lambda x, y: x + y, "-": lambda x, y: x - y, "*": lambda x, y: x * y, "/": lambda x, y: x / y,
        "^": lambda x, y: x**y}


def _build(tree: object) -> ParameterExpression:
    if tree == "a":
        return A
    if tree == "b":
        return B
    if isinstance(tree, float):
        return constant(tree)
    assert isinstance(tree, tuple)
    op = tree[0]
    if op == "neg":
        return -_build(tree[1])
    if op in FUNCTIONS:
        return _build(tree[1]).apply(op)
    if op.startswith("r"):  # Python number on the left: exercises __radd__ & co.
        return _OPS[op[1]](tree[1], _build(tree[2]))
    return _OPS[op](_build(tree[1]), _build(tree[2]))


@settings(max_examples=400, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.recursive(_leaf, _extend, max_leaves=8))
def test_printed_text_means_the_same_value(tree: object) -> None:
    """str(expr), read back with the usual precedence rules, evaluates to expr.evaluate()."""
    try:
        expr = _build(tree)
    except (ZeroDivisionError, ValueError, OverflowError):
        return
    try:
        want = expr.evaluate(BIND)
    except (ParameterError, OverflowError):
        return
    text = str(expr)
    got = py_eval(text)
    assert not isinstance(got, complex), text
    if math.isnan(want):
        assert math.isnan(got), text
    else:
        assert got == pytest.approx(want, rel=1e-9, abs=1e-12), text


# ---------------------------------------------------------------------------------------------------------
# tensors and gradients
# ---------------------------------------------------------------------------------------------------------
def test_evaluate_with_tensors() -> None:
    expr = (2 * A + 0.5).sin() * B - A**2 + 0.1**A
    t = torch.tensor([0.1, 0.7, -1.2], dtype=torch.float64)
    out = expr.evaluate({"a": t, "b": 1.3})
    assert isinstance(out, torch.Tensor) and out.shape == (3,) and out.dtype == torch.float64
    for i in range(3):
        want = expr.evaluate({"a": float(t[i]), "b": 1.3})
        assert abs(float(out[i]) - want) < 1e-15  # a number in a power keeps full precision
    # mixed tensor dtypes follow torch's promotion; float32 stays float32
    out32 = (A * 2).evaluate({"a": torch.tensor([1.0, 2.0])})
    assert out32.dtype == torch.float32 and out32.tolist() == [2.0, 4.0]


def test_gradients_through_expressions() -> None:
    a = torch.tensor(0.3, dtype=torch.float64, requires_grad=True)
    b = torch.tensor(-1.1, dtype=torch.float64, requires_grad=True)
    expr = (2 * A + 0.5).sin() * B + A.exp() / B + 0.5**A
    out = expr.evaluate({"a": a, "b": b})
    out.backward()
    av, bv = 0.3, -1.1
    da = 2 * math.cos(2 * av + 0.5) * bv + math.exp(av) / bv + math.log(0.5) * 0.5**av
    db = math.sin(2 * av + 0.5) - math.exp(av) / bv**2
    assert a.grad is not None and b.grad is not None
    assert float(a.grad) == pytest.approx(da, rel=1e-12)
    assert float(b.grad) == pytest.approx(db, rel=1e-12)


@pytest.mark.parametrize("func", sorted(FUNCTIONS))
def test_function_gradients_match_finite_differences(func: str) -> None:
    expr = (A * 0.5 + 0.2).apply(func)
    x0 = 0.4
    t = torch.tensor(x0, dtype=torch.float64, requires_grad=True)
    expr.evaluate({"a": t}).backward()
    h = 1e-6
    fd = (expr.evaluate({"a": x0 + h}) - expr.evaluate({"a": x0 - h})) / (2 * h)
    assert float(t.grad) == pytest.approx(fd, rel=1e-6)


def test_is_numeric() -> None:
    import numpy as np

    assert is_numeric(1) and is_numeric(1.5) and is_numeric(np.float32(1.0)) and is_numeric(np.int64(3))
    assert not is_numeric(True) and not is_numeric(torch.tensor(1.0)) and not is_numeric(A)
    assert not is_numeric(np.complex128(1j)) and not is_numeric("1")
