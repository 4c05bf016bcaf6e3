"""Containers of arrays (dicts, lists, tuples, namedtuples) as arguments and inside the
function, and functions passed as arguments: every gradient against finite differences."""

from collections import namedtuple

import numpy as np
import pytest
from fd import assert_tree_close, check_grad, numerical_grad, numerical_tree_grad

import npgrad

RNG = np.random.default_rng(7)
Params = namedtuple("Params", ["W", "b"])


def randn(*shape):
    return RNG.normal(size=shape)


def check_tree(f, *args, wrt=0, **tol):
    """npgrad's gradient of a container argument against finite differences, leaf by leaf."""
    got = npgrad.grad(f, wrt=wrt)(*args)
    expected = numerical_tree_grad(f, args, wrt)
    assert_tree_close(got, expected, **tol)
    return got


# ---- container arguments --------------------------------------------------------------


def mlp(params, x):
    for W, b in params["layers"]:
        x = np.tanh(W @ x + b)
    return np.sum(x * params["out"])


def mlp_params(sizes=(4, 3, 3)):
    layers = [(randn(m, n), randn(m)) for n, m in zip(sizes[:-1], sizes[1:], strict=True)]
    return {"layers": layers, "out": randn(sizes[-1])}


def test_dict_of_list_of_tuples():
    got = check_tree(mlp, mlp_params(), randn(4))
    assert isinstance(got["layers"][0], tuple)


def test_structure_change_makes_a_new_variant():
    g = npgrad.grad(mlp)
    for sizes in ((4, 3), (4, 5, 2, 3)):
        params, x = mlp_params(sizes), randn(4)
        assert_tree_close(g(params, x), numerical_tree_grad(mlp, (params, x), 0))
    assert "params_layers_2_1" in g.source  # the last variant used


def list_of_pairs(layers, x):
    h = x
    for W, b in layers:
        h = np.sin(W @ h) + b
    return np.sum(h**2)


def test_list_of_tuples():
    check_tree(list_of_pairs, [(randn(3, 3), randn(3)), (randn(2, 3), randn(2))], randn(3))


def test_tuple_argument_indexed_and_unpacked():
    def f(p, x):
        W, b = p
        return np.sum(np.exp(W @ x) * p[1]) + np.sum(p[0][0])

    check_tree(f, (randn(2, 3), randn(2)), randn(3))


def test_namedtuple_attributes():
    def f(p, x):
        return np.sum(np.tanh(p.W @ x + p.b))

    got = check_tree(f, Params(randn(2, 3), randn(2)), randn(3))
    assert isinstance(got, Params)


def f_string_keys(params, x):
    n = len(params) // 2
    for i in range(n):
        x = np.tanh(params[f"W{i}"] @ x + params["b" + str(i)])
    return np.sum(x)


def test_keys_computed_from_a_range_index():
    params = {"W0": randn(3, 3), "b0": randn(3), "W1": randn(2, 3), "b1": randn(2)}
    check_tree(f_string_keys, params, randn(3))


def test_values_items_and_sum_of_a_generator():
    def f(params, x):
        reg = sum(np.sum(v**2) for v in params.values())
        total = 0.0
        for name, v in params.items():
            if name == "w":
                total = total + np.sum(v * x)
        return total + 0.1 * reg

    check_tree(f, {"w": randn(3), "v": randn(3)}, randn(3))


def test_membership_and_get_fold_at_transform_time():
    def f(params, x):
        y = params["W"] @ x
        if "b" in params:
            y = y + params["b"]
        return np.sum(np.sin(y) * params.get("scale", 2.0))

    check_tree(f, {"W": randn(2, 3), "b": randn(2)}, randn(3))
    check_tree(f, {"W": randn(2, 3), "scale": 0.5}, randn(3))


def test_index_loop_over_a_list_argument():
    def f(ws, x):
        for i in range(len(ws)):
            x = x * ws[i] + ws[-1 - i]
        return np.sum(x)

    check_tree(f, [randn(3), randn(3), randn(3)], randn(3))


