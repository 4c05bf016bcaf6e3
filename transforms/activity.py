"""activity: find the values that depend on `wrt` and reach the result; check each can be
differentiated.

    def f(x, y):                 varied = {x, _mul1, n, loss}  (n is an int: not varied)
        n = x.shape[0]            useful = {loss, _mul1, x, y}
        _mul1 = x * y     ->      active = {x, _mul1, loss}
        loss = np.sum(_mul1)
        return loss

Only active statements get adjoints. An active value that meets something npgrad cannot
differentiate is reported here, at transform time, with its position in the user's file.
"""

from __future__ import annotations

import ast
import inspect
import types

from npgrad.errors import NoDerivativeError, UnsupportedSyntaxError

from .blocks import flatten
from .inline import literal
from .lists import LIST_USE, Lists, method_call
from .ops import (
    GRADLIST_CHANGES,
    GRADLIST_READS,
    MUTATING_NUMPY,
    SEQUENCE_LITERALS,
    Op,
    classify,
    infer_scalars,
    may_alias,
    mutated_names,
    names_in,
    stored_into,
)
from .rules import FORWARD_ONLY
from .unit import INLINE_ERROR, RESOLVED, SOURCE_LINE, Unit

OP = "npgrad_op"  # the classified Op attached to each single-target assignment
_OPAQUE_WHAT = {
    ast.IfExp: "conditional expressions",
    ast.BoolOp: "`and`/`or`",
    ast.Lambda: "lambdas",
    ast.ListComp: "list comprehensions",
    ast.GeneratorExp: "generator expressions",
    ast.Dict: "dicts",
    ast.DictComp: "dict comprehensions",
    ast.Set: "sets",
    ast.Tuple: "tuples built here",
}

# methods that change a list's length or entries, never the arrays it holds
_RESIZES = {"append", "extend", "pop", *GRADLIST_READS, *GRADLIST_CHANGES}

_COMPREHENSION_HINT = (
    "write a list comprehension whose `for` clauses walk range(...), enumerate(...) or a "
    "list or array (npgrad builds it with append), or build the list with append in a loop"
)


def target_name(stmt: ast.stmt) -> str | None:
    if isinstance(stmt, ast.Assign) and isinstance(stmt.targets[0], ast.Name):
        return stmt.targets[0].id
    return None


def stored_names(target: ast.expr) -> set[str]:
    return {
        n.id for n in ast.walk(target) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)
    }


def bind(unit: Unit, op: Op) -> dict[str, ast.expr]:
    """The rule's primal parameters bound to the call's operands (defaults filled in)."""
    assert op.rule is not None
    try:
        bound = op.rule.signature.bind(*op.args, **op.keywords)
    except TypeError as exc:
        unit.error(
            UnsupportedSyntaxError,
            f"npgrad does not support this call of {op.label} ({exc})",
            op.node,
            "pass only the arguments npgrad's rule knows: "
            + ", ".join(op.rule.signature.parameters),
        )
    result: dict[str, ast.expr] = {}
    for name, param in op.rule.signature.parameters.items():
        if param.kind is inspect.Parameter.VAR_POSITIONAL:  # *operands: a tuple literal
            args = ast.Tuple(list(bound.arguments.get(name, ())), ast.Load())
            result[name] = ast.copy_location(args, op.node)  # errors point at the call
        elif name in bound.arguments:
            result[name] = bound.arguments[name]
        elif param.default is not inspect.Parameter.empty:
            result[name] = literal(param.default)
    return result


def differentiable_operands(op: Op, bound: dict[str, ast.expr]) -> set[str]:
    """Names whose adjoints the rule writes."""
    assert op.rule is not None
    found: set[str] = set()
    for param, node in bound.items():
        if op.rule.output_for(param) is None:
            continue
        found |= names_in(node)  # a name, or the names in a (nested) list literal
    return found


def activity(unit: Unit) -> Unit:
    """Mark active names; refuse active values flowing into what cannot be differentiated."""
    simple = list(flatten(unit.body))
    for stmt in simple:
        name = target_name(stmt)
        if name is not None:
            op = classify(stmt.value)
            setattr(stmt, OP, op)
            if op.kind == "rule":
                op.bound = bind(unit, op)
                if op.rule.results:
                    unit.tuples[name] = op.rule.results
    lists = Lists(simple)
    varied = set(unit.inputs)
    while True:  # a loop can carry variation from the end of its body back to the start
        before = len(varied)
        lists.spread(varied, varied=True)
        for stmt in simple:
            reads = names_in(stmt.value) if isinstance(stmt, ast.Assign) else set()
            holder = stored_into(stmt)  # `parts.append(v)`: parts now holds a varied value
            if holder is not None and names_in(stmt.value) & varied:  # type: ignore[attr-defined]
                varied.add(holder)
            name = target_name(stmt)
            if name is not None:
                if reads & varied and getattr(stmt, OP).kind != "nondiff":
                    varied.add(name)
            elif isinstance(stmt, ast.Assign) and reads & varied:
                varied |= stored_names(stmt.targets[0])
        if len(varied) == before:
            break

    _check_untracked_writes(unit, simple, varied, lists.names)
    unit.scalars = infer_scalars(simple) | _range_indices(unit.body)
    useful = {unit.result, *unit.results}
    while True:
        before = len(useful)
        for stmt in reversed(simple):
            useful |= _useful_reads(stmt, useful, varied)
        lists.spread(useful, varied=False)
        if len(useful) == before:
            break
    unit.active = varied & useful
    lists.check(unit)
    _check(unit, lists)
    return unit


