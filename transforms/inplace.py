"""inplace: make a write in place again where nothing reads the array as it was.

    for i in range(1, n):                            for i in range(1, n):
        _getitem4 = out_2[i - 1]                         _getitem4 = rt.snapshot(out_2[i - 1])
        out_3 = rt.setitem(out_2, i, _getitem4 * w)  ->  out_2[i] = _getitem4 * w
        out_2 = out_3                                    out_3 = out_2
                                                         out_2 = out_3

Normalization made each write a new version (transforms/writes.py: `rt.setitem` copies the
array), which is exact but costs a copy of the whole array per write. Here, in the finished
gradient function, a write happens in place when every name that shares the array's memory
(its earlier versions, views read from it, plain copies) is, after the write, either not
read again in the forward sweep before it is rebound, or read only for its shape; the
reverse sweep reads none of them as it was (outside reversed loops: none still stale at the
end of the forward sweep; inside them: none at all, as the tape would keep a reference).
A value read from the array that the reversed loops need is kept as a copy of its own
(`rt.snapshot`: a number is already one), which is what the tape then saves: the part of
the array the gradient needs, not the array. Arguments are never written: a write into an
argument (or anything sharing its memory) stays a copy, so the caller's arrays never change.
"""

from __future__ import annotations

import ast
import copy

from npgrad import runtime

from .blocks import flatten
from .ops import NONDIFF_ATTRS, classify, may_alias, names_in, stored_into
from .reverse import FORWARD
from .unit import RESOLVED, SOURCE, SOURCE_LINE, Unit
from .writes import first_stale_read, index_subscript, write_paths

_SHAPE_ARGS = {"shape", "ndim", "size", "zeros_like", "ones_like", "empty_like", "result_type",
               "shell", "shape_of", "size_of", "len"}  # fmt: skip
_SHAPE_FROM = {"unbroadcast": 1, "setitem_grad": 2, "at_grad": 2, "put_grad": 2, "grad_like": 1}
_IN_PLACE = {"add_at": "add", "subtract_at": "subtract"}


def value_reads(node: ast.AST) -> set[str]:
    """Names `node` reads for their values (not only for a shape, a size or a dtype)."""
    skip: set[int] = set()
    for sub in ast.walk(node):
        if isinstance(sub, ast.Attribute) and sub.attr in NONDIFF_ATTRS:
            skip.add(id(sub.value))
        elif isinstance(sub, ast.Call):
            f = sub.func
            attr = (
                f.attr if isinstance(f, ast.Attribute) else f.id if isinstance(f, ast.Name) else ""
            )
            first = 0 if attr in _SHAPE_ARGS else _SHAPE_FROM.get(attr)
            if first is not None:
                skip |= {id(a) for a in sub.args[first:] if isinstance(a, ast.Name)}
    return {
        n.id
        for n in ast.walk(node)
        if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load) and id(n) not in skip
    }


def _is_snapshot(value: ast.expr | None) -> bool:
    return isinstance(value, ast.Call) and getattr(value.func, RESOLVED, None) is runtime.snapshot


def _helper(value: ast.expr) -> str | None:
    """`setitem` for `rt.setitem(...)` (a write of transforms/writes.py), else None."""
    if isinstance(value, ast.Call) and classify(value).kind == "write":
        return getattr(value.func, RESOLVED).__name__  # type: ignore[no-any-return]
    return None


class _Aliases:
    """Names of the forward sweep that may share memory, given the writes made in place."""

    def __init__(self, forward: list[ast.stmt], in_place: set[int]):
        self.parent: dict[str, str] = {}
        local = {n.id for st in flatten(forward) for n in ast.walk(st) if isinstance(n, ast.Name)}
        self.local = local
        for stmt in flatten(forward):
            holder = None if _is_snapshot(getattr(stmt, "value", None)) else stored_into(stmt)
            if holder is not None:
                for n in names_in(stmt.value) & local:  # type: ignore[attr-defined]
                    self.union(n, holder)
            if not (isinstance(stmt, ast.Assign) and isinstance(stmt.targets[0], ast.Name)):
                continue
            target, value = stmt.targets[0].id, stmt.value
            for n in self.shared(value, id(stmt) in in_place):
                self.union(target, n)

    def shared(self, value: ast.expr, in_place: bool) -> set[str]:
        if _helper(value) is not None:
            return names_in(value.args[0]) if in_place else set()  # type: ignore[attr-defined]
        if _is_snapshot(value):
            return set()
        if isinstance(value, ast.Name):
            return {value.id}
        if isinstance(value, ast.Subscript):
            return names_in(value.value)
        op = classify(value)
        if not may_alias(op):
            return set()
        if op.kind == "rule" and op.args:
            return names_in(op.args[0])
        return names_in(value)

    def find(self, n: str) -> str:
        while self.parent.get(n, n) != n:
            n = self.parent[n]
        return n

    def union(self, a: str, b: str) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[ra] = rb

    def members(self, n: str) -> set[str]:
        root = self.find(n)
        return {m for m in {*self.parent, *self.parent.values(), n} if self.find(m) == root}


