# ruff: noqa: B905 - the functions under test use zip() as users write it
"""The remaining loop constructs: `zip`, `enumerate` with a start, `for`/`while ... else` and
`return` inside loops. Every gradient is checked against central finite differences; the
inputs are chosen so that each path (break or not, return early or not) is taken."""

import inspect

import numpy as np
import pytest
from fd import check_grad, numerical_grad

import npgrad

X = np.array([0.3, -1.2, 2.0, 0.7])
Y = np.array([1.1, 0.4, -0.8, 0.5])
W = np.array([[0.2, -0.5, 1.0], [0.7, 0.1, -0.3], [-1.1, 0.6, 0.4]])
CONSTS = [np.array([1.0, 2.0]), np.array([-0.5, 0.3]), np.array([0.9, -1.4])]


# ----- zip -----------------------------------------------------------------------------------


def zip_rows(x, y):
    s = 0.0
    for a, b in zip(x, y):
        s = s + a * b * s + np.sin(a) * b
    return s


def zip_with_itself(x):
    s = 0.0
    for a, b in zip(x, x):
        s = s + a * b + np.sin(a * s) * b
    return s


def zip_with_shifted_self(x):
    s = 0.0
    for a, b in zip(x, x[1:]):
        s = s + a * np.cos(b) + s * b
    return s


def zip_list_of_constants(x):
    total = 0.0
    for c, v in zip(CONSTS, x):
        total = total + np.sum(np.tanh(c * v)) * total + v
    return total


def zip_local_list(x, y):
    ws = [y * 2.0, np.ones(4), y**2]  # not differentiated (wrt x)
    total = 0.0
    for w, a in zip(ws, x):
        total = total + np.sum(w * a) + a * total
    return total


def zip_range_first(x, n):
    s = 0.0
    for k, v in zip(range(n), x):
        s = s + v * (k + 1) + v * s
    return s


def zip_range_with_step(x):
    s = 0.0
    for k, v in zip(range(2, 9, 3), x):
        s = s + v**2 * k + s * v
    return s


def zip_matrix_rows(W, c):
    total = 0.0
    for row, ci in zip(W, c):
        total = total + np.sum(np.tanh(row * ci)) ** 2
    return total


def zip_three(x, y, z):
    s = 0.0
    for a, b, c in zip(x, y, z):
        s = s + a * b * c + s * a
    return s


def zip_tuple_of_numbers(x):
    s = 0.0
    for v, c in zip(x, (2.0, -1.0, 0.5)):
        s = s + c * v**2 + s * v
    return s


def zip_of_literals(x, y):
    s = 0.0
    for a, c in zip((x, y, x * y), (2.0, 3.0)):
        s = s + np.sum(a * c) * s + np.sum(np.sin(a))
    return s


def enumerate_zip(x, y):
    s = 0.0
    for i, (a, b) in enumerate(zip(x, y)):
        s = s + a * b * (i - 1) + s * a
    return s


def zip_of_enumerate(x, y):
    s = 0.0
    for (i, a), b in zip(enumerate(x, 1), y):
        s = s + a * b * i + s * b
    return s


def zip_strict(x, y):
    s = 0.0
    for a, b in zip(x, y, strict=True):
        s = s + a * b + s * a
    return s


def zip_not_strict(x, y):
    s = 0.0
    for a, b in zip(x, y, strict=False):
        s = s + a * b + s * a
    return s


def zip_loop_rebinds_sequence(x, y):
    s = 0.0
    for a, b in zip(x, y):
        x = x * 2.0  # the loop still walks the x it started with
        s = s + a * b + np.sum(x) * 0.1
    return s


def zip_then_break(x, y):
    s = 0.0
    for a, b in zip(x, y):
        if a * b < -0.5:
            break
        s = s + a * b + s * b
    return s


def zip_unpacks_rows(W, x):
    s = 0.0
    for (a, b), c in zip(W, x):
        s = s + a * np.sin(b) * c + s * a
    return s


