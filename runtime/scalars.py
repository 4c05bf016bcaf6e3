"""Runtime helpers for the rules of Python's own numeric functions (see
transforms/rules/scalars.py): builtin `max`/`min`/`sum` and the digamma function that
`math.gamma` and `math.lgamma` need (the `math` module has none, and SciPy is optional).
"""

from __future__ import annotations

import builtins
import math
from typing import Any

import numpy as np

__all__ = ["picked", "picked_default", "picked_transpose", "psi", "unsum_rows"]

_PICK = {"max": builtins.max, "min": builtins.min}


def _picked_index(func: str, items: Any, key: Any) -> int:
    """The position of the item builtin `max(items, key=key)` (or `min`) returns: Python's
    own scan over the same items, so ties (the first extreme one wins) and NaN agree."""
    if key is None:
        return _PICK[func](range(len(items)), key=items.__getitem__)
    return _PICK[func](range(len(items)), key=lambda i: key(items[i]))


def picked(g: Any, func: str, args: tuple[Any, ...], part: int, key: Any = None) -> Any:
    """The adjoint of `args[part]` in builtin `max(*args, key=key)` (func "max") or `min`.

    Several arguments: `g` for the one Python returned, zeros for the others. One argument
    (an array, iterated along its first axis): `g` at the row Python returned, zeros
    elsewhere (an empty array returned `default`, so it gets zeros)."""
    if len(args) == 1:
        items = args[0]
        out = np.zeros(np.shape(items), np.result_type(items, g))
        if len(items):
            out[_picked_index(func, items, key)] = g
        return out
    if _picked_index(func, args, key) == part:
        return g
    return np.zeros(np.shape(args[part]), np.result_type(g))


def picked_transpose(
    h: Any, g: Any, func: str, args: tuple[Any, ...], part: int, key: Any = None
) -> Any:
    """The transpose of picked(g, func, args, part, key) in `g` (it is linear in g), applied
    to `h`: the row Python returned (one argument; summed down to g's shape), `h` if it
    returned args[part], zeros shaped like g otherwise."""
    from . import unbroadcast

    if len(args) == 1:
        items = args[0]
        if not len(items):
            return np.zeros(np.shape(g), np.result_type(h))
        return unbroadcast(h[_picked_index(func, items, key)], g)
    if _picked_index(func, args, key) == part:
        return h
    return np.zeros(np.shape(g), np.result_type(h))


def picked_default(g: Any, args: tuple[Any, ...], default: Any) -> Any:
    """The adjoint of `default` in builtin `max(iterable, default=default)`: `g` when the
    iterable was empty (Python returned `default`), zeros otherwise."""
    if len(args) == 1 and len(args[0]) == 0:
        return g
    return np.zeros(np.shape(default), np.result_type(g))


def unsum_rows(g: Any, x: Any) -> Any:
    """The adjoint of an array `x` in builtin `sum(x)` (start + x[0] + x[1] + ...): every
    row gets `g` summed down to the row's shape."""
    from . import unbroadcast

    row = np.zeros(np.shape(x)[1:], np.result_type(g))
    return np.broadcast_to(unbroadcast(g, row), np.shape(x))


# The asymptotic series of digamma: psi(x) ~ log(x) - 1/(2x) - sum_k B_2k / (2k x^2k).
_SERIES = (1 / 12, -1 / 120, 1 / 252, -1 / 240, 1 / 132, -691 / 32760, 1 / 12)


def psi(x: Any) -> float:
    """The digamma function Γ'/Γ of a real number: the reflection formula below 1/2, the
    recurrence psi(x) = psi(x + 1) - 1/x up to 10, then the asymptotic series (relative
    error near 1e-15). NaN at the poles 0, -1, -2, ..."""
    x = float(x)
    if x <= 0 and x == math.floor(x):
        return math.nan
    if x < 0.5:
        return psi(1 - x) - math.pi / math.tan(math.pi * x)
    shift = 0.0
    while x < 10:
        shift -= 1 / x
        x += 1
    inv2 = 1 / (x * x)
    series = 0.0
    for c in reversed(_SERIES):
        series = (series + c) * inv2
    return shift + math.log(x) - 0.5 / x - series
