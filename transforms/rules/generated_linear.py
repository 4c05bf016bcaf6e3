"""Rules for the runtime adjoints that are linear in the adjoint `g` they take and read
their other arguments only for shapes, dtypes, indices or orders: the FFTs' (runtime/fft.py)
and the shape functions' (runtime/shape.py), so that a second derivative passes through
them (see generated.py).

Each such helper `X_vjp(g, a, ...)` is the adjoint (transpose) of the primal map
`a -> X(a, ...)`, which is linear: its JVP is the same call on the tangent of `g`
(`linear(tgradient)`), and its own transpose is the primal map again, `X(g, ...)` with the
same options. This holds for the complex transforms too: under the project's convention
(the adjoint of z = a + ib is dL/da - i dL/db) the adjoint of an R-linear map is its
transpose for the pairing Re(sum(u * v)), and the transpose of a transpose is the map
itself, whether or not it is complex-linear (irfft, hfft). The values read only for their
shape or dtype (`a` of fft_vjp, `array` of unpad, ...) get no derivative; so do those that
choose a permutation (`a` of unsort: constant where the sort is differentiable, no ties).
"""

# Each rule is a template: names stand for the call's arguments and are inlined.

import numpy as np

from npgrad import runtime as rt

from .table import jvp, linear, vjp

# ----- the FFTs' adjoints: their transposes are the transforms themselves -----------------


@vjp(rt.fft_vjp)
def fft_vjp(g, ans, gradient, a, n=None, axis=-1, norm=None):
    return np.fft.fft(g if np.iscomplexobj(a) else np.real(g), n, axis, norm), None


@vjp(rt.ifft_vjp)
def ifft_vjp(g, ans, gradient, a, n=None, axis=-1, norm=None):
    return np.fft.ifft(g if np.iscomplexobj(a) else np.real(g), n, axis, norm), None


@vjp(rt.rfft_vjp)
def rfft_vjp(g, ans, gradient, a, n=None, axis=-1, norm=None):
    return np.fft.rfft(np.real(g), n, axis, norm), None


@vjp(rt.irfft_vjp)
def irfft_vjp(g, ans, gradient, a, n=None, axis=-1, norm=None):
    return np.fft.irfft(g if np.iscomplexobj(a) else np.real(g), n, axis, norm), None


@vjp(rt.hfft_vjp)
def hfft_vjp(g, ans, gradient, a, n=None, axis=-1, norm=None):
    return np.fft.hfft(g if np.iscomplexobj(a) else np.real(g), n, axis, norm), None


@vjp(rt.ihfft_vjp)
def ihfft_vjp(g, ans, gradient, a, n=None, axis=-1, norm=None):
    return np.fft.ihfft(np.real(g), n, axis, norm), None


@vjp(rt.fftn_vjp)
def fftn_vjp(g, ans, gradient, a, s=None, axes=None, norm=None):
    return np.fft.fftn(g if np.iscomplexobj(a) else np.real(g), s, axes, norm), None


@vjp(rt.ifftn_vjp)
def ifftn_vjp(g, ans, gradient, a, s=None, axes=None, norm=None):
    return np.fft.ifftn(g if np.iscomplexobj(a) else np.real(g), s, axes, norm), None


@vjp(rt.rfftn_vjp)
def rfftn_vjp(g, ans, gradient, a, s=None, axes=None, norm=None):
    return np.fft.rfftn(np.real(g), s, axes, norm), None


@vjp(rt.irfftn_vjp)
def irfftn_vjp(g, ans, gradient, a, s=None, axes=None, norm=None):
    return np.fft.irfftn(g if np.iscomplexobj(a) else np.real(g), s, axes, norm), None


def transform_vjp_jvp(tgradient, ans, gradient, a, n=None, axis=-1, norm=None):
    return linear(tgradient)


def transform_nd_vjp_jvp(tgradient, ans, gradient, a, s=None, axes=None, norm=None):
    return linear(tgradient)


for _rule in (fft_vjp, ifft_vjp, rfft_vjp, irfft_vjp, hfft_vjp, ihfft_vjp):
    jvp(of=_rule)(transform_vjp_jvp)
