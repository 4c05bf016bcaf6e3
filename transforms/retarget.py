"""retarget: the generated code (or, for `npgrad.retarget`, the user's own function) for
another backend. Every `np.<name>` becomes the backend's function under its alias, a
function the backend lacks is refused here, at transform time, naming it.

    backend="cupy"                           backend="array_api_strict"
    d = np.exp(-z)        ->  d = cp.exp(-z)          d = xp.exp(-z)
    np.arccos(x)          ->  cp.arccos(x)            xp.acos(x)
    np.sum(g, 0)          ->  cp.sum(g, 0)            xp.sum(g, axis=0)
    np.concatenate([a, b])->  cp.concatenate([a, b])  xp.concat([a, b])
    np.dot(a, b)          ->  cp.dot(a, b)            rt.dot(a, b)
    w.sum(axis=0)         ->  w.sum(axis=0)           xp.sum(w, axis=0)
    rt.unbroadcast(g, x)  ->  rt.unbroadcast(g, x)    (rt: npgrad's helpers over the backend)

The helpers a generated module calls are checked too: each NumPy function a helper uses
(read from the helper's source) must exist in the backend. For an Array API namespace the
arguments follow the standard's signature (keyword-only parameters by keyword), and ndarray
methods the standard's array object lacks become function calls. The standard has no
arithmetic on booleans and no Python numbers where arrays are wanted, so there

    g * (x > 0)           ->  g * rt.as_dtype(x > 0, rt.dtype_of(g))   (the other operand's
    rt.f(a) * (x > 0)     ->  (_operand := rt.f(a)) * rt.as_dtype(x > 0, rt.dtype_of(_operand))
    (x > 0) * (y < 1)     ->  (x > 0) & (y < 1)                       dtype: float32 stays)
    np.log(2.0)           ->  0.6931471805599453        (ufuncs of constants, folded)
    np.result_type(m, x)  ->  rt.result_type_of(m, x)   (booleans promote as in NumPy)
    np.s_[1:, 0]          ->  (slice(1, None), 0)

and for a namespace whose arrays cannot be written in place (`Backend.writes_in_place`),
a write the earlier passes left in place becomes a new array built with `where`:

    a[i, 1:] = v          ->  a = rt.set_where(a, (i, slice(1, None)), v)
    rt.setitem(a, i, v)   ->  rt.set_where(a, i, v)     (int, slice and ... indices)

and a write into anything but a plain name is refused here.
"""

from __future__ import annotations

import ast
import functools
import inspect
from typing import Any

import numpy

from npgrad import backends
from npgrad.errors import TransformError

from .resolve import attr_chain, canonical_path
from .reverse import is_comment
from .standard import (
    BooleanArithmetic,
    boolean_names,
    constant_value,
    copy_expr,
    index_value,
    is_boolean,
    is_rt,
    simple_index,
    unshared_arrays,
)
from .unit import RESOLVED, Unit

# (helper, NumPy path) pairs where the helper applies the function only to host data
# (shapes, axes, sizes), so it runs on NumPy whatever the backend
HOST_DATA = {
    ("shape_of", ("broadcast_shapes",)),
    ("reduced_size", ("prod",)),
    ("prod_vjp", ("argsort",)),
    ("unconcatenate", ("cumsum",)),
}
SCIPY = ("<scipy>",)  # marks a helper that calls SciPy
# helpers that write into arrays only for array indices (`setitem_grad`: duplicate
# indices), which `rt.set_where` refuses anyway on a namespace without in-place writes
WRITES_FOR_ARRAY_INDICES = frozenset({"setitem_grad"})


def primal(unit: Unit) -> Unit:
    """The user's function itself as the generated module (for `npgrad.retarget`)."""
    assert unit.tree is not None
    unit.out = ast.Module([unit.tree], [])
    return unit


