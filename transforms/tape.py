"""tape: inside loops, save what the reverse sweep reads before the forward sweep overwrites it.

    for t in range(n):                          for t in range(n):
        h_2 = np.tanh(h_1 @ W)                      h_2 = np.tanh(h_1 @ W)
        # push 0                          ->        tape.append((h_1, h_2))
        h_1 = h_2                                   h_1 = h_2
    for t in reversed(range(n)):                for t in reversed(range(n)):
        dh_2 = dh_1                                 dh_2 = dh_1
        # pop 0                                     h_1, h_2 = tape.pop()
        ... h_1 ... h_2 ...                         ... h_1 ... h_2 ...

The reverse sweep left paired marks: after each run of statements in a loop body (before
the copies that close the body) and after each branch or inner loop (its condition, bounds
or trip count). Here each pair becomes a push and a pop of exactly the values the reverse
reads there that the loop overwrites; one list serves as a stack for the whole function,
since the reverse sweep meets the pops in the opposite order of the pushes. Values outside
loops are never overwritten (one assignment per name) and need no tape.
"""

from __future__ import annotations

import ast

from .blocks import child_blocks, is_compound
from .ops import names_in
from .reverse import MARK_AFTER, Mark, is_comment
from .unit import Unit


def _mark(stmt: ast.stmt) -> tuple[str, int] | None:
    if is_comment(stmt) and isinstance(stmt.value.value, Mark):  # type: ignore[attr-defined]
        verb, k = str(stmt.value.value).split()  # type: ignore[attr-defined]
        return verb, int(k)
    return None


def _governed_reads(block: list[ast.stmt], i: int, kind: str) -> set[str]:
    """What the reverse reads after the pop at block[i]: the run of statements up to the
    next mark or block (a segment), or the header of the next statement (control)."""
    if kind == "control":
        stmt = block[i + 1] if i + 1 < len(block) else None
        if isinstance(stmt, ast.If):
            return names_in(stmt.test)
        if isinstance(stmt, ast.For):
            return names_in(stmt.iter)
        return set()
    reads: set[str] = set()
    for stmt in block[i + 1 :]:
        if _mark(stmt) is not None or is_compound(stmt):
            break
        reads |= names_in(stmt)
    return reads


def tape(unit: Unit) -> Unit:
    """Turn the reverse sweep's marks into pushes and pops of a tape list."""
    if not unit.marks:
        return unit
    fdef = unit.generated
    needed: dict[int, list[str]] = {}
    reverse_targets: set[str] = set()

    def scan(block: list[ast.stmt]) -> None:
        for i, stmt in enumerate(block):
            mark = _mark(stmt)
            if mark is not None and mark[0] == "pop":
                kind, variant = unit.marks[mark[1]]
                reads = _governed_reads(block, i, kind)
                needed[mark[1]] = sorted(reads & variant)
            if isinstance(stmt, ast.For):
                reverse_targets.update(names_in_store(stmt.target))
            for child in child_blocks(stmt):
                scan(child)

    scan(fdef.body)
    tape_name = unit.names.fresh("tape")
    # a reversed loop sets its own index, as the forward loop did: not taped
    needed = {k: [n for n in names if n not in reverse_targets] for k, names in needed.items()}

    def values(k: int) -> ast.expr:
        names = needed.get(k, [])
        if len(names) == 1:
            return ast.Name(names[0], ast.Load())
        return ast.Tuple([ast.Name(n, ast.Load()) for n in names], ast.Load())

    def targets(k: int) -> ast.expr:
        names = needed.get(k, [])
        if len(names) == 1:
            return ast.Name(names[0], ast.Store())
        return ast.Tuple([ast.Name(n, ast.Store()) for n in names], ast.Store())

    def rewrite(block: list[ast.stmt]) -> list[ast.stmt]:
        out: list[ast.stmt] = []
        for stmt in block:
            mark = _mark(stmt)
            if mark is not None:
                verb, k = mark
                if needed.get(k):
                    tape_ref = ast.Name(tape_name, ast.Load())
                    if verb == "push":
                        push = ast.Attribute(tape_ref, "append", ast.Load())
                        out.append(ast.Expr(ast.Call(push, [values(k)], [])))
                    else:
                        pop = ast.Call(ast.Attribute(tape_ref, "pop", ast.Load()), [], [])
                        out.append(ast.Assign([targets(k)], pop))
                continue
            for child in child_blocks(stmt):
                child[:] = rewrite(child) or [ast.Pass()]
            out.append(stmt)
            k = getattr(stmt, MARK_AFTER, None)
            if k is not None and needed.get(k):
                push = ast.Attribute(ast.Name(tape_name, ast.Load()), "append", ast.Load())
                out.append(ast.Expr(ast.Call(push, [values(k)], [])))
        return out

    fdef.body = rewrite(fdef.body)
    if any(needed.values()):
        fdef.body.insert(
            0, ast.Assign([ast.Name(tape_name, ast.Store())], ast.List([], ast.Load()))
        )
    return unit


def names_in_store(target: ast.expr) -> set[str]:
    return {n.id for n in ast.walk(target) if isinstance(n, ast.Name)}
