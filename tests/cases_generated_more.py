"""Rule cases for the runtime adjoints of transforms/rules/generated_more.py (joins,
selections, differences, convolutions): the adjoint `g` is x * x, the other arguments
constants, except the convolutions' operands, which are differentiated too."""

from __future__ import annotations

import npgrad.runtime as rt
import numpy as np
from rulecases import Case, arr

_RT = ("npgrad.runtime",)


def _rt(func, expr: str, args: dict, wrt: tuple[str, ...] = ("x",)) -> Case:
    return Case(func, expr.replace("rt.", "npgrad.runtime."), args, wrt, imports=_RT)


CASES = []
# unsplit: the parts' adjoints joined (None: zeros); z the array that was split
for expr, shapes in [
    ("rt.unsplit((x * x, y), np.split(z, 2, 1), 1)", ((2, 2), (2, 2), (2, 4))),
    ("rt.unsplit((y, None, x * x), np.array_split(z, 3), 0)", ((1, 3), (2, 3), (5, 3))),
    ("rt.unsplit((x * x,), np.split(z, [1, 3]), 0)", ((1,), (2,), (5,))),
]:
    CASES.append(
        _rt(rt.unsplit, expr, {"x": arr(shapes[0]), "y": arr(shapes[1]), "z": arr(shapes[2])})
    )
# the stacks' adjoints: one piece or a combination of them
for func, shapes in [
    (rt.unhstack, ((4,), (3,), ())),
    (rt.unhstack, ((2, 4), (2, 3), (2, 1))),
    (rt.undstack, ((1, 3, 2), (3,), (3,))),
    (rt.undstack, ((2, 3, 4), (2, 3), (2, 3, 3))),
    (rt.uncolumn_stack, ((3, 3), (3,), (3, 2))),
    (rt.uncolumn_stack, ((4, 2), (4,), (4,))),
]:
    name = func.__name__
    args = {"x": arr(shapes[0]), "y": arr(shapes[1]), "z": arr(shapes[2])}
    CASES.append(_rt(func, f"rt.{name}(x * x, [y, z])[0]", args))
    CASES.append(_rt(func, f"rt.{name}(x * x, [y, z])[1]", args))
    CASES.append(
        _rt(func, f"rt.{name}(x * x, [y, z])[1] + 2.0 * rt.{name}(x * x, [y, z])[0].sum()", args)
    )
# np.select's adjoints: conditions overlap (the first true one wins); choices broadcast
_C = "[y > 0, y > -0.5]"
for expr, shapes in [
    (f"rt.unselect(x * x, {_C}, [z, y], 0)", ((2, 3), (2, 3), (3,))),
    (f"rt.unselect(x * x, {_C}, [y, z], 1)", ((2, 3), (2, 3), (2, 1))),
    (f"rt.unselect(x * x, {_C}, [y, z], 0)", ((2, 3), (2, 3), ())),
    (f"rt.unselect_default(x * x, {_C}, z)", ((2, 3), (2, 3), (3,))),
    (f"rt.unselect_default(x * x, {_C}, z)", ((2, 3), (2, 3), ())),
]:
    func = rt.unselect_default if "default" in expr else rt.unselect
    CASES.append(_rt(func, expr, {"x": arr(shapes[0]), "y": arr(shapes[1]), "z": arr(shapes[2])}))
# undiff: n differences along an axis, with prepend / append (scalars broadcast)
for expr, shapes in [
    ("rt.undiff(x * x, z)[0]", ((2, 4), (), (2, 5))),
    ("rt.undiff(x * x, z, 2, 0)[0]", ((1, 3), (), (3, 3))),
    ("rt.undiff(x * x, z, 1, -1, y)[0] + rt.undiff(x * x, z, 1, -1, y)[1]",
     ((2, 5), (2, 1), (2, 5))),
    ("rt.undiff(x * x, z, 2, 0, None, y)[2]", ((3, 3), (1, 3), (4, 3))),
    ("rt.undiff(x * x, z, 3, 1, y, 1.5)[1]", ((2, 3), (), (2, 4))),
    ("rt.undiff(x * x, z, 2, 1, 0.5, y)[0] * rt.undiff(x * x, z, 2, 1, 0.5, y)[2]",
     ((2, 4), (2, 1), (2, 4))),
]:  # fmt: skip
    CASES.append(
        _rt(rt.undiff, expr, {"x": arr(shapes[0]), "y": arr(shapes[1]), "z": arr(shapes[2])})
    )
