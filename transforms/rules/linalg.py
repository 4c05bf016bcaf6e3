"""Linear algebra: matmul (`@`), dot, outer, and np.linalg (inv, pinv, solve, lstsq, det,
slogdet, cholesky, qr, eigh, eigvalsh, eig, eigvals, svd, svdvals, matrix_power,
multi_dot), plus scipy.linalg.solve_triangular and cho_solve when SciPy is installed.

The 1-D and batched cases live in runtime helpers (runtime/linalg.py), so each inlined rule
stays one line; every np.linalg rule accepts stacks of matrices where NumPy does.

Conventions:
- Functions that read one triangle of their argument (eigh, eigvalsh and cholesky: the
  lower one by default; svd and pinv with hermitian=True: the lower one; solve_triangular
  and cho_solve: the triangle `lower` names) give gradient to that triangle only, which is
  the exact derivative of what NumPy computes. For a symmetric matrix built as `b + b.T`
  the chain rule then gives the usual symmetric gradient.
- Decompositions are differentiated where they are smooth: distinct eigenvalues (eigh,
  eig) and singular values (svd), full rank (qr, pinv, lstsq), real eigenvalues for eig and
  eigvals (complex ones are refused at run time). Eigen- and singular vectors keep the sign
  NumPy gives them. svd(full_matrices=True) and qr(mode='complete') are refused at run time
  when gradient reaches the columns beyond min(m, n), which are not unique.
- det and slogdet use inv(a) (a must be invertible); slogdet's sign gets no gradient.
- lstsq: the solution, the residuals and the singular values get gradient; the rank none.
- svd(compute_uv=False) returns an array, not a tuple: it is refused at run time in favour
  of np.linalg.svdvals (NumPy >= 2) or np.linalg.svd(a)[1]. Forward mode differentiates it.
- Forward mode (runtime/tangents.py) refuses at run time, rather than give a tangent that
  depends on a convention: complex eigen- and singular vectors, eig's vectors for complex
  eigenvalues, vectors at (numerically) repeated values, and svd(full_matrices=True)'s
  vectors and qr(mode='complete')'s q for non-square (tall) matrices.
"""

# Each rule is a template: names stand for the call's arguments and are inlined.

import numpy as np

from npgrad import runtime as rt

from .special import _vjp as scipy_vjp
from .table import jvp, method, nondiff, vjp


@vjp(np.matmul)
def matmul(g, ans, x1, x2):
    return rt.matmul_lhs(g, x1, x2), rt.matmul_rhs(g, x1, x2)


@jvp(of=matmul)
def matmul_jvp(tx1, tx2, ans, x1, x2):
    return tx1 @ x2 + x1 @ tx2


@vjp(np.dot)
def dot(g, ans, a, b):
    return rt.dot_lhs(g, a, b), rt.dot_rhs(g, a, b)


@jvp(of=dot)
def dot_jvp(ta, tb, ans, a, b):
    return np.dot(ta, b) + np.dot(a, tb)


@vjp(np.outer)
def outer(g, ans, a, b):
    return np.reshape(g @ np.ravel(b), np.shape(a)), np.reshape(np.ravel(a) @ g, np.shape(b))


@jvp(of=outer)
def outer_jvp(ta, tb, ans, a, b):
    return np.outer(ta, b) + np.outer(a, tb)


method("dot", np.dot)


# ----- inverses and solves ------------------------------------------------------------


@vjp(np.linalg.inv)
def inv(g, ans, a):
    return -(np.swapaxes(ans, -1, -2) @ g @ np.swapaxes(ans, -1, -2))


@jvp(of=inv)
def inv_jvp(ta, ans, a):
    return -(ans @ ta @ ans)


@vjp(np.linalg.pinv)
def pinv(g, ans, a, rcond=None, hermitian=False, *, rtol=None):
    return rt.pinv_vjp(g, ans, a) if not hermitian else rt.pinv_vjp(g, ans, a, hermitian)


@jvp(of=pinv)
def pinv_jvp(ta, ans, a, rcond=None, hermitian=False, *, rtol=None):
    return rt.pinv_tangent(ta, ans, a, hermitian)


