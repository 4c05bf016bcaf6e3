"""Reductions, scans and order statistics: sum, mean, prod, max, min, var, std, average,
ptp, the nan* reductions (nansum, nanmean, nanprod, nanvar, nanstd, nanmax, nanmin,
nancumsum, nancumprod, nanmedian, nanquantile, nanpercentile), cumsum, cumprod,
cumulative_sum, cumulative_prod, trace, linalg.trace, median, quantile, percentile, and the
norms (linalg.norm, linalg.vector_norm, linalg.matrix_norm).

`rt.unreduce` broadcasts an adjoint back over the reduced axes. Conventions at kinks:
- max/min, nanmax/nanmin, ptp and the inf/-inf (and matrix 1/-1/inf/-inf) norms share the
  gradient evenly among the elements that attain the extreme (as JAX does);
- median, quantile and percentile pass the gradient to the order statistics they
  interpolate; ties follow the stable argsort order (method='linear' only, any other method
  raises at run time); q gets the slope of the interpolation;
- norms are 0 at 0 (the 2-norm and p-norms of a zero vector, as abs at 0); the 1-norm uses
  sign(x); the 2/-2/'nuc' matrix norms go through the SVD (repeated singular values have no
  derivative: whichever singular vectors the SVD returns are used);
- std and nanstd are 0 where the result is 0 (a slice with no spread, one value);
- the nan* functions give 0 to the NaN elements (NaN counts as 0 in sums, 1 in products,
  and is left out of means, variances and order statistics); an all-NaN slice of
  nanmax/nanmin gets NaN; an all-NaN slice of nanmedian/nanquantile gets 0;
- cumprod (cumulative_prod, nancumprod, like prod) is exact where the input has zeros;
- average differentiates both `a` and `weights` (returned=True is refused: not a rule
  parameter).
Parameters after NumPy's `out` are keyword-only in the rules, so a positional `out` is a
transform-time error rather than a misplaced argument.
"""

# ruff: noqa: E501
# Each rule is a template: names stand for the call's arguments and are inlined.

import numpy as np

from npgrad import runtime as rt

from .table import jvp, linear, method, nondiff, vjp


@vjp(np.sum)
def sum(g, ans, a, axis=None, dtype=None, *, keepdims=False):
    return np.broadcast_to(g, np.shape(a)) if axis is None else rt.unreduce(g, a, axis, keepdims)


@jvp(of=sum)
def sum_jvp(ta, ans, a, axis=None, dtype=None, *, keepdims=False):
    return linear(ta)


@vjp(np.mean)
def mean(g, ans, a, axis=None, dtype=None, *, keepdims=False):
    return (
        np.broadcast_to(g / np.size(a), np.shape(a))
        if axis is None
        else rt.unreduce(g, a, axis, keepdims) / rt.reduced_size(a, axis)
    )


@jvp(of=mean)
def mean_jvp(ta, ans, a, axis=None, dtype=None, *, keepdims=False):
    return linear(ta)


@vjp(np.prod)
def prod(g, ans, a, axis=None, dtype=None, *, keepdims=False):
    return rt.prod_vjp(g, a, axis, keepdims)


@jvp(of=prod)
def prod_jvp(ta, ans, a, axis=None, dtype=None, *, keepdims=False):
    return np.sum(ta * rt.prod_vjp(np.ones_like(ans), a, axis, keepdims), axis, keepdims=keepdims)


@vjp(np.max, np.amax)
def max(g, ans, a, axis=None, *, keepdims=False):
    return rt.chooser(g, ans, a, axis, keepdims)


@jvp(of=max)
def max_jvp(ta, ans, a, axis=None, *, keepdims=False):
    return np.sum(
        ta * rt.chooser(np.ones_like(ans), ans, a, axis, keepdims), axis, keepdims=keepdims
    )


@vjp(np.min, np.amin)
def min(g, ans, a, axis=None, *, keepdims=False):
    return rt.chooser(g, ans, a, axis, keepdims)


