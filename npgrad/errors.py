"""Error types. Every transform-time error points at file:line:col and says what to do."""

from __future__ import annotations

import ast
from dataclasses import dataclass


@dataclass(frozen=True)
class Location:
    """Where a construct sits in the user's file, and the text of its line."""

    filename: str
    lineno: int
    col: int
    end_col: int | None
    line: str

    def render(self) -> str:
        width = max(1, (self.end_col or self.col + 1) - self.col)
        stripped = self.line.rstrip()
        indent = len(stripped) - len(stripped.lstrip())
        caret = " " * (self.col - indent) + "^" * min(width, max(1, len(stripped) - self.col))
        return f"    {stripped.lstrip()}\n    {caret}"


class TransformError(Exception):
    """npgrad cannot transform this code. Raised at transform time, never with a wrong answer."""

    def __init__(self, message: str, location: Location | None = None, hint: str | None = None):
        self.message = message
        self.location = location
        self.hint = hint
        super().__init__(self._format())

    def _format(self) -> str:
        parts = []
        if self.location is not None:
            loc = self.location
            parts.append(f"{loc.filename}:{loc.lineno}:{loc.col + 1}: {self.message}")
            parts.append(loc.render())
        else:
            parts.append(self.message)
        if self.hint:
            parts.append(f"  what to do: {self.hint}")
        return "\n".join(parts)


class UnsupportedSyntaxError(TransformError):
    """A Python construct npgrad does not differentiate (yet)."""


class NoDerivativeError(TransformError):
    """A differentiated value flows into a function npgrad has no derivative rule for."""


class SourceUnavailableError(TransformError):
    """The function's source text cannot be read (builtins, C functions, exec'd code)."""


class NonScalarOutputError(TransformError, ValueError):
    """grad was asked for the gradient of a function that does not return a scalar."""


class WrtTypeError(TransformError, TypeError):
    """A `wrt` argument is not a floating-point value (integers and booleans have no gradient)."""


def locate(node: ast.AST, filename: str, lines: list[str]) -> Location | None:
    """The Location of an AST node whose positions are in the coordinates of `lines`."""
    lineno = getattr(node, "lineno", None)
    if lineno is None or not 1 <= lineno <= len(lines):
        return None
    end_col = node.end_col_offset if getattr(node, "end_lineno", None) == lineno else None
    return Location(filename, lineno, node.col_offset, end_col, lines[lineno - 1])
