"""Binary logistic regression trained with npgrad.

Two Gaussian clouds in 2-D (plus a constant feature for the bias) are separated by a linear
classifier. We write the cross-entropy loss in plain NumPy, ask npgrad for its gradient, and
run gradient descent.

Run: python examples/logistic_regression.py
"""

import numpy as np

import npgrad


def loss(w, X, y):
    p = 1 / (1 + np.exp(-X @ w))
    return -np.mean(y * np.log(p) + (1 - y) * np.log(1 - p))


# Synthetic data: class 0 around (-1, -1), class 1 around (+1, +1).
rng = np.random.default_rng(0)
n = 500
y = (rng.random(n) < 0.5).astype(float)
points = rng.normal(size=(n, 2)) + np.where(y[:, None] == 1.0, 1.0, -1.0)
X = np.hstack([points, np.ones((n, 1))])  # the last column of ones is the bias feature

loss_and_grad = npgrad.value_and_grad(loss)  # with respect to w, the first argument

print("The gradient code npgrad generated from `loss`:")
print(loss_and_grad.source)

w = np.zeros(3)
lr = 0.5
for step in range(101):
    value, dw = loss_and_grad(w, X, y)
    if step % 10 == 0:
        print(f"step {step:3d}: loss = {value:.4f}")
    w = w - lr * dw

accuracy = np.mean((X @ w > 0) == (y == 1.0))
print(f"\nweights (x1, x2, bias): {np.round(w, 3)}")
print(f"training accuracy: {accuracy:.1%}")
