"""Shape and layout: transpose, reshape, axes, joining and splitting, padding, repetition,
diagonals and triangles, sorting and selecting, differences, interpolation, convolution, array
construction. (Indexing `x[idx]` is a statement-level rule in reverse.py.)

Conventions at kinks and ties:
- sort: the gradient follows the stable argsort permutation (equal elements keep their
  original order); partition follows np.argpartition with the same kth, checked against
  the result (equal values matched in their original order should the two ever differ).
- take, take_along_axis, repeat, tile, the pad modes that copy elements (edge, reflect,
  symmetric, wrap): an element used several times gets the sum of its copies' adjoints.
- select: the gradient goes to the first choice whose condition holds, else to `default`.
- interp: at a breakpoint x takes the slope of the segment to its right (0 at xp[-1]).
- Index-like arguments (shift, repeats, indices, condition, condlist, kth, gradient's
  spacing, interp's period) get no gradient.
"""

# ruff: noqa: E501
# Each rule is a template: names stand for the call's arguments and are inlined.

import numpy as np

from npgrad import runtime as rt

from .table import jvp, linear, method, nondiff, vjp


@vjp(np.transpose)
def transpose(g, ans, a, axes=None):
    return np.transpose(g) if axes is None else np.transpose(g, np.argsort(axes))


@jvp(of=transpose)
def transpose_jvp(ta, ans, a, axes=None):
    return linear(ta)


@vjp(np.reshape)
def reshape(g, ans, a, shape=None):
    return np.reshape(g, np.shape(a))


@jvp(of=reshape)
def reshape_jvp(ta, ans, a, shape=None):
    return linear(ta)


@vjp(np.ravel, np.ndarray.flatten)
def ravel(g, ans, a):
    return np.reshape(g, np.shape(a))


@jvp(of=ravel)
def ravel_jvp(ta, ans, a):
    return linear(ta)


@vjp(np.expand_dims)
def expand_dims(g, ans, a, axis):
    return np.reshape(g, np.shape(a))


@jvp(of=expand_dims)
def expand_dims_jvp(ta, ans, a, axis):
    return linear(ta)


@vjp(np.squeeze)
def squeeze(g, ans, a, axis=None):
    return np.reshape(g, np.shape(a))


@jvp(of=squeeze)
def squeeze_jvp(ta, ans, a, axis=None):
    return linear(ta)


@vjp(np.array, np.asarray, np.copy, np.ascontiguousarray, sequence="object", array_ok=True)
def array(g, ans, object, dtype=None, part=None):
    return g if part is None else g[part]


@jvp(of=array)
def array_jvp(tobject, ans, object, dtype=None):
    return linear(tobject)


@vjp(np.concatenate, sequence="arrays")
def concatenate(g, ans, arrays, axis=0, part=None):
    return rt.unconcatenate(g, arrays, axis)[part]


@jvp(of=concatenate)
def concatenate_jvp(tarrays, ans, arrays, axis=0):
    return linear(tarrays)


@vjp(np.stack, sequence="arrays")
def stack(g, ans, arrays, axis=0, part=None):
    return np.moveaxis(g, axis, 0)[part]


@jvp(of=stack)
def stack_jvp(tarrays, ans, arrays, axis=0):
    return linear(tarrays)


@vjp(np.full, broadcasts=True)
def full(g, ans, shape, fill_value, dtype=None):
    return None, g


@jvp(of=full)
def full_jvp(tfill_value, ans, shape, fill_value, dtype=None):
    return linear(tfill_value)


# ----- axes ------------------------------------------------------------------------


@vjp(np.swapaxes)
def swapaxes(g, ans, a, axis1, axis2):
    return np.swapaxes(g, axis1, axis2)


@jvp(of=swapaxes)
def swapaxes_jvp(ta, ans, a, axis1, axis2):
    return linear(ta)


@vjp(np.moveaxis)
def moveaxis(g, ans, a, source, destination):
    return np.moveaxis(g, destination, source)


@jvp(of=moveaxis)
def moveaxis_jvp(ta, ans, a, source, destination):
    return linear(ta)


@vjp(np.rollaxis)
def rollaxis(g, ans, a, axis, start=0):
    return rt.unrollaxis(g, axis, start)


@jvp(of=rollaxis)
def rollaxis_jvp(ta, ans, a, axis, start=0):
    return linear(ta)


@vjp(np.broadcast_to)
def broadcast_to(g, ans, array, shape, subok=False):
    return rt.unbroadcast(g, array)


@jvp(of=broadcast_to)
def broadcast_to_jvp(tarray, ans, array, shape, subok=False):
    return linear(tarray)


