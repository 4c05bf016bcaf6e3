"""writes: NumPy's in-place updates as new versions (part of normalize), checked for aliases.

    out = np.zeros(n)                       out = np.zeros(n)
    for i in range(n):                      out_1 = out
        out[i] = x[i] * out[i - 1]   ->     for i in range(n):
    y += z      (y an argument)                 _sub1 = i - 1
    np.add.at(acc, idx, v)                      _getitem2 = out_1[_sub1]
                                                _getitem3 = x[i]
                                                _mul4 = _getitem3 * _getitem2
                                                out_2 = rt.setitem(out_1, i, _mul4)
                                                out_1 = out_2
                                            _add5 = y + z
                                            y_1 = rt.setitem(y, ..., _add5)
                                            acc_1 = rt.add_at(acc, idx, v)

A write into an array the function holds in a name (made here or received) becomes a new
version of the name (runtime/inplace.py: a copy with the write done), so the reverse sweep
still reads every value as it was; `a[idx] op= v` reads the slot, computes, writes it back;
`y op= z` on an array that may be shared writes the whole of it (`y[...] = y op z`);
`np.add.at`, `np.subtract.at`, `np.put`, `np.copyto`, `a.fill(v)` and `out=` arguments are
the same kind of write. transforms/inplace.py makes the writes in place again where the old
version is not read any more.

NumPy changes every name that shares the written memory (a view `v = y[1:3]`, `b = a`,
`x.T`, a reshape, a list holding the array); the new version changes only the written name.
So a write is refused when another name that may share its memory is read after it
(`check_writes`, run at the end of normalize), naming both names and the line that reads
the other one. A name nothing reads afterwards may share memory freely. The caller's
arrays are never written: an argument is copied by its first write.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Iterator

import numpy as np

from npgrad import runtime
from npgrad.errors import UnsupportedSyntaxError

from .blocks import PHI, child_blocks, flatten
from .ops import NONDIFF_ATTRS, Op, classify, may_alias, names_in, stored_into
from .unit import RESOLVED, SOURCE_LINE, Unit

_CONTAINERS = (ast.List, ast.Dict, ast.ListComp, ast.DictComp, ast.Set, ast.SetComp)
_AT = {np.add: "add_at", np.subtract: "subtract_at"}  # ufunc.at with a gradient
# ufunc.at lowered to a reduction per written place (`_reduce_at`): the reduction of the
# values written to a place, and how it combines with the place's old value
_AT_REDUCED = {
    np.multiply: ("prod", "multiply"),
    np.divide: ("prod", "divide"),
    np.maximum: ("max", "maximum"),
    np.minimum: ("min", "minimum"),
}
_SHAPE_FUNCS = {len, np.shape, np.ndim, np.size, np.zeros_like, np.ones_like, np.empty_like,
                runtime.shell}  # fmt: skip


def index_argument(idx: ast.expr, np_name: str) -> ast.expr:
    """An index as a call argument: `np.s_[1:-1]` where it holds a slice."""
    if any(isinstance(n, ast.Slice) for n in ast.walk(idx)):
        s_ = ast.Attribute(ast.Name(np_name, ast.Load()), "s_", ast.Load())
        return ast.copy_location(ast.Subscript(s_, idx, ast.Load()), idx)
    return idx


def index_subscript(idx: ast.expr) -> ast.expr:
    """The inverse of index_argument: `np.s_[1:-1]` -> `1:-1`, for `g[1:-1]`."""
    if (
        isinstance(idx, ast.Subscript)
        and isinstance(idx.value, ast.Attribute)
        and idx.value.attr == "s_"
    ):
        return idx.slice
    return idx


def written_names(stmts: list[ast.stmt]) -> set[str]:
    """Names these (not yet normalized) statements may write into: a loop body's writes
    make new versions, so the names need loop versions like assigned ones."""
    found: set[str] = set()
    for node in (n for st in stmts for n in ast.walk(st)):
        targets: list[ast.expr] = []
        if isinstance(node, ast.Assign):
            targets = list(node.targets)
        elif isinstance(node, ast.AugAssign):
            targets = [node.target]
        elif isinstance(node, ast.Call):
            func = node.func
            obj = getattr(func, RESOLVED, None)
            if isinstance(func, ast.Attribute) and func.attr == "fill" and obj is None:
                targets = [ast.Subscript(func.value, ast.Constant(0), ast.Store())]
            elif node.args and _writes_first(obj):
                targets = [ast.Subscript(node.args[0], ast.Constant(0), ast.Store())]
            targets += [
                ast.Subscript(kw.value, ast.Constant(0), ast.Store())
                for kw in node.keywords
                if kw.arg == "out"
            ]
        for t in targets:
            while isinstance(t, ast.Tuple | ast.List) and t.elts:
                targets.extend(t.elts[1:])
                t = t.elts[0]
            if isinstance(t, ast.Subscript) and isinstance(t.value, ast.Name):
                found.add(t.value.id)
    return found


def _writes_first(obj: object) -> bool:
    """`np.add.at`, `np.subtract.at`, `np.put`, `np.copyto`: calls that write their first
    argument."""
    if obj is np.put or obj is np.copyto:
        return True
    owner = getattr(obj, "__self__", None)
    return getattr(obj, "__name__", "") == "at" and (owner in _AT or owner in _AT_REDUCED)


class WriteLowering:
    """The normalizer's part for writes (mixed into normalize._Normalizer)."""

    unit: Unit
    version: dict[str, str]
    defs: dict[str, ast.expr]

    # provided by the normalizer
    def atom(self, node: ast.expr) -> ast.expr: ...  # pragma: no cover
    def load(self, node: ast.Name) -> ast.Name: ...  # pragma: no cover
    def store(self, name: str) -> str: ...  # pragma: no cover
    def emit(self, target: str, value: ast.expr, like: ast.AST) -> None: ...  # pragma: no cover

    def writable(self, base: ast.expr) -> bool:
        """A local name or argument that may hold an array (not a list or dict the
        function builds, not a global: those keep Python's in-place write)."""
        if not isinstance(base, ast.Name) or base.id not in self.version:
            return False
        value = self.defs.get(self.version[base.id])
        while isinstance(value, ast.Name) and value.id in self.defs:
            value = self.defs[value.id]
        if isinstance(value, _CONTAINERS):
            return False
        if isinstance(value, ast.Call) and getattr(value.func, RESOLVED, None) in (list, dict):
            return False
        return True

    def write(self, helper: str, base: ast.Name, idx: ast.expr, value: ast.expr, like: ast.AST):
        """`base_1 = rt.<helper>(base, idx, value)`: the written array as a new version."""
        func = ast.Attribute(ast.Name(self.unit.rt, ast.Load()), helper, ast.Load())
        setattr(func, RESOLVED, getattr(runtime, helper))
        idx = index_argument(idx, self.unit.np)
        call = ast.copy_location(ast.Call(func, [self.load(base), idx, value], []), like)
        self.emit(self.store(base.id), call, like)

    def write_subscript(self, target: ast.Subscript, value: ast.expr, s: ast.stmt) -> bool:
        """`a[idx] = v`; False when `a` is not an array name (Python's own write stays)."""
        if not self.writable(target.value):
            return False
        idx = self.atom(target.slice)
        self.write("setitem", target.value, idx, self.atom(value), s)  # type: ignore[arg-type]
        return True

    def aug_subscript(self, s: ast.AugAssign) -> bool:
        """`a[idx] op= v` -> `_old = a[idx]; _new = _old op v; a_1 = rt.setitem(a, idx, _new)`:
        NumPy's own order (read the slot, compute, write it back; a repeated integer index
        reads the old value each time and the last write wins)."""
        target = s.target
        if not isinstance(target, ast.Subscript) or not self.writable(target.value):
            return False
        base: ast.Name = target.value  # type: ignore[assignment]
        idx = self.atom(target.slice)
        old = self.atom(ast.copy_location(ast.Subscript(self.load(base), idx, ast.Load()), s))
        new = self.atom(ast.copy_location(ast.BinOp(old, s.op, s.value), s))
        self.write("setitem", base, idx, new, s)
        return True

    def aug_whole(self, s: ast.AugAssign) -> None:
        """`y op= z` on an array others may share: `y[...] = y op z` (a number: `y op z`)."""
        name: ast.Name = s.target  # type: ignore[assignment]
        load = ast.Name(name.id, ast.Load())
        new = self.atom(ast.copy_location(ast.BinOp(load, s.op, s.value), s))
        self.write("setitem", name, ast.Constant(Ellipsis), new, s)

    def write_call(self, call: ast.expr, s: ast.stmt) -> bool:
        """`np.add.at(a, i, v)`, `np.subtract.at`, `np.put(a, ind, v)`, `np.copyto(dst, src)`,
        `a.fill(v)` as statements: new versions of `a`. False for anything else."""
        if not isinstance(call, ast.Call) or any(kw.arg is None for kw in call.keywords):
            return False
        func = call.func
        obj = getattr(func, RESOLVED, None)
        args, kws = call.args, {kw.arg: kw.value for kw in call.keywords}
        if not args or not self.writable(args[0]):
            if isinstance(func, ast.Attribute) and func.attr == "fill" and not obj:
                if self.writable(func.value) and len(args) == 1 and not kws:
                    value = self.atom(args[0])
                    self.write("setitem", func.value, ast.Constant(Ellipsis), value, s)  # type: ignore[arg-type]
                    return True
            return False
        base: ast.Name = args[0]  # type: ignore[assignment]
        owner = getattr(obj, "__self__", None)
        if getattr(obj, "__name__", "") == "at" and owner in _AT and len(args) == 3 and not kws:
            idx, value = self.atom(args[1]), self.atom(args[2])
            self.write(_AT[owner], base, idx, value, s)
            return True
        if getattr(obj, "__name__", "") == "at" and owner in _AT_REDUCED:
            if len(args) == 3 and not kws:
                self.reduce_at(owner, base, self.atom(args[1]), self.atom(args[2]), s)
                return True
            return False
        if obj is np.put and len(args) == 3 and not kws:
            ind, value = self.atom(args[1]), self.atom(args[2])
            self.write("put", base, ind, value, s)
            return True
        if obj is np.copyto and len(args) == 2 and set(kws) <= {"where"}:
            value = self.atom(args[1])
            if "where" in kws:  # dst[...] = np.where(where, src, dst)
                where = ast.Attribute(ast.Name(self.unit.np, ast.Load()), "where", ast.Load())
                setattr(where, RESOLVED, np.where)
                chosen = ast.Call(where, [kws["where"], value, self.load(base)], [])
                value = self.atom(ast.copy_location(chosen, call))
            self.write("setitem", base, ast.Constant(Ellipsis), value, s)
            return True
        return False

    def reduce_at(self, ufunc: np.ufunc, base: ast.Name, idx: ast.expr, value: ast.expr, s):  # type: ignore[no-untyped-def]
        """`np.multiply.at(a, idx, v)` (divide, maximum, minimum): NumPy applies every
        occurrence in turn, so a written place `p` ends as `a[p] * v1 * v2 ...` (`/`, max,
        min). Lowered to operations with exact rules, with no division by `a` or `v`:

            _at_plan1 = rt.at_plan['multiply', np.shape(a), idx, np.shape(v), dtypes...]
            _u = np.nonzero(the places written): each place once, in order
            _vf = np.ravel(np.broadcast_to(v, shape of a[idx]))     the occurrences
            _m = np.where(mask, _vf[gather], 1)     one row per place, padded with 1
            _p = np.prod(_m, axis=1)                (np.max / np.min, padded with -inf / inf)
            a_1 = rt.setitem(a, _u, a[_u] * _p)     (`/`, np.maximum, np.minimum)

        np.prod's rule is exact where some values are 0. Ties of maximum.at / minimum.at
        follow np.max's rule among the values written to one place, then np.maximum's
        (halves) between that and the old value."""
        reduction, combine = _AT_REDUCED[ufunc]

        def np_(attr: str) -> ast.expr:
            node = ast.Attribute(ast.Name(self.unit.np, ast.Load()), attr, ast.Load())
            setattr(node, RESOLVED, getattr(np, attr))
            return node

        def call(func: ast.expr, *args: ast.expr, **kws: ast.expr) -> ast.expr:
            kw = [ast.keyword(k, v) for k, v in kws.items()]
            return self.atom(ast.copy_location(ast.Call(func, list(args), kw), s))

        def part(plan: ast.expr, i: int) -> ast.expr:
            return self.atom(ast.copy_location(ast.Subscript(plan, ast.Constant(i), ast.Load()), s))

        plans = ast.Attribute(ast.Name(self.unit.rt, ast.Load()), "at_plan", ast.Load())
        setattr(plans, RESOLVED, runtime.at_plan)
        key = ast.Tuple(
            [
                ast.Constant(combine),
                call(np_("shape"), self.load(base)),
                idx,
                call(np_("shape"), value),
                call(np_("result_type"), self.load(base)),
                call(np_("result_type"), value),
            ],
            ast.Load(),
        )
        plan = self.atom(ast.copy_location(ast.Subscript(plans, key, ast.Load()), s))
        written, occurrences, gather, mask, fill = (part(plan, i) for i in range(5))
        # new values (np.nonzero, np.copy, np.shape): what shares memory with `a` and `v`
        # stays apart from the helper's arguments
        places, gather = call(np_("nonzero"), written), call(np_("copy"), gather)
        occurrences = call(np_("shape"), occurrences)
        spread = call(np_("ravel"), call(np_("broadcast_to"), value, occurrences))
        rows = self.atom(ast.copy_location(ast.Subscript(spread, gather, ast.Load()), s))
        table = call(np_("where"), mask, rows, fill)
        reduced = call(np_(reduction), table, axis=ast.Constant(1))
        old = self.atom(ast.copy_location(ast.Subscript(self.load(base), places, ast.Load()), s))
        if combine in ("multiply", "divide"):
            op = ast.Mult() if combine == "multiply" else ast.Div()
            new = self.atom(ast.copy_location(ast.BinOp(old, op, reduced), s))
        else:
            new = call(np_(combine), old, reduced)
        self.write("setitem", base, places, new, s)

    def out_argument(self, call: ast.Call) -> ast.expr | None:
        """`np.exp(x, out=buf)`: the call's value written into `buf` (`buf[...] = ...`);
        the expression's value is `buf`'s new version, as NumPy returns `out`."""
        if not hasattr(call.func, RESOLVED):
            return None
        found = [kw for kw in call.keywords if kw.arg == "out"]
        if not found:
            return None
        target = found[0].value
        if isinstance(target, ast.Tuple) and len(target.elts) == 1:
            target = target.elts[0]
        if isinstance(target, ast.Constant) and target.value is None:
            call.keywords.remove(found[0])
            return None
        if not self.writable(target):
            return None
        call.keywords.remove(found[0])
        value = self.atom(call)
        self.write("setitem", target, ast.Constant(Ellipsis), value, call)  # type: ignore[arg-type]
        return self.load(target)  # type: ignore[arg-type]


