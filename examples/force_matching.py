"""Force matching: fit the spring constants of a chain to observed forces, by differentiating
through npgrad's own gradient.

A chain of n beads at positions x has the potential energy

    E(x, k) = sum_i k_i (x[i+1] - x[i] - 1)**2 / 2 + sum_j a cos(x_j)

(springs of rest length 1 and stiffnesses k, plus a weak periodic background). The forces
are F = -dE/dx, which `npgrad.grad(energy)` gives. We observe the forces on a few
configurations (made here from known stiffnesses, plus noise) and fit k by minimizing

    loss(k) = sum over configurations of |F(x, k) - F_observed|**2.

The loss calls the generated force function: npgrad inlines it and differentiates it again,
so d loss / d k holds second derivatives of E (d^2 E / dx dk). The gradient is checked against
central finite differences before fitting; the fit then recovers the stiffnesses.

Run: python examples/force_matching.py
"""

import numpy as np

import npgrad

A = 0.05  # strength of the background potential


def energy(x, k):
    stretch = x[1:] - x[:-1] - 1.0
    return 0.5 * np.sum(k * stretch**2) + A * np.sum(np.cos(x))


minus_force = npgrad.grad(energy)  # dE/dx: the force is minus this


def loss(k, xs, observed):
    total = 0.0
    for x, f_obs in zip(xs, observed, strict=True):
        total = total + np.sum((-minus_force(x, k) - f_obs) ** 2)
    return total


rng = np.random.default_rng(0)
n, m = 6, 8  # beads, configurations
k_true = rng.uniform(0.5, 3.0, size=n - 1)
xs = [np.arange(n) + 0.3 * rng.normal(size=n) for _ in range(m)]
observed = [-minus_force(x, k_true) + 0.01 * rng.normal(size=n) for x in xs]

grad_loss = npgrad.grad(loss)
k = np.ones(n - 1)

eps = 1e-6
fd = np.array([(loss(k + eps * e, xs, observed) - loss(k - eps * e, xs, observed)) / (2 * eps)
               for e in np.eye(n - 1)])  # fmt: skip
g = grad_loss(k, xs, observed)
print("d loss / d k        =", np.round(g, 6))
print("finite differences  =", np.round(fd, 6))
print("gradient matches finite differences:", np.allclose(g, fd, rtol=1e-6, atol=1e-8))

# the forces are linear in k, so the loss is a quadratic in k: plain gradient descent
first = loss(k, xs, observed)
for _ in range(2000):
    k = k - 0.05 * grad_loss(k, xs, observed)
print(f"loss: {first:.4f} -> {loss(k, xs, observed):.6f}")
print("fitted k =", np.round(k, 3))
print("true k   =", np.round(k_true, 3))
print("largest error in k:", f"{np.max(np.abs(k - k_true)):.4f}")
