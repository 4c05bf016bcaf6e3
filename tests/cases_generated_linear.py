"""Rule cases for the runtime adjoints linear in their adjoint `g` (the FFTs' and the shape
functions', transforms/rules/generated_linear.py): `g` is x * x (real) or x * (x + 1j * y)
(complex), the other arguments constants; a complex result is read as Re(r * (1 + 0.5j)),
so both of its parts matter."""

from __future__ import annotations

import npgrad.runtime as rt
import numpy as np
from rulecases import RNG, Case, arr

_RT = ("npgrad.runtime",)


def _complex(shape):
    return arr(shape) + 1j * arr(shape)


def _case(func, primal, z, extra: str, complex_g: bool) -> Case:
    """`func(g, z, ...)`, the adjoint of `primal(z, ...)`: g has primal's result shape."""
    namespace = {"np": np}
    shape = np.shape(eval(f"primal(z{extra})", namespace, {"primal": primal, "z": z}))  # noqa: S307
    g = "x * (x + 1j * y)" if complex_g else "x * x"
    args = {"x": arr(shape), "y": arr(shape)} if complex_g else {"x": arr(shape)}
    expr = f"np.real(npgrad.runtime.{func.__name__}({g}, z{extra}) * (1 + 0.5j))"
    return Case(func, expr, {**args, "z": z}, tuple(args), imports=_RT)


fft = np.fft
CASES = []
# 1-D complex transforms: n (crop and pad), axis, norms; real and complex `a`
for func, primal in [(rt.fft_vjp, fft.fft), (rt.ifft_vjp, fft.ifft)]:
    for z in [arr((2, 5)), _complex((2, 5))]:
        CASES.append(_case(func, primal, z, "", True))
        CASES.append(_case(func, primal, z, ", 7, 0, 'ortho'", True))
        CASES.append(_case(func, primal, z, ", 3, -1, 'forward'", True))
# the real transforms: rfft of a real `a`; irfft and hfft of a half spectrum (real or not)
for extra in ["", ", 5", ", 8, 0, 'ortho'", ", None, -1, 'forward'"]:
    CASES.append(_case(rt.rfft_vjp, fft.rfft, arr((2, 6)), extra, True))
    CASES.append(_case(rt.ihfft_vjp, fft.ihfft, arr((2, 6)), extra, True))
    CASES.append(_case(rt.irfft_vjp, fft.irfft, _complex((2, 4)), extra, False))
    CASES.append(_case(rt.hfft_vjp, fft.hfft, _complex((2, 4)), extra, False))
CASES.append(_case(rt.irfft_vjp, fft.irfft, arr((3, 4)), ", 7", False))
CASES.append(_case(rt.hfft_vjp, fft.hfft, arr((3, 4)), "", False))
# n-dimensional: s (crop and pad), axes, norms
for func, primal in [(rt.fftn_vjp, fft.fftn), (rt.ifftn_vjp, fft.ifftn)]:
    for z in [arr((2, 3, 4)), _complex((2, 3, 4))]:
        CASES.append(_case(func, primal, z, "", True))
        CASES.append(_case(func, primal, z, ", (3, 5), (0, 2), 'ortho'", True))
        CASES.append(_case(func, primal, z, ", None, (1,), 'forward'", True))
for extra in ["", ", (4, 5), (1, 2)", ", None, (0, 2), 'ortho'", ", (3, 3), (0, 1), 'forward'"]:
    CASES.append(_case(rt.rfftn_vjp, fft.rfftn, arr((2, 3, 4)), extra, True))
    CASES.append(_case(rt.irfftn_vjp, fft.irfftn, _complex((2, 3, 3)), extra, False))
CASES.append(_case(rt.irfftn_vjp, fft.irfftn, arr((2, 3)), ", (4, 5), (0, 1)", False))

# the shape functions' adjoints
_Z = RNG.permutation(12).reshape(3, 4) / 4.0 - 1.0  # distinct: no ties for unsort
for extra in [
    ", ((1, 2), (0, 1))",
    ", 1, 'constant'",
    ", 2, 'edge'",
    ", ((2, 1), (1, 3)), 'reflect'",
    ", ((2, 1), (1, 3)), 'symmetric'",
    ", ((2, 5), (1, 0)), 'wrap'",
    ", 1, 'empty'",
]:
    CASES.append(
        _case(rt.unpad, lambda z, w, m="constant": np.pad(z, w, m), arr((3, 4)), extra, False)
    )
