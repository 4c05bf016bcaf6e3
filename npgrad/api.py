"""The public API: grad, value_and_grad, jvp, vjp, jacobian, source, rules."""

from __future__ import annotations

import functools
import inspect
import math
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
        inner = self.primal._specialized.get(spec[3])
        if inner is None or inner.bindings and inner.stale():
            inner = self.primal._build(spec[3])
        return inner.function

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
        compiled = self._specialized.get(spec)
        if compiled is None or compiled.bindings and compiled.stale():
            compiled = self._build(spec)
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
        if f is None:
            return lambda func: _forward_grad(func, wrt, backend, optimize)
        return _forward_grad(f, wrt, backend, optimize)
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
            _transformed.cache_clear()  # the ones jvp, vjp and jacobian keep
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
            _transformed.cache_clear()
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


# ----- forward mode, VJPs and Jacobians ------------------------------------------------------


@functools.lru_cache(maxsize=256)
def _transformed(f: Any, kind: str, wrt: Any, backend: Any, optimize: bool) -> Transformed:
    """One Transformed per function and options, kept (the generated code is cached anyway)."""
    return Transformed(f, kind, wrt, backend, optimize)


def tangent_names(
    transformed: Transformed, args: tuple[Any, ...], kwargs: dict[str, Any] | None = None
) -> tuple[str, ...]:
    """The tangent parameters of the JVP generated for these arguments: its last keyword-only
    ones, one per wrt argument (made now if this call's variant does not exist yet)."""
    kwargs = kwargs or {}
    if transformed.follow and (found := backends.backend_of(args, kwargs)) != transformed.backend:
        transformed = transformed.variant(found)
    spec = transformed._spec(args, kwargs)
    compiled = transformed._specialized.get(spec) or transformed._build(spec)
    code = compiled.function.__code__
    count = len(transformed.wrt)
    kwonly = code.co_varnames[code.co_argcount : code.co_argcount + code.co_kwonlyargcount]
    return tuple(kwonly[len(kwonly) - count :])


_tangent_names = tangent_names  # the old name (kept while other work lands)


def _is_floating(value: Any) -> bool:
    """A real floating-point value, or a container whose leaves all are."""
    tree = structure(value)
    if tree is not None:
        found = [leaf for _, leaf in leaves(value, tree, "")]
        return bool(found) and all(leaf is None or _is_floating(leaf) for leaf in found)
    if isinstance(value, float | np.floating):
        return True
    if isinstance(value, np.ndarray):
        return value.dtype.kind == "f"
    return backends.is_float_array(value)


def _check_tangent(primal: Any, tangent: Any, i: int) -> None:
    tree = structure(primal)
    if tree is not None:
        if structure(tangent) is None or len(list(leaves(tangent, tree, ""))) != len(
            list(leaves(primal, tree, ""))
        ):
            raise ValueError(f"the tangent of argument {i} must have the argument's structure")
        pairs = zip(leaves(primal, tree, ""), leaves(tangent, tree, ""), strict=True)
        for (path, p), (_, t) in pairs:
            if np.shape(p) != np.shape(t):
                raise ValueError(
                    f"the tangent of argument {i}{path} has shape {np.shape(t)}, the argument "
                    f"has shape {np.shape(p)}"
                )
    elif np.shape(primal) != np.shape(tangent):
        raise ValueError(
            f"the tangent of argument {i} has shape {np.shape(tangent)}, the argument has "
            f"shape {np.shape(primal)}"
        )


def _like(tangent: Any, value: Any) -> Any:
    """The tangent as the value: a Python float for a Python float, float32 for float32
    (a rule's float64 constant may have widened it on the way)."""
    if isinstance(value, float) and np.ndim(tangent) == 0 and not np.iscomplexobj(tangent):
        return float(tangent)
    dtype = getattr(value, "dtype", None)
    if isinstance(value, np.ndarray | np.generic) and dtype is not None and dtype.kind == "f":
        if isinstance(tangent, np.ndarray | np.generic) and tangent.dtype.kind == "f":
            return tangent.astype(dtype, copy=False)
    return tangent


