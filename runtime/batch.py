"""Helpers of batched JVPs (transforms/batch.py): every tangent carries a leading batch
axis of length k, one slice per seed, so `npgrad.jacobian` runs the JVP once for k seeds.

Indexing and writes move the batch axis to the end, where no index reaches it, apply the
index exactly as the unbatched code does, and move the axis back: NumPy's rules for where
advanced indices put their dimensions then see the same index as without a batch.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from . import shape_of


class NotBatched(Exception):
    """A batched form does not apply to these values (found at run time): the Jacobian
    runs the JVP once per seed instead."""


def _tail(idx: Any) -> tuple[Any, ...]:
    """The index as a tuple that leaves a last (batch) axis alone."""
    parts = idx if isinstance(idx, tuple) else (idx,)
    if any(p is Ellipsis for p in parts):
        return (*parts, slice(None))  # `...` would otherwise reach the batch axis
    return parts


def batch_getitem(t: Any, idx: Any) -> Any:
    """`t[idx]` for each slice `t[i]`, as one array with the batch axis first."""
    moved = np.moveaxis(np.asarray(t), 0, -1)
    return np.moveaxis(moved[_tail(idx)], -1, 0)


def batch_setitem(t: Any, idx: Any, v: Any) -> Any:
    """`rt.setitem(t[i], idx, v[i])` for each i (a new array): batched `t` and `v`."""
    out = np.array(t)
    np.moveaxis(out, 0, -1)[_tail(idx)] = np.moveaxis(np.asarray(v), 0, -1)
    return out


def batch_cleared(g: Any, idx: Any) -> Any:
    """`rt.cleared(g[i], idx)` for each i: a copy with the places `idx` zero."""
    out = np.array(g)
    np.moveaxis(out, 0, -1)[_tail(idx)] = 0
    return out


def batch_add_at(t: Any, idx: Any, v: Any, subtract: bool = False) -> Any:
    """`rt.add_at(t[i], idx, v[i])` (or subtract_at) for each i (a new array)."""
    out = np.array(t)
    moved = np.moveaxis(out, 0, -1)
    ufunc = np.subtract if subtract else np.add
    ufunc.at(moved, _tail(idx), np.moveaxis(np.asarray(v), 0, -1))
    return out


def batch_zeros(like: Any, k: int) -> Any:
    """Zeros shaped `(k,) + np.shape(like)`, of `like`'s dtype (float for Python numbers)."""
    return np.zeros_like(like, shape=(k, *np.shape(like)))


def batch_broadcast(value: Any, k: int) -> Any:
    """`value` for each of k seeds (a read-only view)."""
    return np.broadcast_to(value, (k, *np.shape(value)))


def batch_grad_like(t: Any, x: Any) -> Any:
    """`rt.grad_like(t[i], x)` for each i: the real part, cast to `x`'s dtype (a float
    array for a Python float)."""
    if np.shape(t)[1:] != np.shape(x):
        raise NotBatched(f"a gradient of shape {np.shape(t)[1:]} for shape {np.shape(x)}")
    if np.iscomplexobj(t) and not np.iscomplexobj(x):
        t = np.real(t)
    dtype = np.float64 if isinstance(x, float | int) else np.result_type(x)
    return np.array(t, dtype=dtype)


def batch_unbroadcast(t: Any, *like: Any) -> Any:
    """`rt.unbroadcast(t[i], *like)` for each i: sum down to `(k,) + shape_of(*like)`."""
    tshape = np.shape(t)[1:]
    shape = shape_of(*like)
    if tshape == shape:
        return t
    lead = len(tshape) - len(shape)
    axes = tuple(range(1, lead + 1)) + tuple(
        1 + lead + i for i, n in enumerate(shape) if n == 1 and tshape[lead + i] != 1
    )
    t = np.sum(t, axis=axes, keepdims=True) if axes else t
    return np.reshape(t, (np.shape(t)[0], *shape))


def batch_unreduce(t: Any, x: Any, axis: Any = None, keepdims: bool = False) -> Any:
    """`rt.unreduce(t[i], x, axis, keepdims)` for each i."""
    if axis is not None and not keepdims:
        axes = (axis,) if np.ndim(axis) == 0 else tuple(axis)
        t = np.expand_dims(t, tuple(1 + a % np.ndim(x) for a in axes))
    elif axis is None:
        t = np.reshape(t, (np.shape(t)[0],) + (1,) * np.ndim(x))
    return np.broadcast_to(t, (np.shape(t)[0], *np.shape(x)))


def batch_pad_width(width: Any, ndim: int) -> Any:
    """np.pad's `pad_width` for an array of `ndim` dimensions, with none for the batch axis
    (a dict {axis: width} gets its axes moved)."""
    if isinstance(width, dict):
        if not all(isinstance(a, int) and -ndim <= a < ndim for a in width):
            raise NotBatched("np.pad with an axis out of range")
        return {a + 1 if a >= 0 else a: w for a, w in width.items()}
    pairs = np.broadcast_to(np.asarray(width), (ndim, 2))
    if pairs.dtype.kind not in "iu":
        raise NotBatched("np.pad with widths that are not integers")
    return ((0, 0), *((int(a), int(b)) for a, b in pairs))


def batch_cotangent(g: Any, ans: Any) -> Any:
    """`rt.cotangent(g[i], ans)` for each i: the output's cotangents, shaped like it."""
    if np.shape(g)[1:] != np.shape(ans):
        raise NotBatched(f"cotangents of shape {np.shape(g)[1:]} for shape {np.shape(ans)}")
    return g


def batch_unconcatenate(g: Any, arrays: list[Any], axis: int | None = 0) -> list[Any]:
    """`rt.unconcatenate(g[i], arrays, axis)` for each i: the pieces of `g` that came from
    each of `arrays`, with the batch axis."""
    k = np.shape(g)[0]
    starts, pieces = 0, []
    if axis is None:
        flat = np.reshape(g, (k, -1))
        for a in arrays:
            n = int(np.size(a))
            pieces.append(np.reshape(flat[:, starts : starts + n], (k, *np.shape(a))))
            starts += n
        return pieces
    lead = (slice(None),) * (1 + axis % (np.ndim(g) - 1))
    for a in arrays:
        n = np.shape(a)[axis]
        pieces.append(g[(*lead, slice(starts, starts + n), ...)])
        starts += n
    return pieces


def batch_ndim(value: Any, ndim: int) -> None:
    """The batched code assumed a global array of `ndim` dimensions, as when it was made."""
    if np.ndim(value) != ndim:
        raise NotBatched(f"a global array now has {np.ndim(value)} dimensions, not {ndim}")


def batch_map(f: Callable[..., Any], *batched: Any) -> Any:
    """`f` applied to the i-th slice of each batched argument, for each i, stacked: the
    batched form of a call that has no vectorized one (exact, one call per seed)."""
    k = np.shape(batched[0])[0]
    results = [f(*(b[i] for b in batched)) for i in range(k)]
    if any(isinstance(r, tuple | list) for r in results):
        raise NotBatched("a call with several results")
    return np.stack([np.asarray(r) for r in results])


def batch_length(t: Any) -> int:
    """`len` of each slice of a batched value."""
    return int(np.shape(t)[1])


__all__ = [
    "NotBatched",
    "batch_add_at",
    "batch_broadcast",
    "batch_cleared",
    "batch_cotangent",
    "batch_getitem",
    "batch_grad_like",
    "batch_length",
    "batch_map",
    "batch_ndim",
    "batch_pad_width",
    "batch_setitem",
    "batch_unbroadcast",
    "batch_unconcatenate",
    "batch_unreduce",
    "batch_zeros",
]