# the convolutions' adjoints: bilinear in g and the other operand
for func, primal in [(rt.unconvolve, np.convolve), (rt.uncorrelate, np.correlate)]:
    for n, m, mode in [(5, 3, "full"), (5, 3, "same"), (3, 5, "same"), (5, 3, "valid"),
                       (4, 4, "same"), (2, 5, "valid")]:  # fmt: skip
        shape = np.shape(primal(np.ones(n), np.ones(m), mode))
        args = {"x": arr(shape), "y": arr((n,)), "z": arr((m,))}
        name = func.__name__
        CASES.append(_rt(func, f"rt.{name}(x * x, y, z, '{mode}')[0]", args, ("x", "y", "z")))
        CASES.append(_rt(func, f"rt.{name}(x * x, y, z, '{mode}')[1]", args, ("x", "y", "z")))
        CASES.append(
            _rt(
                func,
                f"rt.{name}(x * x, y, z, '{mode}')[0].sum() * rt.{name}(x * x, y, z, '{mode}')[1]",
                args,
                ("x", "y", "z"),
            )
        )
# np.average's adjoint of `a`: g = x * x, the weights (y) differentiated too
for expr, shapes in [
    ("rt.average_a(x * x, z, None, None)", ((), (), (2, 3))),
    ("rt.average_a(x * x, z, 1, None)", ((2,), (), (2, 3))),
    ("rt.average_a(x * x, z, 0, y)", ((3,), (2,), (2, 3))),
    ("rt.average_a(x * x, z, 1, y, True)", ((2, 1), (2, 3), (2, 3))),
    ("rt.average_a(x * x, z, None, y)", ((), (2, 3), (2, 3))),
    ("rt.average_a(x * x, z, (2, 0), y)", ((3,), (4, 2), (2, 3, 4))),
]:
    args = {"x": arr(shapes[0]), "y": arr(shapes[1], 0.5, 1.5), "z": arr(shapes[2])}
    CASES.append(_rt(rt.average_a, expr, args, ("x", "y") if ", y" in expr else ("x",)))
# logsumexp's weights: g = x * x, the logsumexp value (v) and `a` (z) differentiated too
for expr, shapes in [
    ("rt.logsumexp_weights(x * x, v, z)", ((), (), (2, 3))),
    ("rt.logsumexp_weights(x * x, v, z, 1)", ((2,), (2,), (2, 3))),
    ("rt.logsumexp_weights(x * x, v, z, 0, None, True)", ((1, 3), (1, 3), (2, 3))),
    ("rt.logsumexp_weights(x * x, v, z, (0, 2), y)", ((3,), (3,), (2, 3, 1))),
    ("rt.logsumexp_weights(x * x, v, z, -1, y, True)", ((2, 3, 1), (2, 3, 1), (3, 4))),
]:
    args = {"x": arr(shapes[0]), "v": arr(shapes[1]), "z": arr(shapes[2]), "y": arr((2, 3, 4))}
    CASES.append(_rt(rt.logsumexp_weights, expr, args, ("x", "v", "z")))
