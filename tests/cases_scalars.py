"""Rule cases for Python's own numeric functions: the `math` module (on Python floats and
0-d arrays) and the builtins max, min, sum and pow; and the `math` functions with no
gradient (rounding, tests, integer functions)."""

from __future__ import annotations

import builtins
import math

from rulecases import Case, arr

M = ("math",)

UNARY = {
    math.exp: ("math.exp(x)", -2, 2),
    math.expm1: ("math.expm1(x)", -2, 2),
    math.exp2: ("math.exp2(x)", -2, 2),
    math.log: ("math.log(x)", 0.3, 3),
    math.log1p: ("math.log1p(x)", -0.5, 2),
    math.log2: ("math.log2(x)", 0.3, 3),
    math.log10: ("math.log10(x)", 0.3, 3),
    math.sqrt: ("math.sqrt(x)", 0.3, 3),
    math.cbrt: ("math.cbrt(x)", 0.3, 2),
    math.sin: ("math.sin(x)", -2, 2),
    math.cos: ("math.cos(x)", -2, 2),
    math.tan: ("math.tan(x)", -1.2, 1.2),
    math.asin: ("math.asin(x)", -0.8, 0.8),
    math.acos: ("math.acos(x)", -0.8, 0.8),
    math.atan: ("math.atan(x)", -2, 2),
    math.sinh: ("math.sinh(x)", -2, 2),
    math.cosh: ("math.cosh(x)", -2, 2),
    math.tanh: ("math.tanh(x)", -2, 2),
    math.asinh: ("math.asinh(x)", -2, 2),
    math.acosh: ("math.acosh(x)", 1.2, 3),
    math.atanh: ("math.atanh(x)", -0.8, 0.8),
    math.erf: ("math.erf(x)", -2, 2),
    math.erfc: ("math.erfc(x)", -2, 2),
    math.gamma: ("math.gamma(x)", 0.5, 3),
    math.lgamma: ("math.lgamma(x)", 0.5, 4),
    math.fabs: ("math.fabs(x)", 0.1, 2),
    math.degrees: ("math.degrees(x)", -2, 2),
    math.radians: ("math.radians(x)", -2, 2),
    math.modf: ("math.modf(x)[0]", 0.1, 2.9),
    math.frexp: ("math.frexp(x)[0]", 0.3, 3),
    math.ldexp: ("math.ldexp(x, 3)", -2, 2),
    math.hypot: ("math.hypot(x)", 0.1, 2),
    math.fsum: ("math.fsum([x, 2.5])", -2, 2),
}
BINARY = {
    math.log: ("math.log(x, y)", (0.3, 3), (1.5, 4)),
    math.pow: ("math.pow(x, y)", (0.5, 2), (-2, 2)),
    math.atan2: ("math.atan2(x, y)", (-2, 2), (0.2, 2)),
    math.hypot: ("math.hypot(x, y)", (-2, 2), (-2, 2)),
    math.copysign: ("math.copysign(x, y)", (-2, 2), (-2, 2)),
    math.fmod: ("math.fmod(x, y)", (0.1, 0.9), (1.1, 2)),
    math.remainder: ("math.remainder(x, y)", (2.0, 2.2), (1.0, 1.05)),
    builtins.pow: ("pow(x, y)", (0.5, 2), (-2, 2)),
    builtins.max: ("max(x, y)", (-2, 2), (-2, 2)),
    builtins.min: ("min(x, y)", (-2, 2), (-2, 2)),
    builtins.sum: ("sum([x, y * 2])", (-2, 2), (-2, 2)),
    math.fsum: ("math.fsum((x, y, x * y))", (-2, 2), (-2, 2)),
}


