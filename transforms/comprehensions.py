"""comprehensions: a list comprehension that may compute differentiated values is built by
append in a loop (part of the normalize pass).

    H = np.stack([np.tanh(X[i] * w) for i in range(n) if i != k])
                            ->
    _list1 = []
    for i in range(n):
        if i != k:
            _list1.append(np.tanh(X[i] * w))
    H = np.stack(_list1)

`hs = [...]` builds `hs` itself. Each `for` clause becomes a loop (loops.py lowers it like
any `for`), each `if` clause a branch; a comprehension variable that a name of the
function's own would collide with gets a fresh name, as Python gives it its own scope. The
list is then an ordinary list built by append, which transforms/lists.py follows. A
comprehension that reads only constants (globals, arguments not differentiated) stays one
expression, as before; so does one over a dict, a set or a generator.

`hs += [a, b]` on a list the function made is `hs.extend([a, b])`, as in Python.
"""

from __future__ import annotations

import ast
import copy
from typing import TYPE_CHECKING

from .unit import RESOLVED, Unit

_WALKED_CALLS = (range, enumerate, zip)  # for-loop iterables loops.py lowers
_NOT_INDEXABLE = (dict, set, frozenset, map, filter, iter, reversed, zip, enumerate)
_NOT_INDEXABLE_NODES = (ast.Dict, ast.Set, ast.DictComp, ast.SetComp, ast.GeneratorExp)
_SCOPES = (ast.Lambda, ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)


class ComprehensionLowering:
    """The list comprehensions of `_Normalizer`."""

    unit: Unit
    version: dict[str, str]
    defs: dict[str, ast.expr]
    line: int

    if TYPE_CHECKING:

        def stmt(self, s: ast.stmt) -> None: ...
        def store(self, name: str) -> str: ...
        def emit(self, target: str, value: ast.expr, like: ast.AST) -> None: ...

    def lowers(self, node: ast.expr) -> bool:
        """A list comprehension worth building by append: it may read a differentiated
        value, and each `for` walks something a loop can index."""
        if not isinstance(node, ast.ListComp):
            return False
        if any(gen.is_async or not self._walkable(gen.iter) for gen in node.generators):
            return False
        bound = _bound(node)
        reads = {n.id for n in ast.walk(node) if isinstance(n, ast.Name)} - bound
        params = set(self.unit.params)
        local = {k for k in self.version if k not in params}
        return bool(reads & (local | set(self.unit.wrt_names)))

    def _walkable(self, it: ast.expr) -> bool:
        if isinstance(it, ast.Call):
            return getattr(it.func, RESOLVED, None) in _WALKED_CALLS
        if isinstance(it, ast.Name):
            value = self.defs.get(self.version.get(it.id, it.id))
            while isinstance(value, ast.Name) and value.id in self.defs:
                value = self.defs[value.id]
            if isinstance(value, _NOT_INDEXABLE_NODES):
                return False
            if isinstance(value, ast.Call):
                return getattr(value.func, RESOLVED, None) not in _NOT_INDEXABLE
            return True
        return isinstance(it, ast.Attribute | ast.Subscript | ast.List | ast.Tuple)

    def comprehension_assign(self, s: ast.stmt) -> bool:
        """`hs = [f(v) for v in xs]`: build `hs` itself (True), when the comprehension
        does not read the name it is assigned to."""
        if not (
            isinstance(s, ast.Assign)
            and len(s.targets) == 1
            and isinstance(s.targets[0], ast.Name)
            and self.lowers(s.value)
        ):
            return False
        name = s.targets[0].id
        if any(isinstance(n, ast.Name) and n.id == name for n in ast.walk(s.value)):
            return False
        self.comprehension(s.value, name)  # type: ignore[arg-type]
        return True

    def comprehension(self, node: ast.ListComp, into: str | None = None) -> ast.Name:
        """Emit the loop that builds the list; the list's name (a new version of `into`)."""
        line = self.line
        node = self._own_scope(node)
        name = self.store(into) if into is not None else self.unit.names.temp("list")
        self.emit(name, ast.copy_location(ast.List([], ast.Load()), node), node)
        receiver = ast.Name(into if into is not None else name, ast.Load())
        append = ast.Attribute(receiver, "append", ast.Load())
        body: list[ast.stmt] = [ast.Expr(ast.Call(append, [node.elt], []))]
        for gen in reversed(node.generators):
            for cond in reversed(gen.ifs):
                body = [ast.If(cond, body, [])]
            body = [ast.For(gen.target, gen.iter, body, [], None)]
        for sub in ast.walk(body[0]):
            if isinstance(sub, ast.stmt | ast.expr) and not hasattr(sub, "lineno"):
                ast.copy_location(sub, node)
        for attr in ("npgrad_src",):  # an inlined helper's file, for errors and comments
            if hasattr(node, attr):
                for sub in ast.walk(body[0]):
                    if isinstance(sub, ast.stmt):
                        setattr(sub, attr, getattr(node, attr))
        self.stmt(body[0])
        self.line = line
        return ast.copy_location(
            ast.Name(self.version.get(into, name) if into else name, ast.Load()), node
        )  # type: ignore[arg-type]

    def _own_scope(self, node: ast.ListComp) -> ast.ListComp:
        """The comprehension with fresh names for variables that collide with the
        function's (the first iterable is read outside the comprehension's scope)."""
        bound = _bound(node)
        outer = _outer_names(self.unit.tree) if self.unit.tree is not None else set()
        clash = {v for v in bound if v in self.version or v in outer}
        if not clash:
            return node
        mapping = {v: self.unit.names.fresh(v) for v in sorted(clash)}
        node = copy.deepcopy(node)
        first = node.generators[0]
        first_iter = first.iter
        renamed = _Rename(mapping).visit(node)
        renamed.generators[0].iter = first_iter
        return renamed

    def list_extend(self, s: ast.AugAssign) -> bool:
        """`hs += [a, b]` on a list made here: `hs.extend([a, b])` (True)."""
        target = s.target
        if not (isinstance(target, ast.Name) and isinstance(s.op, ast.Add)):
            return False
        value = self.defs.get(self.version.get(target.id, ""))
        while isinstance(value, ast.Name) and value.id in self.defs:
            value = self.defs[value.id]
        if not isinstance(value, ast.List):
            return False
        extend = ast.Attribute(ast.Name(target.id, ast.Load()), "extend", ast.Load())
        call = ast.Expr(ast.Call(extend, [s.value], []))
        self.stmt(ast.fix_missing_locations(ast.copy_location(call, s)))
        return True


