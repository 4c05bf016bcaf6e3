"""shapeinfer: symbolic shapes of the forward values, to prove two shapes equal.

    def ode(K, c, x, v, obs):          called with K (n, n), c (n,), x and v (b, n), obs (s, b, n)
        for t in range(obs.shape[0]):   t: ()
            _matmul3 = x_1 @ K          (b, n)     n of x and the first n of K unified
            _mul5 = c * v_1             (b, n)     broadcast: (n,) with (b, n)
            _getitem11 = obs[t]         (b, n)     an int index drops the first dimension
            _sum14 = np.sum(_pow13)     ()
            err_2 = err_1 + _sum14      ()         err = 0.0 before the loop: () at entry too

A shape is a tuple of dimensions or None (not even its length is known). A dimension is
the constant 1, a `Sym` (a size known not to be 1; symbols that must be equal share a
root, union-find), or None (unknown: it may be 1). Argument dimensions come from
`unit.arg_shapes`, the number of dimensions and which of them are 1 of the arrays the
call was made with (npgrad generates one variant per such key).

Broadcasting aligns shapes on the right: 1 with d gives d, an unknown with a size known
not to be 1 gives that size (NumPy raises otherwise), two sizes known not to be 1 must be
equal for NumPy not to raise, so they are unified. Whatever the analysis does not know
(an unknown call, a slice with bounds, a list, a global array) gets None, and None is
never equal to anything. A name's shape is the one all its assignments agree on (a fixed
point over the statements, so over loops the shape at entry and after an iteration):
dimensions known not to be 1 in both stay so (unified), 1 and 1 stay 1, anything else is
unknown; different lengths give None.

Soundness. The facts that decide anything are exact: the number of dimensions of every
value a name holds, and which of its dimensions are 1 and which are not. Which symbols are
unified is not relied on: every proof the passes draw (transforms/specialize.py) compares
two values that code which runs broadcasts against each other (an operand and the result
of one elementwise operation, a contribution and the value `rt.unbroadcast` sums it down
to, the factors of one product). For such a pair, equal lengths and equal 1-ness at each
place already imply equal shapes: where both sizes are not 1, the broadcast that ran made
them equal. So unifying symbols from code that does not run (an untaken branch, a loop of
no iterations, two loop versions) costs nothing.
"""

from __future__ import annotations

import ast
import builtins
from typing import Any

import numpy as np

from .activity import OP
from .inline import const_value
from .ops import Op
from .unit import RESOLVED, Unit


class Sym:
    """A dimension known not to be 1. Symbols that must be equal share a root."""

    __slots__ = ("parent",)

    def __init__(self) -> None:
        self.parent: Sym = self

    def root(self) -> Sym:
        node = self
        while node.parent is not node:
            node.parent = node.parent.parent
            node = node.parent
        return node


Dim = int | Sym | None  # the constant 1, a size known not to be 1, or unknown
Shape = tuple[Dim, ...] | None

_BOTTOM: Any = object()  # a name not assigned yet
_REDUCTIONS = {np.sum, np.mean, np.prod, np.max, np.min, np.amax, np.amin}
_CREATE = {np.zeros, np.ones, np.empty, np.full}
_CREATE_LIKE = {np.zeros_like, np.ones_like, np.empty_like, np.full_like}
_SCALAR_CALLS = {builtins.len, builtins.int, builtins.float, np.ndim, np.size}
_INT_CALLS = {builtins.len, builtins.int, np.ndim, np.size}


def _dim_equal(a: Dim, b: Dim) -> bool:
    if a is None or b is None:
        return False
    if isinstance(a, Sym) and isinstance(b, Sym):
        return a.root() is b.root()
    return a == b  # both the constant 1 (a Sym never equals an int)


def equal(a: Shape, b: Shape) -> bool:
    """Provably the same shape (None is never equal to anything)."""
    if a is None or b is None or len(a) != len(b):
        return False
    return all(_dim_equal(x, y) for x, y in zip(a, b, strict=True))


def _broadcast_dim(a: Dim, b: Dim) -> Dim:
    if a == 1:
        return b
    if b == 1:
        return a
    if isinstance(a, Sym) and isinstance(b, Sym):
        ra, rb = a.root(), b.root()
        if ra is not rb:
            rb.parent = ra  # equal, or NumPy raises
        return ra
    if isinstance(a, Sym):
        return a.root()  # b is unknown: 1 or a's size
    if isinstance(b, Sym):
        return b.root()
    return None  # both unknown


