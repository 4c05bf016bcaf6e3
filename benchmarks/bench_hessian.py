"""Benchmark npgrad.hessian against n gradient calls and a hand-written Hessian.

Run from the repository root:

    python benchmarks/bench_hessian.py            # n = 100, a few seconds
    python benchmarks/bench_hessian.py --quick    # n = 10: a smoke test

The function, of x (n,) with data A (m, n), m = 2n:

    f(x) = sum(log(cosh(A @ x))) + 0.25 * sum(x**4)
    grad f = A.T @ tanh(A @ x) + x**3
    H     = A.T @ diag(1 - tanh(A @ x)**2) @ A + diag(3 x**2)

Implementations (each Hessian is checked against the closed form before any timing):

* `hessian`: `npgrad.hessian(f)`, forward mode over npgrad's generated gradient: the JVP
  batched over the n seeds (transforms/batch.py), one call;
* `jacobian(grad) rev`: `npgrad.jacobian(npgrad.grad(f), mode="reverse")`, the VJP of the
  gradient (reverse over reverse), batched over the n seeds: one call;
* `fd of grad`: forward differences of `npgrad.grad(f)`, n + 1 gradient calls (approximate:
  checked to 1e-5 only);
* `hand`: the closed form above;
* `autograd`: `autograd.hessian`, where autograd is installed;

and the baseline `n x grad`: `npgrad.grad(f)` called n times, the cost a Hessian from n
gradient-like passes would have with no overhead. Timing is interleaved: every round runs
each implementation once, in a shuffled order. Medians over rounds are reported, and ratios
are medians over rounds of (implementation / baseline), and of (implementation / hand), in
the same round. BLAS runs single-threaded (set before NumPy loads).
"""

from __future__ import annotations

import os
import sys

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"

import argparse  # noqa: E402
import platform  # noqa: E402
import random  # noqa: E402
import statistics  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402

import npgrad  # noqa: E402

try:
    import autograd  # noqa: E402
    import autograd.numpy as anp  # noqa: E402
except ImportError:  # pragma: no cover - autograd is in the test extra
    autograd = None


def f(x, A):
    return np.sum(np.log(np.cosh(A @ x))) + 0.25 * np.sum(x**4)


def f_ag(x, A):
    return anp.sum(anp.log(anp.cosh(anp.dot(A, x)))) + 0.25 * anp.sum(x**4)


def hessian_hand(x, A):
    s = 1 - np.tanh(A @ x) ** 2
    H = A.T @ (s[:, None] * A)
    H[np.diag_indices_from(H)] += 3 * x**2
    return H


def gradient_hand(x, A):
    return A.T @ np.tanh(A @ x) + x**3


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="n = 10, few rounds")
    parser.add_argument("-n", type=int, default=None, help="dimension (default 100)")
    parser.add_argument("--rounds", type=int, default=None)
    args = parser.parse_args()
    n = args.n or (10 if args.quick else 100)
    rounds = args.rounds or (3 if args.quick else 25)

    rng = np.random.default_rng(0)
    A = rng.standard_normal((2 * n, n)) / np.sqrt(n)
    x = rng.standard_normal(n)

    grad = npgrad.grad(f)
    hessian = npgrad.hessian(f)
    jacobian_of_grad = npgrad.jacobian(grad, mode="reverse")

    def fd_of_grad(x, A, eps=1e-6):
        g0 = grad(x, A)
        H = np.empty((n, n))
        for i in range(n):
            e = np.zeros(n)
            e[i] = eps
            H[:, i] = (grad(x + e, A) - g0) / eps
        return H

    def n_grads(x, A):
        for _ in range(n):
            grad(x, A)

    impls = {
        "n x grad": n_grads,
        "hessian": hessian,
        "jacobian(grad) rev": jacobian_of_grad,
        "fd of grad": fd_of_grad,
        "hand": hessian_hand,
    }
    if autograd is not None:
        impls["autograd"] = autograd.hessian(f_ag)

    # correctness first: the closed form, then every implementation against it
    want = hessian_hand(x, A)
    assert np.allclose(grad(x, A), gradient_hand(x, A), rtol=1e-12, atol=1e-12)
    scale = np.max(np.abs(want))
    for name, impl in impls.items():
        if name == "n x grad":
            continue
        error = np.max(np.abs(impl(x, A) - want)) / scale
        tol = 1e-5 if name == "fd of grad" else 1e-12
        assert error < tol, f"{name}: relative error {error:.1e} against the closed form"
        print(f"check {name:20s} max relative error vs closed form {error:.1e}")
    print()

    times: dict[str, list[float]] = {name: [] for name in impls}
    for impl in impls.values():  # warm-up
        impl(x, A)
    order = list(impls)
    shuffle = random.Random(0)
    for _ in range(rounds):
        shuffle.shuffle(order)
        for name in order:
            start = time.perf_counter()
            impls[name](x, A)
            times[name].append(time.perf_counter() - start)

    base = times["n x grad"]
    print(f"f(x) = sum(log(cosh(A @ x))) + sum(x**4) / 4, n = {n}, A {2 * n}x{n}, {rounds} rounds")
    print(f"numpy {np.__version__}, python {platform.python_version()}, BLAS single-threaded")
    hand = times["hand"]
    print(f"{'':20s} {'median ms':>10s} {'/ n x grad':>11s} {'/ hand':>9s}")
    for name in impls:
        median = statistics.median(times[name]) * 1e3
        ratio = statistics.median(t / b for t, b in zip(times[name], base, strict=True))
        to_hand = statistics.median(t / h for t, h in zip(times[name], hand, strict=True))
        print(f"{name:20s} {median:10.3f} {ratio:10.2f}x {to_hand:8.1f}x")
    grad_us = statistics.median(base) / n * 1e6
    print(f"one npgrad.grad call: {grad_us:.1f} us")


if __name__ == "__main__":
    sys.exit(main())