# ----- aliases: a write must not be seen through another name ------------------------------


class _Groups:
    """Names that may share memory (union-find), with the line that linked each name."""

    def __init__(self) -> None:
        self.parent: dict[str, str] = {}
        self.line: dict[str, int] = {}

    def find(self, n: str) -> str:
        while self.parent.get(n, n) != n:
            n = self.parent[n]
        return n

    def union(self, a: str, b: str, line: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[ra] = rb
        self.line.setdefault(a, line)

    def members(self, n: str) -> set[str]:
        root = self.find(n)
        return {m for m in {*self.parent, *self.parent.values(), n} if self.find(m) == root}


def _shares(op: Op, stmt: ast.Assign) -> list[str]:
    """The names whose memory the assigned value may share."""
    if op.kind == "write":
        return [op.args[0].id]  # type: ignore[attr-defined]
    if not may_alias(op):
        return []
    if op.kind in ("copy", "getitem", "rule") and op.args:
        first = op.args[0]
        return [first.id] if isinstance(first, ast.Name) else []
    return sorted(names_in(stmt.value))


def _groups(body: list[ast.stmt], params: list[str]) -> _Groups:
    groups = _Groups()
    local = {*params, *(n for st in flatten(body) for n in _stored(st))}
    for stmt in flatten(body):
        line = getattr(stmt, SOURCE_LINE, getattr(stmt, "lineno", 0))
        holder = stored_into(stmt)  # `parts.append(a)`: the list holds `a`
        if holder is not None:
            for n in names_in(stmt.value) & local:  # type: ignore[attr-defined]
                groups.union(n, holder, line)
        if isinstance(stmt, ast.Assign) and isinstance(stmt.targets[0], ast.Name):
            target = stmt.targets[0].id
            for n in set(_shares(classify(stmt.value), stmt)) & local:
                groups.union(target, n, line)
    return groups


def _stored(stmt: ast.stmt) -> set[str]:
    return {
        n.id for n in ast.walk(stmt) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)
    }