def broadcast(*shapes: Shape) -> Shape:
    """NumPy's broadcast shape of `shapes`, unifying sizes known not to be 1."""
    if any(s is None for s in shapes):
        return None
    known: list[tuple[Dim, ...]] = [s for s in shapes if s is not None]
    rank = max((len(s) for s in known), default=0)
    out: list[Dim] = []
    for k in range(rank):
        dim: Dim = 1
        for s in known:
            i = k - (rank - len(s))
            if i >= 0:
                dim = _broadcast_dim(dim, s[i])
        out.append(dim)
    return tuple(out)


def join(a: Shape, b: Shape) -> Shape:
    """The shape of a name that holds values of shape a at some times and b at others:
    sizes known not to be 1 in both stay so (and are unified: see the soundness note)."""
    if a is None or b is None or len(a) != len(b):
        return None
    out: list[Dim] = []
    for x, y in zip(a, b, strict=True):
        if isinstance(x, Sym) and isinstance(y, Sym):
            out.append(_broadcast_dim(x, y))
        else:
            out.append(1 if x == 1 and y == 1 else None)
    return tuple(out)


def _kinds(shape: Shape) -> tuple[str, ...] | None:
    """What a shape says besides which symbols are equal: its length and each dimension's
    kind (1, known not to be 1, unknown). Only this decides the fixed point."""
    if shape is None:
        return None
    return tuple("1" if d == 1 else "n" if isinstance(d, Sym) else "?" for d in shape)


def matmul(a: Shape, b: Shape) -> Shape:
    """`a @ b` (and np.dot) for operands of one or two dimensions."""
    if a is None or b is None or not (1 <= len(a) <= 2 and 1 <= len(b) <= 2):
        return None
    inner = a[-1], b[0]
    if isinstance(inner[0], Sym) and isinstance(inner[1], Sym):
        _broadcast_dim(*inner)  # contracted sizes are equal, or NumPy raises
    return a[:-1] + b[1:]


