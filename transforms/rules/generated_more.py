"""More rules for runtime adjoints, so that a second derivative passes through them (see
generated.py): the joins' and selections' adjoints (runtime/shape.py), linear in the
adjoint `g` they take, and the convolutions' adjoints, bilinear in `g` and the other
operand.

As in generated_linear.py, the JVP of an adjoint linear in `g` is the same call on the
tangent of `g` (`linear(tgradient)`) and its transpose is the primal map it is the adjoint
of, with the same options: `rt.unsplit` (np.concatenate of the parts' adjoints) is
transposed by `rt.unconcatenate`, the pieces of `rt.unhstack`, `rt.undstack` and
`rt.uncolumn_stack` by the stacking function itself (of the pieces' adjoints, zeros
filled in by joining them flat and splitting them again), `rt.undiff` by np.diff, and
`rt.unselect` (g where the choice was taken, summed down to its shape) by the same
selection of g broadcast back. An adjoint that is None (nothing flowed back) stands for
zeros of its part's shape.

`rt.unconvolve(g, a, v, mode)` returns (da, dv) = (C_v^T g, C_a^T g) with C_v: a ->
np.convolve(a, v, mode): da is bilinear in (g, v), dv in (g, a), so the transpose in g of
adjoints (ha, hv) is np.convolve(ha, v, mode) + np.convolve(a, hv, mode), that in `a` is
the adjoint of `a` in np.convolve(a, hv, mode) at g, and that in `v` of `v` in
np.convolve(ha, v, mode); likewise for `rt.uncorrelate` (real arrays) with np.correlate.
"""

# Each rule is a template: names stand for the call's arguments and are inlined.

import numpy as np

from npgrad import runtime as rt

from .table import jvp, linear, vjp

# ----- joins: their transposes are the joins themselves ------------------------------------
# (`pieces` is the parts np.split returned, named `ans` in rt.unsplit itself)


@vjp(rt.unsplit, sequence="gradient")
def unsplit(g, ans, gradient, pieces, axis=0, part=None):
    return rt.unconcatenate(g, pieces, axis)[part], None


@jvp(of=unsplit)
def unsplit_jvp(tgradient, ans, gradient, pieces, axis=0):
    return linear(tgradient)


@vjp(rt.unhstack, results=True)
def unhstack(g, ans, gradient, tup):
    return np.hstack(rt.unconcatenate(rt.unsplit(g, ans, None), ans, None)), None


@jvp(of=unhstack)
def unhstack_jvp(tgradient, ans, gradient, tup):
    return linear(tgradient)


@vjp(rt.undstack, results=True)
def undstack(g, ans, gradient, tup):
    return np.dstack(rt.unconcatenate(rt.unsplit(g, ans, None), ans, None)), None


@jvp(of=undstack)
def undstack_jvp(tgradient, ans, gradient, tup):
    return linear(tgradient)


@vjp(rt.uncolumn_stack, results=True)
def uncolumn_stack(g, ans, gradient, tup):
    return np.column_stack(rt.unconcatenate(rt.unsplit(g, ans, None), ans, None)), None


@jvp(of=uncolumn_stack)
def uncolumn_stack_jvp(tgradient, ans, gradient, tup):
    return linear(tgradient)


# ----- np.select's adjoints: g where a choice was taken (a mask), summed down to its shape;
# the transpose broadcasts back and masks again (a full-shaped `like` sums nothing)


@vjp(rt.unselect)
def unselect(g, ans, gradient, condlist, choicelist, k):
    return (
        rt.unselect(np.broadcast_to(g, np.shape(gradient)), condlist, [gradient] * (k + 1), k),
        None,
        None,
        None,
    )


@jvp(of=unselect)
def unselect_jvp(tgradient, ans, gradient, condlist, choicelist, k):
    return linear(tgradient)


@vjp(rt.unselect_default)
def unselect_default(g, ans, gradient, condlist, default):
    return (
        rt.unselect_default(np.broadcast_to(g, np.shape(gradient)), condlist, gradient),
        None,
        None,
    )


@jvp(of=unselect_default)
def unselect_default_jvp(tgradient, ans, gradient, condlist, default):
    return linear(tgradient)


# ----- differences: rt.undiff's adjoints (of a, prepend, append) go back through np.diff ---


@vjp(rt.undiff, results=3)
def undiff(g, ans, gradient, a, n=1, axis=-1, prepend=None, append=None):
    return (
        np.diff(np.zeros(np.shape(a)) if g[0] is None else g[0], n, axis)
        if prepend is None and append is None
        else np.diff(
            np.zeros(np.shape(a)) if g[0] is None else g[0],
            n,
            axis,
            prepend=np.zeros(np.shape(prepend)) if g[1] is None else g[1],
        )
        if append is None
        else np.diff(
            np.zeros(np.shape(a)) if g[0] is None else g[0],
            n,
            axis,
            append=np.zeros(np.shape(append)) if g[2] is None else g[2],
        )
        if prepend is None
        else np.diff(
            np.zeros(np.shape(a)) if g[0] is None else g[0],
            n,
            axis,
            prepend=np.zeros(np.shape(prepend)) if g[1] is None else g[1],
            append=np.zeros(np.shape(append)) if g[2] is None else g[2],
        ),
        None,
        None,
        None,
        None,
        None,
    )


