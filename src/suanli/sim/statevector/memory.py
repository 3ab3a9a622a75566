"""Memory guard: refuse state vectors that will not fit before allocating anything.

The limit is the device's free memory (``torch.cuda.mem_get_info`` on CUDA, available RAM on the CPU),
optionally capped by the environment variable ``SUANLI_MAX_MEMORY`` (e.g. ``8GiB``, ``500MB``, ``1e9``).
"""

from __future__ import annotations

import mmap
import os
import re
import threading

import torch

from ...errors import SimulationTooLarge, SuanliError

__all__ = [
    "available_bytes",
    "check_branch_memory",
    "check_memory",
    "format_bytes",
    "parse_bytes",
    "release_spare_buffers",
    "spare_buffer",
    "state_bytes",
]

_UNITS = {
    "": 1, "b": 1,
    "k": 1000, "kb": 1000, "m": 1000**2, "mb": 1000**2, "g": 1000**3, "gb": 1000**3, "t": 1000**4, "tb": 1000**4,
    "kib": 1024, "mib": 1024**2, "gib": 1024**3, "tib": 1024**4, "pib": 1024**5,
}


def parse_bytes(text: str) -> int:
    """Parse ``"8GiB"``, ``"500 MB"``, ``"1e9"`` into bytes.

    Examples:
        >>> parse_bytes("8GiB"), parse_bytes("1.5 kB"), parse_bytes("1e3")
        (8589934592, 1500, 1000)
    """
    m = re.fullmatch(r"\s*([0-9]*\.?[0-9]+(?:[eE][+-]?[0-9]+)?)\s*([a-zA-Z]*)\s*", str(text))
    if not m or m.group(2).lower() not in _UNITS:
        raise SuanliError(f"cannot read {text!r} as a memory size (examples: 8GiB, 500MB, 1e9)")
    return int(float(m.group(1)) * _UNITS[m.group(2).lower()])


def format_bytes(n: float) -> str:
    """Human-readable bytes with binary units.

    Examples:
        >>> format_bytes(16 * 2**40), format_bytes(1536)
        ('16.0 TiB', '1.5 KiB')
    """
    for unit in ("B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"):
        if abs(n) < 1024 or unit == "EiB":
            return f"{n:.0f} B" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n:.1f} EiB"  # pragma: no cover


#: Requests of at most this many bytes are not checked against the free memory (unless ``SUANLI_MAX_MEMORY``
#: is set): a few MiB always fit, and asking the system costs tens of microseconds per call.
_ALWAYS_FITS = 1 << 22


def state_bytes(num_qubits: int, dtype: torch.dtype, batch: int = 1) -> int:
    """Bytes of one state vector (``batch`` of them) of ``num_qubits`` qubits in ``dtype``."""
    return batch * dtype.itemsize * (1 << num_qubits)


def _cpu_available() -> int:
    try:
        import psutil

        return int(psutil.virtual_memory().available)
    except Exception:  # pragma: no cover - psutil is a dependency, this is a fallback
        try:
            return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
        except (ValueError, OSError, AttributeError):
            return 1 << 62


def available_bytes(device: torch.device) -> int:
    """Free memory on ``device``, capped by ``SUANLI_MAX_MEMORY`` when it is set."""
    if device.type == "cuda":
        free, _total = torch.cuda.mem_get_info(device)
        # memory PyTorch holds in its cache is free for us too
        free += torch.cuda.memory_reserved(device) - torch.cuda.memory_allocated(device)
    else:
        free = _cpu_available()
    cap = os.environ.get("SUANLI_MAX_MEMORY")
    if cap:
        free = min(free, parse_bytes(cap))
    return int(free)


def check_memory(
    num_qubits: int,
    dtype: torch.dtype,
    device: torch.device,
    *,
    copies: float = 2,
    batch: int = 1,
    what: str = "state-vector simulation",
) -> int:
    """Raise :class:`SimulationTooLarge` unless ``copies`` state vectors fit on ``device``; return the bytes.

    Examples:
        >>> check_memory(40, torch.complex64, torch.device("cpu"))
        Traceback (most recent call last):
        ...
        suanli.errors.SimulationTooLarge: a 40-qubit state-vector simulation needs 16.0 TiB ...
    """
    one = state_bytes(num_qubits, dtype, batch)
    need = int(one * copies)
    if need <= _ALWAYS_FITS and not os.environ.get("SUANLI_MAX_MEMORY"):
        return need  # small enough not to ask the system (the query costs more than a small simulation)
    have = available_bytes(device)
    if need > have:
        prec = "complex64" if dtype == torch.complex64 else "complex128"
        batch_txt = f" × batch {batch}" if batch > 1 else ""
        advice = []
        if dtype == torch.complex128:
            advice.append("use complex64 (dtype=torch.complex64; --precision single on the command line) to halve it")
        if batch > 1:
            advice.append("use a smaller batch")
        advice.append("simulate fewer qubits, or run on a device with more memory")
        advice.append("circuits of this width need a tensor-network or MPS method instead of a state vector")
        raise SimulationTooLarge(
            f"a {num_qubits}-qubit {what} needs {format_bytes(need)} "
            f"({copies:g} × 2^{num_qubits} amplitudes × {torch.empty((), dtype=dtype).element_size()} B {prec}"
            f"{batch_txt}) but {device} has {format_bytes(have)} available; " + "; ".join(advice),
            bytes_needed=need,
            bytes_available=have,
        )
    return need


