"""Runtime helpers for the reductions rules (see transforms/rules/reductions.py).

Scans (cumprod), order statistics (quantile, percentile, median), weighted averages and
norms: the adjoints that take more than one readable expression.
"""

from __future__ import annotations

from typing import Any

import numpy as np

# the core helpers, defined in runtime/__init__.py before it imports this module
from . import reduced_size, unreduce

__all__ = [
    "divide_or_zero",
    "average_a",
    "average_weights",
    "average_a_tangent",
    "cumprod_vjp",
    "cumprod_vjp_adjoints",
    "cumprod_vjp_tangent_ans",
    "cumprod_vjp_tangent_a",
    "cumulative_sum_vjp",
    "cumulative_prod_vjp",
    "quantile_vjp",
    "quantile_q_vjp",
    "norm_vjp",
    "vector_norm_vjp",
    "matrix_norm_vjp",
    "norm_vjp_tangent",
    "vector_norm_vjp_tangent",
    "matrix_norm_vjp_tangent",
]


def _axes(ndim: int, axis: Any) -> tuple[int, ...]:
    """`axis` (None, an int or a tuple of ints) as a tuple of non-negative axes."""
    if axis is None:
        return tuple(range(ndim))
    axes = (axis,) if np.ndim(axis) == 0 else tuple(axis)
    return tuple(int(a) % ndim if ndim else int(a) for a in axes)


def divide_or_zero(g: Any, d: Any) -> Any:
    """g / d, and 0 where d is 0: the adjoint through a square root of a sum of squares
    (std, norms) where that sum is 0, the subgradient of least norm (as abs at 0)."""
    zero = np.equal(d, 0)
    return np.where(zero, 0, np.divide(g, np.where(zero, 1, d)))


# ----- weighted average -------------------------------------------------------------


def _weights_like(a: Any, axis: Any, weights: Any) -> Any:
    """`weights` shaped to broadcast against `a`, as np.average does (1-D weights along one
    axis, or weights shaped like `a` along a tuple of axes)."""
    w = np.asarray(weights)
    if w.shape == np.shape(a):
        return w
    axes = _axes(np.ndim(a), axis)
    w = np.transpose(w, np.argsort(axes))
    return np.reshape(w, tuple(n if i in axes else 1 for i, n in enumerate(np.shape(a))))


def average_a(g: Any, a: Any, axis: Any, weights: Any, keepdims: bool = False) -> Any:
    """Adjoint of np.average(a, axis, weights) with respect to `a`: each element's share
    weights[i] / sum(weights) of the adjoint of its average (1 / count without weights)."""
    if weights is None:
        return unreduce(g, a, axis, keepdims) / reduced_size(a, axis)
    w = _weights_like(a, axis, weights)
    total = np.sum(w, axis=_axes(np.ndim(a), axis), keepdims=True)
    return np.broadcast_to(unreduce(g, a, axis, keepdims) * (w / total), np.shape(a))


def average_a_tangent(
    tweights: Any, g: Any, a: Any, axis: Any, weights: Any, keepdims: bool = False
) -> Any:
    """The tangent of average_a(g, a, axis, weights, keepdims) through its weights: with
    w / W each element's share (W the sum of the weights over `axis`), d(w / W) = dw / W -
    w * dW / W**2."""
    w, tw = _weights_like(a, axis, weights), _weights_like(a, axis, tweights)
    axes = _axes(np.ndim(a), axis)
    total = np.sum(w, axis=axes, keepdims=True)
    dtotal = np.sum(tw, axis=axes, keepdims=True)
    share = (tw - w * (dtotal / total)) / total
    return np.broadcast_to(unreduce(g, a, axis, keepdims) * share, np.shape(a))


