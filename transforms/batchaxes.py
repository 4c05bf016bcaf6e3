"""The batched forms of calls whose axes or shape move with the batch axis (a mixin of
transforms/batchcalls.py's Calls).

    np.sum(t, axis=0)             ->  np.sum(t, axis=1)
    np.sum(t)                     ->  np.sum(t, axis=(1, 2))          (t of rank 2)
    np.cumsum(t)                  ->  np.cumsum(np.reshape(t, (nbatch, -1)), axis=1)
    t.T                           ->  np.swapaxes(t, 1, 2)            (t of rank 2)
    np.reshape(t, (2, 3))         ->  np.reshape(t, (nbatch, 2, 3))
    np.broadcast_to(t, np.shape(a)) -> np.broadcast_to(t[:, None], (nbatch, *np.shape(a)))
    np.concatenate([ta, tb])      ->  np.concatenate([ta, tb], axis=1)
    np.array([[ta, tb]])          ->  np.moveaxis(np.array([[ta, tb]]), 2, 0)

An axis >= 0 moves by one; a negative axis counts from the end, where nothing changed, once
checked against the rank (an axis out of range would otherwise reach the batch axis).
"""

from __future__ import annotations

import ast
import copy
import functools
import inspect
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from .batch import OTHER, Val, expand
from .inline import const_value

if TYPE_CHECKING:
    from .batch import Batcher

_NOT_CONST: Any = const_value(ast.Name("_", ast.Load()))


@dataclass
class Item:
    """An argument: its rewritten node, its Val, and the node as written."""

    node: ast.expr
    val: Val
    orig: ast.expr


@dataclass
class Site:
    """A call being batched."""

    node: ast.Call
    func: Any
    args: list[Item]
    kws: dict[str, Item]

    @property
    def batched(self) -> bool:
        return any(i.val.batched for i in (*self.args, *self.kws.values()))

    def bind(self) -> dict[str, Item] | None:
        """Parameter name -> argument (given ones only), or None without a signature."""
        sig = _signature(self.func)
        if sig is None:
            return None
        try:
            bound = sig.bind_partial(*self.args, **self.kws)
        except TypeError:
            return None
        return dict(bound.arguments)

    def const(self, item: Item | None, default: Any = None) -> Any:
        return default if item is None else const_value(item.orig)


@functools.cache
def _signature_of(func: Any) -> inspect.Signature | None:
    try:
        return inspect.signature(func)
    except (TypeError, ValueError):
        return None


def _signature(func: Any) -> inspect.Signature | None:
    try:
        return _signature_of(func)
    except TypeError:  # unhashable
        return None


