"""Derivatives of any order of functions with loops: npgrad differentiates its own
generated gradient, whose tape (transforms/tape.py) becomes one list per taped value
(transforms/untape.py). Checked against closed forms (polynomials, Taylor coefficients)
and against second-order central differences of the function itself, in float64.
"""

from __future__ import annotations

import linecache
import math

import numpy as np
import pytest
from numpy.polynomial import polynomial as P

import npgrad

RNG = np.random.default_rng(7)


def _nested(f, order):
    for _ in range(order):
        f = npgrad.grad(f)
    return f


def fd_second(f, x, h=1e-4):
    """f''(x) by the second central difference of f itself."""
    return (f(x + h) - 2 * f(x) + f(x - h)) / (h * h)


def fd_hessian(f, x, h=1e-4):
    """The Hessian of scalar f at array x by second central differences of f itself."""
    x = np.asarray(x, dtype=np.float64)
    n = x.size
    H = np.zeros((n, n))

    def at(*steps):
        y = x.copy().ravel()
        for k, s in steps:
            y[k] += s
        return float(f(y.reshape(x.shape)))

    for i in range(n):
        for j in range(n):
            H[i, j] = (
                at((i, h), (j, h))
                - at((i, h), (j, -h))
                - at((i, -h), (j, h))
                + at((i, -h), (j, -h))
            ) / (4 * h * h)
    return H.reshape(x.shape + x.shape)


# ----- scalar functions of one number: grad(grad(f)) and hessian ----------------------


def sum_sines(x):
    s = 0.0
    for i in range(4):
        s = s + np.sin(x * i)
    return s


def test_for_loop_closed_form():
    x = 0.3
    expected = -sum(i * i * np.sin(i * x) for i in range(4))
    assert npgrad.grad(npgrad.grad(sum_sines))(x) == pytest.approx(expected, rel=1e-12)
    assert npgrad.hessian(sum_sines)(x) == pytest.approx(expected, rel=1e-12)
    third = -sum(i**3 * np.cos(i * x) for i in range(4))
    assert _nested(sum_sines, 3)(x) == pytest.approx(third, rel=1e-12)


def damped(x):
    s = x
    k = 0
    while k < 3:
        s = np.sin(s) * x
        k = k + 1
    return s


def newton_like(x):  # the trip count depends on the value
    y = x
    k = 0
    while np.abs(y) > 0.05 and k < 30:
        y = 0.5 * y * np.cos(x)
        k += 1
    return y * x


def with_break(x):
    s = x
    for i in range(10):
        s = np.sin(s) + x
        if i >= 3:
            break
    return s


def with_branch(x):
    s = x
    for i in range(5):
        if i % 2 == 0:
            s = np.sin(s) * x
        else:
            s = s * s + x
    return s


def early_return(x):
    s = x
    for _ in range(6):
        s = s * np.cos(s) + x
        if s > 1.5:
            return s * s
    return s


def nested_loops(x):
    s = 0.0
    for i in range(3):
        for j in range(2):
            s = s + np.sin(x * (i + 1) + j * s)
    return s


@pytest.mark.parametrize(
    "f", [damped, newton_like, with_break, with_branch, early_return, nested_loops]
)
@pytest.mark.parametrize("x", [0.4, 0.9])
def test_second_derivative_of_loops(f, x):
    expected = fd_second(f, x)
    assert npgrad.grad(npgrad.grad(f))(x) == pytest.approx(expected, rel=1e-5, abs=1e-6)
    assert npgrad.hessian(f)(x) == pytest.approx(expected, rel=1e-5, abs=1e-6)


# ----- to high order: closed forms ---------------------------------------------------------

COEFFS = [0.3, -1.2, 0.5, 2.0, -0.7, 0.25, 0.1]


def horner(x):
    s = 0.0
    for c in COEFFS[::-1]:
        s = s * x + c
    return s


@pytest.mark.parametrize("order", range(1, 7))
def test_horners_rule_to_sixth_order(order):
    x = 0.7
    expected = P.polyval(x, P.polyder(COEFFS, order))
    assert _nested(horner, order)(x) == pytest.approx(expected, rel=1e-12, abs=1e-12)


def sines(x):
    s = x
    for _ in range(3):
        s = np.sin(s)
    return s


def _taylor_sines(x, order):
    """The Taylor coefficients of sin(sin(sin(x + t))) in t, by the recurrences of the
    coefficients of sin(u) and cos(u) for a power series u."""
    u = np.zeros(order + 1)
    u[0], u[1] = x, 1.0
    for _ in range(3):
        s, c = np.zeros(order + 1), np.zeros(order + 1)
        s[0], c[0] = np.sin(u[0]), np.cos(u[0])
        for k in range(1, order + 1):
            s[k] = sum(j * u[j] * c[k - j] for j in range(1, k + 1)) / k
            c[k] = -sum(j * u[j] * s[k - j] for j in range(1, k + 1)) / k
        u = s
    return u