def average_weights(
    g: Any, ans: Any, a: Any, axis: Any, weights: Any, keepdims: bool = False
) -> Any:
    """Adjoint of np.average(a, axis, weights) with respect to `weights`:
    (a - average) / sum(weights), summed back to the weights' own shape."""
    w = _weights_like(a, axis, weights)
    axes = _axes(np.ndim(a), axis)
    total = np.sum(w, axis=axes, keepdims=True)
    full = unreduce(g, a, axis, keepdims) * (a - unreduce(ans, a, axis, keepdims)) / total
    if np.shape(weights) == np.shape(a):
        return full
    rest = tuple(i for i in range(np.ndim(a)) if i not in axes)
    summed = np.sum(full, axis=rest)  # the weights' axes, in increasing order
    return np.transpose(summed, np.argsort(np.argsort(axes)))


# ----- scans ------------------------------------------------------------------------


def cumprod_vjp(g: Any, ans: Any, a: Any, axis: Any = None) -> Any:
    """Adjoint of np.cumprod(a, axis), exact where `a` has zeros.

    Before the first zero of a row, d a_i = sum_{j >= i} g_j ans_j / a_i (a reverse
    cumulative sum). At the first zero z, d a_z = sum_{j >= z} g_j prod_{k <= j, k != z} a_k,
    the cumulative product with a_z replaced by one. After it, every product that holds a_i
    also holds a_z = 0, so d a_i = 0.
    """
    a = np.asarray(a)
    if axis is None:
        flat = cumprod_vjp(np.ravel(g), np.ravel(ans), np.ravel(a), 0)
        return np.reshape(flat, a.shape)
    am = np.moveaxis(a, axis, -1)
    gm = np.moveaxis(np.asarray(g), axis, -1)
    outm = np.moveaxis(np.asarray(ans), axis, -1)
    n = am.shape[-1]
    if am.size == 0:
        return np.zeros(a.shape)
    zero = am == 0
    first = np.where(np.any(zero, axis=-1), np.argmax(zero, axis=-1), n)[..., None]
    k = np.arange(n)
    before = k < first
    rev = np.flip(np.cumsum(np.flip(gm * outm, -1), axis=-1), -1)
    d = np.where(before, rev / np.where(before, am, 1), 0)
    at = k == first
    if np.any(at):
        skipped = np.cumprod(np.where(at, 1, am), axis=-1)
        at_zero = np.sum(np.where(k >= first, gm * skipped, 0), axis=-1, keepdims=True)
        d = np.where(at, at_zero, d)
    return np.moveaxis(d, -1, axis)


def _cumprod_flat(x: Any, axis: Any) -> Any:
    x = np.asarray(x)
    return np.moveaxis(np.ravel(x) if axis is None else x, 0 if axis is None else axis, -1)


def _cumprod_back(x: Any, axis: Any, like: Any) -> Any:
    return np.reshape(np.moveaxis(x, -1, 0 if axis is None else axis), np.shape(like))


def _no_zeros(a: Any) -> None:
    """cumprod_vjp switches formulas at the first zero of a row, where its value (a function
    of g, ans and a, each an argument of its own) jumps: no derivative exists there."""
    if np.any(np.asarray(a) == 0):
        raise NotImplementedError(
            "npgrad differentiates the gradient of np.cumprod again only where the array has "
            "no zeros"
        )


def cumprod_vjp_adjoints(h: Any, g: Any, ans: Any, a: Any, axis: Any = None) -> Any:
    """The adjoints of g, ans and a in sum(h * cumprod_vjp(g, ans, a, axis)), each of the
    three an argument of its own, where `a` has no zeros: d_i = R_i / a_i with R the reverse
    cumulative sum of g * ans, so with C the cumulative sum of h / a, g_j gets ans_j C_j,
    ans_j gets g_j C_j and a_i gets -h_i R_i / a_i**2."""
    _no_zeros(a)
    hm, gm, am = _cumprod_flat(h, axis), _cumprod_flat(g, axis), _cumprod_flat(a, axis)
    outm = _cumprod_flat(ans, axis)
    c = np.cumsum(hm / am, axis=-1)
    rev = np.flip(np.cumsum(np.flip(gm * outm, -1), axis=-1), -1)
    return (
        _cumprod_back(outm * c, axis, g),
        _cumprod_back(gm * c, axis, ans),
        _cumprod_back(-hm * rev / am**2, axis, a),
    )