def _shape_only(stmt: ast.stmt) -> bool:
    """Reads of sizes, shapes and dtypes, which a write does not change."""
    value = getattr(stmt, "value", None)
    if isinstance(value, ast.Attribute) and value.attr in NONDIFF_ATTRS:
        return True
    if isinstance(value, ast.Call):
        func = getattr(value.func, RESOLVED, None)
        try:
            return func in _SHAPE_FUNCS
        except TypeError:
            return False
    return False


class _Scan:
    """Walk what runs after a write, in order; report the first read of a stale name (one
    that still refers to the memory as it was before the write)."""

    def __init__(self, stale: set[str], reads: Callable[[ast.AST], set[str]] = names_in):
        self.stale = stale
        self.found: tuple[str, ast.stmt] | None = None
        self.value_reads = reads

    def block(self, stmts: list[ast.stmt]) -> None:
        for stmt in stmts:
            if self.found:
                return
            self.statement(stmt)

    def reads(self, names: set[str], stmt: ast.stmt) -> None:
        hit = sorted(names & self.stale)
        if hit and self.found is None:
            self.found = (hit[0], stmt)

    def statement(self, stmt: ast.stmt) -> None:
        if isinstance(stmt, ast.If):
            self.reads(names_in(stmt.test), stmt)
            before = set(self.stale)
            self.block(stmt.body)
            after_then, self.stale = self.stale, set(before)
            self.block(stmt.orelse)
            self.stale |= after_then
        elif isinstance(stmt, ast.For | ast.While):
            header = stmt.iter if isinstance(stmt, ast.For) else stmt.test
            self.reads(names_in(header), stmt)
            before = set(self.stale)
            self.block(stmt.body)
            self.block(stmt.body)  # what one iteration leaves, the next one reads
            self.stale |= before
        elif isinstance(stmt, ast.Assign) and isinstance(stmt.targets[0], ast.Name):
            target = stmt.targets[0].id
            value = stmt.value
            if isinstance(value, ast.Name) and value.id in self.stale:
                self.stale.add(target)  # a copy: stale too, an error only if it is read
                return
            if not _shape_only(stmt):
                self.reads(self.value_reads(value), stmt)
            self.stale.discard(target)
        else:
            self.reads(self.value_reads(stmt), stmt)


