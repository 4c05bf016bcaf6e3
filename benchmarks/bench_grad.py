"""Benchmark npgrad's generated gradients against hand-written NumPy and autograd.

Run from the repository root:

    python benchmarks/bench_grad.py            # realistic sizes, about 35 s on 2 cores
    python benchmarks/bench_grad.py --quick    # tiny sizes: a smoke test in a few seconds

Problems (every gradient is checked before it is timed, see `verify`):

* logistic regression, mean binary cross-entropy, gradient w.r.t. the weights `w`;
* a two-layer tanh network 784 -> 128 -> 10 with a mean-squared-error loss (not softmax
  cross-entropy), gradient w.r.t. all four parameters (W1, b1, W2, b2).

Each problem has three implementations: a hand-written NumPy gradient, npgrad's generated
gradient, and `autograd.grad` of the same loss written with autograd.numpy. Timing is
interleaved: every round runs each implementation once (a batch of k calls), in a shuffled
order, so drift on a noisy machine hits all of them alike. Medians and IQRs are reported,
and ratios are the median over rounds of (implementation / hand-written) in the same round.

BLAS runs single-threaded (OPENBLAS/OMP/MKL_NUM_THREADS=1 are set before NumPy loads).
OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE, which some machines here set for old OpenBLAS
builds and which slow a current one, are removed from this process's environment before
NumPy loads; pass --keep-openblas-env to leave them as they are.
"""

from __future__ import annotations

import os
import sys

_THREAD_VARS = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")
_CORE_VARS = ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")
_NUMPY_WAS_LOADED = "numpy" in sys.modules
for _var in _THREAD_VARS:
    os.environ[_var] = "1"
_REMOVED_VARS = []
if "--keep-openblas-env" not in sys.argv:
    for _var in _CORE_VARS:
        if _var in os.environ:
            _REMOVED_VARS.append(f"{_var}={os.environ.pop(_var)}")

import argparse  # noqa: E402
import gc  # noqa: E402
import importlib.util  # noqa: E402
import inspect  # noqa: E402
import math  # noqa: E402
import platform  # noqa: E402
import random  # noqa: E402
import statistics  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from collections.abc import Callable  # noqa: E402
from dataclasses import dataclass, field  # noqa: E402
from typing import Any  # noqa: E402

import autograd  # noqa: E402
import autograd.numpy as anp  # noqa: E402
import numpy as np  # noqa: E402

import npgrad  # noqa: E402
import npgrad.api  # noqa: E402

# ----- the losses, as a user writes them ------------------------------------------------


def logreg_loss(w, X, y):
    p = 1 / (1 + np.exp(-X @ w))
    return -np.mean(y * np.log(p) + (1 - y) * np.log(1 - p))


def mlp_loss(W1, b1, W2, b2, X, Y):
    h = np.tanh(X @ W1 + b1)
    out = h @ W2 + b2
    return np.mean((out - Y) ** 2)


# ----- the same losses for autograd -----------------------------------------------------


def logreg_loss_ag(w, X, y):
    p = 1 / (1 + anp.exp(-X @ w))
    return -anp.mean(y * anp.log(p) + (1 - y) * anp.log(1 - p))


def mlp_loss_ag(W1, b1, W2, b2, X, Y):
    h = anp.tanh(X @ W1 + b1)
    out = h @ W2 + b2
    return anp.mean((out - Y) ** 2)


# ----- hand-written gradients -----------------------------------------------------------


def logreg_grad_hand(w, X, y):
    p = 1 / (1 + np.exp(-(X @ w)))
    return X.T @ (p - y) / len(y)


def mlp_grad_hand(W1, b1, W2, b2, X, Y):
    h = np.tanh(X @ W1 + b1)
    out = h @ W2 + b2
    dout = (2.0 / out.size) * (out - Y)
    dW2 = h.T @ dout
    db2 = dout.sum(axis=0)
    dz = (dout @ W2.T) * (1 - h * h)
    dW1 = X.T @ dz
    db1 = dz.sum(axis=0)
    return dW1, db1, dW2, db2


# ----- problems -------------------------------------------------------------------------


@dataclass
class Problem:
    name: str
    sizes: str
    loss: Callable[..., Any]  # the NumPy loss, also used for finite differences
    wrt: tuple[int, ...]
    impls: dict[str, Callable[..., Any]]
    make_args: Callable[[np.random.Generator], tuple[Any, ...]]
    results: dict[str, list[float]] = field(default_factory=dict)  # seconds per call
    calls: dict[str, int] = field(default_factory=dict)


