"""Runtime helpers for the shape and layout rules (see transforms/rules/shape.py).

Each helper computes one adjoint that does not fit in one readable NumPy expression. They
take the incoming adjoint `g` first, then the primal arguments they need, and are written
against `np` only.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from . import unbroadcast, unconcatenate

__all__ = [
    "unrollaxis",
    "unrepeat",
    "untile",
    "unpad",
    "unpad_constant_values",
    "unsplit",
    "unvstack",
    "unhstack",
    "undstack",
    "uncolumn_stack",
    "undiagonal",
    "unsort",
    "unpartition",
    "untake",
    "untake_along_axis",
    "uncompress",
    "unselect",
    "unselect_default",
    "undiff",
    "ungradient",
    "ungradient_spacing",
    "uninterp",
    "refuse_interp_period",
    "unconvolve",
    "uncorrelate",
]


def _axis(axis: int, ndim: int) -> int:
    return axis + ndim if axis < 0 else axis


def _bincount(index: Any, weights: Any, length: int) -> Any:
    """Sums of `weights` per index, as floats (np.bincount gives ints when it is empty)."""
    return np.bincount(np.ravel(index), np.ravel(weights), length).astype(float, copy=False)


# ----- axes -------------------------------------------------------------------------


def unrollaxis(g: Any, axis: int, start: int = 0) -> Any:
    """Adjoint of np.rollaxis(a, axis, start): move the rolled axis back to `axis`."""
    n = np.ndim(g)
    axis = _axis(axis, n)
    start = _axis(start, n)
    moved_to = start - 1 if axis < start else start
    return np.moveaxis(g, moved_to, axis)


# ----- repetition -------------------------------------------------------------------


def unrepeat(g: Any, a: Any, repeats: Any, axis: int | None = None) -> Any:
    """Adjoint of np.repeat(a, repeats, axis): sum each run of copies back into the element
    it came from (axis None: `a` was flattened first)."""
    shape = np.shape(a)
    if axis is None:
        flat = unrepeat(g, np.ravel(a), repeats, 0)
        return np.reshape(flat, shape)
    axis = _axis(axis, len(shape))
    n = shape[axis]
    g = np.moveaxis(np.asarray(g), axis, 0)
    if np.size(repeats) == 1:  # the same count for every element: a reshape and a sum
        r = int(np.ravel(repeats)[0])
        out = np.sum(np.reshape(g, (n, r, *g.shape[1:])), axis=1)
    else:
        out = np.zeros((n, *g.shape[1:]), dtype=np.result_type(g, float))
        np.add.at(out, np.repeat(np.arange(n), repeats), g)
    return np.moveaxis(out, 0, axis)


def untile(g: Any, A: Any, reps: Any) -> Any:
    """Adjoint of np.tile(A, reps): sum the tiles, each of A's (promoted) shape."""
    reps = (int(reps),) if np.ndim(reps) == 0 else tuple(int(r) for r in reps)
    shape = np.shape(A)
    d = max(len(shape), len(reps))
    full_shape = (1,) * (d - len(shape)) + shape
    full_reps = (1,) * (d - len(reps)) + reps
    interleaved = [n for pair in zip(full_reps, full_shape, strict=True) for n in pair]
    g = np.sum(np.reshape(g, interleaved), axis=tuple(range(0, 2 * d, 2)))
    return np.reshape(g, shape)


# ----- padding ----------------------------------------------------------------------


def _pad_pairs(pad_width: Any, ndim: int) -> list[tuple[int, int]]:
    """pad_width in every form np.pad takes, as one (before, after) pair per axis."""
    if isinstance(pad_width, dict):
        pairs = [(0, 0)] * ndim
        for axis, width in pad_width.items():
            pairs[axis] = (width, width) if np.ndim(width) == 0 else tuple(width)
        pad_width = pairs
    x = np.round(np.asarray(pad_width)).astype(np.intp)
    if x.ndim < 3 and x.size == 1:
        x = np.broadcast_to(np.ravel(x)[0], (ndim, 2))
    elif x.ndim < 3 and x.size == 2 and x.shape != (2, 1):
        x = np.broadcast_to(np.ravel(x), (ndim, 2))
    x = np.broadcast_to(x, (ndim, 2))
    return [(int(b), int(a)) for b, a in x]


