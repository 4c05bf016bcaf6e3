"""containers: dicts, lists, tuples and namedtuples of arrays, resolved at transform time.

    def loss(params, x):                          def loss(params, x):
                                                      params_W = params['W']
                                                      params_layers_0 = params['layers'][0]
                                                      params_layers_1 = params['layers'][1]
        for V in params["layers"]:          ->        V = params_layers_0
            x = np.tanh(V @ x)                        x = np.tanh(V @ x)
                                                      V = params_layers_1
                                                      x = np.tanh(V @ x)
        return np.sum(x * params["W"])                return np.sum(x * params_W)

The structure of a container argument is known when the code is generated (npgrad makes
one gradient per structure it is called with; npgrad/pytree.py), so each leaf becomes a name
of its own, differentiated like an argument, and the gradient is built back into the same
structure. Constant keys and indices resolve to the leaf; `len`, `.keys()`, `.values()`,
`.items()`, `in` fold to constants; loops and comprehensions over a container are unrolled;
`sum` of one becomes `a + b + ...`. Containers the function builds itself
(`p = {"W": W}`, `layers = [(W1, b1), (W2, b2)]`) resolve the same way; they also stay
real Python objects, so the code can still use them at run time (a differentiated value
used that way is refused by activity analysis). A container argument used in a way that
needs the object itself (a key computed at run time) is refused with its position.
"""

from __future__ import annotations

import ast
import copy
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from npgrad.errors import UnsupportedSyntaxError
from npgrad.pytree import NONE, Tree, children, is_leaf

from .calls import can_inline
from .unit import RESOLVED, Unit

_NOT = object()
_MUTATORS = {"append", "extend", "insert", "pop", "remove", "clear", "sort", "reverse"}
_HINT = "use constant keys and indices (or loop over the container) so npgrad can resolve them"


@dataclass
class Static:
    """A container known at transform time, or one of its leaves (`expr`: a name or constant)."""

    kind: str  # "leaf", "none", "tuple", "list", "dict", "namedtuple"
    items: dict[Any, Static] = field(default_factory=dict)
    expr: ast.expr | None = None  # a leaf's value
    source: ast.expr | None = None  # the container at run time, if it may be used there
    cls: Any = None  # a namedtuple's class
    path: ast.expr | None = None  # where an argument's part is at run time (its type is read)
    level: int = 0  # the block depth it was bound at: writes into it only at that depth
    frozen: bool = False  # a snapshot handed to an inlined helper: no writes

    @property
    def is_leaf(self) -> bool:
        return self.kind == "leaf"

    @property
    def is_container(self) -> bool:
        return self.kind in ("tuple", "list", "dict", "namedtuple")


def leaf(expr: ast.expr) -> Static:
    return Static("leaf", expr=expr)


def const(value: Any) -> Static:
    return leaf(ast.Constant(value))


def _const_of(s: Static) -> Any:
    return s.expr.value if s.is_leaf and isinstance(s.expr, ast.Constant) else _NOT


def _name(id_: str) -> ast.Name:
    return ast.Name(id_, ast.Load())


def _sanitize(key: Any) -> str:
    text = str(key)
    return "".join(c if c.isalnum() or c == "_" else "_" for c in text) or "key"