def _check_untracked_writes(
    unit: Unit, simple: list[ast.stmt], varied: set[str], list_names: set[str]
) -> None:
    """A differentiated value stored through a subscript that is not a new version (`a[i][j] =
    v`, an attribute, a global array) would lose its gradient: refused. (Dicts and lists the
    function builds are followed by transforms/containers.py and lists.py.)"""
    displays = (ast.Dict, ast.List, ast.DictComp, ast.ListComp)
    built = {
        target_name(st)
        for st in simple
        if isinstance(st, ast.Assign)
        and (
            isinstance(st.value, displays)
            or isinstance(st.value, ast.Call)
            and getattr(st.value.func, RESOLVED, None) in (dict, list)
        )
    }
    for stmt in simple:
        if _writes_varied_by_call(stmt, varied):
            unit.error(
                UnsupportedSyntaxError,
                "this call writes a differentiated value into an array npgrad does not "
                "follow (a global, or an element of another array)",
                stmt,
                "write into an array held in a local name or an argument",
            )
        if not (isinstance(stmt, ast.Assign) and isinstance(stmt.targets[0], ast.Subscript)):
            if not (isinstance(stmt, ast.Assign) and isinstance(stmt.targets[0], ast.Attribute)):
                continue
        if not names_in(stmt.value) & varied:
            continue
        root = stmt.targets[0]
        while isinstance(root, ast.Subscript | ast.Attribute):
            root = root.value
        if isinstance(root, ast.Name) and root.id in list_names | unit.containers.keys() | built:
            continue  # lists (transforms/lists.py) and containers check their own writes
        unit.error(
            UnsupportedSyntaxError,
            "npgrad cannot follow a differentiated value written here (into an element of an "
            "element, an attribute, or an array that is not a local name or an argument)",
            stmt,
            "write into the array with one subscript (`a[i, j] = v`, not `a[i][j] = v`), "
            "held in a local name",
        )


def _writes_varied_by_call(stmt: ast.stmt, varied: set[str]) -> bool:
    """`np.copyto(G, x)`, `np.add.at(G, i, x)`, `f(x, out=G)` left as calls (their target is
    not a local array), with a differentiated value among the arguments."""
    value = getattr(stmt, "value", None)
    if not isinstance(stmt, ast.Assign | ast.Expr) or not isinstance(value, ast.Call):
        return False
    obj = getattr(value.func, RESOLVED, None)
    writes = any(kw.arg == "out" for kw in value.keywords) or obj in MUTATING_NUMPY
    writes = writes or getattr(obj, "__name__", "") == "at" and obj is not None
    return writes and bool(names_in(value) & varied)


def _range_indices(body: list[ast.stmt]) -> set[str]:
    """The index names of `for i in range(...)` loops: ints."""
    found = set()
    for stmt in body:
        for node in ast.walk(stmt):
            if isinstance(node, ast.For) and isinstance(node.iter, ast.Call):
                if getattr(node.iter.func, RESOLVED, None) is range:
                    found.add(node.target.id)  # type: ignore[attr-defined]
    return found


def _useful_reads(stmt: ast.stmt, useful: set[str], varied: set[str]) -> set[str]:
    """The names whose adjoints `stmt` writes, when its result is useful."""
    name = target_name(stmt)
    if name is None or name not in useful:
        if isinstance(stmt, ast.Assign) and names_in(stmt.targets[0]) & useful & varied:
            return names_in(stmt.value)
        return set()
    op: Op = getattr(stmt, OP)
    if op.kind == "rule":
        return differentiable_operands(op, op.bound)
    if op.kind in ("getitem", "pop"):  # not `like` in `d.pop_or_zeros(like)`: a shape
        return names_in(op.args[0])
    if op.kind == "write":  # `a_1 = rt.setitem(a, idx, v)`: not the index
        return names_in(op.args[0]) | names_in(op.args[2])
    if op.kind != "nondiff":
        return names_in(stmt.value)
    return set()


