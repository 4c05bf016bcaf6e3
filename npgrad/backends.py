"""Backends: which array library generated code runs on, and npgrad's helpers over it.

A backend is one name in the generated module (the conventional alias) plus the runtime
helpers (`rt`) working on that library's arrays:

    backend    generated code            rt
    numpy      import numpy as np        npgrad.runtime
    cupy       import cupy as cp         runtime("cupy"): the same helpers, `np` dispatching
    dask       import dask.array as da   runtime("dask")      to the backend when an argument
    MODULE     xp = MODULE (Array API)   runtime("array_api:MODULE")   is one of its arrays

    backend_of((cupy_array, X), {})   ->  "cupy"      (no backend given: follow the arrays)
    name_of(array_api_strict)         ->  "array_api:array_api_strict"

The helpers are written once, against `np`. For another backend the runtime package is
loaded a second time under another name and its `np` is replaced by a `HelperNamespace`:
`np.sum(g, axis=0)` calls `cupy.sum` when `g` is a CuPy array and `numpy.sum` when it is
host data (a shape tuple, a list of sizes), the way `cupy.get_array_module` would choose,
so no helper copies arrays to the host. Creation functions (`np.zeros(shape)`) always make
backend arrays. For an Array API namespace NumPy's names are translated to the standard's
(`concatenate` -> `concat`, keyword-only parameters passed by keyword, see `convert_args`).
"""

from __future__ import annotations

import functools
import importlib
import importlib.abc
import importlib.machinery
import importlib.util
import inspect
import math
import os
import sys
import types
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy

# NumPy name -> the Array API standard's name for the same function
STANDARD_NAMES = {
    "arccos": "acos",
    "arccosh": "acosh",
    "arcsin": "asin",
    "arcsinh": "asinh",
    "arctan": "atan",
    "arctan2": "atan2",
    "arctanh": "atanh",
    "power": "pow",
    "concatenate": "concat",
    "absolute": "abs",
    "conjugate": "conj",
    "amax": "max",
    "amin": "min",
    "true_divide": "divide",
    "invert": "bitwise_invert",
    "bitwise_not": "bitwise_invert",
    "left_shift": "bitwise_left_shift",
    "right_shift": "bitwise_right_shift",
    "array": "asarray",
}
# NumPy functions a backend lacks that npgrad provides as runtime helpers (runtime/compat.py)
COMPAT = {
    "dask": {"size": "size_of", "iscomplexobj": "is_complex"},
    "array_api": {
        "shape": "shape_of",
        "size": "size_of",
        "ndim": "ndim_of",
        "iscomplexobj": "is_complex",
        "dot": "dot",
        "transpose": "transpose",
        "swapaxes": "swapaxes",
        "outer": "outer",
        "ravel": "ravel",
        "result_type": "result_type_of",
    },
}
# NumPy name -> the backend's, per kind of backend
RENAMES = {"dask": {"conjugate": "conj", "amax": "max", "amin": "min"}, "array_api": STANDARD_NAMES}
# NumPy parameter name -> the standard's, where they differ
STANDARD_PARAMS = {"newshape": "shape", "a_min": "min", "a_max": "max", "arrays": "arrays"}
# functions that make new arrays from shapes and numbers: always the backend's
CREATION = frozenset({"zeros", "ones", "empty", "full", "eye", "arange", "tri", "identity"})
# whether a namespace's arrays take `x[idx] = v`, where it is known without trying one
WRITES_IN_PLACE = {"numpy": True, "cupy": True, "dask": True, "array_api:array_api_strict": True}
# ndarray methods the Array API's array object lacks, rewritten to function calls
STANDARD_ARRAY_ATTRS = frozenset(
    {"shape", "dtype", "ndim", "size", "T", "mT", "device", "to_device"}
)


