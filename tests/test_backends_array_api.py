"""The Array API: rule cases run on `array_api_strict` (a namespace with nothing beyond the
standard) and compared with NumPy's gradients, which test_rules.py checks against finite
differences; NumPy's names become the standard's."""

from __future__ import annotations

import functools
import inspect
import sys
import types

import numpy as np
import pytest
from backend_cases import CASES, load_case

import npgrad
from npgrad import backends

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
    assert ran >= 600  # 519 before masks and Python numbers took the standard's form


# ----- the standard's typing: booleans and Python numbers in rules' adjoints -------------

# rule cases whose adjoints do arithmetic on masks (clip, where, max/min, copysign, ...) or
# call the standard's functions on Python numbers (log2, roll): retarget rewrites them
MASKED = {
    "np.clip(x, -1.0, 1.0)",
    "np.clip(x, lo, hi)",
    "x.clip(-1.0, 1.0)",
    "np.where(x > 0, x, 0.1 * x)",
    "np.where(c > 0, x, y)",
    "np.max(x, axis=0)",
    "np.min(x, axis=(0, 2), keepdims=True)",
    "x.max()",
    "np.copysign(x, y)",
    "np.heaviside(c, y)",
    "np.fmax(x, 0.0)",
    "np.log2(x) + np.log10(x)",
    "np.roll(x, 1, axis=1)",
    "np.linalg.vector_norm(x, ord=np.inf)",
    "np.linalg.matrix_norm(x, ord=1)",
}


def _masked_cases():
    return [k for k, c in enumerate(CASES) if c.expr in MASKED]


def test_masked_cases_cover_the_set():
    assert {CASES[k].expr for k in _masked_cases()} == MASKED


@pytest.mark.parametrize("k", _masked_cases(), ids=[CASES[k].id for k in _masked_cases()])
def test_masked_rule_case_on_array_api_strict(k, tmp_path):
    f, args, wrt = load_case(k, tmp_path)
    expected = npgrad.grad(f, wrt=wrt, backend="numpy")(*args)
    got = npgrad.grad(f, wrt=wrt, backend=xp)(*map(_strict, args))
    for a, e, i in zip(got, expected, wrt, strict=True):
        assert tuple(a.shape) == np.shape(args[i])
        np.testing.assert_allclose(np.asarray(a), e, rtol=1e-10, atol=1e-12)


def _clipped(x):
    return np.sum(np.clip(x, -0.5, 0.5) * np.log2(x + 2.0) + np.max(x, axis=0))


def test_masks_take_the_other_operands_dtype():
    source = npgrad.grad(_clipped, backend=xp).source
    assert "rt.as_dtype(" in source and "rt.dtype_of(" in source
    assert "xp.log(2.0)" not in source and "0.6931471805599453" in source  # folded
    x = np.linspace(-0.9, 0.9, 6).reshape(2, 3)
    expected = npgrad.grad(_clipped)(x)
    got = npgrad.grad(_clipped)(xp.asarray(x))
    np.testing.assert_allclose(np.asarray(got), expected, rtol=1e-12)
    got32 = npgrad.grad(_clipped)(xp.asarray(x, dtype=xp.float32))
    assert got32.dtype == xp.float32  # the masks became float32, not float64
    np.testing.assert_allclose(np.asarray(got32), expected, rtol=1e-5)


# ----- arrays that cannot be written in place ---------------------------------------------


class _Frozen(xp._array_object.Array):
    """An array_api_strict array that refuses `x[i] = v`, as JAX's arrays do."""

    __slots__ = ()

    def __setitem__(self, key, value):
        raise TypeError("frozen arrays cannot be written in place")

    def __array_namespace__(self, *, api_version=None):
        return _frozen_module()


def _freeze(value):
    if type(value) is xp._array_object.Array:
        value.__class__ = _Frozen
    elif isinstance(value, tuple):
        return tuple(_freeze(v) for v in value)
    return value


