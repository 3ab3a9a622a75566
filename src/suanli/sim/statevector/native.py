"""Compiled CPU kernels: a dense k-qubit gate applied in place, in one pass over the state, on any qubits.

The kernels are the C files ``cpu_kernels.c`` (which includes ``cpu_sums.c`` and ``cpu_permute.c``) beside
this module. They are
compiled for the host CPU (``-march=native``: AVX-512 or AVX2 where present) with the system C compiler the first
time they are needed and
cached (``$SUANLI_CACHE_DIR``, else ``$XDG_CACHE_HOME/suanli`` or ``~/.cache/suanli``), keyed by the source,
the compiler, its flags and the CPU's feature flags, so a cache shared between machines never loads code built
for another CPU. Loading goes through :mod:`ctypes`; nothing but a C compiler is needed.

Where no compiler works, :func:`native_available` is False and the simulator uses the torch kernels (the
reason is in :func:`native_status`); ``SUANLI_KERNELS=native`` then raises instead. Set ``SUANLI_KERNELS=torch``
to turn the compiled path off.

Why a compiled kernel and not torch: a fused block applied as a matrix product over a reshaped view writes a
second full-size buffer, and torch/MKL's small-matrix products reach only part of the machine's floating-point
rate for 2**k ≤ 32. The compiled kernel updates each group of amplitudes in registers and writes it back in place
(``benchmarks/bandwidth.py`` compares the two per block width).
"""

from __future__ import annotations

import ctypes
import hashlib
import os
import platform
import shutil
import subprocess
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import torch

__all__ = [
    "LANES_BITS",
    "MAX_K",
    "Program",
    "apply_matrix_native",
    "apply_monomial_native",
    "bit_offsets",
    "kernel_threads",
    "native_available",
    "native_status",
    "pair_sums",
    "pauli_apply",
    "pauli_dots",
    "permute",
    "run_program",
]

#: The kernel handles 2**LANES_BITS groups per tile (32 for complex64, 16 for complex128: two 64-byte vectors
#: of real parts), so it needs n ≥ k + LANES_BITS qubits; the larger value is the one callers check.
LANES_BITS = 5
_LANES_BITS = {torch.complex64: 5, torch.complex128: 4}
#: Largest block (2**MAX_K rows) the kernel takes.
MAX_K = 6
#: Largest gate of a whole-program call (:func:`run_program`).
PROGRAM_MAX_K = 6
_PROGRAM_KINDS = {"matrix": 0, "diagonal": 1, "monomial": 2}
_SOURCE = Path(__file__).with_name("cpu_kernels.c")  # includes cpu_sums.c and cpu_permute.c beside it
_SOURCES = (_SOURCE, Path(__file__).with_name("cpu_sums.c"), Path(__file__).with_name("cpu_permute.c"))
_X86 = platform.machine().lower() in ("x86_64", "amd64")
_FLAGS = ["-O3", "-ffp-contract=fast", "-fPIC", "-shared", "-pthread"] + (
    ["-march=native", "-mprefer-vector-width=512"] if _X86 else ["-mcpu=native"]
)
_status = {"reason": "not tried"}


def _cache_dir() -> Path:
    if os.environ.get("SUANLI_CACHE_DIR"):
        return Path(os.environ["SUANLI_CACHE_DIR"])
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "suanli"


def _compiler() -> str | None:
    for name in (os.environ.get("CC", ""), "cc", "gcc", "clang"):
        if name and shutil.which(name):
            return shutil.which(name)
    return None


def _cpu_flags() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8", errors="replace") as f:
            for line in f:
                if line.startswith(("flags", "Features")):
                    return line
    except OSError:
        pass
    return platform.processor()


def _compiler_version(cc: str) -> str:
    try:
        out = subprocess.run([cc, "--version"], capture_output=True, text=True, timeout=30, check=False)
        return out.stdout.splitlines()[0] if out.stdout else ""
    except (OSError, subprocess.SubprocessError):
        return ""


