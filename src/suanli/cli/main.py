"""The ``suanli`` command: run, inspect and draw OpenQASM 2 circuits, and a demo of the bundled examples.

Commands::

    suanli run FILE.qasm [--shots N] [--seed S] [--device auto|cpu|cuda] [--precision single|double]
                         [--order big|qiskit] [--top K] [--json]
    suanli info FILE.qasm [--device ...] [--json]
    suanli draw FILE.qasm [--width W] [--json]
    suanli demo [--device ...] [--precision ...] [--shots N] [--seed S] [--json]
    suanli --version

Results go to stdout: rich tables, or with ``--json`` one JSON object and nothing else. Progress bars (only on
a terminal, and only for runs longer than about a second) and errors go to stderr. Exit codes: 0 success,
1 internal error (``SUANLI_DEBUG=1`` shows the traceback), 2 bad input (malformed file, impossible request,
usage error), 130 interrupted.
"""

from __future__ import annotations

import argparse
import os
import platform
import secrets
import shutil
import sys
import time
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import torch
from rich import box
from rich.table import Table
from rich.text import Text

from .. import __version__
from ..circuit import Circuit
from ..errors import SuanliError
from ..io import load_qasm
from ..results import Result
from ..sim.statevector import outcome_probabilities, sample
from ..sim.statevector.engine import resolve_device, state_buffers
from ..sim.statevector.memory import available_bytes, format_bytes
from . import _plugins
from .common import LazyProgress, Output, add_json, int_at_least

__all__ = ["build_parser", "main"]

PROG = "suanli"
DEFAULT_SHOTS = 1024
DEFAULT_TOP = 16
DEMO_SEED = 1234
_PRECISIONS = {"single": torch.complex64, "double": torch.complex128}

#: What a correct result of each bundled example looks like (keys in suanli's order, classical bit 0 first).
DEMO_EXPECTED = {
    "bell": "00, 11: 1/2 each",
    "ghz_8": "all 0 or all 1",
    "grover_4": "1011: p = 0.96",
    "qft_12": "xxx000000000: 1/8 each",
    "random_20": "spread out",
    "teleport": "last bit always 0",
}


