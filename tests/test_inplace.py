"""Imperative NumPy: writes into arrays, augmented assignment, ufunc.at, put, fill, copyto,
out= arguments; checked against central finite differences, and the caller's arrays stay."""

from __future__ import annotations

import numpy as np
import pytest
from fd import numerical_grad

import npgrad

RNG = np.random.default_rng(4)
X = RNG.normal(size=6)
M = RNG.normal(size=(3, 4))


def check(f, *args, wrt=0):
    """npgrad's gradient against finite differences of the original function, each call
    on fresh copies (the original writes into its arguments); the arguments stay as they
    were."""
    before = [np.copy(a) for a in args]
    got = npgrad.grad(f, wrt=wrt)(*args)
    for a, b in zip(args, before, strict=True):
        np.testing.assert_array_equal(a, b)

    def fresh(*a):
        return f(*[np.copy(v) if isinstance(v, np.ndarray) else v for v in a])

    expected = numerical_grad(fresh, args, wrt)
    np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-6)
    return got


# ----- every index form, on an array made here and on the argument itself ------------------


def int_index(x):
    y = x * 2.0
    y[1] = x[0] ** 3
    y[-1] = 7.0
    return np.sum(y * x)


def slices_with_steps(x):
    y = np.zeros(6)
    y[::2] = np.sin(x[1::2])
    y[5:0:-2] = x[:3] * x[3:]
    return np.sum(y**2)


def ellipsis_and_none(x):
    y = np.ones((2, 3))
    y[...] = x[:3]
    y[None, 0] = x[3:] ** 2
    return np.sum(y * np.cos(y))


def integer_array_repeated(x):
    y = np.zeros(4)
    y[[0, 2, 0, 3]] = x[:4] * 3.0  # x[0]'s write is overwritten by x[2]'s
    return np.sum(y * np.arange(1.0, 5.0))


def mask_from_data(x):
    y = x.copy()
    y[x > 0] = x[x > 0] ** 2  # the mask depends on the differentiated value
    return np.sum(y * y)


def tuple_index(m):
    y = m * 1.0
    y[1, 1:3] = m[0, :2] * m[2, 2:]
    y[:, 0] = 0.0
    y[np.array([0, 2]), -1] = np.tanh(m[1, :2])
    return np.sum(y**2)


def writes_argument(x):
    x[2:4] = x[:2] * 5.0  # the caller's array must not change
    return np.sum(np.exp(x))


def broadcast_value(m):
    y = np.zeros((3, 4))
    y[1:] = m[0]  # a row broadcast to two rows
    y[0] = np.sum(m)
    return np.sum(y * m)


@pytest.mark.parametrize(
    "f, arg",
    [
        (int_index, X),
        (slices_with_steps, X),
        (ellipsis_and_none, X),
        (integer_array_repeated, X),
        (mask_from_data, X),
        (tuple_index, M),
        (writes_argument, X),
        (broadcast_value, M),
    ],
)
def test_setitem(f, arg):
    check(f, arg)


# ----- augmented assignment ----------------------------------------------------------------


def aug_subscripts(x):
    y = x + 1.0
    y[1:3] += x[3:5]
    y[0] -= x[5] * 2
    y[2:] *= x[:4]
    y[::3] /= x[1:3] + 3.0
    y[4] **= 2
    return np.sum(y**2)


def aug_repeated_indices(x):
    y = x * 1.0
    y[[1, 1, 4]] += x[:3]  # NumPy: y[1] = y[1] + x[1] (the last write wins)
    return np.sum(y**3)


def aug_mask(x):
    y = x**2
    y[y > 0.5] *= x[y > 0.5]
    return np.sum(y)


def aug_names_on_argument(x, s):
    x += 1.0
    x *= np.sin(x)
    x /= 2.0
    x **= 2
    s += np.sum(x)  # s: a float
    return s * np.sum(x)


@pytest.mark.parametrize("f", [aug_subscripts, aug_repeated_indices, aug_mask])
def test_augmented_subscript(f):
    check(f, X)


def test_augmented_names_have_numpy_semantics():
    check(aug_names_on_argument, X, 0.7)
    check(aug_names_on_argument, X, 0.7, wrt=1)


# ----- ufunc.at, put, fill, copyto, out= ------------------------------------------------


def add_at(x):
    acc = np.zeros(3)
    np.add.at(acc, [0, 2, 0, 0], x[:4])  # repeated indices accumulate
    np.subtract.at(acc, [1, 1], x[4:])
    return np.sum(acc**2)


