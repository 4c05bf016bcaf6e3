"""Rule cases for the shape and layout group: axes, flips and rolls, repetition, padding,
splitting and joining, diagonals, sorting and selecting, differences, interpolation,
convolution (see rulecases.py)."""

from __future__ import annotations

import numpy as np
from rulecases import Case, arr

X3 = (2, 3, 4)


def _c(func, expr, args, wrt=("x",), **kw):
    return Case(func, expr, args, wrt, **kw)


def _axes() -> list[Case]:
    return [
        _c(np.swapaxes, "np.swapaxes(x, 0, 2)", {"x": arr(X3)}),
        _c(np.swapaxes, "np.swapaxes(x, -1, 1)", {"x": arr(X3)}),
        _c(np.swapaxes, "x.swapaxes(0, 1)", {"x": arr((2, 3))}),
        _c(np.swapaxes, "np.swapaxes(x, axis1=0, axis2=0)", {"x": arr((2, 3))}),
        _c(np.moveaxis, "np.moveaxis(x, 0, -1)", {"x": arr(X3)}),
        _c(np.moveaxis, "np.moveaxis(x, [0, 1], [2, 0])", {"x": arr(X3)}),
        _c(np.moveaxis, "np.moveaxis(x, source=-1, destination=1)", {"x": arr(X3)}),
        _c(np.rollaxis, "np.rollaxis(x, 2)", {"x": arr(X3)}),
        _c(np.rollaxis, "np.rollaxis(x, 0, 3)", {"x": arr(X3)}),
        _c(np.rollaxis, "np.rollaxis(x, 0, 2)", {"x": arr(X3)}),
        _c(np.rollaxis, "np.rollaxis(x, -1, -2)", {"x": arr(X3)}),
        _c(np.rollaxis, "np.rollaxis(x, 1, start=1)", {"x": arr(X3)}),
        _c(np.broadcast_to, "np.broadcast_to(x, (2, 3))", {"x": arr((3,))}),
        _c(np.broadcast_to, "np.broadcast_to(x, (4, 2, 3))", {"x": arr((2, 1))}),
        _c(np.broadcast_to, "np.broadcast_to(x, (2, 3))", {"x": arr(None)}),
        _c(np.broadcast_to, "np.broadcast_to(x, shape=(3,))", {"x": arr((3,))}),
        _c(np.broadcast_to, "np.broadcast_to(x, (0, 3))", {"x": arr((3,))}),
        _c(np.atleast_1d, "np.atleast_1d(x)", {"x": arr(None)}),
        _c(np.atleast_1d, "np.atleast_1d(x)", {"x": arr((2, 3))}),
        _c(np.atleast_2d, "np.atleast_2d(x)", {"x": arr(())}),
        _c(np.atleast_2d, "np.atleast_2d(x)", {"x": arr((3,))}),
        _c(np.atleast_2d, "np.atleast_2d(x)", {"x": arr(X3)}),
        _c(np.atleast_3d, "np.atleast_3d(x)", {"x": arr((3,))}),
        _c(np.atleast_3d, "np.atleast_3d(x)", {"x": arr((2, 3))}),
        _c(np.atleast_3d, "np.atleast_3d(x)", {"x": arr(None)}),
    ]


