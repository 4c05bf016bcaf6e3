"""The batched forms of calls and products for transforms/batch.py.

    np.sum(tx, axis=0)            ->  np.sum(tx, axis=1)
    np.sum(tx)                    ->  np.sum(tx, axis=(1, 2))          (tx of rank 2)
    A @ tx                        ->  tx @ A.T                         (A 2-D, tx 1-D)
    np.reshape(tx, (2, 3))        ->  np.reshape(tx, (nbatch, 2, 3))
    np.concatenate([ta, tb])      ->  np.concatenate([ta, tb], axis=1)
    np.zeros_like(y)  (a zero tangent)   ->  rt.batch_zeros(y, nbatch)
    rt.grad_like(tg, x)           ->  rt.batch_grad_like(tg, x)
    np.fft.irfftn(t, s)           ->  rt.batch_map(lambda t_: np.fft.irfftn(t_, s), t)

Every rule also gives the rank of the result (batch.Val), for calls that read no tangent
too: the ranks of primal values decide how batched operands are expanded. A call with no
rule that reads a tangent runs once per seed (`rt.batch_map`, exact) when the function is
NumPy's, SciPy's or npgrad's runtime's (pure functions); anything else is NotBatchable.
"""

from __future__ import annotations

import ast
import builtins
import copy
import functools
import inspect
from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING, Any

import numpy as np

from npgrad import runtime as rt

from .batch import INT, OTHER, SCALAR, NotBatchable, Val, expand
from .batchaxes import AxisRules, Item, Site
from .batchproducts import ProductRules
from .forward import ZERO_TANGENT
from .inline import const_value
from .resolve import canonical_path
from .rules import VJPS
from .unit import RESOLVED

if TYPE_CHECKING:
    from .batch import Batcher

_MISSING: Any = object()


def _ident(obj: Any) -> int:
    return id(obj)


_REDUCTIONS = (
    "sum mean prod nansum nanmean nanprod max min amax amin nanmax nanmin std var nanstd "
    "nanvar any all median nanmedian ptp count_nonzero average"
)
_FLAT_NONE = "cumsum cumprod nancumsum nancumprod sort repeat"  # axis=None: flattened
_UNARY = "real imag conj conjugate angle round around nan_to_num sinc i0 fix copy asarray"
_METHODS = {
    "sum": "sum", "mean": "mean", "prod": "prod", "max": "max", "min": "min", "std": "std",
    "var": "var", "any": "any", "all": "all", "cumsum": "cumsum", "cumprod": "cumprod",
    "swapaxes": "swapaxes", "ravel": "ravel", "flatten": "ravel", "squeeze": "squeeze",
    "copy": "copy", "conj": "conjugate", "conjugate": "conjugate", "clip": "clip",
    "round": "round", "take": "take", "repeat": "repeat", "diagonal": "diagonal",
    "trace": "trace", "dot": "dot", "reshape": "reshape", "transpose": "transpose",
}  # fmt: skip
_IMPURE = {"copyto", "put", "place", "putmask", "fill_diagonal", "at", "seed", "shuffle"}


@functools.cache
def _table() -> dict[int, str]:
    """id of a function -> the name of its rule (a method of Calls)."""
    table: dict[int, str] = {}

    def add(names: str, rule: str) -> None:
        for name in names.split():
            obj = _numpy(name)
            if obj is not None:
                table[_ident(obj)] = rule

    add(_REDUCTIONS, "reduction")
    add(_FLAT_NONE, "flat_axis")
    add("diff take_along_axis take expand_dims squeeze swapaxes moveaxis rollaxis", "axes")
    add("split array_split trace diagonal flip roll tril triu", "axes")
    add("cumulative_sum cumulative_prod fft.fftshift fft.ifftshift", "axes")
    add("fft.fft fft.ifft fft.rfft fft.irfft fft.hfft fft.ihfft fft.fft2 fft.ifft2", "axes")
    add("fft.rfft2 fft.irfft2 fft.fftn fft.ifftn fft.rfftn fft.irfftn", "axes")
    add(_UNARY, "unary")
    add("where clip", "elementwise_call")
    add("matmul dot", "matmul_call")
    add("outer", "outer")
    add("transpose matrix_transpose linalg.matrix_transpose", "transpose")
    add("reshape ravel", "reshape")
    add("broadcast_to", "broadcast_to")
    add("pad", "pad")
    add("concatenate stack", "join")
    add("array", "array")
    add("zeros_like ones_like empty_like full_like", "like")
    add("shape ndim size result_type iscomplexobj isrealobj", "metadata")
    add("linalg.solve", "solve")
    add("zeros ones empty full eye identity arange linspace", "creation")
    add("linalg.inv linalg.det linalg.norm einsum kron", "ranked")
    add("vecdot matvec vecmat", "gufunc")
    add("tensordot linalg.tensordot", "tensordot")
    add("inner vdot", "inner")
    table[_ident(builtins.len)] = "metadata"
    table[_ident(builtins.float)] = "number"
    table[_ident(builtins.int)] = "number"
    table[_ident(builtins.sum)] = "builtin_sum"
    for name in _RUNTIME_RANKS:
        table[_ident(getattr(rt, name))] = "runtime"
    for func in _TUPLES:
        table[_ident(func)] = "ranked"
    return table


