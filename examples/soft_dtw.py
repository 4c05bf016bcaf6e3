"""Soft dynamic time warping (Cuturi & Blondel, 2017), a table filled cell by cell.

    R[i, j] = D[i-1, j-1] + softmin(R[i-1, j-1], R[i-1, j], R[i, j-1])

is the textbook dynamic programme, written as NumPy code that preallocates the table and
writes one cell per iteration of a double loop. npgrad differentiates it as written: the
gradient is checked against central finite differences, then used to morph a sequence
towards a time-shifted target by gradient descent.

Run: python examples/soft_dtw.py
"""

import numpy as np

import npgrad

GAMMA = 0.1
BIG = 1e10  # "infinity" on the table's border (exp(-BIG / GAMMA) is exactly 0)


def softmin(a, b, c):
    m = min(a, b, c)
    s = np.exp(-(a - m) / GAMMA) + np.exp(-(b - m) / GAMMA) + np.exp(-(c - m) / GAMMA)
    return m - GAMMA * np.log(s)


def soft_dtw(x, y):
    n, m = x.shape[0], y.shape[0]
    D = (x[:, None] - y[None, :]) ** 2
    R = np.full((n + 1, m + 1), BIG)
    R[0, 0] = 0.0
    for i in range(1, n + 1):
        for j in range(1, m + 1):
            R[i, j] = D[i - 1, j - 1] + softmin(R[i - 1, j - 1], R[i - 1, j], R[i, j - 1])
    return R[n, m]


def central_differences(f, x, y, eps=1e-6):
    g = np.zeros_like(x)
    for k in range(x.size):
        e = np.zeros_like(x)
        e[k] = eps
        g[k] = (f(x + e, y) - f(x - e, y)) / (2 * eps)
    return g


def main() -> None:
    t = np.linspace(0, 2 * np.pi, 16)
    target = np.sin(t - 0.8)
    x = 0.3 * np.cos(t)
    grad = npgrad.grad(soft_dtw)
    g = grad(x, target)
    fd = central_differences(soft_dtw, x, target)
    print(f"max |npgrad - finite differences| = {np.max(np.abs(g - fd)):.2e}")
    first = soft_dtw(x, target)
    for _ in range(40):
        x = x - 0.05 * grad(x, target)
    print(f"soft-DTW: {first:.4f} -> {soft_dtw(x, target):.4f}")


if __name__ == "__main__":
    main()