def _build() -> ctypes.CDLL:
    """Compile (or find in the cache) and load the kernel library; raises RuntimeError with the reason."""
    if platform.system() not in ("Linux", "Darwin"):
        raise RuntimeError(f"the compiled kernels are built on Linux and macOS only, not {platform.system()}")
    cc = _compiler()
    if cc is None:
        raise RuntimeError("no C compiler found (set CC, or install cc/gcc/clang)")
    source = b"\0".join(path.read_bytes() for path in _SOURCES)
    key = hashlib.sha256(
        b"\0".join([source, cc.encode(), _compiler_version(cc).encode(), " ".join(_FLAGS).encode(),
                    _cpu_flags().encode(), platform.machine().encode()])
    ).hexdigest()[:16]
    cache = _cache_dir() / "kernels"
    lib = cache / f"cpu_kernels-{key}.so"
    if not lib.exists():
        cache.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(suffix=".so", dir=cache)
        os.close(fd)
        try:
            proc = subprocess.run(
                [cc, *_FLAGS, str(_SOURCE), "-o", tmp], capture_output=True, text=True, timeout=300, check=False
            )
            if proc.returncode != 0:
                raise RuntimeError(f"{Path(cc).name} failed: {proc.stderr.strip()[-500:]}")
            os.replace(tmp, lib)  # atomic: concurrent builders agree on the final file
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)
    dll = ctypes.CDLL(str(lib))
    p, i64, c_int = ctypes.c_void_p, ctypes.c_int64, ctypes.c_int
    dll.suanli_dense.argtypes = [
        c_int, p, i64, i64, i64, p, c_int, p, p, c_int, c_int, p, i64, c_int, p, p, c_int, p, p, c_int, p, c_int
    ]
    dll.suanli_dense.restype = c_int
    dll.suanli_pair_sums.argtypes = [c_int, p, p, i64, i64, p, c_int, p, c_int]
    dll.suanli_pair_sums.restype = c_int
    dll.suanli_program.argtypes = [c_int, c_int, p, i64, c_int, i64, p, p, p, p, p, p]
    dll.suanli_pauli_apply.argtypes = [c_int, p, p, i64, i64, i64, p, p, p, p, c_int]
    dll.suanli_pauli_apply.restype = c_int
    dll.suanli_program.restype = c_int
    dll.suanli_permute.argtypes = [c_int, p, p, c_int, p, c_int]
    dll.suanli_permute.restype = c_int
    return dll


@lru_cache(maxsize=1)
def _library() -> ctypes.CDLL | None:
    try:
        dll = _build()
    except (OSError, RuntimeError, subprocess.SubprocessError) as exc:
        _status["reason"] = str(exc)
        return None
    _status["reason"] = "ok"
    return dll


def native_available() -> bool:
    """Whether the compiled CPU kernels can be used (compiles them on the first call)."""
    return _library() is not None


def native_status() -> str:
    """``"ok"``, or why the compiled kernels are not available."""
    _library()
    return _status["reason"]


def bit_offsets(bits: Sequence[int]) -> np.ndarray:
    """Offsets of the 2**len(bits) indices whose bits, most significant first, sit at flat-index ``bits``."""
    k = len(bits)
    i = np.arange(1 << k)
    return sum((((i >> (k - 1 - j)) & 1) << b for j, b in enumerate(bits)), np.zeros(1 << k, dtype=np.int64))


