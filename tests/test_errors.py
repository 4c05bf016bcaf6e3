"""Every way a transform can fail: the exception class, and a message that points at the
offending construct (file:line:col, the source line, a caret line) and says what to do.

Line numbers are found with `inspect` from the functions themselves, never hard-coded.
"""

from __future__ import annotations

import inspect
import math

import numpy as np
import pytest
from fd import check_grad, numerical_grad

import npgrad

X = np.array([0.3, -1.2, 2.0, 0.9])


def position(func, needle):
    """(line, 1-based column, line text) of the first occurrence of `needle` in func's source."""
    lines, start = inspect.getsourcelines(func)
    for k, text in enumerate(lines):
        if needle in text:
            return start + k, text.index(needle) + 1, text.rstrip("\n")
    raise AssertionError(f"{needle!r} not in the source of {func.__name__}")


def assert_points_at(exc, func, needle):
    """The message names file:line:col of `needle`, shows its line and a caret under it."""
    msg = str(exc)
    line, col, text = position(func, needle)
    filename = inspect.getsourcefile(func)
    assert f"{filename}:{line}:{col}:" in msg, msg
    lines = msg.splitlines()
    shown = [k for k, s in enumerate(lines) if s.strip() == text.strip()]
    assert shown, f"source line {text.strip()!r} not shown in:\n{msg}"
    k = shown[0]
    caret = lines[k + 1]
    assert caret.strip() and set(caret.strip()) == {"^"}, msg
    assert caret.index("^") == lines[k].index(needle), msg  # the caret is under the construct
    assert_has_hint(exc)


def assert_has_hint(exc):
    msg = str(exc)
    assert "what to do:" in msg, msg
    hint = msg.split("what to do:", 1)[1].strip()
    assert len(hint) > 10, msg


def transform_error(func, cls, wrt=0, args=(X,)):
    """The error of transforming func: on `.source` (no call) and on a call, same class."""
    with pytest.raises(cls) as on_source:
        npgrad.grad(func, wrt=wrt).source  # noqa: B018
    with pytest.raises(cls) as on_call:
        npgrad.grad(func, wrt=wrt)(*args)
    assert str(on_source.value) == str(on_call.value)
    assert isinstance(on_source.value, npgrad.TransformError)
    return on_source.value


# ----- control flow -----------------------------------------------------------------------------


def returns_from_loop(x):
    s = 0.0
    for i in range(3):
        s = s + x[i]
        if s > 10:
            return s
    return s


@pytest.mark.parametrize("sign", [1.0, 10.0])
def test_return_inside_a_loop_is_differentiated(sign):
    check_grad(returns_from_loop, X * sign)  # returns from the loop when sign is 10


def may_fall_off_the_end(x):
    s = 0.0
    for i in range(3):
        s = s + x[i]
        if s > 10:
            return s
    s = s * 2


@pytest.mark.parametrize(
    "func, needle",
    [(may_fall_off_the_end, "s = s * 2")],
    ids=["a path that returns None"],
)
def test_control_flow_not_supported_yet(func, needle):
    exc = transform_error(func, npgrad.UnsupportedSyntaxError)
    assert_points_at(exc, func, needle)


def prints_then_branches(x):
    print("npgrad-test should not run")
    try:
        y = np.sum(x)
    finally:
        y = 0.0
    return np.sum(x * 2) + y


def test_error_is_raised_before_anything_runs(capsys):
    with pytest.raises(npgrad.UnsupportedSyntaxError):
        npgrad.grad(prints_then_branches)(X)
    assert "npgrad-test" not in capsys.readouterr().out


# ----- calls npgrad cannot see into --------------------------------------------------------------


def user_helper(v):
    return v * 2.0


def calls_user_function(x):
    y = np.sin(x)
    return np.sum(user_helper(y))


def calls_unknown_numpy(x):
    return np.sum(np.unwrap(x) ** 2)


def calls_unknown_method(x):
    return np.sum(x.tolist())


def calls_local_lambda(x):
    double = lambda v, k=2.0: v * k  # noqa: E731  (with a default: not inlined)
    return np.sum(double(x))


def calls_builtin_nextafter(x):
    return math.nextafter(x[0], x[1])