@vjp(np.linalg.solve)
def solve(g, ans, a, b):
    return rt.solve_vjp_a(g, ans, a, b), rt.solve_vjp_b(g, a, b)


@jvp(of=solve)
def solve_jvp(ta, tb, ans, a, b):
    return (
        np.linalg.solve(a, (tb - np.matvec(ta, ans))[..., None])[..., 0]
        if np.ndim(b) == 1
        else np.linalg.solve(a, tb - ta @ ans)
    )


@vjp(np.linalg.lstsq, results=4)
def lstsq(g, ans, a, b, rcond=None):
    return rt.lstsq_vjp_a(g, ans, a, b), rt.lstsq_vjp_b(g, ans, a, b)


@jvp(of=lstsq)
def lstsq_jvp(ta, tb, ans, a, b, rcond=None):
    return (
        rt.lstsq_tangent_a(ta, ans, a, b) + rt.lstsq_tangent_b(tb, ans, a, b),
        rt.lstsq_residuals_tangent(tb - np.matmul(ta, ans[0]), ans, a, b),
        None,
        rt.svdvals_tangent(ta, a),
    )


# ----- determinants -------------------------------------------------------------------


@vjp(np.linalg.det)
def det(g, ans, a):
    return np.expand_dims(g * ans, (-2, -1)) * np.swapaxes(np.linalg.inv(a), -1, -2)


@jvp(of=det)
def det_jvp(ta, ans, a):
    return ans * np.sum(np.swapaxes(np.linalg.inv(a), -1, -2) * ta, axis=(-2, -1))


@vjp(np.linalg.slogdet, results=2)
def slogdet(g, ans, a):
    return rt.slogdet_vjp(g[1], a) if g[0] is None else rt.slogdet_vjp(g[1], a, g[0], ans)


@jvp(of=slogdet)
def slogdet_jvp(ta, ans, a):
    return (
        1j * ans[0] * np.imag(np.sum(np.swapaxes(np.linalg.inv(a), -1, -2) * ta, axis=(-2, -1)))
        if np.iscomplexobj(ans[0])
        else np.zeros_like(ans[0]),
        np.real(np.sum(np.swapaxes(np.linalg.inv(a), -1, -2) * ta, axis=(-2, -1))),
    )


# ----- decompositions -----------------------------------------------------------------


@vjp(np.linalg.cholesky)
def cholesky(g, ans, a, *, upper=False):
    return rt.cholesky_vjp(g, ans) if not upper else rt.cholesky_vjp(g, ans, upper)


@jvp(of=cholesky)
def cholesky_jvp(ta, ans, a, *, upper=False):
    return rt.cholesky_tangent(ta, ans, upper)


@vjp(np.linalg.qr, results=2)
def qr(g, ans, a, mode="reduced"):
    return rt.qr_vjp(g, ans, a, mode)


@jvp(of=qr)
def qr_jvp(ta, ans, a, mode="reduced"):
    return rt.qr_q_tangent(ta, ans, a, mode), rt.qr_r_tangent(ta, ans, a, mode)


@vjp(np.linalg.eigh, results=2)
def eigh(g, ans, a, UPLO="L"):
    return rt.eigh_vjp(g[0], g[1], ans, UPLO)


@jvp(of=eigh)
def eigh_jvp(ta, ans, a, UPLO="L"):
    return rt.eigh_tangent(ta, ans, UPLO), rt.eigh_vectors_tangent(ta, ans, UPLO)


@vjp(np.linalg.eigvalsh)
def eigvalsh(g, ans, a, UPLO="L"):
    return rt.eigvalsh_vjp(g, a, UPLO)


@jvp(of=eigvalsh)
def eigvalsh_jvp(ta, ans, a, UPLO="L"):
    return rt.eigh_tangent(ta, np.linalg.eigh(a, UPLO), UPLO)


@vjp(np.linalg.eig, results=2)
def eig(g, ans, a):
    return rt.eig_vjp(g[0], g[1], ans)


@jvp(of=eig)
def eig_jvp(ta, ans, a):
    return rt.eig_values_tangent(ta, ans), rt.eig_vectors_tangent(ta, ans)