class _Plan:
    """Tile layout for one gate position: the index arrays, kept alive, and their addresses for the C call.

    When the lanes are not the lowest bits (the gate holds one of them), the tile also moves as exchanged
    64-byte vectors (see ``xtab_t`` in the C source): ``voff`` are the offsets of the tile's 4·d vectors
    (vector index bit t = the t-th lowest tile bit outside a vector), each gate bit inside a vector is paired
    with a lane bit outside (``xb``, ``xs``), and ``rowvec`` names the four vectors that hold row j afterwards.
    """

    __slots__ = ("arrays", "contiguous", "idx", "m", "n_tiles", "nsb", "nvec", "offs", "rowvec", "sbits", "voff",
                 "xb", "xs")

    def __init__(self, n: int, bits: tuple[int, ...], lane_count: int) -> None:
        k = len(bits)
        offs = bit_offsets(bits)
        lane_bits = [b for b in range(n) if b not in bits][:lane_count]
        lanes = bit_offsets(lane_bits[::-1])  # lane l's bit j sits at lane_bits[j]
        idx = (offs[:, None] + lanes[None, :]).reshape(-1)
        sbits = np.array(sorted([*bits, *lane_bits]), dtype=np.int64)
        arrays: list[np.ndarray] = [sbits, offs, idx]
        self.nsb = len(sbits)
        self.contiguous = int(lane_bits == list(range(lane_count)))
        self.n_tiles = 1 << (n - k - lane_count)
        self.voff = self.xb = self.xs = self.rowvec = None
        self.nvec = self.m = 0
        if not self.contiguous:
            inside = lane_count - 2  # bits inside one 64-byte vector: 3 for complex64, 2 for complex128
            outside = [b for b in sbits.tolist() if b >= inside]
            slot = {b: t for t, b in enumerate(outside)}
            voff = bit_offsets(outside[::-1])  # vector index bit t sits at outside[t]
            gate_in = sorted(b for b in bits if b < inside)
            lane_out = [b for b in lane_bits if b >= inside]
            pairs = list(zip(gate_in, lane_out))  # each gate bit inside a vector swaps with a lane bit outside
            free = [slot[b] for b in lane_out[len(gate_in):]]  # two lane bits stay outside: a row's 4 vectors
            where = {g: slot[lam] for g, lam in pairs} | {b: slot[b] for b in bits if b >= inside}
            rowvec = np.zeros((1 << k, 4), dtype=np.int32)
            for j in range(1 << k):
                v = sum(((j >> (k - 1 - p)) & 1) << where[b] for p, b in enumerate(bits))
                for q in range(4):
                    rowvec[j, q] = v | ((q & 1) << free[0]) | ((q >> 1) << free[1])
            xb = np.array([g for g, _ in pairs], dtype=np.int32)
            xs = np.array([slot[lam] for _, lam in pairs], dtype=np.int32)
            arrays += [voff, xb, xs, rowvec]
            self.voff, self.xb, self.xs, self.rowvec = (a.ctypes.data for a in (voff, xb, xs, rowvec))
            self.nvec, self.m = len(voff), len(pairs)
        self.arrays = tuple(arrays)
        self.sbits, self.offs, self.idx = (a.ctypes.data for a in arrays[:3])


@lru_cache(maxsize=1024)
def _plan(n: int, bits: tuple[int, ...], lane_count: int) -> _Plan:
    """The tile layout for a gate on flat-index ``bits`` (gate order) of an n-qubit state."""
    return _Plan(n, bits, lane_count)


#: Work (states × amplitudes × 2**k) below which the calling thread works alone. The kernel's worker threads
#: persist between calls but sleep after a few microseconds (so that they leave the cores to torch between
#: gates); waking them costs tens of microseconds, which pays from about 2**19 units of work on the CPU of
#: benchmarks/RESULTS.md.
PARALLEL_WORK = 1 << 19


_THREADS: list[int] = []  # a stack of thread counts set by kernel_threads()


def _threads() -> int:
    """Threads for a large kernel call: the innermost :func:`kernel_threads` count, else torch's intra-op
    thread count."""
    return _THREADS[-1] if _THREADS else torch.get_num_threads()


@contextmanager
def kernel_threads(count: int) -> Iterator[None]:
    """Run the compiled kernels of the block on ``count`` threads of their own pool, whatever torch's thread
    count is meanwhile (a gate loop drops torch to one thread for its small per-gate tensors)."""
    _THREADS.append(max(1, int(count)))
    try:
        yield
    finally:
        _THREADS.pop()


def _require_library() -> ctypes.CDLL:
    dll = _library()
    if dll is None:
        raise RuntimeError(f"the compiled CPU kernels are not available: {native_status()}")
    return dll


def _check(data: torch.Tensor, n: int, k: int) -> ctypes.CDLL:
    dll = _require_library()
    if not 1 <= k <= MAX_K or n < k + LANES_BITS:
        raise ValueError(f"the compiled kernel takes 1..{MAX_K} qubits of a state of at least k + {LANES_BITS}")
    if data.device.type != "cpu" or not data.is_contiguous() or data.dtype not in _LANES_BITS:
        raise ValueError("the compiled kernel needs a contiguous complex64/complex128 CPU tensor")
    return dll