def _numpy(path: str) -> Any:
    target: Any = np
    for part in path.split("."):
        target = getattr(target, part, None)
    return target


class Calls(AxisRules, ProductRules):
    """The call rules, bound to one Batcher."""

    def __init__(self, b: Batcher) -> None:
        self.b = b

    def rule(self, func: Any) -> Callable[[Site], tuple[ast.expr, Val]] | None:
        """The rule for `func`: by the table, or a ufunc's (or its `outer`'s)."""
        name = _table().get(_ident(func))
        if name is not None:
            return getattr(self, name)  # type: ignore[no-any-return]
        if isinstance(func, np.ufunc):
            return self.ufunc
        if isinstance(getattr(func, "__self__", None), np.ufunc) and func.__name__ == "outer":
            return self.ufunc_outer
        return None

    # ----- finding the function ---------------------------------------------------------

    def module_attr(self, node: ast.expr) -> Any:
        """The object an attribute chain on a module names (`np.fft.fft`, `rt.setitem`,
        `np.pi`), or None when it is not one."""
        if not isinstance(node, ast.Attribute):
            return None
        path: list[str] = []
        root: ast.expr = node
        while isinstance(root, ast.Attribute):
            path.append(root.attr)
            root = root.value
        if not isinstance(root, ast.Name):
            return None
        if root.id == self.b.unit.np:
            target: Any = np
        elif root.id == self.b.unit.rt:
            target = rt
        else:
            target = getattr(root, RESOLVED, None)
            if not inspect.ismodule(target):
                return None
        for part in reversed(path):
            target = getattr(target, part, _MISSING)
            if target is _MISSING:
                return None
        return target

    def callee(self, func: ast.expr) -> Any:
        obj = getattr(func, RESOLVED, _MISSING)
        if obj is not _MISSING:
            return obj
        found = self.module_attr(func)
        if found is not None:
            return found
        if isinstance(func, ast.Name) and func.id not in self.b.locals:
            return getattr(builtins, func.id, _MISSING)
        return _MISSING

    def func_node(self, site: Site) -> ast.expr:
        path = canonical_path(site.func)
        if path is not None:
            return self.b.np_(*path)
        return copy.deepcopy(site.node.func)

    # ----- the dispatcher -----------------------------------------------------------------

    def call(self, node: ast.Call) -> tuple[ast.expr, Val]:
        b = self.b
        if getattr(node, ZERO_TANGENT, False):
            return self.zero_tangent(node)
        func = self.callee(node.func)
        if func is _MISSING:
            if isinstance(node.func, ast.Attribute):
                return self.method(node)
            if b.batched(node):
                b.refuse("a call of an unknown function reads a tangent", node)
            return node, OTHER
        if any(isinstance(a, ast.Starred) for a in node.args) or any(
            kw.arg is None for kw in node.keywords
        ):
            if b.batched(node):
                b.refuse("a starred argument reads a tangent", node)
            return node, OTHER
        args = [Item(*b.expr(a), a) for a in node.args]
        kws = {kw.arg: Item(*b.expr(kw.value), kw.value) for kw in node.keywords if kw.arg}
        site = Site(node, func, args, kws)
        rule = self.rule(func)
        if rule is not None:
            return rule(site)
        val = _known_rank(site)
        if site.batched:
            return self.mapped(site, val)
        return node, val or OTHER

    def rebuild(self, site: Site, args: list[ast.expr], kws: dict[str, ast.expr]) -> ast.Call:
        keywords = [ast.keyword(k, v) for k, v in kws.items()]
        return ast.Call(self.func_node(site), args, keywords)

    def unbatched(self, site: Site) -> Val:
        """The rank the rule gives the call when nothing in it is batched."""
        args = [replace(i, val=replace(i.val, batched=False), node=i.orig) for i in site.args]
        kws = {
            k: replace(i, val=replace(i.val, batched=False), node=i.orig)
            for k, i in site.kws.items()
        }
        plain = Site(site.node, site.func, args, kws)
        rule = self.rule(site.func)
        if rule is None:
            return OTHER
        try:
            return rule(plain)[1]
        except NotBatchable:
            return OTHER

    # ----- one call per seed ----------------------------------------------------------------

    def mapped(self, site: Site, val: Val | None) -> tuple[ast.expr, Val]:
        """`rt.batch_map(lambda t_: f(..., t_, ...), t)`: the call once per seed."""
        b = self.b
        func = site.func
        module = getattr(func, "__module__", None) or ""
        if isinstance(func, np.ufunc):
            module = "numpy"
        pure = module.split(".")[0] in ("numpy", "scipy", "math") or module.startswith(
            "npgrad.runtime"
        )
        name = getattr(func, "__name__", "")
        impure = name in _IMPURE or "random" in module or "out" in site.kws
        if not pure or impure or name.startswith("batch_"):
            b.refuse(f"`{name or ast.unparse(site.node.func)}` of a tangent", site.node)
        params: list[str] = []
        batched: list[ast.expr] = []

        def slot(item: Item) -> ast.expr:
            if not item.val.batched:
                return item.node
            if item.val.kind == "array":
                params.append(b.unit.names.fresh("t_"))
                batched.append(item.node)
                return ast.Name(params[-1], ast.Load())
            if item.val.kind == "list" and isinstance(item.node, ast.List | ast.Tuple):
                elts = [slot(Item(*b.expr(e), e)) for e in item.orig.elts]  # type: ignore[attr-defined]
                return type(item.node)(elts, ast.Load())
            b.refuse("a list of tangents passed to a function batched per seed", site.node)

        args = [slot(i) for i in site.args]
        kws = {k: slot(i) for k, i in site.kws.items()}
        inner = ast.Call(
            copy.deepcopy(site.node.func), args, [ast.keyword(k, v) for k, v in kws.items()]
        )
        lam = ast.Lambda(
            ast.arguments([], [ast.arg(p) for p in params], None, [], [], None, []), inner
        )
        b.mapped.append(name)
        out = val if val is not None else self.unbatched(site)
        if out.kind != "array":  # one array per seed, stacked
            out = Val(None)
        new = ast.Call(b.rt_("batch_map"), [lam, *batched], [])
        return new, replace(out, batched=True)

    # ----- elementwise -------------------------------------------------------------------

    def elementwise(
        self, operands: list[tuple[ast.expr, Val]], node: ast.AST
    ) -> tuple[list[ast.expr], Val]:
        """Expand batched operands to the result's rank (plus the batch axis)."""
        b = self.b
        vals = [v for _, v in operands]
        nodes = [n for n, _ in operands]
        batched = [v.batched for v in vals]
        boolean = all(v.boolean for v in vals)
        if not any(batched):
            if any(v.kind not in ("array", "int") for v in vals):
                return nodes, OTHER
            ranks = [v.rank for v in vals]
            if any(r is None for r in ranks):
                return nodes, Val(None, boolean=boolean)
            return nodes, Val(max(ranks), boolean=boolean)  # type: ignore[type-var]
        if any(v.kind not in ("array", "int") for v in vals):
            b.refuse("arithmetic of a tangent with a value that is not an array", node)
        if all(v.rank is not None for v in vals):
            out: int = max(v.rank for v in vals)  # type: ignore[type-var,assignment]
            new = [expand(n, v.rank, out) if v.batched else n for n, v in operands]  # type: ignore[arg-type]
            return new, Val(out, True, boolean=boolean)
        others = [v for v in vals if not v.batched]
        if sum(batched) == 1 and all(v.rank == 0 for v in others):
            rank = next(v.rank for v in vals if v.batched)
            return nodes, Val(rank, True, boolean=boolean)
        b.refuse("an operand's number of dimensions is not known", node)

    def ufunc(self, site: Site) -> tuple[ast.expr, Val]:
        func = site.func
        allowed = {"dtype", "casting"}
        if func.nout != 1 or func.signature is not None or set(site.kws) - allowed:
            if site.batched:
                return self.mapped(site, None)
            return site.node, OTHER
        if len(site.args) != func.nin:
            if site.batched:
                self.b.refuse("a ufunc with an `out` argument", site.node)
            return site.node, OTHER
        nodes, val = self.elementwise([(i.node, i.val) for i in site.args], site.node)
        if func in (np.equal, np.not_equal, np.less, np.less_equal, np.greater):
            val = replace(val, boolean=True)
        if not val.batched:
            return site.node, val
        return self.rebuild(site, nodes, {k: i.node for k, i in site.kws.items()}), val

    def ufunc_outer(self, site: Site) -> tuple[ast.expr, Val]:
        """np.multiply.outer(a, b): a batched `a` keeps its axis first; a batched `b` puts
        it after a's axes, moved back to the front."""
        if len(site.args) != 2 or site.kws:
            return self.mapped(site, None) if site.batched else (site.node, OTHER)
        a, c = site.args
        ra, rc = a.val.rank, c.val.rank
        val = Val(None if ra is None or rc is None else ra + rc, site.batched)
        if not site.batched:
            return site.node, val
        if a.val.batched and c.val.batched or not a.val.batched and ra is None:
            return self.mapped(site, val)
        call = ast.Call(copy.deepcopy(site.node.func), [a.node, c.node], [])
        if a.val.batched:
            return call, val
        return ast.Call(self.b.np_("moveaxis"), [call, ast.Constant(ra), ast.Constant(0)], []), val

    def elementwise_call(self, site: Site) -> tuple[ast.expr, Val]:
        """np.where(c, a, b), np.clip(a, lo, hi): elementwise in every operand."""
        if site.kws and site.func is np.where or set(site.kws) - {"a_min", "a_max", "min", "max"}:
            return self.mapped(site, None) if site.batched else (site.node, OTHER)
        items = list(site.args) + list(site.kws.values())
        if site.func is np.where and len(items) != 3:
            if site.batched:
                self.b.refuse("np.where of one argument on a tangent", site.node)
            return site.node, OTHER
        used = [i for i in items if i.val.kind != "none"]
        nodes, val = self.elementwise([(i.node, i.val) for i in used], site.node)
        if not val.batched:
            return site.node, val
        new_of = {id(i): n for i, n in zip(used, nodes, strict=True)}
        args = [new_of.get(id(i), i.node) for i in site.args]
        kws = {k: new_of.get(id(i), i.node) for k, i in site.kws.items()}
        return self.rebuild(site, args, kws), val

    def unary(self, site: Site) -> tuple[ast.expr, Val]:
        """A function of one array with scalar options (np.real, np.round(a, 2), np.copy)."""
        if not site.args:
            return self.mapped(site, None) if site.batched else (site.node, OTHER)
        first, rest = site.args[0], [*site.args[1:], *site.kws.values()]
        if any(i.val.batched or i.val.kind == "array" and i.val.rank != 0 for i in rest):
            return self.mapped(site, None) if site.batched else (site.node, OTHER)
        if "ndmin" in site.kws or first.val.kind not in ("array", "int"):
            return self.mapped(site, None) if site.batched else (site.node, OTHER)
        val = Val(first.val.rank, first.val.batched)
        if not site.batched:
            return site.node, val
        args = [first.node, *(i.node for i in site.args[1:])]
        return self.rebuild(site, args, {k: i.node for k, i in site.kws.items()}), val

    def builtin_sum(self, site: Site) -> tuple[ast.expr, Val]:
        """sum([ta, tb], start): `start + ta + tb`, Python's order of additions."""
        if not site.batched:
            return site.node, OTHER
        items = site.args[0].orig if site.args else None
        start = site.args[1] if len(site.args) > 1 else site.kws.get("start")
        if not isinstance(items, ast.List | ast.Tuple) or len(site.args) + len(site.kws) > 2:
            self.b.refuse("builtin sum of tangents that are not a list written out", site.node)
        elements = [Item(*self.b.expr(e), e) for e in items.elts]
        first = start or Item(ast.Constant(0), INT, ast.Constant(0))
        operands = [(i.node, i.val) for i in (first, *elements)]
        nodes, val = self.elementwise(operands, site.node)
        total = nodes[0]
        for node in nodes[1:]:
            total = ast.BinOp(total, ast.Add(), node)
        return total, val

    def number(self, site: Site) -> tuple[ast.expr, Val]:
        if site.batched:
            self.b.refuse("a tangent made a Python number", site.node)
        return site.node, INT if site.func is int else SCALAR

    # ----- reductions and axes -------------------------------------------------------------

    # ----- shapes ---------------------------------------------------------------------------

    def like(self, site: Site) -> tuple[ast.expr, Val]:
        """np.zeros_like(t) of a tangent: zeros with the batch axis too."""
        if not site.args or "shape" in site.kws or site.args[0].val.kind != "array":
            if site.batched:
                self.b.refuse("np.zeros_like with a shape", site.node)
            return site.node, Val(None)  # an array
        first = site.args[0]
        if any(i.val.batched for i in [*site.args[1:], *site.kws.values()]):
            return self.mapped(site, Val(first.val.rank))
        if not site.batched:
            return site.node, Val(first.val.rank)
        args = [first.node, *(i.node for i in site.args[1:])]
        return self.rebuild(site, args, {k: i.node for k, i in site.kws.items()}), Val(
            first.val.rank, True
        )

    def zero_tangent(self, node: ast.Call) -> tuple[ast.expr, Val]:
        """`np.zeros_like(y)` that forward.py wrote for a zero tangent: one per seed."""
        like = node.args[0]
        _, val = self.b.expr(like)
        if val.batched or val.kind not in ("array", "int", "other"):
            self.b.refuse("a zero tangent of something that is not an array", node)
        new = ast.Call(self.b.rt_("batch_zeros"), [like, self.b.k()], [])
        return new, Val(val.rank if val.kind != "other" else None, True)

    def metadata(self, site: Site) -> tuple[ast.expr, Val]:
        """np.shape, np.ndim, np.size, len, np.result_type of tangents."""
        func, k = site.func, self.b.k
        if func in (np.shape, np.ndim, np.size, builtins.len):
            if len(site.args) != 1 or site.kws:
                if site.batched:
                    self.b.refuse(f"{func.__name__} with options of a tangent", site.node)
                return site.node, OTHER
            item = site.args[0]
            if func is np.shape:
                val = Val(item.val.rank if item.val.kind == "array" else None, kind="shape")
                if item.val.kind == "shape":
                    val = Val(1, kind="shape")
            else:
                val = INT
            if not item.val.batched:
                return site.node, val
            if item.val.kind != "array":
                self.b.refuse(f"{func.__name__} of a list of tangents", site.node)
            call = self.rebuild(site, [item.node], {})
            if func is np.shape:
                return ast.Subscript(call, ast.Slice(ast.Constant(1)), ast.Load()), val
            if func is np.ndim:
                return ast.BinOp(call, ast.Sub(), ast.Constant(1)), val
            if func is np.size:
                return ast.BinOp(call, ast.FloorDiv(), k()), val
            return ast.Call(self.b.rt_("batch_length"), [item.node], []), val
        if not site.batched:
            return site.node, OTHER
        args = [i.node for i in site.args]
        return self.rebuild(site, args, {kk: i.node for kk, i in site.kws.items()}), OTHER

    def creation(self, site: Site) -> tuple[ast.expr, Val]:
        """Ranks of np.zeros(shape), np.eye(n), np.arange(n), ..."""
        if site.batched:
            return self.mapped(site, None)
        func = site.func
        if func in (np.eye, np.identity):
            return site.node, Val(2)
        if func in (np.arange, np.linspace):
            return site.node, Val(1)
        bound = site.bind()
        shape = None if bound is None else bound.get("shape")
        return site.node, Val(None if shape is None else self.shape_length(shape))

    def ranked(self, site: Site) -> tuple[ast.expr, Val]:
        """Functions without a batched form whose rank is known (run per seed)."""
        val = _rank_of(site)
        if site.batched:
            return self.mapped(site, val)
        return site.node, val or OTHER

    # ----- npgrad's runtime -------------------------------------------------------------------

    def runtime(self, site: Site) -> tuple[ast.expr, Val]:
        name = site.func.__name__
        items = [*site.args, *site.kws.values()]
        val = _runtime_rank(site)
        if not site.batched:
            return site.node, val
        if name in ("cotangent", "unconcatenate", "cleared") and site.args and not site.kws:
            if any(i.val.batched for i in items[1:]):
                return self.mapped(site, val)
            new = ast.Call(self.b.rt_("batch_" + name), [i.node for i in site.args], [])
            return new, replace(val, batched=True)
        if name in ("grad_like", "unbroadcast", "unreduce") and site.args:
            if any(i.val.batched for i in items[1:]) or site.kws:
                return self.mapped(site, val)
            new = ast.Call(self.b.rt_("batch_" + name), [i.node for i in site.args], [])
            return new, replace(val, batched=True)
        if name in ("setitem", "add_at", "subtract_at") and len(site.args) == 3 and not site.kws:
            base, idx, value = site.args
            if idx.val.batched:
                self.b.refuse("a tangent used as an index", site.node)
            nodes = [i.node if i.val.batched else self.b.broadcast(i.node) for i in (base, value)]
            helper = "batch_setitem" if name == "setitem" else "batch_add_at"
            args = [nodes[0], idx.node, nodes[1]]
            if name == "subtract_at":
                args.append(ast.Constant(True))
            return ast.Call(self.b.rt_(helper), args, []), replace(val, batched=True)
        if name in ("shape_of", "size_of", "reduced_size"):
            self.b.refuse(f"rt.{name} of a tangent", site.node)
        if _RUNTIME_RANKS[name] == "elementwise" and not site.kws:  # like a ufunc
            arrays = [i for i in site.args if not _is_text(i.orig)]
            nodes, out = self.elementwise([(i.node, i.val) for i in arrays], site.node)
            new_of = {id(i): n for i, n in zip(arrays, nodes, strict=True)}
            return self.rebuild(site, [new_of.get(id(i), i.node) for i in site.args], {}), out
        return self.mapped(site, val)

    # ----- indexing and methods ------------------------------------------------------------

    def getitem(self, node: ast.Subscript, value: ast.expr, val: Val) -> tuple[ast.expr, Val]:
        index = node.slice
        if isinstance(index, ast.Constant) and isinstance(index.value, tuple):  # x[(1, 0)]
            index = ast.Tuple([ast.Constant(v) for v in index.value], ast.Load())
        parts = index.elts if isinstance(index, ast.Tuple) else [index]
        kinds: list[str] = []
        for part in parts:
            if isinstance(part, ast.Slice):
                kinds.append("slice")
            elif isinstance(part, ast.Constant) and part.value is None:
                kinds.append("none")
            elif isinstance(part, ast.Constant) and part.value is Ellipsis:
                kinds.append("ellipsis")
            else:
                pval = self.b.expr(part)[1]
                if pval.kind == "int":
                    kinds.append("int")
                elif pval.kind == "array" and pval.rank is not None:
                    kinds.append(f"array{pval.rank}{'b' if pval.boolean else ''}")
                elif pval.kind == "list" and isinstance(part, ast.List) and pval.rank == 0:
                    kinds.append("array1")
                else:
                    kinds.append("other")
        rank = _index_rank(val.rank, kinds)
        if not val.batched:
            return node, Val(rank, boolean=val.boolean)
        arrays = [k for k in kinds if k.startswith("array") or k == "other"]
        simple = not arrays or len(arrays) == 1 and arrays[0] != "other" and "int" not in kinds
        if simple:
            new = ast.Subscript(value, ast.Tuple([ast.Slice(), *parts], ast.Load()), ast.Load())
        else:
            idx = (
                index
                if not _has_slice(index)
                else ast.Subscript(self.b.np_("s_"), index, ast.Load())
            )
            new = ast.Call(self.b.rt_("batch_getitem"), [value, idx], [])
        return new, Val(rank, True, boolean=val.boolean)

    def method(self, node: ast.Call) -> tuple[ast.expr, Val]:
        func = node.func
        assert isinstance(func, ast.Attribute)
        receiver, rval = self.b.expr(func.value)
        name = func.attr
        if rval.kind in ("list", "empty"):
            if name == "pop" and not node.args and not node.keywords:
                return node, Val(rval.rank, rval.batched, "array", rval.boolean)
            if name == "copy" and not node.args:
                return (
                    ast.Call(ast.Attribute(receiver, "copy", ast.Load()), [], [])
                    if rval.batched
                    else node
                ), rval
            if rval.batched:
                self.b.refuse(f"`.{name}` of a list of tangents", node)
            return node, OTHER
        if rval.kind != "array" or name not in _METHODS and name != "astype":
            if self.b.batched(node):
                self.b.refuse(f"the method `.{name}` on a tangent", node)
            return node, OTHER
        if name == "astype":
            if any(self.b.batched(a) for a in node.args):
                self.b.refuse("a tangent as a dtype", node)
            if not rval.batched:
                return node, Val(rval.rank)
            new = ast.Call(ast.Attribute(receiver, "astype", ast.Load()), node.args, node.keywords)
            return new, Val(rval.rank, True)
        args = list(node.args)
        if name in ("reshape", "transpose") and len(args) > 1:
            args = [ast.Tuple(args, ast.Load())]
        elif name == "reshape" and len(args) == 1 and "shape" not in {k.arg for k in node.keywords}:
            pass
        target = _numpy(_METHODS[name])
        path = canonical_path(target)
        assert path is not None
        call = ast.Call(self.b.np_(*path), [func.value, *args], list(node.keywords))
        new, val = self.call(call)
        return (new if val.batched else node), val


