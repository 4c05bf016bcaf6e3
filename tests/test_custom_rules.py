"""User-registered rules (npgrad.defvjp), checked against finite differences."""

import math

import numpy as np
import numpy as xp  # a second alias: the rule's own names are resolved in its own module
import pytest
from fd import numerical_grad

import npgrad


def softplus_loop(x):
    """A function npgrad cannot see into: a Python loop over elements."""
    out = np.empty_like(x)
    for i, v in enumerate(x.flat):
        out.flat[i] = math.log1p(math.exp(v))
    return out


def _sigmoid(z):
    return 1 / (1 + xp.exp(-z))


@npgrad.defvjp(softplus_loop)
def softplus_loop_vjp(g, ans, x):
    return g * _sigmoid(x)  # a helper of this module, bound into the generated code


def weighted_dist(a, b, scale=1.0):
    return scale * np.sqrt(np.sum((a - b) ** 2))


@npgrad.defvjp(weighted_dist)
def weighted_dist_vjp(g, ans, a, b, scale=1.0):
    return g * scale * scale * (a - b) / ans, g * scale * scale * (b - a) / ans, g * ans / scale


def minmax(x):
    return float(np.min(x)), float(np.max(x))


@npgrad.defvjp(minmax, results=2)
def minmax_vjp(g, ans, x):
    return (0 if g[0] is None else g[0] * (x == ans[0])) + (
        0 if g[1] is None else g[1] * (x == ans[1])
    )


X = np.array([0.3, -1.2, 2.0, 0.7])
Y = np.array([1.0, 0.5, -0.5, 0.2])


def uses_softplus(x):
    return np.sum(softplus_loop(x * 2.0) ** 2)


def uses_dist(a, b):
    return weighted_dist(a, b, 3.0) + np.sum(a * b)


def uses_minmax(x):
    lo, hi = minmax(x)
    return hi - 2.0 * lo


def uses_max_only(x):
    return minmax(x)[1] * 3.0


@pytest.mark.parametrize(
    "f, args, wrt",
    [
        (uses_softplus, (X,), 0),
        (uses_dist, (X, Y), (0, 1)),
        (uses_minmax, (X,), 0),
        (uses_max_only, (X,), 0),
    ],
)
def test_user_rule_matches_finite_differences(f, args, wrt):
    got = npgrad.grad(f, wrt=wrt)(*args)
    gots = got if isinstance(wrt, tuple) else (got,)
    for i, g in zip(wrt if isinstance(wrt, tuple) else (wrt,), gots, strict=True):
        np.testing.assert_allclose(g, numerical_grad(f, args, i), rtol=1e-6, atol=1e-8)


def test_user_rule_is_inlined_and_its_helpers_bound():
    src = npgrad.grad(uses_softplus).source
    assert "_sigmoid(" in src  # the helper, bound by name in the generated closure
    assert "softplus_loop_vjp" not in src  # inlined, not called


def test_user_rules_are_listed():
    names = {r["name"]: r["kind"] for r in npgrad.rules()}
    assert names[f"{__name__}.softplus_loop"] == "user rules"


def test_a_rule_must_be_one_return():
    def bad_op(x):
        return x

    def bad_vjp(g, ans, x):
        y = g * 2
        return y

    npgrad.defvjp(bad_op)(bad_vjp)

    def f(x):
        return np.sum(bad_op(x))

    with pytest.raises(TypeError, match="single `return`"):
        npgrad.grad(f)(X)


# ----- forward-mode rules (npgrad.defjvp) -----------------------------------------------


def cube_root_of(a, b):
    """The real root t of t**3 + a*t - b = 0 (a > 0), by Newton's method: opaque to npgrad
    once it has a rule (the rule is used, the loop is not differentiated)."""
    t = np.cbrt(b)
    for _ in range(60):
        step = (t**3 + a * t - b) / (3 * t**2 + a)
        t = t - step
    return t


@npgrad.defjvp(cube_root_of)
def cube_root_of_jvp(ta, tb, ans, a, b):  # implicit: (3t^2 + a) dt + t da = db
    return (tb - ta * ans) / (3 * ans**2 + a)


def split_sum(x):
    return float(np.sum(x[::2])), float(np.sum(x[1::2]))


@npgrad.defjvp(split_sum, results=2)
def split_sum_jvp(tx, ans, x):
    return np.sum(tx[::2]), np.sum(tx[1::2])


@npgrad.defjvp(weighted_dist)  # next to its defvjp rule: forward mode uses this one
def weighted_dist_jvp(ta, tb, tscale, ans, a, b, scale=1.0):
    return scale * scale * np.sum((a - b) * (ta - tb)) / ans + tscale * ans / scale


A_POS = np.array([1.0, 2.0, 0.5])
B_ROOT = np.array([3.0, -1.0, 2.0])


def root_loss(b, a):
    return np.sum((cube_root_of(a, b) - 1.0) ** 2)


def root_of_scalar_a(b, a):
    return np.sum(cube_root_of(a[0], b) * b)  # the tangent of a[0] broadcasts to b's shape


def uses_split(x):
    lo, hi = split_sum(np.sin(x))
    return lo * hi + hi


def uses_dist_forward(a, b):
    return weighted_dist(a, b, 3.0) * np.sum(a)


@pytest.mark.parametrize(
    "f, args",
    [
        (root_loss, (B_ROOT, A_POS)),
        (root_of_scalar_a, (B_ROOT, A_POS)),
        (uses_split, (X,)),
        (uses_dist_forward, (X, Y)),
    ],
)
def test_user_forward_rule_matches_finite_differences(f, args):
    wrt = tuple(range(len(args)))
    got = npgrad.jacobian(f, wrt=wrt, mode="forward")(*args)
    for i, g in enumerate(got):
        np.testing.assert_allclose(g, numerical_grad(f, args, i), rtol=1e-6, atol=1e-8)


def test_user_forward_rule_is_used_not_the_loop():
    src = npgrad.jacobian(root_loss, mode="forward").source
    assert "cube_root_of(a, b)" in src and "for " not in src
    assert "tb / (3 * _cube_root_of1 ** 2 + a)" in src  # the rule inlined; ta is a zero


def test_jvp_of_a_forward_only_function():
    v = np.array([1.0, -0.5, 2.0])
    value, tangent = npgrad.jvp(lambda b: cube_root_of(A_POS, b), (B_ROOT,), (v,))
    np.testing.assert_allclose(value**3 + A_POS * value, B_ROOT)
    eps = 1e-6
    fd = (cube_root_of(A_POS, B_ROOT + eps * v) - cube_root_of(A_POS, B_ROOT - eps * v)) / (2 * eps)
    np.testing.assert_allclose(tangent, fd, rtol=1e-7, atol=1e-9)


def test_reverse_mode_refuses_a_forward_only_rule():
    with pytest.raises(npgrad.NoDerivativeError, match="no reverse-mode rule") as info:
        npgrad.grad(root_loss)(B_ROOT, A_POS)
    assert "@npgrad.defvjp(cube_root_of)" in str(info.value)
    assert "test_custom_rules.py:" in str(info.value)
