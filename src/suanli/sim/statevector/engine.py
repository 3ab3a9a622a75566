"""Compile a circuit into kernel operations and run them on a :class:`StateVector`.

Compilation resolves aliases, unrolls custom gates, evaluates parameter expressions with the run's bindings,
builds each gate's matrix once (on the target device and precision), and drops identities and barriers.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import torch

from ...circuit import Circuit, Instruction
from ...circuit.instruction import DIRECTIVES, Condition, check_bindings
from ...circuit.parameter import ParameterExpression
from ...errors import DeviceError, ParameterError, SimulationError, SuanliError
from ...gates import get_gate
from .kernels import StateVector

__all__ = [
    "Compiled",
    "Op",
    "choose_kernels",
    "compile_circuit",
    "forced_kernels",
    "fuse_ops",
    "fusion_width",
    "gate_loop_threads",
    "host_buildable",
    "in_place_max_k",
    "ops_to_device",
    "resolve_device",
    "resolve_dtype",
    "run_ops",
    "state_buffers",
    "torch_threads",
]

Progress = Callable[[int, int], None]

_SKIP = frozenset({"id", "u0"})


def resolve_device(device: Any = None) -> torch.device:
    """``None`` → CUDA when available, else CPU. ``"cuda"`` without a GPU raises :class:`DeviceError`."""
    if device is None:
        return torch.device("cuda") if torch.cuda.is_available() else torch.device("cpu")
    try:
        dev = torch.device(device)
    except (RuntimeError, TypeError) as exc:
        raise DeviceError(f"unknown device {device!r} ({exc}); use 'cpu', 'cuda' or 'cuda:N'") from None
    if dev.type == "cuda" and not torch.cuda.is_available():
        raise DeviceError("device 'cuda' was requested but PyTorch sees no CUDA GPU here; run on the CPU instead")
    if dev.type not in ("cpu", "cuda"):
        raise DeviceError(f"device {dev.type!r} is not supported; use 'cpu' or 'cuda'")
    return dev


_DTYPES = {
    "single": torch.complex64,
    "complex64": torch.complex64,
    "c64": torch.complex64,
    "double": torch.complex128,
    "complex128": torch.complex128,
    "c128": torch.complex128,
}


def resolve_dtype(dtype: Any = torch.complex64) -> torch.dtype:
    """``torch.complex64``/``complex128`` or the names ``single``/``double``/``complex64``/``complex128``."""
    if isinstance(dtype, torch.dtype):
        if dtype in (torch.complex64, torch.complex128):
            return dtype
    elif isinstance(dtype, str) and dtype.lower() in _DTYPES:
        return _DTYPES[dtype.lower()]
    raise SuanliError(f"dtype must be torch.complex64 or torch.complex128 ('single'/'double'), got {dtype!r}")


@dataclass
class Op:
    """One kernel operation. ``kind`` is ``matrix``, ``diagonal``, ``monomial``, ``measure`` or ``reset``.

    ``tensor`` is the matrix, the diagonal, or (monomial) the phases; ``perm`` is a monomial's row -> column map.
    """

    kind: str
    qubits: tuple[int, ...]
    tensor: torch.Tensor | None = None
    clbit: int | None = None
    condition: Condition | None = None
    name: str = ""
    perm: torch.Tensor | None = None


@dataclass
class Compiled:
    """A circuit ready to run."""

    ops: list[Op]
    num_qubits: int
    num_clbits: int
    batch: int | None  # None: unbatched
    requires_grad: bool
    dtype: torch.dtype
    device: torch.device
    fusion: int = 0  # largest fused block for unitary runs (0: no fusion)

    @property
    def batch_size(self) -> int:
        return self.batch or 1

    @property
    def is_dynamic(self) -> bool:
        """True when the circuit measures mid-way, resets, or has conditions."""
        return any(op.kind in ("measure", "reset") or op.condition is not None for op in self.ops)


def _evaluate(value: Any, bindings: Mapping[str, Any]) -> Any:
    if isinstance(value, ParameterExpression):
        return value.evaluate(bindings)
    return value


@contextmanager
def torch_threads(count: int) -> Iterator[None]:
    """Run the block with ``count`` torch CPU threads (restored afterwards).

    Building gate matrices and fusing them works on tensors of a few hundred entries, where a thread team is
    all cost; on a busy machine a team can even wait a whole scheduler quantum for a descheduled thread (a
    20-gate-layer circuit took 50 ms to compile with two threads beside another busy process, 0.8 ms with one).
    torch's thread count is process-wide, so this is not meant for programs that run torch from several Python
    threads at once.
    """
    before = torch.get_num_threads()
    if before == count:
        yield
        return
    torch.set_num_threads(count)
    try:
        yield
    finally:
        torch.set_num_threads(before)


def compile_circuit(
    circuit: Circuit,
    params: Mapping[Any, Any] | None = None,
    *,
    dtype: torch.dtype = torch.complex64,
    device: torch.device | None = None,
    matrix_device: torch.device | None = None,
) -> Compiled:
    """Bind parameters, unroll custom gates and build the matrices.

    ``device`` is where the run happens; ``matrix_device`` where the gate matrices are built (default: the
    same). Constant circuits bound for a GPU build their matrices on the host, where fusion multiplies them;
    :func:`ops_to_device` then moves the fused blocks in one transfer.

    Raises:
        ParameterError: missing/unknown parameters or inconsistent batch sizes.
        SimulationError: an opaque gate is used.
    """
    with torch_threads(1):
        return _compile(circuit, params, dtype, device, matrix_device)


def _compile(
    circuit: Circuit,
    params: Mapping[Any, Any] | None,
    dtype: torch.dtype,
    device: torch.device | None,
    matrix_device: torch.device | None,
) -> Compiled:
    if not isinstance(circuit, Circuit):
        raise SuanliError(f"expected a suanli.Circuit, got {type(circuit).__name__}")
    device = device if device is not None else torch.device("cpu")
    run_device, device = device, matrix_device if matrix_device is not None else device
    bindings = check_bindings(frozenset(circuit.parameters), params or {}, partial=False)
    ops: list[Op] = []
    batch: list[int | None] = [None]
    grad = [False]

    def note_tensor(t: torch.Tensor, what: str) -> None:
        if t.requires_grad:
            grad[0] = True
        if t.dim() == 1:
            b = int(t.shape[0])
            if batch[0] is None:
                batch[0] = b
            elif batch[0] != b:
                raise ParameterError(f"{what}: batch size {b} differs from an earlier batch size {batch[0]}")

    def emit(inst: Instruction, condition: Condition | None, depth: int) -> None:
        if depth > 64:
            raise SimulationError(f"custom gates nest deeper than 64 levels at {inst.name!r}")
        if inst.name == "barrier":
            return
        if inst.name == "measure":
            for q, c in zip(inst.qubits, inst.clbits):
                ops.append(Op("measure", (q,), None, c, condition, "measure"))
            return
        if inst.name == "reset":
            for q in inst.qubits:
                ops.append(Op("reset", (q,), None, None, condition, "reset"))
            return
        values = [_evaluate(p, bindings) for p in inst.params]
        if inst.definition is not None:
            if inst.definition.opaque:
                raise SimulationError(
                    f"gate {inst.name!r} is opaque (declared without a definition) and cannot be simulated"
                )
            for sub in inst.definition.expand(values, inst.qubits):
                emit(sub, condition, depth + 1)
            return
        spec = get_gate(inst.name)
        if spec.name in _SKIP:
            return
        kind = "diagonal" if spec.diagonal else "matrix"
        if all(isinstance(v, float) for v in values):
            # numeric parameters: matrices are built later, all gates of one name in one batched call
            op = Op(kind, inst.qubits, None, None, condition, spec.name)
            pending.setdefault(spec.name, []).append((op, tuple(values)))
            ops.append(op)
            return
        for v in values:
            if isinstance(v, torch.Tensor):
                note_tensor(v, f"gate {spec.name!r}")
        if all(isinstance(v, torch.Tensor) for v in values):
            # tensor parameters of one shape: one batched matrix call per gate name too (autograd sees one
            # construction and one unbind instead of a graph per gate)
            key = (spec.name, tuple((v.shape, v.dtype, v.device) for v in values))
            op = Op(kind, inst.qubits, None, None, condition, spec.name)
            tensor_pending.setdefault(key, []).append((op, tuple(values)))
            ops.append(op)
            return
        mat = spec.matrix(*values, dtype=dtype, device=device)
        ops.append(Op(kind, inst.qubits, torch.diagonal(mat, dim1=-2, dim2=-1) if spec.diagonal else mat, None,
                      condition, spec.name))

    pending: dict[str, list[tuple[Op, tuple[float, ...]]]] = {}
    tensor_pending: dict[tuple[Any, ...], list[tuple[Op, tuple[torch.Tensor, ...]]]] = {}
    specs: dict[str, Any] = {}
    for inst in circuit:
        # the common case first: an unconditioned table gate with float parameters (its matrix is built later)
        name = inst.name
        if inst.definition is None and inst.condition is None and name not in DIRECTIVES:
            params = inst.params
            for v in params:  # a plain loop: cheaper than all() over a generator for a few parameters
                if type(v) is not float:
                    break
            else:
                spec = specs.get(name)
                if spec is None:
                    spec = specs[name] = get_gate(name)
                if spec.name in _SKIP:
                    continue
                op = Op("diagonal" if spec.diagonal else "matrix", inst.qubits, None, None, None, spec.name)
                pending.setdefault(spec.name, []).append((op, params))
                ops.append(op)
                continue
        emit(inst, inst.condition, 0)
    for name, items in pending.items():
        _build_matrices(name, items, dtype, device)
    for (name, _), titems in tensor_pending.items():
        _build_tensor_matrices(name, titems, dtype, device)
    return Compiled(ops, circuit.num_qubits, circuit.num_clbits, batch[0], grad[0], dtype, run_device)


def host_buildable(circuit: Circuit, params: Mapping[Any, Any] | None) -> bool:
    """Whether every gate matrix of ``circuit`` is a constant (no tensor parameters in the circuit or the
    bindings), so that it can be built and fused on the host whatever the run device."""
    if params and any(isinstance(v, torch.Tensor) for v in params.values()):
        return False
    return _constant_instructions(circuit)


def _constant_instructions(instructions: Any) -> bool:
    for inst in instructions:
        if any(isinstance(p, torch.Tensor) for p in inst.params):
            return False
        if inst.definition is not None and not _constant_instructions(inst.definition.body):
            return False
    return True


def ops_to_device(
    ops: list[Op], device: torch.device, *, dense_monomials: bool = False, force: bool = False
) -> list[Op]:
    """``ops`` with every tensor on ``device``, moved in one transfer per dtype (a copy per gate would wait for
    the device each time); ops already there are kept. ``dense_monomials`` turns monomial blocks into dense
    matrices first (the GPU kernels have no permutation pass). ``force`` packs and copies even within one device
    (for tests of the packing)."""
    out = list(ops)
    moving: list[int] = []
    for i, op in enumerate(out):
        t = op.tensor
        if t is None or (t.device == device and not force):
            continue
        if op.kind == "monomial" and dense_monomials:
            assert op.perm is not None
            d = t.shape[-1]
            dense = torch.zeros(d, d, dtype=t.dtype)
            dense[torch.arange(d), op.perm.cpu()] = t.cpu()
            out[i] = op = Op("matrix", op.qubits, dense, op.clbit, op.condition, op.name)
        moving.append(i)
    if not moving:
        return out
    groups: dict[torch.dtype, list[int]] = {}
    for i in moving:
        groups.setdefault(out[i].tensor.dtype, []).append(i)  # type: ignore[union-attr]
    for members in groups.values():
        flat = torch.cat([out[i].tensor.reshape(-1) for i in members]).to(device)  # type: ignore[union-attr]
        start = 0
        for i in members:
            op = out[i]
            t = op.tensor
            assert t is not None
            view = flat[start : start + t.numel()].view(t.shape)
            start += t.numel()
            perm = op.perm.to(device) if op.perm is not None else None
            out[i] = Op(op.kind, op.qubits, view, op.clbit, op.condition, op.name, perm)
    return out


def _build_tensor_matrices(
    name: str, items: list[tuple[Op, tuple[torch.Tensor, ...]]], dtype: torch.dtype, device: torch.device
) -> None:
    """Fill in the matrices of tensor-parameter gates of one kind and parameter shape with one batched call."""
    spec = get_gate(name)
    cols = [torch.stack([vals[i] for _, vals in items]) for i in range(spec.num_params)]
    mats = spec.matrix(*cols, dtype=dtype, device=device)
    if spec.diagonal:
        mats = torch.diagonal(mats, dim1=-2, dim2=-1)
    for (op, _), m in zip(items, mats.unbind(0)):
        op.tensor = m


def _build_matrices(
    name: str, items: list[tuple[Op, tuple[float, ...]]], dtype: torch.dtype, device: torch.device
) -> None:
    """Fill in the matrices of numeric-parameter gates of one kind with one batched call (few kernel launches)."""
    spec = get_gate(name)
    if spec.num_params == 0:
        mat = spec.matrix(dtype=dtype, device=device, copy=False)
        t = torch.diagonal(mat).contiguous() if spec.diagonal else mat
        for op, _ in items:
            op.tensor = t
        return
    unique: dict[tuple[float, ...], int] = {}
    for _, vals in items:
        unique.setdefault(vals, len(unique))
    cols = torch.tensor(list(unique), dtype=torch.float64).T.contiguous()
    mats = spec.matrix(*cols, dtype=dtype).to(device)
    if spec.diagonal:
        mats = torch.diagonal(mats, dim1=-2, dim2=-1).contiguous()
    rows = mats.unbind(0)  # one call for all the views
    for op, vals in items:
        op.tensor = rows[unique[vals]]


def apply_gate(sv: StateVector, op: Op) -> None:
    """Apply a ``matrix``, ``diagonal`` or ``monomial`` op."""
    assert op.tensor is not None
    if op.kind == "diagonal":
        sv.apply_diagonal(op.tensor, op.qubits)
    elif op.kind == "monomial":
        assert op.perm is not None
        sv.apply_monomial(op.tensor, op.perm, op.qubits)
    else:
        sv.apply_matrix(op.tensor, op.qubits)


def forced_kernels() -> str:
    """The kernel path forced by the environment variable ``SUANLI_KERNELS`` (lower case), or ``""``."""
    return os.environ.get("SUANLI_KERNELS", "").strip().lower()


def choose_kernels(device: torch.device, grad: bool) -> str:
    """The kernel path for a run: ``"triton"`` on a CUDA device with Triton installed, ``"native"`` (compiled
    CPU kernels, :mod:`.native`) on the CPU where a C compiler works, else ``"torch"``; always ``"torch"``
    under autograd (the fast paths work in place).

    The environment variable ``SUANLI_KERNELS`` (``torch``, ``triton`` or ``native``) overrides the choice;
    ``triton`` on the CPU works only under Triton's interpreter (``TRITON_INTERPRET=1``), which the tests use.
    """
    from .native import native_available, native_status
    from .triton_kernels import triton_available

    forced = forced_kernels()
    if forced == "torch" or grad:
        return "torch"
    if forced == "triton":
        if not triton_available(device):
            raise DeviceError(
                "SUANLI_KERNELS=triton needs Triton and a CUDA device (or TRITON_INTERPRET=1 on the CPU)"
            )
        return "triton"
    if forced == "native":
        if device.type != "cpu":
            raise DeviceError(f"SUANLI_KERNELS=native runs on the CPU, not on {device}")
        if not native_available():
            raise DeviceError(f"SUANLI_KERNELS=native: the compiled CPU kernels are not available ({native_status()})")
        return "native"
    if forced:
        raise DeviceError(f"SUANLI_KERNELS must be 'torch', 'triton' or 'native', got {forced!r}")
    if device.type == "cuda" and triton_available(device):
        return "triton"
    if device.type == "cpu" and native_available():
        return "native"
    return "torch"


def in_place_max_k(kernels: str) -> int:
    """The widest block the in-place kernels of a path take (0 for the double-buffered torch path); wider
    gates fall back to the torch kernels, which need a second buffer."""
    from .native import MAX_K as NATIVE_MAX_K
    from .triton_kernels import MAX_K as TRITON_MAX_K

    return {"native": NATIVE_MAX_K, "triton": TRITON_MAX_K}.get(kernels, 0)


def state_buffers(circuit: Any, device: torch.device) -> int:
    """Full-size state buffers a plain run of ``circuit`` holds on ``device``: 1 where the in-place kernels
    (Triton, compiled CPU) take every gate, 2 on the double-buffered torch path and for small states (run on
    the host with NumPy)."""
    from ...circuit.instruction import DIRECTIVES
    from .small import SMALL_MAX_QUBITS

    if circuit.num_qubits <= SMALL_MAX_QUBITS:
        return 2
    widest = max((len(inst.qubits) for inst in circuit if inst.name not in DIRECTIVES), default=0)
    return 1 if widest <= in_place_max_k(choose_kernels(device, grad=False)) else 2


#: Largest fused block per device type when ``fusion="auto"``, chosen by measurement (benchmarks/fusion.py).
AUTO_FUSION = {"cpu": 5, "cuda": 4}


def fusion_width(fusion: Any, num_qubits: int, device: torch.device) -> int:
    """The block width for a ``fusion`` option: ``"auto"``, ``None``/``0``/``False`` (off → 0) or an int >= 1."""
    if fusion is None or fusion is False or fusion == 0:
        return 0
    if fusion == "auto" or fusion is True:
        return min(AUTO_FUSION.get(device.type, 4), max(1, num_qubits))
    if isinstance(fusion, int) and not isinstance(fusion, bool) and 1 <= fusion <= 10:
        return fusion
    raise SuanliError(f"fusion must be 'auto', None (off) or an integer block width from 1 to 10, got {fusion!r}")


def fuse_ops(ops: list[Op], width: int, *, classify: bool = True) -> list[Op]:
    """Fuse gate ops into blocks of at most ``width`` qubits (0: unchanged). Boundaries pass through.

    With ``classify=False`` the result has only ``matrix`` and ``diagonal`` ops (no monomials, nothing dropped).
    """
    if width <= 0:
        return ops
    from ...transpile.fusion import GateItem, fuse

    items = [GateItem(op.kind, op.qubits, op.tensor, op.condition, op) for op in ops]
    out: list[Op] = []
    with torch_threads(1):  # small products (see torch_threads)
        blocks = fuse(items, width, classify=classify)
    for block in blocks:
        if block.kind == "boundary":
            out.append(block.payload)
        else:
            name = f"fused{len(block.qubits)}" if block.num_gates > 1 else "gate"
            out.append(Op(block.kind, block.qubits, block.tensor, None, None, name, block.perm))
    return out


@contextmanager
def gate_loop_threads(kernels: str) -> Iterator[None]:
    """Threads for a loop of gates on the compiled CPU kernels: the kernels keep torch's thread count (their
    own pool), while the small torch operations between them run on one thread (see :func:`torch_threads`)."""
    if kernels != "native":
        yield
        return
    from .native import kernel_threads

    with kernel_threads(torch.get_num_threads()), torch_threads(1):
        yield


def run_ops(sv: StateVector, ops: list[Op], progress: Progress | None = None) -> None:
    """Apply gate ops in order (the caller has checked there are no measure/reset/conditions)."""
    total = len(ops)
    step = max(1, total // 200)
    with gate_loop_threads(sv.kernels):
        for i, op in enumerate(ops):
            if op.kind in ("measure", "reset") or op.condition is not None:
                raise SimulationError(f"internal: dynamic op {op.name!r} in a unitary run")  # pragma: no cover
            apply_gate(sv, op)
            if progress is not None and (i % step == 0 or i == total - 1):
                progress(i + 1, total)