def cumprod_vjp_tangent_ans(tans: Any, g: Any, ans: Any, a: Any, axis: Any = None) -> Any:
    """The tangent of cumprod_vjp(g, ans, a, axis) through `ans` (no zeros in a): the
    reverse cumulative sum of g * tans, over a."""
    _no_zeros(a)
    gm, tm, am = _cumprod_flat(g, axis), _cumprod_flat(tans, axis), _cumprod_flat(a, axis)
    rev = np.flip(np.cumsum(np.flip(gm * tm, -1), axis=-1), -1)
    return _cumprod_back(rev / am, axis, a)


def cumprod_vjp_tangent_a(ta: Any, g: Any, ans: Any, a: Any, axis: Any = None) -> Any:
    """The tangent of cumprod_vjp(g, ans, a, axis) through `a` (no zeros in a): -d * ta / a."""
    _no_zeros(a)
    gm, tm, am = _cumprod_flat(g, axis), _cumprod_flat(ta, axis), _cumprod_flat(a, axis)
    outm = _cumprod_flat(ans, axis)
    rev = np.flip(np.cumsum(np.flip(gm * outm, -1), axis=-1), -1)
    return _cumprod_back(-rev * tm / am**2, axis, a)


def _drop_initial(g: Any, axis: Any) -> Any:
    axis = 0 if axis is None else axis
    return np.delete(g, 0, axis=axis)


def cumulative_sum_vjp(g: Any, x: Any, axis: Any = None, include_initial: bool = False) -> Any:
    """Adjoint of np.cumulative_sum: a reverse cumulative sum (the leading zero of
    include_initial=True depends on nothing)."""
    g = _drop_initial(g, axis) if include_initial else g
    axis = 0 if axis is None else axis
    return np.reshape(np.flip(np.cumsum(np.flip(g, axis), axis), axis), np.shape(x))


def cumulative_prod_vjp(
    g: Any, ans: Any, x: Any, axis: Any = None, include_initial: bool = False
) -> Any:
    """Adjoint of np.cumulative_prod, exact with zeros (see cumprod_vjp)."""
    if include_initial:
        g, ans = _drop_initial(g, axis), _drop_initial(ans, axis)
    return np.reshape(cumprod_vjp(g, ans, x, 0 if axis is None else axis), np.shape(x))


# ----- order statistics -------------------------------------------------------------


def _sorted_rows(a: Any, axis: Any) -> tuple[Any, Any, tuple[int, ...], tuple[int, ...]]:
    """The reduced axes of `a` moved last and flattened into one: (rows, stable argsort
    order of each row (NaNs last), the kept axes, the reduced axes)."""
    a = np.asarray(a)
    axes = _axes(a.ndim, axis)
    rest = tuple(i for i in range(a.ndim) if i not in axes)
    moved = np.transpose(a, rest + axes)
    rows = np.reshape(moved, moved.shape[: len(rest)] + (-1,))
    return rows, np.argsort(rows, axis=-1, kind="stable"), rest, axes


def _check_layout(g: Any, a: Any, q: Any, axes: tuple[int, ...], keepdims: bool) -> Any:
    """g reshaped to q.shape + the kept axes, once its shape is the one expected of the
    result (np.nanquantile with a q of 2 or more dimensions and a tuple of axes returns a
    result whose axes NumPy orders differently: refused rather than guessed)."""
    kept = tuple(1 if i in axes else n for i, n in enumerate(np.shape(a)))
    if not keepdims:
        kept = tuple(n for i, n in enumerate(np.shape(a)) if i not in axes)
    if np.shape(g) != np.shape(q) + kept:
        raise NotImplementedError(
            f"npgrad expected a quantile result of shape {np.shape(q) + kept}, not "
            f"{np.shape(g)} (NumPy orders the axes of np.nanquantile/np.nanpercentile "
            "differently when q has 2 or more dimensions and axis is a tuple)"
        )
    return np.reshape(g, np.shape(q) + tuple(n for i, n in enumerate(np.shape(a)) if i not in axes))


