"""What every ``suanli`` subcommand shares: output streams, the lazy progress bar and argument helpers.

Commands receive ``(args, io)``: ``io.out`` is the console for results (stdout), ``io.err`` for progress and
notes (stderr), ``io.json(obj)`` prints one JSON object on stdout. A command returns its exit code; it raises
:class:`suanli.SuanliError` for bad input (the entry point prints one line and exits with 2).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import torch
from rich.console import Console

from ..errors import SuanliError

__all__ = [
    "PROGRESS_DELAY_S",
    "LazyProgress",
    "Output",
    "add_json",
    "add_out_dir",
    "finish",
    "float_in",
    "int_at_least",
    "int_list",
    "json_default",
    "out_dir",
    "simple_table",
    "write_json",
]

PROGRESS_DELAY_S = 1.0


class Output:
    """Where things go: ``out`` (results) is stdout, ``err`` (progress) is stderr."""

    def __init__(self) -> None:
        self.out = Console(highlight=False, soft_wrap=True)
        self.err = Console(stderr=True, highlight=False)

    def json(self, obj: Any) -> None:
        sys.stdout.write(json.dumps(obj, indent=2, default=json_default) + "\n")
        sys.stdout.flush()


def json_default(obj: Any) -> Any:
    """``json.dumps`` fallback for torch/numpy scalars, devices, dtypes and paths."""
    if isinstance(obj, (torch.device, torch.dtype, Path)):
        return str(obj)
    if hasattr(obj, "tolist"):  # numpy / torch arrays and scalars
        return obj.tolist()
    return str(obj)


class LazyProgress:
    """A ``progress(done, total)`` callback that shows a rich progress bar only once ``delay`` seconds passed.

    Nothing is drawn for quick runs; :meth:`close` removes the bar when the run ends.
    """

    def __init__(
        self, console: Console, description: str, delay: float | None = None, unit: str = "operations"
    ) -> None:
        self.unit = unit
        self.console = console
        self.description = description
        self.delay = PROGRESS_DELAY_S if delay is None else delay
        self.started = time.perf_counter()
        self._progress: Any = None
        self._task: Any = None
        self._shown = False

    def __call__(self, done: int, total: int) -> None:
        if self._progress is None:
            if time.perf_counter() - self.started < self.delay:
                return
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

            self._progress = Progress(
                TextColumn("{task.description}", markup=False),
                BarColumn(),
                MofNCompleteColumn(),
                TextColumn(self.unit, markup=False),
                TimeElapsedColumn(),
                console=self.console,
                transient=True,
            )
            self._progress.start()
            self._shown = True
            self._task = self._progress.add_task(self.description, total=total)
        self._progress.update(self._task, completed=done, total=total)

    @property
    def shown(self) -> bool:
        """Whether the bar was drawn at some point."""
        return self._shown

    def close(self) -> None:
        if self._progress is not None:
            self._progress.stop()
            self._progress = None



def int_at_least(lowest: int) -> Callable[[str], int]:
    """An argparse ``type`` accepting integers ``>= lowest``."""

    def parse(text: str) -> int:
        try:
            value = int(text, 10)
        except ValueError:
            raise argparse.ArgumentTypeError(f"must be an integer, got {text!r}") from None
        if value < lowest:
            raise argparse.ArgumentTypeError(f"must be at least {lowest}, got {value}")
        return value

    return parse


def float_in(low: float | None = None, high: float | None = None, *, open_low: bool = False) -> Callable[[str], float]:
    """An argparse ``type`` accepting finite floats in ``[low, high]`` (``(low, high]`` with ``open_low``)."""

    def parse(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"must be a number, got {text!r}") from None
        if value != value or value in (float("inf"), float("-inf")):
            raise argparse.ArgumentTypeError(f"must be finite, got {text!r}")
        if low is not None and (value < low or (open_low and value == low)):
            raise argparse.ArgumentTypeError(f"must be {'>' if open_low else '>='} {low:g}, got {value:g}")
        if high is not None and value > high:
            raise argparse.ArgumentTypeError(f"must be <= {high:g}, got {value:g}")
        return value

    return parse


def int_list(lowest: int = 0) -> Callable[[str], list[int]]:
    """An argparse ``type`` for comma-separated integers such as ``3,5,7``."""

    def parse(text: str) -> list[int]:
        items = [t.strip() for t in text.split(",") if t.strip()]
        if not items:
            raise argparse.ArgumentTypeError("expected comma-separated integers, e.g. 3,5,7")
        return [int_at_least(lowest)(t) for t in items]

    return parse


def add_json(p: argparse.ArgumentParser) -> None:
    """Add ``--json``: print one JSON object on stdout and nothing else."""
    p.add_argument("--json", action="store_true", help="print one JSON object on stdout and nothing else")


def add_out_dir(p: argparse.ArgumentParser, default: str | None = None) -> None:
    """Add ``--out DIR``: the folder where JSON results and PNG plots are written."""
    p.add_argument(
        "--out",
        metavar="DIR",
        default=default,
        help="folder for result files (JSON, PNG)" + (f" (default: {default})" if default else ""),
    )


def out_dir(path: str | None, option: str = "--out") -> Path | None:
    """Create (if needed) and return the output folder of ``--out``; ``None`` when not given.

    Raises:
        SuanliError: the folder cannot be created (names the option and the reason).
    """
    if path is None:
        return None
    out = Path(path)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise SuanliError(f"{option}: cannot create folder {path!r}: {exc.strerror or exc}") from None
    return out


def write_json(out: Path, name: str, obj: Any) -> Path:
    """Write ``obj`` as indented JSON to ``out / name`` and return the path."""
    path = out / name
    path.write_text(json.dumps(obj, indent=2, default=json_default) + "\n")
    return path


def simple_table(title: str, columns: list[str], rows: list[list[Any]]) -> Any:
    """A rich table: first column left-aligned, the others right-aligned."""
    from rich import box
    from rich.table import Table

    t = Table(title=title, box=box.SIMPLE_HEAVY, title_justify="left")
    for i, c in enumerate(columns):
        t.add_column(c, justify="left" if i == 0 else "right")
    for r in rows:
        t.add_row(*[str(x) for x in r])
    return t


def finish(args: argparse.Namespace, io: Output, result: dict, tables: list[Any], files: list[Path]) -> int:
    """End a command: with ``--json`` print ``result`` (plus the written ``files``), else the tables and files."""
    if files:
        result["files"] = [str(f) for f in files]
    if args.json:
        io.json(result)
        return 0
    for t in tables:
        io.out.print(t)
    for f in files:
        io.out.print(f"wrote {f}")
    return 0
