"""The Python and NumPy language npgrad accepts in straight-line code, checked against central
finite differences (tests/fd.py) and nothing else.

Every function here is transformed under one set of options only: a second transform of the
same `def` with other options is covered by its own test (test_retransform_* below).
"""

from __future__ import annotations

import numpy
import numpy as np
import numpy as xp
import pytest
from fd import check_grad, numerical_grad
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import mutually_broadcastable_shapes
from numpy import exp

import npgrad

RNG = np.random.default_rng(1234)
A = np.array([0.3, -1.2, 2.45, 0.8])  # a / B stays away from integers: // and % are smooth
B = np.array([0.7, 1.1, 0.9, 1.6])
POS = np.array([0.6, 1.7, 2.2, 0.9])
M = RNG.uniform(-1.0, 1.0, size=(3, 4))
M2 = RNG.uniform(-1.0, 1.0, size=(4, 2))
V6 = np.array([0.5, -1.3, 0.8, 2.1, -0.4, 1.6])
NP64 = np.float64(1.7)
NP32 = np.float32(0.75)


# ----- arithmetic operators --------------------------------------------------------------


def add_aa(a, b):
    return np.sum(np.sin(a + b))


def add_py_left(a):
    return np.sum(np.sin(2.5 + a))


def add_np_right(a):
    return np.sum(np.sin(a + np.float64(2.5)))


def sub_aa(a, b):
    return np.sum(np.sin(a - b))


def sub_py_left(a):
    return np.sum(np.sin(1.5 - a))


def sub_np_left(a):
    return np.sum(np.sin(NP64 - a))


def sub_int_right(a):
    return np.sum(np.sin(a - 3))


def mul_aa(a, b):
    return np.sum(np.sin(a * b))


def mul_py_left(a):
    return np.sum(np.sin(3.0 * a))


def mul_np_left(a):
    return np.sum(np.sin(np.float32(2.0) * a))


def mul_np_right(a):
    return np.sum(np.sin(a * NP32))


def div_aa(a, b):
    return np.sum(np.sin(a / b))


def div_py_left(b):
    return np.sum(np.sin(2.0 / b))


def div_py_right(a):
    return np.sum(np.sin(a / 3))


def div_np_left(b):
    return np.sum(np.sin(NP64 / b))


