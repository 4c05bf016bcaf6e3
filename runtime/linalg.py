"""Runtime helpers for the linalg rules (see transforms/rules/linalg.py).

Every helper works on stacks of matrices (the last two axes), as np.linalg does. `g` of a
function with several results is one adjoint per result, None for a result nothing flowed
back to. Matrices that read only one triangle (eigh, cholesky, svd/pinv with
hermitian=True, scipy's triangular solvers) give gradient to that triangle only: the exact
derivative of what NumPy computes.

Complex matrices follow JAX's convention: the adjoint of z = a + ib is dL/da - 1j * dL/db.
Holomorphic maps (matmul, inv, solve, det, matrix_power, eigenvalues) then have the real
formulas as adjoints, with plain transposes and no conjugates. The others read a^H, a
Hermitian triangle, |.| or unit-length vectors, and their helpers add the conjugates that
follow from that (pinv, lstsq's residuals and singular values, slogdet, cholesky,
cho_solve, solve_triangular with trans='C', qr, eigh, svd); for real matrices those
conjugates do nothing. A real result (singular values, eigh's eigenvalues, residuals,
logabsdet) uses only the real part of its adjoint; a complex sign gets gradient when the
rule passes its adjoint (slogdet_vjp's gsign). Complex eigen- and singular vectors are
unique up to a phase each: their gradient is given when the loss does not depend on the
phases (np.abs(v), v @ v.conj().T, u @ vh) and refused otherwise, as PyTorch does.
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
    """The symmetric (Hermitian, for complex `a`) matrix NumPy reads from one triangle of `a`:
    the other triangle mirrored (conjugated), the real part of the diagonal."""
    t = np.tril(a, -1) if lower else np.triu(a, 1)
    return t + _mH(t) + _diag_embed(np.real(np.diagonal(a, axis1=-2, axis2=-1)))


def _diag_embed(d: Any) -> Any:
    """Stack of diagonal matrices with diagonals `d` (..., k) -> (..., k, k)."""
    return d[..., :, None] * np.eye(np.shape(d)[-1])


def _sym(x: Any) -> Any:
    """The symmetric part of x; for complex x the Hermitian part, (x + x^H) / 2, which is
    the gradient for a Hermitian argument (its diagonal real)."""
    return (x + _mH(x)) / 2


def _mH(x: Any) -> Any:
    """The conjugate transpose of each matrix in a stack (the transpose for real x)."""
    return np.conjugate(_mT(x)) if np.iscomplexobj(x) else _mT(x)


def _conj(x: Any) -> Any:
    """conj(x), and x itself (no copy) where x is real."""
    return np.conjugate(x) if np.iscomplexobj(x) else x


def _real(g: Any) -> Any:
    """The adjoint of a real result: its real part (a real value may carry a complex adjoint
    from complex intermediates downstream; only the real part is meaningful)."""
    return None if g is None else np.real(g)


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
    (full rank, or a gap above rcond). From dp = -p da p + p p^H da^H (I - a p)
    + (I - p a) da^H p^H p: -p^T g p^T + conj((I - a p) g^T p p^H + p^H p g^T (I - p a))
    (the terms in da^H contribute conjugated; for real a, conj does nothing)."""
    a = _symmetric_from(a, True) if hermitian else np.asarray(a)
    p = ans
    pt = _mT(p)
    ph = _mH(p)
    gt = _mT(g)
    m, n = np.shape(a)[-2:]
    grad = -pt @ g @ pt
    rest = (np.eye(m) - a @ p) @ gt @ (p @ ph) + (ph @ p) @ gt @ (np.eye(n) - p @ a)
    grad = grad + (np.conjugate(rest) if np.iscomplexobj(p) else rest)
    return _triangle(_sym(grad), True) if hermitian else grad


def lstsq_vjp_b(g: tuple[Any, ...], ans: Any, a: Any, b: Any) -> Any:
    """Adjoint of `np.linalg.lstsq(a, b)` with respect to b, from the adjoints of the
    solution x (x = pinv(a) b) and of the residuals ||b - a x||^2 (the rank gets none)."""
    gx, gres = g[0], _real(g[1])
    x = ans[0]
    gb = np.zeros(np.shape(b))
    if gx is not None:
        gb = gb + np.linalg.pinv(a).T @ gx
    if gres is not None and np.size(ans[1]):
        # d||r||^2 = 2 Re(r^H dr): the adjoint of r is 2 conj(r) gres
        gb = gb + 2 * _conj(b - a @ x) * (gres[0] if np.ndim(b) == 1 else gres)
    return gb


