"""The few helpers that generated gradient code imports, and nothing else.

Generated code refers to this module as `rt`. Each helper is written against the array
namespace `np` so that a backend can supply the same helpers for its own arrays.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np


def seed(ans: Any) -> Any:
    """The adjoint of the output: a one of its dtype, once we know it is a real scalar."""
    check_scalar(ans)
    return np.ones_like(ans)


def check_scalar(ans: Any) -> None:
    """Refuse outputs that are not one real number (arrays, tuples, complex values)."""
    if np.ndim(ans) != 0:
        _not_scalar(ans)
    if np.iscomplexobj(ans):
        raise TypeError("npgrad differentiates real-valued functions; the output is complex")


def _not_scalar(ans: Any) -> None:
    from npgrad.errors import NonScalarOutputError

    shape = getattr(ans, "shape", None)
    what = f"an array of shape {shape}" if shape is not None else type(ans).__name__
    raise NonScalarOutputError(
        f"grad needs a function that returns a scalar, but it returned {what}",
        None,
        "reduce the output to a scalar (np.sum, np.mean, a norm), or use npgrad.jacobian "
        "or npgrad.vjp for a function with an array output",
    )


def shape_of(*xs: Any) -> tuple[int, ...]:
    """The shape NumPy broadcasting gives `xs` together."""
    first = np.shape(xs[0])
    shapes = [np.shape(x) for x in xs[1:]]
    if all(s == first for s in shapes):
        return first
    return np.broadcast_shapes(first, *shapes)


def size_of(*xs: Any) -> int:
    """The number of elements of an array shaped like `xs` broadcast together."""
    return math.prod(shape_of(*xs))


def unbroadcast(g: Any, *like: Any) -> Any:
    """Sum `g` down to the shape of `like` (several: their broadcast shape), undoing NumPy
    broadcasting. Returns `g` untouched when the shapes already match."""
    gshape = np.shape(g)
    if all(np.shape(x) == gshape for x in like):
        return g
    shape = shape_of(*like)
    lead = len(gshape) - len(shape)
    axes = tuple(range(lead)) + tuple(
        lead + i for i, n in enumerate(shape) if n == 1 and gshape[lead + i] != 1
    )
    g = np.sum(g, axis=axes, keepdims=True) if axes else g
    return np.reshape(g, shape)


def grad_like(g: Any, x: Any) -> Any:
    """The final gradient for argument `x`: its shape, its floating dtype, a fresh array
    (or a Python float for a Python float), zeros where nothing flowed back (g is None).

    A complex `g` for a real `x` (complex intermediates on the way: x * 1j, np.fft) is
    the adjoint under JAX's convention, dL/da - 1j * dL/db, so the gradient is its real
    part."""
    if g is None:
        return 0.0 if isinstance(x, float | int) else np.zeros_like(x)
    if np.shape(g) != np.shape(x):
        raise RuntimeError(
            f"npgrad internal error: a gradient of shape {np.shape(g)} for an argument of "
            f"shape {np.shape(x)}; please report this with the function's source"
        )
    if np.iscomplexobj(g) and not np.iscomplexobj(x):
        g = np.real(g)
    if isinstance(x, float | int):
        return float(g)
    dtype = np.result_type(x)
    if not isinstance(x, np.ndarray):
        return dtype.type(g)
    if not isinstance(g, np.ndarray) or g.dtype != dtype or _shared(g):
        g = np.array(g, dtype=dtype)  # a copy; not a view into the real part of a complex array
    return g


def _shared(g: Any) -> bool:
    """Is `g` a read-only or broadcast view, or a view of a complex array's real part?
    (Works for NumPy and CuPy arrays; arrays without flags, like Dask's, are never shared.)"""
    flags = getattr(g, "flags", None)
    if flags is None:
        return False
    if not getattr(flags, "writeable", 0 not in getattr(g, "strides", ()) or g.size <= 1):
        return True
    base = getattr(g, "base", None)
    return isinstance(base, np.ndarray) and base.dtype.kind == "c" and g.dtype.kind != "c"


def shell(x: Any) -> Any:
    """A stand-in with the shape and dtype of `x` and no data (a broadcast zero): what the
    tape keeps of a value whose shape alone the reverse sweep reads."""
    if np.size(x) < 4096:
        return x  # small: keeping it costs less than replacing it
    return np.broadcast_to(np.zeros((), dtype=np.result_type(x)), np.shape(x))


def unreduce(g: Any, x: Any, axis: Any = None, keepdims: bool = False) -> Any:
    """Broadcast the adjoint of a reduction over `axis` back to the shape of `x`."""
    if axis is not None and not keepdims:
        axes = (axis,) if np.ndim(axis) == 0 else tuple(axis)
        g = np.expand_dims(g, tuple(a % np.ndim(x) for a in axes))
    return np.broadcast_to(g, np.shape(x))


def reduced_size(x: Any, axis: Any = None) -> int:
    """How many elements a reduction over `axis` combines into each result."""
    if axis is None:
        return np.size(x)
    axes = (axis,) if np.ndim(axis) == 0 else tuple(axis)
    shape = np.shape(x)
    return int(np.prod([shape[a] for a in axes]))


def chooser(g: Any, ans: Any, x: Any, axis: Any = None, keepdims: bool = False) -> Any:
    """Adjoint of max/min: the gradient goes to the chosen elements, split evenly among ties."""
    ans_full = unreduce(ans, x, axis, keepdims)
    mask = x == ans_full
    count = np.sum(mask, axis=axis, keepdims=True)
    return unreduce(g, x, axis, keepdims) * mask / count


def _reduced_last(x: Any, axis: Any) -> tuple[tuple[int, ...], int]:
    """The permutation of x's axes that puts the reduced ones last, and how many it keeps."""
    nd = x.ndim
    axes = (
        tuple(range(nd))
        if axis is None
        else tuple(a % nd for a in ((axis,) if np.ndim(axis) == 0 else axis))
    )
    rest = tuple(i for i in range(nd) if i not in axes)
    return rest + axes, len(rest)


def prod_vjp(g: Any, x: Any, axis: Any = None, keepdims: bool = False) -> Any:
    """Adjoint of prod, exact where x has zeros: products of all other elements, formed
    from exclusive cumulative products taken from both ends."""
    x = np.asarray(x)
    order, kept = _reduced_last(x, axis)
    moved = np.transpose(x, order)
    if moved.size == 0:  # nothing to multiply: the gradient is empty (or of empty products)
        return unreduce(g, x, axis, keepdims) * np.zeros_like(x)
    flat = np.reshape(moved, moved.shape[:kept] + (-1,))
    one = np.ones_like(flat[..., :1])
    left = np.cumprod(np.concatenate([one, flat[..., :-1]], axis=-1), axis=-1)
    right = np.cumprod(np.concatenate([one, flat[..., :0:-1]], axis=-1), axis=-1)[..., ::-1]
    others = np.reshape(left * right, moved.shape)
    back = np.transpose(others, np.argsort(order))
    return unreduce(g, x, axis, keepdims) * back


def prod_vjp_tangent(g: Any, x: Any, t: Any, axis: Any = None, keepdims: bool = False) -> Any:
    """The derivative of `prod_vjp(g, x, axis, keepdims)` in x along `t`: `g` times, for
    each element, the sum over the other elements i of t_i times the product of the rest.
    The Hessian of a product is symmetric, so this is also its adjoint with respect to x
    for the cotangent `t`. Exact where x has zeros: the exclusive products from both ends
    and their derivatives, by the product rule one element at a time."""
    x = np.asarray(x)
    t = np.broadcast_to(t, x.shape)
    order, kept = _reduced_last(x, axis)
    moved = np.transpose(x, order)
    flat = np.reshape(moved, moved.shape[:kept] + (-1,))
    tflat = np.reshape(np.transpose(t, order), flat.shape)
    n = flat.shape[-1]
    dtype = np.result_type(flat, tflat)
    left, dleft = np.ones(flat.shape, dtype), np.zeros(flat.shape, dtype)
    right, dright = np.ones(flat.shape, dtype), np.zeros(flat.shape, dtype)
    for j in range(1, n):  # left[j] = prod x[:j]; right[n-1-j] = prod x[n-j:]
        left[..., j] = left[..., j - 1] * flat[..., j - 1]
        i, k = j - 1, n - j  # the element joining each product
        dleft[..., j] = dleft[..., i] * flat[..., i] + left[..., i] * tflat[..., i]
        right[..., k - 1] = right[..., k] * flat[..., k]
        dright[..., k - 1] = dright[..., k] * flat[..., k] + right[..., k] * tflat[..., k]
    others = np.reshape(dleft * right + left * dright, moved.shape)
    back = np.transpose(others, np.argsort(order))
    return unreduce(g, x, axis, keepdims) * back


# ----- products -------------------------------------------------------------------


def matmul_lhs(g: Any, a: Any, b: Any) -> Any:
    """Adjoint of `a @ b` with respect to `a` (1-D and batched operands included)."""
    if np.ndim(b) == 1:
        da = np.multiply.outer(g, b) if np.ndim(a) > 1 else g * b
    elif np.ndim(a) == 1:
        da = np.matmul(b, g) if np.ndim(b) == 2 else np.matmul(b, g[..., None])[..., 0]
    else:
        da = np.matmul(g, np.swapaxes(b, -1, -2))
    return unbroadcast(da, a)


def matmul_rhs(g: Any, a: Any, b: Any) -> Any:
    """Adjoint of `a @ b` with respect to `b`."""
    if np.ndim(a) == 1:
        db = np.multiply.outer(a, g) if np.ndim(b) > 1 else g * a
    elif np.ndim(b) == 1:
        db = np.matmul(g, a) if np.ndim(a) == 2 else np.matmul(g[..., None, :], a)[..., 0, :]
    else:
        db = np.matmul(np.swapaxes(a, -1, -2), g)
    return unbroadcast(db, b)


def dot_lhs(g: Any, a: Any, b: Any) -> Any:
    """Adjoint of `np.dot(a, b)` with respect to `a`."""
    if np.ndim(a) == 0 or np.ndim(b) == 0:
        return unbroadcast(g * b, a)
    if np.ndim(b) == 1:
        return np.multiply.outer(g, b)
    # dot contracts the last axis of a with the second-to-last of b:
    # g has shape a.shape[:-1] + b.shape[:-2] + b.shape[-1:]
    nb = np.ndim(b)
    g_axes = tuple(range(np.ndim(a) - 1, np.ndim(g)))
    b_axes = tuple(i for i in range(nb) if i != nb - 2)
    return np.tensordot(g, b, (g_axes, b_axes))


def dot_rhs(g: Any, a: Any, b: Any) -> Any:
    """Adjoint of `np.dot(a, b)` with respect to `b`."""
    if np.ndim(a) == 0 or np.ndim(b) == 0:
        return unbroadcast(g * a, b)
    if np.ndim(b) == 1:
        return np.tensordot(a, g, (tuple(range(np.ndim(a) - 1)), tuple(range(np.ndim(g)))))
    na = np.ndim(a)
    lead = tuple(range(na - 1))
    gd = np.tensordot(a, g, (lead, lead))  # (k,) + b.shape[:-2] + (m,)
    return np.moveaxis(gd, 0, -2)


# ----- shape ----------------------------------------------------------------------


def zip_length(*lengths: int) -> int:
    """The one length of the arguments of `zip(..., strict=True)`; ValueError as zip's."""
    for k, n in enumerate(lengths[1:], 2):
        if n != lengths[0]:
            longer = "longer" if n > lengths[0] else "shorter"
            raise ValueError(f"zip() argument {k} is {longer} than argument 1")
    return lengths[0]


def unconcatenate(g: Any, arrays: list[Any], axis: int | None = 0) -> list[Any]:
    """The pieces of `g` that came from each of `arrays` in np.concatenate(arrays, axis)."""
    if axis is None:
        sizes = [math.prod(np.shape(a)) for a in arrays]
        flat = np.reshape(g, (-1,))
        return [
            np.reshape(flat[start : start + n], np.shape(a))
            for start, n, a in zip(_starts(sizes), sizes, arrays, strict=True)
        ]
    sizes = [np.shape(a)[axis] for a in arrays]
    lead = (slice(None),) * (axis % np.ndim(g))
    return [
        g[(*lead, slice(start, start + n), ...)]
        for start, n in zip(_starts(sizes), sizes, strict=True)
    ]


def _starts(sizes: list[int]) -> list[int]:
    """Where each of pieces of `sizes` starts: 0, sizes[0], sizes[0] + sizes[1], ..."""
    starts, total = [], 0
    for n in sizes:
        starts.append(total)
        total += n
    return starts


# Helpers for each group of rules live in their own module (they may use the core helpers
# above) and are re-exported here, so generated code calls them all as `rt.<name>`.
from .batch import *  # noqa: E402, F403
from .calls import *  # noqa: E402, F403
from .compat import *  # noqa: E402, F403
from .fft import *  # noqa: E402, F403
from .inplace import *  # noqa: E402, F403
from .linalg import *  # noqa: E402, F403
from .lists import *  # noqa: E402, F403
from .products import *  # noqa: E402, F403
from .reductions import *  # noqa: E402, F403
from .scalars import *  # noqa: E402, F403
from .shape import *  # noqa: E402, F403
from .special import *  # noqa: E402, F403
from .tangents import *  # noqa: E402, F403