def zip_target_rebinds_sequence(x):
    s = 0.0
    for x, y in zip(x, x[::-1]):  # noqa: B020 - the target takes the sequence's name
        s = s + x * y + s * x
    return s


def zip_python_floats(x):
    s = 0.0
    for a, c in zip(x, [1.0, 2.0, 3.0]):
        s = s + a * c + s * a
    return s


ZIP_CASES = [
    (zip_rows, (X, Y), (0, 1)),
    (zip_rows, (X, Y[:3]), (0, 1)),  # unequal lengths: the shortest wins
    (zip_rows, (X[:2], Y), (0, 1)),
    (zip_rows, (X[:0], Y), (0, 1)),  # no trips
    (zip_with_itself, (X,), 0),
    (zip_with_shifted_self, (X,), 0),
    (zip_list_of_constants, (X,), 0),  # 3 constants, 4 rows
    (zip_local_list, (X, Y), 0),
    (zip_range_first, (X, 3), 0),
    (zip_range_first, (X, 7), 0),  # range longer than x
    (zip_range_first, (X, -2), 0),  # an empty range
    (zip_range_with_step, (X,), 0),
    (zip_matrix_rows, (W, X), (0, 1)),  # 3 rows, 4 numbers
    (zip_three, (X, Y, X[:3] * 0.5), (0, 1, 2)),
    (zip_tuple_of_numbers, (X,), 0),
    (zip_of_literals, (X, Y), (0, 1)),
    (enumerate_zip, (X, Y), (0, 1)),
    (zip_of_enumerate, (X, Y[:3]), (0, 1)),
    (zip_strict, (X, Y), (0, 1)),
    (zip_not_strict, (X, Y[:3]), (0, 1)),
    (zip_loop_rebinds_sequence, (X, Y), (0, 1)),
    (zip_then_break, (X, Y), (0, 1)),
    (zip_then_break, (-X, Y), (0, 1)),
    (zip_unpacks_rows, (W[:, :2], X), (0, 1)),
    (zip_target_rebinds_sequence, (X,), 0),
    (zip_python_floats, (X,), 0),
]


def _ids(cases):
    return [f"{c[0].__name__}-{k}" for k, c in enumerate(cases)]


@pytest.mark.parametrize("f, args, wrt", ZIP_CASES, ids=_ids(ZIP_CASES))
def test_zip_matches_finite_differences(f, args, wrt):
    check_grad(f, *args, wrt=wrt)


@pytest.mark.parametrize("f, args, wrt", ZIP_CASES, ids=_ids(ZIP_CASES))
def test_value_and_grad_of_zip_loops(f, args, wrt):
    value, grads = npgrad.value_and_grad(f, wrt=wrt)(*args)
    assert value == pytest.approx(f(*args), rel=1e-12, abs=1e-12)
    grads = grads if isinstance(wrt, tuple) else (grads,)
    for w, g in zip(wrt if isinstance(wrt, tuple) else (wrt,), grads, strict=True):
        np.testing.assert_allclose(g, numerical_grad(f, args, w), rtol=1e-5, atol=1e-6)


def test_zip_keeps_float32():
    g = npgrad.grad(zip_python_floats)(X.astype(np.float32))
    assert g.dtype == np.float32
    np.testing.assert_allclose(g, numerical_grad(zip_python_floats, (X,), 0), rtol=1e-4)


def test_zip_strict_checks_the_lengths_like_python():
    with pytest.raises(ValueError, match="zip"):
        zip_strict(X, Y[:3])
    with pytest.raises(ValueError, match="zip"):
        npgrad.grad(zip_strict)(X, Y[:3])


def test_zip_walks_the_sequence_it_started_with():
    value, grad = npgrad.value_and_grad(zip_loop_rebinds_sequence)(X, Y)
    assert value == pytest.approx(zip_loop_rebinds_sequence(X, Y))
    np.testing.assert_allclose(grad, numerical_grad(zip_loop_rebinds_sequence, (X, Y), 0))


# ----- enumerate with a start -------------------------------------------------------------


