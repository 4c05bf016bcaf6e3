"""Backends without a GPU: the CuPy code of every rule case uses only names CuPy has, the
API follows the arrays it is called with, `npgrad.retarget` and `npgrad dump --backend`.
(Dask on a LocalCluster: test_backends_dask.py; the Array API: test_backends_array_api.py.)
"""

from __future__ import annotations

import ast
import re
import sys
from pathlib import Path

import numpy as np
import pytest
from backend_cases import CASES, load_case
from fd import numerical_grad
from npgrad.transforms.retarget import helper_needs

import npgrad
from npgrad import backends
from npgrad.cli import main

cupy = pytest.importorskip("cupy")
GPU = [
    pytest.mark.gpu,
    pytest.mark.skipif(not cupy.is_available(), reason="needs a CUDA GPU (cupy.is_available())"),
]


def _cp_paths(source: str) -> tuple[set[tuple[str, ...]], set[str]]:
    """Every `cp.a.b` chain and every `rt.name` the generated module uses."""
    paths, helpers = set(), set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Attribute):
            parts, base = [node.attr], node.value
            while isinstance(base, ast.Attribute):
                parts.append(base.attr)
                base = base.value
            if isinstance(base, ast.Name) and base.id == "cp":
                paths.add(tuple(reversed(parts)))
            if isinstance(base, ast.Name) and base.id == "rt" and len(parts) == 1:
                helpers.add(node.attr)
    return paths, helpers


def _names(source: str) -> set[str]:
    return {n.id for n in ast.walk(ast.parse(source)) if isinstance(n, ast.Name)}


def _exists(root, path):
    for part in path:
        if not hasattr(root, part):
            return False
        root = getattr(root, part)
    return True


def test_cupy_code_of_every_rule_case_uses_only_cupy_names(tmp_path):
    refused: dict[str, str] = {}
    transformed = 0
    for k in range(len(CASES)):
        f, _, wrt = load_case(k, tmp_path)
        g = npgrad.grad(f, wrt=wrt, backend="cupy")
        try:
            source = g.source
        except npgrad.TransformError as exc:
            assert exc.location is not None, exc  # refused with the user's line
            assert "CuPy" in exc.message or "SciPy" in exc.message, exc
            refused[CASES[k].id] = exc.message
            continue
        transformed += 1
        assert "import cupy as cp" in source
        assert "np" not in _names(source), source
        paths, helpers = _cp_paths(source)
        missing = [".".join(p) for p in paths if not _exists(cupy, p)]
        assert not missing, (CASES[k].id, missing)
        for name in helpers:
            for path in helper_needs(name):
                assert _exists(cupy, path) or path[-1] == "ndarray", (name, path)
    assert transformed > 0.8 * len(CASES), (transformed, len(CASES))
    # every refusal names what CuPy lacks (or SciPy): no other reason
    assert all("lacks" in m or "counterpart" in m or "SciPy" in m for m in refused.values())


def test_cupy_refuses_a_missing_function_at_its_line(tmp_path):
    path = tmp_path / "pct.py"
    path.write_text(
        "import numpy as np\n\n\ndef f(x):\n    return np.nanpercentile(x, 30) * x[0]\n"
    )
    sys.path.insert(0, str(tmp_path))
    try:
        import pct
    finally:
        sys.path.remove(str(tmp_path))
    with pytest.raises(npgrad.TransformError, match="nanpercentile has no CuPy") as info:
        npgrad.grad(pct.f, backend="cupy").source  # noqa: B018
    assert info.value.location.lineno == 5
    with pytest.raises(npgrad.TransformError, match="nanpercentile"):
        npgrad.retarget(pct.f, "cupy").source  # noqa: B018


def loss(w, X, y):
    p = 1 / (1 + np.exp(-X @ w))
    return -np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)) + 0.1 * np.sum(w**2)


def _data(n=40, d=3, dtype=np.float64):
    rng = np.random.default_rng(1)
    X = rng.normal(size=(n, d)).astype(dtype)
    y = (rng.random(n) < 0.5).astype(dtype)
    return rng.normal(size=d).astype(dtype), X, y


