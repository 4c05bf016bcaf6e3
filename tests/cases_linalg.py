"""Rule cases for np.linalg (and scipy.linalg's triangular solvers when SciPy is installed).

Matrices are chosen well conditioned, with distinct eigen- and singular values, so central
differences are accurate. Functions that read one triangle (eigh, cholesky, hermitian=True)
are also given raw, non-symmetric arguments: the gradient must match the triangle read.
"""

from __future__ import annotations

import numpy as np
from rulecases import Case, arr

try:
    import scipy.linalg
except ImportError:  # scipy is optional
    scipy = None


def general(shape, boost=3.0):
    """Random square matrices (stacked), far from singular."""
    return arr(shape, -1, 1) + boost * np.eye(shape[-1])


def spd(shape):
    """Random symmetric positive definite matrices (stacked), eigenvalues well apart."""
    a = arr(shape, -1, 1)
    return a @ np.swapaxes(a, -1, -2) + np.diag(np.arange(1.0, shape[-1] + 1))


def real_eig(n):
    """A non-symmetric matrix with real, distinct eigenvalues."""
    p = general((n, n), 2.0)
    return p @ np.diag(np.arange(1.0, n + 1)) @ np.linalg.inv(p)


def all_parts(call, n):
    """Every result of a function returning n arrays, in one 1-D array."""
    parts = ", ".join(f"np.ravel({call}[{k}])" for k in range(n))
    return f"np.concatenate([{parts}])"


