"""What one normalized statement computes: which rule applies, with which operands."""

from __future__ import annotations

import ast
import sys
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from npgrad.runtime import inplace as _inplace
from npgrad.runtime.lists import GradList

from .inline import const_value
from .recursion import RECURSIVE
from .resolve import canonical_path
from .rules import FORWARD_ONLY, METHODS, NONDIFF, VJPS, Rule, special
from .unit import RESOLVED

BINOPS: dict[type[ast.operator], Any] = {
    ast.Add: np.add,
    ast.Sub: np.subtract,
    ast.Mult: np.multiply,
    ast.Div: np.true_divide,
    ast.Pow: np.power,
    ast.MatMult: np.matmul,
    ast.Mod: np.mod,
    ast.FloorDiv: np.floor_divide,
}
UNARYOPS: dict[type[ast.unaryop], Any] = {ast.USub: np.negative, ast.UAdd: np.positive}
NONDIFF_ATTRS = {"shape", "ndim", "size", "dtype", "itemsize", "nbytes", "strides"}
# Functions that read their arguments only (beyond the rule table, which is pure by design).
PURE_BUILTINS = {print, len, range, isinstance, type, repr, str, int, float, bool, tuple, sum}
MUTATING_NUMPY = {np.copyto, np.put, np.place, np.putmask, np.fill_diagonal}
SEQUENCE_LITERALS = (ast.List, ast.Tuple)
# Functions known to return new arrays; any other rule's result may be a view of an argument
# (np.flip, np.diagonal, np.split, np.real, ...), so it counts as an alias.
FRESH = {
    np.sum, np.mean, np.prod, np.max, np.min, np.amax, np.amin, np.dot, np.outer, np.array,
    np.copy, np.concatenate, np.stack, np.zeros_like, np.ones_like, np.full, np.where, np.clip,
    _inplace.snapshot, _inplace.setitem_grad, _inplace.at_grad, _inplace.put_grad,
    _inplace.cleared, _inplace.put_cleared,
}  # fmt: skip


# The methods of a GradList (runtime/lists.py, the adjoint of a list in a generated gradient)
# that return entries, and those that change it: a gradient differentiated again follows them.
GRADLIST_READS = {"pop_or_zeros", "at_or_zeros", "stacked"}
GRADLIST_CHANGES = {"add_parts", "add_to"}

# runtime/inplace.py: a write into an array as a new version (transforms/writes.py)
WRITES = {_inplace.setitem, _inplace.add_at, _inplace.subtract_at, _inplace.put}


def may_alias(op: Op) -> bool:
    """Could the result of `op` share memory with one of its operands?"""
    if op.kind in ("copy", "getitem", "unknown", "opaque", "list", "pop", "write"):
        return True
    if op.kind != "rule":
        return False  # comparisons, sizes: new values
    return not (isinstance(op.func, np.ufunc) or _known(FRESH, op.func))


@dataclass
class Op:
    """A normalized statement's operation, classified.

    kind: "copy" (y = x), "rule" (a VJP rule applies), "nondiff" (result is constant),
    "getitem" (read-only indexing), "unknown" (a call npgrad cannot see into),
    "opaque" (an expression kept whole: lambda, comprehension, conditional expression),
    "list" (a new list: `[a, b]`, `[]`, `list()`, `rt.GradList(n)`), "pop" (`v = hs.pop()`,
    and a GradList's `pop_or_zeros`, `at_or_zeros`, `stacked`: reads of a list), "write"
    (`a_1 = rt.setitem(a, idx, v)` and the other writes of transforms/writes.py).
    """

    kind: str
    node: ast.expr
    func: Any = None
    rule: Rule | None = None
    args: list[ast.expr] = field(default_factory=list)
    keywords: dict[str, ast.expr] = field(default_factory=dict)
    bound: dict[str, ast.expr] = field(default_factory=dict)  # rule parameter -> operand
    lists: dict[str, str] = field(default_factory=dict)  # operand holding a list -> its owner

    @property
    def label(self) -> str:
        from .rules import display_name

        return display_name(self.func) if self.func is not None else type(self.node).__name__


def _known(table: dict[Any, Any], obj: Any) -> bool:
    try:
        return obj in table
    except TypeError:  # unhashable objects are never in the table
        return False


def _callable_op(func: Any, node: ast.expr, args: list[ast.expr], kws: dict[str, ast.expr]) -> Op:
    if not _known(VJPS, func) and "scipy" in sys.modules:
        special.load()  # the user has SciPy loaded: its rules join the table now
    if _known(VJPS, func):
        return Op("rule", node, func, VJPS[func], args, kws)
    if _known(RECURSIVE, func):  # a call of a function to itself (transforms/recursion.py)
        return Op("rule", node, func, RECURSIVE[func], args, kws)
    if _known(FORWARD_ONLY, func):  # a user's JVP only (npgrad.defjvp): refused in reverse
        return Op("rule", node, func, FORWARD_ONLY[func], args, kws)
    if _known(NONDIFF, func):
        return Op("nondiff", node, func, None, args, kws)
    return Op("unknown", node, func, None, args, kws)


