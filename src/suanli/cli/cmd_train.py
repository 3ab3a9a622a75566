"""``suanli train qcbm|qgan|born|vqe``: train quantum generative models and a variational eigensolver.

Examples::

    suanli train qcbm --rows 3 --cols 3 --out qcbm_bas3
    suanli train qcbm --target gaussian --qubits 8 --out qcbm_gauss
    suanli train qgan --digit 0 --steps 500 --out qgan0
    suanli train vqe --qubits 10 --out vqe10
    suanli train born --data bas --bonds 2,4,8,16 --out born_bas4

Each command prints a metrics table (or one JSON object with ``--json``) and, with ``--out DIR``, writes
``DIR/<model>_metrics.json`` and ``DIR/<model>.png``.
"""

from __future__ import annotations

import argparse
import json
from typing import Any

from ..errors import SuanliError
from .common import Output, add_json, add_out_dir, float_in, int_at_least, int_list, json_default
from .common import out_dir as _out_dir

__all__ = ["register"]


class _Bar:
    """A rich progress bar over training steps on stderr, showing the latest metrics."""

    def __init__(self, io: Output, title: str, quiet: bool) -> None:
        self.io, self.title, self.quiet = io, title, quiet
        self._progress: Any = None
        self._task: Any = None

    def __call__(self, step: int, total: int, metrics: dict[str, float]) -> None:
        if self.quiet:
            return
        if self._progress is None:
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

            self._progress = Progress(
                TextColumn(self.title, markup=False),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                TextColumn("{task.fields[info]}", markup=False),
                console=self.io.err,
                transient=True,
            )
            self._progress.start()
            self._task = self._progress.add_task(self.title, total=total, info="")
        info = "  ".join(f"{k} {v:.4g}" for k, v in metrics.items())
        self._progress.update(self._task, completed=step, total=total, info=info)

    def close(self) -> None:
        if self._progress is not None:
            self._progress.stop()
            self._progress = None


def _finish(args: argparse.Namespace, io: Output, name: str, result: Any, plot: Any) -> int:
    metrics = result.metrics()
    out = _out_dir(args.out)
    if out is not None:
        path = out / f"{name}_metrics.json"
        payload = {**metrics, "history": result.history}
        path.write_text(json.dumps(payload, indent=2, default=json_default) + "\n")
        png = plot(result, out / f"{name}.png")
        metrics = {**metrics, "files": [str(path), str(png)]}
    if args.json:
        io.json(metrics)
        return 0
    from rich import box
    from rich.table import Table

    t = Table(box=box.SIMPLE, title=f"suanli train {name}")
    t.add_column("metric")
    t.add_column("value", justify="right")
    for k, v in metrics.items():
        if k == "files":
            continue
        t.add_row(k, f"{v:.6g}" if isinstance(v, float) else str(v))
    io.out.print(t)
    for f in metrics.get("files", []):
        io.out.print(f"wrote {f}")
    return 0


def _device(args: argparse.Namespace) -> Any:
    import torch

    from ..sim.statevector.engine import resolve_device

    if args.threads is not None:
        torch.set_num_threads(args.threads)
    return resolve_device(args.device)


def _qcbm(args: argparse.Namespace, io: Output) -> int:
    from ..models.plots import plot_qcbm
    from ..models.qcbm import train_qcbm

    bar = _Bar(io, "qcbm", args.json)
    try:
        result = train_qcbm(
            target=args.target, rows=args.rows, cols=args.cols, num_qubits=args.qubits, depth=args.depth,
            steps=args.steps, lr=args.lr, optimizer=args.optimizer, kl_target=args.kl_target, shots=args.shots,
            seed=args.seed, device=_device(args), progress=bar,
        )
    finally:
        bar.close()
    return _finish(args, io, "qcbm", result, plot_qcbm)


def _vqe(args: argparse.Namespace, io: Output) -> int:
    from ..models.plots import plot_vqe
    from ..models.vqe import train_vqe

    bar = _Bar(io, "vqe", args.json)
    try:
        result = train_vqe(
            num_qubits=args.qubits, layers=args.layers, j=args.J, h=args.h, steps=args.steps,
            diff_method=args.diff_method, tol=args.tol, seed=args.seed, device=_device(args), progress=bar,
        )
    finally:
        bar.close()
    return _finish(args, io, "vqe", result, plot_vqe)


def _qgan(args: argparse.Namespace, io: Output) -> int:
    from ..models.plots import plot_qgan
    from ..models.qgan import train_qgan

    bar = _Bar(io, "qgan", args.json)
    try:
        result = train_qgan(
            digit=args.digit, steps=args.steps, batch=args.batch, depth=args.depth, seed=args.seed,
            device=_device(args), progress=bar,
        )
    finally:
        bar.close()
    return _finish(args, io, "qgan", result, plot_qgan)


def _born(args: argparse.Namespace, io: Output) -> int:
    from ..models.born import train_born
    from ..models.plots import plot_born

    if _device(args).type != "cpu":
        raise SuanliError("--device: the MPS Born machine runs on the CPU; leave --device at cpu")
    bar = _Bar(io, "born", args.json)
    try:
        result = train_born(
            data=args.data, rows=args.rows, cols=args.cols, max_bonds=tuple(args.bonds), sweeps=args.sweeps,
            lr=args.lr, digits=args.digits, seed=args.seed, progress=bar,
        )
    finally:
        bar.close()
    return _finish(args, io, "born", result, plot_born)