def lstsq_vjp_a(g: tuple[Any, ...], ans: Any, a: Any, b: Any) -> Any:
    """Adjoint of `np.linalg.lstsq(a, b)` with respect to a: through x = pinv(a) b, the
    residuals (at the optimum, d||b - a x||^2 / da = -2 conj(b - a x) x.T) and the singular
    values s (conj(U diag(gs) Vh))."""
    gx, gres, _, gs = g[0], _real(g[1]), g[2], _real(g[3])
    x = ans[0]
    ga = np.zeros(np.shape(a))
    if gx is not None:
        p = np.linalg.pinv(a)
        gp = np.multiply.outer(gx, b) if np.ndim(b) == 1 else gx @ b.T
        ga = ga + pinv_vjp(gp, p, a)
    if gres is not None and np.size(ans[1]):
        r = _conj(b - a @ x)
        if np.ndim(b) == 1:
            ga = ga - 2 * gres[0] * np.multiply.outer(r, x)
        else:
            ga = ga - 2 * (r * gres) @ x.T
    if gs is not None:
        u, _, vh = np.linalg.svd(a, full_matrices=False)
        ga = ga + _conj((u * gs[..., None, :]) @ vh)
    return ga


def slogdet_vjp(glogdet: Any, a: Any, gsign: Any = None, ans: Any = None) -> Any:
    """Adjoint of `sign, logabsdet = np.linalg.slogdet(a)`: logabsdet = Re(log det a), so
    glogdet * inv(a).T. A real sign is constant (no gradient). A complex sign,
    exp(1j * Im(log det a)), gets 1j * Im(gsign * sign) * inv(a).T when `gsign` and `ans`
    (the results) are passed."""
    glogdet = _real(glogdet)
    complex_sign = gsign is not None and ans is not None and np.iscomplexobj(ans[0])
    if glogdet is None and not complex_sign:
        return np.zeros(np.shape(a))
    coef = 0 if glogdet is None else glogdet
    if complex_sign:
        coef = coef + 1j * np.imag(gsign * ans[0])
    return np.expand_dims(coef, (-2, -1)) * _mT(np.linalg.inv(a))


# ----- decompositions ----------------------------------------------------------------


def cholesky_vjp(g: Any, ans: Any, upper: bool = False) -> Any:
    """Adjoint of `L = np.linalg.cholesky(a)` (U = L^H for upper=True), which reads the
    lower (upper) triangle of a: with S = L^-T phi(L^T g) conj(L)^-1, phi taking the lower
    triangle with its diagonal halved, the symmetric (Hermitian) gradient is
    (S + S^H) / 2."""
    low = _mH(ans) if upper else ans
    gl = _mH(g) if upper else g
    phi = np.tril(_mT(low) @ gl)
    phi = phi - _diag_embed(np.diagonal(phi, axis1=-2, axis2=-1)) / 2
    s = np.linalg.solve(_mT(low), _mT(np.linalg.solve(_mH(low), _mT(phi))))
    return _triangle(_sym(s), not upper)


def _qr_square_or_tall(gq: Any, gr: Any, q: Any, r: Any) -> Any:
    """QR adjoint for m >= n: (gQ + Q copyltu(M)) R^-T with M = R gR^T - gQ^T Q."""
    if np.iscomplexobj(q):
        return _qr_complex(gq, gr, q, r)
    mm = r @ _mT(gr) - _mT(gq) @ q
    low = np.tril(mm, -1)
    copyltu = low + _mT(low) + _diag_embed(np.diagonal(mm, axis1=-2, axis2=-1))
    b = gq + q @ copyltu
    return _mT(np.linalg.solve(r, _mT(b)))


