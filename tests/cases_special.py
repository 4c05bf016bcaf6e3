"""Rule cases for scipy.special and scipy.stats (and np.i0); none without SciPy."""

from __future__ import annotations

import itertools

import numpy as np
from rulecases import PAIRS, SHAPES, Case, arr

try:
    import scipy.special as sp
    import scipy.stats as st
except ImportError:  # SciPy is optional: its rules are not registered either
    sp = st = None

S = ("scipy.special",)
T = ("scipy.stats",)


def _spd(n: int) -> np.ndarray:
    a = arr((n, n))
    return a @ a.T + 2 * np.eye(n)


def _cases() -> list[Case]:
    unary = {
        sp.gammaln: ("scipy.special.gammaln(x)", 0.5, 4),
        sp.digamma: ("scipy.special.digamma(x)", 0.5, 4),
        sp.gamma: ("scipy.special.gamma(x)", 0.5, 3),
        sp.erf: ("scipy.special.erf(x)", -2, 2),
        sp.erfc: ("scipy.special.erfc(x)", -2, 2),
        sp.erfinv: ("scipy.special.erfinv(x)", -0.9, 0.9),
        sp.erfcinv: ("scipy.special.erfcinv(x)", 0.1, 1.9),
        sp.expit: ("scipy.special.expit(x)", -3, 3),
        sp.logit: ("scipy.special.logit(x)", 0.1, 0.9),
        sp.i0: ("scipy.special.i0(x)", -3, 3),
        sp.i1: ("scipy.special.i1(x)", -3, 3),
        sp.i0e: ("scipy.special.i0e(x)", -3, 3),
        sp.i1e: ("scipy.special.i1e(x)", -3, 3),
        np.i0: ("np.i0(x)", -3, 3),
    }
    binary = {
        sp.beta: ("scipy.special.beta(x, y)", (0.5, 3), (0.5, 3)),
        sp.betaln: ("scipy.special.betaln(x, y)", (0.5, 3), (0.5, 3)),
        sp.xlogy: ("scipy.special.xlogy(x, y)", (-2, 2), (0.5, 3)),
        sp.xlog1py: ("scipy.special.xlog1py(x, y)", (-2, 2), (-0.5, 2)),
    }
    cases = []
    for func, (expr, lo, hi) in unary.items():
        for shape in SHAPES:
            cases.append(Case(func, expr, {"x": arr(shape, lo, hi)}, ("x",), imports=S))
    for func, (expr, xr, yr) in binary.items():
        for sx, sy in PAIRS:
            args = {"x": arr(sx, *xr), "y": arr(sy, *yr)}
            cases.append(Case(func, expr, args, ("x", "y"), imports=S))
    # special points and other spellings
    cases += [
        Case(
            sp.gammaln, "scipy.special.gammaln(x)", {"x": arr((4,), -1.8, -1.2)}, ("x",), imports=S
        ),
        Case(sp.digamma, "scipy.special.psi(x)", {"x": arr((2, 3), 0.5, 4)}, ("x",), imports=S),
        Case(sp.gamma, "scipy.special.gamma(x)", {"x": arr((3,), -0.8, -0.2)}, ("x",), imports=S),
        Case(sp.i0, "scipy.special.i0(x)", {"x": np.array([0.0, 1.0])}, ("x",), imports=S),
        Case(sp.i1, "scipy.special.i1(x)", {"x": np.array([0.0, -1.0])}, ("x",), imports=S),
        Case(sp.i1e, "scipy.special.i1e(x)", {"x": np.array([0.0, -1.0, 20.0])}, ("x",), imports=S),
        Case(sp.i0e, "scipy.special.i0e(x)", {"x": np.array([-0.5, 20.0])}, ("x",), imports=S),
        Case(
            sp.xlogy,
            "scipy.special.xlogy(c, y)",
            {"c": np.array([0.0, 1.5, 0.0]), "y": np.array([0.0, 0.5, 2.0])},
            ("y",),
            imports=S,
        ),
        Case(
            sp.xlog1py,
            "scipy.special.xlog1py(c, y)",
            {"c": np.array([0.0, 1.5, 0.0]), "y": np.array([-1.0, 0.5, 2.0])},
            ("y",),
            imports=S,
        ),
        Case(sp.xlogy, "scipy.special.xlogy(x, 2.0)", {"x": arr((3,))}, ("x",), imports=S),
    ]
    for n, shape in [(0, (3,)), (1, (2, 3)), (2, None), (3, ())]:
        expr = f"scipy.special.polygamma({n}, x)"
        cases.append(Case(sp.polygamma, expr, {"x": arr(shape, 0.5, 3)}, ("x",), imports=S))
    cases.append(
        Case(
            sp.polygamma,
            "scipy.special.polygamma(n, x)",
            {"n": np.array([0, 1, 2]), "x": arr((2, 1), 0.5, 3)},
            ("x",),
            imports=S,
        )
    )
    # logsumexp: every axis / keepdims form, b broadcasting, keyword spelling
    x3 = (2, 3, 4)
    for axis, keep in itertools.product([None, 0, 1, -1, (0, 2), (0, 1, 2)], [False, True]):
        kw = f"axis={axis!r}" + (", keepdims=True" if keep else "")
        expr = f"scipy.special.logsumexp(x, {kw})"
        cases.append(Case(sp.logsumexp, expr, {"x": arr(x3)}, ("x",), imports=S))
    cases += [
        Case(sp.logsumexp, "scipy.special.logsumexp(x)", {"x": arr(())}, ("x",), imports=S),
        Case(sp.logsumexp, "scipy.special.logsumexp(x, 1)", {"x": arr((3, 4))}, ("x",), imports=S),
        Case(
            sp.logsumexp,
            "scipy.special.logsumexp(x, b=b)",
            {"x": arr((2, 3)), "b": arr((2, 3), 0.5, 2)},
            ("x", "b"),
            imports=S,
        ),
        Case(
            sp.logsumexp,
            "scipy.special.logsumexp(x, axis=0, b=b)",
            {"x": arr((2, 3)), "b": arr((3,), 0.5, 2)},
            ("x", "b"),
            imports=S,
        ),
        Case(
            sp.logsumexp,
            "scipy.special.logsumexp(x, axis=-1, b=b, keepdims=True)",
            {"x": arr((2, 1)), "b": arr((2, 3), 0.5, 2)},
            ("x", "b"),
            imports=S,
        ),
        Case(
            sp.logsumexp,
            "scipy.special.logsumexp(x, (0, 1), b)",
            {"x": arr((3,)), "b": arr((2, 3), 0.5, 2)},
            ("x", "b"),
            imports=S,
        ),
    ]
    # softmax / log_softmax, every axis form
    for func, name in [(sp.softmax, "softmax"), (sp.log_softmax, "log_softmax")]:
        for axis in [None, 0, 1, -1, (0, 1)]:
            expr = f"scipy.special.{name}(x, axis={axis!r})"
            cases.append(Case(func, expr, {"x": arr((3, 4))}, ("x",), imports=S))
        cases.append(Case(func, f"scipy.special.{name}(x)", {"x": arr((4,))}, ("x",), imports=S))
        cases.append(
            Case(func, f"scipy.special.{name}(x, 0)", {"x": arr((3, 1))}, ("x",), imports=S)
        )
    cases += _stats_cases()
    return cases


