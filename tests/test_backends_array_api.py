"""The Array API: rule cases run on `array_api_strict` (a namespace with nothing beyond the
standard) and compared with NumPy's gradients, which test_rules.py checks against finite
differences; NumPy's names become the standard's."""

from __future__ import annotations

import numpy as np
import pytest
from backend_cases import CASES, load_case

import npgrad

xp = pytest.importorskip("array_api_strict")

CORE = {
    "np.exp(x)",
    "np.tanh(x)",
    "np.log(x)",
    "np.arccos(x)",
    "np.power(x, y)",
    "x * y",
    "x / y",
    "x @ y",
    "np.dot(x, y)",
    "np.sum(x, axis=0)",
    "np.mean(x, axis=1)",
    "np.concatenate([x, y, x])",
    "np.sqrt(x)",
    "np.transpose(x)",
    "x.T",
}


def _strict(value):
    return xp.asarray(value) if isinstance(value, np.ndarray | float) else value


def _core_cases():
    return [k for k, c in enumerate(CASES) if c.expr in CORE]


def test_core_cases_cover_the_core_set():
    assert {CASES[k].expr for k in _core_cases()} == CORE


@pytest.mark.parametrize("k", _core_cases(), ids=[CASES[k].id for k in _core_cases()])
def test_rule_case_on_array_api_strict(k, tmp_path):
    f, args, wrt = load_case(k, tmp_path)
    expected = npgrad.grad(f, wrt=wrt, backend="numpy")(*args)
    g = npgrad.grad(f, wrt=wrt, backend=xp)
    source = g.source
    assert "import array_api_strict as xp" in source
    for numpy_name in ("np.arccos", "np.power", "np.concatenate", "np.dot("):
        assert numpy_name.replace("np.", "xp.") not in source
    got = g(*map(_strict, args))
    for a, e, i in zip(got, expected, wrt, strict=True):
        assert isinstance(a, type(xp.asarray(0.0)))
        assert tuple(a.shape) == np.shape(args[i])
        np.testing.assert_allclose(np.asarray(a), e, rtol=1e-10, atol=1e-12)


def test_standard_names_and_keywords():
    source = npgrad.grad(_uses_renamed, backend=xp).source
    assert "xp.acos(" in source and "xp.concat(" in source and "xp.pow(" in source
    assert (
        "xp.sum(xp.concat([xp.acos(x), xp.pow(x, 2)]), axis=0)"
        in npgrad.retarget(_uses_renamed, xp).source
    )


def _uses_renamed(x):
    return np.sum(np.sum(np.concatenate([np.arccos(x), np.power(x, 2)]), 0))


def test_follows_array_api_arrays():
    x = np.linspace(0.1, 0.9, 5)
    got = npgrad.grad(_uses_renamed)(xp.asarray(x))
    np.testing.assert_allclose(np.asarray(got), npgrad.grad(_uses_renamed)(x), rtol=1e-12)
    assert got.dtype == xp.float64
    got32 = npgrad.grad(_uses_renamed)(xp.asarray(x, dtype=xp.float32))
    assert got32.dtype == xp.float32


def test_no_case_gives_a_wrong_gradient_on_array_api_strict(tmp_path):
    """Every case either is refused when transformed, raises (the standard forbids what a
    rule does, such as arithmetic on booleans), or matches NumPy: none is silently wrong."""
    wrong, ran = [], 0
    for k in range(len(CASES)):
        f, args, wrt = load_case(k, tmp_path)
        g = npgrad.grad(f, wrt=wrt, backend=xp)
        try:
            g.source  # noqa: B018
        except npgrad.TransformError:
            continue
        expected = npgrad.grad(f, wrt=wrt, backend="numpy")(*args)
        try:
            got = g(*map(_strict, args))
        except (TypeError, ValueError, RuntimeError, AttributeError, IndexError):
            continue  # an error, never a wrong answer
        ran += 1
        for a, e in zip(got, expected, strict=True):
            a = np.asarray(a)
            if a.shape != np.shape(e) or not np.allclose(a, e, rtol=1e-7, atol=1e-9):
                wrong.append(CASES[k].id)
    assert not wrong
    assert ran > 400
