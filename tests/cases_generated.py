"""Rule cases for the runtime helpers generated code calls (transforms/rules/generated.py),
which npgrad differentiates when it differentiates its own output (grad of grad)."""

from __future__ import annotations

import npgrad.runtime as rt
import numpy as np
from rulecases import RNG, Case, arr

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


def _rt_case(func, expr: str, args: dict, wrt: tuple[str, ...]) -> Case:
    return Case(func, f"npgrad.runtime.{expr}", args, wrt, imports=_RT)


# the adjoints of writes (linear in the adjoint; a repeated index: the last write wins)
_REPEATED = "np.array([0, 2, 2])"
CASES += [
    _rt_case(
        rt.setitem_grad,
        "setitem_grad(x * x, np.s_[1:], y)",
        {"x": arr((4,)), "y": arr((3,))},
        ("x",),
    ),
    _rt_case(
        rt.setitem_grad,
        "setitem_grad(x * x, np.s_[:, 1], y)",
        {"x": arr((2, 3)), "y": arr(())},
        ("x",),
    ),
    _rt_case(
        rt.setitem_grad,
        f"setitem_grad(x * x, {_REPEATED}, y)",
        {"x": arr((4,)), "y": arr((3,))},
        ("x",),
    ),
    _rt_case(
        rt.at_grad, f"at_grad(x * x, {_REPEATED}, y)", {"x": arr((4,)), "y": arr((3,))}, ("x",)
    ),
    _rt_case(
        rt.put_grad, f"put_grad(x * x, {_REPEATED}, y)", {"x": arr((2, 2)), "y": arr((3,))}, ("x",)
    ),
    _rt_case(
        rt.put_grad, f"put_grad(x * x, {_REPEATED}, y)", {"x": arr((4,)), "y": arr((1,))}, ("x",)
    ),
    _rt_case(rt.cleared, "cleared(x * x, np.s_[1:3])", {"x": arr((4,))}, ("x",)),
    _rt_case(rt.put_cleared, f"put_cleared(x * x, {_REPEATED})", {"x": arr((2, 2))}, ("x",)),
    _rt_case(rt.snapshot, "snapshot(x * x)", {"x": arr((3,))}, ("x",)),
    _rt_case(rt.snapshot, "snapshot(x * x)", {"x": arr(None)}, ("x",)),
]
# the adjoints of reductions: chooser (max/min, no ties), prod (exact at zeros), the
# division of std and norms (0 where the divisor is 0)
_ROWS = RNG.permutation(12).reshape(3, 4) / 4.0 - 1.0  # distinct: no ties
CASES += [
    _rt_case(
        rt.chooser, "chooser(x * x, np.max(z, 1), z, 1)", {"x": arr((3,)), "z": _ROWS}, ("x", "z")
    ),
    _rt_case(
        rt.chooser,
        "chooser(x * x, np.min(z, 0, keepdims=True), z, 0, True)",
        {"x": arr((1, 4)), "z": _ROWS},
        ("x", "z"),
    ),
    _rt_case(rt.chooser, "chooser(x * x, np.max(z), z)", {"x": arr(()), "z": _ROWS}, ("x", "z")),
    _rt_case(rt.prod_vjp, "prod_vjp(x * x, y, 1)", {"x": arr((2,)), "y": arr((2, 3))}, ("x", "y")),
    _rt_case(rt.prod_vjp, "prod_vjp(x * x, y)", {"x": arr(None), "y": arr((4,))}, ("x", "y")),
    _rt_case(
        rt.prod_vjp,
        "prod_vjp(x * x, y, (0, 2), True)",
        {"x": arr((1, 3, 1)), "y": arr((2, 3, 2))},
        ("x", "y"),
    ),
    _rt_case(
        rt.prod_vjp,
        "prod_vjp(x * x, y, 1)",
        {"x": arr((2,)), "y": np.array([[1.5, 0.0, -2.0, 0.5], [0.0, 1.2, 0.0, -0.7]])},
        ("x", "y"),
    ),
    _rt_case(
        rt.divide_or_zero,
        "divide_or_zero(x * x, y)",
        {"x": arr((2, 3)), "y": arr((3,), 0.5, 2)},
        ("x", "y"),
    ),
    _rt_case(
        rt.divide_or_zero,
        "divide_or_zero(x * x, y)",
        {"x": arr((3,)), "y": np.array([0.0, 1.5, -0.7])},
        ("x",),
    ),
]
# the norms' adjoints, with the norm passed (y) or computed from z; quantile's
_Z = RNG.permutation(10).reshape(2, 5) / 5.0 - 0.9  # distinct and nonzero: no ties
_SUMS = np.array([[0.3, -1.2, 0.5, 2.0, -0.7], [0.25, 0.1, -1.5, 0.45, 0.9]])  # column sums too
CASES += [
    _rt_case(
        rt.norm_vjp,
        "norm_vjp(x * x, y, z)",
        {"x": arr(()), "y": arr((), 1, 2), "z": arr((3,))},
        ("x", "y", "z"),
    ),
    _rt_case(
        rt.norm_vjp,
        "norm_vjp(x * x, np.linalg.norm(z, 3, 1), z, 3, 1)",
        {"x": arr((2,)), "z": _Z},
        ("x", "z"),
    ),
    _rt_case(
        rt.norm_vjp,
        "norm_vjp(x * x, np.linalg.norm(z, 1), z, 1)",
        {"x": arr(()), "z": _Z[0]},
        ("x", "z"),
    ),
    _rt_case(
        rt.norm_vjp,
        "norm_vjp(x * x, np.linalg.norm(z, 'fro'), z, 'fro')",
        {"x": arr(()), "z": _Z},
        ("x", "z"),
    ),
    _rt_case(
        rt.vector_norm_vjp,
        "vector_norm_vjp(x * x, y, z, 2, 1)",
        {"x": arr((2,)), "y": arr((2,), 1, 2), "z": _Z},
        ("x", "y", "z"),
    ),
    _rt_case(
        rt.vector_norm_vjp,
        "vector_norm_vjp(x * x, np.linalg.vector_norm(z, ord=0.5), z, 0.5)",
        {"x": arr(()), "z": _Z},
        ("x", "z"),
    ),
    _rt_case(
        rt.vector_norm_vjp,
        "vector_norm_vjp(x * x, np.max(np.abs(z), 0, keepdims=True), z, np.inf, 0, True)",
        {"x": arr((1, 5)), "z": _Z},
        ("x", "z"),
    ),
    _rt_case(
        rt.matrix_norm_vjp,
        "matrix_norm_vjp(x * x, np.linalg.matrix_norm(z), z)",
        {"x": arr(()), "z": _Z},
        ("x", "z"),
    ),
    _rt_case(
        rt.matrix_norm_vjp,
        "matrix_norm_vjp(x * x, np.linalg.matrix_norm(z, ord=1), z, 1)",
        {"x": arr(()), "z": _SUMS},
        ("x", "z"),
    ),
    _rt_case(
        rt.quantile_vjp, "quantile_vjp(x * x, z, 0.3)", {"x": arr(()), "z": _Z[1]}, ("x", "z")
    ),
    _rt_case(
        rt.quantile_vjp,
        "quantile_vjp(x * x, z, np.array([0.2, 0.7]), 1)",
        {"x": arr((2, 2)), "z": _Z},
        ("x", "z"),
    ),
    _rt_case(
        rt.quantile_vjp,
        "quantile_vjp(x * x, z, 0.5, 0, True, 'linear', True)",
        {"x": arr((1, 5)), "z": _Z},
        ("x", "z"),
    ),
]

