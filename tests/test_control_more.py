"""Control flow, adversarially: trip counts 0 and 1, loop indices in arithmetic, values
carried across iterations, nesting, branches inside loops, while loops with differentiated
conditions, value_and_grad, dtypes, the tape, threads. Every gradient is checked against
central finite differences only (tests/fd.py). Cases marked `regression` once exposed an
npgrad bug (the marker's reason says which) and stay as regression tests.
"""

from __future__ import annotations

import sys
import threading
import time
import tracemalloc

import numpy as np
import pytest
from fd import check_grad, numerical_grad

import npgrad

X = np.array([0.3, -1.2, 2.0, 0.7])
RNG = np.random.default_rng(11)
W = RNG.normal(size=(4, 3))


def bug(reason):
    """Cases that once exposed an npgrad bug (fixed); kept as regression tests."""
    return pytest.mark.regression


# ----- trip counts 0 and 1 --------------------------------------------------------------


def zero_trip_literal(x):
    s = np.sum(x)
    for i in range(0):
        s = s * np.sin(x[i])
    return s


def trip_count_arg(x, n):
    s = np.sum(x**2)
    for i in range(n):
        s = s * np.sin(x[i]) + x[i]
    return s


def zero_trip_while(x):
    s = np.sum(x**2)
    while s > 100.0:
        s = s * 0.5
    return s


def one_trip_while(x):
    s = np.sum(x**2)
    while s > 5.0:
        s = s * 0.5
    return s


def zero_trip_defined_before(x, n):
    t = x * 0.5
    for i in range(n):
        t = np.sin(x) * i
    return np.sum(t * x)


# ----- the loop index in arithmetic -------------------------------------------------------


def index_as_float(x):
    s = 0.0
    for i in range(4):
        s = s + float(i) * x[i] ** 2 + np.sin(x[i]) * s
    return s


def index_negative(x):
    s = 0.0
    for i in range(4):
        s = s + x[i] * x[-i - 1] * (s + 1.0)
    return s


def index_slice(x):
    s = 0.0
    for i in range(3):
        s = s + np.sum(np.sin(x[i : i + 2]) * x[i])
    return s


def index_prefix_slices(x):
    s = 0.0
    for i in range(5):  # x[:0] is empty on the first trip
        s = s + np.sum(x[:i] ** 2) * (i + 1)
    return s


def index_step_range(x):
    s = 0.0
    for i in range(3, -1, -1):
        s = s * 0.5 + x[i] ** 2
    return s


def index_triangular(x):
    s = 0.0
    for i in range(4):
        for j in range(i):
            s = s + x[i] * x[j] * 0.5 + np.sin(s) * 0.1
    return s


def index_reassigned(x):
    s = 0.0
    for i in range(3):
        i = i + 1
        s = s + x[i] * s + x[i]
    return s


def index_reassigned_read_after(x):
    for i in range(3):
        i = i + 1
    return x[i] ** 2 * x[0]


def fancy_index_in_loop(x):
    s = 0.0
    idx = np.array([0, 0, 1])
    for i in range(2):
        s = s + np.sum(x[idx] * x[i])
    return s


# ----- names defined inside, read after; defined before, only read inside ------------------


def defined_inside_read_after(x):
    for i in range(3):
        t = np.sin(x) * (i + 1)
        u = t * x
    return np.sum(u + t)


def read_only_inside(x, w):
    a = np.exp(w)
    s = 0.0
    for i in range(3):
        s = s + np.sum(a * x) * (i + 1) + s * 0.1
    return s


def read_previous_iteration(x):
    s = 0.0
    for i in range(4):
        if i > 0:
            s = s + np.sum(prev * x)  # noqa: F821 - set by the previous iteration
        prev = np.sin(x) * i  # noqa: F841
    return s


def row_read_after_loop(W):
    s = 0.0
    for row in W:
        s = s + np.sum(row)
    return s * np.sum(row**2)


def enumerate_both_read_after(x):
    for i, v in enumerate(x):  # noqa: B007 - both are read after the loop
        pass
    return v * x[i] * i


# ----- arrays accumulated across iterations ------------------------------------------------


def grow_by_concatenate(x):
    y = np.ones(1)
    for i in range(1, 4):
        y = np.concatenate([y, y[i - 1 : i] * x[i] + y[-1]])
    return np.sum(y * y)


def read_earlier_entries(x):
    y = x * 1.0
    for i in range(1, 4):
        y = y + np.where(np.arange(4) == i, y[i - 1] * x[i], 0.0)
    return np.sum(y**2)


def rolled_accumulator(x):
    acc = np.zeros(4)
    acc = acc + x
    for i in range(1, 4):
        acc = acc + np.roll(acc, 1) * 0.5 * x[i]
    return np.sum(acc**2)


def row_updates(W):
    acc = np.zeros(3)
    for i in range(4):
        acc = acc + W[i] * acc + W[i, :]
    return np.sum(acc)


# ----- nesting --------------------------------------------------------------------------