def inplace(unit: Unit) -> Unit:
    """Write in place where that cannot be seen; keep the copy elsewhere."""
    if unit.out is None or not unit.optimize:
        return unit
    fdef = unit.generated
    forward = [st for st in fdef.body if getattr(st, FORWARD, False)]
    paths = [  # writes into a named array (not `rt.setitem(np.zeros_like(g), ...)`)
        p
        for p in write_paths(forward, [])
        if isinstance(p[-1][0][p[-1][1]].value.args[0], ast.Name)  # type: ignore[attr-defined]
    ]
    if not paths:
        return unit
    rest = [st for st in fdef.body if not getattr(st, FORWARD, False)]
    reverse_reads = set().union(*(value_reads(st) for st in rest))
    loop_reads = {
        n
        for st in rest
        for loop in ast.walk(st)
        if isinstance(loop, ast.For | ast.While)
        for n in value_reads(loop)
    }
    params = {a.arg for a in fdef.args.args + fdef.args.kwonlyargs}
    _snapshot_views(unit, forward, paths, reverse_reads)
    chosen: set[int] = set()
    for _ in range(len(paths) + 1):  # grow, then drop what a later choice made unsafe
        changed = False
        for path in paths:
            stmt = path[-1][0][path[-1][1]]
            ok = _safe(path, forward, chosen | {id(stmt)}, params, reverse_reads, loop_reads)
            if ok != (id(stmt) in chosen):
                chosen ^= {id(stmt)}
                changed = True
        if not changed:
            break
    assert fdef.body[: len(forward)] == forward  # the forward sweep comes first
    for path in reversed(paths):  # later statements first: earlier positions stay valid
        block, i = path[-1]
        if id(block[i]) in chosen:
            if block is forward:
                block = fdef.body
            block[i : i + 1] = _in_place(block[i], unit)  # type: ignore[arg-type]
    return unit


def _safe(
    path: list[tuple[list[ast.stmt], int]],
    forward: list[ast.stmt],
    chosen: set[int],
    params: set[str],
    reverse_reads: set[str],
    loop_reads: set[str],
) -> bool:
    block, i = path[-1]
    stmt: ast.Assign = block[i]  # type: ignore[assignment]
    base = stmt.value.args[0]  # type: ignore[attr-defined]
    if not isinstance(base, ast.Name):
        return False
    aliases = _Aliases(forward, chosen)
    group = aliases.members(base.id)
    if group & params or not group <= aliases.local:
        return False  # the caller's arrays, or a global: never written
    stale = group - {stmt.targets[0].id}  # type: ignore[attr-defined]
    found, still_stale = first_stale_read(path, stale, value_reads)
    if found is not None:
        return False
    return not (reverse_reads & still_stale or loop_reads & group)


def _snapshot_views(
    unit: Unit,
    forward: list[ast.stmt],
    paths: list[list[tuple[list[ast.stmt], int]]],
    loop_reads: set[str],
) -> None:
    """Values read from an array that is written later, which the reverse sweep reads:
    their own copy (the part of the array the gradient needs), so writing the array in
    place leaves them as they were."""
    every = {id(p[-1][0][p[-1][1]]) for p in paths}
    aliases = _Aliases(forward, every)
    written = set().union(
        *(aliases.members(p[-1][0][p[-1][1]].value.args[0].id) for p in paths)  # type: ignore[attr-defined]
    )
    for stmt in flatten(forward):
        if (
            isinstance(stmt, ast.Assign)
            and isinstance(stmt.targets[0], ast.Name)
            and stmt.targets[0].id in loop_reads
            and isinstance(stmt.value, ast.Subscript)
            and names_in(stmt.value.value) & written
        ):
            func = ast.Attribute(ast.Name(unit.rt, ast.Load()), "snapshot", ast.Load())
            setattr(func, RESOLVED, runtime.snapshot)
            stmt.value = ast.Call(func, [stmt.value], [])


def _in_place(stmt: ast.Assign, unit: Unit) -> list[ast.stmt]:
    """`a_1 = rt.setitem(a, idx, v)` -> `a[idx] = v; a_1 = a` (add_at, put: NumPy's own)."""
    call: ast.Call = stmt.value  # type: ignore[assignment]
    base, idx, value = call.args
    helper = _helper(call)
    if helper == "setitem":
        slot = ast.Subscript(copy.deepcopy(base), index_subscript(idx), ast.Store())
        write: ast.stmt = ast.Assign([slot], value)
    else:
        np_ = ast.Name(unit.np, ast.Load())
        func: ast.expr = ast.Attribute(np_, "put", ast.Load())
        if helper in _IN_PLACE:
            func = ast.Attribute(
                ast.Attribute(np_, _IN_PLACE[helper], ast.Load()), "at", ast.Load()
            )
        write = ast.Expr(ast.Call(func, [copy.deepcopy(base), idx, value], []))
    rebind = ast.Assign([stmt.targets[0]], copy.deepcopy(base))
    for new in (write, rebind):
        ast.copy_location(new, stmt)
        for key in (SOURCE_LINE, SOURCE):
            if hasattr(stmt, key):
                setattr(new, key, getattr(stmt, key))
    return [write, rebind]