def _as_kernel_operand(t: torch.Tensor, dtype: torch.dtype) -> torch.Tensor:
    if t.dtype != dtype or t.device.type != "cpu" or not t.is_contiguous() or t.requires_grad:
        t = t.detach().to(device="cpu", dtype=dtype).contiguous()
    if t.is_conj() or t.is_neg():
        t = t.resolve_conj().resolve_neg()
    return t


def _dense_call(
    dll: ctypes.CDLL, data: torch.Tensor, n: int, axes: list[int], u: torch.Tensor, stride: int, real: bool,
    perm: np.ndarray | None,
) -> None:
    plan = _plan(n, tuple(n - 1 - p for p in axes), _LANES_BITS[data.dtype])
    batch = data.shape[0]
    d = 1 << len(axes)
    threads = _threads() if batch * d << n >= PARALLEL_WORK else 1
    dll.suanli_dense(
        int(data.dtype == torch.complex128),
        data.data_ptr(),
        batch,
        2 << n,
        plan.n_tiles,
        plan.sbits,
        plan.nsb,
        plan.offs,
        plan.idx,
        plan.contiguous,
        d,
        u.data_ptr(),
        stride,
        int(real),
        None if perm is None else perm.ctypes.data,
        plan.voff,
        plan.nvec,
        plan.xb,
        plan.xs,
        plan.m,
        plan.rowvec,
        threads,
    )


def apply_matrix_native(data: torch.Tensor, n: int, u: torch.Tensor, axes: list[int]) -> None:
    """In place: apply the k-qubit matrix ``u`` ((d, d) or (B, d, d)) to physical ``axes`` (gate order, 0 = most
    significant) of ``data`` (contiguous CPU tensor of shape (B, 2**n), complex64 or complex128).

    Needs ``1 ≤ k ≤ MAX_K`` and ``n ≥ k + LANES_BITS``; the caller routes other gates elsewhere.
    """
    dll = _check(data, n, len(axes))
    u = _as_kernel_operand(u, data.dtype)
    d = 1 << len(axes)
    # real matrices (products of RY, H, CNOT, CZ, ...) take half the multiply-adds
    real = not np.any(u.numpy().imag)  # on the host, not as a torch op (see engine.torch_threads)
    _dense_call(dll, data, n, axes, u, 2 * d * d if u.dim() == 3 else 0, real, None)


def apply_monomial_native(
    data: torch.Tensor, n: int, phases: torch.Tensor, perm: torch.Tensor, axes: list[int]
) -> None:
    """In place: ``out[i] = phases[i] * in[perm[i]]`` on the block index of physical ``axes`` (gate order), a
    permutation pass with no matrix product. ``phases``: (d,) or (B, d); ``perm``: (d,) integers."""
    dll = _check(data, n, len(axes))
    phases = _as_kernel_operand(phases, data.dtype)
    d = 1 << len(axes)
    order = np.ascontiguousarray(perm.detach().cpu().numpy().astype(np.int64))
    if order.shape != (d,) or sorted(order.tolist()) != list(range(d)):
        raise ValueError(f"perm must be a permutation of range({d})")
    _dense_call(dll, data, n, axes, phases, 2 * d if phases.dim() == 2 else 0, False, order)


def pair_sums(lam: torch.Tensor, psi: torch.Tensor, n: int, axes: list[int]) -> torch.Tensor:
    """One-qubit transition matrices C[a, b] = Σ_rest λ[…a…] conj(ψ[…b…]) on each physical axis in ``axes``.

    ``lam`` and ``psi``: contiguous CPU tensors (B, 2**n) of one complex dtype. Returns (B, len(axes), 2, 2) in
    that dtype; the sums run in vector registers over chunks and are accumulated in double precision.
    """
    dll = _require_library()
    if lam.dtype != psi.dtype or lam.dtype not in _LANES_BITS or lam.shape != psi.shape:
        raise ValueError("pair_sums needs two complex64/complex128 tensors of one shape")
    lam, psi = lam.contiguous(), psi.contiguous()
    batch = lam.shape[0]
    bits = np.array([n - 1 - a for a in axes], dtype=np.int64)
    out = np.zeros((batch, len(axes), 2, 2, 2), dtype=np.float64)
    threads = _threads() if batch * len(axes) << n >= PARALLEL_WORK else 1
    dll.suanli_pair_sums(
        int(lam.dtype == torch.complex128),
        lam.data_ptr(),
        psi.data_ptr(),
        batch,
        1 << n,
        bits.ctypes.data,
        len(bits),
        out.ctypes.data,
        threads,
    )
    return torch.view_as_complex(torch.from_numpy(out)).to(lam.dtype)