def _flips() -> list[Case]:
    return [
        _c(np.roll, "np.roll(x, 2)", {"x": arr((5,))}),
        _c(np.roll, "np.roll(x, -1)", {"x": arr((2, 3))}),
        _c(np.roll, "np.roll(x, 1, axis=1)", {"x": arr((2, 3))}),
        _c(np.roll, "np.roll(x, 4, -1)", {"x": arr(X3)}),
        _c(np.roll, "np.roll(x, (1, -2), axis=(0, 2))", {"x": arr(X3)}),
        _c(np.roll, "np.roll(x, (1, 2), axis=(1, 1))", {"x": arr(X3)}),
        _c(np.roll, "np.roll(x, shift=3, axis=(0, 1))", {"x": arr(X3)}),
        _c(np.roll, "np.roll(x, 1)", {"x": arr((0, 3))}),
        _c(np.flip, "np.flip(x)", {"x": arr(X3)}),
        _c(np.flip, "np.flip(x, 1)", {"x": arr(X3)}),
        _c(np.flip, "np.flip(x, axis=(0, -1))", {"x": arr(X3)}),
        _c(np.flip, "np.flip(x)", {"x": arr(())}),
        _c(np.flipud, "np.flipud(x)", {"x": arr((3,))}),
        _c(np.flipud, "np.flipud(x)", {"x": arr((3, 2))}),
        _c(np.fliplr, "np.fliplr(x)", {"x": arr(X3)}),
        _c(np.rot90, "np.rot90(x)", {"x": arr((2, 3))}),
        _c(np.rot90, "np.rot90(x, 2)", {"x": arr((2, 3))}),
        _c(np.rot90, "np.rot90(x, -1)", {"x": arr((2, 3))}),
        _c(np.rot90, "np.rot90(x, k=3, axes=(2, 0))", {"x": arr(X3)}),
        _c(np.rot90, "np.rot90(x, 5, (1, 2))", {"x": arr(X3)}),
    ]


def _repetition() -> list[Case]:
    return [
        _c(np.repeat, "np.repeat(x, 3)", {"x": arr((2, 2))}),
        _c(np.repeat, "np.repeat(x, 2)", {"x": arr(None)}),
        _c(np.repeat, "np.repeat(x, 2, axis=0)", {"x": arr((2, 3))}),
        _c(np.repeat, "np.repeat(x, [1, 0, 3], axis=1)", {"x": arr((2, 3))}),
        _c(np.repeat, "np.repeat(x, [2, 1, 0, 1])", {"x": arr((2, 2))}),
        _c(np.repeat, "np.repeat(x, r, -1)", {"x": arr(X3), "r": np.array([0, 2, 1, 3])}),
        _c(np.repeat, "np.repeat(x, [2], axis=0)", {"x": arr((2, 3))}),
        _c(np.repeat, "np.repeat(x, 0, axis=0)", {"x": arr((2, 3))}),
        _c(np.repeat, "x.repeat(2)", {"x": arr((3,))}),
        _c(np.repeat, "x.repeat(3, axis=1)", {"x": arr((2, 2))}),
        _c(np.tile, "np.tile(x, 3)", {"x": arr((2,))}),
        _c(np.tile, "np.tile(x, (2, 2))", {"x": arr((3,))}),
        _c(np.tile, "np.tile(x, (2, 1, 3))", {"x": arr((2, 2))}),
        _c(np.tile, "np.tile(x, 2)", {"x": arr((2, 3))}),
        _c(np.tile, "np.tile(x, (1, 1))", {"x": arr((2, 3))}),
        _c(np.tile, "np.tile(x, reps=[2, 3])", {"x": arr(None)}),
        _c(np.tile, "np.tile(x, (0, 2))", {"x": arr((2,))}),
    ]


