"""Helpers that generated code for other backends calls where the backend's namespace has
no function with NumPy's meaning (npgrad/backends.py, COMPAT, says which):

    NumPy code           Array API code (xp)        dask code
    np.shape(x)      ->  rt.shape_of(x)
    np.ndim(x)       ->  rt.ndim_of(x)
    np.size(x)       ->  rt.size_of(x)              rt.size_of(x)
    np.dot(a, b)     ->  rt.dot(a, b)               (matmul, tensordot or multiply by ndim)
    np.transpose(a)  ->  rt.transpose(a)            (reversed axes when none are given)

Like every helper they are written against `np`, which for another backend is that
backend's helper namespace (npgrad.backends.HelperNamespace).
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["dot", "is_complex", "ndim_of", "outer", "ravel", "swapaxes", "transpose"]


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