for _rule in (fftn_vjp, ifftn_vjp, rfftn_vjp, irfftn_vjp):
    jvp(of=_rule)(transform_nd_vjp_jvp)


# ----- the shape functions' adjoints: their transposes are the shape functions ------------
# (np.pad's "empty" border is not read by unpad: its transpose pads with zeros)


@vjp(rt.unpad)
def unpad(g, ans, gradient, array, pad_width, mode="constant"):
    return np.pad(g, pad_width, "constant" if mode == "empty" else mode), None


@jvp(of=unpad)
def unpad_jvp(tgradient, ans, gradient, array, pad_width, mode="constant"):
    return linear(tgradient)


@vjp(rt.unrollaxis)
def unrollaxis(g, ans, gradient, axis, start=0):
    return np.rollaxis(g, axis, start)


@jvp(of=unrollaxis)
def unrollaxis_jvp(tgradient, ans, gradient, axis, start=0):
    return linear(tgradient)


@vjp(rt.unrepeat)
def unrepeat(g, ans, gradient, a, repeats, axis=None):
    return np.repeat(g, repeats, axis), None


@jvp(of=unrepeat)
def unrepeat_jvp(tgradient, ans, gradient, a, repeats, axis=None):
    return linear(tgradient)


@vjp(rt.untile)
def untile(g, ans, gradient, A, reps):
    return np.tile(g, reps), None


@jvp(of=untile)
def untile_jvp(tgradient, ans, gradient, A, reps):
    return linear(tgradient)


@vjp(rt.undiagonal)
def undiagonal(g, ans, gradient, a, offset=0, axis1=0, axis2=1):
    return np.diagonal(g, offset, axis1, axis2), None


@jvp(of=undiagonal)
def undiagonal_jvp(tgradient, ans, gradient, a, offset=0, axis1=0, axis2=1):
    return linear(tgradient)


@vjp(rt.unsort)
def unsort(g, ans, gradient, a, axis=-1):
    return np.take_along_axis(g, np.argsort(a, axis, kind="stable"), axis), None


@jvp(of=unsort)
def unsort_jvp(tgradient, ans, gradient, a, axis=-1):
    return linear(tgradient)


@vjp(rt.untake)
def untake(g, ans, gradient, a, indices, axis=None, mode="raise"):
    return np.take(g, indices, axis, mode=mode), None


@jvp(of=untake)
def untake_jvp(tgradient, ans, gradient, a, indices, axis=None, mode="raise"):
    return linear(tgradient)


@vjp(rt.untake_along_axis)
def untake_along_axis(g, ans, gradient, arr, indices, axis=-1):
    return np.take_along_axis(g, indices, axis), None


@jvp(of=untake_along_axis)
def untake_along_axis_jvp(tgradient, ans, gradient, arr, indices, axis=-1):
    return linear(tgradient)


@vjp(rt.uncompress)
def uncompress(g, ans, gradient, condition, a, axis=None):
    return np.compress(condition, g, axis), None


@jvp(of=uncompress)
def uncompress_jvp(tgradient, ans, gradient, condition, a, axis=None):
    return linear(tgradient)


# `rt.unconcatenate(g, arrays, axis)`: the pieces of g; its transpose joins the pieces'
# adjoints back (zeros for those nothing flowed back to), flattened where axis is None.


@vjp(rt.unconcatenate, results=True)
def unconcatenate(g, ans, gradient, arrays, axis=0):
    return np.reshape(rt.unsplit(g, ans, axis), np.shape(gradient)), None


@jvp(of=unconcatenate)
def unconcatenate_jvp(tgradient, ans, gradient, arrays, axis=0):
    return linear(tgradient)


# `rt.unvstack(g, tup)`: the blocks of rows of g, each reshaped to its array's shape; they
# are contiguous in g's flat order, so the transpose joins them flattened and reshapes.


@vjp(rt.unvstack, results=True)
def unvstack(g, ans, gradient, tup):
    return np.reshape(rt.unsplit(g, ans, None), np.shape(gradient)), None


@jvp(of=unvstack)
def unvstack_jvp(tgradient, ans, gradient, tup):
    return linear(tgradient)
