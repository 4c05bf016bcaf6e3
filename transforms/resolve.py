"""resolve: bind every free name to the object it means when the function is transformed.

    from numpy import exp              exp(x)        ->  np.exp(x)          (RESOLVED: np.exp)
    import numpy                       numpy.tanh(x) ->  np.tanh(x)         (RESOLVED: np.tanh)
    scale = 2.0  # a global            scale * x     ->  scale * x          (RESOLVED: 2.0)

NumPy callables are rewritten to one canonical spelling under the backend's alias, so
rules are found by the callable itself and the emitted code reads the same whatever the
user's import style was.
"""

from __future__ import annotations

import ast
import builtins
import functools
import types
from typing import Any

import numpy

from npgrad.errors import UnsupportedSyntaxError

from .unit import RESOLVED, Namer, Unit

_MISSING = object()


@functools.lru_cache(maxsize=1)
def numpy_paths() -> dict[int, tuple[str, ...]]:
    """id(obj) -> attribute path under numpy, for NumPy's callables and submodules."""
    paths: dict[int, tuple[str, ...]] = {id(numpy): ()}
    for prefix, mod in (((), numpy), (("linalg",), numpy.linalg), (("fft",), numpy.fft)):
        paths.setdefault(id(mod), prefix)
        # vars(), not dir() + getattr(): NumPy 2 imports submodules lazily on getattr
        objs = {n: v for n, v in vars(mod).items() if not n.startswith("_")}
        names = list(objs)
        # an object's own __name__ first (np.arccos, not its NumPy 2 alias np.acos)
        names.sort(key=lambda n: getattr(objs[n], "__name__", None) != n)
        for name in names:
            obj = objs[name]
            if callable(obj) and not isinstance(obj, types.ModuleType):
                paths.setdefault(id(obj), (*prefix, name))
    return paths


def canonical_path(obj: Any) -> tuple[str, ...] | None:
    """('linalg', 'norm') for numpy.linalg.norm; None for anything that is not NumPy's."""
    path = numpy_paths().get(id(obj))
    if path is None:
        return None
    target = numpy
    for part in path:
        target = getattr(target, part, None)
    return path if target is obj else None


def attr_chain(alias: str, path: tuple[str, ...]) -> ast.expr:
    node: ast.expr = ast.Name(alias, ast.Load())
    for part in path:
        node = ast.Attribute(node, part, ast.Load())
    return node


def local_names(fdef: ast.FunctionDef) -> set[str]:
    """Parameters and every name the body stores to."""
    args = fdef.args
    names = {a.arg for a in args.posonlyargs + args.args + args.kwonlyargs}
    names |= {a.arg for a in (args.vararg, args.kwarg) if a is not None}
    for node in ast.walk(fdef):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store | ast.Del):
            names.add(node.id)
    return names


class _Resolver(ast.NodeTransformer):
    def __init__(self, unit: Unit):
        self.unit = unit

    def lookup(self, name: str) -> Any:
        if name in self.unit.passed:  # a function passed as an argument (never reassigned)
            return self.unit.passed[name]
        if name in self.unit.local_names:
            return _MISSING
        return self.unit.env.get(name, getattr(builtins, name, _MISSING))

    def record(self, name: str, obj: Any) -> None:
        """Remember where a resolved function came from, to notice if it is rebound."""
        func = self.unit.func
        if name in func.__code__.co_freevars:
            cell = func.__closure__[func.__code__.co_freevars.index(name)]  # type: ignore[index]
            self.unit.bindings.append((cell, name, obj))
        elif name in func.__globals__:
            self.unit.bindings.append((func.__globals__, name, obj))

    def value_of(self, node: ast.expr) -> Any:
        if isinstance(node, ast.Name):
            return self.lookup(node.id)
        if isinstance(node, ast.Attribute):
            base = self.value_of(node.value)
            return _MISSING if base is _MISSING else getattr(base, node.attr, _MISSING)
        return _MISSING

    def _resolve(self, node: ast.Name | ast.Attribute) -> ast.expr:
        obj = self.value_of(node)
        if obj is _MISSING:
            return self.generic_visit(node)
        if isinstance(node, ast.Name) and callable(obj) and not isinstance(obj, type):
            self.record(node.id, obj)
        path = canonical_path(obj) if callable(obj) or isinstance(obj, types.ModuleType) else None
        new = attr_chain(self.unit.np, path) if path is not None else node
        setattr(new, RESOLVED, obj)
        return ast.copy_location(new, node)

    def visit_Name(self, node: ast.Name) -> ast.expr:
        return self._resolve(node) if isinstance(node.ctx, ast.Load) else node

    def visit_Attribute(self, node: ast.Attribute) -> ast.expr:
        return self._resolve(node) if isinstance(node.ctx, ast.Load) else self.generic_visit(node)


def resolve(unit: Unit) -> Unit:
    """Resolve free names against the closure, the globals and the builtins."""
    func, fdef = unit.func, unit.tree
    assert fdef is not None
    unit.local_names = local_names(fdef)
    reassigned = _reassigned(fdef)
    unit.passed = {k: v for k, v in unit.passed.items() if k not in reassigned}
    closure = dict(
        zip(
            func.__code__.co_freevars,
            (c.cell_contents if _filled(c) else _MISSING for c in func.__closure__ or ()),
            strict=True,
        )
    )
    unit.env = {**func.__globals__, **{k: v for k, v in closure.items() if v is not _MISSING}}
    used = {n.id for n in ast.walk(fdef) if isinstance(n, ast.Name)} | set(unit.params)
    unit.names = Namer(used | set(unit.env) & used)
    np_ok = "np" not in unit.local_names and unit.env.get("np", numpy) is numpy
    if "np" in unit.local_names:
        unit.error(
            UnsupportedSyntaxError,
            "npgrad reserves the name `np` for NumPy in generated code",
            next(n for n in ast.walk(fdef) if isinstance(n, ast.Name) and n.id == "np"),
            "rename the local variable `np`",
        )
    unit.aliases = {
        "np": "np" if np_ok else unit.names.fresh("numpy_"),
        "rt": "rt" if "rt" not in used else unit.names.fresh("npgrad_rt"),
    }
    unit.names.taken |= set(unit.aliases.values())
    unit.tree = _Resolver(unit).visit(fdef)
    return unit


def _reassigned(fdef: ast.FunctionDef) -> set[str]:
    return {
        n.id for n in ast.walk(fdef) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)
    }


def _filled(cell: types.CellType) -> bool:
    try:
        cell.cell_contents  # noqa: B018
    except ValueError:
        return False
    return True
