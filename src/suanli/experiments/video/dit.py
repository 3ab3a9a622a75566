"""A small video diffusion transformer (DiT) on spacetime patches, conditioned on the first frames.

Architecture (Peebles & Xie, "Scalable Diffusion Models with Transformers", ICCV 2023, extended to video the way
Sora's report describes, "Video generation models as world simulators", OpenAI 2024):

- **3-D patch embedding**: a video ``(B, C, F, H, W)`` is cut into ``pt × ph × pw`` spacetime patches, each mapped
  by one linear layer to a ``width``-dimensional token; ``T = (F/pt)(H/ph)(W/pw)`` tokens.
- **Positional encodings** over space and time: fixed 2-D sine-cosine codes of the patch row and column plus a
  1-D sine-cosine code of the patch's time slot.
- **Blocks** with adaLN-Zero conditioning: each block is attention + MLP (ratio 4). Attention is ``"full"``
  (over all T tokens) or ``"factorized"``: even blocks attend within a time slot (spatial), odd blocks across
  time slots at one place (temporal).
- **Conditioning**: the first ``context_frames`` frames are given clean (their tokens carry the data and a learned
  "context" vector), and the adaLN vector is the sum of a diffusion-time embedding and a linear embedding of
  the mean context token.
- **Output**: a final adaLN + linear layer predicts, per token, the clean patch (the flow velocity follows from
  it, :func:`suanli.experiments.video.train.velocity`).

Every matrix product is an ``nn.Linear`` or an explicit batched product in the attention (groups are small:
one time slot or one place), so the forward multiply-accumulate count is exactly :meth:`VideoDiT.forward_macs`
(a test checks it against ``torch.utils.flop_counter.FlopCounterMode``).
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import torch
from torch import nn

from ...errors import SuanliError

__all__ = ["PRESETS", "DiTConfig", "VideoDiT"]


@dataclass(frozen=True)
class DiTConfig:
    """Shape of a :class:`VideoDiT`.

    Attributes:
        frames, size, channels: the video ``(channels, frames, size, size)``.
        patch: spacetime patch ``(pt, ph, pw)``.
        width: token dimension ``d``.
        depth: number of blocks ``L``.
        heads: attention heads (``width`` must divide by it).
        attention: ``"full"`` or ``"factorized"`` (alternating spatial / temporal).
        context_frames: clean frames given as the condition (a multiple of ``pt``, fewer than ``frames``).
        freq_dim: size of the sinusoidal diffusion-time features.
    """

    frames: int = 16
    size: int = 32
    channels: int = 3
    patch: tuple[int, int, int] = (2, 4, 4)
    width: int = 64
    depth: int = 4
    heads: int = 4
    attention: str = "factorized"
    context_frames: int = 4
    freq_dim: int = 64

    def __post_init__(self) -> None:
        pt, ph, pw = self.patch
        if min(self.patch) < 1 or self.frames % pt or self.size % ph or self.size % pw:
            raise SuanliError(f"patch {self.patch} must divide (frames, size, size) = {self.frames, self.size}")
        if self.width < 8 or self.width % self.heads or self.width % 4:
            raise SuanliError(f"width {self.width} must be >= 8 and divisible by 4 and by heads={self.heads}")
        if self.depth < 1:
            raise SuanliError(f"depth must be at least 1, got {self.depth}")
        if self.attention not in ("full", "factorized"):
            raise SuanliError(f"attention must be 'full' or 'factorized', got {self.attention!r}")
        if self.context_frames % pt or not 0 < self.context_frames < self.frames:
            raise SuanliError(
                f"context_frames={self.context_frames} must be a positive multiple of pt={pt} below frames"
            )

    @property
    def grid(self) -> tuple[int, int, int]:
        """Tokens along time, rows and columns."""
        pt, ph, pw = self.patch
        return self.frames // pt, self.size // ph, self.size // pw

    @property
    def tokens(self) -> int:
        return math.prod(self.grid)

    @property
    def patch_dim(self) -> int:
        return self.channels * math.prod(self.patch)

    @property
    def context_tokens(self) -> int:
        _, gh, gw = self.grid
        return (self.context_frames // self.patch[0]) * gh * gw

    def to_dict(self) -> dict:
        return asdict(self)


#: Named settings: ``tiny`` trains in minutes on a CPU; ``small`` and ``base`` want a GPU.
PRESETS = {
    "tiny": DiTConfig(patch=(2, 8, 8), width=64, depth=4, heads=4, attention="full"),
    "small": DiTConfig(frames=16, size=32, width=128, depth=6, heads=4),
    "base": DiTConfig(frames=32, size=64, width=384, depth=12, heads=6, context_frames=4),
}


def _sincos(positions: torch.Tensor, dim: int) -> torch.Tensor:
    """``(N, dim)`` sine-cosine codes of real positions (DiT / Transformer style)."""
    half = dim // 2
    freqs = torch.exp(-math.log(10000.0) * torch.arange(half, dtype=torch.float64) / half)
    ang = positions.double()[:, None] * freqs[None]
    return torch.cat([torch.sin(ang), torch.cos(ang)], dim=1).float()


def _modulate(x: torch.Tensor, shift: torch.Tensor, scale: torch.Tensor) -> torch.Tensor:
    return x * (1 + scale[:, None]) + shift[:, None]


class _Block(nn.Module):
    def __init__(self, width: int, heads: int, mode: str) -> None:
        super().__init__()
        self.heads, self.mode = heads, mode  # mode: "full", "spatial" or "temporal"
        self.norm1 = nn.LayerNorm(width, elementwise_affine=False, eps=1e-6)
        self.qkv = nn.Linear(width, 3 * width)
        self.proj = nn.Linear(width, width)
        self.norm2 = nn.LayerNorm(width, elementwise_affine=False, eps=1e-6)
        self.fc1 = nn.Linear(width, 4 * width)
        self.fc2 = nn.Linear(4 * width, width)
        self.ada = nn.Linear(width, 6 * width)
        nn.init.zeros_(self.ada.weight)
        nn.init.zeros_(self.ada.bias)

    def attention(self, x: torch.Tensor, grid: tuple[int, int, int]) -> torch.Tensor:
        b, t, d = x.shape
        gt, gh, gw = grid
        h = self.heads
        qkv = self.qkv(x)
        if self.mode == "spatial":  # groups: one time slot, all places
            qkv = qkv.reshape(b * gt, gh * gw, 3, h, d // h)
        elif self.mode == "temporal":  # groups: one place, all time slots
            qkv = qkv.reshape(b, gt, gh * gw, 3 * d).transpose(1, 2).reshape(b * gh * gw, gt, 3, h, d // h)
        else:
            qkv = qkv.reshape(b, t, 3, h, d // h)
        q, k, v = qkv.permute(2, 0, 3, 1, 4)
        scores = (q @ k.transpose(-1, -2)) * (q.shape[-1] ** -0.5)  # (groups, h, n, n): small n, kept explicit
        y = scores.softmax(dim=-1) @ v  # (groups, h, n, dh)
        y = y.transpose(1, 2).reshape(y.shape[0], y.shape[2], d)
        if self.mode == "temporal":
            y = y.reshape(b, gh * gw, gt, d).transpose(1, 2)
        return self.proj(y.reshape(b, t, d))

    def forward(self, x: torch.Tensor, c: torch.Tensor, grid: tuple[int, int, int]) -> torch.Tensor:
        s1, g1, a1, s2, g2, a2 = self.ada(nn.functional.silu(c)).chunk(6, dim=1)
        x = x + a1[:, None] * self.attention(_modulate(self.norm1(x), s1, g1), grid)
        hidden = nn.functional.gelu(self.fc1(_modulate(self.norm2(x), s2, g2)), approximate="tanh")
        return x + a2[:, None] * self.fc2(hidden)


class VideoDiT(nn.Module):
    """The video diffusion transformer; ``model(x_t, t)`` predicts the clean video (see ``train.velocity``).

    Args:
        config: a :class:`DiTConfig`.

    Examples:
        >>> model = VideoDiT(DiTConfig(frames=8, size=16, width=32, depth=2, heads=2, context_frames=2))
        >>> x = torch.randn(2, 3, 8, 16, 16)
        >>> model(x, torch.rand(2)).shape
        torch.Size([2, 3, 8, 16, 16])
    """

    def __init__(self, config: DiTConfig) -> None:
        super().__init__()
        self.config = cfg = config
        d = cfg.width
        self.embed = nn.Linear(cfg.patch_dim, d)
        self.context_embed = nn.Linear(cfg.patch_dim, d)
        self.context_flag = nn.Parameter(torch.zeros(d))
        self.time_fc1 = nn.Linear(cfg.freq_dim, d)
        self.time_fc2 = nn.Linear(d, d)
        modes = ["full"] * cfg.depth if cfg.attention == "full" else ["spatial", "temporal"] * cfg.depth
        self.blocks = nn.ModuleList([_Block(d, cfg.heads, modes[i]) for i in range(cfg.depth)])
        self.final_norm = nn.LayerNorm(d, elementwise_affine=False, eps=1e-6)
        self.final_ada = nn.Linear(d, 2 * d)
        self.final = nn.Linear(d, cfg.patch_dim)
        for layer in (self.final_ada, self.final):
            nn.init.zeros_(layer.weight)
            nn.init.zeros_(layer.bias)
        gt, gh, gw = cfg.grid
        tt, rr, cc = torch.meshgrid(torch.arange(gt), torch.arange(gh), torch.arange(gw), indexing="ij")
        pos = _sincos(tt.reshape(-1), d) + torch.cat(
            [_sincos(rr.reshape(-1), d // 2), _sincos(cc.reshape(-1), d // 2)], dim=1
        )
        self.register_buffer("pos", pos, persistent=False)

    # -- patches ---------------------------------------------------------------------------------------
    def patchify(self, video: torch.Tensor) -> torch.Tensor:
        """``(B, C, F, H, W)`` → ``(B, T, C·pt·ph·pw)`` in (time, row, column) token order."""
        cfg = self.config
        b = video.shape[0]
        pt, ph, pw = cfg.patch
        gt, gh, gw = cfg.grid
        x = video.reshape(b, cfg.channels, gt, pt, gh, ph, gw, pw)
        return x.permute(0, 2, 4, 6, 1, 3, 5, 7).reshape(b, gt * gh * gw, cfg.patch_dim)

    def unpatchify(self, tokens: torch.Tensor) -> torch.Tensor:
        cfg = self.config
        b = tokens.shape[0]
        pt, ph, pw = cfg.patch
        gt, gh, gw = cfg.grid
        x = tokens.reshape(b, gt, gh, gw, cfg.channels, pt, ph, pw)
        return x.permute(0, 4, 1, 5, 2, 6, 3, 7).reshape(b, cfg.channels, cfg.frames, cfg.size, cfg.size)

    # -- forward ---------------------------------------------------------------------------------------
    def forward(self, x_t: torch.Tensor, t: torch.Tensor) -> torch.Tensor:
        """Clean-video prediction for noisy videos ``x_t`` whose first ``context_frames`` frames are clean.

        Args:
            x_t: ``(B, C, F, H, W)``; frames ``< context_frames`` hold the clean condition.
            t: ``(B,)`` diffusion times in ``[0, 1]`` (0 = noise, 1 = data).
        """
        cfg = self.config
        if tuple(x_t.shape[1:]) != (cfg.channels, cfg.frames, cfg.size, cfg.size):
            raise SuanliError(
                f"VideoDiT expects videos (B, {cfg.channels}, {cfg.frames}, {cfg.size}, {cfg.size}), "
                f"got {tuple(x_t.shape)}"
            )
        patches = self.patchify(x_t)
        nc = cfg.context_tokens
        tokens = self.embed(patches) + self.pos
        flag = torch.zeros(cfg.tokens, 1, device=x_t.device, dtype=tokens.dtype)
        flag[:nc] = 1.0
        tokens = tokens + flag * self.context_flag
        ctx = self.context_embed(patches[:, :nc].mean(dim=1))
        freqs = _sincos(t.reshape(-1) * 1000.0, cfg.freq_dim).to(tokens)
        c = self.time_fc2(nn.functional.silu(self.time_fc1(freqs))) + ctx
        for block in self.blocks:
            tokens = block(tokens, c, cfg.grid)
        shift, scale = self.final_ada(nn.functional.silu(c)).chunk(2, dim=1)
        out = self.final(_modulate(self.final_norm(tokens), shift, scale))
        return self.unpatchify(out)

    def forward_macs(self) -> int:
        """Multiply-accumulates of one forward pass for one video (the formula, not a measurement).

        ``L·12·T·d²`` (QKV, projection, MLP) + ``2·d·Σ_blocks T·g`` (attention scores and values, ``g`` = tokens
        per attention group) + the small terms: patch and context embeddings, time MLP, adaLN (``6d²`` per block,
        ``2d²`` final), output layer.
        """
        cfg = self.config
        d, t, gt, gh, gw = cfg.width, cfg.tokens, *cfg.grid
        groups = {"full": t, "spatial": gh * gw, "temporal": gt}
        attn = sum(2 * t * groups[b.mode] * d for b in self.blocks)
        blocks = cfg.depth * (12 * t * d * d + 6 * d * d) + attn
        extras = t * cfg.patch_dim * d + cfg.patch_dim * d + cfg.freq_dim * d + d * d + 2 * d * d
        return blocks + extras + t * d * cfg.patch_dim
