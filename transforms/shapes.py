"""shapes: take shapes and dtypes from values that are computed anyway.

    _log5 = np.log(p)                                     (both dropped later as dead code:
    _mul6 = y * _log5                                      only their shapes were read)
    d_mul6 = rt.unbroadcast(d_add11, _mul6)         ->    d_mul6 = rt.unbroadcast(d_add11, y, p)
    np.size(_add11)                                 ->    rt.size_of(y, p)
    dloss = rt.seed(loss)                           ->    dloss = np.ones((), np.result_type(y, p))

An elementwise result has the broadcast shape of its operands (and, through NumPy's
promotion rules, their result dtype), so where the reverse sweep reads a value only for
its shape, it can read the shapes of the operands instead. The walk stops at values the
gradient reads for their contents anyway, so no extra work is kept alive.
"""

from __future__ import annotations

import ast
from typing import Any

import numpy as np

from .activity import OP
from .ops import Op, is_elementwise, is_full_reduction, names_in, operand_names
from .optimize import has_effects, writes
from .reverse import is_comment
from .unit import Unit


class _Shapes:
    def __init__(self, unit: Unit, body: list[ast.stmt]):
        self.unit = unit
        stores: dict[str, int] = {}
        for node in ast.walk(ast.Module(body, [])):
            if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
                stores[node.id] = stores.get(node.id, 0) + 1
        self.ops: dict[str, Op] = {}  # values assigned once, outside blocks: facts hold for good
        for stmt in body:
            op = getattr(stmt, OP, None)
            if op is not None and isinstance(stmt, ast.Assign):
                name = stmt.targets[0].id  # type: ignore[attr-defined]
                if stores.get(name) == 1:
                    self.ops[name] = op
        self.live = self._value_live(body) | set(unit.params)

    def replaceable(self, name: str) -> bool:
        op = self.ops.get(name)
        return op is not None and is_elementwise(op)

    def witnesses(self, name: str, dtype: bool = False) -> list[str]:
        """Names available anyway whose broadcast shape (and result dtype) is `name`'s:
        through temporaries down to the user's own live names and the arguments. For a
        dtype, not through np.absolute (complex in, real out)."""
        op = self.ops.get(name)
        if dtype and op is not None and op.func is np.absolute:
            return [name]
        if not self.replaceable(name) or name in self.live and name not in self.unit.names.temps:
            return [name]  # prefer the user's own names: `p` rather than its operands
        found: list[str] = []
        for operand in operand_names(self.ops[name]):
            found += [w for w in self.witnesses(operand, dtype) if w not in found]
        if name in self.live and not all(w in self.live for w in found):
            return [name]
        return found or [name]

    def known_scalar(self, name: str) -> bool:
        """Is `name` 0-d by construction: a full reduction, or elementwise over such?"""
        op = self.ops.get(name)
        if op is None or name not in self.unit.active:
            return False
        if is_full_reduction(op):
            return True
        if not is_elementwise(op):
            return False
        return all(self.known_scalar(o) or o in self.unit.scalars for o in operand_names(op))

    def scalar_witnesses(self, name: str) -> list[str]:
        """For a known scalar: names whose result dtype is its dtype."""
        op = self.ops[name]
        if is_full_reduction(op):
            return self.witnesses(operand_names(op)[0], dtype=True)
        found: list[str] = []
        for operand in operand_names(op):
            if operand in self.ops and self.known_scalar(operand):
                found += [w for w in self.scalar_witnesses(operand) if w not in found]
            elif operand not in found:
                found.append(operand)  # a size or shape entry: its own dtype
        return found

    def _shape_args(self, node: ast.Call) -> list[ast.expr]:
        f = node.func
        if not isinstance(f, ast.Attribute) or not isinstance(f.value, ast.Name):
            return []
        module, attr = f.value.id, f.attr
        if module == self.unit.rt and attr == "unbroadcast":
            return node.args[1:]
        if module == self.unit.np and attr in ("shape", "size") and len(node.args) == 1:
            return node.args
        return []

    def _value_live(self, body: list[ast.stmt]) -> set[str]:
        """Names read for their contents (not only their shape), by a backward sweep."""
        live: set[str] = set()
        for stmt in reversed(body):
            if is_comment(stmt):
                continue
            if isinstance(stmt, ast.Return) or writes(stmt) & live or has_effects(stmt):
                live |= self._reads(stmt)
        return live

    def _reads(self, stmt: ast.AST) -> set[str]:
        shape_only: set[int] = set()
        for node in ast.walk(stmt):
            if isinstance(node, ast.Call):
                for arg in self._shape_args(node):
                    if isinstance(arg, ast.Name) and self.replaceable(arg.id):
                        shape_only.add(id(arg))
                if self._is_seed(node):
                    shape_only.add(id(node.args[0]))
        return {
            n.id
            for n in ast.walk(stmt)
            if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load) and id(n) not in shape_only
        }

    def _is_seed(self, node: ast.Call) -> bool:
        f = node.func
        return (
            isinstance(f, ast.Attribute)
            and isinstance(f.value, ast.Name)
            and f.value.id == self.unit.rt
            and f.attr == "seed"
            and isinstance(node.args[0], ast.Name)
            and self.known_scalar(node.args[0].id)
        )

    def rewrite(self, node: ast.AST) -> Any:
        for sub in ast.walk(node):
            if not isinstance(sub, ast.Call):
                continue
            f = sub.func
            if self._is_seed(sub) and sub.args[0].id not in self.live:  # type: ignore[attr-defined]
                ws = self.scalar_witnesses(sub.args[0].id)  # type: ignore[attr-defined]
                dtype = ast.Call(_attr(self.unit.np, "result_type"), _names(ws), [])
                sub.func = _attr(self.unit.np, "ones")
                sub.args = [ast.Tuple([], ast.Load()), dtype]
                continue
            args = self._shape_args(sub)
            if not args or not isinstance(args[0], ast.Name):
                continue
            ws = self.witnesses(args[0].id)
            if ws == [args[0].id]:
                continue
            assert isinstance(f, ast.Attribute)
            if f.attr == "unbroadcast":
                sub.args = [sub.args[0], *_names(ws)]
            elif len(ws) == 1:
                sub.args = _names(ws)
            else:
                sub.func = _attr(self.unit.rt, f"{f.attr}_of")
                sub.args = _names(ws)
        return node


def _attr(module: str, name: str) -> ast.Attribute:
    return ast.Attribute(ast.Name(module, ast.Load()), name, ast.Load())


def _names(names: list[str] | None) -> list[ast.expr]:
    return [ast.Name(n, ast.Load()) for n in names or []]


def shapes(unit: Unit) -> Unit:
    """Read shapes (and the seed's dtype) from operands that stay live anyway."""
    if not unit.optimize:
        return unit
    fdef = unit.generated
    finder = _Shapes(unit, fdef.body)
    fdef.body = [finder.rewrite(stmt) for stmt in fdef.body]
    return unit


__all__ = ["names_in", "shapes"]