def _pads() -> list[Case]:
    cases = [
        _c(np.pad, "np.pad(x, 2)", {"x": arr((3,))}),
        _c(np.pad, "np.pad(x, 1)", {"x": arr((2, 3))}),
        _c(np.pad, "np.pad(x, (1, 2))", {"x": arr((2, 3))}),
        _c(np.pad, "np.pad(x, [(0, 1), (2, 0)], constant_values=3.0)", {"x": arr((2, 3))}),
        _c(np.pad, "np.pad(x, ((1,),), 'constant')", {"x": arr((2, 3))}),
        _c(np.pad, "np.pad(x, ((1,), (2,)))", {"x": arr((2, 3))}),
        _c(np.pad, "np.pad(x, [[1, 2]])", {"x": arr(X3)}),
        _c(np.pad, "np.pad(x, {1: (1, 2)})", {"x": arr((2, 3))}),
        _c(np.pad, "np.pad(x, {0: 1, -1: (0, 2)})", {"x": arr((2, 3))}),
        _c(np.pad, "np.pad(x, 1, mode='empty') * 0 + np.pad(x, 1)", {"x": arr((2,))}),
        _c(np.pad, "np.pad(x, 2, mode='constant')", {"x": arr((0,))}),
        _c(np.pad, "np.pad(x, 1, constant_values=c)", {"x": arr((2, 3)), "c": arr(None)}, ("c",)),
        _c(
            np.pad,
            "np.pad(x, ((1, 0), (2, 1)), constant_values=c)",
            {"x": arr((2, 3)), "c": arr((2, 2))},
            ("x", "c"),
        ),
        _c(np.pad, "np.pad(x, 1, constant_values=c)", {"x": arr((2, 3)), "c": arr((2,))}, ("c",)),
        _c(np.pad, "np.pad(x, 1, constant_values=c)", {"x": arr((2, 3)), "c": arr((2, 1))}, ("c",)),
        _c(np.pad, "np.pad(x, 2, constant_values=c)", {"x": arr((2, 3)), "c": arr((1, 2))}, ("c",)),
    ]
    for mode in ("edge", "reflect", "symmetric", "wrap"):
        cases += [
            _c(np.pad, f"np.pad(x, 2, mode={mode!r})", {"x": arr((4,))}),
            _c(np.pad, f"np.pad(x, ((1, 2), (3, 0)), {mode!r})", {"x": arr((2, 3))}),
            _c(np.pad, f"np.pad(x, 5, {mode!r})", {"x": arr((3,))}),
            _c(np.pad, f"np.pad(x, (0, 2), mode={mode!r})", {"x": arr((1, 3))}),
        ]
    return cases


def _joins() -> list[Case]:
    x2, y2 = arr((2, 3)), arr((1, 3))
    return [
        _c(np.split, "np.split(x, 3)[1]", {"x": arr((6,))}),
        _c(np.split, "np.split(x, 2)[0] * np.split(x, 2)[1]", {"x": arr((4, 3))}),
        _c(np.split, "np.split(x, [1, 3], axis=1)[2]", {"x": arr((2, 5))}),
        _c(np.split, "np.split(x, [1, 3], axis=-1)[1]", {"x": arr((2, 5))}),
        _c(np.split, "np.split(x, [2, 2], 0)[2]", {"x": arr((3,))}),
        _c(np.split, "np.split(x, indices_or_sections=1)[0]", {"x": arr((3,))}),
        _c(np.array_split, "np.array_split(x, 3)[2]", {"x": arr((7,))}),
        _c(np.array_split, "np.array_split(x, 2, axis=1)[0]", {"x": arr((2, 5))}),
        _c(np.array_split, "np.array_split(x, [1, 4])[1]", {"x": arr((5,))}),
        _c(np.vsplit, "np.vsplit(x, 2)[1]", {"x": arr((4, 3))}),
        _c(np.vsplit, "np.vsplit(x, [1])[0]", {"x": arr((3, 2))}),
        _c(np.hsplit, "np.hsplit(x, 2)[1]", {"x": arr((6,))}),
        _c(np.hsplit, "np.hsplit(x, [1, 2])[2]", {"x": arr((2, 4))}),
        _c(np.dsplit, "np.dsplit(x, 2)[0]", {"x": arr(X3)}),
        _c(np.vstack, "np.vstack([x, y])", {"x": x2, "y": y2}, ("x", "y")),
        _c(np.vstack, "np.vstack((x, y, x))", {"x": arr((3,)), "y": arr((3,))}, ("x", "y")),
        _c(np.vstack, "np.vstack([x, 2.0])", {"x": arr(None)}),
        _c(np.vstack, "np.vstack([x, y], dtype=float)", {"x": arr((2, 3)), "y": arr((3,))}),
        _c(np.hstack, "np.hstack([x, y])", {"x": arr((2,)), "y": arr((3,))}, ("x", "y")),
        _c(np.hstack, "np.hstack((x, y))", {"x": arr((2, 1)), "y": arr((2, 3))}, ("x", "y")),
        _c(np.hstack, "np.hstack([x, y, x])", {"x": arr(None), "y": arr((2,))}, ("x", "y")),
        _c(np.dstack, "np.dstack([x, y])", {"x": arr((3,)), "y": arr((3,))}, ("x", "y")),
        _c(np.dstack, "np.dstack((x, y))", {"x": arr((2, 3)), "y": arr((2, 3, 2))}, ("x", "y")),
        _c(
            np.column_stack, "np.column_stack([x, y])", {"x": arr((3,)), "y": arr((3,))}, ("x", "y")
        ),
        _c(
            np.column_stack,
            "np.column_stack((x, y))",
            {"x": arr((3,)), "y": arr((3, 2))},
            ("x", "y"),
        ),
        _c(np.append, "np.append(x, y)", {"x": arr((2, 2)), "y": arr((3,))}, ("x", "y")),
        _c(np.append, "np.append(x, y)", {"x": arr(None), "y": arr((2,))}, ("x", "y")),
        _c(np.append, "np.append(x, 1.0)", {"x": arr((2, 2))}),
        _c(np.append, "np.append(x, y, axis=0)", {"x": x2, "y": y2}, ("x", "y")),
        _c(np.append, "np.append(x, y, -1)", {"x": arr((2, 1)), "y": arr((2, 3))}, ("x", "y")),
    ]