def unpad(g: Any, array: Any, pad_width: Any, mode: Any = "constant") -> Any:
    """Adjoint of np.pad(array, pad_width, mode) with respect to `array`.

    constant/empty: the padded border gets no gradient, so this is a slice of `g`. The
    modes that copy elements (edge, reflect, symmetric, wrap): every padded element adds its
    adjoint to the element it copies, found by padding an array of flat indices the same way.
    """
    shape = np.shape(array)
    if mode in ("constant", "empty"):
        pairs = _pad_pairs(pad_width, len(shape))
        return g[tuple(slice(b, b + n) for (b, _), n in zip(pairs, shape, strict=True))]
    if mode not in ("edge", "reflect", "symmetric", "wrap"):
        raise NotImplementedError(
            f"npgrad differentiates np.pad with modes constant, empty, edge, reflect, "
            f"symmetric and wrap, not {mode!r}"
        )
    size = math.prod(shape)
    source = np.pad(np.reshape(np.arange(size), shape), pad_width, mode)
    flat = _bincount(source, g, size)
    return np.reshape(flat, shape)


def unpad_constant_values(g: Any, array: Any, pad_width: Any, constant_values: Any) -> Any:
    """Adjoint of np.pad(array, pad_width, constant_values=c) with respect to `c`.

    Each (axis, side) slot of `c` fills the elements np.pad writes it to (later axes win at
    the corners, as in np.pad); its adjoint is the sum of `g` there."""
    ndim = np.ndim(array)
    zeros = np.zeros(np.shape(array))
    slots = np.zeros((ndim, 2))
    for axis in range(ndim):
        for side in range(2):
            onehot = np.zeros((ndim, 2))
            onehot[axis, side] = 1.0
            mask = np.pad(zeros, pad_width, "constant", constant_values=onehot)
            slots[axis, side] = np.sum(g * mask)
    c = np.asarray(constant_values)
    if c.ndim < 3 and c.size == 1:
        return np.reshape(np.sum(slots), c.shape)
    if c.ndim < 3 and c.size == 2 and c.shape != (2, 1):
        return np.reshape(np.sum(slots, axis=0), c.shape)
    return unbroadcast(slots, c)


# ----- splitting and joining ----------------------------------------------------------


def unsplit(g: tuple[Any, ...], ans: list[Any], axis: int = 0) -> Any:
    """Adjoint of np.split / np.array_split: the parts' adjoints joined back along `axis`,
    zeros for the parts nothing flowed back to (None, or past the end of `g`; forward mode
    differentiating the gradient passes np.zeros_like(None), a 0-d object array, for a None)."""
    parts = [
        g[k] if k < len(g) and not _nothing(g[k]) else np.zeros_like(piece)
        for k, piece in enumerate(ans)
    ]
    return np.concatenate(parts, axis=axis)


def _nothing(g: Any) -> bool:
    return g is None or np.ndim(g) == 0 and np.asarray(g).dtype == object


def _unjoin(g: Any, promoted: list[Any], originals: Any, axis: int) -> list[Any]:
    sizes = [np.shape(p)[axis] for p in promoted]
    pieces = np.split(g, np.cumsum(sizes)[:-1], axis=axis)
    return [np.reshape(p, np.shape(a)) for p, a in zip(pieces, originals, strict=True)]


def unvstack(g: Any, tup: Any) -> list[Any]:
    """Adjoints of the arrays of np.vstack(tup), each in its own shape."""
    return _unjoin(g, [np.atleast_2d(a) for a in tup], tup, 0)


def unhstack(g: Any, tup: Any) -> list[Any]:
    """Adjoints of the arrays of np.hstack(tup), each in its own shape."""
    promoted = [np.atleast_1d(a) for a in tup]
    return _unjoin(g, promoted, tup, 0 if promoted and promoted[0].ndim == 1 else 1)


def undstack(g: Any, tup: Any) -> list[Any]:
    """Adjoints of the arrays of np.dstack(tup), each in its own shape."""
    return _unjoin(g, [np.atleast_3d(a) for a in tup], tup, 2)


def uncolumn_stack(g: Any, tup: Any) -> list[Any]:
    """Adjoints of the arrays of np.column_stack(tup): 1-D arrays were columns."""
    promoted = [np.array(a, copy=None, ndmin=2).T if np.ndim(a) < 2 else a for a in tup]
    return _unjoin(g, promoted, tup, 1)


# ----- diagonals --------------------------------------------------------------------


