"""The `npgrad` command and `python -m npgrad`, run as subprocesses on files in tmp_path.

Dumped gradients are exec'd and checked against central finite differences.
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from fd import numerical_grad

MODEL = """\
import numpy as np

import npgrad


def loss(w, X, y):
    p = 1 / (1 + np.exp(-X @ w))
    unused = np.cos(w) * 17.25
    return -np.mean(y * np.log(p) + (1 - y) * np.log(1 - p))


def bad(x):
    y = x * 2
    with open("/dev/null"):
        y = y + 1
    return np.sum(y)


def calls_unknown(x):
    return np.sum(np.unwrap(x))


@npgrad.grad(wrt="b")
def decorated(a, b):
    return np.sum(np.sin(a) * b * b)


class Model:
    @staticmethod
    def energy(a, b):
        return np.sum(np.tanh(a @ b))
"""

RNG = np.random.default_rng(7)
W = RNG.normal(size=3)
XM = RNG.normal(size=(5, 3))
Y = (RNG.uniform(size=5) > 0.5).astype(float)


@pytest.fixture(scope="module")
def model(tmp_path_factory):
    path = tmp_path_factory.mktemp("cli") / "model.py"
    path.write_text(MODEL)
    return path


@pytest.fixture(scope="module")
def module(model):
    spec = importlib.util.spec_from_file_location("npgrad_cli_test_model", model)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def npgrad_cmd(*args, cwd, script=False):
    if script:
        exe = Path(sys.executable).parent / "npgrad"
        if not exe.exists():
            pytest.skip("the npgrad console script is not installed next to the interpreter")
        cmd = [str(exe), *args]
    else:
        cmd = [sys.executable, "-m", "npgrad", *args]
    return subprocess.run(cmd, capture_output=True, text=True, cwd=cwd, timeout=60)


def exec_dump(text, name):
    namespace = {}
    exec(compile(text, "<npgrad dump>", "exec"), namespace)
    return namespace[name]


def line_of(needle):
    lines = MODEL.splitlines()
    k = next(i for i, s in enumerate(lines) if needle in s)
    return k + 1, lines[k].index(needle) + 1


# ----- dump --------------------------------------------------------------------------------------


def test_dump_prints_a_module(model):
    r = npgrad_cmd("dump", "model.py:loss", "--wrt", "w", cwd=model.parent, script=True)
    assert r.returncode == 0, r.stderr
    assert r.stderr == ""
    out = r.stdout
    assert "def grad_loss(" in out
    assert "import numpy as np" in out
    assert "# grad of:" in out
    assert "17.25" not in out  # the unused statement is gone


def test_dumped_source_computes_the_gradient(model, module):
    r = npgrad_cmd("dump", "model.py:loss", "--wrt", "w", cwd=model.parent, script=True)
    grad_loss = exec_dump(r.stdout, "grad_loss")
    got = grad_loss(W, XM, Y)
    assert np.shape(got) == W.shape
    np.testing.assert_allclose(got, numerical_grad(module.loss, (W, XM, Y), 0), rtol=1e-6)


def test_python_m_npgrad_dump_is_the_same(model):
    a = npgrad_cmd("dump", "model.py:loss", "--wrt", "w", cwd=model.parent, script=True)
    b = npgrad_cmd("dump", "model.py:loss", "--wrt", "w", cwd=model.parent)
    assert b.returncode == 0, b.stderr
    assert a.stdout == b.stdout


def test_dump_is_deterministic_across_processes(model):
    env = dict(os.environ)
    outs = set()
    for seed in ("0", "1", "12345"):
        env["PYTHONHASHSEED"] = seed
        cmd = [sys.executable, "-m", "npgrad", "dump", "model.py:loss", "--wrt", "w", "X"]
        r = subprocess.run(cmd, capture_output=True, text=True, cwd=model.parent, env=env)
        assert r.returncode == 0, r.stderr
        outs.add(r.stdout)
    assert len(outs) == 1


def test_no_optimize_is_longer_and_still_correct(model, module):
    opt = npgrad_cmd("dump", "model.py:loss", "--wrt", "w", cwd=model.parent)
    raw = npgrad_cmd("dump", "model.py:loss", "--wrt", "w", "--no-optimize", cwd=model.parent)
    assert raw.returncode == 0, raw.stderr
    assert len(raw.stdout.splitlines()) > len(opt.stdout.splitlines())
    grad_loss = exec_dump(raw.stdout, "grad_loss")
    ref = numerical_grad(module.loss, (W, XM, Y), 0)
    np.testing.assert_allclose(grad_loss(W, XM, Y), ref, rtol=1e-6)


def test_dump_several_wrt(model, module):
    r = npgrad_cmd("dump", "model.py:loss", "--wrt", "w", "X", cwd=model.parent)
    assert r.returncode == 0, r.stderr
    gw, gx = exec_dump(r.stdout, "grad_loss")(W, XM, Y)
    np.testing.assert_allclose(gw, numerical_grad(module.loss, (W, XM, Y), 0), rtol=1e-6)
    np.testing.assert_allclose(gx, numerical_grad(module.loss, (W, XM, Y), 1), rtol=1e-6)


def test_dump_wrt_index(model, module):
    r = npgrad_cmd("dump", "model.py:loss", "--wrt", "1", cwd=model.parent)
    assert r.returncode == 0, r.stderr
    gx = exec_dump(r.stdout, "grad_loss")(W, XM, Y)
    np.testing.assert_allclose(gx, numerical_grad(module.loss, (W, XM, Y), 1), rtol=1e-6)


def test_dump_default_wrt_is_first_parameter(model, module):
    r = npgrad_cmd("dump", "model.py:loss", cwd=model.parent)
    assert r.returncode == 0, r.stderr
    gw = exec_dump(r.stdout, "grad_loss")(W, XM, Y)
    np.testing.assert_allclose(gw, numerical_grad(module.loss, (W, XM, Y), 0), rtol=1e-6)


def test_dump_value_and_grad(model, module):
    r = npgrad_cmd("dump", "model.py:loss", "--wrt", "w", "--value-and-grad", cwd=model.parent)
    assert r.returncode == 0, r.stderr
    assert "def value_and_grad_loss(" in r.stdout
    value, gw = exec_dump(r.stdout, "value_and_grad_loss")(W, XM, Y)
    assert value == module.loss(W, XM, Y)
    np.testing.assert_allclose(gw, numerical_grad(module.loss, (W, XM, Y), 0), rtol=1e-6)


def test_dump_decorated_function(model, module):
    r = npgrad_cmd("dump", "model.py:decorated", "--wrt", "b", cwd=model.parent)
    assert r.returncode == 0, r.stderr
    a, b = RNG.normal(size=4), RNG.normal(size=4)
    gb = exec_dump(r.stdout, "grad_decorated")(a, b)
    np.testing.assert_allclose(gb, numerical_grad(module.decorated.primal, (a, b), 1), 1e-6)


def test_dump_dotted_name(model, module):
    r = npgrad_cmd("dump", "model.py:Model.energy", "--wrt", "a", "b", cwd=model.parent)
    assert r.returncode == 0, r.stderr
    a, b = RNG.normal(size=(2, 3)), RNG.normal(size=3)
    ga, gb = exec_dump(r.stdout, "grad_energy")(a, b)
    np.testing.assert_allclose(ga, numerical_grad(module.Model.energy, (a, b), 0), rtol=1e-6)
    np.testing.assert_allclose(gb, numerical_grad(module.Model.energy, (a, b), 1), rtol=1e-6)


def test_dump_with_absolute_path(model):
    r = npgrad_cmd("dump", f"{model}:loss", cwd=model.parent.parent)
    assert r.returncode == 0, r.stderr
    assert "def grad_loss(" in r.stdout


# ----- errors ------------------------------------------------------------------------------------


@pytest.mark.parametrize("script", [True, False], ids=["npgrad", "python -m npgrad"])
def test_dump_error_exits_nonzero_with_location(model, script):
    r = npgrad_cmd("dump", "model.py:bad", cwd=model.parent, script=script)
    assert r.returncode != 0
    assert r.stdout == ""
    line, col = line_of('with open("/dev/null"):')
    assert f"{model}:{line}:{col}:" in r.stderr, r.stderr
    assert 'with open("/dev/null"):' in r.stderr
    assert "^" in r.stderr
    assert "what to do:" in r.stderr
    assert "Traceback" not in r.stderr


def test_no_derivative_error_exits_nonzero(model):
    r = npgrad_cmd("dump", "model.py:calls_unknown", cwd=model.parent)
    assert r.returncode != 0
    line, col = line_of("np.unwrap(x)")
    assert f"{model}:{line}:{col}:" in r.stderr, r.stderr
    assert "Traceback" not in r.stderr


@pytest.mark.parametrize(
    "target, text",
    [("model.py:nope", "nope"), ("missing.py:loss", "missing.py"), ("model.py", "FILE:FUNC")],
    ids=["no such function", "no such file", "no function named"],
)
def test_bad_target(model, target, text):
    r = npgrad_cmd("dump", target, cwd=model.parent)
    assert r.returncode != 0
    assert text in r.stderr
    assert "Traceback" not in r.stderr


def test_bad_wrt(model):
    r = npgrad_cmd("dump", "model.py:loss", "--wrt", "q", cwd=model.parent)
    assert r.returncode != 0
    assert "q" in r.stderr and "what to do:" in r.stderr
    assert "Traceback" not in r.stderr


def test_unknown_backend(model):
    r = npgrad_cmd("dump", "model.py:loss", "--backend", "nosuch", cwd=model.parent)
    assert r.returncode != 0
    assert "nosuch" in r.stderr
    assert "Traceback" not in r.stderr


def test_no_command_is_a_usage_error(model):
    r = npgrad_cmd(cwd=model.parent)
    assert r.returncode != 0
    assert "usage" in r.stderr.lower()


# ----- check and rules ---------------------------------------------------------------------------


def test_check_ok(model):
    r = npgrad_cmd("check", "model.py:loss", cwd=model.parent, script=True)
    assert r.returncode == 0, r.stderr
    assert "ok" in r.stdout


def test_check_error(model):
    r = npgrad_cmd("check", "model.py:bad", cwd=model.parent, script=True)
    assert r.returncode == 1
    line, _ = line_of('with open("/dev/null"):')
    assert f"{model}:{line}:" in r.stderr


def test_rules_lists_functions(model):
    r = npgrad_cmd("rules", cwd=model.parent, script=True)
    assert r.returncode == 0, r.stderr
    names = {line.split()[0] for line in r.stdout.splitlines() if line.strip()}
    assert {"np.exp", "np.sum", "np.matmul", "np.tanh"} <= names
    m = npgrad_cmd("rules", cwd=model.parent)
    assert m.stdout == r.stdout