def _diagonals() -> list[Case]:
    return [
        _c(np.diag, "np.diag(x)", {"x": arr((3,))}),
        _c(np.diag, "np.diag(x, 1)", {"x": arr((3,))}),
        _c(np.diag, "np.diag(x, k=-2)", {"x": arr((2,))}),
        _c(np.diag, "np.diag(x)", {"x": arr((3, 3))}),
        _c(np.diag, "np.diag(x, 1)", {"x": arr((3, 4))}),
        _c(np.diag, "np.diag(x, -1)", {"x": arr((4, 2))}),
        _c(np.diag, "np.diag(x, 5)", {"x": arr((2, 3))}),
        _c(np.diagonal, "np.diagonal(x)", {"x": arr((3, 4))}),
        _c(np.diagonal, "np.diagonal(x, 1)", {"x": arr((3, 4))}),
        _c(np.diagonal, "np.diagonal(x, offset=-1, axis1=1, axis2=0)", {"x": arr((3, 4))}),
        _c(np.diagonal, "np.diagonal(x, 0, 0, 2)", {"x": arr(X3)}),
        _c(np.diagonal, "np.diagonal(x, -1, -1, 1)", {"x": arr(X3)}),
        _c(np.diagonal, "x.diagonal()", {"x": arr((2, 2))}),
        _c(np.diagonal, "x.diagonal(1, 1, 2)", {"x": arr((2, 3, 3))}),
        _c(np.diagflat, "np.diagflat(x)", {"x": arr((3,))}),
        _c(np.diagflat, "np.diagflat(x, -1)", {"x": arr((2, 2))}),
        _c(np.diagflat, "np.diagflat(x, k=2)", {"x": arr(None)}),
        _c(np.triu, "np.triu(x)", {"x": arr((3, 3))}),
        _c(np.triu, "np.triu(x, 1)", {"x": arr((3, 4))}),
        _c(np.triu, "np.triu(x, k=-1)", {"x": arr(X3)}),
        _c(np.triu, "np.triu(x)", {"x": arr((3,))}),
        _c(np.tril, "np.tril(x)", {"x": arr((3, 3))}),
        _c(np.tril, "np.tril(x, -1)", {"x": arr((4, 3))}),
        _c(np.tril, "np.tril(x, k=2)", {"x": arr(X3)}),
        _c(np.tril, "np.tril(x, 1)", {"x": arr((3,))}),
    ]


