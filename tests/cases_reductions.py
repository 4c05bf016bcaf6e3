"""Rule cases for reductions, scans, order statistics and norms (transforms/rules/reductions.py)."""

from __future__ import annotations

import itertools

import numpy as np
from rulecases import Case, arr

X3 = (2, 3, 4)
AXES = [None, 0, 1, -1, (0, 2), (0, 1, 2)]


def _distinct(shape, low=-2.0, high=2.0):
    """Random values whose values and magnitudes are all at least 1e-3 apart (extremes,
    order statistics and inf-norms need no near-ties for finite differences)."""
    n = int(np.prod(shape))
    rng = np.random.default_rng(n)
    while True:
        x = rng.uniform(low, high, n)
        if n < 2 or min(np.diff(np.sort(x)).min(), np.diff(np.sort(np.abs(x))).min()) > 1e-3:
            return x.reshape(shape)


def _axis_cases(func, template, shape=X3, axes=AXES, make=arr, **kw):
    """`template` formatted with {kw} = 'axis=..., keepdims=...' for every axis/keepdims."""
    out = []
    for axis, keep in itertools.product(axes, [False, True]):
        spec = f"axis={axis!r}" + (", keepdims=True" if keep else "")
        out.append(Case(func, template.format(kw=spec), {"x": make(shape, **kw)}, ("x",)))
    return out


def _moments() -> list[Case]:
    cases = []
    for func, name in [(np.var, "var"), (np.std, "std")]:
        cases += _axis_cases(func, f"np.{name}(x, {{kw}})")
        cases += [
            Case(func, f"np.{name}(x)", {"x": arr((5,))}, ("x",)),
            Case(func, f"np.{name}(x, ddof=1)", {"x": arr((2, 3))}, ("x",)),
            Case(func, f"np.{name}(x, 1, ddof=1, keepdims=True)", {"x": arr((2, 3))}, ("x",)),
            Case(func, f"np.{name}(x, axis=(0, 1), ddof=2)", {"x": arr((2, 3, 2))}, ("x",)),
            Case(func, f"np.{name}(x, axis=0)", {"x": arr((2, 1, 3))}, ("x",)),
            Case(func, f"np.{name}(x, axis=1)", {"x": arr((2, 1, 3))}, ("x",)),  # constant 0
            Case(func, f"x.{name}()", {"x": arr((3, 2))}, ("x",)),
            Case(func, f"x.{name}(axis=1, ddof=1)", {"x": arr((3, 2))}, ("x",)),
            Case(func, f"x.{name}(0)", {"x": arr((3, 2))}, ("x",)),
            Case(func, f"np.{name}(x, axis=1)", {"x": arr((0, 3))}, ("x",)),
        ]
    # average: weights None (a mean), weights shaped like a, 1-D weights along an axis,
    # weights along a tuple of axes (in either order)
    cases += _axis_cases(np.average, "np.average(x, {kw})")
    w = arr((2, 3, 4), 0.5, 2)
    cases += [
        Case(
            np.average,
            "np.average(x, weights=w)",
            {"x": arr((3,)), "w": arr((3,), 0.5, 2)},
            ("x", "w"),
        ),
        Case(np.average, "np.average(x, axis=None, weights=w)", {"x": arr(X3), "w": w}, ("x", "w")),
        Case(np.average, "np.average(x, 1, w)", {"x": arr(X3), "w": arr((3,), 0.5, 2)}, ("x", "w")),
        Case(
            np.average,
            "np.average(x, axis=-1, weights=w, keepdims=True)",
            {"x": arr(X3), "w": arr((4,), 0.5, 2)},
            ("x", "w"),
        ),
        Case(
            np.average,
            "np.average(x, axis=(0, 2), weights=w)",
            {"x": arr(X3), "w": arr((2, 4), 0.5, 2)},
            ("x", "w"),
        ),
        Case(
            np.average,
            "np.average(x, axis=(2, 0), weights=w, keepdims=True)",
            {"x": arr(X3), "w": arr((4, 2), 0.5, 2)},
            ("x", "w"),
        ),
        Case(np.average, "np.average(x, axis=0, weights=w)", {"x": arr(X3), "w": w}, ("x", "w")),
        Case(
            np.average,
            "np.average(x, axis=1, weights=w)",
            {"x": arr(X3), "w": arr((3,), 0.5, 2)},
            ("w",),
        ),
        Case(
            np.average,
            "np.average(c, axis=1, weights=w)",
            {"c": arr(X3), "w": arr((3,), 0.5, 2)},
            ("w",),
        ),
    ]
    # ptp: a max minus a min
    cases += _axis_cases(np.ptp, "np.ptp(x, {kw})", make=_distinct)
    cases += [
        Case(np.ptp, "np.ptp(x)", {"x": _distinct((5,))}, ("x",)),
        Case(np.ptp, "np.ptp(x, 0)", {"x": _distinct((3, 2))}, ("x",)),
        Case(
            np.ptp, "np.ptp(x, axis=1)", {"x": np.array([[1.0, 3.0, 3.0], [2.0, 0.0, 0.0]])}, ("x",)
        ),
    ]
    return cases


