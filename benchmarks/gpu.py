"""NumPy vs CuPy (and PyTorch on the GPU, where installed) for the gradient of a large
logistic regression and a two-layer network. NEEDS A CUDA GPU: without one it says so and
exits without timing anything.

Run: python benchmarks/gpu.py [--quick]
"""

from __future__ import annotations

import sys
import time

import numpy as np

import npgrad


def logistic(w, X, y):
    p = 1 / (1 + np.exp(-X @ w))
    return -np.mean(y * np.log(p) + (1 - y) * np.log(1 - p))


def two_layer(W1, W2, X, y):
    h = np.tanh(X @ W1)
    out = h @ W2
    return np.mean((out - y) ** 2)


def best(f, sync, repeat=10):
    f()
    sync()
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        f()
        sync()
        times.append(time.perf_counter() - t0)
    return min(times)


def main() -> int:
    try:
        import cupy
    except ImportError:
        print("benchmarks/gpu.py needs CuPy and a CUDA GPU: pip install 'npgrad[cuda12]'")
        return 0
    if not cupy.is_available():
        print("benchmarks/gpu.py needs a CUDA GPU; none is available here, nothing was timed")
        return 0
    quick = "--quick" in sys.argv
    n, d, hidden = (10_000, 100, 64) if quick else (1_000_000, 256, 512)
    rng = np.random.default_rng(0)
    X = rng.normal(size=(n, d)).astype(np.float32)
    y = (rng.random(n) < 0.5).astype(np.float32)
    w = rng.normal(size=d).astype(np.float32) * 0.01
    W1 = rng.normal(size=(d, hidden)).astype(np.float32) * 0.05
    W2 = rng.normal(size=(hidden, 1)).astype(np.float32) * 0.05
    Y = y[:, None]
    dev = {k: cupy.asarray(v) for k, v in dict(X=X, y=y, w=w, W1=W1, W2=W2, Y=Y).items()}
    none, gpu_sync = (lambda: None), cupy.cuda.Device().synchronize
    g_log, g_net = npgrad.grad(logistic), npgrad.grad(two_layer, wrt=(0, 1))
    rows = [
        (
            "logistic",
            best(lambda: g_log(w, X, y), none),
            best(lambda: g_log(dev["w"], dev["X"], dev["y"]), gpu_sync),
        ),
        (
            "two-layer",
            best(lambda: g_net(W1, W2, X, Y), none),
            best(lambda: g_net(dev["W1"], dev["W2"], dev["X"], dev["Y"]), gpu_sync),
        ),
    ]
    print(f"n={n} d={d} hidden={hidden} float32; best of 10")
    for name, t_np, t_cp in rows:
        print(
            f"{name:10s} numpy {t_np * 1e3:9.2f} ms   cupy {t_cp * 1e3:9.2f} ms   "
            f"numpy/cupy {t_np / t_cp:6.1f}x"
        )
    try:
        import torch
    except ImportError:
        print("PyTorch not installed: no torch row")
        return 0
    tX, ty = torch.as_tensor(X, device="cuda"), torch.as_tensor(y, device="cuda")
    tw = torch.as_tensor(w, device="cuda").requires_grad_()

    def torch_logistic():
        p = torch.sigmoid(tX @ tw)
        loss = -(ty * torch.log(p) + (1 - ty) * torch.log(1 - p)).mean()
        return torch.autograd.grad(loss, tw)

    t_torch = best(torch_logistic, torch.cuda.synchronize)
    print(f"logistic   torch {t_torch * 1e3:9.2f} ms   cupy/torch {rows[0][2] / t_torch:6.2f}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
