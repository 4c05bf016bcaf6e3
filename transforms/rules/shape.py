"""Shape and layout: transpose, reshape, ravel, expand_dims, squeeze, concatenate, stack,
array construction. (Indexing `x[idx]` is a statement-level rule in reverse.py.)"""

# ruff: noqa: E501
# Each rule is a template: names stand for the call's arguments and are inlined.

import numpy as np

from npgrad import runtime as rt

from .table import method, nondiff, vjp


@vjp(np.transpose)
def transpose(g, ans, a, axes=None):
    return np.transpose(g) if axes is None else np.transpose(g, np.argsort(axes))


@vjp(np.reshape)
def reshape(g, ans, a, shape=None):
    return np.reshape(g, np.shape(a))


@vjp(np.ravel, np.ndarray.flatten)
def ravel(g, ans, a):
    return np.reshape(g, np.shape(a))


@vjp(np.expand_dims)
def expand_dims(g, ans, a, axis):
    return np.reshape(g, np.shape(a))


@vjp(np.squeeze)
def squeeze(g, ans, a, axis=None):
    return np.reshape(g, np.shape(a))


@vjp(np.array, np.asarray, np.copy, np.ascontiguousarray, sequence="object", array_ok=True)
def array(g, ans, object, dtype=None, part=None):
    return g if part is None else g[part]


@vjp(np.concatenate, sequence="arrays")
def concatenate(g, ans, arrays, axis=0, part=None):
    return rt.unconcatenate(g, arrays, axis)[part]


@vjp(np.stack, sequence="arrays")
def stack(g, ans, arrays, axis=0, part=None):
    return np.moveaxis(g, axis, 0)[part]


@vjp(np.full, broadcasts=True)
def full(g, ans, shape, fill_value, dtype=None):
    return None, g


for _name, _func in [
    ("transpose", np.transpose),
    ("reshape", np.reshape),
    ("ravel", np.ravel),
    ("flatten", np.ndarray.flatten),
    ("squeeze", np.squeeze),
    ("copy", np.copy),
]:
    method(_name, _func)

nondiff(
    np.shape,
    np.ndim,
    np.size,
    np.zeros_like,
    np.ones_like,
    np.empty_like,
    np.zeros,
    np.ones,
    np.empty,
    np.eye,
    np.identity,
    np.result_type,
)
