"""The public API: grad, value_and_grad, source, rules, defvjp, defjvp, retarget (forward
mode, vjp, jacobian and hessian are in jacobians.py)."""

from __future__ import annotations

import functools
import inspect
import threading
import types
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeAlias

import numpy as np

from npgrad import backends
from npgrad.errors import Location, NonScalarOutputError, WrtTypeError, locate
from npgrad.pytree import is_namedtuple, leaves, shape_key, structure

Wrt: TypeAlias = int | str | Sequence[int | str]

_LOCK = threading.RLock()  # re-entered when a function calls a gradient npgrad made
_MISSING = object()


@dataclass(frozen=True)
class Compiled:
    """One transform's result, shared by every Transformed with the same key."""

    function: Callable[..., Any]
    source: str
    wrt_args: tuple[tuple[int, str, Any], ...]  # (position, name, default) per wrt argument
    return_location: Location | None  # where the output is returned, for runtime errors
    bindings: tuple[tuple[Any, str, Any], ...]  # (namespace or cell, name, object) resolved
    spec: Any = None  # the containers' structure and the functions passed, if any

    def stale(self) -> bool:
        """Has a global or closure name the transform resolved been rebound since?"""
        for scope, name, obj in self.bindings:
            current = scope.get(name, _MISSING) if isinstance(scope, dict) else _cell(scope)
            if current is not obj:
                return True
        return False


