"""Runtime helpers for the products rules (see transforms/rules/products.py).

Each adjoint of a contraction is itself a contraction: tensordot for inner/tensordot/kron,
np.einsum with a rearranged subscript string for einsum, np.cross for cross.
"""

from __future__ import annotations

import string
from collections import Counter
from typing import Any

import numpy as np

# the core helper, defined in runtime/__init__.py before it imports this module
from . import unbroadcast

__all__ = [
    "inner_lhs",
    "inner_rhs",
    "tensordot_lhs",
    "tensordot_rhs",
    "einsum_vjp",
    "einsum_subscripts",
    "einsum_vjp_tangent",
    "with_operand",
    "kron_lhs",
    "kron_rhs",
    "cross_vjp",
]


# ----- tensordot and inner ------------------------------------------------------------


def _tensordot_axes(a: Any, b: Any, axes: Any) -> tuple[list[int], list[int]]:
    """np.tensordot's `axes` (an int N, or a pair of ints or of sequences) as two lists of
    non-negative axes of a and b, contracted pairwise."""
    na, nb = np.ndim(a), np.ndim(b)
    if np.ndim(axes) == 0 and not isinstance(axes, tuple | list):
        n = int(axes)
        return list(range(na - n, na)), list(range(n))
    xa, xb = axes
    xa = [xa] if np.ndim(xa) == 0 else list(xa)
    xb = [xb] if np.ndim(xb) == 0 else list(xb)
    return [int(i) % na for i in xa], [int(i) % nb for i in xb]


def tensordot_lhs(g: Any, a: Any, b: Any, axes: Any = 2) -> Any:
    """Adjoint of np.tensordot(a, b, axes) with respect to `a`: g contracted with b over
    b's free axes, then a's axes put back in order."""
    xa, xb = _tensordot_axes(a, b, axes)
    free_a = [i for i in range(np.ndim(a)) if i not in xa]
    free_b = [i for i in range(np.ndim(b)) if i not in xb]
    g_axes = list(range(len(free_a), len(free_a) + len(free_b)))
    d = np.tensordot(g, b, (g_axes, free_b))  # free_a, then b's contracted axes in order
    paired = [xa[xb.index(j)] for j in sorted(xb)]
    return np.transpose(d, np.argsort(free_a + paired))


def tensordot_rhs(g: Any, a: Any, b: Any, axes: Any = 2) -> Any:
    """Adjoint of np.tensordot(a, b, axes) with respect to `b`."""
    xa, xb = _tensordot_axes(a, b, axes)
    free_a = [i for i in range(np.ndim(a)) if i not in xa]
    free_b = [i for i in range(np.ndim(b)) if i not in xb]
    d = np.tensordot(a, g, (free_a, list(range(len(free_a)))))  # a's contracted axes, free_b
    paired = [xb[xa.index(i)] for i in sorted(xa)]
    return np.transpose(d, np.argsort(paired + free_b))


def inner_lhs(g: Any, a: Any, b: Any) -> Any:
    """Adjoint of np.inner(a, b) (the last axes contracted) with respect to `a`."""
    if np.ndim(a) == 0 or np.ndim(b) == 0:
        return unbroadcast(g * b, a)
    return tensordot_lhs(g, a, b, ([-1], [-1]))


def inner_rhs(g: Any, a: Any, b: Any) -> Any:
    """Adjoint of np.inner(a, b) with respect to `b`."""
    if np.ndim(a) == 0 or np.ndim(b) == 0:
        return unbroadcast(g * a, b)
    return tensordot_rhs(g, a, b, ([-1], [-1]))


# ----- einsum -------------------------------------------------------------------------


def _einsum_parse(subscripts: Any, operands: Any) -> tuple[list[str], str, list[str]]:
    """The operands' labels and the output's, `...` spelled out with labels of its own,
    and the labels left unused."""
    if not isinstance(subscripts, str):
        raise TypeError(
            "npgrad differentiates np.einsum with a subscripts string only "
            "(np.einsum('ij,jk->ik', a, b)), not the sublist form"
        )
    spec = subscripts.replace(" ", "")
    lhs, arrow, out = spec.partition("->")
    terms = lhs.split(",")
    if len(terms) != len(operands):
        raise ValueError(f"einsum subscripts {subscripts!r} name {len(terms)} operands")
    free = [c for c in string.ascii_letters if c not in spec]
    ndims = [np.ndim(x) for x in operands]
    pairs = list(zip(terms, ndims, strict=True))
    n_ell = max((nd - len(t) + 3 for t, nd in pairs if "..." in t), default=0)
    ell, free = "".join(free[:n_ell]), free[n_ell:]
    inputs = []
    for t, nd in pairs:
        if "..." in t:
            k = nd - len(t) + 3
            t = t.replace("...", ell[n_ell - k :])
        inputs.append(t)
    if not arrow:
        counts = Counter(c for t in terms for c in t if c.isalpha())
        out = ell + "".join(sorted(c for c, n in counts.items() if n == 1))
    else:
        out = out.replace("...", ell)
    return inputs, out, free


def _label_sizes(inputs: list[str], operands: Any) -> dict[str, int]:
    sizes: dict[str, int] = {}
    for labels, x in zip(inputs, operands, strict=True):
        for c, n in zip(labels, np.shape(x), strict=True):
            sizes[c] = n if sizes.get(c, 1) == 1 else sizes[c]  # size-1 dimensions broadcast
    return sizes


