"""Helpers that generated code for other backends calls where the backend's namespace has
no function with NumPy's meaning (npgrad/backends.py, COMPAT, says which):

    NumPy code           Array API code (xp)        dask code
    np.shape(x)      ->  rt.shape_of(x)
    np.ndim(x)       ->  rt.ndim_of(x)
    np.size(x)       ->  rt.size_of(x)              rt.size_of(x)
    np.dot(a, b)     ->  rt.dot(a, b)               (matmul, tensordot or multiply by ndim)
    np.transpose(a)  ->  rt.transpose(a)            (reversed axes when none are given)
    np.result_type   ->  rt.result_type_of          (booleans promote as NumPy's do)
    g * (x > 0)      ->  g * rt.as_dtype(x > 0, rt.dtype_of(g))  (no arithmetic on booleans)
    a[i] = v         ->  a = rt.set_where(a, i, v)  (arrays that cannot be written in place)

Like every helper they are written against `np`, which for another backend is that
backend's helper namespace (npgrad.backends.HelperNamespace).
"""

from __future__ import annotations

from typing import Any

import numpy
import numpy as np

__all__ = [
    "as_dtype",
    "dot",
    "dtype_of",
    "is_complex",
    "ndim_of",
    "outer",
    "ravel",
    "result_type_of",
    "set_where",
    "swapaxes",
    "transpose",
]


def ndim_of(x: Any) -> int:
    """The number of dimensions of `x` (`np.ndim`)."""
    return len(np.shape(x))


def is_complex(x: Any) -> bool:
    """Whether `x` has a complex dtype (`np.iscomplexobj`)."""
    return bool(np.iscomplexobj(x))


def dot(a: Any, b: Any) -> Any:
    """`np.dot(a, b)`: a product with a scalar, matmul up to 2-D, else the last axis of `a`
    contracted with the second-to-last of `b`."""
    na, nb = np.ndim(a), np.ndim(b)
    if na == 0 or nb == 0:
        return a * b
    if na <= 2 and nb <= 2:
        return np.matmul(a, b)
    axis_b = 0 if nb == 1 else nb - 2
    return np.tensordot(a, b, axes=((na - 1,), (axis_b,)))


def transpose(a: Any, axes: Any = None) -> Any:
    """`np.transpose(a, axes)`: the axes reversed when `axes` is None."""
    order = tuple(range(np.ndim(a)))[::-1] if axes is None else tuple(axes)
    return np.permute_dims(a, order)


def swapaxes(a: Any, axis1: int, axis2: int) -> Any:
    """`np.swapaxes(a, axis1, axis2)`."""
    order = list(range(np.ndim(a)))
    i, j = axis1 % len(order), axis2 % len(order)
    order[i], order[j] = order[j], order[i]
    return np.permute_dims(a, tuple(order))


def outer(a: Any, b: Any) -> Any:
    """`np.outer(a, b)`: the flattened operands' outer product."""
    return np.reshape(a, (-1, 1)) * np.reshape(b, (1, -1))


def ravel(a: Any) -> Any:
    """`np.ravel(a)` in C order."""
    return np.reshape(a, (-1,))


def result_type_of(*xs: Any) -> Any:
    """`np.result_type(*xs)` where booleans promote as in NumPy (bool with float64 is
    float64); the standard's `result_type` refuses to mix booleans with numbers."""
    numbers = [x for x in xs if not _is_bool(x)]
    return np.result_type(*(numbers or xs))


def _is_bool(x: Any) -> bool:
    dtype = getattr(x, "dtype", None)
    if dtype is None:
        return isinstance(x, bool)
    if isinstance(dtype, numpy.dtype):
        return dtype.kind == "b"
    return bool(str(dtype).rpartition(".")[2] == "bool")


def dtype_of(like: Any) -> Any:
    """The dtype a boolean mask is cast to before arithmetic with `like` (the other operand),
    as NumPy's promotion gives it: `like`'s own dtype for an array (float32 stays float32),
    the default float (complex) dtype for a Python number."""
    dtype = getattr(like, "dtype", None)
    if dtype is not None and not _is_bool(like):
        return dtype
    return np.complex128 if isinstance(like, complex) else np.float64


def as_dtype(mask: Any, dtype: Any) -> Any:
    """A boolean `mask` as `dtype` for arithmetic (`np.astype`); a Python or NumPy bool is
    the int 0 or 1 (the standard's arrays take Python ints, not bools), a NumPy array stays
    as it is (host data, where NumPy does the arithmetic)."""
    if isinstance(mask, bool | numpy.bool_):
        return int(mask)
    if isinstance(mask, numpy.ndarray | numpy.generic) or not hasattr(mask, "dtype"):
        return mask
    return np.astype(mask, dtype)


def set_where(a: Any, idx: Any, v: Any) -> Any:
    """`a` with `a[idx] = v`, built without writing into an array (`where` over a mask made
    from the index), for namespaces whose arrays cannot be written in place. `idx` is an
    int, a slice, `...` or a tuple of them; an array index raises a TypeError."""
    parts = idx if isinstance(idx, tuple) else (idx,)
    if sum(p is Ellipsis for p in parts) > 1:
        raise IndexError("an index can only have a single ellipsis ('...')")
    shape = tuple(np.shape(a))
    if any(p is Ellipsis for p in parts):
        at = next(i for i, p in enumerate(parts) if p is Ellipsis)
        fill = (slice(None),) * (len(shape) - len(parts) + 1)
        parts = parts[:at] + fill + parts[at + 1 :]
    parts = parts + (slice(None),) * (len(shape) - len(parts))
    if len(parts) > len(shape):
        raise IndexError(f"too many indices for an array of {len(shape)} dimensions")
    block: list[int] = []  # the shape of a[idx]
    selects, positions = [], []
    for part, n in zip(parts, shape, strict=True):
        if isinstance(part, slice):
            chosen = list(range(*part.indices(n)))
            block.append(len(chosen))
        elif isinstance(part, int | numpy.integer) and not isinstance(part, bool):
            if not -n <= int(part) < n:
                raise IndexError(f"index {int(part)} is out of bounds for axis of size {n}")
            chosen = [int(part) % n]
        else:
            raise TypeError(
                f"npgrad writes a[idx] = v without in-place writes only for int, slice and "
                f"... indices, not {type(part).__name__}"
            )
        where = numpy.zeros(n, dtype=bool)
        place = numpy.zeros(n, dtype=numpy.int64)
        where[chosen] = True
        place[chosen] = numpy.arange(len(chosen))
        selects.append(where)
        positions.append(place)
    mask = numpy.ones(shape, dtype=bool)
    for axis, where in enumerate(selects):
        mask = mask & where.reshape((-1,) + (1,) * (len(shape) - axis - 1))
    if not isinstance(v, type(a)):
        v = _on(a, v, a.dtype)
    elif v.dtype != a.dtype:
        v = np.astype(v, a.dtype)
    v = np.broadcast_to(v, tuple(block))
    if not mask.any():
        return a
    for axis, part in enumerate(parts):
        if not isinstance(part, slice):
            v = np.expand_dims(v, axis=axis)
    for axis, place in enumerate(positions):  # spread the block over a's shape
        v = np.take(v, _on(a, place), axis=axis)
    return np.where(_on(a, mask), v, a)


def _on(a: Any, host: Any, dtype: Any = None) -> Any:
    """Host data `host` as an array of `a`'s library."""
    if isinstance(a, numpy.ndarray):
        return numpy.asarray(host, dtype=dtype)
    return a.__array_namespace__().asarray(host, dtype=dtype)