class _Rewriter(ast.NodeTransformer):
    """Rewrites one body, statement by statement, with the containers bound so far."""

    def __init__(self, unit: Unit, env: dict[str, Static], candidates: set[str]):
        self.unit = unit
        self.env = env
        self.consts: dict[str, Any] = {}
        self.subst: dict[str, ast.expr] = {}  # comprehension variables while one is expanded
        self.candidates = candidates
        self.handed: set[str] = set()  # names passed to the user's helpers
        self.level = 0
        self.out: list[ast.stmt] = []

    def error(self, message: str, node: ast.AST, hint: str = _HINT) -> Any:
        self.unit.error(UnsupportedSyntaxError, message, node, hint)

    # ---- values known now ------------------------------------------------------------------

    def const_eval(self, node: ast.expr) -> Any:
        """The value of a key or index, if it is known at transform time."""
        if isinstance(node, ast.Constant):
            return node.value
        if isinstance(node, ast.Name):
            if node.id in self.subst:
                return self.const_eval(self.subst[node.id])
            return self.consts.get(node.id, _NOT)
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub | ast.UAdd):
            v = self.const_eval(node.operand)
            return _NOT if v is _NOT else (-v if isinstance(node.op, ast.USub) else v)
        if isinstance(node, ast.BinOp):
            a, b = self.const_eval(node.left), self.const_eval(node.right)
            if a is _NOT or b is _NOT:
                return _NOT
            ops = {ast.Add: "__add__", ast.Sub: "__sub__", ast.Mult: "__mul__"}
            ops |= {ast.FloorDiv: "__floordiv__", ast.Mod: "__mod__"}
            method = ops.get(type(node.op))
            try:
                result = getattr(a, method)(b) if method else NotImplemented
            except Exception:
                return _NOT
            return _NOT if result is NotImplemented else result
        if isinstance(node, ast.JoinedStr):
            parts = []
            for v in node.values:
                if isinstance(v, ast.Constant):
                    parts.append(str(v.value))
                elif isinstance(v, ast.FormattedValue) and v.format_spec is None:
                    inner = self.const_eval(v.value)
                    if inner is _NOT:
                        return _NOT
                    parts.append({115: str, 114: repr, 97: ascii}.get(v.conversion, format)(inner))
                else:
                    return _NOT
            return "".join(parts)
        if isinstance(node, ast.Call) and len(node.args) == 1 and not node.keywords:
            func = getattr(node.func, RESOLVED, None)
            if func in (str, int):
                v = self.const_eval(node.args[0])
                return _NOT if v is _NOT else func(v)
            if func is len:
                s = self.static_of(node.args[0])
                if s is not None and not s.is_leaf:
                    return len(s.items)
        return _NOT

    def static_of(self, node: ast.expr) -> Static | None:
        """The container (or leaf of one) `node` denotes, if it denotes one."""
        if isinstance(node, ast.Name):
            return self.env.get(node.id)
        if isinstance(node, ast.Subscript):
            base = self.static_of(node.value)
            if base is None or not base.is_container:
                return None
            if isinstance(node.slice, ast.Slice) and base.kind in ("tuple", "list"):
                bounds = [
                    None if b is None else self.const_eval(b)
                    for b in (node.slice.lower, node.slice.upper, node.slice.step)
                ]
                if _NOT not in bounds:
                    kept = list(base.items.values())[slice(*bounds)]
                    part = Static(base.kind, dict(enumerate(kept)), level=base.level)
                    part.frozen = base.frozen
                    return part
            key = self.const_eval(node.slice)
            if key is _NOT:
                if base.source is None:
                    self.error(
                        "npgrad resolves this container's keys when it generates code, "
                        "and this key is only known at run time",
                        node,
                    )
                return None
            return self.child(base, key, node)
        if isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Load):
            base = self.static_of(node.value)
            if base is not None and base.kind == "namedtuple" and node.attr in base.items:
                return base.items[node.attr]
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            base = self.static_of(node.func.value)
            if base is not None and base.kind == "dict" and node.func.attr == "get":
                key = self.const_eval(node.args[0]) if node.args else _NOT
                if key is _NOT or node.keywords or len(node.args) > 2:
                    return None
                if key in base.items:
                    return base.items[key]
                return leaf(node.args[1]) if len(node.args) == 2 else const(None)
        return None

    def child(self, base: Static, key: Any, node: ast.AST) -> Static:
        if base.kind in ("tuple", "list", "namedtuple") and isinstance(key, int):
            values = list(base.items.values())
            if -len(values) <= key < len(values):
                return values[key]
            return self.error(
                f"index {key} is out of range for this {base.kind} of {len(values)} elements",
                node,
                "check the index",
            )
        if base.kind == "dict" and key in base.items:
            return base.items[key]
        keys = ", ".join(repr(k) for k in base.items)
        return self.error(
            f"key {key!r} is not in this dict (its keys: {keys})", node, "use one of its keys"
        )

    def iteration(self, it: ast.expr) -> list[Static] | None:
        """The elements a `for` over `it` walks, when `it` is a container known now."""
        s = self.static_of(it)
        if s is not None and s.is_container:
            if s.kind == "dict":
                return [const(k) for k in s.items]
            return list(s.items.values())
        if not isinstance(it, ast.Call):
            return None
        func = getattr(it.func, RESOLVED, None)
        if isinstance(it.func, ast.Attribute) and not it.args:
            base = self.static_of(it.func.value)
            if base is not None and base.kind == "dict":
                pairs = [(const(k), v) for k, v in base.items.items()]
                view = {"keys": [k for k, _ in pairs], "values": [v for _, v in pairs]}
                view["items"] = [Static("tuple", {0: k, 1: v}) for k, v in pairs]
                return view.get(it.func.attr)
        if func is enumerate and it.args:
            items = self.iteration(it.args[0])
            start = self.const_eval(it.args[1]) if len(it.args) > 1 else 0
            for kw in it.keywords:
                start = self.const_eval(kw.value) if kw.arg == "start" else _NOT
            if items is None or start is _NOT:
                return None
            return [Static("tuple", {0: const(start + i), 1: v}) for i, v in enumerate(items)]
        if func is zip and it.args and all(kw.arg == "strict" for kw in it.keywords):
            columns = [self.iteration(a) for a in it.args]
            if all(c is None for c in columns):
                return None
            n = min(len(c) for c in columns if c is not None)
            columns = [  # a sequence only known at run time beside a container: index it
                c if c is not None else [self.indexed(a, k) for k in range(n)]
                for a, c in zip(it.args, columns, strict=True)
            ]
            rows = zip(*columns, strict=False)  # type: ignore[arg-type]
            return [Static("tuple", dict(enumerate(row))) for row in rows]
        if func is reversed and len(it.args) == 1:
            items = self.iteration(it.args[0])
            return None if items is None else items[::-1]
        if func is range and not it.keywords:
            bounds = [self.const_eval(a) for a in it.args]
            if _NOT in bounds or not all(isinstance(b, int) for b in bounds):
                return None
            return [const(i) for i in range(*bounds)]
        return None

    def indexed(self, seq: ast.expr, k: int) -> Static:
        return leaf(ast.Subscript(self.visit(copy.deepcopy(seq)), ast.Constant(k), ast.Load()))

    # ---- expressions -----------------------------------------------------------------------

    def value_expr(self, s: Static, node: ast.AST) -> ast.expr:
        """An expression for `s` at run time: a leaf's name, a literal of a tuple or list."""
        if s.is_leaf:
            return copy.deepcopy(s.expr)  # type: ignore[arg-type]
        if s.kind == "none":
            return ast.Constant(None)
        if s.kind == "lambda" and s.source is None:
            return copy.deepcopy(s.expr)  # type: ignore[arg-type]
        if s.kind in ("tuple", "list"):
            elts = [self.value_expr(v, node) for v in s.items.values()]
            return ast.Tuple(elts, ast.Load()) if s.kind == "tuple" else ast.List(elts, ast.Load())
        if s.source is not None:
            return copy.deepcopy(s.source)
        return self.error(
            "npgrad resolves this container of differentiated arrays when it "
            "generates code, and this use needs the container itself",
            node,
        )

    def visit_Name(self, node: ast.Name) -> ast.expr:
        if isinstance(node.ctx, ast.Load):
            if node.id in self.subst:
                return copy.deepcopy(self.subst[node.id])
            s = self.env.get(node.id)
            if s is not None:
                return ast.copy_location(self.value_expr(s, node), node)
        return node

    def visit_Subscript(self, node: ast.Subscript) -> ast.expr:
        if isinstance(node.ctx, ast.Load):
            s = self.static_of(node)
            if s is not None:
                return ast.copy_location(self.value_expr(s, node), node)
        return self.generic_visit(node)

    def visit_Attribute(self, node: ast.Attribute) -> ast.expr:
        s = self.static_of(node) if isinstance(node.ctx, ast.Load) else None
        if s is not None:
            return ast.copy_location(self.value_expr(s, node), node)
        return self.generic_visit(node)

    def visit_Compare(self, node: ast.Compare) -> ast.expr:
        if len(node.ops) == 1 and isinstance(node.ops[0], ast.In | ast.NotIn):
            s = self.static_of(node.comparators[0])
            key = self.const_eval(node.left)
            if s is not None and not s.is_leaf and key is not _NOT:
                found = (
                    key in s.items
                    if s.kind == "dict"
                    else key in [_const_of(v) for v in s.items.values()]
                )
                return ast.copy_location(
                    ast.Constant(found == isinstance(node.ops[0], ast.In)), node
                )
        return self.generic_visit(node)

    def visit_Call(self, node: ast.Call) -> ast.expr:
        func = getattr(node.func, RESOLVED, None)
        local = self.static_of(node.func)  # `sq(x)`, `acts["sq"](x)`
        if local is not None and local.kind == "lambda":
            return self.lambda_call(local.expr, node)  # type: ignore[arg-type]
        if func is len and len(node.args) == 1:
            n = self.const_eval(node)
            if n is not _NOT:
                return ast.copy_location(ast.Constant(n), node)
        s = self.static_of(node)  # d.get(key)
        if s is not None:
            return ast.copy_location(self.value_expr(s, node), node)
        items = self.iteration(node) if isinstance(node.func, ast.Attribute) else None
        if items is not None:  # d.keys(), d.values(), d.items() outside a loop
            elts = [self.value_expr(v, node) for v in items]
            return ast.copy_location(ast.Tuple(elts, ast.Load()), node)
        if func in (sum, list, tuple) and len(node.args) == 1 and not node.keywords:
            items = self.iteration(node.args[0]) or self.expanded(node.args[0])
            if items is not None:
                elts = [self.value_expr(v, node) for v in items]
                if func is not sum:
                    kind = ast.List if func is list else ast.Tuple
                    return ast.copy_location(kind(elts, ast.Load()), node)
                total: ast.expr = elts[0] if elts else ast.Constant(0)
                for e in elts[1:]:
                    total = ast.BinOp(total, ast.Add(), e)
                return ast.copy_location(total, node)
        if can_inline(func):  # a helper: hand it the containers, resolved when it is inlined
            node.func = self.visit(node.func)
            node.args = [self.pinned(a) for a in node.args]
            for kw in node.keywords:
                kw.value = self.pinned(kw.value)
            return node
        return self.generic_visit(node)

    def lambda_call(self, lam: ast.Lambda, call: ast.Call) -> ast.expr:
        """`sq(a + 1)` with `sq = lambda t: t ** 2`: the body, with `t` bound to the argument
        (computed once, before the statement)."""
        params = [a.arg for a in lam.args.args]
        try:
            bound = dict(zip(params, call.args, strict=True))
        except ValueError:
            return self.error(
                f"this call passes {len(call.args)} arguments to a lambda of {len(params)}",
                call,
                "pass one argument per parameter",
            )
        saved = dict(self.subst)
        for name, arg in bound.items():
            value = self.visit(arg)
            if not isinstance(value, ast.Name | ast.Constant):
                temp = self.unit.names.fresh(name)
                assign = ast.Assign([ast.Name(temp, ast.Store())], value)
                self.out.append(ast.fix_missing_locations(ast.copy_location(assign, call)))
                value = _name(temp)
            self.subst[name] = value
        try:
            body = self.visit(copy.deepcopy(lam.body))
        finally:
            self.subst = saved
        return ast.copy_location(body, call)

    def pinned(self, arg: ast.expr) -> ast.expr:
        """A container (or lambda) argument of a helper: a name bound to a snapshot of it."""
        if isinstance(arg, ast.Lambda) and _simple_lambda(arg):
            name = self.unit.names.fresh("_lambda")
            self.unit.containers[name] = Static("lambda", expr=arg)
            return ast.copy_location(_name(name), arg)
        s = self.static_of(arg) if not isinstance(arg, ast.Starred) else None
        if s is None or not s.is_container:
            return self.visit(arg)
        name = self.unit.names.fresh("_container")
        snapshot = copy.deepcopy(s)
        snapshot.frozen = True
        if snapshot.source is not None:
            self.out.append(
                ast.copy_location(
                    ast.Assign([ast.Name(name, ast.Store())], self.value_expr(s, arg)), arg
                )
            )
            snapshot.source = _name(name)
        else:
            self.unit.pinned.add(name)
        self.unit.containers[name] = snapshot
        return ast.copy_location(_name(name), arg)

    def expanded(self, node: ast.expr) -> list[Static] | None:
        """The elements of a comprehension over a container known now, one per element."""
        if not isinstance(node, ast.ListComp | ast.GeneratorExp | ast.SetComp):
            return None
        if len(node.generators) != 1 or node.generators[0].is_async:
            return None
        gen = node.generators[0]
        items = self.iteration(gen.iter)
        if items is None or (
            _is_range(gen.iter) and not self.indexes_static([node.elt, *gen.ifs], gen.target)
        ):
            return None
        out = []
        saved = (dict(self.subst), dict(self.env), dict(self.consts))
        try:
            for item in items:
                if not self.bind_expr(gen.target, item):
                    return None
                keep = [self.const_eval(self.visit(copy.deepcopy(c))) for c in gen.ifs]
                if _NOT in keep:
                    return None
                if all(keep):
                    out.append(leaf(self.visit(copy.deepcopy(node.elt))))
        finally:
            self.subst, self.env, self.consts = saved
        return out

    def bind_expr(self, target: ast.expr, s: Static) -> bool:
        """Bind a comprehension variable to an element (by substitution)."""
        if isinstance(target, ast.Name):
            if s.is_leaf:
                self.subst[target.id] = s.expr  # type: ignore[assignment]
                self.env.pop(target.id, None)
            else:
                self.env[target.id] = s
                self.subst.pop(target.id, None)
            return True
        if isinstance(target, ast.Tuple | ast.List) and s.kind in ("tuple", "list", "namedtuple"):
            values = list(s.items.values())
            if len(values) != len(target.elts):
                return False
            return all(self.bind_expr(t, v) for t, v in zip(target.elts, values, strict=True))
        return False

    def visit_ListComp(self, node: ast.ListComp) -> ast.expr:
        items = self.expanded(node)
        if items is None:
            return self.generic_visit(node)
        elts = [self.value_expr(v, node) for v in items]
        return ast.copy_location(ast.List(elts, ast.Load()), node)

    def visit_GeneratorExp(self, node: ast.GeneratorExp) -> ast.expr:
        items = self.expanded(node)
        if items is None:
            return self.generic_visit(node)
        elts = [self.value_expr(v, node) for v in items]
        return ast.copy_location(ast.Tuple(elts, ast.Load()), node)

    def visit_Lambda(self, node: ast.Lambda) -> ast.expr:
        return node  # its own scope

    # ---- statements ------------------------------------------------------------------------

    def block(self, stmts: list[ast.stmt], dynamic: bool) -> list[ast.stmt]:
        saved, self.out = self.out, []
        self.level += dynamic
        for s in stmts:
            self.stmt(s)
        self.level -= dynamic
        result, self.out = self.out, saved
        return result

    def emit(self, s: ast.stmt) -> None:
        self.out.append(s)

    def stmt(self, s: ast.stmt) -> None:
        if isinstance(s, ast.Assign) and len(s.targets) == 1:
            return self.assign_stmt(s)
        if isinstance(s, ast.For) and not s.orelse:
            items = self.iteration(s.iter)
            if items is not None and self.worth_unrolling(s, items):
                for item in items:
                    self.assign(s.target, item, s)
                    for inner in copy.deepcopy(s.body):
                        self.stmt(inner)
                return None
            s.iter = self.visit(s.iter)
            self.forget(s.target)
            s.body = self.block(s.body, True)
            s.orelse = self.block(s.orelse, True)
            return self.emit(s)
        if isinstance(s, ast.If):
            s.test = self.visit(s.test)
            known = self.const_eval(s.test)
            if known is not _NOT:
                for inner in s.body if known else s.orelse:
                    self.stmt(inner)
                return None
            s.body = self.block(s.body, True)
            s.orelse = self.block(s.orelse, True)
            return self.emit(s)
        if isinstance(s, ast.While):
            s.test = self.visit(s.test)
            s.body = self.block(s.body, True)
            s.orelse = self.block(s.orelse, True)
            return self.emit(s)
        if isinstance(s, ast.AugAssign) and self.static_root(s.target) is not None:
            return self.error(
                "npgrad resolves this container at transform time and cannot update it in place",
                s,
                "build a new container instead",
            )
        new = self.visit(s)
        self.emit(new)
        for n in ast.walk(new):
            if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store):
                self.env.pop(n.id, None)
                self.consts.pop(n.id, None)
        return None

    def static_root(self, target: ast.expr) -> Static | None:
        while isinstance(target, ast.Subscript | ast.Attribute):
            target = target.value
        return self.env.get(target.id) if isinstance(target, ast.Name) else None

    def worth_unrolling(self, s: ast.For, items: list[Static]) -> bool:
        """Unroll a loop over a container; a `range` only if it indexes one with the index."""
        return not _is_range(s.iter) or self.indexes_static(s.body, s.target)

    def indexes_static(self, nodes: list[Any], target: ast.expr) -> bool:
        """Does code under `nodes` index a container known now with the loop variable?"""
        index = target.id if isinstance(target, ast.Name) else None
        for node in ast.walk(ast.Module(nodes, [])):
            if isinstance(node, ast.Subscript) and index in {
                n.id for n in ast.walk(node.slice) if isinstance(n, ast.Name)
            }:
                if self.static_of(node.value) is not None:
                    return True
        return False

    def forget(self, target: ast.expr) -> None:
        for n in ast.walk(target):
            if isinstance(n, ast.Name):
                self.env.pop(n.id, None)
                self.consts.pop(n.id, None)

    def assign_stmt(self, s: ast.Assign) -> None:
        target, value = s.targets[0], s.value
        if isinstance(target, ast.Subscript) and isinstance(target.value, ast.Name):
            base = self.env.get(target.value.id)
            if base is not None:
                return self.store_item(base, target, s)
        if isinstance(value, ast.ListComp | ast.GeneratorExp) and self.bindable(target, value):
            items = self.expanded(value)
            if items is not None:  # `outs = [f(w) for w in ws]` over a container: a literal
                value = ast.List([self.value_expr(v, value) for v in items], ast.Load())
        if isinstance(value, ast.Dict | ast.Tuple | ast.List) and self.bindable(target, value):
            return self.bind_literal(target.id, value, s)  # type: ignore[attr-defined]
        if isinstance(value, ast.Lambda) and _simple_lambda(value) and self.bindable(target, value):
            self.env[target.id] = Static("lambda", expr=value)  # inlined where it is called
            return None
        found = self.static_of(value)
        unpacks = isinstance(target, ast.Tuple | ast.List)
        if found is not None and (found.is_leaf or unpacks or self.bindable(target, value)):
            return self.assign(target, found, s)
        if found is not None and found.source is None:
            self.error(
                f"`{ast.unparse(target)}` is bound to a part of a differentiated "
                "container in a branch or loop, or more than once",
                s,
                "read the part where it is used, or give each binding its own name",
            )
        new = self.visit(s)
        self.emit(new)
        self.forget(target)
        known = self.const_eval(new.value)
        if isinstance(target, ast.Name) and target.id in self.candidates and known is not _NOT:
            self.consts[target.id] = known  # `n = len(params) // 2`: a loop bound known now
        return None

    def bindable(self, target: ast.expr, value: ast.expr) -> bool:
        if not isinstance(target, ast.Name) or target.id not in self.candidates:
            return False
        if isinstance(value, ast.List) and (not value.elts or target.id in self.handed):
            return False  # `hs = []`, or a list a helper may append to: a run-time list
        return True

    def bind_literal(self, name: str, value: ast.Dict | ast.Tuple | ast.List, s: ast.stmt) -> None:
        """`p = {"W": W, "b": b + 1}`: the container statically, and at run time."""
        static = self.literal(value, name, s)
        static.level = self.level
        static.source = _name(name)
        rebuilt = self.runtime_form(static, s)
        self.emit(ast.copy_location(ast.Assign([ast.Name(name, ast.Store())], rebuilt), s))
        self.consts.pop(name, None)
        self.env[name] = static

    def literal(self, value: ast.expr, prefix: str, s: ast.stmt) -> Static:
        if isinstance(value, ast.Dict):
            items = {}
            for k, v in zip(value.keys, value.values, strict=True):
                key = self.const_eval(k) if k is not None else _NOT
                if key is _NOT:
                    self.error(
                        "npgrad resolves dict literals at transform time and needs constant keys",
                        k or value,
                    )
                items[key] = self.literal(v, f"{prefix}_{_sanitize(key)}", s)
            return Static("dict", items)
        if isinstance(value, ast.Tuple | ast.List) and not any(
            isinstance(e, ast.Starred) for e in value.elts
        ):
            kind = "tuple" if isinstance(value, ast.Tuple) else "list"
            parts = [self.literal(e, f"{prefix}_{i}", s) for i, e in enumerate(value.elts)]
            return Static(kind, dict(enumerate(parts)))
        found = self.static_of(value)
        if found is not None:
            return copy.deepcopy(found) if not found.is_leaf else found
        if isinstance(value, ast.Lambda) and _simple_lambda(value):
            return Static("lambda", expr=value)
        value = self.visit(value)
        if (
            isinstance(value, ast.Constant)
            or hasattr(value, RESOLVED)
            or (isinstance(value, ast.Name) and self.unit.stores.get(value.id, 0) == 0)
        ):
            return leaf(value)
        name = self.unit.names.fresh(prefix)  # a snapshot: later rebinding cannot change it
        self.emit(ast.copy_location(ast.Assign([ast.Name(name, ast.Store())], value), s))
        return leaf(_name(name))

    def runtime_form(self, s: Static, node: ast.AST) -> ast.expr:
        if s.kind == "dict":
            keys: list[ast.expr | None] = [ast.Constant(k) for k in s.items]
            values = [self.runtime_form(v, node) for v in s.items.values()]
            return ast.Dict(keys, values)
        if s.kind in ("tuple", "list"):
            elts = [self.runtime_form(v, node) for v in s.items.values()]
            return ast.Tuple(elts, ast.Load()) if s.kind == "tuple" else ast.List(elts, ast.Load())
        return self.value_expr(s, node)

    def store_item(self, base: Static, target: ast.Subscript, s: ast.Assign) -> None:
        """`p["c"] = v` on a container known now."""
        key = self.const_eval(target.slice)
        if base.frozen or base.level != self.level or key is _NOT or base.kind != "dict":
            self.error(
                "npgrad resolves this container at transform time; it can only add or "
                "replace a constant key, in the block that created it",
                s,
                "build the container in one place, with constant keys",
            )
        item = self.literal(s.value, f"{ast.unparse(target.value)}_{_sanitize(key)}", s)
        base.items[key] = item
        if base.source is not None:
            store = ast.Subscript(copy.deepcopy(base.source), ast.Constant(key), ast.Store())
            self.emit(ast.copy_location(ast.Assign([store], self.runtime_form(item, s)), s))

    def assign(self, target: ast.expr, s: Static, node: ast.stmt) -> None:
        """Bind a loop or assignment target to a container (or a leaf) known now."""
        if isinstance(target, ast.Name):
            self.consts.pop(target.id, None)
            if s.is_leaf or s.kind == "none":
                self.env.pop(target.id, None)
                value = self.value_expr(s, node)
                if isinstance(value, ast.Constant):
                    self.consts[target.id] = value.value
                stmt = ast.Assign([ast.Name(target.id, ast.Store())], value)
                self.emit(ast.fix_missing_locations(ast.copy_location(stmt, node)))
                return
            self.env[target.id] = s
            return
        if isinstance(target, ast.Tuple | ast.List) and s.kind in ("tuple", "list", "namedtuple"):
            values = list(s.items.values())
            if len(values) != len(target.elts):
                self.error(
                    f"cannot unpack {len(values)} values into {len(target.elts)} names",
                    node,
                    "match the number of names to the container's length",
                )
            for t, v in zip(target.elts, values, strict=True):
                self.assign(t, v, node)
            return
        value = self.value_expr(s, node)
        self.emit(ast.fix_missing_locations(ast.copy_location(ast.Assign([target], value), node)))