def logreg_problem(n: int, d: int) -> Problem:
    def make_args(rng):
        X = rng.standard_normal((n, d))
        w_true = rng.standard_normal(d) / math.sqrt(d)
        y = (rng.random(n) < 1 / (1 + np.exp(-(X @ w_true)))).astype(np.float64)
        w = rng.standard_normal(d) / math.sqrt(d)
        return w, X, y

    return Problem(
        name=f"logreg d={d}",
        sizes=f"logistic regression: X {n}x{d}, w ({d},), y ({n},)",
        loss=logreg_loss,
        wrt=(0,),
        impls={
            "hand": lambda w, X, y: (logreg_grad_hand(w, X, y),),
            "npgrad": npgrad.grad(logreg_loss, wrt=(0,)),
            "autograd": autograd.grad(logreg_loss_ag, argnum=(0,)),
        },
        make_args=make_args,
    )


def mlp_problem(batch: int, d_in: int, d_hidden: int, d_out: int) -> Problem:
    def make_args(rng):
        X = rng.standard_normal((batch, d_in))
        Y = np.eye(d_out)[rng.integers(0, d_out, batch)]
        W1 = rng.standard_normal((d_in, d_hidden)) / math.sqrt(d_in)
        b1 = 0.1 * rng.standard_normal(d_hidden)
        W2 = rng.standard_normal((d_hidden, d_out)) / math.sqrt(d_hidden)
        b2 = 0.1 * rng.standard_normal(d_out)
        return W1, b1, W2, b2, X, Y

    wrt = (0, 1, 2, 3)
    return Problem(
        name=f"mlp batch={batch}",
        sizes=(
            f"two-layer tanh net, MSE: X {batch}x{d_in}, W1 {d_in}x{d_hidden}, "
            f"W2 {d_hidden}x{d_out}, Y {batch}x{d_out}"
        ),
        loss=mlp_loss,
        wrt=wrt,
        impls={
            "hand": mlp_grad_hand,
            "npgrad": npgrad.grad(mlp_loss, wrt=wrt),
            "autograd": autograd.grad(mlp_loss_ag, argnum=wrt),
        },
        make_args=make_args,
    )


# ----- correctness ----------------------------------------------------------------------


def finite_difference(f: Callable[..., Any], args: tuple[Any, ...], i: int, eps=1e-6):
    """Central differences of scalar f with respect to args[i], in float64."""
    args = list(args)
    x = np.array(args[i], dtype=np.float64)
    g = np.zeros_like(x)
    for k in np.ndindex(x.shape):
        plus, minus = x.copy(), x.copy()
        plus[k] += eps
        minus[k] -= eps
        args[i] = plus
        fp = float(f(*args))
        args[i] = minus
        fm = float(f(*args))
        g[k] = (fp - fm) / (2 * eps)
    return g


def _compare(what: str, got, want, rtol: float, atol: float) -> None:
    assert len(got) == len(want), f"{what}: {len(got)} gradients, expected {len(want)}"
    for j, (a, b) in enumerate(zip(got, want, strict=True)):
        a, b = np.asarray(a), np.asarray(b)
        assert a.shape == b.shape, f"{what}, gradient {j}: shape {a.shape} != {b.shape}"
        scale = float(np.max(np.abs(b))) if b.size else 1.0
        err = float(np.max(np.abs(a - b))) if b.size else 0.0
        assert err <= atol * max(scale, 1.0) + rtol * scale, (
            f"{what}, gradient {j}: max abs error {err:.3g} (scale {scale:.3g})"
        )


def verify(problem: Problem, args: tuple[Any, ...], with_fd: bool) -> None:
    """Assert the three implementations agree (and match finite differences if asked)."""
    grads = {name: fn(*args) for name, fn in problem.impls.items()}
    ref = grads["hand"]
    for name in ("npgrad", "autograd"):
        _compare(f"{problem.name}: {name} vs hand", grads[name], ref, rtol=1e-9, atol=1e-12)
    if with_fd:
        fd = tuple(finite_difference(problem.loss, args, i) for i in problem.wrt)
        for name, got in grads.items():
            _compare(f"{problem.name}: {name} vs finite differences", got, fd, 1e-5, 1e-7)


# ----- timing ---------------------------------------------------------------------------


def _batch(fn: Callable[..., Any], args: tuple[Any, ...], k: int) -> float:
    t0 = time.perf_counter()
    for _ in range(k):
        fn(*args)
    return time.perf_counter() - t0