# einsum's adjoints: g = x * x; the other operands (y, z) differentiated too
for subscripts, shapes, k in [
    ("ij,jk->ik", [(2, 4), (2, 3), (3, 4)], 0),
    ("ij,jk->ik", [(2, 4), (2, 3), (3, 4)], 1),
    ("ij,jk,kl->il", [(2, 2), (2, 3), (3, 4), (4, 2)], 1),
    ("ii,ij->j", [(4,), (3, 3), (3, 4)], 0),
    ("ii,ij->j", [(4,), (3, 3), (3, 4)], 1),
    ("ij,j->ij", [(2, 3), (2, 3), (1,)], 1),
    ("ij,j->ij", [(2, 3), (2, 3), (1,)], 0),
    ("...ij,...jk->...ik", [(2, 3, 5), (2, 3, 4), (4, 5)], 1),
    ("i,ij,j", [(), (3,), (3, 4), (4,)], 2),
    ("ij->", [(), (2, 3)], 0),
]:
    names = ["y", "z", "w"][: len(shapes) - 1]
    args = {"x": arr(shapes[0]), **{n: arr(s) for n, s in zip(names, shapes[1:], strict=True)}}
    expr = f"rt.einsum_vjp(x * x, {subscripts!r}, [{', '.join(names)}], {k})"
    CASES.append(_rt(rt.einsum_vjp, expr, args, ("x", *names)))
CASES.append(
    _rt(
        rt.einsum_vjp,
        "rt.einsum_vjp(x * x, 'ij,jk->ik', [y, z], 0, True)"
        " * rt.einsum_vjp(x, 'ij,jk->ik', [y, z], 0)",
        {"x": arr((2, 4)), "y": arr((2, 3)), "z": arr((3, 4))},
        ("x", "z"),
    )
)
# builtin max / min's adjoints: several arguments (of different shapes, chosen by a key)
# or one array (iterated along its first axis); g = x * x
_P, _Q = np.array([0.3, -1.2, 2.0]), np.array([0.5, 0.2])
for expr, shapes in [
    ("rt.picked(x * x, 'max', (y, z), 0)", ((), (), ())),
    ("rt.picked(x * x, 'min', (y, z, y + 1.0), 1)", ((), (), ())),
    ("rt.picked(x * x, 'max', (y,), 0)", ((), (4,), ())),
    ("rt.picked(x * x, 'min', (y,), 0, np.sum)", ((2,), (3, 2), ())),
    ("rt.picked_default(x * x, (y,), z)", ((), (0,), ())),
    ("rt.picked_default(x * x, (y,), z)", ((2,), (3,), (2,))),
]:
    CASES.append(
        _rt(
            rt.picked_default if "default" in expr else rt.picked,
            expr,
            {"x": arr(shapes[0]), "y": arr(shapes[1]), "z": arr(shapes[2])},
        )
    )
for part in [0, 1]:  # the key picks _P (g has its shape), not _Q
    pair = f"(np.array({_P.tolist()}), np.array({_Q.tolist()}))"
    expr = f"rt.picked(x * x, 'max', {pair}, {part}, np.sum)"
    CASES.append(_rt(rt.picked, expr, {"x": arr(np.shape(_P))}))
# builtin sum's adjoints: the parts broadcast against g; one part's adjoint or several
for expr, shapes in [
    ("rt.unsum(x * x, [y, z])[0]", ((2, 3), (3,), (2, 1))),
    ("rt.unsum(x * x, [y, z])[1] * 2.0 + rt.unsum(x * x, [y, z])[0].sum()", ((2, 3), (), (2, 3))),
    ("rt.unsum(x * x, [y, z, y])[2]", ((2, 3), (1, 3), ())),
]:
    CASES.append(
        _rt(rt.unsum, expr, {"x": arr(shapes[0]), "y": arr(shapes[1]), "z": arr(shapes[2])})
    )
# np.cumprod's adjoint (no zeros in `a`: the helpers refuse there): g = x * x, the product
# (v: an argument of its own, any values) and `a` (z) differentiated too
for expr, z in [
    ("rt.cumprod_vjp(x * x, v, z, 1)", arr((2, 4), 0.5, 1.5)),
    ("rt.cumprod_vjp(x * x, v, z, 0)", arr((3, 2), 0.5, 1.5)),
    ("rt.cumprod_vjp(x * x, v, z, -1)", -arr((2, 3, 2), 0.5, 1.5)),
    ("rt.cumprod_vjp(x * x, v, z)", arr((2, 3), 0.5, 1.5)),
]:
    shape = (np.size(z),) if expr.endswith("z)") else np.shape(z)
    args = {"x": arr(shape), "v": arr(shape), "z": z}
    CASES.append(_rt(rt.cumprod_vjp, expr, args, ("x", "v", "z")))
