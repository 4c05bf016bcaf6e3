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


_SHAPE_CALLS = {("rt", "unbroadcast"): 1, ("rt", "shape_of"): 0, ("rt", "size_of"): 0,
                ("np", "shape"): 0, ("np", "size"): 0, ("np", "ndim"): 0,
                ("np", "zeros_like"): 0, ("rt", "setitem_grad"): 2, ("rt", "at_grad"): 2,
                ("rt", "put_grad"): 2}  # fmt: skip


def _shape_only(stmts: list[ast.stmt], unit: Unit) -> set[str]:
    """Names these statements read only for their shape (`rt.unbroadcast(g, x)`)."""
    aliases = {unit.rt: "rt", unit.np: "np"}
    shape_reads: set[int] = set()
    for node in (n for st in stmts for n in ast.walk(st)):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            owner = node.func.value
            if isinstance(owner, ast.Name) and owner.id in aliases:
                first = _SHAPE_CALLS.get((aliases[owner.id], node.func.attr))
                if first is not None:
                    shape_reads |= {id(a) for a in node.args[first:] if isinstance(a, ast.Name)}
    loads: dict[str, list[int]] = {}
    for node in (n for st in stmts for n in ast.walk(st)):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load):
            loads.setdefault(node.id, []).append(id(node))
    return {name for name, ids in loads.items() if all(i in shape_reads for i in ids)}


def _governed(block: list[ast.stmt], i: int) -> list[ast.stmt]:
    found = []
    for stmt in block[i + 1 :]:
        if _mark(stmt) is not None or is_compound(stmt):
            break
        found.append(stmt)
    return found


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
    shells: dict[int, set[str]] = {}  # names saved as shape-only stand-ins
    reverse_targets: set[str] = set()

    def scan(block: list[ast.stmt]) -> None:
        for i, stmt in enumerate(block):
            mark = _mark(stmt)
            if mark is not None and mark[0] == "pop":
                kind, variant = unit.marks[mark[1]]
                reads = _governed_reads(block, i, kind)
                needed[mark[1]] = sorted(reads & variant)
                if kind == "segment":
                    shells[mark[1]] = _shape_only(_governed(block, i), unit)
            if isinstance(stmt, ast.For):
                reverse_targets.update(names_in_store(stmt.target))
            for child in child_blocks(stmt):
                scan(child)

    scan(fdef.body)
    tape_name = unit.names.fresh("tape")
    # a reversed loop sets its own index, as the forward loop did: not taped
    needed = {k: [n for n in names if n not in reverse_targets] for k, names in needed.items()}

    def value(k: int, name: str) -> ast.expr:
        node: ast.expr = ast.Name(name, ast.Load())
        if name in shells.get(k, ()):  # read for its shape only: keep no data
            shell = ast.Attribute(ast.Name(unit.rt, ast.Load()), "shell", ast.Load())
            node = ast.Call(shell, [node], [])
        return node

    def values(k: int) -> ast.expr:
        names = needed.get(k, [])
        if len(names) == 1:
            return value(k, names[0])
        return ast.Tuple([value(k, n) for n in names], ast.Load())

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
