"""Derivatives of npgrad's own generated code: grad(grad(f)) to 6th order, and the Hessian
(forward mode over the generated gradient), against closed forms and finite differences.
"""

from __future__ import annotations

import numpy as np
import pytest
from fd import numerical_grad
from numpy.polynomial import polynomial as P

import npgrad

RNG = np.random.default_rng(11)
W1 = RNG.normal(size=4)
B1 = RNG.normal(size=4)
W2 = RNG.normal(size=4)


def tanh(x):
    return np.tanh(x)


def sin_exp(x):
    return np.sin(x) * np.exp(x)


def poly_net(x):
    h = (W1 * x + B1) ** 2  # a hidden layer with a polynomial activation
    return W2 @ h + 0.1 * np.sum(h * h)


def _nested(f, order):
    for _ in range(order):
        f = npgrad.grad(f)
    return f


def _tanh_derivative(x, k):
    """d^k tanh / dx^k = P_k(tanh x), P_0(t) = t, P_{k+1} = P_k'(t) (1 - t^2)."""
    p = np.array([0.0, 1.0])
    for _ in range(k):
        p = P.polymul(P.polyder(p), [1.0, 0.0, -1.0])
    return P.polyval(np.tanh(x), p)


def _poly_net_derivative(x, k):
    """The network is a polynomial in x: sum_i W2_i p_i^2 + 0.1 p_i^4, p_i = W1_i x + B1_i."""
    total = np.zeros(1)
    for w1, b1, w2 in zip(W1, B1, W2, strict=True):
        p = np.array([b1, w1])
        total = P.polyadd(total, P.polyadd(w2 * P.polypow(p, 2), 0.1 * P.polypow(p, 4)))
    return P.polyval(x, P.polyder(total, k)) if k else P.polyval(x, total)


@pytest.mark.parametrize("order", range(1, 7))
@pytest.mark.parametrize("x", [-0.7, 0.3, 1.1])
def test_nested_grad_of_tanh(order, x):
    got = _nested(tanh, order)(x)
    assert got == pytest.approx(_tanh_derivative(x, order), rel=1e-10, abs=1e-12)


@pytest.mark.parametrize("order", range(1, 7))
@pytest.mark.parametrize("x", [-0.7, 0.3, 1.1])
def test_nested_grad_of_sin_exp(order, x):
    expected = 2 ** (order / 2) * np.exp(x) * np.sin(x + order * np.pi / 4)  # closed form
    assert _nested(sin_exp, order)(x) == pytest.approx(expected, rel=1e-10, abs=1e-12)


@pytest.mark.parametrize("order", range(1, 7))
def test_nested_grad_of_a_polynomial_network(order):
    x = 0.4
    got = _nested(poly_net, order)(x)
    assert got == pytest.approx(_poly_net_derivative(x, order), rel=1e-9, abs=1e-9)
    assert type(got) is float


A = RNG.normal(size=(4, 3))


def tanh_layer(x):
    return np.sum(np.tanh(A @ x))


def mixed(x, B):
    return np.sum(np.sin(B @ x) * np.exp(x[0])) + np.sum(x**3) / 3


def test_hessian_closed_form():
    x = RNG.normal(size=3)
    H = npgrad.hessian(tanh_layer)(x)
    t = np.tanh(A @ x)
    np.testing.assert_allclose(H, A.T @ np.diag(-2 * t * (1 - t * t)) @ A, atol=1e-13)
    assert "def jvp_batched_grad_tanh_layer(x, *, tx):" in npgrad.hessian(tanh_layer).source


def test_hessian_against_finite_differences_of_the_gradient():
    x, B = RNG.normal(size=3), RNG.normal(size=(2, 3))
    H = npgrad.hessian(mixed)(x, B)
    assert H.shape == (3, 3)
    np.testing.assert_allclose(H, H.T, atol=1e-12)
    g = npgrad.grad(mixed)
    for i in range(3):

        def component(x, B, i=i):
            return g(x, B)[i]

        np.testing.assert_allclose(H[i], numerical_grad(component, (x, B), 0), atol=1e-7)


def coupled(x, B):
    return np.sum(np.sin(B @ x) * np.exp(x[0])) + np.sum(B**2 * x) / 3


