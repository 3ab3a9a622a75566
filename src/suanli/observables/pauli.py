"""Pauli sums (``0.5*Z0*Z1 + X3``) and dense Hermitian observables.

Qubit indices in Pauli strings follow suanli's convention: ``Z0`` acts on qubit 0, the most significant
bit of a basis-state index.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Union

import numpy as np
import torch

from ..errors import ObservableError

__all__ = ["Hermitian", "Observable", "PauliSum", "PauliTerm"]


@dataclass(frozen=True)
class PauliTerm:
    """``coeff`` times a product of Pauli operators, ``ops`` = sorted ((qubit, 'X'|'Y'|'Z'), …)."""

    coeff: float
    ops: tuple[tuple[int, str], ...]

    def __post_init__(self) -> None:
        qs = [q for q, _ in self.ops]
        if len(set(qs)) != len(qs):
            raise ObservableError(f"a Pauli term acts twice on one qubit: {self.ops}")
        for q, p in self.ops:
            if p not in ("X", "Y", "Z") or not isinstance(q, int) or q < 0:
                raise ObservableError(f"bad Pauli factor {p}{q}")

    @property
    def qubits(self) -> tuple[int, ...]:
        return tuple(q for q, _ in self.ops)

    def label(self) -> str:
        return "*".join(f"{p}{q}" for q, p in self.ops) or "I"

    def masks(self, num_qubits: int) -> tuple[int, int, complex]:
        """``(x, z, phase)`` with ``(P ψ)[y] = phase · (-1)^popcount(y & z) · ψ[y ^ x]`` on a big-endian
        ``num_qubits``-qubit index (qubit q is bit ``num_qubits - 1 - q``); ``phase = (-i)^#Y``."""
        x = z = n_y = 0
        for q, p in self.ops:
            bit = 1 << (num_qubits - 1 - q)
            if p != "Z":
                x |= bit
            if p != "X":
                z |= bit
            n_y += p == "Y"
        return x, z, (-1j) ** n_y


_TOKEN = re.compile(
    r"\s*(?:(?P<num>(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)|(?P<pauli>[IXYZ])(?P<q>\d+)|(?P<op>[-+*()])|(?P<bad>\S))"
)