def enumerate_positional_start(x):
    s = 0.0
    for i, v in enumerate(x, 1):
        s = s + v * i + v * s
    return s


def enumerate_negative_start(x):
    s = 0.0
    for i, v in enumerate(x, start=-2):
        s = s + np.sin(v * i) + v * s / (i - 0.5)
    return s


def enumerate_start_parameter(x, k):
    s = 0.0
    for j, v in enumerate(x, start=k):
        s = s + v**2 * j + s * v
    return s


def enumerate_start_rebound_in_body(x):
    k = 3
    s = 0.0
    for i, v in enumerate(x, k):
        k = k + 10  # enumerate read k once, before the loop
        s = s + v * i + v * s + k * 0.01
    return s


def enumerate_rows_start(W):
    total = 0.0
    for i, row in enumerate(W, start=5):
        total = total + np.sum(row**2) * i + total * row[0]
    return total


def enumerate_index_read_after(x):
    s = 0.0
    for i, v in enumerate(x, 10):  # noqa: B007 - i is read after the loop
        s = s + v * s + v
    return s * i


ENUM_CASES = [
    (enumerate_positional_start, (X,), 0),
    (enumerate_negative_start, (X,), 0),
    (enumerate_start_parameter, (X, -3), 0),
    (enumerate_start_parameter, (X, 4), 0),
    (enumerate_start_rebound_in_body, (X,), 0),
    (enumerate_rows_start, (W,), 0),
    (enumerate_index_read_after, (X,), 0),
]


@pytest.mark.parametrize("f, args, wrt", ENUM_CASES, ids=_ids(ENUM_CASES))
def test_enumerate_start_matches_finite_differences(f, args, wrt):
    check_grad(f, *args, wrt=wrt)


# ----- for ... else, while ... else -------------------------------------------------------


def for_else(x):
    s = 0.0
    for i in range(4):
        if x[i] > 1.5:
            break
        s = s + x[i] * s + x[i]
    else:
        s = s * 3.0 + np.sum(x)
    return s


def for_else_without_break(x):
    s = 0.0
    for v in x:
        s = s + np.sin(v) * s + v
    else:
        s = s * s
    return s


def for_else_no_trips(x, n):
    s = np.sum(x)
    for i in range(n):
        if x[i] > 0:
            break
        s = s * x[i]
    else:
        s = s * 2.0 + x[0]
    return s


def for_else_reads_index(x):
    s = 0.0
    for i in range(3):
        if x[i] > 5.0:
            break
        s = s + x[i] * s
    else:
        s = s + x[i] * 4.0  # the last index: the loop ran to the end
    return s


def while_else(x):
    y = x * 1.0
    n = 0
    while n < 6:
        y = np.sin(y) * 1.3
        if np.max(y) > 1.2:
            break
        n = n + 1
    else:
        y = y * y
    return np.sum(y * x)


def while_else_without_break(x):
    y = x * 1.0
    n = 0
    while np.sum(y**2) > 0.5 and n < 10:
        y = y * 0.7
        n = n + 1
    else:
        y = np.tanh(y) + n
    return np.sum(y * x)


def nested_else_breaks_outer(x):
    s = 0.0
    for i in range(4):
        for j in range(3):
            if x[j] * i > 1.0:
                break
            s = s + x[j] * s + x[i]
        else:
            s = s * 0.9
            continue  # the inner loop did not break: go on
        break  # the inner loop broke: stop the outer one too
    return s + x[3]


def inner_else_returns(x):
    s = 0.0
    for i in range(3):
        for j in range(4):
            if x[j] > i:
                break
            s = s + x[j] * s
        else:
            return s * 10.0  # no element exceeded i
        s = s + x[i]
    return s


