"""Rule cases for the products in transforms/rules/products.py: inner, tensordot, einsum,
kron, cross, vdot, the gufuncs (matvec, vecmat, vecdot) and the array-API spellings."""

from __future__ import annotations

import numpy as np
from rulecases import Case, arr


def _pair(func, expr, sx, sy, wrt=("x", "y")):
    return Case(func, expr, {"x": arr(sx), "y": arr(sy)}, wrt)


def _inner_tensordot() -> list[Case]:
    cases = []
    for sx, sy in [
        ((3,), (3,)),
        ((2, 3), (3,)),
        ((3,), (4, 3)),
        ((2, 3), (4, 3)),
        ((2, 2, 3), (4, 3)),
        ((), (2, 3)),
        ((2, 3), ()),
    ]:
        cases.append(_pair(np.inner, "np.inner(x, y)", sx, sy))
    for func, name in [
        (np.tensordot, "np.tensordot"),
        (np.linalg.tensordot, "np.linalg.tensordot"),
    ]:
        for sx, sy, axes in [
            ((2, 3, 4), (3, 4, 5), None),
            ((2, 3), (3, 4), 1),
            ((2, 3), (4, 5), 0),
            ((3, 4), (3, 4), 2),
            ((2, 3, 4), (4, 3, 5), ([1, 2], [1, 0])),
            ((2, 3, 4), (5, 2), (0, 1)),
            ((2, 3, 4), (3, 5), ((-2,), (0,))),
            ((3, 2), (2, 3), ([0, 1], [1, 0])),
        ]:
            spec = (
                ""
                if axes is None
                else f", {'axes=' if func is np.linalg.tensordot else ''}{axes!r}"
            )
            cases.append(_pair(func, f"{name}(x, y{spec})", sx, sy))
        cases.append(_pair(func, f"{name}(x, y, axes=([1], [0]))", (2, 3), (3, 4)))
        cases.append(_pair(func, f"{name}(x, y, axes=2)", (2, 3, 4), (3, 4)))
    return cases


EINSUM = [
    # (subscripts, operand shapes)
    ("ij,jk->ik", [(2, 3), (3, 4)]),
    ("ij,jk", [(2, 3), (3, 4)]),
    ("ij,kj->ki", [(2, 3), (4, 3)]),
    ("i,i->", [(3,), (3,)]),
    ("i,i", [(3,), (3,)]),
    ("i,j->ij", [(3,), (4,)]),
    ("ij->ji", [(2, 3)]),
    ("ij", [(2, 3)]),
    ("ji", [(2, 3)]),
    ("ij->", [(2, 3)]),
    ("ij->i", [(2, 3)]),
    ("ii->i", [(3, 3)]),
    ("ii", [(3, 3)]),
    ("iij->ij", [(3, 3, 2)]),
    ("iii->", [(2, 2, 2)]),
    ("ii,ij->j", [(3, 3), (3, 4)]),
    ("bij,bjk->bik", [(2, 3, 4), (2, 4, 5)]),
    ("ij,jk,kl->il", [(2, 3), (3, 4), (4, 2)]),
    ("i,ij,j", [(3,), (3, 4), (4,)]),
    ("ij,ij,ij->i", [(2, 3), (2, 3), (2, 3)]),
    ("...ij,...jk->...ik", [(2, 3, 4), (4, 5)]),
    ("...ij,...jk->...ik", [(5, 2, 3), (5, 3, 2)]),
    ("...i,...i->...", [(2, 3), (1, 3)]),
    ("...i,...i", [(4, 2, 3), (3,)]),
    ("i...->...", [(3, 2, 2)]),
    ("...ii->...i", [(2, 3, 3)]),
    ("i,->i", [(3,), ()]),
    ("Ab,bC->AC", [(2, 3), (3, 4)]),
    (" ij , jk -> ik ", [(2, 3), (3, 4)]),
    ("ij,j->ij", [(2, 3), (1,)]),
]


def _einsum() -> list[Case]:
    cases = []
    names = "xyz"
    for subscripts, shapes in EINSUM:
        args = {names[k]: arr(s) for k, s in enumerate(shapes)}
        expr = f"np.einsum({subscripts!r}, {', '.join(args)})"
        cases.append(Case(np.einsum, expr, args, tuple(args)))
    cases += [
        # the same operand twice, a constant operand, optimize passed through
        Case(np.einsum, "np.einsum('ij,ij->', x, x)", {"x": arr((2, 3))}, ("x",)),
        Case(
            np.einsum, "np.einsum('ij,jk->ik', x, c)", {"x": arr((2, 3)), "c": arr((3, 4))}, ("x",)
        ),
        Case(
            np.einsum,
            "np.einsum('ij,jk,kl->il', x, y, z, optimize=True)",
            {"x": arr((2, 3)), "y": arr((3, 4)), "z": arr((4, 2))},
            ("x", "y", "z"),
        ),
        Case(
            np.einsum,
            "np.einsum('ij,jk->ik', x, y, optimize='greedy')",
            {"x": arr((2, 3)), "y": arr((3, 4))},
            ("x", "y"),
        ),
    ]
    return cases


