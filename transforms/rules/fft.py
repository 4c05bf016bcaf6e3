"""Discrete Fourier transforms: np.fft's fft, ifft, fft2, ifft2, fftn, ifftn, rfft, irfft,
rfft2, irfft2, rfftn, irfftn, hfft, ihfft, fftshift and ifftshift.

Complex values follow JAX's convention: the adjoint of a complex intermediate z = a + ib is
dL/da - 1j * dL/db, so the adjoint of a transform that is linear over the complex numbers is
its plain transpose, and DFT matrices are symmetric: fft's adjoint is fft of the adjoint with
the same normalization, ifft's is ifft (runtime/fft.py). rfft keeps half the spectrum of a
real input (adjoint: zero-pad, fft, real part); irfft reads a Hermitian half spectrum and
is not complex-linear (adjoint: conjugated rfft of the real adjoint with the opposite
normalization, "backward" <-> "forward", "ortho" stays, and the bins that stand for two
frequencies doubled); hfft and ihfft are these with a conjugate. A real argument gets the
real part. The loss must still be real: reach it with np.real, np.imag or np.abs of a
complex result, or an inverse real transform (irfft). `n`/`s` crop or zero-pad the input;
the adjoint pads or crops back. irfft ignores the imaginary parts of the zero (and, for
even n, the Nyquist) bin, which therefore get no gradient. The shifts are permutations:
each one's adjoint is the other.
"""

# Each rule is a template: names stand for the call's arguments and are inlined.

import numpy as np

from npgrad import runtime as rt

from .table import jvp, linear, nondiff, vjp


@vjp(np.fft.fft)
def fft(g, ans, a, n=None, axis=-1, norm=None):
    return (
        rt.fft_vjp(g, a)
        if n is None and axis == -1 and norm is None
        else rt.fft_vjp(g, a, n, axis, norm)
    )


@vjp(np.fft.ifft)
def ifft(g, ans, a, n=None, axis=-1, norm=None):
    return (
        rt.ifft_vjp(g, a)
        if n is None and axis == -1 and norm is None
        else rt.ifft_vjp(g, a, n, axis, norm)
    )


@vjp(np.fft.fft2)
def fft2(g, ans, a, s=None, axes=(-2, -1), norm=None):
    return (
        rt.fftn_vjp(g, a, axes=axes)
        if s is None and norm is None
        else rt.fftn_vjp(g, a, s, axes, norm)
    )


@vjp(np.fft.ifft2)
def ifft2(g, ans, a, s=None, axes=(-2, -1), norm=None):
    return (
        rt.ifftn_vjp(g, a, axes=axes)
        if s is None and norm is None
        else rt.ifftn_vjp(g, a, s, axes, norm)
    )


@vjp(np.fft.fftn)
def fftn(g, ans, a, s=None, axes=None, norm=None):
    return (
        rt.fftn_vjp(g, a)
        if s is None and axes is None and norm is None
        else rt.fftn_vjp(g, a, s, axes, norm)
    )


@vjp(np.fft.ifftn)
def ifftn(g, ans, a, s=None, axes=None, norm=None):
    return (
        rt.ifftn_vjp(g, a)
        if s is None and axes is None and norm is None
        else rt.ifftn_vjp(g, a, s, axes, norm)
    )


@vjp(np.fft.rfft)
def rfft(g, ans, a, n=None, axis=-1, norm=None):
    return (
        rt.rfft_vjp(g, a)
        if n is None and axis == -1 and norm is None
        else rt.rfft_vjp(g, a, n, axis, norm)
    )


@vjp(np.fft.irfft)
def irfft(g, ans, a, n=None, axis=-1, norm=None):
    return (
        rt.irfft_vjp(g, a)
        if n is None and axis == -1 and norm is None
        else rt.irfft_vjp(g, a, n, axis, norm)
    )


@vjp(np.fft.rfft2)
def rfft2(g, ans, a, s=None, axes=(-2, -1), norm=None):
    return (
        rt.rfftn_vjp(g, a, axes=axes)
        if s is None and norm is None
        else rt.rfftn_vjp(g, a, s, axes, norm)
    )


@vjp(np.fft.irfft2)
def irfft2(g, ans, a, s=None, axes=(-2, -1), norm=None):
    return (
        rt.irfftn_vjp(g, a, axes=axes)
        if s is None and norm is None
        else rt.irfftn_vjp(g, a, s, axes, norm)
    )


@vjp(np.fft.rfftn)
def rfftn(g, ans, a, s=None, axes=None, norm=None):
    return (
        rt.rfftn_vjp(g, a)
        if s is None and axes is None and norm is None
        else rt.rfftn_vjp(g, a, s, axes, norm)
    )


@vjp(np.fft.irfftn)
def irfftn(g, ans, a, s=None, axes=None, norm=None):
    return (
        rt.irfftn_vjp(g, a)
        if s is None and axes is None and norm is None
        else rt.irfftn_vjp(g, a, s, axes, norm)
    )


@vjp(np.fft.hfft)
def hfft(g, ans, a, n=None, axis=-1, norm=None):
    return (
        rt.hfft_vjp(g, a)
        if n is None and axis == -1 and norm is None
        else rt.hfft_vjp(g, a, n, axis, norm)
    )


@vjp(np.fft.ihfft)
def ihfft(g, ans, a, n=None, axis=-1, norm=None):
    return (
        rt.ihfft_vjp(g, a)
        if n is None and axis == -1 and norm is None
        else rt.ihfft_vjp(g, a, n, axis, norm)
    )


@vjp(np.fft.fftshift)
def fftshift(g, ans, x, axes=None):
    return np.fft.ifftshift(g) if axes is None else np.fft.ifftshift(g, axes)


@vjp(np.fft.ifftshift)
def ifftshift(g, ans, x, axes=None):
    return np.fft.fftshift(g) if axes is None else np.fft.fftshift(g, axes)


# ----- forward mode: each transform is linear, its tangent is the same call on the tangent --


def transform_jvp(ta, ans, a, n=None, axis=-1, norm=None):
    return linear(ta)


def transform_nd_jvp(ta, ans, a, s=None, axes=None, norm=None):
    return linear(ta)


def shift_jvp(tx, ans, x, axes=None):
    return linear(tx)


for _rule in (fft, ifft, rfft, irfft, hfft, ihfft):
    jvp(of=_rule)(transform_jvp)
for _rule in (fft2, ifft2, fftn, ifftn, rfft2, irfft2, rfftn, irfftn):
    jvp(of=_rule)(transform_nd_jvp)
for _rule in (fftshift, ifftshift):
    jvp(of=_rule)(shift_jvp)

nondiff(np.fft.fftfreq, np.fft.rfftfreq)