def _nan_where(x):
    """NaN where the indices sum to a multiple of 3: every slice of length 2 or more along
    any axis keeps a number."""
    x = np.array(x)
    x[np.indices(x.shape).sum(axis=0) % 3 == 0] = np.nan
    return x


def _with_nans(shape, low=-2.0, high=2.0):
    return _nan_where(arr(shape, low, high))


def _nan() -> list[Case]:
    cases = []
    cases += _axis_cases(np.nansum, "np.nansum(x, {kw})", make=_with_nans)
    cases += _axis_cases(np.nanmean, "np.nanmean(x, {kw})", make=_with_nans)
    for func, name in [(np.nanmax, "nanmax"), (np.nanmin, "nanmin")]:
        cases += _axis_cases(func, f"np.{name}(x, {{kw}})", make=lambda s, **k: _nan_distinct(s))
        cases.append(Case(func, f"np.{name}(x, 0)", {"x": _nan_distinct((3, 2))}, ("x",)))
        cases.append(Case(func, f"np.{name}(x)", {"x": _distinct((4,))}, ("x",)))
    cases += [
        Case(np.nansum, "np.nansum(x)", {"x": arr((3,))}, ("x",)),
        Case(np.nansum, "np.nansum(x, 1)", {"x": _with_nans((2, 3))}, ("x",)),
        Case(np.nanmean, "np.nanmean(x)", {"x": arr((3,))}, ("x",)),
        Case(np.nanmean, "np.nanmean(x, 0)", {"x": _with_nans((3, 2))}, ("x",)),
        Case(
            np.nanmax,
            "np.nanmax(x, axis=1)",
            {"x": np.array([[1.0, np.nan, 1.0], [2.0, 0.0, -1.0]])},
            ("x",),
        ),
    ]
    cases += _axis_cases(np.nanprod, "np.nanprod(x, {kw})", make=_with_nans)
    cases += [
        Case(np.nanprod, "np.nanprod(x)", {"x": arr((4,))}, ("x",)),
        Case(
            np.nanprod,
            "np.nanprod(x, 1)",
            {"x": _nan_where([[0.0, 1.5, 2.0], [0.0, 0.0, 1.2]])},
            ("x",),
        ),
    ]
    for func, name in [(np.nanvar, "nanvar"), (np.nanstd, "nanstd")]:
        cases += _axis_cases(func, f"np.{name}(x, {{kw}})", make=_with_nans)
        cases += [
            Case(func, f"np.{name}(x)", {"x": arr((4,))}, ("x",)),
            Case(func, f"np.{name}(x, 1, ddof=1)", {"x": _with_nans((2, 4))}, ("x",)),
            Case(
                func,
                f"np.{name}(x, axis=(0, 2), ddof=1, keepdims=True)",
                {"x": _with_nans(X3)},
                ("x",),
            ),
        ]
    for func, name in [(np.nancumsum, "nancumsum"), (np.nancumprod, "nancumprod")]:
        for axis in [None, 0, -1]:
            spec = "" if axis is None else f", axis={axis}"
            cases.append(Case(func, f"np.{name}(x{spec})", {"x": _with_nans(X3, 0.5)}, ("x",)))
        cases.append(Case(func, f"np.{name}(x, 1)", {"x": arr((2, 3), 0.5)}, ("x",)))
    cases.append(
        Case(
            np.nancumprod,
            "np.nancumprod(x, axis=1)",
            {"x": _nan_where([[0.0, 1.5, 0.0, 2.0], [1.1, 0.0, 0.9, 1.3]])},
            ("x",),
        )
    )
    cases += _axis_cases(
        np.nanmedian, "np.nanmedian(x, {kw})", make=lambda s, **k: _nan_distinct(s)
    )
    cases += [
        Case(np.nanmedian, "np.nanmedian(x)", {"x": _distinct((5,))}, ("x",)),
        Case(np.nanmedian, "np.nanmedian(x, 0)", {"x": _nan_distinct((4, 3))}, ("x",)),
    ]
    for func, name, scale in [
        (np.nanquantile, "nanquantile", 1.0),
        (np.nanpercentile, "nanpercentile", 100.0),
    ]:
        cases += _axis_cases(
            func, f"np.{name}(x, {0.3 * scale!r}, {{kw}})", make=lambda s, **k: _nan_distinct(s)
        )
        qs = np.array([0.15, 0.62, 0.85]) * scale
        cases += [
            Case(func, f"np.{name}(x, q)", {"x": _nan_distinct((9,)), "q": qs}, ("x", "q")),
            Case(
                func,
                f"np.{name}(x, q, axis=1, keepdims=True)",
                {"x": _nan_distinct((3, 7)), "q": qs},
                ("x", "q"),
            ),
            Case(
                func,
                f"np.{name}(x, q, 0)",
                {"x": _nan_distinct((6, 2)), "q": 0.45 * scale},
                ("x", "q"),
            ),
        ]
    return cases


