"""``suanli qec lambda`` and ``suanli qec threshold``: surface-code memory experiments below threshold.

Examples::

    suanli qec lambda --noise si1000 --p 0.001 --distances 3,5,7 --out qec_si1000
    suanli qec lambda --preset willow --out qec_willow
    suanli qec threshold --noise si1000 --p 0.003,0.005,0.007,0.009 --distances 3,5,7 --out qec_threshold

With ``--out DIR`` the samples go to ``DIR/qec_lambda.csv`` (or ``--store FILE``): running the same command again
resumes from it (an interrupted run loses nothing; a finished one returns at once).
"""

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

#: Physical error rates swept by ``suanli qec threshold`` when ``--p`` is not given.
DEFAULT_THRESHOLD_P = {
    "si1000": [0.005, 0.006, 0.007, 0.008, 0.009, 0.010, 0.012],
    "uniform": [0.004, 0.005, 0.006, 0.007, 0.008, 0.009, 0.010],
    "willow": [0.004, 0.005, 0.006, 0.007, 0.008, 0.010, 0.012],
}


def _float_list(text: str) -> list[float]:
    items = [t.strip() for t in text.split(",") if t.strip()]
    if not items:
        raise argparse.ArgumentTypeError("expected comma-separated numbers, e.g. 0.003,0.005")
    return [float_in(0.0, 0.2, open_low=True)(t) for t in items]


def _bases(text: str | None, default: str = "z") -> tuple[str, ...]:
    text = text or default
    return ("x", "z") if text == "both" else (text,)


def _add_common(p: argparse.ArgumentParser, *, max_shots: int, max_errors: int, rounds: str) -> None:
    p.add_argument(
        "--noise",
        choices=("si1000", "uniform", "willow"),
        default="si1000",
        help="noise model (willow: Willow's published rates scaled so that the CZ error is --p; default: %(default)s)",
    )
    p.add_argument(
        "--distances", type=int_list(3), default=[3, 5, 7], metavar="D,D,...", help="code distances (default: 3,5,7)"
    )
    p.add_argument(
        "--code",
        choices=("surface", "repetition"),
        default="surface",
        help="rotated surface code or repetition code (default: %(default)s)",
    )
    p.add_argument(
        "--basis",
        choices=("x", "z", "both"),
        default=None,
        help="memory basis; both pools X and Z data (default: z; both with --preset willow)",
    )
    p.add_argument(
        "--rounds",
        type=int_list(1),
        default=[int(x) for x in rounds.split(",")],
        metavar="M,M,...",
        help=f"rounds to run, as multiples of the distance (default: {rounds})",
    )
    p.add_argument(
        "--max-shots",
        type=int_at_least(1),
        default=max_shots,
        metavar="N",
        help="shot limit per point (default: %(default)s)",
    )
    p.add_argument(
        "--max-errors",
        type=int_at_least(1),
        default=max_errors,
        metavar="N",
        help="stop a point after this many logical errors (default: %(default)s)",
    )
    p.add_argument(
        "--workers", type=int_at_least(1), default=2, metavar="N", help="sampling processes (default: %(default)s)"
    )
    p.add_argument(
        "--store",
        metavar="FILE",
        default=None,
        help="resumable CSV store of samples (default: DIR/qec_<command>.csv with --out, else none)",
    )
    p.add_argument(
        "--seed",
        type=int_at_least(0),
        default=0,
        help="seed of the bootstrap intervals (sampling itself is not seeded; default: %(default)s)",
    )
    add_json(p)
    add_out_dir(p)


def _noise(name: str, p: float) -> Any:
    from ..experiments.qec import noise_model

    return noise_model(name, p)


def _progress(io: Output, label: str) -> LazyProgress | None:
    return LazyProgress(io.err, label, unit="shots") if io.err.is_terminal else None


def _store(args: argparse.Namespace, out: Path | None, name: str) -> Path | None:
    if args.store is not None:
        return Path(args.store)
    return out / f"qec_{name}.csv" if out is not None else None


def _pct(x: float) -> str:
    return "inf" if not math.isfinite(x) else f"{100 * x:.4f} %"


