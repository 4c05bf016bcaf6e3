"""Benchmark npgrad.jacobian(mode="forward"), batched over its seeds, against one JVP per
seed, reverse mode, autograd and a hand-written Jacobian.

Run from the repository root:

    python benchmarks/bench_jacobian.py            # n = m = 100, a few seconds
    python benchmarks/bench_jacobian.py --quick    # n = m = 10: a smoke test

The function, an MLP layer R^n -> R^m with data W (m, n) and b (m,):

    f(x) = tanh(W @ x + b)          J = (1 - f(x)**2)[:, None] * W

Implementations (each Jacobian is checked against the closed form before any timing):

* `batched`: `npgrad.jacobian(f, mode="forward")`: the batched JVP (transforms/batch.py),
  one call for the n seeds;
* `per seed`: the same with `.batch = False`: one JVP call per seed, as before batching;
* `reverse`: `npgrad.jacobian(f, mode="reverse")`: the batched VJP, one call for the m
  cotangent seeds;
* `rev per row`: the same with `.batch = False`: one VJP call per output element;
* `autograd`: `autograd.jacobian`, where autograd is installed;
* `hand`: the closed form above.

Timing is interleaved: every round runs each implementation once, in a shuffled order.
Medians over rounds are reported, and ratios are medians over rounds of (implementation /
hand) and (implementation / batched) in the same round. BLAS runs single-threaded (set
before NumPy loads).
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


def layer(x, W, b):
    return np.tanh(W @ x + b)


def layer_ag(x, W, b):
    return anp.tanh(anp.dot(W, x) + b)


def jacobian_hand(x, W, b):
    y = np.tanh(W @ x + b)
    return (1 - y * y)[:, None] * W


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="n = m = 10, few rounds")
    parser.add_argument("-n", type=int, default=None, help="input and output size (100)")
    parser.add_argument("--rounds", type=int, default=None)
    args = parser.parse_args()
    n = args.n or (10 if args.quick else 100)
    rounds = args.rounds or (3 if args.quick else 25)

    rng = np.random.default_rng(0)
    W = rng.standard_normal((n, n)) / np.sqrt(n)
    b = rng.standard_normal(n)
    x = rng.standard_normal(n)

    batched = npgrad.jacobian(layer, mode="forward")
    per_seed = npgrad.jacobian(layer, mode="forward")
    per_seed.batch = False
    reverse = npgrad.jacobian(layer, mode="reverse")
    per_row = npgrad.jacobian(layer, mode="reverse")
    per_row.batch = False
    impls = {
        "batched": batched,
        "per seed": per_seed,
        "reverse": reverse,
        "rev per row": per_row,
        "hand": jacobian_hand,
    }
    if autograd is not None:
        impls["autograd"] = autograd.jacobian(layer_ag)

    want = jacobian_hand(x, W, b)
    for name, impl in impls.items():
        error = np.max(np.abs(impl(x, W, b) - want)) / np.max(np.abs(want))
        assert error < 1e-12, f"{name}: relative error {error:.1e} against the closed form"
        print(f"check {name:11s} max relative error vs closed form {error:.1e}")
    assert "def jvp_batched_layer" in batched.source, "the batched JVP did not run"
    assert "def vjp_batched_layer" in reverse.source, "the batched VJP did not run"
    print()

    times: dict[str, list[float]] = {name: [] for name in impls}
    order = list(impls)
    shuffle = random.Random(0)
    for _ in range(rounds):
        shuffle.shuffle(order)
        for name in order:
            start = time.perf_counter()
            impls[name](x, W, b)
            times[name].append(time.perf_counter() - start)

    print(f"J of tanh(W @ x + b), n = m = {n}, {rounds} rounds")
    print(f"numpy {np.__version__}, python {platform.python_version()}, BLAS single-threaded")
    print(f"{'':11s} {'median ms':>10s} {'/ hand':>9s} {'/ batched':>10s}")
    for name in impls:
        median = statistics.median(times[name]) * 1e3
        to_hand = statistics.median(t / h for t, h in zip(times[name], times["hand"], strict=True))
        to_batched = statistics.median(
            t / h for t, h in zip(times[name], times["batched"], strict=True)
        )
        print(f"{name:11s} {median:10.3f} {to_hand:8.1f}x {to_batched:9.2f}x")


if __name__ == "__main__":
    sys.exit(main())
