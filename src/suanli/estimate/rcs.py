"""What a classical simulation of random circuit sampling really costs: contraction cost → time and energy.

The model (every assumption is a parameter):

1. **One amplitude** costs C₁ multiply-adds: the best contraction tree cotengra's hyper-optimiser finds for
   <x|U|0…0> within the search budget, sliced so that no intermediate tensor exceeds ``2**target_width``
   elements (the memory of one accelerator). A complex multiply-add is 8 real FLOPs. The search splits its
   trials between sliced trials and an unsliced search whose best tree is then sliced (see
   :func:`~suanli.sim.tensornet.find_tree`); the ratio of the sliced cost to the cheapest unsliced tree is
   reported as the *slicing overhead*.
2. **A batch of samples** at XEB fidelity f: one contraction with k open qubits (cost C_k) yields 2**k
   correlated amplitudes; N samples need N / 2**k such contractions, and a fidelity-f sample needs only a
   fraction f of the slices (Markov et al. 2018; Pan, Chen & Zhang, PRL 129, 090502 (2022)), so
   FLOPs ≈ 8 · f · ⌈N / 2**k⌉ · C_k. This ignores the post-processing that turns correlated amplitudes into
   independent samples and the verification overhead; it is a lower-bound style estimate, as in the papers.
3. **Time** on a machine = FLOPs / (peak FLOP/s × efficiency); **energy** = time × machine power.
4. **The state-vector reference**: a Schrödinger simulation of the whole circuit holds 2**n amplitudes
   (``statevector_bytes`` in complex64) and costs 2**n multiply-adds per diagonal or qubit-permutation gate and
   2**n · 2**k per other k-qubit gate (no fusion); it yields every amplitude at once, so exact samples cost one
   such run. Its cost needs no search, so it bounds what a converged path search can find for deep circuits,
   and the machines' memory (``memory_bytes``) says where it cannot run at all.

Machines (peak for the single-precision complex arithmetic of these contractions):

* ``h100``: NVIDIA H100 SXM, 67 TFLOP/s FP32 (no tensor cores), 700 W, 80 GB (NVIDIA H100 datasheet).
* ``dgx-h100``: 8 × H100 = 536 TFLOP/s, 10.2 kW system power, 640 GB of GPU memory (NVIDIA DGX H100
  datasheet).
* ``frontier``: 1.1 EFLOP/s (HPL Rmax 1.102 EFLOP/s, TOP500 June 2022), 21.1 MW (TOP500 list); 9,408 nodes
  of 512 GB DDR4 + 4 × 128 GB HBM2e, about 9.6 PB (ORNL).
* ``summit``: 148.6 PFLOP/s (HPL Rmax, TOP500), 10.1 MW; 4,608 nodes of 512 GB DDR4 + 6 × 16 GB HBM2,
  about 2.8 PB (ORNL).

The default efficiency, 20 %, is an assumption: large sliced tensor contractions reach 15-40 % of peak on
GPUs in the published simulations; pass ``efficiency=`` to change it.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from typing import Any

from ..circuit import Circuit
from ..errors import SuanliError
from ..sim.tensornet import ContractionCost, rehearse_amplitude

__all__ = ["MACHINES", "Machine", "RCSCostEstimate", "estimate_rcs_cost", "plot_cost_vs_cycles", "statevector_cost"]

Progress = Callable[[int, int], None]
SECONDS_PER_YEAR = 365.25 * 24 * 3600


@dataclass(frozen=True)
class Machine:
    """A named computer: peak FLOP/s for the contraction's arithmetic and its power draw."""

    name: str
    label: str
    peak_flops: float
    power_watts: float
    source: str
    memory_bytes: float = math.inf

    def __post_init__(self) -> None:
        if self.peak_flops <= 0 or self.power_watts <= 0 or self.memory_bytes <= 0:
            raise ValueError(f"machine {self.name!r} needs positive peak FLOP/s, power and memory")