def test_numpy_gradient_matches_finite_differences():
    w, X, y = _data()
    np.testing.assert_allclose(npgrad.grad(loss)(w, X, y), numerical_grad(loss, (w, X, y), 0))


def test_cupy_source_is_cupy_code():
    source = npgrad.grad(loss, backend="cupy").source
    assert "# backend: cupy\nimport cupy as cp\n" in source
    assert "rt = runtime('cupy')" in source
    assert "cp.exp(" in source
    assert "np" not in _names(source)


def test_retarget_primal_source_and_run_on_numpy_and_dask():
    da = pytest.importorskip("dask.array")
    w, X, y = _data()
    on_cupy = npgrad.retarget(loss, "cupy")
    assert "def loss(w, X, y):" in on_cupy.source
    assert "cp.mean(" in on_cupy.source and "import cupy as cp" in on_cupy.source
    assert npgrad.source(on_cupy) == on_cupy.source
    on_dask = npgrad.retarget(loss, "dask")
    assert "da.exp(" in on_dask.source
    value = on_dask(da.from_array(w), da.from_array(X, chunks=(10, 3)), da.from_array(y, chunks=10))
    assert isinstance(value, da.Array)
    np.testing.assert_allclose(value.compute(scheduler="sync"), loss(w, X, y), rtol=1e-12)


def test_follows_the_arrays_and_caches_each_variant():
    da = pytest.importorskip("dask.array")
    w, X, y = _data()
    g = npgrad.grad(loss)
    expected = g(w, X, y)
    assert isinstance(expected, np.ndarray)
    got = g(da.from_array(w), da.from_array(X, chunks=(10, 3)), da.from_array(y, chunks=10))
    assert isinstance(got, da.Array)
    np.testing.assert_allclose(got.compute(scheduler="sync"), expected, rtol=1e-10)
    assert g.variant("dask") is g.variant("dask")
    assert "import dask.array as da" in g.variant("dask").source
    assert "import numpy as np" in g.source  # the default variant stays NumPy


def test_float32_stays_float32_on_dask():
    da = pytest.importorskip("dask.array")
    w, X, y = _data(dtype=np.float32)
    got = npgrad.grad(loss, backend="dask")(da.from_array(w), da.from_array(X), da.from_array(y))
    assert got.dtype == np.float32
    np.testing.assert_allclose(got.compute(scheduler="sync"), npgrad.grad(loss)(w, X, y), rtol=1e-5)


def test_backend_names():
    assert backends.name_of(None) is None
    assert backends.name_of("cupy") == "cupy"
    assert backends.name_of(np) == "numpy"
    assert backends.name_of(cupy) == "cupy"
    with pytest.raises(ValueError, match="not available"):
        npgrad.grad(loss, backend="no_such_backend")
    with pytest.raises(ValueError, match="Array API"):
        npgrad.grad(loss, backend=re)
    assert backends.backend_of((np.zeros(2), 1.0), {}) == "numpy"


def test_cli_dump_backend(capsys):
    here = Path(__file__)
    assert main(["dump", f"{here}:loss", "--backend", "cupy"]) == 0
    out = capsys.readouterr().out
    assert "import cupy as cp" in out and "def grad_loss(w, X, y):" in out
    assert main(["dump", f"{here}:loss", "--backend", "cupy", "--primal"]) == 0
    assert "def loss(w, X, y):" in capsys.readouterr().out


@GPU[0]
@GPU[1]
def test_gradient_on_the_gpu_matches_numpy():
    w, X, y = _data(n=1000, d=20, dtype=np.float32)
    g = npgrad.grad(loss)
    got = g(cupy.asarray(w), cupy.asarray(X), cupy.asarray(y))
    assert isinstance(got, cupy.ndarray) and got.dtype == cupy.float32
    np.testing.assert_allclose(cupy.asnumpy(got), g(w, X, y), rtol=1e-4, atol=1e-6)
    value = npgrad.retarget(loss, "cupy")(cupy.asarray(w), cupy.asarray(X), cupy.asarray(y))
    np.testing.assert_allclose(float(value), loss(w, X, y), rtol=1e-5)