@jvp(of=min)
def min_jvp(ta, ans, a, axis=None, *, keepdims=False):
    return np.sum(
        ta * rt.chooser(np.ones_like(ans), ans, a, axis, keepdims), axis, keepdims=keepdims
    )


for _name, _func in [
    ("sum", np.sum),
    ("mean", np.mean),
    ("prod", np.prod),
    ("max", np.max),
    ("min", np.min),
]:
    method(_name, _func)


# ----- moments ------------------------------------------------------------------------


@vjp(np.var)
def var(g, ans, a, axis=None, dtype=None, *, ddof=0, keepdims=False):
    return (
        rt.unreduce(g, a, axis, keepdims)
        * (a - np.mean(a, axis, keepdims=True))
        * (2 / (rt.reduced_size(a, axis) - ddof))
    )


@jvp(of=var)
def var_jvp(ta, ans, a, axis=None, dtype=None, *, ddof=0, keepdims=False):
    return np.sum((a - np.mean(a, axis, keepdims=True)) * ta, axis, keepdims=keepdims) * (
        2 / (rt.reduced_size(a, axis) - ddof)
    )


@vjp(np.std)
def std(g, ans, a, axis=None, dtype=None, *, ddof=0, keepdims=False):
    return (
        rt.unreduce(rt.divide_or_zero(g, ans), a, axis, keepdims)
        * (a - np.mean(a, axis, keepdims=True))
        / (rt.reduced_size(a, axis) - ddof)
    )


@jvp(of=std)
def std_jvp(ta, ans, a, axis=None, dtype=None, *, ddof=0, keepdims=False):
    return rt.divide_or_zero(
        np.sum((a - np.mean(a, axis, keepdims=True)) * ta, axis, keepdims=keepdims), ans
    ) / (rt.reduced_size(a, axis) - ddof)


@vjp(np.average)
def average(g, ans, a, axis=None, weights=None, *, keepdims=False):
    return (
        rt.average_a(g, a, axis, weights, keepdims),
        None,
        rt.average_weights(g, ans, a, axis, weights, keepdims),
    )


@jvp(of=average)
def average_jvp(ta, tweights, ans, a, axis=None, weights=None, *, keepdims=False):
    return np.average(ta, axis, weights, keepdims=keepdims) + rt.average_weights_tangent(
        tweights, a, axis, weights, keepdims, ans
    )


@vjp(np.ptp)
def ptp(g, ans, a, axis=None, *, keepdims=False):
    return rt.chooser(g, np.max(a, axis, keepdims=keepdims), a, axis, keepdims) - rt.chooser(
        g, np.min(a, axis, keepdims=keepdims), a, axis, keepdims
    )


@jvp(of=ptp)
def ptp_jvp(ta, ans, a, axis=None, *, keepdims=False):
    return np.sum(
        ta
        * (
            rt.chooser(np.ones_like(ans), np.max(a, axis, keepdims=keepdims), a, axis, keepdims)
            - rt.chooser(np.ones_like(ans), np.min(a, axis, keepdims=keepdims), a, axis, keepdims)
        ),
        axis,
        keepdims=keepdims,
    )


# ----- ignoring NaNs ------------------------------------------------------------------


@vjp(np.nansum)
def nansum(g, ans, a, axis=None, dtype=None, *, keepdims=False):
    return np.where(np.isnan(a), 0, rt.unreduce(g, a, axis, keepdims))


@jvp(of=nansum)
def nansum_jvp(ta, ans, a, axis=None, dtype=None, *, keepdims=False):
    return np.sum(np.where(np.isnan(a), 0, ta), axis, dtype, keepdims=keepdims)


@vjp(np.nanmean)
def nanmean(g, ans, a, axis=None, dtype=None, *, keepdims=False):
    return np.where(
        np.isnan(a),
        0,
        rt.unreduce(g, a, axis, keepdims) / np.sum(~np.isnan(a), axis, keepdims=True),
    )


