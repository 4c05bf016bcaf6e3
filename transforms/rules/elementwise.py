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
import math

import numpy as np

from .table import diagonal, jvp, linear, method, nondiff, vjp

# ----- arithmetic -----------------------------------------------------------------


@vjp(np.add, broadcasts=True)
def add(g, ans, x1, x2):
    return g, g


@jvp(of=add)
def add_jvp(tx1, tx2, ans, x1, x2):
    return tx1 + tx2


@vjp(np.subtract, broadcasts=True)
def subtract(g, ans, x1, x2):
    return g, -g


@jvp(of=subtract)
def subtract_jvp(tx1, tx2, ans, x1, x2):
    return tx1 - tx2


@vjp(np.multiply, broadcasts=True)
def multiply(g, ans, x1, x2):
    return g * x2, g * x1


@jvp(of=multiply)
def multiply_jvp(tx1, tx2, ans, x1, x2):
    return tx1 * x2 + x1 * tx2


@vjp(np.true_divide, broadcasts=True)
def true_divide(g, ans, x1, x2):
    return g / x2, -g * ans / x2


@jvp(of=true_divide)
def true_divide_jvp(tx1, tx2, ans, x1, x2):
    return (tx1 - ans * tx2) / x2


@vjp(np.power, math.pow, broadcasts=True)
def power(g, ans, x1, x2):
    return g * x2 * x1 ** (x2 - 1), g * np.log(np.where(x1 == 0, 1, x1)) * ans


@jvp(of=power)
def power_jvp(tx1, tx2, ans, x1, x2):
    return tx1 * x2 * x1 ** (x2 - 1) + tx2 * np.log(np.where(x1 == 0, 1, x1)) * ans


@vjp(np.negative)
def negative(g, ans, x):
    return -g


@jvp(of=negative)
def negative_jvp(tx, ans, x):
    return linear(tx)


@vjp(np.positive)
def positive(g, ans, x):
    return g


@jvp(of=positive)
def positive_jvp(tx, ans, x):
    return linear(tx)


@vjp(np.mod, broadcasts=True)
def mod(g, ans, x1, x2):
    return g, -g * np.floor_divide(x1, x2)


@jvp(of=mod)
def mod_jvp(tx1, tx2, ans, x1, x2):
    return tx1 - tx2 * np.floor_divide(x1, x2)


@vjp(np.fmod, math.fmod, math.remainder, broadcasts=True)
def fmod(g, ans, x1, x2):
    return g, -g * np.round((x1 - ans) / x2)


@jvp(of=fmod)
def fmod_jvp(tx1, tx2, ans, x1, x2):
    return tx1 - tx2 * np.round((x1 - ans) / x2)


@vjp(np.divmod, builtins.divmod, broadcasts=True, results=2)
def divmod(g, ans, x1, x2):
    return g[1], None if g[1] is None else -g[1] * ans[0]


@jvp(of=divmod)
def divmod_jvp(tx1, tx2, ans, x1, x2):
    return None, tx1 - tx2 * ans[0]


@vjp(np.reciprocal)
def reciprocal(g, ans, x):
    return -g * ans * ans


@jvp(of=reciprocal)
def reciprocal_jvp(tx, ans, x):
    return -tx * ans * ans


@vjp(np.float_power, broadcasts=True)
def float_power(g, ans, x1, x2):
    return (
        g * x2 * np.float_power(x1, x2 - 1),
        g * np.log(np.where(x1 == 0, 1, x1)) * ans,
    )


@jvp(of=float_power)
def float_power_jvp(tx1, tx2, ans, x1, x2):
    return tx1 * x2 * np.float_power(x1, x2 - 1) + tx2 * np.log(np.where(x1 == 0, 1, x1)) * ans


@vjp(np.ldexp, math.ldexp, broadcasts=True)
def ldexp(g, ans, x1, x2):
    return g * np.ldexp(1.0, x2), None


