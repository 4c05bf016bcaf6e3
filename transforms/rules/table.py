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

A forward-mode (JVP) rule sits next to each reverse rule, in the same module, registered in
`JVPS` by the `jvp` decorator. Its parameters are the tangents of the differentiable
parameters (each named `t` + the parameter's name, in the parameters' order), the result
`ans`, then the same primal parameters as the reverse rule. It returns the output's
tangent (for a function with `results=N`, a tuple of the parts' tangents):

    @jvp(np.multiply)
    def multiply_jvp(tx1, tx2, ans, x1, x2):
        return tx1 * x2 + x1 * tx2

A linear function's tangent is the call itself with each operand replaced by its tangent,
written `linear(ta)`: for `np.sum(x, axis=0)` it gives `np.sum(tx, axis=0)`, the user's own
spelling (zeros stand in for operands listed in `linear` that do not vary).

Reverse rules of elementwise functions whose adjoint is linear in `g` (a diagonal
Jacobian: `g * f'(x)` for each operand) may instead be declared `diagonal(template, ...)`:
their JVP is the sum over operands of the reverse rule with `g` replaced by that operand's
tangent (the SciPy special functions and log-densities use this).

A tangent parameter is `None` when that operand does not depend on the differentiated
arguments (a symbolic zero). The forward pass folds zeros at transform time: `tx1 * x2`
with `tx1 = None` is a zero, `a + None` is `a`, `None - b` is `-b`, and a call whose first
argument is a zero tangent is a zero (so linear functions are written as the function
applied to the tangent: `np.sum(ta, axis, keepdims=keepdims)`). Elsewhere a template
tests `ta is None` itself, which folds like the reverse rules' `g[0] is None`. The tangent
of a sequence parameter (`tarrays` of np.stack) is a list of the elements' tangents, with
zeros for elements that do not vary. Whether the rule broadcasts, takes a sequence or
returns a tuple comes from the reverse rule of the same function; a JVP rule must name a
tangent for exactly the parameters its reverse rule returns a gradient for (checked when
it is used: a missing tangent would be a silently wrong derivative).
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
        return _free(self.template, names)

    def output_for(self, param: str) -> ast.expr | None:
        names = list(self.signature.parameters)
        i = names.index(param)
        return self.outputs[i] if i < len(self.outputs) else None


@dataclass(frozen=True)
class JVPRule:
    """One function's forward-mode rule: the output tangent as one template expression."""

    func: Callable[..., Any]
    template: Callable[..., Any]
    signature: inspect.Signature  # the primal parameters (as the reverse rule's)
    tangents: dict[str, str]  # primal parameter -> its tangent parameter (`x` -> `tx`)

    @functools.cached_property
    def output(self) -> ast.expr:
        """The template's return expression (parsed on first use)."""
        return _return_value(self.template)

    @functools.cached_property
    def free_objects(self) -> dict[str, Any]:
        """As Rule.free_objects: objects the template names besides its parameters."""
        bound = {"ans", "np", "rt", "linear", *inspect.signature(self.template).parameters}
        names = {
            n.id for n in ast.walk(self.output) if isinstance(n, ast.Name) and n.id not in bound
        }
        return _free(self.template, names)


VJPS: dict[Any, Rule] = {}
JVPS: dict[Any, JVPRule] = {}  # forward mode: the same keys, one template per function
JVP_OF: dict[Any, JVPRule] = {}  # reverse rule's template -> its JVP (`jvp(of=...)`)
DIAGONAL: set[Any] = set()  # reverse templates whose JVP is derived from them (`diagonal`)
FORWARD_ONLY: dict[Any, Rule] = {}  # user functions with a JVP (npgrad.defjvp) and no VJP
USER_JVPS: set[Any] = set()  # functions whose JVP is the user's: tangents broadcast to `ans`


def jvp_rule(func: Any) -> JVPRule | None:
    """The forward-mode rule of `func` (None if it has none, or one derived: `diagonal`)."""
    try:
        found = JVPS.get(func)
        reverse = VJPS.get(func)
    except TypeError:  # unhashable: never in the table
        return None
    if found is None and reverse is not None:
        found = JVP_OF.get(reverse.template)
    return found


def has_jvp(func: Any) -> bool:
    """Does forward mode differentiate `func` (a JVP rule, or one derived from its VJP)?"""
    reverse = VJPS.get(func)
    return jvp_rule(func) is not None or reverse is not None and reverse.template in DIAGONAL


NONDIFF: dict[Any, str] = {}  # callables whose result does not depend differentiably on inputs
METHODS: dict[str, Any] = {}  # ndarray method name -> the NumPy function it behaves like


def _free(template: Callable[..., Any], names: set[str]) -> dict[str, Any]:
    """The objects `names` refer to in the template's closure, module or the builtins."""
    code = template.__code__
    cells = dict(zip(code.co_freevars, template.__closure__ or (), strict=True))
    found = {}
    for name in sorted(names):
        if name in cells:
            found[name] = cells[name].cell_contents
        elif name in template.__globals__:
            found[name] = template.__globals__[name]
        elif hasattr(builtins, name):
            found[name] = getattr(builtins, name)
        else:
            raise NameError(f"rule {template.__qualname__} uses undefined name {name!r}")
    return found


def _module_tree(filename: str) -> ast.Module:
    """The parsed file (through linecache, so rules defined in notebooks work too)."""
    text = "".join(linecache.getlines(filename))
    return _parse_text(filename, text)


@functools.lru_cache(maxsize=32)
def _parse_text(filename: str, text: str) -> ast.Module:
    return ast.parse(text, filename)


def _parse(template: Callable[..., Any]) -> tuple[ast.expr | None, ...]:
    value = _return_value(template)
    elems = value.elts if isinstance(value, ast.Tuple) else [value]
    return tuple(None if isinstance(e, ast.Constant) and e.value is None else e for e in elems)


def _return_value(template: Callable[..., Any]) -> ast.expr:
    """The expression of the template's single `return` statement."""
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
    return ret.value


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


def jvp(
    *funcs: Any, of: Callable[..., Any] | None = None
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register `template` as the forward-mode rule of each of `funcs`, and with `of=` (a
    reverse rule's template) of every function that reverse rule is registered for, now or
    later:

        @jvp(of=exp)
        def exp_jvp(tx, ans, x):
            return tx * ans

    The template's parameters: one tangent per differentiable parameter (`tx` for `x`),
    `ans`, then the primal parameters with NumPy's names and defaults (as the reverse
    rule's, without `g` and `part`). It returns the output's tangent.
    """

    def register(template: Callable[..., Any]) -> Callable[..., Any]:
        params = list(inspect.signature(template).parameters.values())
        names = [p.name for p in params]
        assert "ans" in names, f"JVP rule {template.__name__} has no `ans` parameter"
        split = names.index("ans")
        primal = inspect.Signature(params[split + 1 :])
        tangents: dict[str, str] = {}
        for t in names[:split]:
            assert t.startswith("t") and t[1:] in primal.parameters, (template.__name__, t)
            tangents[t[1:]] = t
        for f in funcs:
            JVPS[f] = JVPRule(f, template, primal, tangents)
        if of is not None:  # looked up through the reverse rule (SciPy's register late)
            JVP_OF[of] = JVPRule(of, template, primal, tangents)
        return template

    return register


def forward_only(func: Any, rule: JVPRule, results: int | bool) -> None:
    """Make `func`, which has a user's JVP and no reverse rule, an operation forward mode
    differentiates: a stand-in reverse rule (each parameter with a tangent has a gradient)
    that reverse mode refuses at the call (activity.py)."""
    params = list(rule.signature.parameters)
    outputs = "".join("g, " if p in rule.tangents else "None, " for p in params)
    text = f"def no_vjp(g, ans, {', '.join(params)}):\n    return ({outputs})\n"
    filename = f"<npgrad forward-only {getattr(func, '__qualname__', func)}>"
    linecache.cache[filename] = (len(text), None, text.splitlines(True), filename)
    namespace: dict[str, Any] = {}
    exec(compile(text, filename, "exec"), namespace)
    template = namespace["no_vjp"]
    FORWARD_ONLY[func] = Rule(func, template, rule.signature, True, None, False, results)


def diagonal(*templates: Callable[..., Any]) -> None:
    """Declare reverse rules of elementwise functions whose adjoint of each operand is `g`
    times that operand's partial derivative: forward mode uses the sum over operands of
    the rule with `g` replaced by the operand's tangent, which is exactly the JVP."""
    DIAGONAL.update(templates)


def linear(*tangents: Any) -> Any:
    """In a JVP template: the rule's own call, each operand replaced by its tangent (a
    marker the forward pass expands; never called)."""
    raise NotImplementedError("`linear` is a marker for JVP templates")


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