@functools.cache
def _frozen_module():
    """A namespace module: array_api_strict's functions, returning arrays that cannot be
    written in place (registered as `frozen_array_api`)."""

    class Module(types.ModuleType):
        def __getattr__(self, name):
            value = getattr(xp, name)
            if callable(value) and not isinstance(value, type):

                def call(*args, _f=value, **kwargs):
                    return _freeze(_f(*args, **kwargs))

                call.__name__ = name
                call.__signature__ = inspect.signature(value)
                value = call
            setattr(self, name, value)
            return value

    module = Module("frozen_array_api")
    module.__array_api_version__ = xp.__array_api_version__
    sys.modules["frozen_array_api"] = module
    return module


def test_writes_in_place_flag():
    for name in ("numpy", "cupy", "dask", "array_api:array_api_strict"):
        assert backends.get(name).writes_in_place  # declared: nothing imported
    frozen = _frozen_module()
    assert isinstance(frozen.zeros(1), _Frozen)
    assert not backends.get(backends.name_of(frozen)).writes_in_place  # found by trying


def _writes(x):
    out = np.zeros(4)
    out[0] = x[0] * 2.0
    out[1:] = np.sin(x[1:]) * x[0]
    out[-1] += x[2]
    out[..., ::2] *= x[1]
    return np.sum(out * out)


def test_writes_become_new_arrays_without_in_place_writes():
    frozen = _frozen_module()
    g = npgrad.grad(_writes, backend=frozen)
    assert "rt.set_where(" in g.source
    code = [line for line in g.source.splitlines() if not line.lstrip().startswith("#")]
    assert not [line for line in code if "] = " in line or "] += " in line or "]*=" in line]
    x = np.array([0.3, 0.5, 0.7, 1.1])
    got = g(frozen.asarray(x))
    assert isinstance(got, _Frozen)
    np.testing.assert_allclose(np.asarray(got), npgrad.grad(_writes)(x), rtol=1e-12)
    # the user's own code: `out` is made here and only read in arithmetic
    primal = npgrad.retarget(_writes, frozen)
    assert "out = rt.set_where(out, slice(1, None), " in primal.source
    np.testing.assert_allclose(float(primal(frozen.asarray(x))), _writes(x), rtol=1e-12)


def _fancy_write(x):
    out = np.zeros(4)
    out[[0, 2]] = x[:2]
    return np.sum(out * x)


def _writes_argument(x):
    x[0] = 1.0
    return np.sum(x * x)


def _writes_view(x):
    out = np.zeros(4)
    view = out[1:]
    out[2] = x[0]
    return np.sum(view * x[1:])


def test_writes_without_a_functional_form_are_refused():
    frozen = _frozen_module()
    with pytest.raises(npgrad.TransformError, match="cannot be written in place") as info:
        npgrad.grad(_fancy_write, backend=frozen).source  # noqa: B018
    assert "out[[0, 2]] = x[:2]" in str(info.value)
    for f in (_writes_argument, _writes_view):
        with pytest.raises(npgrad.TransformError, match="may share its memory"):
            npgrad.retarget(f, frozen).source  # noqa: B018
    with pytest.raises(npgrad.TransformError, match="may share its memory"):
        npgrad.grad(_writes_view, backend=frozen).source  # noqa: B018 (as on NumPy)


def _larger(x, y):
    return max(x, y) * 2.0


def test_helpers_that_write_in_place_are_refused():
    frozen = _frozen_module()
    with pytest.raises(npgrad.TransformError, match=r"rt\.picked writes into arrays in place"):
        npgrad.grad(_larger, backend=frozen).source  # noqa: B018
    assert npgrad.grad(_larger, backend=xp).source  # array_api_strict's arrays take writes


def _python_masks(x):
    s = 0.0
    for i in range(3):
        s = s + np.sum(x[i] * (i > 0)) + (i == 2) * np.sum(x * (x > 0.2))
    return s


def test_python_booleans_stay_python_booleans():
    x = np.linspace(0.1, 0.9, 3)
    got = npgrad.grad(_python_masks, backend=xp)(xp.asarray(x))
    np.testing.assert_allclose(np.asarray(got), npgrad.grad(_python_masks)(x), rtol=1e-12)
