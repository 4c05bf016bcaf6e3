"""statics: values known when the code is generated, and the expressions that use them.

    params["W"]            ->  params_W              (a leaf of a container argument)
    len(params)            ->  2
    "b" in params          ->  True
    sq(x + 1)              ->  _t = x + 1; ... _t ** 2   (sq = lambda t: t ** 2, inlined)
    [f(w) for w in ws]     ->  [f(ws_0), f(ws_1)]        (a comprehension over a container)

`Static` is a container known at transform time (its items) or one of its leaves (an
expression); `StaticExpressions` evaluates keys and indices, resolves subscripts, attributes,
`len`, `in`, `.get`, `.keys()/.values()/.items()`, `sum`/`list`/`tuple` of containers and
comprehensions over them, and inlines local lambdas. The containers pass
(transforms/containers.py) adds the statements: bindings, unrolled loops, writes.
"""

from __future__ import annotations

import ast
import copy
from dataclasses import dataclass, field
from typing import Any

from npgrad.errors import UnsupportedSyntaxError

from .calls import can_inline
from .unit import RESOLVED, Unit

NOT = object()  # no value known at transform time
HINT = "use constant keys and indices (or loop over the container) so npgrad can resolve them"


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


def const_of(s: Static) -> Any:
    return s.expr.value if s.is_leaf and isinstance(s.expr, ast.Constant) else NOT


def name_node(id_: str) -> ast.Name:
    return ast.Name(id_, ast.Load())


def sanitize(key: Any) -> str:
    text = str(key)
    return "".join(c if c.isalnum() or c == "_" else "_" for c in text) or "key"


