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

What the tape of a gradient with loops keeps (transforms/untape.py splits it into lists):
`rt.snapshot(x)` is a copy of `x` (linear), `rt.shell(x)` stands in for a value the
gradient reads only for its shape (a constant: no derivative flows through a shape).

The other adjoints: of writes (setitem_grad, at_grad, put_grad, cleared, put_cleared), of
reductions (chooser, prod_vjp, divide_or_zero, the norms', quantile_vjp), of products
(dot, tensordot, inner, kron: bilinear) and digamma/polygamma. Each adjoint is linear in
the adjoint `g` it spreads, so its derivative in `g` is its transpose; its derivative in
the primal values is a helper of its own or zero where the rule is piecewise constant (the
choice of max, the order of a quantile), as the first derivative's own convention there.
The FFTs' and the shape functions' adjoints, linear in the adjoint, are in
generated_linear.py; the joins', selections', differences', convolutions', max/min's,
builtin sum's, np.average's, logsumexp's, einsum's and cumprod's in generated_more.py.
Helpers listed in none (the linear algebra's, cross's, np.gradient's, ...) have no rules: a
second derivative through them is refused at transform time.
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


# The adjoints of writes (transforms/writes.py) are linear in the adjoint they take; each
# one's transpose writes into zeros what it read: `rt.setitem_grad(g, idx, v)` reads
# g[idx] (where an index repeats, the place the write kept), `rt.at_grad` every occurrence,
# `rt.cleared`/`rt.put_cleared` zero the written places (a projection: its own transpose).


@vjp(rt.setitem_grad)
def setitem_grad(g, ans, gradient, idx, v):
    return rt.setitem(np.zeros_like(gradient), idx, g), None, None


@jvp(of=setitem_grad)
def setitem_grad_jvp(tgradient, ans, gradient, idx, v):
    return linear(tgradient)


@vjp(rt.at_grad)
def at_grad(g, ans, gradient, idx, v):
    return rt.add_at(np.zeros_like(gradient), idx, g), None, None


@jvp(of=at_grad)
def at_grad_jvp(tgradient, ans, gradient, idx, v):
    return linear(tgradient)


@vjp(rt.put_grad)
def put_grad(g, ans, gradient, ind, v):
    return rt.put(np.zeros_like(gradient), ind, g), None, None


@jvp(of=put_grad)
def put_grad_jvp(tgradient, ans, gradient, ind, v):
    return linear(tgradient)


@vjp(rt.cleared)
def cleared(g, ans, gradient, idx):
    return rt.cleared(g, idx), None


@jvp(of=cleared)
def cleared_jvp(tgradient, ans, gradient, idx):
    return linear(tgradient)


@vjp(rt.put_cleared)
def put_cleared(g, ans, gradient, ind):
    return rt.put_cleared(g, ind), None


@jvp(of=put_cleared)
def put_cleared_jvp(tgradient, ans, gradient, ind):
    return linear(tgradient)


@vjp(rt.snapshot)
def snapshot(g, ans, x):
    return (g,)


@jvp(of=snapshot)
def snapshot_jvp(tx, ans, x):
    return linear(tx)


# The adjoints of reductions: linear in the adjoint `g` they spread; the max/min choice
# (`rt.chooser`) is constant where it is differentiable (no ties); `rt.prod_vjp`'s
# derivative in x is `rt.prod_vjp_tangent` (the Hessian of a product is symmetric).


@vjp(rt.chooser)
def chooser(g, ans, gradient, value, x, axis=None, keepdims=False):
    return (
        np.sum(g * rt.chooser(np.ones_like(gradient), value, x, axis, keepdims), axis,
               keepdims=keepdims),
        None,
        None,
    )  # fmt: skip


@jvp(of=chooser)
def chooser_jvp(tgradient, ans, gradient, value, x, axis=None, keepdims=False):
    return linear(tgradient)


@vjp(rt.prod_vjp)
def prod_vjp(g, ans, gradient, x, axis=None, keepdims=False):
    return (
        np.sum(g * rt.prod_vjp(np.ones_like(gradient), x, axis, keepdims), axis,
               keepdims=keepdims),
        rt.prod_vjp_tangent(gradient, x, g, axis, keepdims),
    )  # fmt: skip


@jvp(of=prod_vjp)
def prod_vjp_jvp(tgradient, tx, ans, gradient, x, axis=None, keepdims=False):
    return rt.prod_vjp(tgradient, x, axis, keepdims) + rt.prod_vjp_tangent(
        gradient, x, tx, axis, keepdims
    )


@vjp(rt.divide_or_zero, broadcasts=True)
def divide_or_zero(g, ans, gradient, d):
    return rt.divide_or_zero(g, d), -rt.divide_or_zero(g * ans, d)


@jvp(of=divide_or_zero)
def divide_or_zero_jvp(tgradient, td, ans, gradient, d):
    return rt.divide_or_zero(tgradient, d) - rt.divide_or_zero(ans * td, d)


# The norms' adjoints: linear in the adjoint; in the norm and x, their derivatives are the
# rt.*norm_vjp_tangent helpers (diagonal in x: each is its own transpose there).


@vjp(rt.norm_vjp)
def norm_vjp(g, ans, gradient, value, x, ord=None, axis=None, keepdims=False):
    return (
        np.sum(g * rt.norm_vjp(np.ones_like(gradient), value, x, ord, axis, keepdims), axis,
               keepdims=keepdims),
        np.sum(g * rt.norm_vjp_tangent(gradient, value, x, np.ones_like(value), None, ord, axis,
                                       keepdims), axis, keepdims=keepdims),
        rt.norm_vjp_tangent(gradient, value, x, None, g, ord, axis, keepdims),
    )  # fmt: skip


@jvp(of=norm_vjp)
def norm_vjp_jvp(tgradient, tvalue, tx, ans, gradient, value, x, ord=None, axis=None,
                 keepdims=False):  # fmt: skip
    return (
        rt.norm_vjp(tgradient, value, x, ord, axis, keepdims)
        + rt.norm_vjp_tangent(gradient, value, x, tvalue, None, ord, axis, keepdims)
        + rt.norm_vjp_tangent(gradient, value, x, None, tx, ord, axis, keepdims)
    )


@vjp(rt.vector_norm_vjp)
def vector_norm_vjp(g, ans, gradient, value, x, ord=2, axis=None, keepdims=False):
    return (
        np.sum(g * rt.vector_norm_vjp(np.ones_like(gradient), value, x, ord, axis, keepdims),
               axis, keepdims=keepdims),
        np.sum(g * rt.vector_norm_vjp_tangent(gradient, value, x, np.ones_like(value), None, ord,
                                              axis, keepdims), axis, keepdims=keepdims),
        rt.vector_norm_vjp_tangent(gradient, value, x, None, g, ord, axis, keepdims),
    )  # fmt: skip


@jvp(of=vector_norm_vjp)
def vector_norm_vjp_jvp(tgradient, tvalue, tx, ans, gradient, value, x, ord=2, axis=None,
                        keepdims=False):  # fmt: skip
    return (
        rt.vector_norm_vjp(tgradient, value, x, ord, axis, keepdims)
        + rt.vector_norm_vjp_tangent(gradient, value, x, tvalue, None, ord, axis, keepdims)
        + rt.vector_norm_vjp_tangent(gradient, value, x, None, tx, ord, axis, keepdims)
    )


@vjp(rt.matrix_norm_vjp)
def matrix_norm_vjp(g, ans, gradient, value, x, ord="fro", axis=(-2, -1), keepdims=False):
    return (
        np.sum(g * rt.matrix_norm_vjp(np.ones_like(gradient), value, x, ord, axis, keepdims),
               axis, keepdims=keepdims),
        np.sum(g * rt.matrix_norm_vjp_tangent(gradient, value, x, np.ones_like(value), None, ord,
                                              axis, keepdims), axis, keepdims=keepdims),
        rt.matrix_norm_vjp_tangent(gradient, value, x, None, g, ord, axis, keepdims),
    )  # fmt: skip


@jvp(of=matrix_norm_vjp)
def matrix_norm_vjp_jvp(tgradient, tvalue, tx, ans, gradient, value, x, ord="fro",
                        axis=(-2, -1), keepdims=False):  # fmt: skip
    return (
        rt.matrix_norm_vjp(tgradient, value, x, ord, axis, keepdims)
        + rt.matrix_norm_vjp_tangent(gradient, value, x, tvalue, None, ord, axis, keepdims)
        + rt.matrix_norm_vjp_tangent(gradient, value, x, None, tx, ord, axis, keepdims)
    )


# `rt.quantile_vjp(g, a, q, ...)` is the transpose of quantile's tangent in `a` (the same
# order statistics), so its own transpose is `rt.quantile_tangent`; in `a` it is constant
# where differentiable (the order and the interpolation weights do not change); in `q`
# (through the weights) it has no derivative here: refused when `q` varies.


@vjp(rt.quantile_vjp)
def quantile_vjp(g, ans, gradient, a, q, axis=None, keepdims=False, method="linear",
                 skip_nan=False):  # fmt: skip
    return (
        rt.quantile_tangent(g, a, q, axis, keepdims, method, skip_nan),
        None,
        rt.no_derivative("npgrad.runtime.quantile_vjp", "q"),
    )


@jvp(of=quantile_vjp)
def quantile_vjp_jvp(tgradient, tq, ans, gradient, a, q, axis=None, keepdims=False,
                     method="linear", skip_nan=False):  # fmt: skip
    return rt.quantile_vjp(tgradient, a, q, axis, keepdims, method, skip_nan) + (
        rt.quantile_q_tangent(tq)
    )


# `rt.dot_lhs(G, a, b)` is the adjoint of `a` in np.dot(a, b): <dot_lhs(G, a, b), h> =
# <G, np.dot(h, b)>, and <dot_rhs(G, a, b), h> = <G, np.dot(a, h)> (bilinear, as matmul's).


@vjp(rt.dot_lhs)
def dot_lhs(g, ans, gradient, a, b):
    return np.dot(g, b), None, rt.dot_rhs(gradient, g, b)


@jvp(of=dot_lhs)
def dot_lhs_jvp(tgradient, tb, ans, gradient, a, b):
    return rt.dot_lhs(tgradient, a, b) + rt.dot_lhs(gradient, a, tb)


@vjp(rt.dot_rhs)
def dot_rhs(g, ans, gradient, a, b):
    return np.dot(a, g), rt.dot_lhs(gradient, a, g), None


@jvp(of=dot_rhs)
def dot_rhs_jvp(tgradient, ta, ans, gradient, a, b):
    return rt.dot_rhs(tgradient, a, b) + rt.dot_rhs(gradient, ta, b)


# tensordot's, inner's and kron's adjoints: bilinear, as dot's (<lhs(G, a, b), h> =
# <G, f(h, b)>, <rhs(G, a, b), h> = <G, f(a, h)>).


@vjp(rt.tensordot_lhs)
def tensordot_lhs(g, ans, gradient, a, b, axes=2):
    return np.tensordot(g, b, axes), None, rt.tensordot_rhs(gradient, g, b, axes)


@jvp(of=tensordot_lhs)
def tensordot_lhs_jvp(tgradient, tb, ans, gradient, a, b, axes=2):
    return rt.tensordot_lhs(tgradient, a, b, axes) + rt.tensordot_lhs(gradient, a, tb, axes)


@vjp(rt.tensordot_rhs)
def tensordot_rhs(g, ans, gradient, a, b, axes=2):
    return np.tensordot(a, g, axes), rt.tensordot_lhs(gradient, a, g, axes), None


@jvp(of=tensordot_rhs)
def tensordot_rhs_jvp(tgradient, ta, ans, gradient, a, b, axes=2):
    return rt.tensordot_rhs(tgradient, a, b, axes) + rt.tensordot_rhs(gradient, ta, b, axes)


@vjp(rt.inner_lhs)
def inner_lhs(g, ans, gradient, a, b):
    return np.inner(g, b), None, rt.inner_rhs(gradient, g, b)


@jvp(of=inner_lhs)
def inner_lhs_jvp(tgradient, tb, ans, gradient, a, b):
    return rt.inner_lhs(tgradient, a, b) + rt.inner_lhs(gradient, a, tb)


@vjp(rt.inner_rhs)
def inner_rhs(g, ans, gradient, a, b):
    return np.inner(a, g), rt.inner_lhs(gradient, a, g), None


@jvp(of=inner_rhs)
def inner_rhs_jvp(tgradient, ta, ans, gradient, a, b):
    return rt.inner_rhs(tgradient, a, b) + rt.inner_rhs(gradient, ta, b)


@vjp(rt.kron_lhs)
def kron_lhs(g, ans, gradient, a, b):
    return np.kron(g, b), None, rt.kron_rhs(gradient, g, b)


@jvp(of=kron_lhs)
def kron_lhs_jvp(tgradient, tb, ans, gradient, a, b):
    return rt.kron_lhs(tgradient, a, b) + rt.kron_lhs(gradient, a, tb)


@vjp(rt.kron_rhs)
def kron_rhs(g, ans, gradient, a, b):
    return np.kron(a, g), rt.kron_lhs(gradient, a, g), None


@jvp(of=kron_rhs)
def kron_rhs_jvp(tgradient, ta, ans, gradient, a, b):
    return rt.kron_rhs(tgradient, a, b) + rt.kron_rhs(gradient, ta, b)


# digamma and polygamma (SciPy's, called by the special functions' adjoints): the next one


@vjp(rt.digamma)
def rt_digamma(g, ans, x):
    return g * rt.polygamma(1, x)


@jvp(of=rt_digamma)
def rt_digamma_jvp(tx, ans, x):
    return tx * rt.polygamma(1, x)


@vjp(rt.polygamma, broadcasts=True)
def rt_polygamma(g, ans, n, x):
    return None, g * rt.polygamma(n + 1, x)


@jvp(of=rt_polygamma)
def rt_polygamma_jvp(tx, ans, n, x):
    return tx * rt.polygamma(n + 1, x)


nondiff(rt.seed, rt.shape_of, rt.size_of, rt.shell, rt.reduced_size)
