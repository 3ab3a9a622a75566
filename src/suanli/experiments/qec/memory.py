"""Memory experiments: noisy surface- and repetition-code circuits, sampled and decoded with sinter + PyMatching.

Circuits come from Stim's generator (``stim.Circuit.generated``) without noise; a :class:`NoiseModel` adds
the noise. Sampling runs :func:`sinter.collect` with PyMatching, in ``num_workers`` processes, each task stopping
at ``max_shots`` shots or ``max_errors`` logical errors. With a ``store`` CSV file sinter appends every finished
batch to it and, when run again, counts what the file already holds: a killed sweep restarts where it stopped,
losing nothing and repeating no shot (a last line torn by the kill is dropped first: its shots were never
counted). Sinter draws its random seeds from the operating system; runs are
reproducible in distribution, not shot for shot.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ...errors import SuanliError
from .noise import NoiseModel

if TYPE_CHECKING:
    import stim

__all__ = ["CODES", "MemoryPoint", "MemoryStats", "collect", "memory_circuit"]

#: Supported codes and the bases they can protect.
CODES = {"surface": ("x", "z"), "repetition": ("x", "z")}

Progress = Callable[[int, int], None]


def _check_point(code: str, distance: int, rounds: int, basis: str) -> None:
    if code not in CODES:
        raise SuanliError(f"unknown code {code!r}; choose one of {', '.join(CODES)}")
    if basis not in CODES[code]:
        raise SuanliError(f"basis must be one of {', '.join(CODES[code])}, got {basis!r}")
    if not isinstance(distance, int) or distance < 2 or (code == "surface" and distance % 2 == 0):
        raise SuanliError(f"distance must be an {'odd ' if code == 'surface' else ''}integer >= 3, got {distance!r}")
    if not isinstance(rounds, int) or rounds < 1:
        raise SuanliError(f"rounds must be an integer >= 1, got {rounds!r}")


def _hadamard_conjugate(circuit: stim.Circuit) -> stim.Circuit:
    """The same circuit in the X basis: R→RX, M→MX, MR→MRX, CX a b→CX b a (H on every qubit before and after)."""
    import stim

    swap_basis = {"R": "RX", "M": "MX", "MR": "MRX", "RX": "R", "MX": "M", "MRX": "MR"}
    out = stim.Circuit()
    for op in circuit:
        if isinstance(op, stim.CircuitRepeatBlock):
            out.append(stim.CircuitRepeatBlock(op.repeat_count, _hadamard_conjugate(op.body_copy())))
        elif op.name in swap_basis:
            out.append(swap_basis[op.name], op.targets_copy(), op.gate_args_copy())
        elif op.name in ("CX", "CNOT", "ZCX"):
            ts = op.targets_copy()
            flipped = [t for pair in zip(ts[1::2], ts[0::2]) for t in pair]
            out.append("CX", flipped)
        elif op.name in ("DETECTOR", "OBSERVABLE_INCLUDE", "QUBIT_COORDS", "SHIFT_COORDS", "TICK"):
            out.append(op)
        else:
            raise SuanliError(f"cannot move {op.name} to the X basis")
    return out


def memory_circuit(
    code: str, distance: int, rounds: int, basis: str = "z", noise: NoiseModel | None = None
) -> stim.Circuit:
    """A memory experiment: prepare a logical basis state, run ``rounds`` syndrome cycles, measure it.

    Args:
        code: ``"surface"`` (rotated surface code, ``2d² − 1`` qubits) or ``"repetition"`` (``2d − 1`` qubits;
            basis ``z`` protects against bit flips, ``x`` is the same circuit conjugated by Hadamards and protects
            against phase flips).
        distance: code distance (odd for the surface code).
        rounds: syndrome-extraction cycles.
        basis: ``"x"`` or ``"z"``.
        noise: the noise model; None gives the noiseless circuit.

    Examples:
        >>> c = memory_circuit("surface", 3, 3, "x")
        >>> c.num_qubits, c.num_detectors, c.num_observables
        (26, 24, 1)
    """
    import stim

    _check_point(code, distance, rounds, basis)
    if code == "surface":
        circuit = stim.Circuit.generated(f"surface_code:rotated_memory_{basis}", distance=distance, rounds=rounds)
    else:
        circuit = stim.Circuit.generated("repetition_code:memory", distance=distance, rounds=rounds)
        if basis == "x":
            circuit = _hadamard_conjugate(circuit)
    return noise.apply(circuit) if noise is not None else circuit


@dataclass(frozen=True)
class MemoryPoint:
    """One memory experiment to sample.

    Attributes:
        code: ``"surface"`` or ``"repetition"``.
        distance: code distance.
        rounds: syndrome cycles.
        basis: ``"x"`` or ``"z"``.
        noise: the noise model.
    """

    code: str
    distance: int
    rounds: int
    basis: str
    noise: NoiseModel

    def __post_init__(self) -> None:
        _check_point(self.code, self.distance, self.rounds, self.basis)
        if not isinstance(self.noise, NoiseModel):
            raise SuanliError(f"noise must be a NoiseModel, got {type(self.noise).__name__}")

    def circuit(self) -> stim.Circuit:
        return memory_circuit(self.code, self.distance, self.rounds, self.basis, self.noise)

    def metadata(self) -> dict[str, Any]:
        """What identifies the point in the CSV store (with the circuit itself, through sinter's strong id)."""
        return {
            "code": self.code,
            "d": self.distance,
            "r": self.rounds,
            "b": self.basis,
            "noise": self.noise.name,
            "p": self.noise.p,
            "model": self.noise.description,
        }


@dataclass(frozen=True)
class MemoryStats:
    """Sampled shots and logical errors of one :class:`MemoryPoint`.

    Attributes:
        point: the experiment.
        shots: shots sampled (including any already in the store).
        errors: shots whose logical observable the decoder got wrong.
        seconds: CPU seconds sinter spent on it (summed over workers).
    """

    point: MemoryPoint
    shots: int
    errors: int
    seconds: float

    def __post_init__(self) -> None:
        if self.shots < 0 or self.errors < 0 or self.errors > self.shots:
            raise SuanliError(f"invalid stats: {self.errors} errors in {self.shots} shots")

    @property
    def rate(self) -> float:
        """Logical error probability per shot (NaN without shots)."""
        return self.errors / self.shots if self.shots else math.nan

    def to_dict(self) -> dict[str, Any]:
        out = {k: v for k, v in asdict(self).items() if k != "point"}
        out.update(self.point.metadata())
        out["rate"] = self.rate
        return out


def _drop_partial_line(store: Path) -> None:
    """Cut an unfinished last line (a process killed while writing it); its shots were never counted."""
    if not store.exists() or store.stat().st_size == 0:
        return
    data = store.read_bytes()
    if data.endswith(b"\n"):
        return
    keep = data[: data.rfind(b"\n") + 1]
    store.write_bytes(keep)


def collect(
    points: Iterable[MemoryPoint],
    *,
    max_shots: int,
    max_errors: int | None = None,
    num_workers: int = 2,
    store: str | Path | None = None,
    progress: Progress | None = None,
) -> list[MemoryStats]:
    """Sample and decode every point with sinter and PyMatching.

    Args:
        points: the experiments.
        max_shots: stop a point after this many shots (counting those already in ``store``).
        max_errors: stop a point after this many logical errors (None: no limit).
        num_workers: worker processes.
        store: a CSV file sinter appends results to and resumes from (created when missing).
        progress: called as ``progress(shots_done, shots_planned)`` while sampling.

    Returns:
        One :class:`MemoryStats` per point, in the order given.

    Raises:
        SuanliError: bad limits, or a store that is not a sinter CSV file.
    """
    import sinter

    points = list(points)
    if not points:
        raise SuanliError("collect: no points to sample")
    if not isinstance(max_shots, int) or max_shots < 1:
        raise SuanliError(f"max_shots must be an integer >= 1, got {max_shots!r}")
    if max_errors is not None and (not isinstance(max_errors, int) or max_errors < 1):
        raise SuanliError(f"max_errors must be an integer >= 1, got {max_errors!r}")
    if not isinstance(num_workers, int) or num_workers < 1:
        raise SuanliError(f"num_workers must be an integer >= 1, got {num_workers!r}")
    if store is not None:
        store = Path(store)
        _drop_partial_line(store)
        if store.exists() and store.stat().st_size > 0:
            try:
                sinter.read_stats_from_csv_files(store)
            except Exception as exc:
                raise SuanliError(f"store {store} is not a readable sinter CSV file: {exc}") from None
        store.parent.mkdir(parents=True, exist_ok=True)

    tasks = []
    for p in points:
        circuit = p.circuit()
        dem = circuit.detector_error_model(decompose_errors=True)
        tasks.append(
            sinter.Task(circuit=circuit, detector_error_model=dem, decoder="pymatching", json_metadata=p.metadata())
        )
    by_id = {t.strong_id(): i for i, t in enumerate(tasks)}
    if len(by_id) != len(tasks):
        raise SuanliError("collect: the same point is listed twice")
    planned = max_shots * len(tasks)
    done = 0

    def on_progress(update: Any) -> None:
        nonlocal done
        for s in update.new_stats:
            done += s.shots
        if progress is not None:
            progress(min(done, planned), planned)

    results = sinter.collect(
        num_workers=num_workers,
        tasks=tasks,
        max_shots=max_shots,
        max_errors=max_errors,
        save_resume_filepath=store,
        progress_callback=on_progress,
        print_progress=False,
        hint_num_tasks=len(tasks),
    )
    shots = [0] * len(points)
    errors = [0] * len(points)
    seconds = [0.0] * len(points)
    for s in results:
        i = by_id.get(s.strong_id)
        if i is None:  # other data in the store
            continue
        shots[i] += s.shots
        errors[i] += s.errors
        seconds[i] += s.seconds
    return [MemoryStats(p, shots[i], errors[i], seconds[i]) for i, p in enumerate(points)]


def points_for(
    *,
    code: str,
    distances: Sequence[int],
    rounds: Callable[[int], Sequence[int]],
    bases: Sequence[str],
    noises: Sequence[NoiseModel],
) -> list[MemoryPoint]:
    """Every combination of noise model, distance, rounds (a function of the distance) and basis."""
    return [MemoryPoint(code, d, r, b, n) for n in noises for d in distances for r in rounds(d) for b in bases]
