"""Linear regression by gradient descent on a synthetic data set.

The data follow y = X @ true_w + true_b plus a little noise. We fit w and b by minimising the
mean squared error; `value_and_grad` with wrt=("w", "b") returns the loss and both gradients
from one call.

Run: python examples/linear_regression.py
"""

import numpy as np

import npgrad


def mse(w, b, X, y):
    residual = X @ w + b - y
    return np.mean(residual**2)


# A synthetic data set: 200 points, 3 features.
rng = np.random.default_rng(0)
n, d = 200, 3
true_w = np.array([2.0, -1.0, 0.5])
true_b = 3.0
X = rng.normal(size=(n, d))
y = X @ true_w + true_b + 0.1 * rng.normal(size=n)

loss_and_grad = npgrad.value_and_grad(mse, wrt=("w", "b"))

w = np.zeros(d)
b = 0.0
lr = 0.02
for step in range(301):
    loss, (dw, db) = loss_and_grad(w, b, X, y)
    if step % 30 == 0:
        print(f"step {step:3d}: loss = {loss:.5f}")
    w = w - lr * dw
    b = b - lr * db

print()
print(f"fitted w = {np.round(w, 3)}   true w = {true_w}")
print(f"fitted b = {b:.3f}                true b = {true_b}")
print(f"final loss = {mse(w, b, X, y):.5f} (about the noise variance, 0.1**2 = 0.01)")
