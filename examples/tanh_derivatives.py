"""Derivatives of tanh up to the 6th order, by nesting npgrad.grad, against closed forms.

Each `npgrad.grad` differentiates npgrad's own generated code of the level below (reverse
mode over reverse mode), so `grad(grad(grad(grad(grad(grad(tanh))))))` is the 6th
derivative, a function of one number. We evaluate every order on a grid of points in
[-4, 4], one call per point, and compare with the closed forms: with t = tanh(x), every
derivative is a polynomial in t, P_{k+1}(t) = P_k'(t) (1 - t**2) starting from P_0(t) = t:

    tanh'   = 1 - t**2
    tanh''  = -2 t (1 - t**2)
    tanh''' = (1 - t**2) (6 t**2 - 2)        ... and so on (printed below).

The curves are plotted into tanh_derivatives.png when matplotlib is installed
(`pip install -e ".[plot]"`); otherwise the example says so and skips the plot.

Run: python examples/tanh_derivatives.py [OUTPUT]    (a .png path or a folder; default: .)
"""

import sys
from pathlib import Path

import numpy as np
from numpy.polynomial import Polynomial

import npgrad

ORDER = 6


def f(x):
    return np.tanh(x)


# derivatives[k] is the k-th derivative: npgrad.grad nested k times
derivatives = [f]
for _ in range(ORDER):
    derivatives.append(npgrad.grad(derivatives[-1]))

# the closed forms, polynomials in t = tanh(x)
closed_forms = [Polynomial([0.0, 1.0])]
one_minus_t2 = Polynomial([1.0, 0.0, -1.0])
for _ in range(ORDER):
    closed_forms.append(closed_forms[-1].deriv() * one_minus_t2)

# the first three spelled out by hand, as a check on the recurrence
t = np.tanh(np.linspace(-4, 4, 9))
assert np.allclose(closed_forms[1](t), 1 - t**2)
assert np.allclose(closed_forms[2](t), -2 * t * (1 - t**2))
assert np.allclose(closed_forms[3](t), (1 - t**2) * (6 * t**2 - 2))

grid = np.linspace(-4.0, 4.0, 161)
values = np.array([[d(float(x)) for x in grid] for d in derivatives])  # (ORDER + 1, points)
expected = np.array([p(np.tanh(grid)) for p in closed_forms])

print(f"derivatives of tanh at {grid.size} points in [-4, 4], npgrad.grad nested k times")
print(" k  closed form P_k(t), t = tanh(x)  (coefficients of t^0, t^1, ...)")
worst = 0.0
for k in range(ORDER + 1):
    error = np.max(np.abs(values[k] - expected[k])) / np.max(np.abs(expected[k]))
    worst = max(worst, error)
    coefs = " ".join(f"{c:g}" for c in closed_forms[k].coef)
    print(f" {k}  [{coefs}]")
    print(f"    max |P_{k}| = {np.max(np.abs(expected[k])):9.4f}   max relative error {error:.1e}")
    assert error < 1e-12, (k, error)
print(f"worst relative error over all orders: {worst:.1e}")

# a finite-difference check on the top order: central differences of the 5th derivative
h = 1e-5
x0 = 0.7
fd6 = (derivatives[5](x0 + h) - derivatives[5](x0 - h)) / (2 * h)
print(f"6th derivative at x = {x0}: npgrad {derivatives[6](x0):.8f}   ", end="")
print(f"closed form {closed_forms[6](np.tanh(x0)):.8f}   finite differences of the 5th {fd6:.8f}")
assert abs(fd6 - derivatives[6](x0)) < 1e-6 * max(1.0, abs(derivatives[6](x0)))

lines = len(derivatives[6].source.splitlines())
print(f"the generated 6th derivative is {lines} lines of NumPy")

output = Path(sys.argv[1]) if len(sys.argv) > 1 else Path.cwd()
if output.is_dir():
    output = output / "tanh_derivatives.png"
try:
    import matplotlib
except ImportError:
    print(f"matplotlib is not installed: skipping the plot ({output} not written);")
    print('install it with `pip install matplotlib` or `pip install -e ".[plot]"`')
else:
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 2, figsize=(11, 4.2))
    for k in range(ORDER + 1):
        label = "tanh" if k == 0 else f"order {k}"
        scaled = values[k] / np.max(np.abs(values[k]))
        axes[0].plot(grid, values[k], label=label)
        axes[1].plot(grid, scaled, label=label)
    axes[1].plot(
        grid[::8],
        (expected / np.max(np.abs(expected), axis=1, keepdims=True)).T[::8],
        "k.",
        markersize=3,
    )
    axes[0].set_title("derivatives of tanh by nested npgrad.grad")
    axes[0].set_ylim(-5, 5)
    axes[1].set_title("each scaled to max 1 (dots: closed forms)")
    for ax in axes:
        ax.set_xlabel("x")
        ax.grid(alpha=0.3)
    axes[0].legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(output, dpi=110)
    print(f"wrote {output}")
