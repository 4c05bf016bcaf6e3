"""specialize: drop the reverse sweep's shape-generic work where shapes are proven.

With K (n, n), c (n,), x_1 and v_1 (b, n) (transforms/shapeinfer.py proves the shapes):

    dx_1 = rt.unbroadcast(dx_2, x_1)                 ->   dx_1 = dx_2
    d_mul5 = rt.unbroadcast(-d_sub6, _mul5)          ->   d_mul5 = -d_sub6
    dc = dc + rt.unbroadcast(d_mul5 * v_1, c)             (kept: c is summed over the batch)
    dx_1 = dx_1 + rt.matmul_lhs(d_matmul3, x_1, K)   ->   dx_1 = dx_1 + d_matmul3 @ K.T
    dK = dK + rt.matmul_rhs(d_matmul3, x_1, K)       ->   dK = dK + x_1.T @ d_matmul3

and, after optimize has put the expressions back together (`specialize_products`):

    np.broadcast_to(derr_2, np.shape(_sub12)) * 2 * _sub12   ->   derr_2 * 2 * _sub12

`rt.unbroadcast(c, x)` sums `c` down to the shape of `x` and returns it untouched when the
shapes match; the reverse pass marks each one it writes for an elementwise rule with the
adjoint the contribution is made of and the primal whose shape that adjoint has, so the
contribution's shape is computed from the shapes of the forward values. The matmul and dot
helpers choose their formula by the operands' numbers of dimensions; with those known
(1 or 2) the formula is written out. A broadcast of an adjoint to a shape that the other
factors of a product already have is the product itself. Each rewrite is made only when
proven; a value read only for its shape is then no longer read at all, so dead-code
elimination drops it and the tape no longer saves a stand-in for it.
"""

from __future__ import annotations

import ast

import numpy as np

from .reverse import LIKE
from .shapeinfer import Shape, ShapeFacts, Sym, broadcast, equal, infer
from .unit import Unit

FACTS = "npgrad_shape_facts"  # on the generated FunctionDef: the ShapeFacts of its unit


class _Specialize(ast.NodeTransformer):
    def __init__(self, unit: Unit, facts: ShapeFacts):
        self.unit = unit
        self.facts = facts

    def visit_Call(self, node: ast.Call) -> ast.expr:
        node = self.generic_visit(node)  # type: ignore[assignment]
        helper = _helper(node, self.unit.rt)
        if helper == "unbroadcast":
            return self.unbroadcast(node)
        if helper in _PRODUCTS:
            return self.product(node, helper)
        return node

    def unbroadcast(self, node: ast.Call) -> ast.expr:
        """`rt.unbroadcast(c, x)` -> `c` when c's shape is provably x's."""
        if len(node.args) != 2 or node.keywords or not hasattr(node, LIKE):
            return node
        adjoint, primal = getattr(node, LIKE)
        extra = {adjoint: self.facts.shape(primal)}
        contribution, like = node.args
        shape, target = self.facts.expr(contribution, extra), self.facts.expr(like)
        if equal(shape, target):
            return contribution
        axes = _summed_axes(shape, target)
        if axes is None:
            return node
        keep = [ast.keyword("keepdims", ast.Constant(True))] if axes[1] else []
        axis: ast.expr = ast.Tuple([ast.Constant(a) for a in axes[0]], ast.Load())
        if len(axes[0]) == 1:
            axis = ast.Constant(axes[0][0])
        total = ast.Attribute(ast.Name(self.unit.np, ast.Load()), "sum", ast.Load())
        return ast.Call(total, [contribution], [ast.keyword("axis", axis), *keep])

    def product(self, node: ast.Call, helper: str) -> ast.expr:
        """`rt.matmul_lhs(g, a, b)` and friends written out for operands of 1 or 2 dims."""
        if len(node.args) != 3 or node.keywords:
            return node
        g, a, b = node.args
        na, nb = (_ndim(self.facts.expr(x)) for x in (a, b))
        if na not in (1, 2) or nb not in (1, 2):
            return node
        return _PRODUCTS[helper](self.unit.np, g, a, b, na, nb)


def _summed_axes(shape: Shape, target: Shape) -> tuple[list[int], bool] | None:
    """The axes `rt.unbroadcast` sums to bring `shape` down to `target`, when one plain
    `np.sum` does the same: only leading axes (then without keepdims: the result has
    target's shape), or only axes where target has a 1 (then with keepdims). Its sum is the
    helper's own (`np.sum(g, axis, keepdims=True)` then a reshape that drops leading 1s)."""
    if shape is None or target is None or not target or len(shape) < len(target):
        return None
    lead = len(shape) - len(target)
    ones = []
    for k, (d, t) in enumerate(zip(shape[lead:], target, strict=True)):
        if t == 1 and isinstance(d, Sym):
            ones.append(lead + k)
        elif not (t == 1 and d == 1 or isinstance(t, Sym) and isinstance(d, Sym)):
            return None  # unknown sizes, or a 1 in the contribution: keep the helper
    if lead and ones or not lead and not ones:
        return None
    return (list(range(lead)), False) if lead else (ones, True)


def _ndim(shape: Shape) -> int | None:
    return None if shape is None else len(shape)