@jvp(of=nanmean)
def nanmean_jvp(ta, ans, a, axis=None, dtype=None, *, keepdims=False):
    return np.sum(np.where(np.isnan(a), 0, ta), axis, keepdims=keepdims) / np.sum(
        ~np.isnan(a), axis, keepdims=keepdims
    )


@vjp(np.nanmax, np.nanmin)
def nanmax(g, ans, a, axis=None, *, keepdims=False):
    return rt.chooser(g, ans, a, axis, keepdims)


@jvp(of=nanmax)
def nanmax_jvp(ta, ans, a, axis=None, *, keepdims=False):
    return np.sum(
        np.where(np.isnan(a), 0, ta * rt.chooser(np.ones_like(ans), ans, a, axis, keepdims)),
        axis,
        keepdims=keepdims,
    )


@vjp(np.nanprod)
def nanprod(g, ans, a, axis=None, dtype=None, *, keepdims=False):
    return np.where(np.isnan(a), 0, rt.prod_vjp(g, np.where(np.isnan(a), 1, a), axis, keepdims))


@jvp(of=nanprod)
def nanprod_jvp(ta, ans, a, axis=None, dtype=None, *, keepdims=False):
    return np.sum(
        np.where(
            np.isnan(a),
            0,
            ta * rt.prod_vjp(np.ones_like(ans), np.where(np.isnan(a), 1, a), axis, keepdims),
        ),
        axis,
        keepdims=keepdims,
    )


@vjp(np.nanvar)
def nanvar(g, ans, a, axis=None, dtype=None, *, ddof=0, keepdims=False):
    return np.where(
        np.isnan(a),
        0,
        rt.unreduce(g, a, axis, keepdims)
        * np.where(np.isnan(a), 0, a - np.nanmean(a, axis, keepdims=True))  # no NaN * 0
        * 2
        / (np.sum(~np.isnan(a), axis, keepdims=True) - ddof),
    )


@jvp(of=nanvar)
def nanvar_jvp(ta, ans, a, axis=None, dtype=None, *, ddof=0, keepdims=False):
    return (
        np.sum(
            np.where(np.isnan(a), 0, (a - np.nanmean(a, axis, keepdims=True)) * ta),
            axis,
            keepdims=keepdims,
        )
        * 2
        / (np.sum(~np.isnan(a), axis, keepdims=keepdims) - ddof)
    )


@vjp(np.nanstd)
def nanstd(g, ans, a, axis=None, dtype=None, *, ddof=0, keepdims=False):
    return np.where(
        np.isnan(a),
        0,
        rt.unreduce(rt.divide_or_zero(g, ans), a, axis, keepdims)
        * np.where(np.isnan(a), 0, a - np.nanmean(a, axis, keepdims=True))  # no NaN * 0
        / (np.sum(~np.isnan(a), axis, keepdims=True) - ddof),
    )


@jvp(of=nanstd)
def nanstd_jvp(ta, ans, a, axis=None, dtype=None, *, ddof=0, keepdims=False):
    return rt.divide_or_zero(
        np.sum(
            np.where(np.isnan(a), 0, (a - np.nanmean(a, axis, keepdims=True)) * ta),
            axis,
            keepdims=keepdims,
        ),
        ans,
    ) / (np.sum(~np.isnan(a), axis, keepdims=keepdims) - ddof)


@vjp(np.nancumsum)
def nancumsum(g, ans, a, axis=None, dtype=None):
    return np.where(
        np.isnan(a),
        0,
        np.reshape(np.flip(np.cumsum(np.flip(g))), np.shape(a))
        if axis is None
        else np.flip(np.cumsum(np.flip(g, axis), axis), axis),
    )


@jvp(of=nancumsum)
def nancumsum_jvp(ta, ans, a, axis=None, dtype=None):
    return np.cumsum(np.where(np.isnan(a), 0, ta), axis)


@vjp(np.nancumprod)
def nancumprod(g, ans, a, axis=None, dtype=None):
    return np.where(np.isnan(a), 0, rt.cumprod_vjp(g, ans, np.where(np.isnan(a), 1, a), axis))