class ShapeFacts:
    """The shape of every forward name; the shapes of expressions built from them."""

    def __init__(self, unit: Unit):
        self.unit = unit
        self.env: dict[str, Any] = {}
        self.excluded: set[str] = set()  # names the reverse sweep also writes: unknown
        self.consts: dict[int, Sym] = {}  # a literal size other than 1 -> its symbol
        self.stores: dict[str, int] = {}
        for node in ast.walk(ast.Module(unit.body, [])):
            if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
                self.stores[node.id] = self.stores.get(node.id, 0) + 1
        self.ints, self.dim_of, self.shape_tuples = _int_facts(unit.body, self.stores)
        if not _changes_shapes_in_place(unit.body):
            self._solve()

    # ----- the fixed point over the forward statements --------------------------------

    def _param_shapes(self) -> dict[str, Shape]:
        tree = self.unit.tree
        varargs: set[str] = set()
        if tree is not None and tree.args.vararg is not None:
            # *args holds a tuple; the API keys positions by name, so the call's arrays
            # after the first positional ones may be listed under *args or a keyword-only name
            varargs = {tree.args.vararg.arg, *(a.arg for a in tree.args.kwonlyargs)}
        found: dict[str, Shape] = dict.fromkeys(self.unit.params)
        for name, (nd, ones) in self.unit.arg_shapes.items():
            if name in varargs or name not in found or len(ones) != nd:
                continue
            found[name] = tuple(1 if one else Sym() for one in ones)
        return found

    def _solve(self) -> None:
        """Assign every name the one shape all its assignments give, else None: passes
        over the statements in order until nothing changes (each name goes at most from
        unassigned to a shape to None, so this ends)."""
        self.env = dict(self._param_shapes())
        for _ in range(8 * len(self.stores) + 8):
            self.changed = False
            self._block(self.unit.body)
            if not self.changed:
                break
        else:
            self.env = {}

    def _assign(self, name: str, shape: Shape) -> None:
        old = self.env.get(name, _BOTTOM)
        if old is _BOTTOM:
            self.env[name] = shape
            self.changed = True
            return
        new = join(old, shape)
        if _kinds(new) != _kinds(old):
            self.changed = True
        self.env[name] = new

    def _block(self, body: list[ast.stmt]) -> None:
        for stmt in body:
            if isinstance(stmt, ast.If):
                self._block(stmt.body)
                self._block(stmt.orelse)
            elif isinstance(stmt, ast.For | ast.While):
                if isinstance(stmt, ast.For):
                    counted = _is_range(stmt.iter) and isinstance(stmt.target, ast.Name)
                    for name in _stored(stmt.target):
                        self._assign(name, () if counted else None)
                self._block(stmt.body)
                self._block(stmt.orelse)
            elif (
                isinstance(stmt, ast.Assign)
                and len(stmt.targets) == 1
                and isinstance(stmt.targets[0], ast.Name)
            ):
                op = getattr(stmt, OP, None)
                self._assign(stmt.targets[0].id, self._op_shape(op) if op is not None else None)
            else:
                for name in _stored_anywhere(stmt):
                    self._assign(name, None)

    # ----- one operation ----------------------------------------------------------------

    def shape(self, name: str) -> Shape:
        if name in self.excluded:
            return None
        return self.env.get(name)  # type: ignore[no-any-return]

    def operand(self, node: ast.expr) -> Shape:
        """The shape of a normalized operand: a name, a number, a global number."""
        if isinstance(node, ast.Constant):
            return () if isinstance(node.value, int | float | complex) else None
        if isinstance(getattr(node, RESOLVED, None), int | float | complex):
            return ()  # a global or closure number, such as a step size
        if isinstance(node, ast.Name):
            return self.shape(node.id)
        return None

    def _op_shape(self, op: Op) -> Shape:
        node, f = op.node, op.func
        if op.kind == "copy":
            return self.operand(op.args[0])
        if isinstance(node, ast.Attribute):
            return self._attribute(node)
        if op.kind == "getitem":
            base, index = op.args
            if not isinstance(base, ast.Name) or base.id in self.shape_tuples:
                return () if isinstance(base, ast.Name) and _is_int(index, set()) else None
            return _index(self.shape(base.id), index, self.ints)
        if isinstance(node, ast.Compare):
            if not _elementwise_compare(node):
                return None
            return broadcast(*(self.operand(a) for a in op.args))
        if f is None or op.keywords and not _known(_REDUCTIONS | _CREATE, f):
            return None
        if _is_elementwise(f):
            return self._elementwise(f, op.args)
        if _known(_REDUCTIONS, f) and op.kind == "rule":
            return self._reduction(op)
        if (f is np.matmul or f is np.dot) and len(op.args) == 2:
            return matmul(*(self.operand(a) for a in op.args))
        if f is np.transpose and len(op.args) == 1:
            return _transposed(self.operand(op.args[0]))
        if _known(_CREATE, f):
            return self._created(op)
        if _known(_CREATE_LIKE, f) and len(op.args) == 1:
            return self.operand(op.args[0])
        if _known(_SCALAR_CALLS, f) and len(op.args) == 1:
            return ()
        return None

    def _elementwise(self, f: Any, args: list[ast.expr]) -> Shape:
        if f is np.clip:  # a_min or a_max may be None
            if len(args) != 3:
                return None
            args = [a for a in args if not (isinstance(a, ast.Constant) and a.value is None)]
        elif len(args) != (3 if f is np.where else f.nin):
            return None
        return broadcast(*(self.operand(a) for a in args))

    def _reduction(self, op: Op) -> Shape:
        unset = ast.Constant(None)
        shape = self.operand(op.bound.get("a", unset))
        axis = const_value(op.bound.get("axis", unset))
        keepdims = const_value(op.bound.get("keepdims", unset))
        if shape is None or keepdims not in (None, False, True):
            return None
        if axis is None:
            return tuple(1 for _ in shape) if keepdims else ()
        axes = axis if isinstance(axis, tuple) else (axis,)
        if not all(type(a) is int and -len(shape) <= a < len(shape) for a in axes):
            return None
        axes = tuple(a % len(shape) for a in axes)
        if len(set(axes)) != len(axes):
            return None
        if keepdims:
            return tuple(1 if k in axes else d for k, d in enumerate(shape))
        return tuple(d for k, d in enumerate(shape) if k not in axes)

    def _attribute(self, node: ast.Attribute) -> Shape:
        if node.attr in ("ndim", "size"):
            return ()
        if node.attr == "T" and isinstance(node.value, ast.Name):
            return _transposed(self.shape(node.value.id))
        return None  # `.shape` is a tuple, not an array

    def _dim(self, name: str) -> Dim:
        """The size held by a name set from `x.shape[k]` or `len(x)`, as a dimension."""
        base, k = self.dim_of[name]
        shape = self.shape(base)
        if shape is None or not -len(shape) <= k < len(shape):
            return None
        return shape[k]

    def _created(self, op: Op) -> Shape:
        """np.zeros((n, m)), np.full(shape, v): sizes from literals or from names holding
        a dimension's size (`xs.shape[1]`), or a name holding a whole `.shape`."""
        spec = op.args[0] if op.args else op.keywords.get("shape")
        if spec is None or "shape" in op.keywords and op.args:
            return None
        if isinstance(spec, ast.Name) and spec.id in self.shape_tuples:
            return self.shape(self.shape_tuples[spec.id])
        items = spec.elts if isinstance(spec, ast.Tuple | ast.List) else [spec]
        dims: list[Dim] = []
        for item in items:
            value = const_value(item)
            if type(value) is int and value >= 0:
                dims.append(1 if value == 1 else self.consts.setdefault(value, Sym()))
            elif isinstance(item, ast.Name) and item.id in self.dim_of:
                dims.append(self._dim(item.id))
            else:
                return None
        return tuple(dims)

    # ----- expressions of the reverse sweep ---------------------------------------------

    def expr(self, node: ast.expr, extra: dict[str, Shape] | None = None) -> Shape:
        """The shape of an expression the reverse sweep wrote: names (forward values, or
        `extra`, such as an adjoint of known shape), numbers, arithmetic, NumPy's
        elementwise functions, `.T`, `@`, `rt.unbroadcast`, `np.broadcast_to(g, np.shape(t))`."""
        extra = extra or {}
        if isinstance(node, ast.Name):
            if node.id in extra:
                return extra[node.id]
            return self.operand(node)
        if isinstance(node, ast.Constant):
            return self.operand(node)
        if isinstance(node, ast.BinOp):
            left, right = self.expr(node.left, extra), self.expr(node.right, extra)
            if isinstance(node.op, ast.MatMult):
                return matmul(left, right)
            return broadcast(left, right)
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub | ast.UAdd):
            return self.expr(node.operand, extra)
        if isinstance(node, ast.Compare) and _elementwise_compare(node):
            return broadcast(self.expr(node.left, extra), self.expr(node.comparators[0], extra))
        if isinstance(node, ast.Attribute):
            if node.attr == "T":
                shape = self.expr(node.value, extra)
                return None if shape is None else shape[::-1]
            value = self._module_attr(node, self.unit.np)
            return () if isinstance(value, float) else None
        if isinstance(node, ast.Call) and not node.keywords:
            return self._call(node, extra)
        return None

    def _call(self, node: ast.Call, extra: dict[str, Shape]) -> Shape:
        args = node.args
        if any(isinstance(a, ast.Starred) for a in args):
            return None
        f = self._module_attr(node.func, self.unit.np)
        if f is not None and _is_elementwise(f) and f is not np.clip:
            if len(args) != (3 if f is np.where else f.nin):
                return None
            return broadcast(*(self.expr(a, extra) for a in args))
        if f is np.broadcast_to and len(args) == 2:
            return self.shape_arg(args[1], extra)
        helper = self._module_attr(node.func, self.unit.rt, value=False)
        if helper == "unbroadcast" and len(args) >= 2:
            return broadcast(*(self.expr(a, extra) for a in args[1:]))
        return None

    def shape_arg(self, node: ast.expr, extra: dict[str, Shape] | None = None) -> Shape:
        """The shape a `np.shape(t)` or `rt.shape_of(a, b)` expression evaluates to."""
        if not isinstance(node, ast.Call) or node.keywords:
            return None
        if self._module_attr(node.func, self.unit.np) is np.shape and len(node.args) == 1:
            return self.expr(node.args[0], extra)
        if self._module_attr(node.func, self.unit.rt, value=False) == "shape_of":
            return broadcast(*(self.expr(a, extra) for a in node.args))
        return None

    def _module_attr(self, node: ast.expr, module: str, value: bool = True) -> Any:
        """`np.cos` -> np.cos (or its name), when `node` is an attribute of the module alias."""
        if (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.value.id == module
        ):
            return getattr(np, node.attr, None) if value else node.attr
        return None