def _common(p: argparse.ArgumentParser, steps: int | None) -> None:
    if steps is not None:
        p.add_argument("--steps", type=int_at_least(1), default=steps, metavar="N",
                       help="training steps (default: %(default)s)")
    p.add_argument("--seed", type=int_at_least(0), default=0, help="seed (default: %(default)s)")
    p.add_argument("--device", default="cpu", help="cpu, cuda or cuda:N (default: %(default)s)")
    p.add_argument("--threads", type=int_at_least(1), default=1, metavar="N",
                   help="CPU threads for PyTorch; these models hold small states, for which one thread is "
                        "fastest, above all on a busy machine (default: %(default)s)")
    add_json(p)
    add_out_dir(p)


def register(cli: Any) -> None:
    group = cli.group("train")
    p = group.add_parser(
        "qcbm", help="quantum circuit Born machine (MMD loss) on bars and stripes or a Gaussian mixture",
        description="Train a quantum circuit Born machine with the exact MMD loss (Liu & Wang 2018); report "
                    "KL divergence and the fraction of valid samples.",
    )
    p.add_argument("--target", choices=("bas", "gaussian"), default="bas", help="data (default: %(default)s)")
    p.add_argument("--rows", type=int_at_least(1), default=3, help="bars-and-stripes rows (default: %(default)s)")
    p.add_argument("--cols", type=int_at_least(1), default=3, help="bars-and-stripes columns (default: %(default)s)")
    p.add_argument("--qubits", type=int_at_least(1), default=8,
                   help="bits of the Gaussian mixture (default: %(default)s)")
    p.add_argument("--depth", type=int_at_least(1), default=6, help="entangling layers (default: %(default)s)")
    p.add_argument("--lr", type=float_in(0.0, 10.0, open_low=True), default=0.1,
                   help="learning rate (default: %(default)s)")
    p.add_argument("--optimizer", choices=("lbfgs", "adam"), default="lbfgs", help="(default: %(default)s)")
    p.add_argument("--kl-target", type=float_in(0.0, open_low=True), default=0.02, metavar="KL",
                   help="stop once KL falls below this (default: %(default)s)")
    p.add_argument("--shots", type=int_at_least(1), default=10_000,
                   help="samples drawn to count valid patterns (default: %(default)s)")
    _common(p, 400)
    p.set_defaults(func=_qcbm)

    p = group.add_parser(
        "vqe", help="variational quantum eigensolver for the transverse-field Ising ring",
        description="Minimise the energy of the transverse-field Ising ring with the Hamiltonian variational "
                    "ansatz and exact (adjoint) gradients; compare with the exact ground-state energy.",
    )
    p.add_argument("--qubits", type=int_at_least(4), default=8, help="even ring size (default: %(default)s)")
    p.add_argument("--layers", type=int_at_least(1), default=None, help="ansatz layers (default: qubits/2)")
    p.add_argument("--J", type=float_in(), default=1.0, help="ZZ coupling (default: %(default)s)")
    p.add_argument("--h", type=float_in(), default=1.0, help="transverse field (default: %(default)s)")
    p.add_argument("--diff-method", choices=("adjoint", "backprop", "shift"), default="adjoint",
                   help="gradient method (default: %(default)s)")
    p.add_argument("--tol", type=float_in(0.0, open_low=True), default=1e-6,
                   help="stop at this relative energy error (default: %(default)s)")
    _common(p, 300)
    p.set_defaults(func=_vqe)

    p = group.add_parser(
        "qgan", help="patch quantum GAN on 8x8 handwritten digits",
        description="Train a patch quantum GAN (Huang et al. 2021) on one class of scikit-learn's 8x8 digits "
                    "and show generated images.",
    )
    p.add_argument("--digit", type=int_at_least(0), default=0, help="digit class 0-9 (default: %(default)s)")
    p.add_argument("--batch", type=int_at_least(1), default=8, help="images per step (default: %(default)s)")
    p.add_argument("--depth", type=int_at_least(1), default=6,
                   help="layers per sub-generator (default: %(default)s)")
    _common(p, 500)
    p.set_defaults(func=_qgan)

    p = group.add_parser(
        "born", help="MPS Born machine: NLL versus bond dimension on bars and stripes or binarised digits",
        description="Train matrix-product-state Born machines (Han et al. 2018) with adaptive bond dimension and "
                    "report the training NLL for each maximal bond dimension; samples are exact.",
    )
    p.add_argument("--data", choices=("bas", "digits"), default="bas", help="data (default: %(default)s)")
    p.add_argument("--rows", type=int_at_least(1), default=4, help="bars-and-stripes rows (default: %(default)s)")
    p.add_argument("--cols", type=int_at_least(1), default=4, help="bars-and-stripes columns (default: %(default)s)")
    p.add_argument("--digits", type=int_at_least(1), default=200,
                   help="number of binarised digits to learn (default: %(default)s)")
    p.add_argument("--bonds", type=int_list(1), default=[2, 4, 8, 16], metavar="D,D,...",
                   help="maximal bond dimensions (default: 2,4,8,16)")
    p.add_argument("--sweeps", type=int_at_least(1), default=4, help="two-way sweeps (default: %(default)s)")
    p.add_argument("--lr", type=float_in(0.0, 10.0, open_low=True), default=0.05,
                   help="gradient step on bond tensors (default: %(default)s)")
    _common(p, None)
    p.set_defaults(func=_born, device="cpu")