@jvp(of=nancumprod)
def nancumprod_jvp(ta, ans, a, axis=None, dtype=None):
    return rt.cumprod_tangent(np.where(np.isnan(a), 0, ta), np.where(np.isnan(a), 1, a), axis)


@vjp(np.nanmedian)
def nanmedian(g, ans, a, axis=None, *, keepdims=False):
    return rt.quantile_vjp(g, a, 0.5, axis, keepdims, "linear", True)


@jvp(of=nanmedian)
def nanmedian_jvp(ta, ans, a, axis=None, *, keepdims=False):
    return np.sum(
        ta * rt.quantile_vjp(np.ones_like(ans), a, 0.5, axis, keepdims, "linear", True),
        axis,
        keepdims=keepdims,
    )


@vjp(np.nanquantile)
def nanquantile(g, ans, a, q, axis=None, *, method="linear", keepdims=False):
    return (
        rt.quantile_vjp(g, a, q, axis, keepdims, method, True),
        rt.quantile_q_vjp(g, a, q, axis, keepdims, method, True),
    )


@jvp(of=nanquantile)
def nanquantile_jvp(ta, tq, ans, a, q, axis=None, *, method="linear", keepdims=False):
    return rt.quantile_tangent(ta, a, q, axis, keepdims, method, True) + rt.quantile_q_tangent(tq)


@vjp(np.nanpercentile)
def nanpercentile(g, ans, a, q, axis=None, *, method="linear", keepdims=False):
    return (
        rt.quantile_vjp(g, a, np.true_divide(q, 100), axis, keepdims, method, True),
        rt.quantile_q_vjp(g, a, np.true_divide(q, 100), axis, keepdims, method, True) / 100,
    )


@jvp(of=nanpercentile)
def nanpercentile_jvp(ta, tq, ans, a, q, axis=None, *, method="linear", keepdims=False):
    return rt.quantile_tangent(
        ta, a, np.true_divide(q, 100), axis, keepdims, method, True
    ) + rt.quantile_q_tangent(tq)


# ----- scans --------------------------------------------------------------------------


@vjp(np.cumsum)
def cumsum(g, ans, a, axis=None, dtype=None):
    return (
        np.reshape(np.flip(np.cumsum(np.flip(g))), np.shape(a))
        if axis is None
        else np.flip(np.cumsum(np.flip(g, axis), axis), axis)
    )


@jvp(of=cumsum)
def cumsum_jvp(ta, ans, a, axis=None, dtype=None):
    return linear(ta)


@vjp(np.cumprod)
def cumprod(g, ans, a, axis=None, dtype=None):
    return rt.cumprod_vjp(g, ans, a, axis)


@jvp(of=cumprod)
def cumprod_jvp(ta, ans, a, axis=None, dtype=None):
    return rt.cumprod_tangent(ta, a, axis)


@vjp(np.cumulative_sum)
def cumulative_sum(g, ans, x, *, axis=None, dtype=None, include_initial=False):
    return rt.cumulative_sum_vjp(g, x, axis, include_initial)


@jvp(of=cumulative_sum)
def cumulative_sum_jvp(tx, ans, x, *, axis=None, dtype=None, include_initial=False):
    return linear(tx)


@vjp(np.cumulative_prod)
def cumulative_prod(g, ans, x, *, axis=None, dtype=None, include_initial=False):
    return rt.cumulative_prod_vjp(g, ans, x, axis, include_initial)


@jvp(of=cumulative_prod)
def cumulative_prod_jvp(tx, ans, x, *, axis=None, dtype=None, include_initial=False):
    return rt.cumulative_prod_tangent(tx, x, axis, include_initial)


# ----- diagonal sums --------------------------------------------------------------------


@vjp(np.trace)
def trace(g, ans, a, offset=0, axis1=0, axis2=1, dtype=None):
    return np.moveaxis(
        np.multiply.outer(g, np.eye(np.shape(a)[axis1], np.shape(a)[axis2], offset)),
        (-2, -1),
        (axis1, axis2),
    )


