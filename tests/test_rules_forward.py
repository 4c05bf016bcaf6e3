"""Every rule case (tests/cases_*.py) in forward mode: the JVP against central finite
differences, and against reverse mode.

For a case with expression EXPR and arguments `args`, with random tangents `t`:
- `h(args) = EXPR` (the output itself, any shape): jvp(h) equals the central difference
  (h(args + eps t) - h(args - eps t)) / (2 eps), once with every `wrt` argument moving and
  once per argument alone (the others constant, which exercises the symbolic zeros);
- `f(args, W) = np.sum((EXPR) * W)`: jvp(f) equals the reverse-mode gradient dotted with t.
A function with a reverse rule but no forward rule must be refused at transform time.
"""

from __future__ import annotations

import importlib
import importlib.util
from pathlib import Path

import numpy as np
import pytest
from npgrad.transforms.rules import JVP_OF, JVPS, VJPS, display_name, has_jvp, special
from rulecases import RNG

import npgrad

_MODULES = [
    importlib.import_module(p.stem) for p in sorted(Path(__file__).parent.glob("cases_*.py"))
]
CASES = [c for m in _MODULES for c in m.CASES]
special.load()  # SciPy's rules join the table
MISSING = {display_name(f) for f in VJPS if not has_jvp(f)}  # refused in forward mode


def _load(src: str, tmp_path, name: str):
    path = tmp_path / f"{name}.py"
    path.write_text(src)
    spec = importlib.util.spec_from_file_location(name, path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def _source(case, names: list[str]) -> str:
    imports = "".join(f"import {m}\n" for m in case.imports)
    src = f"import numpy as np\n{imports}\n\ndef h({', '.join(names)}):\n"
    src += f"    return {case.expr}\n\n\ndef f({', '.join(names)}, W):\n"
    return src + f"    return np.sum(({case.expr}) * W)\n"


def _tangent(value):
    t = RNG.normal(size=np.shape(value))
    return float(t) if isinstance(value, float) else t.astype(np.result_type(value))


def _moved(args: list, tangents: list, eps: float) -> list:
    return [a if t is None else a + eps * t for a, t in zip(args, tangents, strict=True)]


def _central(h, args: list, tangents: list, eps: float):
    plus = np.asarray(h(*_moved(args, tangents, eps)), dtype=np.complex128)
    minus = np.asarray(h(*_moved(args, tangents, -eps)), dtype=np.complex128)
    diff = (plus - minus) / (2 * eps)
    return diff if np.iscomplexobj(h(*args)) else diff.real


@pytest.mark.parametrize("k", range(len(CASES)), ids=[c.id for c in CASES])
def test_forward_rule(k, tmp_path):
    case = CASES[k]
    names = list(case.args)
    mod = _load(_source(case, names), tmp_path, f"forward_case_{k}")
    for module in case.imports:
        importlib.import_module(module)
    args = list(case.args.values())
    moving = [_tangent(v) if n in case.wrt else None for n, v in zip(names, args, strict=True)]
    try:
        npgrad.jvp(mod.h, args, moving)
    except npgrad.NoDerivativeError as exc:  # refused at transform time: only for a
        assert "no forward-mode rule for" in exc.message  # function that has no JVP rule
        named = exc.message.split("`")[1]
        assert named in MISSING, f"{named} has a forward rule but was refused"
        return
    except NotImplementedError as exc:  # refused at run time (complex eigenvectors, the
        assert str(exc).startswith("forward mode")  # q of a quantile): never a wrong value
        return
    _check(case, mod, names, args, moving)


def _check(case, mod, names: list[str], args: list, moving: list) -> None:
    eps = 1e-3 if case.loose else 1e-6
    tol = 1e-2 if case.loose else 1e-5
    choices = [moving] + [
        [t if j == i else None for j, t in enumerate(moving)]
        for i in range(len(names))
        if moving[i] is not None and len(case.wrt) > 1
    ]
    for tangents in choices:
        value, tangent = npgrad.jvp(mod.h, args, tangents)
        np.testing.assert_allclose(value, mod.h(*args), rtol=1e-12, atol=1e-12)
        assert np.shape(tangent) == np.shape(value)
        expected = _central(mod.h, args, tangents, eps)
        np.testing.assert_allclose(tangent, expected, rtol=tol, atol=tol / 10)

    # forward mode equals reverse mode: jvp of sum(EXPR * W) is grad . t
    out = np.asarray(mod.h(*args))
    W = RNG.uniform(0.5, 1.5, size=out.shape)
    _, forward = npgrad.jvp(mod.f, [*args, W], [*moving, None])
    wrt = tuple(names.index(w) for w in case.wrt)
    grads = npgrad.grad(mod.f, wrt=wrt)(*args, W)
    reverse = sum(np.sum(g * moving[i]) for i, g in zip(wrt, grads, strict=True))
    np.testing.assert_allclose(forward, reverse, rtol=tol, atol=tol / 10)


def test_jvp_rules_name_the_reverse_rules_tangents():
    """A JVP must take a tangent for exactly the parameters its VJP differentiates:
    a missing one would silently drop a term of the derivative."""
    rules = [(VJPS[f], j) for f, j in JVPS.items() if f in VJPS]  # not forward-only user rules
    rules += [(r, JVP_OF[r.template]) for r in VJPS.values() if r.template in JVP_OF]
    for rule, jrule in rules:
        func = rule.func
        assert list(jrule.signature.parameters) == list(rule.signature.parameters), func
        differentiable = {p for p in rule.signature.parameters if rule.output_for(p) is not None}
        assert set(jrule.tangents) == differentiable, (jrule.template.__name__, differentiable)
