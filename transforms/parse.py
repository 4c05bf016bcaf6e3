"""parse: find the function's definition in its file.

@grad                                  FunctionDef `loss` with positions in file coordinates,
def loss(w, X): ...           ->       decorators dropped;
sq = lambda x: x ** 2         ->       FunctionDef `sq` whose body is `return x ** 2`.
"""

from __future__ import annotations

import ast
import copy
import functools
import inspect
import linecache
import textwrap
import types
from typing import NoReturn

from npgrad.errors import SourceUnavailableError, TransformError, UnsupportedSyntaxError

from .unit import Unit


@functools.lru_cache(maxsize=64)
def _parse_file(filename: str, text: str) -> ast.Module | None:
    try:
        return ast.parse(text, filename)
    except SyntaxError:
        return None


def _positions(code: types.CodeType) -> set[tuple[int, int]]:
    return {
        (ln, col) for ln, _, col, _ in code.co_positions() if ln is not None and col is not None
    }


def _find(tree: ast.AST, code: types.CodeType) -> ast.FunctionDef | ast.Lambda | None:
    """The definition whose code object is `code`: same name and first line, or the lambda
    whose body holds the code's instruction positions."""
    first = code.co_firstlineno
    lambdas = []
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name == code.co_name:
            starts = [node.lineno] + [d.lineno for d in node.decorator_list]
            if first in starts:
                return node
        elif isinstance(node, ast.Lambda) and code.co_name == "<lambda>" and node.lineno == first:
            lambdas.append(node)
    if len(lambdas) > 1:
        where = _positions(code)
        lambdas = [
            lam
            for lam in lambdas
            if any(
                (ln, col) in where
                for sub in ast.walk(lam.body)
                for ln, col in [(getattr(sub, "lineno", 0), getattr(sub, "col_offset", -1))]
            )
        ]
    return lambdas[0] if lambdas else None


def _assigned_name(tree: ast.AST, lam: ast.Lambda) -> str | None:
    """`sq` for `sq = lambda x: ...`, so the generated code is named after it."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and node.value is lam and len(node.targets) == 1:
            target = node.targets[0]
            if isinstance(target, ast.Name):
                return target.id
    return None


def parse(unit: Unit) -> Unit:
    """Find the function's source and make its definition a plain FunctionDef."""
    func = unit.func  # not inspect.unwrap: a decorator's wrapper is part of the function
    if not isinstance(func, types.FunctionType):
        raise SourceUnavailableError(
            f"npgrad needs a Python function, got {type(func).__name__} {func!r}",
            hint="pass a function defined with `def` or `lambda` in a .py file or notebook",
        )
    code = func.__code__
    filename = code.co_filename
    lines = linecache.getlines(filename, func.__globals__)
    if not lines:
        raise SourceUnavailableError(
            f"the source of `{func.__qualname__}` is not available (it was defined in {filename})",
            hint="npgrad reads source text: define the function in a file, a notebook cell or "
            "the interactive prompt of IPython, not with exec() or the plain `python` REPL",
        )
    tree = _parse_file(filename, "".join(lines))
    node = _find(tree, code) if tree is not None else None
    if node is not None:
        node = copy.deepcopy(node)  # the parsed file is cached and shared; passes edit nodes
    if node is None:  # file changed on disk or unparseable as a whole: fall back to the block
        block, start = inspect.getsourcelines(func)
        src = textwrap.dedent("".join(block))
        shift = len(block[0]) - len(block[0].lstrip())
        sub = ast.parse(src)
        for n in ast.walk(sub):
            if hasattr(n, "lineno"):
                n.lineno += start - 1
                n.end_lineno = (n.end_lineno or n.lineno) + start - 1
                n.col_offset += shift
                n.end_col_offset = (n.end_col_offset or 0) + shift
        node, tree = _find(sub, code), sub
    if node is None:
        raise SourceUnavailableError(
            f"cannot find the definition of `{func.__qualname__}` in {filename}",
            hint="the file may have changed since the function was defined; re-import it",
        )
    unit.filename, unit.lines = filename, lines
    if isinstance(node, ast.AsyncFunctionDef):
        unit.error(
            UnsupportedSyntaxError,
            "async functions cannot be differentiated",
            node,
            "differentiate a plain `def` that computes the value, and await around it",
        )
    if isinstance(node, ast.Lambda):
        name = _assigned_name(tree, node) or "f"
        ret = ast.Return(node.body)
        ast.copy_location(ret, node.body)
        fdef = ast.FunctionDef(name, node.args, [ret], [], None, None)
        ast.copy_location(fdef, node)
    else:
        fdef = node
        fdef = ast.FunctionDef(fdef.name, fdef.args, fdef.body, [], fdef.returns, None)
        ast.copy_location(fdef, node)
        _refuse_generator(unit, fdef)
    unit.tree = fdef
    unit.name = fdef.name
    args = fdef.args
    unit.params = [a.arg for a in args.posonlyargs + args.args + args.kwonlyargs]
    for extra in (args.vararg, args.kwarg):
        if extra is not None:
            unit.params.append(extra.arg)
    positional = [a.arg for a in args.posonlyargs + args.args]
    wrt_names = []
    for w in unit.wrt:
        if isinstance(w, int):
            if not 0 <= w < len(positional):
                _bad_wrt(
                    unit, f"wrt={w}, but `{unit.name}` has {len(positional)} positional parameters"
                )
            wrt_names.append(positional[w])
        elif w in unit.params and w not in (
            args.vararg and args.vararg.arg,
            args.kwarg and args.kwarg.arg,
        ):
            wrt_names.append(w)
        else:
            _bad_wrt(unit, f"wrt={w!r} is not a parameter of `{unit.name}`")
    unit.wrt_names = tuple(wrt_names)
    return unit


def _bad_wrt(unit: Unit, message: str) -> NoReturn:
    params = ", ".join(unit.params)
    hint = f"name parameters of {unit.name}({params}) by position or name"
    unit.error(TransformError, message, unit.tree, hint)


def _refuse_generator(unit: Unit, fdef: ast.FunctionDef) -> None:
    """A `def` with `yield` in its own body is a generator: it has no value to differentiate."""
    todo: list[ast.AST] = list(fdef.body)
    while todo:
        node = todo.pop()
        if isinstance(node, ast.Yield | ast.YieldFrom):
            unit.error(
                UnsupportedSyntaxError,
                f"`{fdef.name}` is a generator (it uses `yield`); npgrad differentiates "
                "functions that return a value",
                node,
                "collect the values in a list and return one result (np.stack, sum)",
            )
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda | ast.ClassDef):
            todo.extend(ast.iter_child_nodes(node))
