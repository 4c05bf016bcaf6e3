"""The rule cases of tests/cases_*.py (see rulecases.py) as functions, for the backend tests:
each case's `f(args..., W) = np.sum((EXPR) * W)` written to a file, and its arguments."""

from __future__ import annotations

import importlib
import importlib.util
from pathlib import Path
from typing import Any

import numpy as np
from rulecases import Case

_MODULES = [
    importlib.import_module(p.stem) for p in sorted(Path(__file__).parent.glob("cases_*.py"))
]
CASES: list[Case] = [c for m in _MODULES for c in m.CASES]


def load_case(k: int, folder: Path) -> tuple[Any, tuple[Any, ...], tuple[int, ...]]:
    """Case `k` as (f, args, wrt positions), its module written under `folder`."""
    case = CASES[k]
    names = list(case.args)
    imports = "".join(f"import {m}\n" for m in case.imports)
    src = f"import numpy as np\n{imports}\n\ndef f({', '.join(names)}, W):\n"
    src += f"    return np.sum(({case.expr}) * W)\n"
    path = folder / f"backend_case_{k}.py"
    path.write_text(src)
    spec = importlib.util.spec_from_file_location(f"backend_case_{k}", path)
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    namespace: dict[str, Any] = {"np": np}
    for module in case.imports:
        namespace[module.split(".")[0]] = importlib.import_module(module.split(".")[0])
        importlib.import_module(module)
    out = np.asarray(eval(case.expr, namespace, dict(case.args)), dtype=float)
    rng = np.random.default_rng(k)
    args = (*case.args.values(), rng.uniform(0.5, 1.5, size=out.shape))
    return mod.f, args, tuple(names.index(w) for w in case.wrt)
