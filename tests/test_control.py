"""Control flow: branches and loops, every gradient against central finite differences."""

import numpy as np
import pytest
from fd import check_grad

import npgrad

X = np.array([0.3, -1.2, 2.0, 0.7])
RNG = np.random.default_rng(3)


def branch(x):
    y = x * 2
    if x[0] > 0:
        y = y + np.sin(x)
    else:
        y = y * y
    return np.sum(y)


def elif_chain(x):
    s = np.sum(x)
    if s > 3:
        z = np.exp(x)
    elif s > 1:
        z = x**3
    else:
        z = np.tanh(x)
    return np.sum(z * x)


def branch_without_else(x):
    y = np.cos(x)
    if np.max(x) > 1.5:
        y = y * x
    return np.sum(y)


def nested_branches(x, a):
    y = x
    if a > 0:
        if x[1] > 0:
            y = y * a
        else:
            y = y + a * x
    return np.sum(y**2)


def branch_assigns_new_name(x):
    if x[2] > 0:
        t = np.sqrt(x * x + 1.0)
    else:
        t = x * 0.5
    return np.sum(t)


def counted_loop(x):
    s = 0.0
    for i in range(3):
        s = s + x[i] * s + np.sin(x[i])
    return s


def loop_over_rows(W):
    total = 0.0
    for row in W:
        total = total + np.sum(np.tanh(row) ** 2)
    return total


def loop_with_enumerate(w):
    acc = np.zeros(3)
    for i, wi in enumerate(w):
        acc = acc + wi * np.arange(3.0) * (i + 1)
    return np.sum(acc**2)


def rnn(Wh, Wx, xs, h0):
    h = h0
    for t in range(xs.shape[0]):
        h = np.tanh(Wh @ h + Wx @ xs[t])
    return np.sum(h**2)


def loop_with_branch(x):
    y = x
    for _k in range(4):
        if np.sum(y) > 0:
            y = y * 0.9 - 0.1 * np.sin(y)
        else:
            y = y + 0.2 * np.cos(y)
    return np.sum(y * y)


def nested_loops(A):
    s = 0.0
    for i in range(A.shape[0]):
        for j in range(A.shape[1]):
            s = s + A[i, j] * s * 0.1 + np.sin(A[i, j])
    return s


def newton_sqrt(a):
    x = a
    n = 0
    while n < 8:
        x = 0.5 * (x + a / x)
        n = n + 1
    return np.sum(x)


def until_converged(x):
    y = x * 1.0
    step = 1.0
    while step > 1e-3:
        y = y * 0.5
        step = step * 0.5
    return np.sum(np.exp(y))


def loop_reads_final_value(x):
    for i in range(3):
        last = x * i
    return np.sum(last**2)


CASES = [
    (branch, (X,), 0),
    (branch, (-X,), 0),
    (elif_chain, (X,), 0),
    (elif_chain, (X - 0.6,), 0),
    (elif_chain, (-X,), 0),
    (branch_without_else, (X,), 0),
    (branch_without_else, (X * 0.5,), 0),
    (nested_branches, (X, 0.7), (0, 1)),
    (nested_branches, (-X, 0.7), (0, 1)),
    (nested_branches, (X, -0.7), (0, 1)),
    (branch_assigns_new_name, (X,), 0),
    (branch_assigns_new_name, (-X,), 0),
    (counted_loop, (X,), 0),
    (loop_over_rows, (RNG.normal(size=(4, 3)),), 0),
    (loop_with_enumerate, (X,), 0),
    (
        rnn,
        (
            RNG.normal(size=(3, 3)) * 0.5,
            RNG.normal(size=(3, 2)),
            RNG.normal(size=(5, 2)),
            RNG.normal(size=3),
        ),
        (0, 1, 3),
    ),  # fmt: skip
    (loop_with_branch, (X,), 0),
    (loop_with_branch, (-X,), 0),
    (nested_loops, (RNG.normal(size=(3, 2)),), 0),
    (newton_sqrt, (np.array([2.0, 3.0, 0.5]),), 0),
    (until_converged, (X,), 0),
    (loop_reads_final_value, (X,), 0),
]


@pytest.mark.parametrize(
    "f, args, wrt", CASES, ids=[f"{c[0].__name__}-{k}" for k, c in enumerate(CASES)]
)
def test_control_flow_gradient(f, args, wrt):
    check_grad(f, *args, wrt=wrt)


def test_loop_reverse_sweep_runs_backwards_and_is_named_after_the_user():
    src = npgrad.grad(rnn, wrt=(0, 1)).source
    assert "for t in reversed(range(" in src
    assert "dWh" in src and "dWx" in src
    assert "tape.append(" in src and "tape.pop()" in src