@jvp(of=undiff)
def undiff_jvp(tgradient, ans, gradient, a, n=1, axis=-1, prepend=None, append=None):
    return linear(tgradient)


# ----- convolutions: bilinear adjoints ------------------------------------------------------


@vjp(rt.unconvolve, results=2)
def unconvolve(g, ans, gradient, a, v, mode="full"):
    return (
        np.convolve(g[0], v, mode)
        if g[1] is None
        else np.convolve(a, g[1], mode)
        if g[0] is None
        else np.convolve(g[0], v, mode) + np.convolve(a, g[1], mode),
        None if g[1] is None else rt.unconvolve(gradient, a, g[1], mode)[0],
        None if g[0] is None else rt.unconvolve(gradient, g[0], v, mode)[1],
        None,
    )


@jvp(of=unconvolve)
def unconvolve_jvp(tgradient, ta, tv, ans, gradient, a, v, mode="full"):
    return (
        (np.zeros(np.shape(a)) if tgradient is None else rt.unconvolve(tgradient, a, v, mode)[0])
        + (0 if tv is None else rt.unconvolve(gradient, a, tv, mode)[0]),
        (np.zeros(np.shape(v)) if tgradient is None else rt.unconvolve(tgradient, a, v, mode)[1])
        + (0 if ta is None else rt.unconvolve(gradient, ta, v, mode)[1]),
    )


@vjp(rt.uncorrelate, results=2)
def uncorrelate(g, ans, gradient, a, v, mode="valid"):
    return (
        np.correlate(g[0], v, mode)
        if g[1] is None
        else np.correlate(a, g[1], mode)
        if g[0] is None
        else np.correlate(g[0], v, mode) + np.correlate(a, g[1], mode),
        None if g[1] is None else rt.uncorrelate(gradient, a, g[1], mode)[0],
        None if g[0] is None else rt.uncorrelate(gradient, g[0], v, mode)[1],
        None,
    )


@jvp(of=uncorrelate)
def uncorrelate_jvp(tgradient, ta, tv, ans, gradient, a, v, mode="valid"):
    return (
        (np.zeros(np.shape(a)) if tgradient is None else rt.uncorrelate(tgradient, a, v, mode)[0])
        + (0 if tv is None else rt.uncorrelate(gradient, a, tv, mode)[0]),
        (np.zeros(np.shape(v)) if tgradient is None else rt.uncorrelate(tgradient, a, v, mode)[1])
        + (0 if ta is None else rt.uncorrelate(gradient, ta, v, mode)[1]),
    )


# ----- np.average's adjoint of `a`: rt.average_a(g, a, axis, weights) spreads g with the
# shares w / sum(w) over `axis` (1 / count without weights). Linear in g: its transpose is
# np.average itself. Through the weights: with P = h * (g spread over a), the derivative of
# sum(P * w / W) is (P - average(P)) / W, summed back to the weights' shape, which is
# rt.average_weights with adjoint one, `a` = P and its average; the tangent is
# rt.average_a_tangent.


@vjp(rt.average_a)
def average_a(g, ans, gradient, a, axis, weights, keepdims=False):
    return (
        rt.unbroadcast(np.average(g, axis, weights, keepdims=keepdims), gradient),
        None,
        None,
        None
        if weights is None
        else rt.average_weights(
            np.ones_like(np.average(g * rt.unreduce(gradient, a, axis, keepdims), axis, weights,
                                    keepdims=keepdims)),
            np.average(g * rt.unreduce(gradient, a, axis, keepdims), axis, weights,
                       keepdims=keepdims),
            g * rt.unreduce(gradient, a, axis, keepdims),
            axis,
            weights,
            keepdims,
        ),
    )  # fmt: skip


@jvp(of=average_a)
def average_a_jvp(tgradient, tweights, ans, gradient, a, axis, weights, keepdims=False):
    return rt.average_a(tgradient, a, axis, weights, keepdims) + rt.average_a_tangent(
        tweights, gradient, a, axis, weights, keepdims
    )


# ----- logsumexp's weights: W = g * exp(a - value) over the broadcast shape (value, the
# logsumexp, expanded along `axis`), linear in g; dW/da = W, dW/dvalue = -W (summed over
# `axis`: value is reduced). `value` is the helper's own `ans` parameter.


@vjp(rt.logsumexp_weights)
def logsumexp_weights(
    g, ans, gradient, value, a, axis=None, b=None, keepdims=False, return_sign=False
):
    return (
        rt.unbroadcast(
            np.sum(
                g * rt.logsumexp_weights(
                    np.ones_like(gradient), value, a, axis, b, keepdims, return_sign
                ),
                axis,
                keepdims=keepdims,
            ),
            gradient,
        ),
        rt.unbroadcast(-np.sum(g * ans, axis, keepdims=keepdims), value),
        rt.unbroadcast(g * ans, a),
        None,
        None,
        None,
        None,
    )  # fmt: skip