ELSE_CASES = [
    (for_else, X),  # breaks at x[2]
    (for_else, X * 0.1),  # never breaks
    (for_else_without_break, X),
    (for_else_reads_index, X),
    (for_else_reads_index, X * 10.0),
    (while_else, X),  # breaks
    (while_else, X * 0.1),  # never breaks
    (while_else_without_break, X),
    (nested_else_breaks_outer, X),
    (nested_else_breaks_outer, X * 0.2),
    (nested_else_breaks_outer, -X),
    (inner_else_returns, X + 0.05),
    (inner_else_returns, -X - 3.0),  # the else returns on the first outer trip
    (inner_else_returns, np.array([-0.5, -0.2, 0.6, 1.5])),  # returns on the second
]


@pytest.mark.parametrize("f, x", ELSE_CASES, ids=_ids(ELSE_CASES))
def test_loop_else_matches_finite_differences(f, x):
    check_grad(f, x)


@pytest.mark.parametrize("n", [0, 2, 4])
def test_for_else_with_no_trips_runs_the_else(n):
    x = np.array([-0.3, -1.2, 2.0, 0.7])
    check_grad(for_else_no_trips, x, n)


# ----- return inside loops ----------------------------------------------------------------


def return_first_trip(x):
    s = 0.0
    for i in range(3):
        s = s + x[i] * 2.0
        return s * s
    return s


def return_never_reached(x):
    s = 0.0
    for i in range(4):
        s = s + x[i] * s + x[i]
        if s > 100.0:
            return s * 0.0
    return np.sin(s)


def newton_cube_root(a):
    y = a * 0.5 + 1.0
    for _k in range(50):
        y = y - (y**3 - a) / (3.0 * y**2)
        if np.max(np.abs(y**3 - a)) < 1e-13:
            return np.sum(y * y)
    return np.sum(y) * 0.0


def newton_only_exit(a):
    y = a * 0.5 + 1.0
    for _k in range(50):
        y = y - (y**3 - a) / (3.0 * y**2)
        if np.max(np.abs(y**3 - a)) < 1e-13:
            return np.sum(y * a)


def newton_while_true(a):
    y = a * 0.5 + 1.0
    while True:  # leaves only by the return
        y = y - (y**3 - a) / (3.0 * y**2)
        if np.max(np.abs(y**3 - a)) < 1e-13:
            return np.sum(y * a)


def return_carried_array(x):
    y = x * 1.0
    for i in range(5):
        y = np.tanh(y * 1.5) + x * 0.1
        if np.sum(y) > i:
            return np.sum(y**2)
    return np.sum(y)


def return_from_nested_loops(x):
    s = 0.0
    for i in range(3):
        for j in range(4):
            s = s + x[j] * x[i] + s * 0.5
            if s > 2.0:
                return s * s
        s = s * 0.8
    return s


def return_from_inner_while(x):
    y = x * 1.0
    for i in range(3):
        n = 0
        while n < 4:
            y = np.sin(y) + x * i
            if np.sum(y) > 3.0:
                return np.sum(y * y)
            n = n + 1
        y = y * 0.5
    return np.sum(y)


def return_from_for_in_while(x):
    y = x * 1.0
    n = 0
    while n < 3:
        for v in x:
            y = y * 0.9 + v * 0.2
            if np.sum(y) > 2.0 + n:
                return np.sum(y**2) * v
        n = n + 1
    return np.sum(y)


def return_in_while(x):
    y = x * 1.0
    n = 0
    while n < 8:
        y = y * 1.4 + 0.1 * x
        if np.max(y) > 2.5:
            return np.sum(np.sin(y))
        n = n + 1
    return np.sum(y)


def return_and_break(x):
    s = 0.0
    for i in range(4):
        if x[i] < -1.0:
            break
        s = s + x[i] * s + x[i]
        if s > 1.0:
            return s * 3.0
    return s - 1.0


def return_with_continue(x):
    s = 0.0
    for i in range(4):
        if x[i] < 0:
            continue
        s = s + x[i] ** 2 + s
        if s > 3.0:
            return np.sqrt(s)
    return s


def return_in_loop_in_branch(x):
    s = np.sum(x)
    if s > 0:
        for v in x:
            s = s * v + v
            if s < -1.0:
                return s * s
        s = s + 1.0
    return s * 2.0


