"""Runtime helpers for the fft rules (see transforms/rules/fft.py).

The adjoint of a complex value z = a + ib is dL/da + 1j * dL/db, so the adjoint of a linear
transform is its conjugate transpose: fft's is ifft with the opposite normalization
("backward" <-> "forward", "ortho" stays), ifft's is fft. Cropping along an axis (n or s
shorter than the input) becomes zero-padding in the adjoint and padding becomes cropping.
A real argument gets the real part.
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
    s, axes = _cook(a, s, axes)
    adjoint = np.fft.fftn if inverse else np.fft.ifftn
    da = adjoint(g, axes=axes, norm=_dual(norm))
    return _like(_fit(da, axes, [np.shape(a)[ax] for ax in axes]), a)


def fft_vjp(g: Any, a: Any, n: Any = None, axis: int = -1, norm: str | None = None) -> Any:
    """Adjoint of `np.fft.fft(a, n, axis, norm)`: ifft with the opposite normalization."""
    return _c2c(g, a, None if n is None else [n], [axis], norm, inverse=False)


def ifft_vjp(g: Any, a: Any, n: Any = None, axis: int = -1, norm: str | None = None) -> Any:
    """Adjoint of `np.fft.ifft(a, n, axis, norm)`: fft with the opposite normalization."""
    return _c2c(g, a, None if n is None else [n], [axis], norm, inverse=True)


def fftn_vjp(g: Any, a: Any, s: Any = None, axes: Any = None, norm: str | None = None) -> Any:
    """Adjoint of `np.fft.fftn(a, s, axes, norm)` (and fft2)."""
    return _c2c(g, a, s, axes, norm, inverse=False)


def ifftn_vjp(g: Any, a: Any, s: Any = None, axes: Any = None, norm: str | None = None) -> Any:
    """Adjoint of `np.fft.ifftn(a, s, axes, norm)` (and ifft2)."""
    return _c2c(g, a, s, axes, norm, inverse=True)


def rfftn_vjp(g: Any, a: Any, s: Any = None, axes: Any = None, norm: str | None = None) -> Any:
    """Adjoint of `np.fft.rfftn(a, s, axes, norm)` (and rfft, rfft2): the half spectrum
    zero-padded to the full length, then the adjoint of fftn, real part."""
    s, axes = _cook(a, s, axes)
    full = _fit(g, axes[-1:], s[-1:])
    da = np.real(np.fft.ifftn(full, axes=axes, norm=_dual(norm)))
    return _fit(da, axes, [np.shape(a)[ax] for ax in axes])


def rfft_vjp(g: Any, a: Any, n: Any = None, axis: int = -1, norm: str | None = None) -> Any:
    """Adjoint of `np.fft.rfft(a, n, axis, norm)`."""
    return rfftn_vjp(g, a, None if n is None else [n], [axis], norm)


def irfftn_vjp(g: Any, a: Any, s: Any = None, axes: Any = None, norm: str | None = None) -> Any:
    """Adjoint of `np.fft.irfftn(a, s, axes, norm)` (and irfft, irfft2): rfftn of g with the
    opposite normalization, the bins that stand for two (conjugate) frequencies doubled,
    then cropped or padded to the input's half spectrum."""
    s, axes = _cook(a, s, axes, invreal=True)
    h = np.fft.rfftn(g, axes=axes, norm=_dual(norm))
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
    opposite normalization."""
    return np.conjugate(irfft_vjp(g, np.conjugate(a), n, axis, _dual(norm)))


def ihfft_vjp(g: Any, a: Any, n: Any = None, axis: int = -1, norm: str | None = None) -> Any:
    """Adjoint of `np.fft.ihfft(a, n, axis, norm)`, which is conj(rfft(a, n, axis)) with the
    opposite normalization."""
    return rfft_vjp(np.conjugate(g), a, n, axis, _dual(norm))
