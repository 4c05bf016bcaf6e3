"""Shape proofs (transforms/shapeinfer.py, transforms/specialize.py): the reverse sweep drops
`rt.unbroadcast`, the matmul helpers and broadcasts only where the shapes of the call's
arguments prove them unnecessary. Every gradient is checked against central finite
differences (tests/fd.py), above all where a proof must NOT be made: rows (1, n), columns
(n, 1), dimensions of size 1, loop-carried values whose shape changes, one function called
with different shapes. A few tests count helper calls in `.source`: there the generated
text is the point.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest
from fd import check_grad, numerical_grad

import npgrad

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
import bench_loops  # noqa: E402

RNG = np.random.default_rng(7)


def normal(*shape: int) -> np.ndarray:
    return RNG.normal(size=shape)


def count(source: str, helper: str) -> int:
    return source.count(f"rt.{helper}(")


# ----- the benchmark losses ---------------------------------------------------------------


@pytest.mark.parametrize(
    "steps, batch, d_in, hidden, d_out",
    [(4, 3, 2, 5, 2), (3, 1, 1, 4, 1), (2, 1, 3, 1, 2), (1, 2, 2, 1, 1)],
    ids=["plain", "batch_1", "hidden_1", "one_step"],
)
def test_rnn_loss(steps, batch, d_in, hidden, d_out):
    p = bench_loops.rnn_problem(steps, batch, d_in, hidden, d_out)
    args = p.make_args(np.random.default_rng(steps + batch))
    check_grad(bench_loops.rnn_loss, *args, wrt=(0, 1, 2, 3))


@pytest.mark.parametrize("steps, batch, n", [(6, 3, 4), (4, 1, 3), (3, 2, 1), (0, 2, 3), (1, 1, 1)])
def test_ode_loss(steps, batch, n):
    p = bench_loops.ode_problem(max(steps, 1), batch, n)
    K, c, x0, v0, observed = p.make_args(np.random.default_rng(steps + n))
    observed = observed[:steps] if steps else np.zeros((0, batch, n))
    if steps == 0:  # no iterations: the loss is 0 / 0; use a loss that stays finite
        check_grad(lambda K, c, x0: np.sum(K) * 0.0 + np.sum(c * x0), K, c, x0, wrt=(0, 1))
        return
    check_grad(bench_loops.ode_loss, K, c, x0, v0, observed, wrt=(0, 1))


def test_benchmark_loops_lose_their_shape_helpers():
    """The point of the proofs: per step, no unbroadcast where shapes match, no matmul
    helpers, no shape-only stand-ins on the tape."""
    p = bench_loops.ode_problem(5, 4, 3)
    args = p.make_args(np.random.default_rng(0))
    g = npgrad.grad(bench_loops.ode_loss, wrt=(0, 1))
    g(*args)
    source = g.source
    assert count(source, "unbroadcast") == 0  # dc: c (n,) summed over the batch by np.sum
    assert count(source, "matmul_lhs") == count(source, "matmul_rhs") == 0
    assert count(source, "shell") == 0
    assert "broadcast_to" not in source

    p = bench_loops.rnn_problem(4, 3, 2, 5, 2)
    args = p.make_args(np.random.default_rng(0))
    g = npgrad.grad(bench_loops.rnn_loss, wrt=(0, 1, 2, 3))
    g(*args)
    loop = g.source.split("reversed(")[1]
    assert count(loop, "unbroadcast") == 0
    assert count(loop, "matmul_lhs") == count(loop, "matmul_rhs") == 0
    assert count(g.source, "shell") == 0


# ----- same shapes: the helpers go; anything else: they stay ------------------------------


def same_shape(x, y):
    return np.sum(np.tanh(x * y + x) ** 2)


def test_same_shape_elementwise_has_no_unbroadcast():
    x, y = normal(4, 3), normal(4, 3)
    check_grad(same_shape, x, y, wrt=(0, 1))
    assert count(npgrad.grad(same_shape, wrt=(0, 1)).source, "unbroadcast") == 0


def test_without_a_call_the_code_stays_general():
    g = npgrad.grad(lambda x, y: np.sum(np.tanh(x * y + x) ** 2), wrt=(0, 1))
    assert count(g.source, "unbroadcast") > 0


@pytest.mark.parametrize(
    "xs, ys",
    [((4, 3), (1, 3)), ((4, 3), (4, 1)), ((1, 3), (4, 3)), ((4, 1), (1, 3)), ((1, 1), (4, 3)),
     ((3,), (4, 3)), ((), (4, 3)), ((4, 3), ()), ((1,), (1,)), ((1, 1), (1, 1))],
    ids=["row", "column", "row_first", "outer", "ones", "vector", "0d", "0d_second",
         "size_1", "ones_both"],
)  # fmt: skip
def test_broadcasting_arguments(xs, ys):
    x, y = normal(*xs), normal(*ys)
    check_grad(same_shape, x, y, wrt=(0, 1))
    check_grad(lambda x, y: np.sum(np.sin(x) * np.exp(y) - x / (1.5 + y * y)), x, y, wrt=(0, 1))


@pytest.mark.parametrize(
    "xs, ys",
    [((4, 3), (3,)), ((2, 4, 3), (3,)), ((2, 4, 3), (4, 3)), ((4, 3), (1, 3)), ((4, 3), (4, 1)),
     ((2, 4, 3), (1, 4, 1)), ((2, 4, 3), (4, 1)), ((4, 3), ()), ((4, 1), (3,)), ((1, 3), (4, 1))],
)  # fmt: skip
def test_sums_down_to_an_argument(xs, ys):
    """`rt.unbroadcast` written as one np.sum where the axes are known, else kept."""

    def f(x, y):
        return np.sum(np.sin(x * y) + x * y * y)

    check_grad(f, normal(*xs), normal(*ys), wrt=(0, 1))


def test_one_function_two_shapes_makes_two_variants():
    def f(x, y):
        return np.sum(np.sin(x) * y + x)

    y = normal(5, 3)
    g = npgrad.grad(f, wrt=(0, 1))
    for xs in [(5, 3), (1, 3), (5, 3), (3,), (5, 1)]:
        x = normal(*xs)
        check_grad(f, x, y, wrt=(0, 1))
        got = g(x, y)
        assert np.shape(got[0]) == xs
        general = count(g.source, "unbroadcast") + g.source.count("np.sum(") - 1
        assert general == 0 if xs == (5, 3) else general > 0


def test_scalar_times_row_keeps_its_sum():
    """`np.sum(x * 2.0)` for a row: the broadcast to the row's shape is the gradient."""
    for shape in [(1, 3), (3,), (1,), ()]:
        check_grad(lambda x: np.sum(x * 2.0) + np.sum(x**2), normal(*shape))
        check_grad(lambda x: np.mean(x * 2.0), normal(*shape))


