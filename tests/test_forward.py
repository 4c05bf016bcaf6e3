"""Forward mode (npgrad.jvp), npgrad.vjp, npgrad.jacobian and grad(mode="forward").

Every derivative is checked against central finite differences in float64 (tests/fd.py) or
a closed form; forward mode is also compared with reverse mode where both apply.
"""

from __future__ import annotations

import subprocess
import sys
from collections import namedtuple

import numpy as np
import pytest
from fd import numerical_grad

import npgrad

RNG = np.random.default_rng(7)


def directional(f, args, tangents, eps=1e-6):
    """(f(args + eps t) - f(args - eps t)) / (2 eps): the JVP by central differences."""

    def moved(sign):
        return [
            a if t is None else _add(a, t, sign * eps) for a, t in zip(args, tangents, strict=True)
        ]

    plus, minus = np.asarray(f(*moved(1))), np.asarray(f(*moved(-1)))
    return (plus - minus) / (2 * eps)


def _add(a, t, eps):
    if isinstance(a, dict):
        return {k: _add(a[k], t[k], eps) for k in a}
    if isinstance(a, tuple | list):
        parts = [_add(x, y, eps) for x, y in zip(a, t, strict=True)]
        return type(a)(*parts) if hasattr(a, "_fields") else type(a)(parts)
    return a + eps * t


def _tangent(a):
    if isinstance(a, dict):
        return {k: _tangent(v) for k, v in a.items()}
    if isinstance(a, tuple | list):
        parts = [_tangent(v) for v in a]
        return type(a)(*parts) if hasattr(a, "_fields") else type(a)(parts)
    t = RNG.normal(size=np.shape(a))
    return float(t) if isinstance(a, float) else t


def check_jvp(f, *args, wrt=(0,), rtol=1e-6, atol=1e-8):
    """npgrad.jvp of f at args, tangents random on `wrt`, against central differences."""
    tangents = [_tangent(a) if i in wrt else None for i, a in enumerate(args)]
    value, tangent = npgrad.jvp(f, args, tangents)
    np.testing.assert_allclose(value, f(*args), rtol=1e-12, atol=1e-12)
    expected = directional(f, list(args), tangents)
    assert np.shape(tangent) == np.shape(expected)
    np.testing.assert_allclose(tangent, expected, rtol=rtol, atol=atol)
    return tangent


# ----- control flow ----------------------------------------------------------------------


def branchy(x, W):
    h = np.tanh(W @ x)
    if np.sum(h) > 0:
        y = h * h
    else:
        y = -h + 1.0
    return np.exp(y) * x


def test_branches_both_ways():
    W = RNG.normal(size=(3, 3))
    for sign in (1.0, -1.0):
        x = sign * np.abs(RNG.normal(size=3))
        check_jvp(branchy, x, W, wrt=(0, 1))


def loops(x, n):
    h = x
    total = 0.0
    for i in range(n):
        if i == 1:
            continue
        h = np.sin(h) * 1.5 + x
        total = total + np.sum(h * h)
        if total > 40.0:
            break
    k = 0
    while k < 3:
        h = h * 0.9 + np.cos(h)
        k += 1
    return total + h


@pytest.mark.parametrize("n", [0, 1, 3, 8])
def test_loops_with_break_and_continue(n):
    check_jvp(loops, RNG.normal(size=4), n)


def newton(a):
    y = a
    for _ in range(50):
        y = y - (y * y - a) / (2 * y)
        if np.max(np.abs(y * y - a)) < 1e-12:
            return y
    return y


def test_return_inside_loop_matches_closed_form():
    a = RNG.uniform(1.0, 4.0, size=3)
    t = check_jvp(newton, a)
    ta = npgrad.jvp(newton, (a,), (np.ones(3),))[1]
    np.testing.assert_allclose(ta, 0.5 / np.sqrt(a), rtol=1e-8)  # d sqrt(a) = 1 / (2 sqrt a)
    assert t.shape == (3,)


def _layer(W, b, x):
    return np.tanh(W @ x + b)


def mlp(params, x):
    h = x
    for W, b in params["layers"]:
        h = _layer(W, b, h)
    return params["out"] @ h