@jvp(of=ldexp)
def ldexp_jvp(tx1, ans, x1, x2):
    return tx1 * np.ldexp(1.0, x2)


@vjp(np.frexp, math.frexp, results=2)
def frexp(g, ans, x):
    return None if g[0] is None else g[0] * np.ldexp(1.0, -ans[1])


@jvp(of=frexp)
def frexp_jvp(tx, ans, x):
    return tx * np.ldexp(1.0, -ans[1]), None


# ----- exponentials and logarithms -------------------------------------------------


@vjp(np.exp, math.exp)
def exp(g, ans, x):
    return g * ans


@jvp(of=exp)
def exp_jvp(tx, ans, x):
    return tx * ans


@vjp(np.expm1, math.expm1)
def expm1(g, ans, x):
    return g * (ans + 1)


@jvp(of=expm1)
def expm1_jvp(tx, ans, x):
    return tx * (ans + 1)


@vjp(np.log)
def log(g, ans, x):
    return g / x


@jvp(of=log)
def log_jvp(tx, ans, x):
    return tx / x


@vjp(np.log1p, math.log1p)
def log1p(g, ans, x):
    return g / (1 + x)


@jvp(of=log1p)
def log1p_jvp(tx, ans, x):
    return tx / (1 + x)


@vjp(np.sqrt, math.sqrt)
def sqrt(g, ans, x):
    return g / (2 * ans)


@jvp(of=sqrt)
def sqrt_jvp(tx, ans, x):
    return tx / (2 * ans)


@vjp(np.square)
def square(g, ans, x):
    return g * 2 * x


@jvp(of=square)
def square_jvp(tx, ans, x):
    return tx * 2 * x


@vjp(np.logaddexp, broadcasts=True)
def logaddexp(g, ans, x1, x2):
    return g * np.exp(x1 - ans), g * np.exp(x2 - ans)


@jvp(of=logaddexp)
def logaddexp_jvp(tx1, tx2, ans, x1, x2):
    return tx1 * np.exp(x1 - ans) + tx2 * np.exp(x2 - ans)


@vjp(np.logaddexp2, broadcasts=True)
def logaddexp2(g, ans, x1, x2):
    return g * np.exp2(x1 - ans), g * np.exp2(x2 - ans)


@jvp(of=logaddexp2)
def logaddexp2_jvp(tx1, tx2, ans, x1, x2):
    return tx1 * np.exp2(x1 - ans) + tx2 * np.exp2(x2 - ans)


@vjp(np.exp2, math.exp2)
def exp2(g, ans, x):
    return g * ans * np.log(2.0)


@jvp(of=exp2)
def exp2_jvp(tx, ans, x):
    return tx * ans * np.log(2.0)


@vjp(np.log2, math.log2)
def log2(g, ans, x):
    return g / (x * np.log(2.0))


@jvp(of=log2)
def log2_jvp(tx, ans, x):
    return tx / (x * np.log(2.0))


@vjp(np.log10, math.log10)
def log10(g, ans, x):
    return g / (x * np.log(10.0))


@jvp(of=log10)
def log10_jvp(tx, ans, x):
    return tx / (x * np.log(10.0))


@vjp(np.cbrt, math.cbrt)
def cbrt(g, ans, x):
    return g / (3 * ans * ans)


@jvp(of=cbrt)
def cbrt_jvp(tx, ans, x):
    return tx / (3 * ans * ans)


# ----- trigonometric and hyperbolic ------------------------------------------------


@vjp(np.sin, math.sin)
def sin(g, ans, x):
    return g * np.cos(x)


@jvp(of=sin)
def sin_jvp(tx, ans, x):
    return tx * np.cos(x)


@vjp(np.cos, math.cos)
def cos(g, ans, x):
    return -g * np.sin(x)


@jvp(of=cos)
def cos_jvp(tx, ans, x):
    return -tx * np.sin(x)


@vjp(np.tan, math.tan)
def tan(g, ans, x):
    return g * (1 + ans * ans)


