"""Runtime helpers for the fft rules (see transforms/rules/fft.py).

Complex values follow JAX's convention: the adjoint of z = a + ib is dL/da - 1j * dL/db.
Then the adjoint of a complex-linear map y = A x is the plain transpose, A^T g (no
conjugate), and DFT matrices are symmetric: fft's adjoint is fft with the same
normalization, ifft's is ifft. Cropping along an axis (n or s shorter than the input)
becomes zero-padding in the adjoint and padding becomes cropping. rfft is fft of a real
input kept to the half spectrum: its adjoint zero-pads g to the full length, applies fft
and keeps the real part. irfft is not complex-linear (it reads only the Hermitian half
spectrum), so its adjoint is worked out from the real loss: the conjugate of rfft(g) with
the opposite normalization ("backward" <-> "forward", "ortho" stays), the bins that stand
for two conjugate frequencies doubled. A real argument gets the real part, and the
adjoint of a real result (irfft, hfft) is read as real.
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = [
    "fft_vjp",
    "ifft_vjp",
    "fftn_vjp",
    "ifftn_vjp",
    "rfft_vjp",
    "irfft_vjp",
    "rfftn_vjp",
    "irfftn_vjp",
    "hfft_vjp",
    "ihfft_vjp",
]

_DUAL = {None: "forward", "backward": "forward", "forward": "backward", "ortho": "ortho"}


def _dual(norm: str | None) -> str:
    """The normalization of the adjoint transform."""
    try:
        return _DUAL[norm]
    except KeyError:
        message = f'Invalid norm value {norm}; should be "backward", "ortho" or "forward".'
        raise ValueError(message) from None


def _fit(x: Any, axes: list[int], lengths: list[int]) -> Any:
    """Crop or zero-pad `x` along `axes` to `lengths`."""
    for axis, n in zip(axes, lengths, strict=True):
        have = np.shape(x)[axis]
        if have > n:
            index = [slice(None)] * np.ndim(x)
            index[axis] = slice(0, n)
            x = x[tuple(index)]
        elif have < n:
            pad = [(0, 0)] * np.ndim(x)
            pad[axis % np.ndim(x)] = (0, n - have)
            x = np.pad(x, pad)
    return x


def _like(da: Any, a: Any) -> Any:
    """The adjoint for argument `a`: its real part where `a` is real."""
    return da if np.iscomplexobj(a) else np.real(da)


def _cook(a: Any, s: Any, axes: Any, invreal: bool = False) -> tuple[list[int], list[int]]:
    """The transform lengths and axes of an n-dimensional fft, as NumPy reads s and axes."""
    shape = np.shape(a)
    if axes is None:
        axes = list(range(-len(s), 0)) if s is not None else list(range(-len(shape), 0))
    axes = [int(ax) for ax in axes]
    if s is None:
        s = [shape[ax] for ax in axes]
        if invreal:
            s[-1] = (shape[axes[-1]] - 1) * 2
    s = [shape[ax] if n == -1 else int(n) for n, ax in zip(s, axes, strict=True)]
    return s, axes


def _c2c(g: Any, a: Any, s: Any, axes: Any, norm: str | None, inverse: bool) -> Any:
    _, axes = _cook(a, s, axes)
    transpose = np.fft.ifftn if inverse else np.fft.fftn
    da = transpose(g, axes=axes, norm=norm)
    return _like(_fit(da, axes, [np.shape(a)[ax] for ax in axes]), a)


def fft_vjp(g: Any, a: Any, n: Any = None, axis: int = -1, norm: str | None = None) -> Any:
    """Adjoint of `np.fft.fft(a, n, axis, norm)`: fft of g with the same normalization (the
    DFT matrix is symmetric), cropped or padded back to a's length."""
    return _c2c(g, a, None if n is None else [n], [axis], norm, inverse=False)


def ifft_vjp(g: Any, a: Any, n: Any = None, axis: int = -1, norm: str | None = None) -> Any:
    """Adjoint of `np.fft.ifft(a, n, axis, norm)`: ifft of g with the same normalization."""
    return _c2c(g, a, None if n is None else [n], [axis], norm, inverse=True)


