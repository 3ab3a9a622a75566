"""Subcommands contributed by the other parts of suanli (experiments, estimators, training).

Every module ``suanli/cli/cmd_*.py`` defines ``register(cli: CommandSet) -> None`` and adds its commands there,
either at the top level (``cli.command("xeb", ...)``) or inside a shared group such as ``estimate`` or ``train``
(``cli.group("estimate").add_parser("ecdlp", ...)``). Each parser sets ``func=handler`` with
``handler(args, io) -> int`` (see :mod:`suanli.cli.common`). Modules must import heavy libraries (Stim,
matplotlib, cotengra, …) inside their handlers, so that ``suanli --help`` stays fast and a missing optional
dependency only affects the command that needs it.
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
from typing import Any

__all__ = ["GROUPS", "CommandSet", "register_all"]

#: Shared command groups: name -> (help, description).
GROUPS = {
    "estimate": ("estimate classical and quantum resource costs", "Resource and cost estimators."),
    "train": ("train a model", "Train quantum and classical generative models."),
    "bitcoin": ("quantum computers and Bitcoin", "Grover mining, toy Shor and related calculations."),
    "qec": ("quantum error correction experiments", "Surface- and repetition-code memory experiments."),
}


class CommandSet:
    """The view of the ``suanli`` parser that plugin modules register their commands into."""

    def __init__(self, sub: Any) -> None:
        self._sub = sub
        self._groups: dict[str, Any] = {}

    def command(self, name: str, **kwargs: Any) -> argparse.ArgumentParser:
        """A new top-level command ``suanli NAME``."""
        return self._sub.add_parser(name, **kwargs)

    def group(self, name: str) -> Any:
        """The sub-command set of the shared group ``suanli NAME ...`` (created on first use)."""
        if name not in self._groups:
            if name not in GROUPS:
                raise KeyError(f"unknown command group {name!r}; add it to GROUPS in {__name__}")
            help_text, description = GROUPS[name]
            parser = self._sub.add_parser(name, help=help_text, description=description)
            parser.set_defaults(func=None, _group_parser=parser)
            self._groups[name] = parser.add_subparsers(dest=f"{name}_command", metavar="COMMAND")
        return self._groups[name]


def register_all(sub: Any) -> None:
    """Import every ``cmd_*`` module of this package and let it register its commands (sorted by name)."""
    cli = CommandSet(sub)
    package = __name__.rsplit(".", 1)[0]
    path = importlib.import_module(package).__path__
    for info in sorted(pkgutil.iter_modules(path), key=lambda m: m.name):
        if info.name.startswith("cmd_"):
            module = importlib.import_module(f"{package}.{info.name}")
            module.register(cli)
