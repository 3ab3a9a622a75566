"""``suanli bitcoin mining | grover-demo | shor-demo`` and ``suanli estimate ecdlp``.

Examples::

    suanli bitcoin mining --block-minutes 10 --rates 100,200,400 --out btc
    suanli bitcoin grover-demo --bits 6 --zeros 4 --seed 1 --out btc
    suanli bitcoin shor-demo --modulus 21 --base 2 --prime 17 --generator 3 --target 13 --out btc
    suanli estimate ecdlp --bits 256 --hours 1 --cycle-us 1 --reaction-us 10 --error 1e-3 --out btc
"""

from __future__ import annotations

import argparse
import math
from typing import Any

from ..errors import SuanliError
from .common import LazyProgress, Output, add_json, add_out_dir, float_in, int_at_least
from .common import finish as _finish
from .common import out_dir as _out_dir
from .common import simple_table as _table
from .common import write_json as _write_json

__all__ = ["register"]


def _positive_floats(text: str) -> list[float]:
    items = [t.strip() for t in text.split(",") if t.strip()]
    if not items:
        raise argparse.ArgumentTypeError("expected comma-separated numbers, e.g. 100,200,400")
    return [float_in(0.0, open_low=True)(t) for t in items]


# --------------------------------------------------------------------------------------------------------
# suanli bitcoin mining
# --------------------------------------------------------------------------------------------------------
def cmd_mining(args: argparse.Namespace, io: Output) -> int:
    from ..experiments.bitcoin.mining import MiningModel, g_factor, optimal_x, simulate_mining

    x = optimal_x()
    t_star = x * args.block_minutes * 60
    result: dict[str, Any] = {
        "block_minutes": args.block_minutes,
        "difficulty": args.difficulty,
        "aggressive": args.aggressive,
        "tie_win": args.tie_win,
        "x_star": x,
        "t_star_minutes": t_star / 60,
        "no_block_first_probability": math.exp(-x),
        "g_star": g_factor(x),
        "monte_carlo_blocks": args.blocks,
        "seed": args.seed,
        "rates": [],
    }
    models = []
    rows = []
    progress = LazyProgress(io.err, "Monte Carlo")
    try:
        for i, r in enumerate(args.rates):
            m = MiningModel(r, args.difficulty, args.block_minutes, args.aggressive, args.tie_win)
            models.append(m)
            mc = simulate_mining(m, t_star, blocks=args.blocks, seed=args.seed + i)
            progress(i + 1, len(args.rates))
            t_opt = m.optimal_time()
            entry = {
                "grover_rate": r,
                "optimal_minutes_exact": t_opt / 60,
                "share_at_t_star": m.success_fraction(t_star),
                "share_at_t_star_small_power": m.success_fraction_approx(t_star),
                "monte_carlo_share": mc.fraction,
                "monte_carlo_stderr": mc.stderr,
                "z_score": mc.z_score,
                "effective_hash_rate": m.effective_hash_rate(t_star),
                "b_seconds": m.b_factor(t_star),
            }
            result["rates"].append(entry)
            rows.append([
                f"{r:g}",
                f"{t_opt / 60:.2f}",
                f"{entry['share_at_t_star']:.5f}",
                f"{entry['share_at_t_star_small_power']:.5f}",
                f"{mc.fraction:.5f} ± {mc.stderr:.5f}",
                f"{mc.z_score:+.2f}",
                f"{entry['effective_hash_rate']:.4g}",
                f"{entry['b_seconds']:.4g}",
            ])
    finally:
        progress.close()
    files = []
    out = _out_dir(args.out)
    if out is not None:
        from ..experiments.bitcoin.plots import plot_mining

        files.append(plot_mining(models, out / "mining_share_vs_time.png"))
        files.append(_write_json(out, "mining.json", result))
    head = _table(
        "Nerem–Gaur optimum (peaceful miner, small-power regime)",
        ["quantity", "value"],
        [
            ["x* (root of x = 2(1 - e^-x))", f"{x:.4f}"],
            [f"T* for {args.block_minutes:g}-minute blocks", f"{t_star / 60:.2f} min"],
            ["P(no classical block before T*) = e^-x*", f"{math.exp(-x):.4f}"],
        ],
    )
    body = _table(
        f"Quantum miner's share of blocks at T* (D = {args.difficulty:.3g}, "
        f"{'aggressive' if args.aggressive else 'peaceful'}; Monte Carlo {args.blocks} blocks)",
        ["r (iter/s)", "best T exact (min)", "share exact", "share closed form", "Monte Carlo", "z",
         "eff. hash rate (H/s)", "b (s)"],
        rows,
    )
    return _finish(args, io, result, [head, body], files)