def test_helpers_and_a_dict_of_layers():
    params = {
        "layers": [
            (RNG.normal(size=(4, 3)), RNG.normal(size=4)),
            (RNG.normal(size=(4, 4)), RNG.normal(size=4)),
        ],
        "out": RNG.normal(size=(2, 4)),
    }
    x = RNG.normal(size=3)
    check_jvp(mlp, params, x, wrt=(0,))
    check_jvp(mlp, params, x, wrt=(0, 1))


Params = namedtuple("Params", ["w", "b"])


def affine(p, x):
    return np.sum(np.logaddexp(0.0, x @ p.w + p.b))


def test_namedtuple_argument_and_python_float():
    p = Params(RNG.normal(size=3), 0.25)
    x = RNG.normal(size=(5, 3))
    check_jvp(affine, p, x, wrt=(0, 1))


def rnn(x, W):
    hs = []
    h = np.zeros(3)
    for row in x:
        h = np.tanh(W @ h + row)
        hs.append(h)
    squares = [v * v for v in hs]
    return np.stack(squares) + hs[-1]


def test_lists_built_at_run_time():
    check_jvp(rnn, RNG.normal(size=(4, 3)), RNG.normal(size=(3, 3)) * 0.5, wrt=(0, 1))


def with_lambda(x, act=np.sin):
    sq = lambda t: t * t  # noqa: E731
    return act(sq(x)) / (1.0 + sq(x))


def test_lambda_and_function_argument():
    x = RNG.normal(size=3)
    check_jvp(with_lambda, x)
    check_jvp(with_lambda, x, np.tanh)


def constant_output(x):
    n = x.shape[0]
    return np.ones(3) * n


def test_output_that_does_not_depend_on_the_argument_has_zero_tangent():
    x = RNG.normal(size=4)
    value, tangent = npgrad.jvp(constant_output, (x,), (np.ones(4),))
    np.testing.assert_array_equal(value, 4.0)
    np.testing.assert_array_equal(tangent, np.zeros(3))


def broadcasting(x, y):
    return np.sum((x + y) * 2.0, axis=0)


def test_symbolic_zero_of_a_broadcast_operand_keeps_the_result_shape():
    """x (3,) + y (2, 3) with only x moving: the tangent is broadcast before the sum."""
    x, y = RNG.normal(size=3), RNG.normal(size=(2, 3))
    t = check_jvp(broadcasting, x, y, wrt=(0,))
    _, t1 = npgrad.jvp(broadcasting, (x, y), (np.ones(3), None))
    np.testing.assert_allclose(t1, np.full(3, 4.0))  # closed form: 2 rows, times 2
    assert t.shape == (3,)


def scalar_poly(x):
    return 3.0 * x**3 - x + 0.5


def test_python_float_in_python_float_out():
    value, tangent = npgrad.jvp(scalar_poly, (2.0,), (1.0,))
    assert type(tangent) is float
    assert tangent == pytest.approx(9.0 * 4.0 - 1.0)  # closed form 9x^2 - 1


# ----- the generated code ----------------------------------------------------------------


def test_source_names_tangents_after_variables():
    source = npgrad.jacobian(branchy, mode="forward").source
    assert "def jvp_branchy(x, W, *, tx):" in source
    assert "th = " in source and "ty = " in source
    assert "return (branchy, tbranchy)" in source
    assert "tape" not in source


# ----- refusals --------------------------------------------------------------------------


def svd_loss(a):
    u, s, vt = np.linalg.svd(a)
    return s


def test_singular_values_in_forward_mode():
    check_jvp(svd_loss, RNG.normal(size=(3, 3)))


def _scale(x):
    return 2.0 * x


@npgrad.defvjp(_scale)
def _scale_vjp(g, ans, x):
    return 2.0 * g


def custom_loss(a):
    y = _scale(a)
    return y


def test_function_without_forward_rule_is_refused_at_its_line():
    a = np.eye(3)
    with pytest.raises(npgrad.NoDerivativeError) as info:
        npgrad.jvp(custom_loss, (a,), (a,))
    text = str(info.value)  # a user's defvjp rule has no forward rule
    assert "no forward-mode rule for" in text and "_scale" in text
    assert "test_forward.py" in text and "y = _scale(a)" in text