def undiagonal(g: Any, a: Any, offset: int = 0, axis1: int = 0, axis2: int = 1) -> Any:
    """Adjoint of np.diagonal(a, offset, axis1, axis2) (and of np.diag of a 2-D array):
    zeros of a's shape with `g` written along the diagonal (g's last axis)."""
    out = np.zeros(np.shape(a), dtype=np.result_type(g, float))
    view = np.moveaxis(out, (axis1, axis2), (-2, -1))
    i = np.arange(np.shape(g)[-1])
    rows, cols = (i, i + offset) if offset >= 0 else (i - offset, i)
    view[..., rows, cols] = g
    return out


# ----- sorting and selecting ----------------------------------------------------------


def _scatter_along_axis(g: Any, a: Any, perm: Any, axis: int | None) -> Any:
    """out with out[perm[i]] = g[i] along `axis` (axis None: over the flattened `a`)."""
    if axis is None:
        out = np.zeros(np.size(a), dtype=np.result_type(g, float))
        out[perm] = g
        return np.reshape(out, np.shape(a))
    out = np.zeros(np.shape(a), dtype=np.result_type(g, float))
    np.put_along_axis(out, perm, g, axis)
    return out


def unsort(g: Any, a: Any, axis: int | None = -1) -> Any:
    """Adjoint of np.sort(a, axis): each sorted element's adjoint goes back to where it came
    from, along the stable argsort permutation (ties keep their original order)."""
    flat = np.ravel(a) if axis is None else a
    perm = np.argsort(flat, axis=-1 if axis is None else axis, kind="stable")
    return _scatter_along_axis(g, a, perm, axis)


def unpartition(g: Any, ans: Any, a: Any, kth: Any, axis: int | None = -1) -> Any:
    """Adjoint of np.partition(a, kth, axis), routed by np.argpartition(a, kth, axis).

    Should np.argpartition place some elements differently from np.partition, the values of
    `ans` are matched to those of `a` through their stable sorting orders instead (equal
    values in their original order), so the permutation always reproduces `ans`."""
    flat = np.ravel(a) if axis is None else np.asarray(a)
    ax = -1 if axis is None else axis
    perm = np.argpartition(flat, kth, axis=ax)
    if not np.array_equal(np.take_along_axis(flat, perm, axis=ax), ans, equal_nan=True):
        from_a = np.argsort(flat, axis=ax, kind="stable")
        from_ans = np.argsort(ans, axis=ax, kind="stable")
        perm = np.empty_like(from_a)
        np.put_along_axis(perm, from_ans, from_a, axis=ax)
    return _scatter_along_axis(g, a, perm, axis)


def untake(g: Any, a: Any, indices: Any, axis: int | None = None, mode: str = "raise") -> Any:
    """Adjoint of np.take(a, indices, axis, mode): adjoints of repeated indices add up."""
    shape = np.shape(a)
    n = math.prod(shape) if axis is None else shape[_axis(axis, len(shape))]
    indices = np.asarray(indices).astype(np.intp, copy=False)
    if mode == "wrap":
        indices = indices % n
    elif mode == "clip":
        indices = np.clip(indices, 0, n - 1)
    if axis is None:
        out = np.zeros(n, dtype=np.result_type(g, float))
        np.add.at(out, indices, g)
        return np.reshape(out, shape)
    out = np.zeros(shape, dtype=np.result_type(g, float))
    np.add.at(out, (slice(None),) * _axis(axis, len(shape)) + (indices,), g)
    return out


def untake_along_axis(g: Any, arr: Any, indices: Any, axis: int | None = -1) -> Any:
    """Adjoint of np.take_along_axis(arr, indices, axis): adjoints of repeated indices add
    up (axis None: over the flattened `arr`)."""
    if axis is None:
        out = np.zeros(np.size(arr), dtype=np.result_type(g, float))
        np.add.at(out, indices, g)
        return np.reshape(out, np.shape(arr))
    shape = np.shape(arr)
    axis = _axis(axis, len(shape))
    indices = np.asarray(indices)
    index = tuple(
        indices
        if d == axis
        else np.reshape(np.arange(n), (1,) * d + (n,) + (1,) * (len(shape) - d - 1))
        for d, n in enumerate(shape)
    )
    out = np.zeros(shape, dtype=np.result_type(g, float))
    np.add.at(out, index, np.broadcast_to(g, np.broadcast_shapes(*(np.shape(i) for i in index))))
    return out