def test_full_and_axis_reductions():
    def f(x, r):
        centred = x - np.mean(x, axis=0, keepdims=True)
        scaled = centred * r + np.sum(x, axis=1, keepdims=True)
        return np.sum(scaled**2) + np.sum(np.max(x, axis=0) * r) + np.sum(np.min(x, 1) ** 2)

    for xs, rs in [((4, 3), (1, 3)), ((1, 3), (1, 3)), ((4, 1), (1, 1)), ((4, 3), (3,))]:
        check_grad(f, normal(*xs), normal(*rs), wrt=(0, 1))


def test_full_reduction_keeping_its_dimensions():
    def f(x, y):
        m = np.sum(x**2, keepdims=True)  # (1, 1): not a 0-d value
        s = np.sum(y)  # ()
        return np.sum(np.sin(m * s)) + np.sum(np.mean(x, axis=(0, 1), keepdims=True) * s)

    check_grad(f, normal(4, 3), normal(3), wrt=(0, 1))


def test_transpose_and_indexing():
    def f(x, y, zs):
        a = x.T * y  # (n, m) * (n, 1)
        b = zs[1] + x[0]  # (m,) + (m,)
        c = x[:, None] * zs[0][None, :]
        return np.sum(a**2) + np.sum(b * x) + np.sum(np.sin(c))

    for m, n in [(3, 4), (1, 4), (3, 1), (1, 1)]:
        x, y, zs = normal(m, n), normal(n, 1), normal(2, n)
        check_grad(f, x, y, zs, wrt=(0, 1, 2))


