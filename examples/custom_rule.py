"""A custom derivative rule for a function npgrad cannot see into.

`cube_root_of` solves t**3 + a*t = b for t by Newton's method: a loop with a convergence
test, which npgrad does not differentiate (yet), and whose derivative is better taken
from the equation anyway. Differentiating t**3 + a*t - b = 0 implicitly gives

    dt/db = 1 / (3 t**2 + a),     dt/da = -t / (3 t**2 + a),

so we register that rule with `npgrad.defvjp` and differentiate a loss that uses the
solver like any NumPy function. The rule is inlined into the generated code.

Run: python examples/custom_rule.py
"""

import numpy as np

import npgrad


def cube_root_of(a, b):
    """The real root t of t**3 + a*t - b = 0 (a > 0), elementwise, by Newton's method."""
    t = np.cbrt(b)
    for _ in range(50):
        step = (t**3 + a * t - b) / (3 * t**2 + a)
        t = t - step
        if np.max(np.abs(step)) < 1e-14:
            break
    return t


@npgrad.defvjp(cube_root_of, broadcasts=True)
def cube_root_of_vjp(g, ans, a, b):
    return -g * ans / (3 * ans**2 + a), g / (3 * ans**2 + a)


def loss(b, a):
    t = cube_root_of(a, b)
    return np.sum((t - 1.0) ** 2)


a = np.array([1.0, 2.0, 0.5])
b = np.array([3.0, -1.0, 2.0])
grad = npgrad.grad(loss, wrt=(0, 1))
db, da = grad(b, a)

# check against central finite differences
eps = 1e-6
fd_b = [(loss(b + eps * e, a) - loss(b - eps * e, a)) / (2 * eps) for e in np.eye(3)]
fd_a = [(loss(b, a + eps * e) - loss(b, a - eps * e)) / (2 * eps) for e in np.eye(3)]
print("d loss / d b =", np.round(db, 6), " finite differences:", np.round(fd_b, 6))
print("d loss / d a =", np.round(da, 6), " finite differences:", np.round(fd_a, 6))
print("match:", np.allclose(db, fd_b, atol=1e-6) and np.allclose(da, fd_a, atol=1e-6))
print()
print(grad.source)
