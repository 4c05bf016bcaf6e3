"""Helpers for recursive functions: the gradient of a call, by the callee's own VJP.

d_mul2 = rt.vjp_call(f, d_f3, 0, _mul2, _sub1)   # the adjoint of f's argument 0
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["cotangent", "vjp_call"]

_VJPS: dict[tuple[Any, int | str], Any] = {}


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