MACHINES: dict[str, Machine] = {
    m.name: m
    for m in (
        Machine("h100", "one NVIDIA H100 SXM", 67e12, 700.0,
                "NVIDIA H100 datasheet: FP32 67 TFLOP/s, 700 W, 80 GB", 80e9),
        Machine("dgx-h100", "one DGX H100 node (8 GPUs)", 8 * 67e12, 10.2e3,
                "NVIDIA DGX H100 datasheet: 10.2 kW, 640 GB GPU memory", 640e9),
        Machine("frontier", "Frontier (ORNL)", 1.102e18, 21.1e6,
                "TOP500 June 2022: Rmax 1.102 EFLOP/s, 21.1 MW; ORNL: 9,408 nodes x (512 GB DDR4 + 512 GB HBM2e)",
                9408 * 1024e9),
        Machine("summit", "Summit (ORNL)", 148.6e15, 10.1e6,
                "TOP500: Rmax 148.6 PFLOP/s, 10.1 MW; ORNL: 4,608 nodes x (512 GB DDR4 + 96 GB HBM2)",
                4608 * 608e9),
    )
}


@dataclass(frozen=True)
class RCSCostEstimate:
    """The estimate for one circuit (see the module docstring for the model).

    Attributes:
        num_qubits: n.
        amplitude: cost of one amplitude.
        batch: cost of one contraction with ``batch_qubits`` open qubits (None when batch_qubits is 0).
        batch_qubits: k.
        samples: N.
        fidelity: target XEB fidelity f.
        efficiency: fraction of peak reached.
        total_real_flops: 8 · f · ⌈N / 2**k⌉ · C_k.
        seconds: machine name → wall-clock seconds.
        joules: machine name → energy.
        statevector_log10_cost: log10 multiply-adds of one state-vector run of the circuit (every amplitude).
        statevector_bytes: its memory in complex64 (8 · 2**n bytes).
        statevector_seconds: machine name → time of that run at ``efficiency`` (also where it does not fit).
        statevector_fits: machine name → whether ``statevector_bytes`` fits the machine's memory.
    """

    num_qubits: int
    amplitude: ContractionCost
    batch: ContractionCost | None
    batch_qubits: int
    samples: int
    fidelity: float
    efficiency: float
    total_real_flops: float
    seconds: dict[str, float]
    joules: dict[str, float]
    statevector_log10_cost: float = math.nan
    statevector_bytes: float = math.nan
    statevector_seconds: dict[str, float] | None = None
    statevector_fits: dict[str, bool] | None = None

    def __post_init__(self) -> None:
        if not 0 < self.fidelity <= 1 or not 0 < self.efficiency <= 1 or self.samples < 1:
            raise ValueError("fidelity and efficiency must lie in (0, 1] and samples must be positive")

    def as_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["amplitude"] = self.amplitude.as_dict()
        d["batch"] = self.batch.as_dict() if self.batch is not None else None
        d["years"] = {k: v / SECONDS_PER_YEAR for k, v in self.seconds.items()}
        return d