# --------------------------------------------------------------------------------------------------------
# suanli bitcoin grover-demo
# --------------------------------------------------------------------------------------------------------
def cmd_grover(args: argparse.Namespace, io: Output) -> int:
    from ..experiments.bitcoin.grover import grover_curve, grover_mine, speedup_table

    if not 1 <= args.zeros <= args.bits:
        raise SuanliError(f"--zeros must be in [1, --bits = {args.bits}], got {args.zeros}")
    progress = LazyProgress(io.err, "Grover iterations")
    try:
        curve = grover_curve(args.bits, args.zeros, seed=args.seed, progress=progress)
    finally:
        progress.close()
    mined = grover_mine(args.bits, args.zeros, seed=args.seed, shots=args.shots)
    cases = [(args.bits, z) for z in range(2, args.bits + 1)] if not args.no_speedup else []
    rows = speedup_table(cases, seed=args.seed) if cases else []
    result: dict[str, Any] = {
        "bits": args.bits,
        "zeros": args.zeros,
        "seed": args.seed,
        "key": curve.key,
        "num_qubits": curve.num_qubits,
        "gates_per_iteration": curve.gates_per_iteration,
        "toffolis_per_iteration": curve.toffolis_per_iteration,
        "optimal_iterations": curve.optimal_iterations,
        "iterations": list(curve.iterations),
        "simulated": list(curve.simulated),
        "theory": list(curve.theory),
        "max_error": curve.max_error,
        "mining": {
            "shots": mined.shots,
            "valid_shots": mined.valid_shots,
            "success_rate": mined.success_rate,
            "theory": mined.theory,
            "nonces_found": list(mined.found),
        },
        "speedup": [
            {
                "bits": r.bits, "zeros": r.zeros, "n_over_m": r.ratio_n_over_m, "k": r.optimal_iterations,
                "p_success": r.success_probability, "quantum_queries": r.quantum_queries,
                "classical_queries": r.classical_queries, "speedup": r.speedup,
            }
            for r in rows
        ],
    }
    files = []
    out = _out_dir(args.out)
    if out is not None:
        from ..experiments.bitcoin.plots import plot_grover_curve, plot_speedup

        files.append(plot_grover_curve(curve, out / "grover_curve.png"))
        if rows:
            files.append(plot_speedup(rows, out / "grover_speedup.png"))
        files.append(_write_json(out, "grover.json", result))
    t1 = _table(
        f"Toy Grover mining: {args.bits}-bit nonce, hash must start with {args.zeros} zero bits "
        f"(key {curve.key:0{args.bits}b}, {curve.num_qubits} qubits, {curve.gates_per_iteration} gates and "
        f"{curve.toffolis_per_iteration} Toffolis per iteration)",
        ["k", "simulated P", "sin²((2k+1)θ)"],
        [[k, f"{s:.6f}", f"{t:.6f}"] for k, s, t in zip(curve.iterations, curve.simulated, curve.theory)],
    )
    t2 = _table(
        "Sampled at the optimal k",
        ["k*", "shots", "valid nonces", "rate", "theory", "nonces found"],
        [[mined.iterations, mined.shots, mined.valid_shots, f"{mined.success_rate:.3f}", f"{mined.theory:.3f}",
          ", ".join(f"{x:0{args.bits}b}" for x in mined.found)]],
    )
    tables = [t1, t2]
    if rows:
        tables.append(_table(
            "Expected hash evaluations to find a valid nonce",
            ["N/M", "k*", "P(k*) simulated", "Grover k*/P", "(π/4)sqrt(N/M)", "classical (N+1)/(M+1)", "speed-up"],
            [[r.ratio_n_over_m, r.optimal_iterations, f"{r.success_probability:.4f}", f"{r.quantum_queries:.2f}",
              f"{math.pi / 4 * math.sqrt(r.ratio_n_over_m):.2f}", f"{r.classical_queries:.2f}", f"{r.speedup:.2f}"]
             for r in rows],
        ))
    return _finish(args, io, result, tables, files)