def eigen(x, y):
    w, v = np.linalg.eigh((x + x.T) + 1j * (y - y.T))
    return w


def eigenvectors(x, y):
    return np.abs(np.linalg.eigh((x + x.T) + 1j * (y - y.T))[1])


def test_complex_eigenvectors_are_refused_at_run_time_eigenvalues_are_not():
    x, y = RNG.normal(size=(3, 3)), RNG.normal(size=(3, 3))
    _, tw = npgrad.jvp(eigen, (x, y), (x, y))  # tangent dA = A: dw = w (closed form)
    np.testing.assert_allclose(tw, eigen(x, y), rtol=1e-10)
    check_jvp(eigen, x, y, wrt=(0, 1))
    with pytest.raises(NotImplementedError, match="eigenvectors"):
        npgrad.jvp(eigenvectors, (x, y), (x, y))


# ----- vjp ---------------------------------------------------------------------------------


def model(W, x, n):
    return np.tanh(W @ x) * n


def test_vjp_against_finite_differences():
    W, x = RNG.normal(size=(4, 3)), RNG.normal(size=3)
    value, vjp_fn = npgrad.vjp(model, W, x, 2)
    np.testing.assert_allclose(value, model(W, x, 2))
    g = RNG.normal(size=4)
    gW, gx, gn = vjp_fn(g)
    assert gn is None  # an integer argument has no cotangent

    def weighted(W, x):
        return np.sum(model(W, x, 2) * g)

    np.testing.assert_allclose(gW, numerical_grad(weighted, (W, x), 0), rtol=1e-6, atol=1e-9)
    np.testing.assert_allclose(gx, numerical_grad(weighted, (W, x), 1), rtol=1e-6, atol=1e-9)
    with pytest.raises(ValueError, match="cotangent"):
        vjp_fn(np.ones(3))
    assert "npgrad_cotangent" in vjp_fn.source


FORWARD_RUNS: list[int] = []


def counted_rnn(x, W):
    FORWARD_RUNS.append(1)  # a side effect: stays in the forward sweep
    h = x
    for _ in range(3):
        h = np.tanh(W @ h)
    return h * 2


def test_vjp_runs_the_forward_sweep_once_for_its_first_call():
    x, W = RNG.normal(size=3), RNG.normal(size=(3, 3))
    FORWARD_RUNS.clear()
    value, vjp_fn = npgrad.vjp(counted_rnn, x, W)
    np.testing.assert_allclose(value, np.tanh(W @ np.tanh(W @ np.tanh(W @ x))) * 2)
    assert len(FORWARD_RUNS) == 1  # the value came from the generated forward sweep
    g = RNG.normal(size=3)
    first = vjp_fn(g)
    assert len(FORWARD_RUNS) == 1  # the first call only ran the reverse sweep
    second = vjp_fn(g)  # later calls run the whole VJP again, with the same result
    assert len(FORWARD_RUNS) == 2
    for a, b in zip(first, second, strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-14)

    def weighted(x, W):
        return np.sum(counted_rnn(x, W) * g)

    for i in range(2):
        np.testing.assert_allclose(first[i], numerical_grad(weighted, (x, W), i), atol=1e-8)
    assert "(yield " in vjp_fn.source


def test_forward_equals_reverse_through_vjp_and_jvp():
    """<g, J t> computed by jvp and by vjp agree (the dot-product test)."""
    W, x = RNG.normal(size=(4, 3)), RNG.normal(size=3)
    tW, tx = RNG.normal(size=(4, 3)), RNG.normal(size=3)
    g = RNG.normal(size=4)
    _, jt = npgrad.jvp(model, (W, x, 2), (tW, tx, None))
    _, vjp_fn = npgrad.vjp(model, W, x, 2)
    gW, gx, _ = vjp_fn(g)
    np.testing.assert_allclose(g @ jt, np.sum(gW * tW) + gx @ tx, rtol=1e-10)


# ----- jacobian and grad(mode="forward") ---------------------------------------------------


