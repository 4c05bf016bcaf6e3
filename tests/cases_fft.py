"""Rule cases for np.fft.

The loss must be real, so complex results reach it through an inverse real transform
(irfft, hfft), np.abs, np.real or np.imag. Complex arguments of a transform come from another
transform (fft(ifft(x))) or from real arguments (x + 1j * y). Chains of transforms alone
would pass under either convention for complex adjoints, so the cases at the end multiply
complex values together (spectra, complex constants): under JAX's convention, which npgrad
follows, the transforms' adjoints are their transposes.
"""

from __future__ import annotations

import numpy as np
from rulecases import Case, arr

NORMS = [None, "ortho", "forward", "backward"]
PARTS = ["np.real", "np.imag", "np.abs"]


def _norm(norm, first=", "):
    return "" if norm is None else f"{first}norm={norm!r}"


def _cases() -> list[Case]:
    fft = np.fft
    cases = []

    def add(func, expr, **args):
        cases.append(Case(func, expr, args, tuple(args)))

    # rfft: lengths, n (crop and pad), axes, norms
    for norm in NORMS:
        add(fft.irfft, f"np.fft.irfft(np.fft.rfft(x{_norm(norm)}) * 2.0)", x=arr((8,)))
        add(fft.irfft, f"np.fft.irfft(x{_norm(norm)})", x=arr((5,)))
        add(fft.irfft, f"np.fft.irfft(x, 9{_norm(norm)})", x=arr((2, 5)))
    for shape, kw in [
        ((7,), ""),
        ((8,), ", 5"),
        ((6,), ", n=11"),
        ((3, 6), ", axis=0"),
        ((3, 6), ", 4, 0"),
        ((2, 3, 4), ", axis=-2"),
        ((1,), ""),
        ((0, 4), ""),
    ]:
        add(fft.rfft, f"np.fft.irfft(np.fft.rfft(x{kw}), 9)", x=arr(shape))
        if shape[-1] > 1 and "axis" not in kw and kw != ", 4, 0":
            add(fft.irfft, f"np.fft.irfft(x{kw})", x=arr(shape))
    add(fft.irfft, "np.fft.irfft(x, 1)", x=arr((3,)))
    add(fft.irfft, "np.fft.irfft(x, n=12, axis=0)", x=arr((4, 2)))
    add(fft.irfft, "np.fft.irfft(x, 4, -2)", x=arr((2, 5, 3)))
    add(fft.irfft, "np.fft.irfft(np.fft.rfft(x)[..., :3], 8)", x=arr((2, 8)))
    add(fft.irfft, "np.fft.irfft(np.fft.rfft(x, 6), 12, norm='ortho')", x=arr((2, 8)))
    add(fft.rfft, "np.fft.irfft(np.fft.rfft(x, norm='forward'), norm='forward')", x=arr((9,)))
    # rfft2, rfftn, irfft2, irfftn
    for norm in NORMS:
        add(fft.rfft2, f"np.fft.irfft2(np.fft.rfft2(x{_norm(norm)}))", x=arr((4, 6)))
        add(fft.irfft2, f"np.fft.irfft2(x{_norm(norm)})", x=arr((3, 4)))
        add(
            fft.rfftn,
            f"np.fft.irfftn(np.fft.rfftn(x{_norm(norm)}), x.shape, (0, 1, 2))",
            x=arr((3, 4, 5)),
        )
        add(fft.irfftn, f"np.fft.irfftn(x{_norm(norm)})", x=arr((2, 3, 4)))
    add(fft.rfft2, "np.fft.irfft2(np.fft.rfft2(x, s=(3, 5)), s=(4, 4))", x=arr((2, 4, 6)))
    add(fft.rfft2, "np.fft.irfft2(np.fft.rfft2(x, axes=(0, 2)), axes=(0, 2))", x=arr((4, 2, 6)))
    add(
        fft.rfftn,
        "np.fft.irfftn(np.fft.rfftn(x, (6, 4), (1, 2)), (5, 7), (1, 2))",
        x=arr((2, 4, 6)),
    )
    add(fft.rfftn, "np.fft.irfftn(np.fft.rfftn(x, axes=[1]), axes=[1])", x=arr((3, 4)))
    add(fft.rfftn, "np.fft.irfftn(np.fft.rfftn(x, None, (0, 1)), None, (0, 1))", x=arr((4, 5, 2)))
    add(fft.irfft2, "np.fft.irfft2(x, (4, 6))", x=arr((3, 3)))
    add(fft.irfft2, "np.fft.irfft2(x, axes=(0, 1))", x=arr((3, 4, 2)))
    add(fft.irfftn, "np.fft.irfftn(x, s=(2, 3, 8), axes=(0, 1, 2))", x=arr((3, 3, 3)))
    add(fft.irfftn, "np.fft.irfftn(x, axes=(-1,))", x=arr((2, 5)))
    add(fft.irfftn, "np.fft.irfftn(x, axes=(2, 0))", x=arr((5, 2, 3)))
    # complex transforms, reached through irfft/hfft (no elementwise rule needed)
    for norm in NORMS:
        add(fft.fft, f"np.fft.irfft(np.fft.fft(x{_norm(norm)}), 8)", x=arr((8,)))
        add(fft.ifft, f"np.fft.irfft(np.fft.ifft(x{_norm(norm)}), 7)", x=arr((7,)))
        add(fft.fft2, f"np.fft.irfft2(np.fft.fft2(x{_norm(norm)}), (3, 4))", x=arr((3, 4)))
        add(fft.ifft2, f"np.fft.irfft2(np.fft.ifft2(x{_norm(norm)}), (3, 4))", x=arr((3, 4)))
        add(
            fft.fftn,
            f"np.fft.irfftn(np.fft.fftn(x{_norm(norm)}), x.shape, [0, 1, 2])",
            x=arr((2, 3, 4)),
        )
        add(
            fft.ifftn,
            f"np.fft.irfftn(np.fft.ifftn(x{_norm(norm)}), x.shape, [0, 1, 2])",
            x=arr((2, 3, 4)),
        )
        add(fft.hfft, f"np.fft.hfft(x{_norm(norm)})", x=arr((5,)))
        add(fft.ihfft, f"np.fft.hfft(np.fft.ihfft(x{_norm(norm)}), 6)", x=arr((6,)))
        add(fft.fft, f"np.fft.irfft(np.fft.fft(np.fft.ifft(x){_norm(norm)}), 6)", x=arr((6,)))
        add(fft.ifft, f"np.fft.irfft(np.fft.ifft(np.fft.fft(x), 9{_norm(norm)}))", x=arr((6,)))
    add(fft.fft, "np.fft.irfft(np.fft.fft(x, 5, 0), 6, 0)", x=arr((4, 3)))
    add(fft.fft, "np.fft.irfft(np.fft.fft(x, n=12), 12)", x=arr((2, 7)))
    add(fft.ifft, "np.fft.irfft(np.fft.ifft(x, axis=0), 3, axis=0)", x=arr((3, 2)))
    add(fft.fft2, "np.fft.irfft2(np.fft.fft2(x, (5, 3)), (5, 3))", x=arr((4, 4)))
    add(fft.fft2, "np.fft.irfft2(np.fft.fft2(x, axes=(0, 2)), axes=(0, 2))", x=arr((3, 2, 4)))
    add(fft.ifft2, "np.fft.irfft2(np.fft.ifft2(x, s=(2, 6)), s=(2, 10))", x=arr((3, 4)))
    add(fft.fftn, "np.fft.irfftn(np.fft.fftn(x, axes=(1,)), axes=(1,))", x=arr((2, 5)))
    add(fft.fftn, "np.fft.irfftn(np.fft.fftn(x, (3, 6), (0, 1)), (3, 6), (0, 1))", x=arr((4, 4, 2)))
    add(fft.ifftn, "np.fft.irfftn(np.fft.ifftn(x, s=(4,), axes=(0,)), axes=(0,))", x=arr((3, 2)))
    add(fft.fft, "np.fft.irfft(np.fft.fft(x), 1)", x=arr((1,)))
    add(fft.hfft, "np.fft.hfft(x, 9, axis=0)", x=arr((4, 2)))
    add(fft.hfft, "np.fft.hfft(np.fft.ifft(x)[:4], 6)", x=arr((6,)))
    add(fft.ihfft, "np.fft.irfft(np.fft.ihfft(x, 5, 0), 4, 0)", x=arr((6, 2)))
    # complex results straight into np.real / np.imag / np.abs
    for part in PARTS:
        for norm in NORMS:
            add(fft.fft, f"{part}(np.fft.fft(x{_norm(norm)}))", x=arr((6,)))
            add(fft.ifft, f"{part}(np.fft.ifft(x{_norm(norm)}))", x=arr((5,)))
            add(fft.rfft, f"{part}(np.fft.rfft(x{_norm(norm)}))", x=arr((7,)))
            add(fft.rfftn, f"{part}(np.fft.rfftn(x{_norm(norm)}))", x=arr((2, 3, 4)))
            add(fft.fftn, f"{part}(np.fft.fftn(x{_norm(norm)}))", x=arr((3, 2, 2)))
            add(fft.ihfft, f"{part}(np.fft.ihfft(x{_norm(norm)}))", x=arr((6,)))
        add(fft.fft, f"{part}(np.fft.fft(x, 8, axis=0))", x=arr((5, 2)))
        add(fft.fft, f"{part}(np.fft.fft(np.fft.ifft(x), 4))", x=arr((6,), 0.5, 2))
        add(fft.ifft, f"{part}(np.fft.ifft(np.fft.fft(x), n=9))", x=arr((2, 6), 0.5, 2))
        add(fft.fft2, f"{part}(np.fft.fft2(x, s=(3, 5)))", x=arr((2, 4, 4)))
        add(fft.ifft2, f"{part}(np.fft.ifft2(x, axes=(0, 1)))", x=arr((3, 4, 2)))
        add(fft.ifftn, f"{part}(np.fft.ifftn(x, (4, 2), (0, 1)))", x=arr((3, 3)))
        add(fft.rfft, f"{part}(np.fft.rfft(x, 10, 0))", x=arr((7, 2)))
        add(fft.rfft2, f"{part}(np.fft.rfft2(x))", x=arr((4, 5)))
        add(fft.fftshift, f"{part}(np.fft.fftshift(np.fft.fft(x)))", x=arr((5,)))
        add(fft.ifftshift, f"{part}(np.fft.ifftshift(np.fft.fft2(x), axes=0))", x=arr((3, 4)))
    # shifts
    for func, name in [(fft.fftshift, "fftshift"), (fft.ifftshift, "ifftshift")]:
        add(func, f"np.fft.{name}(x)", x=arr((5,)))
        add(func, f"np.fft.{name}(x)", x=arr((3, 4)))
        add(func, f"np.fft.{name}(x, axes=0)", x=arr((3, 4)))
        add(func, f"np.fft.{name}(x, (0, -1))", x=arr((3, 2, 5)))
        add(func, f"np.fft.irfft(np.fft.{name}(np.fft.fft(x)), 6)", x=arr((6,)))
    return cases + _complex_cases()