class Program:
    """A list of gates packed for the compiled whole-program kernel (see :func:`run_program`)."""

    __slots__ = ("batch", "bits", "count", "dtype", "keep", "kinds", "ks", "mats", "mats_single", "num_qubits",
                 "perms", "ustrides")

    def __init__(
        self,
        n: int,
        dtype: torch.dtype,
        ops: Sequence[tuple[str, Sequence[int], torch.Tensor, Any]],
        *,
        mats_dtype: torch.dtype | None = None,
    ):
        """``mats_dtype``: the precision of the op tensors (converted to it where they differ); the state's by
        default. complex64 tensors on a complex128 state are widened by the kernel, not here. An op tensor with
        a leading batch dimension ((B, d, d) or (B, d), in the state's precision) gives every state of a batch
        of B its own matrix."""
        if dtype not in _LANES_BITS:
            raise ValueError("a program runs on complex64 or complex128 states")
        mats_dtype = mats_dtype or dtype
        if mats_dtype != dtype and (mats_dtype, dtype) != (torch.complex64, torch.complex128):
            raise ValueError("a program's tensors have the state's precision, or complex64 for a complex128 state")
        self.mats_single = int(mats_dtype != dtype)
        self.num_qubits, self.dtype, self.count = n, dtype, len(ops)
        widest = min(PROGRAM_MAX_K, n)
        kinds: list[int] = []
        ks: list[int] = []
        strides: list[int] = []
        self.batch = 0  # the batch the op tensors are made for (0: one tensor for every state)
        flat: list[int] = []
        mats: list[int] = []
        perms: list[int] = []
        keep: list[Any] = []  # every operand stays alive as long as the program
        code = _PROGRAM_KINDS
        for kind, axes, t, perm in ops:
            k = len(axes)
            if not 1 <= k <= widest:
                raise ValueError(f"a program takes gates of 1..{widest} qubits, got {k}")
            size = 1 << (2 * k) if kind == "matrix" else 1 << k
            batched = t.dim() == (3 if kind == "matrix" else 2)
            if t.numel() != size * (t.shape[0] if batched else 1) or (batched and kind == "monomial"):
                raise ValueError(f"a {kind} op on {k} qubit(s) has a tensor of shape {tuple(t.shape)}")
            if batched:
                if self.batch and t.shape[0] != self.batch:
                    raise ValueError(f"op tensors for batches of {self.batch} and {t.shape[0]} in one program")
                self.batch = t.shape[0]
                if mats_dtype != dtype:
                    raise ValueError("batched op tensors must have the state's precision")
            strides.append(2 * size if batched else 0)
            if t.dtype != mats_dtype or t.requires_grad or not t.is_contiguous() or t.is_conj() or t.is_neg():
                t = _as_kernel_operand(t, mats_dtype)
            keep.append(t)
            kinds.append(code[kind])
            ks.append(k)
            flat += axes
            mats.append(t.data_ptr())
            if kind == "monomial":
                order = np.ascontiguousarray(np.asarray(perm, dtype=np.int64))
                if sorted(order.tolist()) != list(range(1 << k)):
                    raise ValueError(f"perm must be a permutation of range({1 << k})")
                keep.append(order)
                perms.append(order.ctypes.data)
            else:
                perms.append(0)
        self.kinds = np.array(kinds, dtype=np.int32)
        self.ks = np.array(ks, dtype=np.int32)
        self.bits = np.zeros((len(ks), PROGRAM_MAX_K), dtype=np.int32)
        self.bits[np.arange(PROGRAM_MAX_K) < self.ks[:, None]] = n - 1 - np.array(flat, dtype=np.int32)
        self.mats = np.array(mats, dtype=np.int64)
        self.ustrides = np.array(strides, dtype=np.int64)
        self.perms = np.array(perms, dtype=np.int64)
        self.keep = keep

    def run(self, data: torch.Tensor) -> None:
        """Apply the program in place to ``data`` ((B, 2**n) contiguous CPU tensor of the program's dtype)."""
        dll = _require_library()
        n = self.num_qubits
        if (data.device.type != "cpu" or not data.is_contiguous() or data.dtype != self.dtype or data.dim() != 2
                or data.shape[1] != 1 << n):
            raise ValueError(f"a program for {n} qubits in {self.dtype} needs a contiguous CPU tensor (B, {1 << n})")
        if self.batch and data.shape[0] != self.batch:
            raise ValueError(f"this program's matrices are for a batch of {self.batch} states, not {data.shape[0]}")
        status = dll.suanli_program(
            int(data.dtype == torch.complex128),
            self.mats_single,
            data.data_ptr(),
            data.shape[0],
            n,
            self.count,
            self.kinds.ctypes.data,
            self.ks.ctypes.data,
            self.bits.ctypes.data,
            self.mats.ctypes.data,
            self.ustrides.ctypes.data,
            self.perms.ctypes.data,
        )
        if status != 0:  # the kernel checks the bit positions (in range, no qubit twice)
            raise RuntimeError(f"the compiled program kernel refused its input (status {status}): a gate's qubits "
                               "must be distinct and within the state")