def test_enumerate_and_zip_over_containers():
    def f(ws, bs, x):
        s = 0.0
        for i, (w, b) in enumerate(zip(ws, bs, strict=True)):
            s = s + (i + 1) * np.sum(np.cos(w * x + b))
        return s

    ws, bs, x = [randn(3), randn(3)], [randn(3), randn(3)], randn(3)
    check_tree(f, ws, bs, x)
    check_tree(f, ws, bs, x, wrt=1)


def test_container_read_inside_a_time_loop():
    def rnn(params, xs):
        h = np.zeros(params["Wh"].shape[0])
        for t in range(xs.shape[0]):
            h = np.tanh(params["Wx"] @ xs[t] + params["Wh"] @ h + params["b"])
        return np.sum(h**2)

    params = {"Wx": randn(4, 3) * 0.5, "Wh": randn(4, 4) * 0.5, "b": randn(4)}
    check_tree(rnn, params, randn(5, 3))


def layer(p, x):
    return np.tanh(p["W"] @ x + p["b"])


def through_helper(params, x):
    h = layer(params["first"], x)
    return np.sum(layer(params["second"], h))


def test_container_handed_to_a_helper():
    params = {
        "first": {"W": randn(3, 3), "b": randn(3)},
        "second": {"W": randn(2, 3), "b": randn(2)},
    }
    check_tree(through_helper, params, randn(3))


def test_unused_leaves_get_zeros_and_none_stays_none():
    def f(params, x):
        return np.sum(params["used"] * x)

    got = check_tree(f, {"used": randn(3), "unused": randn(2), "nothing": None}, randn(3))
    assert np.all(got["unused"] == 0) and got["nothing"] is None


def test_float_leaves_give_float_gradients():
    def f(params, x):
        return np.sum(params["scale"] * x**2) + params["shift"]

    got = check_tree(f, {"scale": 1.5, "shift": 0.25}, randn(3))
    assert isinstance(got["scale"], float)


def test_container_and_array_together():
    def f(params, x):
        return np.sum(np.tanh(params[0] @ x) * params[1])

    params, x = [randn(2, 3), randn(2)], randn(3)
    gp, gx = npgrad.grad(f, wrt=(0, 1))(params, x)
    assert_tree_close(gp, numerical_tree_grad(f, (params, x), 0))
    np.testing.assert_allclose(gx, numerical_grad(f, (params, x), 1), rtol=1e-5, atol=1e-6)


def test_value_and_grad_with_a_container():
    params, x = mlp_params(), randn(4)
    value, got = npgrad.value_and_grad(mlp)(params, x)
    assert value == pytest.approx(mlp(params, x))
    assert_tree_close(got, numerical_tree_grad(mlp, (params, x), 0))


def test_shared_leaves_get_distinct_gradient_arrays():
    def f(params):
        return np.sum(params["a"]) + np.sum(params["b"])

    got = npgrad.grad(f)({"a": np.ones(3), "b": np.ones(3)})
    got["a"][0] = 5.0
    assert got["b"][0] == 1.0


def test_integer_leaf_is_refused_with_its_path():
    def f(params):
        return np.sum(params["w"] * params["n"])

    with pytest.raises(npgrad.TransformError, match=r"params\['n'\]"):
        npgrad.grad(f)({"w": np.ones(2), "n": 3})


def test_key_known_only_at_run_time_is_refused():
    def f(params, x):
        key = "a" if x[0] > 0 else "b"
        return np.sum(params[key] * x)

    with pytest.raises(npgrad.TransformError, match="only known at run time") as info:
        npgrad.grad(f)({"a": randn(2), "b": randn(2)}, randn(2))
    assert "params[key]" in str(info.value)


def test_the_container_itself_used_at_run_time_is_refused():
    def f(params, x):
        return np.sum(x * len(str(params)))

    with pytest.raises(npgrad.TransformError, match="container"):
        npgrad.grad(f)({"a": randn(2)}, randn(2))