# ---------------------------------------------------------------------------------------------------------
# argument parsing
# ---------------------------------------------------------------------------------------------------------
def _add_sim_options(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--device",
        choices=("auto", "cpu", "cuda"),
        default="auto",
        help="where to simulate (auto: CUDA when available, else CPU; default: %(default)s)",
    )
    p.add_argument(
        "--precision",
        choices=tuple(_PRECISIONS),
        default=None,
        help="single = complex64, double = complex128 (default: single; double with run --exact)",
    )


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``suanli`` command."""
    parser = argparse.ArgumentParser(
        prog=PROG,
        description="Simulate quantum circuits (OpenQASM 2) on PyTorch, on the CPU or a CUDA GPU.",
        epilog="Bit order: qubit 0 / classical bit 0 is the leftmost character of a key "
        "(--order qiskit gives Qiskit's keys). Set SUANLI_MAX_MEMORY (e.g. 8GiB) to cap memory use.",
    )
    parser.add_argument(
        "--version", action="version", version=f"{PROG} {__version__} (torch {torch.__version__})"
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = sub.add_parser(
        "run", help="sample a circuit and show the counts", description="Sample an OpenQASM 2 file."
    )
    p.add_argument("file", metavar="FILE.qasm", help="OpenQASM 2 file")
    p.add_argument(
        "--shots", type=int_at_least(1), default=DEFAULT_SHOTS, help="number of shots (default: %(default)s)"
    )
    p.add_argument(
        "--seed",
        type=int_at_least(0),
        default=None,
        help="random seed (default: drawn at random and reported, so the run can be repeated)",
    )
    _add_sim_options(p)
    p.add_argument(
        "--order",
        choices=("big", "qiskit"),
        default="big",
        help="key order: big = classical bit 0 leftmost; qiskit = Qiskit's keys (default: %(default)s)",
    )
    p.add_argument(
        "--top",
        type=int_at_least(0),
        default=DEFAULT_TOP,
        help="outcomes shown in the table, 0 for all (default: %(default)s; --json always has all)",
    )
    p.add_argument(
        "--exact",
        action="store_true",
        help="print the exact outcome distribution instead of sampling (mid-circuit measurements, resets "
        "and conditions are followed branch by branch; double precision unless --precision is given)",
    )
    add_json(p)
    p.set_defaults(func=cmd_run)

    p = sub.add_parser(
        "info", help="describe a circuit and the memory it needs", description="Describe a circuit."
    )
    p.add_argument("file", metavar="FILE.qasm", help="OpenQASM 2 file")
    p.add_argument(
        "--device",
        choices=("auto", "cpu", "cuda"),
        default="auto",
        help="device whose free memory is compared with the need (default: %(default)s)",
    )
    add_json(p)
    p.set_defaults(func=cmd_info)

    p = sub.add_parser("draw", help="draw a circuit as text", description="Draw a circuit as text.")
    p.add_argument("file", metavar="FILE.qasm", help="OpenQASM 2 file")
    p.add_argument(
        "--width",
        type=int_at_least(20),
        default=None,
        help="fold the drawing into blocks of at most W columns (default: the terminal's width; no folding "
        "when stdout is not a terminal)",
    )
    add_json(p)
    p.set_defaults(func=cmd_draw)

    p = sub.add_parser(
        "demo", help="simulate the bundled example circuits", description="Run the bundled examples."
    )
    _add_sim_options(p)
    p.add_argument(
        "--shots",
        type=int_at_least(1),
        default=DEFAULT_SHOTS,
        help="shots per circuit (default: %(default)s)",
    )
    p.add_argument("--seed", type=int_at_least(0), default=DEMO_SEED, help="seed (default: %(default)s)")
    add_json(p)
    p.set_defaults(func=cmd_demo)
    _plugins.register_all(sub)
    return parser


# ---------------------------------------------------------------------------------------------------------
# output helpers
# ---------------------------------------------------------------------------------------------------------
def _bar(fraction: float, width: int = 20) -> str:
    """A bar of ``fraction`` × ``width`` cells drawn with eighth blocks."""
    eighths = round(max(0.0, min(1.0, fraction)) * width * 8)
    full, rest = divmod(eighths, 8)
    return "█" * full + ("▏▎▍▌▋▊▉"[rest - 1] if rest else "")


def _seconds(t: float) -> str:
    return f"{t * 1e3:.1f} ms" if t < 1 else f"{t:.2f} s"


def _bytes_text(n: int) -> str:
    try:
        return format_bytes(n)
    except OverflowError:  # more than a float can hold
        return f"about 2^{n.bit_length() - 1} B"


def _device_arg(name: str) -> str | None:
    return None if name == "auto" else name


def _load(path: str) -> tuple[Circuit, float]:
    t0 = time.perf_counter()
    try:
        circuit = load_qasm(path)
    except UnicodeDecodeError as exc:  # the reader reports this as a QasmError; this is a fallback
        raise SuanliError(f"{path}: the file is not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    return circuit, time.perf_counter() - t0


def _dynamic_features(circuit: Circuit) -> dict[str, int]:
    """Counts of what makes a circuit dynamic: measurements before later operations on the same qubit or
    reads of their bit, resets and classically conditioned operations."""
    later_qubits: set[int] = set()
    read_bits: set[int] = set()
    mid = 0
    for inst in reversed(circuit.instructions):
        if inst.name == "barrier":
            continue
        if (
            inst.name == "measure"
            and inst.condition is None
            and (any(q in later_qubits for q in inst.qubits) or any(c in read_bits for c in inst.clbits))
        ):
            mid += 1
        if inst.condition is not None:
            read_bits.update(inst.condition.clbits)
        later_qubits.update(inst.qubits)
    return {
        "mid_circuit_measurements": mid,
        "resets": sum(1 for inst in circuit.instructions if inst.name == "reset"),
        "conditioned_operations": sum(1 for inst in circuit.instructions if inst.condition is not None),
    }


def _registers(regs: Sequence[Any]) -> list[dict[str, Any]]:
    return [{"name": r.name, "size": r.size} for r in regs]


def _regs_text(regs: Sequence[Any]) -> str:
    return ", ".join(f"{r.name}[{r.size}]" for r in regs) or "none"


# ---------------------------------------------------------------------------------------------------------
# commands
# ---------------------------------------------------------------------------------------------------------
def _simulate(
    circuit: Circuit, args: argparse.Namespace, io: Output, *, shots: int, seed: int, label: str
) -> Result:
    progress = LazyProgress(io.err, label) if io.err.is_terminal else None
    try:
        result = sample(
            circuit,
            shots=shots,
            seed=seed,
            device=_device_arg(args.device),
            dtype=_PRECISIONS[args.precision],
            progress=progress,
        )
    finally:
        if progress is not None:
            progress.close()
    assert isinstance(result, Result)  # no parameter batch from a file
    return result


def cmd_run(args: argparse.Namespace, io: Output) -> int:
    if args.exact:
        return cmd_run_exact(args, io)
    if args.precision is None:
        args.precision = "single"
    t0 = time.perf_counter()
    circuit, t_parse = _load(args.file)
    seed_given = args.seed is not None
    seed = args.seed if seed_given else secrets.randbelow(2**32)
    result = _simulate(
        circuit, args, io, shots=args.shots, seed=seed, label=f"simulating {Path(args.file).name}"
    )
    counts = result.counts(order=args.order)
    t_total = time.perf_counter() - t0
    timings = {
        "parse": t_parse,
        "compile": result.timings.get("compile", 0.0),
        "simulate": result.timings.get("simulate", 0.0),
        "sample": result.timings.get("sample", 0.0),
        "total": t_total,
    }
    metadata = dict(result.metadata)
    metadata.update(
        seed_given=seed_given,
        num_gates=circuit.num_gates,
        depth=circuit.depth(),
        register_names=list(result.register_names),
        register_sizes=list(result.register_sizes),
        suanli_version=__version__,
        torch_version=torch.__version__,
    )
    device = str(metadata.get("device", args.device))
    if args.json:
        io.json(
            {
                "file": str(args.file),
                "num_qubits": circuit.num_qubits,
                "num_clbits": circuit.num_clbits,
                "shots": result.shots,
                "seed": seed,
                "device": device,
                "precision": args.precision,
                "order": args.order,
                "counts": dict(counts.most_common()),
                "timings": timings,
                "metadata": metadata,
            }
        )
        return 0

    out = io.out
    out.print(
        Text(
            f"{args.file}: {circuit.num_qubits} qubits, {circuit.num_clbits} clbits, "
            f"{circuit.num_gates} gates, depth {metadata['depth']}"
        )
    )
    seed_note = "" if seed_given else " (drawn at random; pass --seed to repeat)"
    out.print(
        Text(
            f"device {device} · precision {args.precision} ({metadata.get('dtype', '')}) · "
            f"{result.shots} shots · seed {seed}{seed_note}"
        )
    )
    if metadata.get("implicit_measure"):
        out.print(Text("the circuit measures nothing: all qubits were measured at the end (keys are qubits)"))
    if metadata.get("dynamic"):
        out.print(Text(f"dynamic circuit: {metadata.get('branches', 1)} measurement branches simulated"))
    top = counts.most_common(args.top or None)
    order_note = (
        "classical bit 0 leftmost"
        if args.order == "big"
        else "Qiskit order: bit 0 rightmost, last register first"
    )
    table = Table(
        title=f"top {len(top)} of {len(counts)} outcomes",
        caption=f"keys: {order_note}",
        box=box.SIMPLE_HEAD,
    )
    table.add_column("outcome", no_wrap=True)
    table.add_column("count", justify="right")
    table.add_column("probability", justify="right")
    table.add_column("", no_wrap=True)
    peak = top[0][1] if top else 1
    for key, n in top:
        table.add_row(
            Text(key or "(no bits)"), str(n), f"{n / result.shots:.4f}", Text(_bar(n / peak), "cyan")
        )
    out.print(table)
    out.print(Text("timings: " + " · ".join(f"{k} {_seconds(v)}" for k, v in timings.items())))
    return 0


def cmd_run_exact(args: argparse.Namespace, io: Output) -> int:
    """``run --exact``: the exact distribution of the classical register contents."""
    if args.precision is None:
        args.precision = "double"
    t0 = time.perf_counter()
    circuit, t_parse = _load(args.file)
    progress = LazyProgress(io.err, f"simulating {Path(args.file).name}") if io.err.is_terminal else None
    t1 = time.perf_counter()
    try:
        probs = outcome_probabilities(
            circuit,
            device=_device_arg(args.device),
            dtype=_PRECISIONS[args.precision],
            order=args.order,
            progress=progress,
        )
    finally:
        if progress is not None:
            progress.close()
    ranked = sorted(probs.items(), key=lambda kv: (-kv[1], kv[0]))
    timings = {"parse": t_parse, "simulate": time.perf_counter() - t1, "total": time.perf_counter() - t0}
    device = _device_arg(args.device) or ("cuda" if torch.cuda.is_available() else "cpu")
    if args.json:
        io.json(
            {
                "file": str(args.file),
                "num_qubits": circuit.num_qubits,
                "num_clbits": circuit.num_clbits,
                "exact": True,
                "device": device,
                "precision": args.precision,
                "order": args.order,
                "probabilities": dict(ranked),
                "timings": timings,
            }
        )
        return 0
    out = io.out
    out.print(
        Text(
            f"{args.file}: {circuit.num_qubits} qubits, {circuit.num_clbits} clbits, {circuit.num_gates} gates; "
            f"exact distribution · device {device} · precision {args.precision}"
        )
    )
    top = ranked[: args.top or None]
    table = Table(title=f"top {len(top)} of {len(ranked)} outcomes (exact)", box=box.SIMPLE_HEAD)
    table.add_column("outcome", no_wrap=True)
    table.add_column("probability", justify="right")
    table.add_column("", no_wrap=True)
    peak = top[0][1] if top else 1.0
    for key, p in top:
        table.add_row(Text(key or "(no bits)"), f"{p:.6g}", Text(_bar(p / peak if peak else 0.0), "cyan"))
    out.print(table)
    out.print(Text("timings: " + " · ".join(f"{k} {_seconds(v)}" for k, v in timings.items())))
    return 0


def cmd_info(args: argparse.Namespace, io: Output) -> int:
    circuit, t_parse = _load(args.file)
    n = circuit.num_qubits
    device = resolve_device(_device_arg(args.device))
    have = available_bytes(device)
    memory: dict[str, Any] = {"device": str(device), "available_bytes": have, "available": _bytes_text(have)}
    buffers = state_buffers(circuit, device)
    memory["buffers"] = buffers
    for name, itemsize in (("single", 8), ("double", 16)):
        need = buffers * (1 << n) * itemsize
        memory[name] = {"bytes": need, "text": _bytes_text(need), "fits": need <= have}
    dyn = _dynamic_features(circuit)
    custom = [d.name for d in circuit.custom_gates()]
    info: dict[str, Any] = {
        "file": str(args.file),
        "num_qubits": n,
        "num_clbits": circuit.num_clbits,
        "qregs": _registers(circuit.qregs),
        "cregs": _registers(circuit.cregs),
        "num_instructions": len(circuit),
        "num_gates": circuit.num_gates,
        "count_ops": circuit.count_ops(),
        "depth": circuit.depth(),
        "num_parameters": circuit.num_parameters,
        "parameters": [p.name for p in circuit.parameters],
        "custom_gates": custom,
        "dynamic": any(dyn.values()),
        **dyn,
        "memory": memory,
        "parse_seconds": t_parse,
    }
    if args.json:
        io.json(info)
        return 0

    table = Table(title=Text(str(args.file)), show_header=False, box=box.SIMPLE)
    table.add_column("property", style="bold")
    table.add_column("value")
    rows = [
        ("qubits", f"{n} ({_regs_text(circuit.qregs)})"),
        ("clbits", f"{circuit.num_clbits} ({_regs_text(circuit.cregs)})"),
        ("instructions", f"{len(circuit)} ({circuit.num_gates} gates)"),
        ("operations", ", ".join(f"{k} {v}" for k, v in info["count_ops"].items()) or "none"),
        ("depth", str(info["depth"])),
        (
            "parameters",
            f"{circuit.num_parameters}"
            + (f" ({', '.join(info['parameters'])})" if info["parameters"] else ""),
        ),
        ("custom gates", ", ".join(custom) or "none"),
        (
            "dynamic",
            ("yes: " if info["dynamic"] else "no")
            + ", ".join(f"{v} {k.replace('_', ' ')}" for k, v in dyn.items() if v),
        ),
    ]
    for name in ("single", "double"):
        m = memory[name]
        prec = "complex64" if name == "single" else "complex128"
        rows.append(
            (
                f"memory, {name}",
                f"{m['text']} (2 × 2^{n} × {8 if name == 'single' else 16} B {prec}): "
                + ("fits" if m["fits"] else "does NOT fit"),
            )
        )
    rows.append(("available", f"{memory['available']} on {device}"))
    for key, value in rows:
        table.add_row(key, Text(value))
    io.out.print(table)
    return 0


def cmd_draw(args: argparse.Namespace, io: Output) -> int:
    circuit, _ = _load(args.file)
    width = args.width
    if width is None and sys.stdout.isatty():
        width = shutil.get_terminal_size().columns
    drawing = circuit.draw(max_width=width)
    if args.json:
        io.json({"file": str(args.file), "width": width, "drawing": drawing})
    else:
        sys.stdout.write(drawing.rstrip("\n") + "\n")
    return 0


def cmd_demo(args: argparse.Namespace, io: Output) -> int:
    from .. import examples

    if args.precision is None:
        args.precision = "single"
    t0 = time.perf_counter()
    rows = []
    for name in examples.names():
        circuit, t_parse = _load(str(examples.path(name)))
        result = _simulate(circuit, args, io, shots=args.shots, seed=args.seed, label=f"simulating {name}")
        counts = result.counts()
        rows.append(
            {
                "name": name,
                "file": str(examples.path(name)),
                "num_qubits": circuit.num_qubits,
                "num_gates": circuit.num_gates,
                "depth": circuit.depth(),
                "expected": DEMO_EXPECTED.get(name, ""),
                "counts": dict(counts.most_common()),
                "timings": {"parse": t_parse, **dict(result.timings)},
                "metadata": dict(result.metadata),
            }
        )
    total = time.perf_counter() - t0
    device = rows[0]["metadata"].get("device", args.device) if rows else args.device
    if args.json:
        io.json(
            {
                "device": device,
                "precision": args.precision,
                "shots": args.shots,
                "seed": args.seed,
                "circuits": rows,
                "timings": {"total": total},
            }
        )
        return 0

    table = Table(
        title=f"suanli demo: {len(rows)} circuits, {args.shots} shots each, seed {args.seed}",
        caption=f"device {device}, precision {args.precision}; keys: classical bit 0 leftmost",
        box=box.SIMPLE_HEAD,
    )
    table.add_column("circuit", no_wrap=True)
    table.add_column("qubits", justify="right")
    table.add_column("gates", justify="right")
    table.add_column("top counts", no_wrap=True)
    table.add_column("expected")
    table.add_column("time", justify="right", no_wrap=True)
    for row in rows:
        top = list(row["counts"].items())[:4]
        more = len(row["counts"]) - len(top)
        cell = "\n".join(f"{k} {v}" for k, v in top) + (f"\n… {more} more" if more > 0 else "")
        table.add_row(
            row["name"],
            str(row["num_qubits"]),
            str(row["num_gates"]),
            Text(cell),
            Text(row["expected"]),
            _seconds(row["timings"]["parse"] + row["timings"]["total"]),
        )
    io.out.print(table)
    io.out.print(
        Text(f"total {_seconds(total)} (python {platform.python_version()}, torch {torch.__version__})")
    )
    return 0


# ---------------------------------------------------------------------------------------------------------
# entry point
# ---------------------------------------------------------------------------------------------------------
def _one_line(text: str) -> str:
    return " ".join(part.strip() for part in str(text).splitlines() if part.strip()) or "(no message)"


def _error(message: str) -> None:
    sys.stderr.write(f"{PROG}: error: {_one_line(message)}\n")
    sys.stderr.flush()


def _show_warning(message: Warning | str, category: type[Warning], *_args: Any, **_kwargs: Any) -> None:
    """Warnings (e.g. :class:`~suanli.QasmWarning`) as one line on stderr, without the source line."""
    sys.stderr.write(f"{PROG}: warning: {_one_line(str(message))}\n")


def _os_error_text(exc: OSError) -> str:
    if exc.filename is not None:
        return f"{exc.filename}: {exc.strerror or exc}"
    return str(exc.strerror or exc)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``suanli`` command with ``argv`` (default: ``sys.argv[1:]``) and return the exit code."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help, --version, usage errors (exit code 2)
        return exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 2)
    if args.command is None:
        parser.print_help(sys.stderr)
        return 2
    if getattr(args, "func", None) is None:  # a command group such as `suanli estimate` without its command
        args._group_parser.print_help(sys.stderr)
        return 2
    io = Output()
    try:
        with warnings.catch_warnings():
            warnings.showwarning = _show_warning
            return int(args.func(args, io))
    except KeyboardInterrupt:
        sys.stderr.write(f"\n{PROG}: interrupted\n")
        return 130
    except SuanliError as exc:
        _error(str(exc))
        return 2
    except BrokenPipeError:  # e.g. `suanli run x.qasm | head`: stop quietly
        try:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
        except (OSError, ValueError):
            pass
        return 1
    except OSError as exc:
        _error(_os_error_text(exc))
        return 2
    except UnicodeDecodeError as exc:
        _error(f"the file is not UTF-8 text ({exc.reason})")
        return 2
    except MemoryError as exc:
        _error(
            f"out of memory ({exc or 'allocation failed'}); use --precision single, a smaller circuit, "
            "or a device with more memory"
        )
        return 2
    except Exception as exc:
        if os.environ.get("SUANLI_DEBUG", "") not in ("", "0"):
            raise
        if type(exc).__name__ == "OutOfMemoryError":  # torch.OutOfMemoryError (CUDA)
            _error(f"the device ran out of memory: {exc}")
            return 2
        sys.stderr.write(
            f"{PROG}: internal error: {type(exc).__name__}: {_one_line(str(exc))} "
            "(set SUANLI_DEBUG=1 for a traceback)\n"
        )
        return 1


if __name__ == "__main__":
    sys.exit(main())
