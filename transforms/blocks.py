"""Walking normalized code that has blocks: `if`, `for` and `while` hold statement lists."""

from __future__ import annotations

import ast
from collections.abc import Iterator

COMPOUND = (ast.If, ast.For, ast.While)
PHI = "npgrad_phi"  # on a copy that closes a block: `x_2 = x_1` after a branch or an iteration


def is_compound(stmt: ast.stmt) -> bool:
    return isinstance(stmt, COMPOUND)


def child_blocks(stmt: ast.stmt) -> list[list[ast.stmt]]:
    if isinstance(stmt, ast.If):
        return [stmt.body, stmt.orelse]
    if isinstance(stmt, ast.For | ast.While):
        return [stmt.body]
    return []


def flatten(body: list[ast.stmt], loops_twice: bool = False) -> Iterator[ast.stmt]:
    """Every simple statement in execution order, entering blocks (a loop body twice if
    asked, so that what one iteration does before the next is seen)."""
    for stmt in body:
        if isinstance(stmt, ast.If):
            yield from flatten(stmt.body, loops_twice)
            yield from flatten(stmt.orelse, loops_twice)
        elif isinstance(stmt, ast.For | ast.While):
            for _ in range(2 if loops_twice else 1):
                yield from flatten(stmt.body, loops_twice)
        else:
            yield stmt


def assigned(body: list[ast.stmt]) -> set[str]:
    """Names stored anywhere in `body`, loop indices included."""
    found = set()
    for stmt in body:
        for node in ast.walk(stmt):
            if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
                found.add(node.id)
    return found


def has_loops(body: list[ast.stmt]) -> bool:
    return any(isinstance(n, ast.For | ast.While) for s in body for n in ast.walk(s))
