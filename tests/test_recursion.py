"""Recursive functions: the call stays, and its adjoint is the function's own generated VJP
(transforms/recursion.py). Every gradient against finite differences."""

import numpy as np
import pytest
from fd import check_grad

import npgrad

X = np.array([0.3, -1.2, 2.0])


def halving(x, n):
    if n == 0:
        return x
    return np.sin(halving(x * 0.5, n - 1)) + x


def sum_squares_of_halving(x, n):
    return np.sum(halving(x, n) ** 2)


@pytest.mark.parametrize("n", [0, 1, 4])
def test_linear_recursion_through_a_helper(n):
    check_grad(sum_squares_of_halving, X, n)


def test_recursive_function_differentiated_itself():
    def power_sum(x, n):
        if n == 0:
            return np.sum(x)
        return np.sum(x**n) + power_sum(x, n - 1)

    globals()["power_sum"] = power_sum  # the recursive call resolves through the globals
    try:
        check_grad(power_sum, X, 3)
    finally:
        del globals()["power_sum"]


def fib_like(x, n):
    if n <= 1:
        return x * (n + 1.0)
    return fib_like(x, n - 1) * np.tanh(x) + fib_like(x, n - 2)


def test_tree_recursion():
    check_grad(lambda x, n: np.sum(fib_like(x, n)), X, 5)


def two_args(x, y, n):
    if n == 0:
        return x * y
    return two_args(np.cos(y), x * 1.5, n - 1)


def test_recursion_with_two_differentiated_arguments():
    f = lambda x, y: np.sum(two_args(x, y, 3))  # noqa: E731
    check_grad(f, X, X[::-1].copy(), wrt=(0, 1))


def is_even_step(x, n):
    if n == 0:
        return x
    return is_odd_step(x * x * 0.5, n - 1)


def is_odd_step(x, n):
    if n == 0:
        return -x
    return np.exp(is_even_step(x, n - 1) * 0.1)


def test_mutual_recursion():
    check_grad(lambda x: np.sum(is_even_step(x, 5)), X)


def until_small(x):
    if np.max(np.abs(x)) < 0.1:
        return x
    return until_small(np.sin(x) * 0.5)


def test_recursion_decided_by_array_values():
    check_grad(lambda x: np.sum(until_small(x) * 3.0), X)


def keyword_call(x, n=3, scale=2.0):
    if n == 0:
        return x
    return keyword_call(x / scale + np.sin(x), n=n - 1, scale=scale)


def test_recursive_call_with_keywords_and_defaults():
    check_grad(lambda x: np.sum(keyword_call(x)), X)
    check_grad(lambda x, s: np.sum(keyword_call(x, scale=s)), X, 3.0, wrt=(0, 1))


def test_value_and_grad_of_a_recursive_loss():
    value, g = npgrad.value_and_grad(sum_squares_of_halving)(X, 3)
    assert value == pytest.approx(sum_squares_of_halving(X, 3))
    check_grad(sum_squares_of_halving, X, 3)
    assert g.shape == X.shape


def test_generated_code_calls_the_vjp():
    src = npgrad.grad(sum_squares_of_halving).source
    assert "rt.vjp_call(" in src


def product_chain(v, n):
    if n == 0:
        r = v
    else:
        r = v * product_chain(v, n - 1)
    return r


def test_recursive_product():
    check_grad(lambda x: np.sum(product_chain(x, 3)), X)


# ----- forward mode: the recursive call's tangent is the function's own JVP -------------


@pytest.mark.parametrize(
    "f, args, wrt",
    [
        (lambda x: np.sum(halving(x, 4) ** 2), (X,), 0),
        (lambda x: np.sum(fib_like(x, 5)), (X,), 0),
        (lambda x, y: np.sum(two_args(x, y, 3)), (X, X[::-1].copy()), (0, 1)),
        (lambda x: np.sum(is_even_step(x, 5)), (X,), 0),
        (lambda x: np.sum(until_small(x) * 3.0), (X,), 0),
        (lambda x, s: np.sum(keyword_call(x, scale=s)), (X, 3.0), (0, 1)),
        (lambda x: np.sum(product_chain(x, 3)), (X,), 0),
    ],
)
def test_forward_mode_through_recursion(f, args, wrt):
    check_grad(f, *args, wrt=wrt, mode="forward")


def test_jacobian_of_a_recursive_function_both_ways():
    forward = npgrad.jacobian(halving, mode="forward")(X, 3)
    reverse = npgrad.jacobian(halving, mode="reverse")(X, 3)
    eps = 1e-6
    fd = np.stack(
        [(halving(X + eps * e, 3) - halving(X - eps * e, 3)) / (2 * eps) for e in np.eye(3)], -1
    )
    np.testing.assert_allclose(forward, fd, atol=1e-8)
    np.testing.assert_allclose(reverse, fd, atol=1e-8)
    assert "rt.jvp_call(" in npgrad.jacobian(halving, mode="forward").source
