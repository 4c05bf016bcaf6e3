"""Rules for the runtime helpers that generated code calls, so that npgrad can
differentiate its own output again: `grad(grad(f))`, `jvp` of a gradient.

    def grad_f(x):                      the gradient code reads `rt.seed(f)` (a constant
        f = np.tanh(x)                  one), and returns `rt.grad_like(dx, x)` (dx, cast
        df = rt.seed(f)                 like x): its own gradient is then an ordinary
        dx = df * (1 - f * f)           reverse sweep over NumPy operations.
        return rt.grad_like(dx, x)

`rt.grad_like`, `rt.unbroadcast` and `rt.unreduce` are linear in the adjoint they take;
`rt.matmul_lhs(g, a, b)` (the adjoint of `a` in `a @ b`) is bilinear in `g` and `b`, and
`rt.matmul_rhs(g, a, b)` in `g` and `a`: <matmul_rhs(g, a, b), h> = <a @ h, g>, so their
adjoints are products again; `rt.seed`, `rt.shape_of` and `rt.size_of` are constant.
"""

# Each rule is a template: names stand for the call's arguments and are inlined.

import numpy as np

from npgrad import runtime as rt

from .table import jvp, linear, nondiff, vjp


@vjp(rt.grad_like)
def grad_like(g, ans, gradient, x):
    return np.real(g), None


@jvp(of=grad_like)
def grad_like_jvp(tgradient, ans, gradient, x):
    return linear(tgradient)


@vjp(rt.unbroadcast)
def unbroadcast(g, ans, gradient, *like):
    return np.broadcast_to(g, np.shape(gradient)), None


@jvp(of=unbroadcast)
def unbroadcast_jvp(tgradient, ans, gradient, *like):
    return linear(tgradient)


@vjp(rt.unreduce)
def unreduce(g, ans, gradient, x, axis=None, keepdims=False):
    return (
        rt.unbroadcast(g, gradient) if axis is None else np.sum(g, axis, keepdims=keepdims),
        None,
    )


@jvp(of=unreduce)
def unreduce_jvp(tgradient, ans, gradient, x, axis=None, keepdims=False):
    return linear(tgradient)


@vjp(rt.matmul_lhs)
def matmul_lhs(g, ans, gradient, a, b):
    return rt.unbroadcast(g @ b, gradient), None, rt.matmul_rhs(gradient, g, b)


@jvp(of=matmul_lhs)
def matmul_lhs_jvp(tgradient, tb, ans, gradient, a, b):
    return rt.matmul_lhs(tgradient, a, b) + rt.matmul_lhs(gradient, a, tb)


@vjp(rt.matmul_rhs)
def matmul_rhs(g, ans, gradient, a, b):
    return rt.unbroadcast(a @ g, gradient), rt.matmul_lhs(gradient, a, g), None


@jvp(of=matmul_rhs)
def matmul_rhs_jvp(tgradient, ta, ans, gradient, a, b):
    return rt.matmul_rhs(tgradient, a, b) + rt.matmul_rhs(gradient, ta, b)


nondiff(rt.seed, rt.shape_of, rt.size_of)