def _bound(node: ast.ListComp) -> set[str]:
    """The comprehension's own variables."""
    return {
        n.id for gen in node.generators for n in ast.walk(gen.target) if isinstance(n, ast.Name)
    }


def _outer_names(fdef: ast.AST) -> set[str]:
    """Names the function itself uses (not only inside comprehensions and lambdas)."""
    found: set[str] = set()

    def walk(node: ast.AST) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, _SCOPES):
                continue
            if isinstance(child, ast.Name):
                found.add(child.id)
            elif isinstance(child, ast.arg):
                found.add(child.arg)
            walk(child)

    walk(fdef)
    return found


def scope_bound(node: ast.AST) -> set[str]:
    """The names a lambda or comprehension binds itself (targets, a lambda's parameters)."""
    bound = {
        n.id for n in ast.walk(node) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)
    }
    if isinstance(node, ast.Lambda):
        bound |= {a.arg for a in node.args.args + node.args.kwonlyargs}
    return bound


class _Rename(ast.NodeTransformer):
    """Rename variables inside a comprehension, leaving nested scopes that rebind them."""

    def __init__(self, mapping: dict[str, str]):
        self.mapping = mapping

    def visit_Name(self, node: ast.Name) -> ast.Name:
        if node.id in self.mapping:
            return ast.copy_location(ast.Name(self.mapping[node.id], node.ctx), node)
        return node

    def _scoped(self, node: ast.AST) -> ast.AST:
        bound = scope_bound(node)
        inner = _Rename({k: v for k, v in self.mapping.items() if k not in bound})
        return inner.generic_visit(node)

    visit_Lambda = visit_SetComp = visit_DictComp = visit_GeneratorExp = _scoped

    def visit_ListComp(self, node: ast.ListComp) -> ast.AST:
        if getattr(self, "_top", None) is None:
            self._top = node  # the comprehension being lowered itself
            return self.generic_visit(node)
        return self._scoped(node)