def _sorting() -> list[Case]:
    idx = np.array([[0, 2, 2], [1, 0, 0]])
    cond = np.array([True, False, True, True])
    return [
        _c(np.sort, "np.sort(x)", {"x": arr((5,))}),
        _c(np.sort, "np.sort(x)", {"x": arr(X3)}),
        _c(np.sort, "np.sort(x, 0)", {"x": arr(X3)}),
        _c(np.sort, "np.sort(x, axis=1, kind='mergesort')", {"x": arr(X3)}),
        _c(np.sort, "np.sort(x, axis=None)", {"x": arr((2, 3))}),
        _c(np.sort, "np.sort(x, stable=True)", {"x": arr((2, 3))}),
        _c(np.sort, "np.sort(x)", {"x": arr((2, 0))}),
        _c(np.partition, "np.partition(x, 2)", {"x": arr((6,))}),
        _c(np.partition, "np.partition(x, (1, 3), axis=0)", {"x": arr((5, 3))}),
        _c(np.partition, "np.partition(x, -1)", {"x": arr(X3)}),
        _c(np.partition, "np.partition(x, 4, axis=None)", {"x": arr((2, 3))}),
        _c(np.partition, "np.partition(x, kth=[0, 1])", {"x": arr((2, 4))}),
        _c(np.take, "np.take(x, [0, 2, 2, 5])", {"x": arr((2, 3))}),
        _c(np.take, "np.take(x, 1)", {"x": arr((2, 3))}),
        _c(np.take, "np.take(x, i, axis=1)", {"x": arr(X3), "i": idx}),
        _c(np.take, "np.take(x, [-1, 0, -1], -1)", {"x": arr(X3)}),
        _c(np.take, "np.take(x, [3, -4, 1], axis=0, mode='wrap')", {"x": arr((2, 3))}),
        _c(np.take, "np.take(x, [5, -1, 0], mode='clip')", {"x": arr((3,))}),
        _c(np.take, "np.take(x, [], axis=0)", {"x": arr((2, 3))}),
        _c(np.take, "x.take([1, 1, 0])", {"x": arr((2, 2))}),
        _c(np.take, "x.take(i, axis=0)", {"x": arr((3, 2)), "i": idx}),
        _c(
            np.take_along_axis,
            "np.take_along_axis(x, np.argsort(x, axis=1), axis=1)",
            {"x": arr((3, 4))},
        ),
        _c(np.take_along_axis, "np.take_along_axis(x, i, 0)", {"x": arr((3, 3)), "i": idx}),
        _c(
            np.take_along_axis,
            "np.take_along_axis(x, i, axis=-1)",
            {"x": arr((2, 4)), "i": np.array([[3, 3], [0, 1]])},
        ),
        _c(
            np.take_along_axis,
            "np.take_along_axis(x, i, axis=1)",
            {"x": arr(X3), "i": np.array([[[0, 1, 1, 2]], [[2, 2, 0, 0]]])},
        ),
        _c(
            np.take_along_axis,
            "np.take_along_axis(x, i, axis=None)",
            {"x": arr((2, 3)), "i": np.array([5, 0, 0, 2])},
        ),
        _c(np.take_along_axis, "np.take_along_axis(x, i)", {"x": arr((2, 3)), "i": idx}),
        _c(np.compress, "np.compress([True, False, True], x)", {"x": arr((3,))}),
        _c(np.compress, "np.compress(c, x, axis=1)", {"x": arr((2, 4)), "c": cond}),
        _c(np.compress, "np.compress(c, x)", {"x": arr((2, 3)), "c": cond}),
        _c(np.compress, "np.compress([False, True], x, axis=0)", {"x": arr(X3)}),
        _c(np.ndarray.compress, "x.compress(c)", {"x": arr((2, 2)), "c": cond}),
        _c(np.ndarray.compress, "x.compress([0, 1, 1], axis=-1)", {"x": arr((2, 3))}),
        _c(
            np.select,
            "np.select([c > 0.5, c < -0.5], [x, y])",
            {"c": arr((2, 3)), "x": arr((2, 3)), "y": arr((2, 3))},
            ("x", "y"),
        ),
        _c(
            np.select,
            "np.select([c > 0.5, c > -0.5], [x, y], z)",
            {"c": arr((2, 3)), "x": arr((3,)), "y": arr((2, 1)), "z": arr(None)},
            ("x", "y", "z"),
        ),
        _c(
            np.select,
            "np.select(condlist=[c > 0], choicelist=[2.0 * x], default=z)",
            {"c": arr((4,)), "x": arr((4,)), "z": arr((4,))},
            ("x", "z"),
        ),
        _c(
            np.select,
            "np.select([c > 0, c > 1], [x, 3.0], -x)",
            {"c": arr((4,)), "x": arr((4,))},
        ),
    ]


