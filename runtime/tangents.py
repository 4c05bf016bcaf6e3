"""Helpers for forward-mode (JVP) rules whose tangent takes more than one expression.

    t_einsum3 = rt.einsum_tangent('ij,jk->ik', (A, B), (tA, tB))   # tA @ B + A @ tB

Each takes the operands' tangents (arrays shaped like the operands) and returns the
result's tangent; they are linear in the tangents. Conventions follow the reverse rules
(runtime/linalg.py): a decomposition reads one triangle of its argument, and repeated
eigenvalues have no derivative.
"""

from __future__ import annotations

import builtins
from typing import Any

import numpy as np

from .linalg import _diag_embed, _gap_inverse, _mH, _mT
from .scalars import _picked_index

__all__ = [
    "average_weights_tangent",
    "cho_solve_rhs",
    "cho_solve_tangent",
    "cholesky_tangent",
    "cumprod_tangent",
    "cumulative_prod_tangent",
    "eigh_tangent",
    "gradient_spacing_tangent",
    "eigh_vectors_tangent",
    "eigvals_tangent",
    "einsum_tangent",
    "matrix_power_tangent",
    "multi_dot_tangent",
    "picked_default_tangent",
    "picked_tangent",
    "pinv_tangent",
    "quantile_q_tangent",
    "quantile_tangent",
    "solve_triangular_rhs",
    "solve_triangular_tangent",
    "svdvals_tangent",
]


def _sum_terms(terms: list[Any]) -> Any:
    return builtins.sum(terms[1:], terms[0])


def einsum_tangent(subscripts: Any, operands: Any, tangents: Any, optimize: Any = False) -> Any:
    """np.einsum is linear in each operand: one einsum per operand, with that operand
    replaced by its tangent."""
    if not isinstance(subscripts, str):
        raise TypeError("forward mode supports np.einsum with a subscripts string only")
    return _sum_terms(
        [
            np.einsum(subscripts, *operands[:k], t, *operands[k + 1 :], optimize=optimize)
            for k, t in enumerate(tangents)
        ]
    )


def multi_dot_tangent(arrays: Any, tangents: Any) -> Any:
    """np.linalg.multi_dot: one product per factor, with that factor's tangent."""
    arrays = list(arrays)
    return _sum_terms(
        [np.linalg.multi_dot([*arrays[:k], t, *arrays[k + 1 :]]) for k, t in enumerate(tangents)]
    )


def cumprod_tangent(t: Any, a: Any, axis: Any) -> Any:
    """The tangent of np.cumprod(a, axis), exact where `a` has zeros: element k of the
    result gets, for each i <= k, the running product with a[i] replaced by t[i]."""
    a, t = np.asarray(a), np.asarray(t)
    if axis is None:
        a, t, axis = a.ravel(), t.ravel(), 0
    a, t = np.moveaxis(a, axis, -1), np.moveaxis(np.broadcast_to(t, a.shape), axis, -1)
    out = np.zeros(a.shape, np.result_type(a, t))
    for i in range(a.shape[-1]):
        swapped = a.astype(out.dtype)
        swapped[..., i] = t[..., i]
        out[..., i:] += np.cumprod(swapped[..., i:], axis=-1) * (
            np.prod(a[..., :i], axis=-1, keepdims=True) if i else 1
        )
    return np.moveaxis(out, -1, axis)


def cumulative_prod_tangent(t: Any, x: Any, axis: Any, include_initial: bool) -> Any:
    """np.cumulative_prod: cumprod's tangent, with a zero first for include_initial."""
    out = cumprod_tangent(t, x, 0 if axis is None else axis)
    if include_initial:
        axis = 0 if axis is None else axis
        shape = list(np.shape(out))
        shape[axis] = 1
        out = np.concatenate([np.zeros(shape, out.dtype), out], axis=axis)
    return out


def matrix_power_tangent(t: Any, a: Any, n: int) -> Any:
    """d(A^n) = sum_k A^k dA A^(n-1-k); for n < 0 the same for inv(A), whose tangent is
    -inv(A) dA inv(A)."""
    if n == 0:
        return np.zeros(np.broadcast_shapes(np.shape(a), np.shape(t)), np.result_type(a, t))
    if n < 0:
        a = np.linalg.inv(a)
        t, n = -(a @ t @ a), -n
    power, total = a, t  # A^1 and d(A^1)
    for _ in range(n - 1):
        total = total @ a + power @ t
        power = power @ a
    return total


