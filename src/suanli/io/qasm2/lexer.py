"""Tokenizer for OpenQASM 2: one compiled regular expression, positions kept for error messages."""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from typing import NamedTuple

from ...errors import QasmError

__all__ = ["Source", "Token", "tokenize"]

KEYWORDS = frozenset(
    {"OPENQASM", "include", "qreg", "creg", "gate", "opaque", "barrier", "measure", "reset", "if", "pi", "U", "CX"}
)

_SPEC = [
    ("ws", r"[ \t\r\f\v\n]+"),
    ("comment", r"//[^\n]*"),
    ("bcomment", r"/\*(?:[^*]|\*(?!/))*\*/"),
    ("bcomment_open", r"/\*"),
    ("real", r"(?:[0-9]+\.[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]+)?|[0-9]+[eE][-+]?[0-9]+"),
    ("int", r"[0-9]+"),
    ("id", r"[A-Za-z_][A-Za-z0-9_]*"),
    ("string", r'"[^"\n]*"'),
    ("string_open", r'"'),
    ("arrow", r"->"),
    ("eq", r"=="),
    ("sym", r"[;,()\[\]{}+\-*/^]"),
    ("bad", r"."),
]
_RE = re.compile("|".join(f"(?P<{name}>{pat})" for name, pat in _SPEC), re.DOTALL)


@dataclass(frozen=True)
class Source:
    """A piece of program text with its file name; maps offsets to line and column."""

    text: str
    filename: str

    def __post_init__(self) -> None:
        starts = [0] + [m.end() for m in re.finditer("\r\n|\r|\n", self.text)]
        object.__setattr__(self, "_line_starts", starts)

    def line_col(self, offset: int) -> tuple[int, int]:
        starts: list[int] = self._line_starts  # type: ignore[attr-defined]
        line = bisect.bisect_right(starts, offset) - 1
        return line + 1, offset - starts[line] + 1

    def error(self, reason: str, offset: int) -> QasmError:
        line, col = self.line_col(offset)
        return QasmError(reason, filename=self.filename, line=line, column=col)


class Token(NamedTuple):
    """``kind`` is one of id, keyword, int, real, string, arrow, eq, sym, eof; ``text`` the exact text."""

    kind: str
    text: str
    offset: int
    source: Source

    def error(self, reason: str) -> QasmError:
        return self.source.error(reason, self.offset)

    def describe(self) -> str:
        if self.kind == "eof":
            return "end of file"
        return repr(self.text)


def tokenize(source: Source) -> list[Token]:
    """Split ``source`` into tokens (comments and whitespace dropped); errors carry file:line:col."""
    tokens: list[Token] = []
    append = tokens.append
    text = source.text
    for m in _RE.finditer(text):
        kind = m.lastgroup
        if kind in ("ws", "comment", "bcomment"):
            continue
        start = m.start()
        value = m.group()
        if kind == "id":
            append(Token("keyword" if value in KEYWORDS else "id", value, start, source))
        elif kind == "bad":
            if value == "\x00" or not value.isprintable():
                raise source.error(f"unexpected character {value!r} (U+{ord(value):04X})", start)
            raise source.error(f"unexpected character {value!r}", start)
        elif kind == "bcomment_open":
            raise source.error("unterminated block comment (missing */)", start)
        elif kind == "string_open":
            raise source.error("unterminated string (missing closing \")", start)
        else:
            append(Token(kind, value, start, source))  # type: ignore[arg-type]
    append(Token("eof", "", len(text), source))
    return tokens