@vjp(np.linalg.eigvals)
def eigvals(g, ans, a):
    return rt.eigvals_vjp(g, ans, a)


@jvp(of=eigvals)
def eigvals_jvp(ta, ans, a):
    return rt.eigvals_tangent(ta, a)


@vjp(np.linalg.svd, results=3)
def svd(g, ans, a, full_matrices=True, compute_uv=True, hermitian=False):
    return rt.svd_vjp(g, ans, a, full_matrices, compute_uv, hermitian)


@jvp(of=svd)
def svd_jvp(ta, ans, a, full_matrices=True, compute_uv=True, hermitian=False):
    return (
        (
            rt.svd_u_tangent(ta, ans, a, full_matrices, hermitian),
            rt.svd_s_tangent(ta, ans, a, compute_uv, hermitian),
            rt.svd_vh_tangent(ta, ans, a, full_matrices, hermitian),
        )
        if compute_uv
        else rt.svd_s_tangent(ta, ans, a, compute_uv, hermitian)
    )


def svdvals(g, ans, x):
    return rt.svdvals_vjp(g, x)


@jvp(of=svdvals)
def svdvals_jvp(tx, ans, x):
    return rt.svdvals_tangent(tx, x)


if hasattr(np.linalg, "svdvals"):  # NumPy >= 2
    vjp(np.linalg.svdvals)(svdvals)


# ----- products -----------------------------------------------------------------------


@vjp(np.linalg.matrix_power)
def matrix_power(g, ans, a, n):
    return rt.matrix_power_vjp(g, a, n), None


@jvp(of=matrix_power)
def matrix_power_jvp(ta, ans, a, n):
    return rt.matrix_power_tangent(ta, a, n)


@vjp(np.linalg.multi_dot, sequence="arrays")
def multi_dot(g, ans, arrays, part=None):
    return rt.multi_dot_vjp(g, arrays, part)


@jvp(of=multi_dot)
def multi_dot_jvp(tarrays, ans, arrays):
    return rt.multi_dot_tangent(arrays, tarrays)


nondiff(np.linalg.matrix_rank)


# ----- scipy.linalg -------------------------------------------------------------------


def solve_triangular(
    g, ans, a, b, trans=0, lower=False, unit_diagonal=False, overwrite_b=False, check_finite=True
):
    return (
        rt.solve_triangular_vjp_a(g, ans, a, b, trans, lower, unit_diagonal)
        if not overwrite_b
        else rt.refuse_overwrite("scipy.linalg.solve_triangular"),
        rt.solve_triangular_vjp_b(g, a, b, trans, lower, unit_diagonal)
        if not overwrite_b
        else rt.refuse_overwrite("scipy.linalg.solve_triangular"),
    )


@jvp(of=solve_triangular)
def solve_triangular_jvp(
    ta,
    tb,
    ans,
    a,
    b,
    trans=0,
    lower=False,
    unit_diagonal=False,
    overwrite_b=False,
    check_finite=True,
):
    return rt.solve_triangular_tangent(
        ta, ans, a, b, trans, lower, unit_diagonal
    ) + rt.solve_triangular_rhs(tb, a, trans, lower, unit_diagonal)


def cho_solve(g, ans, c_and_lower, b, overwrite_b=False, check_finite=True, part=None):
    return (
        (rt.cho_solve_vjp_c(g, ans, c_and_lower, b) if part == 0 else None)
        if not overwrite_b
        else rt.refuse_overwrite("scipy.linalg.cho_solve"),
        rt.cho_solve_vjp_b(g, c_and_lower, b)
        if not overwrite_b
        else rt.refuse_overwrite("scipy.linalg.cho_solve"),
    )


@jvp(of=cho_solve)
def cho_solve_jvp(tc_and_lower, tb, ans, c_and_lower, b, overwrite_b=False, check_finite=True):
    return rt.cho_solve_tangent(tc_and_lower, ans, c_and_lower, b) + rt.cho_solve_rhs(
        tb, c_and_lower
    )


# registered with the other SciPy rules when SciPy is first needed (see special.py)
scipy_vjp("linalg.solve_triangular")(solve_triangular)
scipy_vjp("linalg.cho_solve", sequence="c_and_lower")(cho_solve)
