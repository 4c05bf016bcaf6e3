"""Benchmark npgrad's gradients through loops against hand-written NumPy and autograd.

Run from the repository root:

    python benchmarks/bench_loops.py            # realistic sizes, about 40 s on 2 cores
    python benchmarks/bench_loops.py --quick    # tiny sizes: a smoke test in a few seconds

Problems (every gradient is checked before it is timed, see `verify`):

* a vanilla RNN over 50 time steps, h = tanh(h @ Wh + x_t @ Wx + b), mean squared error of
  a linear read-out of the final hidden state; gradient w.r.t. (Wh, Wx, b, Wo);
* N damped pendulums coupled by springs, v <- v + dt * (-x @ K - c*v - sin(x)),
  x <- x + dt * v (semi-implicit Euler), 200 steps, for a batch of starting states; squared
  error against a reference trajectory, summed over all steps; gradient w.r.t. the coupling
  matrix K and the damping vector c. (The nonlinearity is sin(x), not x**3: NumPy's x**3
  on negative numbers goes through libm's slow pow and would dominate every timing.)

The hand-written gradients are backpropagation through time as a person writes it: the
forward loop stores the states in a list, a reversed loop accumulates the parameter
gradients. Timing is the same as benchmarks/bench_grad.py: interleaved rounds (each
implementation once per round, shuffled), medians and IQRs, ratios paired within a round.

BLAS runs single-threaded (OPENBLAS/OMP/MKL_NUM_THREADS=1 are set before NumPy loads);
OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE are removed from this process's environment before
NumPy loads unless --keep-openblas-env is given (see benchmarks/README.md).
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
import math  # noqa: E402

import autograd  # noqa: E402
import autograd.numpy as anp  # noqa: E402
import numpy as np  # noqa: E402
from bench_grad import (  # noqa: E402  (same folder: benchmarks/ is on sys.path)
    Problem,
    check_time_report,
    print_environment,
)

import npgrad  # noqa: E402

DT = 0.01  # the ODE's time step

# ----- the losses, as a user writes them ------------------------------------------------


def rnn_loss(Wh, Wx, b, Wo, xs, Y):
    h = np.zeros((xs.shape[1], Wh.shape[0]))
    for t in range(xs.shape[0]):
        h = np.tanh(h @ Wh + xs[t] @ Wx + b)
    return np.mean((h @ Wo - Y) ** 2)


def ode_loss(K, c, x0, v0, observed):
    x = x0
    v = v0
    err = 0.0
    for t in range(observed.shape[0]):
        v = v + DT * (-(x @ K) - c * v - np.sin(x))
        x = x + DT * v
        err = err + np.sum((x - observed[t]) ** 2)
    return err / observed.size


# ----- the same losses for autograd -----------------------------------------------------


def rnn_loss_ag(Wh, Wx, b, Wo, xs, Y):
    h = anp.zeros((xs.shape[1], Wh.shape[0]))
    for t in range(xs.shape[0]):
        h = anp.tanh(h @ Wh + xs[t] @ Wx + b)
    return anp.mean((h @ Wo - Y) ** 2)


def ode_loss_ag(K, c, x0, v0, observed):
    x = x0
    v = v0
    err = 0.0
    for t in range(observed.shape[0]):
        v = v + DT * (-(x @ K) - c * v - anp.sin(x))
        x = x + DT * v
        err = err + anp.sum((x - observed[t]) ** 2)
    return err / observed.size


# ----- hand-written gradients: backpropagation through time -----------------------------


def rnn_grad_hand(Wh, Wx, b, Wo, xs, Y):
    h = np.zeros((xs.shape[1], Wh.shape[0]))
    hs = [h]
    for t in range(xs.shape[0]):
        h = np.tanh(h @ Wh + xs[t] @ Wx + b)
        hs.append(h)
    out = h @ Wo
    dout = (2.0 / out.size) * (out - Y)
    dWo = h.T @ dout
    dh = dout @ Wo.T
    dWh = np.zeros_like(Wh)
    dWx = np.zeros_like(Wx)
    db = np.zeros_like(b)
    for t in reversed(range(xs.shape[0])):
        dz = dh * (1 - hs[t + 1] ** 2)
        dWh += hs[t].T @ dz
        dWx += xs[t].T @ dz
        db += dz.sum(axis=0)
        dh = dz @ Wh.T
    return dWh, dWx, db, dWo


def ode_grad_hand(K, c, x0, v0, observed):
    x, v = x0, v0
    xs, vs = [x], [v]
    for _ in range(observed.shape[0]):
        v = v + DT * (-(x @ K) - c * v - np.sin(x))
        x = x + DT * v
        xs.append(x)
        vs.append(v)
    scale = 2.0 / observed.size
    dK = np.zeros_like(K)
    dc = np.zeros_like(c)
    dx = np.zeros_like(x0)  # adjoints of the state after step t
    dv = np.zeros_like(v0)
    for t in reversed(range(observed.shape[0])):
        dx = dx + scale * (xs[t + 1] - observed[t])
        dv = dv + DT * dx
        g = DT * dv  # adjoint of the acceleration at step t
        dK -= xs[t].T @ g
        dc -= np.sum(g * vs[t], axis=0)
        dx = dx - g @ K.T - np.cos(xs[t]) * g
        dv = dv - c * g
    return dK, dc


# ----- problems -------------------------------------------------------------------------


# Problem, verification, timing and printing are shared with bench_grad.py


def rnn_problem(steps: int, batch: int, d_in: int, hidden: int, d_out: int) -> Problem:
    def make_args(rng):
        xs = rng.standard_normal((steps, batch, d_in))
        Y = rng.standard_normal((batch, d_out))
        Wh = 0.9 * rng.standard_normal((hidden, hidden)) / math.sqrt(hidden)
        Wx = rng.standard_normal((d_in, hidden)) / math.sqrt(d_in)
        b = 0.1 * rng.standard_normal(hidden)
        Wo = rng.standard_normal((hidden, d_out)) / math.sqrt(hidden)
        return Wh, Wx, b, Wo, xs, Y

    wrt = (0, 1, 2, 3)
    return Problem(
        name=f"rnn H={hidden} B={batch}",
        sizes=(
            f"RNN, {steps} steps: xs {steps}x{batch}x{d_in}, Wh {hidden}x{hidden}, "
            f"Wx {d_in}x{hidden}, Wo {hidden}x{d_out}"
        ),
        loss=rnn_loss,
        wrt=wrt,
        impls={
            "hand": rnn_grad_hand,
            "npgrad": npgrad.grad(rnn_loss, wrt=wrt),
            "autograd": autograd.grad(rnn_loss_ag, argnum=wrt),
        },
        make_args=make_args,
    )


def ode_problem(steps: int, batch: int, n: int) -> Problem:
    def make_args(rng):
        A = rng.standard_normal((n, n)) / math.sqrt(n)
        K_true = A @ A.T + np.eye(n)  # symmetric positive definite: oscillates
        c_true = 0.2 + 0.1 * rng.random(n)
        x0 = rng.standard_normal((batch, n))
        v0 = rng.standard_normal((batch, n))
        x, v, observed = x0, v0, []
        for _ in range(steps):
            v = v + DT * (-(x @ K_true) - c_true * v - np.sin(x))
            x = x + DT * v
            observed.append(x)
        K = K_true + 0.1 * rng.standard_normal((n, n)) / math.sqrt(n)
        c = c_true + 0.05 * rng.standard_normal(n)
        return K, c, x0, v0, np.array(observed)

    wrt = (0, 1)
    return Problem(
        name=f"ode N={n} B={batch}",
        sizes=(
            f"{n} coupled pendulums, {steps} Euler steps, batch of {batch} starts: "
            f"K {n}x{n}, c ({n},), state {batch}x{n}"
        ),
        loss=ode_loss,
        wrt=wrt,
        impls={
            "hand": ode_grad_hand,
            "npgrad": npgrad.grad(ode_loss, wrt=wrt),
            "autograd": autograd.grad(ode_loss_ag, argnum=wrt),
        },
        make_args=make_args,
    )


# ----- correctness ----------------------------------------------------------------------


TARGET = 1.5  # npgrad / hand-written


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

    small = [rnn_problem(6, 3, 2, 4, 2), ode_problem(12, 2, 3)]
    if opts.quick:
        problems = [rnn_problem(10, 8, 4, 16, 2), ode_problem(20, 4, 4)]
    else:
        problems = [
            rnn_problem(50, 32, 32, 64, 10),
            rnn_problem(50, 64, 32, 128, 10),
            ode_problem(200, 8, 8),
            ode_problem(200, 64, 64),
        ]
    data_rng = np.random.default_rng(opts.seed)

    small_args = [p.make_args(data_rng) for p in small]
    return check_time_report(
        small, small_args, problems, data_rng, opts, batch_target=0.02, target=TARGET
    )


if __name__ == "__main__":
    sys.exit(main())
