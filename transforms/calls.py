"""Calls to the user's own functions: their bodies are inlined where they are called.

    def sigmoid(z):                         def loss(w, X):
        return 1 / (1 + np.exp(-z))             z = X @ w
                                    ->          _add2 = 1 + np.exp(-z)      # sigmoid's body,
    def loss(w, X):                             p = 1 / _add2               # its names renamed
        p = sigmoid(X @ w)                      return -np.sum(np.log(p))
        return -np.sum(np.log(p))

normalize asks `inlined(...)` for a prepared copy of the callee: parsed from its own file,
its free names resolved in its own module (NumPy's as `np.<name>`; a function or constant
of another module through that module, read live; its closure cells shared), its locals
renamed so they collide with nothing of the caller's. Positions stay in the callee's file,
so errors and `# grad of:` comments show the callee's lines.
"""

from __future__ import annotations

import ast
import copy
import inspect
import sys
import types
from typing import Any

from npgrad.errors import TransformError, UnsupportedSyntaxError

from .jumps import lower_jumps
from .parse import parse
from .resolve import _Resolver, local_names
from .unit import RESOLVED, SOURCE, Unit
from .untape import untape

_PREPARED: dict[Any, tuple[ast.FunctionDef, Unit]] = {}


def can_inline(obj: Any) -> bool:
    """A plain Python function of the user's (not NumPy's, not a builtin)."""
    if not isinstance(obj, types.FunctionType):
        return False
    module = obj.__module__ or ""
    return not module.startswith(("numpy", "npgrad", "scipy"))


def _prepare(callee: types.FunctionType, caller: Unit) -> tuple[ast.FunctionDef, Unit]:
    """The callee parsed and resolved (cached per function and caller aliases)."""
    key = (callee, tuple(sorted(caller.aliases.items())))
    if key in _PREPARED:
        return _PREPARED[key]
    sub = parse(Unit(callee, ()))
    fdef = sub.tree
    assert fdef is not None
    args = fdef.args
    if args.vararg or args.kwarg:
        sub.error(
            UnsupportedSyntaxError,
            f"npgrad cannot inline `{sub.name}`: it takes *args or **kwargs",
            fdef,
            "give the helper explicit parameters",
        )
    sub.local_names = local_names(fdef)
    cells = dict(zip(callee.__code__.co_freevars, callee.__closure__ or (), strict=True))
    sub.env = {**callee.__globals__}
    for name, cell in cells.items():
        try:
            sub.env[name] = cell.cell_contents
        except ValueError:
            pass
    sub.aliases = dict(caller.aliases)
    fdef = _Resolver(sub).visit(fdef)
    sub.tree = fdef
    untape(sub)  # a gradient npgrad generated, called here: its tape as lists (untape.py)
    sub.local_names = local_names(fdef)
    src = (sub.filename, sub.lines)
    for node in ast.walk(fdef):
        setattr(node, SOURCE, src)
    _PREPARED[key] = (fdef, sub)
    return fdef, sub


def inlined(callee: types.FunctionType, caller: Unit, call: ast.Call) -> tuple[
    list[tuple[str, ast.expr]], list[ast.stmt], ast.expr
]:  # fmt: skip
    """(parameter bindings, body statements, returned expression) of `callee` applied to the
    call's (already normalized) arguments, with the callee's names renamed for the caller."""
    template, sub = _prepare(callee, caller)
    fdef = copy.deepcopy(template)
    fdef.body = lower_jumps(fdef.body, caller)  # jumps and early returns: one result at the end
    body = fdef.body
    if not body or not isinstance(body[-1], ast.Return) or body[-1].value is None:
        sub.error(
            UnsupportedSyntaxError,
            f"npgrad inlines `{sub.name}` and needs it to end with `return <value>`",
            body[-1] if body else fdef,
            "end the helper with one return of its result",
        )
    for stmt in body[:-1]:
        for node in ast.walk(stmt):
            if isinstance(node, ast.Return):
                sub.error(
                    UnsupportedSyntaxError,
                    f"`{sub.name}` returns early; npgrad inlines helpers with one final return",
                    node,
                    "assign the result in each branch and return it at the end",
                )
    signature = inspect.signature(callee)
    try:
        bound = signature.bind(*call.args, **{kw.arg: kw.value for kw in call.keywords})
    except TypeError as exc:
        raise TransformError(
            f"this call of `{sub.name}` does not match its signature: {exc}"
        ) from None
    arguments = {
        name: bound.arguments[name] if name in bound.arguments else _default(p.default, caller)
        for name, p in signature.parameters.items()
    }
    # a parameter the helper never reassigns simply becomes the argument (a name or literal);
    # every other local of the helper gets a fresh name of the caller's
    stored = {
        n.id for n in ast.walk(fdef) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)
    }
    used = {n.id for n in ast.walk(fdef) if isinstance(n, ast.Name)}
    caller.names.taken |= used
    direct = {
        name: value
        for name, value in arguments.items()
        if name not in stored and isinstance(value, ast.Name | ast.Constant)
    }
    rename = {n: caller.names.fresh(n) for n in sorted(sub.local_names) if n not in direct}
    _substitute(fdef, rename, direct)
    _bind_foreign_globals(fdef, callee, caller)
    bindings = [(rename[n], value) for n, value in arguments.items() if n not in direct]
    from .containers import rewrite

    env = dict(caller.containers)  # containers handed to the helper, resolved in its body
    for name, value in bindings:
        if isinstance(value, ast.Name) and value.id in caller.containers:
            if value.id in caller.phantoms:
                sub.error(
                    UnsupportedSyntaxError,
                    f"`{sub.name}` reassigns the parameter that receives a container of "
                    "differentiated arrays",
                    fdef,
                    "give the new value another name",
                )
            env[name] = caller.containers[value.id]
    body = rewrite(fdef.body, caller, env)
    return bindings, body[:-1], body[-1].value  # type: ignore[return-value]


