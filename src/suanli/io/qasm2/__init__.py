"""OpenQASM 2 reader and writer (our own; no dependency)."""

from .parser import parse as parse
from .writer import dumps as dumps

__all__ = ["dumps", "parse"]