def einsum_subscripts(subscripts: str, operands: Any, part: int) -> tuple[str, list[Any]]:
    """The subscripts and extra operands of the einsum that gives the adjoint of operand
    `part` of np.einsum(subscripts, *operands) from the output's adjoint (the first operand).

    'ij,jk->ik' gives 'ik,jk->ij' for the first operand. A label repeated within the operand
    (a diagonal, 'ii->i') gets a fresh label joined to it by an identity matrix; a label
    summed within the operand alone ('ij->i') is joined by a vector of ones.
    """
    inputs, out, free = _einsum_parse(subscripts, operands)
    sizes = _label_sizes(inputs, operands)
    others = [t for k, t in enumerate(inputs) if k != part]
    elsewhere = set(out).union(*others)
    target, extra, extra_ops = "", [], []
    for c in inputs[part]:
        if c in target:  # a repeated label: a diagonal of the operand
            fresh = free.pop(0)
            target += fresh
            extra.append(c + fresh)
            extra_ops.append(np.eye(sizes[c]))
        else:
            target += c
            if c not in elsewhere:
                extra.append(c)
                extra_ops.append(np.ones(sizes[c]))
    return ",".join([out, *others, *extra]) + "->" + target, extra_ops


def einsum_vjp(g: Any, subscripts: Any, operands: Any, part: int, optimize: Any = False) -> Any:
    """Adjoint of np.einsum(subscripts, *operands) with respect to operands[part]: one
    np.einsum of the output's adjoint with the other operands (see einsum_subscripts)."""
    spec, extra = einsum_subscripts(subscripts, operands, part)
    others = [x for k, x in enumerate(operands) if k != part]
    d = np.einsum(spec, g, *others, *extra, optimize=optimize)
    return unbroadcast(d, operands[part])


def with_operand(operands: Any, k: int, x: Any) -> list[Any]:
    """The operands with operands[k] replaced by `x`."""
    return [x if i == k else y for i, y in enumerate(operands)]


def einsum_vjp_tangent(
    tangents: Any, g: Any, subscripts: Any, operands: Any, part: int, optimize: Any = False
) -> Any:
    """The tangent of einsum_vjp(g, subscripts, operands, part) through the other operands:
    it is linear in each, so one einsum_vjp per operand with that operand replaced by its
    tangent (operands[part] is read for its shape only)."""
    terms = [
        einsum_vjp(g, subscripts, with_operand(operands, k, t), part, optimize)
        for k, t in enumerate(tangents)
        if k != part
    ]
    return sum(terms[1:], terms[0]) if terms else np.zeros(np.shape(operands[part]))


# ----- kron ---------------------------------------------------------------------------


def _kron_blocks(g: Any, a: Any, b: Any) -> tuple[Any, tuple[int, ...], tuple[int, ...]]:
    """g of np.kron(a, b) reshaped to a.shape + b.shape (both padded to the same ndim)."""
    nd = max(np.ndim(a), np.ndim(b))
    sa = (1,) * (nd - np.ndim(a)) + np.shape(a)
    sb = (1,) * (nd - np.ndim(b)) + np.shape(b)
    blocks = np.reshape(g, [n for pair in zip(sa, sb, strict=True) for n in pair])
    order = list(range(0, 2 * nd, 2)) + list(range(1, 2 * nd, 2))
    return np.transpose(blocks, order), sa, sb


def kron_lhs(g: Any, a: Any, b: Any) -> Any:
    """Adjoint of np.kron(a, b) with respect to `a`: each block of g contracted with b."""
    blocks, sa, sb = _kron_blocks(g, a, b)
    return np.reshape(np.tensordot(blocks, np.reshape(b, sb), len(sb)), np.shape(a))


def kron_rhs(g: Any, a: Any, b: Any) -> Any:
    """Adjoint of np.kron(a, b) with respect to `b`: the blocks of g weighted by a, summed."""
    blocks, sa, sb = _kron_blocks(g, a, b)
    return np.reshape(np.tensordot(np.reshape(a, sa), blocks, len(sa)), np.shape(b))


# ----- cross --------------------------------------------------------------------------


def _pad3(v: Any) -> Any:
    if v.shape[-1] == 3:
        return v
    return np.concatenate([v, np.zeros_like(v[..., :1])], axis=-1)


def cross_vjp(
    g: Any,
    a: Any,
    b: Any,
    axisa: int = -1,
    axisb: int = -1,
    axisc: int = -1,
    axis: int | None = None,
    part: int = 0,
) -> Any:
    """Adjoint of np.cross(a, b, axisa, axisb, axisc, axis) with respect to `a` (part 0),
    b x g, or `b` (part 1), g x a. 2-vectors count as 3-vectors with z = 0 (the cross
    product of two 2-vectors is the z component)."""
    if axis is not None:
        axisa = axisb = axisc = axis
    am = np.moveaxis(np.asarray(a), axisa, -1)
    bm = np.moveaxis(np.asarray(b), axisb, -1)
    if am.shape[-1] == 2 and bm.shape[-1] == 2:
        g = np.asarray(g)
        g3 = np.stack([np.zeros_like(g), np.zeros_like(g), g], axis=-1)
    else:
        g3 = np.moveaxis(np.asarray(g), axisc, -1)
    if part == 0:
        d = np.cross(_pad3(bm), g3)[..., : am.shape[-1]]
        return np.moveaxis(unbroadcast(d, am), -1, axisa)
    d = np.cross(g3, _pad3(am))[..., : bm.shape[-1]]
    return np.moveaxis(unbroadcast(d, bm), -1, axisb)