@dataclass(frozen=True)
class Backend:
    """One array library npgrad can emit code for."""

    name: str  # "numpy", "cupy", "dask", "array_api:MODULE"
    module: str  # what the generated code imports: "cupy", "dask.array", "array_api_strict"
    alias: str  # np, cp, da, xp
    label: str  # for messages: "CuPy", "dask.array", "array_api_strict"
    standard: bool = False  # an Array API namespace: NumPy names are translated

    @property
    def kind(self) -> str:
        """ "array_api" for every Array API namespace, else the name."""
        return "array_api" if self.standard else self.name

    @functools.cached_property
    def namespace(self) -> types.ModuleType:
        try:
            return importlib.import_module(self.module)
        except ImportError as exc:
            extra = {"cupy": "cuda12", "dask": "dask"}.get(self.name, "")
            hint = f' (pip install "npgrad[{extra}]")' if extra else ""
            raise ValueError(
                f"backend {self.name!r} needs {self.module}, which is not installed{hint}"
            ) from exc

    @functools.cached_property
    def array_type(self) -> type:
        if self.name == "dask":
            return self.namespace.Array  # type: ignore[no-any-return]
        return type(self.namespace.asarray(0.0))

    def has(self, path: tuple[str, ...]) -> bool:
        return lookup(self.namespace, path) is not None

    @functools.cached_property
    def writes_in_place(self) -> bool:
        """Whether the backend's arrays can be written in place (`x[i] = v`): declared in
        `WRITES_IN_PLACE` or by the namespace (`__npgrad_writes_in_place__`), else found by
        writing into a one-element array of the namespace. Generated code for a backend
        without it writes functionally (transforms/retarget.py)."""
        declared = WRITES_IN_PLACE.get(self.name)
        if declared is None:
            declared = getattr(self.namespace, "__npgrad_writes_in_place__", None)
        if declared is not None:
            return bool(declared)
        try:
            probe = self.namespace.zeros(1)
            probe[0] = 1
        except Exception:  # noqa: BLE001 (any refusal means: not writable)
            return False
        return True

    def target(self, path: tuple[str, ...]) -> tuple[str, tuple[str, ...]] | None:
        """Where NumPy's `path` lives for this backend: ("ns", path) in the backend's
        namespace, ("rt", (helper,)) a runtime helper, or None: nowhere."""
        name = path[-1]
        compat = COMPAT.get(self.kind, {})
        if len(path) == 1 and name in compat:
            return "rt", (compat[name],)
        path = (*path[:-1], RENAMES.get(self.kind, {}).get(name, name))
        return ("ns", path) if self.has(path) else None


NUMPY = Backend("numpy", "numpy", "np", "NumPy")
_KNOWN = {
    "numpy": NUMPY,
    "cupy": Backend("cupy", "cupy", "cp", "CuPy"),
    "dask": Backend("dask", "dask.array", "da", "dask.array"),
}
NAMES = ("numpy", "cupy", "dask")


def lookup(root: Any, path: tuple[str, ...]) -> Any:
    for part in path:
        root = getattr(root, part, None)
        if root is None:
            return None
    return root


def name_of(backend: Any) -> str | None:
    """The canonical name of a `backend=` argument; None means "follow the arrays"."""
    if backend is None or backend == "auto":
        return None
    if isinstance(backend, types.ModuleType):
        module = backend.__name__
        for known in _KNOWN.values():
            if module == known.module:
                return known.name
        if not hasattr(backend, "__array_api_version__"):
            raise ValueError(
                f"backend={module} is not an array namespace that follows the Array API "
                "standard (it has no __array_api_version__)"
            )
        return f"array_api:{module}"
    if not isinstance(backend, str):
        raise ValueError(f"backend={backend!r}: expected a name or an array namespace module")
    if backend in _KNOWN or backend.startswith("array_api:"):
        return backend
    try:
        module = importlib.import_module(backend)
    except ImportError:
        raise ValueError(
            f"backend={backend!r} is not available: npgrad emits code for "
            f"{', '.join(NAMES)}, or an installed Array API namespace module"
        ) from None
    return name_of(module)


@functools.cache
def get(name: str) -> Backend:
    """The Backend for a canonical name (see `name_of`)."""
    if name in _KNOWN:
        return _KNOWN[name]
    module = name.removeprefix("array_api:")
    return Backend(name, module, "xp", module, standard=True)


def backend_of(args: tuple[Any, ...], kwargs: dict[str, Any]) -> str:
    """The backend the arguments' arrays belong to: "numpy" unless one of them is a CuPy
    or Dask array or an Array API array of another library."""
    for value in (*args, *kwargs.values()):
        kind = type(value)
        if kind is numpy.ndarray or kind is float or kind is int:
            continue
        root = kind.__module__.partition(".")[0]
        if root == "cupy" or root == "dask":
            return root
        if root != "numpy" and hasattr(value, "__array_namespace__"):
            return name_of(value.__array_namespace__()) or "numpy"
    return "numpy"