def _check(unit: Unit, lists: Lists) -> None:
    active = unit.active
    aliases: dict[str, set[str]] = {}
    read_by: dict[str, ast.stmt] = {}
    for stmt in flatten(unit.body, loops_twice=True):
        name = target_name(stmt)
        op: Op | None = getattr(stmt, OP, None)
        if name in active and op is not None:
            _check_op(unit, op)
        if isinstance(stmt, ast.Assign) and name is None and stored_names(stmt.targets[0]) & active:
            unit.error(
                UnsupportedSyntaxError,
                "unpacking differentiated values from a tuple is not supported yet",
                stmt,
                "assign each value to its own name, e.g. `a = t[0]`",
            )
        _check_tuple_use(unit, stmt, op)
        if hasattr(stmt, LIST_USE):  # a change to a list the reverse sweep follows
            group = set().union(*(aliases.get(n, {n}) for n in names_in(stmt)))
            for n in group:
                aliases[n] = group  # the list holds its elements: they count as aliases
        else:
            _check_mutation(unit, stmt, aliases, read_by, lists)
        if op is None or name is None:
            continue
        if may_alias(op):
            group = set().union(*(aliases.get(n, {n}) for n in names_in(stmt.value)), {name})
            for n in group:
                aliases[n] = group
        if name in active:
            for n in names_in(stmt.value):
                read_by.setdefault(n, stmt)


def _check_op(unit: Unit, op: Op) -> None:
    """An active operation must be one npgrad can differentiate."""
    if op.kind == "unknown":
        reason = getattr(op.node, INLINE_ERROR, None)
        if reason is not None:
            raise reason  # why the helper could not be inlined, at the helper's line
        hint = (
            "use NumPy functions npgrad knows (`npgrad rules` lists them), or compute this "
            "value from inputs that are not differentiated"
        )
        if _made_by_npgrad(op.func):  # a Jacobian, Hessian, VJPFunction
            hint = (
                "npgrad differentiates through gradients it made (npgrad.grad, "
                "npgrad.value_and_grad) called here, not through jacobian, hessian or vjp "
                "objects: call a grad of the function instead"
            )
        elif (getattr(op.func, "__module__", None) or "").startswith("npgrad."):  # npgrad.jvp
            hint = (
                "npgrad differentiates npgrad.grad, npgrad.value_and_grad and npgrad.jvp "
                "called here when their function is a module-level function or made here "
                "from one, and jvp's primals and tangents are written-out tuples"
            )
        elif isinstance(op.func, types.FunctionType):
            hint = (
                f"npgrad does not transform calls to your own functions yet: write the body "
                f"of `{op.func.__name__}` inline here"
            )
        unit.error(
            NoDerivativeError,
            f"npgrad has no derivative rule for {_describe(op)}, and a differentiated "
            "value flows through it",
            op.node,
            hint,
        )
    if op.kind == "getitem" and not isinstance(op.args[0], ast.Name):
        unit.error(  # `(a, b)[i]`: the reverse sweep routes gradients into names only
            UnsupportedSyntaxError,
            "indexing a tuple or list written out here, with differentiated elements, is "
            "not supported",
            op.node,
            "give the tuple a name first (`t = (a, b)`), and index it with a constant",
        )
    if op.kind == "write" and not isinstance(op.args[2], ast.Name | ast.Constant):
        if names_in(op.args[2]) & unit.active:  # `a[:2] = [x[0], y]`
            unit.error(
                UnsupportedSyntaxError,
                "npgrad cannot pass the gradient back through a list of differentiated "
                "values written into an array",
                op.args[2],
                "make it one array first, e.g. np.array([...]) or np.stack([...])",
            )
    if op.kind == "opaque":
        what = _OPAQUE_WHAT.get(type(op.node), type(op.node).__name__)
        unit.error(
            UnsupportedSyntaxError,
            f"{what} on differentiated values are not supported yet",
            op.node,
            _COMPREHENSION_HINT
            if isinstance(op.node, ast.ListComp | ast.GeneratorExp)
            else "forward mode (npgrad.jvp) takes a tuple of outputs as the function's one "
            "final `return a, b`: assign the parts in each branch and return them at the end"
            if isinstance(op.node, ast.Tuple)
            else "write the computation as plain NumPy expressions (np.where for choices)",
        )
    if op.kind == "rule" and unit.kind != "jvp" and op.rule is FORWARD_ONLY.get(op.func):
        unit.error(
            NoDerivativeError,
            f"`{op.label}` has a forward-mode rule (npgrad.defjvp) and no reverse-mode rule, "
            "and a differentiated value flows through it",
            op.node,
            f"register its reverse rule with @npgrad.defvjp({op.func.__name__}), or use forward "
            "mode (npgrad.jvp, npgrad.jacobian(mode='forward'))",
        )
    if op.kind == "rule":
        assert op.rule is not None
        for param, node in op.bound.items():
            if op.rule.output_for(param) is None or not names_in(node) & unit.active:
                continue  # no gradient flows to this parameter
            if isinstance(node, ast.Name) and node.id in op.lists:
                continue  # a list the function builds (transforms/lists.py)
            if isinstance(node, ast.Name) and (param != op.rule.sequence or op.rule.array_ok):
                continue
            if param == op.rule.sequence and _routable(node, nested=op.rule.array_ok):
                continue
            if param == op.rule.sequence and isinstance(node, ast.Name):
                unit.error(
                    UnsupportedSyntaxError,
                    f"{op.label} of a list held in a variable is not supported yet",
                    op.node,
                    f"write the list out in the call: {op.label}([a, b, c], ...)",
                )
            unit.error(
                UnsupportedSyntaxError,
                f"npgrad cannot pass the gradient back through this argument of {op.label}",
                node,
                "make it one array first, e.g. np.array([...]) or np.stack([...])",
            )