@jvp(of=logsumexp_weights)
def logsumexp_weights_jvp(
    tgradient,
    tvalue,
    ta,
    ans,
    gradient,
    value,
    a,
    axis=None,
    b=None,
    keepdims=False,
    return_sign=False,
):
    return (
        rt.logsumexp_weights(tgradient, value, a, axis, b, keepdims, return_sign)
        - rt.logsumexp_weights(gradient * tvalue, value, a, axis, b, keepdims, return_sign)
        + ans * ta
    )  # fmt: skip


# ----- einsum's adjoints: rt.einsum_vjp(g, subscripts, operands, k) is the adjoint of
# operands[k] in E = np.einsum(subscripts, *operands), multilinear in g and the other
# operands: <h, einsum_vjp(g, ..., k)> = <g, E with operands[k] replaced by h>, so the
# adjoint of g is that einsum, and that of another operand p is einsum_vjp(g, ..., p) with
# operands[k] replaced by h. operands[k] itself is read for its shape only. (`k` is
# einsum_vjp's own `part`; the template's `part` is the position in `operands`.)


@vjp(rt.einsum_vjp, sequence="operands")
def einsum_vjp(g, ans, gradient, subscripts, operands, k, optimize=False, part=None):
    return (
        np.einsum(subscripts, *rt.with_operand(operands, k, g), optimize=optimize),
        None,
        None
        if part == k
        else rt.einsum_vjp(gradient, subscripts, rt.with_operand(operands, k, g), part, optimize),
    )


@jvp(of=einsum_vjp)
def einsum_vjp_jvp(tgradient, toperands, ans, gradient, subscripts, operands, k, optimize=False):
    return rt.einsum_vjp(tgradient, subscripts, operands, k, optimize) + rt.einsum_vjp_tangent(
        toperands, gradient, subscripts, operands, k, optimize
    )


# ----- builtin max / min: rt.picked(g, func, args, k) puts g where Python's choice was
# (linear in g; the choice is piecewise constant in args: no derivative); its transpose is
# rt.picked_transpose. rt.picked_default(g, args, default) is g or zeros, its own transpose
# with g's shape for default's. (`k` is picked's own `part`.)


@vjp(rt.picked)
def picked(g, ans, gradient, func, args, k, key=None):
    return rt.picked_transpose(g, gradient, func, args, k, key), None, None, None, None


@jvp(of=picked)
def picked_jvp(tgradient, ans, gradient, func, args, k, key=None):
    return linear(tgradient)


@vjp(rt.picked_default)
def picked_default(g, ans, gradient, args, default):
    return rt.picked_default(g, args, gradient), None, None


@jvp(of=picked_default)
def picked_default_jvp(tgradient, ans, gradient, args, default):
    return linear(tgradient)


# ----- builtin sum of a list: rt.unsum(g, parts) is g summed down to each part's shape;
# its transpose broadcasts the parts' adjoints back to g's shape (zeros filled in for those
# nothing flowed back to, as for the joins) and adds them up


@vjp(rt.unsum, results=True)
def unsum(g, ans, gradient, parts):
    return (
        np.sum(
            np.broadcast_arrays(
                gradient, *rt.unconcatenate(rt.unsplit(g, ans, None), ans, None)
            )[1:],
            axis=0,
        ),
        None,
    )  # fmt: skip


@jvp(of=unsum)
def unsum_jvp(tgradient, ans, gradient, parts):
    return linear(tgradient)


# ----- np.cumprod's adjoint: rt.cumprod_vjp(g, ans, a, axis), linear in g, is
# revcumsum(g * ans) / a where `a` has no zeros (`ans`, the product, is its own parameter,
# `value` here); its adjoints and tangents are runtime helpers. At a zero of `a` it switches
# formulas and its value jumps (as a function of ans and a apart): they refuse at run time.


@vjp(rt.cumprod_vjp)
def cumprod_vjp(g, ans, gradient, value, a, axis=None):
    return (
        rt.cumprod_vjp_adjoints(g, gradient, value, a, axis)[0],
        rt.cumprod_vjp_adjoints(g, gradient, value, a, axis)[1],
        rt.cumprod_vjp_adjoints(g, gradient, value, a, axis)[2],
        None,
    )


@jvp(of=cumprod_vjp)
def cumprod_vjp_jvp(tgradient, tvalue, ta, ans, gradient, value, a, axis=None):
    return (
        rt.cumprod_vjp(tgradient, value, a, axis)
        + rt.cumprod_vjp_tangent_ans(tvalue, gradient, value, a, axis)
        + rt.cumprod_vjp_tangent_a(ta, gradient, value, a, axis)
    )