def test_new_axes_slices_and_transpose_calls():
    def f(x, r, y):
        outer = np.sin(x[:, None] * x)  # (n, 1) * (n,): (n, n)
        tail = y[1:] * r  # (1, k) * (4, k)
        column = np.transpose(x[None, :]) * x  # (n, 1) * (n,): (n, n)
        return np.sum(outer) + np.sum(tail**2) + np.sum(np.cos(column))

    check_grad(f, normal(3), normal(4, 2), normal(2, 2), wrt=(0, 1, 2))


# ----- products ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "a_shape, b_shape",
    [((3, 4), (4, 2)), ((4,), (4, 2)), ((3, 4), (4,)), ((4,), (4,)), ((1, 4), (4, 1)),
     ((1,), (1, 1)), ((3, 1), (1, 2))],
)  # fmt: skip
@pytest.mark.parametrize("op", ["matmul", "dot", "method"])
def test_products_by_ndim(a_shape, b_shape, op):
    if op == "matmul":

        def f(a, b):
            return np.sum(np.tanh(a @ b))
    elif op == "dot":

        def f(a, b):
            return np.sum(np.tanh(np.dot(a, b)))
    else:

        def f(a, b):
            return np.sum(np.tanh(a.dot(b)))

    a, b = normal(*a_shape), normal(*b_shape)
    check_grad(f, a, b, wrt=(0, 1))
    g = npgrad.grad(f, wrt=(0, 1))
    g(a, b)
    assert count(g.source, "matmul_lhs") + count(g.source, "dot_lhs") == 0


def test_product_with_a_size_1_result_broadcast_further():
    def f(a, b, y):
        return np.sum(np.sin(a @ b) * y) + np.sum((b.T @ a.T) * y.T)

    for n in (5, 1):
        check_grad(f, normal(3, 4), normal(4, 1), normal(3, n), wrt=(0, 1, 2))
        check_grad(f, normal(1, 4), normal(4, 2), normal(n, 2), wrt=(0, 1, 2))


def test_batched_matmul_keeps_the_helpers():
    def f(a, b):
        return np.sum(np.tanh(a @ b))

    a, b = normal(2, 3, 4), normal(4, 2)
    check_grad(f, a, b, wrt=(0, 1))
    g = npgrad.grad(f, wrt=(0, 1))
    g(a, b)
    assert count(g.source, "matmul_lhs") == 1


# ----- loops and branches -----------------------------------------------------------------


def grows(x, y):
    h = np.sum(x) * 0.5  # () before the loop, (n,) after the first iteration
    for _ in range(3):
        h = h * y + x
    return np.sum(h**2)


def becomes_row(x, row):
    h = x  # (n,) before the loop, (1, n) after it
    for _ in range(2):
        h = np.tanh(h * row)
    return np.sum(h * h)


def becomes_column(x, col):
    h = x  # (n,) before, (n, n) after an iteration
    for _ in range(2):
        h = np.sin(h + col)
    return np.sum(h**2)


def widens(row, y):
    h = row  # (1, n) before the loop, (m, n) after an iteration
    for _ in range(2):
        h = np.tanh(h * row) + y  # h * row: (1, n) in the first iteration only
    return np.sum(h**2)


@pytest.mark.parametrize("f", [grows, becomes_row, becomes_column])
def test_loop_carried_values_that_change_shape(f):
    for n in (3, 1):
        other = {"grows": normal(n), "becomes_row": normal(1, n), "becomes_column": normal(n, 1)}
        check_grad(f, normal(n), other[f.__name__], wrt=(0, 1))


def test_loop_carried_row_that_widens():
    for m, n in [(4, 3), (4, 1), (1, 3)]:
        check_grad(widens, normal(1, n), normal(m, n), wrt=(0, 1))


def test_loop_carried_value_of_unknown_rows():
    def f(row, corner, y):
        h = row  # (1, n), then (m, n): its first dimension is not known
        for _ in range(2):
            h = np.tanh(h * corner) + y  # corner (1, 1) sums over both axes
        return np.sum(h**2)

    for m, n in [(4, 3), (1, 3), (4, 1)]:
        check_grad(f, normal(1, n), normal(1, 1), normal(m, n), wrt=(0, 1, 2))


