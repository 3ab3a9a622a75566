"""``suanli xeb`` (noisy random-circuit sampling and linear XEB) and ``suanli estimate rcs`` (classical cost)."""

from __future__ import annotations

import argparse
import json
import math
from pathlib import Path
from typing import Any

from ..errors import SuanliError
from .common import LazyProgress, Output, add_json, add_out_dir, float_in, int_at_least, int_list
from .common import out_dir as _out_dir

__all__ = ["register"]


def _grid(text: str) -> tuple[int, int]:
    parts = text.lower().replace("×", "x").split("x")
    try:
        rows, cols = (int(p) for p in parts)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected ROWSxCOLS such as 3x4, got {text!r}") from None
    if rows < 1 or cols < 1:
        raise argparse.ArgumentTypeError(f"rows and columns must be positive, got {text!r}")
    return rows, cols


def _float_list(text: str) -> list[float]:
    try:
        values = [float(t) for t in text.split(",") if t.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected comma-separated numbers, got {text!r}") from None
    if not values or any(v < 0 or not math.isfinite(v) for v in values):
        raise argparse.ArgumentTypeError(f"expected non-negative numbers, got {text!r}")
    return values


def _progress(io: Output, label: str) -> LazyProgress | None:
    return LazyProgress(io.err, label) if io.err.is_terminal else None


# ---------------------------------------------------------------------------------------------------------
def cmd_xeb(args: argparse.Namespace, io: Output) -> int:
    from ..experiments.rcs import run_xeb_experiment

    rows, cols = args.grid
    if rows * cols > 20:
        raise SuanliError(f"--grid {rows}x{cols} has {rows * cols} qubits; the XEB experiment takes at most 20")
    progress = _progress(io, "sampling noisy circuits")
    try:
        result = run_xeb_experiment(
            grid=args.grid,
            cycles=args.cycles,
            scales=args.scales,
            e1=args.e1,
            e2=args.e2,
            readout=args.readout,
            shots=args.shots,
            seed=args.seed,
            device=args.device,
            progress=progress,
        )
    finally:
        if progress is not None:
            progress.close()
    data = result.as_dict()
    out = _out_dir(args.out)
    if out is not None:
        (out / "xeb.json").write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
        result.plot(str(out / "xeb.png"))
        data["files"] = [str(out / "xeb.json"), str(out / "xeb.png")]
    if args.json:
        io.json(data)
        return 0
    from rich.table import Table

    table = Table(title=f"linear XEB, {result.num_qubits} qubits, {args.shots} shots per point")
    for col in ("cycles", "noise ×", "F measured", "± 1σ", "Π(1−e) predicted"):
        table.add_column(col, justify="right")
    for p in result.points:
        table.add_row(str(p.cycles), f"{p.scale:g}", f"{p.fidelity:.4f}", f"{p.stderr:.4f}", f"{p.predicted:.4f}")
    io.out.print(table)
    if out is not None:
        io.out.print(f"wrote {out / 'xeb.json'} and {out / 'xeb.png'}")
    return 0


def _circuits(args: argparse.Namespace) -> list[tuple[int | None, Any, str]]:
    from ..experiments.rcs import patch_sites, sycamore_circuit

    if args.file is not None:
        path = Path(args.file)
        if path.suffix.lower() == ".qsim":
            from ..io import load_qsim

            circuit = load_qsim(path)
        else:
            from ..io import load_qasm

            circuit = load_qasm(path)
        return [(None, circuit, path.name)]
    out = []
    for m in args.cycles:
        if args.qubits is not None:
            c = sycamore_circuit(m, sites=patch_sites(args.qubits), seed=args.seed)
            label = f"{args.qubits}-qubit patch, m={m}"
        elif args.grid is not None:
            c = sycamore_circuit(m, grid=args.grid, seed=args.seed)
            label = f"{args.grid[0]}x{args.grid[1]} grid, m={m}"
        else:
            c = sycamore_circuit(m, seed=args.seed)
            label = f"Sycamore 53, m={m}"
        out.append((m, c, label))
    return out


def _duration(seconds: float) -> str:
    for unit, size in (("years", 365.25 * 86400), ("days", 86400), ("hours", 3600), ("minutes", 60)):
        if seconds >= size:
            return f"{seconds / size:.3g} {unit}"
    return f"{seconds:.3g} s"


def cmd_estimate_rcs(args: argparse.Namespace, io: Output) -> int:
    from ..estimate.rcs import MACHINES, estimate_rcs_cost, plot_cost_vs_cycles

    if args.file is not None and (args.grid is not None or args.qubits is not None):
        raise SuanliError("give either FILE or --grid/--qubits, not both")
    if args.grid is not None and args.qubits is not None:
        raise SuanliError("give either --grid or --qubits, not both")
    machines = args.machines.split(",") if args.machines else None
    if machines:
        bad = [m for m in machines if m not in MACHINES]
        if bad:
            raise SuanliError(f"--machines: unknown {', '.join(bad)}; known: {', '.join(MACHINES)}")
    jobs = _circuits(args)
    rows = []
    for m, circuit, label in jobs:
        progress = _progress(io, f"path search: {label}")
        try:
            est = estimate_rcs_cost(
                circuit,
                samples=args.samples,
                fidelity=args.fidelity,
                batch_qubits=min(args.batch_qubits, circuit.num_qubits),
                target_width=args.target_width,
                max_repeats=args.repeats,
                efficiency=args.efficiency,
                machines=machines,
                slicing=args.slicing,
                cache=args.tree_cache,
                progress=progress,
            )
        finally:
            if progress is not None:
                progress.close()
        rows.append({"label": label, "cycles": m, "num_qubits": circuit.num_qubits, "estimate": est.as_dict()})
    data: dict[str, Any] = {
        "model": "FLOPs = 8 * fidelity * ceil(samples / 2**batch_qubits) * cost_per_contraction; "
        "time = FLOPs / (peak * efficiency)",
        "samples": args.samples,
        "fidelity": args.fidelity,
        "efficiency": args.efficiency,
        "target_width": args.target_width,
        "repeats": args.repeats,
        "slicing": args.slicing,
        "machines": {k: vars(v) for k, v in MACHINES.items() if machines is None or k in machines},
        "rows": rows,
    }
    out = _out_dir(args.out)
    if out is not None:
        (out / "estimate_rcs.json").write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
        files = [str(out / "estimate_rcs.json")]
        if all(r["cycles"] is not None for r in rows):
            plot_cost_vs_cycles(rows, str(out / "estimate_rcs.png"))
            files.append(str(out / "estimate_rcs.png"))
        data["files"] = files
    if args.json:
        io.json(data)
        return 0
    from rich.table import Table

    names = list(rows[0]["estimate"]["seconds"])
    table = Table(title=f"classical cost of {args.samples:g} samples at XEB fidelity {args.fidelity:g}")
    for col in ("circuit", "log10 cost (1 amp.)", "width", "slices", "slicing ×", *names, "state vector"):
        table.add_column(col, justify="right")
    for r in rows:
        e = r["estimate"]
        amp = e["amplitude"]
        table.add_row(
            r["label"],
            f"{amp['log10_cost']:.2f}",
            f"{amp['width']:.0f}",
            f"{amp['slices']}",
            "–" if amp["slicing_overhead"] is None else f"{amp['slicing_overhead']:.3g}",
            *[_duration(e["seconds"][k]) for k in names],
            f"10^{e['statevector_log10_cost']:.2f}, 2^{math.log2(e['statevector_bytes']):.0f} B",
        )
    io.out.print(table)
    io.out.print(f"efficiency {args.efficiency:g} of peak; cost = complex multiply-adds (8 real FLOPs each); "
                 "slicing × = sliced cost / cheapest unsliced tree seen")
    io.out.print("state vector = one Schrödinger run of the circuit (every amplitude, exact samples): its "
                 "multiply-adds and complex64 memory; it fits on: " + "; ".join(
                     f"{r['label']}: {', '.join(k for k in names if r['estimate']['statevector_fits'][k]) or 'none'}"
                     for r in rows))
    return 0


# ---------------------------------------------------------------------------------------------------------
def register(cli: Any) -> None:
    p = cli.command(
        "xeb",
        help="sample noisy Sycamore-style circuits and compare linear XEB with the error model",
        description="Sample Sycamore-style random circuits on a small grid under depolarizing gate noise and "
        "readout error (quantum trajectories), compute the linear XEB fidelity F = 2^n <P(x)> - 1, and compare "
        "it with the digital error model F = prod(1 - e). Writes xeb.json and xeb.png with --out.",
    )
    p.add_argument("--grid", type=_grid, default=(3, 4), metavar="RxC", help="grid of qubits (default 3x4)")
    p.add_argument("--cycles", type=int_list(0), default=[2, 4, 6, 8, 10, 12], metavar="M,M,...",
                   help="cycle counts (default 2,4,6,8,10,12)")
    p.add_argument("--scales", type=_float_list, default=[0.0, 1.0, 3.0], metavar="S,S,...",
                   help="noise multipliers applied to e1, e2, readout (default 0,1,3)")
    p.add_argument("--e1", type=float_in(0, 0.75), default=0.0016, help="one-qubit Pauli error (default 0.0016)")
    p.add_argument("--e2", type=float_in(0, 0.9375), default=0.0062, help="two-qubit Pauli error (default 0.0062)")
    p.add_argument("--readout", type=float_in(0, 0.5), default=0.038, help="readout error (default 0.038)")
    p.add_argument("--shots", type=int_at_least(2), default=2000, help="samples per point (default 2000)")
    p.add_argument("--seed", type=int_at_least(0), default=0, help="seed for circuits and sampling (default 0)")
    p.add_argument("--device", default=None, help="cpu or cuda (default: cuda when available)")
    add_out_dir(p)
    add_json(p)
    p.set_defaults(func=cmd_xeb)

    e = cli.group("estimate").add_parser(
        "rcs",
        help="classical cost of random circuit sampling (tensor-network contraction)",
        description="Estimate the tensor-network contraction cost of one amplitude and of N samples at a target "
        "XEB fidelity for an RCS circuit (a .qsim or .qasm FILE, or a generated Sycamore-style circuit), and "
        "convert it to time and energy on named machines.",
    )
    e.add_argument("file", nargs="?", default=None, metavar="FILE", help="a .qsim or .qasm circuit")
    e.add_argument("--grid", type=_grid, default=None, metavar="RxC", help="generate on a full RxC grid")
    e.add_argument("--qubits", type=int_at_least(2), default=None,
                   help="generate on a round patch of this many qubits (e.g. 105 for Willow scale)")
    e.add_argument("--cycles", type=int_list(0), default=[20], metavar="M,M,...", help="cycle counts (default 20)")
    e.add_argument("--seed", type=int_at_least(0), default=0, help="seed of the generated circuits (default 0)")
    e.add_argument("--samples", type=int_at_least(1), default=1_000_000, help="samples wanted (default 1e6)")
    e.add_argument("--fidelity", type=float_in(0, 1, open_low=True), default=0.002,
                   help="target XEB fidelity (default 0.002)")
    e.add_argument("--batch-qubits", type=int_at_least(0), default=6,
                   help="open qubits per contraction (default 6)")
    e.add_argument("--target-width", type=float_in(1, 60), default=30.0,
                   help="log2 of the largest intermediate tensor allowed (default 30)")
    e.add_argument("--repeats", type=int_at_least(1), default=16, help="path-search trials (default 16)")
    e.add_argument("--slicing", choices=("both", "trials", "best"), default="both",
                   help="sliced paths: slice every trial ('trials'), slice the best unsliced tree ('best'), or "
                   "half the trials each ('both', default)")
    e.add_argument("--tree-cache", default=None, metavar="DIR",
                   help="save the contraction trees found in DIR and load them there on a rerun (no search)")
    e.add_argument("--efficiency", type=float_in(0, 1, open_low=True), default=0.2,
                   help="fraction of peak FLOP/s reached (default 0.2)")
    e.add_argument("--machines", default=None, help="comma-separated: h100,dgx-h100,frontier,summit (default all)")
    add_out_dir(e)
    add_json(e)
    e.set_defaults(func=cmd_estimate_rcs)
