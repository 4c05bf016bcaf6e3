"""standard: NumPy code in the Array API standard's forms, for retarget (transforms/retarget.py)
and for npgrad's own helpers loaded over an Array API namespace (npgrad/backends.py).

    g * (x > 0)           ->  g * rt.as_dtype(x > 0, rt.dtype_of(g))   (float32 stays float32)
    (x > 0) * (y < 1)     ->  (x > 0) & (y < 1)
    a[i, 1:] = v          ->  a = rt.set_where(a, (i, slice(1, None)), v)   (index helpers)

The standard has no arithmetic on booleans and no Python numbers where arrays are wanted;
these helpers find boolean values (`is_boolean`, `boolean_names`), arrays no other name can
see (`unshared_arrays`), and simple indices that a `where` can write (`index_value`).
"""

from __future__ import annotations

import ast
import copy
from collections.abc import Callable
from typing import Any

import numpy

from npgrad import backends

from .resolve import attr_chain


class BooleanArithmetic(ast.NodeTransformer):
    """Arithmetic with a boolean operand in the standard's form (it has none on booleans):
    the mask is cast to the dtype NumPy's promotion would give it with the other operand
    (`dtype_of(other)`), the other operand evaluated once and in its place; `m1 * m2` is
    `m1 & m2`, `m1 + m2` is `m1 | m2`. Used on generated code and on npgrad's helpers
    (`standard_source`)."""

    def __init__(
        self,
        alias: str,
        names: frozenset[str],
        fresh: Callable[[str], str],
        dtype_of: Callable[[ast.expr], ast.expr],
        as_dtype: Callable[[], ast.expr],
    ) -> None:
        self.alias, self.names, self.fresh, self.dtype_of = alias, names, fresh, dtype_of
        self.as_dtype = as_dtype  # the cast: a helper that leaves Python bools as they are

    def visit_BinOp(self, node: ast.BinOp) -> ast.expr:
        self.generic_visit(node)
        return self.rewrite(node)

    def visit_Call(self, node: ast.Call) -> ast.expr:
        self.generic_visit(node)
        return self.reduce(node)

    def reduce(self, node: ast.Call) -> ast.expr:
        """`sum(mask)`, `mean(mask)`: the mask as float64 (exact counts; NumPy counts in int64,
        which the standard would not let divide or multiply floats)."""
        func = node.func
        if not (
            isinstance(func, ast.Attribute)
            and isinstance(func.value, ast.Name)
            and func.value.id == self.alias
            and func.attr in _BOOLEAN_REDUCTIONS
        ):
            return node
        if node.args and is_boolean(node.args[0], self.alias, self.names):
            dtype = attr_chain(self.alias, (_BOOLEAN_REDUCTIONS[func.attr],))
            node.args[0] = self.astype(node.args[0], dtype)
        return node

    def rewrite(self, node: ast.BinOp) -> ast.expr:
        if not isinstance(node.op, _ARITHMETIC):
            return node
        left = is_boolean(node.left, self.alias, self.names)
        right = is_boolean(node.right, self.alias, self.names)
        if left and right:
            if isinstance(node.op, ast.Mult | ast.Add):  # NumPy: and, or
                op = ast.BitAnd() if isinstance(node.op, ast.Mult) else ast.BitOr()
                return ast.copy_location(ast.BinOp(node.left, op, node.right), node)
            if isinstance(node.op, ast.Div):  # NumPy: float64 division
                node.left = self.astype(node.left, attr_chain(self.alias, ("float64",)))
                node.right = self.astype(node.right, attr_chain(self.alias, ("float64",)))
            return node
        if left:
            node.left, node.right = self.cast(node.left, node.right, first=False)
        elif right:
            node.right, node.left = self.cast(node.right, node.left, first=True)
        return node

    def cast(self, mask: ast.expr, other: ast.expr, first: bool) -> tuple[ast.expr, ast.expr]:
        """(mask cast for arithmetic with `other`, other); `first`: other is the left
        operand."""
        number = constant_value(other, "")
        if number is not None:
            if isinstance(number, bool):
                return mask, other
            name = "complex128" if isinstance(number, complex) else "float64"
            return self.astype(mask, attr_chain(self.alias, (name,))), other
        if _is_plain(other):
            return self.astype(mask, self.dtype_of(copy_expr(other))), other
        temp = self.fresh("_operand")
        bound = ast.NamedExpr(ast.Name(temp, ast.Store()), other)
        if first:  # other is evaluated first: bind it, then read it in the mask's dtype
            return self.astype(mask, self.dtype_of(ast.Name(temp, ast.Load()))), bound
        # the mask comes first: bind other inside the cast, read it after
        return self.astype(mask, self.dtype_of(bound)), ast.Name(temp, ast.Load())

    def astype(self, value: ast.expr, dtype: ast.expr) -> ast.expr:
        call = ast.Call(self.as_dtype(), [value, dtype], [])
        return ast.copy_location(call, value)