def _helper(node: ast.Call, module: str) -> str | None:
    f = node.func
    if isinstance(f, ast.Attribute) and isinstance(f.value, ast.Name) and f.value.id == module:
        return f.attr
    return None


def _matmul(x: ast.expr, y: ast.expr) -> ast.expr:
    return ast.BinOp(x, ast.MatMult(), y)


def _mul(x: ast.expr, y: ast.expr) -> ast.expr:
    return ast.BinOp(x, ast.Mult(), y)


def _t(x: ast.expr) -> ast.expr:
    return ast.Attribute(x, "T", ast.Load())


def _outer(np_: str, x: ast.expr, y: ast.expr) -> ast.expr:
    return ast.Call(ast.Attribute(ast.Name(np_, ast.Load()), "outer", ast.Load()), [x, y], [])


def _lhs(np_: str, g: ast.expr, a: ast.expr, b: ast.expr, na: int, nb: int) -> ast.expr:
    """The adjoint of `a @ b` (or np.dot(a, b)) for `a`: runtime matmul_lhs, by cases."""
    if nb == 1:
        return _outer(np_, g, b) if na == 2 else _mul(g, b)  # g: (m,) or ()
    return _matmul(g, _t(b)) if na == 2 else _matmul(b, g)  # g: (m, n) or (n,)


def _rhs(np_: str, g: ast.expr, a: ast.expr, b: ast.expr, na: int, nb: int) -> ast.expr:
    """The adjoint of `a @ b` (or np.dot(a, b)) for `b`: runtime matmul_rhs, by cases."""
    if na == 1:
        return _outer(np_, a, g) if nb == 2 else _mul(g, a)  # g: (n,) or ()
    return _matmul(_t(a), g) if nb == 2 else _matmul(g, a)  # g: (m, n) or (m,)


_PRODUCTS = {"matmul_lhs": _lhs, "matmul_rhs": _rhs, "dot_lhs": _lhs, "dot_rhs": _rhs}


def _reverse_stores(fdef: ast.FunctionDef, unit: Unit) -> set[str]:
    """Names stored by statements the reverse sweep wrote (not forward statements)."""
    forward = {id(n) for stmt in unit.body for n in ast.walk(stmt)}
    return {
        n.id
        for stmt in fdef.body
        for n in ast.walk(stmt)
        if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store) and id(n) not in forward
    }


def specialize(unit: Unit) -> Unit:
    """Rewrite shape-generic helper calls of the reverse sweep where shapes are proven."""
    if not unit.optimize:
        return unit
    fdef = unit.generated
    facts = infer(unit)
    facts.excluded = _reverse_stores(fdef, unit) & set(facts.env)
    setattr(fdef, FACTS, facts)
    rewriter = _Specialize(unit, facts)
    fdef.body = [rewriter.visit(stmt) for stmt in fdef.body]
    return unit


# ----- after optimize: broadcasts that a product makes anyway ---------------------------


class _Products(ast.NodeTransformer):
    def __init__(self, unit: Unit, facts: ShapeFacts):
        self.unit = unit
        self.facts = facts

    def visit_BinOp(self, node: ast.BinOp) -> ast.expr:
        node = self.generic_visit(node)  # type: ignore[assignment]
        if not isinstance(node.op, ast.Mult):
            return node
        factors = _factors(node)
        for k, factor in enumerate(factors):
            target = self._broadcast_to(factor)
            if target is None:
                continue
            g, shape = target
            others = [f for j, f in enumerate(factors) if j != k]
            if equal(broadcast(*(self.facts.expr(f) for f in others)), shape):
                return _replace(node, factor, g)
        return node

    def _broadcast_to(self, node: ast.expr) -> tuple[ast.expr, Shape] | None:
        """`np.broadcast_to(g, S)` with S a shape expression: (g, the shape S is)."""
        if not (isinstance(node, ast.Call) and len(node.args) == 2 and not node.keywords):
            return None
        f = node.func
        np_ = self.unit.np
        if not (
            isinstance(f, ast.Attribute)
            and isinstance(f.value, ast.Name)
            and f.value.id == np_
            and getattr(np, f.attr, None) is np.broadcast_to
        ):
            return None
        shape = self.facts.shape_arg(node.args[1])
        return None if shape is None else (node.args[0], shape)


def _factors(node: ast.expr) -> list[ast.expr]:
    """The factors of a product `a * b * c` (nested either way)."""
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mult):
        return _factors(node.left) + _factors(node.right)
    return [node]


def _replace(node: ast.expr, old: ast.expr, new: ast.expr) -> ast.expr:
    """`node` (a product) with the factor `old` (by identity) replaced by `new`."""
    if node is old:
        return new
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mult):
        node.left = _replace(node.left, old, new)
        node.right = _replace(node.right, old, new)
    return node


def specialize_products(unit: Unit) -> Unit:
    """`np.broadcast_to(g, np.shape(t)) * u` -> `g * u` where u's shape is provably t's."""
    fdef = unit.generated
    facts = getattr(fdef, FACTS, None)
    if facts is None:
        return unit
    rewriter = _Products(unit, facts)
    fdef.body = [rewriter.visit(stmt) for stmt in fdef.body]
    return unit
