"""Dask: gradients of rule cases and of a chunked logistic regression computed on a real
`distributed.LocalCluster` with worker processes, compared with NumPy's gradients (which
test_rules.py checks against finite differences)."""

from __future__ import annotations

import numpy as np
import pytest
from backend_cases import CASES, load_case
from fd import numerical_grad

import npgrad

da = pytest.importorskip("dask.array")
distributed = pytest.importorskip("distributed")

# one case per kind of rule that Dask supports: elementwise, broadcasting, reductions,
# products, shapes, indexing
CORE = {
    "np.exp(x)",
    "np.tanh(x)",
    "np.log(x)",
    "x * y",
    "x / y",
    "x @ y",
    "np.sum(x, axis=0)",
    "np.mean(x, axis=1)",
    "np.concatenate([x, y, x])",
    "np.maximum(x, y)",
    "np.where(x > 0, x, 0.1 * x)",
    "np.sqrt(x)",
    "np.cos(x)",
    "np.abs(x)",
    "np.transpose(x)",
}


@pytest.fixture(scope="module")
def client():
    cluster = distributed.LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=True,
        memory_limit="1GiB",
        dashboard_address=None,
    )
    with distributed.Client(cluster) as c:
        yield c
    cluster.close()


def _chunked(value):
    if isinstance(value, np.ndarray) and value.ndim and value.shape[0] > 1:
        return da.from_array(value, chunks=(-(-value.shape[0] // 2),) + value.shape[1:])
    return da.from_array(value) if isinstance(value, np.ndarray) else value


def _core_cases():
    return [k for k, c in enumerate(CASES) if c.expr in CORE]


def test_core_cases_cover_the_core_set():
    assert {CASES[k].expr for k in _core_cases()} == CORE


@pytest.mark.parametrize("k", _core_cases(), ids=[CASES[k].id for k in _core_cases()])
def test_rule_case_on_local_cluster(k, tmp_path, client):
    f, args, wrt = load_case(k, tmp_path)
    expected = npgrad.grad(f, wrt=wrt, backend="numpy")(*args)
    grads = npgrad.grad(f, wrt=wrt, backend="dask")(*map(_chunked, args))
    got = client.compute(list(grads), sync=True)
    for g, e, i in zip(got, expected, wrt, strict=True):
        assert np.shape(g) == np.shape(args[i])
        np.testing.assert_allclose(np.asarray(g), e, rtol=1e-10, atol=1e-12)


def loss(w, X, y):
    p = 1 / (1 + np.exp(-X @ w))
    return -np.mean(y * np.log(p) + (1 - y) * np.log(1 - p))


def test_chunked_logistic_regression_on_local_cluster(client):
    rng = np.random.default_rng(3)
    X = rng.normal(size=(2000, 5))
    y = (rng.random(2000) < 0.5).astype(float)
    w = rng.normal(size=5)
    g = npgrad.grad(loss)  # follows the arrays: Dask in, Dask code
    dX, dy = da.from_array(X, chunks=(250, 5)), da.from_array(y, chunks=250)
    lazy = g(da.from_array(w), dX, dy)
    assert isinstance(lazy, da.Array)
    np.testing.assert_allclose(lazy.compute(), g(w, X, y), rtol=1e-10)
    assert len(client.scheduler_info()["workers"]) == 2


def test_no_case_gives_a_wrong_gradient_on_dask(tmp_path):
    """Every case Dask transforms either matches NumPy or raises (Dask's own limits, such as
    FFTs along a chunked axis); none is silently wrong. Sync scheduler: this is about
    the code, the cluster is above."""
    wrong, ran = [], 0
    for k in range(0, len(CASES), 3):
        f, args, wrt = load_case(k, tmp_path)
        g = npgrad.grad(f, wrt=wrt, backend="dask")
        try:
            g.source  # noqa: B018
        except npgrad.TransformError:
            continue
        expected = npgrad.grad(f, wrt=wrt, backend="numpy")(*args)
        try:
            got = da.compute(*g(*map(_chunked, args)), scheduler="sync")
            same = _same_function(f, args)
        except Exception:  # noqa: BLE001 (an error is not a wrong answer)
            continue
        ran += 1
        if not same:
            # Dask's QR and SVD choose other signs than LAPACK: another function, whose
            # gradient is checked against its own finite differences
            expected = [_dask_fd(f, args, i) for i in wrt]
        for a, e in zip(got, expected, strict=True):
            if np.shape(a) != np.shape(e) or not np.allclose(a, e, rtol=1e-5, atol=1e-7):
                wrong.append(CASES[k].id)
    assert not wrong
    assert ran > 250


def _same_function(f, args) -> bool:
    value = npgrad.retarget(f, "dask")(*map(_chunked, args))
    return bool(np.allclose(da.compute(value, scheduler="sync")[0], f(*args), rtol=1e-9))


def _dask_fd(f, args, i):
    on_dask = npgrad.retarget(f, "dask")

    def value(*a):
        return float(da.compute(on_dask(*map(_chunked, a)), scheduler="sync")[0])

    return numerical_grad(value, args, i)