@vjp(np.atleast_1d, np.atleast_2d, np.atleast_3d)
def atleast_nd(g, ans, *arys, part=None):
    return np.reshape(g, np.shape(arys[part]))


@jvp(of=atleast_nd)
def atleast_nd_jvp(tarys, ans, *arys):
    return linear(tarys)


# ----- flips, rolls, rotations ------------------------------------------------------


@vjp(np.roll)
def roll(g, ans, a, shift, axis=None):
    return np.roll(g, np.negative(shift)) if axis is None else np.roll(g, np.negative(shift), axis)


@jvp(of=roll)
def roll_jvp(ta, ans, a, shift, axis=None):
    return linear(ta)


@vjp(np.flip)
def flip(g, ans, m, axis=None):
    return np.flip(g) if axis is None else np.flip(g, axis)


@jvp(of=flip)
def flip_jvp(tm, ans, m, axis=None):
    return linear(tm)


@vjp(np.flipud)
def flipud(g, ans, m):
    return np.flipud(g)


@jvp(of=flipud)
def flipud_jvp(tm, ans, m):
    return linear(tm)


@vjp(np.fliplr)
def fliplr(g, ans, m):
    return np.fliplr(g)


@jvp(of=fliplr)
def fliplr_jvp(tm, ans, m):
    return linear(tm)


@vjp(np.rot90)
def rot90(g, ans, m, k=1, axes=(0, 1)):
    return np.rot90(g, -k, axes)


@jvp(of=rot90)
def rot90_jvp(tm, ans, m, k=1, axes=(0, 1)):
    return linear(tm)


# ----- repetition and padding -------------------------------------------------------


@vjp(np.repeat)
def repeat(g, ans, a, repeats, axis=None):
    return rt.unrepeat(g, a, repeats, axis)


@jvp(of=repeat)
def repeat_jvp(ta, ans, a, repeats, axis=None):
    return linear(ta)


@vjp(np.tile)
def tile(g, ans, A, reps):
    return rt.untile(g, A, reps)


@jvp(of=tile)
def tile_jvp(tA, ans, A, reps):
    return linear(tA)


@vjp(np.pad)
def pad(g, ans, array, pad_width, mode="constant", constant_values=0):
    return (
        rt.unpad(g, array, pad_width, mode),
        None,
        None,
        rt.unpad_constant_values(g, array, pad_width, constant_values),
    )


@jvp(of=pad)
def pad_jvp(tarray, tconstant_values, ans, array, pad_width, mode="constant", constant_values=0):
    return linear(tarray, tconstant_values)


# ----- splitting and joining --------------------------------------------------------


@vjp(np.split, np.array_split, results=True)
def split(g, ans, ary, indices_or_sections, axis=0):
    return rt.unsplit(g, ans, axis)


@jvp(of=split)
def split_jvp(tary, ans, ary, indices_or_sections, axis=0):
    return linear(tary)


@vjp(np.vsplit, results=True)
def vsplit(g, ans, ary, indices_or_sections):
    return rt.unsplit(g, ans, 0)


@jvp(of=vsplit)
def vsplit_jvp(tary, ans, ary, indices_or_sections):
    return linear(tary)


@vjp(np.hsplit, results=True)
def hsplit(g, ans, ary, indices_or_sections):
    return rt.unsplit(g, ans, 1 if np.ndim(ary) > 1 else 0)


@jvp(of=hsplit)
def hsplit_jvp(tary, ans, ary, indices_or_sections):
    return linear(tary)


@vjp(np.dsplit, results=True)
def dsplit(g, ans, ary, indices_or_sections):
    return rt.unsplit(g, ans, 2)


@jvp(of=dsplit)
def dsplit_jvp(tary, ans, ary, indices_or_sections):
    return linear(tary)


@vjp(np.vstack, sequence="tup")
def vstack(g, ans, tup, *, dtype=None, casting="same_kind", part=None):
    return rt.unvstack(g, tup)[part]


@jvp(of=vstack)
def vstack_jvp(ttup, ans, tup, *, dtype=None, casting="same_kind"):
    return linear(ttup)


@vjp(np.hstack, sequence="tup")
def hstack(g, ans, tup, *, dtype=None, casting="same_kind", part=None):
    return rt.unhstack(g, tup)[part]


@jvp(of=hstack)
def hstack_jvp(ttup, ans, tup, *, dtype=None, casting="same_kind"):
    return linear(ttup)


@vjp(np.dstack, sequence="tup")
def dstack(g, ans, tup, part=None):
    return rt.undstack(g, tup)[part]


