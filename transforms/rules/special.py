"""Special functions: scipy.special and scipy.stats log-densities (and np.i0).

Registered only when SciPy imports: `@_vjp("special.gammaln")` registers the rule of
`scipy.special.gammaln`, and does nothing without SciPy. Derivatives that need SciPy
themselves (digamma, polygamma, Bessel functions) call helpers in runtime/special.py.

scipy.stats rules are keyed by the distribution's bound method (`scipy.stats.norm.logpdf`;
bound methods of the same object compare and hash equal, so any spelling finds the rule).
They follow SciPy's parameter names: shapes (df, a, b), then loc and scale.

- Every continuous parameter gets its gradient, except where no formula is given here:
  the shape parameters of `logcdf` (df, a, b) and `cov` of `multivariate_normal.logpdf`.
  Differentiating with respect to those raises NotImplementedError at run time (never a
  silent zero); as constants they are fine.
- Integer parameters (`n` of polygamma, `k` and `loc` of poisson.logpmf) get none.
- `logsumexp` differentiates `a` and `b`; `return_sign=True` is refused at run time.
- `xlogy`/`xlog1py` have gradient 0 in `y` where `x == 0` (the function is 0 there).
- Outside a distribution's support the log-density is -inf and its gradient is not defined.
"""

# ruff: noqa: E501
# Each rule is a template: names stand for the call's arguments and are inlined.

from collections.abc import Callable
from typing import Any

import numpy as np

from npgrad import runtime as rt

from .table import diagonal, jvp, vjp

_PENDING: list[tuple[tuple[Any, ...], dict[str, Any], Callable[..., Any]]] = []


def _vjp(*paths: Any, **options: Any) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """`vjp(...)` for `scipy.<path>` names ("special.gammaln", "stats.norm.logpdf"),
    registered by `load()`: importing scipy.stats takes most of a second, so it waits
    until a SciPy function meets the compiler (or the rule table is listed)."""

    def defer(template: Callable[..., Any]) -> Callable[..., Any]:
        _PENDING.append((paths, options, template))
        return template

    return defer


def load() -> None:
    """Register the SciPy rules, if SciPy is installed (once)."""
    if not _PENDING:
        return
    try:
        import scipy.linalg
        import scipy.special
        import scipy.stats  # noqa: F401
    except ImportError:  # SciPy is optional: its rules are simply not registered
        _PENDING.clear()
        return
    pending = list(_PENDING)
    _PENDING.clear()
    for paths, options, template in pending:
        funcs = []
        for path in paths:
            obj: Any = scipy
            for part in path.split(".") if isinstance(path, str) else ():
                obj = getattr(obj, part)
            funcs.append(obj if isinstance(path, str) else path)
        vjp(*funcs, **options)(template)


# ----- gamma and beta functions ------------------------------------------------------


@_vjp("special.gammaln")
def gammaln(g, ans, x):
    return g * rt.digamma(x)


@_vjp("special.digamma", "special.psi")
def digamma(g, ans, z):
    return g * rt.polygamma(1, z)


@_vjp("special.polygamma", broadcasts=True)
def polygamma(g, ans, n, x):
    return None, g * rt.polygamma(n + 1, x)


@_vjp("special.gamma")
def gamma(g, ans, z):
    return g * ans * rt.digamma(z)


@_vjp("special.beta", broadcasts=True)
def beta(g, ans, a, b):
    return (
        g * ans * (rt.digamma(a) - rt.digamma(a + b)),
        g * ans * (rt.digamma(b) - rt.digamma(a + b)),
    )


@_vjp("special.betaln", broadcasts=True)
def betaln(g, ans, a, b):
    return g * (rt.digamma(a) - rt.digamma(a + b)), g * (rt.digamma(b) - rt.digamma(a + b))


# ----- error functions -------------------------------------------------------------------


@_vjp("special.erf")
def erf(g, ans, z):
    return g * (2 / np.sqrt(np.pi)) * np.exp(-z * z)


@_vjp("special.erfc")
def erfc(g, ans, x):
    return -g * (2 / np.sqrt(np.pi)) * np.exp(-x * x)


@_vjp("special.erfinv")
def erfinv(g, ans, y):
    return g * (np.sqrt(np.pi) / 2) * np.exp(ans * ans)


@_vjp("special.erfcinv")
def erfcinv(g, ans, y):
    return -g * (np.sqrt(np.pi) / 2) * np.exp(ans * ans)