def _cases() -> list[Case]:
    cases = []
    for func, (expr, lo, hi) in UNARY.items():
        for shape in (None, ()):  # a Python float, a 0-d array
            cases.append(Case(func, expr, {"x": arr(shape, lo, hi)}, ("x",), imports=M))
    for func, (expr, xr, yr) in BINARY.items():
        for sx, sy in ((None, None), ((), None), (None, ())):
            args = {"x": arr(sx, *xr), "y": arr(sy, *yr)}
            cases.append(Case(func, expr, args, ("x", "y"), imports=M))
    x3, y3, z3 = (arr(None, -2, 2) for _ in range(3))
    ties = {"x": 0.5, "y": 0.5}
    cases += [
        # negative branches, the other argument constant, defaults spelled out
        Case(math.cbrt, "math.cbrt(x)", {"x": arr(None, -2, -0.3)}, ("x",), imports=M),
        Case(math.fabs, "math.fabs(x)", {"x": arr(None, -2, -0.1)}, ("x",), imports=M),
        Case(math.gamma, "math.gamma(x)", {"x": arr(None, -2.8, -2.2)}, ("x",), imports=M),
        Case(math.lgamma, "math.lgamma(x)", {"x": arr(None, -1.8, -1.2)}, ("x",), imports=M),
        Case(math.lgamma, "math.lgamma(x)", {"x": arr(None, 12, 30)}, ("x",), imports=M),
        Case(math.log, "math.log(2.5, y)", {"y": arr(None, 1.5, 4)}, ("y",), imports=M),
        Case(math.log, "math.log(x, math.e)", {"x": arr(None, 0.3, 3)}, ("x",), imports=M),
        Case(
            math.fmod,
            "math.fmod(x, y)",
            {"x": arr(None, -3, -2.2), "y": arr(None, 1, 1.1)},
            ("x", "y"),
            imports=M,
        ),
        Case(
            math.hypot,
            "math.hypot(x, y, z)",
            {"x": x3, "y": y3, "z": z3},
            ("x", "y", "z"),
            imports=M,
        ),
        Case(
            math.hypot,
            "math.hypot(x, 0.0) + math.hypot()",
            {"x": arr(None, -2, -0.1)},
            ("x",),
            imports=M,
        ),
        Case(builtins.pow, "pow(x, 3)", {"x": arr(None, -2, 2)}, ("x",)),
        Case(builtins.pow, "pow(2.5, y)", {"y": arr(None, -2, 2)}, ("y",)),
        Case(
            builtins.pow, "pow(base=x, exp=y)", {"x": arr(None, 0.5, 2), "y": arr(None)}, ("x", "y")
        ),
        # max/min: constants, three arguments, key=, one array, default=, Python's ties
        Case(builtins.max, "max(x, 0.0)", {"x": arr(None, 0.1, 2)}, ("x",)),
        Case(builtins.max, "max(x, 0.0)", {"x": arr(None, -2, -0.1)}, ("x",)),
        Case(builtins.min, "min(1.5, x)", {"x": arr((), -2, 1.4)}, ("x",)),
        Case(builtins.max, "max(x, y, z)", {"x": x3, "y": y3, "z": z3}, ("x", "y", "z")),
        Case(builtins.min, "min(x, y, z)", {"x": x3, "y": y3, "z": z3}, ("x", "y", "z")),
        Case(
            builtins.max,
            "max(x, y, key=abs)",
            {"x": arr(None, -2, -1), "y": arr(None, 0, 0.9)},
            ("x", "y"),
        ),
        Case(
            builtins.min,
            "min(x, y, key=abs)",
            {"x": arr(None, -2, -1), "y": arr(None, 0, 0.9)},
            ("x", "y"),
        ),
        Case(builtins.max, "max(x)", {"x": arr((5,))}, ("x",)),
        Case(builtins.min, "min(x * x)", {"x": arr((5,))}, ("x",)),
        Case(builtins.max, "max(x, key=abs) + min(x, key=np.sin)", {"x": arr((5,))}, ("x",)),
        Case(builtins.max, "max(x, default=y)", {"x": arr((3,)), "y": arr(None)}, ("x", "y")),
        Case(builtins.max, "max(x[:0], default=y)", {"x": arr((3,)), "y": arr(None)}, ("x", "y")),
        Case(
            builtins.min, "min(x[:0], default=y * y)", {"x": arr((3,)), "y": arr(None)}, ("x", "y")
        ),
        # a tie: Python returns the first argument; x * 1.0 keeps the two values equal
        Case(builtins.max, "max(x, x * 1.0)", {"x": arr(None)}, ("x",)),
        Case(builtins.max, "max(x * 1.0, x)", {"x": arr(None)}, ("x",)),
        Case(builtins.min, "min(x, x * 1.0, x + 0.0)", {"x": arr(None)}, ("x",)),
        Case(builtins.max, "max(x, y) * max(y, x)", ties, ("x", "y")),
        # sum: start, tuples, broadcasting elements, an array iterated along its first axis
        Case(builtins.sum, "sum([x, y], 1.5)", {"x": arr(None), "y": arr(None)}, ("x", "y")),
        Case(
            builtins.sum, "sum((x, y * x), start=y)", {"x": arr(None), "y": arr(None)}, ("x", "y")
        ),
        Case(builtins.sum, "sum([x, y])", {"x": arr(None), "y": arr((3,))}, ("x", "y")),
        Case(builtins.sum, "sum([x, y], y)", {"x": arr((2, 3)), "y": arr((3,))}, ("x", "y")),
        Case(builtins.sum, "sum(x)", {"x": arr((4,))}, ("x",)),
        Case(builtins.sum, "sum(x * y)", {"x": arr((2, 3)), "y": arr((3,))}, ("x", "y")),
        Case(builtins.sum, "sum(x, y)", {"x": arr((2, 3)), "y": arr((4, 1, 1))}, ("x", "y")),
        Case(math.fsum, "math.fsum(x)", {"x": arr((4,))}, ("x",), imports=M),
    ]
    return cases


CASES = _cases()

NONDIFF_CASES = {
    math.floor: "math.floor(x[0] * 7)",
    math.ceil: "math.ceil(x[1] * 7)",
    math.trunc: "math.trunc(x[2] * 7)",
    math.isnan: "math.isnan(x[0])",
    math.isinf: "math.isinf(x[0])",
    math.isfinite: "math.isfinite(x[0])",
    math.isclose: "math.isclose(x[0], x[1] + 1.5)",
    math.ulp: "math.ulp(x[2])",
    math.factorial: "math.factorial(int(x[2]) + 3)",
    math.comb: "math.comb(5, int(x[2]))",
    math.perm: "math.perm(5, int(x[2]))",
    math.gcd: "math.gcd(12, int(x[2] * 4))",
    math.lcm: "math.lcm(3, int(x[2] * 4))",
    math.isqrt: "math.isqrt(int(x[2] * 10))",
}