# ----- helpers ----------------------------------------------------------------------------


def _known(table: set[Any], obj: Any) -> bool:
    try:
        return obj in table
    except TypeError:
        return False


def _is_elementwise(f: Any) -> bool:
    """A function whose result has its operands' broadcast shape."""
    if isinstance(f, np.ufunc):
        return f.signature is None and f.nout == 1
    return f is np.where or f is np.clip


def _is_range(node: ast.expr) -> bool:
    return isinstance(node, ast.Call) and getattr(node.func, RESOLVED, None) is range


def _stored(target: ast.expr) -> list[str]:
    return [n.id for n in ast.walk(target) if isinstance(n, ast.Name)]


def _stored_anywhere(stmt: ast.stmt) -> list[str]:
    return [
        n.id for n in ast.walk(stmt) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)
    ]


def _elementwise_compare(node: ast.Compare) -> bool:
    """`a < b`, `a == b`, ...: elementwise on arrays (not `is`, `in`, nor chained)."""
    return len(node.ops) == 1 and isinstance(
        node.ops[0], ast.Lt | ast.LtE | ast.Gt | ast.GtE | ast.Eq | ast.NotEq
    )


def _transposed(shape: Shape) -> Shape:
    return None if shape is None else shape[::-1]


def _is_int(node: ast.expr, ints: set[str]) -> bool:
    """A literal int, or a name known to hold a Python int."""
    if isinstance(node, ast.Constant):
        return type(node.value) is int
    return isinstance(node, ast.Name) and node.id in ints


