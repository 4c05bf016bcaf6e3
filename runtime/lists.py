"""The adjoint of a Python list the differentiated function builds: a `GradList`.

    hs = []                                 dhs = rt.GradList(len(hs))
    for x in xs:                            dhs.add_to(-1, d_getitem5)
        h = np.tanh(W @ h + x)      ->      dhs.add_parts(dH)
        hs.append(h)                        for i in reversed(range(_len3)):
    H = np.stack(hs)                            dh_2 = dhs.pop_or_zeros(h_2)
    ... hs[-1] ...                              ...

A GradList is a plain list with one entry per element of the primal list: an array, or
None (a zero: nothing flowed back to that element yet). The reverse sweep creates it when
the list has its final length and undoes the forward sweep's changes in reverse order, so
at every point its length is the primal list's length at the matching point of the forward
sweep: `hs[-1]` and `dhs` at index -1 name the same element.
"""

from __future__ import annotations

import operator
from typing import Any

import numpy as np

__all__ = ["GradList", "unsum"]


class GradList(list):
    """The adjoint of a list: one array (or None, a zero) per element."""

    def __init__(self, length: int):
        super().__init__([None] * length)

    def add_to(self, i: Any, g: Any) -> None:
        """Entry `i` (an int: a list read with a slice gives no single element) plus `g`."""
        i = operator.index(i)
        self[i] = g if self[i] is None else self[i] + g

    def add_parts(self, parts: Any) -> None:
        """Entry k plus parts[k] for every k (the adjoint of np.stack(hs) and the like)."""
        if len(parts) != len(self):
            raise RuntimeError(
                f"npgrad internal error: {len(parts)} parts for a list of {len(self)}; "
                "please report this with the function's source"
            )
        for k in range(len(self)):
            self.add_to(k, parts[k])

    def pop_or_zeros(self, like: Any) -> Any:
        """Remove the last entry (the reverse of an append) and return it, or zeros like
        `like` where nothing flowed back to it."""
        g = self.pop()
        return np.zeros_like(like) if g is None else g

    def at_or_zeros(self, k: int, like: Any) -> Any:
        """Entry k, or zeros like `like` where nothing flowed back to it."""
        g = self[k]
        return np.zeros_like(like) if g is None else g

    def stacked(self, like: Any) -> Any:
        """The entries as one array shaped like `like` (zeros where an entry is None): the
        adjoint of the parts in `add_parts`, when a gradient is differentiated again."""
        out = np.zeros_like(like)
        for k, g in enumerate(self):
            if g is not None:
                out[k] = g
        return out

    def pop_into(self, other: GradList) -> None:
        """The reverse of `hs.extend(other)`: the last len(other) entries move into `other`."""
        n = len(other)
        start = len(self) - n
        parts = self[start:]
        del self[start:]
        other.add_parts(parts)


def unsum(g: Any, parts: list[Any]) -> list[Any]:
    """The adjoints of the elements of builtin `sum(parts)` (0 + parts[0] + parts[1] + ...):
    `g` summed down to each element's shape."""
    from . import unbroadcast

    return [unbroadcast(g, p) for p in parts]
