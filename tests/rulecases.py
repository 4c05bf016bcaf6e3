"""Shared pieces of the rule-table test: a Case, and random arguments.

Each `tests/cases_*.py` module defines `CASES` (a list of Case) and may define
`NONDIFF_CASES` (no-gradient function -> an expression in `x`); test_rules.py runs them all.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

RNG = np.random.default_rng(0)


@dataclass
class Case:
    """`np.sum((expr) * W)` is differentiated w.r.t. `wrt`; expr may also be a scalar."""

    func: object  # the rule-table key this case exercises
    expr: str
    args: dict  # name -> array or float; the ones in `wrt` are differentiated
    wrt: tuple[str, ...]
    loose: bool = False  # low-precision rules (float16, float32): wider step and tolerance
    imports: tuple[str, ...] = ()  # modules the expression needs besides numpy: "scipy.special"

    @property
    def id(self) -> str:
        shapes = ",".join(f"{k}{np.shape(v)}" for k, v in self.args.items())
        return f"{self.expr} [{shapes}]"


def arr(shape, low=-2.0, high=2.0):
    """Uniform random values of `shape`; `None` gives a Python float."""
    if shape is None:
        return float(RNG.uniform(low, high))
    return RNG.uniform(low, high, size=shape)


SHAPES = [None, (), (3,), (2, 3)]
PAIRS = [((3,), (3,)), ((2, 3), (3,)), ((2, 1), (1, 3)), ((), (2, 3)), (None, (3,)), ((2, 3), None)]