# ---------------------------------------------------------------------------------------------------------
def cmd_lambda(args: argparse.Namespace, io: Output) -> int:
    from ..experiments.qec import WILLOW, hardware_noise, run_lambda, willow_comparison

    if args.code == "surface" and any(d % 2 == 0 for d in args.distances):
        raise SuanliError(f"--distances: the surface code needs odd distances, got {args.distances}")
    if args.preset == "willow":
        noise = hardware_noise(WILLOW)
        bases = _bases(args.basis, "both")
    else:
        noise = _noise(args.noise, args.p)
        bases = _bases(args.basis)
    out = _out_dir(args.out)
    progress = _progress(io, "sampling and decoding")
    try:
        result = run_lambda(
            noise,
            distances=args.distances,
            code=args.code,
            bases=bases,
            rounds=args.rounds,
            max_shots=args.max_shots,
            max_errors=args.max_errors,
            num_workers=args.workers,
            store=_store(args, out, "lambda"),
            seed=args.seed,
            progress=progress,
        )
    finally:
        if progress is not None:
            progress.close()
    data = result.to_dict()
    if args.preset == "willow":
        data["willow"] = willow_comparison(result)
        data["hardware_spec"] = {k: v for k, v in vars(WILLOW).items()}
    if out is not None:
        from ..experiments.qec.plots import plot_lambda

        (out / "qec_lambda.json").write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
        plot_lambda(result, out / "qec_lambda.png")
    if args.json:
        io.json(data)
        return 0
    _print_lambda(io, result, data)
    if out is not None:
        io.out.print(f"wrote {out / 'qec_lambda.json'} and {out / 'qec_lambda.png'}")
    return 0


def _print_lambda(io: Output, result: Any, data: dict[str, Any]) -> None:
    from rich import box
    from rich.table import Table

    io.out.print(f"[bold]{result.code} code memory[/bold], basis {'+'.join(result.bases)}, {result.noise.description}")
    t = Table(box=box.SIMPLE)
    for col in ("d", "rounds", "basis", "shots", "errors", "P_L"):
        t.add_column(col, justify="right")
    for s in result.stats:
        t.add_row(
            str(s.point.distance), str(s.point.rounds), s.point.basis, f"{s.shots:,}", f"{s.errors:,}", f"{s.rate:.3e}"
        )
    io.out.print(t)
    t = Table(box=box.SIMPLE, title="logical error per cycle (95 % likelihood interval)")
    for col in ("d", "ε_d", "interval"):
        t.add_column(col, justify="right")
    for d, f in result.eps.items():
        t.add_row(str(d), _pct(f.eps), f"[{_pct(f.low)}, {_pct(f.high)}]")
    io.out.print(t)
    for basis, fits in data.get("eps_by_basis", {}).items():
        io.out.print(f"  {basis} basis alone: " + ", ".join(f"ε_{d} = {_pct(f['eps'])}" for d, f in fits.items()))
    lam = result.lam
    io.out.print(
        f"Λ = {lam.lam:.3f}  (95 % bootstrap interval [{lam.low:.3f}, {lam.high:.3f}], "
        f"fit over d = {', '.join(map(str, lam.distances))})"
    )
    for k, (v, lo, hi) in lam.pairwise.items():
        io.out.print(f"  ε_{k.split('/')[0]}/ε_{k.split('/')[1]} = {v:.3f}  [{lo:.3f}, {hi:.3f}]")
    io.out.print(f"sampling took {result.seconds:.1f} s")
    w = data.get("willow")
    if w:
        io.out.print("")
        io.out.print(
            f"[bold]Willow[/bold] ({w['source']}): Λ = {w['willow_lambda']} ± {w['willow_lambda_err']}, "
            f"ε_7 = {_pct(w['willow_eps7'])} per cycle"
        )
        io.out.print(
            f"this model:  Λ = {w['our_lambda']:.2f} [{w['our_lambda_low']:.2f}, "
            f"{w['our_lambda_high']:.2f}], ε_7 = {_pct(w['our_eps7'])} per cycle — {w['verdict']}"
        )
        io.out.print(f"{w['eps7_note']}; why they can differ:")
        for reason in w["reasons"]:
            io.out.print(f"  - {reason}")