def _hermitian_from(t: Any, lower: bool) -> Any:
    """The tangent of the Hermitian matrix a function builds from one triangle of its
    argument (cholesky, eigh read only that triangle)."""
    h = np.tril(t) + _mH(np.tril(t, -1)) if lower else np.triu(t) + _mH(np.triu(t, 1))
    if np.iscomplexobj(h):  # the diagonal of a Hermitian matrix is real
        h = h - 1j * _diag_embed(np.imag(np.diagonal(h, axis1=-2, axis2=-1)))
    return h


def cholesky_tangent(t: Any, ans: Any, upper: bool = False) -> Any:
    """L = cholesky(A): dL = L phi(L^-1 dA L^-H), phi the lower triangle with its diagonal
    halved (U = L^H for upper=True)."""
    low = _mH(ans) if upper else ans
    ta = _hermitian_from(t, not upper)
    inner = np.linalg.solve(low, _mH(np.linalg.solve(low, ta)))
    phi = np.tril(inner, -1) + _diag_embed(np.diagonal(inner, axis1=-2, axis2=-1)) / 2
    dl = low @ phi
    return _mH(dl) if upper else dl


def eigh_tangent(t: Any, ans: Any, UPLO: str = "L") -> Any:
    """w = eigvalsh(A), or w, V = eigh(A): dw = Re diag(V^H dA V) (Hermitian A)."""
    _, v = ans
    m = _mH(v) @ _hermitian_from(t, UPLO.upper() == "L") @ v
    return np.real(np.diagonal(m, axis1=-2, axis2=-1))


def eigh_vectors_tangent(t: Any, ans: Any, UPLO: str = "L") -> Any:
    """V of w, V = eigh(A) for real symmetric A with distinct eigenvalues:
    dV = V (F * (V^T dA V)), F[i, j] = 1 / (w_j - w_i) off the diagonal."""
    w, v = ans
    m = _mH(v) @ _hermitian_from(t, UPLO.upper() == "L") @ v
    if np.iscomplexobj(m):
        raise NotImplementedError(
            "forward mode differentiates the eigenvectors of real symmetric matrices only "
            "(complex eigenvectors have a phase the tangent would depend on); use reverse mode"
        )
    return v @ (_gap_inverse(w) * m)


def eigvals_tangent(t: Any, a: Any) -> Any:
    """Eigenvalues of a general matrix (distinct): dw = diag(V^-1 dA V)."""
    _, v = np.linalg.eig(a)
    return np.diagonal(np.linalg.solve(v, t @ v), axis1=-2, axis2=-1)


def pinv_tangent(t: Any, ans: Any, a: Any, hermitian: bool = False) -> Any:
    """d(A+) = -A+ dA A+ + A+ A+^H dA^H (I - A A+) + (I - A+ A) dA^H A+^H A+ (constant
    rank); hermitian=True reads the lower triangle, as np.linalg.pinv does then."""
    if hermitian:
        t, a = _hermitian_from(t, True), _hermitian_from(a, True)
    th = _mH(t)
    return (
        -(ans @ t @ ans)
        + ans @ _mH(ans) @ (th - th @ a @ ans)
        + (th - ans @ a @ th) @ _mH(ans) @ ans
    )


def _trans_code(trans: Any) -> int:
    return {0: 0, 1: 1, 2: 2, "N": 0, "T": 1, "C": 2}[trans]


def _solve(solve: Any, rhs: Any, vector: bool) -> Any:
    """Solve with a right-hand side of the original's kind (a stack of vectors: one
    column each)."""
    return solve(rhs[..., None])[..., 0] if vector else solve(rhs)


def solve_triangular_tangent(
    t: Any, ans: Any, a: Any, b: Any, trans: Any = 0, lower: bool = False, unit: bool = False
) -> Any:
    """x = op(T)^-1 b with T the triangle of `a` it reads: dx = -op(T)^-1 op(dT) x."""
    import scipy.linalg

    dt = np.tril(t) if lower else np.triu(t)
    if unit:
        dt = dt - _diag_embed(np.diagonal(dt, axis1=-2, axis2=-1))
    code = _trans_code(trans)
    op = dt if code == 0 else _mT(dt) if code == 1 else _mH(dt)
    vector = np.ndim(b) == 1

    def solve(rhs: Any) -> Any:
        return scipy.linalg.solve_triangular(a, rhs, trans, lower, unit)

    product = np.matvec(op, ans) if vector else op @ ans
    return _solve(solve, -product, vector)


