"""Rule cases for the foundation's rules: arithmetic, ufuncs, reductions, products, shape."""

from __future__ import annotations

import itertools

import numpy as np
from rulecases import PAIRS, SHAPES, Case, arr

UNARY = {
    np.exp: ("np.exp(x)", -2, 2),
    np.expm1: ("np.expm1(x)", -2, 2),
    np.log: ("np.log(x)", 0.5, 3),
    np.log1p: ("np.log1p(x)", -0.5, 3),
    np.sqrt: ("np.sqrt(x)", 0.5, 3),
    np.square: ("np.square(x)", -2, 2),
    np.sin: ("np.sin(x)", -3, 3),
    np.cos: ("np.cos(x)", -3, 3),
    np.tan: ("np.tan(x)", -1.2, 1.2),
    np.arcsin: ("np.arcsin(x)", -0.9, 0.9),
    np.arccos: ("np.arccos(x)", -0.9, 0.9),
    np.arctan: ("np.arctan(x)", -3, 3),
    np.sinh: ("np.sinh(x)", -2, 2),
    np.cosh: ("np.cosh(x)", -2, 2),
    np.tanh: ("np.tanh(x)", -2, 2),
    np.absolute: ("np.abs(x)", 0.1, 2),
    np.negative: ("-x", -2, 2),
    np.positive: ("+x", -2, 2),
    np.float64: ("np.float64(x)", -2, 2),
    float: ("float(np.sum(x))", -2, 2),
}
BINARY = {
    np.add: ("x + y", (-2, 2), (-2, 2)),
    np.subtract: ("x - y", (-2, 2), (-2, 2)),
    np.multiply: ("x * y", (-2, 2), (-2, 2)),
    np.true_divide: ("x / y", (-2, 2), (0.5, 2)),
    np.power: ("x ** y", (0.5, 2), (-2, 2)),
    np.mod: ("x % y", (0.1, 0.9), (1.1, 2)),
    np.maximum: ("np.maximum(x, y)", (-2, 2), (-2, 2)),
    np.minimum: ("np.minimum(x, y)", (-2, 2), (-2, 2)),
    np.logaddexp: ("np.logaddexp(x, y)", (-2, 2), (-2, 2)),
    np.matmul: ("x @ y", None, None),  # shapes below
}