def _interpolation(rows: Any, q: Any, method: str, skip_nan: bool) -> tuple[Any, Any, Any, Any]:
    """For each q (leading axes) and row: the sorted positions lo and hi that method='linear'
    interpolates, the weight t of hi, and the number of values in the row."""
    if method != "linear":
        raise NotImplementedError(
            f"npgrad differentiates quantile/percentile with method='linear' only, "
            f"not method={method!r}"
        )
    n = rows.shape[-1]
    count = np.sum(~np.isnan(rows), axis=-1) if skip_nan else np.full(rows.shape[:-1], n)
    virtual = np.multiply.outer(np.asarray(q, dtype=float), count - 1)  # q.shape + rows
    lo = np.clip(np.floor(virtual), 0, max(n - 1, 0)).astype(np.intp)
    hi = np.minimum(lo + 1, np.maximum(count - 1, 0))
    return lo, hi, virtual - lo, count


def quantile_vjp(
    g: Any,
    a: Any,
    q: Any,
    axis: Any = None,
    keepdims: bool = False,
    method: str = "linear",
    skip_nan: bool = False,
) -> Any:
    """Adjoint of np.quantile(a, q, axis, method='linear') with respect to `a`
    (skip_nan: of np.nanquantile, which leaves NaNs out of each row).

    Each result interpolates two order statistics, s[lo] * (1 - t) + s[hi] * t; its adjoint
    goes to the elements that sort to positions lo and hi (ties in the stable argsort order).
    """
    a = np.asarray(a)
    q = np.asarray(q)
    rows, order, rest, axes = _sorted_rows(a, axis)
    lo, hi, t, count = _interpolation(rows, q, method, skip_nan)
    n = rows.shape[-1]
    size = rows.size
    g = np.where(count > 0, _check_layout(g, a, q, axes, keepdims), 0)
    at = np.reshape(np.arange(0, size, n), rows.shape[:-1]) if n else 0  # each row's start
    by_rank = np.bincount(np.ravel(at + lo), np.ravel(g * (1 - t)), size) + np.bincount(
        np.ravel(at + hi), np.ravel(g * t), size
    )  # the adjoint of each sorted position, summed over q
    by_rank = np.reshape(by_rank[:size], rows.shape)
    d_rows = np.empty_like(by_rank)
    np.put_along_axis(d_rows, order, by_rank, axis=-1)
    moved = np.reshape(d_rows, tuple(a.shape[i] for i in rest + axes))
    return np.transpose(moved, np.argsort(rest + axes))


def quantile_q_vjp(
    g: Any,
    a: Any,
    q: Any,
    axis: Any = None,
    keepdims: bool = False,
    method: str = "linear",
    skip_nan: bool = False,
) -> Any:
    """Adjoint of np.quantile(a, q, axis, method='linear') with respect to `q`: the slope
    (s[hi] - s[lo]) * (n - 1) of the interpolation (0 at q = 1)."""
    q = np.asarray(q)
    rows, order, _, axes = _sorted_rows(a, axis)
    lo, hi, _, count = _interpolation(rows, q, method, skip_nan)
    s = np.take_along_axis(rows, order, axis=-1)
    rows_shape = rows.shape[:-1]

    def pick(index: Any) -> Any:  # s at sorted positions `index` (q.shape + rows)
        flat = np.reshape(np.moveaxis(index, range(q.ndim), range(-q.ndim, 0)), rows_shape + (-1,))
        picked = np.take_along_axis(s, flat, axis=-1)
        return np.moveaxis(
            np.reshape(picked, rows_shape + q.shape), range(-q.ndim, 0), range(q.ndim)
        )

    slope = np.where(count > 0, (pick(hi) - pick(lo)) * (count - 1), 0)
    g = np.reshape(_check_layout(g, a, q, axes, keepdims), q.shape + rows_shape)
    return np.sum(g * slope, axis=tuple(range(q.ndim, q.ndim + len(rows_shape))))