@pytest.mark.parametrize(
    "func, needle",
    [
        (calls_unknown_numpy, "np.unwrap(x)"),
        (calls_unknown_method, "x.tolist()"),
        (calls_local_lambda, "double(x)"),
        (calls_builtin_nextafter, "math.nextafter(x[0], x[1])"),
    ],
    ids=["np.unwrap", "x.tolist()", "local lambda", "math.nextafter"],
)
def test_unknown_function(func, needle):
    exc = transform_error(func, npgrad.NoDerivativeError)
    assert_points_at(exc, func, needle)


def helper_with_try(v):
    try:
        w = v * 2.0
    except ValueError:
        w = v
    return w


def calls_helper_with_try(x):
    return np.sum(helper_with_try(np.sin(x)))


def test_a_helper_that_cannot_be_inlined_reports_its_own_line():
    exc = transform_error(calls_helper_with_try, npgrad.UnsupportedSyntaxError)
    assert_points_at(exc, helper_with_try, "try:")


def recursive_with_star_args(v, *rest):
    if not rest:
        return v
    return v * recursive_with_star_args(v, *rest[1:])


def calls_recursive(x):
    return np.sum(recursive_with_star_args(x, 1, 2))


def test_recursion_through_star_args_is_refused():
    exc = transform_error(calls_recursive, npgrad.UnsupportedSyntaxError)
    assert "*args" in exc.message


def test_unknown_scipy_function():
    special = pytest.importorskip("scipy.special")

    def calls_scipy(x):
        y = special.ellipk(x)
        return np.sum(y)

    exc = transform_error(calls_scipy, npgrad.NoDerivativeError)
    assert_points_at(exc, calls_scipy, "special.ellipk(x)")
    assert "ellipk" in exc.message


def test_unknown_function_on_a_constant_is_fine():
    w = np.array([1.0, 2.0, 3.0, 4.0])

    def f(x):
        return np.sum(x * user_helper(w))

    np.testing.assert_allclose(npgrad.grad(f)(X), 2.0 * w)  # by hand; d(x . 2w)/dx


# ----- non-scalar output -------------------------------------------------------------------------


def returns_array(x):
    return np.sin(x)


def returns_tuple(x):
    return np.sum(x), np.sum(x * 2)


def returns_list(x):
    return [np.sum(x)]


def returns_constant_array(x):
    return np.zeros(3)


def test_array_output_class():
    with pytest.raises(npgrad.NonScalarOutputError) as info:
        npgrad.grad(returns_array)(X)
    assert isinstance(info.value, ValueError)  # also catchable as the builtin
    assert "(4,)" in str(info.value)
    assert_has_hint(info.value)


def test_array_output_points_at_return():
    with pytest.raises(npgrad.NonScalarOutputError) as info:
        npgrad.grad(returns_array)(X)
    assert_points_at(info.value, returns_array, "return np.sin(x)")


def test_constant_array_output():
    with pytest.raises(npgrad.NonScalarOutputError):
        npgrad.grad(returns_constant_array)(X)


def returns_column_sums(m):
    return np.sum(m * 2.0, axis=1)


def returns_row_sums(m):
    return np.sum(m * 2.0, axis=0)


def returns_row_means_plus_total(m):
    return np.mean(m, 0) + np.sum(m)


def test_partial_reduction_output():
    with pytest.raises(npgrad.NonScalarOutputError):
        npgrad.grad(returns_column_sums)(np.ones((3, 4)))


@pytest.mark.parametrize("func", [returns_row_sums, returns_row_means_plus_total])
def test_partial_reduction_over_axis_0_output(func):
    with pytest.raises(npgrad.NonScalarOutputError):
        npgrad.grad(func)(np.ones((3, 4)))


@pytest.mark.parametrize(
    "func, needle",
    [(returns_tuple, "np.sum(x), np.sum(x * 2)"), (returns_list, "[np.sum(x)]")],
    ids=["tuple", "list"],
)
def test_sequence_output(func, needle):
    exc = transform_error(func, npgrad.NonScalarOutputError)
    assert_points_at(exc, func, needle)


# ----- wrt arguments without a gradient ----------------------------------------------------------


def scaled_sum(x, s):
    return np.sum(x * s)