def test_missing_key_is_reported_with_the_keys():
    def f(params):
        return np.sum(params["c"])

    with pytest.raises(npgrad.TransformError, match="'a', 'b'"):
        npgrad.grad(f)({"a": randn(2), "b": randn(2)})


# ---- containers the function builds ------------------------------------------------------


def test_dict_literal_inside():
    def f(W, b, x):
        p = {"W": W, "b": b * 2}
        return np.sum(p["W"] @ x + p["b"])

    args = (randn(2, 3), randn(2), randn(3))
    check_grad(f, *args, wrt=(0, 1))


def test_list_literal_of_pairs_inside():
    def f(W1, b1, x):
        layers = [(W1, b1), (W1 * 2, b1)]
        for W, b in layers:
            x = np.tanh(W @ x + b)
        return np.sum(x)

    check_grad(f, randn(3, 3), randn(3), randn(3), wrt=(0, 1))


def test_tuple_literal_indexed_and_stacked():
    def f(a, b):
        t = (a, np.sin(b))
        return np.sum(t[0] * t[1]) + np.sum(np.stack(t) ** 2)

    check_grad(f, randn(3), randn(3), wrt=(0, 1))


def test_snapshot_keeps_the_value_at_binding_time():
    def f(a):
        t = (a, a * 2)
        b = t[1]
        a2 = a * 3
        t2 = (a2, t[0])
        return np.sum(t2[0] * t2[1] * b)

    check_grad(f, randn(3))


def test_cache_dict_filled_then_read():
    def f(W, x):
        cache = {}
        cache["z"] = W @ x
        cache["h"] = np.tanh(cache["z"])
        return np.sum(cache["h"] ** 2)

    check_grad(f, randn(2, 3), randn(3))


def test_dict_comprehension_free_code_with_loop_over_keys():
    def f(W, b, x):
        p = {"W": W, "b": b}
        total = 0.0
        for k in p:
            total = total + np.sum(np.sin(p[k]))
        return total + np.sum(p["W"] @ x)

    check_grad(f, randn(2, 3), randn(2), randn(3), wrt=(0, 1))


def test_list_comprehension_over_a_container_argument():
    def f(ws, x):
        outs = [np.tanh(w * x) for w in ws]
        return np.sum(np.stack(outs) ** 2)

    check_tree(f, [randn(3), randn(3)], randn(3))


def test_writes_into_a_dict_in_a_branch_are_refused():
    def f(w, x):
        p = {"w": w}
        if x[0] > 0:
            p["w"] = w * 2
        return np.sum(p["w"])

    with pytest.raises(npgrad.TransformError, match="constant key, in the block that created it"):
        npgrad.grad(f)(randn(2), randn(2))


# ---- functions passed as arguments -------------------------------------------------------


def rbf(X, ell):
    d = X[:, None, :] - X[None, :, :]
    return np.exp(-np.sum(d**2, axis=-1) / (2 * ell**2))


def linear_kernel(X, ell):
    return ell**2 * (X @ X.T)


def neg_log_likelihood(ell, X, y, kernel):
    K = kernel(X, ell) + 0.1 * np.eye(X.shape[0])
    alpha = np.linalg.solve(K, y)
    return 0.5 * y @ alpha + 0.5 * np.linalg.slogdet(K)[1]


def test_kernel_function_passed_as_an_argument():
    X, y = randn(5, 2), randn(5)
    for kernel in (rbf, linear_kernel):
        check_grad(neg_log_likelihood, 0.8, X, y, kernel)


def test_numpy_function_and_lambda_passed():
    def f(x, act, post):
        return np.sum(post(act(x)))

    x = randn(4)
    check_grad(f, x, np.tanh, lambda t: t**3)
    check_grad(f, x, np.sin, np.exp)


def test_function_default_argument():
    def f(x, act=np.tanh):
        return np.sum(act(x) ** 2)

    check_grad(f, randn(4))
    check_grad(f, randn(4), np.sin)


# ---- lambdas -----------------------------------------------------------------------------


def test_lambda_defined_inside_and_called_twice():
    def f(x):
        sq = lambda t: t**2 + np.sin(t)  # noqa: E731
        return np.sum(sq(x) * sq(2 * x + 1))

    check_grad(f, randn(4))


