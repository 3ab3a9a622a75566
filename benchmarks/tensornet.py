"""Tensor-network contraction of Sycamore-style circuits: path cost, published numbers, and a peer (quimb).

Goals:

1. The single-amplitude cost of the 53-qubit, 20-cycle Sycamore circuit (ABCDCDAB) found by our network
   + cotengra's hyper-optimiser lands within a factor of a few of the published 10^18.3 multiply-adds
   (Gray & Kourtis, Quantum 5, 410 (2021)).
2. Our path cost is within 2x of quimb's (its own circuit network and simplifications) with the same cotengra
   optimiser and the same number of trials.
3. Real amplitudes of 53-qubit circuits at modest depth are computed and agree with quimb's contraction.
4. The cost of Willow-scale circuits (105 qubits) per amplitude, for the estimate in docs/rcs.md.
5. The slicing overhead (sliced cost / cheapest unsliced tree) of the 20-cycle circuit at ``--slice-width``.

Three amplitudes (random bitstrings, seed 0; ``--amp-bitstrings`` fewer) are contracted along one tree and each
contraction is timed; they are checked against quimb's own contraction of the same qsim text for circuits of up
to ``--quimb-max-cycles`` cycles (relative difference < 1e-4 in complex64, up to one global phase: quimb's
``hz_1_2`` lacks the factor √i of qsim's √W). Deeper circuits are checked against a second, independent tree of
our own (another search seed, sliced to one less width; no phase fitted). Before the amplitudes, slice 0 is
contracted by our executor and by cotengra's (``--engine`` picks the one that contracts the amplitudes), and
the two must agree. The path searches use ``--repeats`` trials each
(KaHyPar + greedy when KaHyPar is installed); ``--tree-dir`` saves every tree found and a rerun loads it
instead of searching. ``--max-slices K`` contracts only K slices of each amplitude (a throughput
measurement: no amplitude, no check). ``--checkpoint-dir DIR`` saves each amplitude's finished slices, so that
a contraction of hours (the 12-cycle circuit on a CPU) can be stopped and started again without losing work.

Usage:
    python benchmarks/tensornet.py --out tn.json [--cost-cycles 20] [--amp-cycles 10 12] [--willow-cycles 24 40]
        [--slice-cycles 20] [--repeats 8] [--amp-width 30] [--slice-width 30] [--tree-dir DIR]
        [--checkpoint-dir DIR] [--amp-bitstrings 1|2|3] [--engine suanli|cotengra] [--device cpu|cuda]
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import subprocess
import sys
import time
from typing import Any

import cotengra
import numpy as np
import torch

import suanli
from suanli.experiments.rcs import patch_sites, sycamore_circuit
from suanli.sim.tensornet import circuit_network, contract, find_tree, tree_cost
from suanli.sim.tensornet.contractor import BufferPool, contract_slice

PUBLISHED_LOG10_COST_M20 = 18.3  # Gray & Kourtis 2021, Sycamore 53 qubits, m = 20, one amplitude

_QUIMB = """
import json, sys, time
import cotengra as ctg
import quimb.tensor as qtn
cfg = json.load(sys.stdin)
qc = qtn.Circuit.from_qsim_str(cfg["qsim"])
out = {}
if cfg.get("repeats"):
    opt = ctg.HyperOptimizer(methods=cfg["methods"], max_repeats=cfg["repeats"], parallel=False, progbar=False)
    rehs = qc.amplitude_rehearse("0" * qc.N, optimize=opt)
    out["log10_cost"] = float(rehs["tree"].contraction_cost(log=10))
    out["width"] = float(rehs["W"])
if cfg.get("bits"):
    amps = []
    slicing = {"target_size": 2 ** int(cfg["width"])} if cfg.get("width") else None
    for b in cfg["bits"]:
        opt = ctg.HyperOptimizer(methods=cfg["methods"], max_repeats=cfg.get("amp_repeats", 4), parallel=False,
                                 progbar=False, slicing_opts=slicing)
        a = complex(qc.amplitude(b, optimize=opt))
        amps.append([a.real, a.imag])
    out["amplitudes"] = amps