def nested_three_deep(x):
    s = 0.0
    for i in range(2):
        for j in range(3):
            for k in range(2):
                s = s + np.sin(s + x[i] * x[j] + x[k]) * 0.5
    return s


def newton_until_converged(a):
    x = a * 1.0
    err = 1.0
    while err > 1e-10:
        x_new = 0.5 * (x + a / x)
        err = np.max(np.abs(x_new - x))
        x = x_new
    return np.sum(x)


def fixed_point(c):
    x = np.zeros_like(c)
    diff = 1.0
    while diff > 1e-12:
        nx = 0.5 * np.cos(x) + c
        diff = np.sum(np.abs(nx - x))
        x = nx
    return np.sum(x**2)


def halve_until_small(x):
    y = x * 1.0
    while np.linalg.norm(y) > 0.5:
        y = y * 0.9
    return np.sum(y * x)


def while_inside_for(x):
    s = 0.0
    for i in range(3):
        y = x[i] * 1.0
        while np.abs(y) > 0.1:  # a different trip count on every outer trip
            y = y * 0.5
        s = s + y * x[i]
    return s


def for_inside_while(x):
    s = x * 1.0
    n = 0
    while np.sum(s**2) > 0.5:
        for j in range(2):
            s = s * 0.8 + 0.01 * np.sin(s[j])
        n = n + 1
    return np.sum(s) + n


# ----- branches inside loops --------------------------------------------------------------


def branches_assign_different_names(x):
    y = x * 1.0
    for i in range(4):
        if x[i] > 0:
            a = np.sin(y)
            y = y + a
        else:
            b = np.cos(y)
            c = b * x
            y = y * c
    return np.sum(y)


def if_in_if_in_loop(x):
    y = x * 1.0
    for i in range(4):
        if x[i] > -1:
            if x[i] > 0.5:
                y = y * np.sin(y)
            else:
                y = y + x[i]
        else:
            y = y - x
    return np.sum(y**2)


def elif_chain_in_loop(x):
    y = x * 1.0
    for i in range(4):
        v = x[i]
        if v > 1.0:
            y = y * v
        elif v > 0.0:
            y = y + np.exp(v)
        elif v > -1.0:
            z = y * 2
            y = z - v
        else:
            y = np.tanh(y) * v
    return np.sum(y)


def and_or_conditions(x):
    y = x * 1.0
    for i in range(4):
        if x[i] > 0 and np.sum(y) < 10:
            y = y * 1.5
        elif x[i] < -1 or x[i] > 1.5:
            y = y - np.sin(y)
    return np.sum(y)


def chained_comparison(x):
    y = x * 1.0
    for i in range(4):
        if 0 < x[i] < 1:
            y = y * x[i]
        else:
            y = y + x[i]
    return np.sum(y)


def while_with_and(x):
    y = x * 1.0
    n = 0
    while n < 10 and np.sum(y**2) > 0.1:
        y = y * 0.7
        n = n + 1
    return np.sum(y)


def loop_branch_on_carried(x):
    y = x
    for _k in range(5):
        if np.sum(y) > 0:
            y = y * 0.9 - 0.1 * np.sin(y)
        else:
            y = y + 0.2 * np.cos(y)
    return np.sum(y * y)


# ----- what the loop iterates over ----------------------------------------------------------


def rows_of_matrix(W):
    acc = np.zeros(W.shape[1])
    for row in W:
        acc = np.tanh(acc + row) * row
    return np.sum(acc**2)


def scalars_of_vector(x):
    s = 0.0
    for v in x:
        s = s + v * v * s + np.cos(v)
    return s


def enumerate_index_used(x):
    s = 0.0
    for i, v in enumerate(x):
        s = s + v * x[-i - 1] * (i + 1.0)
    return s


def enumerate_rows(W):
    acc = np.zeros(W.shape[1])
    for i, row in enumerate(W):
        acc = acc * 0.5 + row * float(i) + np.tanh(acc) * row
    return np.sum(acc**2)


def columns_via_transpose(W):
    s = 0.0
    for col in W.T:
        s = s + np.prod(np.cos(col))
    return s


def row_reassigned(W):
    s = 0.0
    for row in W:
        row = row * 2.0
        s = s + np.sum(np.sin(row))
    return s


def over_literal_list(x):
    s = 0.0
    for c in [1.0, 2.0, 3.0]:
        s = s + np.sum(x * c) * s
    return s


def over_arange(x):
    s = 0.0
    for t in np.arange(3):
        s = s + np.sum(x * t)
    return s


def shape_bounds(W):
    s = 0.0
    for i in range(W.shape[0]):
        for j in range(W.shape[1]):
            s = s + W[i, j] * W[j % 3, i % 3]
    return s


# ----- parameters and state -----------------------------------------------------------------


def shadow_parameter(x, w):
    s = 0.0
    for _i in range(3):
        w = w * x + 1.0
        s = s + np.sum(w)
    return s + np.sum(w * x)


def shadow_parameter_itself(x):
    for _i in range(3):
        x = np.sin(x) * 2.0
    return np.sum(x)


