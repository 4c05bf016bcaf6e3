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

from .linalg import _diag_embed, _gap_inverse, _mH, _mT, _qr_parts
from .scalars import _picked_index

__all__ = [
    "average_weights_tangent",
    "cho_solve_rhs",
    "cho_solve_tangent",
    "cholesky_tangent",
    "cumprod_tangent",
    "cumulative_prod_tangent",
    "eig_values_tangent",
    "eig_vectors_tangent",
    "eigh_tangent",
    "eigh_vectors_tangent",
    "eigvals_tangent",
    "einsum_tangent",
    "gradient_spacing_tangent",
    "interp_edge_tangent",
    "interp_fp_tangent",
    "interp_period_tangent",
    "interp_x_tangent",
    "interp_xp_tangent",
    "lstsq_residuals_tangent",
    "lstsq_tangent_a",
    "lstsq_tangent_b",
    "matrix_power_tangent",
    "multi_dot_tangent",
    "mvn_logpdf_cov_tangent",
    "mvn_logpdf_mean_tangent",
    "mvn_logpdf_x_tangent",
    "picked_default_tangent",
    "picked_tangent",
    "pinv_tangent",
    "qr_q_tangent",
    "qr_r_tangent",
    "quantile_q_tangent",
    "quantile_tangent",
    "solve_triangular_rhs",
    "solve_triangular_tangent",
    "svd_s_tangent",
    "svd_u_tangent",
    "svd_vh_tangent",
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


# ----- interp ------------------------------------------------------------------------


def _interp_extended(x: Any, xp: Any, fp: Any, period: Any) -> tuple[Any, Any, Any, Any]:
    """np.interp with a period, as interpolation over one extended period: x mod period,
    the breakpoints sorted mod period with one more at each end, and the order of xp."""
    period = abs(float(period))
    order = np.argsort(np.asarray(xp, dtype=float) % period, kind="stable")
    xs = (np.asarray(xp, dtype=float) % period)[order]
    fs = np.asarray(fp)[order]
    xe = np.concatenate((xs[-1:] - period, xs, xs[:1] + period))
    fe = np.concatenate((fs[-1:], fs, fs[:1]))
    return np.asarray(x, dtype=float) % period, xe, fe, order


def _interp_slope(x: Any, xp: Any, fp: Any, period: Any) -> Any:
    """The slope np.interp's result has at each x (the reverse rule's convention: the
    segment to the right at a breakpoint, 0 at xp[-1] and outside [xp[0], xp[-1]])."""
    from .shape import uninterp

    x = np.asarray(x, dtype=float)
    return uninterp(np.ones(x.shape), x, xp, fp, None, None, period)[0]


def interp_x_tangent(tx: Any, x: Any, xp: Any, fp: Any, period: Any = None) -> Any:
    """np.interp(x, xp, fp) through x: the slope times dx."""
    return _interp_slope(x, xp, fp, period) * tx


def interp_xp_tangent(txp: Any, x: Any, xp: Any, fp: Any, period: Any = None) -> Any:
    """np.interp(x, xp, fp) through xp: inside a segment y = fp[j] (1 - u) + fp[j+1] u
    with u = (x - xp[j]) / (xp[j+1] - xp[j]), so dy = -slope ((1 - u) dxp[j] + u dxp[j+1]),
    minus the slope times the breakpoints' tangent interpolated (0 outside xp's range)."""
    slope = _interp_slope(x, xp, fp, period)
    txp = np.asarray(txp, dtype=float)
    if period is None:
        moved = np.interp(x, xp, txp, left=0.0, right=0.0)
    else:
        xm, xe, _, order = _interp_extended(x, xp, fp, period)
        ts = txp[order]
        moved = np.interp(xm, xe, np.concatenate((ts[-1:], ts, ts[:1])))
    return -slope * moved


def interp_fp_tangent(
    tfp: Any, x: Any, xp: Any, left: Any = None, right: Any = None, period: Any = None
) -> Any:
    """np.interp is linear in fp (and in given left/right values, see interp_edge_tangent)."""
    if period is not None:
        return np.interp(x, xp, tfp, period=period)
    return np.interp(
        x, xp, tfp, left=None if left is None else 0.0, right=None if right is None else 0.0
    )


def interp_edge_tangent(t: Any, x: Any, xp: Any, period: Any, left: bool) -> Any:
    """The tangent of np.interp's `left` (`right`) value: where x lies below xp[0] (above
    xp[-1]); none with a period, which ignores them."""
    x = np.asarray(x, dtype=float)
    if period is not None:
        return np.zeros(x.shape)
    outside = x < np.asarray(xp)[0] if left else x > np.asarray(xp)[-1]
    return np.where(outside, t, 0.0)


def interp_period_tangent(*args: Any) -> Any:
    """Forward mode does not follow np.interp's period (refused when it varies)."""
    raise NotImplementedError(
        "forward mode does not differentiate np.interp with respect to period; compute the "
        "period from values that are not differentiated"
    )


# ----- lstsq -------------------------------------------------------------------------


def lstsq_tangent_a(t: Any, ans: Any, a: Any, b: Any) -> Any:
    """x = pinv(A) b (full rank): dx = d(pinv A) b."""
    return pinv_tangent(t, np.linalg.pinv(a), a) @ b


def lstsq_tangent_b(t: Any, ans: Any, a: Any, b: Any) -> Any:
    """x = pinv(A) b: dx = pinv(A) db."""
    return np.linalg.pinv(a) @ t


def lstsq_residuals_tangent(dr: Any, ans: Any, a: Any, b: Any) -> Any:
    """residuals = ||b - A x||^2 per column: at the optimum A^H r = 0, so with
    dr = db - dA x the tangent is 2 Re(r^H dr) (empty where NumPy returns no residuals)."""
    if not np.size(ans[1]):
        return np.zeros(np.shape(ans[1]))
    r = np.asarray(b) - np.asarray(a) @ ans[0]
    return np.reshape(2 * np.real(np.sum(np.conjugate(r) * dr, axis=0)), np.shape(ans[1]))


# ----- svd, qr, eig ------------------------------------------------------------------


def _refuse(what: str) -> Any:
    raise NotImplementedError(f"forward mode {what}; use reverse mode")


def _check_distinct(w: Any, what: str) -> None:
    """Refuse (never a wrong tangent) where two of the values are equal (numerically),
    where eigen- or singular vectors have no derivative."""
    w = np.asarray(w)
    if np.shape(w)[-1] < 2:
        return
    off = ~np.eye(np.shape(w)[-1], dtype=bool)
    gaps = np.where(off, np.abs(w[..., :, None] - w[..., None, :]), np.inf)
    scale = np.max(np.abs(w), initial=0.0)
    if np.min(gaps, initial=np.inf) <= 1e3 * np.finfo(float).eps * max(scale, 1e-300):
        _refuse(f"differentiates {what} only where their values are distinct (numerically)")


def _svd_parts(t: Any, ans: Any, a: Any, full_matrices: bool, hermitian: bool) -> Any:
    """U, s, V^H (thin), dP = U^H dA V and the argument's tangent, for the vector tangents."""
    u, s, vh = ans
    m, n = np.shape(a)[-2:]
    k = min(m, n)
    if full_matrices and m != n:
        _refuse(
            "does not differentiate the singular vectors of np.linalg.svd(a, "
            "full_matrices=True) for a non-square matrix (the vectors beyond min(a.shape[-2:]) "
            "are not unique); pass full_matrices=False"
        )
    if np.iscomplexobj(u):
        _refuse(
            "differentiates the singular vectors of real matrices only (complex ones have a "
            "phase the tangent would depend on)"
        )
    _check_distinct(s**2, "singular vectors")
    if m != n and np.any(s == 0):
        _refuse("does not differentiate singular vectors of a rank-deficient matrix")
    if hermitian:
        t = _hermitian_from(t, True)
    u, vh = u[..., :, :k], vh[..., :k, :]
    return u, s, vh, t, _mT(u) @ t @ _mT(vh)


def svd_s_tangent(
    t: Any, ans: Any, a: Any, compute_uv: bool = True, hermitian: bool = False
) -> Any:
    """Singular values (distinct, nonzero): ds = Re diag(U^H dA V)."""
    if hermitian:
        t, a = _hermitian_from(t, True), _hermitian_from(a, True)
    if not compute_uv:
        return svdvals_tangent(t, a)
    u, s, vh = ans
    k = np.shape(s)[-1]
    u, vh = u[..., :, :k], vh[..., :k, :]
    return np.real(np.diagonal(_mH(u) @ t @ _mH(vh), axis1=-2, axis2=-1))


def svd_u_tangent(t: Any, ans: Any, a: Any, full_matrices: bool, hermitian: bool) -> Any:
    """dU = U (F * (dP S + S dP^T)) + (I - U U^T) dA V S^-1, F[i, j] = 1 / (s_j^2 - s_i^2)
    (real a, distinct nonzero singular values)."""
    u, s, vh, t, dp = _svd_parts(t, ans, a, full_matrices, hermitian)
    f = _gap_inverse(s**2)
    inner = f * (dp * s[..., None, :] + s[..., :, None] * _mT(dp))
    du = u @ inner
    if np.shape(u)[-2] > np.shape(s)[-1]:
        rest = t @ _mT(vh) / s[..., None, :]
        du = du + rest - u @ (_mT(u) @ rest)
    return du


def svd_vh_tangent(t: Any, ans: Any, a: Any, full_matrices: bool, hermitian: bool) -> Any:
    """dV = V (F * (S dP + dP^T S)) + (I - V V^T) dA^T U S^-1; the tangent of V^H is dV^T."""
    u, s, vh, t, dp = _svd_parts(t, ans, a, full_matrices, hermitian)
    f = _gap_inverse(s**2)
    v = _mT(vh)
    inner = f * (s[..., :, None] * dp + _mT(dp) * s[..., None, :])
    dv = v @ inner
    if np.shape(v)[-2] > np.shape(s)[-1]:
        rest = _mT(t) @ u / s[..., None, :]
        dv = dv + rest - v @ (vh @ rest)
    return _mT(dv)


def _qr_square_or_tall_tangent(t: Any, q: Any, r: Any) -> tuple[Any, Any]:
    """A = QR with m >= n: X = Q^H dA R^-1, Omega = Q^H dQ = tril(X, -1) - tril(X, -1)^H
    (+ 1j Im(diag X) for complex a, whose R has a real diagonal), dR = (X - Omega) R,
    dQ = (dA - Q dR) R^-1."""
    x = _mT(np.linalg.solve(_mT(r), _mT(_mH(q) @ t)))  # Q^H dA R^-1
    low = np.tril(x, -1)
    omega = low - _mH(low)
    if np.iscomplexobj(x):
        omega = omega + _diag_embed(1j * np.imag(np.diagonal(x, axis1=-2, axis2=-1)))
    dr = (x - omega) @ r
    dq = _mT(np.linalg.solve(_mT(r), _mT(t - q @ dr)))
    return dq, dr


def _qr_tangents(t: Any, ans: Any, a: Any, mode: str) -> tuple[Any, Any]:
    q, r, m, n, k = _qr_parts(ans, a, mode)
    if mode == "complete" and m > n:
        dq, dr1 = _qr_square_or_tall_tangent(t, q[..., :, :k], r[..., :k, :])
        pad = np.zeros((*np.shape(dr1)[:-2], m - k, n), dr1.dtype)
        return None, np.concatenate([dr1, pad], axis=-2)
    if m >= n:
        return _qr_square_or_tall_tangent(t, q, r)
    # wide: a = [x | y] with x = q r1 square, y = q r2 (r2 = q^H y)
    dq, dr1 = _qr_square_or_tall_tangent(t[..., :, :k], q, r[..., :, :k])
    dr2 = _mH(q) @ (t[..., :, k:] - dq @ r[..., :, k:])
    return dq, np.concatenate([dr1, dr2], axis=-1)


def qr_q_tangent(t: Any, ans: Any, a: Any, mode: str = "reduced") -> Any:
    """Q of q, r = np.linalg.qr(a, mode) for a of full rank."""
    q, r = ans
    m, n = np.shape(a)[-2:]
    if mode == "complete" and m > n:
        _refuse(
            "does not differentiate q of np.linalg.qr(a, mode='complete') for a tall matrix "
            "(its columns beyond a.shape[-1] are not unique); use mode='reduced'"
        )
    return _qr_tangents(t, ans, a, mode)[0]


def qr_r_tangent(t: Any, ans: Any, a: Any, mode: str = "reduced") -> Any:
    """R of q, r = np.linalg.qr(a, mode) for a of full rank."""
    return _qr_tangents(t, ans, a, mode)[1]


def _eig_checked(ans: Any) -> tuple[Any, Any]:
    w, v = ans
    if np.iscomplexobj(w) or np.iscomplexobj(v):
        _refuse(
            "differentiates the eigenvectors of np.linalg.eig only for real eigenvalues (complex "
            "eigenvectors have a phase the tangent would depend on)"
        )
    _check_distinct(w, "eigenvectors")
    return w, v


def eig_values_tangent(t: Any, ans: Any) -> Any:
    """w of w, v = np.linalg.eig(a) (distinct eigenvalues): dw = diag(V^-1 dA V)."""
    w, v = ans
    return np.diagonal(np.linalg.solve(v, t @ v), axis1=-2, axis2=-1)


def eig_vectors_tangent(t: Any, ans: Any) -> Any:
    """V of w, v = np.linalg.eig(a), real distinct eigenvalues, NumPy's unit-length
    vectors: with C = V^-1 dA V, dV0 = V (F * C), F[i, j] = 1 / (w_j - w_i), and each
    column made orthogonal to its vector (the length stays 1): dv = dv0 - v (v^T dv0)."""
    w, v = _eig_checked(ans)
    c = np.linalg.solve(v, t @ v)
    dv = v @ (_gap_inverse(w) * c)
    return dv - v * np.sum(v * dv, axis=-2, keepdims=True)


# ----- scipy.stats.multivariate_normal ------------------------------------------------


def mvn_logpdf_x_tangent(tx: Any, ans: Any, x: Any, mean: Any = None, cov: Any = 1) -> Any:
    """multivariate_normal.logpdf through x: -(x - mean)^T cov^+ dx per point."""
    from .special import _mvn_score

    score = _mvn_score(1.0, x, mean, cov)
    rows = np.reshape(np.broadcast_to(tx, np.shape(x)), np.shape(score))
    return np.reshape(-np.sum(score * rows, axis=-1), np.shape(ans))


def mvn_logpdf_mean_tangent(tmean: Any, ans: Any, x: Any, mean: Any = None, cov: Any = 1) -> Any:
    """multivariate_normal.logpdf through the mean: (x - mean)^T cov^+ dmean per point."""
    from .special import _mvn_score

    score = _mvn_score(1.0, x, mean, cov)
    return np.reshape(score @ np.reshape(tmean, (np.shape(score)[-1],)), np.shape(ans))


def mvn_logpdf_cov_tangent(*args: Any) -> Any:
    """Forward mode does not follow multivariate_normal.logpdf's cov (refused when it varies)."""
    raise NotImplementedError(
        "forward mode does not differentiate scipy.stats.multivariate_normal.logpdf with "
        "respect to `cov`; pass `cov` as a constant (not computed from the differentiated "
        "arguments)"
    )