def time_problem(
    problem: Problem,
    args: tuple[Any, ...],
    budget: float,
    min_rounds: int,
    max_rounds: int,
    batch_target: float,
    rng: random.Random,
) -> int:
    """Interleaved timing: each round runs every implementation once, shuffled."""
    names = list(problem.impls)
    for name in names:  # warm up, and pick k so one batch takes about batch_target
        fn = problem.impls[name]
        _batch(fn, args, 2)
        one = min(_batch(fn, args, 1) for _ in range(3))
        problem.calls[name] = max(1, round(batch_target / max(one, 1e-9)))
        problem.results[name] = []
    start = time.perf_counter()
    rounds = 0
    while rounds < max_rounds and (rounds < min_rounds or time.perf_counter() - start < budget):
        rng.shuffle(names)
        gc.collect()
        gc.disable()
        try:
            for name in names:
                k = problem.calls[name]
                problem.results[name].append(_batch(problem.impls[name], args, k) / k)
        finally:
            gc.enable()
        rounds += 1
    return rounds


def quartiles(xs: list[float]) -> tuple[float, float, float]:
    q1, q2, q3 = statistics.quantiles(xs, n=4, method="inclusive")
    return q1, q2, q3


def fmt_time(s: float) -> str:
    if s < 1e-3:
        return f"{s * 1e6:.1f} us"
    if s < 1.0:
        return f"{s * 1e3:.2f} ms"
    return f"{s:.2f} s"


def fresh_definition(f: Callable[..., Any], tag: str, directory: str) -> Callable[..., Any]:
    """A new function object with f's source, defined in a new file of its own, so that
    npgrad transforms it from scratch (nothing it parsed or built before is reused)."""
    name = f"npgrad_bench_fresh_{f.__name__}_{tag}"
    path = os.path.join(directory, name + ".py")
    with open(path, "w") as fh:
        fh.write(f"import numpy as np\n\n# fresh copy {tag}\n\n\n{inspect.getsource(f)}")
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return getattr(module, f.__name__)


def measure_transform(problem: Problem, args: tuple[Any, ...], repeats: int, directory: str):
    """Seconds npgrad takes to transform a fresh copy of problem.loss, `repeats` times with
    the transform cache cleared before each. Returns (first, the rest). Each generated
    gradient is checked against the hand-written one, so only real transforms are timed."""
    want = problem.impls["hand"](*args)
    times = []
    for i in range(repeats):
        fresh = fresh_definition(problem.loss, str(i), directory)
        npgrad.api._CACHE.clear()
        g = npgrad.grad(fresh, wrt=problem.wrt)
        t0 = time.perf_counter()
        _ = g.source
        times.append(time.perf_counter() - t0)
        _compare(f"fresh transform of {problem.loss.__name__}", g(*args), want, 1e-9, 1e-12)
    npgrad.api._CACHE.clear()
    return times[0], times[1:]


# ----- report ---------------------------------------------------------------------------


def print_environment() -> None:
    print(
        f"python {platform.python_version()}, numpy {np.__version__}, "
        f"autograd {_version('autograd')}, npgrad {_version('npgrad')}"
    )
    print(f"cpu: {platform.processor() or platform.machine()}, {os.cpu_count()} cores visible")
    print("thread env: " + ", ".join(f"{v}={os.environ.get(v)}" for v in _THREAD_VARS))
    if _REMOVED_VARS:
        print("removed from this process's environment: " + ", ".join(_REMOVED_VARS))
    kept = [f"{v}={os.environ[v]}" for v in _CORE_VARS if v in os.environ]
    if kept:
        print("kept (--keep-openblas-env): " + ", ".join(kept))
    if _NUMPY_WAS_LOADED:
        print("WARNING: numpy was imported before this script set the BLAS environment")
    try:
        import threadpoolctl
    except ImportError:
        print("threadpoolctl not importable: BLAS library and thread count not shown")
        return
    for info in threadpoolctl.threadpool_info():
        print(
            f"threadpool: {info.get('internal_api')} {info.get('version')} "
            f"arch={info.get('architecture')} threads={info.get('num_threads')} "
            f"({os.path.basename(info.get('filepath', ''))})"
        )