@jvp(of=tan)
def tan_jvp(tx, ans, x):
    return tx * (1 + ans * ans)


@vjp(np.arcsin, math.asin)
def arcsin(g, ans, x):
    return g / np.sqrt(1 - x * x)


@jvp(of=arcsin)
def arcsin_jvp(tx, ans, x):
    return tx / np.sqrt(1 - x * x)


@vjp(np.arccos, math.acos)
def arccos(g, ans, x):
    return -g / np.sqrt(1 - x * x)


@jvp(of=arccos)
def arccos_jvp(tx, ans, x):
    return -tx / np.sqrt(1 - x * x)


@vjp(np.arctan, math.atan)
def arctan(g, ans, x):
    return g / (1 + x * x)


@jvp(of=arctan)
def arctan_jvp(tx, ans, x):
    return tx / (1 + x * x)


@vjp(np.sinh, math.sinh)
def sinh(g, ans, x):
    return g * np.cosh(x)


@jvp(of=sinh)
def sinh_jvp(tx, ans, x):
    return tx * np.cosh(x)


@vjp(np.cosh, math.cosh)
def cosh(g, ans, x):
    return g * np.sinh(x)


@jvp(of=cosh)
def cosh_jvp(tx, ans, x):
    return tx * np.sinh(x)


@vjp(np.tanh, math.tanh)
def tanh(g, ans, x):
    return g * (1 - ans * ans)


@jvp(of=tanh)
def tanh_jvp(tx, ans, x):
    return tx * (1 - ans * ans)


@vjp(np.arcsinh, math.asinh)
def arcsinh(g, ans, x):
    return g / np.sqrt(x * x + 1)


@jvp(of=arcsinh)
def arcsinh_jvp(tx, ans, x):
    return tx / np.sqrt(x * x + 1)


@vjp(np.arccosh, math.acosh)
def arccosh(g, ans, x):
    return g / np.sqrt(x * x - 1)


@jvp(of=arccosh)
def arccosh_jvp(tx, ans, x):
    return tx / np.sqrt(x * x - 1)


@vjp(np.arctanh, math.atanh)
def arctanh(g, ans, x):
    return g / (1 - x * x)


@jvp(of=arctanh)
def arctanh_jvp(tx, ans, x):
    return tx / (1 - x * x)


@vjp(np.arctan2, math.atan2, broadcasts=True)
def arctan2(g, ans, x1, x2):
    return g * x2 / (x1 * x1 + x2 * x2), -g * x1 / (x1 * x1 + x2 * x2)


@jvp(of=arctan2)
def arctan2_jvp(tx1, tx2, ans, x1, x2):
    return (tx1 * x2 - tx2 * x1) / (x1 * x1 + x2 * x2)


@vjp(np.hypot, broadcasts=True)
def hypot(g, ans, x1, x2):
    return g * x1 / np.where(ans == 0, 1, ans), g * x2 / np.where(ans == 0, 1, ans)


@jvp(of=hypot)
def hypot_jvp(tx1, tx2, ans, x1, x2):
    return (tx1 * x1 + tx2 * x2) / np.where(ans == 0, 1, ans)


# At 0, sinc' is 0; its Taylor polynomial there (to x**7) stands in for it, so that the
# derivatives of this rule (higher derivatives of sinc) are exact at 0 too, to the 8th.


@vjp(np.sinc)
def sinc(g, ans, x):
    return g * np.where(
        x == 0,
        x * (-np.pi**2 / 3 + x * x * (np.pi**4 / 30 - x * x * (
            np.pi**6 / 840 - x * x * np.pi**8 / 45360))),
        (np.cos(np.pi * x) - ans) / np.where(x == 0, 1.0, x),
    )  # fmt: skip


diagonal(sinc)  # its JVP is the rule with `g` replaced by `tx`


@vjp(np.deg2rad, np.radians, math.radians)
def deg2rad(g, ans, x):
    return g * (np.pi / 180)