def _qr_complex(gq: Any, gr: Any, q: Any, r: Any) -> Any:
    """QR adjoint for complex a, m >= n (LAPACK's R has a real diagonal). With
    X = Q^H da R^-1, Q^H dQ = Omega = tril(X, -1) - tril(X, -1)^H + 1j Im(diag X) and
    dR = (X - Omega) R, so with N = gQ^T Q - R gR^T and
    P = tril(N^T - conj(N), -1) + 1j Im(diag N):
    conj(Q) P R^-T + (I - conj(Q) Q^T) gQ R^-T + conj(Q) gR."""
    qc = np.conjugate(q)
    nn = _mT(gq) @ q - r @ _mT(gr)
    dn = np.diagonal(nn, axis1=-2, axis2=-1)
    p = np.tril(_mT(nn) - np.conjugate(nn), -1) + _diag_embed(1j * np.imag(dn))
    b = qc @ p + gq - qc @ (_mT(q) @ gq)
    return _mT(np.linalg.solve(r, _mT(b))) + qc @ gr


def _qr_parts(ans: Any, a: Any, mode: str) -> tuple[Any, Any, int, int, int]:
    """(q, r, m, n, min(m, n)) of a QR in a mode npgrad differentiates."""
    if mode not in ("reduced", "complete"):
        raise ValueError(
            f"npgrad differentiates np.linalg.qr with mode='reduced' or 'complete', not {mode!r}"
        )
    q, r = ans
    m, n = np.shape(a)[-2:]
    return q, r, m, n, min(m, n)


def qr_vjp(g: tuple[Any, ...], ans: Any, a: Any, mode: str = "reduced") -> Any:
    """Adjoint of `q, r = np.linalg.qr(a, mode)` for a of full rank. mode 'complete' is
    allowed where it equals 'reduced' or the extra columns of q get no gradient."""
    q, r, m, n, k = _qr_parts(ans, a, mode)
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
    # wide: a = [x | y] with x = q r1 square, y = q r2 (r2 = q^H y)
    r1, gr1, gr2 = r[..., :, :k], gr[..., :, :k], gr[..., :, k:]
    y = np.asarray(a)[..., :, k:]
    gx = _qr_square_or_tall(gq + _conj(y @ _mT(gr2)), gr1, q, r1)
    return np.concatenate([gx, _conj(q) @ gr2], axis=-1)


def _check_gauge(inner_diag: Any, scale: Any, what: str) -> None:
    """Complex eigen- and singular vectors are unique up to a phase each: a loss that
    depends on the phases NumPy picked has no gradient (the imaginary part of the diagonal
    of V^T gV, for eigenvectors, would be 0 otherwise)."""
    tol = 1e-6 * max(1.0, float(np.max(np.abs(scale), initial=0.0)))
    if np.max(np.abs(np.imag(inner_diag)), initial=0.0) > tol:
        raise ValueError(
            f"the loss depends on the phases of the complex {what} NumPy returned, which are "
            "arbitrary (each vector may be multiplied by any exp(1j * t)); npgrad "
            "differentiates only losses that do not depend on them (np.abs of the vectors, "
            "v @ v.conj().T, ...)"
        )


def _eigh_sym_grad(gw: Any, gv: Any, w: Any, v: Any) -> Any:
    """conj(V) (diag(gw) + F * (V^T gV)) V^T, symmetrized (its Hermitian part, for complex
    v): the symmetric gradient of eigh."""
    inner = 0
    if gw is not None:
        inner = inner + _diag_embed(np.real(gw))
    if gv is not None:
        vtg = _mT(v) @ gv
        if np.iscomplexobj(v):
            _check_gauge(np.diagonal(vtg, axis1=-2, axis2=-1), vtg, "eigenvectors")
        inner = inner + _gap_inverse(w) * vtg
    return _sym(_conj(v) @ inner @ _mT(v))


def eigh_vjp(gw: Any, gv: Any, ans: Any, UPLO: str = "L") -> Any:
    """Adjoint of `w, v = np.linalg.eigh(a, UPLO)`, for distinct eigenvalues; eigh reads
    the UPLO triangle of a, which gets the gradient (for complex a: the loss must not
    depend on the eigenvectors' phases)."""
    w, v = ans
    return _triangle(_eigh_sym_grad(gw, gv, w, v), UPLO.upper() == "L")