def test_lambda_reads_the_loop_variable_when_called():
    def f(x):
        total = 0.0
        scaled = lambda t: t * k  # noqa: E731
        for k in range(1, 4):  # noqa: B007  (the lambda reads k)
            total = total + np.sum(np.cos(scaled(x)))
        return total

    check_grad(f, randn(4))


def apply_twice(fn, x):
    return fn(fn(x))


def test_lambda_handed_to_a_helper():
    def f(x, a):
        return np.sum(apply_twice(lambda t: np.tanh(t * a), x))

    check_grad(f, randn(4), 0.7, wrt=(0, 1))


def test_lambdas_in_a_dict():
    def f(x):
        acts = {"sq": lambda t: t * t, "tanh": np.tanh}
        return np.sum(acts["sq"](acts["tanh"](x)))

    check_grad(f, randn(4))


def test_indexing_a_literal_with_a_run_time_index_is_refused():
    def f(x, i):
        return np.sum([x, x * 2][i])

    with pytest.raises(npgrad.TransformError, match="give the tuple a name first"):
        npgrad.grad(f)(randn(2), 1)


def test_readme_container_example():
    import linecache
    import pathlib
    import re

    readme = (pathlib.Path(__file__).parent.parent / "README.md").read_text()
    section = readme.split("### Containers of parameters", 1)[1]
    code = re.search(r"```python\n(.*?)```", section, re.S).group(1)
    definition = code.split("\ng = ")[0]
    namespace = {"np": np, "npgrad": npgrad}
    filename = "<README containers>"
    linecache.cache[filename] = (len(definition), None, definition.splitlines(True), filename)
    exec(compile(definition, filename, "exec"), namespace)
    grad_loss = namespace["loss"]
    params = {"layers": [(randn(3, 4), randn(4)), (randn(4, 2), randn(2))], "out": randn(2)}
    x, y = randn(5, 3), randn(5)

    def plain(params, x, y):
        for W, b in params["layers"]:
            x = np.tanh(x @ W + b)
        return np.mean((x @ params["out"] - y) ** 2)

    assert_tree_close(grad_loss(params, x, y), numerical_tree_grad(plain, (params, x, y), 0))


# ---- what stays refused --------------------------------------------------------------------


def values_of(x):
    yield x
    yield x * 2


def test_generators_are_refused_where_they_yield():
    def f(x):
        yield np.sum(x)

    def g(x):
        s = 0.0
        for v in values_of(x):
            s = s + np.sum(v)
        return s

    for func in (f, g):
        with pytest.raises(npgrad.TransformError, match=r"is a generator \(it uses `yield`\)"):
            npgrad.grad(func)(randn(2))


def test_try_and_global_writes_are_refused():
    def f(x):
        try:
            y = np.sum(x)
        except ValueError:
            y = 0.0
        return y

    def g(x):
        global RNG
        RNG = np.sum(x)
        return RNG

    with pytest.raises(npgrad.TransformError, match="`try` statements"):
        npgrad.grad(f)(randn(2))
    with pytest.raises(npgrad.TransformError, match="`global` declarations"):
        npgrad.grad(g)(randn(2))


def add_sine(hs, x):
    hs.append(np.sin(x))
    return hs


def test_list_literal_handed_to_a_helper_that_appends_stays_a_list():
    def f(x):
        hs = [x]
        add_sine(hs, x)
        return np.sum(np.stack(hs) ** 2)

    check_grad(f, randn(3))


def test_np_matrix_is_refused():
    with pytest.raises(npgrad.TransformError, match="np.matrix"):
        npgrad.grad(lambda a: np.sum(a * a))(np.matrix([[1.0, 2.0]]))


def test_prod_over_an_empty_array_has_an_empty_gradient():
    for axis in (0, 1, None):
        g = npgrad.grad(lambda x, axis=axis: np.sum(np.prod(x, axis=axis)))(np.zeros((0, 2)))
        assert g.shape == (0, 2)