def _differences() -> list[Case]:
    xs = np.array([0.0, 0.5, 1.5, 1.7, 3.0])
    return [
        _c(np.diff, "np.diff(x)", {"x": arr((5,))}),
        _c(np.diff, "np.diff(x, 2)", {"x": arr((5,))}),
        _c(np.diff, "np.diff(x, n=3, axis=0)", {"x": arr((4, 3))}),
        _c(np.diff, "np.diff(x, axis=1)", {"x": arr(X3)}),
        _c(np.diff, "np.diff(x, 0)", {"x": arr((3,))}),
        _c(np.diff, "np.diff(x, 1, -2)", {"x": arr(X3)}),
        _c(np.diff, "np.diff(x, 5)", {"x": arr((3,))}),
        _c(np.diff, "np.diff(x, prepend=0.0)", {"x": arr((4,))}),
        _c(
            np.diff,
            "np.diff(x, prepend=p, append=q)",
            {"x": arr((4,)), "p": arr(None), "q": arr(None)},
            ("x", "p", "q"),
        ),
        _c(
            np.diff,
            "np.diff(x, 2, axis=0, prepend=p, append=q)",
            {"x": arr((3, 2)), "p": arr((2, 2)), "q": arr(())},
            ("x", "p", "q"),
        ),
        _c(
            np.diff,
            "np.diff(x, append=q, axis=1)",
            {"x": arr((2, 3)), "q": arr((2, 1))},
            ("x", "q"),
        ),
        _c(np.gradient, "np.gradient(x)", {"x": arr((5,))}),
        _c(np.gradient, "np.gradient(x, 0.5)", {"x": arr((5,))}),
        _c(np.gradient, "np.gradient(x, h)", {"x": arr((5,)), "h": 0.3}),
        _c(np.gradient, "np.gradient(x, 2.0, edge_order=2)", {"x": arr((5,))}),
        _c(np.gradient, "np.gradient(x, t)", {"x": arr((5,)), "t": xs}),
        _c(np.gradient, "np.gradient(x, t, edge_order=2)", {"x": arr((5,)), "t": xs}),
        _c(np.gradient, "np.gradient(x)", {"x": arr((2,))}),
        _c(np.gradient, "np.gradient(x, axis=0)", {"x": arr((4, 3))}),
        _c(np.gradient, "np.gradient(x, 0.5, axis=-1)", {"x": arr((2, 4))}),
        _c(np.gradient, "np.gradient(x, t, axis=1, edge_order=2)", {"x": arr((2, 5)), "t": xs}),
        _c(np.gradient, "np.gradient(x)[0]", {"x": arr((3, 4))}),
        _c(np.gradient, "np.gradient(x, 0.5, 2.0)[1]", {"x": arr((3, 4))}),
        _c(
            np.gradient,
            "np.gradient(x, axis=(0, 2))[1] * np.gradient(x, t, 1.0, edge_order=2, axis=(1, 2))[0]",
            {"x": arr((3, 5, 4)), "t": xs},
        ),
        _c(np.gradient, "np.gradient(x, 2.0)[1]", {"x": arr(X3)}),
        _c(np.gradient, "np.gradient(x, h)", {"x": arr((5,)), "h": 0.3}, ("x", "h")),
        _c(np.gradient, "np.gradient(x, h, edge_order=2)", {"x": arr((4,)), "h": arr(())}, ("h",)),
        _c(
            np.gradient,
            "np.gradient(x, h)[0] * np.gradient(x, 0.5, k)[1] + np.gradient(x, h, axis=1)",
            {"x": arr((3, 4)), "h": 0.7, "k": 1.3},
            ("x", "h", "k"),
        ),
    ]