def uncompress(g: Any, condition: Any, a: Any, axis: int | None = None) -> Any:
    """Adjoint of np.compress(condition, a, axis): `g` back at the kept positions."""
    return untake(g, a, np.flatnonzero(condition), axis)


def _select_masks(g: Any, condlist: Any) -> list[Any]:
    """Where each choice of np.select was taken (its condition is the first true one)."""
    shape = np.shape(g)
    taken = np.zeros(shape, dtype=bool)
    masks = []
    for cond in condlist:
        cond = np.broadcast_to(cond, shape)
        masks.append(cond & ~taken)
        taken = taken | cond
    masks.append(~taken)  # the default
    return masks


def unselect(g: Any, condlist: Any, choicelist: Any, k: int) -> Any:
    """Adjoint of np.select(condlist, choicelist, default) with respect to choicelist[k]:
    `g` where that choice was taken (its condition is the first true one), summed down to
    the choice's shape."""
    return unbroadcast(np.where(_select_masks(g, condlist)[k], g, 0.0), choicelist[k])


def unselect_default(g: Any, condlist: Any, default: Any) -> Any:
    """Adjoint of np.select(condlist, choicelist, default) with respect to `default`: `g`
    where no condition holds, summed down to default's shape."""
    return unbroadcast(np.where(_select_masks(g, condlist)[-1], g, 0.0), default)


# ----- differences ------------------------------------------------------------------


def undiff(
    g: Any, a: Any, n: int = 1, axis: int = -1, prepend: Any = None, append: Any = None
) -> tuple[Any, Any, Any]:
    """Adjoints of np.diff(a, n, axis, prepend, append) with respect to a, prepend and
    append (None for those not given). One difference y[i] = c[i+1] - c[i] has adjoint
    dc[j] = g[j-1] - g[j]; n differences apply it n times."""
    a = np.asarray(a)
    axis = _axis(axis, a.ndim)
    parts = [a]
    if prepend is not None:
        shape = list(a.shape)
        shape[axis] = 1
        parts.insert(0, np.broadcast_to(prepend, shape) if np.ndim(prepend) == 0 else prepend)
    if append is not None:
        shape = list(a.shape)
        shape[axis] = 1
        parts.append(np.broadcast_to(append, shape) if np.ndim(append) == 0 else append)
    g = np.asarray(g)
    width = [(0, 0)] * g.ndim
    length = sum(np.shape(p)[axis] for p in parts)
    for _ in range(min(n, length)):  # n >= length: the result was empty
        before, after = list(width), list(width)
        before[axis], after[axis] = (1, 0), (0, 1)
        g = np.pad(g, before) - np.pad(g, after)
    pieces = unconcatenate(g, parts, axis)
    dprepend = unbroadcast(pieces.pop(0), prepend) if prepend is not None else None
    dappend = unbroadcast(pieces.pop(), append) if append is not None else None
    return pieces[0], dprepend, dappend


def _gradient_spacing(varargs: Any, axes: tuple[int, ...]) -> list[Any]:
    """The spacing np.gradient uses for each of `axes`: a scalar or coordinate array."""
    if len(varargs) == 0:
        return [1.0] * len(axes)
    if len(varargs) == 1 and np.ndim(varargs[0]) == 0:
        return [varargs[0]] * len(axes)
    if len(varargs) != len(axes):
        raise TypeError("invalid number of arguments")
    return list(varargs)


