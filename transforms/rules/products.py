"""Products beyond matmul/dot/outer (those are in linalg.py): inner, tensordot, einsum,
kron, cross, vdot, matvec, vecmat, vecdot, linalg.outer, linalg.vecdot, linalg.cross,
linalg.tensordot, matrix_transpose.

Every adjoint of a contraction is itself a contraction of the output's adjoint with the
other operands: einsum's is an np.einsum with a rearranged subscript string, built at run
time by `rt.einsum_vjp` (repeated labels within one operand, 'ii->i', write onto the
diagonal; `...` broadcasting is undone). The gufuncs (matvec, vecmat, vecdot) broadcast
their loop dimensions, which the compiler undoes (`broadcasts=True`). Products are smooth:
no kink conventions. Real inputs only (vdot and vecdot would conjugate complex ones).
"""

# ruff: noqa: E501
# Each rule is a template: names stand for the call's arguments and are inlined.

import numpy as np

from npgrad import runtime as rt

from .table import jvp, linear, vjp


@vjp(np.inner)
def inner(g, ans, a, b):
    return rt.inner_lhs(g, a, b), rt.inner_rhs(g, a, b)


@jvp(of=inner)
def inner_jvp(ta, tb, ans, a, b):
    return np.inner(ta, b) + np.inner(a, tb)


@vjp(np.tensordot)
def tensordot(g, ans, a, b, axes=2):
    return rt.tensordot_lhs(g, a, b, axes), rt.tensordot_rhs(g, a, b, axes)


@jvp(of=tensordot)
def tensordot_jvp(ta, tb, ans, a, b, axes=2):
    return np.tensordot(ta, b, axes) + np.tensordot(a, tb, axes)


@vjp(np.linalg.tensordot)
def linalg_tensordot(g, ans, x1, x2, *, axes=2):
    return rt.tensordot_lhs(g, x1, x2, axes), rt.tensordot_rhs(g, x1, x2, axes)


@jvp(of=linalg_tensordot)
def linalg_tensordot_jvp(tx1, tx2, ans, x1, x2, *, axes=2):
    return np.linalg.tensordot(tx1, x2, axes=axes) + np.linalg.tensordot(x1, tx2, axes=axes)


@vjp(np.einsum)
def einsum(g, ans, subscripts, *operands, optimize=False, part=None):
    return (
        rt.einsum_vjp(g, subscripts, (), None),
        rt.einsum_vjp(g, subscripts, operands, part, optimize),
    )


@jvp(of=einsum)
def einsum_jvp(tsubscripts, toperands, ans, subscripts, *operands, optimize=False):
    return rt.einsum_tangent(subscripts, operands, toperands, optimize)


@vjp(np.kron)
def kron(g, ans, a, b):
    return rt.kron_lhs(g, a, b), rt.kron_rhs(g, a, b)


@jvp(of=kron)
def kron_jvp(ta, tb, ans, a, b):
    return np.kron(ta, b) + np.kron(a, tb)


@vjp(np.cross)
def cross(g, ans, a, b, axisa=-1, axisb=-1, axisc=-1, axis=None):
    return (
        rt.cross_vjp(g, a, b, axisa, axisb, axisc, axis, 0),
        rt.cross_vjp(g, a, b, axisa, axisb, axisc, axis, 1),
    )


@jvp(of=cross)
def cross_jvp(ta, tb, ans, a, b, axisa=-1, axisb=-1, axisc=-1, axis=None):
    return np.cross(ta, b, axisa, axisb, axisc, axis) + np.cross(a, tb, axisa, axisb, axisc, axis)


@vjp(np.linalg.cross)
def linalg_cross(g, ans, x1, x2, *, axis=-1):
    return rt.cross_vjp(g, x1, x2, axis=axis, part=0), rt.cross_vjp(g, x1, x2, axis=axis, part=1)


@jvp(of=linalg_cross)
def linalg_cross_jvp(tx1, tx2, ans, x1, x2, *, axis=-1):
    return np.linalg.cross(tx1, x2, axis=axis) + np.linalg.cross(x1, tx2, axis=axis)


@vjp(np.vdot)
def vdot(g, ans, a, b):
    return np.conj(g * np.reshape(b, np.shape(a))), g * np.conj(np.reshape(a, np.shape(b)))


@jvp(of=vdot)
def vdot_jvp(ta, tb, ans, a, b):
    return np.vdot(ta, b) + np.vdot(a, tb)


@vjp(np.linalg.outer)
def linalg_outer(g, ans, x1, x2):
    return g @ x2, x1 @ g


@jvp(of=linalg_outer)
def linalg_outer_jvp(tx1, tx2, ans, x1, x2):
    return np.linalg.outer(tx1, x2) + np.linalg.outer(x1, tx2)


@vjp(np.vecdot, np.linalg.vecdot, broadcasts=True)
def vecdot(g, ans, x1, x2, *, axis=-1):
    return np.conj(np.expand_dims(g, axis) * x2), np.expand_dims(g, axis) * np.conj(x1)


@jvp(of=vecdot)
def vecdot_jvp(tx1, tx2, ans, x1, x2, *, axis=-1):
    return np.vecdot(tx1, x2, axis=axis) + np.vecdot(x1, tx2, axis=axis)


@vjp(np.matvec, broadcasts=True)
def matvec(g, ans, x1, x2):
    return g[..., :, None] * x2[..., None, :], np.matvec(np.matrix_transpose(x1), g)


@jvp(of=matvec)
def matvec_jvp(tx1, tx2, ans, x1, x2):
    return np.matvec(tx1, x2) + np.matvec(x1, tx2)


@vjp(np.vecmat, broadcasts=True)
def vecmat(g, ans, x1, x2):
    return np.matvec(x2, g), x1[..., :, None] * g[..., None, :]


@jvp(of=vecmat)
def vecmat_jvp(tx1, tx2, ans, x1, x2):
    return np.vecmat(tx1, x2) + np.vecmat(x1, tx2)


@vjp(np.matrix_transpose, np.linalg.matrix_transpose)
def matrix_transpose(g, ans, x):
    return np.matrix_transpose(g)


@jvp(of=matrix_transpose)
def matrix_transpose_jvp(tx, ans, x):
    return linear(tx)