def eigvalsh_vjp(g: Any, a: Any, UPLO: str = "L") -> Any:
    """Adjoint of `np.linalg.eigvalsh(a, UPLO)`: conj(V) diag(g) V^T on the UPLO triangle."""
    w, v = np.linalg.eigh(a, UPLO)
    return _triangle(_eigh_sym_grad(g, None, w, v), UPLO.upper() == "L")


def eig_vjp(gw: Any, gv: Any, ans: Any) -> Any:
    """Adjoint of `w, v = np.linalg.eig(a)` for distinct eigenvalues (real or complex:
    eigenvalues are holomorphic in a) and NumPy's unit-length eigenvectors:
    V^-T (diag(gw) + F * (V^T gV - V^T conj(V) Re(diag(V^T gV)))) V^T. For complex
    eigenvectors the loss must not depend on their phases."""
    w, v = ans
    inner = 0
    if gw is not None:
        inner = inner + _diag_embed(gw)
    if gv is not None:
        vtg = _mT(v) @ gv
        d = np.diagonal(vtg, axis1=-2, axis2=-1)
        if np.iscomplexobj(v):
            _check_gauge(d, vtg, "eigenvectors")
        unit = _mT(v) @ _conj(v) * np.real(d)[..., None, :]
        inner = inner + _gap_inverse(w) * (vtg - unit)
    return np.linalg.solve(_mT(v), inner @ _mT(v))


def eigvals_vjp(g: Any, ans: Any, a: Any) -> Any:
    """Adjoint of `np.linalg.eigvals(a)` for distinct eigenvalues, real or complex (they
    are holomorphic in a): V^-T diag(g) V^T."""
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
    (they are not unique); with hermitian=True the lower triangle of a gets the gradient.
    For complex a the loss must not depend on the singular vectors' phases."""
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
    grad = _svd_grad(gu, _real(gs), gvh, u, s, vh)
    return _triangle(_sym(grad), True) if hermitian else grad


def _svd_grad(gu: Any, gs: Any, gvh: Any, u: Any, s: Any, vh: Any) -> Any:
    """conj(U) inner conj(Vh) plus the parts of gU, gVh outside the spans of U, V; for real
    a the conjugates do nothing. For complex a, inner has the term 1j Im(diag(U^T gU)) / s
    that fixes the phases as JAX does, and the loss must not depend on the phases."""
    m, n = np.shape(u)[-2], np.shape(vh)[-1]
    k = np.shape(s)[-1]
    f = _gap_inverse(s**2)
    inner = 0 if gs is None else _diag_embed(gs)
    grad = 0
    uc, vhc = _conj(u), _conj(vh)
    cplx = np.iscomplexobj(u)
    phase = 0
    if gu is not None:
        utgu = _mT(u) @ gu
        inner = inner + f * (utgu - _mH(utgu)) * s[..., None, :]
        if cplx:
            du = np.diagonal(utgu, axis1=-2, axis2=-1)
            inner = inner + _diag_embed(1j * np.imag(du) / s)
            phase = phase + du
        if m > k:
            grad = grad + ((gu - uc @ utgu) / s[..., None, :]) @ vhc
    if gvh is not None:
        vtgv = vhc @ _mH(gvh)  # V^T times the adjoint of V, which is gVh^H
        inner = inner + s[..., :, None] * (f * (vtgv - _mH(vtgv)))
        if cplx:
            phase = phase + np.diagonal(vtgv, axis1=-2, axis2=-1)
        if n > k:
            grad = grad + uc @ ((gvh - _mH(vtgv) @ vhc) / s[..., :, None])
    if cplx and (gu is not None or gvh is not None):
        _check_gauge(phase, inner, "singular vectors")
    return grad + uc @ inner @ vhc


def svdvals_vjp(g: Any, a: Any) -> Any:
    """Adjoint of `np.linalg.svdvals(a)`: conj(U diag(g) Vh)."""
    u, _, vh = np.linalg.svd(a, full_matrices=False)
    return _conj((u * np.real(g)[..., None, :]) @ vh)


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
    return {0: 0, "N": 0, 1: 1, "T": 1, 2: 2, "C": 2}[trans]


def _as_columns(g: Any, b: Any) -> Any:
    """`g` (shaped like the solution) as a stack of matrices: a vector b gives a column."""
    return np.asarray(g)[..., None] if np.ndim(b) == 1 else g


