"""A small video "world simulator": 2-D physics clips, a spacetime-patch diffusion transformer, and its probe.

- :mod:`~suanli.experiments.video.physics`: uniform motion, elastic two-ball collisions, parabolic motion.
- :mod:`~suanli.experiments.video.render`: clips → RGB videos, and ball detection back from videos.
- :mod:`~suanli.experiments.video.dit`: :class:`VideoDiT`, a DiT on 3-D patches with adaLN conditioning.
- :mod:`~suanli.experiments.video.train`: rectified-flow training, sampling and the velocity-error evaluation.
"""

from __future__ import annotations

from .dit import PRESETS as PRESETS
from .dit import DiTConfig as DiTConfig
from .dit import VideoDiT as VideoDiT
from .physics import RANGES as RANGES
from .physics import SCENARIOS as SCENARIOS
from .physics import Clip as Clip
from .physics import simulate as simulate
from .physics import simulate_batch as simulate_batch
from .render import detect as detect
from .render import render as render
from .render import velocity_error as velocity_error
from .train import TrainConfig as TrainConfig
from .train import TrainResult as TrainResult
from .train import evaluate as evaluate
from .train import generate as generate
from .train import train_video_dit as train_video_dit

__all__ = [
    "PRESETS",
    "RANGES",
    "SCENARIOS",
    "Clip",
    "DiTConfig",
    "TrainConfig",
    "TrainResult",
    "VideoDiT",
    "detect",
    "evaluate",
    "generate",
    "render",
    "simulate",
    "simulate_batch",
    "train_video_dit",
    "velocity_error",
]