# ----- the helpers' namespace ----------------------------------------------------------


class HelperNamespace:
    """What `np` means inside the runtime helpers of one backend (see the module docstring)."""

    def __init__(self, backend: Backend, path: tuple[str, ...] = ()) -> None:
        self._backend = backend
        self._path = path

    def __repr__(self) -> str:
        return f"<npgrad helper namespace {'.'.join(('np', *self._path))} for {self._backend.name}>"

    def __getattr__(self, name: str) -> Any:
        value = self._resolve(name)
        setattr(self, name, value)
        return value

    def _resolve(self, name: str) -> Any:
        backend, path = self._backend, (*self._path, name)
        special = _special(backend, path)
        if special is not None:
            return special
        value = lookup(numpy, path)
        if value is None:  # a standard name this NumPy lacks (NumPy 1.x): the backend's
            value = lookup(backend.namespace, path)
            if value is None:
                raise AttributeError(f"neither numpy nor {backend.label} has {'.'.join(path)}")
            return value
        if isinstance(value, types.ModuleType):
            return HelperNamespace(backend, path)
        if name == "ndarray":
            return backend.array_type
        renamed = (*self._path, RENAMES.get(backend.kind, {}).get(name, name))
        other = lookup(backend.namespace, renamed)
        if not callable(value) or isinstance(value, type):
            return value if other is None else other  # constants, dtypes
        if other is not None and backend.standard:
            other = _adapted(value, other)
        return Dispatch(value, other, backend, name in CREATION and not self._path)


class Dispatch:
    """A NumPy function that runs the backend's version when an argument is a backend array
    (or always, for creation functions); `np.multiply.outer` works through it too."""

    def __init__(self, host: Any, device: Any, backend: Backend, always: bool) -> None:
        self.host, self.device, self.backend, self.always = host, device, backend, always

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if self.always or _has_array(args, kwargs, self.backend.array_type):
            if self.device is None:
                name = getattr(self.host, "__name__", self.host)
                raise RuntimeError(
                    f"npgrad's helpers need numpy.{name}, which {self.backend.label} lacks"
                )
            return self.device(*args, **kwargs)
        return self.host(*args, **kwargs)

    def __getattr__(self, name: str) -> Any:
        path = (getattr(self.host, "__name__", ""), name)  # np.multiply.outer
        special = _special(self.backend, path)
        if special is not None:
            return special
        device = None if self.backend.standard else getattr(self.device, name, None)
        return Dispatch(getattr(self.host, name), device, self.backend, False)


def _has_array(args: tuple[Any, ...], kwargs: dict[str, Any], kind: type) -> bool:
    for value in (*args, *kwargs.values()):
        if isinstance(value, kind):
            return True
        if isinstance(value, list | tuple) and any(isinstance(v, kind) for v in value):
            return True
    return False


def _special(backend: Backend, path: tuple[str, ...]) -> Any:
    """Helper-namespace entries that are not a plain lookup in the backend."""
    if backend.standard and path in _STANDARD_SPECIAL:
        xp = backend.namespace
        return functools.partial(_STANDARD_SPECIAL[path], xp, backend.array_type)
    if backend.name == "dask" and path == ("iscomplexobj",):
        return lambda x: numpy.iscomplexobj(x)  # reads .dtype only
    if backend.name == "dask" and path == ("size",):
        return lambda x: math.prod(numpy.shape(x))
    return None


def _std_shape(xp: Any, kind: type, x: Any) -> tuple[int, ...]:
    return tuple(x.shape) if isinstance(x, kind) else numpy.shape(x)


def _std_ndim(xp: Any, kind: type, x: Any) -> int:
    return x.ndim if isinstance(x, kind) else numpy.ndim(x)


def _std_size(xp: Any, kind: type, x: Any) -> int:
    return int(numpy.prod(x.shape)) if isinstance(x, kind) else numpy.size(x)


def _std_iscomplexobj(xp: Any, kind: type, x: Any) -> bool:
    if isinstance(x, kind):
        return bool(xp.isdtype(x.dtype, "complex floating"))
    return numpy.iscomplexobj(x)


