"""Forward mode, VJPs, Jacobians and Hessians: jvp, vjp, jacobian, hessian, and
grad(f, mode="forward"), built on the Transformed functions of api.py."""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from npgrad import backends
from npgrad.api import (
    Transformed,
    Wrt,
    _check_wrt,
    _distinct,
    _layout,
)
from npgrad.errors import NonScalarOutputError
from npgrad.pytree import leaves, structure


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
    return tangent_parameters(
        transformed, transformed.compiled_for(transformed._spec(args, kwargs))
    )


def tangent_parameters(transformed: Transformed, compiled: Any) -> tuple[str, ...]:
    """A generated JVP's tangent parameters: its last keyword-only ones, one per wrt."""
    code = compiled.function.__code__
    kwonly = code.co_varnames[code.co_argcount : code.co_argcount + code.co_kwonlyargcount]
    return tuple(kwonly[len(kwonly) - len(transformed.wrt) :])


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


def _check_single(value: Any) -> None:
    if isinstance(value, tuple):
        raise TypeError(
            "jacobian of a function that returns a tuple is not supported yet: use npgrad.jvp "
            "(a tuple of tangents), or a function per output"
        )


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
    data). A function that returns a tuple (`return a, b`) gets a tuple of tangents. The
    generated code is `npgrad.jacobian(f, mode="forward").source`.
    """
    primals, tangents = tuple(primals), tuple(tangents)
    if len(primals) != len(tangents):
        raise ValueError(f"jvp got {len(primals)} primals and {len(tangents)} tangents")
    wrt = tuple(i for i, t in enumerate(tangents) if t is not None)
    for i in wrt:
        _check_tangent(primals[i], tangents[i], i)
    if not wrt:
        value = f(*primals)
        if isinstance(value, tuple):
            return value, tuple(_like(np.zeros_like(v), v) for v in value)
        return value, _like(np.zeros_like(value), value)
    transformed = _transformed(f, "jvp", wrt, backend, optimize)
    names = tangent_names(transformed, primals)
    given = dict(zip(names, (tangents[i] for i in wrt), strict=True))
    value, tangent = transformed(*primals, **given)
    if isinstance(value, tuple):  # `return a, b`: a tuple of tangents
        return value, tuple(_like(t, v) for t, v in zip(tangent, value, strict=True))
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
            _check_single(value)
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
            _check_single(value)
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
        _check_single(value)
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


def forward_grad(f: Callable[..., Any], wrt: Wrt, backend: Any, optimize: bool) -> Jacobian:
    """grad(f, mode="forward"): the gradient from one JVP per input element."""
    jac = Jacobian(f, wrt, "forward", backend, optimize)
    jac.scalar = True
    return jac
