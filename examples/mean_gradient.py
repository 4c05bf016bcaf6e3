"""The gradient of np.mean.

mean(x) = (x[0] + x[1] + x[2]) / 3, so every element has partial derivative 1/3.

Run: python examples/mean_gradient.py
"""

import numpy as np

import npgrad


def mean(x):
    return np.mean(x)


x = np.array([1.0, 2.0, 3.0])
g = npgrad.grad(mean)(x)

print(f"x             = {x}")
print(f"mean(x)       = {mean(x)}")
print(f"d mean / d x  = {g}")
print(f"expected      = {np.full(3, 1 / 3)}")
print(f"matches: {np.allclose(g, 1 / 3)}")
