"""Compute accounting for diffusion-transformer video generation: tokens, token passes, FLOPs, GPU-hours, energy.

The forward cost of a DiT with ``L`` blocks of width ``d`` on ``T`` tokens is, in multiply-accumulates (MACs),

    MACs = L · (12·T·d² + 2·T·g·d)          (g = tokens per attention group; g = T for full attention)

``12·T·d²`` is the QKV (3), output projection (1) and MLP (8, ratio 4) matrix products; ``2·T·g·d`` the attention
scores and the weighted values. FLOPs = 2 · MACs; a training step costs about 3 × the forward pass (forward +
backward). Peebles & Xie ("Scalable Diffusion Models with Transformers", ICCV 2023, Table 4) report DiT-XL/2 at
256×256 px as 118.6 "Gflops", which are MACs: :func:`dit_image_macs` reproduces it from the formula plus the small
terms (patch embedding, timestep MLP, adaLN, output layer).

A video clip of ``F`` frames with ``P`` spacetime patches per frame is ``T = F·P`` tokens; ``S`` denoising steps
(×2 with classifier-free guidance, which runs a conditional and an unconditional pass) make ``T·S`` token passes.
The widely quoted back-of-envelope for Sora-like models, 60 frames × ~1 000 patches × 20 steps = 1.2 M token
passes, is the default of :func:`estimate_video`.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from ..errors import SuanliError

__all__ = [
    "DIT_MODELS",
    "GPUS",
    "DiTShape",
    "GpuSpec",
    "VideoEstimate",
    "dit_image_macs",
    "dit_macs",
    "estimate_video",
]


@dataclass(frozen=True)
class DiTShape:
    """A DiT size: blocks, width, heads and latent patch size (Peebles & Xie 2023, Table 1)."""

    depth: int
    width: int
    heads: int
    patch: int

    def __post_init__(self) -> None:
        if min(self.depth, self.width, self.heads, self.patch) < 1:
            raise SuanliError("DiT depth, width, heads and patch must be positive")


def _models() -> dict[str, DiTShape]:
    sizes = {"s": (12, 384, 6), "b": (12, 768, 12), "l": (24, 1024, 16), "xl": (28, 1152, 16)}
    return {f"dit-{k}/{p}": DiTShape(*v, patch=p) for k, v in sizes.items() for p in (2, 4, 8)}


#: The DiT family: ``dit-s/2`` … ``dit-xl/8``.
DIT_MODELS = _models()


@dataclass(frozen=True)
class GpuSpec:
    """A GPU's dense (no sparsity) BF16/FP16 tensor throughput and board power, from the vendor's datasheet."""

    name: str
    tflops: float
    watts: float
    source: str


#: Named GPUs. Throughputs are dense 16-bit tensor-core peaks (the datasheets' sparse figures are twice these).
GPUS = {
    "h100-sxm": GpuSpec("NVIDIA H100 SXM", 989.0, 700.0, "NVIDIA H100 Tensor Core GPU datasheet (2023)"),
    "h100-pcie": GpuSpec("NVIDIA H100 PCIe", 756.0, 350.0, "NVIDIA H100 Tensor Core GPU datasheet (2023)"),
    "h200": GpuSpec("NVIDIA H200 SXM", 989.0, 700.0, "NVIDIA H200 Tensor Core GPU datasheet (2024)"),
    "b200": GpuSpec("NVIDIA B200", 2250.0, 1000.0, "NVIDIA DGX B200 datasheet (2024), per GPU"),
    "a100": GpuSpec("NVIDIA A100 SXM", 312.0, 400.0, "NVIDIA A100 Tensor Core GPU datasheet (2020)"),
    "l40s": GpuSpec("NVIDIA L40S", 362.0, 350.0, "NVIDIA L40S datasheet (2023)"),
    "rtx4090": GpuSpec("NVIDIA RTX 4090", 165.2, 450.0, "NVIDIA Ada GPU architecture whitepaper (FP16 accumulate)"),
}


def dit_macs(depth: int, width: int, tokens: int, *, group: int | None = None) -> int:
    """Forward MACs of the transformer blocks: ``L·(12·T·d² + 2·T·g·d)`` (``g = T`` by default).

    Examples:
        >>> dit_macs(28, 1152, 256) / 1e9   # DiT-XL/2 blocks at 256 px
        118.380036096
    """
    if min(depth, width, tokens) < 1:
        raise SuanliError(f"depth, width and tokens must be positive, got {depth}, {width}, {tokens}")
    g = tokens if group is None else group
    if not 1 <= g <= tokens:
        raise SuanliError(f"the attention group must hold 1 to {tokens} tokens, got {g}")
    return depth * (12 * tokens * width * width + 2 * tokens * g * width)


def dit_image_macs(model: str = "dit-xl/2", resolution: int = 256, *, extras: bool = True) -> int:
    """Forward MACs of the class-conditional image DiT of Peebles & Xie at ``resolution`` px.

    The image is encoded by the Stable Diffusion VAE to a ``resolution/8`` square latent with 4 channels, cut
    into ``p × p`` patches. With ``extras`` the patch embedding, timestep MLP (256 → d → d), adaLN
    modulations (``6d²`` per block, ``2d²`` final) and the output layer (``2·4·p²`` channels: mean and variance)
    are added to :func:`dit_macs`.

    Examples:
        >>> round(dit_image_macs("dit-xl/2", 256) / 1e9, 1)    # the paper's 118.6 Gflops
        118.6
        >>> round(dit_image_macs("dit-s/8", 256) / 1e9, 2)     # the paper's 0.36
        0.36
    """
    shape = _model(model)
    if resolution < 8 or resolution % (8 * shape.patch):
        raise SuanliError(f"resolution must be a multiple of {8 * shape.patch} px for {model}, got {resolution}")
    side = resolution // 8 // shape.patch
    t, d, p2 = side * side, shape.width, shape.patch**2
    macs = dit_macs(shape.depth, d, t)
    if extras:
        macs += t * 4 * p2 * d + 256 * d + d * d + shape.depth * 6 * d * d + 2 * d * d + t * d * 8 * p2
    return macs


def _model(name: str) -> DiTShape:
    key = name.lower()
    if key not in DIT_MODELS:
        raise SuanliError(f"unknown model {name!r}; choose one of {', '.join(DIT_MODELS)}")
    return DIT_MODELS[key]


@dataclass(frozen=True)
class VideoEstimate:
    """The cost of generating one clip (and of one training step on one clip).

    Attributes:
        model: DiT name; depth, width: its shape.
        frames, patches_per_frame, tokens: the clip and its token count ``T``.
        steps: denoising steps; guidance: classifier-free guidance (2 passes per step).
        token_passes: ``T · steps · (2 if guidance else 1)``.
        macs_linear, macs_attention: forward MACs of one pass, split into the ``12·T·d²`` and ``2·T²·d`` parts.
        flops_forward: ``2 · MACs`` of one pass; flops_per_token_pass: ``flops_forward / T``.
        flops_clip: FLOPs to generate the clip (all passes); flops_train_step: ``3 · flops_forward`` per clip.
        utilization: assumed fraction of peak reached (model FLOPs utilisation).
        gpus: per GPU: seconds and GPU-hours per clip, energy per clip (Wh, board power only).
    """

    model: str
    depth: int
    width: int
    frames: int
    patches_per_frame: int
    tokens: int
    steps: int
    guidance: bool
    token_passes: int
    macs_linear: int
    macs_attention: int
    flops_forward: int
    flops_per_token_pass: float
    flops_clip: int
    flops_train_step: int
    utilization: float
    gpus: tuple[dict, ...]

    def __post_init__(self) -> None:
        if self.tokens != self.frames * self.patches_per_frame:
            raise SuanliError("tokens must equal frames × patches_per_frame")
        if not 0 < self.utilization <= 1:
            raise SuanliError(f"utilization must be in (0, 1], got {self.utilization}")

    def to_dict(self) -> dict:
        out = asdict(self)
        out["gpus"] = list(self.gpus)
        return out


def estimate_video(
    *,
    frames: int = 60,
    patches_per_frame: int = 1000,
    steps: int = 20,
    model: str = "dit-xl/2",
    guidance: bool = False,
    utilization: float = 0.4,
    gpus: tuple[str, ...] = ("h100-sxm", "b200", "a100"),
) -> VideoEstimate:
    """Token passes, FLOPs, GPU time and energy to generate one clip with a DiT using full spacetime attention.

    Examples:
        >>> e = estimate_video()                  # 60 frames × 1000 patches × 20 steps
        >>> e.token_passes
        1200000
        >>> round(e.flops_clip / 1e15, 1)         # DiT-XL-sized: peta-FLOPs per clip, mostly attention
        10.4
    """
    if frames < 1 or patches_per_frame < 1 or steps < 1:
        raise SuanliError(
            f"frames, patches_per_frame and steps must be positive, got {frames}, {patches_per_frame}, {steps}"
        )
    if not 0 < utilization <= 1:
        raise SuanliError(f"utilization must be in (0, 1], got {utilization}")
    unknown = [g for g in gpus if g not in GPUS]
    if unknown:
        raise SuanliError(f"unknown GPU {unknown[0]!r}; choose from {', '.join(GPUS)}")
    shape = _model(model)
    d, L = shape.width, shape.depth
    t = frames * patches_per_frame
    passes = steps * (2 if guidance else 1)
    macs_linear = L * 12 * t * d * d
    macs_attention = L * 2 * t * t * d
    flops_forward = 2 * (macs_linear + macs_attention)
    flops_clip = flops_forward * passes
    rows = []
    for g in gpus:
        spec = GPUS[g]
        seconds = flops_clip / (spec.tflops * 1e12 * utilization)
        rows.append(
            {
                "gpu": g,
                "name": spec.name,
                "peak_tflops": spec.tflops,
                "watts": spec.watts,
                "seconds_per_clip": seconds,
                "gpu_hours_per_clip": seconds / 3600,
                "energy_wh_per_clip": seconds * spec.watts / 3600,
                "source": spec.source,
            }
        )
    return VideoEstimate(
        model=model.lower(),
        depth=L,
        width=d,
        frames=frames,
        patches_per_frame=patches_per_frame,
        tokens=t,
        steps=steps,
        guidance=guidance,
        token_passes=t * passes,
        macs_linear=macs_linear,
        macs_attention=macs_attention,
        flops_forward=flops_forward,
        flops_per_token_pass=flops_forward / t,
        flops_clip=flops_clip,
        flops_train_step=3 * flops_forward,
        utilization=utilization,
        gpus=tuple(rows),
    )