# dot_lhs(g, a, b), dot_rhs(g, a, b): the adjoints of `a` and `b` in np.dot(a, b)
for sa, sb in [
    ((2, 3), (3,)),
    ((), (3,)),
    ((2, 3), ()),
    ((2, 3), (3, 4)),
    ((2, 2, 3), (4, 3, 5)),
    ((3,), (3,)),
]:
    a, b = arr(sa), arr(sb)
    args = {"x": arr(np.shape(np.dot(a, b))), "y": a, "z": b}
    CASES.append(_rt_case(rt.dot_lhs, "dot_lhs(x, y, z)", args, ("x", "z")))
    CASES.append(_rt_case(rt.dot_rhs, "dot_rhs(x, y, z)", args, ("x", "y")))

# tensordot's, inner's and kron's adjoints (bilinear); digamma and polygamma (SciPy's)
for name, f, sa, sb, axes in [
    ("tensordot", np.tensordot, (2, 3), (3, 4), 1),
    ("tensordot", np.tensordot, (2, 3), (3, 2), ([1, 0], [0, 1])),
    ("tensordot", np.tensordot, (2, 3, 4), (3, 4, 5), None),
    ("inner", np.inner, (2, 3), (4, 3), None),
    ("inner", np.inner, (3,), (3,), None),
    ("kron", np.kron, (2,), (3,), None),
    ("kron", np.kron, (2, 2), (1, 3), None),
]:
    a, b = arr(sa), arr(sb)
    extra = () if axes is None else (axes,)
    args = {"x": arr(np.shape(f(a, b, *extra))), "y": a, "z": b}
    text = "".join(f", {e!r}" for e in extra)
    lhs, rhs = getattr(rt, f"{name}_lhs"), getattr(rt, f"{name}_rhs")
    CASES.append(_rt_case(lhs, f"{name}_lhs(x, y, z{text})", args, ("x", "z")))
    CASES.append(_rt_case(rhs, f"{name}_rhs(x, y, z{text})", args, ("x", "y")))
_SCIPY = ("npgrad.runtime", "scipy.special")
CASES += [
    Case(
        rt.digamma, "npgrad.runtime.digamma(x * x + 0.5)", {"x": arr((3,))}, ("x",), imports=_SCIPY
    ),
    Case(
        rt.polygamma,
        "npgrad.runtime.polygamma(2, x * x + 0.5)",
        {"x": arr((3,))},
        ("x",),
        imports=_SCIPY,
    ),
]

NONDIFF_CASES = {
    rt.seed: "npgrad.runtime.seed(np.sum(x))",
    rt.shape_of: "np.zeros(npgrad.runtime.shape_of(x, x[:1]))",
    rt.size_of: "npgrad.runtime.size_of(x)",
    rt.reduced_size: "npgrad.runtime.reduced_size(x)",
    rt.shell: "np.zeros(np.shape(npgrad.runtime.shell(x)))",  # a value read for its shape
}