def _substitute(fdef: ast.FunctionDef, rename: dict[str, str], direct: dict[str, ast.expr]) -> None:
    """Rename the helper's locals; put arguments in place of parameters used as they are."""
    for parent in ast.walk(fdef):
        for field, child in ast.iter_fields(parent):
            items = child if isinstance(child, list) else [child]
            for k, node in enumerate(items):
                if not isinstance(node, ast.Name) or hasattr(node, RESOLVED):
                    continue
                if node.id in rename:
                    node.id = rename[node.id]
                elif node.id in direct and isinstance(node.ctx, ast.Load):
                    new = ast.copy_location(copy.deepcopy(direct[node.id]), node)
                    if isinstance(child, list):
                        child[k] = new
                    else:
                        setattr(parent, field, new)


def _default(value: Any, caller: Unit) -> ast.expr:
    """A parameter default as an expression: a literal, or a bound cell."""
    if isinstance(value, int | float | complex | str | bool | type(None)):
        return ast.Constant(value)
    name = caller.names.fresh("default")
    caller.cells[name] = value
    node = ast.Name(name, ast.Load())
    setattr(node, RESOLVED, value)
    return node


def _same_module(cell: Any, name: str) -> bool:
    try:
        return cell.cell_contents is sys.modules.get(name)
    except ValueError:  # an empty cell
        return False


def _bind_foreign_globals(fdef: ast.FunctionDef, callee: types.FunctionType, caller: Unit) -> None:
    """Free names of a callee from another module are read through that module (live);
    names from the callee's closure are read through the callee's own cells."""
    same_module = callee.__globals__ is caller.func.__globals__
    cells = dict(zip(callee.__code__.co_freevars, callee.__closure__ or (), strict=True))
    module = sys.modules.get(callee.__module__)
    module_alias = None
    for parent in ast.walk(fdef):
        for field, child in ast.iter_fields(parent):
            items = child if isinstance(child, list) else [child]
            for k, node in enumerate(items):
                if not (isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load)):
                    continue
                if node.id in (caller.np, caller.rt) and hasattr(node, RESOLVED):
                    continue  # canonical NumPy spelling, bound by the generated code
                if node.id in cells and _same_module(cells[node.id], "numpy"):
                    new = ast.Name(caller.np, ast.Load())  # a gradient npgrad generated
                elif node.id in cells and _same_module(cells[node.id], "npgrad.runtime"):
                    new = ast.Name(caller.rt, ast.Load())
                elif node.id in cells:
                    alias = caller.names.fresh(node.id)
                    caller.cells[alias] = cells[node.id]
                    new: ast.expr = ast.Name(alias, ast.Load())
                elif not same_module and node.id in callee.__globals__ and module is not None:
                    if module_alias is None:
                        module_alias = caller.names.fresh(callee.__module__.split(".")[-1])
                        caller.cells[module_alias] = module
                    new = ast.Attribute(ast.Name(module_alias, ast.Load()), node.id, ast.Load())
                else:
                    continue
                for attr in (RESOLVED, SOURCE):
                    if hasattr(node, attr):
                        setattr(new, attr, getattr(node, attr))
                ast.copy_location(new, node)
                if isinstance(child, list):
                    child[k] = new
                else:
                    setattr(parent, field, new)