def write_paths(
    block: list[ast.stmt], prefix: list[tuple[list[ast.stmt], int]]
) -> Iterator[list[tuple[list[ast.stmt], int]]]:
    """(path to each write statement): the blocks and positions from the body down."""
    for i, stmt in enumerate(block):
        here = [*prefix, (block, i)]
        if (
            isinstance(stmt, ast.Assign)
            and isinstance(stmt.targets[0], ast.Name)
            and classify(stmt.value).kind == "write"
        ):
            yield here
        for child in child_blocks(stmt):
            yield from write_paths(child, here)


def first_stale_read(
    path: list[tuple[list[ast.stmt], int]],
    stale: set[str],
    reads: Callable[[ast.AST], set[str]] = names_in,
) -> tuple[tuple[str, ast.stmt] | None, set[str]]:
    """The first read of a stale name after the write at the end of `path` (None), and the
    names still stale at the end of the outermost block."""
    scan = _Scan(stale, reads)
    block, i = path[-1]
    scan.block(block[i + 1 :])
    for block, i in reversed(path[:-1]):
        construct = block[i]
        if isinstance(construct, ast.For | ast.While):
            scan.block(construct.body)  # the next iteration
            header = construct.iter if isinstance(construct, ast.For) else construct.test
            scan.reads(names_in(header), construct)
        scan.block(block[i + 1 :])
    return scan.found, scan.stale