class StaticExpressions(ast.NodeTransformer):
    """Expressions over the containers (and lambdas) bound so far; the containers pass
    subclasses it with the statements."""

    def __init__(self, unit: Unit, env: dict[str, Static], candidates: set[str]):
        self.unit = unit
        self.env = env
        self.consts: dict[str, Any] = {}
        self.subst: dict[str, ast.expr] = {}  # comprehension variables while one is expanded
        self.candidates = candidates
        self.handed: set[str] = set()  # names passed to the user's helpers
        self.level = 0
        self.out: list[ast.stmt] = []

    def error(self, message: str, node: ast.AST, hint: str = HINT) -> Any:
        self.unit.error(UnsupportedSyntaxError, message, node, hint)

    # ---- values known now ------------------------------------------------------------------

    def const_eval(self, node: ast.expr) -> Any:
        """The value of a key or index, if it is known at transform time."""
        if isinstance(node, ast.Constant):
            return node.value
        if isinstance(node, ast.Name):
            if node.id in self.subst:
                return self.const_eval(self.subst[node.id])
            return self.consts.get(node.id, NOT)
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub | ast.UAdd):
            v = self.const_eval(node.operand)
            return NOT if v is NOT else (-v if isinstance(node.op, ast.USub) else v)
        if isinstance(node, ast.BinOp):
            a, b = self.const_eval(node.left), self.const_eval(node.right)
            if a is NOT or b is NOT:
                return NOT
            ops = {ast.Add: "__add__", ast.Sub: "__sub__", ast.Mult: "__mul__"}
            ops |= {ast.FloorDiv: "__floordiv__", ast.Mod: "__mod__"}
            method = ops.get(type(node.op))
            try:
                result = getattr(a, method)(b) if method else NotImplemented
            except Exception:
                return NOT
            return NOT if result is NotImplemented else result
        if isinstance(node, ast.JoinedStr):
            parts = []
            for v in node.values:
                if isinstance(v, ast.Constant):
                    parts.append(str(v.value))
                elif isinstance(v, ast.FormattedValue) and v.format_spec is None:
                    inner = self.const_eval(v.value)
                    if inner is NOT:
                        return NOT
                    parts.append({115: str, 114: repr, 97: ascii}.get(v.conversion, format)(inner))
                else:
                    return NOT
            return "".join(parts)
        if isinstance(node, ast.Call) and len(node.args) == 1 and not node.keywords:
            func = getattr(node.func, RESOLVED, None)
            if func in (str, int):
                v = self.const_eval(node.args[0])
                return NOT if v is NOT else func(v)
            if func is len:
                s = self.static_of(node.args[0])
                if s is not None and not s.is_leaf:
                    return len(s.items)
        return NOT

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
                if NOT not in bounds:
                    kept = list(base.items.values())[slice(*bounds)]
                    part = Static(base.kind, dict(enumerate(kept)), level=base.level)
                    part.frozen = base.frozen
                    return part
            key = self.const_eval(node.slice)
            if key is NOT:
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
                key = self.const_eval(node.args[0]) if node.args else NOT
                if key is NOT or node.keywords or len(node.args) > 2:
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
                start = self.const_eval(kw.value) if kw.arg == "start" else NOT
            if items is None or start is NOT:
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
            if NOT in bounds or not all(isinstance(b, int) for b in bounds):
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
            if s is not None and not s.is_leaf and key is not NOT:
                found = (
                    key in s.items
                    if s.kind == "dict"
                    else key in [const_of(v) for v in s.items.values()]
                )
                return ast.copy_location(
                    ast.Constant(found == isinstance(node.ops[0], ast.In)), node
                )
        return self.generic_visit(node)

    def made_gradient(self, node: ast.expr) -> ast.Name | None:
        """`npgrad.grad(energy, wrt=1)` with arguments known now (functions, constants): the
        gradient it makes, made now and bound to a fresh name (inlined where it is called)."""
        from npgrad.api import grad, value_and_grad

        if not isinstance(node, ast.Call):
            return None
        maker = getattr(node.func, RESOLVED, None)
        if maker is not grad and maker is not value_and_grad:
            return None

        def known(arg: ast.expr) -> Any:
            if isinstance(arg, ast.Name) and hasattr(arg, RESOLVED):
                return getattr(arg, RESOLVED)
            return ast.literal_eval(arg)  # a constant or a tuple of them (ValueError if not)

        try:
            args = [known(a) for a in node.args]
            keywords = {kw.arg: known(kw.value) for kw in node.keywords if kw.arg is not None}
        except ValueError:
            return None
        if len(keywords) != len(node.keywords):
            return None
        made = maker(*args, **keywords)
        name = self.unit.names.fresh("_" + getattr(args[0], "__name__", "f") if args else "_f")
        self.unit.cells[name] = made
        found = ast.copy_location(ast.Name(name, ast.Load()), node)
        setattr(found, RESOLVED, made)
        return found

    def made_jvp(self, node: ast.Call) -> ast.Call | None:
        """`npgrad.jvp(f, (x, k), (tx, None))` with `f` known now: a call of f's generated
        JVP along the arguments whose tangent is not a literal None (inlined like a helper)."""
        from npgrad.jacobians import jvp, tangent_parameters

        if getattr(node.func, RESOLVED, None) is not jvp or node.keywords or len(node.args) != 3:
            return None
        func, primals, tangents = node.args
        func = self.made_gradient(func) or func  # `npgrad.jvp(npgrad.grad(e), ...)`
        f = getattr(func, RESOLVED, None)
        if f is None or not isinstance(primals, ast.Tuple) or not isinstance(tangents, ast.Tuple):
            return None
        if len(primals.elts) != len(tangents.elts):
            return None
        wrt = tuple(
            i
            for i, t in enumerate(tangents.elts)
            if not (isinstance(t, ast.Constant) and t.value is None)
        )
        if not wrt:
            return None
        from npgrad.api import Transformed

        made = Transformed(f, "jvp", wrt, None, True)
        names = tangent_parameters(made, made.compiled_for(None))
        alias = self.unit.names.fresh("_jvp_" + getattr(f, "__name__", "f"))
        self.unit.cells[alias] = made
        callee = ast.copy_location(ast.Name(alias, ast.Load()), node)
        setattr(callee, RESOLVED, made)
        given = [tangents.elts[i] for i in wrt]
        keywords = [ast.keyword(n, t) for n, t in zip(names, given, strict=True)]
        return ast.copy_location(ast.Call(callee, list(primals.elts), keywords), node)

    def visit_Call(self, node: ast.Call) -> ast.expr:
        made = self.made_gradient(node.func)  # `npgrad.grad(energy)(x, k)`
        if made is not None:
            node.func = made
        call = self.made_jvp(node)  # `npgrad.jvp(f, (x,), (v,))`
        if call is not None:
            node = call
        func = getattr(node.func, RESOLVED, None)
        local = self.static_of(node.func)  # `sq(x)`, `acts["sq"](x)`
        if local is not None and local.kind == "lambda":
            return self.lambda_call(local.expr, node)  # type: ignore[arg-type]
        if func is len and len(node.args) == 1:
            n = self.const_eval(node)
            if n is not NOT:
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
                value = name_node(temp)
            self.subst[name] = value
        try:
            body = self.visit(copy.deepcopy(lam.body))
        finally:
            self.subst = saved
        return ast.copy_location(body, call)

    def pinned(self, arg: ast.expr) -> ast.expr:
        """A container (or lambda) argument of a helper: a name bound to a snapshot of it."""
        if isinstance(arg, ast.Lambda) and simple_lambda(arg):
            name = self.unit.names.fresh("_lambda")
            self.unit.containers[name] = Static("lambda", expr=arg)
            return ast.copy_location(name_node(name), arg)
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
            snapshot.source = name_node(name)
        else:
            self.unit.pinned.add(name)
        self.unit.containers[name] = snapshot
        return ast.copy_location(name_node(name), arg)

    def expanded(self, node: ast.expr) -> list[Static] | None:
        """The elements of a comprehension over a container known now, one per element."""
        if not isinstance(node, ast.ListComp | ast.GeneratorExp | ast.SetComp):
            return None
        if len(node.generators) != 1 or node.generators[0].is_async:
            return None
        gen = node.generators[0]
        items = self.iteration(gen.iter)
        if items is None or (
            is_range(gen.iter) and not self.indexes_static([node.elt, *gen.ifs], gen.target)
        ):
            return None
        out = []
        saved = (dict(self.subst), dict(self.env), dict(self.consts))
        try:
            for item in items:
                if not self.bind_expr(gen.target, item):
                    return None
                keep = [self.const_eval(self.visit(copy.deepcopy(c))) for c in gen.ifs]
                if NOT in keep:
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


def simple_lambda(lam: ast.Lambda) -> bool:
    a = lam.args
    return not (a.posonlyargs or a.vararg or a.kwonlyargs or a.kwarg or a.defaults)


def is_range(it: ast.expr) -> bool:
    return isinstance(it, ast.Call) and getattr(it.func, RESOLVED, None) is range
