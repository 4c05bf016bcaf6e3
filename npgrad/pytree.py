"""Containers of arrays (pytrees) as arguments: their structure, read at call time.

    structure({"W": w, "b": [b0, b1]})  ->  ("dict", ("W", "b"), (leaf, ("list", (leaf, leaf))))
    structure(w)                        ->  None  (not a container: the argument is one leaf)

where a leaf is ("leaf", (ndim, which dimensions are 1)) for an array, ("leaf", None) for
anything else. The structure is hashable: npgrad generates one gradient per structure it is
called with (the keys and lengths are known when the code is generated), and caches each.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, TypeAlias

import numpy as np

Tree: TypeAlias = tuple[Any, ...]
NONE: Tree = ("none",)
_KEY_TYPES = (str, int, float, bool, type(None))


def is_namedtuple(value: Any) -> bool:
    return isinstance(value, tuple) and hasattr(type(value), "_fields")


def structure(value: Any) -> Tree | None:
    """The container structure of `value`; None when `value` is not a container."""
    kind = type(value)
    if kind is dict:
        keys = tuple(value)
        bad = [k for k in keys if not isinstance(k, _KEY_TYPES)]
        if bad:
            raise TypeError(
                f"npgrad differentiates dicts whose keys are strings or numbers, not {bad[0]!r}"
            )
        return ("dict", keys, tuple(_node(v) for v in value.values()))
    if kind is list or kind is tuple:
        return (kind.__name__, tuple(_node(v) for v in value))
    if is_namedtuple(value):
        return ("namedtuple", kind, tuple(_node(v) for v in value))
    return None


def _node(value: Any) -> Tree:
    if value is None:
        return NONE
    tree = structure(value)
    return ("leaf", shape_key(value)) if tree is None else tree


def shape_key(value: Any) -> tuple[int, tuple[bool, ...]] | None:
    """(ndim, which dimensions are 1) of an array; None for anything else."""
    if type(value) is np.ndarray:  # not subclasses (np.matrix changes what `*` means)
        return value.ndim, tuple(d == 1 for d in value.shape)
    return None


def is_leaf(tree: Tree) -> bool:
    return tree[0] == "leaf"


def children(tree: Tree) -> list[tuple[Any, Tree]]:
    """(key, subtree) pairs: dict keys, list/tuple indices, namedtuple field names."""
    kind = tree[0]
    if kind == "dict":
        return list(zip(tree[1], tree[2], strict=True))
    if kind == "namedtuple":
        return list(zip(tree[1]._fields, tree[2], strict=True))
    if kind in ("list", "tuple"):
        return list(enumerate(tree[1]))
    return []


def leaves(value: Any, tree: Tree, path: str) -> Iterator[tuple[str, Any]]:
    """(path, leaf value) for every leaf: ("params['W']", array)."""
    if is_leaf(tree):
        yield path, value
        return
    for key, sub in children(tree):
        item = getattr(value, key) if tree[0] == "namedtuple" else value[key]
        yield from leaves(
            item, sub, f"{path}.{key}" if tree[0] == "namedtuple" else f"{path}[{key!r}]"
        )