def argument_read_only_after(x, n):
    s = 0.0
    for i in range(n):
        s = s + i * 2.0
    return s * np.sum(x**2)


def nothing_differentiable_in_loop(x):
    c = 0
    k = np.zeros(3)
    for i in range(5):
        c = c + i
        k = k + 1.0
    return np.sum(x * c) + np.sum(k)


def normalized_power(A, B):
    for _i in range(5):
        A = A @ B
        A = A / np.linalg.norm(A)
    return np.sum(A * A[0, 0])


def matrix_state_from_identity(A):
    M = np.eye(3)
    for _i in range(4):
        M = M @ A
        M = M / np.linalg.norm(M)
    return np.trace(M)


def swap_carried(x):
    a = x * 1.0
    b = x * 2.0
    for _i in range(3):
        a, b = b, a * 0.5 + np.sin(b)
    return np.sum(a * b)


def python_float_carried(x, a):
    s = a
    for i in range(3):
        s = s * a + x[i]
    return s


def only_some_used_in_loop(a, b, c):
    s = np.sum(a)
    for _i in range(3):
        s = s + np.sum(b * s) * 0.1
    return s + np.sum(c)


def ties_in_loop(x):
    s = 0.0
    for i in range(3):
        m = np.max(x)  # x has exactly two equal maxima: finite differences split in half
        s = s + m * (i + 1) + np.sum(np.maximum(x, x[0])) + np.sum(np.where(x > 0.5, x, 0.0)) * i
    return s


def maximum_ties_carried(x):
    y = x * 1.0
    for _i in range(3):
        y = np.maximum(y, 0.5) * 0.9 + np.minimum(y, 0.5) * 0.2
    return np.sum(y * x)


X3 = np.array([0.3, -0.7, 0.5])
TIES = np.array([1.0, 1.0, 0.2, -0.5])
POWER_A, POWER_B = RNG.normal(size=(3, 3)), RNG.normal(size=(3, 3))

CASES = [
    (zero_trip_literal, (X,), 0),
    (trip_count_arg, (X, 0), 0),
    (trip_count_arg, (X, 1), 0),
    (trip_count_arg, (X, 4), 0),
    (zero_trip_while, (X,), 0),
    (one_trip_while, (X,), 0),
    (zero_trip_defined_before, (X, 0), 0),
    (zero_trip_defined_before, (X, 1), 0),
    (index_as_float, (X,), 0),
    (index_negative, (X,), 0),
    (index_slice, (X,), 0),
    (index_prefix_slices, (X,), 0),
    (index_step_range, (X,), 0),
    (index_triangular, (X,), 0),
    (index_reassigned, (X,), 0),
    (index_reassigned_read_after, (X,), 0),
    (fancy_index_in_loop, (X,), 0),
    (defined_inside_read_after, (X,), 0),
    (read_only_inside, (X, X * 0.5), (0, 1)),
    (read_previous_iteration, (X,), 0),
    (row_read_after_loop, (W,), 0),
    (enumerate_both_read_after, (X,), 0),
    (grow_by_concatenate, (X,), 0),
    (read_earlier_entries, (X,), 0),
    (rolled_accumulator, (X,), 0),
    (row_updates, (W,), 0),
    (nested_three_deep, (X,), 0),
    (newton_until_converged, (np.array([2.0, 3.0, 0.5]),), 0),
    (fixed_point, (np.array([0.2, -0.3]),), 0),
    (halve_until_small, (X,), 0),
    (while_inside_for, (X,), 0),
    (for_inside_while, (X,), 0),
    (branches_assign_different_names, (X,), 0),
    (branches_assign_different_names, (-X,), 0),
    (if_in_if_in_loop, (X,), 0),
    (elif_chain_in_loop, (X,), 0),
    (elif_chain_in_loop, (np.array([1.5, 0.5, -0.5, -1.5]),), 0),
    (and_or_conditions, (X,), 0),
    (chained_comparison, (np.array([0.3, -1.2, 0.5, 1.7]),), 0),
    (while_with_and, (X,), 0),
    (loop_branch_on_carried, (X,), 0),
    (loop_branch_on_carried, (-X,), 0),
    (rows_of_matrix, (W,), 0),
    (scalars_of_vector, (X,), 0),
    (enumerate_index_used, (X,), 0),
    (enumerate_rows, (W,), 0),
    (columns_via_transpose, (W,), 0),
    (row_reassigned, (W,), 0),
    (over_literal_list, (X,), 0),
    (over_arange, (X,), 0),
    (shape_bounds, (W[:3],), 0),
    (shadow_parameter, (X, X * 0.3), (0, 1)),
    (shadow_parameter, (X, X * 0.3), ("x", "w")),
    (shadow_parameter_itself, (X,), 0),
    (argument_read_only_after, (X, 3), 0),
    (argument_read_only_after, (X, 0), 0),
    (nothing_differentiable_in_loop, (X,), 0),
    (normalized_power, (POWER_A, POWER_B), (0, 1)),
    (matrix_state_from_identity, (POWER_A,), 0),
    (swap_carried, (X,), 0),
    (python_float_carried, (X, 0.7), (0, 1)),
    (only_some_used_in_loop, (X, X * 0.2, X), (0, 1, 2)),
    (only_some_used_in_loop, (X, X * 0.2, X), (2,)),
    (only_some_used_in_loop, (X, X * 0.2, X), 1),
    (ties_in_loop, (TIES,), 0),
    (maximum_ties_carried, (np.array([0.5, 0.7, -0.2, 0.5]),), 0),
]


