"""Second derivatives of every rule case (tests/cases_*.py): how many npgrad gets right.

For each case whose first `wrt` argument is floating, f(args, W) = np.sum((EXPR) * W) is
differentiated twice with respect to that argument: forward over reverse (`npgrad.hessian`)
and reverse over reverse (the reverse-mode Jacobian of `npgrad.grad`). Each result is
compared with central differences of npgrad's gradient in float64 (the gradient itself is
checked against finite differences by tests/test_rules.py). Where the differences with two
step sizes disagree, the point is a kink or a tie (max of equal values, abs at 0) and has
no reference. Prints the counts per outcome and the helpers that refuse most often.

    python tools/second_derivatives.py [-v]
"""

from __future__ import annotations

import collections
import importlib
import importlib.util
import re
import sys
import tempfile
import warnings
from pathlib import Path

import numpy as np

TESTS = Path(__file__).resolve().parent.parent / "tests"
sys.path.insert(0, str(TESTS))

from npgrad.transforms.rules import special  # noqa: E402

import npgrad  # noqa: E402
from npgrad.errors import TransformError  # noqa: E402

MODES = ("forward-over-reverse", "reverse-over-reverse")


def _load(case, names: list[str], k: int, folder: Path):
    imports = "".join(f"import {m}\n" for m in case.imports)
    src = f"import numpy as np\n{imports}\n\ndef f({', '.join(names)}, W):\n"
    src += f"    return np.sum(({case.expr}) * W)\n"
    path = folder / f"second_case_{k}.py"
    path.write_text(src)
    spec = importlib.util.spec_from_file_location(path.stem, path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def _fd_jacobian(g, args: list, i: int, eps: float):
    """The Jacobian of g (a gradient) with respect to args[i], by central differences."""
    x = np.array(args[i], dtype=np.float64)
    columns = []
    for k in np.ndindex(x.shape):
        plus, minus = x.copy(), x.copy()
        plus[k] += eps
        minus[k] -= eps
        moved = list(args)
        moved[i] = float(plus) if isinstance(args[i], float) else plus
        gp = np.asarray(g(*moved), dtype=np.float64)
        moved[i] = float(minus) if isinstance(args[i], float) else minus
        gm = np.asarray(g(*moved), dtype=np.float64)
        columns.append((gp - gm) / (2 * eps))
    if not columns:
        return np.zeros(x.shape + x.shape)
    return np.moveaxis(np.stack(columns), 0, -1).reshape(x.shape + x.shape)


def _named(exc: Exception) -> str:
    text = exc.message if isinstance(exc, TransformError) else str(exc)
    found = re.search(r"`([^`]+)`", text)
    return found.group(1) if found else text[:70]


def survey(verbose: bool = False) -> dict[str, collections.Counter]:
    modules = [importlib.import_module(p.stem) for p in sorted(TESTS.glob("cases_*.py"))]
    cases = [c for m in modules for c in m.CASES]
    special.load()
    rng = np.random.default_rng(5)
    tallies = {mode: collections.Counter() for mode in MODES}
    refused = {mode: collections.Counter() for mode in MODES}
    folder = Path(tempfile.mkdtemp())
    for k, case in enumerate(cases):
        names = list(case.args)
        for m in case.imports:
            importlib.import_module(m)
        mod = _load(case, names, k, folder)
        args = list(case.args.values())
        i = names.index(case.wrt[0])
        if not (
            isinstance(args[i], float) or np.issubdtype(np.asarray(args[i]).dtype, np.floating)
        ):
            continue
        g = npgrad.grad(mod.f, wrt=i)
        full = [*args, rng.uniform(0.5, 1.5, size=_output_shape(case))]  # the weights W
        tol = 2e-2 if case.loose else 1e-4
        try:
            expected = _fd_jacobian(g, full, i, 1e-3 if case.loose else 1e-5)
            coarse = _fd_jacobian(g, full, i, 1e-2 if case.loose else 1e-4)
        except Exception:
            continue  # the first derivative itself is refused: not a second-order question
        kink = not np.allclose(expected, coarse, rtol=10 * tol, atol=10 * tol, equal_nan=True)
        for mode in MODES:
            try:
                if mode == MODES[0]:
                    H = npgrad.hessian(mod.f, wrt=i)(*full)
                else:
                    H = npgrad.jacobian(npgrad.grad(mod.f, wrt=i), wrt=i, mode="reverse")(*full)
            except TransformError as exc:
                tallies[mode]["refused at transform time"] += 1
                refused[mode][_named(exc)] += 1
                continue
            except Exception as exc:
                tallies[mode]["refused at run time"] += 1
                if verbose:
                    print(k, case.id, mode, repr(exc)[:160])
                continue
            H = np.asarray(H)
            if H.shape == expected.shape and np.allclose(H, expected, rtol=tol, atol=tol):
                tallies[mode]["right"] += 1
            elif kink and H.shape == expected.shape and np.all(np.isfinite(H)):
                tallies[mode]["no reference (kink or tie)"] += 1
            else:
                tallies[mode]["WRONG"] += 1
                print("WRONG:", k, case.id, mode)
    for mode in MODES:
        print(f"{mode}: {dict(tallies[mode])}")
        print("   refused most by:", refused[mode].most_common(12))
    return tallies


def _output_shape(case) -> tuple[int, ...]:
    namespace = {"np": np}
    for m in case.imports:
        namespace[m.split(".")[0]] = importlib.import_module(m.split(".")[0])
        importlib.import_module(m)
    return np.shape(eval(case.expr, namespace, dict(case.args)))  # noqa: S307


if __name__ == "__main__":
    warnings.simplefilter("ignore")
    survey(verbose="-v" in sys.argv)