def fftn_vjp(g: Any, a: Any, s: Any = None, axes: Any = None, norm: str | None = None) -> Any:
    """Adjoint of `np.fft.fftn(a, s, axes, norm)` (and fft2)."""
    return _c2c(g, a, s, axes, norm, inverse=False)


def ifftn_vjp(g: Any, a: Any, s: Any = None, axes: Any = None, norm: str | None = None) -> Any:
    """Adjoint of `np.fft.ifftn(a, s, axes, norm)` (and ifft2)."""
    return _c2c(g, a, s, axes, norm, inverse=True)


def rfftn_vjp(g: Any, a: Any, s: Any = None, axes: Any = None, norm: str | None = None) -> Any:
    """Adjoint of `np.fft.rfftn(a, s, axes, norm)` (and rfft, rfft2): the half spectrum
    zero-padded to the full length, fftn with the same normalization, real part (rfftn
    reads only the real part of its input)."""
    s, axes = _cook(a, s, axes)
    full = _fit(g, axes[-1:], s[-1:])
    da = np.real(np.fft.fftn(full, axes=axes, norm=norm))
    return _fit(da, axes, [np.shape(a)[ax] for ax in axes])


def rfft_vjp(g: Any, a: Any, n: Any = None, axis: int = -1, norm: str | None = None) -> Any:
    """Adjoint of `np.fft.rfft(a, n, axis, norm)`."""
    return rfftn_vjp(g, a, None if n is None else [n], [axis], norm)


def irfftn_vjp(g: Any, a: Any, s: Any = None, axes: Any = None, norm: str | None = None) -> Any:
    """Adjoint of `y = np.fft.irfftn(a, s, axes, norm)` (and irfft, irfft2).

    Along the last axis y_t = sum_k c_k Re(a_k e^(2 pi i k t / n)) / n (norm "backward"),
    with c_k = 2 for the bins that stand for two conjugate frequencies and 1 for the zero
    (and, for even n, the Nyquist) bin, whose imaginary parts are not read. So
    dL/da_k = c_k conj(rfft(g)_k) / n: rfftn of the (real) g with the opposite
    normalization, conjugated, those bins doubled, then cropped or padded to the input's
    half spectrum; the complex ifft along the other axes transposes to itself and folds
    into the same conjugate."""
    s, axes = _cook(a, s, axes, invreal=True)
    h = np.conjugate(np.fft.rfftn(np.real(g), axes=axes, norm=_dual(norm)))
    n = s[-1]
    twice = np.full(n // 2 + 1, 2.0)
    twice[0] = 1.0
    if n % 2 == 0:
        twice[-1] = 1.0
    shape = [1] * np.ndim(h)
    shape[axes[-1]] = -1
    h = h * np.reshape(twice, shape)
    return _like(_fit(h, axes, [np.shape(a)[ax] for ax in axes]), a)


def irfft_vjp(g: Any, a: Any, n: Any = None, axis: int = -1, norm: str | None = None) -> Any:
    """Adjoint of `np.fft.irfft(a, n, axis, norm)`."""
    return irfftn_vjp(g, a, None if n is None else [n], [axis], norm)


def hfft_vjp(g: Any, a: Any, n: Any = None, axis: int = -1, norm: str | None = None) -> Any:
    """Adjoint of `np.fft.hfft(a, n, axis, norm)`, which is irfft(conj(a), n, axis) with the
    opposite normalization: the adjoint of irfft, through conj's (conj(g))."""
    return np.conjugate(irfft_vjp(g, np.conjugate(a), n, axis, _dual(norm)))


def ihfft_vjp(g: Any, a: Any, n: Any = None, axis: int = -1, norm: str | None = None) -> Any:
    """Adjoint of `np.fft.ihfft(a, n, axis, norm)`, which is conj(rfft(a, n, axis)) with the
    opposite normalization: conj's adjoint (conj(g)), then rfft's."""
    return rfft_vjp(np.conjugate(g), a, n, axis, _dual(norm))
