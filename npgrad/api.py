"""The public API: grad, value_and_grad, source, rules."""

from __future__ import annotations

import functools
import inspect
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeAlias

import numpy as np

from npgrad.errors import Location, NonScalarOutputError, WrtTypeError, locate

Wrt: TypeAlias = int | str | Sequence[int | str]

_LOCK = threading.Lock()
_BACKENDS = ("numpy",)
_MISSING = object()


@dataclass(frozen=True)
class Compiled:
    """One transform's result, shared by every Transformed with the same key."""

    function: Callable[..., Any]
    source: str
    wrt_args: tuple[tuple[int, str, Any], ...]  # (position, name, default) per wrt argument
    return_location: Location | None  # where the output is returned, for runtime errors
    bindings: tuple[tuple[Any, str, Any], ...]  # (namespace or cell, name, object) resolved

    def stale(self) -> bool:
        """Has a global or closure name the transform resolved been rebound since?"""
        for scope, name, obj in self.bindings:
            current = scope.get(name, _MISSING) if isinstance(scope, dict) else _cell(scope)
            if current is not obj:
                return True
        return False


_CACHE: dict[tuple[Any, ...], Compiled] = {}


def _cell(cell: Any) -> Any:
    try:
        return cell.cell_contents
    except ValueError:
        return _MISSING


class Transformed:
    """A function npgrad generated from `primal`. Call it like `primal`; `.source` is its code.

    The transform runs on first use (call or `.source`) and is cached per function and
    options, so a call costs what the generated code costs. If a function or module the
    transform resolved (say a global `act = np.tanh`) is rebound, it transforms again.
    """

    def __init__(
        self, primal: Callable[..., Any], kind: str, wrt: Wrt, backend: str, optimize: bool
    ) -> None:
        if backend not in _BACKENDS:
            raise ValueError(
                f"backend={backend!r} is not available; this version of npgrad emits "
                f"{', '.join(_BACKENDS)} code"
            )
        self.primal = primal
        self.kind = kind
        self.wrt_is_tuple = isinstance(wrt, tuple | list)
        self.wrt: tuple[int | str, ...] = tuple(wrt) if self.wrt_is_tuple else (wrt,)  # type: ignore[arg-type]
        if not self.wrt:
            raise ValueError("wrt is empty: name at least one argument to differentiate")
        self.backend = backend
        self.optimize = optimize
        self._compiled: Compiled | None = None
        functools.update_wrapper(self, primal, updated=())
        del self.__wrapped__  # a gradient is not a wrapper of its primal: keep inspect honest
        self.__name__ = f"{kind}_{getattr(primal, '__name__', 'f')}"

    def _build(self) -> Compiled:
        from npgrad.transforms.emit import compile_unit
        from npgrad.transforms.pipeline import run
        from npgrad.transforms.unit import Unit

        func = self.primal.function if isinstance(self.primal, Transformed) else self.primal
        key = (func, self.kind, self.wrt, self.wrt_is_tuple, self.backend, self.optimize)
        with _LOCK:
            compiled = _CACHE.get(key)
            if compiled is None or compiled.stale():
                unit = Unit(
                    func, self.wrt, self.wrt_is_tuple, self.kind, self.optimize, self.backend
                )
                unit = run(unit)
                params = inspect.signature(func).parameters
                names = list(params)
                wrt_args = tuple(
                    (
                        names.index(n),
                        n,
                        params[n].default
                        if params[n].default is not inspect.Parameter.empty
                        else _MISSING,
                    )
                    for n in unit.wrt_names
                )
                where = locate(unit.body[-1], unit.filename, unit.lines) if unit.body else None
                compiled = Compiled(
                    compile_unit(unit), unit.source, wrt_args, where, tuple(unit.bindings)
                )
                _CACHE[key] = compiled
        self._compiled = compiled
        return compiled

    @property
    def function(self) -> Callable[..., Any]:
        """The compiled generated function itself (a plain Python function)."""
        return self._current().function

    @property
    def source(self) -> str:
        """The generated module's source text."""
        return self._current().source

    def _current(self) -> Compiled:
        compiled = self._compiled
        if compiled is None or compiled.bindings and compiled.stale():
            compiled = self._build()
        return compiled

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        compiled = self._current()
        for pos, name, default in compiled.wrt_args:
            value = args[pos] if pos < len(args) else kwargs.get(name, default)
            _check_wrt(value, name)
        try:
            result = compiled.function(*args, **kwargs)
        except NonScalarOutputError as exc:
            if exc.location is not None or compiled.return_location is None:
                raise
            raise NonScalarOutputError(exc.message, compiled.return_location, exc.hint) from None
        if self.wrt_is_tuple and len(self.wrt) > 1:
            result = _distinct(result, self.kind)
        return result

    def __repr__(self) -> str:
        return f"<npgrad {self.kind} of {getattr(self.primal, '__qualname__', self.primal)}>"


def _distinct(result: Any, kind: str) -> Any:
    """Gradients that came out as one shared array get their own copies."""
    grads = result[1] if kind == "value_and_grad" else result
    seen: set[int] = set()
    fixed = []
    for g in grads:
        if id(g) in seen and isinstance(g, np.ndarray):
            g = g.copy()
        seen.add(id(g))
        fixed.append(g)
    return (result[0], tuple(fixed)) if kind == "value_and_grad" else tuple(fixed)