def _std_result_type(xp: Any, kind: type, *xs: Any) -> Any:
    if any(isinstance(x, kind) for x in xs):
        return xp.result_type(*(x for x in xs if isinstance(x, kind) or not numpy.isscalar(x)))
    return numpy.result_type(*xs)


def _std_array(xp: Any, kind: type, x: Any, dtype: Any = None, copy: bool = True) -> Any:
    if isinstance(x, kind) or isinstance(x, list | tuple) and _has_array((x,), {}, kind):
        return xp.asarray(x, dtype=dtype, copy=copy)
    return numpy.array(x, dtype=dtype, copy=copy)


def _std_asarray(xp: Any, kind: type, x: Any, dtype: Any = None) -> Any:
    if isinstance(x, kind) or isinstance(x, list | tuple) and _has_array((x,), {}, kind):
        return xp.asarray(x, dtype=dtype)
    return numpy.asarray(x, dtype=dtype)


def _std_swapaxes(xp: Any, kind: type, a: Any, axis1: int, axis2: int) -> Any:
    order = list(range(a.ndim))
    order[axis1], order[axis2] = order[axis2], order[axis1]
    return xp.permute_dims(a, tuple(order))


def _std_outer(xp: Any, kind: type, a: Any, b: Any) -> Any:
    """`np.multiply.outer(a, b)`: every element of `a` times every element of `b`."""
    a, b = (v if isinstance(v, kind) else xp.asarray(v) for v in (a, b))
    return xp.reshape(a, (*a.shape, *(1,) * b.ndim)) * b


_STANDARD_SPECIAL: dict[tuple[str, ...], Callable[..., Any]] = {
    ("swapaxes",): _std_swapaxes,
    ("multiply", "outer"): _std_outer,
    ("shape",): _std_shape,
    ("ndim",): _std_ndim,
    ("size",): _std_size,
    ("iscomplexobj",): _std_iscomplexobj,
    ("result_type",): _std_result_type,
    ("array",): _std_array,
    ("asarray",): _std_asarray,
}


def _adapted(host: Any, device: Callable[..., Any]) -> Callable[..., Any]:
    """`device` (a standard function) called with NumPy's argument conventions."""
    try:
        host_sig, device_sig = inspect.signature(host), inspect.signature(device)
    except (TypeError, ValueError):
        return device

    def call(*args: Any, **kwargs: Any) -> Any:
        bound = host_sig.bind(*args, **kwargs).arguments
        positional, keywords, bad = convert_args(host_sig, device_sig, bound, _is_default)
        if bad:
            raise TypeError(f"{device.__name__} of the Array API has no parameter {bad!r}")
        return device(*positional, **keywords)

    return call


def _is_default(value: Any, default: Any) -> bool:
    return default is not inspect.Parameter.empty and value is default


def convert_args(
    host: inspect.Signature,
    device: inspect.Signature,
    bound: dict[str, Any],
    is_default: Callable[[Any, Any], bool],
) -> tuple[list[Any], dict[str, Any], str | None]:
    """NumPy's bound arguments -> (positional, keywords) for the standard's signature, or the
    name of a NumPy parameter the standard cannot take (third item)."""
    params = list(device.parameters.values())
    positional_only = [p for p in params if p.kind is p.POSITIONAL_ONLY]
    variadic = any(p.kind is p.VAR_POSITIONAL for p in params)
    accepted = {p.name for p in params if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)}
    order = {p.name: i for i, p in enumerate(params) if p.kind is p.POSITIONAL_OR_KEYWORD}
    positional: list[Any] = []
    keywords: dict[str, Any] = {}
    host_params = host.parameters
    for index, (name, value) in enumerate(bound.items()):
        kind = host_params[name].kind
        if kind is inspect.Parameter.VAR_POSITIONAL and variadic:
            positional.extend(value)
        elif index < len(positional_only) and index == len(positional):
            positional.append(value)
        elif (target := STANDARD_PARAMS.get(name, name)) in accepted:
            if not keywords and order.get(target) == len(positional):
                positional.append(value)  # positional where NumPy's and the standard's agree
            else:
                keywords[target] = value
        elif not is_default(value, host_params[name].default):
            return positional, keywords, name
    return positional, keywords, None