def retarget(unit: Unit) -> Unit:
    """Rewrite `unit.out` for `unit.backend` (nothing to do for NumPy)."""
    if unit.backend == "numpy":
        return unit
    assert unit.out is not None
    backend = backends.get(unit.backend)
    backend.namespace  # noqa: B018 (import now: a missing library is a clear error)
    alias = backend.alias
    if alias in unit.names.taken and alias != unit.np:
        alias = unit.names.fresh(backend.alias + "_")
    unit.names.taken.add(alias)
    retargeter = _Retarget(unit, backend, alias)
    if backend.standard:
        retargeter.bool_names = boolean_names(unit.out, unit.np)
    if not backend.writes_in_place and unit.out.body and unit.out.body[0] is unit.tree:
        # the user's own code (npgrad.retarget): no alias analysis ran, so only writes into
        # arrays no other name can see become new arrays
        retargeter.rebindable = unshared_arrays(unit.out, unit.np)
    retargeter.visit(unit.out)
    unit.aliases["np"] = alias
    return unit


class _Retarget(ast.NodeTransformer):
    def __init__(self, unit: Unit, backend: backends.Backend, alias: str) -> None:
        self.unit, self.backend, self.alias = unit, backend, alias
        self.stmt: ast.AST | None = None
        self.comment = ""  # the last `# grad of:` line seen
        self.bool_names: frozenset[str] = frozenset()  # names only ever bound to booleans
        # names a write may rebind (None: all, the writes pass checked aliases)
        self.rebindable: frozenset[str] | None = None

    def visit(self, node: ast.AST) -> Any:
        if isinstance(node, ast.stmt):
            if is_comment(node):
                text = str(node.value.value)  # type: ignore[attr-defined]
                if text.startswith("grad of: "):
                    self.comment = text.removeprefix("grad of: ").splitlines()[0].strip()
                return node
            outer, self.stmt = self.stmt, node
            try:
                return super().visit(node)
            finally:
                self.stmt = outer
        return super().visit(node)

    def fail(self, message: str, node: ast.AST, hint: str) -> None:
        if self.comment:  # the reverse sweep: its nodes may carry a rule template's positions
            self.unit.error(TransformError, message, self.reverse_of(), hint)
        for where in (node, self.stmt):
            if where is not None and getattr(where, "lineno", None):
                self.unit.error(TransformError, message, where, hint)
        self.unit.error(TransformError, message, self.reverse_of(), hint)

    def reverse_of(self) -> ast.AST | None:
        """The user's statement a reverse-sweep statement came from (its `# grad of:` line)."""
        first = self.unit.tree.lineno if self.unit.tree is not None else 1
        for lineno in range(first, len(self.unit.lines) + 1):
            line = self.unit.lines[lineno - 1]
            if self.comment and line.strip() == self.comment:
                col = len(line) - len(line.lstrip())
                spot = ast.Pass()
                spot.lineno, spot.col_offset = lineno, col
                spot.end_lineno, spot.end_col_offset = lineno, len(line.rstrip())
                return spot
        return None

    # --- np.<path> ----------------------------------------------------------------

    def path_of(self, node: ast.expr) -> tuple[str, ...] | None:
        parts: list[str] = []
        while isinstance(node, ast.Attribute):
            parts.append(node.attr)
            node = node.value
        if isinstance(node, ast.Name) and node.id == self.unit.np:
            return tuple(reversed(parts))
        return None

    def mapped(self, path: tuple[str, ...], node: ast.expr) -> ast.expr:
        target = self.backend.target(path)
        if target is None:
            name = "numpy." + ".".join(path)
            self.fail(
                f"{name} has no {self.backend.label} counterpart, so this code cannot run on "
                f"backend {self.backend.name!r}",
                node,
                f"compute this part with NumPy (backend='numpy'), or write it with functions "
                f"{self.backend.module} has",
            )
        root, where = target  # type: ignore[misc]
        if root == "rt":
            self.check_helper(where[0], node)
            new = attr_chain(self.unit.rt, where)
        else:
            new = attr_chain(self.alias, where)
        return ast.copy_location(new, node)

    def visit_Attribute(self, node: ast.Attribute) -> ast.expr:
        path = self.path_of(node)
        if path is not None:
            return self.mapped(path, node)
        if isinstance(node.value, ast.Name) and node.value.id == self.unit.rt:
            self.check_helper(node.attr, node)
            return node
        self.check_library(node)
        self.generic_visit(node)
        if self.backend.standard and isinstance(node.ctx, ast.Load):
            return self.standard_attribute(node)
        return node

    def check_library(self, node: ast.expr) -> None:
        """SciPy's functions (and other NumPy-only libraries') cannot take backend arrays."""
        obj = getattr(node, RESOLVED, None)
        module = getattr(obj, "__module__", None) or getattr(obj, "__name__", "")
        if callable(obj) and isinstance(module, str) and module.partition(".")[0] == "scipy":
            name = f"{module}.{getattr(obj, '__name__', '')}".rstrip(".")
            self.fail(
                f"{name} is SciPy's, which works on NumPy arrays only, so this code cannot run "
                f"on backend {self.backend.name!r}",
                node,
                "compute this part with NumPy (backend='numpy')",
            )

    def visit_Name(self, node: ast.Name) -> ast.expr:
        self.check_library(node)
        if node.id == self.unit.np:
            self.fail(
                "the NumPy module itself is used as a value here; npgrad can only retarget "
                "calls of its functions",
                node,
                "call NumPy's functions directly",
            )
        return node

    # --- calls: the standard's signatures and array methods ---------------------------

    def visit_Call(self, node: ast.Call) -> ast.expr:
        if not self.backend.writes_in_place:  # a copy with the write, built functionally
            if is_rt(node.func, self.unit.rt, "setitem"):
                node.func = attr_chain(self.unit.rt, ("set_where",))
            elif is_rt(node.func, self.unit.rt, "cleared") and len(node.args) == 2:
                node.func = attr_chain(self.unit.rt, ("set_where",))
                node.args.append(ast.Constant(0))
        if not self.backend.standard:
            self.generic_visit(node)
            return node
        func = node.func
        if isinstance(func, ast.Attribute) and self.path_of(func) is None:
            call = self.method_call(node)
            if call is not node:
                return self.visit(call)  # type: ignore[no-any-return]
        path = self.path_of(func)
        self.generic_visit(node)
        if path is None or not isinstance(node.func, ast.Attribute):
            return node
        if node.func.value is not None and self.path_of_mapped(node.func) == "rt":
            return node  # a compat helper takes NumPy's arguments
        call = self.standard_call(node, path)
        if isinstance(call, ast.Call):
            call = self.booleans().reduce(call)
        if not isinstance(call, ast.Call):
            return call
        if path == ("where",) and len(call.args) == 3 and not call.keywords:
            self.where_of_numbers(call)
        return self.fold(call, path)

    def where_of_numbers(self, call: ast.Call) -> None:
        """`np.where(m, -1, 1)`: the standard takes at most one Python number here; NumPy
        makes an int64 (float64, complex128) array, which float64 stands for exactly in the
        arithmetic that follows (the standard mixes no ints with floats)."""
        values = [constant_value(a, self.alias) for a in call.args[1:]]
        if any(v is None or isinstance(v, bool) for v in values):
            return
        name = "complex128" if any(isinstance(v, complex) for v in values) else "float64"
        call.args[1] = ast.Call(
            attr_chain(self.alias, ("asarray",)),
            [call.args[1]],
            [ast.keyword("dtype", attr_chain(self.alias, (name,)))],
        )

    def path_of_mapped(self, func: ast.Attribute) -> str:
        base = func.value
        return "rt" if isinstance(base, ast.Name) and base.id == self.unit.rt else "ns"

    def standard_call(self, node: ast.Call, path: tuple[str, ...]) -> ast.Call:
        host = numpy_function(path)
        target = self.backend.target(path)
        if isinstance(host, type) and target is not None and len(node.args) == 1:
            # np.float64(x): the standard's dtypes are not callable
            call = ast.Call(
                attr_chain(self.alias, ("asarray",)),
                node.args,
                [ast.keyword("dtype", attr_chain(self.alias, target[1]))],
            )
            return ast.copy_location(call, node)
        if host is None or target is None or target[0] != "ns":
            return node
        device = backends.lookup(self.backend.namespace, target[1])
        try:
            host_sig, device_sig = inspect.signature(host), inspect.signature(device)
            bound = host_sig.bind(*node.args, **{k.arg: k.value for k in node.keywords if k.arg})
        except (TypeError, ValueError):
            return node
        if any(isinstance(a, ast.Starred) for a in node.args) or any(
            k.arg is None for k in node.keywords
        ):
            return node
        positional, keywords, bad = backends.convert_args(
            host_sig, device_sig, dict(bound.arguments), _is_default_node
        )
        if bad is not None:
            self.fail(
                f"numpy.{'.'.join(path)}(..., {bad}=...) has no counterpart in the Array API "
                f"standard's {'.'.join(target[1])}",
                node,
                f"leave out `{bad}`, or compute this part with NumPy",
            )
        node.args = positional
        node.keywords = [ast.keyword(k, v) for k, v in keywords.items()]
        return node

    def method_call(self, node: ast.Call) -> ast.expr:
        """`x.sum(axis=0)` -> `np.sum(x, axis=0)` for methods the standard's arrays lack."""
        from .rules.table import METHODS

        func = node.func
        assert isinstance(func, ast.Attribute)
        name = func.attr
        receiver = func.value
        if (
            name not in METHODS
            or name in backends.STANDARD_ARRAY_ATTRS
            or isinstance(receiver, ast.Name)
            and receiver.id in (self.unit.rt, self.unit.np, self.alias)
        ):
            return node
        if name == "copy" and not node.args and not node.keywords:
            call = ast.Call(
                attr_chain(self.unit.np, ("asarray",)),
                [func.value],
                [ast.keyword("copy", ast.Constant(True))],
            )
            return ast.copy_location(call, node)
        path = {"astype": ("astype",), "flatten": ("ravel",)}.get(name) or canonical_path(
            METHODS[name]
        )
        if path is None:
            return node
        args = list(node.args)
        if name in ("reshape", "transpose") and len(args) > 1:
            args = [ast.Tuple(args, ast.Load())]  # x.reshape(2, 3) is x.reshape((2, 3))
        call = ast.Call(attr_chain(self.unit.np, path), [func.value, *args], node.keywords)
        return ast.copy_location(call, node)

    def standard_attribute(self, node: ast.Attribute) -> ast.expr:
        """`x.T` (any ndim) and `x.real`/`x.imag` as the standard spells them."""
        helper = {"T": ("rt", "transpose"), "real": ("ns", "real"), "imag": ("ns", "imag")}
        if node.attr not in helper:
            return node
        root, name = helper[node.attr]
        func = attr_chain(self.unit.rt if root == "rt" else self.alias, (name,))
        return ast.copy_location(ast.Call(func, [node.value], []), node)

    # --- the standard's typing: booleans, Python numbers, writes ---------------------------

    def visit_BinOp(self, node: ast.BinOp) -> ast.expr:
        self.generic_visit(node)
        if not self.backend.standard:
            return node
        return self.booleans().rewrite(node)

    def booleans(self) -> BooleanArithmetic:
        return BooleanArithmetic(
            self.alias,
            self.bool_names,
            self.unit.names.fresh,
            lambda e: ast.Call(attr_chain(self.unit.rt, ("dtype_of",)), [e], []),
            lambda: attr_chain(self.unit.rt, ("as_dtype",)),
        )

    def rt_call(self, name: str, *args: ast.expr) -> ast.expr:
        return ast.Call(attr_chain(self.unit.rt, (name,)), list(args), [])

    def is_bool(self, node: ast.expr) -> bool:
        return is_boolean(node, self.alias, self.bool_names)

    def fold(self, node: ast.Call, path: tuple[str, ...]) -> ast.expr:
        """A ufunc (or `where`) of Python numbers, evaluated now: the standard's functions take
        arrays, and a Python number keeps the other operand's dtype (float32 stays)."""
        host = numpy_function(path)
        if not (isinstance(host, numpy.ufunc) or host is numpy.where) or node.keywords:
            return node
        values = [constant_value(a, self.alias) for a in node.args]
        if not values or any(v is None for v in values):
            return node
        try:
            with numpy.errstate(all="raise"):
                result = numpy.asarray(host(*values))
        except (ArithmeticError, TypeError, ValueError, FloatingPointError):
            return node
        if result.ndim != 0 or result.dtype.kind not in "biufc":
            return node
        value = result.item()
        if isinstance(value, float | complex) and not numpy.isfinite(value):
            return node
        return ast.copy_location(ast.Constant(value), node)

    def visit_Subscript(self, node: ast.Subscript) -> ast.expr:
        if self.backend.standard and self.path_of(node.value) in (("s_",), ("index_exp",)):
            self.generic_visit(node.slice)
            index = index_value(node.slice)
            if self.path_of(node.value) == ("index_exp",) and not isinstance(index, ast.Tuple):
                index = ast.Tuple([index], ast.Load())
            return ast.copy_location(index, node)
        self.generic_visit(node)
        return node

    def visit_Assign(self, node: ast.Assign) -> ast.stmt:
        self.generic_visit(node)
        if self.backend.writes_in_place:
            return node
        if not any(isinstance(t, ast.Subscript) for t in node.targets):
            return node
        if len(node.targets) != 1:
            self.refuse_write(node)
        return self.functional_write(node.targets[0], node.value, node)  # type: ignore[arg-type]

    def visit_AugAssign(self, node: ast.AugAssign) -> ast.stmt:
        self.generic_visit(node)
        if self.backend.writes_in_place or not isinstance(node.target, ast.Subscript):
            return node
        target = node.target
        read = ast.Subscript(copy_expr(target.value), copy_expr(target.slice), ast.Load())
        value = ast.BinOp(read, node.op, node.value)
        return self.functional_write(target, value, node)

    def functional_write(self, target: ast.Subscript, value: ast.expr, node: ast.stmt) -> ast.stmt:
        """`a[idx] = v` -> `a = rt.set_where(a, idx, v)` for arrays that cannot be written in
        place; a name the write would have to reach through (`a.b[i]`, `a[i][j]`) is refused."""
        if not isinstance(target.value, ast.Name) or not simple_index(target.slice):
            self.refuse_write(node)
        if self.rebindable is not None and target.value.id not in self.rebindable:  # type: ignore[attr-defined]
            self.fail(
                f"{self.backend.label}'s arrays cannot be written in place, and "
                f"`{target.value.id}` may share its memory with another name (an argument, a "  # type: ignore[attr-defined]
                "view, an alias) that a new array would not update, so this code cannot run "
                f"on backend {self.backend.name!r}",
                node,
                "write into an array the function makes (np.zeros, np.empty, ...) and uses only "
                "in arithmetic, or differentiate it (npgrad.grad), which checks aliases",
            )
        name = target.value.id  # type: ignore[attr-defined]
        call = self.rt_call(
            "set_where", ast.Name(name, ast.Load()), index_value(target.slice), value
        )
        new = ast.Assign([ast.Name(name, ast.Store())], call)
        return ast.copy_location(new, node)

    def refuse_write(self, node: ast.stmt) -> None:
        self.fail(
            f"{self.backend.label}'s arrays cannot be written in place, and npgrad can rewrite "
            "only a write `name[index] = value` with int, slice and ... indices into a new "
            f"array, so this code cannot run on backend {self.backend.name!r}",
            node,
            "build the new array with the namespace's functions (where, concat), or compute "
            "this part with NumPy (backend='numpy')",
        )

    # --- runtime helpers ------------------------------------------------------------------

    def check_helper(self, name: str, node: ast.AST) -> None:
        missing = sorted(
            "SciPy" if p == SCIPY else "numpy." + ".".join(p)
            for p in helper_needs(name)
            if not helper_available(self.backend, p)
        )
        if not missing and not self.backend.writes_in_place and helper_writes(name):
            self.fail(
                f"npgrad's helper rt.{name} writes into arrays in place, which "
                f"{self.backend.label}'s arrays cannot take, so this gradient cannot run on "
                f"backend {self.backend.name!r}",
                node,
                "compute this part with NumPy (backend='numpy')",
            )
        if missing:
            self.fail(
                f"npgrad's helper rt.{name} needs {', '.join(missing)}, which "
                f"{self.backend.label} lacks, so this gradient cannot run on backend "
                f"{self.backend.name!r}",
                node,
                "compute this part with NumPy (backend='numpy')",
            )