def _cases() -> list[Case]:
    cases = []
    for func, (expr, lo, hi) in UNARY.items():
        for shape in SHAPES if func is not float else [(3,)]:
            cases.append(Case(func, expr, {"x": arr(shape, lo, hi)}, ("x",)))
    for func, (expr, xr, yr) in BINARY.items():
        if func is np.matmul:
            continue
        for sx, sy in PAIRS:
            args = {"x": arr(sx, *xr), "y": arr(sy, *yr)}
            cases.append(Case(func, expr, args, ("x", "y")))
    cases += [
        Case(np.power, "x ** 2", {"x": arr((3,))}, ("x",)),
        Case(np.power, "x ** 3.5", {"x": arr((3,), 0.5, 2)}, ("x",)),
        Case(np.power, "2.0 ** x", {"x": arr((3,))}, ("x",)),
        Case(np.power, "np.power(x, y)", {"x": arr((2, 3), 0.5, 2), "y": arr((3,))}, ("x", "y")),
        Case(np.maximum, "np.maximum(x, 0.0)", {"x": arr((4,))}, ("x",)),
        Case(np.true_divide, "np.divide(1.0, x)", {"x": arr((3,), 0.5, 2)}, ("x",)),
    ]
    # products, every 1-D / 2-D / batched combination
    for sa, sb in [
        ((3,), (3,)),
        ((2, 3), (3,)),
        ((3,), (3, 4)),
        ((2, 3), (3, 4)),
        ((5, 2, 3), (3, 4)),
        ((5, 2, 3), (5, 3, 4)),
        ((2, 3), (5, 3, 4)),
    ]:
        cases.append(Case(np.matmul, "x @ y", {"x": arr(sa), "y": arr(sb)}, ("x", "y")))
        if len(sa) < 3 and len(sb) < 3:
            args = {"x": arr(sa), "y": arr(sb)}
            cases.append(Case(np.matmul, "np.matmul(x, y)", args, ("x", "y")))
    for sa, sb in [
        ((3,), (3,)),
        ((2, 3), (3,)),
        ((3,), (3, 4)),
        ((2, 3), (3, 4)),
        ((), (3,)),
        ((2, 3), ()),
        ((2, 2, 3), (4, 3, 5)),
        ((2, 3), (4, 3, 5)),
    ]:
        cases.append(Case(np.dot, "np.dot(x, y)", {"x": arr(sa), "y": arr(sb)}, ("x", "y")))
    cases.append(Case(np.dot, "x.dot(y)", {"x": arr((2, 3)), "y": arr((3,))}, ("x", "y")))
    for sa, sb in [((3,), (4,)), ((2, 2), (3,)), ((), (2,))]:
        cases.append(Case(np.outer, "np.outer(x, y)", {"x": arr(sa), "y": arr(sb)}, ("x", "y")))
    # where and clip, broadcasting
    cases += [
        Case(
            np.where,
            "np.where(c > 0, x, y)",
            {"c": arr((2, 3)), "x": arr((3,)), "y": arr((2, 1))},
            ("x", "y"),
        ),
        Case(np.where, "np.where(x > 0, x, 0.1 * x)", {"x": arr((5,))}, ("x",)),
        Case(np.clip, "np.clip(x, -1.0, 1.0)", {"x": arr((6,))}, ("x",)),
        Case(np.clip, "np.clip(x, None, 0.5)", {"x": arr((6,))}, ("x",)),
        Case(
            np.clip,
            "np.clip(x, lo, hi)",
            {"x": arr((2, 3)), "lo": arr((3,), -3, -0.5), "hi": arr((2, 1), 0.5, 3)},
            ("x", "lo", "hi"),
        ),
        Case(np.clip, "x.clip(-1.0, 1.0)", {"x": arr((6,))}, ("x",)),
    ]
    # reductions: every axis / keepdims form
    x3 = (2, 3, 4)
    axes = [None, 0, 1, -1, (0, 2), (0, 1, 2)]
    for func, name, lo in [
        (np.sum, "sum", -2),
        (np.mean, "mean", -2),
        (np.prod, "prod", -2),
        (np.max, "max", -2),
        (np.min, "min", -2),
    ]:
        for axis, keep in itertools.product(axes, [False, True]):
            kw = f"axis={axis!r}" + (", keepdims=True" if keep else "")
            cases.append(Case(func, f"np.{name}(x, {kw})", {"x": arr(x3, lo)}, ("x",)))
        cases.append(Case(func, f"np.{name}(x, 1)", {"x": arr(x3)}, ("x",)))
        cases.append(Case(func, f"x.{name}()", {"x": arr((3, 2))}, ("x",)))
        cases.append(Case(func, f"x.{name}(axis=0)", {"x": arr((3, 2))}, ("x",)))
    cases += [
        Case(
            np.prod,
            "np.prod(x, axis=1)",
            {"x": np.array([[0.0, 2.0, 3.0], [0.0, 0.0, 1.5]])},
            ("x",),
        ),
        Case(
            np.max,
            "np.max(x, axis=1)",
            {"x": np.array([[1.0, 3.0, 3.0], [2.0, 0.0, -1.0]])},
            ("x",),
        ),
        Case(np.amax, "np.amax(x)", {"x": arr((3, 4))}, ("x",)),
        Case(np.amin, "np.amin(x, axis=0)", {"x": arr((3, 4))}, ("x",)),
    ]
    # shape and layout
    cases += [
        Case(np.transpose, "np.transpose(x)", {"x": arr((2, 3, 4))}, ("x",)),
        Case(np.transpose, "np.transpose(x, (1, 2, 0))", {"x": arr((2, 3, 4))}, ("x",)),
        Case(np.transpose, "x.T", {"x": arr((2, 3))}, ("x",)),
        Case(np.transpose, "x.transpose(1, 0, 2)", {"x": arr((2, 3, 4))}, ("x",)),
        Case(np.reshape, "np.reshape(x, (3, -1))", {"x": arr((2, 3, 2))}, ("x",)),
        Case(np.reshape, "x.reshape(4, 3)", {"x": arr((2, 6))}, ("x",)),
        Case(np.ravel, "np.ravel(x)", {"x": arr((2, 3))}, ("x",)),
        Case(np.ravel, "x.ravel()", {"x": arr((2, 3))}, ("x",)),
        Case(np.ndarray.flatten, "x.flatten()", {"x": arr((2, 3))}, ("x",)),
        Case(np.expand_dims, "np.expand_dims(x, 1)", {"x": arr((2, 3))}, ("x",)),
        Case(np.expand_dims, "np.expand_dims(x, axis=(0, 2))", {"x": arr((3,))}, ("x",)),
        Case(np.squeeze, "np.squeeze(x)", {"x": arr((1, 3, 1))}, ("x",)),
        Case(np.squeeze, "x.squeeze(axis=0)", {"x": arr((1, 3, 1))}, ("x",)),
        Case(
            np.concatenate,
            "np.concatenate([x, y, x])",
            {"x": arr((2, 3)), "y": arr((1, 3))},
            ("x", "y"),
        ),
        Case(
            np.concatenate,
            "np.concatenate((x, y), axis=1)",
            {"x": arr((2, 3)), "y": arr((2, 1))},
            ("x", "y"),
        ),
        Case(
            np.concatenate,
            "np.concatenate([x, y], axis=None)",
            {"x": arr((2, 2)), "y": arr((3,))},
            ("x", "y"),
        ),
        Case(np.stack, "np.stack([x, y])", {"x": arr((2, 3)), "y": arr((2, 3))}, ("x", "y")),
        Case(
            np.stack, "np.stack((x, y, x), axis=-1)", {"x": arr((2,)), "y": arr((2,))}, ("x", "y")
        ),
        Case(np.array, "np.array([x, y, 2.0 * x])", {"x": arr(None), "y": arr(None)}, ("x", "y")),
        Case(np.array, "np.array(x)", {"x": arr((3,))}, ("x",)),
        Case(np.asarray, "np.asarray(x)", {"x": arr((3,))}, ("x",)),
        Case(np.copy, "x.copy()", {"x": arr((3,))}, ("x",)),
        Case(np.ascontiguousarray, "np.ascontiguousarray(x.T)", {"x": arr((2, 3))}, ("x",)),
        Case(np.full, "np.full((2, 3), x)", {"x": arr(None)}, ("x",)),
        Case(np.full, "np.full((2, 3), x)", {"x": arr((3,))}, ("x",)),
        Case(np.ndarray.astype, "x.astype(float)", {"x": arr((3,))}, ("x",)),
        Case(np.float32, "np.float32(np.sum(x))", {"x": arr((3,))}, ("x",), loose=True),
        Case(np.float16, "np.float16(1.0) * x", {"x": arr((3,))}, ("x",), loose=True),
        Case(np.longdouble, "np.float64(np.longdouble(np.sum(x)))", {"x": arr((3,))}, ("x",)),
        Case(abs, "abs(x)", {"x": arr((3,), 0.1, 2)}, ("x",)),
        Case(np.modf, "np.modf(x)[0]", {"x": arr((4,), 0.1, 0.9)}, ("x",)),
        Case(np.modf, "np.modf(x)[0] * np.modf(x)[1]", {"x": arr((4,), 1.1, 1.9)}, ("x",)),
    ]
    return cases