# ----- tables and helpers ------------------------------------------------------------------


# npgrad's runtime helpers: the argument whose shape the result has (the adjoint or tangent
# of that argument), "like" (the broadcast shape of the arguments after the first), or
# "elementwise" (of its array arguments broadcast together)
_RUNTIME_RANKS: dict[str, int | str] = {
    "grad_like": 1, "unreduce": 1, "matmul_lhs": 1, "matmul_rhs": 2, "dot_lhs": 1,
    "dot_rhs": 2, "chooser": 2, "prod_vjp": 1, "setitem": 0, "add_at": 0, "subtract_at": 0,
    "seed": 0, "norm_vjp": 2, "vector_norm_vjp": 2, "matrix_norm_vjp": 2, "quantile_vjp": 1,
    "logsumexp_weights": 2, "unbroadcast": "like", "shape_of": "shape", "size_of": "int",
    "reduced_size": "int", "divide_or_zero": "elementwise", "i1": "elementwise",
    "i1e": "elementwise", "digamma": "elementwise", "psi": "elementwise",
    "polygamma": "elementwise", "i1_derivative": "elementwise",
    "i1e_derivative": "elementwise", "logcdf_slope": "elementwise", "cotangent": 1,
    "unconcatenate": "pieces", "cleared": 0, "setitem_grad": 2, "at_grad": 2,
    "tensordot_lhs": 1, "tensordot_rhs": 2, "inner_lhs": 1, "inner_rhs": 2, "kron_lhs": 1,
    "kron_rhs": 2,
}  # fmt: skip