def _is_default_node(value: Any, default: Any) -> bool:
    return (
        default is not inspect.Parameter.empty
        and isinstance(value, ast.Constant)
        and value.value is default
    )


def numpy_function(path: tuple[str, ...]) -> Any:
    value = backends.lookup(numpy, path)
    return value if callable(value) else None


def helper_available(backend: backends.Backend, path: tuple[str, ...]) -> bool:
    """Does the helper namespace of `backend` give `numpy.<path>` a backend version?"""
    if path == SCIPY:
        return False
    if backends._special(backend, path) is not None or path[-1] == "ndarray":
        return True
    value = backends.lookup(numpy, path)
    if value is None:
        return backend.has(path)
    if not callable(value) or isinstance(value, type):
        return True
    renames = backends.RENAMES.get(backend.kind, {})
    return backend.has((*path[:-1], renames.get(path[-1], path[-1])))


@functools.cache
def helper_needs(name: str) -> frozenset[tuple[str, ...]]:
    """The NumPy functions runtime helper `name` calls on arrays, its callees' included."""
    from npgrad import runtime

    needs: set[tuple[str, ...]] = set()
    _collect(getattr(runtime, name, None), needs, set())
    return frozenset(needs)


@functools.cache
def helper_writes(name: str) -> bool:
    """Does runtime helper `name` (or a helper it calls) write into an array in place?
    Writes into host data (`numpy.zeros(...)`, lists, dicts) do not count."""
    from npgrad import runtime

    if name in WRITES_FOR_ARRAY_INDICES:
        return False
    found: set[str] = set()
    _collect(getattr(runtime, name, None), set(), set(), found)
    return bool(found)


