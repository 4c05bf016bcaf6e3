"""Central finite differences in float64: the independent reference every test uses."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

import npgrad


def numerical_grad(f: Callable[..., Any], args: tuple[Any, ...], i: int, eps: float = 1e-6):
    """d f(*args) / d args[i] by central differences, computed in float64."""
    args = list(args)
    x = args[i]
    scalar = isinstance(x, float)
    x64 = np.array(x, dtype=np.float64)
    grad = np.zeros_like(x64)
    for k in np.ndindex(x64.shape):
        plus, minus = x64.copy(), x64.copy()
        plus[k] += eps
        minus[k] -= eps
        args[i] = float(plus) if scalar else plus
        fp = float(f(*args))
        args[i] = float(minus) if scalar else minus
        fm = float(f(*args))
        grad[k] = (fp - fm) / (2 * eps)
    return float(grad) if scalar else grad


def check_grad(
    f: Callable[..., Any],
    *args: Any,
    wrt: Any = 0,
    rtol: float = 1e-5,
    atol: float = 1e-6,
    **options: Any,
) -> Any:
    """Assert npgrad's gradient of f matches finite differences, shape for shape."""
    g = npgrad.grad(f, wrt=wrt, **options)
    got = g(*args)
    wrts = wrt if isinstance(wrt, tuple) else (wrt,)
    gots = got if isinstance(wrt, tuple) else (got,)
    assert len(gots) == len(wrts)
    names = list(__import__("inspect").signature(f).parameters)
    for w, gi in zip(wrts, gots, strict=True):
        i = w if isinstance(w, int) else names.index(w)
        expected = numerical_grad(f, args, i)
        assert np.shape(gi) == np.shape(args[i]), (np.shape(gi), np.shape(args[i]))
        np.testing.assert_allclose(gi, expected, rtol=rtol, atol=atol, err_msg=g.source)
    return got