@pytest.mark.parametrize(
    "f, args, wrt", CASES, ids=[f"{c[0].__name__}-{k}" for k, c in enumerate(CASES)]
)
def test_gradient_matches_finite_differences(f, args, wrt):
    check_grad(f, *args, wrt=wrt)


def test_python_float_gradient_stays_a_python_float():
    _, da = npgrad.grad(python_float_carried, wrt=(0, 1))(X, 0.7)
    assert type(da) is float


# ----- npgrad bugs: wrong gradients ---------------------------------------------------------


def overwritten_scalar_then_mean(x):
    y = 0.0
    for _i in range(2):
        y = x * 3.0  # the loop version's shape is taken from `y = 0.0`
    return np.mean(y)


def overwritten_scalar_then_add(x):
    s = 0.0
    for _i in range(3):
        s = x * 2.0
    return np.sum(s + x)


def overwritten_in_while_then_mean(x):
    y = 0.0
    n = 0
    while n < 2:
        y = np.sin(x)
        n = n + 1
    return np.mean(y)


@bug(
    "shapes pass reads a loop version's shape from its value before the loop "
    "(np.size(0.0) == 1): mean's gradient is 4x too large"
)
def test_mean_of_value_overwritten_in_loop():
    check_grad(overwritten_scalar_then_mean, X)


@bug("shapes pass: rt.unbroadcast(g, s) with s the pre-loop 0.0 sums g to a scalar")
def test_add_of_value_overwritten_in_loop():
    check_grad(overwritten_scalar_then_add, X)


@bug("shapes pass reads a while loop version's size from its pre-loop value")
def test_mean_of_value_overwritten_in_while():
    check_grad(overwritten_in_while_then_mean, X)


def iterable_reassigned(x):
    s = 0.0
    xs = x * 1.0
    for v in xs:  # Python iterates over the array xs held when the loop started
        xs = xs * 2.0
        s = s + v * np.sum(xs)
    return s


def parameter_iterated_and_reassigned(x):
    s = 0.0
    for v in x:
        x = x * 2.0
        s = s + v * np.sum(x)
    return s


def enumerate_iterable_reassigned(x):
    a = x * 1.0
    for _i, v in enumerate(a):
        a = a * 0.9 + v * 0.1
    return np.sum(a**2)


@bug("`for v in xs` reads rows of the version of xs the body assigned, not the original")
@pytest.mark.parametrize(
    "f", [iterable_reassigned, parameter_iterated_and_reassigned, enumerate_iterable_reassigned]
)
def test_reassigning_the_iterable_inside_the_loop(f):
    g = npgrad.value_and_grad(f)
    value, _ = g(X)
    assert np.isclose(value, f(X))
    check_grad(f, X)


def over_tuple_of_arguments(x, y):
    s = 0.0
    for a in (x, y):
        s = s + np.sum(a**2)
    return s


def index_tuple_literal(x, y):
    a = (x, y)[0]
    return np.sum(a**2)


@bug("indexing a tuple literal `(x, y)[i]` gives a silent zero gradient")
@pytest.mark.parametrize("f", [over_tuple_of_arguments, index_tuple_literal])
def test_tuple_of_differentiated_arrays(f):
    check_grad(f, X, X * 0.5, wrt=(0, 1))


# ----- value_and_grad ---------------------------------------------------------------------


def carried_result(x):
    s = 0.0
    for i in range(3):
        s = s + np.sin(x[i]) * (s + 1.0)
    return s


def printed_result(x):
    s = 0.0
    for i in range(3):
        s = s + np.sin(x[i]) * s + x[i]
    return s


@pytest.mark.parametrize(
    "f, args",
    [
        (rows_of_matrix, (W,)),
        (halve_until_small, (X,)),
        (read_earlier_entries, (X,)),
        (zero_trip_while, (X,)),
        (one_trip_while, (X,)),
    ],
)
def test_value_and_grad_through_loops(f, args):
    value, g = npgrad.value_and_grad(f)(*args)
    assert np.isclose(value, f(*args))
    np.testing.assert_allclose(g, numerical_grad(f, args, 0), rtol=1e-5, atol=1e-6)


@bug(
    "value_and_grad returns the result name after the reverse sweep's tape.pop() "
    "restored it to its first-iteration value (0.0 here)"
)
@pytest.mark.parametrize("f", [carried_result, printed_result, nested_three_deep])
def test_value_and_grad_returns_the_final_loop_value(f):
    value, g = npgrad.value_and_grad(f)(X)
    np.testing.assert_allclose(g, numerical_grad(f, (X,), 0), rtol=1e-5, atol=1e-6)
    assert np.isclose(value, f(X)), (value, f(X))


