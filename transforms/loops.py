"""loops: `for` and `while` statements as counted loops (part of the normalize pass).

    for i, (a, b) in enumerate(zip(xs, ys), 1):     _len1 = len(xs)
        s = s + i * a * b                           _len2 = len(ys)
                                            ->      _min3 = min(_len1, _len2)
                                                    for pos in range(_min3):
                                                        i_2 = pos + 1
                                                        a_2 = xs[pos]
                                                        b_2 = ys[pos]
                                                        _mul4 = i_2 * a_2
                                                        ...

A `for` walks an index over `range(...)` (`reversed(range(...))`, the reversed loops of a
generated gradient, as `range(...)[::-1]`): over an array (its rows), a list, `enumerate`
(with a start), `zip` (stopping at the shortest, or checking the lengths with
`strict=True`) and `range(n)`, nested in any way the target unpacks; the body first reads
each item (`a = xs[i]`). A loop over literals only (`for a in (x, y)`) is unrolled. A `while`
computes its condition into one flag before the loop and at the end of each iteration, and
counts its trips for the reverse sweep.

`_Normalizer` (normalize.py) inherits these methods; they use its `atom`, `emit`, `block`,
`loop_carried` and `close_loop`.
"""

from __future__ import annotations

import ast
import copy
from collections.abc import Callable, Mapping, Set
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from npgrad import runtime
from npgrad.errors import UnsupportedSyntaxError

from .blocks import PHI
from .unit import RESOLVED, SOURCE_LINE, TRIPS, Unit


@dataclass
class _Part:
    """One thing a `for` target receives each iteration."""

    target: ast.expr
    length: ast.expr | None  # how many items (an atom); None: a counter (enumerate's index)
    item: Callable[[ast.expr], ast.expr]  # the item at an index
    elements: list[ast.expr] | None = None  # a tuple or list literal's elements (atoms)
    counts: bool = False  # the item is the index itself: `range(n)`, `enumerate`'s own


def _called(node: ast.expr, func: Any) -> bool:
    return isinstance(node, ast.Call) and getattr(node.func, RESOLVED, None) is func


def _builtin(func: Any, args: list[ast.expr], like: ast.AST) -> ast.Call:
    name = ast.Name(func.__name__, ast.Load())
    setattr(name, RESOLVED, func)
    return ast.copy_location(ast.Call(name, args, []), like)


def _is_backwards(node: ast.expr) -> bool:
    """`range(...)[::-1]`."""
    if not (isinstance(node, ast.Subscript) and _called(node.value, range)):
        return False
    part = node.slice
    if not (isinstance(part, ast.Slice) and part.lower is None and part.upper is None):
        return False
    step = part.step
    if isinstance(step, ast.UnaryOp) and isinstance(step.op, ast.USub):  # `-1` as parsed
        return isinstance(step.operand, ast.Constant) and step.operand.value == 1
    return isinstance(step, ast.Constant) and step.value == -1


def _backwards(node: ast.expr) -> ast.expr | None:
    """`reversed(range(n))` -> `range(n)[::-1]`, `reversed(range(n)[::-1])` -> `range(n)`:
    ranges that, unlike `reversed`'s iterator, have a length and their own reverse."""
    if not (_called(node, reversed) and len(node.args) == 1 and not node.keywords):  # type: ignore[attr-defined]
        return None
    (inner,) = node.args  # type: ignore[attr-defined]
    if _is_backwards(inner):
        return inner.value  # type: ignore[no-any-return,attr-defined]
    if _called(inner, range):
        last = ast.Slice(None, None, ast.Constant(-1))
        return ast.copy_location(ast.Subscript(inner, last, ast.Load()), node)
    return None


def _plus(index: ast.expr, start: ast.expr) -> ast.expr:
    """`i + start`, spelled `i - 2` for a negative literal."""
    if isinstance(start, ast.Constant) and isinstance(start.value, int) and start.value < 0:
        return ast.BinOp(index, ast.Sub(), ast.Constant(-start.value))
    return ast.BinOp(index, ast.Add(), start)


def _unpacked(target: ast.expr, n: int) -> bool:
    return (
        isinstance(target, ast.Tuple | ast.List)
        and len(target.elts) == n
        and not any(isinstance(e, ast.Starred) for e in target.elts)
    )