def _complex_cases() -> list[Case]:
    """Transforms of complex values multiplied by complex values: products of spectra
    (convolutions), complex constants, complex arguments built as x + 1j * y. Own random
    numbers, so the other cases' stay as they were."""
    fft = np.fft
    rng = np.random.default_rng(12)
    cases = []

    def add(func, expr, **shapes):
        args = {k: rng.uniform(-2.0, 2.0, shape) for k, shape in shapes.items()}
        cases.append(Case(func, expr, args, tuple(args)))

    c = "(0.3 - 1.2j)"
    z = "(x + 1j * y)"
    # the reported cases: a circular convolution through rfft/irfft, a squared spectrum
    add(
        fft.irfft,
        "np.fft.irfft(np.fft.rfft(x) * np.fft.rfft(y), 8) * np.arange(8.0)",
        x=(8,),
        y=(8,),
    )
    add(fft.fft, "np.real(np.fft.fft(x) * np.fft.fft(x))", x=(8,))
    add(fft.fft, "np.imag(np.fft.fft(x) * np.fft.fft(y))", x=(7,), y=(7,))
    add(fft.ifft, "np.real(np.fft.ifft(np.fft.fft(x) * np.fft.fft(y)))", x=(6,), y=(6,))
    for norm in NORMS:
        k = _norm(norm)
        for part in PARTS:
            add(fft.fft, f"{part}(np.fft.fft(x{k}) * {c})", x=(6,))
            add(fft.rfft, f"{part}(np.fft.rfft(x{k}) * {c})", x=(7,))
            add(fft.ihfft, f"{part}(np.fft.ihfft(x{k}) * {c})", x=(6,))
        add(fft.fft, f"np.abs(np.fft.fft({z}{k}) * {c})", x=(6,), y=(6,))
        add(fft.fft, f"np.imag(np.fft.fft({z}, 4{k}) * {c})", x=(6,), y=(6,))
        add(fft.fft, f"np.real(np.fft.fft({z}, 9{k}) * {c})", x=(6,), y=(6,))
        add(fft.ifft, f"np.imag(np.fft.ifft({z}{k}) * {c})", x=(5,), y=(5,))
        add(fft.ifft, f"np.abs(np.fft.ifft({z}, 3, axis=0{k}) * {c})", x=(5, 2), y=(5, 2))
        add(fft.fft2, f"np.real(np.fft.fft2({z}{k}) * {c})", x=(3, 4), y=(3, 4))
        add(fft.ifft2, f"np.imag(np.fft.ifft2({z}, (4, 3){k}) * {c})", x=(3, 4), y=(3, 4))
        add(fft.fftn, f"np.abs(np.fft.fftn({z}{k}) * {c})", x=(2, 3, 4), y=(2, 3, 4))
        add(
            fft.ifftn, f"np.real(np.fft.ifftn({z}, axes=(0, 2){k}) * {c})", x=(2, 3, 4), y=(2, 3, 4)
        )
        add(fft.rfft, f"np.imag(np.fft.rfft(x, 5{k}) * {c})", x=(8,))
        add(fft.rfft, f"np.real(np.fft.rfft(x, 11, axis=0{k}) * {c})", x=(8, 2))
        add(fft.rfft2, f"np.abs(np.fft.rfft2(x{k}) * {c})", x=(4, 6))
        add(fft.rfftn, f"np.imag(np.fft.rfftn(x, (3, 5){k}) * {c})", x=(4, 4))
        add(fft.rfftn, f"np.real(np.fft.rfftn(x, axes=(0, 2){k}) * {c})", x=(3, 2, 5))
        add(fft.irfft, f"np.fft.irfft({z} * {c}{k})", x=(5,), y=(5,))
        add(fft.irfft, f"np.fft.irfft({z} * {c}, 9{k})", x=(5,), y=(5,))
        add(fft.irfft, f"np.fft.irfft({z} * {c}, 4{k})", x=(5,), y=(5,))
        add(fft.irfft, f"np.fft.irfft({z} * {c}, 12{k})", x=(5,), y=(5,))
        add(fft.irfft2, f"np.fft.irfft2({z} * {c}{k})", x=(3, 4), y=(3, 4))
        add(fft.irfftn, f"np.fft.irfftn({z} * {c}, (4, 5){k})", x=(3, 4), y=(3, 4))
        add(
            fft.irfftn,
            f"np.fft.irfftn({z} * {c}, (2, 3, 6), (2, 0, 1){k})",
            x=(3, 4, 2),
            y=(3, 4, 2),
        )
        add(fft.hfft, f"np.fft.hfft({z} * {c}{k})", x=(5,), y=(5,))
        add(fft.hfft, f"np.fft.hfft({z} * {c}, 7{k})", x=(5,), y=(5,))
        add(fft.ihfft, f"np.imag(np.fft.ihfft(x, 9{k}) * {c})", x=(6,))
        add(fft.irfft, f"np.fft.irfft(np.fft.rfft(x{k}) * np.fft.rfft(y{k}), 8{k})", x=(8,), y=(8,))
        add(
            fft.ifft,
            f"np.real(np.fft.ifft(np.fft.fft(x{k}) * np.fft.fft(y{k}){k}))",
            x=(8,),
            y=(8,),
        )
    add(fft.fftshift, f"np.imag(np.fft.fftshift(np.fft.fft({z})) * {c})", x=(5,), y=(5,))
    add(fft.ifftshift, f"np.real(np.fft.ifftshift(np.fft.fft2(x), axes=0) * {c})", x=(3, 4))
    return cases


CASES = _cases()

NONDIFF_CASES = {
    np.fft.fftfreq: "np.fft.fftfreq(3, 1.0 + 0.0 * x[0])",
    np.fft.rfftfreq: "np.fft.rfftfreq(np.size(x), 1.0 + 0.0 * x[1])",
}
