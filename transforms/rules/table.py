"""The rule table: derivative rules keyed by the callable itself.

A reverse-mode rule is an ordinary Python function whose parameters are the incoming
adjoint `g`, the primal result `ans`, then the primal function's own parameters under
NumPy's names and defaults. It returns one expression per differentiable parameter, in
order (`None` where the parameter gets no gradient):

    @vjp(np.multiply, broadcasts=True)
    def multiply(g, ans, x1, x2):
        return g * x2, g * x1

The compiler parses the body once and inlines it into the generated code, substituting
the call's own arguments; conditions on arguments known at transform time (`axis is None`)
are folded away, so `np.sum(x)` gets `np.broadcast_to(g, np.shape(x))` and nothing else.
"""

from __future__ import annotations

import ast
import builtins
import functools
import inspect
import linecache
import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

PART = "part"  # the static parameter naming which element of a sequence argument is meant


@dataclass(frozen=True)
class Rule:
    """One function's reverse-mode rule, parsed and ready to inline."""

    func: Callable[..., Any]
    template: Callable[..., Any]
    signature: inspect.Signature  # the primal parameters (without g, ans, part)
    broadcasts: bool  # elementwise over broadcast operands: undo broadcasting per input
    sequence: str | None  # the parameter that takes a list of arrays (np.stack, ...)
    array_ok: bool  # the sequence parameter may also be one array (np.array(x))
    results: int | bool  # the function returns a tuple: its length, or True if it varies

    @functools.cached_property
    def outputs(self) -> tuple[ast.expr | None, ...]:
        """The template's return expressions, one per primal parameter (parsed on first use)."""
        outputs = _parse(self.template)
        assert len(outputs) <= len(self.signature.parameters), self.template.__name__
        return outputs

    @functools.cached_property
    def free_objects(self) -> dict[str, Any]:
        """Objects the template names besides its parameters, `np` and `rt` (user rules:
        `digamma`, `my_helper`...); the compiler binds them in the generated code."""
        bound = {"g", "ans", PART, "np", "rt", *inspect.signature(self.template).parameters}
        names = {
            n.id
            for out in self.outputs
            if out is not None
            for n in ast.walk(out)
            if isinstance(n, ast.Name) and n.id not in bound
        }
        code = self.template.__code__
        cells = dict(zip(code.co_freevars, self.template.__closure__ or (), strict=True))
        found = {}
        for name in sorted(names):
            if name in cells:
                found[name] = cells[name].cell_contents
            elif name in self.template.__globals__:
                found[name] = self.template.__globals__[name]
            elif hasattr(builtins, name):
                found[name] = getattr(builtins, name)
            else:
                raise NameError(f"rule {self.template.__qualname__} uses undefined name {name!r}")
        return found

    def output_for(self, param: str) -> ast.expr | None:
        names = list(self.signature.parameters)
        i = names.index(param)
        return self.outputs[i] if i < len(self.outputs) else None


VJPS: dict[Any, Rule] = {}
NONDIFF: dict[Any, str] = {}  # callables whose result does not depend differentiably on inputs
METHODS: dict[str, Any] = {}  # ndarray method name -> the NumPy function it behaves like


def _module_tree(filename: str) -> ast.Module:
    """The parsed file (through linecache, so rules defined in notebooks work too)."""
    text = "".join(linecache.getlines(filename))
    return _parse_text(filename, text)


@functools.lru_cache(maxsize=32)
def _parse_text(filename: str, text: str) -> ast.Module:
    return ast.parse(text, filename)


def _parse(template: Callable[..., Any]) -> tuple[ast.expr | None, ...]:
    code = template.__code__
    fdef = next(
        node
        for node in ast.walk(_module_tree(code.co_filename))
        if isinstance(node, ast.FunctionDef)
        and node.name == code.co_name
        and code.co_firstlineno in [node.lineno, *(d.lineno for d in node.decorator_list)]
    )
    ret = fdef.body[-1]
    if len(fdef.body) != 1 or not isinstance(ret, ast.Return) or ret.value is None:
        raise TypeError(f"rule {template.__name__} must be a single `return` statement")
    value = ret.value
    elems = value.elts if isinstance(value, ast.Tuple) else [value]
    return tuple(None if isinstance(e, ast.Constant) and e.value is None else e for e in elems)


def vjp(
    *funcs: Any,
    broadcasts: bool = False,
    sequence: str | None = None,
    array_ok: bool = False,
    results: int | bool = False,
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register `template` as the reverse-mode rule of each of `funcs`.

    broadcasts: elementwise over operands that may broadcast (adjoints get unbroadcast).
    sequence: the parameter that takes a list of arrays; the template's static `part`
        parameter is the element's position. A `*args` parameter is a sequence too.
    array_ok: the sequence parameter may also be a single array (np.array(x)).
    results: the function returns a tuple (of this length; True if the length varies, as
        for np.split). Then `g` is a tuple of adjoints, None where nothing flows back, and
        `ans` the tuple of results.
    """

    def register(template: Callable[..., Any]) -> Callable[..., Any]:
        sig = inspect.signature(template)
        params = list(sig.parameters.values())
        assert [p.name for p in params[:2]] == ["g", "ans"], template.__name__
        primal = inspect.Signature([p for p in params[2:] if p.name != PART])
        varargs = [p.name for p in params if p.kind is inspect.Parameter.VAR_POSITIONAL]
        seq = sequence or (varargs[0] if varargs else None)
        for f in funcs:
            VJPS[f] = Rule(f, template, primal, broadcasts, seq, array_ok, results)
        return template

    return register


def nondiff(*funcs: Any) -> None:
    """Declare functions whose results are constant with respect to their inputs
    (comparisons, rounding, argmax, shapes, `zeros_like`, ...): no gradient flows."""
    for f in funcs:
        NONDIFF[f] = display_name(f)


def method(name: str, func: Any) -> None:
    """`x.name(...)` behaves like `func(x, ...)`."""
    METHODS[name] = func


def display_name(f: Any) -> str:
    from ..resolve import canonical_path

    path = canonical_path(f)
    if path is not None:
        return ".".join(("np", *path))
    owner = getattr(f, "__self__", None)  # scipy.stats.norm.logpdf: a distribution's method
    if inspect.ismethod(f) and isinstance(getattr(owner, "name", None), str):
        return f"scipy.stats.{owner.name}.{f.__name__}"
    name = getattr(f, "__name__", None)
    for public in ("scipy.special", "scipy.linalg", "scipy.stats"):  # not scipy.special._basic
        if name and getattr(sys.modules.get(public), name, None) is f:
            return f"{public}.{name}"
    module = getattr(f, "__module__", None)
    name = getattr(f, "__qualname__", getattr(f, "__name__", repr(f)))
    return name if module in (None, "builtins") else f"{module}.{name}"


def is_ufunc_like(f: Any) -> bool:
    return isinstance(f, np.ufunc)
