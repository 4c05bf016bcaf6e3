"""Runtime helpers for the special rules (see transforms/rules/special.py).

Derivatives of scipy.special and scipy.stats functions that take more than one readable
expression. SciPy is imported when a helper first runs (only gradients of SciPy functions
call these, so SciPy is there).
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = [
    "digamma",
    "polygamma",
    "i1",
    "i1e",
    "i1_derivative",
    "i1e_derivative",
    "logsumexp_weights",
    "logcdf_slope",
    "mvn_logpdf_dx",
    "mvn_logpdf_dmean",
    "no_derivative",
]


def _special() -> Any:
    import scipy.special

    return scipy.special


def digamma(x: Any) -> Any:
    """scipy.special.digamma: the derivative of gammaln."""
    return _special().digamma(x)


def polygamma(n: Any, x: Any) -> Any:
    """scipy.special.polygamma: the n-th derivative of digamma."""
    return _special().polygamma(n, x)


def i1(x: Any) -> Any:
    """scipy.special.i1, the derivative of i0."""
    return _special().i1(x)


def i1e(x: Any) -> Any:
    """scipy.special.i1e = exp(-|x|) * i1(x)."""
    return _special().i1e(x)


def i1_derivative(x: Any) -> Any:
    """d/dx i1(x) = i0(x) - i1(x) / x, which is 1/2 at x = 0."""
    sp = _special()
    safe = np.where(x == 0, 1.0, x)
    return np.where(x == 0, 0.5, sp.i0(x) - sp.i1(x) / safe)


def i1e_derivative(x: Any) -> Any:
    """d/dx i1e(x) = i0e(x) - i1e(x) / x - sign(x) * i1e(x), which is 1/2 at x = 0."""
    sp = _special()
    safe = np.where(x == 0, 1.0, x)
    e1 = sp.i1e(x)
    return np.where(x == 0, 0.5, sp.i0e(x) - e1 / safe - np.sign(x) * e1)


def logsumexp_weights(
    g: Any,
    ans: Any,
    a: Any,
    axis: Any = None,
    b: Any = None,
    keepdims: bool = False,
    return_sign: bool = False,
) -> Any:
    """g * exp(a - logsumexp(a, axis, b)) over the broadcast shape of `a` and `b`: the
    adjoint of `b`; times `b`, that of `a` (scipy.special.logsumexp)."""
    if return_sign:
        raise NotImplementedError("npgrad differentiates logsumexp without return_sign")
    shape = np.shape(a) if b is None else np.broadcast_shapes(np.shape(a), np.shape(b))
    if axis is not None and not keepdims:
        axes = (axis,) if np.ndim(axis) == 0 else tuple(axis)
        axes = tuple(ax % len(shape) for ax in axes)
        g, ans = np.expand_dims(g, axes), np.expand_dims(ans, axes)
    return np.broadcast_to(g * np.exp(a - ans), shape)


def logcdf_slope(dist: str, ans: Any, x: Any, *params: Any) -> Any:
    """d logcdf / dx = pdf / cdf = exp(logpdf - logcdf), for the scipy.stats distribution
    named `dist` with its parameters (shapes, then loc and scale) and `ans` its logcdf."""
    import scipy.stats

    return np.exp(getattr(scipy.stats, dist).logpdf(x, *params) - ans)


def _mvn_score(g: Any, x: Any, mean: Any, cov: Any) -> Any:
    """g * cov^+ (x - mean), one row per point, as multivariate_normal.logpdf reads `x`:
    the last axis holds a point's components (a 1-D `x` is many points when dim is 1)."""
    cov = np.asarray(cov, dtype=float)
    if mean is not None:
        dim = np.size(mean)
    else:
        dim = cov.shape[0] if cov.ndim == 2 else 1
    mean = np.zeros(dim) if mean is None else np.reshape(mean, (dim,))
    if cov.ndim < 2:
        cov = np.diag(np.broadcast_to(cov, (dim,)))
    rows = np.reshape(x, (-1, dim)) - mean
    solved = rows @ np.linalg.pinv(cov, hermitian=True)
    return np.reshape(g, (-1, 1)) * solved


def mvn_logpdf_dx(g: Any, x: Any, mean: Any = None, cov: Any = 1) -> Any:
    """The adjoint of `x` in scipy.stats.multivariate_normal.logpdf(x, mean, cov)."""
    return -np.reshape(_mvn_score(g, x, mean, cov), np.shape(x))


def mvn_logpdf_dmean(g: Any, x: Any, mean: Any = None, cov: Any = 1) -> Any:
    """The adjoint of `mean` in scipy.stats.multivariate_normal.logpdf(x, mean, cov)."""
    return np.reshape(np.sum(_mvn_score(g, x, mean, cov), axis=0), np.shape(mean))


def no_derivative(func: str, param: str) -> Any:
    """Raise: npgrad has no rule for `func` with respect to `param` (rather than a silent
    zero). Rules put this where a parameter is differentiable but has no formula here."""
    raise NotImplementedError(
        f"npgrad has no derivative of {func} with respect to `{param}`; "
        f"pass `{param}` as a constant (not computed from the differentiated arguments)"
    )