def _writes_arrays(tree: ast.AST) -> bool:
    host: set[str] = set()  # names bound to NumPy's own arrays, lists, dicts
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target, value = node.targets[0], node.value
            if not isinstance(target, ast.Name):
                continue
            if isinstance(value, ast.List | ast.ListComp | ast.Dict | ast.DictComp):
                host.add(target.id)
            elif isinstance(value, ast.BinOp) and isinstance(value.left, ast.List):
                host.add(target.id)  # [0] * n
            elif isinstance(value, ast.Call):
                func = value.func
                while isinstance(func, ast.Attribute):
                    func = func.value
                if isinstance(func, ast.Name) and func.id in ("numpy", "list", "dict"):
                    host.add(target.id)
    for node in ast.walk(tree):
        targets = (
            node.targets
            if isinstance(node, ast.Assign)
            else [node.target]
            if isinstance(node, ast.AugAssign)
            else []
        )
        for target in targets:
            if isinstance(target, ast.Subscript):
                base = target.value
                if not (isinstance(base, ast.Name) and base.id in host):
                    return True
    return False


def _collect(
    func: Any, needs: set[tuple[str, ...]], seen: set[str], writes: set[str] | None = None
) -> None:
    if not inspect.isfunction(func) or func.__qualname__ in seen:
        return
    seen.add(func.__qualname__)
    try:
        tree = ast.parse(inspect.getsource(func))
    except (OSError, TypeError, SyntaxError):
        return
    scope = func.__globals__
    if writes is not None and _writes_arrays(tree):
        writes.add(func.__qualname__)
    for node in ast.walk(tree):
        if isinstance(node, ast.Import | ast.ImportFrom):
            modules = [a.name for a in node.names] + [getattr(node, "module", None) or ""]
            if any(m.partition(".")[0] == "scipy" for m in modules):
                needs.add(SCIPY)  # SciPy works on NumPy arrays only
        if isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Load):
            path = _np_path(node)
            if path is not None and (func.__name__, path) not in HOST_DATA:
                needs.add(path)
        elif isinstance(node, ast.Name) and node.id != func.__name__:
            callee = scope.get(node.id)
            if inspect.isfunction(callee) and callee.__module__.startswith("npgrad.runtime"):
                _collect(callee, needs, seen, writes)


def _np_path(node: ast.Attribute) -> tuple[str, ...] | None:
    parts: list[str] = []
    current: ast.expr = node
    while isinstance(current, ast.Attribute):
        parts.append(current.attr)
        current = current.value
    if not (isinstance(current, ast.Name) and current.id == "np"):
        return None
    path = tuple(reversed(parts))
    # np.linalg.solve, not np.linalg as well; np.multiply.outer as np.multiply.outer
    value = backends.lookup(numpy, path)
    return None if isinstance(value, type(numpy)) else path