def _version(dist: str) -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(dist)
    except PackageNotFoundError:
        return "?"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="tiny sizes, short runs (smoke)")
    parser.add_argument(
        "--budget",
        type=float,
        default=None,
        help="seconds of timing per problem (default 8, quick 0.3)",
    )
    parser.add_argument(
        "--keep-openblas-env",
        action="store_true",
        help="leave OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE set",
    )
    parser.add_argument("--seed", type=int, default=0)
    opts = parser.parse_args(argv)
    print_environment()

    small = [logreg_problem(30, 4), mlp_problem(5, 4, 3, 2)]
    data_rng = np.random.default_rng(opts.seed)
    small_args = [p.make_args(data_rng) for p in small]

    # Transform time first, so that the first measurement is the process's first transform.
    repeats = 3 if opts.quick else 9
    print(f"\n== npgrad transform time: fresh copy of the loss, cache cleared, x{repeats} ==")
    with tempfile.TemporaryDirectory() as directory:
        for i, (p, args) in enumerate(zip(reversed(small), reversed(small_args), strict=True)):
            first, rest = measure_transform(p, args, repeats, directory)
            q1, med, q3 = quartiles(rest)
            label = "first in process" if i == 0 else "first of its loss"
            print(
                f"{p.loss.__name__:<12} {label:<17} {fmt_time(first):>10}   "
                f"then median {fmt_time(med)} [IQR {fmt_time(q1)} .. {fmt_time(q3)}]"
            )
        print("(the first in process includes importing npgrad's compiler)")

    if opts.quick:
        problems = [
            logreg_problem(300, 10),
            logreg_problem(300, 40),
            mlp_problem(16, 20, 8, 3),
            mlp_problem(64, 20, 8, 3),
        ]
    else:
        problems = [
            logreg_problem(10_000, 100),
            logreg_problem(10_000, 1000),
            mlp_problem(256, 784, 128, 10),
            mlp_problem(1024, 784, 128, 10),
        ]

    return check_time_report(
        small, small_args, problems, data_rng, opts, batch_target=0.004, target=1.3
    )


def check_time_report(
    small: list[Problem],
    small_args: list[tuple[Any, ...]],
    problems: list[Problem],
    data_rng: np.random.Generator,
    opts: argparse.Namespace,
    batch_target: float,
    target: float,
) -> int:
    """Assert correctness, time interleaved rounds, print medians and paired ratios."""
    budget = opts.budget if opts.budget is not None else (0.3 if opts.quick else 8.0)
    min_rounds, max_rounds = (5, 50) if opts.quick else (21, 400)
    print("\n== correctness (asserted before any timing) ==")
    for p, args in zip(small, small_args, strict=True):
        verify(p, args, with_fd=True)
        print(f"{p.name:<15} small instance: hand == npgrad == autograd == finite differences")
    all_args = []
    for p in problems:
        args = p.make_args(data_rng)
        verify(p, args, with_fd=False)
        all_args.append(args)
        print(f"{p.name:<15} benchmark size: hand == npgrad == autograd (rtol 1e-9)")

    print("\n== problems ==")
    for p in problems:
        print(f"{p.name:<15} {p.sizes}")

    print(f"\n== timing: interleaved rounds, ~{budget:g} s per problem ==")
    order_rng = random.Random(opts.seed)
    rounds = {}
    for p, args in zip(problems, all_args, strict=True):
        rounds[p.name] = time_problem(
            p, args, budget, min_rounds, max_rounds, batch_target=batch_target, rng=order_rng
        )

    print(f"\n{'problem':<15} {'impl':<9} {'median':>10} {'IQR':>23} {'rounds x calls':>15}")
    for p in problems:
        for name in ("hand", "npgrad", "autograd"):
            q1, med, q3 = quartiles(p.results[name])
            iqr = f"{fmt_time(q1)} .. {fmt_time(q3)}"
            print(
                f"{p.name:<15} {name:<9} {fmt_time(med):>10} {iqr:>23} "
                f"{rounds[p.name]:>8} x {p.calls[name]:<4}"
            )

    print("\nratios to hand-written: median over rounds of (impl / hand in the same round)")
    print(f"{'problem':<15}  {'npgrad/hand':<24} {'autograd/hand':<24}")
    worst = 0.0
    for p in problems:
        cells = []
        for name in ("npgrad", "autograd"):
            ratios = [a / h for a, h in zip(p.results[name], p.results["hand"], strict=True)]
            q1, med, q3 = quartiles(ratios)
            cells.append(f"{med:.2f}x [{q1:.2f} .. {q3:.2f}]")
            if name == "npgrad":
                worst = max(worst, med)
        print(f"{p.name:<15}  {cells[0]:<24} {cells[1]:<24}".rstrip())
    if opts.quick:
        print(
            f"\n(--quick: tiny sizes measure per-call overhead; "
            f"the {target}x target is for full sizes)"
        )
    else:
        verdict = "met" if worst <= target else "NOT met"
        print(
            f"\nnpgrad target (<= {target}x hand-written on every problem): {verdict} "
            f"({worst:.2f}x)"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
