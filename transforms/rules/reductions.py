"""Reductions: sum, mean, prod, max, min.

`rt.unreduce` broadcasts an adjoint back over the reduced axes. Ties in max/min share the
gradient evenly among the elements that attain the extreme (as JAX does).
"""

# ruff: noqa: E501
# Each rule is a template: names stand for the call's arguments and are inlined.

import numpy as np

from npgrad import runtime as rt

from .table import method, nondiff, vjp


@vjp(np.sum)
def sum(g, ans, a, axis=None, dtype=None, keepdims=False):
    return np.broadcast_to(g, np.shape(a)) if axis is None else rt.unreduce(g, a, axis, keepdims)


@vjp(np.mean)
def mean(g, ans, a, axis=None, dtype=None, keepdims=False):
    return (
        np.broadcast_to(g / np.size(a), np.shape(a))
        if axis is None
        else rt.unreduce(g, a, axis, keepdims) / rt.reduced_size(a, axis)
    )


@vjp(np.prod)
def prod(g, ans, a, axis=None, dtype=None, keepdims=False):
    return rt.prod_vjp(g, a, axis, keepdims)


@vjp(np.max, np.amax)
def max(g, ans, a, axis=None, keepdims=False):
    return rt.chooser(g, ans, a, axis, keepdims)


@vjp(np.min, np.amin)
def min(g, ans, a, axis=None, keepdims=False):
    return rt.chooser(g, ans, a, axis, keepdims)


for _name, _func in [
    ("sum", np.sum),
    ("mean", np.mean),
    ("prod", np.prod),
    ("max", np.max),
    ("min", np.min),
]:
    method(_name, _func)

nondiff(np.argmax, np.argmin, np.argsort, np.nonzero, np.count_nonzero, np.any, np.all)
for _name, _func in [
    ("argmax", np.argmax),
    ("argmin", np.argmin),
    ("argsort", np.argsort),
    ("nonzero", np.nonzero),
    ("any", np.any),
    ("all", np.all),
]:
    method(_name, _func)