def cho_solve_tangent(t: Any, ans: Any, c_and_lower: Any, b: Any) -> Any:
    """x = A^-1 b with A = L L^H (or U^H U) from the factor's triangle: dx = -A^-1 dA x."""
    import scipy.linalg

    c, lower = c_and_lower
    tc = t[0]
    if lower:
        f, df = np.tril(c), np.tril(tc)
        da = df @ _mH(f) + f @ _mH(df)
    else:
        f, df = np.triu(c), np.triu(tc)
        da = _mH(df) @ f + _mH(f) @ df
    vector = np.ndim(b) == 1

    def solve(rhs: Any) -> Any:
        return scipy.linalg.cho_solve((c, lower), rhs)

    product = np.matvec(da, ans) if vector else da @ ans
    return _solve(solve, -product, vector)


def average_weights_tangent(
    tw: Any, a: Any, axis: Any, weights: Any, keepdims: bool, ans: Any
) -> Any:
    """np.average's tangent through its weights: sum(dw * (a - avg)) / sum(w), the weights
    laid along `axis` as np.average lays them."""
    a = np.asarray(a)
    w, tw = np.asarray(weights), np.asarray(tw)
    if w.ndim != a.ndim:  # weights along `axis` (in the order its axes are given)
        axes = tuple(ax % a.ndim for ax in (axis if isinstance(axis, tuple) else (axis,)))
        w, tw = np.transpose(w, np.argsort(axes)), np.transpose(tw, np.argsort(axes))
        shape = [a.shape[i] if i in axes else 1 for i in range(a.ndim)]
        w, tw = np.reshape(w, shape), np.reshape(tw, shape)
    avg = ans if keepdims or axis is None else np.expand_dims(ans, axis)
    num = np.sum(tw * (a - avg), axis=axis, keepdims=keepdims)
    return num / np.sum(np.broadcast_to(w, a.shape), axis=axis, keepdims=keepdims)


def solve_triangular_rhs(tb: Any, a: Any, trans: Any, lower: bool, unit: bool) -> Any:
    """The solve is linear in its right-hand side: the same solve of b's tangent."""
    import scipy.linalg

    return scipy.linalg.solve_triangular(a, tb, trans, lower, unit)


def cho_solve_rhs(tb: Any, c_and_lower: Any) -> Any:
    """The solve is linear in its right-hand side: the same solve of b's tangent."""
    import scipy.linalg

    return scipy.linalg.cho_solve(tuple(c_and_lower), tb)


def picked_tangent(tangents: Any, func: str, args: Any, key: Any = None) -> Any:
    """Builtin `max(*args, key=key)` / `min`: the tangent of the argument Python returned
    (of the row, for one array argument; 0 when it was empty and `default` was returned)."""
    if len(args) == 1:
        items = args[0]
        return tangents[0][_picked_index(func, items, key)] if len(items) else 0.0
    return tangents[_picked_index(func, args, key)]


def picked_default_tangent(tdefault: Any, args: Any) -> Any:
    """The tangent `default` contributes to `max(iterable, default=...)`: all of it when the
    iterable was empty, none otherwise."""
    empty = len(args) == 1 and len(args[0]) == 0
    return tdefault if empty else np.zeros_like(tdefault)


def quantile_tangent(
    t: Any, a: Any, q: Any, axis: Any, keepdims: bool, method: str = "linear", skip_nan=False
) -> Any:
    """np.quantile's tangent through `a`: for each q, every element reaches one result per
    row, so it is the reverse rule's weights (a ones adjoint) times the tangent, summed
    over the reduced axes (the same order statistics and ties as the reverse rule)."""
    from .reductions import quantile_vjp

    q = np.asarray(q)
    shape = np.shape(np.sum(np.asarray(a), axis=axis, keepdims=keepdims))
    parts = [
        np.sum(
            t * quantile_vjp(np.ones(shape), a, qk, axis, keepdims, method, skip_nan),
            axis=axis,
            keepdims=keepdims,
        )
        for qk in q.ravel()
    ]
    return np.reshape(np.stack(parts), q.shape + shape) if q.ndim else parts[0]


def quantile_q_tangent(*args: Any) -> Any:
    """Forward mode does not follow a quantile's `q` yet (refused when `q` varies)."""
    raise NotImplementedError(
        "forward mode does not differentiate quantiles with respect to q yet; use reverse mode"
    )


def svdvals_tangent(t: Any, x: Any) -> Any:
    """Singular values (distinct, nonzero): ds = Re diag(U^H dA V)."""
    u, _, vh = np.linalg.svd(x, full_matrices=False)
    return np.real(np.diagonal(_mH(u) @ t @ _mH(vh), axis1=-2, axis2=-1))


def gradient_spacing_tangent(*args: Any) -> Any:
    """Forward mode does not follow np.gradient's spacing yet (refused when it varies)."""
    raise NotImplementedError(
        "forward mode does not differentiate np.gradient with respect to its spacing yet; "
        "use reverse mode"
    )