@jvp(of=deg2rad)
def deg2rad_jvp(tx, ans, x):
    return tx * (np.pi / 180)


@vjp(np.rad2deg, np.degrees, math.degrees)
def rad2deg(g, ans, x):
    return g * (180 / np.pi)


@jvp(of=rad2deg)
def rad2deg_jvp(tx, ans, x):
    return tx * (180 / np.pi)


# ----- piecewise -------------------------------------------------------------------


@vjp(np.absolute, builtins.abs)
def absolute(g, ans, x):
    return (
        g * np.sign(x)
        if not np.iscomplexobj(x)
        else np.real(g) * np.conjugate(x) / np.where(x == 0, 1, np.absolute(x))
    )


@jvp(of=absolute)
def absolute_jvp(tx, ans, x):
    return (
        tx * np.sign(x)
        if not np.iscomplexobj(x)
        else np.real(np.conjugate(x) * tx) / np.where(x == 0, 1, np.absolute(x))
    )


@vjp(np.fabs, math.fabs)
def fabs(g, ans, x):
    return g * np.sign(x)


@jvp(of=fabs)
def fabs_jvp(tx, ans, x):
    return tx * np.sign(x)


@vjp(np.copysign, math.copysign, broadcasts=True)
def copysign(g, ans, x1, x2):
    return g * np.sign(x1) * np.where(np.signbit(x2), -1, 1), None


@jvp(of=copysign)
def copysign_jvp(tx1, ans, x1, x2):
    return tx1 * np.sign(x1) * np.where(np.signbit(x2), -1, 1)


@vjp(np.heaviside, broadcasts=True)
def heaviside(g, ans, x1, x2):
    return None, g * (x1 == 0)


@jvp(of=heaviside)
def heaviside_jvp(tx2, ans, x1, x2):
    return tx2 * (x1 == 0)


@vjp(np.maximum, broadcasts=True)
def maximum(g, ans, x1, x2):
    return np.where(x1 > x2, g, np.where(x1 == x2, g / 2, 0)), np.where(
        x2 > x1, g, np.where(x1 == x2, g / 2, 0)
    )


@jvp(of=maximum)
def maximum_jvp(tx1, tx2, ans, x1, x2):
    return tx1 * np.where(x1 > x2, 1.0, np.where(x1 == x2, 0.5, 0.0)) + tx2 * np.where(
        x2 > x1, 1.0, np.where(x1 == x2, 0.5, 0.0)
    )


@vjp(np.minimum, broadcasts=True)
def minimum(g, ans, x1, x2):
    return np.where(x1 < x2, g, np.where(x1 == x2, g / 2, 0)), np.where(
        x2 < x1, g, np.where(x1 == x2, g / 2, 0)
    )


@jvp(of=minimum)
def minimum_jvp(tx1, tx2, ans, x1, x2):
    return tx1 * np.where(x1 < x2, 1.0, np.where(x1 == x2, 0.5, 0.0)) + tx2 * np.where(
        x2 < x1, 1.0, np.where(x1 == x2, 0.5, 0.0)
    )


@vjp(np.fmax, broadcasts=True)
def fmax(g, ans, x1, x2):
    return (
        np.where(x1 == x2, g / 2, np.where((x1 > x2) | np.isnan(x2), g, 0)),
        np.where(x1 == x2, g / 2, np.where((x2 > x1) | np.isnan(x1) & ~np.isnan(x2), g, 0)),
    )


@jvp(of=fmax)
def fmax_jvp(tx1, tx2, ans, x1, x2):
    return tx1 * np.where(
        x1 == x2, 0.5, np.where((x1 > x2) | np.isnan(x2), 1.0, 0.0)
    ) + tx2 * np.where(x1 == x2, 0.5, np.where((x2 > x1) | np.isnan(x1) & ~np.isnan(x2), 1.0, 0.0))


