"""The public API around the compiler: decorator forms, `.primal`, `.source`, caching,
determinism, tracebacks into generated code, and what the generated code looks like.

Gradients are checked against central finite differences only.
"""

from __future__ import annotations

import functools
import linecache
import re
import threading
import traceback

import npgrad.transforms.pipeline
import numpy as np
import pytest
from fd import numerical_grad

import npgrad
import npgrad.api

RNG = np.random.default_rng(3)
W = RNG.normal(size=3)
XM = RNG.normal(size=(6, 3))
Y = (RNG.uniform(size=6) > 0.5).astype(float)


def logistic(w, X, y):
    p = 1 / (1 + np.exp(-X @ w))
    return -np.mean(y * np.log(p) + (1 - y) * np.log(1 - p))


# ----- decorator forms --------------------------------------------------------------------------


@npgrad.grad
def plain_decorated(w, X, y):
    p = 1 / (1 + np.exp(-X @ w))
    return -np.mean(y * np.log(p) + (1 - y) * np.log(1 - p))


@npgrad.grad(wrt="X")
def decorated_with_wrt(w, X, y):
    return np.sum(np.tanh(X @ w) * y)


@npgrad.value_and_grad(wrt=("w", 1))
def decorated_value_and_grad(w, X, y):
    return np.sum(np.tanh(X @ w) * y)


def test_plain_decorator():
    got = plain_decorated(W, XM, Y)
    assert isinstance(plain_decorated, npgrad.Transformed)
    ref = numerical_grad(plain_decorated.primal, (W, XM, Y), 0)
    np.testing.assert_allclose(got, ref, rtol=1e-6)


def test_decorator_with_wrt():
    got = decorated_with_wrt(W, XM, Y)
    assert got.shape == XM.shape
    ref = numerical_grad(decorated_with_wrt.primal, (W, XM, Y), 1)
    np.testing.assert_allclose(got, ref, rtol=1e-6)


def test_value_and_grad_decorator():
    value, (gw, gx) = decorated_value_and_grad(W, XM, Y)
    primal = decorated_value_and_grad.primal
    assert value == primal(W, XM, Y)
    np.testing.assert_allclose(gw, numerical_grad(primal, (W, XM, Y), 0), rtol=1e-6)
    np.testing.assert_allclose(gx, numerical_grad(primal, (W, XM, Y), 1), rtol=1e-6)


def test_call_form_with_mixed_wrt():
    def f(a, b, c):
        return np.sum(np.sin(a) * b) + np.sum(c)

    a, b = RNG.normal(size=4), RNG.normal(size=4)
    ga, gb = npgrad.grad(f, wrt=(0, "b"))(a, b, 1.0)
    np.testing.assert_allclose(ga, numerical_grad(f, (a, b, 1.0), 0), rtol=1e-6)
    np.testing.assert_allclose(gb, numerical_grad(f, (a, b, 1.0), 1), rtol=1e-6)


def test_primal_is_f():
    g = npgrad.grad(logistic)
    assert g.primal is logistic
    assert plain_decorated.primal(W, XM, Y) == logistic(W, XM, Y)
    assert plain_decorated.__name__ == "grad_plain_decorated"
    assert "plain_decorated" in repr(plain_decorated)


def test_source_is_generated_code():
    g = npgrad.grad(logistic)
    src = g.source
    assert isinstance(src, str)
    assert "def grad_logistic(" in src
    assert npgrad.source(g) == src
    vg = npgrad.value_and_grad(logistic)
    assert "def value_and_grad_logistic(" in npgrad.source(vg)


def test_source_of_something_else():
    with pytest.raises(TypeError):
        npgrad.source(logistic)


def test_unknown_backend_is_refused_at_once():
    with pytest.raises(ValueError, match="nosuch"):
        npgrad.grad(logistic, backend="nosuch")


def wrapping_decorator(fn):
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        return 2.0 * fn(*args, **kwargs)

    return wrapper


@wrapping_decorator
def doubled(x):
    return np.sum(x**2)