def check_branch_memory(num_qubits: int, dtype: torch.dtype, device: torch.device, *, held: int) -> None:
    """Before copying a state for one more branch of a dynamic circuit.

    ``held`` state vectors already exist. The device's free memory must take one more, and the
    ``SUANLI_MAX_MEMORY`` cap, when set, must take all ``held + 1`` of them.
    """
    check_memory(num_qubits, dtype, device, copies=1, what="branch of a dynamic circuit")
    cap = os.environ.get("SUANLI_MAX_MEMORY")
    if cap:
        one = state_bytes(num_qubits, dtype)
        need, limit = (held + 1) * one, parse_bytes(cap)
        if need > limit:
            raise SimulationTooLarge(
                f"a dynamic circuit on {num_qubits} qubits needs {held + 1} state vectors at once "
                f"({format_bytes(need)}) to follow its measurement branches, over SUANLI_MAX_MEMORY="
                f"{format_bytes(limit)}; raise the cap or reduce the mid-circuit measurements",
                bytes_needed=need,
                bytes_available=limit,
            )


#: CPU buffers from this many bytes up are mapped with transparent huge pages where the system offers them.
HUGE_PAGE_MIN = 1 << 22


def host_zeros(
    shape: tuple[int, ...] | list[int], dtype: torch.dtype, device: torch.device | str = "cpu"
) -> torch.Tensor:
    """A zero tensor for a state-sized buffer. On the CPU, buffers of at least :data:`HUGE_PAGE_MIN` bytes are
    fresh anonymous mappings advised to use huge pages: the first touch of a 4 KiB page costs a fault, and a
    state vector has many (a 2**24-amplitude complex64 state: 32 768 faults, tens of milliseconds), where huge
    pages take one fault per 2 MiB. Elsewhere, and where that fails, ``torch.zeros``."""
    dev = torch.device(device)
    count = 1
    for d in shape:
        count *= int(d)
    nbytes = count * dtype.itemsize
    if dev.type != "cpu" or nbytes < HUGE_PAGE_MIN or not hasattr(mmap, "MADV_HUGEPAGE"):
        return torch.zeros(tuple(shape), dtype=dtype, device=dev)
    try:
        buf = mmap.mmap(-1, nbytes, flags=mmap.MAP_PRIVATE | mmap.MAP_ANONYMOUS)
        buf.madvise(mmap.MADV_HUGEPAGE)
    except (OSError, ValueError):  # pragma: no cover - no anonymous mappings or no advice here
        return torch.zeros(tuple(shape), dtype=dtype)
    return torch.frombuffer(buf, dtype=dtype).view(tuple(shape))  # the tensor keeps the mapping alive


def host_copy(t: torch.Tensor, *, reuse: bool = False) -> torch.Tensor:
    """A contiguous copy of ``t`` in a :func:`host_zeros` buffer (``t.clone()`` off the CPU).

    With ``reuse``, a spare buffer of the same shape and dtype handed back by :func:`spare_buffer` is used when
    there is one: its pages are already mapped, so the copy costs one pass instead of a page fault per 2 MiB
    plus the pass (for the adjoint method's ψ snapshots, called again at every training step)."""
    if t.device.type != "cpu":
        return t.clone()
    out = _take_spare(tuple(t.shape), t.dtype) if reuse else None
    if out is None:
        out = host_zeros(tuple(t.shape), t.dtype)
    out.copy_(t)
    return out


SPARE_DEFAULT = 256 << 20
"""Bytes of spare buffers kept between calls unless ``SUANLI_SPARE_BUFFERS`` says otherwise (``0`` keeps none)."""

_spare: dict[tuple[tuple[int, ...], torch.dtype], list[torch.Tensor]] = {}
_spare_bytes = 0
_spare_lock = threading.Lock()


def _spare_limit() -> int:
    text = os.environ.get("SUANLI_SPARE_BUFFERS", "").strip()
    return SPARE_DEFAULT if not text else parse_bytes(text)


def _take_spare(shape: tuple[int, ...], dtype: torch.dtype) -> torch.Tensor | None:
    global _spare_bytes
    with _spare_lock:
        pool = _spare.get((shape, dtype))
        if not pool:
            return None
        buf = pool.pop()
        _spare_bytes -= buf.numel() * buf.element_size()
        return buf


def spare_buffer(t: torch.Tensor) -> bool:
    """Hand back a buffer made by :func:`host_copy` that nothing uses any more, for a later ``host_copy(...,
    reuse=True)`` of the same shape and dtype. Kept only while all spare buffers together stay within
    ``SUANLI_SPARE_BUFFERS`` bytes (default 256 MiB; ``0`` keeps none); returns whether it was kept. The caller
    must drop every reference to ``t`` (and its views)."""
    global _spare_bytes
    if t.device.type != "cpu" or not t.is_contiguous() or t.storage_offset() != 0:
        return False
    nbytes = t.numel() * t.element_size()
    if t.untyped_storage().nbytes() != nbytes:  # a view into a larger buffer
        return False
    with _spare_lock:
        if _spare_bytes + nbytes > _spare_limit():
            return False
        _spare.setdefault((tuple(t.shape), t.dtype), []).append(t)
        _spare_bytes += nbytes
    return True


def release_spare_buffers() -> int:
    """Free every spare buffer kept by :func:`spare_buffer`; returns the bytes released."""
    global _spare_bytes
    with _spare_lock:
        freed = _spare_bytes
        _spare.clear()
        _spare_bytes = 0
    return freed