def jvp(
    f: Callable[..., Any],
    primals: Sequence[Any],
    tangents: Sequence[Any],
    *,
    backend: Any = None,
    optimize: bool = True,
) -> tuple[Any, Any]:
    """Forward mode: `(f(*primals), J @ tangents)`, the Jacobian-vector product, in one pass.

    `tangents` has one entry per primal, shaped like it (a container argument's tangent is
    a container of the same structure); None marks an argument held constant (integers,
    data). The generated code is `npgrad.jacobian(f, mode="forward").source`.
    """
    primals, tangents = tuple(primals), tuple(tangents)
    if len(primals) != len(tangents):
        raise ValueError(f"jvp got {len(primals)} primals and {len(tangents)} tangents")
    wrt = tuple(i for i, t in enumerate(tangents) if t is not None)
    for i in wrt:
        _check_tangent(primals[i], tangents[i], i)
    if not wrt:
        value = f(*primals)
        return value, _like(np.zeros_like(value), value)
    transformed = _transformed(f, "jvp", wrt, backend, optimize)
    names = tangent_names(transformed, primals)
    given = dict(zip(names, (tangents[i] for i in wrt), strict=True))
    value, tangent = transformed(*primals, **given)
    return value, _like(tangent, value)


class VJPFunction:
    """`vjp_fn(g)`: the cotangents of the primals, one per primal (None for arguments that
    are not floating point); `.source` is the generated reverse-mode code. The first call
    resumes the sweep `vjp` started (a generator stopped after the forward sweep, holding
    what the reverse sweep reads); later calls run the VJP, forward sweep included."""

    def __init__(
        self,
        transformed: Transformed | None,
        primals: tuple[Any, ...],
        value: Any,
        sweep: Any = None,
        split: Transformed | None = None,
    ):
        self.transformed, self.primals, self.value = transformed, primals, value
        self.sweep = sweep  # the suspended generator of the kind "vjp_split" code, or None
        self.split = split  # the Transformed that made it

    @property
    def source(self) -> str:
        """The code of the first call (the generator); later calls run the same sweeps
        from `npgrad.jacobian(f).source`'s kind, the cotangent passed as a parameter."""
        if self.transformed is None:
            raise ValueError("no argument is floating point: there is nothing to differentiate")
        return (self.split or self.transformed).source

    def __call__(self, g: Any) -> tuple[Any, ...]:
        if np.shape(g) != np.shape(self.value):
            raise ValueError(
                f"the cotangent has shape {np.shape(g)}; the output has shape "
                f"{np.shape(self.value)}"
            )
        out: list[Any] = [None] * len(self.primals)
        if self.transformed is None:
            return tuple(out)
        sweep, self.sweep = self.sweep, None
        if sweep is not None:
            try:
                sweep.send(g)
            except StopIteration as stop:
                grads = _distinct(stop.value[1], "vjp")
            else:
                raise AssertionError("the generated VJP yields once")
        else:
            grads = self.transformed(*self.primals, npgrad_cotangent=g)
        for i, gi in zip(self.transformed.wrt, grads, strict=True):
            out[i] = gi  # type: ignore[index]
        return tuple(out)


def vjp(
    f: Callable[..., Any], *primals: Any, backend: Any = None, optimize: bool = True
) -> tuple[Any, VJPFunction]:
    """Reverse mode: `(f(*primals), vjp_fn)` where `vjp_fn(g)` gives `g @ J` for every
    primal, as a tuple (None for primals that are not floating point). `vjp` runs the
    forward sweep once and keeps what the reverse sweep needs: the first `vjp_fn` call runs
    only the reverse sweep; each later call runs the whole VJP again."""
    wrt = tuple(i for i, p in enumerate(primals) if _is_floating(p))
    if not wrt:
        value = f(*primals)
        return value, VJPFunction(None, primals, value)
    split = _transformed(f, "vjp_split", wrt, backend, optimize)
    sweep = split(*primals)
    value = next(sweep)
    transformed = _transformed(f, "vjp", wrt, backend, optimize)
    return value, VJPFunction(transformed, primals, value, sweep, split)


