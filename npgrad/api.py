"""The public API: grad, value_and_grad, source, rules."""

from __future__ import annotations

import functools
import inspect
import threading
from collections.abc import Callable, Sequence
from typing import Any, TypeAlias

import numpy as np

from npgrad.errors import WrtTypeError

Wrt: TypeAlias = int | str | Sequence[int | str]

_CACHE: dict[tuple[Any, ...], tuple[Callable[..., Any], str, list[tuple[int, str]]]] = {}
_LOCK = threading.Lock()
_BACKENDS = ("numpy",)


class Transformed:
    """A function npgrad generated from `primal`. Call it like `primal`; `.source` is its code.

    The transform runs on first use (call or `.source`) and is cached per function and
    options, so a call costs what the generated code costs.
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
        self._fn: Callable[..., Any] | None = None
        self._source = ""
        self._positions: list[tuple[int, str]] = []
        functools.update_wrapper(self, primal, updated=())
        del self.__wrapped__  # a gradient is not a wrapper of its primal: keep inspect honest
        self.__name__ = f"{kind}_{getattr(primal, '__name__', 'f')}"

    def _build(self) -> Callable[..., Any]:
        from npgrad.transforms.emit import compile_unit
        from npgrad.transforms.pipeline import run
        from npgrad.transforms.unit import Unit

        func = self.primal.function if isinstance(self.primal, Transformed) else self.primal
        key = (func, self.kind, self.wrt, self.wrt_is_tuple, self.backend, self.optimize)
        with _LOCK:
            if key not in _CACHE:
                unit = Unit(
                    func, self.wrt, self.wrt_is_tuple, self.kind, self.optimize, self.backend
                )
                unit = run(unit)
                params = list(inspect.signature(func).parameters)
                positions = [(params.index(n), n) for n in unit.wrt_names]
                _CACHE[key] = (compile_unit(unit), unit.source, positions)
        self._fn, self._source, self._positions = _CACHE[key]
        return self._fn

    @property
    def function(self) -> Callable[..., Any]:
        """The compiled generated function itself (a plain Python function)."""
        return self._fn or self._build()

    @property
    def source(self) -> str:
        """The generated module's source text."""
        if self._fn is None:
            self._build()
        return self._source

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        fn = self._fn or self._build()
        for pos, name in self._positions:
            value = args[pos] if pos < len(args) else kwargs.get(name)
            _check_wrt(value, name)
        return fn(*args, **kwargs)

    def __repr__(self) -> str:
        return f"<npgrad {self.kind} of {getattr(self.primal, '__qualname__', self.primal)}>"


def _check_wrt(value: Any, name: str) -> None:
    """Refuse wrt arguments that have no gradient: integers, booleans, complex, containers."""
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
    from npgrad.transforms.rules import NONDIFF, VJPS, display_name

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


def _group(template: Callable[..., Any]) -> str:
    return template.__module__.rsplit(".", 1)[-1]