# ----- npgrad bugs: crashes (UnboundLocalError / NameError / ValueError at call time) -----


def one_sided_then_guarded_read(x):
    s = np.sum(x)
    if s > 0:
        t = np.exp(x)
    y = x * 2
    if s > 0:
        y = y + t  # t is read only on the path that defined it
    return np.sum(y)


def one_sided_in_loop(x):
    y = x * 1.0
    for i in range(4):
        if x[i] > 0:
            t = np.exp(y) * 0.1
        if x[i] > 0:
            y = y + t
    return np.sum(y)


def test_one_sided_name_on_the_path_that_defines_it():
    check_grad(one_sided_then_guarded_read, X)  # s > 0: both ifs taken


@bug("a name assigned on one side only: the replayed branch reads np.zeros_like(t_1) unbound")
def test_one_sided_name_not_taken():
    check_grad(one_sided_then_guarded_read, -X)


@bug("a name assigned on one side only inside a loop: the tape pushes t_1 before it exists")
@pytest.mark.parametrize("sign", [1.0, -1.0])
def test_one_sided_name_in_loop(sign):
    check_grad(one_sided_in_loop, sign * X)


def defined_in_branch_in_loop(x):
    for i in range(3):
        if x[i] > 0:
            t = x * i
        else:
            t = x * 2.0
    return np.sum(t**2)


def overwritten_after_branch(x):
    s = 0.0
    for i in range(2):
        c = x[i] * 2.0
        if c > 0:
            c = c * 3.0
        s = np.sin(c)
    return s


def overwritten_after_inner_loop(x):
    s = 0.0
    for i in range(2):
        c = x[i] * 2.0
        for j in range(2):
            c = c * x[j]
        s = np.sin(c)
    return s


@bug(
    "a carried name overwritten after a branch or inner loop: the zeros for its adjoint "
    "read this iteration's value through a tape push placed before it is assigned"
)
@pytest.mark.parametrize(
    "f", [defined_in_branch_in_loop, overwritten_after_branch, overwritten_after_inner_loop]
)
def test_carried_name_overwritten_after_a_block(f):
    check_grad(f, X)


def nested_in_outer_loop(x, n):
    s = np.sum(x)
    for _i in range(n):
        for j in range(2):
            s = s * 0.5 + x[j]
    return s


def nested_in_zero_trip_while(x):
    s = np.sum(x)
    n = 0
    while n < 0:
        for j in range(2):
            s = s * 0.5 + x[j]
        n = n + 1
    return s


def test_nested_loops_that_run():
    check_grad(nested_in_outer_loop, X, 2)


@bug("outer loop with 0 trips around an inner loop: np.zeros_like(s_2) of a never-set version")
def test_nested_loops_outer_zero_trips():
    check_grad(nested_in_outer_loop, X, 0)


@bug("while loop with 0 trips around a for loop: np.zeros_like(s_2) of a never-set version")
def test_nested_in_zero_trip_while():
    check_grad(nested_in_zero_trip_while, X)


def index_read_after_empty_loop(x, n):
    i = 10
    s = 0.0
    for i in range(n):
        s = s + x[i]
    return (s + 1.0) * i * x[0]


def index_of_pass_loop(x, n):
    i = 10
    for i in range(n):  # noqa: B007 - read after the loop
        pass
    return np.sum(x) * i


@bug("the loop index read after a 0-trip loop is an unset version (Python keeps i = 10)")
def test_index_read_after_zero_trip_loop():
    check_grad(index_read_after_empty_loop, X, 0)


def test_index_read_after_loop_that_runs():
    check_grad(index_read_after_empty_loop, X, 2)


@bug("a loop whose body is `pass` is dropped as dead code, its index read after is unset")
@pytest.mark.parametrize("n", [0, 2])
def test_index_of_loop_with_empty_body(n):
    check_grad(index_of_pass_loop, X, n)


def carried_grows(x):
    y = x[:1] * 1.0
    for i in range(1, 3):
        y = x[: i + 1] * 2.0
    return np.sum(y**2)


def carried_shrinks(x, w):
    y = w * 1.0
    for _i in range(2):
        y = x[:1] * 3.0
    return np.sum(y)


@bug("a carried value that changes shape: its zero adjoint is shaped like a later iteration")
def test_carried_value_changes_shape():
    check_grad(carried_grows, X)


@bug("a carried value that changes shape: the seed is shaped like the pre-loop value")
def test_carried_value_shrinks():
    check_grad(carried_shrinks, X, X[:3] * 1.0, wrt=(0, 1))


# ----- npgrad bugs: refusals of code the design accepts ----------------------------------


def augmented_in_loop(x):
    s = 0.0
    for i in range(4):
        s += x[i] * x[i - 1]
    return s


def augmented_array_in_loop(x):
    acc = x * 1.0
    for i in range(3):
        acc += np.sin(acc) * x[i]
    return np.sum(acc)