def _nan_distinct(shape):
    return _nan_where(_distinct(shape))


def _scans() -> list[Case]:
    cases = []
    for func, name, lo in [(np.cumsum, "cumsum", -2.0), (np.cumprod, "cumprod", 0.5)]:
        for axis in [None, 0, 1, -1]:
            spec = "" if axis is None else f", axis={axis}"
            cases.append(Case(func, f"np.{name}(x{spec})", {"x": arr(X3, lo)}, ("x",)))
        cases += [
            Case(func, f"np.{name}(x)", {"x": arr((), lo)}, ("x",)),
            Case(func, f"np.{name}(x)", {"x": arr(None, lo)}, ("x",)),
            Case(func, f"np.{name}(x, 1)", {"x": arr((2, 1), lo)}, ("x",)),
            Case(func, f"np.{name}(x, axis=0)", {"x": arr((0, 3), lo)}, ("x",)),
            Case(func, f"x.{name}()", {"x": arr((2, 3), lo)}, ("x",)),
            Case(func, f"x.{name}(axis=1)", {"x": arr((2, 3), lo)}, ("x",)),
            Case(func, f"x.{name}(0)", {"x": arr((2, 3), lo)}, ("x",)),
        ]
    # cumprod is exact with zeros: one zero, two zeros, a zero first and last, no zeros
    zeros = np.array(
        [
            [0.5, 0.0, 1.5, -2.0, 0.7],
            [0.0, 1.2, 0.0, 0.9, 1.1],
            [1.3, 0.8, -0.6, 1.4, 0.0],
            [0.9, -1.1, 1.2, 0.7, 1.6],
        ]
    )
    cases += [
        Case(np.cumprod, "np.cumprod(x, axis=1)", {"x": zeros}, ("x",)),
        Case(np.cumprod, "np.cumprod(x, axis=0)", {"x": zeros.T.copy()}, ("x",)),
        Case(np.cumprod, "np.cumprod(x)", {"x": zeros}, ("x",)),
        Case(np.cumprod, "np.cumprod(x)", {"x": np.array([0.0, 0.0, 1.5])}, ("x",)),
        Case(np.cumprod, "np.cumprod(x)", {"x": arr((6,))}, ("x",)),
    ]
    # the array-API spellings, include_initial
    for func, name in [
        (np.cumulative_sum, "cumulative_sum"),
        (np.cumulative_prod, "cumulative_prod"),
    ]:
        cases += [
            Case(func, f"np.{name}(x)", {"x": arr((4,), 0.5)}, ("x",)),
            Case(func, f"np.{name}(x, include_initial=True)", {"x": arr((4,), 0.5)}, ("x",)),
            Case(func, f"np.{name}(x, axis=1)", {"x": arr(X3, 0.5)}, ("x",)),
            Case(func, f"np.{name}(x, axis=-1, include_initial=True)", {"x": arr(X3, 0.5)}, ("x",)),
            Case(func, f"np.{name}(x, axis=0, include_initial=True)", {"x": zeros}, ("x",)),
        ]
    return cases