@vjp(np.fmin, broadcasts=True)
def fmin(g, ans, x1, x2):
    return (
        np.where(x1 == x2, g / 2, np.where((x1 < x2) | np.isnan(x2), g, 0)),
        np.where(x1 == x2, g / 2, np.where((x2 < x1) | np.isnan(x1) & ~np.isnan(x2), g, 0)),
    )


@jvp(of=fmin)
def fmin_jvp(tx1, tx2, ans, x1, x2):
    return tx1 * np.where(
        x1 == x2, 0.5, np.where((x1 < x2) | np.isnan(x2), 1.0, 0.0)
    ) + tx2 * np.where(x1 == x2, 0.5, np.where((x2 < x1) | np.isnan(x1) & ~np.isnan(x2), 1.0, 0.0))


@vjp(np.nan_to_num)
def nan_to_num(g, ans, x, copy=True, nan=0.0, posinf=None, neginf=None):
    return (
        g * np.isfinite(x),
        None,
        np.sum(g * np.isnan(x)),
        np.sum(g * np.isposinf(x)),
        np.sum(g * np.isneginf(x)),
    )


@jvp(of=nan_to_num)
def nan_to_num_jvp(
    tx, tnan, tposinf, tneginf, ans, x, copy=True, nan=0.0, posinf=None, neginf=None
):
    return (
        tx * np.isfinite(x)
        + tnan * np.isnan(x)
        + tposinf * np.isposinf(x)
        + tneginf * np.isneginf(x)
    )


@vjp(np.where, broadcasts=True)
def where(g, ans, condition, x, y):
    return None, np.where(condition, g, 0), np.where(condition, 0, g)


@jvp(of=where)
def where_jvp(tx, ty, ans, condition, x, y):
    return np.where(condition, 0 if tx is None else tx, 0 if ty is None else ty)


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


@jvp(of=clip)
def clip_jvp(ta, ta_min, ta_max, ans, a, a_min, a_max):
    return (
        (
            ta * ((a >= a_min) & (a <= a_max))
            if a_min is not None and a_max is not None
            else ta * (a >= a_min)
            if a_min is not None
            else ta * (a <= a_max)
        )
        + ta_min * (a < a_min)
        + ta_max * (a > a_max)
    )


@vjp(np.modf, math.modf, results=2)
def modf(g, ans, x):
    return g[0]


@jvp(of=modf)
def modf_jvp(tx, ans, x):
    return tx, None


# ----- complex parts (JAX's convention, see the module docstring) ----------------------


@vjp(np.real)
def real(g, ans, val):
    return np.real(g)


@jvp(of=real)
def real_jvp(tval, ans, val):
    return linear(tval)


@vjp(np.imag)
def imag(g, ans, val):
    return -1j * np.real(g) if np.iscomplexobj(val) else np.zeros_like(g)


@jvp(of=imag)
def imag_jvp(tval, ans, val):
    return linear(tval)


@vjp(np.conjugate)
def conjugate(g, ans, x):
    return np.conjugate(g)


@jvp(of=conjugate)
def conjugate_jvp(tx, ans, x):
    return linear(tx)


@vjp(np.angle)
def angle(g, ans, z, deg=False):
    return (-1j * np.real(g) / z if np.iscomplexobj(z) else np.zeros_like(g)) * (
        180 / np.pi if deg else 1
    )


@jvp(of=angle)
def angle_jvp(tz, ans, z, deg=False):
    return (np.imag(tz / z) if np.iscomplexobj(z) else np.zeros_like(np.real(tz))) * (
        180 / np.pi if deg else 1
    )


# ----- casts -----------------------------------------------------------------------


@vjp(builtins.float, np.float64, np.float32, np.float16, np.longdouble)
def cast(g, ans, x):
    return np.real(g)


@jvp(of=cast)
def cast_jvp(tx, ans, x):
    return linear(tx)


@vjp(np.ndarray.astype)
def astype(g, ans, a, dtype):
    return g if np.iscomplexobj(ans) else np.real(g)


@jvp(of=astype)
def astype_jvp(ta, ans, a, dtype):
    return linear(ta)


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
