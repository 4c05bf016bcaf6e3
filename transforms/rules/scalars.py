"""Python's own numeric functions: the `math` module and the builtins max, min, sum, pow.

`math` functions that compute what a NumPy ufunc computes share its rule (elementwise.py:
`@vjp(np.exp, math.exp)`); the ones here have no NumPy twin with the same parameters or
the same derivative. `math` functions take positional arguments only, so binding a call
against a rule's parameters is positional too.

Conventions:
- `max`/`min` follow Python: the gradient goes to the argument the call returned, the
  first extreme one on ties (`max(a, b)` returns `a` when `a >= b`), found by Python's own
  scan (with the same `key`); NaN behaves as in the forward call. The one-argument form
  `max(x)` of an array iterates its rows: the returned row gets the gradient; `default`
  gets it when the array is empty. A list literal (`max([a, b])`) or a list held in a
  variable is refused at transform time: write `max(a, b)` or `max(np.array([a, b]))`.
- `sum(iterable, start)` adds `g` summed down to each element's shape (Python adds from
  `start` on, so elements may broadcast); an array is summed along its first axis.
  `math.fsum` shares the rule (a correctly rounded sum has the same derivative).
- `pow(base, exp)` is `base ** exp` (its `mod` form takes integers: no gradient).
- `math.log(x, base)` differentiates both; `math.hypot` takes any number of coordinates
  and has gradient 0 at the origin, as np.hypot.
- `math.gamma`/`math.lgamma` use digamma (runtime/scalars.py: `rt.psi`, no SciPy needed).
  lgamma is log|Γ|, whose derivative is digamma for negative arguments too.
- Rounding, tests, and the integer functions are constant (`nondiff`); `math.nextafter`,
  `math.prod`, `math.dist` and `math.sumprod` have no rule yet (refused when differentiated).
"""

# Each rule is a template: names stand for the call's arguments and are inlined.

import builtins
import math

import numpy as np

from npgrad import runtime as rt

from .table import diagonal, jvp, linear, nondiff, vjp

# ----- builtins max, min, sum, pow -------------------------------------------------


@vjp(builtins.max)
def max_(g, ans, *args, key=None, default=None, part=None):
    return (
        rt.picked(g, "max", args, part) if key is None else rt.picked(g, "max", args, part, key),
        None,
        rt.picked_default(g, args, default),
    )


@jvp(of=max_)
def max_jvp(targs, tdefault, ans, *args, key=None, default=None):
    return rt.picked_tangent(targs, "max", args, key) + rt.picked_default_tangent(tdefault, args)


@vjp(builtins.min)
def min_(g, ans, *args, key=None, default=None, part=None):
    return (
        rt.picked(g, "min", args, part) if key is None else rt.picked(g, "min", args, part, key),
        None,
        rt.picked_default(g, args, default),
    )


@jvp(of=min_)
def min_jvp(targs, tdefault, ans, *args, key=None, default=None):
    return rt.picked_tangent(targs, "min", args, key) + rt.picked_default_tangent(tdefault, args)


@vjp(builtins.sum, math.fsum, sequence="iterable", array_ok=True)
def sum_(g, ans, iterable, start=0, part=None):
    return (
        rt.unsum_rows(g, iterable) if part is None else rt.unsum(g, iterable)[part],
        rt.unbroadcast(g, start),
    )


@jvp(of=sum_)
def sum_jvp(titerable, tstart, ans, iterable, start=0):
    return linear(titerable, tstart)


@vjp(builtins.pow)
def pow_(g, ans, base, exp, mod=None):
    return g * exp * base ** (exp - 1), g * np.log(np.where(base == 0, 1, base)) * ans, None


# ----- math: logarithms, norms -----------------------------------------------------


@vjp(math.log)
def log_(g, ans, x, base=None):
    return (
        g / x if base is None else g / (x * np.log(base)),
        -g * ans / (base * np.log(base)),
    )


@vjp(math.hypot)
def hypot_(g, ans, *coordinates, part=None):
    return g * coordinates[part] / np.where(ans == 0, 1, ans)


# ----- math: error and gamma functions -----------------------------------------------


@vjp(math.erf)
def erf(g, ans, x):
    return g * (2 / np.sqrt(np.pi)) * np.exp(-x * x)


@vjp(math.erfc)
def erfc(g, ans, x):
    return -g * (2 / np.sqrt(np.pi)) * np.exp(-x * x)


@vjp(math.gamma)
def gamma(g, ans, x):
    return g * ans * rt.psi(x)


@vjp(math.lgamma)
def lgamma(g, ans, x):
    return g * rt.psi(x)


# ----- no gradient -----------------------------------------------------------------

nondiff(
    math.floor,
    math.ceil,
    math.trunc,
    math.isnan,
    math.isinf,
    math.isfinite,
    math.isclose,
    math.ulp,
    math.factorial,
    math.comb,
    math.perm,
    math.gcd,
    math.lcm,
    math.isqrt,
)

# Elementwise, adjoint linear in g: forward mode derives each JVP from the rule (table.py).
diagonal(pow_, log_, hypot_, erf, erfc, gamma, lgamma)
