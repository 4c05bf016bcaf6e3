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
from typing import Any

from npgrad.errors import UnsupportedSyntaxError
from npgrad.pytree import NONE, Tree, children, is_leaf

from .calls import can_inline
from .statics import (
    HINT,
    NOT,
    Static,
    StaticExpressions,
    is_range,
    leaf,
    name_node,
    sanitize,
    simple_lambda,
)
from .unit import RESOLVED, Unit

_MUTATORS = {"append", "extend", "insert", "pop", "remove", "clear", "sort", "reverse"}


class _Rewriter(StaticExpressions):
    """Rewrites one body, statement by statement, with the containers bound so far."""

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
            if known is not NOT:
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
        return not is_range(s.iter) or self.indexes_static(s.body, s.target)

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
        if isinstance(value, ast.Lambda) and simple_lambda(value) and self.bindable(target, value):
            self.env[target.id] = Static("lambda", expr=value)  # inlined where it is called
            return None
        if self.bindable(target, value) and (made := self.made_gradient(value)) is not None:
            self.env[target.id] = leaf(made)  # `g = npgrad.grad(f)`: inlined where called
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
        if isinstance(target, ast.Name) and target.id in self.candidates and known is not NOT:
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
        static.source = name_node(name)
        rebuilt = self.runtime_form(static, s)
        self.emit(ast.copy_location(ast.Assign([ast.Name(name, ast.Store())], rebuilt), s))
        self.consts.pop(name, None)
        self.env[name] = static

    def literal(self, value: ast.expr, prefix: str, s: ast.stmt) -> Static:
        if isinstance(value, ast.Dict):
            items = {}
            for k, v in zip(value.keys, value.values, strict=True):
                key = self.const_eval(k) if k is not None else NOT
                if key is NOT:
                    self.error(
                        "npgrad resolves dict literals at transform time and needs constant keys",
                        k or value,
                    )
                items[key] = self.literal(v, f"{prefix}_{sanitize(key)}", s)
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
        if isinstance(value, ast.Lambda) and simple_lambda(value):
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
        return leaf(name_node(name))

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
        if base.frozen or base.level != self.level or key is NOT or base.kind != "dict":
            self.error(
                "npgrad resolves this container at transform time; it can only add or "
                "replace a constant key, in the block that created it",
                s,
                "build the container in one place, with constant keys",
            )
        item = self.literal(s.value, f"{ast.unparse(target.value)}_{sanitize(key)}", s)
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
            return Static("leaf", expr=name_node(name), source=source)
        if t == NONE:
            return Static("none", source=source)
        items = {}
        for i, (key, sub) in enumerate(children(t)):
            index = ast.Constant(i if t[0] == "namedtuple" else key)  # p[0] reads p.W
            part = ast.Subscript(copy.deepcopy(source), index, ast.Load())
            items[key] = build(sub, f"{path}_{sanitize(key)}", part)
        static = Static(t[0], items, cls=t[1] if t[0] == "namedtuple" else None)
        static.frozen = True  # never written, never used whole: its leaves are
        static.path = source
        return static

    return build(tree, param, name_node(param))


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
                    HINT,
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
        kind = ast.Call(name_node("type"), [copy.deepcopy(s.path)], [])
        return ast.Call(kind, parts, [])
    return ast.Tuple(parts, ast.Load())


def leaf_names(s: Static) -> list[str]:
    if s.is_leaf:
        return [s.expr.id]  # type: ignore[union-attr]
    return [n for v in s.items.values() for n in leaf_names(v)]
