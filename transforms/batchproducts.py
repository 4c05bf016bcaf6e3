"""The batched forms of products for transforms/batch.py (a mixin of batchcalls.Calls).

    A @ t           ->  t @ A.T                            (A 2-D, t a batch of vectors)
    A @ t           ->  (A @ t[:, None, :, None])[..., 0]  (A a stack of matrices)
    t @ B           ->  t[:, None] @ B                      (t 2-D, B 3-D)
    np.linalg.solve(A, t)   ->  np.linalg.solve(A, t[:, :, None])[..., 0]   (t vectors)
    np.tensordot(A, t, 1)   ->  np.moveaxis(np.tensordot(A, t, ([1], [1])), 1, 0)
    np.vecdot(t, b)         ->  np.vecdot(t[:, None], b)        (b one rank more)

A product of two tangents does not occur in a JVP (each term is linear in one tangent);
it is refused, as are operands of unknown rank.
"""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING, Any

import numpy as np

from .batch import OTHER, Val, expand

if TYPE_CHECKING:
    from .batch import Batcher
    from .batchaxes import Item, Site


def _const(item: Item | None, default: Any) -> Any:
    from .inline import const_value

    return default if item is None else const_value(item.orig)


def _ints(values: list[int]) -> ast.expr:
    return ast.List([ast.Constant(v) for v in values], ast.Load())