def _interp() -> list[Case]:
    xp = np.array([-1.0, 0.0, 0.5, 1.5, 2.0])
    x = np.array([-1.5, -1.0, -0.3, 0.0, 0.2, 0.7, 1.9, 2.0, 2.5])
    inner = np.array([[-0.9, 0.25], [1.2, 1.95]])
    return [
        _c(np.interp, "np.interp(x, xp, fp)", {"x": x, "xp": xp, "fp": arr((5,))}, ("fp",)),
        _c(np.interp, "np.interp(x, xp, fp)", {"x": inner, "xp": xp, "fp": arr((5,))}, ("fp",)),
        _c(
            np.interp,
            "np.interp(x, xp, fp, left=l, right=r)",
            {"x": x, "xp": xp, "fp": arr((5,)), "l": arr(None), "r": arr(None)},
            ("fp", "l", "r"),
        ),
        _c(np.interp, "np.interp(x, xp, fp, 0.0)", {"x": x, "xp": xp, "fp": arr((5,))}, ("fp",)),
        _c(np.interp, "np.interp(x, xp, fp)", {"x": 0.3, "xp": xp, "fp": arr((5,))}, ("fp",)),
        _c(
            np.interp,
            "np.interp(x, xp, fp)",
            {"x": np.array([-1.0, 0.5, 1.0]), "xp": np.array([0.5]), "fp": arr((1,))},
            ("fp",),
        ),
        _c(
            np.interp,
            "np.interp(x, xp, fp)",
            {"x": inner, "xp": xp, "fp": arr((5,))},
            ("x", "xp", "fp"),
        ),
        _c(
            np.interp,
            "np.interp(x, xp, fp, period=2.6)",
            {"x": np.array([-2.2, -0.4, 0.3, 2.7, 4.4]), "xp": xp, "fp": arr((5,))},
            ("x", "xp", "fp"),
        ),
    ]


def _convolutions() -> list[Case]:
    cases = []
    for n, m in [(5, 3), (3, 5), (4, 4), (6, 2), (2, 7), (1, 3)]:
        for func, name in [(np.convolve, "convolve"), (np.correlate, "correlate")]:
            for mode in ("full", "same", "valid"):
                args = {"a": arr((n,)), "v": arr((m,))}
                cases.append(Case(func, f"np.{name}(a, v, {mode!r})", args, ("a", "v")))
    cases += [
        Case(np.convolve, "np.convolve(a, v)", {"a": arr((4,)), "v": arr((3,))}, ("a", "v")),
        Case(np.correlate, "np.correlate(a, v)", {"a": arr((4,)), "v": arr((3,))}, ("a", "v")),
        Case(np.convolve, "np.convolve(a, [1.0, -2.0], mode='same')", {"a": arr((4,))}, ("a",)),
        Case(
            np.correlate,
            "np.correlate(a, v, mode='same')",
            {"a": arr((5,)), "v": arr((2,))},
            ("a", "v"),
        ),
    ]
    return cases


CASES = (
    _axes()
    + _flips()
    + _repetition()
    + _pads()
    + _joins()
    + _diagonals()
    + _sorting()
    + _differences()
    + _interp()
    + _convolutions()
)

NONDIFF_CASES = {
    np.argpartition: "np.argpartition(x, 1)",
    np.tri: "np.tri(3)[0] * np.tri(len(x))[1]",
    np.tril_indices: "np.tril_indices(len(x))[0]",
    np.triu_indices: "np.triu_indices(len(x))[1]",
    np.diag_indices: "np.diag_indices(len(x))[0]",
}