# ----- logistic, log-sum-exp, softmax ------------------------------------------------------


@_vjp("special.expit")
def expit(g, ans, x):
    return g * ans * (1 - ans)


@_vjp("special.logit")
def logit(g, ans, x):
    return g / (x * (1 - x))


@_vjp("special.logsumexp")
def logsumexp(g, ans, a, axis=None, b=None, keepdims=False, return_sign=False):
    return (
        rt.logsumexp_weights(g, ans, a, axis, b, keepdims, return_sign)
        if b is None
        else rt.unbroadcast(rt.logsumexp_weights(g, ans, a, axis, b, keepdims, return_sign) * b, a),
        None,
        rt.unbroadcast(rt.logsumexp_weights(g, ans, a, axis, b, keepdims, return_sign), b),
    )


@jvp(of=logsumexp)
def logsumexp_jvp(ta, tb, ans, a, axis=None, b=None, keepdims=False, return_sign=False):
    return np.sum(
        (
            ta * rt.logsumexp_weights(np.ones_like(ans), ans, a, axis, b, keepdims, return_sign) * b
            if b is not None
            else ta
            * rt.logsumexp_weights(np.ones_like(ans), ans, a, axis, b, keepdims, return_sign)
        )
        + tb * rt.logsumexp_weights(np.ones_like(ans), ans, a, axis, b, keepdims, return_sign),
        axis=axis,
        keepdims=keepdims,
    )


@_vjp("special.softmax")
def softmax(g, ans, x, axis=None):
    return ans * (g - np.sum(g * ans, axis=axis, keepdims=True))


@jvp(of=softmax)
def softmax_jvp(tx, ans, x, axis=None):
    return ans * (tx - np.sum(tx * ans, axis=axis, keepdims=True))


@_vjp("special.log_softmax")
def log_softmax(g, ans, x, axis=None):
    return g - np.exp(ans) * np.sum(g, axis=axis, keepdims=True)


@jvp(of=log_softmax)
def log_softmax_jvp(tx, ans, x, axis=None):
    return tx - np.sum(np.exp(ans) * tx, axis=axis, keepdims=True)


@_vjp("special.xlogy", broadcasts=True)
def xlogy(g, ans, x, y):
    return g * np.log(y), g * x / np.where(x == 0, 1, y)


@_vjp("special.xlog1py", broadcasts=True)
def xlog1py(g, ans, x, y):
    return g * np.log1p(y), g * x / np.where(x == 0, 1, 1 + y)


# ----- modified Bessel functions -----------------------------------------------------------


@_vjp("special.i0", np.i0)
def i0(g, ans, x):
    return g * rt.i1(x)


@_vjp("special.i1")
def i1(g, ans, x):
    return g * rt.i1_derivative(x)


@_vjp("special.i0e")
def i0e(g, ans, x):
    return g * (rt.i1e(x) - np.sign(x) * ans)


@_vjp("special.i1e")
def i1e(g, ans, x):
    return g * rt.i1e_derivative(x)


# ----- scipy.stats log-densities -------------------------------------------------------------


@_vjp("stats.norm.logpdf", broadcasts=True)
def norm_logpdf(g, ans, x, loc=0, scale=1):
    return (
        -g * (x - loc) / scale**2,
        g * (x - loc) / scale**2,
        g * (((x - loc) / scale) ** 2 - 1) / scale,
    )


@_vjp("stats.norm.logcdf", broadcasts=True)
def norm_logcdf(g, ans, x, loc=0, scale=1):
    return (
        g * rt.logcdf_slope("norm", ans, x, loc, scale),
        -g * rt.logcdf_slope("norm", ans, x, loc, scale),
        -g * rt.logcdf_slope("norm", ans, x, loc, scale) * (x - loc) / scale,
    )


@_vjp("stats.t.logpdf", broadcasts=True)
def t_logpdf(g, ans, x, df, loc=0, scale=1):
    return (
        -g * (df + 1) * (x - loc) / (df * scale**2 + (x - loc) ** 2),
        g
        * (
            (rt.digamma((df + 1) / 2) - rt.digamma(df / 2) - 1 / df) / 2
            - np.log1p(((x - loc) / scale) ** 2 / df) / 2
            + (df + 1) * (x - loc) ** 2 / (2 * df * (df * scale**2 + (x - loc) ** 2))
        ),
        g * (df + 1) * (x - loc) / (df * scale**2 + (x - loc) ** 2),
        g * (df * ((x - loc) ** 2 - scale**2) / (df * scale**2 + (x - loc) ** 2)) / scale,
    )