def _stats_cases() -> list[Case]:
    norm, t, gamma, beta = (
        "scipy.stats.norm",
        "scipy.stats.t",
        "scipy.stats.gamma",
        "scipy.stats.beta",
    )
    x, m, s = arr((2, 3)), arr((3,)), arr((2, 1), 0.5, 2)
    cases = [
        Case(st.norm.logpdf, f"{norm}.logpdf(x)", {"x": arr((3,))}, ("x",), imports=T),
        Case(
            st.norm.logpdf,
            f"{norm}.logpdf(x, m, s)",
            {"x": x, "m": m, "s": s},
            ("x", "m", "s"),
            imports=T,
        ),
        Case(
            st.norm.logpdf,
            f"{norm}.logpdf(x, loc=m, scale=s)",
            {"x": arr(None), "m": arr((3,)), "s": arr(None, 0.5, 2)},
            ("x", "m", "s"),
            imports=T,
        ),
        Case(st.norm.logpdf, f"{norm}.logpdf(1.5, m, s)", {"m": m, "s": s}, ("m", "s"), imports=T),
        Case(st.norm.logcdf, f"{norm}.logcdf(x)", {"x": arr((4,), -3, 3)}, ("x",), imports=T),
        Case(
            st.norm.logcdf,
            f"{norm}.logcdf(x)",
            {"x": np.array([-30.0, -8.0, 8.0])},
            ("x",),
            imports=T,
        ),
        Case(
            st.norm.logcdf,
            f"{norm}.logcdf(x, m, s)",
            {"x": x, "m": m, "s": s},
            ("x", "m", "s"),
            imports=T,
        ),
        Case(
            st.norm.logcdf,
            f"{norm}.logcdf(x, scale=s, loc=m)",
            {"x": arr((3,)), "m": arr(None), "s": arr((), 0.5, 2)},
            ("x", "m", "s"),
            imports=T,
        ),
        Case(st.t.logpdf, f"{t}.logpdf(x, 3.0)", {"x": arr((3,), -3, 3)}, ("x",), imports=T),
        Case(
            st.t.logpdf,
            f"{t}.logpdf(x, v, m, s)",
            {"x": x, "v": arr((3,), 1, 6), "m": m, "s": s},
            ("x", "v", "m", "s"),
            imports=T,
        ),
        Case(
            st.t.logpdf,
            f"{t}.logpdf(x, df=v, loc=m, scale=s)",
            {"x": arr((4,), -3, 3), "v": arr(None, 1, 6), "m": arr(None), "s": arr((), 0.5, 2)},
            ("x", "v", "m", "s"),
            imports=T,
        ),
        Case(st.t.logcdf, f"{t}.logcdf(x, 2.5)", {"x": arr((4,), -3, 3)}, ("x",), imports=T),
        Case(
            st.t.logcdf,
            f"{t}.logcdf(x, v, m, s)",
            {"x": x, "v": arr((3,), 1, 6), "m": m, "s": s},
            ("x", "m", "s"),
            imports=T,
        ),
        Case(
            st.gamma.logpdf, f"{gamma}.logpdf(x, 2.5)", {"x": arr((4,), 0.2, 4)}, ("x",), imports=T
        ),
        Case(
            st.gamma.logpdf,
            f"{gamma}.logpdf(x, a, m, s)",
            {
                "x": arr((2, 3), 1.5, 4),
                "a": arr((3,), 0.5, 3),
                "m": arr((2, 1), -1, 1),
                "s": arr(None, 0.5, 2),
            },
            ("x", "a", "m", "s"),
            imports=T,
        ),
        Case(
            st.gamma.logpdf,
            f"{gamma}.logpdf(x, a=a, scale=s)",
            {"x": arr((3,), 0.2, 4), "a": arr(None, 0.5, 3), "s": arr((3,), 0.5, 2)},
            ("x", "a", "s"),
            imports=T,
        ),
        Case(
            st.gamma.logcdf, f"{gamma}.logcdf(x, 2.5)", {"x": arr((4,), 0.2, 4)}, ("x",), imports=T
        ),
        Case(
            st.gamma.logcdf,
            f"{gamma}.logcdf(x, a, m, s)",
            {
                "x": arr((2, 3), 1.5, 4),
                "a": arr((3,), 0.5, 3),
                "m": arr((2, 1), -1, 1),
                "s": arr(None, 0.5, 2),
            },
            ("x", "m", "s"),
            imports=T,
        ),
        Case(
            st.beta.logpdf,
            f"{beta}.logpdf(x, 2.0, 3.0)",
            {"x": arr((4,), 0.1, 0.9)},
            ("x",),
            imports=T,
        ),
        Case(
            st.beta.logpdf,
            f"{beta}.logpdf(x, a, b, m, s)",
            {
                "x": arr((2, 3), 0.6, 1.4),
                "a": arr((3,), 0.5, 3),
                "b": arr((2, 1), 0.5, 3),
                "m": arr(None, 0.4, 0.5),
                "s": arr((), 1.1, 1.3),
            },
            ("x", "a", "b", "m", "s"),
            imports=T,
        ),
        Case(
            st.beta.logpdf,
            f"{beta}.logpdf(x, a=a, b=b)",
            {"x": arr((3,), 0.1, 0.9), "a": arr(None, 0.5, 3), "b": arr(None, 0.5, 3)},
            ("x", "a", "b"),
            imports=T,
        ),
        Case(
            st.beta.logcdf,
            f"{beta}.logcdf(x, 2.0, 3.0)",
            {"x": arr((4,), 0.1, 0.9)},
            ("x",),
            imports=T,
        ),
        Case(
            st.beta.logcdf,
            f"{beta}.logcdf(x, a, b, m, s)",
            {
                "x": arr((2, 3), 0.6, 1.4),
                "a": arr((3,), 0.5, 3),
                "b": arr((2, 1), 0.5, 3),
                "m": arr(None, 0.4, 0.5),
                "s": arr((), 1.1, 1.3),
            },
            ("x", "m", "s"),
            imports=T,
        ),
        Case(
            st.poisson.logpmf,
            "scipy.stats.poisson.logpmf(k, mu)",
            {"k": np.array([0, 1, 4]), "mu": arr((3,), 0.5, 4)},
            ("mu",),
            imports=T,
        ),
        Case(
            st.poisson.logpmf,
            "scipy.stats.poisson.logpmf(k, mu, loc=1)",
            {"k": np.array([[1, 2, 5], [3, 1, 2]]), "mu": arr(None, 0.5, 4)},
            ("mu",),
            imports=T,
        ),
    ]
    mvn = "scipy.stats.multivariate_normal.logpdf"
    cov3 = _spd(3)
    for xs in [(3,), (5, 3), (2, 4, 3), (1, 3)]:
        cases.append(
            Case(
                st.multivariate_normal.logpdf,
                f"{mvn}(x, m, c)",
                {"x": arr(xs), "m": arr((3,)), "c": cov3},
                ("x", "m"),
                imports=T,
            )
        )
    cases += [
        Case(
            st.multivariate_normal.logpdf,
            f"{mvn}(x, mean=m, cov=c)",
            {"x": arr((4, 2)), "m": arr((2,)), "c": _spd(2)},
            ("x", "m"),
            imports=T,
        ),
        Case(
            st.multivariate_normal.logpdf,
            f"{mvn}(x, cov=c)",
            {"x": arr((4, 3)), "c": cov3},
            ("x",),
            imports=T,
        ),
        Case(
            st.multivariate_normal.logpdf,
            f"{mvn}(x, m, 2.0)",
            {"x": arr((4, 3)), "m": arr((3,))},
            ("x", "m"),
            imports=T,
        ),
        Case(
            st.multivariate_normal.logpdf,
            f"{mvn}(x, m, c)",
            {"x": arr((4, 3)), "m": arr((3,)), "c": arr((3,), 0.5, 2)},
            ("x", "m"),
            imports=T,
        ),
        # dimension 1: a 1-D x is many points, mean a scalar
        Case(
            st.multivariate_normal.logpdf,
            f"{mvn}(x, m, 1.5)",
            {"x": arr((4,)), "m": arr(None)},
            ("x", "m"),
            imports=T,
        ),
        Case(st.multivariate_normal.logpdf, f"{mvn}(x)", {"x": arr(None)}, ("x",), imports=T),
    ]
    return cases


CASES = _cases() if sp is not None else []
