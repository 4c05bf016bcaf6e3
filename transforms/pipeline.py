"""The compiler: the whole pipeline as one flat list of passes, in order.

Each pass takes the Unit (transforms/unit.py) and returns it, having filled in its part.
"""

from __future__ import annotations

from collections.abc import Callable

from .activity import activity
from .emit import emit
from .jumps import jumps
from .normalize import normalize
from .optimize import optimize
from .parse import parse
from .resolve import resolve
from .reverse import reverse
from .shapes import shapes
from .simplify import simplify
from .tape import tape
from .unit import Unit

Pass = Callable[[Unit], Unit]

REVERSE_MODE: list[Pass] = [
    parse,  # source text -> FunctionDef in file coordinates
    resolve,  # free names -> objects; NumPy callables -> canonical `np.<name>`
    jumps,  # break, continue, early return -> branches (and a flag for break)
    normalize,  # one operation per statement, one assignment per name
    activity,  # what depends on wrt and reaches the result; refuse what cannot be done
    reverse,  # forward sweep + reverse sweep, rules inlined
    shapes,  # read shapes and the seed's dtype from values computed anyway
    optimize,  # dead code out, single-use temporaries back in
    simplify,  # exact clean-ups: cancelling negations, subtract instead of add-negated
    tape,  # inside loops: push what the reverse reads, pop it back in the reversed loop
    emit,  # ast.unparse with provenance comments -> unit.source
]


def run(unit: Unit, passes: list[Pass] = REVERSE_MODE) -> Unit:
    for step in passes:
        unit = step(unit)
    return unit