@_vjp("stats.t.logcdf", broadcasts=True)
def t_logcdf(g, ans, x, df, loc=0, scale=1):
    return (
        g * rt.logcdf_slope("t", ans, x, df, loc, scale),
        rt.no_derivative("scipy.stats.t.logcdf", "df"),
        -g * rt.logcdf_slope("t", ans, x, df, loc, scale),
        -g * rt.logcdf_slope("t", ans, x, df, loc, scale) * (x - loc) / scale,
    )


@_vjp("stats.gamma.logpdf", broadcasts=True)
def gamma_logpdf(g, ans, x, a, loc=0, scale=1):
    return (
        g * ((a - 1) / (x - loc) - 1 / scale),
        g * (np.log((x - loc) / scale) - rt.digamma(a)),
        -g * ((a - 1) / (x - loc) - 1 / scale),
        g * ((x - loc) / scale - a) / scale,
    )


@_vjp("stats.gamma.logcdf", broadcasts=True)
def gamma_logcdf(g, ans, x, a, loc=0, scale=1):
    return (
        g * rt.logcdf_slope("gamma", ans, x, a, loc, scale),
        rt.no_derivative("scipy.stats.gamma.logcdf", "a"),
        -g * rt.logcdf_slope("gamma", ans, x, a, loc, scale),
        -g * rt.logcdf_slope("gamma", ans, x, a, loc, scale) * (x - loc) / scale,
    )


@_vjp("stats.beta.logpdf", broadcasts=True)
def beta_logpdf(g, ans, x, a, b, loc=0, scale=1):
    return (
        g * ((a - 1) / (x - loc) - (b - 1) / (scale - (x - loc))),
        g * (np.log((x - loc) / scale) - rt.digamma(a) + rt.digamma(a + b)),
        g * (np.log1p(-(x - loc) / scale) - rt.digamma(b) + rt.digamma(a + b)),
        -g * ((a - 1) / (x - loc) - (b - 1) / (scale - (x - loc))),
        g * ((b - 1) * (x - loc) / (scale - (x - loc)) - a) / scale,
    )


@_vjp("stats.beta.logcdf", broadcasts=True)
def beta_logcdf(g, ans, x, a, b, loc=0, scale=1):
    return (
        g * rt.logcdf_slope("beta", ans, x, a, b, loc, scale),
        rt.no_derivative("scipy.stats.beta.logcdf", "a"),
        rt.no_derivative("scipy.stats.beta.logcdf", "b"),
        -g * rt.logcdf_slope("beta", ans, x, a, b, loc, scale),
        -g * rt.logcdf_slope("beta", ans, x, a, b, loc, scale) * (x - loc) / scale,
    )


@_vjp("stats.poisson.logpmf", broadcasts=True)
def poisson_logpmf(g, ans, k, mu, loc=0):
    return None, g * ((k - loc) / mu - 1), None


@_vjp("stats.multivariate_normal.logpdf")
def multivariate_normal_logpdf(g, ans, x, mean=None, cov=1, allow_singular=False):
    return (
        rt.mvn_logpdf_dx(g, x, mean, cov),
        rt.mvn_logpdf_dmean(g, x, mean, cov),
        rt.no_derivative("scipy.stats.multivariate_normal.logpdf", "cov"),
    )


@jvp(of=multivariate_normal_logpdf)
def multivariate_normal_logpdf_jvp(tx, tmean, tcov, ans, x, mean=None, cov=1, allow_singular=False):
    return (
        rt.mvn_logpdf_x_tangent(tx, ans, x, mean, cov)
        + rt.mvn_logpdf_mean_tangent(tmean, ans, x, mean, cov)
        + rt.mvn_logpdf_cov_tangent(tcov)
    )


# Elementwise, adjoint linear in g: forward mode derives each JVP from the rule (table.py).
diagonal(gammaln, digamma, polygamma, gamma, beta, betaln, erf, erfc, erfinv, erfcinv)
diagonal(expit, logit, xlogy, xlog1py, i0, i1, i0e, i1e)
diagonal(norm_logpdf, norm_logcdf, t_logpdf, t_logcdf, gamma_logpdf, gamma_logcdf)
diagonal(beta_logpdf, beta_logcdf, poisson_logpmf)