@pytest.mark.parametrize(
    "args, wrt, name, kind",
    [
        ((np.array([1, 2, 3]), 2.0), 0, "x", "int"),
        ((X, 3), 1, "s", "int"),
        ((X, True), 1, "s", "bool"),
        ((np.array([True, False]), 2.0), 0, "x", "bool"),
        ((X, np.int32(2)), "s", "s", "int32"),
        ((X + 1j, 2.0), 0, "x", "complex"),
    ],
    ids=["int array", "python int", "python bool", "bool array", "numpy int", "complex"],
)
def test_wrt_argument_without_gradient(args, wrt, name, kind):
    g = npgrad.grad(scaled_sum, wrt=wrt)
    with pytest.raises(npgrad.WrtTypeError) as info:
        g(*args)
    assert isinstance(info.value, TypeError)  # also catchable as the builtin
    msg = str(info.value)
    assert f"`{name}`" in msg and kind in msg, msg
    assert_has_hint(info.value)


def test_wrt_passed_by_keyword_is_checked():
    with pytest.raises(npgrad.WrtTypeError):
        npgrad.grad(scaled_sum, wrt="s")(X, s=np.array([1, 2, 3, 4]))


def one_param(x):
    return np.sum(x)


def test_wrt_not_a_parameter():
    with pytest.raises(npgrad.TransformError) as info:
        npgrad.grad(one_param, wrt="y")(X)
    msg = str(info.value)
    assert "'y'" in msg and "one_param(x)" in msg, msg
    assert_has_hint(info.value)


def test_wrt_index_out_of_range():
    with pytest.raises(npgrad.TransformError) as info:
        npgrad.grad(one_param, wrt=3)(X)
    msg = str(info.value)
    assert "wrt=3" in msg and "1 positional" in msg, msg
    assert_has_hint(info.value)


def test_wrt_negative_index():
    with pytest.raises(npgrad.TransformError):
        npgrad.grad(scaled_sum, wrt=-1)(X, 2.0)


def test_wrt_varargs_is_refused():
    def f(x, *rest):
        return np.sum(x)

    with pytest.raises(npgrad.TransformError):
        npgrad.grad(f, wrt="rest")(X, 1.0)


def wrt_target(x, y):
    return np.sum(x * y)


@pytest.mark.parametrize("wrt", ["z", 5], ids=["name", "index"])
def test_bad_wrt_points_at_function(wrt):
    with pytest.raises(npgrad.TransformError) as info:
        npgrad.grad(wrt_target, wrt=wrt).source  # noqa: B018
    line, _, _ = position(wrt_target, "def wrt_target")
    assert f"{inspect.getsourcefile(wrt_target)}:{line}:" in str(info.value)


def test_empty_wrt():
    with pytest.raises(ValueError):
        npgrad.grad(one_param, wrt=())


# ----- functions without source ------------------------------------------------------------------


def test_exec_function():
    namespace = {"np": np}
    exec("def made_by_exec(x):\n    return np.sum(x * x)\n", namespace)
    with pytest.raises(npgrad.SourceUnavailableError) as info:
        npgrad.grad(namespace["made_by_exec"])(X)
    assert "made_by_exec" in str(info.value)
    assert_has_hint(info.value)


@pytest.mark.parametrize("func", [math.sin, abs, np.sin], ids=["math.sin", "abs", "np.sin"])
def test_builtin_function(func):
    with pytest.raises(npgrad.SourceUnavailableError) as info:
        npgrad.grad(func)(1.0)
    assert_has_hint(info.value)


def test_numpy_dispatcher_function():
    with pytest.raises(npgrad.SourceUnavailableError):
        npgrad.grad(np.sum)(X)


# ----- writing into arrays -----------------------------------------------------------------------


def writes_parameter(x):
    x[0] = 5.0
    return np.sum(x)


def writes_intermediate(x):
    y = np.sin(x)
    y[1:] = 0.0
    return np.sum(y)


def writes_view_of_parameter(x):
    v = x[:2]
    v[0] = 1.0
    return np.sum(x**2)


@pytest.mark.parametrize("func", [writes_parameter, writes_intermediate])
def test_in_place_write_to_differentiated_array(func):
    """Writes are differentiated (tests/test_inplace.py); the caller's array stays."""
    before = X.copy()
    check_grad(func, X)
    np.testing.assert_array_equal(X, before)


def test_write_through_a_view_read_later():
    before = X.copy()
    exc = transform_error(writes_view_of_parameter, npgrad.UnsupportedSyntaxError)
    assert_points_at(exc, writes_view_of_parameter, "v[0] = 1.0")
    assert "`v`" in exc.message and "`x`" in exc.message
    np.testing.assert_array_equal(X, before)


