"""recursion: a function that calls itself keeps the call; its adjoint is the function's own
generated VJP, run when the reverse sweep reaches the call.

    def f(x, n):                              _f3 = f(_mul2, _sub1)                   # forward
        if n == 0:                            ...
            return x                    ->    d_mul2 = rt.vjp_call(f, d_f3, 0, _mul2, _sub1)
        return np.sin(f(x * 0.5, n - 1))                                              # reverse

`rt.vjp_call` transforms `f` once per argument (kind "vjp": the output's adjoint comes in as
`npgrad_cotangent`), so each level of the recursion differentiates the level below it at
run time. Each level runs its callee forward again: a recursion of depth n costs O(n^2)
forward calls (a loop written as a loop costs O(n)).
"""

from __future__ import annotations

import inspect
import linecache
from typing import Any

from npgrad import runtime
from npgrad.errors import UnsupportedSyntaxError

from .rules.table import JVPRule, Rule
from .unit import Unit

RECURSIVE: dict[Any, Rule] = {}  # function -> the rule of its recursive calls
RECURSIVE_JVP: dict[Any, JVPRule] = {}  # function -> the forward rule of its recursive calls


def _define(callee: Any, kind: str, text: str) -> Any:
    """Compile a rule template written for `callee` (in linecache, so it can be parsed)."""
    filename = f"<npgrad recursion {kind} {callee.__module__}.{callee.__qualname__}>"
    linecache.cache[filename] = (len(text), None, text.splitlines(True), filename)
    namespace = {callee.__name__: callee, "rt": runtime}
    exec(compile(text, filename, "exec"), namespace)
    return namespace[f"{callee.__name__}_{kind}"]


def _passed(params: Any) -> str:
    """The call's arguments, as the function's own parameters: `x, n, scale=scale`."""
    keyword = inspect.Parameter.KEYWORD_ONLY
    return ", ".join(f"{p}={p}" if params[p].kind is keyword else p for p in params)


def recursive_rule(callee: Any, unit: Unit, node: Any) -> Rule:
    """The rule for calls of `callee` to itself (made once per function)."""
    if callee in RECURSIVE:
        return RECURSIVE[callee]
    signature = inspect.signature(callee)
    params = signature.parameters
    name = callee.__name__
    clash = {"g", "ans", "rt", name} & set(params)
    kinds = {p.kind for p in params.values()}
    if clash or inspect.Parameter.VAR_POSITIONAL in kinds or inspect.Parameter.VAR_KEYWORD in kinds:
        unit.error(
            UnsupportedSyntaxError,
            f"`{name}` calls itself, and npgrad differentiates recursion only for functions "
            "with plain parameters not named g, ans or rt",
            node,
            "rename the parameter, or write the recursion as a loop",
        )
    passed = _passed(params)
    outputs = "".join(f"rt.vjp_call({name}, g, {p!r}, {passed}), " for p in params)
    text = f"def {name}_vjp(g, ans, {', '.join(params)}):\n    return {outputs}\n"
    rule = Rule(callee, _define(callee, "vjp", text), signature, False, None, False, False)
    RECURSIVE[callee] = rule
    return rule


def recursive_jvp(callee: Any, unit: Unit, node: Any) -> JVPRule:
    """The forward rule for calls of `callee` to itself: the sum over its parameters of
    the function's own generated JVP along each one (zero tangents fold away)."""
    if callee in RECURSIVE_JVP:
        return RECURSIVE_JVP[callee]
    params = inspect.signature(callee).parameters
    name = callee.__name__
    tangents = [f"t{p}" for p in params]
    if set(tangents) & ({"ans", "linear"} | set(params)):
        unit.error(
            UnsupportedSyntaxError,
            f"`{name}` calls itself, and its parameters' tangents would be named like its "
            f"parameters ({', '.join(tangents)})",
            node,
            "rename the parameters, or write the recursion as a loop",
        )
    passed = _passed(params)
    terms = " + ".join(f"rt.jvp_call({name}, t{p}, {p!r}, {passed})" for p in params)
    text = f"def {name}_jvp({', '.join(tangents)}, ans, {', '.join(params)}):\n"
    text += f"    return {terms}\n"
    template = _define(callee, "jvp", text)
    rule = JVPRule(
        callee, template, RECURSIVE[callee].signature, dict(zip(params, tangents, strict=True))
    )
    RECURSIVE_JVP[callee] = rule
    return rule
