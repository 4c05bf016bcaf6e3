"""Sensitivities of an ODE solution with respect to its parameters, by forward mode.

The Lotka-Volterra predator-prey model, with prey u and predators w,

    u' = a u - b u w,        w' = d u w - c w,

is integrated with the classical fourth-order Runge-Kutta method in a plain `for` loop of
200 steps, collecting the state after each step. Forward mode carries a tangent through
every step: `npgrad.jvp` with the tangent e_i gives the sensitivity d state(t) / d theta_i
along the whole trajectory in one pass, and `npgrad.jacobian(..., mode="forward")` runs one
batched pass, every tangent carrying a leading axis for the four seeds e_i, to give all of
them, shaped (steps + 1, 2, 4). Both are checked against central finite differences, and a
JVP along an arbitrary direction against J @ v.

Run: python examples/ode_sensitivities.py
"""

import numpy as np

import npgrad

DT, STEPS = 0.05, 200


def rhs(state, theta):
    """The Lotka-Volterra vector field; theta = (a, b, c, d)."""
    prey = state[0]
    pred = state[1]
    return np.stack(
        [
            theta[0] * prey - theta[1] * prey * pred,
            theta[3] * prey * pred - theta[2] * pred,
        ]
    )


def trajectory(theta, state0, steps):
    """The states at t = 0, DT, ..., steps * DT from RK4, shaped (steps + 1, 2)."""
    state = state0
    states = [state0]
    for _ in range(steps):
        k1 = rhs(state, theta)
        k2 = rhs(state + 0.5 * DT * k1, theta)
        k3 = rhs(state + 0.5 * DT * k2, theta)
        k4 = rhs(state + DT * k3, theta)
        state = state + DT / 6 * (k1 + 2 * k2 + 2 * k3 + k4)
        states.append(state)
    return np.stack(states)


def finite_differences(f, x, eps=1e-6):
    """Central differences of f at x, one column per element of x: shape f(x).shape + x.shape."""
    columns = []
    for i in range(x.size):
        e = np.zeros_like(x)
        e.flat[i] = eps
        columns.append((f(x + e) - f(x - e)) / (2 * eps))
    return np.stack(columns, axis=-1).reshape(f(x).shape + x.shape)


def relative_error(a, b):
    return float(np.max(np.abs(a - b)) / np.max(np.abs(b)))


names = ("a", "b", "c", "d")
theta = np.array([1.0, 0.4, 0.8, 0.2])
state0 = np.array([4.0, 2.0])

states = trajectory(theta, state0, STEPS)
print(f"Lotka-Volterra, RK4, {STEPS} steps of {DT}: final prey {states[-1, 0]:.6f}, ", end="")
print(f"predators {states[-1, 1]:.6f}")
print()

# one JVP per parameter direction: the sensitivity along the whole trajectory
fd = finite_differences(lambda th: trajectory(th, state0, STEPS), theta)
jvp_columns = []
print("d final state / d theta_i, one npgrad.jvp per parameter (finite differences):")
for i, name in enumerate(names):
    direction = np.eye(4)[i]
    value, tangent = npgrad.jvp(trajectory, (theta, state0, STEPS), (direction, None, None))
    assert np.array_equal(value, states)  # the primal comes with the tangent
    jvp_columns.append(tangent)
    print(
        f"  d/d{name}: prey {tangent[-1, 0]:+.8f} ({fd[-1, 0, i]:+.8f})"
        f"   predators {tangent[-1, 1]:+.8f} ({fd[-1, 1, i]:+.8f})"
    )
jvp_error = relative_error(np.stack(jvp_columns, axis=-1), fd)
print(f"jvp max relative error vs finite differences: {jvp_error:.2e}")
assert jvp_error < 1e-6

# the whole Jacobian at once: one forward pass with a batch of four tangents
jac = npgrad.jacobian(trajectory, mode="forward")
J = jac(theta, state0, STEPS)
print()
print(f"npgrad.jacobian(trajectory, mode='forward') shape: {J.shape}")
jacobian_error = relative_error(J, fd)
print(f"jacobian max relative error vs finite differences: {jacobian_error:.2e}")
assert jacobian_error < 1e-6
assert np.allclose(J, np.stack(jvp_columns, axis=-1), rtol=1e-12, atol=1e-12)

# a JVP along any direction is J @ v, without forming J
v = np.array([0.3, -1.0, 0.5, 2.0])
_, tangent = npgrad.jvp(trajectory, (theta, state0, STEPS), (v, None, None))
direction_error = relative_error(tangent, J @ v)
print(f"jvp along v = {v} vs J @ v: max relative error {direction_error:.2e}")
assert direction_error < 1e-12

# sensitivities to the initial state, the same way (wrt=1)
J0 = npgrad.jacobian(trajectory, wrt=1, mode="forward")(theta, state0, STEPS)
fd0 = finite_differences(lambda s0: trajectory(theta, s0, STEPS), state0)
initial_error = relative_error(J0, fd0)
print(f"d state / d state0 shape {J0.shape}: max relative error vs finite differences ", end="")
print(f"{initial_error:.2e}")
assert initial_error < 1e-6

# when is the prey most sensitive to the predation rate b?
peak = int(np.argmax(np.abs(J[:, 0, 1])))
print()
print(f"largest |d prey / d b| = {abs(J[peak, 0, 1]):.4f} at t = {peak * DT:.2f}")
print()
print("The generated JVP (first lines):")
print("\n".join(jac.source.splitlines()[:14]))