def run_program(data: torch.Tensor, n: int, ops: Sequence[tuple[str, Sequence[int], torch.Tensor, Any]]) -> None:
    """In place: apply a whole list of gates to ``data`` ((B, 2**n) contiguous CPU tensor) in one call.

    ``ops`` are ``(kind, axes, tensor, perm)``: ``kind`` is ``matrix`` (tensor (d, d)), ``diagonal`` (tensor
    (d,)) or ``monomial`` (tensor: the d phases; ``perm``: row i takes input row ``perm[i]``), on physical
    ``axes`` (gate order, 0 = most significant) with at most :data:`PROGRAM_MAX_K` of them; one tensor for
    every state of the batch. Meant for small states, where a host call per gate would cost more than the gate;
    the loop runs on the calling thread.
    """
    Program(n, data.dtype, ops).run(data)


def _pauli_call(
    psi: torch.Tensor, n: int, masks: Sequence[tuple[int, int]], coef: np.ndarray, out: torch.Tensor | None,
    dots: np.ndarray | None,
) -> None:
    if out is not None and (out.shape != psi.shape or out.dtype != psi.dtype or not out.is_contiguous()
                            or out.device.type != "cpu"):
        raise ValueError("the Pauli kernels' out must be a contiguous CPU tensor like psi")
    dll = _require_library()
    batch, count = psi.shape[0], len(masks)
    c = np.ascontiguousarray(np.broadcast_to(np.asarray(coef, dtype=np.complex128), (batch, count)))
    xm = np.array([x for x, _ in masks], dtype=np.int64).reshape(count)
    zm = np.array([z for _, z in masks], dtype=np.int64).reshape(count)
    threads = _threads() if batch * count << n >= PARALLEL_WORK else 1
    status = dll.suanli_pauli_apply(
        int(psi.dtype == torch.complex128), psi.data_ptr(), None if out is None else out.data_ptr(), batch, 1 << n,
        count, xm.ctypes.data, zm.ctypes.data, c.ctypes.data, None if dots is None else dots.ctypes.data, threads,
    )
    if status != 0:
        raise ValueError(f"Pauli masks must lie within {n} bits (status {status})")


def _check_pauli_state(psi: torch.Tensor, n: int) -> torch.Tensor:
    if psi.dtype not in _LANES_BITS or psi.device.type != "cpu" or psi.dim() != 2 or psi.shape[1] != 1 << n:
        raise ValueError(f"the Pauli kernels need a CPU complex64/complex128 tensor of shape (B, {1 << n})")
    return psi.detach().contiguous()