# ----- the runtime package, once per backend --------------------------------------------


_RUNTIMES: dict[str, types.ModuleType] = {}


def runtime(name: str) -> types.ModuleType:
    """npgrad's runtime helpers for backend `name`: the `rt` its generated code calls."""
    from npgrad import runtime as base

    if name == "numpy":
        return base
    module = _RUNTIMES.get(name)
    if module is not None:
        return module
    backend = get(name)
    backend.namespace  # noqa: B018 (import it now: a missing library is a clear error)
    package = "npgrad._runtime_" + "".join(c if c.isalnum() else "_" for c in name)
    loader = _StandardLoader if backend.standard else importlib.machinery.SourceFileLoader
    if backend.standard:
        _StandardFinder.packages.add(package)
        if _FINDER not in sys.meta_path:
            sys.meta_path.insert(0, _FINDER)
    spec = importlib.util.spec_from_file_location(
        package,
        base.__file__,
        loader=loader(package, base.__file__),
        submodule_search_locations=list(base.__path__),
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[package] = module
    spec.loader.exec_module(module)
    helpers = HelperNamespace(backend)
    for key, mod in list(sys.modules.items()):
        if (key == package or key.startswith(package + ".")) and mod.__dict__.get("np") is numpy:
            mod.np = helpers  # type: ignore[attr-defined]
    module.BACKEND = backend  # type: ignore[attr-defined]
    _RUNTIMES[name] = module
    return module


class _StandardLoader(importlib.machinery.SourceFileLoader):
    """Loads npgrad's helpers with their arithmetic on booleans in the Array API standard's
    form (`g * mask` -> `g * as_dtype(mask, dtype_of(g))`, transforms/retarget.py)."""

    def source_to_code(self, data: Any, path: Any, *, _optimize: int = -1) -> Any:
        from npgrad.transforms.standard import standard_source

        source = importlib.util.decode_source(data) if isinstance(data, bytes) else data
        try:
            return compile(standard_source(source), path, "exec", dont_inherit=True)
        except SyntaxError:  # pragma: no cover (the plain helpers still run)
            return compile(source, path, "exec", dont_inherit=True)

    def get_code(self, fullname: str) -> Any:  # no bytecode cache: the source is rewritten
        return self.source_to_code(self.get_data(self.get_filename(fullname)), self.path)


class _StandardFinder(importlib.abc.MetaPathFinder):
    """Finds the submodules of the helper packages of Array API namespaces (`packages`)
    and loads them with `_StandardLoader`."""

    packages: set[str] = set()

    def find_spec(self, fullname: str, path: Any = None, target: Any = None) -> Any:
        package, _, name = fullname.rpartition(".")
        if package not in self.packages or path is None:
            return None
        for folder in path:
            for filename in (f"{name}.py", f"{name}/__init__.py"):
                file = f"{folder}/{filename}"
                if os.path.exists(file):
                    locations = [file.rpartition("/")[0]] if "__init__" in filename else None
                    return importlib.util.spec_from_file_location(
                        fullname,
                        file,
                        loader=_StandardLoader(fullname, file),
                        submodule_search_locations=locations,
                    )
        return None


_FINDER = _StandardFinder()


def header(backend: Backend, alias: str, rt: str) -> list[str]:
    """The import lines of a generated module for `backend`."""
    module = backend.module
    if backend.name == "numpy":
        first = f"import numpy as {alias}" if alias != "numpy" else "import numpy"
        return [first, f"from npgrad import runtime as {rt}"]
    first = f"import {module} as {alias}" if alias != module else f"import {module}"
    return [
        first,
        "from npgrad.backends import runtime",
        f"{rt} = runtime({backend.name!r})  # npgrad's helpers over {backend.label} arrays",
    ]


def is_float_array(value: Any) -> bool:
    """A real floating-point array of any backend (a NumPy array is checked elsewhere)."""
    dtype = getattr(value, "dtype", None)
    if dtype is None or isinstance(value, numpy.ndarray | numpy.generic):
        return False
    if getattr(dtype, "kind", None) == "f":  # CuPy, Dask: NumPy dtypes
        return True
    namespace = getattr(value, "__array_namespace__", None)
    if namespace is None:
        return False
    return bool(namespace().isdtype(dtype, "real floating"))