def _int_facts(
    body: list[ast.stmt], stores: dict[str, int]
) -> tuple[set[str], dict[str, tuple[str, int]], dict[str, str]]:
    """Names that only ever hold a Python int (range loop indices, `len(x)`, `x.ndim`,
    `x.shape[k]`); of those assigned once, which hold a dimension's size (`x.shape[k]`:
    (x, k)); names assigned once from `x.shape` (-> x)."""
    shape_tuples: dict[str, str] = {}
    int_stores: dict[str, int] = {}
    dim_of: dict[str, tuple[str, int]] = {}
    for node in ast.walk(ast.Module(body, [])):
        if isinstance(node, ast.For) and _is_range(node.iter) and isinstance(node.target, ast.Name):
            int_stores[node.target.id] = int_stores.get(node.target.id, 0) + 1
        if not (isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name)):
            continue
        name, value = node.targets[0].id, node.value
        once = stores.get(name) == 1
        if isinstance(value, ast.Attribute) and isinstance(value.value, ast.Name):
            if value.attr == "shape" and once:
                shape_tuples[name] = value.value.id
            if value.attr in ("ndim", "size"):
                int_stores[name] = int_stores.get(name, 0) + 1
        elif isinstance(value, ast.Subscript) and isinstance(value.value, ast.Name):
            k = const_value(value.slice)
            if value.value.id in shape_tuples and type(k) is int:
                int_stores[name] = int_stores.get(name, 0) + 1
                if once:
                    dim_of[name] = (shape_tuples[value.value.id], k)
        elif isinstance(value, ast.Call) and len(value.args) == 1 and not value.keywords:
            func = getattr(value.func, RESOLVED, None)
            if _known(_INT_CALLS, func):
                int_stores[name] = int_stores.get(name, 0) + 1
                if func is builtins.len and once and isinstance(value.args[0], ast.Name):
                    dim_of[name] = (value.args[0].id, 0)
    ints = {n for n, c in int_stores.items() if c == stores.get(n)}
    return ints, {n: d for n, d in dim_of.items() if n in ints}, shape_tuples


def _index(shape: Shape, index: ast.expr, ints: set[str]) -> Shape:
    """The shape of `x[index]` for ints (known to be Python ints), full slices `:` and
    None (a new axis of 1); anything else (a slice with bounds, an array, `...`): None."""
    if shape is None:
        return None
    parts = index.elts if isinstance(index, ast.Tuple) else [index]
    out: list[Dim] = []
    k = 0
    for part in parts:
        if isinstance(part, ast.Constant) and part.value is None:
            out.append(1)
            continue
        if k >= len(shape):
            return None
        if _is_int(part, ints):
            k += 1
        elif isinstance(part, ast.Slice) and part.lower is part.upper is part.step is None:
            out.append(shape[k])
            k += 1
        else:
            return None
    return (*out, *shape[k:])


def _changes_shapes_in_place(body: list[ast.stmt]) -> bool:
    """`x.shape = ...`, `x.resize(...)`, `setattr(...)`: an array's shape may change under
    its names."""
    for node in ast.walk(ast.Module(body, [])):
        if isinstance(node, ast.Attribute):
            if node.attr == "resize" or node.attr == "shape" and isinstance(node.ctx, ast.Store):
                return True
        if isinstance(node, ast.Name) and getattr(node, RESOLVED, None) is builtins.setattr:
            return True
    return False


def infer(unit: Unit) -> ShapeFacts:
    """The shapes of the forward values of `unit` (after normalize and activity)."""
    return ShapeFacts(unit)