def _simple_lambda(lam: ast.Lambda) -> bool:
    a = lam.args
    return not (a.posonlyargs or a.vararg or a.kwonlyargs or a.kwarg or a.defaults)


def _is_range(it: ast.expr) -> bool:
    return isinstance(it, ast.Call) and getattr(it.func, RESOLVED, None) is range


def _store_counts(stmts: list[ast.stmt]) -> Counter[str]:
    counts: Counter[str] = Counter()
    for s in stmts:
        for n in ast.walk(s):
            if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store):
                counts[n.id] += 1
    return counts


def _candidates(stmts: list[ast.stmt]) -> set[str]:
    """Names that may be bound to a container at transform time: stored once, or only at
    the top level; never appended to or otherwise changed in place."""
    counts = _store_counts(stmts)
    top = Counter(
        n.id
        for s in stmts
        if isinstance(s, ast.Assign)
        for t in s.targets
        for n in ast.walk(t)
        if isinstance(n, ast.Name)
    )
    mutated = {
        n.func.value.id
        for s in stmts
        for n in ast.walk(s)
        if isinstance(n, ast.Call)
        and isinstance(n.func, ast.Attribute)
        and n.func.attr in _MUTATORS
        and isinstance(n.func.value, ast.Name)
    }
    mutated |= {
        n.target.id
        for s in stmts
        for n in ast.walk(s)
        if isinstance(n, ast.AugAssign) and isinstance(n.target, ast.Name)
    }
    return {n for n, c in counts.items() if (c == 1 or top[n] == c) and n not in mutated}