print(json.dumps(out))
"""


def quimb(cfg: dict[str, Any]) -> dict[str, Any]:
    """Run quimb in a fresh interpreter (so that its array namespace is untouched by our torch contractions)."""
    proc = subprocess.run([sys.executable, "-c", _QUIMB], input=json.dumps(cfg), capture_output=True, text=True,
                          check=True)
    return json.loads(proc.stdout)


def methods() -> list[str]:
    try:
        import kahypar  # noqa: F401

        return ["kahypar", "greedy"]
    except ImportError:
        return ["greedy", "labels"]


def cost_rows(cycles: list[int], repeats: int, tree_dir: str | None) -> list[dict[str, Any]]:
    rows = []
    for m in cycles:
        c = sycamore_circuit(m, seed=0)
        net = circuit_network(c)
        t = time.perf_counter()
        tree = find_tree(net, max_repeats=repeats, methods=methods(), cache=tree_dir)
        ours = tree_cost(tree, net)
        t_ours = time.perf_counter() - t
        t = time.perf_counter()
        peer = quimb({"qsim": suanli.dumps_qsim(c), "repeats": repeats, "methods": methods()})
        t_peer = time.perf_counter() - t
        rows.append({
            "circuit": f"sycamore53_m{m}", "cycles": m, "repeats": repeats,
            "suanli_log10_cost": ours.log10_cost, "suanli_width": ours.width, "suanli_search_s": t_ours,
            "quimb_log10_cost": peer["log10_cost"], "quimb_width": peer["width"], "quimb_search_s": t_peer,
            "cost_ratio_suanli_over_quimb": 10 ** (ours.log10_cost - peer["log10_cost"]),
            "published_log10_cost": PUBLISHED_LOG10_COST_M20 if m == 20 else None,
        })
        print(json.dumps(rows[-1]), flush=True)
    return rows


def _contract_timed(net: Any, tree: Any, device: str, max_slices: int | None, checkpoint: str | None = None,
                    engine: str = "suanli", pool: BufferPool | None = None) -> tuple[complex | None, float]:
    """(amplitude or None when only ``max_slices`` slices ran, seconds)."""
    if device == "cuda":
        torch.cuda.synchronize()
    t = time.perf_counter()
    if max_slices is None or max_slices >= tree.nslices:
        value: complex | None = complex(contract(net, tree, checkpoint=checkpoint, engine=engine, pool=pool,
                                                 progress=_slice_progress(tree.nslices)).reshape(()))
    else:
        pool = pool or BufferPool()
        for i in range(max_slices):
            if engine == "suanli":
                contract_slice(tree, net.arrays, i, pool)
            else:
                tree.contract_slice(net.arrays, i, backend="torch")
        value = None
    if device == "cuda":
        torch.cuda.synchronize()
    return value, time.perf_counter() - t


def _slice_progress(total: int) -> Any:
    """A one-line progress report on stderr for contractions of many slices (none for a few)."""
    if total < 16:
        return None
    start = time.perf_counter()

    def report(done: int, n: int) -> None:
        print(f"\r  slice {done}/{n}, {time.perf_counter() - start:.0f} s", end="\n" if done == n else "",
              file=sys.stderr, flush=True)

    return report


def _relative_error(got: list[complex], want: list[complex], fit_phase: bool = True) -> float:
    """Max |got * phase - want| / max |want| with one global phase fitted on the first amplitude (or none)."""
    g, w = np.array(got), np.array(want)
    phase = w[0] / g[0] if fit_phase else 1.0
    err = float(np.max(np.abs(g * phase - w)) / np.max(np.abs(w)))
    return max(err, abs(abs(phase) - 1))


def _executor_check(net: Any, tree: Any) -> dict[str, Any]:
    """One slice by our executor and by cotengra's (tensordot/einsum per step): relative difference, times."""
    t = time.perf_counter()
    ours = contract_slice(tree, net.arrays, 0 if tree.nslices > 1 else None, BufferPool())
    t_ours = time.perf_counter() - t
    t = time.perf_counter()
    theirs = tree.contract_slice(net.arrays, 0, backend="torch") if tree.nslices > 1 else tree.contract(
        net.arrays, backend="torch")
    t_theirs = time.perf_counter() - t
    err = float((ours - theirs).abs().max() / theirs.abs().max())
    return {"executor_relative_error": err, "executor_slice_s": {"suanli": t_ours, "cotengra": t_theirs}}


