"""Writes into arrays as values: the forms normalization gives NumPy's in-place updates.

    out[i] = v               ->   out_1 = rt.setitem(out, i, v)
    np.add.at(acc, idx, v)   ->   acc_1 = rt.add_at(acc, idx, v)
    np.put(a, ind, v)        ->   a_1 = rt.put(a, ind, v)

Each returns the written array as a new value (a copy of `a` with the write done), so
every version the reverse sweep reads stays as it was; the optimize pass turns a write
back into an in-place one where nothing reads the old version (transforms/writes.py).
The `*_grad` helpers are the adjoints the reverse sweep calls.
"""

from __future__ import annotations

from typing import Any

import numpy
import numpy as np

__all__ = [
    "add_at",
    "at_grad",
    "at_plan",
    "cleared",
    "put",
    "put_cleared",
    "put_grad",
    "setitem",
    "setitem_grad",
    "snapshot",
    "subtract_at",
]


def _writable(a: Any) -> bool:
    """An array (NumPy's or another backend's); not a Python or NumPy scalar."""
    scalar = isinstance(a, numpy.generic)  # `numpy`, not `np`: the same on every backend
    return hasattr(a, "__setitem__") and hasattr(a, "copy") and not scalar


def setitem(a: Any, idx: Any, v: Any) -> Any:
    """`a` with `a[idx] = v`, as a new array. Lists and dicts are written in place, as
    Python does; `x[...] = v` on a number (`x += 1` with `x` a float) is `v`."""
    if isinstance(a, list | dict):
        a[idx] = v
        return a
    if not _writable(a):
        if idx is Ellipsis:
            return v
        a[idx] = v  # raises as the user's own code would
    out = a.copy()
    out[idx] = v
    return out


def add_at(a: Any, idx: Any, v: Any) -> Any:
    """`np.add.at(a, idx, v)` on a copy of `a`: repeated indices accumulate."""
    out = a.copy()
    np.add.at(out, idx, v)
    return out


def subtract_at(a: Any, idx: Any, v: Any) -> Any:
    """`np.subtract.at(a, idx, v)` on a copy of `a`."""
    out = a.copy()
    np.subtract.at(out, idx, v)
    return out


class _AtPlan:
    """`rt.at_plan[kind, shape, idx, vshape, adtype, vdtype]`: read with a subscript rather
    than called, so that npgrad's analyses see a read (a call of a helper they cannot see
    into may change its arguments); see `_at_plan`."""

    def __getitem__(self, key: tuple[Any, ...]) -> Any:
        return _at_plan(*key)


at_plan = _AtPlan()


def _at_plan(kind: str, shape: Any, idx: Any, vshape: Any, adtype: Any, vdtype: Any) -> Any:
    """The layout `np.multiply.at(a, idx, v)` (divide, maximum, minimum) is lowered to
    (transforms/writes.py): `(written, sel, gather, mask, fill)`. `written` marks the
    elements of `a` written at least once (np.nonzero lists them in C order, row `r` below);
    `sel` has the shape of `a[idx]`, which `v` broadcasts to; row `r` of the integer
    table `gather` lists the positions (in the raveled occurrences) of the values written to
    place `r`, `mask` marks the positions used and `fill` is the padding (1, or the lowest or
    highest value). Raises where NumPy's own call would (a bad index, a `v` that does not
    broadcast), and for an integer `a` with values of another kind, whose rounding after
    each occurrence the lowering would not reproduce."""
    adtype = np.dtype(adtype)
    if adtype.kind in "biu" and np.result_type(adtype, vdtype) != adtype:
        raise TypeError(
            f"np.{kind}.at into an array of {adtype} with values of {np.dtype(vdtype)}: "
            "NumPy casts back to the integers after every occurrence, which npgrad does "
            f"not reproduce; make the array floating point (`a.astype(float)`) first"
        )
    shape = tuple(shape)
    sel = np.reshape(np.arange(int(np.prod(shape)), dtype=np.intp), shape)[idx]
    occurrences = np.shape(sel)  # `sel`: the flat place of each occurrence
    if np.broadcast_shapes(tuple(vshape), occurrences) != occurrences:
        raise ValueError(
            f"{kind}.at: values of shape {tuple(vshape)} do not broadcast to the indexed "
            f"shape {occurrences}"
        )
    flat = np.ravel(sel)
    order = np.argsort(flat, kind="stable")
    unique, start, counts = np.unique(flat[order], return_index=True, return_counts=True)
    width = int(counts.max()) if counts.size else 1
    row = np.repeat(np.arange(unique.size), counts)
    col = np.arange(flat.size) - np.repeat(start, counts)
    if not flat.size:  # np.prod's and np.max's adjoints of an empty table fail
        raise ValueError(
            f"np.{kind}.at with an index that selects nothing: npgrad cannot differentiate "
            "this call (it changes nothing); skip it when the index is empty"
        )
    gather = np.zeros((unique.size, width), dtype=np.intp)
    mask = np.zeros((unique.size, width), dtype=bool)
    gather[row, col] = order
    mask[row, col] = True
    fill: Any = 1
    if kind in ("maximum", "minimum"):
        vdtype = np.dtype(vdtype)
        if vdtype.kind in "iu":
            info = np.iinfo(vdtype)
            fill = int(info.min if kind == "maximum" else info.max)
        elif vdtype.kind == "b":
            fill = kind == "minimum"
        else:
            fill = -np.inf if kind == "maximum" else np.inf
    written = np.zeros(shape, dtype=bool)
    written.flat[unique] = True  # np.nonzero(written) lists the places in `unique`'s order
    return written, sel, gather, mask, fill


