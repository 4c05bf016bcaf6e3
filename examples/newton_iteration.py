"""Differentiate through Newton's method, a `while` loop that runs until it converges.

Newton's method solves x**3 + a*x = b (a > 0: one real root) elementwise:

    x <- x - (x**3 + a*x - b) / (3*x**2 + a)      while the largest step is above `tol`

npgrad differentiates the loop itself, iteration by iteration (the number of iterations is
decided by the data, so the reverse sweep counts them). The exact derivative of the root
comes from the implicit function theorem: differentiating x**3 + a*x - b = 0 gives

    dx/db = 1 / (3 x**2 + a),       dx/da = -x / (3 x**2 + a).

At a tight tolerance the derivative through the iterations agrees with it and with finite
differences. At a loose tolerance npgrad still gives the exact derivative of what the loop
computed (finite differences agree), which differs from the derivative of the exact root.
(examples/custom_rule.py registers the implicit derivative as a rule instead.) The same
iteration written as a capped `for` loop that leaves with `break` once converged is
differentiated the same way.

Run: python examples/newton_iteration.py
"""

import numpy as np

import npgrad


def sum_of_roots(a, b, tol):
    """The roots of x**3 + a*x = b by Newton's method, summed. Each root depends only on its
    own a[i] and b[i], so the gradient of the sum holds dx[i]/da[i] and dx[i]/db[i]."""
    x = np.ones_like(b)
    err = np.inf
    while err > tol:
        step = (x**3 + a * x - b) / (3 * x**2 + a)
        x = x - step
        err = np.max(np.abs(step))
    return np.sum(x)


def sum_of_roots_capped(a, b, tol, max_iter=100):
    """The same iteration as a capped `for` loop with a convergence test and `break`."""
    x = np.ones_like(b)
    for _ in range(max_iter):
        step = (x**3 + a * x - b) / (3 * x**2 + a)
        x = x - step
        if np.max(np.abs(step)) <= tol:
            break
    return np.sum(x)


def roots(a, b, tol):
    """The same iteration, returning the roots and the number of iterations."""
    x, err, n = np.ones_like(b), np.inf, 0
    while err > tol:
        step = (x**3 + a * x - b) / (3 * x**2 + a)
        x, err, n = x - step, np.max(np.abs(step)), n + 1
    return x, n


def finite_differences(a, b, tol, eps=1e-6):
    da = [
        (sum_of_roots(a + eps * e, b, tol) - sum_of_roots(a - eps * e, b, tol)) / (2 * eps)
        for e in np.eye(len(a))
    ]
    db = [
        (sum_of_roots(a, b + eps * e, tol) - sum_of_roots(a, b - eps * e, tol)) / (2 * eps)
        for e in np.eye(len(b))
    ]
    return np.array(da), np.array(db)


a = np.array([1.0, 2.0, 0.5, 3.0])
b = np.array([3.0, -1.0, 2.0, 10.0])
grad = npgrad.grad(sum_of_roots, wrt=("a", "b"))

tol = 1e-12
x, n = roots(a, b, tol)
da, db = grad(a, b, tol)
ift_a, ift_b = -x / (3 * x**2 + a), 1 / (3 * x**2 + a)
fd_a, fd_b = finite_differences(a, b, tol)
print(f"roots of x**3 + a*x = b, tol = {tol:g}: {n} Newton iterations")
print(
    f"{'a':>5} {'b':>6} {'x':>9} | {'dx/da npgrad':>13} {'implicit':>10} {'fin. diff.':>10} "
    f"| {'dx/db npgrad':>13} {'implicit':>10} {'fin. diff.':>10}"
)
for i in range(len(a)):
    print(
        f"{a[i]:5.1f} {b[i]:6.1f} {x[i]:9.6f} | {da[i]:13.8f} {ift_a[i]:10.8f} {fd_a[i]:10.8f} "
        f"| {db[i]:13.8f} {ift_b[i]:10.8f} {fd_b[i]:10.8f}"
    )
print(
    "max |npgrad - implicit| = "
    f"{max(np.abs(da - ift_a).max(), np.abs(db - ift_b).max()):.1e}, "
    f"max |npgrad - finite differences| = "
    f"{max(np.abs(da - fd_a).max(), np.abs(db - fd_b).max()):.1e}"
)

print()
print("looser tolerances: npgrad differentiates the iterations the loop actually ran")
print(f"{'tol':>7} {'iterations':>10} {'|npgrad - implicit|':>20} {'|npgrad - fin. diff.|':>22}")
for tol in (1e-1, 1e-2, 1e-4, 1e-8, 1e-12):
    x, n = roots(a, b, tol)
    da, db = grad(a, b, tol)
    ift_a, ift_b = -x / (3 * x**2 + a), 1 / (3 * x**2 + a)
    fd_a, fd_b = finite_differences(a, b, tol)
    to_ift = max(np.abs(da - ift_a).max(), np.abs(db - ift_b).max())
    to_fd = max(np.abs(da - fd_a).max(), np.abs(db - fd_b).max())
    print(f"{tol:7.0e} {n:10d} {to_ift:20.1e} {to_fd:22.1e}")

print()
da, db = npgrad.grad(sum_of_roots_capped, wrt=("a", "b"))(a, b, 1e-12)
x, _ = roots(a, b, 1e-12)
ift_a, ift_b = -x / (3 * x**2 + a), 1 / (3 * x**2 + a)
to_ift = max(np.abs(da - ift_a).max(), np.abs(db - ift_b).max())
print(f"capped for loop with break: max |npgrad - implicit| = {to_ift:.1e}")