def _triangular_solve_adjoint(
    g: Any, a: Any, b: Any, trans: Any, lower: bool, unit_diagonal: bool
) -> Any:
    """The adjoint of b, as columns: x = op(a)^-1 b with op(a) = a or a^T is complex-linear
    in b, so it is op(a)^-T g, the solve with the other transposition."""
    from scipy.linalg import solve_triangular

    t = 1 - min(_trans_code(trans), 1)
    return solve_triangular(a, _as_columns(g, b), trans=t, lower=lower, unit_diagonal=unit_diagonal)


def _conjugate_trans(trans: Any, a: Any) -> bool:
    """trans='C' on a complex a solves with conj(a)^T: the 'T' solve of conj(a)."""
    return _trans_code(trans) == 2 and np.iscomplexobj(a)


def solve_triangular_vjp_b(
    g: Any, a: Any, b: Any, trans: Any = 0, lower: bool = False, unit_diagonal: bool = False
) -> Any:
    """Adjoint of `scipy.linalg.solve_triangular(a, b, trans, lower, ...)` with respect to
    b: the solve with the transposed triangle (of conj(a) for trans='C')."""
    a = np.conjugate(a) if _conjugate_trans(trans, a) else a
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
    (transposed for trans), on the triangle the solver reads (strict if unit_diagonal);
    for trans='C' on complex a, the conjugate of that for the 'T' solve of conj(a)."""
    conj = _conjugate_trans(trans, a)
    a = np.conjugate(a) if conj else a
    gb = _triangular_solve_adjoint(g, a, b, trans, lower, unit_diagonal)
    ga = -gb @ _mT(_as_columns(ans, b))
    ga = _mT(ga) if _trans_code(trans) else ga
    ga = np.conjugate(ga) if conj else ga
    k = -1 if unit_diagonal else 0
    return _unbroadcast_batch(np.tril(ga, k) if lower else np.triu(ga, -k), a)


def _cho_solve_adjoint(g: Any, c_and_lower: tuple[Any, bool], b: Any) -> Any:
    """The adjoint of b, as columns: a^-T g = conj(a^-1 conj(g)), a = c c^H being
    Hermitian (for real c, just the same solve applied to g)."""
    from scipy.linalg import cho_solve

    if np.iscomplexobj(c_and_lower[0]):
        return np.conjugate(cho_solve(c_and_lower, np.conjugate(_as_columns(g, b))))
    return cho_solve(c_and_lower, _as_columns(g, b))


def cho_solve_vjp_b(g: Any, c_and_lower: tuple[Any, bool], b: Any) -> Any:
    """Adjoint of `scipy.linalg.cho_solve((c, lower), b)` with respect to b: the same
    solve applied to g (conjugated around it for complex c: the matrix is Hermitian)."""
    gb = _cho_solve_adjoint(g, c_and_lower, b)
    return _unbroadcast_batch(gb[..., 0] if np.ndim(b) == 1 else gb, b)


def cho_solve_vjp_c(g: Any, ans: Any, c_and_lower: tuple[Any, bool], b: Any) -> Any:
    """Adjoint of `x = scipy.linalg.cho_solve((c, lower), b)` with respect to the factor c
    (a = c c^H for lower, c^H c for upper; the other triangle of c is not read):
    with ga = -gb x^T, (ga + ga^H) conj(c) for lower, conj(c) (ga + ga^H) for upper."""
    c, lower = c_and_lower
    gb = _cho_solve_adjoint(g, c_and_lower, b)
    ga = -gb @ _mT(_as_columns(ans, b))
    ga = ga + _mH(ga) if np.iscomplexobj(c) else ga + _mT(ga)
    cc = _conj(c)
    gc = np.tril(ga @ np.tril(cc)) if lower else np.triu(np.triu(cc) @ ga)
    return _unbroadcast_batch(gc, c)


def refuse_overwrite(func: str) -> Any:
    """The gradient of a call that may have overwritten its argument in place."""
    raise ValueError(
        f"npgrad does not differentiate {func} with overwrite_b=True: the reverse sweep "
        "may read the overwritten array; drop overwrite_b"
    )
