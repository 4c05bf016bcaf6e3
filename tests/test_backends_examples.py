"""The backend examples run as a user would run them (see test_examples.py)."""

from __future__ import annotations

import re

from test_examples import run_example


def test_logistic_regression_gpu() -> None:
    out = run_example("logistic_regression_gpu.py", timeout=120)
    assert "import cupy as cp" in out  # the CuPy code is shown even without a GPU
    losses = [float(v) for v in re.findall(r"loss = ([0-9.]+)", out)]
    assert losses[-1] < losses[0]
    assert "falling back to NumPy" in out or "CuPy on the GPU" in out
    assert float(re.search(r"training accuracy: ([0-9.]+)%", out).group(1)) > 80


def test_logistic_regression_dask() -> None:
    out = run_example("logistic_regression_dask.py", timeout=180)
    assert "import dask.array as da" in out
    assert "cluster gradient equals NumPy's: True" in out
    assert float(re.search(r"training accuracy: ([0-9.]+)%", out).group(1)) > 95