def test_branch_replays_the_taken_branch_without_a_tape():
    src = npgrad.grad(branch).source
    assert "tape" not in src  # outside loops nothing is overwritten
    assert src.count("if ") == 2  # the forward branch and its replay


def branch_inside_loop_keeps_both_sides(x):
    y = x
    for _k in range(3):
        if y[0] > 0:
            z = np.sin(y)
        else:
            z = np.cos(y)
        y = y * 0.5 + z
    return np.sum(y**2)


@pytest.mark.parametrize("sign", [1.0, -1.0])
def test_branch_inside_loop(sign):
    check_grad(branch_inside_loop_keeps_both_sides, sign * X)


# ----- calls to the user's own functions (inlined) ---------------------------------------


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


def bce(p, y, eps=1e-12):
    return -np.mean(y * np.log(p + eps) + (1 - y) * np.log(1 - p + eps))


def logistic_loss(w, X, y):
    p = sigmoid(X @ w)
    return bce(p, y)


def helper_reassigns_its_parameter(v, scale=2.0):
    v = v * scale
    v = np.tanh(v)
    return v


def calls_in_a_loop(x):
    z = x
    for _ in range(3):
        z = helper_reassigns_its_parameter(z, scale=0.5) + sigmoid(z)
    return np.sum(z)


def helper_with_branch(v):
    if np.sum(v) > 0:
        out = v * v
    else:
        out = -v
    return out


def helper_calls_helper(v):
    return sigmoid(helper_with_branch(v)) * 3.0


def uses_nested_helpers(x, a):
    return np.sum(helper_calls_helper(x * a))


def test_user_functions_are_inlined_and_differentiated():
    rng = np.random.default_rng(5)
    X = rng.normal(size=(12, 3))
    y = (rng.random(12) > 0.5).astype(float)
    check_grad(logistic_loss, rng.normal(size=3), X, y)
    check_grad(calls_in_a_loop, X[0])
    check_grad(uses_nested_helpers, X[1], 0.7, wrt=(0, 1))
    check_grad(uses_nested_helpers, -X[1] - 2.0, 0.7, wrt=(0, 1))


def test_inlined_helper_reads_like_the_callers_code():
    src = npgrad.grad(logistic_loss).source
    assert "p = 1 / " in src  # sigmoid's body assigns the caller's `p`
    assert "# grad of: return -np.mean(" in src  # bce's own line, quoted from its source


# ----- break, continue, early return --------------------------------------------------------


def early_return(x):
    if np.sum(x) > 1:
        return np.sum(np.sin(x))
    y = x * x
    return np.sum(y)


def elif_returns(x, a):
    s = np.sum(x)
    if s > 2:
        return a * s
    elif s > 0:
        return np.sum(np.exp(x)) * a
    return -s * a * a


def skips_negatives(x):
    s = 0.0
    for i in range(x.shape[0]):
        if x[i] < 0:
            continue
        s = s + x[i] ** 2
    return s


def stops_at_threshold(x):
    s = 0.0
    for i in range(x.shape[0]):
        s = s + np.exp(x[i])
        if s > 3.0:
            break
        s = s * 0.9
    return s


def while_with_break(x):
    y = x * 1.0
    k = 0
    while k < 50:
        y = y * 0.7 + 0.1 * np.sin(y)
        if np.max(np.abs(y)) < 0.05:
            break
        k = k + 1
    return np.sum(y)


def helper_returning_early(v):
    if np.sum(v) < 0:
        return -v
    return v * 2.0


def uses_early_returning_helper(x):
    return np.sum(helper_returning_early(x) ** 2)


JUMP_CASES = [
    (early_return, (X,), 0),
    (early_return, (X - 1.0,), 0),
    (elif_returns, (X, 1.3), (0, 1)),
    (elif_returns, (X * 0.1, 1.3), (0, 1)),
    (elif_returns, (-X, 1.3), (0, 1)),
    (skips_negatives, (X,), 0),
    (stops_at_threshold, (X,), 0),
    (stops_at_threshold, (X * 0.1,), 0),
    (while_with_break, (X,), 0),
    (uses_early_returning_helper, (X,), 0),
    (uses_early_returning_helper, (-X - 1.0,), 0),
]


@pytest.mark.parametrize(
    "f, args, wrt", JUMP_CASES, ids=[f"{c[0].__name__}-{k}" for k, c in enumerate(JUMP_CASES)]
)
def test_jumps(f, args, wrt):
    check_grad(f, *args, wrt=wrt)