# --------------------------------------------------------------------------------------------------------
# suanli bitcoin shor-demo
# --------------------------------------------------------------------------------------------------------
def cmd_shor(args: argparse.Namespace, io: Output) -> int:
    from ..estimate.ecdlp import roetteler2017
    from ..experiments.bitcoin.shor import discrete_log, period_finding

    result: dict[str, Any] = {"seed": args.seed, "shots": args.shots}
    tables = []
    progress = LazyProgress(io.err, f"order finding mod {args.modulus}")
    try:
        pf = period_finding(args.modulus, args.base, shots=args.shots, seed=args.seed, progress=progress)
    finally:
        progress.close()
    n = args.modulus.bit_length()
    result["period_finding"] = {
        "modulus": pf.modulus, "base": pf.base, "counting_qubits": pf.counting_qubits,
        "num_qubits": pf.num_qubits, "gate_counts": pf.gate_counts, "toffolis": pf.toffolis,
        "outcomes": list(pf.shots), "orders": list(pf.orders), "order": pf.order, "factors": pf.factors,
        "success_rate": pf.success_rate, "max_deviation_from_ideal": pf.max_deviation_from_ideal,
        "beauregard_qubits": 2 * n + 3,
    }
    tables.append(_table(
        f"Order finding: a = {pf.base} mod N = {pf.modulus}",
        ["quantity", "value"],
        [
            ["order r", pf.order],
            ["factors", " × ".join(map(str, pf.factors)) if pf.factors else "none (try another base)"],
            ["shots giving r", f"{pf.success_rate:.0%} of {args.shots}"],
            ["qubits (counting + work + ancillas)", f"{pf.num_qubits} ({pf.counting_qubits} + {n} + {max(n - 2, 0)})"],
            ["gates / Toffolis", f"{sum(pf.gate_counts.values())} / {pf.toffolis}"],
            ["Beauregard 2n+3 qubits for the same N", 2 * n + 3],
            ["max |simulated - ideal| probability", f"{pf.max_deviation_from_ideal:.1e}"],
        ],
    ))
    if args.prime:
        progress = LazyProgress(io.err, f"discrete log mod {args.prime}")
        try:
            dl = discrete_log(
                args.prime, args.generator, args.target, shots=args.shots, seed=args.seed, progress=progress
            )
        finally:
            progress.close()
        nb = args.prime.bit_length()
        est = roetteler2017(nb)
        result["discrete_log"] = {
            "prime": dl.prime, "generator": dl.generator, "target": dl.target, "log": dl.log,
            "num_qubits": dl.num_qubits, "gate_counts": dl.gate_counts, "toffolis": dl.toffolis,
            "outcomes": [list(p) for p in dl.shots], "candidates": list(dl.candidates),
            "success_rate": dl.success_rate, "relation_holds": dl.relation_holds,
            "estimator_logical_qubits": est.logical_qubits, "estimator_toffolis": est.toffolis,
        }
        tables.append(_table(
            f"Discrete log: {dl.generator}^s = {dl.target} mod {dl.prime}",
            ["quantity", "this circuit", f"ECDLP estimator at n = {nb} (Roetteler et al.)"],
            [
                ["s", dl.log, ""],
                ["check g^s mod p", pow(dl.generator, dl.log, dl.prime) if dl.log is not None else "-", ""],
                ["shots giving s", f"{dl.success_rate:.0%} of {args.shots}", ""],
                ["d = s·c mod 2^t for every outcome", dl.relation_holds, ""],
                ["logical qubits", dl.num_qubits, est.logical_qubits],
                ["Toffolis", dl.toffolis, f"{est.toffolis:.3g}"],
                ["all gates", sum(dl.gate_counts.values()), ""],
            ],
        ))
    files = []
    out = _out_dir(args.out)
    if out is not None:
        files.append(_write_json(out, "shor.json", result))
    return _finish(args, io, result, tables, files)


