"""Elementwise rules: arithmetic, ufuncs, where and clip.

Broadcasting is undone by the compiler (`broadcasts=True` asks for `rt.unbroadcast` on each
input that another operand may have broadcast), so rules are written for equal shapes.
Ties: `maximum`/`minimum` split the gradient evenly between equal arguments; `abs` has
gradient 0 at 0; `clip` passes the gradient to `a` on the closed interval [a_min, a_max].
"""

# ruff: noqa: E501
# Each rule is a template: names stand for the call's arguments and are inlined.

import builtins

import numpy as np

from .table import method, nondiff, vjp

# ----- arithmetic -----------------------------------------------------------------


@vjp(np.add, broadcasts=True)
def add(g, ans, x1, x2):
    return g, g


@vjp(np.subtract, broadcasts=True)
def subtract(g, ans, x1, x2):
    return g, -g


@vjp(np.multiply, broadcasts=True)
def multiply(g, ans, x1, x2):
    return g * x2, g * x1


@vjp(np.true_divide, broadcasts=True)
def true_divide(g, ans, x1, x2):
    return g / x2, -g * ans / x2


@vjp(np.power, broadcasts=True)
def power(g, ans, x1, x2):
    return g * x2 * x1 ** (x2 - 1), g * np.log(np.where(x1 == 0, 1, x1)) * ans


@vjp(np.negative)
def negative(g, ans, x):
    return -g


@vjp(np.positive)
def positive(g, ans, x):
    return g


@vjp(np.mod, broadcasts=True)
def mod(g, ans, x1, x2):
    return g, -g * np.floor_divide(x1, x2)


# ----- exponentials and logarithms -------------------------------------------------


@vjp(np.exp)
def exp(g, ans, x):
    return g * ans


@vjp(np.expm1)
def expm1(g, ans, x):
    return g * (ans + 1)


@vjp(np.log)
def log(g, ans, x):
    return g / x


@vjp(np.log1p)
def log1p(g, ans, x):
    return g / (1 + x)


@vjp(np.sqrt)
def sqrt(g, ans, x):
    return g / (2 * ans)


@vjp(np.square)
def square(g, ans, x):
    return g * 2 * x


@vjp(np.logaddexp, broadcasts=True)
def logaddexp(g, ans, x1, x2):
    return g * np.exp(x1 - ans), g * np.exp(x2 - ans)


# ----- trigonometric and hyperbolic ------------------------------------------------


@vjp(np.sin)
def sin(g, ans, x):
    return g * np.cos(x)


@vjp(np.cos)
def cos(g, ans, x):
    return -g * np.sin(x)


@vjp(np.tan)
def tan(g, ans, x):
    return g * (1 + ans * ans)


@vjp(np.arcsin)
def arcsin(g, ans, x):
    return g / np.sqrt(1 - x * x)


@vjp(np.arccos)
def arccos(g, ans, x):
    return -g / np.sqrt(1 - x * x)


@vjp(np.arctan)
def arctan(g, ans, x):
    return g / (1 + x * x)


@vjp(np.sinh)
def sinh(g, ans, x):
    return g * np.cosh(x)


@vjp(np.cosh)
def cosh(g, ans, x):
    return g * np.sinh(x)


@vjp(np.tanh)
def tanh(g, ans, x):
    return g * (1 - ans * ans)


# ----- piecewise -------------------------------------------------------------------


@vjp(np.absolute, builtins.abs)
def absolute(g, ans, x):
    return g * np.sign(x)


@vjp(np.maximum, broadcasts=True)
def maximum(g, ans, x1, x2):
    return np.where(x1 > x2, g, np.where(x1 == x2, g / 2, 0)), np.where(
        x2 > x1, g, np.where(x1 == x2, g / 2, 0)
    )


@vjp(np.minimum, broadcasts=True)
def minimum(g, ans, x1, x2):
    return np.where(x1 < x2, g, np.where(x1 == x2, g / 2, 0)), np.where(
        x2 < x1, g, np.where(x1 == x2, g / 2, 0)
    )


@vjp(np.where, broadcasts=True)
def where(g, ans, condition, x, y):
    return None, np.where(condition, g, 0), np.where(condition, 0, g)


@vjp(np.clip, broadcasts=True)
def clip(g, ans, a, a_min, a_max):
    return (
        g * ((a >= a_min) & (a <= a_max))
        if a_min is not None and a_max is not None
        else g * (a >= a_min)
        if a_min is not None
        else g * (a <= a_max),
        g * (a < a_min),
        g * (a > a_max),
    )


@vjp(np.modf, results=2)
def modf(g, ans, x):
    return g[0]


# ----- casts -----------------------------------------------------------------------


@vjp(builtins.float, np.float64, np.float32, np.float16, np.longdouble)
def cast(g, ans, x):
    return g


@vjp(np.ndarray.astype)
def astype(g, ans, a, dtype):
    return g


method("astype", np.ndarray.astype)
method("clip", np.clip)

nondiff(
    np.sign,
    np.floor,
    np.ceil,
    np.round,
    np.rint,
    np.trunc,
    np.fix,
    np.floor_divide,
    np.equal,
    np.not_equal,
    np.less,
    np.less_equal,
    np.greater,
    np.greater_equal,
    np.logical_and,
    np.logical_or,
    np.logical_not,
    np.logical_xor,
    np.isfinite,
    np.isnan,
    np.isinf,
    np.signbit,
    builtins.int,
    builtins.bool,
    builtins.round,
    builtins.len,
    builtins.isinstance,
    np.int64,
    np.int32,
    np.bool_,
)
