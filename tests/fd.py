"""Central finite differences in float64: the independent reference every test uses."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

import npgrad


def numerical_grad(f: Callable[..., Any], args: tuple[Any, ...], i: int, eps: float = 1e-6):
    """d f(*args) / d args[i] by central differences, computed in float64."""
    args = list(args)
    x = args[i]
    scalar = isinstance(x, float)
    x64 = np.array(x, dtype=np.float64)
    grad = np.zeros_like(x64)
    for k in np.ndindex(x64.shape):
        plus, minus = x64.copy(), x64.copy()
        plus[k] += eps
        minus[k] -= eps
        args[i] = float(plus) if scalar else plus
        fp = float(f(*args))
        args[i] = float(minus) if scalar else minus
        fm = float(f(*args))
        grad[k] = (fp - fm) / (2 * eps)
    return float(grad) if scalar else grad


def check_grad(
    f: Callable[..., Any],
    *args: Any,
    wrt: Any = 0,
    rtol: float = 1e-5,
    atol: float = 1e-6,
    **options: Any,
) -> Any:
    """Assert npgrad's gradient of f matches finite differences, shape for shape."""
    g = npgrad.grad(f, wrt=wrt, **options)
    got = g(*args)
    wrts = wrt if isinstance(wrt, tuple) else (wrt,)
    gots = got if isinstance(wrt, tuple) else (got,)
    assert len(gots) == len(wrts)
    names = list(__import__("inspect").signature(f).parameters)
    for w, gi in zip(wrts, gots, strict=True):
        i = w if isinstance(w, int) else names.index(w)
        expected = numerical_grad(f, args, i)
        assert np.shape(gi) == np.shape(args[i]), (np.shape(gi), np.shape(args[i]))
        np.testing.assert_allclose(gi, expected, rtol=rtol, atol=atol, err_msg=g.source)
    return got


def numerical_tree_grad(f: Callable[..., Any], args: tuple[Any, ...], i: int) -> Any:
    """Central differences for a container argument (dicts, lists, tuples, namedtuples of
    arrays): the gradient has the argument's structure, None where it holds None."""

    def rebuild(tree: Any, path: tuple[Any, ...], value: Any) -> Any:
        if not path:
            return value
        key, rest = path[0], path[1:]
        if isinstance(tree, dict):
            return {**tree, key: rebuild(tree[key], rest, value)}
        parts = list(tree)
        parts[key] = rebuild(parts[key], rest, value)
        return type(tree)(*parts) if hasattr(tree, "_fields") else type(tree)(parts)

    def walk(tree: Any, path: tuple[Any, ...]) -> Any:
        if tree is None:
            return None
        if isinstance(tree, dict):
            return {k: walk(v, (*path, k)) for k, v in tree.items()}
        if isinstance(tree, list | tuple):
            parts = [walk(v, (*path, k)) for k, v in enumerate(tree)]
            return type(tree)(*parts) if hasattr(tree, "_fields") else type(tree)(parts)

        def at_leaf(*leaf_args: Any) -> Any:
            full = list(leaf_args)
            full[i] = rebuild(args[i], path, leaf_args[i])
            return f(*full)

        leaf_args = list(args)
        leaf_args[i] = tree
        return numerical_grad(at_leaf, tuple(leaf_args), i)

    return walk(args[i], ())


def assert_tree_close(got: Any, expected: Any, **tol: Any) -> None:
    """Same structure (types, keys, lengths), and every leaf close."""
    assert type(got) is type(expected), (type(got), type(expected))
    if isinstance(expected, dict):
        assert list(got) == list(expected)
        for k in expected:
            assert_tree_close(got[k], expected[k], **tol)
    elif isinstance(expected, list | tuple):
        assert len(got) == len(expected)
        for a, b in zip(got, expected, strict=True):
            assert_tree_close(a, b, **tol)
    elif expected is not None:
        assert np.shape(got) == np.shape(expected)
        np.testing.assert_allclose(got, expected, **{"rtol": 1e-5, "atol": 1e-6, **tol})