# --------------------------------------------------------------------------------------------------------
# suanli estimate ecdlp
# --------------------------------------------------------------------------------------------------------
def cmd_ecdlp(args: argparse.Namespace, io: Output) -> int:
    from ..estimate.ecdlp import CONSTRUCTIONS, PUBLISHED, estimate, qubits_vs_time
    from ..estimate.surface_code_layout import Hardware

    hw = Hardware(args.error, args.cycle_us * 1e-6, args.reaction_us * 1e-6)
    names = list(CONSTRUCTIONS) if args.construction == "all" else [args.construction]
    ests = {c: estimate(args.bits, hours=args.hours, construction=c, hardware=hw, failure_budget=args.budget)
            for c in names}
    result: dict[str, Any] = {"estimates": [e.to_dict() for e in ests.values()], "notes": {}}
    for c, e in ests.items():
        result["notes"][c] = list(e.notes)
    if args.bits == 256 and args.construction in ("roetteler2017", "all"):
        result["published_webber2022"] = {
            f"{h:g}h": {"published": q, "model": estimate(256, hours=h, hardware=hw,
                                                          failure_budget=args.budget).physical_qubits}
            for h, q in PUBLISHED.items()
        }
    files = []
    out = _out_dir(args.out)
    if out is not None:
        from ..estimate.ecdlp_plot import plot_qubits_vs_time

        curves = {c: qubits_vs_time(args.bits, construction=c, hardware=hw, failure_budget=args.budget)
                  for c in CONSTRUCTIONS}
        result["curve"] = {c: [[e.hours, e.physical_qubits] for e in v] for c, v in curves.items()}
        files.append(plot_qubits_vs_time(curves, out / "ecdlp_qubits_vs_time.png"))
        files.append(_write_json(out, "ecdlp.json", result))
    tables = []
    for c, e in ests.items():
        d = e.to_dict()
        rows = [
            ["source", d["source"]],
            ["logical qubits", d["logical_qubits"]],
            ["Toffolis / T gates (7 per Toffoli)", f"{d['toffolis']:.3e} / {d['t_count']:.3e}"],
            ["run time (the cheapest run within the target)", f"{d['hours']:.3g} h"],
            ["code distance", d["code_distance"]],
            ["data block (tiles, qubits)", f"{d['data_tiles']}, {d['data_qubits']:.3e}"],
            ["CCZ factories (T factories each)", f"{d['ccz_factories']} ({d['t_factories_per_ccz']})"],
            ["factory qubits", f"{d['factory_qubits']:.3e}"],
            ["Toffolis in flight", d["toffolis_in_flight"]],
            ["physical qubits", f"{d['physical_qubits']:.3e}"],
            ["failure probability", f"{d['failure_probability']:.3f}"],
            ["one Toffoli at a time: reaction-limited time", f"{d['sequential_reaction_hours']:.3g} h"],
        ]
        tables.append(_table(
            f"{args.bits}-bit ECDLP in {args.hours:g} h with {c} (p = {args.error:g}, cycle {args.cycle_us:g} µs, "
            f"reaction {args.reaction_us:g} µs)",
            ["quantity", "value"], rows,
        ))
    if "published_webber2022" in result:
        tables.append(_table(
            "Against Webber et al. 2022 (same hardware assumptions as given here)",
            ["run time", "published", "this model", "ratio"],
            [[k, f"{v['published']:.3g}", f"{v['model']:.3g}", f"{v['model'] / v['published']:.2f}"]
             for k, v in result["published_webber2022"].items()],
        ))
    return _finish(args, io, result, tables, files)


