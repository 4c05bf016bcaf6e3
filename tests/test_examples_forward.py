"""Run the forward-mode and higher-derivative examples as a user would; check what they print
against finite differences and closed forms computed here, independently of the examples."""

from __future__ import annotations

import importlib.util
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
NUMBER = r"[-+]?[0-9.]+(?:e[-+]?[0-9]+)?"


def run_script(path: Path, *args: str, timeout: float = 120) -> str:
    """Run a script with this interpreter; assert it exits 0 cleanly and return its stdout."""
    result = subprocess.run(
        [sys.executable, str(path), *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=ROOT,
    )
    assert result.returncode == 0, f"{path.name} failed:\n{result.stdout}\n{result.stderr}"
    assert "Warning" not in result.stderr, result.stderr  # no overflow or invalid values
    return result.stdout


def floats(pattern: str, out: str) -> list[float]:
    (match,) = re.findall(pattern, out, re.M)
    return [float(v) for v in (match if isinstance(match, tuple) else (match,))]


# ----- ode_sensitivities.py --------------------------------------------------------------


def lotka_volterra_final(theta: np.ndarray, state: np.ndarray) -> np.ndarray:
    """The example's RK4 integration (200 steps of 0.05), written again here."""
    dt = 0.05

    def rhs(s):
        u, w = s
        return np.array([theta[0] * u - theta[1] * u * w, theta[3] * u * w - theta[2] * w])

    for _ in range(200):
        k1 = rhs(state)
        k2 = rhs(state + 0.5 * dt * k1)
        k3 = rhs(state + 0.5 * dt * k2)
        k4 = rhs(state + dt * k3)
        state = state + dt / 6 * (k1 + 2 * k2 + 2 * k3 + k4)
    return state


def test_ode_sensitivities() -> None:
    out = run_script(EXAMPLES / "ode_sensitivities.py")
    theta, state0 = np.array([1.0, 0.4, 0.8, 0.2]), np.array([4.0, 2.0])
    final = lotka_volterra_final(theta, state0)
    prey, predators = floats(rf"final prey ({NUMBER}), predators ({NUMBER})", out)
    assert [prey, predators] == pytest.approx(final, rel=1e-6)

    rows = re.findall(
        rf"^  d/d(\w): prey ({NUMBER}) \(({NUMBER})\)   predators ({NUMBER})", out, re.M
    )
    assert [r[0] for r in rows] == ["a", "b", "c", "d"]
    eps = 1e-6
    for i, (_, d_prey, _, d_pred) in enumerate(rows):
        e = np.eye(4)[i] * eps
        fd = lotka_volterra_final(theta + e, state0) - lotka_volterra_final(theta - e, state0)
        fd = fd / (2 * eps)
        assert [float(d_prey), float(d_pred)] == pytest.approx(fd, rel=1e-6, abs=1e-6)

    for label in ("jvp", "jacobian"):
        (error,) = floats(rf"^{label} max relative error vs finite differences: ({NUMBER})", out)
        assert error < 1e-6
    assert "shape: (201, 2, 4)" in out
    (error,) = floats(rf"vs J @ v: max relative error ({NUMBER})", out)
    assert error < 1e-12
    (error,) = floats(
        rf"shape \(201, 2, 2\): max relative error vs finite differences ({NUMBER})", out
    )
    assert error < 1e-6
    assert "def jvp_batched_trajectory(theta, state0, steps, *, ttheta):" in out


# ----- rosenbrock_newton.py --------------------------------------------------------------


def test_rosenbrock_newton() -> None:
    out = run_script(EXAMPLES / "rosenbrock_newton.py")
    # the closed form at (-1.2, 1): [[1200 x0^2 - 400 x1 + 2, -400 x0], [-400 x0, 200]]
    x0, x1 = -1.2, 1.0
    want = [[1200 * x0**2 - 400 * x1 + 2, -400 * x0], [-400 * x0, 200.0]]
    (printed,) = re.findall(r"npgrad.hessian\(rosenbrock\)\(x0\) = (\[\[.*\]\])", out)
    got = np.array([[float(v) for v in re.findall(NUMBER, row)] for row in printed.split("], [")])
    assert got == pytest.approx(np.array(want), rel=1e-12)

    for where in ("x0", "the minimum"):
        errors = re.findall(rf"Hessian at {where} vs closed form: max abs error ({NUMBER})", out)
        assert len(errors) == 2 and max(map(float, errors)) < 1e-9
    errors = [
        float(e) for e in re.findall(rf"vs finite differences: max relative error ({NUMBER})", out)
    ]
    assert len(errors) == 2 and max(errors) < 1e-7

    results = re.findall(
        rf"^n = (\d+): converged in (\d+) Newton steps, max \|x - 1\| = ({NUMBER})", out, re.M
    )
    assert [int(r[0]) for r in results] == [2, 20]
    for _, steps, distance in results:
        assert int(steps) < 100 and float(distance) < 1e-8
    # f decreases at every Newton step, to 0
    values = [float(v) for v in re.findall(rf"iter +\d+: f = ({NUMBER})", out)]
    starts = [i for i, line in enumerate(re.findall(r"iter +(\d+):", out)) if line == "0"]
    assert len(starts) == 2
    for run in (values[: starts[1]], values[starts[1] :]):
        assert all(b < a for a, b in zip(run, run[1:], strict=False) if a > 0)
        assert run[-1] < 1e-20
    assert values[0] == pytest.approx(100 * (1 - 1.44) ** 2 + 2.2**2)  # f(-1.2, 1) = 24.2
    eigenvalues = [
        float(v) for v in re.findall(rf"smallest Hessian eigenvalue at the minimum ({NUMBER})", out)
    ]
    # closed form at x = 1, n = 2: [[802, -400], [-400, 200]]
    assert eigenvalues[0] == pytest.approx(
        np.linalg.eigvalsh([[802, -400], [-400, 200]]).min(), abs=1e-4
    )


# ----- tanh_derivatives.py ---------------------------------------------------------------

# tanh^(k) as polynomials in t = tanh(x), coefficients of t^0, t^1, ... (well known)
TANH_DERIVATIVES = [
    [0, 1],
    [1, 0, -1],
    [0, -2, 0, 2],
    [-2, 0, 8, 0, -6],
    [0, 16, 0, -40, 0, 24],
    [16, 0, -136, 0, 240, 0, -120],
    [0, -272, 0, 1232, 0, -1680, 0, 720],
]


def test_tanh_derivatives_closed_forms_here() -> None:
    """The table above is right: P_{k+1} = P_k' (1 - t^2), and finite differences at 0.3."""
    from numpy.polynomial import Polynomial

    for k in range(6):
        step = Polynomial(TANH_DERIVATIVES[k]).deriv() * Polynomial([1, 0, -1])
        assert list(step.coef) == TANH_DERIVATIVES[k + 1]
    h, x = 1e-4, 0.3
    for k in range(1, 4):
        lower = Polynomial(TANH_DERIVATIVES[k - 1])
        fd = (lower(np.tanh(x + h)) - lower(np.tanh(x - h))) / (2 * h)
        assert fd == pytest.approx(Polynomial(TANH_DERIVATIVES[k])(np.tanh(x)), rel=1e-6)


def test_tanh_derivatives(tmp_path: Path) -> None:
    out = run_script(EXAMPLES / "tanh_derivatives.py", str(tmp_path))
    coefficients = re.findall(r"^ (\d)  \[([-0-9 .]+)\]$", out, re.M)
    assert [int(k) for k, _ in coefficients] == list(range(7))
    for (k, coefs), want in zip(coefficients, TANH_DERIVATIVES, strict=True):
        assert [float(c) for c in coefs.split()] == want, k
    errors = [float(e) for e in re.findall(rf"max relative error ({NUMBER})", out)]
    assert len(errors) == 7 and max(errors) < 1e-12

    npgrad_d6, closed, fd = floats(
        rf"at x = 0.7: npgrad ({NUMBER})   closed form ({NUMBER})   "
        rf"finite differences of the 5th ({NUMBER})",
        out,
    )
    from numpy.polynomial import Polynomial

    want = Polynomial(TANH_DERIVATIVES[6])(np.tanh(0.7))
    assert npgrad_d6 == pytest.approx(want, abs=1e-8)
    assert closed == pytest.approx(want, abs=1e-8)
    assert fd == pytest.approx(want, abs=1e-6)

    png = tmp_path / "tanh_derivatives.png"
    if importlib.util.find_spec("matplotlib") is None:
        assert "matplotlib is not installed: skipping the plot" in out
        assert not png.exists()
    else:
        assert f"wrote {png}" in out
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


# ----- force_matching.py -----------------------------------------------------------------


def test_force_matching() -> None:
    """Its gradient goes through npgrad's own gradient (the forces): the script compares it
    with finite differences of the loss; here the fit must recover the stiffnesses."""
    out = run_script(EXAMPLES / "force_matching.py")
    assert "gradient matches finite differences: True" in out
    first, last = floats(rf"^loss: ({NUMBER}) -> ({NUMBER})$", out)
    assert first > 1.0 and last < 0.01
    (error,) = floats(rf"^largest error in k: ({NUMBER})$", out)
    assert error < 0.05  # the observed forces carry noise of 0.01


# ----- benchmarks/bench_hessian.py -------------------------------------------------------


def test_bench_hessian_quick() -> None:
    out = run_script(ROOT / "benchmarks" / "bench_hessian.py", "--quick")
    checks = dict(
        re.findall(rf"^check (.+?) +max relative error vs closed form ({NUMBER})", out, re.M)
    )
    assert float(checks["hessian"]) < 1e-12
    assert float(checks["jacobian(grad) rev"]) < 1e-12
    assert float(checks["fd of grad"]) < 1e-5
    for name in ("n x grad", "hessian", "jacobian(grad) rev", "fd of grad", "hand"):
        assert re.search(rf"^{re.escape(name)} +{NUMBER} +{NUMBER}x +{NUMBER}x$", out, re.M), name
