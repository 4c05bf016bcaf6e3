"""Logistic regression trained on a GPU with the unchanged NumPy loss.

The loss is plain NumPy. npgrad's gradient follows the arrays it is called with: given CuPy
arrays it runs CuPy code (generated once, `import cupy as cp`). Where no GPU exists (or
CuPy is not installed) the script says so and trains the same model with NumPy.

Run: python examples/logistic_regression_gpu.py
"""

import numpy as np

import npgrad


def loss(w, X, y):
    p = 1 / (1 + np.exp(-X @ w))
    return -np.mean(y * np.log(p) + (1 - y) * np.log(1 - p))


def array_module():
    try:
        import cupy

        if cupy.is_available():
            return cupy, "CuPy on the GPU"
        reason = "CuPy is installed but no CUDA GPU is available"
    except ImportError:
        reason = "CuPy is not installed (pip install 'npgrad[cuda12]')"
    print(f"{reason}: falling back to NumPy on the CPU")
    return np, "NumPy on the CPU"


xp, where = array_module()
rng = np.random.default_rng(0)
n, d = 20_000, 10
X_host = rng.normal(size=(n, d)).astype(np.float32)
w_true = rng.normal(size=d).astype(np.float32)
y_host = (X_host @ w_true + 2.0 * rng.normal(size=n) > 0).astype(np.float32)
X, y = xp.asarray(X_host), xp.asarray(y_host)

loss_and_grad = npgrad.value_and_grad(loss)  # with respect to w; backend follows the arrays
print("The CuPy code npgrad generates for the gradient:")
print(loss_and_grad.variant("cupy").source)

w = xp.zeros(d, dtype=xp.float32)
for step in range(201):
    value, dw = loss_and_grad(w, X, y)
    if step % 50 == 0:
        print(f"step {step:3d}: loss = {float(value):.4f}")
    w = w - 0.5 * dw

accuracy = float(xp.mean(((X @ w) > 0) == (y == 1)))
print(f"trained with {where}; gradient dtype: {dw.dtype}")
print(f"training accuracy: {accuracy:.1%}")
