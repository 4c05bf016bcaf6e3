"""Helpers for recursive functions: the derivatives of a call, by the callee's own code.

d_mul2 = rt.vjp_call(f, d_f3, 0, _mul2, _sub1)   # the adjoint of f's argument 0
t_f3 = rt.jvp_call(f, t_mul2, 'x', _mul2, _sub1)  # the tangent of f's result along x
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["cotangent", "jvp_call", "vjp_call"]

_VJPS: dict[tuple[Any, int | str], Any] = {}
_JVPS: dict[tuple[Any, int | str], Any] = {}


def cotangent(g: Any, ans: Any) -> Any:
    """The adjoint of the output, handed in by the caller of a VJP: shaped like the output."""
    return g if np.shape(g) == np.shape(ans) else np.broadcast_to(g, np.shape(ans))


def vjp_call(func: Any, g: Any, wrt: int | str, *args: Any, **kwargs: Any) -> Any:
    """The adjoint of `func(*args, **kwargs)`'s argument `wrt`, given the output's adjoint
    `g`: npgrad's generated VJP of `func` (made once per function and argument), run now."""
    key = (func, wrt)
    transformed = _VJPS.get(key)
    if transformed is None:
        from npgrad.api import Transformed

        transformed = _VJPS[key] = Transformed(func, "vjp", wrt, None, True)
    return transformed(*args, npgrad_cotangent=g, **kwargs)


def jvp_call(func: Any, tangent: Any, wrt: int | str, *args: Any, **kwargs: Any) -> Any:
    """The tangent of `func(*args, **kwargs)` when its argument `wrt` moves along `tangent`:
    npgrad's generated JVP of `func` (made once per function and argument), run now."""
    key = (func, wrt)
    transformed = _JVPS.get(key)
    from npgrad.api import Transformed
    from npgrad.jacobians import tangent_names

    if transformed is None:
        transformed = _JVPS[key] = Transformed(func, "jvp", wrt, None, True)
    (name,) = tangent_names(transformed, args, kwargs)
    return transformed(*args, **kwargs, **{name: tangent})[1]