def check_writes(unit: Unit) -> None:
    """Refuse a write that NumPy would show through another name read after it."""
    groups = None
    for path in write_paths(unit.body, []):
        groups = groups or _groups(unit.body, unit.params)
        block, i = path[-1]
        stmt: ast.Assign = block[i]  # type: ignore[assignment]
        written = stmt.value.args[0].id  # type: ignore[attr-defined]
        new = stmt.targets[0].id  # type: ignore[attr-defined]
        stale = groups.members(written) - {new}
        found = first_stale_read(path, stale)[0] if stale else None
        if found is None:
            continue
        other, reader = found
        _refuse(unit, stmt, written, other, reader, groups)


def _refuse(
    unit: Unit, stmt: ast.stmt, written: str, other: str, reader: ast.stmt, groups: _Groups
):  # type: ignore[no-untyped-def]
    origin = unit.origin
    w, o = origin.get(written, written), origin.get(other, other)
    line = getattr(reader, SOURCE_LINE, "?")
    if o.startswith("_"):
        o_text = f"a value computed on line {groups.line.get(other, '?')}"
    else:
        o_text = f"`{o}`"
    if w == o:
        message = (
            f"this line writes into `{w}` in place, and line {line} still reads `{w}` as it "
            "was before the write (NumPy would show it changed): npgrad cannot follow this "
            "write"
        )
    else:
        linked = groups.line.get(other) or groups.line.get(written) or "?"
        message = (
            f"this line writes into `{w}` in place, and {o_text} may share its memory "
            f"(line {linked}), so NumPy changes {o_text} too; line {line} reads {o_text} "
            "after the write. npgrad does not follow writes through views and aliases"
        )
    unit.error(
        UnsupportedSyntaxError,
        message,
        stmt,
        f"make `{w}` an array of its own before writing into it (`{w} = {w}.copy()`), "
        f"or write into the array you read afterwards",
    )


