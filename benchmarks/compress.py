"""Benchmark: are TT/MPO linear layers faster than dense ones at a given parameter reduction?

Goal: at -50 % parameters a compressed layer of MiniLM's shapes should run its forward pass faster than the dense
layer on the CPU. Compared in one run, at the same parameter budget:

- dense ``nn.Linear``;
- suanli ``LowRankLinear`` (truncated SVD);
- suanli ``TTLinear`` (two balanced cores, opt_einsum path) in factorized and rebuilt-dense execution;
- TensorLy-Torch ``FactorizedLinear`` (BlockTT) loaded with *the same cores*, in its factorized and
  reconstructed implementations (skipped when ``tltorch`` is not installed: ``pip install suanli[bench-compress]``).

Before timing, every TT variant must give the same output as suanli's factorized layer (relative difference
< 1e-4) and the SVD layer must reproduce its own dense weight; a disagreement aborts the run. Min and median of
``--repeats`` timed calls are reported, with the device and thread count.

Usage::

    python benchmarks/compress.py --tokens 2048 --reductions 0.5 0.9 --repeats 7 --threads 1 --clock process \\
        --out compress.json --markdown compress.md
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import sys
import time
from pathlib import Path

import torch
from torch import nn

from suanli.compress import LowRankLinear, TTLinear, factor_modes, tt_parameters, tt_ranks_for_budget, tt_svd

SHAPES = [(1536, 384), (384, 1536), (384, 384)]  # (out, in): FFN up, FFN down, attention projection


def timed(fn, repeats: int, clock: str = "wall") -> tuple[float, float]:
    now = time.perf_counter if clock == "wall" else time.process_time
    with torch.inference_mode():
        fn()
        times = []
        for _ in range(repeats):
            start = now()
            fn()
            times.append(now() - start)
    return min(times), statistics.median(times)


def tltorch_layers(tt: TTLinear) -> dict[str, nn.Module]:
    try:
        import tltorch
    except ImportError:
        return {}
    out = {}
    for impl in ("factorized", "reconstructed"):
        layer = tltorch.FactorizedLinear(
            in_tensorized_features=tt.in_modes,
            out_tensorized_features=tt.out_modes,
            factorization="blocktt",
            rank=[1, *tt.ranks, 1],
            implementation=impl,
        )
        with torch.no_grad():
            for mine, theirs in zip(tt.cores, layer.weight.factors):
                if tuple(mine.shape) != tuple(theirs.shape):
                    raise SystemExit(f"TensorLy-Torch core shape {tuple(theirs.shape)} != {tuple(mine.shape)}")
                theirs.copy_(mine)
            layer.bias.copy_(tt.bias)
        out[f"tltorch-{impl}"] = layer.eval()
    return out


def macs_text(macs: int | None, dense: int) -> str:
    return "–" if macs is None else f"{macs / dense:.2f}"


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--tokens", type=int, default=2048, help="rows of the input batch (sentences x tokens)")
    p.add_argument("--reductions", type=float, nargs="+", default=[0.5, 0.9])
    p.add_argument("--repeats", type=int, default=7)
    p.add_argument("--threads", type=int, default=None)
    p.add_argument(
        "--clock",
        choices=("wall", "process"),
        default="wall",
        help="elapsed time, or CPU time of this process (steadier on a shared machine with --threads 1)",
    )
    p.add_argument("--out", type=Path, default=None, help="JSON results")
    p.add_argument("--markdown", type=Path, default=None, help="Markdown table")
    args = p.parse_args(argv)
    if args.threads:
        torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    rows = []
    for out_f, in_f in SHAPES:
        dense = nn.Linear(in_f, out_f).eval()
        x = torch.randn(args.tokens, in_f)
        ref_min, ref_med = timed(lambda dense=dense, x=x: dense(x), args.repeats, args.clock)
        rows.append(
            {
                "shape": f"{in_f}->{out_f}",
                "reduction": 0.0,
                "layer": "dense",
                "params": in_f * out_f,
                "macs": args.tokens * in_f * out_f,
                "min_s": ref_min,
                "median_s": ref_med,
                "speedup": 1.0,
                "rel_error": 0.0,
            }
        )
        for red in args.reductions:
            budget = int((1 - red) * in_f * out_f)
            out_modes, in_modes = factor_modes(out_f, 2), factor_modes(in_f, 2)
            ranks = tt_ranks_for_budget(out_modes, in_modes, budget)
            tt = TTLinear(tt_svd(dense.weight.detach(), out_modes, in_modes, max_ranks=ranks), dense.bias).eval()
            rank = budget // (in_f + out_f)
            layers: dict[str, nn.Module] = {
                "svd": LowRankLinear.from_linear(dense, rank=rank).eval(),
                "tt-factorized": tt,
                "tt-dense-exec": TTLinear(list(tt.cores), tt.bias, execution="dense").eval(),
                **tltorch_layers(tt),
            }
            with torch.inference_mode():
                y_tt = tt(x)
                for name, layer in layers.items():
                    y = layer(x)
                    want = y_tt if name != "svd" else nn.functional.linear(x, layer.weight_matrix(), layer.bias)
                    diff = float((y - want).norm() / want.norm())
                    if diff > 1e-4:
                        raise SystemExit(f"{name} disagrees with its reference on {in_f}->{out_f}: {diff:.2e}")
            for name, layer in layers.items():
                tmin, tmed = timed(lambda layer=layer, x=x: layer(x), args.repeats, args.clock)
                if name == "svd":
                    macs = args.tokens * rank * (in_f + out_f)
                elif name == "tt-factorized":  # the chosen order; a rebuild is counted although cached
                    macs = tt.forward_macs(args.tokens)
                elif name == "tt-dense-exec":  # rebuilt dense weight (cached in inference)
                    macs = args.tokens * in_f * out_f
                else:  # TensorLy-Torch's own contraction order is not reported
                    macs = None
                params = sum(q.numel() for q in layer.parameters()) - out_f  # weights only
                with torch.no_grad():
                    w = layer.weight_matrix() if hasattr(layer, "weight_matrix") else layer.weight.to_matrix()
                err = float((w.detach() - dense.weight).norm() / dense.weight.norm())
                rows.append(
                    {
                        "shape": f"{in_f}->{out_f}",
                        "reduction": red,
                        "layer": name,
                        "params": params,
                        "macs": macs,
                        "min_s": tmin,
                        "median_s": tmed,
                        "speedup": ref_min / tmin,
                        "rel_error": err,
                        "detail": f"ranks {tt.ranks}" if name.startswith(("tt", "tltorch")) else f"rank {rank}",
                    }
                )
            assert tt_parameters(out_modes, in_modes, ranks) <= budget
    meta = {
        "device": "cpu",
        "threads": torch.get_num_threads(),
        "torch": torch.__version__,
        "python": platform.python_version(),
        "machine": platform.processor() or platform.machine(),
        "tokens": args.tokens,
        "repeats": args.repeats,
        "clock": args.clock,
        "date": time.strftime("%Y-%m-%d"),
    }
    lines = [
        "| shape | params removed | layer | params | rel. weight error | MACs / dense | min s | median s | "
        "speed-up vs dense |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for r in rows:
        dense_macs = args.tokens * int(r["shape"].split("->")[0]) * int(r["shape"].split("->")[1])
        lines.append(
            f"| {r['shape']} | {r['reduction']:.0%} | {r['layer']} | {r['params']:,} | {r['rel_error']:.3f} | "
            f"{macs_text(r['macs'], dense_macs)} | {r['min_s']:.5f} | {r['median_s']:.5f} | {r['speedup']:.2f} |"
        )
    text = "\n".join(lines)
    print(json.dumps(meta), file=sys.stderr)
    print(text)
    if args.out:
        args.out.write_text(json.dumps({"meta": meta, "rows": rows}, indent=1) + "\n")
    if args.markdown:
        args.markdown.write_text(text + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