def estimate_rcs_cost(
    circuit: Circuit,
    *,
    samples: int = 1_000_000,
    fidelity: float = 0.002,
    batch_qubits: int = 6,
    target_width: float | None = 30,
    max_repeats: int = 16,
    efficiency: float = 0.2,
    machines: Sequence[str] | None = None,
    slicing: str = "both",
    cache: str | os.PathLike[str] | None = None,
    progress: Progress | None = None,
) -> RCSCostEstimate:
    """Estimate the classical cost of sampling ``circuit`` (see the module docstring for the model).

    Args:
        circuit: the RCS circuit (any unitary circuit).
        samples: N bitstrings wanted.
        fidelity: their XEB fidelity f (Sycamore at 20 cycles: about 0.002).
        batch_qubits: k open qubits per contraction (0: one amplitude per contraction).
        target_width: slice so that intermediates hold at most ``2**target_width`` elements (30: 8 GiB in
            complex64); None: no slicing.
        max_repeats: hyper-optimisation trials per path search.
        efficiency: fraction of peak FLOP/s reached.
        machines: names from :data:`MACHINES` (default: all).
        slicing: how sliced trees are searched: ``"both"``, ``"trials"`` or ``"best"`` (see
            :func:`~suanli.sim.tensornet.find_tree`).
        cache: a directory where the trees found are saved and from where a rerun loads them (no search).
        progress: ``progress(done, total)`` over the path-search trials.
    """
    if samples < 1:
        raise SuanliError(f"samples must be at least 1, got {samples}")
    if not 0 < fidelity <= 1:
        raise SuanliError(f"fidelity must lie in (0, 1], got {fidelity}")
    if not 0 < efficiency <= 1:
        raise SuanliError(f"efficiency must lie in (0, 1], got {efficiency}")
    if not 0 <= batch_qubits <= min(circuit.num_qubits, 30):
        raise SuanliError(f"batch_qubits must lie in 0..{min(circuit.num_qubits, 30)}, got {batch_qubits}")
    names = list(machines) if machines is not None else list(MACHINES)
    unknown = [m for m in names if m not in MACHINES]
    if unknown:
        raise SuanliError(f"unknown machine(s) {unknown}; known: {', '.join(MACHINES)}")
    rounds = 2 if batch_qubits else 1

    def stage(i: int) -> Progress | None:
        if progress is None:
            return None
        return lambda done, total: progress(i * total + done, rounds * total)

    search = {"max_repeats": max_repeats, "target_width": target_width, "slicing": slicing, "cache": cache}
    amp = rehearse_amplitude(circuit, progress=stage(0), **search)
    batch = None
    per_contraction = amp
    if batch_qubits:
        n = circuit.num_qubits
        batch = rehearse_amplitude(
            circuit, open_qubits=list(range(n - batch_qubits, n)), progress=stage(1), **search
        )
        per_contraction = batch
    contractions = math.ceil(samples / 2**batch_qubits)
    flops = 8.0 * fidelity * contractions * per_contraction.cost
    def duration(real_flops: float) -> dict[str, float]:
        return {m: real_flops / (MACHINES[m].peak_flops * efficiency) for m in names}

    seconds = duration(flops)
    joules = {m: seconds[m] * MACHINES[m].power_watts for m in names}
    sv = statevector_cost(circuit)
    sv_bytes = 8.0 * 2.0**circuit.num_qubits
    return RCSCostEstimate(
        num_qubits=circuit.num_qubits,
        amplitude=amp,
        batch=batch,
        batch_qubits=batch_qubits,
        samples=samples,
        fidelity=fidelity,
        efficiency=efficiency,
        total_real_flops=flops,
        seconds=seconds,
        joules=joules,
        statevector_log10_cost=math.log10(sv),
        statevector_bytes=sv_bytes,
        statevector_seconds=duration(8.0 * sv),
        statevector_fits={m: sv_bytes <= MACHINES[m].memory_bytes for m in names},
    )


def statevector_cost(circuit: Circuit) -> float:
    """Complex multiply-adds of a gate-by-gate state-vector simulation of ``circuit`` (see the module docstring):
    2**n per diagonal gate or qubit permutation times a diagonal (such as the Sycamore gate, SWAP · diagonal),
    2**n · 2**k per other k-qubit gate."""
    import torch

    from ..sim.tensornet.network import _unitary_ops, gate_form

    per_amplitude = 0
    for op in _unitary_ops(circuit, torch.complex64, torch.device("cpu")):
        per_amplitude += 2 ** len(op.qubits) if gate_form(op)[0] == "dense" else 1
    return float(per_amplitude) * 2.0**circuit.num_qubits


def plot_cost_vs_cycles(rows: Sequence[dict[str, Any]], path: str, *, title: str = "") -> None:
    """Plot log10 of the one-amplitude cost and of the sampling time on Frontier against cycles.

    ``rows`` are dicts with keys ``cycles`` and ``estimate`` (an :meth:`RCSCostEstimate.as_dict`).
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows = sorted(rows, key=lambda r: r["cycles"])
    m = [r["cycles"] for r in rows]
    cost = [r["estimate"]["amplitude"]["log10_cost"] for r in rows]
    fig, ax = plt.subplots(figsize=(6.4, 4.4))
    ax.plot(m, cost, "o-", label="one amplitude: log10 multiply-adds")
    sv = [r["estimate"].get("statevector_log10_cost") for r in rows]
    if all(v is not None and math.isfinite(v) for v in sv):
        ax.plot(m, sv, "^:", label="state vector (all amplitudes): log10 multiply-adds")
    if all("frontier" in r["estimate"]["seconds"] for r in rows):
        sec = [math.log10(max(r["estimate"]["seconds"]["frontier"], 1e-300)) for r in rows]
        ax.plot(m, sec, "s--", label="sampling on Frontier: log10 seconds")
    ax.set_xlabel("cycles m")
    ax.set_ylabel("log10")
    ax.set_title(title or "classical cost of random circuit sampling")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