def test_functools_wrapped_function():
    x = RNG.normal(size=4)
    try:
        got = npgrad.grad(doubled)(x)
    except npgrad.TransformError:
        return  # refusing is acceptable; a wrong gradient is not
    np.testing.assert_allclose(got, numerical_grad(doubled, (x,), 0), rtol=1e-6)


# ----- caching and determinism -------------------------------------------------------------------


@pytest.fixture
def count_runs(monkeypatch):
    calls = []
    real = npgrad.transforms.pipeline.run

    def counting(*args, **kwargs):
        calls.append(args)
        return real(*args, **kwargs)

    monkeypatch.setattr(npgrad.transforms.pipeline, "run", counting)
    return calls


def test_transform_is_cached(count_runs):
    def f(x):
        return np.sum(np.exp(x) * x)

    x = RNG.normal(size=5)
    g1 = npgrad.grad(f)
    first = g1(x)
    assert len(count_runs) == 1
    g2 = npgrad.grad(f)
    second = g2(x)
    g2.source  # noqa: B018
    npgrad.grad(f, wrt=0).source  # noqa: B018  (the default, spelled out)
    assert len(count_runs) == 1
    assert g1.function is g2.function
    np.testing.assert_array_equal(first, second)
    np.testing.assert_allclose(first, numerical_grad(f, (x,), 0), rtol=1e-6)


def test_transform_runs_lazily(count_runs):
    def f(x):
        return np.sum(x**3)

    g = npgrad.grad(f)
    assert len(count_runs) == 0
    g.source  # noqa: B018
    assert len(count_runs) == 1


def test_other_options_transform_again(count_runs):
    def f(x, y):
        return np.sum(np.sin(x) * y)

    x, y = RNG.normal(size=3), RNG.normal(size=3)
    gx = npgrad.grad(f)(x, y)
    gy = npgrad.grad(f, wrt=1)(x, y)
    _, gx2 = npgrad.value_and_grad(f)(x, y)
    gx3 = npgrad.grad(f, optimize=False)(x, y)
    assert len(count_runs) == 4
    ref_x = numerical_grad(f, (x, y), 0)
    for got in (gx, gx2, gx3):
        np.testing.assert_allclose(got, ref_x, rtol=1e-6)
    np.testing.assert_allclose(gy, numerical_grad(f, (x, y), 1), rtol=1e-6)


def test_source_is_deterministic(monkeypatch):
    def f(w, X, y):
        z = X @ w
        h = np.tanh(z)
        h = np.tanh(h * 2.0 + y)
        return np.sum(h * y) + np.sum(w**2)

    sources = []
    for _ in range(3):
        monkeypatch.setattr(npgrad.api, "_CACHE", {})  # force the pipeline to run again
        sources.append(npgrad.grad(f, wrt=("w", "X")).source)
    assert sources[0] == sources[1] == sources[2]


def _factory():
    def f(x):
        y = np.sin(x) * x
        return np.sum(y[[0, 0, 1]]) + np.sum(y)

    return f


def test_same_code_same_source():
    a, b = _factory(), _factory()
    assert a is not b
    ga, gb = npgrad.grad(a), npgrad.grad(b)
    assert ga.source == gb.source
    x = RNG.normal(size=3)
    np.testing.assert_allclose(gb(x), numerical_grad(b, (x,), 0), rtol=1e-6)


def test_concurrent_first_calls():
    def f(x):
        return np.sum(np.tanh(x) ** 2)

    x = RNG.normal(size=4)
    g = npgrad.grad(f)
    results, errors = [], []

    def work():
        try:
            results.append(g(x))
        except Exception as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    ref = numerical_grad(f, (x,), 0)
    for r in results:
        np.testing.assert_allclose(r, ref, rtol=1e-6)


# ----- tracebacks into generated code ------------------------------------------------------------


def mismatched(x, y):
    return np.sum(np.log(x) * y)