def logs_loss_values(x):
    history = []
    s = 0.0
    for i in range(3):
        s = s + np.sin(x[i]) * s + x[i]
        history.append(float(s))
    return s


def logs_loop_index(x):
    seen = []
    s = 0.0
    for i in range(3):
        seen.append(i)
        s = s + x[i] * s + x[i]
    return s


def constant_choice_in_loop(x):
    s = 0.0
    for i in range(3):
        c = 2.0 if x[i] > 0 else 3.0  # c is a constant on either path
        s = s + x[i] * c
    return s


@bug(
    "`s += ...` inside a loop is refused (s holds an arithmetic result, which the design "
    "accepts) with a message about shared memory"
)
@pytest.mark.parametrize("f", [augmented_in_loop, augmented_array_in_loop])
def test_augmented_assignment_in_loop(f):
    check_grad(f, X)


@bug("list.append of a float or the loop index is refused as an in-place change of x's view")
@pytest.mark.parametrize("f", [logs_loss_values, logs_loop_index])
def test_logging_into_a_list_inside_a_loop(f):
    check_grad(f, X)


@bug("a conditional expression choosing constants is refused as differentiated")
def test_conditional_expression_choosing_constants():
    check_grad(constant_choice_in_loop, X)


# ----- break, continue, early return, the user's helpers (inlined) ------------------------


def squared(v):
    return v * v


def sines(v, k):
    for _j in range(k):
        v = np.sin(v) * 1.1
    return v


def doubled_or_squared(v):
    if np.sum(v) > 0:
        return v * 2.0
    return v * v


def shrink_until_small(v):
    while np.sum(v**2) > 1.0:
        v = v * 0.8
    return v


def scalar_by_sign(v):
    if v > 0:
        return v * 3.0
    else:
        return v * v


def break_on_first_trip(x):
    s = 0.0
    for i in range(4):
        if i == 0:
            break
        s = s + x[i]
    return s + np.sum(x * x)


def break_never_taken(x):
    s = 0.0
    for i in range(4):
        s = s + np.sin(x[i]) * s + x[i]
        if s > 100:
            break
    return s


def break_in_inner_loop(x):
    s = 0.0
    for i in range(3):
        for j in range(4):
            if x[j] > 1.5:
                break
            s = s + x[i] * x[j]
        s = s * 0.9
    return s


def continue_then_new_name(x):
    s = 0.0
    for i in range(4):
        if x[i] < 0:
            continue
        u = np.exp(x[i])
        s = s + u
    return s


def continue_in_inner_loop(x):
    s = 0.0
    for i in range(4):
        for j in range(4):
            if i == j:
                continue
            s = s + x[i] * x[j] * 0.3 + np.sin(s) * 0.1
    return s


def break_on_differentiated_value(x):
    y = x * 1.0
    n = 0
    while n < 20:
        y = y * 0.8
        if np.sum(y**2) < 0.5:
            break
        n = n + 1
    return np.sum(y * x)


def while_true_with_break(x):
    y = x * 1.0
    while True:
        y = np.sin(y) * 0.9
        if np.max(np.abs(y)) < 0.3:
            break
    return np.sum(y)


def return_in_nested_if(x):
    if x[0] > 0:
        if x[1] > 0:
            return np.sum(x**3)
        y = x * 2.0
    else:
        y = np.sin(x)
    return np.sum(y * x)


def return_after_loop_in_branch(x):
    s = 0.0
    for i in range(3):
        s = s + x[i] * s + x[i]
    if s > 0:
        return s * 2.0
    return s * s


def helper_with_loop_called_in_loop(x):
    s = 0.0
    for i in range(3):
        s = s + np.sum(sines(x * s + x[i], 2))
    return s


def helper_with_early_return_in_loop(x):
    y = x * 1.0
    for _i in range(3):
        y = doubled_or_squared(y) * 0.5
    return np.sum(y)


def helper_with_while_in_loop(x):
    y = x * 1.0
    s = 0.0
    for _i in range(3):
        y = shrink_until_small(y * 1.5)
        s = s + np.sum(y)
    return s


def helper_on_rows(x):
    s = 0.0
    for v in x:
        s = s + squared(v) * squared(s) + scalar_by_sign(v)
    return s


X_POS = np.array([0.3, 1.2, 2.0, 0.7])
JUMP_CASES = [
    (break_on_first_trip, X),
    (break_never_taken, X),
    (break_in_inner_loop, X),
    (continue_then_new_name, X),
    (continue_then_new_name, -X),
    (continue_in_inner_loop, X),
    (break_on_differentiated_value, X),
    (while_true_with_break, X),
    (return_in_nested_if, X),
    (return_in_nested_if, -X),
    (return_in_nested_if, X_POS),
    (return_after_loop_in_branch, X),
    (return_after_loop_in_branch, -X),
    (helper_with_loop_called_in_loop, X),
    (helper_with_early_return_in_loop, X),
    (helper_with_early_return_in_loop, -X),
    (helper_with_while_in_loop, X),
    (helper_on_rows, X),
]