def _trace() -> list[Case]:
    cases = []
    for shape, expr in [
        ((3, 3), "np.trace(x)"),
        ((3, 4), "np.trace(x)"),
        ((4, 3), "np.trace(x, 1)"),
        ((3, 4), "np.trace(x, offset=-1)"),
        ((3, 4), "np.trace(x, offset=5)"),
        ((2, 3, 4), "np.trace(x)"),
        ((2, 3, 4), "np.trace(x, axis1=1, axis2=2)"),
        ((2, 3, 4), "np.trace(x, 1, -1, 0)"),
        ((2, 3, 4), "np.trace(x, offset=-1, axis1=2, axis2=0)"),
        ((3, 3), "x.trace()"),
        ((2, 3, 3), "x.trace(axis1=1, axis2=2)"),
        ((0, 3), "np.trace(x)"),
    ]:
        cases.append(Case(np.trace, expr, {"x": arr(shape)}, ("x",)))
    for shape, expr in [
        ((3, 3), "np.linalg.trace(x)"),
        ((2, 3, 4), "np.linalg.trace(x)"),
        ((2, 4, 3), "np.linalg.trace(x, offset=1)"),
        ((3, 4), "np.linalg.trace(x, offset=-2)"),
    ]:
        cases.append(Case(np.linalg.trace, expr, {"x": arr(shape)}, ("x",)))
    return cases


def _order_statistics() -> list[Case]:
    cases = []
    cases += _axis_cases(np.median, "np.median(x, {kw})", make=_distinct)
    cases += [
        Case(np.median, "np.median(x)", {"x": _distinct((5,))}, ("x",)),
        Case(np.median, "np.median(x)", {"x": _distinct((6,))}, ("x",)),
        Case(np.median, "np.median(x, 0)", {"x": _distinct((4, 3))}, ("x",)),
        Case(np.median, "np.median(x, axis=1)", {"x": _distinct((3, 1))}, ("x",)),
        Case(np.median, "np.median(x + y)", {"x": _distinct((5,)), "y": arr((5,))}, ("x", "y")),
    ]
    for func, name, scale in [(np.quantile, "quantile", 1.0), (np.percentile, "percentile", 100.0)]:
        q1 = 0.3 * scale
        cases += _axis_cases(func, f"np.{name}(x, {q1!r}, {{kw}})", make=_distinct)
        qs = [0.1 * scale, 0.55 * scale, 0.9 * scale]
        cases += [
            Case(func, f"np.{name}(x, q)", {"x": _distinct((7,)), "q": np.array(qs)}, ("x", "q")),
            Case(
                func,
                f"np.{name}(x, q, axis=1)",
                {"x": _distinct((3, 5)), "q": np.array(qs)},
                ("x", "q"),
            ),
            Case(
                func,
                f"np.{name}(x, q, axis=(0, 2), keepdims=True)",
                {"x": _distinct(X3), "q": np.array([qs, qs[::-1]])},
                ("x", "q"),
            ),
            Case(
                func, f"np.{name}(x, q, 0)", {"x": _distinct((5, 2)), "q": 0.45 * scale}, ("x", "q")
            ),
            Case(
                func, f"np.{name}(x, {[0.0, scale]!r}, axis=-1)", {"x": _distinct((2, 4))}, ("x",)
            ),
            Case(func, f"np.{name}(x, {q1!r}, method='linear')", {"x": _distinct((6,))}, ("x",)),
            Case(func, f"np.{name}(x, q)", {"x": _distinct((6,)), "q": 0.37 * scale}, ("x", "q")),
            Case(func, f"np.{name}(x, {q1!r}, axis=0)", {"x": _distinct((1, 3))}, ("x",)),
        ]
    return cases