def test_hessian_of_several_arguments_against_finite_differences():
    x, B = RNG.normal(size=3), RNG.normal(size=(2, 3))
    H = npgrad.hessian(coupled, wrt=(0, 1))(x, B)
    assert [[b.shape for b in row] for row in H] == [[(3, 3), (3, 2, 3)], [(2, 3, 3), (2, 3, 2, 3)]]
    args = (x, B)
    for i in range(2):
        g = npgrad.grad(coupled, wrt=i)
        for j in range(2):
            for k in np.ndindex(args[i].shape):

                def component(x, B, g=g, k=k):
                    return g(x, B)[k]

                np.testing.assert_allclose(
                    H[i][j][k], numerical_grad(component, args, j), atol=1e-7
                )
    # the blocks are transposes of each other (symmetry of second derivatives)
    np.testing.assert_allclose(H[0][1], np.moveaxis(H[1][0], -1, 0), atol=1e-12)


def test_hessian_of_a_quadratic_form_in_two_arguments():
    A = RNG.normal(size=(3, 4))

    def bilinear(x, y):
        return x @ A @ y + np.sum(x**2)

    x, y = RNG.normal(size=3), RNG.normal(size=4)
    (hxx, hxy), (hyx, hyy) = npgrad.hessian(bilinear, wrt=("x", "y"))(x, y)
    np.testing.assert_allclose(hxx, 2 * np.eye(3), atol=1e-14)  # closed forms
    np.testing.assert_allclose(hxy, A, atol=1e-14)
    np.testing.assert_allclose(hyx, A.T, atol=1e-14)
    np.testing.assert_allclose(hyy, np.zeros((4, 4)), atol=1e-14)


def test_hessian_source_shows_both_levels():
    source = npgrad.hessian(tanh_layer).source
    assert source.index("def grad_tanh_layer(x):") < source.index(
        "def jvp_batched_grad_tanh_layer("
    )


def test_derivative_of_a_gradient_uses_the_variant_for_these_arguments():
    """The gradient is specialized per argument shapes (size-1 dimensions decide which
    unbroadcasts are dropped); differentiating it again must not reuse a variant made
    for other shapes (it once reused the last one and failed, or could be wrong)."""

    def f(x, w):
        return np.sum(np.sin(x * w) * w)

    g = npgrad.grad(f, wrt=1)
    x = np.array([0.3, 0.2, 0.1])
    g(x, np.array([0.5, 1.0, 2.0]))  # a variant for w without size-1 dimensions
    for w in (np.array([0.7]), np.array([0.5, 1.0, 2.0])):
        J = npgrad.jacobian(g, wrt=1, mode="forward")(x, w)
        np.testing.assert_allclose(J, numerical_jacobian(g, (x, w), 1), atol=1e-7)
        H = npgrad.hessian(f, wrt=1)(x, w)
        np.testing.assert_allclose(H, numerical_jacobian(g, (x, w), 1), atol=1e-7)


def numerical_jacobian(f, args, i, eps=1e-6):
    x = np.asarray(args[i], dtype=float)
    columns = []
    for k in range(x.size):
        e = np.zeros(x.size)
        e[k] = eps
        plus = [*args[:i], x + e.reshape(x.shape), *args[i + 1 :]]
        minus = [*args[:i], x - e.reshape(x.shape), *args[i + 1 :]]
        columns.append((np.asarray(f(*plus)) - np.asarray(f(*minus))) / (2 * eps))
    return np.stack(columns, -1).reshape(np.shape(f(*args)) + x.shape)


# ----- gradients npgrad made, called inside a differentiated function ----------------------


def spring_energy(x, k):
    r = x[1:] - x[:-1]
    return np.sum(k * (r - 1.0) ** 2) + 0.1 * np.sum(np.cos(x))


spring_force = npgrad.grad(spring_energy)  # minus the force, as a function of positions
spring_value_and_force = npgrad.value_and_grad(spring_energy)
X4 = np.array([0.3, 1.0, 2.5, 3.1])
K3 = np.array([1.0, 2.0, 0.5])
F_OBS = np.array([0.1, -0.2, 0.3, 0.0])


def force_matching(k, x, f_obs):  # fit spring constants to observed forces
    f = -spring_force(x, k)
    return np.sum((f - f_obs) ** 2)


def energy_times_force(k, x):
    e, g = spring_value_and_force(x, k)
    return e * np.sum(g**2)