# ---------------------------------------------------------------------------------------------------------
def cmd_threshold(args: argparse.Namespace, io: Output) -> int:
    from ..experiments.qec import run_threshold

    if args.code == "surface" and any(d % 2 == 0 for d in args.distances):
        raise SuanliError(f"--distances: the surface code needs odd distances, got {args.distances}")
    ps = args.p if args.p is not None else DEFAULT_THRESHOLD_P[args.noise]
    _noise(args.noise, ps[0])  # validate early
    out = _out_dir(args.out)
    progress = _progress(io, "sampling and decoding")
    try:
        result = run_threshold(
            lambda p: _noise(args.noise, p),
            ps,
            distances=args.distances,
            code=args.code,
            bases=_bases(args.basis),
            rounds=args.rounds,
            max_shots=args.max_shots,
            max_errors=args.max_errors,
            num_workers=args.workers,
            store=_store(args, out, "threshold"),
            seed=args.seed,
            progress=progress,
        )
    finally:
        if progress is not None:
            progress.close()
    data = result.to_dict()
    if out is not None:
        from ..experiments.qec.plots import plot_threshold

        (out / "qec_threshold.json").write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
        plot_threshold(result, out / "qec_threshold.png")
    if args.json:
        io.json(data)
        return 0
    from rich import box
    from rich.table import Table

    distances = sorted(result.results[0].eps)
    t = Table(box=box.SIMPLE, title=f"{result.code} code, {result.noise_name}: logical error per cycle ε_d")
    t.add_column("p", justify="right")
    for d in distances:
        t.add_column(f"d={d}", justify="right")
    t.add_column("Λ", justify="right")
    for r in result.results:
        t.add_row(f"{r.noise.p:g}", *[f"{r.eps[d].eps:.3e}" for d in distances], f"{r.lam.lam:.2f}")
    io.out.print(t)
    for k, v in result.crossings.items():
        io.out.print(f"curves {k} cross at p = {v:.4%}" if v is not None else f"curves {k} do not cross in range")
    if result.threshold is not None:
        io.out.print(f"threshold ≈ {result.threshold:.3%}")
    else:
        io.out.print("no threshold in the range swept: widen --p")
    io.out.print(f"sampling took {result.seconds:.1f} s")
    if out is not None:
        io.out.print(f"wrote {out / 'qec_threshold.json'} and {out / 'qec_threshold.png'}")
    return 0


def register(cli: Any) -> None:
    group = cli.group("qec")
    p = group.add_parser(
        "lambda",
        help="logical error per cycle and the suppression factor Λ",
        description="Sample surface/repetition-code memories at one noise strength for several distances and "
        "rounds (Stim + PyMatching via sinter), fit the logical error per cycle ε_d and Λ = ε_d/ε_{d+2} with "
        "confidence intervals. --preset willow uses Willow's published error rates and compares with its "
        "Λ = 2.14 ± 0.02.",
    )
    p.add_argument(
        "--preset",
        choices=("willow",),
        default=None,
        help="willow: Willow's published rates (1q 0.035 %%, CZ 0.33 %%, readout 0.77 %%, T1 68 µs, "
        "T2 89 µs, 1.1 µs cycles), both bases; overrides --noise/--p",
    )
    p.add_argument(
        "--p", type=float_in(0.0, 0.2, open_low=True), default=0.001, help="physical error rate (default: %(default)s)"
    )
    _add_common(p, max_shots=5_000_000, max_errors=300, rounds="1,2,3")
    p.set_defaults(func=cmd_lambda)

    p = group.add_parser(
        "threshold",
        help="threshold from crossing ε_d(p) curves",
        description="Sweep the physical error rate, fit ε_d at each value and locate where the curves of "
        "consecutive distances cross.",
    )
    p.add_argument(
        "--p",
        type=_float_list,
        default=None,
        metavar="P,P,...",
        help="physical error rates (default: a range around the model's threshold)",
    )
    _add_common(p, max_shots=200_000, max_errors=200, rounds="1,2")
    p.set_defaults(func=cmd_threshold)