def _cases() -> list[Case]:
    la = np.linalg
    cases = []

    def add(func, expr, **args):
        wrt = tuple(k for k in args if not k.startswith("_"))
        cases.append(Case(func, expr, {k.lstrip("_"): v for k, v in args.items()}, wrt))

    # inv
    add(la.inv, "np.linalg.inv(x)", x=general((3, 3)))
    add(la.inv, "np.linalg.inv(x)", x=general((2, 3, 3)))
    add(la.inv, "np.linalg.inv(x)", x=general((1, 1)))
    add(la.inv, "np.linalg.inv(x)", x=general((0, 2, 2)))
    add(la.inv, "np.linalg.inv(x @ x.T + np.eye(3)) @ y", x=arr((3, 3)), y=arr((3,)))
    # pinv
    add(la.pinv, "np.linalg.pinv(x)", x=arr((4, 3)))
    add(la.pinv, "np.linalg.pinv(x)", x=arr((3, 5)))
    add(la.pinv, "np.linalg.pinv(x)", x=general((3, 3)))
    add(la.pinv, "np.linalg.pinv(x, 1e-10)", x=arr((2, 4, 3)))
    add(la.pinv, "np.linalg.pinv(x, hermitian=True)", x=general((3, 3)))
    if np.lib.NumpyVersion(np.__version__) >= "2.0.0":
        add(la.pinv, "np.linalg.pinv(x, rtol=1e-12)", x=arr((3, 2)))
    add(la.pinv, "np.linalg.pinv(x + x.T, hermitian=True)", x=general((3, 3)))
    # solve: vector and matrix right-hand sides, stacks, broadcasting
    add(la.solve, "np.linalg.solve(a, b)", a=general((3, 3)), b=arr((3,)))
    add(la.solve, "np.linalg.solve(a, b)", a=general((3, 3)), b=arr((3, 2)))
    add(la.solve, "np.linalg.solve(a, b)", a=general((2, 3, 3)), b=arr((2, 3, 2)))
    add(la.solve, "np.linalg.solve(a, b)", a=general((3, 3)), b=arr((2, 3, 4)))
    add(la.solve, "np.linalg.solve(a=a, b=b)", a=general((2, 3, 3)), b=arr((3, 1)))
    add(la.solve, "np.linalg.solve(a, b)", a=general((1, 3, 3)), b=arr((2, 3, 2)))
    add(la.solve, "np.linalg.solve(a, b)", a=general((1, 1)), b=arr((1,)))
    add(la.solve, "np.linalg.solve(a, 2.0 * a[0])", a=general((3, 3)))
    if np.lib.NumpyVersion(np.__version__) >= "2.0.0":
        add(la.solve, "np.linalg.solve(a, b)", a=general((2, 3, 3)), b=arr((3,)))
    # lstsq: solution, residuals, singular values (the rank is an integer)
    for sb in [(5,), (5, 2)]:
        add(la.lstsq, "np.linalg.lstsq(a, b, rcond=None)[0]", a=arr((5, 3)), b=arr(sb))
        add(la.lstsq, "np.linalg.lstsq(a, b, rcond=None)[1]", a=arr((5, 3)), b=arr(sb))
        add(la.lstsq, "np.linalg.lstsq(a, b, None)[3]", a=arr((5, 3)), _b=arr(sb))
    add(
        la.lstsq,
        "np.linalg.lstsq(a, b, rcond=None)[0] * np.sum(np.linalg.lstsq(a, b, rcond=None)[1])",
        a=arr((5, 2)),
        b=arr((5, 3)),
    )
    add(la.lstsq, "np.linalg.lstsq(a, b, rcond=None)[0]", a=arr((2, 4)), b=arr((2,)))
    add(la.lstsq, "np.linalg.lstsq(a, b, rcond=None)[0]", a=general((3, 3)), b=arr((3, 2)))
    # det, slogdet
    add(la.det, "np.linalg.det(x)", x=general((3, 3)))
    add(la.det, "np.linalg.det(x)", x=general((2, 3, 3)))
    add(la.det, "np.linalg.det(x)", x=general((1, 1)))
    add(la.det, "np.linalg.det(x) * x", x=general((2, 2)))
    add(la.det, "np.linalg.det(x)", x=arr((4, 4)))
    add(la.slogdet, "np.linalg.slogdet(x)[1]", x=general((3, 3)))
    add(la.slogdet, "np.linalg.slogdet(x)[1]", x=arr((2, 3, 3)))
    add(la.slogdet, "np.linalg.slogdet(x)[0] * np.linalg.slogdet(x)[1]", x=arr((3, 3)))
    add(la.slogdet, "np.linalg.slogdet(x)[0] * x", x=arr((3, 3)))
    # cholesky: reads the lower triangle (upper with upper=True)
    add(la.cholesky, "np.linalg.cholesky(x)", x=spd((3, 3)))
    add(la.cholesky, "np.linalg.cholesky(x)", x=spd((2, 4, 4)))
    add(la.cholesky, "np.linalg.cholesky(x)", x=spd((1, 1)))
    add(la.cholesky, "np.linalg.cholesky(x @ x.T + np.eye(3))", x=arr((3, 3)))
    add(la.cholesky, "np.linalg.cholesky(x + 0.2 * np.tril(y, -1))", x=spd((3, 3)), y=arr((3, 3)))
    if np.lib.NumpyVersion(np.__version__) >= "2.0.0":
        add(la.cholesky, "np.linalg.cholesky(x, upper=True)", x=spd((3, 3)))
        add(
            la.cholesky,
            "np.linalg.cholesky(x + 0.2 * np.triu(y, 1), upper=True)",
            x=spd((3, 3)),
            y=arr((3, 3)),
        )
    # qr
    both = all_parts("np.linalg.qr(xMODE)", 2)
    for shape in [(4, 3), (3, 3), (3, 5), (2, 4, 3), (2, 3, 5)]:
        add(la.qr, "np.linalg.qr(x)[0]", x=arr(shape))
        add(la.qr, "np.linalg.qr(x)[1]", x=arr(shape))
        add(la.qr, both.replace("MODE", ""), x=arr(shape))
    add(la.qr, both.replace("MODE", ", 'complete'"), x=arr((3, 5)))
    add(la.qr, both.replace("MODE", ", mode='complete'"), x=arr((3, 3)))
    add(la.qr, "np.linalg.qr(x, mode='complete')[1]", x=arr((4, 3)))
    add(la.qr, "np.linalg.qr(x, mode='complete')[0][:, :2] * 3", x=arr((4, 2)))
    add(la.qr, "np.linalg.qr(x, mode='reduced')[0]", x=arr((1, 1), 0.5, 1.5))
    # eigh, eigvalsh: raw (non-symmetric) arguments read the UPLO triangle
    for shape in [(3, 3), (2, 4, 4)]:
        add(la.eigh, "np.linalg.eigh(x)[0]", x=spd(shape))
        add(la.eigh, "np.linalg.eigh(x)[1]", x=spd(shape))
        add(la.eigh, "np.linalg.eigh(x)[0][..., None, :] * np.linalg.eigh(x)[1]", x=spd(shape))
        add(la.eigvalsh, "np.linalg.eigvalsh(x)", x=spd(shape))
    add(la.eigh, "np.linalg.eigh(x)[1]", x=arr((3, 3)))
    add(la.eigh, "np.linalg.eigh(x, 'U')[1]", x=arr((3, 3)))
    add(la.eigh, "np.linalg.eigh(x, UPLO='U')[0]", x=arr((3, 3)))
    add(la.eigh, "np.linalg.eigh(x + x.T)[1] ** 2", x=arr((3, 3)))
    add(la.eigh, "np.linalg.eigh(x)[0]", x=arr((1, 1)))
    add(la.eigvalsh, "np.linalg.eigvalsh(x)", x=arr((3, 3)))
    add(la.eigvalsh, "np.linalg.eigvalsh(x, UPLO='U')", x=arr((3, 3)))
    add(la.eigvalsh, "np.linalg.eigvalsh(x @ x.T)", x=arr((3, 3)))
    # eig, eigvals: real eigenvalues
    add(la.eig, "np.linalg.eig(x)[0]", x=real_eig(3))
    add(la.eig, "np.linalg.eig(x)[1]", x=real_eig(3))
    add(la.eig, "np.linalg.eig(x)[0] * np.linalg.eig(x)[1]", x=real_eig(4))
    add(la.eig, "np.linalg.eig(x)[1]", x=np.stack([real_eig(3), real_eig(3)]))
    add(la.eig, "np.linalg.eig(x)[1]", x=spd((3, 3)))
    add(la.eigvals, "np.linalg.eigvals(x)", x=real_eig(3))
    add(la.eigvals, "np.linalg.eigvals(x)", x=np.stack([real_eig(3), real_eig(3)]))
    # svd
    for shape in [(4, 3), (3, 3), (3, 5), (2, 4, 3), (2, 3, 4)]:
        for full in ["False", "True"] if shape[-1] == shape[-2] else ["False"]:
            svd = f"np.linalg.svd(x, full_matrices={full})"
            add(la.svd, f"{svd}[0]", x=arr(shape))
            add(la.svd, f"{svd}[1]", x=arr(shape))
            add(la.svd, f"{svd}[2]", x=arr(shape))
            add(la.svd, all_parts(svd, 3), x=arr(shape))
        add(la.svd, "np.linalg.svd(x)[1]", x=arr(shape))
    add(la.svd, "np.linalg.svd(x)[0][:, :3]", x=arr((5, 3)))
    add(la.svd, "np.linalg.svd(x, False, True)[0]", x=arr((4, 2)))
    add(la.svd, "np.linalg.svd(x, hermitian=True)[1]", x=spd((3, 3)))
    add(la.svd, "np.linalg.svd(x, hermitian=True)[0]", x=spd((3, 3)))
    add(la.svd, "np.linalg.svd(x + x.T, hermitian=True)[2]", x=arr((3, 3)))
    add(la.svd, "np.linalg.svd(x, full_matrices=False)[1]", x=arr((1, 3)))
    if hasattr(la, "svdvals"):
        add(la.svdvals, "np.linalg.svdvals(x)", x=arr((4, 3)))
        add(la.svdvals, "np.linalg.svdvals(x)", x=arr((2, 3, 5)))
    # matrix_power
    for n in [0, 1, 2, 3, -1, -2]:
        add(la.matrix_power, f"np.linalg.matrix_power(x, {n})", x=general((3, 3), 1.5))
    add(la.matrix_power, "np.linalg.matrix_power(x, 3)", x=arr((2, 2, 2)))
    add(la.matrix_power, "np.linalg.matrix_power(x, n=-3)", x=general((2, 3, 3)))
    add(la.matrix_power, "np.linalg.matrix_power(x, n)", x=general((2, 2)), _n=4)
    # multi_dot
    add(la.multi_dot, "np.linalg.multi_dot([x, y, z])", x=arr((2, 3)), y=arr((3, 4)), z=arr((4, 2)))
    add(la.multi_dot, "np.linalg.multi_dot([x, y])", x=arr((2, 3)), y=arr((3, 4)))
    add(la.multi_dot, "np.linalg.multi_dot((x, y, z))", x=arr((3,)), y=arr((3, 4)), z=arr((4,)))
    add(
        la.multi_dot,
        "np.linalg.multi_dot([x, y, x, z])",
        x=arr((3, 3)),
        y=arr((3, 3)),
        z=arr((3, 2)),
    )
    add(la.multi_dot, "np.linalg.multi_dot([x, y, 2.0 * x])", x=arr((3,)), y=arr((3, 3)))
    if scipy is not None:
        cases += _scipy_cases()
    return cases + _complex_cases()