def a_tanh(x, A):
    return A @ np.tanh(x)


@pytest.mark.parametrize("mode", ["forward", "reverse"])
def test_jacobian_closed_form(mode):
    x, A = RNG.normal(size=3), RNG.normal(size=(4, 3))
    J = npgrad.jacobian(a_tanh, mode=mode)(x, A)
    np.testing.assert_allclose(J, A * (1 - np.tanh(x) ** 2), rtol=1e-12, atol=1e-14)


def matrix_valued(X, v):
    return np.outer(np.sin(X @ v), v) + X * X


@pytest.mark.parametrize("mode", ["forward", "reverse"])
def test_jacobian_shape_and_finite_differences(mode):
    X, v = RNG.normal(size=(2, 3)), RNG.normal(size=3)
    JX, Jv = npgrad.jacobian(matrix_valued, wrt=(0, 1), mode=mode)(X, v)
    assert JX.shape == (2, 3, 2, 3) and Jv.shape == (2, 3, 3)
    for k in np.ndindex(2, 3):  # each output element's gradient, by central differences

        def element(X, v, k=k):
            return matrix_valued(X, v)[k]

        np.testing.assert_allclose(JX[k], numerical_grad(element, (X, v), 0), atol=1e-8)
        np.testing.assert_allclose(Jv[k], numerical_grad(element, (X, v), 1), atol=1e-8)


def test_forward_and_reverse_jacobians_agree():
    x, A = RNG.normal(size=5), RNG.normal(size=(3, 5))

    def f(x, A):
        return np.cumsum(np.exp(A @ np.sin(x))) / np.linalg.norm(x)

    Jf = npgrad.jacobian(f, mode="forward")(x, A)
    Jr = npgrad.jacobian(f, mode="reverse")(x, A)
    np.testing.assert_allclose(Jf, Jr, rtol=1e-10, atol=1e-12)


def loss(w, X):
    return np.sum(np.log1p(np.exp(X @ w))) + 0.5 * w @ w


def test_grad_forward_mode():
    w, X = RNG.normal(size=3), RNG.normal(size=(6, 3))
    g = npgrad.grad(loss, mode="forward")(w, X)
    np.testing.assert_allclose(g, numerical_grad(loss, (w, X), 0), rtol=1e-6, atol=1e-9)
    np.testing.assert_allclose(g, npgrad.grad(loss)(w, X), rtol=1e-12)
    assert type(npgrad.grad(scalar_poly, mode="forward")(2.0)) is float
    with pytest.raises(npgrad.NonScalarOutputError):
        npgrad.grad(a_tanh, mode="forward")(w, X.T[:, :3])
    with pytest.raises(ValueError, match="mode"):
        npgrad.grad(loss, mode="sideways")


# ----- the command line --------------------------------------------------------------------