@pytest.mark.parametrize(
    "f, x", JUMP_CASES, ids=[f"{c[0].__name__}-{k}" for k, c in enumerate(JUMP_CASES)]
)
def test_jumps_and_helpers_match_finite_differences(f, x):
    check_grad(f, x)


def defined_before_break_read_after(x):
    s = 0.0
    for i in range(4):
        t = x[i] * 2.0
        if t > 3.0:
            break
        s = s + t
    return s + t


@bug("a name assigned before a `break` and read after the loop: np.zeros_like(t_1) unbound")
@pytest.mark.parametrize("sign", [1.0, -1.0])
def test_name_defined_before_break_read_after_loop(sign):
    check_grad(defined_before_break_read_after, sign * X)


# ----- refusals that must stay clear errors ------------------------------------------------


@pytest.mark.parametrize("sign", [1.0, -1.0])
def test_conditional_expression_on_differentiated_values(sign):
    check_grad(conditional_on_differentiated, sign * X)


def conditional_on_differentiated(x):
    s = 0.0
    for i in range(3):
        s = s + (x[i] * 2 if x[i] > 0 else x[i] ** 2)
    return s


def return_in_loop(x):
    s = 0.0
    for i in range(3):
        s = s + x[i]
        return s
    return s


def return_in_while(x):
    s = 0.0
    while s < 1:
        s = s + np.sum(x)
        return s
    return s


def index_after_break(x):
    for i in range(4):
        if x[i] > 1.0:
            break
    return x[i] ** 2


def for_else(x):
    s = 0.0
    for i in range(3):
        s = s + x[i]
    else:
        s = s * 2
    return s


def zip_loop(x, y):
    s = 0.0
    for a, b in zip(x, y, strict=True):
        s = s + a * b
    return s


def enumerate_with_start(x):
    s = 0.0
    for i, v in enumerate(x, 1):
        s = s + v * i
    return s


@pytest.mark.parametrize(
    "f, args, wrt",
    [
        (return_in_loop, (X,), 0),
        (return_in_while, (X,), 0),
        (for_else, (X,), 0),
        (zip_loop, (X, X * 0.5), (0, 1)),
        (enumerate_with_start, (X,), 0),
    ],
)
def test_once_refused_loop_constructs_match_finite_differences(f, args, wrt):
    check_grad(f, *args, wrt=wrt)  # more in test_loops_zip.py


@pytest.mark.parametrize("f, word", [(index_after_break, "break")])
def test_unsupported_control_flow_is_a_transform_error(f, word):
    args = (X,)
    g = npgrad.grad(f)
    with pytest.raises(npgrad.TransformError) as info:
        g(*args)
    assert word in str(info.value)
    assert f"{f.__code__.co_filename}:" in str(info.value)
    with pytest.raises(npgrad.TransformError):  # and at .source, before any gradient
        _ = npgrad.grad(f).source


# ----- dtypes -----------------------------------------------------------------------------


def float32_loop(x):
    h = x
    s = 0.0
    for i in range(4):
        h = np.tanh(h * 1.5) + h[i] * 0.1
        s = s + np.sum(h) * 0.5
    return s


def test_float32_stays_float32_through_loops():
    x32 = X.astype(np.float32)
    g = npgrad.grad(float32_loop)(x32)
    assert g.dtype == np.float32
    value, g2 = npgrad.value_and_grad(float32_loop)(x32)
    assert g2.dtype == np.float32
    assert np.asarray(value).dtype == np.float32
    np.testing.assert_allclose(g, numerical_grad(float32_loop, (X,), 0), rtol=1e-3, atol=1e-4)


# ----- print, the tape, threads, long loops -------------------------------------------------


def prints_each_iteration(x):
    s = 0.0
    for i in range(3):
        print("iteration", i)
        s = s + np.sin(x[i]) * s + x[i]
    return s


def test_print_runs_once_per_iteration(capsys):
    prints_each_iteration(X)
    expected = capsys.readouterr().out
    assert expected.count("iteration") == 3
    npgrad.grad(prints_each_iteration)(X)
    assert capsys.readouterr().out == expected
    npgrad.value_and_grad(prints_each_iteration)(X)
    assert capsys.readouterr().out == expected


def tape_lengths_at_return(g, *args):
    """Run g and report the length of every list local (the tape) of the generated frame
    when it returns."""
    lengths = []

    def profile(frame, event, arg):
        if event == "return" and frame.f_code.co_filename.startswith("<npgrad"):
            lengths.extend(len(v) for v in frame.f_locals.values() if isinstance(v, list))

    sys.setprofile(profile)
    try:
        result = g(*args)
    finally:
        sys.setprofile(None)
    return result, lengths


