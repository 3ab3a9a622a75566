"""Named circuit parameters and the small symbolic expressions built from them.

A gate angle can be a Python number, a ``torch.Tensor`` (gradients flow through it) or a
:class:`ParameterExpression`: a :class:`Parameter` or arithmetic on parameters (``2 * theta + 0.1``,
``theta.sin()``). Expressions are immutable, compare structurally and print as OpenQASM 2 text.

Parameters are identified by their name: ``Parameter("theta") == Parameter("theta")``.

Examples:
    >>> theta = Parameter("theta")
    >>> expr = 2 * theta + 0.5
    >>> print(expr)
    2.0*theta + 0.5
    >>> expr.evaluate({"theta": 1.0})
    2.5
    >>> print(-theta / 2)
    -theta/2.0
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any, Union

import torch

from ..errors import ParameterError

__all__ = ["FUNCTIONS", "ParamValue", "Parameter", "ParameterExpression", "format_number", "is_numeric"]

#: The value of a gate parameter: a number, a tensor, or a symbolic expression.
ParamValue = Union[float, torch.Tensor, "ParameterExpression"]

_TORCH_FUNCS = {
    "sin": torch.sin,
    "cos": torch.cos,
    "tan": torch.tan,
    "exp": torch.exp,
    "ln": torch.log,
    "sqrt": torch.sqrt,
    "asin": torch.asin,
    "acos": torch.acos,
    "atan": torch.atan,
}


def _math_ln(x: float) -> float:
    return math.log(x)


_MATH_FUNCS = {
    "sin": math.sin,
    "cos": math.cos,
    "tan": math.tan,
    "exp": math.exp,
    "ln": _math_ln,
    "sqrt": math.sqrt,
    "asin": math.asin,
    "acos": math.acos,
    "atan": math.atan,
}

#: Functions allowed in expressions (the OpenQASM 2 set plus the inverse trigonometric functions).
FUNCTIONS = frozenset(_MATH_FUNCS)

# Binding strength, used by the printer to decide on parentheses.
_PREC = {"+": 1, "-": 1, "*": 2, "/": 2, "neg": 3, "^": 4, "atom": 5}


def is_numeric(value: object) -> bool:
    """True for plain Python/NumPy real numbers (not tensors, not expressions)."""
    if isinstance(value, bool):
        return False
    if isinstance(value, (int, float)):
        return True
    try:
        import numpy as np

        return isinstance(value, np.number) and np.isrealobj(value)
    except ImportError:  # pragma: no cover
        return False


def _pi_fraction(value: float) -> str | None:
    """Return 'k*pi/m' text when ``value`` is exactly (bitwise) such a float, else None."""
    if value == 0.0 or not math.isfinite(value):
        return None
    sign = "-" if value < 0 else ""
    a = abs(value)
    for m in (1, 2, 3, 4, 6, 8, 16, 32, 64, 128):
        for k in range(1, 4 * m + 1):
            if math.gcd(k, m) != 1:
                continue
            cand = k * math.pi / m if k != 1 else math.pi / m
            if m == 1:
                cand = k * math.pi if k != 1 else math.pi
            if cand == a:
                num = "pi" if k == 1 else f"{k}*pi"
                return sign + (num if m == 1 else f"{num}/{m}")
    return None


def format_number(value: float) -> str:
    """Format a float so that OpenQASM 2 readers parse it back to the identical float.

    Exact multiples of pi by small fractions print as such (``pi/2``); everything else uses the shortest
    round-trip decimal with a decimal point (``1.0e-05``, never ``1e-05``).

    Examples:
        >>> format_number(math.pi / 2), format_number(0.1), format_number(1e-5), format_number(-3.0)
        ('pi/2', '0.1', '1.0e-05', '-3.0')
    """
    value = float(value)
    if not math.isfinite(value):
        raise ParameterError(f"cannot write the non-finite number {value!r} as a gate parameter")
    frac = _pi_fraction(value)
    if frac is not None:
        return frac
    text = repr(value)
    if "e" in text:
        mant, exp = text.split("e")
        if "." not in mant:
            mant += ".0"
        text = f"{mant}e{exp}"
    return text


def _as_expr(value: Any) -> ParameterExpression:
    if isinstance(value, ParameterExpression):
        return value
    if is_numeric(value):
        return _Const(float(value))
    raise TypeError(f"cannot combine a parameter expression with {type(value).__name__}")


def _fold(op: str, a: float, b: float) -> float:
    if op == "+":
        return a + b
    if op == "-":
        return a - b
    if op == "*":
        return a * b
    if op == "/":
        if b == 0:
            raise ZeroDivisionError("division by zero")
        return a / b
    if op == "^":
        result = a**b
        if isinstance(result, complex):
            raise ValueError("negative number raised to a fractional power")
        return float(result)
    raise AssertionError(op)  # pragma: no cover


def _binary(op: str, a: Any, b: Any) -> ParameterExpression:
    ea, eb = _as_expr(a), _as_expr(b)
    if isinstance(ea, _Const) and isinstance(eb, _Const):
        return _Const(_fold(op, ea.value, eb.value))
    return _Binary(op, ea, eb)


class ParameterExpression:
    """An immutable symbolic expression over :class:`Parameter` objects."""

    __slots__ = ()

    # --- arithmetic -------------------------------------------------------------------------------
    def __add__(self, other: Any) -> ParameterExpression:
        return _binary("+", self, other)

    def __radd__(self, other: Any) -> ParameterExpression:
        return _binary("+", other, self)

    def __sub__(self, other: Any) -> ParameterExpression:
        return _binary("-", self, other)

    def __rsub__(self, other: Any) -> ParameterExpression:
        return _binary("-", other, self)

    def __mul__(self, other: Any) -> ParameterExpression:
        return _binary("*", self, other)

    def __rmul__(self, other: Any) -> ParameterExpression:
        return _binary("*", other, self)

    def __truediv__(self, other: Any) -> ParameterExpression:
        return _binary("/", self, other)

    def __rtruediv__(self, other: Any) -> ParameterExpression:
        return _binary("/", other, self)

    def __pow__(self, other: Any) -> ParameterExpression:
        return _binary("^", self, other)

    def __rpow__(self, other: Any) -> ParameterExpression:
        return _binary("^", other, self)

    def __neg__(self) -> ParameterExpression:
        return _Neg(self)

    def __pos__(self) -> ParameterExpression:
        return self

    def apply(self, func: str) -> ParameterExpression:
        """Apply a named function (``sin``, ``cos``, ``tan``, ``exp``, ``ln``, ``sqrt``, ...)."""
        if func not in FUNCTIONS:
            raise ValueError(f"unknown function {func!r}; known: {', '.join(sorted(FUNCTIONS))}")
        return _Func(func, self)

    def sin(self) -> ParameterExpression:
        return self.apply("sin")

    def cos(self) -> ParameterExpression:
        return self.apply("cos")

    def tan(self) -> ParameterExpression:
        return self.apply("tan")

    def exp(self) -> ParameterExpression:
        return self.apply("exp")

    def ln(self) -> ParameterExpression:
        return self.apply("ln")

    def sqrt(self) -> ParameterExpression:
        return self.apply("sqrt")

    # --- inspection ---------------------------------------------------------------------------------
    @property
    def parameters(self) -> frozenset[Parameter]:
        """The parameters this expression depends on."""
        raise NotImplementedError

    def evaluate(self, bindings: Mapping[Any, Any] | None = None) -> float | torch.Tensor:
        """Evaluate with ``bindings`` (keys: :class:`Parameter` or name; values: numbers or tensors).

        Returns a float when every bound value is a number, else a tensor (autograd flows through it).

        Raises:
            ParameterError: a parameter is unbound, or the value is outside a function's domain.
        """
        table: dict[str, Any] = {}
        for key, val in (bindings or {}).items():
            table[key.name if isinstance(key, Parameter) else str(key)] = val
        try:
            return self._eval(table)
        except (ValueError, ZeroDivisionError, OverflowError) as exc:
            raise ParameterError(f"cannot evaluate {self}: {exc}") from None

    def _eval(self, table: dict[str, Any]) -> Any:
        raise NotImplementedError

    def subs(self, mapping: Mapping[Any, Any]) -> ParameterExpression:
        """Replace parameters by numbers or expressions (keys: Parameter or name). Constants are folded."""
        table = {(k.name if isinstance(k, Parameter) else str(k)): v for k, v in mapping.items()}
        return self._subs(table)

    def _subs(self, table: dict[str, Any]) -> ParameterExpression:
        raise NotImplementedError

    def is_constant(self) -> bool:
        """True when the expression has no parameters."""
        return not self.parameters

    def __float__(self) -> float:
        if self.parameters:
            names = ", ".join(sorted(p.name for p in self.parameters))
            raise ParameterError(f"expression {self} has unbound parameters: {names}")
        return float(self._eval({}))

    # --- printing -----------------------------------------------------------------------------------
    def _prec(self) -> int:
        return _PREC["atom"]

    def _text(self) -> str:
        raise NotImplementedError

    def __str__(self) -> str:
        return self._text()

    def __repr__(self) -> str:
        return f"ParameterExpression({self._text()!r})"


class Parameter(ParameterExpression):
    """A named circuit parameter, bound to a value when the circuit runs.

    Args:
        name: an identifier (letters, digits and ``_``, not starting with a digit).

    Examples:
        >>> Parameter("theta") == Parameter("theta")
        True
    """

    __slots__ = ("_name",)

    def __init__(self, name: str) -> None:
        if not isinstance(name, str) or not name or not (name[0].isalpha() or name[0] == "_"):
            raise ParameterError(f"a parameter name must be an identifier, got {name!r}")
        if not all(ch.isalnum() or ch == "_" for ch in name):
            raise ParameterError(f"a parameter name must be an identifier, got {name!r}")
        self._name = name

    @property
    def name(self) -> str:
        return self._name

    @property
    def parameters(self) -> frozenset[Parameter]:
        return frozenset((self,))

    def _eval(self, table: dict[str, Any]) -> Any:
        try:
            return table[self._name]
        except KeyError:
            raise ParameterError(f"parameter {self._name!r} is not bound") from None

    def _subs(self, table: dict[str, Any]) -> ParameterExpression:
        if self._name in table:
            return _as_expr(table[self._name])
        return self

    def _text(self) -> str:
        return self._name

    def __repr__(self) -> str:
        return f"Parameter({self._name!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Parameter) and other._name == self._name

    def __hash__(self) -> int:
        return hash(("Parameter", self._name))

    def __lt__(self, other: Parameter) -> bool:
        return self._name < other._name


class _Const(ParameterExpression):
    __slots__ = ("value",)

    def __init__(self, value: float) -> None:
        self.value = float(value)

    @property
    def parameters(self) -> frozenset[Parameter]:
        return frozenset()

    def _eval(self, table: dict[str, Any]) -> Any:
        return self.value

    def _subs(self, table: dict[str, Any]) -> ParameterExpression:
        return self

    def _prec(self) -> int:
        text = format_number(self.value)
        if "/" in text or "*" in text:
            return _PREC["*"]
        return _PREC["neg"] if text.startswith("-") else _PREC["atom"]

    def _text(self) -> str:
        return format_number(self.value)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Const) and other.value == self.value

    def __hash__(self) -> int:
        return hash(("const", self.value))


class _Neg(ParameterExpression):
    __slots__ = ("arg",)

    def __new__(cls, arg: ParameterExpression) -> Any:  # fold -(constant)
        if isinstance(arg, _Const):
            return _Const(-arg.value)
        return super().__new__(cls)

    def __init__(self, arg: ParameterExpression) -> None:
        self.arg = arg

    @property
    def parameters(self) -> frozenset[Parameter]:
        return self.arg.parameters

    def _eval(self, table: dict[str, Any]) -> Any:
        return -self.arg._eval(table)

    def _subs(self, table: dict[str, Any]) -> ParameterExpression:
        return -self.arg._subs(table)

    def _prec(self) -> int:
        return _PREC["neg"]

    def _text(self) -> str:
        inner = self.arg._text()
        # Parenthesise sums and anything starting with a minus sign ("--x" is not OpenQASM).
        if self.arg._prec() <= _PREC["neg"]:
            inner = f"({inner})"
        return f"-{inner}"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Neg) and other.arg == self.arg

    def __hash__(self) -> int:
        return hash(("neg", self.arg))


class _Binary(ParameterExpression):
    __slots__ = ("a", "b", "op")

    def __init__(self, op: str, a: ParameterExpression, b: ParameterExpression) -> None:
        self.op, self.a, self.b = op, a, b

    @property
    def parameters(self) -> frozenset[Parameter]:
        return self.a.parameters | self.b.parameters

    def _eval(self, table: dict[str, Any]) -> Any:
        x, y = self.a._eval(table), self.b._eval(table)
        if isinstance(x, torch.Tensor) or isinstance(y, torch.Tensor):
            if self.op == "+":
                return x + y
            if self.op == "-":
                return x - y
            if self.op == "*":
                return x * y
            if self.op == "/":
                return x / y
            return torch.pow(x, y)  # a Python number stays exact (no float32 tensor in between)
        return _fold(self.op, x, y)

    def _subs(self, table: dict[str, Any]) -> ParameterExpression:
        return _binary(self.op, self.a._subs(table), self.b._subs(table))

    def _prec(self) -> int:
        return _PREC[self.op]

    def _text(self) -> str:
        p = _PREC[self.op]
        left, right = self.a._text(), self.b._text()
        lp, rp = self.a._prec(), self.b._prec()
        if self.op == "^":
            # right-associative: parenthesise a left operand of equal or lower binding
            if lp <= p:
                left = f"({left})"
            if rp < p:
                right = f"({right})"
        else:
            if lp < p:
                left = f"({left})"
            # left-associative: a right operand of equal binding needs parentheses (a-(b-c), a/(b*c))
            if rp <= p:
                right = f"({right})"
        if right.startswith("-"):
            right = f"({right})"
        sep = f" {self.op} " if p == 1 else self.op
        return f"{left}{sep}{right}"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Binary) and (other.op, other.a, other.b) == (self.op, self.a, self.b)

    def __hash__(self) -> int:
        return hash(("bin", self.op, self.a, self.b))


class _Func(ParameterExpression):
    __slots__ = ("arg", "func")

    def __new__(cls, func: str, arg: ParameterExpression) -> Any:  # fold f(constant)
        if isinstance(arg, _Const):
            return _Const(_MATH_FUNCS[func](arg.value))
        return super().__new__(cls)

    def __init__(self, func: str, arg: ParameterExpression) -> None:
        self.func, self.arg = func, arg

    @property
    def parameters(self) -> frozenset[Parameter]:
        return self.arg.parameters

    def _eval(self, table: dict[str, Any]) -> Any:
        x = self.arg._eval(table)
        if isinstance(x, torch.Tensor):
            return _TORCH_FUNCS[self.func](x)
        return _MATH_FUNCS[self.func](x)

    def _subs(self, table: dict[str, Any]) -> ParameterExpression:
        return _Func(self.func, self.arg._subs(table))

    def _text(self) -> str:
        return f"{self.func}({self.arg._text()})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Func) and (other.func, other.arg) == (self.func, self.arg)

    def __hash__(self) -> int:
        return hash(("func", self.func, self.arg))


def constant(value: float) -> ParameterExpression:
    """A constant expression (used by parsers to build trees)."""
    return _Const(value)


def binary(op: str, a: Any, b: Any) -> ParameterExpression:
    """Build ``a op b`` with constant folding; ``op`` is one of ``+ - * / ^``."""
    return _binary(op, a, b)


def function(name: str, arg: Any) -> ParameterExpression:
    """Build ``name(arg)`` with constant folding."""
    return _Func(name, _as_expr(arg))


def const_value(expr: ParameterExpression) -> float | None:
    """The float value of a constant expression, else None."""
    return expr.value if isinstance(expr, _Const) else None