def test_non_square_recurrence_of_one_step():
    """h (b, 3) @ Wh (3, 5) gives (b, 5): with one iteration the loop never feeds it back."""

    def f(Wh, xs):
        h = np.zeros((xs.shape[1], Wh.shape[0]))
        for t in range(xs.shape[0]):
            h = np.tanh(h @ Wh + np.sum(xs[t]) + 1.0)
        return np.sum(h**2)

    check_grad(f, normal(3, 5), normal(1, 2, 4))


def test_branches_join_shapes():
    def f(x, r, flag):
        if flag:
            y = x * r  # (4, 3)
        else:
            y = x[0] + r  # (1, 3) or (4, 3), by r
        return np.sum(np.sin(y) * x)

    for flag in (True, False):
        for rs in [(1, 3), (4, 3), (3,)]:
            check_grad(f, normal(4, 3), normal(*rs), flag, wrt=(0, 1))


def test_while_loop_and_loop_over_rows():
    def f(W, xs, c):
        h = np.zeros(W.shape[0])
        for x in xs:
            h = np.tanh(W @ h + x * c)
        k = 0
        while k < 2:
            h = h * c + 0.1
            k += 1
        return np.sum(h**2)

    for n in (3, 1):
        check_grad(f, normal(n, n), normal(4, n), normal(n), wrt=(0, 1, 2))
        check_grad(f, normal(n, n), normal(4, n), normal(1), wrt=(0, 1, 2))


GLOBAL_ROW = normal(1, 3)


def test_unknown_values_keep_the_general_code():
    def f(x, xs):
        a = x * GLOBAL_ROW  # a global array: shape unknown to the transform
        b = np.concatenate([x, x])[:3] * xs  # an unknown op
        return np.sum(a**2) + np.sum(b**2)

    for xs in [(3,), (1, 3), (4, 3)]:
        check_grad(f, normal(3), normal(*xs), wrt=(0, 1))


def test_star_args_are_not_the_call_arrays():
    def f(x, *rest):
        return np.sum((x * rest[0]) ** 2)

    check_grad(f, normal(3), normal(4, 3))


def test_keyword_only_after_star_args():
    """The API keys the call's arrays by position, so `scale` here may be listed with the
    shape of the third positional argument: it must not be believed."""

    def f(x, *rest, scale):
        return np.sum((x * scale) ** 2) + np.sum(rest[0] * rest[1])

    x, y, z = normal(4, 3), normal(3), normal(4, 3)
    got = npgrad.grad(f, wrt="scale")(x, y, z, scale=0.7)
    expected = numerical_grad(lambda s: f(x, y, z, scale=s), (0.7,), 0)
    assert isinstance(got, float)
    assert got == pytest.approx(expected, rel=1e-6)


def test_created_arrays_and_sizes():
    def f(x, y):
        z = np.zeros((x.shape[0], len(y))) + x[:, None]  # (n, m)
        w = np.ones(x.shape) * x
        v = np.ones_like(z) * y  # (n, m), whatever y's shape
        return np.sum(np.sin(z) * y) + np.sum(w * w) + np.sum(v**2)

    for n, m in [(3, 2), (1, 2), (3, 1), (1, 1)]:
        check_grad(f, normal(n), normal(m), wrt=(0, 1))


def test_value_and_grad_and_float32():
    def f(x, r):
        return np.sum(np.tanh(x * r) ** 2)

    x, r = normal(4, 3), normal(1, 3)
    value, (gx, gr) = npgrad.value_and_grad(f, wrt=(0, 1))(x, r)
    assert value == pytest.approx(f(x, r))
    check_grad(f, x, r, wrt=(0, 1))
    gx32, gr32 = npgrad.grad(f, wrt=(0, 1))(x.astype(np.float32), r.astype(np.float32))
    assert gx32.dtype == gr32.dtype == np.float32
    np.testing.assert_allclose(gx32, gx, rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(gr32, gr, rtol=1e-4, atol=1e-5)