__all__ = ["PHI", "WriteLowering", "check_writes", "index_argument", "index_subscript"]


# ----- the reverse sweep's part -------------------------------------------------------------

_VALUE_GRAD = {"setitem": "setitem_grad", "add_at": "at_grad", "subtract_at": "at_grad",
               "put": "put_grad"}  # fmt: skip


class WriteSweep:
    """The adjoint of a write (mixed into reverse._Sweep):

        out_2 = rt.setitem(out_1, i, v)    ->    dv = rt.setitem_grad(dout_2, i, v)
                                                 dout_2[i] = 0
                                                 dout_1 = dout_2

    The written value gets the adjoint of its slot (the last write wins where an integer
    array repeats an index); the array before the write gets the rest, with the overwritten
    places zero: in place when the adjoint is an array nothing else holds, else a copy
    (`rt.cleared`). `np.add.at` passes the adjoint on whole."""

    unit: Unit
    adjoint: dict[str, str]
    owned: set[str]
    out: list[ast.stmt]

    # provided by reverse._Sweep
    def rt_(self, attr: str) -> ast.expr: ...  # pragma: no cover
    def np_(self, attr: str) -> ast.expr: ...  # pragma: no cover
    def accumulate(self, primal: str, contribution: ast.expr) -> None: ...  # pragma: no cover

    writing = False  # the function writes into arrays: adjoints are cleared in place

    def own_carried(self, loop: ast.For | ast.While, carried: set[str]) -> set[str]:
        """Before a reversed loop that writes: the adjoints carried across its iterations
        become arrays of their own (one copy), so each iteration clears them in place."""
        if not self.writing or not has_writes(loop.body):
            return set()
        for p in sorted(carried & set(self.adjoint) - self.owned):
            copied = ast.Call(self.np_("copy"), [ast.Name(self.adjoint[p], ast.Load())], [])
            self.out.append(ast.Assign([ast.Name(self.adjoint[p], ast.Store())], copied))
            self.owned.add(p)
        return carried & self.owned

    def keep_owned(self, entry: set[str]) -> None:
        """At the end of a reversed iteration: what the next one assumes it owns, it owns."""
        for p in sorted(entry - self.owned):
            if p in self.adjoint:
                d = ast.Name(self.adjoint[p], ast.Load())
                copied = ast.Call(self.np_("copy"), [d], [])
                self.out.append(ast.Assign([ast.Name(self.adjoint[p], ast.Store())], copied))
                self.owned.add(p)

    def pass_on(self, primal: str, value: ast.expr, owned: bool) -> None:
        """Accumulate; an adjoint that starts as an array only it holds is owned."""
        first = primal not in self.adjoint
        self.accumulate(primal, value)
        if first and owned:
            self.owned.add(primal)

    def write(self, op: Op, g: ast.Name, owned: bool) -> None:
        base, idx, value = op.args
        helper = op.func.__name__
        active = self.unit.active
        if isinstance(value, ast.Name) and value.id in active:
            grad = ast.Call(self.rt_(_VALUE_GRAD[helper]), [g, _copy(idx), value], [])
            if helper == "subtract_at":
                grad = ast.UnaryOp(ast.USub(), grad)  # type: ignore[assignment]
            self.accumulate(value.id, grad)
        if not (isinstance(base, ast.Name) and base.id in active):
            return
        if helper in ("add_at", "subtract_at"):
            self.pass_on(base.id, g, owned)  # every element stays, the written ones added to
        elif isinstance(idx, ast.Constant) and idx.value is Ellipsis:
            return  # `a[...] = v`: nothing of `a` is left
        elif owned:  # the adjoint is ours: clear the written places in place
            if helper == "put":
                clear: ast.stmt = ast.Expr(
                    ast.Call(self.np_("put"), [g, _copy(idx), ast.Constant(0)], [])
                )
            else:
                slot = ast.Subscript(
                    ast.Name(g.id, ast.Load()), _copy(index_subscript(idx)), ast.Store()
                )
                clear = ast.Assign([slot], ast.Constant(0))
            self.out.append(clear)
            self.pass_on(base.id, ast.Name(g.id, ast.Load()), True)
        else:
            name = "put_cleared" if helper == "put" else "cleared"
            self.pass_on(base.id, ast.Call(self.rt_(name), [g, _copy(idx)], []), True)


def has_writes(stmts: list[ast.stmt]) -> bool:
    return any(
        isinstance(st, ast.Assign)
        and isinstance(st.targets[0], ast.Name)
        and classify(st.value).kind == "write"
        for st in flatten(stmts)
    )


def _copy(node: ast.expr) -> ast.expr:
    import copy

    return copy.deepcopy(node)
