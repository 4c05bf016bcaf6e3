"""Rule cases for the elementwise functions beyond the foundation's (cases_core.py):
logarithms and exponentials in other bases, inverse hyperbolics, angles, sinc, cbrt,
binary ufuncs (hypot, arctan2, fmax, copysign, ...), nan_to_num, complex parts, and the
no-gradient family (rounding, tests, comparisons of whole arrays, searchsorted)."""

from __future__ import annotations

import numpy as np
from rulecases import PAIRS, SHAPES, Case, arr

UNARY = {
    np.reciprocal: ("np.reciprocal(x)", 0.5, 2),
    np.exp2: ("np.exp2(x)", -2, 2),
    np.log2: ("np.log2(x)", 0.5, 3),
    np.log10: ("np.log10(x)", 0.5, 3),
    np.cbrt: ("np.cbrt(x)", 0.3, 2),
    np.arcsinh: ("np.arcsinh(x)", -2, 2),
    np.arccosh: ("np.arccosh(x)", 1.2, 3),
    np.arctanh: ("np.arctanh(x)", -0.8, 0.8),
    np.deg2rad: ("np.deg2rad(x)", -2, 2),
    np.radians: ("np.radians(x)", -2, 2),
    np.rad2deg: ("np.rad2deg(x)", -2, 2),
    np.degrees: ("np.degrees(x)", -2, 2),
    np.sinc: ("np.sinc(x)", -2, 2),
    np.fabs: ("np.fabs(x)", 0.1, 2),
    np.real: ("np.real(x)", -2, 2),
    np.imag: ("np.imag(x) + 0.5", -2, 2),
    np.conjugate: ("np.conjugate(x)", -2, 2),
    np.angle: ("np.angle(x)", 0.1, 2),
    np.nan_to_num: ("np.nan_to_num(x)", -2, 2),
}
BINARY = {
    np.hypot: ("np.hypot(x, y)", (-2, 2), (-2, 2)),
    np.arctan2: ("np.arctan2(x, y)", (-2, 2), (0.2, 2)),
    np.logaddexp2: ("np.logaddexp2(x, y)", (-2, 2), (-2, 2)),
    np.fmax: ("np.fmax(x, y)", (-2, 2), (-2, 2)),
    np.fmin: ("np.fmin(x, y)", (-2, 2), (-2, 2)),
    np.float_power: ("np.float_power(x, y)", (0.5, 2), (-2, 2)),
    np.copysign: ("np.copysign(x, y)", (-2, 2), (-2, 2)),
    np.fmod: ("np.fmod(x, y)", (0.1, 0.9), (1.1, 2)),
    np.divmod: ("np.divmod(x, y)[1]", (0.1, 0.9), (1.1, 2)),
}


