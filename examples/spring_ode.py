"""Fit the stiffness and damping of a spring to a measured trajectory, through an ODE solver.

A unit mass on a damped spring obeys x'' = -k x - c x'. We integrate it with semi-implicit
(symplectic) Euler, an explicit `for` loop of 200 steps:

    v <- v + dt * (-k x - c v),     x <- x + dt * v

"Measurements" come from the same integrator with known k and c, for three starting
conditions at once (x and v are arrays), plus a little noise. Starting from wrong guesses,
gradient descent on the mean squared error between simulated and measured positions recovers
k and c; npgrad differentiates the loss through all 200 steps of the loop.

Run: python examples/spring_ode.py
"""

import numpy as np

import npgrad

DT, STEPS = 0.05, 200


def loss(k, c, x0, v0, measured):
    """Mean squared error between the simulated positions and measured (steps, starts)."""
    x = x0
    v = v0
    err = 0.0
    for t in range(measured.shape[0]):
        v = v + DT * (-k * x - c * v)
        x = x + DT * v
        err = err + np.sum((x - measured[t]) ** 2)
    return err / measured.size


def simulate(k, c, x0, v0):
    """The same integrator, returning the whole trajectory (steps, starts)."""
    x, v, xs = x0, v0, []
    for _ in range(STEPS):
        v = v + DT * (-k * x - c * v)
        x = x + DT * v
        xs.append(x)
    return np.array(xs)


true_k, true_c = 4.0, 0.5
x0 = np.array([1.0, -0.5, 0.0])
v0 = np.array([0.0, 1.0, 2.0])
rng = np.random.default_rng(0)
measured = simulate(true_k, true_c, x0, v0) + 0.02 * rng.normal(size=(STEPS, 3))

loss_and_grad = npgrad.value_and_grad(loss, wrt=("k", "c"))

k, c = 3.0, 0.2  # initial guesses
_, (dk, dc) = loss_and_grad(k, c, x0, v0, measured)
eps = 1e-6
fd_k = (loss(k + eps, c, x0, v0, measured) - loss(k - eps, c, x0, v0, measured)) / (2 * eps)
fd_c = (loss(k, c + eps, x0, v0, measured) - loss(k, c - eps, x0, v0, measured)) / (2 * eps)
print(f"at k={k}, c={c}:  d loss/dk = {dk:.8f} (finite differences {fd_k:.8f})")
print(f"                 d loss/dc = {dc:.8f} (finite differences {fd_c:.8f})")
print()

lr = 1.0
for step in range(121):
    value, (dk, dc) = loss_and_grad(k, c, x0, v0, measured)
    if step % 20 == 0:
        print(f"step {step:3d}: loss = {value:.6f}   k = {k:.4f}   c = {c:.4f}")
    k = k - lr * dk
    c = c - lr * dc

print()
print(f"recovered k = {k:.3f}   true k = {true_k}")
print(f"recovered c = {c:.3f}   true c = {true_c}")
print(f"final loss = {loss(k, c, x0, v0, measured):.6f} (noise variance 0.02**2 = 0.0004)")