@pytest.mark.parametrize("mode", ["reverse", "forward"])
@pytest.mark.parametrize("wrt", [0, 1])
def test_gradient_called_inside_a_differentiated_function(wrt, mode):
    got = npgrad.grad(force_matching, wrt=wrt, mode=mode)(K3, X4, F_OBS)
    np.testing.assert_allclose(got, numerical_grad(force_matching, (K3, X4, F_OBS), wrt), atol=1e-7)


def test_value_and_grad_called_inside():
    got = npgrad.grad(energy_times_force)(K3, X4)
    np.testing.assert_allclose(got, numerical_grad(energy_times_force, (K3, X4), 0), atol=1e-7)


def test_the_inner_gradient_is_inlined_with_its_lines():
    source = npgrad.grad(force_matching).source
    assert "spring_force" not in source.split("def grad_force_matching")[1].split("# grad of")[0]
    assert "# grad of: f = -spring_force(x, k)" in source
    assert "np_1" not in source and "rt_1" not in source  # one NumPy, one runtime


def test_a_hessian_object_inside_is_refused_with_what_to_do():
    H = npgrad.hessian(spring_energy)

    def uses_hessian(k, x):
        return np.sum(H(x, k))

    with pytest.raises(npgrad.NoDerivativeError, match="call a grad of the function instead"):
        npgrad.grad(uses_hessian)(K3, X4)


def chain_energy(x, k):  # a loop: the gradient keeps a tape, inlined as lists
    e = 0.0
    for i in range(len(k)):
        e = e + k[i] * (x[i + 1] - x[i] - 1.0) ** 2 + 0.1 * np.cos(x[i])
    return e


chain_force = npgrad.grad(chain_energy)


def chain_force_matching(k, x):
    return np.sum((chain_force(x, k) - F_OBS) ** 2)


@pytest.mark.parametrize("wrt", [0, 1])
def test_gradient_with_a_loop_called_inside(wrt):
    got = npgrad.grad(chain_force_matching, wrt=wrt)(K3, X4)
    want = numerical_grad(chain_force_matching, (K3, X4), wrt)
    np.testing.assert_allclose(got, want, atol=1e-7)


def force_matching_made_inside(k, x, f_obs):
    f = -npgrad.grad(spring_energy)(x, k)  # made here, as in JAX code
    return np.sum((f - f_obs) ** 2)


def both_gradients_made_inside(k, x):
    g = npgrad.grad(spring_energy, wrt=(0, 1))
    gx, gk = g(x, k)
    e, _ = npgrad.value_and_grad(spring_energy)(x, k)
    return np.sum(gx**2) + np.sum(gk * k) * e


@pytest.mark.parametrize("mode", ["reverse", "forward"])
@pytest.mark.parametrize("wrt", [0, 1])
def test_gradients_made_inside_the_function(wrt, mode):
    for f, args in (
        (force_matching_made_inside, (K3, X4, F_OBS)),
        (both_gradients_made_inside, (K3, X4)),
    ):
        got = npgrad.grad(f, wrt=wrt, mode=mode)(*args)
        np.testing.assert_allclose(got, numerical_grad(f, args, wrt), atol=1e-7)


V3 = np.array([1.0, -0.5, 0.25])


def directional_energy(k, x):  # the energy's change along V3, by forward mode inside
    e, de = npgrad.jvp(spring_energy, (x, k), (V3, None))
    return e * de


def curvature_along(k, x):  # V3' H V3: forward over reverse inside, differentiated again
    _, hv = npgrad.jvp(npgrad.grad(spring_energy), (x, k), (V3, None))
    return np.sum(hv * V3)


@pytest.mark.parametrize("mode", ["reverse", "forward"])
@pytest.mark.parametrize("wrt", [0, 1])
def test_jvp_called_inside_the_function(wrt, mode):
    x = X4[:3]
    k = K3[:2]
    for f in (directional_energy, curvature_along):
        got = npgrad.grad(f, wrt=wrt, mode=mode)(k, x)
        np.testing.assert_allclose(got, numerical_grad(f, (k, x), wrt), atol=1e-6)


def test_jvp_of_a_lambda_inside_is_refused_with_what_to_do():
    def uses_lambda(x):
        return np.sum(npgrad.jvp(lambda y: y**2, (x,), (x,))[1])

    with pytest.raises(npgrad.NoDerivativeError, match="module-level function"):
        npgrad.grad(uses_lambda)(X4)