def amplitude_rows(
    cycles: list[int], repeats: int, device: str, timing_repeats: int, width: float, *, quimb_max_cycles: int,
    tree_dir: str | None, slicing: str, max_slices: int | None, minimize: str, checkpoint_dir: str | None = None,
    bitstrings: int = 3, engine: str = "suanli",
) -> list[dict[str, Any]]:
    rows = []
    for m in cycles:
        c = sycamore_circuit(m, seed=0)
        rng = np.random.default_rng(0)
        bits = ["".join(map(str, rng.integers(0, 2, 53))) for _ in range(3)][:bitstrings]
        net = circuit_network(c, bits[0], device=device)
        t = time.perf_counter()
        tree = find_tree(net, max_repeats=repeats, methods=methods(), target_width=width, slicing=slicing,
                         minimize=minimize, cache=tree_dir)
        search_s = time.perf_counter() - t
        cost = tree_cost(tree, net)
        print(json.dumps({"cycles": m, "tree": cost.as_dict(), "search_s": search_s}), flush=True)
        executor = _executor_check(net, tree) if max_slices is None else {}
        print(json.dumps({"cycles": m} | executor), flush=True)
        if executor and executor["executor_relative_error"] > 1e-4:
            raise SystemExit(f"m={m}: our executor and cotengra's disagree on slice 0 "
                             f"(relative difference {executor['executor_relative_error']:.2e})")
        got, times = [], []
        pool = BufferPool()  # shared by the row's contractions: the first pages the buffers in
        for b in bits:
            value, sec = _contract_timed(circuit_network(c, b, device=device), tree, device, max_slices,
                                         checkpoint_dir, engine, pool)
            got.append(value)
            if checkpoint_dir is None:  # a resumed contraction's time covers only this run's slices
                times.append(sec)
            print(json.dumps({"cycles": m, "bits": b, "amplitude": None if value is None else [value.real, value.imag],
                              "s": sec}), flush=True)
            if value is None:
                break  # a throughput measurement: one bitstring is enough
        for _ in range(timing_repeats):
            times.append(_contract_timed(net, tree, device, max_slices, engine=engine, pool=pool)[1])
        done_slices = tree.nslices if max_slices is None else min(max_slices, tree.nslices)
        per_amp = [s * tree.nslices / done_slices for s in times]
        row: dict[str, Any] = {
            "circuit": f"sycamore53_m{m}", "cycles": m, "device": device, "bitstrings": bits,
            "minimize": minimize, "engine": engine, **executor,
            "log10_cost": cost.log10_cost, "width": cost.width, "slices": cost.slices,
            "log10_write": float(np.log10(tree.total_write())),
            "unsliced_log10_cost": None if cost.unsliced_cost is None else float(np.log10(cost.unsliced_cost)),
            "search_s": search_s, "slices_contracted": done_slices,
            "min_s": min(per_amp) if per_amp else None,
            "median_s": statistics.median(per_amp) if per_amp else None,
            "gflops_real": 8 * cost.cost / min(per_amp) / 1e9 if per_amp else None,
            "amplitudes": None if got[0] is None else [[a.real, a.imag] for a in got],
        }
        if got[0] is not None and m <= quimb_max_cycles:
            # quimb gets the same trial budget and memory target (a short search on its network can need more
            # memory than the machine has)
            t = time.perf_counter()
            peer = quimb({"qsim": suanli.dumps_qsim(c), "bits": bits, "methods": methods(),
                          "amp_repeats": repeats, "width": width})
            want = [complex(a, b) for a, b in peer["amplitudes"]]
            row |= {"check": "quimb", "check_s": time.perf_counter() - t, "relative_error": _relative_error(got, want)}
        elif got[0] is not None:
            # an independent tree: another search seed and one less width (saved in --tree-dir, its contractions
            # checkpointed like the others); same network, so no phase is fitted
            t = time.perf_counter()
            other = find_tree(net, max_repeats=repeats, methods=methods(), target_width=width - 1, slicing=slicing,
                              minimize=minimize, seed=1, cache=tree_dir)
            check_cost = tree_cost(other, net)
            print(json.dumps({"cycles": m, "check_tree": check_cost.as_dict()}), flush=True)
            want = [complex(contract(circuit_network(c, b, device=device), other, checkpoint=checkpoint_dir,
                                     progress=_slice_progress(other.nslices)).reshape(())) for b in bits]
            row |= {"check": "independent tree", "check_s": time.perf_counter() - t,
                    "check_tree": check_cost.as_dict(),
                    "same_path": other.get_path() == tree.get_path(),
                    "relative_error": _relative_error(got, want, fit_phase=False)}
        if "relative_error" in row and row["relative_error"] > 1e-4:
            print(json.dumps(row), flush=True)
            raise SystemExit(f"m={m}: amplitudes disagree with the check (relative error {row['relative_error']:.2e})")
        rows.append(row)
        print(json.dumps(row), flush=True)
    return rows


def slicing_rows(cycles: list[int], repeats: int, width: float, tree_dir: str | None) -> list[dict[str, Any]]:
    """Sliced cost against the cheapest unsliced tree, for each way of searching sliced trees."""
    rows = []
    for m in cycles:
        net = circuit_network(sycamore_circuit(m, seed=0))
        for slicing in ("best", "trials"):
            t = time.perf_counter()
            tree = find_tree(net, max_repeats=repeats, methods=methods(), target_width=width, slicing=slicing,
                             cache=None if tree_dir is None else f"{tree_dir}/slicing-m{m}-w{width:g}-{slicing}.json")
            cost = tree_cost(tree, net)
            rows.append({"circuit": f"sycamore53_m{m}", "cycles": m, "slicing": slicing, "repeats": repeats,
                         "target_width": width, **cost.as_dict(), "search_s": time.perf_counter() - t})
            print(json.dumps(rows[-1]), flush=True)
        best = {r["slicing"]: r for r in rows if r["cycles"] == m}
        unsliced = best["best"]["unsliced_cost"]
        rows.append({"circuit": f"sycamore53_m{m}", "cycles": m, "slicing": "both (cheaper of the two)",
                     "cost": min(best["best"]["cost"], best["trials"]["cost"]), "unsliced_cost": unsliced,
                     "slicing_overhead": min(best["best"]["cost"], best["trials"]["cost"]) / unsliced})
        print(json.dumps(rows[-1]), flush=True)
    return rows


