"""The unit of compilation: one user function and everything the passes learn about it."""

from __future__ import annotations

import ast
import itertools
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, NoReturn

from npgrad.errors import TransformError, locate

# Markers the passes attach to AST nodes (ast nodes accept extra attributes).
RESOLVED = "npgrad_obj"  # the Python object a Name/Attribute refers to, resolved at transform time
SOURCE_LINE = "npgrad_line"  # the user's source line a normalized statement came from
INLINE_ERROR = "npgrad_inline_error"  # on a call of a user's function that could not be inlined
SOURCE = "npgrad_src"  # (filename, lines) of a node from another file (an inlined helper)
TRIPS = "npgrad_trips"  # on a normalized `while`: the name counting its iterations


class Namer:
    """Fresh, deterministic names that never collide with the user's."""

    def __init__(self, taken: set[str]):
        self.taken = set(taken)
        self.temps: set[str] = set()  # names made by temp(), and their adjoints
        self._counter = itertools.count(1)

    def fresh(self, base: str) -> str:
        """`base` if free, else `base_1`, `base_2`, ..."""
        if base not in self.taken:
            self.taken.add(base)
            return base
        for k in itertools.count(1):
            name = f"{base}_{k}"
            if name not in self.taken:
                self.taken.add(name)
                return name
        raise AssertionError("unreachable")

    def temp(self, hint: str) -> str:
        """A temporary for one operation: `_exp3`, numbered in order of creation."""
        while True:
            name = f"_{hint}{next(self._counter)}"
            if name not in self.taken:
                self.taken.add(name)
                self.temps.add(name)
                return name

    def adjoint(self, name: str) -> str:
        """The adjoint of a primal name: `dx` for `x`, `d_exp3` for `_exp3`."""
        adjoint = self.fresh("d" + name)
        if name in self.temps:
            self.temps.add(adjoint)
        return adjoint


@dataclass
class Unit:
    """A function being compiled. Passes read and fill in its fields in pipeline order."""

    func: Callable[..., Any]
    wrt: tuple[int | str, ...]
    wrt_is_tuple: bool = False  # wrt was given as a tuple: return a tuple of gradients
    kind: str = "grad"  # "grad" or "value_and_grad"
    optimize: bool = True
    backend: str = "numpy"
    # filled by parse
    filename: str = "<unknown>"
    lines: list[str] = field(default_factory=list)
    tree: ast.FunctionDef | None = None
    name: str = "f"
    params: list[str] = field(default_factory=list)
    wrt_names: tuple[str, ...] = ()
    # known when the function is called (npgrad generates one variant per call structure)
    trees: dict[str, Any] = field(default_factory=dict)  # container wrt argument -> structure
    passed: dict[str, Any] = field(default_factory=dict)  # parameter -> function passed to it
    # array parameter -> (ndim, which dimensions are 1), for proving shapes equal
    arg_shapes: dict[str, tuple[int, tuple[bool, ...]]] = field(default_factory=dict)
    # filled by resolve
    env: dict[str, Any] = field(default_factory=dict)
    local_names: set[str] = field(default_factory=set)
    names: Namer = field(default_factory=lambda: Namer(set()))
    aliases: dict[str, str] = field(default_factory=dict)
    # (globals dict or closure cell, name, object): resolved callables the code depends on
    bindings: list[tuple[Any, str, Any]] = field(default_factory=list)
    # filled by containers (transforms/containers.py)
    containers: dict[str, Any] = field(default_factory=dict)  # name -> Static container
    wrt_static: dict[str, Any] = field(default_factory=dict)  # container wrt argument -> Static
    phantoms: set[str] = field(default_factory=set)  # container arguments: leaves only
    pinned: set[str] = field(default_factory=set)  # their parts handed to helpers
    stores: dict[str, int] = field(default_factory=dict)  # name -> how often it is assigned
    # filled by normalize / activity / reverse
    body: list[ast.stmt] = field(default_factory=list)
    result: str = ""
    results: list[str] = field(default_factory=list)  # forward mode: a returned tuple's names
    origin: dict[str, str] = field(default_factory=dict)  # versioned name -> user's name
    active: set[str] = field(default_factory=set)
    scalars: set[str] = field(default_factory=set)  # names known to hold one number
    marks: list[tuple[str, set[str]]] = field(default_factory=list)  # tape marks: kind, loop names
    cells: dict[str, Any] = field(default_factory=dict)  # extra names bound for user rules
    tuples: dict[str, int | bool] = field(
        default_factory=dict
    )  # names holding a rule's tuple result
    out: ast.Module | None = None
    source: str = ""

    def error(
        self, cls: type[TransformError], message: str, node: ast.AST | None, hint: str | None = None
    ) -> NoReturn:
        filename, lines = getattr(node, SOURCE, (self.filename, self.lines))
        where = locate(node, filename, lines) if node is not None else None
        raise cls(message, where, hint)

    @property
    def generated(self) -> ast.FunctionDef:
        """The generated function, once reverse has built it."""
        assert self.out is not None and isinstance(self.out.body[0], ast.FunctionDef)
        return self.out.body[0]

    @property
    def inputs(self) -> list[str]:
        """The names differentiated: each wrt argument, or each leaf of a container one."""
        from .containers import leaf_names

        return [
            n
            for w in self.wrt_names
            for n in (leaf_names(self.wrt_static[w]) if w in self.wrt_static else [w])
        ]

    @property
    def np(self) -> str:
        return self.aliases["np"]

    @property
    def rt(self) -> str:
        return self.aliases["rt"]