_CACHE: dict[tuple[Any, ...], Compiled] = {}
_CACHE_SIZE = 1024
_LAST: dict[tuple[Any, ...], Compiled] = {}  # per function and options: the variant made last


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
        self, primal: Callable[..., Any], kind: str, wrt: Wrt, backend: Any, optimize: bool
    ) -> None:
        name = backends.name_of(backend)  # None: follow the arrays it is called with
        self.follow, backend = name is None, name or "numpy"
        self.primal = primal
        self.kind = kind
        self.wrt_arg = wrt
        self.wrt_is_tuple = isinstance(wrt, tuple | list)
        self.wrt: tuple[int | str, ...] = tuple(wrt) if self.wrt_is_tuple else (wrt,)  # type: ignore[arg-type]
        if not self.wrt:
            raise ValueError("wrt is empty: name at least one argument to differentiate")
        self.backend = backend
        self.optimize = optimize
        self._compiled: Compiled | None = None  # the variant last used
        self._specialized: dict[Any, Compiled] = {}
        self._layout: tuple[list[str], list[tuple[int, str]], dict[str, Any]] | None = None
        functools.update_wrapper(self, primal, updated=())
        del self.__wrapped__  # a gradient is not a wrapper of its primal: keep inspect honest
        self.__name__ = f"{kind}_{getattr(primal, '__name__', 'f')}"

    def _func(self, spec: Any = None) -> Callable[..., Any]:
        """The function to transform: the user's, or for npgrad's own output (higher
        derivatives) the primal's variant made for the same arguments (`spec[3]`), so that
        code specialized for other shapes is never differentiated for these."""
        if not isinstance(self.primal, Transformed):
            return self.primal
        if spec is None:
            return self.primal.function
        return self.primal.compiled_for(spec[3]).function

    def compiled_for(self, spec: Any) -> Compiled:
        """The variant for this call key (`_spec`; None: for any arguments), made if it does
        not exist yet or a name it resolved has been rebound."""
        compiled = self._specialized.get(spec)
        if compiled is None or compiled.bindings and compiled.stale():
            compiled = self._build(spec)
        return compiled

    def _build(self, spec: Any = None) -> Compiled:
        from npgrad.transforms.emit import compile_unit
        from npgrad.transforms.pipeline import run
        from npgrad.transforms.unit import Unit

        func = self._func(spec)
        key = (func, self.kind, self.wrt, self.wrt_is_tuple, self.backend, self.optimize, spec)
        with _LOCK:
            compiled = _CACHE.get(key)
            if compiled is None or compiled.stale():
                unit = Unit(
                    func, self.wrt, self.wrt_is_tuple, self.kind, self.optimize, self.backend
                )
                if spec is not None:
                    unit.trees, unit.passed, unit.arg_shapes = map(dict, spec[:3])
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
                    compile_unit(unit), unit.source, wrt_args, where, tuple(unit.bindings), spec
                )
                if len(_CACHE) >= _CACHE_SIZE:  # functions passed as arguments are keys
                    del _CACHE[next(iter(_CACHE))]
                _CACHE[key] = compiled
            _LAST[key[:-1]] = compiled
        self._compiled = compiled
        self._specialized[spec] = compiled
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
        """The variant last used (for `.source`), or the one for plain array arguments."""
        compiled = self._compiled
        if compiled is None:  # not called yet: the variant any call made last, if one did
            key = (self._func(), self.kind, self.wrt, self.wrt_is_tuple, self.backend)
            compiled = _LAST.get((*key, self.optimize))
        if compiled is None or compiled.bindings and compiled.stale():
            compiled = self._build(None if compiled is None else compiled.spec)
        return compiled

    def _spec(self, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        """What the generated code depends on besides the source: the structure of container
        arguments, the functions passed as arguments, and each array argument's number of
        dimensions and which of them are 1 (so transforms can prove shapes equal)."""
        if self._layout is None:
            self._layout = _layout(self._func(), self.wrt)
        names, wrt, defaults = self._layout
        trees = []
        for pos, name in wrt:
            tree = structure(args[pos] if pos < len(args) else kwargs.get(name))
            if tree is not None:
                trees.append((name, tree))
        passed = [(names[i], v) for i, v in enumerate(args[: len(names)]) if _is_function(v)]
        passed += [(k, v) for k, v in kwargs.items() if _is_function(v)]
        passed += [
            (k, v) for k, v in defaults.items() if k not in kwargs and names.index(k) >= len(args)
        ]
        shapes = [(names[i], shape_key(v)) for i, v in enumerate(args[: len(names)])]
        shapes += [(k, shape_key(v)) for k, v in kwargs.items() if k in names]  # not tangents
        spec = tuple(trees), tuple(passed), tuple(s for s in shapes if s[1] is not None)
        if isinstance(self.primal, Transformed):  # and the variant of the code it differentiates
            return (*spec, self.primal._spec(args, kwargs))
        return spec

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if self.follow and (found := backends.backend_of(args, kwargs)) != self.backend:
            return self.variant(found)(*args, **kwargs)
        spec = self._spec(args, kwargs)
        compiled = self.compiled_for(spec)
        self._compiled = compiled
        trees = dict(spec[0]) if spec is not None else {}
        for pos, name, default in compiled.wrt_args:
            value = args[pos] if pos < len(args) else kwargs.get(name, default)
            if name in trees:
                for path, leaf in leaves(value, trees[name], name):
                    _check_wrt(leaf, path)
            else:
                _check_wrt(value, name)
        try:
            result = compiled.function(*args, **kwargs)
        except NonScalarOutputError as exc:
            if exc.location is not None or compiled.return_location is None:
                raise
            raise NonScalarOutputError(exc.message, compiled.return_location, exc.hint) from None
        if (self.wrt_is_tuple and len(self.wrt) > 1 or trees) and self.kind != "vjp_split":
            result = _distinct(result, self.kind)  # (a vjp_split generator: in VJPFunction)
        return result

    def variant(self, backend: str) -> Transformed:
        """This function for another backend (made once, kept)."""
        variants = self.__dict__.setdefault("_variants", {})
        if backend not in variants:
            variants[backend] = Transformed(
                self.primal, self.kind, self.wrt_arg, backend, self.optimize
            )
        return variants[backend]  # type: ignore[no-any-return]

    def __repr__(self) -> str:
        return f"<npgrad {self.kind} of {getattr(self.primal, '__qualname__', self.primal)}>"


def _distinct(result: Any, kind: str) -> Any:
    """Gradients that came out as one shared array get their own copies."""
    seen: set[int] = set()

    def fix(g: Any) -> Any:
        if structure(g) is not None:  # a tuple of gradients, or a container's gradient
            if isinstance(g, dict):
                return {k: fix(v) for k, v in g.items()}
            parts = [fix(v) for v in g]
            return type(g)(*parts) if is_namedtuple(g) else type(g)(parts)
        if id(g) in seen and isinstance(g, np.ndarray):
            g = g.copy()
        seen.add(id(g))
        return g

    return (result[0], fix(result[1])) if kind == "value_and_grad" else fix(result)


def _is_function(value: Any) -> bool:
    """A function passed as an argument: npgrad generates code for the one passed."""
    return isinstance(value, types.FunctionType | types.BuiltinFunctionType | np.ufunc)


def _layout(func: Callable[..., Any], wrt: tuple[int | str, ...]) -> Any:
    """(parameter names, (position, name) of each wrt argument, functions given as defaults)."""
    params = inspect.signature(func).parameters
    names = list(params)
    positional = [
        n for n, p in params.items() if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)
    ]
    found = []
    for w in wrt:
        name = positional[w] if isinstance(w, int) and 0 <= w < len(positional) else w
        if isinstance(name, str) and name in names:
            found.append((names.index(name), name))
    defaults = {n: p.default for n, p in params.items() if _is_function(p.default)}
    return names, found, defaults