def _handed_to_helpers(stmts: list[ast.stmt]) -> set[str]:
    """Names passed to the user's own functions (which may append to a list)."""
    return {
        a.id
        for s in stmts
        for n in ast.walk(s)
        if isinstance(n, ast.Call) and can_inline(getattr(n.func, RESOLVED, None))
        for a in [*n.args, *(k.value for k in n.keywords)]
        if isinstance(a, ast.Name)
    }


def _argument(param: str, tree: Tree, unit: Unit, prologue: list[ast.stmt], at: ast.AST) -> Static:
    """A container argument: one name per leaf, read in the prologue."""

    def build(t: Tree, path: str, source: ast.expr) -> Static:
        if is_leaf(t):
            name = unit.names.fresh(path)
            if t[1] is not None:
                unit.arg_shapes[name] = t[1]
            read = ast.Assign([ast.Name(name, ast.Store())], source)
            prologue.append(ast.fix_missing_locations(ast.copy_location(read, at)))
            return Static("leaf", expr=_name(name), source=source)
        if t == NONE:
            return Static("none", source=source)
        items = {}
        for i, (key, sub) in enumerate(children(t)):
            index = ast.Constant(i if t[0] == "namedtuple" else key)  # p[0] reads p.W
            part = ast.Subscript(copy.deepcopy(source), index, ast.Load())
            items[key] = build(sub, f"{path}_{_sanitize(key)}", part)
        static = Static(t[0], items, cls=t[1] if t[0] == "namedtuple" else None)
        static.frozen = True  # never written, never used whole: its leaves are
        static.path = source
        return static

    return build(tree, param, _name(param))