class AxisRules:
    """Rules for reductions, axis functions and shapes."""

    b: Batcher

    def mapped(self, site: Site, val: Val | None) -> tuple[ast.expr, Val]:
        raise NotImplementedError

    def func_node(self, site: Site) -> ast.expr:
        raise NotImplementedError

    def rebuild(self, site: Site, args: list[ast.expr], kws: dict[str, ast.expr]) -> ast.Call:
        raise NotImplementedError

    def axis_list(
        self, value: Any, rank: int | None, node: ast.AST, size: int | None = None
    ) -> tuple[int, ...]:
        """Constant axes, checked against `size` dimensions (the rank by default)."""
        bound = rank if size is None else size
        axes = value if isinstance(value, tuple | list) else (value,)
        if not all(type(a) is int for a in axes):
            self.b.refuse("an axis that is not a constant", node)
        for a in axes:
            if a < 0 and (bound is None or a < -bound) or bound is not None and a >= bound:
                self.b.refuse("an axis out of range", node)
        return tuple(axes)

    @staticmethod
    def shifted(axes: tuple[int, ...], single: bool) -> ast.expr:
        moved = [a + 1 if a >= 0 else a for a in axes]
        if single:
            return ast.Constant(moved[0])
        return ast.Tuple([ast.Constant(a) for a in moved], ast.Load())

    def all_axes(self, rank: int | None, node: ast.AST) -> ast.expr:
        if rank is None:
            self.b.refuse("axis=None over a tangent of unknown rank", node)
        return ast.Tuple([ast.Constant(a) for a in range(1, rank + 1)], ast.Load())

    def reduction(self, site: Site) -> tuple[ast.expr, Val]:
        bound = site.bind()
        if bound is None or "a" not in bound or set(bound) - _REDUCTION_OPTIONS:
            return self.mapped(site, None) if site.batched else (site.node, OTHER)
        a = bound["a"]
        if any(i.val.batched for k, i in bound.items() if k != "a") or a.val.kind != "array":
            return self.mapped(site, None) if site.batched else (site.node, OTHER)
        axis, keepdims = site.const(bound.get("axis")), site.const(bound.get("keepdims"), False)
        rank = a.val.rank
        if axis is _NOT_CONST or keepdims not in (True, False):
            if site.batched:
                self.b.refuse("a reduction over axes that are not constants", site.node)
            return site.node, Val(rank if keepdims is True else None)
        if axis is None:
            out = rank if keepdims else 0
            new_axis = self.all_axes(rank, site.node) if site.batched else None
        else:
            axes = self.axis_list(axis, rank, site.node)
            if rank is not None and len({a % rank for a in axes}) != len(axes):
                self.b.refuse("a repeated axis", site.node)
            out = rank if keepdims or rank is None else rank - len(axes)
            new_axis = self.shifted(axes, not isinstance(axis, tuple | list))
        val = Val(out, a.val.batched, boolean=site.func in (np.any, np.all))
        if not site.batched:
            return site.node, val
        kws = {k: i.node for k, i in bound.items() if k not in ("a", "axis")}
        kws["axis"] = new_axis  # type: ignore[assignment]
        return self.rebuild(site, [a.node], kws), val

    def flat_axis(self, site: Site) -> tuple[ast.expr, Val]:
        """cumsum, sort, repeat: axis=None works on the flattened array."""
        bound, sig = site.bind(), _signature(site.func)
        if bound is None or sig is None or "axis" not in sig.parameters:
            return self.mapped(site, None) if site.batched else (site.node, OTHER)
        axis = site.const(bound["axis"]) if "axis" in bound else sig.parameters["axis"].default
        if axis is not None:
            return self.axes(site)
        first = next(iter(bound.values()))
        if bound.get("out") is not None or any(
            i.val.batched for i in bound.values() if i is not first
        ):
            return self.mapped(site, None) if site.batched else (site.node, OTHER)
        if site.func is np.sort:
            return self.mapped(site, Val(1)) if site.batched else (site.node, Val(1))
        if not site.batched:
            return site.node, Val(1)
        flat = ast.Call(
            self.b.np_("reshape"),
            [first.node, ast.Tuple([self.b.k(), ast.Constant(-1)], ast.Load())],
            [],
        )
        name = next(iter(bound))
        kws = {k: i.node for k, i in bound.items() if k not in (name, "axis")}
        kws["axis"] = ast.Constant(1)
        return self.rebuild(site, [flat], kws), Val(1, True)

    def axes(self, site: Site) -> tuple[ast.expr, Val]:
        """Functions of one array whose axis parameters move by one."""
        spec = _AXES.get(getattr(site.func, "__name__", ""))
        bound = site.bind()
        if spec is None or bound is None:
            return self.mapped(site, None) if site.batched else (site.node, OTHER)
        array, params, none, rank_of = spec
        first = bound.get(array)
        if first is None or first.val.kind != "array" or bound.get("out") is not None:
            return self.mapped(site, None) if site.batched else (site.node, OTHER)
        others = [i for k, i in bound.items() if k != array]
        rank = first.val.rank
        consts = {k: site.const(i) for k, i in bound.items() if k != array}
        out = None if rank is None else rank_of(rank, consts)
        if not first.val.batched:
            if site.batched:  # take_along_axis(a, t): the indices are batched
                return self.mapped(site, None if out is None else Val(out))
            return site.node, Val(
                out, kind="list" if site.func in (np.split, np.array_split) else "array"
            )
        if any(i.val.batched for i in others) or _unlike(site.func, bound, consts):
            return self.mapped(site, None if out is None else Val(out))
        sig = _signature(site.func)
        assert sig is not None
        kws = {k: i.node for k, i in bound.items() if k != array}
        for param in params:
            default = sig.parameters[param].default if param in sig.parameters else None
            value = consts.get(param, default)
            if value is _NOT_CONST:
                self.b.refuse("an axis that is not a constant", site.node)
            if value is None or value is inspect.Parameter.empty:
                if none == "all" and value is None:
                    kws[param] = self.all_axes(rank, site.node)
                    continue
                if none == "keep" or value is inspect.Parameter.empty:
                    continue
                return self.mapped(site, None if out is None else Val(out))
            size = out if param == "axis" and site.func is np.expand_dims else rank
            if param == "start":
                size = None if rank is None else rank + 1
            axes = self.axis_list(value, rank, site.node, size)
            kws[param] = self.shifted(axes, not isinstance(value, tuple | list))
        if site.func is np.take_along_axis:
            idx = bound["indices"]
            if idx.val.rank != rank:
                return self.mapped(site, None if out is None else Val(out))
            kws["indices"] = ast.Subscript(idx.node, ast.Constant(None), ast.Load())
        if site.func in (np.tril, np.triu) and (rank is None or rank < 2):
            return self.mapped(site, None if out is None else Val(out))
        new = ast.Call(
            self.func_node(site), [first.node], [ast.keyword(k, v) for k, v in kws.items()]
        )
        if site.func in (np.split, np.array_split):  # a list of batched parts
            return new, Val(out, True, "list")
        return new, Val(out, True)

    def transpose_all(self, value: ast.expr, val: Val, node: ast.AST) -> tuple[ast.expr, Val]:
        """`t.T` of a batched array: reverse every axis but the batch axis."""
        rank = val.rank
        if rank is None:
            self.b.refuse("`.T` of a tangent of unknown rank", node)
        if rank <= 1:
            return value, val
        if rank == 2:
            call = ast.Call(self.b.np_("swapaxes"), [value, ast.Constant(1), ast.Constant(2)], [])
            return call, val
        axes = ast.Tuple([ast.Constant(a) for a in (0, *range(rank, 0, -1))], ast.Load())
        return ast.Call(self.b.np_("transpose"), [value, axes], []), val

    def transpose(self, site: Site) -> tuple[ast.expr, Val]:
        bound = site.bind()
        if bound is None or len(site.args) + len(site.kws) > 2:
            return self.mapped(site, None) if site.batched else (site.node, OTHER)
        first = next(iter(bound.values()))
        rank = first.val.rank
        if site.func is not np.transpose:  # matrix_transpose
            if not site.batched:
                return site.node, Val(rank)
            if rank is None or rank < 2:
                return self.mapped(site, Val(rank))
            swap = ast.Call(
                self.b.np_("swapaxes"), [first.node, ast.Constant(-1), ast.Constant(-2)], []
            )
            return swap, Val(rank, True)
        axes = bound.get("axes")
        if axes is None or site.const(axes) is None:
            if not site.batched:
                return site.node, Val(rank)
            return self.transpose_all(first.node, first.val, site.node)
        value = site.const(axes)
        if value is _NOT_CONST or not isinstance(value, tuple | list) or axes.val.batched:
            return self.mapped(site, Val(rank)) if site.batched else (site.node, Val(rank))
        if not site.batched:
            return site.node, Val(rank)
        moved = self.axis_list(value, rank, site.node)
        assert rank is not None
        new = ast.Tuple([ast.Constant(0), *(ast.Constant(a % rank + 1) for a in moved)], ast.Load())
        return ast.Call(self.b.np_("transpose"), [first.node, new], []), Val(rank, True)

    def shape_length(self, item: Item) -> int | None:
        """The length of a shape argument: a literal tuple, an int, a `np.shape(x)`."""
        if isinstance(item.orig, ast.Tuple | ast.List):
            if any(isinstance(e, ast.Starred) for e in item.orig.elts):
                return None
            return len(item.orig.elts)
        if item.val.kind == "int":
            return 1
        if item.val.kind == "shape":
            return item.val.rank
        return None

    def batch_shape(self, item: Item) -> ast.expr:
        """`(nbatch, *shape)` for a shape argument of known form."""
        if item.val.kind == "int":
            return ast.Tuple([self.b.k(), item.node], ast.Load())
        return ast.Tuple([self.b.k(), ast.Starred(item.node, ast.Load())], ast.Load())

    def reshape(self, site: Site) -> tuple[ast.expr, Val]:
        bound = site.bind()
        if bound is None:
            return self.mapped(site, None) if site.batched else (site.node, OTHER)
        first = next(iter(bound.values()))
        order = site.const(bound.get("order"), "C")
        if site.func is np.ravel:
            if not site.batched:
                return site.node, Val(1)
            if order != "C" or len(bound) > 1 + ("order" in bound):
                return self.mapped(site, Val(1))
            flat = ast.Tuple([self.b.k(), ast.Constant(-1)], ast.Load())
            return ast.Call(self.b.np_("reshape"), [first.node, flat], []), Val(1, True)
        shape = bound.get("shape", bound.get("newshape"))
        if shape is None:
            return self.mapped(site, None) if site.batched else (site.node, OTHER)
        length = self.shape_length(shape)
        if not site.batched:
            return site.node, Val(length)
        if (
            order != "C"
            or shape.val.batched
            or length is None
            or set(bound) - {"a", "shape", "newshape", "order", "copy"}
        ):
            return self.mapped(site, Val(length))
        new = ast.Call(self.b.np_("reshape"), [first.node, self.batch_shape(shape)], [])
        return new, Val(length, True)

    def broadcast_to(self, site: Site) -> tuple[ast.expr, Val]:
        bound = site.bind()
        if bound is None or "shape" not in bound or "array" not in bound:
            return self.mapped(site, None) if site.batched else (site.node, OTHER)
        array, shape = bound["array"], bound["shape"]
        length = self.shape_length(shape)
        if not site.batched:
            return site.node, Val(length)
        rank = array.val.rank
        if shape.val.batched or length is None or rank is None or rank > length or len(bound) > 2:
            self.b.refuse("np.broadcast_to of a tangent to a shape of unknown length", site.node)
        grown = expand(array.node, rank, length)
        new = ast.Call(self.b.np_("broadcast_to"), [grown, self.batch_shape(shape)], [])
        return new, Val(length, True)

    def join(self, site: Site) -> tuple[ast.expr, Val]:
        """np.concatenate and np.stack of sequences of tangents: the axis moves by one."""
        bound = site.bind()
        stack = site.func is np.stack
        if bound is None or "arrays" not in bound or bound.get("out") is not None:
            return self.mapped(site, None) if site.batched else (site.node, OTHER)
        seq = bound["arrays"]
        rank = seq.val.rank if seq.val.kind == "list" else None
        out = None if rank is None else rank + 1 if stack else rank
        if not site.batched:
            return site.node, Val(
                out, kind="list" if site.func in (np.split, np.array_split) else "array"
            )
        if any(i.val.batched for k, i in bound.items() if k != "arrays") or rank is None:
            self.b.refuse("a join of tangents of unknown rank", site.node)
        axis = site.const(bound.get("axis"), 0)
        kws = {k: i.node for k, i in bound.items() if k not in ("arrays", "axis")}
        if axis is None:
            if not isinstance(seq.node, ast.List | ast.Tuple):
                self.b.refuse("np.concatenate(axis=None) of a list of tangents", site.node)
            flat = ast.Tuple([self.b.k(), ast.Constant(-1)], ast.Load())
            elts = [
                ast.Call(self.b.np_("reshape"), [e, copy.deepcopy(flat)], []) for e in seq.node.elts
            ]
            kws["axis"] = ast.Constant(1)
            new = ast.Call(self.func_node(site), [type(seq.node)(elts, ast.Load())], [])
            new.keywords = [ast.keyword(k, v) for k, v in kws.items()]
            return new, Val(1, True)
        size = rank + 1 if stack else rank
        kws["axis"] = self.shifted(self.axis_list(axis, rank, site.node, size), True)
        new = ast.Call(
            self.func_node(site), [seq.node], [ast.keyword(k, v) for k, v in kws.items()]
        )
        return new, Val(out, True)

    def array(self, site: Site) -> tuple[ast.expr, Val]:
        """np.array of a batched array (a copy), or of a nested literal of tangents: the
        literal's axes come first, so the batch axis moves back to the front."""
        if not site.args or set(site.kws) - {"dtype", "copy"} or len(site.args) > 1:
            return self.mapped(site, None) if site.batched else (site.node, OTHER)
        first = site.args[0]
        if first.val.kind == "array":
            val = Val(first.val.rank, first.val.batched)
            if not site.batched:
                return site.node, val
            return self.rebuild(site, [first.node], {k: i.node for k, i in site.kws.items()}), val
        depth, leaf = _literal_depth(first.orig)
        if depth is None or first.val.kind != "list":
            return self.mapped(site, None) if site.batched else (site.node, OTHER)
        leaves = _literal_leaves(first.orig)
        ranks = {self.b.expr(x)[1].rank for x in leaves}
        rank = ranks.pop() if len(ranks) == 1 else None
        out = None if rank is None else rank + depth
        if not site.batched:
            return site.node, Val(out)
        if rank is None:
            self.b.refuse("np.array of tangents of unknown rank", site.node)
        made = self.rebuild(site, [first.node], {k: i.node for k, i in site.kws.items()})
        moved = ast.Call(self.b.np_("moveaxis"), [made, ast.Constant(depth), ast.Constant(0)], [])
        return moved, Val(out, True)

    def pad(self, site: Site) -> tuple[ast.expr, Val]:
        """np.pad(t, width): nothing added along the batch axis."""
        bound = site.bind()
        if bound is None or "array" not in bound or "pad_width" not in bound:
            return self.mapped(site, None) if site.batched else (site.node, OTHER)
        array, width = bound["array"], bound["pad_width"]
        rank = array.val.rank
        val = Val(rank, site.batched)
        if not site.batched:
            return site.node, val
        extra: dict[str, Item] = bound.get("kwargs", {})  # type: ignore[assignment]
        mode = site.const(bound.get("mode"), "constant")
        scalars = all(i.val.rank == 0 and not i.val.batched for i in extra.values())
        if width.val.batched or rank is None or not isinstance(mode, str) or not scalars:
            return self.mapped(site, val)
        if set(extra) - {"constant_values"} or not array.val.batched:
            return self.mapped(site, val)
        widths = ast.Call(self.b.rt_("batch_pad_width"), [width.node, ast.Constant(rank)], [])
        kws = {"mode": ast.Constant(mode), **{k: i.node for k, i in extra.items()}}
        return self.rebuild(site, [array.node, widths], kws), val