def standard_source(source: str) -> str:
    """A runtime helper module's source with its arithmetic on booleans in the standard's
    form (npgrad.backends.runtime loads the helpers this way for Array API namespaces)."""
    tree = ast.parse(source)
    counter = iter(range(1, 1 << 30))

    def fresh(base: str) -> str:
        return f"_npgrad{base}{next(counter)}"

    def dtype_of(value: ast.expr) -> ast.expr:
        return ast.Call(ast.Name("_npgrad_dtype_of", ast.Load()), [value], [])

    changed = False
    for func in ast.walk(tree):
        if isinstance(func, ast.FunctionDef):
            names = boolean_names(func, "np")
            before = ast.dump(func)
            cast = lambda: ast.Name("_npgrad_as_dtype", ast.Load())  # noqa: E731
            BooleanArithmetic("np", names, fresh, dtype_of, cast).visit(func)
            changed = changed or ast.dump(func) != before
    if not changed:
        return source
    # at the end: read when a helper runs, and compat.py itself can import it
    line = "from .compat import as_dtype as _npgrad_as_dtype, dtype_of as _npgrad_dtype_of"
    tree.body.append(ast.parse(line).body[0])
    return ast.unparse(ast.fix_missing_locations(tree))


_BOOLEAN_REDUCTIONS = {"sum": "float64", "mean": "float64"}  # no int-float mixing
_ARITHMETIC = (ast.Add, ast.Sub, ast.Mult, ast.Div, ast.FloorDiv, ast.Mod, ast.Pow)
# functions of the standard whose result is boolean
_BOOLEAN_FUNCS = frozenset(
    {
        "logical_and",
        "logical_or",
        "logical_xor",
        "logical_not",
        "isnan",
        "isinf",
        "isfinite",
        "signbit",
        "equal",
        "not_equal",
        "less",
        "less_equal",
        "greater",
        "greater_equal",
    }
)


def is_boolean(node: ast.expr, alias: str, names: frozenset[str] | set[str]) -> bool:
    """Is `node` (retargeted code) certainly a boolean array or value: a comparison, `&`,
    `|`, `^`, `~` of those, a logical function or a name only ever bound to one?"""
    if isinstance(node, ast.Compare):
        return True
    if isinstance(node, ast.Name):
        return node.id in names
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Invert):
        return is_boolean(node.operand, alias, names)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitAnd | ast.BitOr | ast.BitXor):
        return is_boolean(node.left, alias, names) and is_boolean(node.right, alias, names)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
        base = node.func.value
        return isinstance(base, ast.Name) and base.id == alias and node.func.attr in _BOOLEAN_FUNCS
    return False


def boolean_names(tree: ast.AST, np_name: str) -> frozenset[str]:
    """The names every binding of which is a boolean expression (`_cmp1 = x > 0`), read
    before retargeting (so NumPy's names: `np.isnan`)."""
    values: dict[str, list[ast.expr]] = {}
    plain: set[int] = set()  # the targets of `name = value`
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target = node.targets[0]
            if isinstance(target, ast.Name):
                values.setdefault(target.id, []).append(node.value)
                plain.add(id(target))
            elif isinstance(target, ast.Tuple) and _is_tape_pop(node.value):
                plain.update(id(e) for e in target.elts)  # the values the tape saved
    other: set[str] = set()  # bound some other way: for targets, tuples, arguments, +=
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and not isinstance(node.ctx, ast.Load):
            if id(node) not in plain:
                other.add(node.id)
        elif isinstance(node, ast.arg):
            other.add(node.arg)
    names = set(values) - other
    while True:
        kept = {n for n in names if all(is_boolean(v, np_name, names) for v in values[n])}
        if kept == names:
            return frozenset(names)
        names = kept


# NumPy functions that make a new array from shapes (the arrays a write may rebind)
_FRESH = frozenset({"zeros", "ones", "empty", "full", "zeros_like", "ones_like", "empty_like"})
_FRESH |= {"full_like", "eye", "identity", "arange", "linspace", "copy", "array"}