def rewrite(stmts: list[ast.stmt], unit: Unit, env: dict[str, Static]) -> list[ast.stmt]:
    """Resolve containers in `stmts` (a function body or an inlined helper's)."""
    if not env and not _mentions_containers(stmts):
        return stmts
    for name, count in _store_counts(stmts).items():
        unit.stores[name] = unit.stores.get(name, 0) + count
    rewriter = _Rewriter(unit, env, _candidates(stmts))
    rewriter.handed = _handed_to_helpers(stmts)
    return rewriter.block(stmts, False)


def _mentions_containers(stmts: list[ast.stmt]) -> bool:
    kinds = (ast.Dict, ast.Tuple, ast.List, ast.ListComp, ast.GeneratorExp, ast.DictComp)
    return any(isinstance(n, kinds) for s in stmts for n in ast.walk(s))


def containers(unit: Unit) -> Unit:
    """Give every leaf of a container argument its own name; resolve containers statically."""
    fdef = unit.tree
    assert fdef is not None
    unit.stores = dict(_store_counts(fdef.body))
    for param in unit.params:
        if param in unit.trees and param in unit.stores:
            node = next(n for n in ast.walk(fdef) if isinstance(n, ast.Name) and n.id == param)
            unit.error(
                UnsupportedSyntaxError,
                f"`{param}` is a container of differentiated arrays and is reassigned here",
                node,
                f"give the new value another name than `{param}`",
            )
    prologue: list[ast.stmt] = []
    env: dict[str, Static] = {}
    for param, tree in unit.trees.items():
        env[param] = _argument(param, tree, unit, prologue, fdef)
        unit.phantoms.add(param)
        unit.wrt_static[param] = env[param]
    unit.containers.update(env)
    rewriter = _Rewriter(unit, env, _candidates(fdef.body))
    rewriter.handed = _handed_to_helpers(fdef.body)
    body = rewriter.block(fdef.body, False)
    _check_static_uses(body, unit, unit.phantoms)
    fdef.body = prologue + body
    return unit