def _is_text(node: ast.expr) -> bool:
    return isinstance(node, ast.Constant) and isinstance(node.value, str | None)


def _broadcast_rank(items: list[Item]) -> int | None:
    """The rank of array arguments broadcast together (strings, None left out)."""
    ranks = []
    for item in items:
        if _is_text(item.orig):
            continue
        if item.val.kind not in ("array", "int") or item.val.rank is None:
            return None
        ranks.append(item.val.rank)
    return max(ranks, default=0)


def _runtime_rank(site: Site) -> Val:
    how = _RUNTIME_RANKS[site.func.__name__]
    ranks = [i.val.rank for i in site.args]
    if how == "int":
        return INT
    if how == "shape":
        return Val(_broadcast_rank(site.args), kind="shape")
    if how == "elementwise":
        return Val(_broadcast_rank([*site.args, *site.kws.values()]))
    if how == "pieces":  # a list of parts of the first argument
        return Val(ranks[0] if ranks else None, kind="list")
    if how == "like":
        return Val(_broadcast_rank(site.args[1:]) if len(site.args) > 1 else None)
    assert isinstance(how, int)
    if site.func is rt.logsumexp_weights:
        weights = site.args[4] if len(site.args) > 4 else site.kws.get("b")
        if weights is not None and const_value(weights.orig) is not None:
            return Val(None)
    return Val(ranks[how] if len(ranks) > how else None)