def register(cli: Any) -> None:
    """Add ``bitcoin mining``, ``bitcoin grover-demo``, ``bitcoin shor-demo`` and ``estimate ecdlp``."""
    g = cli.group("bitcoin")
    p = g.add_parser("mining", help="Grover miner vs a classical network (Nerem–Gaur model + Monte Carlo)",
                     description="Optimal measurement time, share of blocks, effective hash rate and cost factor "
                                 "of a Grover miner; Monte Carlo check of the closed form.")
    p.add_argument("--block-minutes", type=float_in(0.0, open_low=True), default=10.0,
                   help="mean time between classical blocks (default: %(default)s)")
    p.add_argument("--difficulty", type=float_in(1.0), default=1e12,
                   help="expected classical hashes per block D (default: %(default)g)")
    p.add_argument("--rates", type=_positive_floats, default=[100.0, 200.0, 400.0], metavar="R,R,...",
                   help="Grover iterations per second (default: 100,200,400)")
    p.add_argument("--aggressive", action="store_true", help="measure when a classical block arrives")
    p.add_argument("--tie-win", type=float_in(0.0, 1.0), default=0.5,
                   help="chance that the quantum block wins a tie (aggressive only; default: %(default)s)")
    p.add_argument("--blocks", type=int_at_least(100), default=200_000,
                   help="Monte Carlo blocks per rate (default: %(default)s)")
    p.add_argument("--seed", type=int_at_least(0), default=0, help="Monte Carlo seed (default: %(default)s)")
    add_json(p)
    add_out_dir(p)
    p.set_defaults(func=cmd_mining)

    p = g.add_parser("grover-demo", help="toy Grover mining on the state-vector simulator",
                     description="Grover search for nonces whose toy hash starts with --zeros zero bits.")
    p.add_argument("--bits", type=int_at_least(4), default=6, help="nonce width, 4 to 8 (default: %(default)s)")
    p.add_argument("--zeros", type=int_at_least(1), default=4, help="leading zero bits (default: %(default)s)")
    p.add_argument("--seed", type=int_at_least(0), default=0, help="picks the hash key and the shots")
    p.add_argument("--shots", type=int_at_least(1), default=100, help="shots at the optimal k (default: 100)")
    p.add_argument("--no-speedup", action="store_true", help="skip the speed-up table")
    add_json(p)
    add_out_dir(p)
    p.set_defaults(func=cmd_grover)

    p = g.add_parser("shor-demo", help="toy Shor: order finding and a discrete log on the simulator",
                     description="Period finding mod N and a discrete log in Z_p^*, with gate counts.")
    p.add_argument("--modulus", type=int_at_least(3), default=15, help="N to factor (default: %(default)s)")
    p.add_argument("--base", type=int_at_least(2), default=7, help="base a (default: %(default)s)")
    p.add_argument("--prime", type=int, choices=(0, 5, 17), default=17,
                   help="prime p of the discrete log (5 or 17; 0 skips it; default: %(default)s)")
    p.add_argument("--generator", type=int_at_least(2), default=None, help="generator g (default: 2 or 3)")
    p.add_argument("--target", type=int_at_least(1), default=None, help="h in g^s = h (default: 13, or 3 for p = 5)")
    p.add_argument("--shots", type=int_at_least(1), default=20, help="shots (default: %(default)s)")
    p.add_argument("--seed", type=int_at_least(0), default=0, help="seed of the shots (default: %(default)s)")
    add_json(p)
    add_out_dir(p)
    p.set_defaults(func=_shor_entry)

    e = cli.group("estimate")
    p = e.add_parser("ecdlp", help="physical qubits and time to break an elliptic-curve key",
                     description="Logical cost (Roetteler 2017 / Litinski 2023) + surface-code layout model.")
    p.add_argument("--bits", type=int_at_least(2), default=256, help="curve size in bits (default: 256)")
    p.add_argument("--hours", type=float_in(0.0, open_low=True), default=1.0, help="target run time (default: 1)")
    p.add_argument("--cycle-us", type=float_in(0.0, open_low=True), default=1.0,
                   help="code cycle in µs (default: %(default)s)")
    p.add_argument("--reaction-us", type=float_in(0.0), default=10.0, help="reaction time in µs (default: 10)")
    p.add_argument("--error", type=float_in(0.0, 0.01, open_low=True), default=1e-3,
                   help="physical error rate (below 0.01; default: %(default)g)")
    p.add_argument("--construction", choices=("roetteler2017", "litinski2023", "all"), default="roetteler2017",
                   help="logical construction (default: %(default)s)")
    p.add_argument("--budget", type=float_in(0.0, 1.0, open_low=True), default=0.1,
                   help="allowed failure probability of the run (default: %(default)s)")
    add_json(p)
    add_out_dir(p)
    p.set_defaults(func=cmd_ecdlp)


def _shor_entry(args: argparse.Namespace, io: Output) -> int:
    if not 3 <= args.modulus <= 31:
        raise SuanliError(f"--modulus must be in [3, 31] (at most 18 simulated qubits), got {args.modulus}")
    if not 1 < args.base < args.modulus or math.gcd(args.base, args.modulus) != 1:
        raise SuanliError(f"--base must be in (1, {args.modulus}) and coprime to --modulus, got {args.base}")
    if args.generator is None:
        args.generator = {0: 2, 5: 2, 17: 3}[args.prime]
    if args.target is None:
        args.target = 3 if args.prime == 5 else 13
    if args.prime and not 1 <= args.target < args.prime:
        raise SuanliError(f"--target must be in [1, --prime = {args.prime}), got {args.target}")
    return cmd_shor(args, io)