CASES = _cases()

NONDIFF_CASES = {
    np.sign: "np.sign(x)",
    np.floor: "np.floor(x)",
    np.ceil: "np.ceil(x)",
    np.round: "np.round(x)",
    np.rint: "np.rint(x)",
    np.trunc: "np.trunc(x)",
    np.fix: "np.fix(x)",
    np.floor_divide: "x // 0.7",
    np.equal: "np.equal(x, 0.5)",
    np.not_equal: "x != 0.5",
    np.less: "x < 0.5",
    np.less_equal: "x <= 0.5",
    np.greater: "x > 0.5",
    np.greater_equal: "x >= 0.5",
    np.logical_and: "np.logical_and(x > 0, x < 1)",
    np.logical_or: "np.logical_or(x > 0, x < 1)",
    np.logical_not: "np.logical_not(x > 0)",
    np.logical_xor: "np.logical_xor(x > 0, x < 1)",
    np.isfinite: "np.isfinite(x)",
    np.isnan: "np.isnan(x)",
    np.isinf: "np.isinf(x)",
    np.signbit: "np.signbit(x)",
    int: "int(x[0])",
    bool: "bool(x[0] > 0)",
    round: "round(float(x[0]))",
    len: "len(x)",
    isinstance: "isinstance(x, np.ndarray)",
    np.int64: "np.int64(x[0])",
    np.int32: "np.int32(x[0])",
    np.bool_: "np.bool_(x[0])",
    np.argmax: "np.argmax(x)",
    np.argmin: "np.argmin(x)",
    np.argsort: "np.argsort(x)",
    np.nonzero: "np.nonzero(x)[0]",
    np.count_nonzero: "np.count_nonzero(x)",
    np.any: "np.any(x > 0)",
    np.all: "np.all(x > 0)",
    np.shape: "np.shape(x)[0]",
    np.ndim: "np.ndim(x)",
    np.size: "np.size(x)",
    np.zeros_like: "np.zeros_like(x)",
    np.ones_like: "np.ones_like(x)",
    np.empty_like: "np.empty_like(x).size",
    np.zeros: "np.zeros(len(x))",
    np.ones: "np.ones(len(x))",
    np.empty: "np.empty(0).sum()",
    np.eye: "np.eye(3)[0]",
    np.identity: "np.identity(3)[1]",
    np.result_type: "np.zeros(3, np.result_type(x))",
}