class PauliSum:
    """A real linear combination of Pauli strings: a Hermitian observable.

    Build one from text, terms, or arithmetic:

    Examples:
        >>> h = PauliSum.from_string("0.5*Z0*Z1 + X3 - 2*Y1")
        >>> print(h)
        0.5*Z0*Z1 + 1.0*X3 - 2.0*Y1
        >>> h.num_qubits
        4
        >>> print(PauliSum.from_string("Z0") * 3 + PauliSum.from_string("Z0"))
        4.0*Z0
    """

    def __init__(self, terms: Iterable[PauliTerm] = ()) -> None:
        merged: dict[tuple[tuple[int, str], ...], float] = {}
        for t in terms:
            merged[t.ops] = merged.get(t.ops, 0.0) + float(t.coeff)
        self.terms: tuple[PauliTerm, ...] = tuple(PauliTerm(c, ops) for ops, c in merged.items() if c != 0.0)

    @classmethod
    def from_string(cls, text: str) -> PauliSum:
        """Parse ``"0.5*Z0*Z1 + X3"``; factors may also be separated by spaces (``"Z0 Z1"``); ``I0`` is 1.

        Raises:
            ObservableError: with the column of the first bad character.
        """
        if not isinstance(text, str):
            raise ObservableError(f"expected a string, got {type(text).__name__}")
        pos = 0
        toks: list[tuple[str, str, int]] = []
        while pos < len(text):
            m = _TOKEN.match(text, pos)
            if m is None or m.end() == pos:
                break
            if m.group("bad") is not None:
                raise ObservableError(f"column {m.start('bad') + 1}: unexpected {m.group('bad')!r} in {text!r}")
            if m.group("num") is not None:
                toks.append(("num", m.group("num"), m.start("num")))
            elif m.group("pauli") is not None:
                toks.append(("pauli", m.group("pauli") + m.group("q"), m.start("pauli")))
            else:
                toks.append(("op", m.group("op"), m.start("op")))
            pos = m.end()
        terms: list[PauliTerm] = []
        i = 0

        def err(msg: str, at: int) -> ObservableError:
            return ObservableError(f"column {at + 1}: {msg} in {text!r}")

        if not toks:
            raise ObservableError(f"empty Pauli sum {text!r}")
        while i < len(toks):
            sign = 1.0
            while i < len(toks) and toks[i][0] == "op" and toks[i][1] in "+-":
                if toks[i][1] == "-":
                    sign = -sign
                i += 1
            coeff = 1.0
            ops: dict[int, str] = {}
            seen_factor = False
            while i < len(toks):
                kind, val, at = toks[i]
                if kind == "num":
                    coeff *= float(val)
                elif kind == "pauli":
                    q = int(val[1:])
                    if val[0] != "I":
                        if q in ops:
                            raise err(f"qubit {q} appears twice in one term", at)
                        ops[q] = val[0]
                elif val == "*":
                    if not seen_factor:
                        raise err("'*' without a left factor", at)
                    i += 1
                    if i >= len(toks) or toks[i][0] == "op":
                        raise err("'*' without a right factor", at)
                    continue
                elif val in "+-":
                    break
                else:
                    raise err(f"unexpected {val!r}", at)
                seen_factor = True
                i += 1
            if not seen_factor:
                at = toks[i][2] if i < len(toks) else len(text)
                raise err("missing term", at)
            terms.append(PauliTerm(sign * coeff, tuple(sorted(ops.items()))))
        return cls(terms)

    @classmethod
    def from_terms(cls, terms: Mapping[str, float] | Iterable[tuple[float, str]]) -> PauliSum:
        """From ``{"Z0*Z1": 0.5, "X3": 1}`` or ``[(0.5, "Z0 Z1"), (1, "X3")]``."""
        items = terms.items() if isinstance(terms, Mapping) else ((s, c) for c, s in terms)
        out = PauliSum()
        for label, coeff in items:
            out = out + float(coeff) * cls.from_string(label)
        return out

    @property
    def num_qubits(self) -> int:
        """1 + the largest qubit index used (0 for a constant)."""
        return 1 + max((q for t in self.terms for q, _ in t.ops), default=-1)

    def __add__(self, other: Any) -> PauliSum:
        if isinstance(other, bool):
            return NotImplemented
        if isinstance(other, (int, float)):
            other = PauliSum([PauliTerm(float(other), ())])
        if not isinstance(other, PauliSum):
            return NotImplemented
        return PauliSum([*self.terms, *other.terms])

    __radd__ = __add__

    def __sub__(self, other: Any) -> PauliSum:
        return self + (-1.0) * other

    def __mul__(self, scalar: Any) -> PauliSum:
        if not isinstance(scalar, (int, float)) or isinstance(scalar, bool):
            return NotImplemented
        return PauliSum([PauliTerm(t.coeff * scalar, t.ops) for t in self.terms])

    __rmul__ = __mul__

    def __neg__(self) -> PauliSum:
        return self * -1.0

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, PauliSum):
            return NotImplemented
        return {t.ops: t.coeff for t in self.terms} == {t.ops: t.coeff for t in other.terms}

    def __str__(self) -> str:
        if not self.terms:
            return "0"
        parts = []
        for i, t in enumerate(self.terms):
            body = f"{abs(t.coeff)!r}" + ("*" + t.label() if t.ops else "")
            if i == 0:
                parts.append(("-" if t.coeff < 0 else "") + body)
            else:
                parts.append((" - " if t.coeff < 0 else " + ") + body)
        return "".join(parts)

    def __repr__(self) -> str:
        return f"PauliSum.from_string({str(self)!r})"

    def to_matrix(self, num_qubits: int | None = None) -> np.ndarray:
        """Dense matrix (big-endian), for checks on a few qubits."""
        n = self.num_qubits if num_qubits is None else num_qubits
        if n > 14:
            raise ObservableError(f"to_matrix on {n} qubits would need {2 ** (2 * n) * 16} bytes")
        paulis = {
            "I": np.eye(2),
            "X": np.array([[0, 1], [1, 0]]),
            "Y": np.array([[0, -1j], [1j, 0]]),
            "Z": np.diag([1, -1]),
        }
        total = np.zeros((1 << n, 1 << n), dtype=complex)
        for t in self.terms:
            ops = dict(t.ops)
            m = np.ones((1, 1), dtype=complex)
            for q in range(n):
                m = np.kron(m, paulis[ops.get(q, "I")])
            total += t.coeff * m
        return total


class Hermitian:
    """A dense Hermitian matrix acting on ``qubits`` (big-endian within the matrix: qubits[0] is its MSB).

    Examples:
        >>> import numpy as np
        >>> zz = Hermitian(np.diag([1.0, -1.0, -1.0, 1.0]), [0, 2])
        >>> zz.qubits
        (0, 2)
    """

    def __init__(self, matrix: Any, qubits: Sequence[int], *, atol: float = 1e-8) -> None:
        m = torch.as_tensor(np.asarray(matrix.detach().cpu() if isinstance(matrix, torch.Tensor) else matrix))
        self.qubits = tuple(int(q) for q in qubits)
        k = len(self.qubits)
        if k == 0 or len(set(self.qubits)) != k or min(self.qubits) < 0:
            raise ObservableError(f"Hermitian needs distinct non-negative qubits, got {tuple(qubits)}")
        if m.shape != (1 << k, 1 << k):
            raise ObservableError(f"a matrix on {k} qubit(s) must be {1 << k}x{1 << k}, got {tuple(m.shape)}")
        m = m.to(torch.complex128)
        if not torch.allclose(m, m.conj().T, atol=atol):
            raise ObservableError("the matrix is not Hermitian (M != M^†)")
        if k > 10:
            raise ObservableError(f"a dense observable on {k} qubits is too large; use a PauliSum")
        self.matrix = m

    @property
    def num_qubits(self) -> int:
        return 1 + max(self.qubits)

    def __repr__(self) -> str:
        return f"Hermitian(<{self.matrix.shape[0]}x{self.matrix.shape[1]}>, qubits={self.qubits})"


Observable = Union[PauliSum, Hermitian, str]  # noqa: UP007


def as_observable(obs: Any) -> PauliSum | Hermitian:
    """Accept a PauliSum, Hermitian, or Pauli-sum string."""
    if isinstance(obs, (PauliSum, Hermitian)):
        return obs
    if isinstance(obs, str):
        return PauliSum.from_string(obs)
    raise ObservableError(
        f"expected a PauliSum, a Hermitian or a Pauli-sum string like '0.5*Z0*Z1 + X3', got {type(obs).__name__}"
    )