def return_index_read_after(x):
    s = 0.0
    for i in range(4):
        s = s + x[i] * s + x[i]
        if s > 50.0:
            return s
    return s * i


def return_then_loop_after(x):
    s = 0.0
    for i in range(3):
        if x[i] > 1.5:
            return s + x[i]
        s = s + x[i] ** 2
    for v in x:
        s = s + np.cos(v) * s
    return s


def return_inside_else_of_while(x):
    y = x * 1.0
    n = 0
    while n < 3:
        y = y * 0.5
        n = n + 1
    else:
        for v in y:
            if v > 0.2:
                return np.sum(y) * v
    return np.sum(y**2)


def first_big(v):
    for i in range(len(v)):
        if v[i] > 1.0:
            return v[i] * 2.0
    return v[0]


def helper_returning_from_loop(x):
    return first_big(x * 1.5) + first_big(np.sin(x))


def helper_with_break(v):
    s = 0.0
    for t in v:
        if t < 0:
            break
        s = s + t * s + t
    return s


def calls_helper_with_break(x):
    return helper_with_break(x) * helper_with_break(x[::-1])


def return_break_and_else(x):
    s = 0.0
    for i in range(4):
        if x[i] < -1.0:
            break
        s = s + x[i] * s + x[i]
        if s > 1.0:
            return s * 3.0
    else:
        s = s * s + 0.5  # no break and no return
    return s - 1.0


def helper_with_return_called_in_loop(x):
    s = 0.0
    for i in range(3):
        s = s + first_big(x * (i + 1.0)) * s + x[i]
    return s


RETURN_CASES = [
    (return_first_trip, X),
    (return_never_reached, X),
    (newton_cube_root, np.array([2.0, 3.5, 0.8])),
    (newton_while_true, np.array([2.0, 3.5, 0.8])),
    (return_carried_array, X),  # returns on the first trip
    (return_carried_array, X - 1.0),  # on a later trip
    (return_carried_array, X - 5.0),  # never
    (return_from_nested_loops, X),
    (return_from_nested_loops, X * 0.3),
    (return_from_nested_loops, -X),
    (return_from_inner_while, X),
    (return_from_inner_while, X * 0.1),
    (return_from_for_in_while, X),
    (return_from_for_in_while, X * 0.2),
    (return_in_while, X),
    (return_in_while, -X),
    (return_and_break, X),  # breaks at x[1]
    (return_and_break, np.array([0.5, 0.9, 0.2, 0.1])),  # returns
    (return_and_break, np.array([0.1, 0.2, -0.1, 0.1])),  # neither
    (return_break_and_else, X),  # breaks
    (return_break_and_else, np.array([0.5, 0.9, 0.2, 0.1])),  # returns
    (return_break_and_else, np.array([0.1, 0.2, -0.1, 0.1])),  # the else runs
    (helper_with_return_called_in_loop, X),
    (helper_with_return_called_in_loop, X * 0.3),
    (return_with_continue, X),
    (return_with_continue, X * 0.5),
    (return_in_loop_in_branch, X),
    (return_in_loop_in_branch, np.array([0.5, -2.0, 2.0, 1.0])),
    (return_in_loop_in_branch, -X),
    (return_index_read_after, X),
    (return_then_loop_after, X),
    (return_then_loop_after, X * 0.5),
    (return_inside_else_of_while, X),
    (return_inside_else_of_while, -X),
    (helper_returning_from_loop, X),
    (helper_returning_from_loop, X * 0.1),
    (calls_helper_with_break, np.abs(X)),
    (calls_helper_with_break, X),
]


@pytest.mark.parametrize("f, x", RETURN_CASES, ids=_ids(RETURN_CASES))
def test_return_in_loop_matches_finite_differences(f, x):
    check_grad(f, x)