# ----- norms --------------------------------------------------------------------------


def vector_norm_vjp(
    g: Any, ans: Any, x: Any, ord: Any = 2, axis: Any = None, keepdims: bool = False
) -> Any:
    """Adjoint of the vector norm of `x` over `axis` (None: all of `x`, as one vector).

    ord 2: x / norm; 1: sign(x); inf / -inf: sign(x) at the elements of largest / smallest
    magnitude, ties sharing evenly; 0 (a count): zero; other p: sign(x) (|x| / norm)^(p-1).
    Where the norm is 0 the gradient is 0 (as abs at 0).
    """
    x = np.asarray(x)
    g = unreduce(g, x, axis, keepdims)
    norm = unreduce(ans, x, axis, keepdims)
    safe = np.where(norm == 0, 1, norm)
    ord = 2 if ord is None else ord
    if ord == 2:
        return g * np.where(norm == 0, 0, x / safe)
    if ord == 1:
        return g * np.sign(x)
    if ord == 0:
        return g * np.zeros_like(x)
    if ord in (np.inf, -np.inf):
        mask = np.abs(x) == norm
        count = np.sum(mask, axis=_axes(x.ndim, axis), keepdims=True)
        return g * np.sign(x) * mask / count
    ratio = np.abs(x) / safe
    slope = np.where((x == 0) | (norm == 0), 0, ratio ** np.where(x == 0, 1, ord - 1))
    return g * np.sign(x) * slope


def matrix_norm_vjp(
    g: Any, ans: Any, x: Any, ord: Any = "fro", axis: Any = (-2, -1), keepdims: bool = False
) -> Any:
    """Adjoint of the matrix norm of `x` over the two axes `axis` (rows, columns).

    'fro': x / norm (0 where the norm is 0); 'nuc': U V^T; 2 / -2: the outer product of the
    singular vectors of the largest / smallest singular value; 1 / -1 (inf / -inf): sign(x)
    in the column (row) of largest / smallest absolute sum, ties sharing evenly.
    """
    x = np.asarray(x)
    row, col = _axes(x.ndim, axis)
    if ord is None or ord == "fro":
        return vector_norm_vjp(g, ans, x, 2, (row, col), keepdims)
    g = unreduce(g, x, (row, col), keepdims)
    if ord in ("nuc", 2, -2):
        u, _, vh = np.linalg.svd(np.moveaxis(x, (row, col), (-2, -1)), full_matrices=False)
        if ord == "nuc":
            d = u @ vh
        else:
            k = slice(0, 1) if ord == 2 else slice(-1, None)
            d = u[..., :, k] @ vh[..., k, :]
        return g * np.moveaxis(d, (-2, -1), (row, col))
    norm = unreduce(ans, x, (row, col), keepdims)
    if ord in (1, -1):
        summed, across = row, col  # column sums, the extreme column
    elif ord in (np.inf, -np.inf):
        summed, across = col, row  # row sums, the extreme row
    else:
        raise ValueError(f"invalid norm order {ord!r} for matrices")
    sums = np.sum(np.abs(x), axis=summed, keepdims=True)
    mask = sums == norm
    count = np.sum(mask, axis=across, keepdims=True)
    return g * np.sign(x) * mask / count


def norm_vjp(g: Any, ans: Any, x: Any, ord: Any = None, axis: Any = None, keepdims=False) -> Any:
    """Adjoint of np.linalg.norm(x, ord, axis, keepdims): a vector norm over one axis (or a
    1-D x), a matrix norm over two (or a 2-D x with ord given); ord=None with axis=None is
    the 2-norm of all of `x`, whatever its shape."""
    nd = np.ndim(x)
    if axis is None:
        if ord is None:
            return vector_norm_vjp(g, ans, x, 2, None, keepdims)
        axis = tuple(range(nd))
    axes = _axes(nd, axis)
    if len(axes) == 1:
        return vector_norm_vjp(g, ans, x, ord, axes, keepdims)
    return matrix_norm_vjp(g, ans, x, ord, axes, keepdims)