def floordiv_aa(a, b):
    return np.sum(np.sin(a // b) * a + b)


def floordiv_py_right(a):
    return np.sum((a // 0.7) * a)


def floordiv_py_left(b):
    return np.sum((2.0 // b) * b * b)


def mod_aa(a, b):
    return np.sum(np.sin(a % b))


def mod_py_right(a):
    return np.sum(np.sin(a % 0.7))


def mod_py_left(b):
    return np.sum(np.sin(2.5 % b))


def mod_np_left(b):
    return np.sum(np.sin(NP64 % b))


def pow_aa(a, b):
    return np.sum(a**b)


def pow_int_right(a):
    return np.sum(a**3)


def pow_float_right(a):
    return np.sum(a**2.5)


def pow_py_left(b):
    return np.sum(2.0**b)


def pow_int_left(b):
    return np.sum(3**b)


def pow_np_left(b):
    return np.sum(NP64**b)


def pow_np_right(a):
    return np.sum(a ** np.float64(1.5))


def matmul_mv(m, v):
    return np.sum(np.sin(m @ v))


def matmul_vm(v, m):
    return np.sum(np.sin(v @ m))


def matmul_vv(v, w):
    return v @ w


def matmul_mm(m, n):
    return np.sum(np.tanh(m @ n))


def neg(a):
    return np.sum(np.sin(-a) * a)


def pos(a):
    return np.sum(+a * a)


def neg_of_expr(a, b):
    return -np.sum(-(a * b) + -b)


def mixed_expression(a, b):
    return np.sum(2 * a * b - a / (1.0 + b * b) + (a - 1) ** 2 % 3.0 + 0.5**b)


def python_floats(a, b):
    return a * b + np.sin(a) / b - 2.0**a


def python_float_and_array(s, a):
    return np.sum(np.sin(s * a) + s)


ARITHMETIC = [
    (add_aa, (A, B), (0, 1)),
    (add_py_left, (A,), 0),
    (add_np_right, (A,), 0),
    (sub_aa, (A, B), (0, 1)),
    (sub_py_left, (A,), 0),
    (sub_np_left, (A,), 0),
    (sub_int_right, (A,), 0),
    (mul_aa, (A, B), (0, 1)),
    (mul_py_left, (A,), 0),
    (mul_np_left, (A,), 0),
    (mul_np_right, (A,), 0),
    (div_aa, (A, B), (0, 1)),
    (div_py_left, (B,), 0),
    (div_py_right, (A,), 0),
    (div_np_left, (B,), 0),
    (floordiv_aa, (A, B), (0, 1)),
    (floordiv_py_right, (A,), 0),
    (floordiv_py_left, (B,), 0),
    (mod_aa, (A, B), (0, 1)),
    (mod_py_right, (A,), 0),
    (mod_py_left, (B,), 0),
    (mod_np_left, (B,), 0),
    (pow_aa, (POS, A), (0, 1)),
    (pow_int_right, (A,), 0),
    (pow_float_right, (POS,), 0),
    (pow_py_left, (A,), 0),
    (pow_int_left, (A,), 0),
    (pow_np_left, (A,), 0),
    (pow_np_right, (POS,), 0),
    (matmul_mv, (M, A), (0, 1)),
    (matmul_vm, (A[:3], M), (0, 1)),
    (matmul_vv, (A, B), (0, 1)),
    (matmul_mm, (M, M2), (0, 1)),
    (neg, (A,), 0),
    (pos, (A,), 0),
    (neg_of_expr, (A, B), (0, 1)),
    (mixed_expression, (A, B), (0, 1)),
    (python_floats, (0.7, 1.9), (0, 1)),
    (python_float_and_array, (0.7, A), (0, 1)),
]


@pytest.mark.parametrize("f, args, wrt", ARITHMETIC, ids=[case[0].__name__ for case in ARITHMETIC])
def test_arithmetic(f, args, wrt):
    check_grad(f, *args, wrt=wrt)


def test_floordiv_has_zero_gradient():
    def f(a, b):
        return np.sum(a // b)

    ga, gb = npgrad.grad(f, wrt=(0, 1))(A, B)
    np.testing.assert_array_equal(ga, numerical_grad(f, (A, B), 0))
    np.testing.assert_array_equal(gb, np.zeros_like(B))


def test_python_float_gradient_is_python_float():
    ga, gb = npgrad.grad(python_floats_copy, wrt=(0, 1))(0.7, 1.9)
    assert type(ga) is float and type(gb) is float
    assert ga == pytest.approx(numerical_grad(python_floats_copy, (0.7, 1.9), 0), rel=1e-6)
    assert gb == pytest.approx(numerical_grad(python_floats_copy, (0.7, 1.9), 1), rel=1e-6)


def python_floats_copy(a, b):
    return a * b + np.sin(a) / b - 2.0**a


def test_numpy_scalar_arguments():
    def f(s, t, a):
        return np.sum(np.sin(s * a) * t)

    args = (np.float32(0.5), np.float64(1.25), A)
    gs, gt = npgrad.grad(f, wrt=(0, 1))(*args)
    assert np.ndim(gs) == 0 and np.ndim(gt) == 0
    assert isinstance(gs, np.float32)
    assert isinstance(gt, float | np.float64)
    np.testing.assert_allclose(gs, numerical_grad(f, args, 0), rtol=1e-4)
    np.testing.assert_allclose(gt, numerical_grad(f, args, 1), rtol=1e-6)


# ----- comparisons and constants ----------------------------------------------------------


def leaky_relu(x):
    return np.sum(np.where(x > 0, x, 0.1 * x) ** 2)


def mask_product(x, y):
    return np.sum((x > y) * x * y + (x <= 0.5) * y)


def compare_not_equal(x):
    return np.sum(np.where(x != 0.25, x**2, 5.0 * x))


def constants(x):
    return np.sum(np.pi * x**2 + np.e**x)


def newaxis_outer(x, y):
    return np.sum(np.sin(x[np.newaxis, :] * y[:, np.newaxis]))


def none_outer(x, y):
    return np.sum(np.cos(x[:, None] - y[None, :]) * np.arange(12.0).reshape(4, 3))


CONSTANTS = [
    (leaky_relu, (A,), 0),
    (mask_product, (A, B), (0, 1)),
    (compare_not_equal, (A,), 0),
    (constants, (A,), 0),
    (newaxis_outer, (A, B[:3]), (0, 1)),
    (none_outer, (A, B[:3]), (0, 1)),
]


@pytest.mark.parametrize("f, args, wrt", CONSTANTS, ids=[c[0].__name__ for c in CONSTANTS])
def test_comparisons_and_constants(f, args, wrt):
    check_grad(f, *args, wrt=wrt)


# ----- array attributes and methods --------------------------------------------------------


def attr_T(m):
    return np.sum(np.sin(m.T) * np.arange(12.0).reshape(4, 3))


def attr_shape_ndim_size(m):
    return np.sum(m * m.shape[0] + m / m.ndim) / m.size


def method_sum_axis0(m):
    return np.sum(m.sum(axis=0) ** 2)


def method_sum_positional_axis(m):
    return np.sum(m.sum(1) ** 3) + np.sum(m.sum(axis=-1, keepdims=True) * m)


def method_mean(m):
    return m.mean() ** 2 + np.sum(m.mean(axis=0) * np.arange(4.0))


def method_max_keepdims(m):
    return np.sum(m.max(axis=1, keepdims=True) * m)


def method_max_min(m):
    return m.max() + np.sum(m.min(axis=0) ** 2)


def method_reshape_args(m):
    return np.sum(np.sin(m.reshape(2, -1)) * np.arange(6.0))


def method_reshape_tuple(m):
    return np.sum(m.reshape((2, -1)) @ np.arange(6.0))


def method_ravel(m):
    return np.sum(m.ravel() * np.arange(12.0))


def method_dot(v, w):
    return v.dot(w) ** 2


def method_dot_matrix(m, v):
    return np.sum(np.sin(m.dot(v)))


def method_astype_float(m):
    return np.sum(m.astype(float) ** 2)


def method_copy(m):
    return np.sum(m.copy() * m)


def method_transpose(m):
    return np.sum(m.transpose(1, 0) @ m)


def method_transpose_3d(m):
    t = m.reshape(3, 2, 2).transpose(2, 0, 1)
    return np.sum(t * np.arange(12.0).reshape(2, 3, 2))


METHODS = [
    (attr_T, (M,), 0),
    (attr_shape_ndim_size, (M,), 0),
    (method_sum_axis0, (M,), 0),
    (method_sum_positional_axis, (M,), 0),
    (method_mean, (M,), 0),
    (method_max_keepdims, (M,), 0),
    (method_max_min, (M,), 0),
    (method_reshape_args, (M,), 0),
    (method_reshape_tuple, (M,), 0),
    (method_ravel, (M,), 0),
    (method_dot, (A, B), (0, 1)),
    (method_dot_matrix, (M, A), (0, 1)),
    (method_astype_float, (M,), 0),
    (method_copy, (M,), 0),
    (method_transpose, (M,), 0),
    (method_transpose_3d, (M,), 0),
]


@pytest.mark.parametrize("f, args, wrt", METHODS, ids=[c[0].__name__ for c in METHODS])
def test_attributes_and_methods(f, args, wrt):
    check_grad(f, *args, wrt=wrt)


def test_astype_float32_keeps_working():
    def f(x):
        return np.sum(x.astype(np.float32) * 3.0)

    g = npgrad.grad(f)(A)
    assert g.dtype == np.float64 and g.shape == A.shape
    # f computes in float32: a wide step keeps finite differences above its rounding
    np.testing.assert_allclose(g, numerical_grad(f, (A,), 0, eps=1e-2), rtol=1e-4)
    np.testing.assert_allclose(g, np.full(4, 3.0), rtol=1e-6)  # by hand: d(3x)/dx


# ----- read-only indexing -------------------------------------------------------------------


def idx_int(x):
    return x[0] * x[2] ** 2


def idx_negative_int(x):
    return x[-1] * x[-2] ** 2


def idx_slice(x):
    return np.sum(x[1:4] ** 2) + np.sum(x[:2] * x[-2:])


def idx_reverse(x):
    return np.sum(x[::-1] * np.arange(6.0))


def idx_negative_step(x):
    return np.sum(x[5:1:-2] * np.array([1.0, 3.0]))


def idx_ellipsis(m):
    return np.sum(m[..., 1] ** 2) + np.sum(m[...] * m)


def idx_none(x):
    return np.sum(x[None] * x[:, None])


def idx_repeated(x):
    return np.sum(x[[0, 0, 2]] * np.array([1.0, 2.0, 3.0]))


def idx_int_array(x):
    return np.sum(x[np.array([4, 1, 4, 4])] ** 2)


def idx_boolean_mask(x):
    return np.sum(x[x > 0] ** 2)


def idx_mask_from_other(x, y):
    return np.sum(x[y < 1.0] * 3.0) + np.sum(y[x > 0.0] ** 2)


def idx_tuple_ints(m):
    return m[1, 2] * m[0, -1] + m[-1, 0]


def idx_tuple_int_slice(m):
    return np.sum(m[1, ::-1] * np.arange(4.0)) + np.sum(m[0:2, 1] ** 2)


def idx_tuple_none_slice(m):
    return np.sum(m[None, 1:, 0] ** 3)


def idx_2d_fancy(m):
    return np.sum(m[[0, 0, 2], [1, 1, 3]] * np.array([1.0, 2.0, 3.0]))


def idx_2d_fancy_rows(m):
    return np.sum(m[[2, 0, 2]] ** 2)


def idx_argmax(x):
    return x[np.argmax(x)] * 2.0 + x[x.shape[0] - 1]


def idx_overlapping(x):
    return np.sum(x[1:] * x[:-1]) + np.sum(x[[0, 0]]) + x[0]


def idx_intermediate(x):
    y = np.sin(x)
    return np.sum(y[::2] * y[1::2])


INDEXING = [
    (idx_int, (V6,), 0),
    (idx_negative_int, (V6,), 0),
    (idx_slice, (V6,), 0),
    (idx_reverse, (V6,), 0),
    (idx_negative_step, (V6,), 0),
    (idx_ellipsis, (M,), 0),
    (idx_none, (V6,), 0),
    (idx_repeated, (V6,), 0),
    (idx_int_array, (V6,), 0),
    (idx_boolean_mask, (V6,), 0),
    (idx_mask_from_other, (A, B), (0, 1)),
    (idx_tuple_ints, (M,), 0),
    (idx_tuple_int_slice, (M,), 0),
    (idx_tuple_none_slice, (M,), 0),
    (idx_2d_fancy, (M,), 0),
    (idx_2d_fancy_rows, (M,), 0),
    (idx_argmax, (V6,), 0),
    (idx_overlapping, (V6,), 0),
    (idx_intermediate, (V6,), 0),
]


@pytest.mark.parametrize("f, args, wrt", INDEXING, ids=[c[0].__name__ for c in INDEXING])
def test_indexing(f, args, wrt):
    check_grad(f, *args, wrt=wrt)


def idx_slice_and_negative_int(m):
    return np.sum(m[:, -1] ** 2)


def idx_slice_and_int_list(m):
    return np.sum(m[1:, [0, 0, 3]] ** 2)


def idx_fancy_then_slice(m):
    return np.sum(m[[0, 2]][:, [1, 1]] ** 2)


@pytest.mark.parametrize(
    "f", [idx_slice_and_negative_int, idx_slice_and_int_list, idx_fancy_then_slice]
)
def test_indexing_slice_mixed_with_array_index(f):
    check_grad(f, M)


# ----- lists of differentiated values --------------------------------------------------------


def reduce_list_literal(x):
    return np.sum([x, 2.0 * x])


def nested_list_array(x):
    return np.sum(np.array([[x[0], x[1]], [x[2], x[3]]]) ** 2)


def ufunc_of_list_literal(x):
    return np.sum(np.maximum([x[0], x[1]], 0.0) * np.array([2.0, 3.0]))


def reduce_list_literal_unoptimized(x):
    return np.sum([x, 2.0 * x])


@pytest.mark.parametrize(
    "f, optimize",
    [
        (reduce_list_literal, True),
        (reduce_list_literal_unoptimized, False),
        (ufunc_of_list_literal, True),
        (nested_list_array, True),
    ],
    ids=["np.sum(list)", "np.sum(list) unoptimized", "np.maximum(list)", "nested np.array"],
)
def test_list_literals(f, optimize):
    try:
        g = npgrad.grad(f, optimize=optimize)
        g(A)
    except npgrad.TransformError:
        return  # refusing is acceptable; a wrong gradient is not
    check_grad(f, A, optimize=optimize)


# ----- assignment -----------------------------------------------------------------------------


def reassign(x, w):
    h = np.tanh(w @ x)
    h = np.tanh(w.T @ h)
    h = np.tanh(h * x)
    h = h + x
    return np.sum(h**2)


def augmented(x, y):
    s = x * 2
    s += x
    s *= y
    s -= 1.0
    s /= 3.0
    s **= 2
    return np.sum(s)


def augmented_scalar_start(x):
    s = 0.0
    s += np.sum(x**2)
    s += np.sum(np.sin(x))
    return s


def chained_assignment(x):
    a = b = x * 2
    return np.sum(a * b)


def annotated_assignment(x):
    y: np.ndarray = x * 2
    return np.sum(y**2)


def copy_then_reassign(x):
    y = x
    y = y * 2
    return np.sum(y * x)


ASSIGNMENT = [
    (reassign, (A, RNG.uniform(-1, 1, size=(4, 4))), (0, 1)),
    (augmented, (A, B), (0, 1)),
    (augmented_scalar_start, (A,), 0),
    (chained_assignment, (A,), 0),
    (annotated_assignment, (A,), 0),
    (copy_then_reassign, (A,), 0),
]


@pytest.mark.parametrize("f, args, wrt", ASSIGNMENT, ids=[c[0].__name__ for c in ASSIGNMENT])
def test_assignment(f, args, wrt):
    check_grad(f, *args, wrt=wrt)


def aug_on_parameter(x):
    x += 1.0
    return np.sum(x**2)


def aug_on_view(x):
    v = x[:2]
    v *= 2.0
    return np.sum(v)


def aug_on_reshape(x):
    y = x * 2
    v = y.reshape(2, 2)
    v += 1.0
    return np.sum(v)


def aug_on_alias(x):
    y = x
    y += 1.0
    return np.sum(y)


@pytest.mark.parametrize("f", [aug_on_parameter, aug_on_view, aug_on_reshape, aug_on_alias])
def test_augmented_assignment_in_place(f):
    """NumPy's in-place update, differentiated; the caller's array does not change."""
    before = A.copy()
    check_grad(f, A)
    np.testing.assert_array_equal(A, before)


def aug_shared_by_two_names(x):
    s = x * 2
    t = s
    s += 1.0
    return np.sum(t * s)


def aug_seen_through_view(x):
    s = x * 2
    v = s[:2]
    s *= 3.0
    return np.sum(v)


@pytest.mark.parametrize("f", [aug_shared_by_two_names, aug_seen_through_view])
def test_augmented_assignment_seen_by_aliases(f):
    try:
        g = npgrad.grad(f)
        g(A)
    except npgrad.TransformError:
        return  # refusing is acceptable; a wrong gradient is not
    check_grad(f, A)


def tuple_unpacking(x):
    a, b = x[0], x[1]
    return a * b + x[2]


def test_tuple_unpacking():
    try:
        g = npgrad.grad(tuple_unpacking)
        g(A)
    except npgrad.TransformError:
        return  # refusing is acceptable; a wrong gradient is not
    check_grad(tuple_unpacking, A)


def test_mutating_a_constant_before_use_is_fine():
    def f(x):
        c = np.ones(4)
        c[0] = 5.0
        c[1:3] = 2.0
        return np.sum(x * c)

    check_grad(f, A)


# ----- unused statements and side effects ------------------------------------------------------


def with_print(x):
    y = x * 2
    print("npgrad-test value", np.sum(y))
    unused = np.log(np.abs(x) + 1.0)  # noqa: F841
    return np.sum(y * x)


def test_print_runs_once_per_call(capsys):
    with_print(A)
    expected = capsys.readouterr().out
    assert expected.count("npgrad-test") == 1
    g = npgrad.grad(with_print)
    got = g(A)
    assert capsys.readouterr().out == expected
    g(A)
    g(A)
    assert capsys.readouterr().out == expected * 2
    np.testing.assert_allclose(got, numerical_grad(with_print, (A,), 0), rtol=1e-6)


def with_print_vg(x):
    print("npgrad-test vg")
    return np.sum(np.sin(x))


def test_print_runs_once_with_value_and_grad(capsys):
    value, g = npgrad.value_and_grad(with_print_vg)(A)
    assert capsys.readouterr().out == "npgrad-test vg\n"
    assert value == np.sum(np.sin(A))
    np.testing.assert_allclose(g, numerical_grad(with_print_vg, (A,), 0), rtol=1e-6)


def unused_statements(x):
    a = np.exp(x)  # noqa: F841
    b = x * 3.0  # noqa: F841
    np.sum(x)
    return np.sum(np.cos(x))


def test_unused_statements():
    check_grad(unused_statements, A)


# ----- name resolution ---------------------------------------------------------------------------


def names_np(x):
    return np.sum(np.exp(x))


def names_numpy(x):
    return numpy.sum(numpy.exp(x))


def names_from_import(x):
    return np.sum(exp(x))


def names_alias(x):
    return xp.sum(xp.exp(x) * xp.tanh(x))


def names_mixed(x):
    return numpy.sum(xp.exp(x)) + np.sum(exp(x) * np.pi)


@pytest.mark.parametrize("f", [names_np, names_numpy, names_from_import, names_alias, names_mixed])
def test_name_resolution(f):
    check_grad(f, A)


# ----- nested functions, closures, lambdas -------------------------------------------------------


def test_nested_function():
    def inner(x, y):
        z = x * y
        return np.sum(np.tanh(z) + z)

    check_grad(inner, A, B, wrt=(0, 1))


def test_closure_over_arrays():
    c = RNG.uniform(-1, 1, size=4)
    k = 2.5

    def f(x):
        return np.sum(np.sin(x) * c) * k

    check_grad(f, A)


def test_closure_rebound_after_transform():
    c = np.array([1.0, 2.0, 3.0, 4.0])

    def f(x):
        return np.sum(np.sin(x) * c)

    g = npgrad.grad(f)
    np.testing.assert_allclose(g(A), numerical_grad(f, (A,), 0), rtol=1e-6)
    c = np.array([-1.0, 0.5, 4.0, 0.0])  # noqa: F841 (read by f through its cell)
    np.testing.assert_allclose(g(A), numerical_grad(f, (A,), 0), rtol=1e-6)


def test_closure_over_functions():
    act = np.tanh
    outer = numpy.exp

    def helper(v):
        return v * 2.0

    w = np.array([0.5, 1.0, 1.5, 2.0])

    def f(x):
        scale = helper(w)  # a user function on a value that is not differentiated
        return np.sum(act(x) * scale + outer(x))

    check_grad(f, A)


sq = lambda x: np.sum(x**2)  # noqa: E731


def test_lambda_on_its_own_line():
    check_grad(sq, A)


def test_lambda_inline():
    got = npgrad.grad(lambda x: np.sum(np.sin(x) * x))(A)
    ref = numerical_grad(lambda x: np.sum(np.sin(x) * x), (A,), 0)
    np.testing.assert_allclose(got, ref, rtol=1e-6)


def test_two_lambdas_on_one_line():
    g1, g2 = npgrad.grad(lambda x: np.sum(x * 2.0)), npgrad.grad(lambda x: np.sum(x**3))
    np.testing.assert_allclose(g1(A), numerical_grad(lambda x: np.sum(x * 2.0), (A,), 0))
    np.testing.assert_allclose(g2(A), numerical_grad(lambda x: np.sum(x**3), (A,), 0), 1e-6)


def test_lambda_with_default():
    f = lambda x, s=3.0: np.sum(np.sin(x) * s)  # noqa: E731
    check_grad(f, A)


# ----- keyword arguments, defaults, wrt ----------------------------------------------------------


def kw_default_used(x, scale=2.0, *, shift=0.5):
    return np.sum((x - shift) ** 2 * scale)


def kw_passed(x, scale=2.0, *, shift=0.5):
    return np.sum((x - shift) ** 2 * scale)


def kw_wrt_keyword_only(x, scale=2.0, *, shift=0.5):
    return np.sum((x - shift) ** 2 * scale)


def kw_wrt_default(x, scale=2.0, *, shift=0.5):
    return np.sum((x - shift) ** 2 * scale)


def test_defaults_are_used():
    got = npgrad.grad(kw_default_used)(A)
    np.testing.assert_allclose(got, numerical_grad(kw_default_used, (A,), 0), rtol=1e-6)


def test_keyword_arguments():
    got = npgrad.grad(kw_passed)(A, scale=3.0, shift=-0.25)
    ref = numerical_grad(lambda x: kw_passed(x, scale=3.0, shift=-0.25), (A,), 0)
    np.testing.assert_allclose(got, ref, rtol=1e-6)


def test_wrt_keyword_only_parameter():
    got = npgrad.grad(kw_wrt_keyword_only, wrt="shift")(A, 3.0, shift=-0.25)
    ref = numerical_grad(lambda s: kw_wrt_keyword_only(A, 3.0, shift=s), (-0.25,), 0)
    assert type(got) is float
    assert got == pytest.approx(ref, rel=1e-6)


def test_wrt_parameter_left_at_default():
    got = npgrad.grad(kw_wrt_default, wrt="scale")(A)
    ref = numerical_grad(lambda s: kw_wrt_default(A, s), (2.0,), 0)
    assert got == pytest.approx(ref, rel=1e-6)


def wrt_three(a, b, c):
    return np.sum(np.sin(a) * b + c**2 * a)


def wrt_three_by_name(a, b, c):
    return np.sum(np.sin(a) * b + c**2 * a)


def wrt_three_mixed(a, b, c):
    return np.sum(np.sin(a) * b + c**2 * a)


def wrt_three_reordered(a, b, c):
    return np.sum(np.sin(a) * b + c**2 * a)


def test_wrt_by_index():
    got = npgrad.grad(wrt_three, wrt=2)(A, B, POS)
    np.testing.assert_allclose(got, numerical_grad(wrt_three, (A, B, POS), 2), rtol=1e-6)


def test_wrt_by_name():
    got = npgrad.grad(wrt_three_by_name, wrt="b")(A, B, POS)
    np.testing.assert_allclose(got, numerical_grad(wrt_three_by_name, (A, B, POS), 1), 1e-6)


def test_wrt_tuple_of_index_and_name():
    got = npgrad.grad(wrt_three_mixed, wrt=(0, "c"))(A, B, POS)
    assert isinstance(got, tuple) and len(got) == 2
    np.testing.assert_allclose(got[0], numerical_grad(wrt_three_mixed, (A, B, POS), 0), 1e-6)
    np.testing.assert_allclose(got[1], numerical_grad(wrt_three_mixed, (A, B, POS), 2), 1e-6)


def test_wrt_tuple_order_is_kept():
    gc, ga = npgrad.grad(wrt_three_reordered, wrt=("c", 0))(A, B, POS)
    np.testing.assert_allclose(gc, numerical_grad(wrt_three_reordered, (A, B, POS), 2), 1e-6)
    np.testing.assert_allclose(ga, numerical_grad(wrt_three_reordered, (A, B, POS), 0), 1e-6)


def test_wrt_one_element_tuple_gives_tuple():
    def f(a, b):
        return np.sum(a * b)

    got = npgrad.grad(f, wrt=(1,))(A, B)
    assert isinstance(got, tuple) and len(got) == 1
    np.testing.assert_allclose(got[0], numerical_grad(f, (A, B), 1), rtol=1e-6)


def test_wrt_argument_passed_by_keyword():
    def f(a, b):
        return np.sum(np.sin(a) * b)

    got = npgrad.grad(f, wrt="b")(A, b=B)
    np.testing.assert_allclose(got, numerical_grad(f, (A, B), 1), rtol=1e-6)


def test_parameter_that_does_not_reach_the_output():
    def f(x, y, s):
        return np.sum(y**2)

    y = A.astype(np.float32)
    gx, gs = npgrad.grad(f, wrt=(0, 2))(M, y, 1.5)
    np.testing.assert_array_equal(gx, numerical_grad(f, (M, y, 1.5), 0))
    assert gx.shape == M.shape and gx.dtype == M.dtype
    assert type(gs) is float and gs == 0.0
    gy32 = npgrad.grad(f, wrt=1)(M, y, 1.5)
    assert gy32.dtype == np.float32


# ----- value_and_grad ----------------------------------------------------------------------------


def vg_target(w, X, y):
    p = 1 / (1 + np.exp(-X @ w))
    return -np.mean(y * np.log(p) + (1 - y) * np.log(1 - p))


def test_value_and_grad_value_equals_f():
    X = RNG.normal(size=(5, 3))
    w = RNG.normal(size=3)
    y = (RNG.uniform(size=5) > 0.5).astype(float)
    value, g = npgrad.value_and_grad(vg_target)(w, X, y)
    assert value == vg_target(w, X, y)
    assert np.shape(value) == ()
    np.testing.assert_allclose(g, numerical_grad(vg_target, (w, X, y), 0), rtol=1e-6)


# ----- dtypes ------------------------------------------------------------------------------------


def f32_grad(x):
    return np.sum(np.tanh(x) * x * 2.0)


def f32_value(x):
    return np.sum(np.sin(x) * x)


def f64_grad(x):
    return np.sum(np.tanh(x) * x * 2.0)


def test_float32_stays_float32():
    x32 = A.astype(np.float32)
    g = npgrad.grad(f32_grad)(x32)
    assert g.dtype == np.float32 and g.shape == x32.shape
    ref = numerical_grad(f32_grad, (x32.astype(np.float64),), 0)
    np.testing.assert_allclose(g, ref, rtol=1e-5, atol=1e-5)


def test_float32_value_is_float32():
    x32 = A.astype(np.float32)
    value, g = npgrad.value_and_grad(f32_value)(x32)
    assert np.result_type(value) == np.float32  # the computation itself stayed float32
    assert g.dtype == np.float32


def test_float64_stays_float64():
    g = npgrad.grad(f64_grad)(A)
    assert g.dtype == np.float64


def test_float32_argument_with_float64_constant():
    c = np.linspace(0.5, 2.0, 4)  # float64

    def f(x):
        return np.sum(np.sin(x) * c)

    g = npgrad.grad(f)(A.astype(np.float32))
    assert g.dtype == np.float32
    np.testing.assert_allclose(g, numerical_grad(f, (A,), 0), rtol=1e-5)


# ----- shapes and broadcasting -------------------------------------------------------------------


def bc_mul(a, b):
    return np.sum(np.sin(a * b))


def bc_add(a, b):
    return np.sum(np.sin(a + b) * np.arange(12.0).reshape(3, 4))


def bc_scalar(a, b):
    return np.sum(np.sin(a * b))


def bc_zero_d(a, b):
    return np.sum(np.sin(a * b + b))


def bc_keepdim_one(a, b):
    return np.sum(np.sin(a - b) ** 2)


def bc_where(c, a, b):
    return np.sum(np.where(c > 0, a, b) ** 2)


BROADCAST = [
    (bc_mul, (M[:, :1], M[:1, :]), (0, 1)),
    (bc_add, (A, M), (0, 1)),
    (bc_scalar, (1.5, M), (0, 1)),
    (bc_zero_d, (np.array(1.5), M), (0, 1)),
    (bc_keepdim_one, (M[:1, :1], A), (0, 1)),
    (bc_where, (M, A, M[:, :1]), (1, 2)),
]


@pytest.mark.parametrize("f, args, wrt", BROADCAST, ids=[c[0].__name__ for c in BROADCAST])
def test_broadcasting_gradient_shapes(f, args, wrt):
    got = check_grad(f, *args, wrt=wrt)
    for w, g in zip(wrt, got, strict=True):
        assert np.shape(g) == np.shape(args[w])


# ----- the caller's arrays -----------------------------------------------------------------------


def touches_everything(x, y):
    s = x * 2.0
    s += y
    z = x[[0, 0, 1]] * y[:3] + x[1:] ** 2
    return np.sum(z) + np.sum(np.where(x > 0, s, y)) + np.sum(x.reshape(2, 2).T * 3)


def test_caller_arrays_not_modified():
    x, y = A.copy(), B.copy()
    gx, gy = npgrad.grad(touches_everything, wrt=(0, 1))(x, y)
    np.testing.assert_array_equal(x, A)
    np.testing.assert_array_equal(y, B)
    assert not np.shares_memory(gx, x) and not np.shares_memory(gy, y)
    np.testing.assert_allclose(gx, numerical_grad(touches_everything, (A, B), 0), rtol=1e-6)
    np.testing.assert_allclose(gy, numerical_grad(touches_everything, (A, B), 1), rtol=1e-6)
    gx[:] = 99.0  # the caller may write to a gradient: it must not show up anywhere else
    np.testing.assert_array_equal(x, A)
    np.testing.assert_array_equal(y, B)


def shared_adjoint(x, w):
    return np.sum((x + w) ** 2)


def test_gradients_do_not_share_memory():
    gx, gw = npgrad.grad(shared_adjoint, wrt=(0, 1))(A, B)
    assert not np.shares_memory(gx, gw)


# ----- re-transforming the same function ---------------------------------------------------------


def retransform_options(x):
    return np.sum(np.sin(x) * x)


def retransform_wrt(x, y):
    return np.sum(np.sin(x) * y)


def _factory(c):
    def f(x):
        return np.sum(np.sin(x) * x * c)

    return f


@pytest.mark.parametrize("case", ["optimize", "value_and_grad", "wrt", "factory"])
def test_retransform_same_function(case):
    if case == "optimize":
        npgrad.grad(retransform_options)(A)
        got = npgrad.grad(retransform_options, optimize=False)(A)
        np.testing.assert_allclose(got, numerical_grad(retransform_options, (A,), 0), 1e-6)
    elif case == "value_and_grad":
        npgrad.grad(retransform_options)(A)
        _, got = npgrad.value_and_grad(retransform_options)(A)
        np.testing.assert_allclose(got, numerical_grad(retransform_options, (A,), 0), 1e-6)
    elif case == "wrt":
        npgrad.grad(retransform_wrt, wrt=0)(A, B)
        got = npgrad.grad(retransform_wrt, wrt="y")(A, B)
        np.testing.assert_allclose(got, numerical_grad(retransform_wrt, (A, B), 1), 1e-6)
    else:
        for c in (1.0, 2.0):
            f = _factory(c)
            np.testing.assert_allclose(npgrad.grad(f)(A), numerical_grad(f, (A,), 0), 1e-6)


# ----- property: random broadcast-compatible shapes ----------------------------------------------


def broadcast_property(a, b):
    return np.sum(np.sin(a) * b + a / (1 + b * b))


@settings(max_examples=25, deadline=None)
@given(
    shapes=mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=3, max_side=3),
    seed=st.integers(0, 2**32 - 1),
)
def test_property_broadcast_pairs(shapes, seed):
    rng = np.random.default_rng(seed)
    sa, sb = shapes.input_shapes
    a = rng.uniform(-2.0, 2.0, size=sa)
    b = rng.uniform(-2.0, 2.0, size=sb)
    ga, gb = check_grad(broadcast_property, a, b, wrt=(0, 1))
    assert np.shape(ga) == sa and np.shape(gb) == sb