@pytest.mark.parametrize("f, x", RETURN_CASES + ELSE_CASES, ids=_ids(RETURN_CASES + ELSE_CASES))
def test_value_and_grad_of_loops_that_leave_early(f, x):
    value, grad = npgrad.value_and_grad(f)(x)
    assert value == pytest.approx(f(x), rel=1e-12, abs=1e-12)
    np.testing.assert_allclose(grad, numerical_grad(f, (x,), 0), rtol=1e-5, atol=1e-6)
    np.testing.assert_array_equal(x, np.array(x))  # nothing written into the argument


def test_a_function_that_can_end_without_return_is_refused():
    # Python returns None when the loop never returns: no gradient to give there
    with pytest.raises(npgrad.UnsupportedSyntaxError) as info:
        npgrad.grad(newton_only_exit)(np.array([2.0, 3.5, 0.8]))
    lines, start = inspect.getsourcelines(newton_only_exit)
    last = start + next(k for k, t in enumerate(lines) if "for _k" in t)  # the last statement
    assert f"{inspect.getsourcefile(newton_only_exit)}:{last}:" in str(info.value)
    assert "what to do:" in str(info.value)


def test_return_in_loop_reads_like_the_user_code():
    src = npgrad.grad(newton_cube_root).source
    assert "returned = False" in src and "if _not" in src
    assert "stop" not in src  # a loop that only returns needs one flag


# ----- refusals: still located errors -----------------------------------------------------


def zip_not_unpacked(x, y):
    s = 0.0
    for pair in zip(x, y):
        s = s + pair[0] * pair[1]
    return s


def zip_wrong_count(x, y):
    s = 0.0
    for a, b in zip(x, y, x):
        s = s + a * b
    return s


def zip_strict_not_literal(x, y):
    s = 0.0
    for a, b in zip(x, y, strict=bool(x.size)):
        s = s + a * b
    return s


def enumerate_unknown_keyword(x):
    s = 0.0
    for i, v in enumerate(x, begin=1):
        s = s + v * i
    return s


def strict_literals_differ(x):
    s = 0.0
    for a, c in zip((x, x * 2.0), (1.0, 2.0, 3.0), strict=True):
        s = s + np.sum(a * c)
    return s


INT_KEYS = {0: 5.0, 1: 7.0}


def zip_over_a_global_dict(x):
    s = 0.0
    for k, v in zip(INT_KEYS, x):  # Python gives the keys; x[k]-style reads would not
        s = s + v * k
    return s


def loop_over_a_global_dict(x):
    s = 0.0
    for k in INT_KEYS:
        s = s + x[k]
    return s


def test_a_dict_iterated_through_list_matches_finite_differences():
    def f(x):
        s = 0.0
        for k, v in zip(list(INT_KEYS), x):
            s = s + v * k + s * v
        return s

    check_grad(f, X)


def enumerate_float_start(x):
    s = 0.0
    for i, v in enumerate(x, 0.5):
        s = s + v * i
    return s


def bare_return_in_loop(x):
    for i in range(3):
        if x[i] > 0:
            return
    return np.sum(x)


@pytest.mark.parametrize(
    "f, needle",
    [
        (enumerate_float_start, "0.5"),
        (zip_over_a_global_dict, "INT_KEYS, x"),
        (loop_over_a_global_dict, "in INT_KEYS"),
        (bare_return_in_loop, "return\n"),
        (zip_not_unpacked, "pair"),
        (zip_wrong_count, "a, b"),
        (zip_strict_not_literal, "bool(x.size)"),
        (enumerate_unknown_keyword, "enumerate(x, begin=1)"),
        (strict_literals_differ, "zip((x, x * 2.0)"),
    ],
)
def test_unsupported_loop_forms_are_located_errors(f, needle):
    args = (X, Y) if len(inspect.signature(f).parameters) == 2 else (X,)
    with pytest.raises(npgrad.UnsupportedSyntaxError) as info:
        npgrad.grad(f)(*args)
    msg = str(info.value)
    lines, start = inspect.getsourcelines(f)
    line = start + next(k for k, text in enumerate(lines) if needle in text)
    assert f"{inspect.getsourcefile(f)}:{line}:" in msg, msg
    assert needle.strip() in msg
    assert "what to do:" in msg