def put(x):
    y = np.ones(6)
    np.put(y, [0, 3, 0], x[:2])  # x repeats to fill the indices; the last write wins
    return np.sum(y * x)


def fill_and_copyto(x):
    y = np.empty(6)
    y.fill(np.sum(x))
    z = x * 1.0
    np.copyto(z, x**2, where=x > 0)
    w = np.zeros(6)
    np.copyto(w, np.sin(x))
    return np.sum(y * z * w)


def out_arguments(x):
    buf = np.empty(6)
    np.exp(x, out=buf)
    t = np.multiply(buf, x, out=buf)
    return np.sum(t) + np.sum(buf)


@pytest.mark.parametrize("f", [add_at, put, fill_and_copyto, out_arguments])
def test_write_functions(f):
    check(f, X)


# ----- loops: writes that read earlier writes, time stepping, tables ------------------------


def recurrence(x):
    out = np.zeros(6)
    out[0] = x[0]
    for i in range(1, 6):
        out[i] = out[i - 1] * x[i] + np.sin(out[i - 1])
    return np.sum(out**2)


def heat(u0):
    u = u0.copy()
    for _ in range(20):
        u[1:-1] = u[1:-1] + 0.2 * (u[2:] - 2 * u[1:-1] + u[:-2])
    return np.sum(u**2)


def nonlinear_steps(u0):
    u = u0 * 1.0
    for _ in range(5):
        u[1:-1] *= np.tanh(u[2:] + u[:-2])  # the overwritten slice is read by the reverse
    return np.sum(u**2)


def table(x):
    n = x.shape[0]
    r = np.zeros((n + 1, n + 1))
    r[0, 1:] = 10.0
    r[1:, 0] = 10.0
    for i in range(1, n + 1):
        for j in range(1, n + 1):
            d = (x[i - 1] - x[j - 1] * 0.5) ** 2
            r[i, j] = d + min(r[i - 1, j - 1], r[i - 1, j], r[i, j - 1])
    return r[n, n]


def masked_in_loop(x):
    y = x.copy()
    for _ in range(3):
        y[y < 0] = y[y < 0] * 0.5 + 0.1  # the mask changes every iteration
    return np.sum(y**3)


def view_in_reverse(x):
    y = x * 2.0
    v = y[1:3]
    s = np.sum(v**3)
    y[1] = 0.0
    return s + np.sum(y * x)


def old_read_in_loop(x):
    out = x * 1.0
    acc = 0.0
    for i in range(4):
        acc = acc + np.sum(out * out)
        out[i] = out[i + 1] ** 2
    return acc + np.sum(out)


def branch_write(x):
    out = np.zeros(5)
    for i in range(5):
        if x[i] > 0:
            out[i] = x[i] ** 2
        else:
            out[i:] += x[i]
    return np.sum(out * x[:5])


def whole_copy(x):
    y = x.copy()
    z = y * 3.0
    y[:] = np.sin(z)
    y[0] += z[1]
    return np.sum(y * z)


def two_arrays(x):
    a = np.zeros(3)
    b = np.ones(3)
    for i in range(3):
        a[i] = b[i] * x[i]
        b[(i + 1) % 3] = a[i] + x[i]
    return np.sum(a * b)


def reshape_write(x):
    m = x.reshape(2, 3).copy()
    m[0, :] *= m[1, :]
    m[:, 1] = np.exp(m[:, 2])
    return np.sum(m**2)


@pytest.mark.parametrize(
    "f",
    [
        recurrence,
        heat,
        nonlinear_steps,
        table,
        masked_in_loop,
        view_in_reverse,
        old_read_in_loop,
        branch_write,
        whole_copy,
        two_arrays,
        reshape_write,
    ],
)
def test_loops(f):
    check(f, X)


def test_writes_in_a_loop_happen_in_place():
    """The fill loop and the time loop write into their arrays, with no copy per write."""
    source = npgrad.grad(recurrence).source
    assert "rt.setitem(" not in source and "out_2[i] = " in source
    forward = npgrad.grad(heat).source.split("for _ in range(20):")[1].split("dheat")[0]
    assert "rt.setitem(" not in forward and "u_1[1:-1] = " in forward