def _gradient_axis_vjp(g: Any, spacing: Any, edge_order: int) -> Any:
    """Adjoint of np.gradient along axis 0 of `g`'s primal with one spacing."""
    n = g.shape[0]
    out = np.zeros(g.shape, dtype=np.result_type(g, float))
    col = (slice(None),) + (None,) * (g.ndim - 1)  # coefficients along axis 0
    if np.ndim(spacing) == 0:
        dx = np.full(n - 1, float(spacing))
    else:
        dx = np.diff(np.asarray(spacing, dtype=float))
    # interior: out[i] = a f[i-1] + b f[i] + c f[i+1]
    dx1, dx2 = dx[:-1], dx[1:]
    a = -dx2 / (dx1 * (dx1 + dx2))
    b = (dx2 - dx1) / (dx1 * dx2)
    c = dx1 / (dx2 * (dx1 + dx2))
    gi = g[1:-1]
    out[:-2] += a[col] * gi
    out[1:-1] += b[col] * gi
    out[2:] += c[col] * gi
    # edges: out[0] and out[-1] are combinations of the first / last few points
    if edge_order == 1:
        first = ((0, -1.0 / dx[0]), (1, 1.0 / dx[0]))
        last = ((n - 2, -1.0 / dx[-1]), (n - 1, 1.0 / dx[-1]))
    else:
        d1, d2 = dx[0], dx[1]
        first = (
            (0, -(2.0 * d1 + d2) / (d1 * (d1 + d2))),
            (1, (d1 + d2) / (d1 * d2)),
            (2, -d1 / (d2 * (d1 + d2))),
        )
        d1, d2 = dx[-2], dx[-1]
        last = (
            (n - 3, d2 / (d1 * (d1 + d2))),
            (n - 2, -(d2 + d1) / (d1 * d2)),
            (n - 1, (2.0 * d2 + d1) / (d2 * (d1 + d2))),
        )
    for i, w in first:
        out[i] += w * g[0]
    for i, w in last:
        out[i] += w * g[-1]
    return out


def _gradient_axes(ndim: int, axis: Any) -> tuple[int, ...]:
    if axis is None:
        return tuple(range(ndim))
    return tuple(_axis(ax, ndim) for ax in ((axis,) if np.ndim(axis) == 0 else axis))


def _gradient_parts(g: Any, count: int) -> list[Any]:
    """The adjoints of np.gradient's results: one array, or one per axis (a tuple/list with
    None where nothing flowed back, possibly shorter, or an array stacking them)."""
    parts = [g] if count == 1 else list(g)
    return parts + [None] * (count - len(parts))


def ungradient(g: Any, f: Any, varargs: Any = (), axis: Any = None, edge_order: int = 1) -> Any:
    """Adjoint of np.gradient(f, *varargs, axis, edge_order) with respect to f (uniform
    spacing or coordinate arrays, edge_order 1 or 2)."""
    f = np.asarray(f)
    axes = _gradient_axes(f.ndim, axis)
    spacing = _gradient_spacing(varargs, axes)
    out = np.zeros(f.shape, dtype=np.result_type(f, float))
    for ax, h, gk in zip(axes, spacing, _gradient_parts(g, len(axes)), strict=True):
        if gk is None:
            continue
        moved = np.moveaxis(np.broadcast_to(gk, f.shape), ax, 0)
        out += np.moveaxis(_gradient_axis_vjp(moved, h, edge_order), 0, ax)
    return out


def ungradient_spacing(g: Any, ans: Any, f: Any, varargs: Any, axis: Any, k: int) -> Any:
    """Adjoint of np.gradient(f, *varargs, axis) with respect to the scalar spacing
    varargs[k]: each result it divides is proportional to 1 / h."""
    h = varargs[k]
    if np.ndim(h) != 0:
        raise NotImplementedError(
            "npgrad differentiates np.gradient with respect to a scalar spacing, not to "
            "coordinate arrays"
        )
    axes = _gradient_axes(np.ndim(f), axis)
    outs = [ans] if len(axes) == 1 else list(ans)
    which = range(len(axes)) if len(varargs) == 1 else [k]
    parts = _gradient_parts(g, len(axes))
    return -sum(np.sum(parts[i] * outs[i]) for i in which if parts[i] is not None) / h


# ----- interpolation ------------------------------------------------------------------


