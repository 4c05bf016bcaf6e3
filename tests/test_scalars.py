"""Python's own numbers in differentiated code: `math` functions of Python floats, builtin
max/min/sum/pow, next to NumPy arrays and inside loops; all against finite differences.
(Each rule alone is checked in test_rules.py through tests/cases_scalars.py.)"""

from __future__ import annotations

import math

import numpy as np
import pytest
from fd import check_grad, numerical_grad
from npgrad.runtime import psi

import npgrad

RNG = np.random.default_rng(7)
X = RNG.uniform(-1.5, 1.5, size=6)


# ----- math on floats, next to arrays ------------------------------------------------


def mixed(scale, x):
    """A float parameter through `math`, then into NumPy."""
    s = math.exp(-scale) + math.log1p(scale * scale)
    t = math.atan2(scale, 2.0) * math.sqrt(1.0 + scale)
    return np.sum(np.tanh(s * x) ** 2) + t * np.mean(x) + math.lgamma(scale + 1.0)


def test_math_on_a_float_parameter_with_arrays():
    got = check_grad(mixed, 0.7, X, wrt=(0, 1))
    assert type(got[0]) is float


def relu_loop(x):
    s = 0.0
    for i in range(len(x)):
        s = s + max(x[i], 0.0) ** 2 - 0.5 * min(x[i], -0.25)
    return s


def test_max_and_min_of_array_elements_in_a_loop():
    check_grad(relu_loop, X)


def decay(x, rate):
    """math.exp of a value that changes every iteration."""
    h = 1.0
    total = 0.0
    for v in x:
        h = h * math.exp(-rate * v) + math.sin(v)
        total = total + math.fabs(h) + math.hypot(h, v, rate)
    return total


def test_math_exp_of_a_value_inside_a_loop():
    check_grad(decay, X, 0.3, wrt=(0, 1))


def builtins_mix(a, b, x):
    m = max(a, b * b, 0.5)
    p = pow(a, 3) + pow(b, a) + a**b
    s = sum([a, m * 2.0, np.sum(x)], b)
    return s * p + sum(x * x) + max(x) - min(x, key=abs)


def test_builtins_max_min_sum_pow_together():
    check_grad(builtins_mix, 1.3, 0.8, X, wrt=(0, 1, 2))
    check_grad(builtins_mix, 0.2, 0.3, X, wrt=(0, 1, 2))  # max picks the constant 0.5


def running_sum(x, w):
    s = 0.0
    for i in range(len(x)):
        s = sum([s, x[i] * w], 0.1)
    return s


def test_sum_of_a_list_literal_in_a_loop():
    check_grad(running_sum, X, 0.9, wrt=(0, 1))


def frexp_parts(a):
    m, e = math.frexp(a)
    frac, whole = math.modf(a * 3.0)
    return m * m + e + frac * whole


def test_math_functions_returning_pairs():
    check_grad(frexp_parts, 2.6)


def summed_list(x):
    hs = []
    for k in range(3):
        hs.append(x * (k + 1.0))
    return np.sum(sum(hs) ** 2)


def test_builtin_sum_of_a_list_held_in_a_variable_still_works():
    check_grad(summed_list, X)


# ----- conventions -----------------------------------------------------------------


def first_of_two(a, b):
    return max(a, b)


def first_of_three(a, b, c):
    return min(a, b, c)


def test_ties_go_to_the_argument_python_returns():
    """At a tie Python returns the first extreme argument (`max(a, b)` is `a` when a >= b):
    the gradient is that argument's, whole, never split (the sum stays the derivative)."""
    assert npgrad.grad(first_of_two, wrt=(0, 1))(0.5, 0.5) == (1.0, 0.0)
    assert npgrad.grad(first_of_three, wrt=(0, 1, 2))(2.0, 1.0, 1.0) == (0.0, 1.0, 0.0)


def test_nan_follows_the_forward_call():
    """max(nan, 1.0) is nan and max(1.0, nan) is 1.0 (`1.0 > nan` and `nan > 1.0` are both
    False): either way Python returns the first argument, which gets the gradient."""
    assert npgrad.grad(first_of_two, wrt=(0, 1))(math.nan, 1.0) == (1.0, 0.0)
    assert npgrad.grad(first_of_two, wrt=(0, 1))(1.0, math.nan) == (1.0, 0.0)


@pytest.mark.parametrize("x", [0.1, 0.5, 3.3, 9.99, 10.01, 57.0, -0.5, -3.7])
def test_digamma_is_the_slope_of_lgamma(x):
    assert psi(x) == pytest.approx(numerical_grad(math.lgamma, (x,), 0), rel=1e-7, abs=1e-8)


# ----- values that are not differentiated, and what is refused ---------------------


def sizes(x):
    n = max(len(x), 2) + max(np.shape(x)) + min([3, 4], key=abs) + sum(range(4))
    return np.sum(x) * n + math.floor(np.sum(x) * 3.0) + math.factorial(3)


def test_builtins_on_values_that_are_not_differentiated():
    check_grad(sizes, X)


def max_of_list_literal(a, b):
    return max([a, b])


def max_of_list(x):
    hs = [x[0], x[1] * 2.0]
    return max(hs)


def distance(a, b):
    return math.dist((a, 0.0), (b, 1.0))


def test_unsupported_forms_fail_at_transform_time_with_a_location():
    with pytest.raises(npgrad.TransformError, match=r"test_scalars.py:\d+:\d+: .*argument of max"):
        npgrad.grad(max_of_list_literal)(0.1, 0.2)
    with pytest.raises(npgrad.TransformError, match=r"test_scalars.py:\d+:\d+: .*max"):
        npgrad.grad(max_of_list)(X)
    with pytest.raises(npgrad.TransformError, match=r"no derivative rule for `math.dist`"):
        npgrad.grad(distance)(0.1, 0.2)