def _is_int_dtype(node: ast.expr) -> bool:
    value = getattr(node, RESOLVED, node.value if isinstance(node, ast.Constant) else None)
    try:
        return value is not None and np.dtype(value).kind in "iub"
    except TypeError:
        return False


def classify(value: ast.expr) -> Op:
    """The operation of a normalized right-hand side."""
    if isinstance(value, ast.Name | ast.Constant) or hasattr(value, RESOLVED):
        return Op("copy", value, args=[value])
    if isinstance(value, ast.BinOp):
        return _callable_op(BINOPS.get(type(value.op)), value, [value.left, value.right], {})
    if isinstance(value, ast.UnaryOp):
        if isinstance(value.op, ast.Not | ast.Invert):
            return Op("nondiff", value, args=[value.operand])
        return _callable_op(UNARYOPS[type(value.op)], value, [value.operand], {})
    if isinstance(value, ast.Compare):
        return Op("nondiff", value, args=[value.left, *value.comparators])
    if isinstance(value, ast.List):
        return Op("list", value, args=list(value.elts))
    if isinstance(value, ast.Subscript):
        return Op("getitem", value, args=[value.value, value.slice])
    if isinstance(value, ast.Attribute):
        if value.attr in NONDIFF_ATTRS:
            return Op("nondiff", value, args=[value.value])
        if value.attr == "T":
            return _callable_op(np.transpose, value, [value.value], {})
        return Op("unknown", value, args=[value.value])
    if isinstance(value, ast.Call):
        kws = {kw.arg: kw.value for kw in value.keywords if kw.arg is not None}
        args = list(value.args)
        func = value.func
        if hasattr(func, RESOLVED):
            obj = getattr(func, RESOLVED)
            if _known(WRITES, obj):
                return Op("write", value, obj, None, args, kws)
            if obj is list and not args and not kws or obj is GradList and len(args) == 1:
                return Op("list", value)  # a new list (a GradList: of zeros, a given length)
            return _callable_op(obj, value, args, kws)
        if isinstance(func, ast.Attribute) and func.attr == "pop" and not args and not kws:
            if isinstance(func.value, ast.Name):
                return Op("pop", value, args=[func.value])
        if isinstance(func, ast.Attribute) and func.attr in GRADLIST_READS and not kws:
            if isinstance(func.value, ast.Name):  # a GradList's entries (runtime/lists.py)
                return Op("pop", value, args=[func.value])
        if isinstance(func, ast.Attribute) and func.attr in METHODS:
            target = METHODS[func.attr]
            if func.attr in ("reshape", "transpose") and len(args) > 1:
                args = [ast.Tuple(args, ast.Load())]
            if func.attr == "astype" and _is_int_dtype(args[0] if args else kws.get("dtype")):
                return Op("nondiff", value, target, None, [func.value, *args], kws)
            return _callable_op(target, value, [func.value, *args], kws)
        return Op("unknown", value, None, None, [func, *args], kws)
    return Op("opaque", value)


def names_in(node: ast.AST | None) -> set[str]:
    """Names loaded anywhere inside `node`."""
    if node is None:
        return set()
    return {n.id for n in ast.walk(node) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}


def is_pure(call: ast.Call) -> bool:
    """True when the call cannot change its arguments in place."""
    if any(kw.arg == "out" for kw in call.keywords):
        return False
    func = call.func
    if hasattr(func, RESOLVED):
        obj = getattr(func, RESOLVED)
        if _known(VJPS, obj) or _known(NONDIFF, obj) or _known(PURE_BUILTINS, obj):
            return True
        if _known(FORWARD_ONLY, obj):  # a user's rule says what it computes
            return True
        if _known(WRITES, obj):  # writes a copy (runtime/inplace.py)
            return True
        if _known(RECURSIVE, obj):  # its own body is checked when it is transformed
            return True
        return canonical_path(obj) is not None and not _known(MUTATING_NUMPY, obj)
    return isinstance(func, ast.Attribute) and func.attr in METHODS


# Methods of the reverse sweep's list adjoints (runtime/lists.py) that appear inside a larger
# expression (`dh = dh + dhs.pop_or_zeros(h)`): counted as changing the list, so that dead
# code elimination keeps them and no other read of the list moves across them.
_ADJOINT_LIST_POPS = {"pop_or_zeros", "at_or_zeros"}


def mutated_names(stmt: ast.stmt) -> set[str]:
    """Local names whose memory `stmt` may change in place."""
    return _list_pops(stmt) | _mutated(stmt)