def _check_wrt(value: Any, name: str) -> None:
    """Refuse wrt arguments that have no gradient: integers, booleans, complex, containers."""
    if value is _MISSING:
        return  # not passed: the call itself raises Python's own TypeError
    if isinstance(value, np.matrix):
        raise WrtTypeError(
            f"cannot differentiate with respect to `{name}`: it is an np.matrix, whose `*` "
            "is a matrix product",
            None,
            f"pass np.asarray({name}) and write matrix products with @",
        )
    if isinstance(value, float | np.floating) or backends.is_float_array(value):
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


def _make(kind: str, f: Callable[..., Any] | None, wrt: Wrt, backend: Any, optimize: bool) -> Any:
    if f is None:
        return lambda func: Transformed(func, kind, wrt, backend, optimize)
    return Transformed(f, kind, wrt, backend, optimize)


def grad(
    f: Callable[..., Any] | None = None,
    *,
    wrt: Wrt = 0,
    backend: Any = None,
    optimize: bool = True,
    mode: str = "reverse",
) -> Any:
    """The gradient of scalar-valued `f` with respect to the arguments named by `wrt`.

    Usable as `@grad`, `@grad(wrt="w")` or `grad(f, wrt=(0, "b"))`. `wrt` names positional
    indices or parameter names; a tuple gives a tuple of gradients. `backend`: "numpy",
    "cupy", "dask" or an Array API namespace module; None follows the arrays of each call
    (NumPy code for NumPy arrays, CuPy code for CuPy arrays, ...), each variant made once.
    mode="forward" computes the gradient with forward mode, one JVP per input element.
    """
    if mode != "reverse":
        if mode != "forward":
            raise ValueError(f"mode must be 'forward' or 'reverse', not {mode!r}")
        from npgrad.jacobians import forward_grad

        if f is None:
            return lambda func: forward_grad(func, wrt, backend, optimize)
        return forward_grad(f, wrt, backend, optimize)
    return _make("grad", f, wrt, backend, optimize)


def value_and_grad(
    f: Callable[..., Any] | None = None,
    *,
    wrt: Wrt = 0,
    backend: Any = None,
    optimize: bool = True,
) -> Any:
    """Like `grad`, but the result returns `(f(...), gradient)`."""
    return _make("value_and_grad", f, wrt, backend, optimize)


def source(obj: Any) -> str:
    """The generated source of anything npgrad produced."""
    from npgrad.jacobians import Hessian, Jacobian, VJPFunction

    if isinstance(obj, Transformed | Retargeted | Jacobian | VJPFunction | Hessian):
        return obj.source
    raise TypeError(f"{obj!r} was not produced by npgrad")