def test_traceback_shows_generated_lines():
    g = npgrad.grad(mismatched)
    with pytest.raises(ValueError) as info:
        g(np.ones(3), np.ones(4))  # shapes that do not broadcast: raised in generated code
    generated = [line.strip() for line in g.source.splitlines() if line.strip()]  # this call's
    frames = [f for f in traceback.extract_tb(info.value.__traceback__) if "npgrad" in f.filename]
    inside = [f for f in frames if f.filename.startswith("<npgrad")]
    assert inside, [f.filename for f in frames]
    frame = inside[-1]
    assert frame.name == "grad_mismatched"
    assert frame.line and frame.line.strip() in generated
    assert linecache.getline(frame.filename, frame.lineno).strip() == frame.line.strip()
    text = "".join(traceback.format_exception(info.value))
    assert frame.line.strip() in text


def test_generated_lines_registered_for_each_transform():
    def f(x):
        return np.sum(np.sqrt(x))

    g = npgrad.grad(f)
    fn = g.function
    filename = fn.__code__.co_filename
    assert filename.startswith("<npgrad")
    lines = linecache.getlines(filename)
    assert "".join(lines).strip() in g.source or g.source.strip() in "".join(lines)


# ----- what the generated code looks like --------------------------------------------------------


def with_dead_code(w, X):
    unused = np.cos(w) * 17.25  # noqa: F841
    also_unused = np.arctan(X)  # noqa: F841
    z = X @ w
    return np.sum(np.tanh(z))


def test_no_dead_statements():
    src = npgrad.grad(with_dead_code).source
    assert "17.25" not in src and "np.cos" not in src and "arctan" not in src
    raw = npgrad.grad(with_dead_code, optimize=False).source
    assert "17.25" in raw  # so the check above is about optimization, not about parsing
    x = RNG.normal(size=3)
    m = RNG.normal(size=(4, 3))
    got = npgrad.grad(with_dead_code)(x, m)
    np.testing.assert_allclose(got, numerical_grad(with_dead_code, (x, m), 0), rtol=1e-6)


def test_no_dead_statements_for_value_and_grad():
    def f(w):
        unused = np.cos(w) * 17.25  # noqa: F841
        return np.sum(w**2)

    src = npgrad.value_and_grad(f).source
    assert "17.25" not in src


def test_named_after_user_variables():
    src = npgrad.grad(logistic, wrt=("w", "X")).source
    assert re.search(r"^\s*dw\b", src, re.M), src
    assert re.search(r"^\s*dX\b", src, re.M), src
    assert re.search(r"^\s*dp\b", src, re.M), src  # the intermediate `p` too
    assert "def grad_logistic(w, X, y)" in src


def test_adjoint_names_do_not_collide_with_user_names():
    def f(w, dw):
        return np.sum(w * dw) + np.sum(np.sin(w))

    w, dw = RNG.normal(size=3), RNG.normal(size=3)
    got = npgrad.grad(f)(w, dw)
    np.testing.assert_allclose(got, numerical_grad(f, (w, dw), 0), rtol=1e-6)


def test_user_names_like_np_and_rt():
    rt = 2.0

    def f(x, rt_=rt):
        return np.sum(np.exp(x) * rt)

    x = RNG.normal(size=3)
    np.testing.assert_allclose(npgrad.grad(f)(x), numerical_grad(f, (x,), 0), rtol=1e-6)


def test_generated_code_is_plain_python():
    src = npgrad.grad(logistic).source
    compile(src, "<check>", "exec")  # a module that stands on its own syntactically
    assert "import numpy as np" in src
    assert "# grad of:" in src


ACTIVATION = np.tanh


def uses_global_activation(x):
    return np.sum(ACTIVATION(x))


def test_rebinding_a_resolved_global_function_retransforms():
    global ACTIVATION
    x = np.array([0.3, -1.2, 0.7])
    g = npgrad.grad(uses_global_activation)
    np.testing.assert_allclose(g(x), numerical_grad(uses_global_activation, (x,), 0), rtol=1e-6)
    ACTIVATION = np.sin
    try:
        np.testing.assert_allclose(g(x), numerical_grad(uses_global_activation, (x,), 0), rtol=1e-6)
        assert "np.cos(x)" in g.source  # the derivative of sin, read from the new binding
    finally:
        ACTIVATION = np.tanh