def _norms() -> list[Case]:
    cases = []
    norm = np.linalg.norm
    vec = _distinct((5,), -2.0, 2.0)
    for ord_ in [None, 2, 1, "np.inf", "-np.inf", 3, 0.5, -1.5, 0]:
        spec = "" if ord_ is None else f", ord={ord_}"
        x = np.abs(vec) + 0.1 if ord_ in (0.5, -1.5) else vec
        cases.append(Case(norm, f"np.linalg.norm(x{spec})", {"x": x}, ("x",)))
        cases.append(
            Case(norm, f"np.linalg.norm(x{spec}, axis=1)", {"x": _distinct((3, 4))}, ("x",))
        )
        cases.append(
            Case(
                norm,
                f"np.linalg.norm(x{spec}, axis=-1, keepdims=True)",
                {"x": _distinct(X3)},
                ("x",),
            )
        )
    cases += [
        Case(norm, "np.linalg.norm(x)", {"x": arr(X3)}, ("x",)),
        Case(norm, "np.linalg.norm(x, keepdims=True)", {"x": arr((2, 3))}, ("x",)),
        Case(norm, "np.linalg.norm(x, None, 0)", {"x": arr((3, 2))}, ("x",)),
        Case(norm, "np.linalg.norm(x, 2, axis=(0,))", {"x": arr((3, 2))}, ("x",)),
        Case(norm, "np.linalg.norm(x, axis=(1, 2))", {"x": arr(X3)}, ("x",)),
        Case(norm, "np.linalg.norm(x - x[0])", {"x": arr((3,))}, ("x",)),  # a zero row inside
        Case(norm, "np.linalg.norm(x * 0.0)", {"x": arr((3,))}, ("x",)),  # 0 at 0
    ]
    mat = _distinct((3, 4))
    for ord_ in [None, "'fro'", "'nuc'", 2, -2, 1, -1, "np.inf", "-np.inf"]:
        spec = "" if ord_ is None else f", ord={ord_}"
        cases.append(Case(norm, f"np.linalg.norm(x{spec})", {"x": mat}, ("x",)))
        cases.append(
            Case(norm, f"np.linalg.norm(x{spec}, axis=(2, 0))", {"x": _distinct((4, 2, 3))}, ("x",))
        )
        cases.append(
            Case(
                norm,
                f"np.linalg.norm(x{spec}, axis=(-2, -1), keepdims=True)",
                {"x": _distinct((2, 3, 3))},
                ("x",),
            )
        )
        if ord_ is not None:
            cases.append(
                Case(norm, f"np.linalg.norm(x{spec}, keepdims=True)", {"x": mat.T.copy()}, ("x",))
            )
    cases.append(Case(norm, "np.linalg.norm(x, 'nuc')", {"x": arr((4, 2))}, ("x",)))
    # the array-API norms
    vn, mn = np.linalg.vector_norm, np.linalg.matrix_norm
    for ord_ in [2, 1, "np.inf", "-np.inf", 3]:
        cases += [
            Case(vn, f"np.linalg.vector_norm(x, ord={ord_})", {"x": _distinct(X3)}, ("x",)),
            Case(vn, f"np.linalg.vector_norm(x, axis=1, ord={ord_})", {"x": _distinct(X3)}, ("x",)),
            Case(
                vn,
                f"np.linalg.vector_norm(x, axis=(0, 2), keepdims=True, ord={ord_})",
                {"x": _distinct(X3)},
                ("x",),
            ),
        ]
    cases += [
        Case(vn, "np.linalg.vector_norm(x)", {"x": arr((4,))}, ("x",)),
        Case(vn, "np.linalg.vector_norm(x, keepdims=True)", {"x": arr((2, 3))}, ("x",)),
    ]
    for ord_ in ["'fro'", "'nuc'", 2, -2, 1, -1, "np.inf", "-np.inf"]:
        cases += [
            Case(mn, f"np.linalg.matrix_norm(x, ord={ord_})", {"x": _distinct((3, 4))}, ("x",)),
            Case(
                mn,
                f"np.linalg.matrix_norm(x, ord={ord_}, keepdims=True)",
                {"x": _distinct((2, 4, 3))},
                ("x",),
            ),
        ]
    cases.append(Case(mn, "np.linalg.matrix_norm(x)", {"x": arr((2, 2, 3))}, ("x",)))
    return cases


CASES = _moments() + _nan() + _scans() + _trace() + _order_statistics() + _norms()