def put(a: Any, ind: Any, v: Any) -> Any:
    """`np.put(a, ind, v)` on a copy of `a` (flat indices; `v` repeats to fill `ind`)."""
    out = a.copy()
    np.put(out, ind, v)
    return out


# ----- adjoints ---------------------------------------------------------------------------


def _fancy(idx: Any) -> bool:
    """Does `idx` contain an integer array (which may repeat an index)?"""
    for part in idx if isinstance(idx, tuple) else (idx,):
        if isinstance(part, list) or hasattr(part, "dtype") and np.ndim(part) > 0:
            if np.asarray(part).dtype.kind != "b":
                return True
    return False


def _to_shape(part: Any, v: Any) -> Any:
    """Sum `part` (the slot `v` was broadcast to) down to the shape of `v`."""
    shape = np.shape(v)
    if np.shape(part) == shape:
        return part
    extra = max(len(shape) - np.ndim(part), 0)  # `a[0:2] = ones((1, 2))`: leading ones
    target = shape[extra:]
    lead = np.ndim(part) - len(target)
    pshape = np.shape(part)
    axes = tuple(range(lead)) + tuple(
        lead + i for i, n in enumerate(target) if n == 1 and pshape[lead + i] != 1
    )
    if axes:
        part = np.sum(part, axis=axes)
    return np.reshape(part, shape)


def _winners(shape: tuple[int, ...], idx: Any, slot: tuple[int, ...]) -> Any:
    """Where several elements of `v` go to one place, the one NumPy's write kept."""
    count = int(np.prod(slot))
    position = np.full(shape, -1, dtype=np.intp)
    order = np.reshape(np.arange(count, dtype=np.intp), slot)
    position[idx] = order
    return position[idx] == order


def setitem_grad(g: Any, idx: Any, v: Any) -> Any:
    """The adjoint of `v` in `a[idx] = v`: `g[idx]`, zero for elements a later duplicate
    index overwrote, summed down to `v`'s shape. Always a new array."""
    part = g[idx]
    if _fancy(idx):
        part = np.where(_winners(np.shape(g), idx, np.shape(part)), part, 0)
    elif hasattr(part, "copy"):
        part = part.copy()  # a view of g, which the caller may clear next
    return _to_shape(part, v)


def at_grad(g: Any, idx: Any, v: Any) -> Any:
    """The adjoint of `v` in `np.add.at(a, idx, v)`: every occurrence reads its place."""
    part = g[idx]
    return _to_shape(part.copy() if hasattr(part, "copy") else part, v)


def cleared(g: Any, idx: Any) -> Any:
    """The adjoint of `a` in `a[idx] = v`: `g` with the overwritten places zero (a copy)."""
    out = g.copy()
    out[idx] = 0
    return out


def put_grad(g: Any, ind: Any, v: Any) -> Any:
    """The adjoint of `v` in `np.put(a, ind, v)`: flat places, the last duplicate wins,
    `v` repeated to the length of `ind` folds back onto itself."""
    flat_ind = np.ravel(np.asarray(ind)) % max(np.size(g), 1)
    n = np.size(flat_ind)
    winners = _winners((np.size(g),), flat_ind, (n,))
    part = np.where(winners, np.ravel(g)[flat_ind], 0)
    size = max(np.size(v), 1)
    folded = np.zeros(size, dtype=np.result_type(part))
    np.add.at(folded, np.arange(n) % size, part)
    return np.reshape(folded, np.shape(v))


def put_cleared(g: Any, ind: Any) -> Any:
    """The adjoint of `a` in `np.put(a, ind, v)`: `g` with the written places zero."""
    out = g.copy()
    np.put(out, ind, 0)
    return out


def snapshot(x: Any) -> Any:
    """A copy of an array read from an array that is later written in place (a basic index
    gives a view); numbers are already copies."""
    return x.copy() if hasattr(x, "copy") and not isinstance(x, numpy.generic) else x