class _Batched(Transformed):
    """The batched JVP or VJP of `npgrad.jacobian` (kinds "jvp_batched", "vjp_batched",
    transforms/batch.py). Its call key also records which arguments are Python or NumPy
    numbers, as arrays of no dimensions: the batch pass needs every value's number of
    dimensions."""

    def _spec(self, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        trees, passed, shapes, *inner = super()._spec(args, kwargs)  # inner: see _func
        assert self._layout is not None
        names = self._layout[0]
        numbers = tuple(
            (names[i], (0, ()))
            for i, v in enumerate(args[: len(names)])
            if type(v) in (int, float, complex) or isinstance(v, np.generic)
        )
        return (trees, passed, shapes + numbers, *inner)


@functools.lru_cache(maxsize=256)
def _batched(f: Any, kind: str, wrt: Any, backend: Any, optimize: bool) -> _Batched:
    return _Batched(f, kind, wrt, backend, optimize)


class Jacobian:
    """`jacobian(f)(*args)`: the Jacobian, shaped `out.shape + arg.shape` (a tuple of them
    for a tuple `wrt`). `.source` is the generated code that ran last: the batched JVP, the
    JVP (forward) or the VJP (reverse).

    Forward mode runs a batched JVP (transforms/batch.py: every tangent has a leading axis
    of seeds) on the identity seeds, at most `max_chunk` seeds per call; where the JVP cannot
    be batched exactly, it runs the JVP once per element of the argument. Reverse mode runs
    the VJP once per element of the output."""

    batch = True  # forward mode may run the batched JVP (False: always one JVP per seed)
    max_chunk = 256  # seeds per call of the batched JVP
    chunk_elements = 1 << 22  # and at most this many seeds times the arguments' elements

    def __init__(
        self, f: Callable[..., Any], wrt: Wrt, mode: str, backend: Any, optimize: bool
    ) -> None:
        if mode not in ("forward", "reverse"):
            raise ValueError(f"mode must be 'forward' or 'reverse', not {mode!r}")
        self.f, self.mode, self.backend, self.optimize = f, mode, backend, optimize
        self.wrt_is_tuple = isinstance(wrt, tuple | list)
        self.wrt: tuple[int | str, ...] = tuple(wrt) if self.wrt_is_tuple else (wrt,)  # type: ignore[arg-type]
        functools.update_wrapper(self, f, updated=())
        del self.__wrapped__
        self.scalar = False  # grad(f, mode="forward"): the output must be a 0-d scalar
        self.refused: dict[Any, str] = {}  # (position, call key) -> why it is not batched
        self._ran: Transformed | None = None  # the generated code the last call ran

    def _positions(self, args: tuple[Any, ...], kwargs: dict[str, Any]) -> list[int]:
        names, found, _ = _layout(_underlying(self.f), self.wrt)
        if len(found) != len(self.wrt):
            raise ValueError(f"wrt={self.wrt} does not name parameters of {self.__name__}")
        positions = [pos for pos, _ in found]
        if kwargs or any(pos >= len(args) for pos in positions):
            raise TypeError("jacobian: pass the arguments positionally")
        for pos in positions:
            if structure(args[pos]) is not None:
                raise TypeError(
                    "jacobian of a container argument is not supported yet: use npgrad.jvp "
                    "or npgrad.vjp"
                )
            _check_wrt(args[pos], names[pos])
        return positions

    @property
    def source(self) -> str:
        from npgrad.transforms.batch import NotBatchable

        if self._ran is not None:
            return self._ran.source
        kind = "jvp" if self.mode == "forward" else "vjp"
        wrt = self.wrt[0] if self.mode == "forward" else self.wrt
        if self.batch:
            try:
                return _batched(self.f, kind + "_batched", wrt, *self._options).source
            except NotBatchable:
                pass
        return _transformed(self.f, kind, wrt, self.backend, self.optimize).source

    @property
    def _options(self) -> tuple[Any, bool]:
        return self.backend, self.optimize

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        positions = self._positions(args, kwargs)
        if self.mode == "forward":
            jacs = [self._forward(args, pos) for pos in positions]
        else:
            jacs = self._reverse(args, positions)
        if self.scalar:
            jacs = [_like(j, args[p]) for j, p in zip(jacs, positions, strict=True)]
        return tuple(jacs) if self.wrt_is_tuple else jacs[0]

    def _check_scalar(self, value: Any) -> None:
        if self.scalar and np.ndim(value) != 0:
            raise NonScalarOutputError(
                f"grad needs a function that returns a scalar; "
                f"{self.f.__name__} returned shape {np.shape(value)}",
                None,
                "use npgrad.jacobian for a function with an array output",
            )

    def _forward(self, args: tuple[Any, ...], pos: int) -> Any:
        x = np.asarray(args[pos])
        value: Any = None

        def batched(transformed: Transformed, seeds: np.ndarray) -> list[Any]:
            nonlocal value
            (name,) = tangent_names(transformed, args)
            value, tangent = transformed(*args, **{name: seeds})
            return [_batch_of(tangent, (len(seeds), *np.shape(value)))]

        found = self._batched(args, "jvp_batched", pos, x.shape, x.dtype, batched)
        if found is not None:
            self._check_scalar(value)
            return np.moveaxis(found[0], 0, -1).reshape(np.shape(value) + x.shape)
        transformed = _transformed(self.f, "jvp", pos, self.backend, self.optimize)
        (name,) = tangent_names(transformed, args)
        self._ran = transformed
        columns = []
        for k in range(x.size):
            seed = np.zeros(x.shape, x.dtype)
            seed.flat[k] = 1
            value, tangent = transformed(*args, **{name: seed})
            columns.append(np.asarray(tangent))
        if not columns:  # an empty argument
            value = self.f(*args)
            return np.zeros(np.shape(value) + x.shape)
        self._check_scalar(value)
        return np.moveaxis(np.stack(columns), 0, -1).reshape(np.shape(value) + x.shape)

    def _batched(
        self,
        args: tuple[Any, ...],
        kind: str,
        wrt: Any,
        shape: tuple[int, ...],
        dtype: Any,
        call: Callable[[Transformed, np.ndarray], list[Any]],
    ) -> list[Any] | None:
        """Run the batched code (transforms/batch.py) on the identity seeds, each shaped
        `shape`, at most `chunk` per call: `call(code, seeds)` gives its results, each with
        the batch axis first, here joined over the chunks. None where the code cannot be
        batched, found when it is generated or when it runs: then one call per seed."""
        from npgrad.runtime.batch import NotBatched
        from npgrad.transforms.batch import NotBatchable

        n = math.prod(shape)
        if not self.batch or n == 0 or backends.backend_of(args, {}) != "numpy":
            return None
        transformed = _batched(self.f, kind, wrt, *self._options)
        key = (kind, wrt, transformed._spec(args, {}))
        if key in self.refused:
            return None
        size = sum(np.size(a) for a in args if isinstance(a, np.ndarray | float))
        chunk = max(1, min(n, self.max_chunk, self.chunk_elements // max(1, size)))
        parts = []
        try:
            for start in range(0, n, chunk):
                k = min(chunk, n - start)
                seeds = np.zeros((k, n), dtype)
                seeds[np.arange(k), np.arange(start, start + k)] = 1
                parts.append(call(transformed, seeds.reshape((k, *shape))))
        except (NotBatchable, NotBatched) as exc:
            if len(self.refused) > 64:
                self.refused.clear()
            self.refused[key] = str(exc)
            return None
        self._ran = transformed
        return [p[0] if len(p) == 1 else np.concatenate(p) for p in zip(*parts, strict=True)]

    def _reverse(self, args: tuple[Any, ...], positions: list[int]) -> list[Any]:
        value = self.f(*args)
        self._check_scalar(value)
        shape = np.shape(value)
        dtype = np.result_type(value, np.float32)

        def batched(transformed: Transformed, seeds: np.ndarray) -> list[Any]:
            grads = transformed(*args, npgrad_cotangent=seeds)
            return [
                _batch_of(g, (len(seeds), *np.shape(args[p])))
                for g, p in zip(grads, positions, strict=True)
            ]

        found = self._batched(args, "vjp_batched", tuple(positions), shape, dtype, batched)
        if found is not None:
            return [
                j.reshape(shape + np.shape(args[p])) for j, p in zip(found, positions, strict=True)
            ]
        transformed = _transformed(self.f, "vjp", tuple(positions), self.backend, self.optimize)
        self._ran = transformed
        rows: list[list[Any]] = [[] for _ in positions]
        for m in np.ndindex(shape):
            g = np.zeros(shape, dtype)
            g[m] = 1
            for row, gi in zip(rows, transformed(*args, npgrad_cotangent=g), strict=True):
                row.append(np.asarray(gi))
        return [
            np.stack(row).reshape(shape + np.shape(args[p]))
            if row
            else np.zeros(shape + np.shape(args[p]))
            for row, p in zip(rows, positions, strict=True)
        ]

    def __repr__(self) -> str:
        return f"<npgrad {self.mode}-mode jacobian of {getattr(self.f, '__qualname__', self.f)}>"


def _batch_of(result: Any, shape: tuple[int, ...]) -> np.ndarray:
    """A batched result, checked to have the batch axis and the unbatched shape."""
    from npgrad.runtime.batch import NotBatched

    result = np.asarray(result)
    if result.shape != shape:
        raise NotBatched(f"a batched result of shape {result.shape}, not {shape}")
    return result


def jacobian(
    f: Callable[..., Any] | None = None,
    *,
    wrt: Wrt = 0,
    mode: str = "reverse",
    backend: Any = None,
    optimize: bool = True,
) -> Any:
    """The Jacobian of `f` with respect to the arguments named by `wrt`: a function returning
    an array of shape `out.shape + arg.shape` (a tuple for a tuple `wrt`). mode="forward"
    runs the JVP on every input element's seed, mode="reverse" the VJP on every output
    element's, each as one batched call where npgrad can generate it (else one call per
    seed; see Jacobian)."""
    if f is None:
        return lambda func: Jacobian(func, wrt, mode, backend, optimize)
    return Jacobian(f, wrt, mode, backend, optimize)


def _underlying(f: Any) -> Any:
    """The user's function behind what npgrad made of it (its parameters are the same)."""
    while isinstance(f, Transformed):
        f = f.primal
    return f


class Hessian:
    """`hessian(f)(*args)`: the forward-mode Jacobian of npgrad's generated gradient of `f`
    (forward over reverse), shaped `arg.shape + arg.shape`. For a tuple `wrt` it is a tuple
    of tuples, `H[i][j]` shaped `args[i].shape + args[j].shape` (JAX's layout): block `(i, j)`
    is the forward Jacobian, with respect to argument j, of the gradient with respect to
    argument i. `.source` shows both levels: the gradient, then forward mode over it."""

    def __init__(self, f: Callable[..., Any], wrt: Wrt, backend: Any, optimize: bool):
        self.wrt_is_tuple = isinstance(wrt, tuple | list)
        self.wrt: tuple[int | str, ...] = tuple(wrt) if self.wrt_is_tuple else (wrt,)  # type: ignore[arg-type]
        if not self.wrt:
            raise ValueError("wrt is empty: name at least one argument to differentiate")
        self.grads = [Transformed(f, "grad", w, backend, optimize) for w in self.wrt]
        self.jacobians = [
            [Jacobian(g, w, "forward", backend, optimize) for w in self.wrt] for g in self.grads
        ]
        functools.update_wrapper(self, f, updated=())
        del self.__wrapped__

    @property
    def source(self) -> str:
        parts = [g.source for g in self.grads]
        parts += [j.source for row in self.jacobians for j in row]
        return "\n\n".join(parts)

    def __call__(self, *args: Any) -> Any:
        for g in self.grads:
            g(*args)  # the gradient for these arguments (shapes proven): the code it runs
        blocks = tuple(tuple(j(*args) for j in row) for row in self.jacobians)
        return blocks if self.wrt_is_tuple else blocks[0][0]


def hessian(
    f: Callable[..., Any] | None = None,
    *,
    wrt: Wrt = 0,
    backend: Any = None,
    optimize: bool = True,
) -> Any:
    """The Hessian of scalar-valued `f`: forward mode over npgrad's own generated gradient
    (one JVP of the gradient per element of the argument). With a tuple `wrt`, a tuple of
    tuples of blocks `H[i][j]`. Nested `grad(grad(f))` works for scalar functions of one
    number."""
    if f is None:
        return lambda func: Hessian(func, wrt, backend, optimize)
    return Hessian(f, wrt, backend, optimize)


def _forward_grad(f: Callable[..., Any], wrt: Wrt, backend: Any, optimize: bool) -> Jacobian:
    """grad(f, mode="forward"): the gradient from one JVP per input element."""
    jac = Jacobian(f, wrt, "forward", backend, optimize)
    jac.scalar = True
    return jac
