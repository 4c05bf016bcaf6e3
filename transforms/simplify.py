"""simplify: exact algebraic clean-ups of the generated code (negation is exact in IEEE).

-(-dp * p / _add4)      ->   dp * p / _add4
dz = dz + -c            ->   dz = dz - c
dp = -(a / b)                                  (first contribution negated,
dp = dp + c / p         ->   dp = c / p - a / b  the second one added)
"""

from __future__ import annotations

import ast

from .ops import names_in
from .optimize import has_effects, writes
from .reverse import is_comment
from .unit import Unit


def _is_neg(node: ast.expr) -> bool:
    return isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub)


def _strip_leading_negation(node: ast.expr) -> ast.expr | None:
    """`-a * b / c` -> `a * b / c` (the negation on the leftmost factor), or None."""
    if _is_neg(node):
        return node.operand  # type: ignore[attr-defined]
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mult | ast.Div):
        left = _strip_leading_negation(node.left)
        if left is not None:
            return ast.BinOp(left, node.op, node.right)
    return None


class _Negations(ast.NodeTransformer):
    def visit_UnaryOp(self, node: ast.UnaryOp) -> ast.expr:
        node = self.generic_visit(node)  # type: ignore[assignment]
        if _is_neg(node):
            inner = _strip_leading_negation(node.operand)
            if inner is not None:
                return inner
        return node

    def visit_BinOp(self, node: ast.BinOp) -> ast.expr:
        node = self.generic_visit(node)  # type: ignore[assignment]
        if isinstance(node.op, ast.Add) and _is_neg(node.right):
            return ast.BinOp(node.left, ast.Sub(), node.right.operand)  # type: ignore[attr-defined]
        if isinstance(node.op, ast.Add) and _is_neg(node.left):
            return ast.BinOp(node.right, ast.Sub(), node.left.operand)  # type: ignore[attr-defined]
        return node


def _merge_negated_first_write(body: list[ast.stmt]) -> list[ast.stmt]:
    """`d = -e; ...; d = d + c` -> `...; d = c - e`, when nothing in between reads `d` or
    changes what `e` reads."""
    slots: list[ast.stmt | None] = list(body)
    for i, stmt in enumerate(slots):
        if not (
            isinstance(stmt, ast.Assign)
            and isinstance(stmt.targets[0], ast.Name)
            and _is_neg(stmt.value)
        ):
            continue
        d = stmt.targets[0].id
        e = stmt.value.operand  # type: ignore[attr-defined]
        reads = names_in(e)
        for j in range(i + 1, len(slots)):
            later = slots[j]
            if later is None or is_comment(later):
                continue
            if (
                isinstance(later, ast.Assign)
                and isinstance(later.targets[0], ast.Name)
                and later.targets[0].id == d
                and isinstance(later.value, ast.BinOp)
                and isinstance(later.value.op, ast.Add)
                and isinstance(later.value.left, ast.Name)
                and later.value.left.id == d
                and d not in names_in(later.value.right)
            ):
                later.value = ast.BinOp(later.value.right, ast.Sub(), e)
                slots[i] = None
                break
            if d in names_in(later) or writes(later) & (reads | {d}) or has_effects(later):
                break
    return [s for s in slots if s is not None]


def simplify(unit: Unit) -> Unit:
    """Remove negations that cancel; subtract instead of adding a negation."""
    if not unit.optimize:
        return unit
    fdef = unit.generated
    body = [_Negations().visit(s) for s in fdef.body]
    fdef.body = _merge_negated_first_write(body)
    return unit