def _elementwise_rule(func: Any) -> bool:
    try:
        rule = VJPS.get(func)
    except TypeError:
        return False
    return rule is not None and rule.broadcasts and not rule.results


def _known_rank(site: Site) -> Val | None:
    """The rank of a call with no rule here: math's functions give numbers; functions
    whose reverse rule is elementwise (`broadcasts=True`) broadcast their operands."""
    if getattr(site.func, "__module__", None) == "math":
        return SCALAR
    if _elementwise_rule(site.func):
        rank = _broadcast_rank([*site.args, *site.kws.values()])
        return None if rank is None else Val(rank)
    return None


def _pair(rank: int, first: int, second: int) -> Val:
    return Val(None, kind="tuple", parts=(Val(rank + first), Val(rank + second)))


_TUPLES = [np.modf, np.frexp, np.divmod, np.linalg.eigh, np.linalg.eig, np.linalg.svd]
_TUPLES += [np.linalg.slogdet, np.linalg.qr, np.linalg.lstsq]


def _rank_of(site: Site) -> Val | None:
    """Ranks of a few functions without a batched form (tuples: of each part)."""
    func, ranks = site.func, [i.val.rank for i in site.args]
    if func in (np.modf, np.frexp, np.divmod) and not site.kws:
        rank = _broadcast_rank(site.args)
        return None if rank is None else _pair(rank, 0, 0)
    if None in ranks[:2] or not ranks:
        return None
    if func is np.linalg.inv:
        return Val(ranks[0])
    if func is np.linalg.det:
        return Val(ranks[0] - 2)  # type: ignore[operator]
    if func is np.kron and len(ranks) == 2:
        return Val(max(ranks))  # type: ignore[type-var]
    if func is np.inner and len(ranks) == 2:
        return Val(max(ranks[0] + ranks[1] - 2, 0))  # type: ignore[operator]
    if func is np.linalg.norm and len(site.args) == 1 and not site.kws and ranks[0] in (1, 2):
        return Val(0)
    rank = ranks[0]
    assert rank is not None
    if func in (np.linalg.eigh, np.linalg.eig) and len(ranks) == 1:
        return _pair(rank, -1, 0)
    if func is np.linalg.slogdet and len(ranks) == 1:
        return _pair(rank, -2, -2)
    if func is np.linalg.qr and len(ranks) == 1 and not site.kws:
        return _pair(rank, 0, 0)
    if func is np.linalg.svd and len(ranks) == 1 and not site.kws:
        return Val(None, kind="tuple", parts=(Val(rank), Val(rank - 1), Val(rank)))
    if func is np.linalg.lstsq and len(ranks) == 2:
        parts = (Val(ranks[1]), Val(1), INT, Val(1))
        return Val(None, kind="tuple", parts=parts)  # type: ignore[arg-type]
    return None


def _has_slice(node: ast.expr) -> bool:
    return any(isinstance(n, ast.Slice) for n in ast.walk(node))


def _index_rank(rank: int | None, kinds: list[str]) -> int | None:
    """The rank of `x[index]` from the kinds of the index's parts (NumPy's rules)."""
    if rank is None or "other" in kinds or kinds.count("ellipsis") > 1:
        return None
    kept = kinds.count("slice")
    added = kinds.count("none")
    consumed = kept + kinds.count("int")
    arrays = [k for k in kinds if k.startswith("array")]
    block = 0
    for k in arrays:
        nd = int(k[5:].rstrip("b"))
        if k.endswith("b"):
            consumed += nd
            block = max(block, 1)
        elif nd == 1 or nd == 0:
            consumed += 1
            block = max(block, nd)
        else:
            return None  # an array of unknown dtype: a mask or integers consume differently
    if arrays and any(not k.endswith("b") and k == "array0" for k in arrays):
        return None  # a 0-d array: an int (drops an axis) or a bool (adds one)
    if consumed > rank:
        return None
    return rank - consumed + kept + added + (block if arrays else 0)
