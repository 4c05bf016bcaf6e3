"""Inline a rule template: substitute the call's arguments, fold what is known statically.

template  np.broadcast_to(g, np.shape(a)) if axis is None else rt.unreduce(g, a, axis, keepdims)
with      g=d_sum2, a=x, axis=None, keepdims=False
gives     np.broadcast_to(d_sum2, np.shape(x))
"""

from __future__ import annotations

import ast
import copy
import warnings
from typing import Any

_NOT_CONST = object()
NOT_NONE = "npgrad_not_none"  # marks a name known to hold a value (an adjoint), never None


def const_value(node: ast.expr) -> Any:
    """The value of an expression made only of literals, or _NOT_CONST."""
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, ast.Tuple | ast.List):
        items = [const_value(e) for e in node.elts]
        return _NOT_CONST if _NOT_CONST in items else tuple(items)
    if isinstance(node, ast.UnaryOp | ast.BinOp | ast.BoolOp | ast.Compare):
        if all(const_value(c) is not _NOT_CONST for c in _operands(node)):
            try:
                tree = ast.fix_missing_locations(ast.Expression(copy.deepcopy(node)))
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore", SyntaxWarning)  # `1 is None` is intended
                    return eval(compile(tree, "<fold>", "eval"), {"__builtins__": {}})
            except Exception:
                return _NOT_CONST
    return _NOT_CONST


def _operands(node: ast.expr) -> list[ast.expr]:
    if isinstance(node, ast.UnaryOp):
        return [node.operand]
    if isinstance(node, ast.BinOp):
        return [node.left, node.right]
    if isinstance(node, ast.BoolOp):
        return list(node.values)
    assert isinstance(node, ast.Compare)
    return [node.left, *node.comparators]


def _is_number(node: ast.expr, value: float) -> bool:
    return (
        isinstance(node, ast.Constant) and type(node.value) in (int, float) and node.value == value
    )


class _Fold(ast.NodeTransformer):
    """Fold literal arithmetic and static conditions; drop `** 1` and `* 1`."""

    def visit_IfExp(self, node: ast.IfExp) -> ast.expr:
        test = self.visit(node.test)
        value = const_value(test)
        if value is not _NOT_CONST:
            return self.visit(node.body if value else node.orelse)
        node.test = test
        node.body, node.orelse = self.visit(node.body), self.visit(node.orelse)
        return node

    def visit_BoolOp(self, node: ast.BoolOp) -> ast.expr:
        # `a is not None and b is not None` with a known: short-circuit on the known part
        values = [self.visit(v) for v in node.values]
        kept = []
        for v in values:
            c = const_value(v)
            if c is _NOT_CONST:
                kept.append(v)
            elif isinstance(node.op, ast.And) and not c or isinstance(node.op, ast.Or) and c:
                return ast.Constant(c)
        if not kept:
            return ast.Constant(isinstance(node.op, ast.And))
        return kept[0] if len(kept) == 1 else ast.BoolOp(node.op, kept)

    def visit_Subscript(self, node: ast.Subscript) -> ast.expr:
        """`(dq, None)[0]` -> `dq`: a rule picking one part of a tuple adjoint."""
        node = self.generic_visit(node)  # type: ignore[assignment]
        k = const_value(node.slice)
        if isinstance(node.value, ast.Tuple) and type(k) is int and -len(node.value.elts) <= k:
            if k < len(node.value.elts):
                return node.value.elts[k]
        return node

    def visit_Compare(self, node: ast.Compare) -> ast.expr:
        """`dq is None` -> False for adjoints, which always hold a value."""
        node = self.generic_visit(node)  # type: ignore[assignment]
        if (
            isinstance(node, ast.Compare)
            and len(node.ops) == 1
            and isinstance(node.ops[0], ast.Is | ast.IsNot)
            and getattr(node.left, NOT_NONE, False)
            and isinstance(node.comparators[0], ast.Constant)
            and node.comparators[0].value is None
        ):
            return ast.Constant(isinstance(node.ops[0], ast.IsNot))
        return node

    def generic_visit(self, node: ast.AST) -> ast.AST:
        node = super().generic_visit(node)
        if isinstance(node, ast.UnaryOp | ast.BinOp | ast.Compare):
            value = const_value(node)
            if value is not _NOT_CONST and isinstance(value, int | float | bool | type(None)):
                return ast.Constant(value)
        if isinstance(node, ast.BinOp):
            if isinstance(node.op, ast.Pow) and _is_number(node.right, 1):
                return node.left
            if isinstance(node.op, ast.Mult) and _is_number(node.right, 1):
                return node.left
            if isinstance(node.op, ast.Mult) and _is_number(node.left, 1):
                return node.right
        return node


class _Substitute(ast.NodeTransformer):
    def __init__(self, bindings: dict[str, ast.expr]):
        self.bindings = bindings

    def visit_Name(self, node: ast.Name) -> ast.expr:
        if node.id in self.bindings:
            return copy.deepcopy(self.bindings[node.id])
        return node


def instantiate(template: ast.expr, bindings: dict[str, ast.expr]) -> ast.expr:
    """A copy of `template` with names replaced by `bindings`, folded."""
    expr = _Substitute(bindings).visit(copy.deepcopy(template))
    return _Fold().visit(expr)


def literal(value: Any) -> ast.expr:
    """An AST literal for a parameter default (None, numbers, strings, tuples)."""
    if isinstance(value, tuple):
        return ast.Tuple([literal(v) for v in value], ast.Load())
    return ast.Constant(value)
