"""Runtime helpers for the linalg rules (see transforms/rules/linalg.py).

Every helper works on stacks of matrices (the last two axes), as np.linalg does. `g` of a
function with several results is one adjoint per result, None for a result nothing flowed
back to. Matrices that read only one triangle (eigh, cholesky, svd/pinv with
hermitian=True, scipy's triangular solvers) give gradient to that triangle only: the exact
derivative of what NumPy computes.
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = [
    "solve_vjp_a",
    "solve_vjp_b",
    "pinv_vjp",
    "slogdet_vjp",
    "lstsq_vjp_a",
    "lstsq_vjp_b",
    "cholesky_vjp",
    "qr_vjp",
    "eigh_vjp",
    "eigvalsh_vjp",
    "eig_vjp",
    "eigvals_vjp",
    "svd_vjp",
    "svdvals_vjp",
    "matrix_power_vjp",
    "multi_dot_vjp",
    "solve_triangular_vjp_a",
    "solve_triangular_vjp_b",
    "cho_solve_vjp_c",
    "cho_solve_vjp_b",
    "refuse_overwrite",
]

_NUMPY2 = int(np.__version__.split(".")[0]) >= 2


def _mT(x: Any) -> Any:
    """The transpose of each matrix in a stack (the last two axes swapped)."""
    return np.swapaxes(x, -1, -2)


def _unbroadcast_batch(g: Any, x: Any) -> Any:
    """Sum `g` over the leading (batch) axes that broadcasting added or stretched for `x`."""
    shape = np.shape(x)
    if np.shape(g) == shape:
        return g
    lead = np.ndim(g) - len(shape)
    axes = tuple(range(lead)) + tuple(
        lead + i for i, n in enumerate(shape) if n == 1 and np.shape(g)[lead + i] != 1
    )
    return np.reshape(np.sum(g, axis=axes, keepdims=True), shape)


def _triangle(gsym: Any, lower: bool) -> Any:
    """The gradient for a function that reads one triangle of its (symmetric) argument,
    from `gsym`, its symmetric gradient: off-diagonal entries count twice."""
    n = np.shape(gsym)[-1]
    weights = 2 * (np.tri(n, k=-1) if lower else np.tri(n, k=-1).T) + np.eye(n)
    return gsym * weights


def _symmetric_from(a: Any, lower: bool) -> Any:
    """The symmetric matrix NumPy reads from one triangle of `a`."""
    t = np.tril(a, -1) if lower else np.triu(a, 1)
    return t + _mT(t) + _diag_embed(np.diagonal(a, axis1=-2, axis2=-1))


def _diag_embed(d: Any) -> Any:
    """Stack of diagonal matrices with diagonals `d` (..., k) -> (..., k, k)."""
    return d[..., :, None] * np.eye(np.shape(d)[-1])


def _sym(x: Any) -> Any:
    return (x + _mT(x)) / 2


def _gap_inverse(w: Any) -> Any:
    """F[..., i, j] = 1 / (w_j - w_i) off the diagonal, 0 on it."""
    diff = w[..., None, :] - w[..., :, None]
    off = ~np.eye(np.shape(w)[-1], dtype=bool)
    return np.where(off, 1 / np.where(off, diff, 1), 0)


# ----- solve, pinv, lstsq ------------------------------------------------------------


def _b_is_vector(a: Any, b: Any) -> bool:
    """np.linalg.solve treats b as a vector if it is 1-D (NumPy >= 2) or has one axis less
    than a (NumPy 1.x)."""
    return np.ndim(b) == 1 or (not _NUMPY2 and np.ndim(b) == np.ndim(a) - 1)


def solve_vjp_b(g: Any, a: Any, b: Any) -> Any:
    """Adjoint of `np.linalg.solve(a, b)` with respect to b: solve(a.T, g)."""
    if _b_is_vector(a, b):
        gb = np.linalg.solve(_mT(a), g[..., None])[..., 0]
    else:
        gb = np.linalg.solve(_mT(a), g)
    return _unbroadcast_batch(gb, b)


def solve_vjp_a(g: Any, ans: Any, a: Any, b: Any) -> Any:
    """Adjoint of `x = np.linalg.solve(a, b)` with respect to a: -solve(a.T, g) @ x.T."""
    if _b_is_vector(a, b):
        gb = np.linalg.solve(_mT(a), g[..., None])
        ga = -gb * ans[..., None, :]
    else:
        ga = -np.linalg.solve(_mT(a), g) @ _mT(ans)
    return _unbroadcast_batch(ga, a)


def pinv_vjp(g: Any, ans: Any, a: Any, hermitian: bool = False) -> Any:
    """Adjoint of `p = np.linalg.pinv(a)`, exact where the rank of a is locally constant
    (full rank, or a gap above rcond):
    -p.T g p.T + (I - a p).T g.T p p.T + p.T p g.T (I - p a).T."""
    a = _symmetric_from(a, True) if hermitian else np.asarray(a)
    p = ans
    pt = _mT(p)
    gt = _mT(g)
    m, n = np.shape(a)[-2:]
    grad = -pt @ g @ pt
    grad = grad + (np.eye(m) - a @ p) @ gt @ (p @ pt)
    grad = grad + (pt @ p) @ gt @ (np.eye(n) - p @ a)
    return _triangle(_sym(grad), True) if hermitian else grad


def lstsq_vjp_b(g: tuple[Any, ...], ans: Any, a: Any, b: Any) -> Any:
    """Adjoint of `np.linalg.lstsq(a, b)` with respect to b, from the adjoints of the
    solution x (x = pinv(a) b) and of the residuals ||b - a x||^2 (the rank gets none)."""
    gx, gres = g[0], g[1]
    x = ans[0]
    gb = np.zeros(np.shape(b))
    if gx is not None:
        gb = gb + np.linalg.pinv(a).T @ gx
    if gres is not None and np.size(ans[1]):
        gb = gb + 2 * (b - a @ x) * (gres[0] if np.ndim(b) == 1 else gres)
    return gb


def lstsq_vjp_a(g: tuple[Any, ...], ans: Any, a: Any, b: Any) -> Any:
    """Adjoint of `np.linalg.lstsq(a, b)` with respect to a: through x = pinv(a) b, the
    residuals (at the optimum, d||b - a x||^2 / da = -2 (b - a x) x.T) and the singular
    values s (U diag(gs) Vh)."""
    gx, gres, _, gs = g
    x = ans[0]
    ga = np.zeros(np.shape(a))
    if gx is not None:
        p = np.linalg.pinv(a)
        gp = np.multiply.outer(gx, b) if np.ndim(b) == 1 else gx @ b.T
        ga = ga + pinv_vjp(gp, p, a)
    if gres is not None and np.size(ans[1]):
        r = b - a @ x
        if np.ndim(b) == 1:
            ga = ga - 2 * gres[0] * np.multiply.outer(r, x)
        else:
            ga = ga - 2 * (r * gres) @ x.T
    if gs is not None:
        u, _, vh = np.linalg.svd(a, full_matrices=False)
        ga = ga + (u * gs) @ vh
    return ga


def slogdet_vjp(glogdet: Any, a: Any) -> Any:
    """Adjoint of `sign, logabsdet = np.linalg.slogdet(a)`: glogdet * inv(a).T (the sign
    gets no gradient)."""
    if glogdet is None:
        return np.zeros(np.shape(a))
    return np.expand_dims(glogdet, (-2, -1)) * _mT(np.linalg.inv(a))


# ----- decompositions ----------------------------------------------------------------


def cholesky_vjp(g: Any, ans: Any, upper: bool = False) -> Any:
    """Adjoint of `L = np.linalg.cholesky(a)` (U = L.T for upper=True), which reads the
    lower (upper) triangle of a: with S = L^-T phi(L^T g) L^-1, phi taking the lower
    triangle with its diagonal halved, the symmetric gradient is (S + S^T) / 2."""
    low = _mT(ans) if upper else ans
    gl = _mT(g) if upper else g
    phi = np.tril(_mT(low) @ gl)
    phi = phi - _diag_embed(np.diagonal(phi, axis1=-2, axis2=-1)) / 2
    s = np.linalg.solve(_mT(low), _mT(np.linalg.solve(_mT(low), _mT(phi))))
    return _triangle(_sym(s), not upper)


def _qr_square_or_tall(gq: Any, gr: Any, q: Any, r: Any) -> Any:
    """QR adjoint for m >= n: (gQ + Q copyltu(M)) R^-T with M = R gR^T - gQ^T Q."""
    mm = r @ _mT(gr) - _mT(gq) @ q
    low = np.tril(mm, -1)
    copyltu = low + _mT(low) + _diag_embed(np.diagonal(mm, axis1=-2, axis2=-1))
    b = gq + q @ copyltu
    return _mT(np.linalg.solve(r, _mT(b)))


def qr_vjp(g: tuple[Any, ...], ans: Any, a: Any, mode: str = "reduced") -> Any:
    """Adjoint of `q, r = np.linalg.qr(a, mode)` for a of full rank. mode 'complete' is
    allowed where it equals 'reduced' or the extra columns of q get no gradient."""
    if mode not in ("reduced", "complete"):
        raise ValueError(
            f"npgrad differentiates np.linalg.qr with mode='reduced' or 'complete', not {mode!r}"
        )
    q, r = ans
    m, n = np.shape(a)[-2:]
    k = min(m, n)
    gq = np.zeros_like(q) if g[0] is None else g[0]
    gr = np.zeros_like(r) if g[1] is None else g[1]
    if mode == "complete" and m > n:
        if np.any(gq[..., :, k:]):
            raise ValueError(
                "the gradient of np.linalg.qr(a, mode='complete') is not defined for the "
                "columns of q beyond a.shape[-1] (they are not unique); use mode='reduced'"
            )
        q, gq, r, gr = q[..., :, :k], gq[..., :, :k], r[..., :k, :], gr[..., :k, :]
    if m >= n:
        return _qr_square_or_tall(gq, gr, q, r)
    # wide: a = [x | y] with x = q r1 square, y = q r2
    r1, gr1, gr2 = r[..., :, :k], gr[..., :, :k], gr[..., :, k:]
    y = np.asarray(a)[..., :, k:]
    gx = _qr_square_or_tall(gq + y @ _mT(gr2), gr1, q, r1)
    return np.concatenate([gx, q @ gr2], axis=-1)


def _eigh_sym_grad(gw: Any, gv: Any, w: Any, v: Any) -> Any:
    """V (diag(gw) + F * (V^T gV)) V^T, symmetrized: the symmetric gradient of eigh."""
    inner = 0
    if gw is not None:
        inner = inner + _diag_embed(gw)
    if gv is not None:
        inner = inner + _gap_inverse(w) * (_mT(v) @ gv)
    return _sym(v @ inner @ _mT(v))


def eigh_vjp(gw: Any, gv: Any, ans: Any, UPLO: str = "L") -> Any:
    """Adjoint of `w, v = np.linalg.eigh(a, UPLO)`, for distinct eigenvalues; eigh reads
    the UPLO triangle of a, which gets the gradient."""
    w, v = ans
    return _triangle(_eigh_sym_grad(gw, gv, w, v), UPLO.upper() == "L")


def eigvalsh_vjp(g: Any, a: Any, UPLO: str = "L") -> Any:
    """Adjoint of `np.linalg.eigvalsh(a, UPLO)`: V diag(g) V^T on the UPLO triangle."""
    w, v = np.linalg.eigh(a, UPLO)
    return _triangle(_eigh_sym_grad(g, None, w, v), UPLO.upper() == "L")


def _check_real_eig(w: Any) -> None:
    if np.iscomplexobj(w):
        raise ValueError(
            "np.linalg.eig returned complex eigenvalues; npgrad differentiates eig only for "
            "matrices whose eigenvalues are all real (use eigh for symmetric matrices)"
        )


def eig_vjp(gw: Any, gv: Any, ans: Any) -> Any:
    """Adjoint of `w, v = np.linalg.eig(a)` for real, distinct eigenvalues and NumPy's
    unit-length eigenvectors: V^-T (diag(gw) + F * (V^T gV - V^T V diag(V^T gV))) V^T."""
    w, v = ans
    _check_real_eig(w)
    inner = 0
    if gw is not None:
        inner = inner + _diag_embed(gw)
    if gv is not None:
        vtg = _mT(v) @ gv
        unit = _mT(v) @ v * np.diagonal(vtg, axis1=-2, axis2=-1)[..., None, :]
        inner = inner + _gap_inverse(w) * (vtg - unit)
    return np.linalg.solve(_mT(v), inner @ _mT(v))


def eigvals_vjp(g: Any, ans: Any, a: Any) -> Any:
    """Adjoint of `np.linalg.eigvals(a)` for real, distinct eigenvalues: V^-T diag(g) V^T."""
    _check_real_eig(ans)
    w, v = np.linalg.eig(a)
    return np.linalg.solve(_mT(v), _diag_embed(g) @ _mT(v))


def svd_vjp(
    g: tuple[Any, ...],
    ans: Any,
    a: Any,
    full_matrices: bool = True,
    compute_uv: bool = True,
    hermitian: bool = False,
) -> Any:
    """Adjoint of `u, s, vh = np.linalg.svd(a, ...)` for distinct nonzero singular values.
    full_matrices=True is allowed where the extra columns of u (rows of vh) get no gradient
    (they are not unique); with hermitian=True the lower triangle of a gets the gradient."""
    if not compute_uv:
        raise ValueError(
            "npgrad cannot differentiate np.linalg.svd(a, compute_uv=False), whose result is "
            "not a tuple; use np.linalg.svdvals(a) (NumPy >= 2) or np.linalg.svd(a)[1]"
        )
    u, s, vh = ans
    gu, gs, gvh = g
    m, n = np.shape(a)[-2:]
    k = min(m, n)
    if full_matrices and m != n:
        if gu is not None and np.any(gu[..., :, k:]) or gvh is not None and np.any(gvh[..., k:, :]):
            raise ValueError(
                "the gradient of np.linalg.svd(a, full_matrices=True) is not defined for the "
                "singular vectors beyond min(a.shape[-2:]) (they are not unique); use "
                "full_matrices=False"
            )
        u, vh = u[..., :, :k], vh[..., :k, :]
        gu = None if gu is None else gu[..., :, :k]
        gvh = None if gvh is None else gvh[..., :k, :]
    grad = _svd_grad(gu, gs, gvh, u, s, vh)
    return _triangle(_sym(grad), True) if hermitian else grad


def _svd_grad(gu: Any, gs: Any, gvh: Any, u: Any, s: Any, vh: Any) -> Any:
    m, n = np.shape(u)[-2], np.shape(vh)[-1]
    k = np.shape(s)[-1]
    f = _gap_inverse(s**2)
    inner = 0 if gs is None else _diag_embed(gs)
    grad = 0
    if gu is not None:
        utgu = _mT(u) @ gu
        inner = inner + f * (utgu - _mT(utgu)) * s[..., None, :]
        if m > k:
            grad = grad + ((gu - u @ utgu) / s[..., None, :]) @ vh
    if gvh is not None:
        vtgv = vh @ _mT(gvh)
        inner = inner + s[..., :, None] * (f * (vtgv - _mT(vtgv)))
        if n > k:
            grad = grad + u @ ((gvh - _mT(vtgv) @ vh) / s[..., :, None])
    return grad + u @ inner @ vh


def svdvals_vjp(g: Any, a: Any) -> Any:
    """Adjoint of `np.linalg.svdvals(a)`: U diag(g) Vh."""
    u, _, vh = np.linalg.svd(a, full_matrices=False)
    return (u * g[..., None, :]) @ vh


# ----- products ----------------------------------------------------------------------


def matrix_power_vjp(g: Any, a: Any, n: int) -> Any:
    """Adjoint of `np.linalg.matrix_power(a, n)`: sum over k of (a^k)^T g (a^(n-1-k))^T
    for n > 0; through inv(a) for n < 0; zero for n = 0."""
    n = int(n)
    if n == 0:
        return np.zeros(np.shape(a))
    base = np.linalg.inv(a) if n < 0 else np.asarray(a)
    m = abs(n)
    powers = [np.broadcast_to(np.eye(np.shape(a)[-1]), np.shape(a))]
    for _ in range(m - 1):
        powers.append(powers[-1] @ base)
    grad = sum(_mT(powers[k]) @ g @ _mT(powers[m - 1 - k]) for k in range(m))
    if n < 0:
        grad = -_mT(base) @ grad @ _mT(base)
    return grad


def multi_dot_vjp(g: Any, arrays: list[Any], part: int) -> Any:
    """Adjoint of `np.linalg.multi_dot(arrays)` with respect to arrays[part]: the product
    of the arrays before it, transposed, then g, then the product of those after it,
    transposed (a 1-D first array is a row, a 1-D last array a column)."""
    mats = [np.asarray(x) for x in arrays]
    if mats[0].ndim == 1:
        mats[0] = mats[0][None, :]
    if mats[-1].ndim == 1:
        mats[-1] = mats[-1][:, None]
    g2 = np.reshape(g, (mats[0].shape[0], mats[-1].shape[1]))
    left = mats[:part]
    right = mats[part + 1 :]
    if left:
        g2 = _mT(np.linalg.multi_dot(left) if len(left) > 1 else left[0]) @ g2
    if right:
        g2 = g2 @ _mT(np.linalg.multi_dot(right) if len(right) > 1 else right[0])
    return np.reshape(g2, np.shape(arrays[part]))


# ----- scipy.linalg ------------------------------------------------------------------
# SciPy solves stacks too (a: (..., M, M); b: (M,) a vector, else (..., M, K)).


def _trans_code(trans: Any) -> int:
    return {0: 0, "N": 0, 1: 1, "T": 1, 2: 1, "C": 1}[trans]


def _as_columns(g: Any, b: Any) -> Any:
    """`g` (shaped like the solution) as a stack of matrices: a vector b gives a column."""
    return np.asarray(g)[..., None] if np.ndim(b) == 1 else g


def _triangular_solve_adjoint(
    g: Any, a: Any, b: Any, trans: Any, lower: bool, unit_diagonal: bool
) -> Any:
    from scipy.linalg import solve_triangular

    t = 1 - _trans_code(trans)
    return solve_triangular(a, _as_columns(g, b), trans=t, lower=lower, unit_diagonal=unit_diagonal)


def solve_triangular_vjp_b(
    g: Any, a: Any, b: Any, trans: Any = 0, lower: bool = False, unit_diagonal: bool = False
) -> Any:
    """Adjoint of `scipy.linalg.solve_triangular(a, b, trans, lower, ...)` with respect to
    b: the solve with the transposed triangle."""
    gb = _triangular_solve_adjoint(g, a, b, trans, lower, unit_diagonal)
    return _unbroadcast_batch(gb[..., 0] if np.ndim(b) == 1 else gb, b)


def solve_triangular_vjp_a(
    g: Any,
    ans: Any,
    a: Any,
    b: Any,
    trans: Any = 0,
    lower: bool = False,
    unit_diagonal: bool = False,
) -> Any:
    """Adjoint of `x = scipy.linalg.solve_triangular(a, b, ...)` with respect to a: -gb x^T
    (transposed for trans), on the triangle the solver reads (strict if unit_diagonal)."""
    gb = _triangular_solve_adjoint(g, a, b, trans, lower, unit_diagonal)
    ga = -gb @ _mT(_as_columns(ans, b))
    ga = _mT(ga) if _trans_code(trans) else ga
    k = -1 if unit_diagonal else 0
    return _unbroadcast_batch(np.tril(ga, k) if lower else np.triu(ga, -k), a)


def _cho_solve_adjoint(g: Any, c_and_lower: tuple[Any, bool], b: Any) -> Any:
    from scipy.linalg import cho_solve

    return cho_solve(c_and_lower, _as_columns(g, b))


def cho_solve_vjp_b(g: Any, c_and_lower: tuple[Any, bool], b: Any) -> Any:
    """Adjoint of `scipy.linalg.cho_solve((c, lower), b)` with respect to b: the same
    solve applied to g (the matrix is symmetric)."""
    gb = _cho_solve_adjoint(g, c_and_lower, b)
    return _unbroadcast_batch(gb[..., 0] if np.ndim(b) == 1 else gb, b)


def cho_solve_vjp_c(g: Any, ans: Any, c_and_lower: tuple[Any, bool], b: Any) -> Any:
    """Adjoint of `x = scipy.linalg.cho_solve((c, lower), b)` with respect to the factor c
    (a = c c^T for lower, c^T c for upper; the other triangle of c is not read):
    with ga = -gb x^T, (ga + ga^T) c for lower, c (ga + ga^T) for upper."""
    c, lower = c_and_lower
    gb = _cho_solve_adjoint(g, c_and_lower, b)
    ga = -gb @ _mT(_as_columns(ans, b))
    ga = ga + _mT(ga)
    gc = np.tril(ga @ np.tril(c)) if lower else np.triu(np.triu(c) @ ga)
    return _unbroadcast_batch(gc, c)


def refuse_overwrite(func: str) -> Any:
    """The gradient of a call that may have overwritten its argument in place."""
    raise ValueError(
        f"npgrad does not differentiate {func} with overwrite_b=True: the reverse sweep "
        "may read the overwritten array; drop overwrite_b"
    )