def test_heat_tape_holds_no_arrays():
    """The linear heat step saves only shape stand-ins (no data for large grids)."""
    source = npgrad.grad(heat).source
    pushes = [line for line in source.splitlines() if "tape.append(" in line]
    assert len(pushes) == 1
    saved = pushes[0].split("tape.append((", 1)[1].rstrip(")").split(", ")
    assert saved and all(item.startswith("rt.shell(") for item in saved), saved
    check(heat, RNG.normal(size=5000))


def test_tape_keeps_the_overwritten_slice():
    source = npgrad.grad(nonlinear_steps).source
    assert "rt.snapshot(" in source  # the slice the write destroys, copied for the reverse


def test_value_and_grad_value():
    value, _ = npgrad.value_and_grad(recurrence)(X)
    assert value == pytest.approx(recurrence(X.copy()))


# ----- views and aliases: refused when the other name is read after the write ---------------


def view_read_after(x):
    y = x * 2.0
    v = y[1:3]
    v[0] = 5.0
    return np.sum(y * x)


def alias_read_after(x):
    y = x * 2.0
    z = y
    y[0] = 1.0
    return np.sum(z * x)


def reshape_read_after(x):
    y = x * 2.0
    m = y.reshape(2, 3)
    y[0] = 1.0
    return np.sum(m * 3.0)


@pytest.mark.parametrize(
    "f, names",
    [
        (view_read_after, ("`v`", "`y`")),
        (alias_read_after, ("`y`", "`z`")),
        (reshape_read_after, ("`y`", "`m`")),
    ],
)
def test_write_seen_through_another_name_is_refused(f, names):
    with pytest.raises(npgrad.UnsupportedSyntaxError) as info:
        npgrad.grad(f)(X)
    message = str(info.value)
    for name in names:
        assert name in message
    assert "line" in message and "what to do" in message


def view_dead_after(x):
    y = x * 2.0
    v = y[1:3]
    s = np.sum(v)
    y[1] = 0.0  # v is not read again: nothing can see the difference
    return s + np.sum(y * x)


def test_alias_not_read_after_is_fine():
    check(view_dead_after, X)


def test_forward_value_unchanged():
    for f in (int_index, aug_subscripts, add_at, table):
        value, _ = npgrad.value_and_grad(f)(X.copy())
        assert value == pytest.approx(f(X.copy()))


def nested_subscript_write(x):
    y = np.zeros((2, 3))
    y[0][1] = x[0]  # writes through the view y[0]: not followed
    return np.sum(y)


def test_nested_subscript_write_is_refused():
    with pytest.raises(npgrad.UnsupportedSyntaxError) as info:
        npgrad.grad(nested_subscript_write)(X)
    assert "y[0][1] = x[0]" in str(info.value) and "a[i, j] = v" in str(info.value)


@pytest.mark.parametrize(
    "f", [int_index, integer_array_repeated, aug_subscripts, add_at, put, heat]
)
def test_forward_mode(f):
    """Forward mode (transforms/forward.py) pushes tangents through the same writes."""
    got = npgrad.grad(f, mode="forward")(X)
    expected = numerical_grad(lambda x: f(np.copy(x)), (X,), 0)
    np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-6)


# ----- multiply.at, divide.at, maximum.at, minimum.at: a reduction per written place -------

V = np.array([1.3, -0.7, 0.6, 2.1, 0.9, -1.6])


def multiply_at_repeated(x, v):
    a = x * 1.0
    np.multiply.at(a, [0, 2, 0, 0, 5, 2], v)  # a[0] *= v0 * v2 * v3, a[2] *= v1 * v5
    return np.sum(a * np.arange(1.0, 7.0))


def divide_at_repeated(x, v):
    a = x * 1.0
    np.divide.at(a, [0, 2, 0, 0, 5, 2], v)
    return np.sum(np.sin(a))


def maximum_at_repeated(x, v):
    a = x * 1.0
    np.maximum.at(a, [0, 2, 0, 0, 5, 2], v)
    return np.sum(a * np.arange(1.0, 7.0))


def minimum_at_repeated(x, v):
    a = x * 1.0
    np.minimum.at(a, [0, 2, 0, 0, 5, 2], v)
    return np.sum(a * np.arange(1.0, 7.0))


def multiply_at_2d(x, v):
    a = np.reshape(x, (2, 3)) * 1.0
    np.multiply.at(a, ([0, 1, 0, 0], [2, 1, 2, 2]), v[:4])  # tuple index, repeated (0, 2)
    np.multiply.at(a, [1, 1], v[4])  # whole rows, a number broadcast
    return np.sum(a**2)