# ----- derivatives of the norms' adjoints (a gradient differentiated again) --------------


def vector_norm_vjp_tangent(
    g: Any, ans: Any, x: Any, tans: Any, tx: Any, ord: Any = 2, axis: Any = None,
    keepdims: bool = False,
) -> Any:  # fmt: skip
    """The derivative of `vector_norm_vjp(g, ans, x, ...)` along tangents `tans` of the norm
    and `tx` of x (None: zero), `g` held fixed. Its Jacobian in x is diagonal, so with `tx`
    a cotangent and `tans` None it is also the adjoint with respect to x.

    ord 2: d(x / norm); other p: (p - 1) (|x| / norm)^(p - 2) (tx - x tans / norm) / norm;
    1, inf, -inf, 0: the gradient is constant where it is differentiable: zero. 0 where x
    (for p) or the norm is 0, as the gradient there.
    """
    x = np.asarray(x)
    ord = 2 if ord is None else ord
    if ord in (1, 0, np.inf, -np.inf):
        return np.zeros_like(unreduce(g, x, axis, keepdims) * x)
    g = unreduce(g, x, axis, keepdims)
    norm = unreduce(ans, x, axis, keepdims)
    zero = norm == 0
    safe = np.where(zero, 1, norm)
    change = np.zeros_like(x, dtype=np.result_type(x, float)) if tx is None else tx
    if tans is not None:
        change = change - x * unreduce(tans, x, axis, keepdims) / safe
    if ord == 2:
        return g * np.where(zero, 0, change / safe)
    ratio = np.abs(x) / safe
    slope = np.where((x == 0) | zero, 0, np.where(x == 0, 1, ratio) ** (ord - 2))
    return g * (ord - 1) * slope * change / safe


def matrix_norm_vjp_tangent(
    g: Any, ans: Any, x: Any, tans: Any, tx: Any, ord: Any = "fro", axis: Any = (-2, -1),
    keepdims: bool = False,
) -> Any:  # fmt: skip
    """As vector_norm_vjp_tangent, for matrix norms: 'fro' is the 2-norm of the elements;
    1, -1, inf, -inf have a gradient constant where it is differentiable (zero); the
    derivatives of 'nuc', 2 and -2 (through the singular vectors) are not implemented."""
    x = np.asarray(x)
    row, col = _axes(x.ndim, axis)
    if ord is None or ord == "fro":
        return vector_norm_vjp_tangent(g, ans, x, tans, tx, 2, (row, col), keepdims)
    if ord in ("nuc", 2, -2):
        raise NotImplementedError(
            f"npgrad has no second derivative of the matrix norm with ord={ord!r} yet"
        )
    return np.zeros_like(unreduce(g, x, (row, col), keepdims) * x)


def norm_vjp_tangent(
    g: Any, ans: Any, x: Any, tans: Any, tx: Any, ord: Any = None, axis: Any = None,
    keepdims: bool = False,
) -> Any:  # fmt: skip
    """As vector_norm_vjp_tangent, for np.linalg.norm (dispatched as norm_vjp is)."""
    nd = np.ndim(x)
    if axis is None:
        if ord is None:
            return vector_norm_vjp_tangent(g, ans, x, tans, tx, 2, None, keepdims)
        axis = tuple(range(nd))
    axes = _axes(nd, axis)
    if len(axes) == 1:
        return vector_norm_vjp_tangent(g, ans, x, tans, tx, ord, axes, keepdims)
    return matrix_norm_vjp_tangent(g, ans, x, tans, tx, ord, axes, keepdims)