def pauli_apply(
    psi: torch.Tensor, n: int, masks: Sequence[tuple[int, int]], coef: np.ndarray, out: torch.Tensor | None = None
) -> torch.Tensor:
    """``out[s] = Σ_t coef[s, t] P_t ψ[s]`` for Pauli strings given by flat-index masks ``(x, z)``:
    ``(P ψ)[y] = (-1)^popcount(y & z) ψ[y ^ x]`` (a factor ``(-i)^#Y`` belongs in ``coef``).

    ``psi``: CPU tensor (B, 2**n), complex64 or complex128; ``coef``: complex (B, T) or (T,). One pass writes
    the output block by block, every term added while the block is in cache.
    """
    psi = _check_pauli_state(psi, n)
    if out is None:
        out = torch.empty_like(psi)
    _pauli_call(psi, n, masks, coef, out, None)
    return out


def pauli_dots(
    psi: torch.Tensor, n: int, masks: Sequence[tuple[int, int]], coef: np.ndarray, out: torch.Tensor | None = None
) -> np.ndarray:
    """``⟨ψ_s| Σ_t coef[s, t] P_t |ψ_s⟩`` for each state s (complex128 (B,)), in one pass; block sums in double
    precision (masks and coefficients as in :func:`pauli_apply`). With ``out`` the same pass also writes H|ψ⟩
    there; without, no full-size temporary is made."""
    psi = _check_pauli_state(psi, n)
    dots = np.zeros(2 * psi.shape[0], dtype=np.float64)
    _pauli_call(psi, n, masks, coef, out, dots)
    return dots.view(np.complex128)


_PERMUTE_ELEM = {torch.complex64: 8, torch.complex128: 16, torch.float32: 4, torch.float64: 8, torch.int64: 8}


def permute(x: torch.Tensor, dims: Sequence[int], out: torch.Tensor | None = None) -> torch.Tensor:
    """``x.permute(dims).contiguous()`` by the compiled tiled copy, for contiguous CPU tensors whose axes all
    have a power-of-two length (the tensors of circuit networks); ``out``, when given, is written and returned.

    torch's strided copy reads each element from another cache line once the permutation moves the input's
    fastest axes; this kernel moves whole 1 KiB runs through L2 in tiles (``cpu_permute.c``) and runs on the
    kernels' thread pool.
    """
    dll = _require_library()
    elem = _PERMUTE_ELEM.get(x.dtype)
    if elem is None or x.device.type != "cpu" or not x.is_contiguous() or x.is_conj() or x.is_neg():
        raise ValueError("permute needs a contiguous CPU tensor of complex64/128, float32/64 or int64")
    shape = tuple(x.shape)
    if sorted(dims) != list(range(len(shape))):
        raise ValueError(f"dims {tuple(dims)} is not a permutation of the {len(shape)} axes")
    logs = [s.bit_length() - 1 for s in shape]
    if any(s < 1 or 1 << b != s for s, b in zip(shape, logs)):
        raise ValueError(f"permute needs power-of-two axis lengths, got {shape}")
    new_shape = tuple(shape[d] for d in dims)
    if out is None:
        out = torch.empty(new_shape, dtype=x.dtype)
    elif out.shape != new_shape or out.dtype != x.dtype or out.device.type != "cpu" or not out.is_contiguous():
        raise ValueError(f"out must be a contiguous {x.dtype} CPU tensor of shape {new_shape}")
    # bit offsets of the axes, axis 0 most significant
    offset, acc = [0] * len(shape), 0
    for i in range(len(shape) - 1, -1, -1):
        offset[i], acc = acc, acc + logs[i]
    src = np.empty(acc, dtype=np.int32)
    q = 0
    for j in range(len(dims) - 1, -1, -1):
        a = dims[j]
        for t in range(logs[a]):
            src[q + t] = offset[a] + t
        q += logs[a]
    if acc == 0:
        out.copy_(x)
        return out
    status = dll.suanli_permute(elem, x.data_ptr(), out.data_ptr(), acc, src.ctypes.data, _threads())
    if status == -2:
        raise ValueError("suanli_permute refused its arguments")
    return out
