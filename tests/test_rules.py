"""Every rule in the table, checked against central finite differences.

Cases live in `tests/cases_*.py` (see rulecases.py). For each one a module is written to a
temporary file (npgrad reads source), holding `def f(args, W): return np.sum((EXPR) * W)`
with W a fixed random weight, so every element of the result matters. A rule added to the
table without a case makes `test_every_rule_has_a_case` fail.
"""

from __future__ import annotations

import importlib
import importlib.util
from pathlib import Path

import numpy as np
import pytest
from fd import numerical_grad
from npgrad.transforms.rules import NONDIFF, VJPS
from rulecases import RNG

import npgrad

_MODULES = [
    importlib.import_module(p.stem) for p in sorted(Path(__file__).parent.glob("cases_*.py"))
]
CASES = [c for m in _MODULES for c in m.CASES]
NONDIFF_CASES = {k: v for m in _MODULES for k, v in getattr(m, "NONDIFF_CASES", {}).items()}


def _load(src: str, tmp_path, name: str):
    path = tmp_path / f"{name}.py"
    path.write_text(src)
    spec = importlib.util.spec_from_file_location(name, path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod.f


@pytest.mark.parametrize("k", range(len(CASES)), ids=[c.id for c in CASES])
def test_rule_matches_finite_differences(k, tmp_path):
    case = CASES[k]
    names = list(case.args)
    imports = "".join(f"import {m}\n" for m in case.imports)
    src = f"import numpy as np\n{imports}\n\ndef f({', '.join(names)}, W):\n"
    src += f"    return np.sum(({case.expr}) * W)\n"
    f = _load(src, tmp_path, f"rule_case_{k}")
    namespace = {"np": np}
    for module in case.imports:
        root = module.split(".")[0]
        namespace[root] = importlib.import_module(root)
        importlib.import_module(module)
    out = np.asarray(eval(case.expr, namespace, dict(case.args)), dtype=float)
    args = (*case.args.values(), RNG.uniform(0.5, 1.5, size=out.shape))
    wrt = tuple(names.index(w) for w in case.wrt)
    g = npgrad.grad(f, wrt=wrt)
    grads = g(*args)
    for i, gi in zip(wrt, grads, strict=True):
        expected = numerical_grad(f, args, i, eps=1e-3 if case.loose else 1e-6)
        assert np.shape(gi) == np.shape(args[i])
        assert type(gi) is float if isinstance(args[i], float) else isinstance(gi, np.ndarray)
        tol = 1e-2 if case.loose else 1e-5
        np.testing.assert_allclose(gi, expected, rtol=tol, atol=tol / 10, err_msg=g.source)


def test_every_rule_has_a_case():
    covered = {c.func for c in CASES}
    builtin = [f for f, r in VJPS.items() if r.template.__module__.startswith("npgrad.")]
    missing = [VJPS[f].template.__name__ for f in builtin if f not in covered]
    assert not missing, f"rules without a test case: {missing}"


def test_every_nondiff_function_has_a_case():
    missing = [name for f, name in NONDIFF.items() if f not in NONDIFF_CASES]
    assert not missing, f"no-gradient functions without a test case: {missing}"


@pytest.mark.parametrize("func", list(NONDIFF_CASES), ids=lambda f: getattr(f, "__name__", str(f)))
def test_nondiff_function_passes_no_gradient(func, tmp_path):
    """f(x) = sum(x**2) + sum(CONST(x)): the gradient is 2x, whatever CONST does."""
    src = "import math\n\nimport numpy as np\n\nimport npgrad.runtime\n\n\ndef f(x):\n"
    src += f"    return np.sum(x * x) + np.sum({NONDIFF_CASES[func]})\n"
    f = _load(src, tmp_path, "nondiff_case")
    x = np.array([0.3, -1.2, 2.2])
    np.testing.assert_allclose(npgrad.grad(f)(x), numerical_grad(f, (x,), 0))