def _cases() -> list[Case]:
    cases = []
    for func, (expr, lo, hi) in UNARY.items():
        for shape in SHAPES:
            cases.append(Case(func, expr, {"x": arr(shape, lo, hi)}, ("x",)))
    for func, (expr, xr, yr) in BINARY.items():
        for sx, sy in PAIRS:
            args = {"x": arr(sx, *xr), "y": arr(sy, *yr)}
            cases.append(Case(func, expr, args, ("x", "y")))
    nan = np.nan
    cases += [
        # negative branches and special points
        Case(np.cbrt, "np.cbrt(x)", {"x": arr((4,), -2, -0.3)}, ("x",)),
        Case(np.fabs, "np.fabs(x)", {"x": arr((4,), -2, -0.1)}, ("x",)),
        Case(np.sinc, "np.sinc(x)", {"x": np.array([0.0, 0.5, -1.0, 1.5])}, ("x",)),
        Case(np.angle, "np.angle(x, deg=True)", {"x": arr((2, 3), -2, -0.1)}, ("x",)),
        Case(np.angle, "np.angle(x + 0.7j)", {"x": arr((3,))}, ("x",)),
        Case(np.angle, "np.angle(x - 1.5j, True)", {"x": arr((3,))}, ("x",)),
        Case(np.real, "np.real(x + 1j)", {"x": arr((3,))}, ("x",)),
        Case(np.imag, "np.imag(x + 0.5j) * x", {"x": arr((3,))}, ("x",)),
        Case(np.conjugate, "np.conj(x)", {"x": arr((3,))}, ("x",)),
        Case(np.conjugate, "x.conj()", {"x": arr((2, 3))}, ("x",)),
        Case(np.conjugate, "x.conjugate()", {"x": arr((2, 3))}, ("x",)),
        Case(np.conjugate, "np.real(np.conj(x + 2j))", {"x": arr((3,))}, ("x",)),
        Case(np.reciprocal, "np.reciprocal(x)", {"x": arr((3,), -2, -0.5)}, ("x",)),
        Case(np.log2, "np.log2(x) + np.log10(x)", {"x": arr((2, 3), 0.2, 5)}, ("x",)),
        # binaries: ties, NaN, one side, keyword spelling
        Case(
            np.fmax,
            "np.fmax(x, y)",
            {"x": np.array([1.0, 0.5, 2.0, -1.0]), "y": np.array([1.0, nan, nan, 0.5])},
            ("x",),
        ),
        Case(
            np.fmax,
            "np.fmax(y, x)",
            {"x": np.array([1.0, 0.5, 2.0, -1.0]), "y": np.array([1.0, nan, nan, 0.5])},
            ("x",),
        ),
        Case(
            np.fmin,
            "np.fmin(x, y)",
            {"x": np.array([1.0, 0.5, 2.0, -1.0]), "y": np.array([1.0, nan, nan, 0.5])},
            ("x",),
        ),
        Case(
            np.fmin,
            "np.fmin(y, x)",
            {"x": np.array([1.0, 0.5, 2.0, -1.0]), "y": np.array([1.0, nan, nan, 0.5])},
            ("x",),
        ),
        Case(np.fmax, "np.fmax(x, 0.0)", {"x": arr((5,))}, ("x",)),
        Case(np.hypot, "np.hypot(x, 3.0)", {"x": arr((3,))}, ("x",)),
        Case(
            np.hypot,
            "np.hypot(x, y)",
            {"x": np.array([0.0, 1.0, 0.0]), "y": np.array([0.0, 0.0, -2.0])},
            ("x", "y"),
        ),
        Case(np.copysign, "np.copysign(x, y)", {"x": np.array([0.0, 1.0]), "y": arr((2,))}, ("x",)),
        Case(np.fabs, "np.fabs(x)", {"x": np.array([0.0, -1.0])}, ("x",)),
        Case(np.arctan2, "np.arctan2(x, y)", {"x": arr((2, 3)), "y": arr((3,), -2, -0.2)}, ("y",)),
        Case(np.arctan2, "np.arctan2(x, y)", {"x": arr((2, 3), 0.2, 2), "y": arr(())}, ("x", "y")),
        Case(np.float_power, "np.float_power(x, 3)", {"x": arr((3,))}, ("x",)),
        Case(np.float_power, "np.float_power(2.0, x)", {"x": arr((3,))}, ("x",)),
        Case(np.copysign, "np.copysign(x, -1.0)", {"x": arr((2, 3), 0.1, 2)}, ("x",)),
        Case(np.copysign, "np.copysign(2.0, y) * y", {"y": arr((4,), 0.1, 2)}, ("y",)),
        Case(np.heaviside, "np.heaviside(x, 0.5) * x", {"x": arr((2, 3))}, ("x",)),
        Case(
            np.heaviside,
            "np.heaviside(c, y)",
            {"c": np.array([0.0, 1.5, -1.0, 0.0]), "y": arr((4,))},
            ("y",),
        ),
        Case(
            np.heaviside,
            "np.heaviside(c, y)",
            {"c": np.array([[0.0, 1.5], [-1.0, 0.0], [0.0, 0.0]]), "y": arr((2,))},
            ("y",),
        ),
        Case(np.heaviside, "np.heaviside(c, y)", {"c": arr((2, 3)), "y": arr(None)}, ("y",)),
        Case(
            np.fmod,
            "np.fmod(x, y)",
            {"x": arr((5,), -3, -0.1), "y": arr((5,), 0.7, 0.9)},
            ("x", "y"),
        ),
        Case(np.fmod, "np.fmod(x, 0.3)", {"x": np.array([0.5, -0.5, 1.05, 2.0])}, ("x",)),
        Case(np.mod, "np.remainder(x, y)", {"x": arr((5,), -3, 3), "y": arr((), 0.7, 0.9)}, ("x",)),
        Case(
            divmod,
            "divmod(x, y)[1]",
            {"x": arr((2, 3), 0.1, 0.9), "y": arr((3,), 1.1, 2)},
            ("x", "y"),
        ),
        Case(
            np.divmod,
            "np.divmod(x, y)[0] * np.divmod(x, y)[1]",
            {"x": arr((4,), 2.1, 2.9), "y": arr((4,), 0.7, 0.9)},
            ("x", "y"),
        ),
        Case(np.divmod, "np.divmod(x, 0.7)[0] * x", {"x": arr((4,), 0.1, 0.6)}, ("x",)),
        Case(np.ldexp, "np.ldexp(x, n)", {"x": arr((2, 3)), "n": np.array([-1, 0, 3])}, ("x",)),
        Case(np.ldexp, "np.ldexp(x, 2)", {"x": arr(None)}, ("x",)),
        Case(np.frexp, "np.frexp(x)[0]", {"x": np.array([0.3, 1.3, -5.5, 40.0])}, ("x",)),
        Case(
            np.frexp,
            "np.frexp(x)[0] * np.frexp(x)[1]",
            {"x": np.array([[0.3, 1.3], [-5.5, 40.0]])},
            ("x",),
        ),
        Case(np.frexp, "np.frexp(x)[1] * x", {"x": np.array([0.3, 1.3, -5.5])}, ("x",)),
        # nan_to_num: finite values pass, replaced ones go to nan / posinf / neginf
        Case(
            np.nan_to_num,
            "np.nan_to_num(x, posinf=2.0, neginf=-2.0)",
            {"x": np.array([0.3, nan, np.inf, -1.2, -np.inf])},
            ("x",),
        ),
        Case(
            np.nan_to_num,
            "np.nan_to_num(x, nan=v, posinf=p, neginf=q)",
            {
                "x": np.array([[0.3, nan, np.inf], [nan, -np.inf, 1.0]]),
                "v": arr(None),
                "p": arr(None),
                "q": arr(()),
            },
            ("v", "p", "q"),
        ),
        Case(
            np.nan_to_num,
            "np.nan_to_num(x, True, v)",
            {"x": np.array([0.3, nan, 1.5]), "v": arr(None)},
            ("x", "v"),
        ),
        # no-gradient functions in use, and their method forms
        Case(np.round, "x.round(1) + x", {"x": np.array([0.31, -1.22, 2.27])}, ("x",)),
        Case(np.searchsorted, "x * x.searchsorted(0.5)", {"x": np.array([-1.0, 0.3, 1.2])}, ("x",)),
    ]
    return cases + _complex_cases()