def _list_pops(stmt: ast.stmt) -> set[str]:
    if not isinstance(stmt, ast.Assign | ast.Expr):
        return set()
    return {
        n.func.value.id
        for n in ast.walk(stmt.value)
        if isinstance(n, ast.Call)
        and isinstance(n.func, ast.Attribute)
        and n.func.attr in _ADJOINT_LIST_POPS
        and isinstance(n.func.value, ast.Name)
    }


def _mutated(stmt: ast.stmt) -> set[str]:
    if isinstance(stmt, ast.Assign):
        target = stmt.targets[0]
        if isinstance(target, ast.Subscript | ast.Attribute):
            return names_in(target.value)
        value = stmt.value
    elif isinstance(stmt, ast.Expr):
        value = stmt.value
    else:
        return set()
    if not isinstance(value, ast.Call) or is_pure(value):
        return set()
    if isinstance(value.func, ast.Attribute) and isinstance(value.func.value, ast.Name):
        return {value.func.value.id}  # a method changes its object (`parts.append(v)`)
    found = {a.id for a in value.args if isinstance(a, ast.Name)}
    found |= {kw.value.id for kw in value.keywords if isinstance(kw.value, ast.Name)}
    return found


def stored_into(stmt: ast.stmt) -> str | None:
    """The object a method call may store its arguments in (`parts.append(v)`: parts)."""
    value = getattr(stmt, "value", None)
    if isinstance(stmt, ast.Assign | ast.Expr) and isinstance(value, ast.Call):
        func = value.func
        if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
            if not is_pure(value) and not hasattr(func, RESOLVED):  # not `rt.f(...)`
                return func.value.id
    return None


# ----- shape facts ------------------------------------------------------------------

_ELEMENTWISE = {np.where, np.clip}
_FULL_REDUCTIONS = {np.sum, np.mean, np.prod, np.max, np.min, np.amax, np.amin}


def is_elementwise(op: Op) -> bool:
    """An operation whose result has its operands' broadcast shape, with every operand a
    name or a scalar literal (a list literal or an attribute has a shape we cannot name)."""
    if op.kind == "copy":
        return isinstance(op.args[0], ast.Name)
    if op.kind != "rule":
        return False
    f = op.func
    if not (isinstance(f, np.ufunc) and f.signature is None or f in _ELEMENTWISE):
        return False
    return all(
        isinstance(n, ast.Name)
        or isinstance(n, ast.Constant)
        and isinstance(n.value, int | float | bool | type(None))
        for n in op.bound.values()
    )


def is_full_reduction(op: Op) -> bool:
    if op.kind != "rule" or op.func not in _FULL_REDUCTIONS:
        return False
    unset = ast.Constant(None)
    axis, dtype = (const_value(op.bound.get(k, unset)) for k in ("axis", "dtype"))
    keepdims = const_value(op.bound.get("keepdims", unset))
    return axis is None and dtype is None and keepdims in (None, False, 0)


def operand_names(op: Op) -> list[str]:
    nodes = op.args if op.kind == "copy" else list(op.bound.values())
    return list(dict.fromkeys(n.id for n in nodes if isinstance(n, ast.Name)))


_SCALAR_FUNCS = {len, int, float, bool, np.ndim, np.size}


def infer_scalars(body: list[ast.stmt]) -> set[str]:
    """Names known to hold one number: sizes and shape entries, full reductions, float(),
    and elementwise arithmetic of such. (Used to skip broadcasting bookkeeping.)"""
    scalars: set[str] = set()
    shape_tuples: set[str] = set()
    for stmt in body:
        op = getattr(stmt, "npgrad_op", None)
        if op is None or not isinstance(stmt, ast.Assign):
            continue
        name = stmt.targets[0].id  # type: ignore[attr-defined]
        value = stmt.value
        if isinstance(value, ast.Attribute) and value.attr == "shape" or op.func is np.shape:
            shape_tuples.add(name)
        elif isinstance(value, ast.Attribute) and value.attr in ("ndim", "size"):
            scalars.add(name)
        elif op.kind == "getitem" and isinstance(op.args[0], ast.Name):
            index = op.args[1]
            if op.args[0].id in shape_tuples and isinstance(index, ast.Constant):
                scalars.add(name)
        elif op.kind in ("nondiff", "rule") and _known(_SCALAR_FUNCS, op.func):
            scalars.add(name)
        elif op.kind == "copy" and isinstance(op.args[0], ast.Name):
            if op.args[0].id in scalars:
                scalars.add(name)
        elif is_full_reduction(op):
            scalars.add(name)
        elif is_elementwise(op) and all(n in scalars for n in operand_names(op)):
            scalars.add(name)
    return scalars