def uninterp(
    g: Any, x: Any, xp: Any, fp: Any, left: Any = None, right: Any = None, period: Any = None
) -> tuple[Any, Any, Any, Any, Any]:
    """Adjoints of np.interp(x, xp, fp, left, right, period) with respect to x, xp, fp,
    left and right (None for left/right when not given).

    Inside [xp[0], xp[-1]] the result is fp[j] + s * (x - xp[j]) with s the slope of the
    segment [xp[j], xp[j+1]] that np.interp picks (xp[j] <= x < xp[j+1]); at a breakpoint x
    takes the slope to its right (0 at xp[-1], beyond which the result is constant).
    """
    x = np.asarray(x, dtype=float)
    xp = np.asarray(xp, dtype=float)
    fp = np.asarray(fp, dtype=float)
    g = np.broadcast_to(np.asarray(g, dtype=float), x.shape)
    if period is not None:
        period = abs(float(period))
        x = x % period
        order = np.argsort(xp % period, kind="stable")
        xs = (xp % period)[order]
        fs = fp[order]
        xe = np.concatenate((xs[-1:] - period, xs, xs[:1] + period))
        fe = np.concatenate((fs[-1:], fs, fs[:1]))
        dx, dxe, dfe, _, _ = uninterp(g, x, xe, fe)
        dxs = dxe[1:-1].copy()
        dfs = dfe[1:-1].copy()
        dxs[-1] += dxe[0]
        dfs[-1] += dfe[0]
        dxs[0] += dxe[-1]
        dfs[0] += dfe[-1]
        dxp = np.zeros_like(xp)
        dfp = np.zeros_like(fp)
        dxp[order] = dxs
        dfp[order] = dfs
        return dx, dxp, dfp, None, None
    m = xp.shape[0]
    below = x < xp[0]
    above = x > xp[-1]
    inside = ~below & ~above
    j = np.clip(np.searchsorted(xp, x, side="right") - 1, 0, m - 1)
    at_end = inside & (j == m - 1)  # x == xp[-1]: the result is fp[-1]
    seg = inside & ~at_end
    j1 = np.minimum(j + 1, m - 1)
    width = np.where(seg, xp[j1] - xp[j], 1.0)
    t = np.where(seg, (x - xp[j]) / width, 0.0)
    slope = np.where(seg, (fp[j1] - fp[j]) / width, 0.0)
    gs = np.where(seg, g, 0.0)
    dfp = _bincount(j[seg], (gs * (1 - t))[seg], m) + _bincount(j1[seg], (gs * t)[seg], m)
    dfp[-1] += np.sum(g[at_end])
    dxp = -_bincount(j[seg], (gs * slope * (1 - t))[seg], m)
    dxp -= _bincount(j1[seg], (gs * slope * t)[seg], m)
    dx = gs * slope
    dleft = np.sum(g[below])
    dright = np.sum(g[above])
    if left is None:
        dfp[0] += dleft
    if right is None:
        dfp[-1] += dright
    return (
        dx,
        dxp,
        dfp,
        None if left is None else dleft,
        None if right is None else dright,
    )


def refuse_interp_period() -> Any:
    """Stands for the adjoint of np.interp with respect to `period`, which npgrad does not
    compute: a gradient that would need it raises rather than leave it out."""
    raise NotImplementedError(
        "npgrad does not differentiate np.interp with respect to period; compute the period "
        "from values that are not differentiated"
    )


# ----- convolution ------------------------------------------------------------------


def _mode(mode: Any) -> int:
    return {"v": 0, "s": 1, "f": 2}[mode.lower()[0]] if isinstance(mode, str) else int(mode)


def _full_adjoint(g: Any, n: int, m: int, start: int) -> Any:
    """The adjoint of the full-length result, from that of its slice starting at `start`."""
    full = np.zeros(n + m - 1, dtype=np.result_type(g, float))
    full[start : start + np.shape(g)[0]] = g
    return full


def unconvolve(g: Any, a: Any, v: Any, mode: Any = "full") -> tuple[Any, Any]:
    """Adjoints of np.convolve(a, v, mode) with respect to a and v. The same and valid
    results are slices of the full one; for the full one, da = np.correlate(g, v, "valid")
    and dv = np.correlate(g, a, "valid")."""
    n, m = np.shape(a)[0], np.shape(v)[0]
    short = min(n, m)
    start = {0: short - 1, 1: (short - 1) - short // 2, 2: 0}[_mode(mode)]
    full = _full_adjoint(g, n, m, start)
    return np.correlate(full, v, "valid"), np.correlate(full, a, "valid")


def uncorrelate(g: Any, a: Any, v: Any, mode: Any = "valid") -> tuple[Any, Any]:
    """Adjoints of np.correlate(a, v, mode) with respect to a and v (real arrays). The
    full result is np.convolve(a, v[::-1]): da = np.convolve(g, v, "valid") and
    dv = np.correlate(g, a, "valid")[::-1]."""
    n, m = np.shape(a)[0], np.shape(v)[0]
    short = min(n, m)
    same = (m - 1) - m // 2 if n >= m else n // 2
    start = {0: short - 1, 1: same, 2: 0}[_mode(mode)]
    full = _full_adjoint(g, n, m, start)
    return np.convolve(full, v, "valid"), np.correlate(full, a, "valid")[::-1]