def maximum_at_rows(x, v):
    a = np.reshape(x, (2, 3)) * 1.0
    np.maximum.at(a, [1, 0, 1], np.reshape(v[:3], (1, 3)) * 2.0)  # rows, v broadcast
    return np.sum(a * np.cos(a))


def multiply_at_in_loop(x, v):
    a = np.ones(4)
    idx = np.array([0, 3, 0])
    for k in range(3):
        np.multiply.at(a, idx, v[k : k + 3])
        np.divide.at(a, [k, k], x[k : k + 2])
        a = a + x[:4]
    return np.sum(a * a)


MULTI = [multiply_at_repeated, divide_at_repeated, maximum_at_repeated, minimum_at_repeated,
         multiply_at_2d, maximum_at_rows, multiply_at_in_loop]  # fmt: skip
XS = RNG.uniform(0.5, 1.5, size=6) * np.array([1, -1, 1, 1, -1, 1])


@pytest.mark.parametrize("f", MULTI)
@pytest.mark.parametrize("wrt", [0, 1])
def test_reducing_at(f, wrt):
    got = check(f, XS, V, wrt=wrt)
    value, _ = npgrad.value_and_grad(f, wrt=wrt)(XS.copy(), V.copy())
    assert value == pytest.approx(f(XS.copy(), V.copy()))
    forward = npgrad.grad(f, wrt=wrt, mode="forward")(XS, V)
    np.testing.assert_allclose(forward, got, rtol=1e-9, atol=1e-12)


def test_multiply_at_zeros():
    """Zeros among the values at one place, and in `a`: exact, with no division."""
    v = np.array([0.0, 1.5, 0.0, 2.0, -1.0, 0.5])  # place 0 gets v0 = 0 and v2 = 0 ...
    x = np.array([0.0, 1.0, -2.0, 0.5, 3.0, 1.2])  # ... and a[0] is 0 too
    for wrt in (0, 1):
        check(multiply_at_repeated, x, v, wrt=wrt)
        check(multiply_at_2d, x, v, wrt=wrt)
    v1 = np.array([0.0, 1.5, 0.4, 2.0, -1.0, 0.5])  # one zero at place 0: its gradient is
    got = npgrad.grad(multiply_at_repeated, wrt=1)(x + 1.0, v1)  # the others' product
    assert got[0] == pytest.approx((x[0] + 1.0) * v1[2] * v1[3] * 1.0)


def test_reducing_at_integers_with_floats_is_refused_at_run_time():
    """NumPy rounds an integer array after every occurrence; npgrad refuses, clearly."""

    def f(x):
        a = np.arange(6)
        np.multiply.at(a, [1, 1], x[:2])
        return np.sum(a * x)

    with pytest.raises(TypeError, match=r"np.multiply.at into an array of int64"):
        npgrad.grad(f)(XS)

    def g(x):
        a = np.arange(6)
        np.maximum.at(a, [1, 1, 4], np.array([3, -2, 9]))  # integers: exactly NumPy's
        return np.sum(a * x)

    check(g, XS)
    assert npgrad.value_and_grad(g)(XS)[0] == pytest.approx(g(XS))


def power_at(x):
    a = x * 1.0
    np.power.at(a, [0, 1], 2.0)
    return np.sum(a)


def test_power_at_is_refused():
    with pytest.raises(npgrad.UnsupportedSyntaxError) as info:
        npgrad.grad(power_at)(X)
    assert "np.power.at" in str(info.value)


def multiply_at_seen_through_view(x):
    y = x * 2.0
    v = y[1:3]
    np.multiply.at(y, [1, 1], x[:2])
    return np.sum(v) + np.sum(y)


def test_multiply_at_seen_through_a_view_is_refused():
    with pytest.raises(npgrad.UnsupportedSyntaxError) as info:
        npgrad.grad(multiply_at_seen_through_view)(X)
    assert "`y`" in str(info.value) and "`v`" in str(info.value)


def multiply_at_no_index(x):
    a = x * 1.0
    np.multiply.at(a, np.array([], dtype=int), x[:0])
    np.minimum.at(a, [], 0.0)
    return np.sum(a**2)


def test_reducing_at_with_no_index_is_refused_at_run_time():
    with pytest.raises(ValueError, match="selects nothing"):
        npgrad.grad(multiply_at_no_index)(X)