@jvp(of=dstack)
def dstack_jvp(ttup, ans, tup):
    return linear(ttup)


@vjp(np.column_stack, sequence="tup")
def column_stack(g, ans, tup, part=None):
    return rt.uncolumn_stack(g, tup)[part]


@jvp(of=column_stack)
def column_stack_jvp(ttup, ans, tup):
    return linear(ttup)


@vjp(np.append)
def append(g, ans, arr, values, axis=None):
    return (
        np.reshape(g[: np.size(arr)], np.shape(arr))
        if axis is None
        else rt.unconcatenate(g, [arr, values], axis)[0],
        np.reshape(g[np.size(arr) :], np.shape(values))
        if axis is None
        else rt.unconcatenate(g, [arr, values], axis)[1],
    )


@jvp(of=append)
def append_jvp(tarr, tvalues, ans, arr, values, axis=None):
    return linear(tarr, tvalues)


# ----- diagonals and triangles ------------------------------------------------------


@vjp(np.diag)
def diag(g, ans, v, k=0):
    return np.diag(g, k) if np.ndim(v) == 1 else rt.undiagonal(g, v, k)


@jvp(of=diag)
def diag_jvp(tv, ans, v, k=0):
    return linear(tv)


@vjp(np.diagonal)
def diagonal(g, ans, a, offset=0, axis1=0, axis2=1):
    return rt.undiagonal(g, a, offset, axis1, axis2)


@jvp(of=diagonal)
def diagonal_jvp(ta, ans, a, offset=0, axis1=0, axis2=1):
    return linear(ta)


@vjp(np.diagflat)
def diagflat(g, ans, v, k=0):
    return np.reshape(np.diag(g, k), np.shape(v))


@jvp(of=diagflat)
def diagflat_jvp(tv, ans, v, k=0):
    return linear(tv)


@vjp(np.triu)
def triu(g, ans, m, k=0):
    return rt.unbroadcast(np.triu(g, k), m)


@jvp(of=triu)
def triu_jvp(tm, ans, m, k=0):
    return linear(tm)


@vjp(np.tril)
def tril(g, ans, m, k=0):
    return rt.unbroadcast(np.tril(g, k), m)


@jvp(of=tril)
def tril_jvp(tm, ans, m, k=0):
    return linear(tm)


# ----- sorting and selecting --------------------------------------------------------


@vjp(np.sort)
def sort(g, ans, a, axis=-1, kind=None, order=None, *, stable=None):
    return rt.unsort(g, a, axis)


@jvp(of=sort)
def sort_jvp(ta, ans, a, axis=-1, kind=None, order=None, *, stable=None):
    return (
        np.take_along_axis(ta, np.argsort(a, axis, kind="stable"), axis)
        if axis is not None
        else np.ravel(ta)[np.argsort(a, None, kind="stable")]
    )


@vjp(np.partition)
def partition(g, ans, a, kth, axis=-1, kind="introselect", order=None):
    return rt.unpartition(g, ans, a, kth, axis)


@jvp(of=partition)
def partition_jvp(ta, ans, a, kth, axis=-1, kind="introselect", order=None):
    return (
        np.take_along_axis(ta, np.argpartition(a, kth, axis), axis)
        if axis is not None
        else np.ravel(ta)[np.argpartition(a, kth, None)]
    )


@vjp(np.take)
def take(g, ans, a, indices, axis=None, mode="raise"):
    return rt.untake(g, a, indices, axis, mode)


@jvp(of=take)
def take_jvp(ta, ans, a, indices, axis=None, mode="raise"):
    return linear(ta)


@vjp(np.take_along_axis)
def take_along_axis(g, ans, arr, indices, axis=-1):
    return rt.untake_along_axis(g, arr, indices, axis)


@jvp(of=take_along_axis)
def take_along_axis_jvp(tarr, ans, arr, indices, axis=-1):
    return linear(tarr)


@vjp(np.compress)
def compress(g, ans, condition, a, axis=None):
    return None, rt.uncompress(g, condition, a, axis)


@jvp(of=compress)
def compress_jvp(ta, ans, condition, a, axis=None):
    return linear(ta)


@vjp(np.ndarray.compress)
def compress_method(g, ans, a, condition, axis=None):
    return rt.uncompress(g, condition, a, axis)


@jvp(of=compress_method)
def compress_method_jvp(ta, ans, a, condition, axis=None):
    return linear(ta)


@vjp(np.select, sequence="choicelist")
def select(g, ans, condlist, choicelist, default=0, part=None):
    return (
        None,
        rt.unselect(g, condlist, choicelist, part),
        rt.unselect_default(g, condlist, default),
    )


