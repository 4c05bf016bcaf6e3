"""Newton's method on the Rosenbrock function, with npgrad's gradient and Hessian.

    f(x) = sum_i 100 (x[i+1] - x[i]**2)**2 + (1 - x[i])**2,    minimum f = 0 at x = (1, ..., 1)

`npgrad.grad(rosenbrock)` is reverse mode; `npgrad.hessian(rosenbrock)` is forward mode over
npgrad's own generated gradient (one JVP of the gradient per element of x). The Hessian is
checked against its closed form (tridiagonal) at each start point before iterating, and the
gradient against central finite differences.

Each Newton step solves (H + tau I) p = -g, where tau >= 0 is the smallest shift (doubling
from 1e-3) that makes the matrix positive definite (a Cholesky factorization succeeds), so p
is a descent direction even where the Hessian is indefinite, and backtracks along p until
the Armijo condition holds. Near the minimum tau = 0 and full steps are taken: plain Newton,
with its quadratic convergence. We solve n = 2 from the classic start (-1.2, 1) and n = 20
from the origin.

Run: python examples/rosenbrock_newton.py
"""

import numpy as np

import npgrad


def rosenbrock(x):
    return np.sum(100.0 * (x[1:] - x[:-1] ** 2) ** 2 + (1.0 - x[:-1]) ** 2)


gradient = npgrad.grad(rosenbrock)
hessian = npgrad.hessian(rosenbrock)


def rosenbrock_hessian(x):
    """The closed form: tridiagonal."""
    n = x.size
    H = np.zeros((n, n))
    i = np.arange(n - 1)
    H[i, i] += 1200 * x[:-1] ** 2 - 400 * x[1:] + 2
    H[i + 1, i + 1] += 200
    H[i, i + 1] = H[i + 1, i] = -400 * x[:-1]
    return H


def finite_difference_gradient(f, x, eps=1e-6):
    g = np.zeros_like(x)
    for i in range(x.size):
        e = np.zeros_like(x)
        e[i] = eps
        g[i] = (f(x + e) - f(x - e)) / (2 * eps)
    return g


def shifted_cholesky(H):
    """The Cholesky factor of H + tau I for the smallest tau in 0, 1e-3, 2e-3, 4e-3, ..."""
    tau = 0.0
    while True:
        try:
            return np.linalg.cholesky(H + tau * np.eye(len(H))), tau
        except np.linalg.LinAlgError:
            tau = max(2 * tau, 1e-3)


def newton(x, tol=1e-10, max_iter=100):
    for it in range(max_iter):
        f, g = rosenbrock(x), gradient(x)
        gnorm = np.linalg.norm(g)
        print(f"  iter {it:3d}: f = {f:.6e}   |grad| = {gnorm:.3e}", end="")
        if gnorm < tol:
            print()
            return x, it
        L, tau = shifted_cholesky(hessian(x))
        p = -np.linalg.solve(L.T, np.linalg.solve(L, g))
        step = 1.0
        while rosenbrock(x + step * p) > f + 1e-4 * step * (g @ p):
            step /= 2
        print(f"   shift tau = {tau:.1e}   step = {step:g}")
        x = x + step * p
    raise RuntimeError(f"no convergence in {max_iter} iterations")


for x0 in (np.array([-1.2, 1.0]), np.zeros(20)):
    n = x0.size
    print(f"n = {n}, start x0 = {x0 if n <= 4 else f'zeros({n})'}")
    H = hessian(x0)
    hessian_error = np.max(np.abs(H - rosenbrock_hessian(x0)))
    print(f"  Hessian at x0 vs closed form: max abs error {hessian_error:.1e}")
    assert hessian_error < 1e-10
    if n == 2:
        print(f"  npgrad.hessian(rosenbrock)(x0) = {H.tolist()}")
    fd = finite_difference_gradient(rosenbrock, x0)
    gradient_error = np.max(np.abs(gradient(x0) - fd)) / np.max(np.abs(fd))
    print(f"  gradient at x0 vs finite differences: max relative error {gradient_error:.1e}")
    assert gradient_error < 1e-7

    x, iterations = newton(x0)
    distance = np.max(np.abs(x - 1))
    print(f"n = {n}: converged in {iterations} Newton steps, max |x - 1| = {distance:.1e}")
    assert distance < 1e-8
    H = hessian(x)
    hessian_error = np.max(np.abs(H - rosenbrock_hessian(x)))
    print(f"  Hessian at the minimum vs closed form: max abs error {hessian_error:.1e}")
    assert hessian_error < 1e-9
    print(f"  smallest Hessian eigenvalue at the minimum {np.linalg.eigvalsh(H).min():.4f} > 0")
    print()
