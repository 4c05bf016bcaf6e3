"""Rule cases for the runtime helpers generated code calls (transforms/rules/generated.py),
which npgrad differentiates when it differentiates its own output (grad of grad)."""

from __future__ import annotations

import npgrad.runtime as rt
from rulecases import Case, arr

_RT = ("npgrad.runtime",)


def _case(func, expr: str, x, y) -> Case:
    return Case(func, f"npgrad.runtime.{expr}", {"x": x, "y": y}, ("x",), imports=_RT)


CASES = [
    _case(rt.grad_like, "grad_like(x * x, y)", arr((3,)), arr((3,))),
    _case(rt.grad_like, "grad_like(x * x, y)", arr(None), arr(None)),
    _case(rt.unbroadcast, "unbroadcast(x * x, y)", arr((2, 3)), arr((3,))),
    _case(rt.unbroadcast, "unbroadcast(x * x, y)", arr((2, 3)), arr((2, 1))),
    _case(rt.unreduce, "unreduce(x * x, y, 1)", arr((2,)), arr((2, 3))),
    _case(rt.unreduce, "unreduce(x * x, y, 0, True)", arr((1, 3)), arr((2, 3))),
    _case(rt.unreduce, "unreduce(x * x, y)", arr(()), arr((2, 3))),
]
# matmul_lhs(g, a, b): the adjoint of `a` in `a @ b`; matmul_rhs(g, a, b): of `b`
for sg, sa, sb in [((2,), (2, 3), (3,)), ((2, 4), (2, 3), (3, 4)), ((4,), (3,), (3, 4)),
                   ((5, 2, 4), (5, 2, 3), (3, 4))]:  # fmt: skip
    args = {"x": arr(sg), "y": arr(sa), "z": arr(sb)}
    CASES.append(
        Case(rt.matmul_lhs, "npgrad.runtime.matmul_lhs(x, y, z)", args, ("x", "z"), imports=_RT)
    )
    CASES.append(
        Case(rt.matmul_rhs, "npgrad.runtime.matmul_rhs(x, y, z)", args, ("x", "y"), imports=_RT)
    )

NONDIFF_CASES = {
    rt.seed: "npgrad.runtime.seed(np.sum(x))",
    rt.shape_of: "np.zeros(npgrad.runtime.shape_of(x, x[:1]))",
    rt.size_of: "npgrad.runtime.size_of(x)",
}