# what a reduction may be given besides its array (not out=, where=, weights=, returned=)
_REDUCTION_OPTIONS = {"a", "axis", "keepdims", "dtype", "ddof", "correction", "initial"}


# ----- tables and helpers ------------------------------------------------------------


def _same(rank: int, consts: dict[str, Any]) -> int:
    return rank


def _squeezed(rank: int, consts: dict[str, Any]) -> int | None:
    axis = consts.get("axis")
    if axis is None or axis is _NOT_CONST:
        return None
    return rank - (len(axis) if isinstance(axis, tuple | list) else 1)


def _expanded(rank: int, consts: dict[str, Any]) -> int | None:
    axis = consts.get("axis")
    if axis is None or axis is _NOT_CONST:
        return None
    return rank + (len(axis) if isinstance(axis, tuple | list) else 1)


def _take(rank: int, consts: dict[str, Any]) -> int | None:
    return None  # the indices' rank decides


_FFT = ("a", ("axis",), "refuse", _same)


_FFT2 = ("a", ("axes",), "keep", _same)


_FFTN = ("a", ("axes",), "all", _same)


# name -> (the array parameter, its axis parameters, what None means, the result's rank)
_AXES: dict[str, tuple[str, tuple[str, ...], str, Callable[[int, dict[str, Any]], int | None]]] = {
    "diff": ("a", ("axis",), "refuse", _same),
    "take_along_axis": ("arr", ("axis",), "refuse", _same),
    "take": ("a", ("axis",), "refuse", _take),
    "expand_dims": ("a", ("axis",), "refuse", _expanded),
    "squeeze": ("a", ("axis",), "refuse", _squeezed),
    "swapaxes": ("a", ("axis1", "axis2"), "refuse", _same),
    "moveaxis": ("a", ("source", "destination"), "refuse", _same),
    "rollaxis": ("a", ("axis", "start"), "refuse", _same),
    "trace": ("a", ("axis1", "axis2"), "refuse", lambda r, c: r - 2),
    "diagonal": ("a", ("axis1", "axis2"), "refuse", lambda r, c: r - 1),
    "flip": ("m", ("axis",), "all", _same),
    "roll": ("a", ("axis",), "refuse", _same),
    "tril": ("m", (), "refuse", _same),
    "triu": ("m", (), "refuse", _same),
    "cumulative_sum": ("x", ("axis",), "refuse", _same),
    "cumulative_prod": ("x", ("axis",), "refuse", _same),
    "cumsum": ("a", ("axis",), "refuse", _same),
    "cumprod": ("a", ("axis",), "refuse", _same),
    "nancumsum": ("a", ("axis",), "refuse", _same),
    "nancumprod": ("a", ("axis",), "refuse", _same),
    "sort": ("a", ("axis",), "refuse", _same),
    "repeat": ("a", ("axis",), "refuse", _same),
    "split": ("ary", ("axis",), "refuse", _same),
    "array_split": ("ary", ("axis",), "refuse", _same),
    "fft": _FFT, "ifft": _FFT, "rfft": _FFT, "irfft": _FFT, "hfft": _FFT, "ihfft": _FFT,
    "fft2": _FFT2, "ifft2": _FFT2, "rfft2": _FFT2, "irfft2": _FFT2,
    "fftn": _FFTN, "ifftn": _FFTN, "rfftn": _FFTN, "irfftn": _FFTN,
    "fftshift": ("x", ("axes",), "all", _same), "ifftshift": ("x", ("axes",), "all", _same),
}  # fmt: skip


def _unlike(func: Any, bound: dict[str, Item], consts: dict[str, Any]) -> bool:
    """Options these rules do not move with the batch axis: np.diff's arrays to prepend or
    append (shaped like the argument), fftn's `s` without `axes` (the last len(s) axes)."""
    if func is np.diff:
        return any(k in bound and bound[k].val.rank != 0 for k in ("prepend", "append"))
    if getattr(func, "__name__", "") in ("fftn", "ifftn", "rfftn", "irfftn"):
        return consts.get("s") is not None and consts.get("axes") is None
    return False


def _literal_depth(node: ast.expr) -> tuple[int | None, ast.expr | None]:
    """How deep a nested list literal is (the same at every leaf), and one leaf."""
    if not isinstance(node, ast.List | ast.Tuple):
        return 0, node
    if not node.elts:
        return None, None
    found = {(_literal_depth(e)[0]) for e in node.elts}
    if len(found) != 1 or None in found:
        return None, None
    depth = found.pop()
    return (None if depth is None else depth + 1), node


def _literal_leaves(node: ast.expr) -> list[ast.expr]:
    if isinstance(node, ast.List | ast.Tuple):
        return [leaf for e in node.elts for leaf in _literal_leaves(e)]
    return [node]