def _others() -> list[Case]:
    cases = []
    for sx, sy in [((2,), (3,)), ((2, 3), (2, 2)), ((3,), (2, 2)), ((2, 2), (3,)), ((), (3,))]:
        cases.append(_pair(np.kron, "np.kron(x, y)", sx, sy))
    cases.append(_pair(np.kron, "np.kron(x, y)", (2, 1, 3), (2, 2)))
    # cross: 3-vectors, batches that broadcast, the axis arguments, 2-vectors (deprecated)
    for expr, sx, sy in [
        ("np.cross(x, y)", (3,), (3,)),
        ("np.cross(x, y)", (4, 3), (3,)),
        ("np.cross(x, y)", (2, 1, 3), (4, 3)),
        ("np.cross(x, y, axisa=0)", (3, 4), (4, 3)),
        ("np.cross(x, y, axisa=0, axisb=0)", (3, 4), (3, 4)),
        ("np.cross(x, y, axisa=0, axisb=0, axisc=0)", (3, 4), (3, 4)),
        ("np.cross(x, y, axis=1)", (2, 3, 4), (2, 3, 4)),
        ("np.cross(x, y, 0, 1, 0)", (3, 2), (2, 3)),
        ("np.cross(x, y)", (2,), (2,)),
        ("np.cross(x, y, axisc=0)", (4, 3), (4, 2)),
    ]:
        cases.append(_pair(np.cross, expr, sx, sy))
    for expr, sx, sy in [
        ("np.linalg.cross(x, y)", (3,), (3,)),
        ("np.linalg.cross(x, y)", (4, 3), (1, 3)),
        ("np.linalg.cross(x, y, axis=0)", (3, 4), (3, 4)),
    ]:
        cases.append(_pair(np.linalg.cross, expr, sx, sy))
    for sx, sy in [((3,), (3,)), ((2, 3), (2, 3)), ((2, 3), (6,)), ((), ())]:
        cases.append(_pair(np.vdot, "np.vdot(x, y)", sx, sy))
    for sx, sy in [((3,), (4,)), ((1,), (2,))]:
        cases.append(_pair(np.linalg.outer, "np.linalg.outer(x, y)", sx, sy))
    for func, name in [(np.vecdot, "np.vecdot"), (np.linalg.vecdot, "np.linalg.vecdot")]:
        for sx, sy, spec in [
            ((3,), (3,), ""),
            ((2, 3), (2, 3), ""),
            ((2, 3), (3,), ""),
            ((4, 1, 3), (2, 3), ""),
            ((3, 2), (3, 2), ", axis=0"),
            ((2, 3, 4), (3, 1), ", axis=-2"),
        ]:
            cases.append(_pair(func, f"{name}(x, y{spec})", sx, sy))
    for sx, sy in [((2, 3), (3,)), ((4, 2, 3), (3,)), ((2, 3), (4, 3)), ((1, 2, 3), (4, 1, 3))]:
        cases.append(_pair(np.matvec, "np.matvec(x, y)", sx, sy))
    for sx, sy in [((3,), (3, 2)), ((4, 3), (3, 2)), ((3,), (4, 3, 2)), ((2, 1, 3), (4, 3, 2))]:
        cases.append(_pair(np.vecmat, "np.vecmat(x, y)", sx, sy))
    for func, name in [
        (np.matrix_transpose, "np.matrix_transpose"),
        (np.linalg.matrix_transpose, "np.linalg.matrix_transpose"),
    ]:
        for shape in [(2, 3), (4, 2, 3)]:
            cases.append(Case(func, f"{name}(x)", {"x": arr(shape)}, ("x",)))
    return cases


CASES = _inner_tensordot() + _einsum() + _others()

# complex intermediates (JAX's convention): vdot and vecdot conjugate their first argument
CASES += [
    Case(
        np.vdot,
        "np.real(np.vdot(x * (1 + 2j), y * (0.5 - 1j)))",
        {"x": arr((4,)), "y": arr((4,))},
        ("x", "y"),
    ),  # fmt: skip
    Case(
        np.vdot,
        "np.imag(np.vdot(x * (1 + 2j), y * (0.5 - 1j)))",
        {"x": arr((2, 2)), "y": arr((4,))},
        ("x", "y"),
    ),  # fmt: skip
    Case(
        np.vecdot,
        "np.imag(np.vecdot(x * (1 + 2j), y * (0.5 - 1j)))",
        {"x": arr((3, 4)), "y": arr((4,))},
        ("x", "y"),
    ),  # fmt: skip
]