def check_containers(unit: Unit) -> Unit:
    """After inlining: no helper may use a container it was handed as a whole object."""
    if unit.pinned:
        _check_static_uses(unit.body, unit, unit.pinned)
    return unit


def _check_static_uses(stmts: list[ast.stmt], unit: Unit, names: set[str]) -> None:
    """Refuse any use left of a container that exists only at transform time."""
    for stmt in stmts:
        for node in ast.walk(stmt):
            if isinstance(node, ast.Name) and node.id in names and isinstance(node.ctx, ast.Load):
                unit.error(
                    UnsupportedSyntaxError,
                    f"`{node.id}` holds differentiated arrays, "
                    "and this use needs the container itself at run time",
                    node if hasattr(node, "lineno") else stmt,
                    _HINT,
                )


def gradient_of(s: Static, leaf_gradient: Any) -> ast.expr:
    """The gradient of a container argument, in the same structure: {'W': dparams_W, ...}."""
    if s.is_leaf:
        return leaf_gradient(s.expr.id)  # type: ignore[union-attr]
    if s.kind == "none":
        return ast.Constant(None)
    parts = [gradient_of(v, leaf_gradient) for v in s.items.values()]
    if s.kind == "dict":
        return ast.Dict([ast.Constant(k) for k in s.items], parts)
    if s.kind == "list":
        return ast.List(parts, ast.Load())
    if s.kind == "namedtuple":
        kind = ast.Call(_name("type"), [copy.deepcopy(s.path)], [])
        return ast.Call(kind, parts, [])
    return ast.Tuple(parts, ast.Load())


def leaf_names(s: Static) -> list[str]:
    if s.is_leaf:
        return [s.expr.id]  # type: ignore[union-attr]
    return [n for v in s.items.values() for n in leaf_names(v)]
