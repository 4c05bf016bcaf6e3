"""The compiler: the whole pipeline as one flat list of passes, in order.

Each pass takes the Unit (transforms/unit.py) and returns it, having filled in its part.
Reverse mode (grad, value_and_grad, vjp) runs REVERSE_MODE; forward mode (kind "jvp")
runs FORWARD_MODE, which shares everything up to activity analysis; the batched JVP and
VJP of `npgrad.jacobian` (kinds "jvp_batched", "vjp_batched") run BATCHED_FORWARD and
BATCHED_REVERSE: FORWARD_MODE and REVERSE_MODE with `batch` before retarget.
"""

from __future__ import annotations

from collections.abc import Callable

from .activity import activity
from .batch import batch
from .containers import check_containers, containers
from .emit import emit
from .forward import forward
from .inplace import inplace
from .jumps import jumps
from .normalize import normalize
from .optimize import optimize
from .parse import parse
from .resolve import resolve
from .retarget import primal, retarget
from .reverse import reverse
from .shapes import shapes
from .simplify import simplify
from .specialize import specialize, specialize_products
from .tape import tape
from .unit import Unit
from .untape import untape

Pass = Callable[[Unit], Unit]

REVERSE_MODE: list[Pass] = [
    parse,  # source text -> FunctionDef in file coordinates
    resolve,  # free names -> objects; NumPy callables -> canonical `np.<name>`
    untape,  # npgrad's own gradient: its tape of tuples -> one list per taped value
    jumps,  # break, continue, early return -> branches (and a flag for break)
    containers,  # dicts, lists, tuples of arrays resolved now: a name per leaf, loops unrolled
    normalize,  # one operation per statement, one assignment per name
    check_containers,  # no helper uses a container argument's part as a whole object
    activity,  # what depends on wrt and reaches the result; refuse what cannot be done
    reverse,  # forward sweep + reverse sweep, rules inlined
    specialize,  # drop unbroadcast / matmul helper calls where shapes are proven
    shapes,  # read shapes and the seed's dtype from values computed anyway
    optimize,  # dead code out, single-use temporaries back in
    simplify,  # exact clean-ups: cancelling negations, subtract instead of add-negated
    specialize_products,  # np.broadcast_to(g, np.shape(t)) * u -> g * u where u is t-shaped
    inplace,  # a write whose old value nothing reads happens in place (no copy)
    tape,  # inside loops: push what the reverse reads, pop it back in the reversed loop
    retarget,  # np.<name> -> the backend's (cp., da., xp.); refuse what it lacks
    emit,  # ast.unparse with provenance comments -> unit.source
]

FORWARD_MODE: list[Pass] = [
    parse,
    resolve,
    untape,
    jumps,
    containers,
    normalize,
    check_containers,
    activity,  # only active values (varied and reaching the result) get tangents
    forward,  # each statement followed by its tangent, JVP rules inlined; control flow kept
    optimize,  # dead code out (tangents nothing reads), single-use temporaries back in
    simplify,  # exact clean-ups of negations
    retarget,  # np.<name> -> the backend's
    emit,  # ast.unparse -> unit.source
]  # (writes into arrays stay copies here: `inplace` reasons about the reverse sweep)

# npgrad.jacobian(mode="forward"): the JVP with a leading batch axis on every tangent, one
# call for many seeds; `batch` raises NotBatchable where it cannot be exact
BATCHED_FORWARD: list[Pass] = [
    *FORWARD_MODE[: FORWARD_MODE.index(retarget)],
    batch,  # every tangent gets a leading batch axis; ranks decide how operands broadcast
    retarget,
    emit,
]

# npgrad.jacobian(mode="reverse"): the VJP with a leading batch axis on every adjoint
BATCHED_REVERSE: list[Pass] = [*REVERSE_MODE[: REVERSE_MODE.index(retarget)], batch, retarget, emit]

# npgrad.retarget: the user's own function, emitted for another backend
RETARGET: list[Pass] = [parse, resolve, primal, retarget, emit]


def run(unit: Unit, passes: list[Pass] | None = None) -> Unit:
    """Run `passes`; by default the pipeline of the unit's kind."""
    if passes is None and unit.kind in ("jvp_batched", "vjp_batched"):
        unit.kind = unit.kind[:3]  # the shared passes see a JVP or VJP; `batch` batches it
        passes = BATCHED_FORWARD if unit.kind == "jvp" else BATCHED_REVERSE
    if passes is None:
        passes = FORWARD_MODE if unit.kind == "jvp" else REVERSE_MODE
    for step in passes:
        unit = step(unit)
    return unit