def rules() -> list[dict[str, str]]:
    """The functions npgrad differentiates, with their modes, sorted by name."""
    from npgrad.transforms.rules import NONDIFF, VJPS, display_name, has_jvp, special

    special.load()  # SciPy's rules, when SciPy is installed

    rows = [
        {
            "name": display_name(f),
            "reverse": "rule",
            "forward": "rule" if has_jvp(f) else "refused",
            "kind": _group(r.template),
        }
        for f, r in VJPS.items()
    ]
    rows += [
        {"name": name, "reverse": "zero (constant)", "forward": "zero", "kind": "no gradient"}
        for name in NONDIFF.values()
    ]
    # the rules of npgrad's own runtime helpers (higher derivatives) are not for users
    unique = {row["name"]: row for row in rows if not row["name"].startswith("npgrad.runtime.")}
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


def _clear_kept() -> None:
    """Forget the Transformed objects jvp, vjp, jacobian and hessian keep (a rule changed)."""
    from npgrad.jacobians import _batched, _transformed

    _transformed.cache_clear()
    _batched.cache_clear()


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
            _LAST.clear()
            _clear_kept()
        return rule

    return register


def defjvp(
    func: Callable[..., Any], *, results: int | bool = False
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register the forward-mode rule of `func`, a function npgrad cannot see into.

        @npgrad.defjvp(my_op)
        def my_op_jvp(tx, ty, ans, x, y):
            return tx * y + x * ty

    The rule takes one tangent per parameter that has a derivative (`t` + its name), the
    result `ans`, then `func`'s own parameters (same names and defaults), and returns the
    result's tangent (a tuple of tangents with `results=N`, None for a part with none).
    Parameters without a tangent parameter are held constant. A tangent that does not
    have the result's shape is broadcast to it (an elementwise rule may write `tx * y`).
    Without a `defvjp` rule too, reverse mode refuses `func` at the call.
    """
    from npgrad.transforms.rules.table import JVPS, USER_JVPS, VJPS, forward_only, jvp

    def register(rule: Callable[..., Any]) -> Callable[..., Any]:
        jvp(func)(rule)
        USER_JVPS.add(func)
        if func not in VJPS:
            forward_only(func, JVPS[func], results)
        with _LOCK:
            _CACHE.clear()  # code transformed earlier may have refused or used another rule
            _LAST.clear()
            _clear_kept()
        return rule

    return register


class Retargeted:
    """The user's function itself, emitted for another backend: call it like the original;
    `.source` is its code. Transformed on first use and cached, like a gradient."""

    def __init__(self, primal: Callable[..., Any], backend: Any) -> None:
        name = backends.name_of(backend)
        if name is None:
            raise ValueError("retarget needs a backend: 'numpy', 'cupy', 'dask' or a module")
        self.primal, self.backend = primal, name
        self._compiled: Compiled | None = None
        functools.update_wrapper(self, primal, updated=())
        del self.__wrapped__

    def _current(self) -> Compiled:
        from npgrad.transforms.emit import compile_unit
        from npgrad.transforms.pipeline import RETARGET, run
        from npgrad.transforms.unit import Unit

        compiled = self._compiled
        if compiled is not None and not (compiled.bindings and compiled.stale()):
            return compiled
        key = (self.primal, "primal", (), False, self.backend, True)
        with _LOCK:
            compiled = _CACHE.get(key)
            if compiled is None or compiled.stale():
                unit = run(Unit(self.primal, (), False, "primal", True, self.backend), RETARGET)
                compiled = Compiled(compile_unit(unit), unit.source, (), None, tuple(unit.bindings))
                _CACHE[key] = compiled
        self._compiled = compiled
        return compiled

    @property
    def function(self) -> Callable[..., Any]:
        return self._current().function

    @property
    def source(self) -> str:
        return self._current().source

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self._current().function(*args, **kwargs)

    def __repr__(self) -> str:
        return f"<npgrad {self.primal.__qualname__} for backend {self.backend}>"


def retarget(f: Callable[..., Any], backend: Any) -> Retargeted:
    """`f` itself (no gradient) as code for `backend`: "cupy", "dask", "numpy" or an Array
    API namespace module. NumPy calls become the backend's; functions it lacks are refused
    when transformed (first call or `.source`)."""
    return Retargeted(f.primal if isinstance(f, Transformed) else f, backend)