@pytest.mark.parametrize(
    "f, args",
    [
        (nested_three_deep, (X,)),
        (while_inside_for, (X,)),
        (for_inside_while, (X,)),
        (branches_assign_different_names, (X,)),
        (elif_chain_in_loop, (np.array([1.5, 0.5, -0.5, -1.5]),)),
        (rows_of_matrix, (W,)),
    ],
)
def test_tape_is_empty_after_every_call(f, args):
    g = npgrad.grad(f)
    assert "tape" in g.source
    for scale in (1.0, 0.5):  # twice, with inputs that take other paths
        scaled = tuple(a * scale for a in args)
        got, lengths = tape_lengths_at_return(g, *scaled)
        assert lengths and all(n == 0 for n in lengths), lengths
        np.testing.assert_allclose(got, numerical_grad(f, scaled, 0), rtol=1e-5, atol=1e-6)


def threaded_rnn(x):
    h = x * 1.0
    for t in range(40):
        if np.sum(h) > 0:
            h = np.tanh(h * 0.9 + x[t % 4] * 0.1)
        else:
            h = np.sin(h) + x[t % 4] * 0.2
    return np.sum(h**2)


def test_gradient_from_two_threads_at_once():
    g = npgrad.grad(threaded_rnn)  # fresh: the first calls race on the transform too
    inputs = [X, -X * 0.5, X * 2.0, -X]
    results: dict[int, np.ndarray] = {}
    errors: list[BaseException] = []
    barrier = threading.Barrier(len(inputs))

    def work(k):
        try:
            barrier.wait()
            for _ in range(20):
                results[k] = g(inputs[k])
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(k,)) for k in range(len(inputs))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    for k, x in enumerate(inputs):
        expected = numerical_grad(threaded_rnn, (x,), 0)
        np.testing.assert_allclose(results[k], expected, rtol=1e-5, atol=1e-6)


def thousand_steps(x):
    h = x * 1.0
    for _t in range(1000):
        h = np.tanh(h * 0.9 + 0.1) + x * 0.01
    return np.sum(h**2)


def thousand_steps_while(x):
    h = x * 1.0
    n = 0
    while n < 1000:
        h = np.tanh(h * 0.9 + 0.1) + x * 0.01
        n = n + 1
    return np.sum(h**2)


@pytest.mark.parametrize("f", [thousand_steps, thousand_steps_while])
def test_long_loop_tape_is_linear_in_iterations(f):
    g = npgrad.grad(f)
    check_grad(f, X)
    big = np.linspace(-1.0, 1.0, 2000)
    g(big)  # warm up
    tracemalloc.start()
    try:
        start = time.perf_counter()
        g(big)
        elapsed = time.perf_counter() - start
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert elapsed < 10.0
    assert peak < 3 * 1000 * big.nbytes, peak / big.nbytes  # at most ~3 arrays per step
    _, lengths = tape_lengths_at_return(g, big)
    assert all(n == 0 for n in lengths)


# ----- generated code reads like the user's ----------------------------------------------


def recurrent(Wh, xs, h0):
    h = h0
    for t in range(xs.shape[0]):
        h = np.tanh(Wh @ h + xs[t])
    return np.sum(h**2)


def test_generated_code_runs_the_loop_backwards_with_user_names():
    src = npgrad.grad(recurrent, wrt=(0, 2)).source
    assert "for t in range(" in src
    assert "for t in reversed(range(" in src
    assert "dWh = " in src and "dh0 = " in src and "dxs" not in src
    assert "# grad of: h = np.tanh(Wh @ h + xs[t])" in src
    assert src.count("tape.append(") >= 1 and src.count("tape.pop()") >= 1
    args = (RNG.normal(size=(3, 3)) * 0.5, RNG.normal(size=(4, 3)), RNG.normal(size=3))
    check_grad(recurrent, *args, wrt=(0, 2))


def test_while_loop_reverse_counts_its_trips():
    src = npgrad.grad(halve_until_small).source
    assert "while " in src
    assert "for _ in range(_trips" in src


def test_branch_outside_loops_needs_no_tape():
    src = npgrad.grad(one_sided_then_guarded_read).source
    assert "tape" not in src


def two_loops_one_index(x, n):
    s = np.sum(x**2)
    for i in range(n):
        s = s * np.sin(x[i])
    for i in range(n):
        s = s + x[i]
    return s


def index_read_between_loops(x, n):
    s = 0.0
    for i in range(n):
        s = s + x[i] ** 2
    s = s * x[i] ** 3  # the first loop's last index
    for i in range(n):
        s = s + np.sin(x[i]) * s
    return s


@pytest.mark.parametrize("n", [0, 1, 3])
@pytest.mark.parametrize("mode", ["reverse", "forward"])
def test_two_loops_sharing_an_index(n, mode):
    """The second loop's index is not copied from the first's (unbound after no trips:
    the gradient used to raise UnboundLocalError for n = 0)."""
    check_grad(two_loops_one_index, X, n, mode=mode)
    if n:
        check_grad(index_read_between_loops, X, n, mode=mode)
    h = npgrad.hessian(two_loops_one_index)(X, n)
    g = npgrad.grad(two_loops_one_index)
    eps = 1e-5
    fd = np.stack([(g(X + eps * e, n) - g(X - eps * e, n)) / (2 * eps) for e in np.eye(4)], -1)
    np.testing.assert_allclose(h, fd, atol=1e-6)