@jvp(of=select)
def select_jvp(tchoicelist, tdefault, ans, condlist, choicelist, default=0):
    return linear(tchoicelist, tdefault)


# ----- differences, interpolation, convolution --------------------------------------


@vjp(np.diff)
def diff(g, ans, a, n=1, axis=-1, prepend=None, append=None):
    return (
        rt.undiff(g, a, n, axis)[0]
        if prepend is None and append is None
        else rt.undiff(g, a, n, axis, prepend, append)[0],
        None,
        None,
        rt.undiff(g, a, n, axis, prepend, append)[1],
        rt.undiff(g, a, n, axis, prepend, append)[2],
    )


@jvp(of=diff)
def diff_jvp(ta, tprepend, tappend, ans, a, n=1, axis=-1, prepend=None, append=None):
    return linear(ta, tprepend, tappend)


@vjp(np.gradient)
def gradient(g, ans, f, *varargs, axis=None, edge_order=1, part=None):
    return (
        rt.ungradient(g, f, varargs, axis, edge_order),
        rt.ungradient_spacing(g, ans, f, varargs, axis, part),
    )


@jvp(of=gradient)
def gradient_jvp(tf, tvarargs, ans, f, *varargs, axis=None, edge_order=1):
    return np.gradient(
        tf, *varargs, axis=axis, edge_order=edge_order
    ) + rt.gradient_spacing_tangent(tvarargs)


@vjp(np.interp)
def interp(g, ans, x, xp, fp, left=None, right=None, period=None):
    return (
        rt.uninterp(g, x, xp, fp, left, right, period)[0],
        rt.uninterp(g, x, xp, fp, left, right, period)[1],
        rt.uninterp(g, x, xp, fp)[2]
        if left is None and right is None and period is None
        else rt.uninterp(g, x, xp, fp, left, right, period)[2],
        rt.uninterp(g, x, xp, fp, left, right, period)[3],
        rt.uninterp(g, x, xp, fp, left, right, period)[4],
        rt.refuse_interp_period(),
    )


@jvp(of=interp)
def interp_jvp(
    tx, txp, tfp, tleft, tright, tperiod, ans, x, xp, fp, left=None, right=None, period=None
):
    return (
        rt.interp_x_tangent(tx, x, xp, fp, period)
        + rt.interp_xp_tangent(txp, x, xp, fp, period)
        + rt.interp_fp_tangent(tfp, x, xp, left, right, period)
        + rt.interp_edge_tangent(tleft, x, xp, period, True)
        + rt.interp_edge_tangent(tright, x, xp, period, False)
        + rt.interp_period_tangent(tperiod)
    )


@vjp(np.convolve)
def convolve(g, ans, a, v, mode="full"):
    return (
        np.correlate(g, v, "valid") if mode == "full" else rt.unconvolve(g, a, v, mode)[0],
        np.correlate(g, a, "valid") if mode == "full" else rt.unconvolve(g, a, v, mode)[1],
    )


@jvp(of=convolve)
def convolve_jvp(ta, tv, ans, a, v, mode="full"):
    return np.convolve(ta, v, mode) + np.convolve(a, tv, mode)


@vjp(np.correlate)
def correlate(g, ans, a, v, mode="valid"):
    return (
        np.convolve(g, v, "valid") if mode == "full" else rt.uncorrelate(g, a, v, mode)[0],
        np.correlate(g, a, "valid")[::-1] if mode == "full" else rt.uncorrelate(g, a, v, mode)[1],
    )


@jvp(of=correlate)
def correlate_jvp(ta, tv, ans, a, v, mode="valid"):
    return np.correlate(ta, v, mode) + np.correlate(a, tv, mode)


for _name, _func in [
    ("transpose", np.transpose),
    ("reshape", np.reshape),
    ("ravel", np.ravel),
    ("flatten", np.ndarray.flatten),
    ("squeeze", np.squeeze),
    ("copy", np.copy),
    ("swapaxes", np.swapaxes),
    ("repeat", np.repeat),
    ("take", np.take),
    ("diagonal", np.diagonal),
    ("compress", np.ndarray.compress),
    ("argpartition", np.argpartition),
]:
    method(_name, _func)

nondiff(
    np.shape,
    np.ndim,
    np.size,
    np.zeros_like,
    np.ones_like,
    np.empty_like,
    np.zeros,
    np.ones,
    np.empty,
    np.eye,
    np.identity,
    np.result_type,
    np.argpartition,
    np.tri,
    np.tril_indices,
    np.triu_indices,
    np.diag_indices,
)