@pytest.mark.parametrize("order", range(1, 5))
def test_nested_grad_of_a_loop_to_fourth_order(order):
    x = 0.7
    expected = math.factorial(order) * _taylor_sines(x, order)[order]
    assert _nested(sines, order)(x) == pytest.approx(expected, rel=1e-11, abs=1e-12)


def test_second_order_code_reads_lists_not_a_tape_of_tuples():
    source = npgrad.grad(npgrad.grad(sum_sines)).source
    code = [line for line in source.splitlines() if not line.strip().startswith("#")]
    assert not [line for line in code if "tape.append((" in line or "tape.pop()" in line]
    assert "    tape_mul1 = []" in code  # one list per taped value, named after it
    assert "# grad of: tape.append((_mul1, rt.shell(_sin2), rt.shell(s_1)))" in source


# ----- Hessians with respect to vectors -------------------------------------------------

W = RNG.normal(size=(3, 3)) * 0.5


def rnn(v):
    h = np.zeros(3)
    for _ in range(4):
        h = np.tanh(W @ h + v)
    return np.sum(h * h)


def stacked(v):
    hs = []
    h = v
    for i in range(3):
        h = np.tanh(h * v[0] + v + i)
        hs.append(h)
    H = np.stack(hs)
    return np.sum(H**2) + np.sum(hs[-1])


def heat(u0):  # in-place writes in a loop (examples/heat_equation.py)
    u = u0.copy()
    for _ in range(3):
        u[1:-1] = u[1:-1] + 0.1 * (u[2:] - 2 * u[1:-1] + u[:-2]) * u[1:-1]
    return np.sum(u**2)


IDX = np.array([0, 2, 2])


def scatter(v):  # a repeated index: the last write wins, as NumPy's
    u = np.zeros(3)
    for k in range(2):
        u[IDX] = v[:3] * (k + 1) + u[IDX] * v[3]
        np.add.at(u, IDX, v[:3] * u[IDX])
    return np.sum(np.sin(u) * v[:3])


def largest(v):
    s = v
    for _ in range(2):
        s = np.sin(s) * np.max(s) + np.prod(s)
    return np.sum(s)


def dotted(v):
    s = v
    for _ in range(2):
        s = np.tanh(np.dot(W, s)) + np.std(s)
    return np.dot(s, s)


@pytest.mark.parametrize("f", [rnn, stacked, heat, scatter, largest, dotted])
def test_hessian_of_loops(f):
    x = {heat: RNG.uniform(-0.5, 0.9, size=5), scatter: RNG.uniform(-1, 1, size=4)}.get(
        f, RNG.uniform(-1, 1, size=3)
    )
    H = npgrad.hessian(f)(x)
    expected = fd_hessian(f, x)
    np.testing.assert_allclose(H, expected, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(H, H.T, atol=1e-12)
    # reverse over reverse: the reverse-mode Jacobian of the gradient
    J = npgrad.jacobian(npgrad.grad(f), mode="reverse")(x)
    np.testing.assert_allclose(J, expected, rtol=1e-5, atol=1e-6)


def product(x):
    return np.prod(x)


def test_hessian_of_a_product_is_exact_at_zeros():
    x = np.array([2.0, 0.0, 3.0, -1.5])
    H = npgrad.hessian(product)(x)
    expected = np.zeros((4, 4))
    for i in range(4):
        for j in range(4):
            if i != j:
                expected[i, j] = np.prod(np.delete(x, [i, j]))
    np.testing.assert_allclose(H, expected, atol=1e-15)
    J = npgrad.jacobian(npgrad.grad(product), mode="reverse")(x)
    np.testing.assert_allclose(J, expected, atol=1e-15)


# ----- a tape that is not npgrad's own pattern keeps its error ------------------------------


def _load_generated(source: str, name: str, tag: str):
    filename = f"<npgrad {tag} 00000000>"
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
    namespace: dict = {}
    exec(compile(source, filename, "exec"), namespace)
    return namespace[name]


def test_a_tape_whose_pops_do_not_mirror_its_pushes_is_refused():
    g = npgrad.grad(sum_sines)
    source = g.source
    pop = "_mul1, _sin2, s_1 = tape.pop()"
    assert pop in source
    intact = _load_generated(source, "grad_sum_sines", "intact")
    expected = -sum(i * i * np.sin(i * 0.3) for i in range(4))
    assert npgrad.grad(intact)(0.3) == pytest.approx(expected, rel=1e-12)
    tampered = _load_generated(
        source.replace(pop, "_sin2, _mul1, s_1 = tape.pop()"), "grad_sum_sines", "tampered"
    )
    with pytest.raises(npgrad.UnsupportedSyntaxError, match="lists of lists"):
        npgrad.grad(tampered)(0.3)
