"""Frozen result records and the bit-order converters.

Keys in suanli's own order (``order="big"``) list classical bit 0 first (leftmost). Qiskit writes classical
bit 0 last (rightmost) and separates registers with spaces, the last declared register first;
``order="qiskit"`` produces exactly those keys.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..errors import SuanliError

__all__ = ["Counts", "Result", "to_qiskit_key"]

_ORDERS = ("big", "qiskit")


def to_qiskit_key(key: str, register_sizes: Sequence[int]) -> str:
    """Convert a big-order key to Qiskit's key.

    Examples:
        >>> to_qiskit_key("10" + "011", [2, 3])  # c0 c1 | d0 d1 d2
        '110 01'
    """
    if sum(register_sizes) != len(key):
        raise SuanliError(f"key {key!r} has {len(key)} bits but the registers hold {sum(register_sizes)}")
    parts = []
    start = 0
    for size in register_sizes:
        parts.append(key[start : start + size][::-1])
        start += size
    return " ".join(reversed(parts))


@dataclass(frozen=True)
class Counts(Mapping[str, int]):
    """Outcome counts keyed by bitstring; a read-only mapping.

    Attributes:
        data: the counts.
        order: ``"big"`` (classical bit 0 leftmost) or ``"qiskit"``.
    """

    data: Mapping[str, int]
    order: str = "big"

    def __post_init__(self) -> None:
        if self.order not in _ORDERS:
            raise SuanliError(f"order must be one of {_ORDERS}, got {self.order!r}")
        for k, v in self.data.items():
            if not isinstance(k, str) or not isinstance(v, (int, np.integer)) or v < 0:
                raise SuanliError(f"bad count entry {k!r}: {v!r}")
        object.__setattr__(self, "data", dict(self.data))

    def __getitem__(self, key: str) -> int:
        return self.data[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self.data)

    def __len__(self) -> int:
        return len(self.data)

    def __repr__(self) -> str:
        return f"Counts({dict(self.most_common())!r})"

    def __eq__(self, other: object) -> bool:
        # a Mapping equals any mapping with the same items (the dataclass default compared only Counts)
        if isinstance(other, Counts):
            return self.order == other.order and self.data == other.data
        if isinstance(other, Mapping):
            return self.data == dict(other.items())
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]  # like dict

    @property
    def shots(self) -> int:
        return int(sum(self.data.values()))

    def most_common(self, k: int | None = None) -> list[tuple[str, int]]:
        """Outcomes sorted by count (ties by key), at most ``k``."""
        items = sorted(self.data.items(), key=lambda kv: (-kv[1], kv[0]))
        return items if k is None else items[:k]

    def probabilities(self) -> dict[str, float]:
        """Relative frequencies."""
        total = self.shots
        return {k: v / total for k, v in self.data.items()} if total else {}

    def tvd(self, other: Mapping[str, float]) -> float:
        """Total-variation distance to another distribution (counts or probabilities, same key order)."""
        p = self.probabilities()
        total = float(sum(other.values()))
        if total <= 0:
            raise SuanliError("the other distribution is empty")
        q = {k: float(v) / total for k, v in other.items()}
        return 0.5 * sum(abs(p.get(k, 0.0) - q.get(k, 0.0)) for k in set(p) | set(q))


@dataclass(frozen=True)
class Result:
    """The outcome of :func:`suanli.sample`.

    Attributes:
        memory: ``uint8`` array of shape (shots, num_clbits); column i is classical bit i, row order is the
            (shuffled) shot order.
        register_sizes: sizes of the classical registers, in declaration order (for Qiskit-order keys).
        register_names: their names.
        seed: the seed used (None when drawn from the operating system).
        timings: seconds spent per stage (``simulate``, ``sample`` …).
        metadata: device, precision, number of trajectories/branches and similar facts.
    """

    memory: np.ndarray
    register_sizes: tuple[int, ...]
    register_names: tuple[str, ...] = ()
    seed: int | None = None
    timings: Mapping[str, float] = field(default_factory=dict)
    metadata: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        mem = np.array(self.memory, dtype=np.uint8, copy=True)  # our own read-only copy
        if mem.ndim != 2:
            raise SuanliError(f"memory must be 2-D (shots × clbits), got shape {mem.shape}")
        if mem.dtype != np.uint8:
            mem = mem.astype(np.uint8)
        if mem.size and mem.max() > 1:
            raise SuanliError("memory entries must be 0 or 1")
        if sum(self.register_sizes) != mem.shape[1]:
            raise SuanliError(
                f"registers hold {sum(self.register_sizes)} bits but memory has {mem.shape[1]} columns"
            )
        mem.setflags(write=False)
        object.__setattr__(self, "memory", mem)
        if not self.register_names:
            object.__setattr__(self, "register_names", tuple(f"c{i}" for i in range(len(self.register_sizes))))

    @property
    def shots(self) -> int:
        return int(self.memory.shape[0])

    @property
    def num_clbits(self) -> int:
        return int(self.memory.shape[1])

    def bitstrings(self, order: str = "big") -> list[str]:
        """One key per shot, in shot order."""
        keys = _row_keys(self.memory)
        if order == "big":
            return keys
        if order == "qiskit":
            return [to_qiskit_key(k, self.register_sizes) for k in keys]
        raise SuanliError(f"order must be one of {_ORDERS}, got {order!r}")

    def counts(self, order: str = "big") -> Counts:
        """Counts per outcome; ``order="qiskit"`` gives Qiskit's keys (bit 0 rightmost, registers spaced).

        Examples:
            >>> r = Result(np.array([[1, 0, 1], [1, 0, 1], [0, 0, 0]]), register_sizes=(2, 1))
            >>> r.counts()
            Counts({'101': 2, '000': 1})
            >>> r.counts(order="qiskit")
            Counts({'1 01': 2, '0 00': 1})
        """
        if order not in _ORDERS:
            raise SuanliError(f"order must be one of {_ORDERS}, got {order!r}")
        if self.num_clbits == 0:
            return Counts({"": self.shots} if self.shots else {}, order)
        uniq, cnt = np.unique(self.memory, axis=0, return_counts=True)
        keys = _row_keys(uniq)
        data = dict(zip(keys, (int(c) for c in cnt)))
        if order == "qiskit":
            data = {to_qiskit_key(k, self.register_sizes): v for k, v in data.items()}
        return Counts(data, order)

    def probabilities(self, order: str = "big") -> dict[str, float]:
        """Relative frequencies per outcome."""
        return self.counts(order).probabilities()


def _row_keys(mem: np.ndarray) -> list[str]:
    if mem.shape[1] == 0:
        return [""] * mem.shape[0]
    chars = (np.asarray(mem, dtype=np.uint8) + ord("0")).astype(np.uint8)
    return [row.tobytes().decode("ascii") for row in chars]