def _complex_cases() -> list[Case]:
    """Complex intermediates built from real arguments (x + 1j * y, x * (1 + 2j),
    np.exp(1j * x)), reaching the real loss through real, imag, abs, angle and conj. The
    adjoint of a complex value is dL/da - 1j dL/db (JAX's convention): holomorphic rules
    need no conjugates, and a real value that picks up a complex adjoint (np.abs(z) * 1j)
    passes on only its real part. Own random numbers, so the other cases' stay as they were."""
    rng = np.random.default_rng(11)

    def carr(shape, low=-2.0, high=2.0):
        return float(rng.uniform(low, high)) if shape is None else rng.uniform(low, high, shape)

    def xy(sx=(3,), sy=(3,)):
        return {"x": carr(sx), "y": carr(sy)}

    real, imag, conj, absolute, angle = np.real, np.imag, np.conjugate, np.absolute, np.angle
    c = []
    # the reported case: imag(1j * y) is y
    c.append(Case(imag, "np.imag(1j * x)", {"x": carr(None)}, ("x",)))
    c.append(Case(imag, "np.imag(x * 1j)", {"x": carr((2, 3))}, ("x",)))
    c.append(Case(absolute, "np.abs(x * (1 + 2j))", {"x": carr((4,))}, ("x",)))
    for sx, sy in [((3,), (3,)), ((2, 3), (3,)), (None, (3,)), ((2, 1), (1, 3))]:
        c.append(Case(real, "np.real((x + 1j * y) * (x - 2j * y))", xy(sx, sy), ("x", "y")))
        c.append(Case(imag, "np.imag((x + 1j * y) * (2 - 1j))", xy(sx, sy), ("x", "y")))
        c.append(Case(absolute, "np.abs(x + 1j * y)", xy(sx, sy), ("x", "y")))
        c.append(Case(angle, "np.angle(x + 1j * y)", xy(sx, sy), ("x", "y")))
        c.append(Case(conj, "np.imag(np.conj(x + 1j * y) * (1 + 2j))", xy(sx, sy), ("x", "y")))
    c += [
        # holomorphic rules on complex values: no conjugates
        Case(real, "np.real(np.exp(1j * x))", {"x": carr((3,))}, ("x",)),
        Case(imag, "np.imag(np.exp(1j * x)) * x", {"x": carr((2, 3))}, ("x",)),
        Case(real, "np.real(np.exp(x + 1j * y) / (x + 3j))", xy(), ("x", "y")),
        Case(imag, "np.imag(np.log(x + 1j * y))", xy(), ("x", "y")),
        Case(
            real,
            "np.real(np.sqrt(x + 1j * y))",
            {"x": carr((3,), 0.5, 2), "y": carr((3,))},
            ("x", "y"),
        ),
        Case(imag, "np.imag(np.sin(x + 1j * y) * np.cos(y - 0.5j))", xy(), ("x", "y")),
        Case(real, "np.real((x + 1j * y) ** 3 - 1 / (x - 2j))", xy(), ("x", "y")),
        Case(
            imag,
            "np.imag((x + 1j * y) ** (0.5 + 1j))",
            {"x": carr((3,), 0.5, 2), "y": carr((3,))},
            ("x", "y"),
        ),
        Case(real, "np.real(np.tanh(x + 1j * y) + np.square(x * 1j - y))", xy(), ("x", "y")),
        # abs and angle: complex and real inputs, deg, and the point 0 (gradient 0)
        Case(absolute, "np.abs(np.exp(1j * x) * y + 0.5)", xy(), ("x", "y")),
        Case(absolute, "abs(x + 1j * y)", xy(None, None), ("x", "y")),
        Case(absolute, "np.abs(x * 1j) * x**2", {"x": np.array([0.0, 1.5, -0.7])}, ("x",)),
        Case(absolute, "np.abs((x + 1j) * x)", {"x": np.array([0.0, 1.5, -0.7])}, ("x",)),
        Case(angle, "np.angle(np.exp(1j * x))", {"x": carr((3,), -3, 3)}, ("x",)),
        Case(angle, "np.angle((x + 1j * y) ** 2, deg=True)", xy(), ("x", "y")),
        Case(angle, "np.angle(x * (2 - 1j), True) * x", {"x": carr((2, 3))}, ("x",)),
        # conj and its methods on complex values
        Case(conj, "np.real(np.conj(np.exp(1j * x)) * (2 - 1j) * y)", xy(), ("x", "y")),
        Case(conj, "np.abs(np.conj(x * (1 + 2j)) + y)", xy(), ("x", "y")),
        Case(conj, "np.imag((x + 1j * y).conj() * (x - 1j))", xy(), ("x", "y")),
        Case(conj, "np.real((x + 1j * y).conjugate() ** 2)", xy(), ("x", "y")),
        # real results of complex values that then meet complex values again: their
        # adjoint may be complex, and only its real part is the adjoint of the real value
        Case(real, "np.real(np.real(x * (1 + 2j)) * (1 + 1j))", {"x": carr((3,))}, ("x",)),
        Case(imag, "np.real(np.imag(x * (1 + 2j)) * (1 + 3j))", {"x": carr((3,))}, ("x",)),
        Case(absolute, "np.real(np.abs(x + 1j * y) * (1 + 1j))", xy(), ("x", "y")),
        Case(angle, "np.imag(np.angle(x + 1j * y) * (2 - 1j))", xy(), ("x", "y")),
        # a cast to a real type keeps the real part (NumPy warns), and so does its adjoint
        Case(
            np.ndarray.astype,
            "np.real((x * (1 + 2j)).astype(float) * (1 + 1j))",
            {"x": carr((3,))},
            ("x",),
        ),
        Case(
            np.ndarray.astype,
            "np.imag((x + 1j * y).astype(np.complex128) * (1 + 1j))",
            xy(),
            ("x", "y"),
        ),
    ]
    return c


CASES = _cases()

NONDIFF_CASES = {
    np.around: "np.around(x, 1)",
    np.isposinf: "np.isposinf(x)",
    np.isneginf: "np.isneginf(x)",
    np.isreal: "np.isreal(x)",
    np.iscomplex: "np.iscomplex(x)",
    np.isrealobj: "np.isrealobj(x)",
    np.iscomplexobj: "np.iscomplexobj(x)",
    np.isclose: "np.isclose(x, 0.3)",
    np.allclose: "np.allclose(x, x * 1.0)",
    np.array_equal: "np.array_equal(x, x)",
    np.array_equiv: "np.array_equiv(x, 0.3)",
    np.searchsorted: "np.searchsorted(np.array([0.0, 1.0]), x)",
    np.digitize: "np.digitize(x, np.array([0.0, 1.0]))",
    np.spacing: "np.spacing(x) * 1e10",
}
