"""A custom derivative rule for a function npgrad cannot see into.

`cube_root_of` solves t**3 + a*t = b for t by Newton's method: a loop with a convergence
test. npgrad could differentiate the loop (every iteration, step by step), but the
derivative is better taken from the equation. Differentiating t**3 + a*t - b = 0
implicitly gives

    dt/db = 1 / (3 t**2 + a),     dt/da = -t / (3 t**2 + a),

so we register that rule with `npgrad.defvjp` (reverse mode) and `npgrad.defjvp` (forward
mode) and differentiate a loss that uses the solver like any NumPy function. The rules are
inlined into the generated code; the loop is not differentiated.

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


@npgrad.defjvp(cube_root_of)
def cube_root_of_jvp(ta, tb, ans, a, b):  # (3 t**2 + a) dt + t da = db
    return (tb - ta * ans) / (3 * ans**2 + a)


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

# forward mode uses the defjvp rule: the Jacobian of t(b) for fixed a is diagonal
J = npgrad.jacobian(cube_root_of, wrt=1, mode="forward")(a, b)
fd_J = np.stack([(cube_root_of(a, b + eps * e) - cube_root_of(a, b - eps * e)) / (2 * eps)
                 for e in np.eye(3)], axis=1)  # fmt: skip
print(
    "forward dt/db =", np.round(np.diag(J), 6), " finite differences:", np.round(np.diag(fd_J), 6)
)
print("forward match:", np.allclose(J, fd_J, atol=1e-6))
print()
print(grad.source)
