"""Run every script in examples/ as a user would, and check the line a person would look at."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def run_example(name: str, timeout: float = 60, env: dict[str, str] | None = None) -> str:
    """Run examples/<name> with this interpreter; assert it exits 0 and return its stdout."""
    result = subprocess.run(
        [sys.executable, str(EXAMPLES / name)],
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=EXAMPLES.parent,
        env=env,
    )
    assert result.returncode == 0, f"{name} failed:\n{result.stdout}\n{result.stderr}"
    return result.stdout


def numbers_after(label: str, output: str) -> list[float]:
    """Every number printed after `label` on lines that start with it."""
    pattern = re.compile(rf"^{re.escape(label)}\s*([-+0-9.e]+)", re.MULTILINE)
    return [float(m) for m in pattern.findall(output)]


def test_derivative() -> None:
    out = run_example("derivative.py")
    assert "f'(2.0) = 7.0" in out
    assert "def grad_f(x):" in out  # the generated source is shown


def test_mean_gradient() -> None:
    out = run_example("mean_gradient.py")
    assert "[0.33333333 0.33333333 0.33333333]" in out
    assert "matches: True" in out


def test_gradient_descent() -> None:
    out = run_example("gradient_descent.py")
    xs = [float(x) for x in re.findall(r"^step +\d+: x = ([-0-9.]+)", out, re.MULTILINE)]
    assert xs[0] == 2.0
    assert all(abs(b) < abs(a) for a, b in zip(xs, xs[1:], strict=False))
    assert abs(numbers_after("final x =", out)[0]) < 1e-3


def test_linear_regression() -> None:
    out = run_example("linear_regression.py")
    losses = [float(v) for v in re.findall(r"loss = ([0-9.]+)", out)]
    assert losses[0] > 1.0 and losses[-1] < 0.02
    fitted = re.search(r"fitted w = \[([^\]]*)\]", out)
    assert fitted is not None
    w = [float(v) for v in fitted.group(1).split()]
    assert w == pytest.approx([2.0, -1.0, 0.5], abs=0.05)
    assert numbers_after("fitted b =", out)[0] == pytest.approx(3.0, abs=0.05)


def test_logistic_regression() -> None:
    out = run_example("logistic_regression.py", timeout=30)
    assert "def value_and_grad_loss(w, X, y):" in out
    losses = [float(v) for v in re.findall(r"loss = ([0-9.]+)", out)]
    assert losses[0] == pytest.approx(np.log(2), abs=1e-3)
    assert all(b < a for a, b in zip(losses, losses[1:], strict=False))
    (accuracy,) = re.findall(r"training accuracy: ([0-9.]+)%", out)
    assert float(accuracy) > 85


def test_neural_network_digits() -> None:
    out = run_example("neural_network_digits.py", timeout=120)
    if "needs scikit-learn" in out:
        pytest.skip("scikit-learn is not installed (the `examples` extra)")
    (train,) = re.findall(r"^train accuracy: ([0-9.]+)%", out, re.MULTILINE)
    (test,) = re.findall(r"^test accuracy: ([0-9.]+)%", out, re.MULTILINE)
    assert float(train) > 95
    assert float(test) > 90


def test_neural_network_digits_without_sklearn(tmp_path: Path) -> None:
    """Without scikit-learn the example says how to install it and exits cleanly."""
    fake = tmp_path / "sklearn"
    fake.mkdir()
    (fake / "__init__.py").write_text("raise ImportError('scikit-learn is hidden by the test')\n")
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(tmp_path), env.get("PYTHONPATH")]))
    out = run_example("neural_network_digits.py", env=env)
    assert 'pip install -e ".[examples]"' in out


def test_custom_rule() -> None:
    out = run_example("custom_rule.py")
    assert "match: True" in out and "forward match: True" in out
    assert "cube_root_of_vjp" not in out.split("match: True")[1]  # inlined, not called


def test_heat_equation() -> None:
    out = run_example("heat_equation.py", timeout=120)
    losses = numbers_after("loss:", out)
    assert losses and losses[0] > 1.0
    assert float(re.findall(r"-> ([0-9.e-]+)", out)[0]) < 1e-3
    assert "leaves its argument unchanged: True" in out


def test_soft_dtw() -> None:
    out = run_example("soft_dtw.py", timeout=120)
    assert numbers_after("max |npgrad - finite differences| =", out)[0] < 1e-6
    before, after = (float(v) for v in re.findall(r"soft-DTW: ([-0-9.]+) -> ([-0-9.]+)", out)[0])
    assert after < before