def _complex_cases() -> list[Case]:
    """Complex matrices built from real arguments (x + 1j * y, Hermitian ones, spectra),
    results reaching the loss through np.real / np.imag / np.abs. Holomorphic functions
    (inv, solve, det, matrix_power, eigenvalues) have the real adjoints; the others (pinv,
    lstsq, slogdet, cholesky, qr, eigh, svd, cho_solve, trans='C') add conjugates. Losses of
    complex eigen- and singular vectors do not depend on the vectors' phases (np.abs(v)).
    Own random numbers, so the other cases' stay as they were."""
    la = np.linalg
    rng = np.random.default_rng(13)
    cases = []

    def add(func, expr, imports=(), **shapes):
        args = {}
        for k, shape in shapes.items():
            args[k] = rng.uniform(-1.0, 1.0, shape)
            if k == "x" and shape[-1] == shape[-2]:
                args[k] = args[k] + 3.0 * np.eye(shape[-1])  # far from singular
        cases.append(Case(func, expr, args, tuple(args), imports=imports))

    z = "(x + 1j * y)"
    h = "((x + np.swapaxes(x, -1, -2) + 1j * (y - np.swapaxes(y, -1, -2))) / 2)"  # Hermitian
    # the reported case: a complex right-hand side from fft, w.r.t. the real matrix
    add(la.solve, "np.abs(np.linalg.solve(x, np.fft.fft(b)))", x=(4, 4), b=(4,))
    add(la.solve, "np.real(np.linalg.solve(x, b * (1 + 2j)))", x=(3, 3), b=(3, 2))
    add(la.solve, f"np.imag(np.linalg.solve({z}, b))", x=(2, 3, 3), y=(2, 3, 3), b=(3,))
    add(la.inv, f"np.real(np.linalg.inv({z}))", x=(3, 3), y=(3, 3))
    add(la.inv, "np.abs(np.linalg.inv(x) @ np.fft.fft(b))", x=(4, 4), b=(4,))
    add(la.det, f"np.imag(np.linalg.det({z}))", x=(3, 3), y=(3, 3))
    add(la.det, "np.abs(np.linalg.det(np.fft.fft2(x)))", x=(3, 3))
    add(la.matrix_power, f"np.real(np.linalg.matrix_power({z}, 3))", x=(3, 3), y=(3, 3))
    add(la.matrix_power, f"np.imag(np.linalg.matrix_power({z}, -2))", x=(3, 3), y=(3, 3))
    add(la.multi_dot, f"np.abs(np.linalg.multi_dot([{z}, x, y * 1j]))", x=(3, 3), y=(3, 3))
    add(la.pinv, f"np.real(np.linalg.pinv({z}))", x=(4, 3), y=(4, 3))
    add(la.pinv, f"np.imag(np.linalg.pinv({z}))", x=(3, 5), y=(3, 5))
    add(la.pinv, "np.imag(np.linalg.pinv(x) * (1 + 2j))", x=(4, 3))
    add(la.pinv, f"np.real(np.linalg.pinv({z}, hermitian=True))", x=(3, 3), y=(3, 3))
    add(la.pinv, f"np.imag(np.linalg.pinv({h}, hermitian=True))", x=(3, 3), y=(3, 3))
    add(la.lstsq, f"np.real(np.linalg.lstsq({z}, b, rcond=None)[0])", x=(5, 3), y=(5, 3), b=(5,))
    add(la.lstsq, f"np.linalg.lstsq({z}, b * (1 - 1j), rcond=None)[1]", x=(5, 3), y=(5, 3), b=(5,))
    add(la.lstsq, "np.linalg.lstsq(x, b * (1 - 1j), rcond=None)[1]", x=(5, 3), b=(5, 2))
    add(la.lstsq, f"np.linalg.lstsq({z}, b, rcond=None)[3]", x=(5, 3), y=(5, 3), b=(5,))
    add(la.slogdet, f"np.linalg.slogdet({z})[1]", x=(2, 3, 3), y=(2, 3, 3))
    add(la.slogdet, "np.linalg.slogdet(np.fft.fft2(x))[1]", x=(3, 3))
    add(la.cholesky, f"np.real(np.linalg.cholesky({h} + 4 * np.eye(3)))", x=(2, 3, 3), y=(2, 3, 3))
    add(la.cholesky, f"np.imag(np.linalg.cholesky({z} + 4 * np.eye(3)))", x=(3, 3), y=(3, 3))
    if np.lib.NumpyVersion(np.__version__) >= "2.0.0":
        add(
            la.cholesky,
            f"np.imag(np.linalg.cholesky({z} + 4 * np.eye(3), upper=True))",
            x=(3, 3),
            y=(3, 3),
        )
    add(la.qr, f"np.real(np.linalg.qr({z})[1])", x=(4, 3), y=(4, 3))
    add(la.qr, f"np.imag(np.linalg.qr({z})[0] * (1 + 1j))", x=(4, 3), y=(4, 3))
    add(la.qr, f"np.real(np.linalg.qr({z})[0] * 1j)", x=(2, 3, 3), y=(2, 3, 3))
    add(la.qr, f"np.imag(np.linalg.qr({z})[1])", x=(3, 5), y=(3, 5))
    add(la.qr, f"np.real(np.linalg.qr({z})[0] * 1j)", x=(3, 5), y=(3, 5))
    add(la.qr, f"np.imag(np.linalg.qr({z}, mode='complete')[1])", x=(5, 3), y=(5, 3))
    add(la.qr, "np.imag(np.linalg.qr(x)[0] * (1 + 1j))", x=(4, 3))
    add(la.eigvals, f"np.real(np.linalg.eigvals({z}))", x=(3, 3), y=(3, 3))
    add(la.eigvals, "np.abs(np.linalg.eigvals(x - 3 * np.eye(4)))", x=(4, 4))  # complex pairs
    add(la.eig, "np.imag(np.linalg.eig(x - 3 * np.eye(4))[0])", x=(4, 4))
    add(la.eig, f"np.imag(np.linalg.eig({z})[0])", x=(2, 3, 3), y=(2, 3, 3))
    add(la.eig, "np.abs(np.linalg.eig(x - 3 * np.eye(4))[1])", x=(4, 4))
    add(la.eig, f"np.abs(np.linalg.eig({z})[1])", x=(3, 3), y=(3, 3))
    add(la.eigvalsh, f"np.linalg.eigvalsh({h})", x=(2, 3, 3), y=(2, 3, 3))
    add(la.eigvalsh, f"np.linalg.eigvalsh({z}, 'U')", x=(3, 3), y=(3, 3))
    add(la.eigvalsh, "np.real(np.linalg.eigvalsh(x) * (1 + 1j))", x=(3, 3))
    add(la.eigh, f"np.linalg.eigh({h})[0]", x=(3, 3), y=(3, 3))
    add(la.eigh, f"np.abs(np.linalg.eigh({h})[1])", x=(2, 3, 3), y=(2, 3, 3))
    add(la.eigh, f"np.abs(np.linalg.eigh({z}, 'U')[1])", x=(3, 3), y=(3, 3))
    add(la.svd, f"np.linalg.svd({z})[1]", x=(4, 3), y=(4, 3))
    add(la.svd, f"np.abs(np.linalg.svd({z}, full_matrices=False)[0])", x=(2, 5, 3), y=(2, 5, 3))
    add(la.svd, f"np.abs(np.linalg.svd({z}, full_matrices=False)[2])", x=(3, 5), y=(3, 5))
    add(la.svd, f"np.abs(np.linalg.svd({z})[2])", x=(3, 3), y=(3, 3))
    add(la.svd, f"np.linalg.svd({h} + 4 * np.eye(3), hermitian=True)[1]", x=(3, 3), y=(3, 3))
    add(la.svd, f"np.abs(np.linalg.svd({z}, hermitian=True)[0])", x=(3, 3), y=(3, 3))
    if hasattr(la, "svdvals"):
        add(la.svdvals, f"np.linalg.svdvals({z})", x=(2, 3, 4), y=(2, 3, 4))
    if scipy is not None:
        st, cs, imp = scipy.linalg.solve_triangular, scipy.linalg.cho_solve, ("scipy.linalg",)
        for kw in ["", ", trans='T', lower=True", ", trans='C'", ", 2, True, True"]:
            expr = f"np.imag(scipy.linalg.solve_triangular({z}, b * (1 + 1j){kw}))"
            add(st, expr, imp, x=(3, 3), y=(3, 3), b=(3, 2))
        add(
            st,
            "np.real(scipy.linalg.solve_triangular(x, b * 1j, trans='C'))",
            imp,
            x=(3, 3),
            b=(3,),
        )
        for lower in [True, False]:
            expr = f"np.real(scipy.linalg.cho_solve(({z} + 4 * np.eye(3), {lower}), b * (1 + 1j)))"
            add(cs, expr, imp, x=(3, 3), y=(3, 3), b=(3,))
        expr = (
            f"np.imag(scipy.linalg.cho_solve((np.linalg.cholesky({h} + 4 * np.eye(3)), True), b))"
        )
        add(cs, expr, imp, x=(3, 3), y=(3, 3), b=(3, 2))
        expr = "np.real(scipy.linalg.cho_solve((x + 4 * np.eye(3), False), b * (1 + 1j)))"
        add(cs, expr, imp, x=(3, 3), b=(3,))
    return cases