def unshared_arrays(tree: ast.AST, np_name: str) -> frozenset[str]:
    """The names of arrays the function makes (`a = np.zeros(n)`, every binding) and reads
    only in arithmetic, comparisons, ufunc calls, reductions and `return`, directly or
    indexed: no other name can share their memory, so a write may rebind them."""
    parents: dict[int, ast.AST] = {}
    for node in ast.walk(tree):
        for child in ast.iter_child_nodes(node):
            parents[id(child)] = node
    made: dict[str, bool] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.arg):
            made[node.arg] = False
        if not isinstance(node, ast.Name) or isinstance(node.ctx, ast.Load):
            continue
        parent = parents.get(id(node))
        fresh = (
            isinstance(parent, ast.Assign)
            and parent.targets == [node]
            and isinstance(parent.value, ast.Call)
            and _np_call_name(parent.value, np_name) in _FRESH
        )
        made[node.id] = made.get(node.id, True) and fresh
    names = {n for n, ok in made.items() if ok}
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load) and node.id in names:
            use: ast.AST = node
            parent = parents.get(id(use))
            if isinstance(parent, ast.Subscript) and parent.value is use:
                if isinstance(parent.ctx, ast.Store):
                    continue  # the write itself
                use, parent = parent, parents.get(id(parent))
            if isinstance(parent, ast.BinOp | ast.UnaryOp | ast.Compare | ast.Return):
                continue
            if isinstance(parent, ast.AugAssign) and parent.value is use:
                continue
            if isinstance(parent, ast.Call) and use in parent.args:
                func = backends.lookup(numpy, (_np_call_name(parent, np_name) or "-",))
                if isinstance(func, numpy.ufunc) or _np_call_name(parent, np_name) in (
                    "sum",
                    "mean",
                    "prod",
                    "max",
                    "min",
                    "dot",
                    "matmul",
                ):
                    continue
            names.discard(node.id)
    return frozenset(names)


def _np_call_name(call: ast.Call, np_name: str) -> str | None:
    func = call.func
    if (
        isinstance(func, ast.Attribute)
        and isinstance(func.value, ast.Name)
        and func.value.id == np_name
    ):
        return func.attr
    return None


def _is_tape_pop(value: ast.expr) -> bool:
    """`tape.pop()`: the reverse sweep restoring the values a loop's forward pass saved."""
    return (
        isinstance(value, ast.Call)
        and isinstance(value.func, ast.Attribute)
        and value.func.attr == "pop"
        and isinstance(value.func.value, ast.Name)
        and value.func.value.id.startswith("tape")
        and not value.args
    )


def _is_negated_constant(node: ast.expr) -> bool:
    return (
        isinstance(node, ast.UnaryOp)
        and isinstance(node.op, ast.USub | ast.UAdd)
        and isinstance(node.operand, ast.Constant)
    )


def _is_plain(node: ast.expr) -> bool:
    """A name or an attribute of one: reading it twice costs nothing and changes nothing."""
    while isinstance(node, ast.Attribute):
        node = node.value
    return isinstance(node, ast.Name)


def constant_value(node: ast.expr, alias: str) -> Any:
    """The Python number (or bool) `node` stands for, or None."""
    if isinstance(node, ast.Constant) and isinstance(node.value, bool | int | float | complex):
        return node.value
    if _is_negated_constant(node):
        value = constant_value(node.operand, alias)  # type: ignore[attr-defined]
        if value is None or isinstance(value, bool):
            return None
        return -value if isinstance(node.op, ast.USub) else value  # type: ignore[attr-defined]
    if (
        isinstance(node, ast.Attribute)
        and isinstance(node.value, ast.Name)
        and node.value.id == alias
        and node.attr in ("pi", "e")
    ):
        return float(getattr(numpy, node.attr))
    return None


def is_rt(func: ast.expr, rt: str, name: str) -> bool:
    return (
        isinstance(func, ast.Attribute)
        and func.attr == name
        and isinstance(func.value, ast.Name)
        and func.value.id == rt
    )


def simple_index(index: ast.expr) -> bool:
    """An index that may be ints, slices and `...` (names are checked when the code runs);
    lists, `None`, comparisons and the like are not."""
    parts = index.elts if isinstance(index, ast.Tuple) else [index]
    for part in parts:
        if isinstance(part, ast.Slice | ast.Name | ast.Attribute | ast.BinOp | ast.UnaryOp):
            continue
        if isinstance(part, ast.Constant) and (
            part.value is Ellipsis
            or isinstance(part.value, int)
            and not isinstance(part.value, bool)
        ):
            continue
        return False
    return True


def index_value(index: ast.expr) -> ast.expr:
    """A subscript's index as a value: `1:, 0` -> `(slice(1, None), 0)`."""

    def part(node: ast.expr) -> ast.expr:
        if isinstance(node, ast.Slice):
            bounds = [node.lower, node.upper, node.step]
            while len(bounds) > 2 and bounds[-1] is None:
                bounds.pop()
            args = [ast.Constant(None) if b is None else b for b in bounds]
            return ast.Call(ast.Name("slice", ast.Load()), args, [])
        return node

    if isinstance(index, ast.Tuple):
        return ast.Tuple([part(e) for e in index.elts], ast.Load())
    return part(index)


def copy_expr(node: ast.expr) -> ast.expr:
    return copy.deepcopy(node)