class ProductRules:
    """Rules for matmul, dot, solve, tensordot, inner, vdot, outer and the vector gufuncs."""

    b: Batcher

    def mapped(self, site: Site, val: Val | None) -> tuple[ast.expr, Val]:
        raise NotImplementedError

    def func_node(self, site: Site) -> ast.expr:
        raise NotImplementedError

    def elementwise(
        self, operands: list[tuple[ast.expr, Val]], node: ast.AST
    ) -> tuple[list[ast.expr], Val]:
        raise NotImplementedError

    def matmul(self, node: ast.expr, left: ast.expr, right: ast.expr) -> tuple[ast.expr, Val]:
        a, av = self.b.expr(left)
        c, cv = self.b.expr(right)
        return self.product(node, a, av, c, cv)

    def product(
        self, node: ast.expr, a: ast.expr, av: Val, c: ast.expr, cv: Val
    ) -> tuple[ast.expr, Val]:
        ra, rc = av.rank, cv.rank
        known = ra is not None and rc is not None and ra >= 1 and rc >= 1
        rank = None
        if known:
            assert ra is not None and rc is not None
            rank = 0 if ra == rc == 1 else rc - 1 if ra == 1 else ra - 1 if rc == 1 else max(ra, rc)
        if not (av.batched or cv.batched):
            return node, Val(rank)
        if av.batched and cv.batched or not known:
            self.b.refuse("a product of tangents, or of operands of unknown rank", node)
        assert ra is not None and rc is not None
        mm = ast.MatMult()
        if av.batched:
            if ra == 1 and rc > 2:
                self.b.refuse("a vector times a stack of matrices", node)
            left = a if ra == 1 or rc == 1 else expand(a, ra, max(ra, rc))
            return ast.BinOp(left, mm, c), Val(rank, True)
        if rc == 1 and ra == 1:
            return ast.BinOp(c, mm, a), Val(rank, True)
        if rc == 1 and ra == 2:
            return ast.BinOp(c, mm, ast.Attribute(a, "T", ast.Load())), Val(rank, True)
        if (
            rc == 1
        ):  # a stack of matrices times batched vectors: (a @ c[:, None.., :, None])[..., 0]
            parts = [
                ast.Slice(),
                *(ast.Constant(None) for _ in range(ra - 2)),
                ast.Slice(),
                ast.Constant(None),
            ]
            column = ast.Subscript(c, ast.Tuple(parts, ast.Load()), ast.Load())
            last = ast.Tuple([ast.Constant(Ellipsis), ast.Constant(0)], ast.Load())
            return ast.Subscript(ast.BinOp(a, mm, column), last, ast.Load()), Val(rank, True)
        right = c if ra == 1 else expand(c, rc, max(ra, rc))
        return ast.BinOp(a, mm, right), Val(rank, True)

    def matmul_call(self, site: Site) -> tuple[ast.expr, Val]:
        if len(site.args) != 2 or site.kws:
            return self.mapped(site, None) if site.batched else (site.node, OTHER)
        (a, c) = site.args
        if site.func is np.dot:
            if a.val.rank == 0 or c.val.rank == 0:
                nodes, val = self.elementwise([(a.node, a.val), (c.node, c.val)], site.node)
                return (
                    ast.BinOp(nodes[0], ast.Mult(), nodes[1]) if val.batched else site.node
                ), val
            if a.val.rank is None or c.val.rank is None or a.val.rank > 2 or c.val.rank > 2:
                if site.batched:
                    return self.mapped(site, None)
                return site.node, OTHER
        return self.product(site.node, a.node, a.val, c.node, c.val)

    def outer(self, site: Site) -> tuple[ast.expr, Val]:
        if len(site.args) != 2 or site.kws:
            return self.mapped(site, Val(2)) if site.batched else (site.node, Val(2))
        if not site.batched:
            return site.node, Val(2)
        a, c = site.args
        if a.val.batched and c.val.batched:
            self.b.refuse("an outer product of tangents", site.node)
        k, np_ = self.b.k, self.b.np_
        if a.val.batched:  # (k, m, 1) * (n,)
            left = ast.Call(
                np_("reshape"),
                [a.node, ast.Tuple([k(), ast.Constant(-1), ast.Constant(1)], ast.Load())],
                [],
            )
            right = ast.Call(np_("ravel"), [c.node], [])
        else:  # (m, 1) * (k, 1, n)
            flat = ast.Call(np_("ravel"), [a.node], [])
            left = ast.Subscript(
                flat, ast.Tuple([ast.Slice(), ast.Constant(None)], ast.Load()), ast.Load()
            )
            right = ast.Call(
                np_("reshape"),
                [c.node, ast.Tuple([k(), ast.Constant(1), ast.Constant(-1)], ast.Load())],
                [],
            )
        return ast.BinOp(left, ast.Mult(), right), Val(2, True)

    def solve(self, site: Site) -> tuple[ast.expr, Val]:
        """np.linalg.solve(a, t): `t` is a batch of vectors or of matrices (NumPy 2: `b` is
        a vector only when it has one dimension)."""
        bound = site.bind()
        if bound is None or set(bound) != {"a", "b"}:
            return self.mapped(site, None) if site.batched else (site.node, OTHER)
        a, c = bound["a"], bound["b"]
        ra, rc = a.val.rank, c.val.rank
        rank = None if ra is None or rc is None else ra - 1 if rc == 1 else max(ra, rc)
        val = Val(rank, site.batched)
        if not site.batched:
            return site.node, val
        if a.val.batched or ra is None or rc is None or ra < 2:
            return self.mapped(site, val)
        if rc == 1:  # vectors: a column each, lined up with a's stack
            parts = [ast.Slice(), *(ast.Constant(None) for _ in range(ra - 2)), ast.Slice()]
            column = ast.Subscript(c.node, ast.Tuple([*parts, ast.Constant(None)], ast.Load()))
            solved = ast.Call(self.func_node(site), [a.node, column], [])
            last = ast.Tuple([ast.Constant(Ellipsis), ast.Constant(0)], ast.Load())
            return ast.Subscript(solved, last, ast.Load()), val
        grown = expand(c.node, rc, max(ra, rc))
        return ast.Call(self.func_node(site), [a.node, grown], []), val

    def gufunc(self, site: Site) -> tuple[ast.expr, Val]:
        """np.vecdot, np.matvec, np.vecmat (last axes): expand the batched operand so its
        loop dimensions line up with the other's."""
        cores = {"vecdot": (1, 1, 0), "matvec": (2, 1, 1), "vecmat": (1, 2, 1)}
        spec = cores.get(getattr(site.func, "__name__", ""))
        if spec is None or len(site.args) != 2 or set(site.kws) - {"axis"}:
            return self.mapped(site, None) if site.batched else (site.node, OTHER)
        (a, c), (ca, cc, cout) = site.args, spec
        ra, rc = a.val.rank, c.val.rank
        if ra is None or rc is None or ra < ca or rc < cc or _const(site.kws.get("axis"), -1) != -1:
            return self.mapped(site, None) if site.batched else (site.node, OTHER)
        loop = max(ra - ca, rc - cc)
        val = Val(loop + cout, site.batched)
        if not site.batched:
            return site.node, val
        if a.val.batched and c.val.batched:
            self.b.refuse("a product of tangents", site.node)
        args = [
            expand(i.node, r, loop + core) if i.val.batched else i.node
            for i, r, core in ((a, ra, ca), (c, rc, cc))
        ]
        return ast.Call(self.func_node(site), args, []), val

    def tensordot(self, site: Site) -> tuple[ast.expr, Val]:
        bound = site.bind()
        if bound is None or set(bound) - {"a", "b", "axes"}:
            return self.mapped(site, None) if site.batched else (site.node, OTHER)
        a, c = bound["a"], bound["b"]
        axes = _const(bound.get("axes"), 2)
        ra, rc = a.val.rank, c.val.rank
        pairs = _axis_pairs(axes, ra)
        if pairs is None or ra is None or rc is None:
            return self.mapped(site, None) if site.batched else (site.node, OTHER)
        left, right = pairs
        val = Val(ra + rc - 2 * len(left), site.batched)
        if not site.batched:
            return site.node, val
        if a.val.batched and c.val.batched:
            self.b.refuse("a product of tangents", site.node)
        if not all(-ra <= x < ra for x in left) or not all(-rc <= x < rc for x in right):
            self.b.refuse("tensordot axes out of range", site.node)
        left = [x % ra for x in left]
        right = [x % rc for x in right]
        if a.val.batched:
            spec = ast.Tuple([_ints([x + 1 for x in left]), _ints(right)], ast.Load())
            return ast.Call(self.func_node(site), [a.node, c.node, spec], []), val
        spec = ast.Tuple([_ints(left), _ints([x + 1 for x in right])], ast.Load())
        dot = ast.Call(self.func_node(site), [a.node, c.node, spec], [])
        moved = [ast.Constant(ra - len(left)), ast.Constant(0)]
        return ast.Call(self.b.np_("moveaxis"), [dot, *moved], []), val

    def inner(self, site: Site) -> tuple[ast.expr, Val]:
        """np.inner (the last axes; a batched right operand's axis comes back first) and
        np.vdot (flattened)."""
        if len(site.args) != 2 or site.kws:
            return self.mapped(site, None) if site.batched else (site.node, OTHER)
        (a, c) = site.args
        ra, rc = a.val.rank, c.val.rank
        vdot = site.func is np.vdot
        if ra is None or rc is None or ra == 0 or rc == 0:
            return self.mapped(site, None) if site.batched else (site.node, OTHER)
        val = Val(0 if vdot else ra + rc - 2, site.batched)
        if not site.batched:
            return site.node, val
        if a.val.batched and c.val.batched:
            self.b.refuse("a product of tangents", site.node)
        np_ = self.b.np_
        if vdot:  # conj(a).ravel() @ b.ravel(), one row per seed
            flat = ast.Tuple([self.b.k(), ast.Constant(-1)], ast.Load())
            t, other = (a, c) if a.val.batched else (c, a)
            rows = ast.Call(np_("reshape"), [t.node, flat], [])
            if a.val.batched:
                rows = ast.Call(np_("conjugate"), [rows], [])
            col = ast.Call(np_("ravel"), [other.node], [])
            if not a.val.batched:
                col = ast.Call(np_("conjugate"), [col], [])
            return ast.BinOp(rows, ast.MatMult(), col), val
        call = ast.Call(self.func_node(site), [a.node, c.node], [])
        if a.val.batched:
            return call, val
        return ast.Call(np_("moveaxis"), [call, ast.Constant(ra - 1), ast.Constant(0)], []), val


def _axis_pairs(axes: Any, ra: int | None) -> tuple[list[int], list[int]] | None:
    """tensordot's axes as two lists: an int N is a's last N and b's first N."""
    if type(axes) is int:
        if ra is None or not 0 <= axes <= ra:
            return None
        return list(range(ra - axes, ra)), list(range(axes))
    if isinstance(axes, tuple | list) and len(axes) == 2:
        left, right = ([x] if type(x) is int else x for x in axes)
        if isinstance(left, tuple | list) and isinstance(right, tuple | list):
            if all(type(x) is int for x in (*left, *right)) and len(left) == len(right):
                return list(left), list(right)
    return None