for axes in [(2,), (0, 3), (-1, 1)]:
    shape = np.shape(np.rollaxis(np.zeros((2, 3, 4)), *axes))
    text = "".join(f", {k}" for k in axes)
    CASES.append(
        Case(
            rt.unrollaxis,
            f"npgrad.runtime.unrollaxis(x * x{text})",
            {"x": arr(shape)},
            ("x",),
            imports=_RT,
        )
    )
for extra in [", 2, 1", ", [1, 0, 2], 1", ", 2", ", [2, 1], 0"]:
    CASES.append(_case(rt.unrepeat, np.repeat, arr((2, 3)), extra, False))
for extra in [", 2", ", (2, 1, 2)", ", (1, 1)"]:
    CASES.append(_case(rt.untile, np.tile, arr((2, 3)), extra, False))
for z, extra in [
    (arr((3, 4)), ""),
    (arr((3, 4)), ", 1"),
    (arr((2, 3, 4)), ", -1, 1, 2"),
    (arr((2, 3, 4)), ", 1, 2, 0"),
]:
    CASES.append(_case(rt.undiagonal, np.diagonal, z, extra, False))
for extra in ["", ", 0", ", None"]:
    CASES.append(_case(rt.unsort, np.sort, _Z, extra, False))
for extra in [
    ", np.array([0, 2, 2])",
    ", np.array([[3, 1], [1, 0]]), 1",
    ", np.array([0, 5, -1]), 0, 'wrap'",
    ", [4, 1], -1, 'clip'",
]:
    CASES.append(
        _case(
            rt.untake, lambda z, i, ax=None, m="raise": np.take(z, i, ax, mode=m), _Z, extra, False
        )
    )
for extra in [", np.array([[0, 0, 2], [1, 3, 3], [2, 2, 2]]), 1", ", np.array([[2, 0, 0, 1]]), 0"]:
    CASES.append(_case(rt.untake_along_axis, np.take_along_axis, _Z, extra, False))
CASES.append(
    _case(rt.untake_along_axis, np.take_along_axis, _Z, ", np.array([3, 3, 0]), None", False)
)
for axis in [1, None]:
    shape = np.shape(np.compress([True, False, True], _Z, axis))
    CASES.append(
        Case(
            rt.uncompress,
            f"npgrad.runtime.uncompress(x * x, [True, False, True], z, {axis})",
            {"x": arr(shape), "z": _Z},
            ("x",),
            imports=_RT,
        )
    )
# unconcatenate: one piece or all of them (axis None: g flattened, pieces reshaped)
for expr, shapes in [
    ("npgrad.runtime.unconcatenate(x * x, [y, z], 1)[0]", ((2, 5), (2, 2), (2, 3))),
    ("npgrad.runtime.unconcatenate(x * x, [y, z], -1)[1]", ((2, 5), (2, 2), (2, 3))),
    (
        "npgrad.runtime.unconcatenate(x * x, [y, z], 0)[0]"
        " + 2.0 * npgrad.runtime.unconcatenate(x * x, [y, z], 0)[1]",
        ((4, 3), (2, 3), (2, 3)),
    ),
    ("npgrad.runtime.unconcatenate(x * x, [y, z], None)[0]", ((2, 3), (4,), (2,))),
    ("npgrad.runtime.unconcatenate(x * x, [y, z])[1]", ((5,), (2,), (3,))),
]:
    args = {"x": arr(shapes[0]), "y": arr(shapes[1]), "z": arr(shapes[2])}
    CASES.append(Case(rt.unconcatenate, expr, args, ("x",), imports=_RT))
for expr, shapes in [
    ("npgrad.runtime.unvstack(x * x, [y, z])[0]", ((3, 4), (4,), (2, 4))),
    (
        "npgrad.runtime.unvstack(x * x, [y, z])[0]"
        " + 2.0 * npgrad.runtime.unvstack(x * x, [y, z])[1]",
        ((4, 3), (2, 3), (2, 3)),
    ),
    ("npgrad.runtime.unvstack(x * x, [y, z])[1]", ((2, 3), (3,), (3,))),
]:
    args = {"x": arr(shapes[0]), "y": arr(shapes[1]), "z": arr(shapes[2])}
    CASES.append(Case(rt.unvstack, expr, args, ("x",), imports=_RT))