def test_cli_dump_forward(tmp_path):
    path = tmp_path / "fwd_model.py"
    path.write_text("import numpy as np\n\n\ndef f(x, W):\n    return np.tanh(W @ x)\n")
    out = subprocess.run(
        [sys.executable, "-m", "npgrad", "dump", f"{path}:f", "--mode", "forward"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "def jvp_f(x, W, *, tx):" in out
    assert "return (f, tf)" in out
    namespace: dict = {}
    exec(compile(out, "dumped", "exec"), namespace)
    x, W, tx = RNG.normal(size=3), RNG.normal(size=(2, 3)), RNG.normal(size=3)
    value, tangent = namespace["jvp_f"](x, W, tx=tx)
    np.testing.assert_allclose(tangent, (1 - np.tanh(W @ x) ** 2) * (W @ tx), rtol=1e-12)


def test_forward_code_shown_in_readme_is_what_npgrad_generates(tmp_path):
    from pathlib import Path

    readme = (Path(__file__).parent.parent / "README.md").read_text()
    section = readme.split("## Forward mode and Jacobians", 1)[1]
    shown = section.split("shows the generated function", 1)[1].split("```python", 1)[1]
    shown = shown.split("```", 1)[0]
    path = tmp_path / "readme_predict.py"
    path.write_text(
        "import numpy as np\n\n\ndef predict(w, X):\n    z = X @ w\n"
        "    return np.where(z > 0, z, 0.1 * z) / (1 + np.sum(w * w))\n"
    )
    from npgrad.cli import load

    predict = load(f"{path}:predict")
    assert shown.strip() in npgrad.jacobian(predict, mode="forward").source
    w, X = RNG.normal(size=3), RNG.normal(size=(4, 3))
    check_jvp(predict, w, X, wrt=(0, 1))


def writes(x, W):
    out = np.zeros((3, 2))
    for i in range(3):
        out[i] = np.tanh(W @ x) * (i + 1)
        out[i, 0] += x[i]
    out[0, :] = 2.0  # a constant written over part of a differentiated array
    np.add.at(out, ([0, 0, 2], [1, 1, 0]), x * W[0])  # repeated indices accumulate
    return out * out


def test_writes_into_arrays():
    check_jvp(writes, RNG.normal(size=3), RNG.normal(size=(2, 3)), wrt=(0, 1))


def relu_net(x, W):
    return np.maximum(W @ x, 0.0) * 2.0


def test_float32_in_float32_out():
    x = RNG.normal(size=3).astype(np.float32)
    W = RNG.normal(size=(4, 3)).astype(np.float32)
    value, tangent = npgrad.jvp(relu_net, (x, W), (np.ones(3, np.float32), None))
    assert value.dtype == np.float32 and tangent.dtype == np.float32
    expected = np.where(W @ x > 0, 2.0 * W.sum(axis=1), 0.0)  # closed form
    np.testing.assert_allclose(tangent, expected, rtol=1e-5)


# ----- functions returning tuples: a tuple of tangents ------------------------------------


def layer_and_energy(x, W):
    h = np.tanh(W @ x)
    return h, np.sum(h**2), 3.0, x


def oscillator(state, k):
    x, v = state[0], state[1]
    for _ in range(20):
        v = v - 0.05 * k * x
        x = x + 0.05 * v
    return x, v


@pytest.mark.parametrize(
    "f, primals, tangents",
    [
        (
            layer_and_energy,
            (RNG.normal(size=3), RNG.normal(size=(4, 3))),
            (RNG.normal(size=3), None),
        ),
        (
            layer_and_energy,
            (RNG.normal(size=3), RNG.normal(size=(4, 3))),
            (None, RNG.normal(size=(4, 3))),
        ),
        (oscillator, (np.array([1.0, 0.0]), 2.0), (np.array([0.3, -0.1]), 0.5)),
    ],
)
def test_jvp_of_a_function_returning_a_tuple(f, primals, tangents):
    value, tangent = npgrad.jvp(f, primals, tangents)
    want = f(*primals)
    assert isinstance(tangent, tuple) and len(tangent) == len(want)
    eps = 1e-6
    plus = [p if t is None else p + eps * t for p, t in zip(primals, tangents, strict=True)]
    minus = [p if t is None else p - eps * t for p, t in zip(primals, tangents, strict=True)]
    for v, w, t, fp, fm in zip(value, want, tangent, f(*plus), f(*minus), strict=True):
        np.testing.assert_allclose(v, w, rtol=1e-12)
        assert np.shape(t) == np.shape(w)
        fd = (np.asarray(fp) - np.asarray(fm)) / (2 * eps)
        np.testing.assert_allclose(t, fd, rtol=1e-6, atol=1e-8)


def test_tuples_of_outputs_outside_jvp_are_refused_with_what_to_do():
    x, W = RNG.normal(size=3), RNG.normal(size=(4, 3))
    with pytest.raises(TypeError, match="returns a tuple"):
        npgrad.jacobian(layer_and_energy, mode="forward")(x, W)
    with pytest.raises(npgrad.NonScalarOutputError, match="reverse mode"):
        npgrad.vjp(layer_and_energy, x, W)

    def early(x):
        if x[0] > 0:
            return x, x * 2
        return x * 3, x

    with pytest.raises(npgrad.UnsupportedSyntaxError, match="final `return a, b`") as info:
        npgrad.jvp(early, (x,), (x,))
    assert "test_forward.py:" in str(info.value)