class LoopLowering:
    """The loop statements of `_Normalizer`."""

    unit: Unit
    out: list[ast.stmt]
    version: dict[str, str]
    line: int
    loop_indices: set[str]  # the versions loops have used as their index

    if TYPE_CHECKING:

        def atom(self, node: ast.expr) -> ast.expr: ...
        def op(self, node: ast.expr) -> ast.expr: ...
        def stmt(self, s: ast.stmt) -> None: ...
        def store(self, name: str) -> str: ...
        def emit(self, target: str, value: ast.expr, like: ast.AST) -> None: ...
        def block(self, stmts: list[ast.stmt]) -> list[ast.stmt]: ...
        def copy(self, target: str, source: str, like: ast.AST) -> ast.Assign: ...
        def loop_carried(self, body: list[ast.stmt], s: ast.AST) -> dict[str, str]: ...
        def close_loop(self, body: list[ast.stmt], carried: dict[str, str], s: ast.AST) -> None: ...

    def for_stmt(self, s: ast.For) -> None:
        """`for t in range(n)`, `for row in xs`, `for i, (a, b) in enumerate(zip(xs, ys))`:
        a counted loop over an index, whose body reads `row = xs[i]`."""
        if s.orelse:  # the jumps pass moves it after the loop
            self.unit.error(UnsupportedSyntaxError, "`for ... else` is not supported here", s)
        line = self.line
        target, it = s.target, s.iter
        prelude: list[ast.stmt] = []
        if isinstance(it, ast.Tuple | ast.List) and isinstance(target, ast.Name):
            return self.unrolled(s)  # `for a in (x, y)`: a literal's elements, one by one
        backwards = _backwards(it)
        if backwards is not None:  # a gradient's reversed loop (or its own reverse)
            it = backwards
        backwards = _is_backwards(it)
        if backwards:
            it = it.value  # type: ignore[attr-defined]
        if _called(it, range):
            if it.keywords or not 1 <= len(it.args) <= 3:  # type: ignore[attr-defined]
                self.unit.error(UnsupportedSyntaxError, "unsupported range(...) call", it)
            it.args = [self.atom(a) for a in it.args]  # type: ignore[attr-defined]
            index = target
            if backwards:  # `range(n)[::-1]`, a range too (and its own reverse is valid)
                last = ast.Slice(None, None, ast.Constant(-1))
                it = ast.copy_location(ast.Subscript(it, last, ast.Load()), it)
        else:
            parts = self.parts(target, it, s)
            if all(p.elements is not None for p in parts if p.length is not None):
                return self.unrolled_parts(parts, s)
            counter = next((p for p in parts if p.counts and isinstance(p.target, ast.Name)), None)
            taken = {n.id for n in ast.walk(target) if isinstance(n, ast.Name)}
            hidden = "pos" if "i" in taken else "i"  # `i` is the user's: `i = pos + 1`
            index = counter.target if counter else ast.Name(self.unit.names.fresh(hidden))
            it = _builtin(range, [self.count(parts, it)], it)
            at = ast.Name(index.id, ast.Load())  # type: ignore[attr-defined]
            prelude = [ast.Assign([p.target], p.item(at)) for p in parts if p is not counter]
        if not isinstance(index, ast.Name):
            self.unit.error(UnsupportedSyntaxError, "the loop index must be a plain name", index)
        for st in prelude:
            ast.copy_location(st, s)
            ast.fix_missing_locations(st)
        carried = self.loop_carried([*prelude, *s.body], s)
        previous = self.version.get(index.id)
        index_name = carried.pop(index.id, None) or self.store(index.id)
        self.version[index.id] = index_name
        if (
            previous in self.loop_indices
        ):  # an earlier loop's index, unbound if that loop had no trips:
            pass  # not copied (read after a loop of no trips, this one raises instead)
        elif previous is not None and previous != index_name:  # a loop of no trips keeps it
            self.out.append(self.copy(index_name, previous, s))
        self.loop_indices.add(index_name)
        body = self.block([*prelude, *s.body])
        self.close_loop(body, carried, s)
        self.line = line
        node = ast.copy_location(ast.For(ast.Name(index_name, ast.Store()), it, body, [], None), s)
        setattr(node, SOURCE_LINE, line)
        self.out.append(node)

    def parts(self, target: ast.expr, it: ast.expr, loop: ast.For) -> list[_Part]:
        """What each name of the target receives from `it`, evaluated before the loop in
        Python's order: `enumerate` and `zip` unpack into their arguments."""
        if _called(it, enumerate):
            seq, start = self.enumerate_args(it, loop)  # type: ignore[arg-type]
            if not _unpacked(target, 2):
                self.unit.error(
                    UnsupportedSyntaxError,
                    "npgrad needs the pairs of `enumerate` unpacked",
                    target,
                    "write `for i, item in enumerate(...)`",
                )
            index, item = target.elts  # type: ignore[attr-defined]
            inner = self.parts(item, seq, loop)
            if start is None:
                return [_Part(index, None, lambda i: i, counts=True), *inner]
            start = self.snapshot(self.atom(start), [loop])
            return [_Part(index, None, lambda i: _plus(i, start)), *inner]
        if _called(it, zip):
            args = it.args  # type: ignore[attr-defined]
            if any(isinstance(a, ast.Starred) for a in args) or not _unpacked(target, len(args)):
                self.unit.error(
                    UnsupportedSyntaxError,
                    f"npgrad needs the {len(args)} items of `zip` unpacked into as many names",
                    target,
                    "write `for a, b in zip(xs, ys)`, one name (or tuple) per argument",
                )
            parts = [
                p
                for t, a in zip(target.elts, args, strict=True)  # type: ignore[attr-defined]
                for p in self.parts(t, a, loop)
            ]
            if self.zip_strict(it):  # type: ignore[arg-type]
                self.same_length(parts, it)
            return parts
        if _called(it, range) and len(it.args) == 1 and not it.keywords:  # type: ignore[attr-defined]
            return [_Part(target, self.atom(it.args[0]), lambda i: i, counts=True)]  # type: ignore[attr-defined]
        if isinstance(it, ast.Tuple | ast.List) and not any(
            isinstance(e, ast.Starred) for e in it.elts
        ):
            elements = [self.snapshot(self.atom(e), [loop]) for e in it.elts]
            literal = ast.copy_location(type(it)(elements, ast.Load()), it)
            length = ast.Constant(len(elements))
            return [_Part(target, length, lambda i: ast.Subscript(literal, i), elements)]
        self.refuse_unindexable(it)
        seq = self.snapshot(self.atom(it), [loop])
        length = self.atom(_builtin(len, [seq], it))
        return [_Part(target, length, lambda i: ast.Subscript(seq, i))]

    def refuse_unindexable(self, it: ast.expr) -> None:
        """The loop reads `xs[i]`: a dict or set known at transform time (a global, a
        closure variable) would give values, or fail, where Python iterates keys."""
        obj = getattr(it, RESOLVED, None)
        if isinstance(obj, Mapping | Set) or (
            hasattr(obj, "__iter__") and not hasattr(obj, "__getitem__")
        ):
            self.unit.error(
                UnsupportedSyntaxError,
                f"npgrad walks a loop by position, which a {type(obj).__name__} does not have",
                it,
                f"iterate over `list({ast.unparse(it)})`",
            )

    def enumerate_args(self, call: ast.Call, loop: ast.For) -> tuple[ast.expr, ast.expr | None]:
        """(iterable, start or None) of `enumerate(xs)`, `enumerate(xs, k)`,
        `enumerate(xs, start=k)`."""
        args = list(call.args)
        for kw in call.keywords:
            if kw.arg != "start" or len(args) != 1:
                self.unit.error(
                    UnsupportedSyntaxError, "unsupported enumerate(...) call", call, _ENUM_HINT
                )
            args.append(kw.value)
        if not 1 <= len(args) <= 2 or any(isinstance(a, ast.Starred) for a in args):
            self.unit.error(
                UnsupportedSyntaxError, "unsupported enumerate(...) call", call, _ENUM_HINT
            )
        start = args[1] if len(args) == 2 else None
        if isinstance(start, ast.Constant) and type(start.value) is not int:
            self.unit.error(
                UnsupportedSyntaxError,
                "enumerate's start must be an integer",
                start,
                "count from an int: `enumerate(xs, 1)`",
            )
        if isinstance(start, ast.Constant) and start.value == 0 and type(start.value) is int:
            start = None
        return args[0], start

    def zip_strict(self, call: ast.Call) -> bool:
        for kw in call.keywords:
            if kw.arg != "strict" or not isinstance(kw.value, ast.Constant):
                self.unit.error(
                    UnsupportedSyntaxError,
                    "unsupported zip(...) call",
                    kw.value,
                    "npgrad handles `zip(a, b, ...)` and `zip(..., strict=True)` with a literal "
                    "True or False",
                )
        return any(bool(kw.value.value) for kw in call.keywords)  # type: ignore[attr-defined]

    def count(self, parts: list[_Part], it: ast.expr) -> ast.expr:
        """The number of iterations: the one length, or the shortest one (`zip`)."""
        lengths = [p.length for p in parts if p.length is not None]
        if len(lengths) == 1:
            return lengths[0]
        return self.atom(_builtin(min, lengths, it))

    def same_length(self, parts: list[_Part], call: ast.expr) -> None:
        """`zip(..., strict=True)`: one length, checked when the loop starts (Python checks
        when the shortest runs out; either way the call fails)."""
        sized = [p for p in parts if p.length is not None]
        if len(sized) < 2:
            return
        if all(p.elements is not None for p in sized):
            if len({len(p.elements) for p in sized}) > 1:  # type: ignore[arg-type]
                self.unit.error(
                    UnsupportedSyntaxError,
                    "`zip(..., strict=True)` of literals of different lengths always fails",
                    call,
                    "give the literals the same number of elements",
                )
            return
        check = ast.Attribute(ast.Name(self.unit.rt, ast.Load()), "zip_length", ast.Load())
        setattr(check, RESOLVED, runtime.zip_length)
        lengths = [p.length for p in sized]
        sized[0].length = self.atom(ast.copy_location(ast.Call(check, lengths, []), call))
        for p in sized[1:]:
            p.length = None

    def unrolled(self, s: ast.For) -> None:
        """The body once per element of a tuple or list literal."""
        elements = [self.snapshot(self.atom(e), [s]) for e in s.iter.elts]  # type: ignore[attr-defined]
        for element in elements:
            step = ast.copy_location(ast.Assign([copy.deepcopy(s.target)], element), s)
            for stmt in [ast.fix_missing_locations(step), *copy.deepcopy(s.body)]:
                self.stmt(stmt)

    def unrolled_parts(self, parts: list[_Part], s: ast.For) -> None:
        """`zip` and `enumerate` of literals only: the body once per position."""
        n = min(len(p.elements) for p in parts if p.elements is not None)
        for k in range(n):
            for p in parts:
                value = p.elements[k] if p.elements is not None else p.item(ast.Constant(k))
                step = ast.copy_location(ast.Assign([copy.deepcopy(p.target)], value), s)
                self.stmt(ast.fix_missing_locations(step))
            for stmt in copy.deepcopy(s.body):
                self.stmt(stmt)

    def snapshot(self, seq: ast.expr, body: list[ast.stmt]) -> ast.expr:
        """The sequence a loop walks, as it was when the loop started (the body, or the
        loop's target, may rebind its name, as Python's iterator would not notice)."""
        if not isinstance(seq, ast.Name):
            return seq
        user = self.unit.origin.get(seq.id, seq.id)
        stores = {n.id for st in body for n in ast.walk(st) if isinstance(n, ast.Name)
                  and isinstance(n.ctx, ast.Store)}  # fmt: skip
        if user not in stores and seq.id not in stores:
            return seq
        name = self.unit.names.temp("seq")
        self.emit(name, seq, seq)
        return ast.Name(name, ast.Load())

    def while_stmt(self, s: ast.While) -> None:
        """`while c: body` -> the condition is computed before the loop and again at the end
        of each iteration into one name; a counter records the trips for the reverse sweep."""
        if s.orelse:  # the jumps pass moves it after the loop
            self.unit.error(UnsupportedSyntaxError, "`while ... else` is not supported here", s)
        line = self.line
        carried = self.loop_carried(s.body, s)
        flag = self.unit.names.temp("going")
        trips = self.unit.names.temp("trips")
        self.emit(trips, ast.Constant(0), s)
        self.emit(flag, self.op(copy.deepcopy(s.test)), s)
        body = self.block(s.body)
        start = len(body)
        self.close_loop(body, carried, s)
        saved, self.out = self.out, body
        self.line = line
        self.emit(trips, ast.BinOp(ast.Name(trips, ast.Load()), ast.Add(), ast.Constant(1)), s)
        self.emit(flag, self.op(copy.deepcopy(s.test)), s)
        self.out = saved
        for st in body[start:]:  # the copies, the count and the condition close the body
            setattr(st, PHI, True)
        node = ast.copy_location(ast.While(ast.Name(flag, ast.Load()), body, []), s)
        setattr(node, SOURCE_LINE, line)
        setattr(node, TRIPS, trips)
        self.out.append(node)


_ENUM_HINT = "write `enumerate(xs)`, `enumerate(xs, k)` or `enumerate(xs, start=k)`"