def _check_wrt(value: Any, name: str) -> None:
    """Refuse wrt arguments that have no gradient: integers, booleans, complex, containers."""
    if value is _MISSING:
        return  # not passed: the call itself raises Python's own TypeError
    if isinstance(value, float | np.floating):
        return
    if isinstance(value, np.ndarray) and value.dtype.kind == "f":
        return
    if isinstance(value, bool | int | np.integer | np.bool_) or (
        isinstance(value, np.ndarray) and value.dtype.kind in "iub"
    ):
        kind = type(value).__name__ if not isinstance(value, np.ndarray) else value.dtype
        raise WrtTypeError(
            f"cannot differentiate with respect to `{name}`: it is {kind}, and integer and "
            "boolean values have no gradient",
            None,
            f"pass `{name}` as floating point, e.g. np.asarray({name}, dtype=float) or 2.0",
        )
    kind = value.dtype if isinstance(value, np.ndarray) else type(value).__name__
    raise WrtTypeError(
        f"cannot differentiate with respect to `{name}` of type {kind}",
        None,
        f"pass `{name}` as a real floating-point NumPy array or a Python float",
    )


def _make(kind: str, f: Callable[..., Any] | None, wrt: Wrt, backend: str, optimize: bool) -> Any:
    if f is None:
        return lambda func: Transformed(func, kind, wrt, backend, optimize)
    return Transformed(f, kind, wrt, backend, optimize)


def grad(
    f: Callable[..., Any] | None = None,
    *,
    wrt: Wrt = 0,
    backend: str = "numpy",
    optimize: bool = True,
) -> Any:
    """The gradient of scalar-valued `f` with respect to the arguments named by `wrt`.

    Usable as `@grad`, `@grad(wrt="w")` or `grad(f, wrt=(0, "b"))`. `wrt` names positional
    indices or parameter names; a tuple gives a tuple of gradients.
    """
    return _make("grad", f, wrt, backend, optimize)


def value_and_grad(
    f: Callable[..., Any] | None = None,
    *,
    wrt: Wrt = 0,
    backend: str = "numpy",
    optimize: bool = True,
) -> Any:
    """Like `grad`, but the result returns `(f(...), gradient)`."""
    return _make("value_and_grad", f, wrt, backend, optimize)


def source(obj: Any) -> str:
    """The generated source of anything npgrad produced."""
    if isinstance(obj, Transformed):
        return obj.source
    raise TypeError(f"{obj!r} was not produced by npgrad")


def rules() -> list[dict[str, str]]:
    """The functions npgrad differentiates, with their modes, sorted by name."""
    from npgrad.transforms.rules import NONDIFF, VJPS, display_name, special

    special.load()  # SciPy's rules, when SciPy is installed

    rows = [
        {"name": display_name(f), "reverse": "rule", "kind": _group(r.template)}
        for f, r in VJPS.items()
    ]
    rows += [
        {"name": name, "reverse": "zero (constant)", "kind": "no gradient"}
        for name in NONDIFF.values()
    ]
    unique = {row["name"]: row for row in rows}
    return sorted(unique.values(), key=lambda r: (r["kind"], r["name"]))


def rules_markdown() -> str:
    """The support table README shows, generated from the rule table."""
    groups: dict[str, list[str]] = {}
    for row in rules():
        if row["kind"] != "user rules":
            groups.setdefault(row["kind"], []).append(row["name"])
    lines = ["| group | functions (reverse mode) | count |", "| --- | --- | --- |"]
    for kind in sorted(groups, key=lambda k: (k == "no gradient", k)):
        names = ", ".join(f"`{n}`" for n in sorted(groups[kind]))
        lines.append(f"| {kind} | {names} | {len(groups[kind])} |")
    lines.append(f"| all | | {sum(len(v) for v in groups.values())} |")
    return "\n".join(lines) + "\n"


def _group(template: Callable[..., Any]) -> str:
    module = template.__module__ or ""
    return module.rsplit(".", 1)[-1] if module.startswith("npgrad.") else "user rules"


def defvjp(
    func: Callable[..., Any], *, broadcasts: bool = False, results: int | bool = False
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register the reverse-mode rule of `func`, a function npgrad cannot see into.

        @npgrad.defvjp(my_op)
        def my_op_vjp(g, ans, x, y):
            return g * y, g * x

    The rule takes the incoming adjoint `g`, the result `ans`, then `func`'s own
    parameters (same names and defaults), and returns one gradient expression per
    parameter, in order (None for a parameter with no gradient). It is inlined into the
    generated code like npgrad's own rules. `broadcasts=True`: `func` is elementwise over
    operands that broadcast (write the rule for equal shapes; npgrad sums the broadcast
    dimensions away). `results=N`: `func` returns an N-tuple; `g` is then a tuple of
    adjoints, None for parts nothing flowed back to.
    """
    from npgrad.transforms.rules.table import vjp

    def register(rule: Callable[..., Any]) -> Callable[..., Any]:
        vjp(func, broadcasts=broadcasts, results=results)(rule)
        with _LOCK:
            _CACHE.clear()  # gradients transformed earlier may have used another rule
        return rule

    return register