def willow_rows(cycles: list[int], repeats: int, tree_dir: str | None) -> list[dict[str, Any]]:
    rows = []
    for m in cycles:
        c = sycamore_circuit(m, sites=patch_sites(105), seed=0)
        net = circuit_network(c)
        t = time.perf_counter()
        tree = find_tree(net, max_repeats=repeats, methods=methods(), cache=tree_dir)
        cost = tree_cost(tree, net)
        rows.append({"circuit": f"patch105_m{m}", "cycles": m, "repeats": repeats, "log10_cost": cost.log10_cost,
                     "width": cost.width, "search_s": time.perf_counter() - t})
        print(json.dumps(rows[-1]), flush=True)
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", required=True, help="JSON file for the results")
    ap.add_argument("--cost-cycles", type=int, nargs="*", default=[20])
    ap.add_argument("--amp-cycles", type=int, nargs="*", default=[10, 12])
    ap.add_argument("--willow-cycles", type=int, nargs="*", default=[24, 40])
    ap.add_argument("--repeats", type=int, default=8)
    ap.add_argument("--timing-repeats", type=int, default=0,
                    help="contractions timed again after the three amplitudes (default 0: those three are timed)")
    ap.add_argument("--amp-width", type=float, default=30, help="log2 of the largest tensor in the contractions")
    ap.add_argument("--slice-cycles", type=int, nargs="*", default=[20])
    ap.add_argument("--slice-width", type=float, default=30, help="target width of the slicing-overhead rows")
    ap.add_argument("--slicing", choices=("both", "trials", "best"), default="both",
                    help="how the amplitude rows search sliced trees")
    ap.add_argument("--quimb-max-cycles", type=int, default=10,
                    help="check amplitudes against quimb up to this depth, deeper ones against a second tree")
    ap.add_argument("--max-slices", type=int, default=None,
                    help="contract only this many slices per amplitude (throughput only, no amplitude)")
    ap.add_argument("--minimize", default="flops", choices=("flops", "combo", "write", "size"),
                    help="cotengra objective of the amplitude rows' search (combo = flops + 64 x elements written)")
    ap.add_argument("--tree-dir", default=None, help="directory where the trees found are saved and reused")
    ap.add_argument("--checkpoint-dir", default=None,
                    help="directory where each amplitude's finished slices are saved: an interrupted run, started "
                         "again with the same arguments (and --tree-dir), resumes; its times then come from "
                         "--timing-repeats only")
    ap.add_argument("--amp-bitstrings", type=int, default=3, choices=(1, 2, 3),
                    help="amplitudes per depth (random bitstrings, seed 0)")
    ap.add_argument("--engine", default="suanli", choices=("suanli", "cotengra"),
                    help="contraction executor of the amplitude rows (cotengra: its tensordot/einsum per step)")
    ap.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    args = ap.parse_args()
    info = {
        "machine": platform.processor() or platform.machine(), "cpus": torch.get_num_threads(),
        "python": platform.python_version(), "torch": torch.__version__, "suanli": suanli.__version__,
        "device": torch.cuda.get_device_name() if args.device == "cuda" else "cpu",
        "date": time.strftime("%Y-%m-%d"), "cotengra": cotengra.__version__,
        "command": " ".join(sys.argv),
    }
    result: dict[str, Any] = {"info": info}
    for key, run in (
        ("cost", lambda: cost_rows(args.cost_cycles, args.repeats, args.tree_dir)),
        ("willow", lambda: willow_rows(args.willow_cycles, max(1, args.repeats // 2), args.tree_dir)),
        ("slicing", lambda: slicing_rows(args.slice_cycles, args.repeats, args.slice_width, args.tree_dir)),
        ("amplitudes", lambda: amplitude_rows(args.amp_cycles, args.repeats, args.device, args.timing_repeats,
                                              args.amp_width, quimb_max_cycles=args.quimb_max_cycles,
                                              tree_dir=args.tree_dir, slicing=args.slicing,
                                              max_slices=args.max_slices, minimize=args.minimize,
                                              checkpoint_dir=args.checkpoint_dir,
                                              bitstrings=args.amp_bitstrings, engine=args.engine)),
    ):
        result[key] = run()
        with open(args.out, "w", encoding="utf-8") as fh:  # written after every part
            json.dump(result, fh, indent=2)


if __name__ == "__main__":
    main()