def _scipy_cases() -> list[Case]:
    st, cs = scipy.linalg.solve_triangular, scipy.linalg.cho_solve
    imp = ("scipy.linalg",)
    cases = []
    for kw in ["", ", lower=True", ", trans=1", ", trans='T', lower=True", ", 2, True"]:
        for sb in [(3,), (3, 2)]:
            expr = f"scipy.linalg.solve_triangular(a, b{kw})"
            cases.append(
                Case(st, expr, {"a": general((3, 3)), "b": arr(sb)}, ("a", "b"), imports=imp)
            )
    for kw in [", unit_diagonal=True", ", lower=True, unit_diagonal=True, trans='N'"]:
        expr = f"scipy.linalg.solve_triangular(a, b{kw})"
        cases.append(Case(st, expr, {"a": arr((3, 3)), "b": arr((3, 2))}, ("a", "b"), imports=imp))
    expr = "scipy.linalg.solve_triangular(np.linalg.cholesky(a), b, lower=True)"
    cases.append(Case(st, expr, {"a": spd((3, 3)), "b": arr((3,))}, ("a", "b"), imports=imp))
    for lower in [True, False]:
        for sb in [(3,), (3, 2)]:
            expr = f"scipy.linalg.cho_solve((c, {lower}), b)"
            c = np.linalg.cholesky(spd((3, 3)))
            c = c if lower else c.T
            cases.append(Case(cs, expr, {"c": c, "b": arr(sb)}, ("c", "b"), imports=imp))
    expr = "scipy.linalg.cho_solve((c + np.triu(y, 1), True), b)"
    args = {"c": np.linalg.cholesky(spd((3, 3))), "y": arr((3, 3)), "b": arr((3,))}
    cases.append(Case(cs, expr, args, ("c", "y", "b"), imports=imp))
    if _scipy_batches():
        for sa, sb in [((2, 3, 3), (3,)), ((2, 3, 3), (2, 3, 2)), ((3, 3), (2, 3, 2))]:
            for kw in [", lower=True", ", trans=1, unit_diagonal=True"]:
                expr = f"scipy.linalg.solve_triangular(a, b{kw})"
                args = {"a": general(sa), "b": arr(sb)}
                cases.append(Case(st, expr, args, ("a", "b"), imports=imp))
            c = np.linalg.cholesky(spd(sa))
            expr = "scipy.linalg.cho_solve((c, True), b)"
            cases.append(Case(cs, expr, {"c": c, "b": arr(sb)}, ("c", "b"), imports=imp))
    expr = "scipy.linalg.cho_solve(scipy.linalg.cho_factor(a), b)"
    cases.append(Case(cs, expr, {"a": spd((3, 3)), "b": arr((3, 2))}, ("b",), imports=imp))
    expr = "scipy.linalg.cho_solve((np.linalg.cholesky(a), True), b)"
    cases.append(Case(cs, expr, {"a": spd((3, 3)), "b": arr((3, 2))}, ("a", "b"), imports=imp))
    return cases


def _scipy_batches() -> bool:
    """SciPy >= 1.15 solves stacks of matrices."""
    try:
        scipy.linalg.solve_triangular(np.eye(2)[None], np.ones(2))
    except ValueError:
        return False
    return True


CASES = _cases()

NONDIFF_CASES = {np.linalg.matrix_rank: "np.linalg.matrix_rank(np.outer(x, x))"}

# the sign of a complex determinant has a gradient
CASES += [
    Case(
        np.linalg.slogdet,
        "np.real(np.linalg.slogdet(x * (1 + 0.5j))[0]) + np.linalg.slogdet(x * (1 + 0.5j))[1]",
        {"x": arr((3, 3))},
        ("x",),
    ),  # fmt: skip
    Case(
        np.linalg.slogdet,
        "np.imag(np.linalg.slogdet(x + 2j * np.eye(3))[0])",
        {"x": arr((3, 3))},
        ("x",),
    ),  # fmt: skip
]