@jvp(of=trace)
def trace_jvp(ta, ans, a, offset=0, axis1=0, axis2=1, dtype=None):
    return linear(ta)


@vjp(np.linalg.trace)
def linalg_trace(g, ans, x, *, offset=0, dtype=None):
    return np.multiply.outer(g, np.eye(np.shape(x)[-2], np.shape(x)[-1], offset))


@jvp(of=linalg_trace)
def linalg_trace_jvp(tx, ans, x, *, offset=0, dtype=None):
    return linear(tx)


# ----- order statistics ---------------------------------------------------------------


@vjp(np.median)
def median(g, ans, a, axis=None, *, keepdims=False):
    return rt.quantile_vjp(g, a, 0.5, axis, keepdims)


@jvp(of=median)
def median_jvp(ta, ans, a, axis=None, *, keepdims=False):
    return np.sum(
        ta * rt.quantile_vjp(np.ones_like(ans), a, 0.5, axis, keepdims), axis, keepdims=keepdims
    )


@vjp(np.quantile)
def quantile(g, ans, a, q, axis=None, *, method="linear", keepdims=False):
    return (
        rt.quantile_vjp(g, a, q, axis, keepdims, method),
        rt.quantile_q_vjp(g, a, q, axis, keepdims, method),
    )


@jvp(of=quantile)
def quantile_jvp(ta, tq, ans, a, q, axis=None, *, method="linear", keepdims=False):
    return rt.quantile_tangent(ta, a, q, axis, keepdims, method) + rt.quantile_q_tangent(tq)


@vjp(np.percentile)
def percentile(g, ans, a, q, axis=None, *, method="linear", keepdims=False):
    return (
        rt.quantile_vjp(g, a, np.true_divide(q, 100), axis, keepdims, method),
        rt.quantile_q_vjp(g, a, np.true_divide(q, 100), axis, keepdims, method) / 100,
    )


@jvp(of=percentile)
def percentile_jvp(ta, tq, ans, a, q, axis=None, *, method="linear", keepdims=False):
    return rt.quantile_tangent(
        ta, a, np.true_divide(q, 100), axis, keepdims, method
    ) + rt.quantile_q_tangent(tq)


# ----- norms --------------------------------------------------------------------------


@vjp(np.linalg.norm)
def norm(g, ans, x, ord=None, axis=None, keepdims=False):
    return rt.norm_vjp(g, ans, x, ord, axis, keepdims)


@jvp(of=norm)
def norm_jvp(tx, ans, x, ord=None, axis=None, keepdims=False):
    return np.sum(
        tx * rt.norm_vjp(np.ones_like(ans), ans, x, ord, axis, keepdims), axis, keepdims=keepdims
    )


@vjp(np.linalg.vector_norm)
def vector_norm(g, ans, x, *, axis=None, keepdims=False, ord=2):
    return rt.vector_norm_vjp(g, ans, x, ord, axis, keepdims)


@jvp(of=vector_norm)
def vector_norm_jvp(tx, ans, x, *, axis=None, keepdims=False, ord=2):
    return np.sum(
        tx * rt.vector_norm_vjp(np.ones_like(ans), ans, x, ord, axis, keepdims),
        axis,
        keepdims=keepdims,
    )


@vjp(np.linalg.matrix_norm)
def matrix_norm(g, ans, x, *, keepdims=False, ord="fro"):
    return rt.matrix_norm_vjp(g, ans, x, ord, (-2, -1), keepdims)


@jvp(of=matrix_norm)
def matrix_norm_jvp(tx, ans, x, *, keepdims=False, ord="fro"):
    return np.sum(
        tx * rt.matrix_norm_vjp(np.ones_like(ans), ans, x, ord, (-2, -1), keepdims),
        (-2, -1),
        keepdims=keepdims,
    )


for _name, _func in [
    ("var", np.var),
    ("std", np.std),
    ("cumsum", np.cumsum),
    ("cumprod", np.cumprod),
    ("trace", np.trace),
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