def _check_tuple_use(unit: Unit, stmt: ast.stmt, op: Op | None) -> None:
    """A differentiated tuple result (`np.linalg.eigh(a)`) is used by unpacking it or by a
    constant index, so each part's gradient can be routed back."""
    used = names_in(getattr(stmt, "value", None)) & set(unit.tuples) & unit.active
    if not used:
        return
    if (
        op is not None
        and op.kind == "getitem"
        and isinstance(op.args[0], ast.Name)
        and isinstance(op.args[1], ast.Constant)
        and type(op.args[1].value) is int
        and op.args[1].value >= 0
        and not names_in(op.args[1]) & used
    ):
        return
    unit.error(
        UnsupportedSyntaxError,
        "this tuple of results is differentiated; npgrad follows its parts only through "
        "unpacking or a constant index",
        stmt,
        "write `a, b = f(...)` or `f(...)[0]`",
    )


def _routable(node: ast.expr, nested: bool) -> bool:
    """A list literal whose elements are names or literals (nested lists for np.array)."""
    if not isinstance(node, SEQUENCE_LITERALS):
        return False
    return all(
        isinstance(e, ast.Name | ast.Constant) or nested and _routable(e, nested) for e in node.elts
    )


def _check_mutation(
    unit: Unit,
    stmt: ast.stmt,
    aliases: dict[str, set[str]],
    read_by: dict[str, ast.stmt],
    lists: Lists,
) -> None:
    """Refuse in-place changes the reverse sweep would see: to differentiated arrays, or to
    arrays a differentiated operation has already read. (Appending to a list or popping
    from it changes no element: only what reads the list itself can see it.)"""
    writes = isinstance(stmt, ast.Assign) and isinstance(stmt.targets[0], ast.Subscript)
    changes = "changes" if writes else "may change (npgrad cannot see inside the call)"
    found = method_call(stmt)
    resized: set[str] | None = None  # the list an append or a pop resizes, and its holders
    if found is not None and found[1] in _RESIZES and found[0] in lists.names:
        resized = lists.holding(found[0])
    for m in mutated_names(stmt):
        changed = unit.origin.get(m, m)
        for alias in sorted(aliases.get(m, {m})):
            if resized is not None and alias not in resized:
                continue  # an element of the list, or a value read from one
            shown = unit.origin.get(alias, alias)
            what = f"`{changed}`" if shown == changed else f"`{changed}` (and `{shown}`, a view)"
            if alias in unit.active:
                unit.error(
                    UnsupportedSyntaxError,
                    f"this line {changes} {what} in place, and `{shown}` is differentiated; "
                    "in-place updates of differentiated arrays are not supported yet",
                    stmt,
                    "build a new array instead (np.where, np.concatenate, arithmetic)",
                )
            if alias in read_by:
                line = getattr(read_by[alias], SOURCE_LINE, "?")
                unit.error(
                    UnsupportedSyntaxError,
                    f"this line {changes} {what} in place after line {line} used `{shown}` in "
                    "the differentiated computation; the gradient would see the changed value",
                    stmt,
                    f"copy it first (`{shown} = {shown}.copy()`) or change it before it is used",
                )


def _made_by_npgrad(func: object) -> bool:
    """A Jacobian, Hessian or vjp function object (npgrad/jacobians.py)."""
    from npgrad.jacobians import Hessian, Jacobian, VJPFunction

    return isinstance(func, Jacobian | Hessian | VJPFunction)


def _describe(op: Op) -> str:
    if _made_by_npgrad(op.func):
        return f"`{op.func!r}`"
    if op.func is not None:
        return f"`{op.label}`"
    node = op.node
    if isinstance(node, ast.Call):
        return f"`{ast.unparse(node.func)}`"
    if isinstance(node, ast.Attribute):
        return f"the attribute `.{node.attr}`"
    return f"`{ast.unparse(node)}`"