def mutates_constant_after_use(x):
    c = np.ones(4)
    y = x * c
    c[0] = 5.0
    return np.sum(y)


def fills_constant_after_use(x):
    c = np.ones(4)
    y = x * c
    c.fill(5.0)
    return np.sum(y)


def mutates_constant_through_view(x):
    c = np.ones(4)
    v = c[:2]
    y = x * c
    v[0] = 5.0
    return np.sum(y)


def mutates_constant_parameter(x, c):
    y = np.sin(x) * c
    c[0] = 5.0
    return np.sum(y)


@pytest.mark.parametrize(
    "func, args",
    [
        (mutates_constant_after_use, (X,)),
        (fills_constant_after_use, (X,)),
        (mutates_constant_through_view, (X,)),
        (mutates_constant_parameter, (X, np.ones(4))),
    ],
    ids=["subscript", "method", "through a view", "non-wrt parameter"],
)
def test_constant_mutated_after_use(func, args):
    """The gradient reads the value as it was when it was used (writes make new versions)."""
    before = [a.copy() for a in args]
    got = npgrad.grad(func)(*args)
    for a, b in zip(args, before, strict=True):
        np.testing.assert_array_equal(a, b)  # the gradient changes no argument

    def fresh(*a):  # the function itself writes into `c`: each call gets its own
        return func(*[np.copy(v) for v in a])

    np.testing.assert_allclose(got, numerical_grad(fresh, args, 0), rtol=1e-5, atol=1e-6)


# ----- unsupported keyword arguments -------------------------------------------------------------


def sum_with_out(x):
    out = np.empty(())
    return np.sum(x, out=out)


def sum_with_where(x):
    return np.sum(x, where=x > 0)


def mean_with_out(x):
    out = np.empty(())
    return np.mean(np.sin(x), out=out)


def test_out_arguments_are_writes():
    check_grad(sum_with_out, X)
    check_grad(mean_with_out, X)


@pytest.mark.parametrize(
    "func, needle",
    [(sum_with_where, "np.sum(x, where=x > 0)")],
    ids=["sum where"],
)
def test_unsupported_keyword(func, needle):
    exc = transform_error(func, npgrad.UnsupportedSyntaxError)
    assert_points_at(exc, func, needle)
    assert "out" in exc.message or "where" in exc.message


# ----- other unsupported syntax ------------------------------------------------------------------


def comprehension(x):  # list comprehensions are built by append now (tests/test_lists.py)
    return sum(v**2 for v in x)


def with_try(x):
    try:
        y = np.sin(x)
    except ValueError:
        y = x
    return np.sum(y)


def nested_def(x):
    def inner(v):
        return v

    return np.sum(x)


def local_np(x):
    np = 3.0
    return x * np


def no_return(x):
    y = x * 2  # noqa: F841


def after_return(x):
    return np.sum(x)
    y = x * 2  # noqa: F841


async def asynchronous(x):
    return np.sum(x)


def walrus(x):
    return np.sum((y := x * 2) * y)


@pytest.mark.parametrize(
    "func, needle",
    [
        (comprehension, "(v**2 for v in x)"),
        (with_try, "try:"),
        (nested_def, "def inner(v):"),
        (local_np, "np = 3.0"),
        (no_return, "y = x * 2"),
        (after_return, "y = x * 2"),
        (walrus, "(y := x * 2)"),
    ],
    ids=lambda v: v.__name__ if callable(v) else None,
)
def test_unsupported_syntax(func, needle):
    exc = transform_error(func, npgrad.UnsupportedSyntaxError)
    if func is walrus:
        needle = "y := x * 2"
    assert_points_at(exc, func, needle)


def test_async_function():
    exc = transform_error(asynchronous, npgrad.UnsupportedSyntaxError)
    assert_points_at(exc, asynchronous, "async def asynchronous")


def test_errors_are_transform_errors():
    for cls in (
        npgrad.UnsupportedSyntaxError,
        npgrad.NoDerivativeError,
        npgrad.SourceUnavailableError,
        npgrad.NonScalarOutputError,
        npgrad.WrtTypeError,
    ):
        assert issubclass(cls, npgrad.TransformError)
