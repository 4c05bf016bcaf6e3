"""Elementwise rules: arithmetic, ufuncs, where and clip.

Broadcasting is undone by the compiler (`broadcasts=True` asks for `rt.unbroadcast` on each
input that another operand may have broadcast), so rules are written for equal shapes.

Kinks, one convention each:
- ties: `maximum`/`minimum`/`fmax`/`fmin` split the gradient evenly between equal
  arguments; `fmax`/`fmin` send it to the argument that is not NaN (to `x1` when both are);
- `abs`, `fabs` and `copysign` (in `x1`) have gradient 0 at 0 (`np.sign`); `hypot` has
  gradient 0 at the origin;
- `clip` passes the gradient to `a` on the closed interval [a_min, a_max];
- piecewise-constant functions (rounding, `sign`, comparisons, `heaviside` in `x1`,
  `copysign` in `x2`, the quotient of `mod`/`fmod`/`divmod`) have gradient 0; `heaviside`
  passes the gradient to `x2` where `x1 == 0`, the one place its value is `x2`;
- `nan_to_num` passes the gradient where `x` was finite, and to `nan`/`posinf`/`neginf`
  where it replaced a value with them; `sinc` has gradient 0 at 0 (its exact derivative).

Complex values follow JAX's convention: the adjoint of a complex intermediate z = a + ib is
dL/da - 1j * dL/db. Holomorphic functions (arithmetic, exp, log, sqrt, the trigonometric and
hyperbolic functions, ...) then need no conjugates: their rules are the real ones as written.
The functions that are not holomorphic have their own rules: `real` (g), `imag` (-1j * g),
`conj` (conj(g)), `abs` (g * conj(z) / |z|, 0 at 0) and `angle` (-1j * g / z). A real
argument's gradient is the real part of its adjoint (rt.grad_like), so a real value may carry
a complex adjoint on the way; the functions with a real result from a complex input (`real`,
`imag`, `abs`, `angle`, casts to a real type) therefore read only the real part of `g`. On
real input `real` and `conj` are the identity, `abs` is `g * np.sign(x)`, and `imag` and
`angle` have gradient 0. The other rules (maximum, hypot, arctan2, clip, ...) are for real
input.
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


@vjp(np.fmod, broadcasts=True)
def fmod(g, ans, x1, x2):
    return g, -g * np.round((x1 - ans) / x2)


@vjp(np.divmod, builtins.divmod, broadcasts=True, results=2)
def divmod(g, ans, x1, x2):
    return g[1], None if g[1] is None else -g[1] * ans[0]


@vjp(np.reciprocal)
def reciprocal(g, ans, x):
    return -g * ans * ans


@vjp(np.float_power, broadcasts=True)
def float_power(g, ans, x1, x2):
    return (
        g * x2 * np.float_power(x1, x2 - 1),
        g * np.log(np.where(x1 == 0, 1, x1)) * ans,
    )


@vjp(np.ldexp, broadcasts=True)
def ldexp(g, ans, x1, x2):
    return g * np.ldexp(1.0, x2), None


@vjp(np.frexp, results=2)
def frexp(g, ans, x):
    return None if g[0] is None else g[0] * np.ldexp(1.0, -ans[1])


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


@vjp(np.logaddexp2, broadcasts=True)
def logaddexp2(g, ans, x1, x2):
    return g * np.exp2(x1 - ans), g * np.exp2(x2 - ans)


@vjp(np.exp2)
def exp2(g, ans, x):
    return g * ans * np.log(2.0)


@vjp(np.log2)
def log2(g, ans, x):
    return g / (x * np.log(2.0))


@vjp(np.log10)
def log10(g, ans, x):
    return g / (x * np.log(10.0))


@vjp(np.cbrt)
def cbrt(g, ans, x):
    return g / (3 * ans * ans)


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


@vjp(np.arcsinh)
def arcsinh(g, ans, x):
    return g / np.sqrt(x * x + 1)


@vjp(np.arccosh)
def arccosh(g, ans, x):
    return g / np.sqrt(x * x - 1)


@vjp(np.arctanh)
def arctanh(g, ans, x):
    return g / (1 - x * x)


@vjp(np.arctan2, broadcasts=True)
def arctan2(g, ans, x1, x2):
    return g * x2 / (x1 * x1 + x2 * x2), -g * x1 / (x1 * x1 + x2 * x2)


@vjp(np.hypot, broadcasts=True)
def hypot(g, ans, x1, x2):
    return g * x1 / np.where(ans == 0, 1, ans), g * x2 / np.where(ans == 0, 1, ans)


@vjp(np.sinc)
def sinc(g, ans, x):
    return g * np.where(x == 0, 0.0, (np.cos(np.pi * x) - ans) / np.where(x == 0, 1.0, x))


@vjp(np.deg2rad, np.radians)
def deg2rad(g, ans, x):
    return g * (np.pi / 180)


@vjp(np.rad2deg, np.degrees)
def rad2deg(g, ans, x):
    return g * (180 / np.pi)


# ----- piecewise -------------------------------------------------------------------


@vjp(np.absolute, builtins.abs)
def absolute(g, ans, x):
    return (
        g * np.sign(x)
        if not np.iscomplexobj(x)
        else np.real(g) * np.conjugate(x) / np.where(x == 0, 1, np.absolute(x))
    )


@vjp(np.fabs)
def fabs(g, ans, x):
    return g * np.sign(x)


@vjp(np.copysign, broadcasts=True)
def copysign(g, ans, x1, x2):
    return g * np.sign(x1) * np.where(np.signbit(x2), -1, 1), None


@vjp(np.heaviside, broadcasts=True)
def heaviside(g, ans, x1, x2):
    return None, g * (x1 == 0)


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


@vjp(np.fmax, broadcasts=True)
def fmax(g, ans, x1, x2):
    return (
        np.where(x1 == x2, g / 2, np.where((x1 > x2) | np.isnan(x2), g, 0)),
        np.where(x1 == x2, g / 2, np.where((x2 > x1) | np.isnan(x1) & ~np.isnan(x2), g, 0)),
    )


@vjp(np.fmin, broadcasts=True)
def fmin(g, ans, x1, x2):
    return (
        np.where(x1 == x2, g / 2, np.where((x1 < x2) | np.isnan(x2), g, 0)),
        np.where(x1 == x2, g / 2, np.where((x2 < x1) | np.isnan(x1) & ~np.isnan(x2), g, 0)),
    )


@vjp(np.nan_to_num)
def nan_to_num(g, ans, x, copy=True, nan=0.0, posinf=None, neginf=None):
    return (
        g * np.isfinite(x),
        None,
        np.sum(g * np.isnan(x)),
        np.sum(g * np.isposinf(x)),
        np.sum(g * np.isneginf(x)),
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


# ----- complex parts (JAX's convention, see the module docstring) ----------------------


@vjp(np.real)
def real(g, ans, val):
    return np.real(g)


@vjp(np.imag)
def imag(g, ans, val):
    return -1j * np.real(g) if np.iscomplexobj(val) else np.zeros_like(g)


@vjp(np.conjugate)
def conjugate(g, ans, x):
    return np.conjugate(g)


@vjp(np.angle)
def angle(g, ans, z, deg=False):
    return (-1j * np.real(g) / z if np.iscomplexobj(z) else np.zeros_like(g)) * (
        180 / np.pi if deg else 1
    )


# ----- casts -----------------------------------------------------------------------


@vjp(builtins.float, np.float64, np.float32, np.float16, np.longdouble)
def cast(g, ans, x):
    return np.real(g)


@vjp(np.ndarray.astype)
def astype(g, ans, a, dtype):
    return g if np.iscomplexobj(ans) else np.real(g)


method("astype", np.ndarray.astype)
method("clip", np.clip)
method("conj", np.conjugate)
method("conjugate", np.conjugate)
method("round", np.round)
method("searchsorted", np.searchsorted)

nondiff(
    np.sign,
    np.floor,
    np.ceil,
    np.round,
    np.around,
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
    np.isposinf,
    np.isneginf,
    np.isreal,
    np.iscomplex,
    np.isrealobj,
    np.iscomplexobj,
    np.isclose,
    np.allclose,
    np.array_equal,
    np.array_equiv,
    np.searchsorted,
    np.digitize,
    np.spacing,
    builtins.int,
    builtins.bool,
    builtins.round,
    builtins.len,
    builtins.isinstance,
    np.int64,
    np.int32,
    np.bool_,
)
