"""Products: matmul (`@`), dot, outer. The 1-D and batched cases of matmul and dot live in
runtime helpers, so the inlined rule stays one line."""

# Each rule is a template: names stand for the call's arguments and are inlined.

import numpy as np

from npgrad import runtime as rt

from .table import method, vjp


@vjp(np.matmul)
def matmul(g, ans, x1, x2):
    return rt.matmul_lhs(g, x1, x2), rt.matmul_rhs(g, x1, x2)


@vjp(np.dot)
def dot(g, ans, a, b):
    return rt.dot_lhs(g, a, b), rt.dot_rhs(g, a, b)


@vjp(np.outer)
def outer(g, ans, a, b):
    return np.reshape(g @ np.ravel(b), np.shape(a)), np.reshape(np.ravel(a) @ g, np.shape(b))


method("dot", np.dot)
