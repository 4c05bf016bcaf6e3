"""lists: Python lists of differentiated values that the function builds (part of activity).

    hs = []                                     (forward: unchanged)
    for x in xs:
        h = np.tanh(W @ h + x)                  reverse sweep:
        hs.append(h)                    ->      dhs = rt.GradList(len(hs))
    H = np.stack(hs)                            dhs.add_to(-1, d_getitem5)     # hs[-1]
    return np.sum(H ** 2) + np.sum(hs[-1])      dhs.add_parts(dH)              # np.stack(hs)
                                                for i in reversed(range(_len3)):
                                                    dh_2 = dh_2 + dhs.pop_or_zeros(h_2)

The adjoint of a list is a list of the same length (runtime/lists.py) whose entries are
arrays or None (a zero). The reverse sweep creates it, at the start of the reverse of the
block that created the list, and undoes each change in reverse order: `hs.append(h)` pops
the last entry into `dh`, `v = hs.pop()` appends `dv`, `hs.extend(other)` moves the last
entries into `dother`. So its length always equals the list's length at the matching point
of the forward sweep, and a read `hs[i]` (any int, negative ones included) adds into the
right entry. `np.stack(hs)` and the other rules that take a sequence (`np.concatenate`,
`np.array`, `np.vstack`, ...) and builtin `sum(hs)` add one part per element; the parts'
shapes come from `hs[:len(dhs)]`, the elements the list had then (appends only add at the
end; a list that is also popped is refused there).

This module finds the lists (created by `[...]`, `[]` or `list()`, and every name a plain
copy gives them), and checks each use of one that holds differentiated values: anything
else (a list of lists, `hs[i] = v`, `insert`, `hs + other`, a list created in a branch or a
loop iteration and used after it) is a transform-time error at its position.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from typing import NoReturn

from npgrad.errors import UnsupportedSyntaxError

from .blocks import COMPOUND, PHI
from .inline import NOT_NONE, instantiate
from .ops import GRADLIST_CHANGES, GRADLIST_READS, Op, is_pure, names_in
from .rules import Rule
from .rules.table import PART
from .unit import INLINE_ERROR, Unit

LIST_USE = "npgrad_list_use"  # on a statement that creates or changes a differentiated list
OP = "npgrad_op"  # as in activity.py
_METHODS = {"append", "extend", "pop", *GRADLIST_READS, *GRADLIST_CHANGES}
_OTHER_METHODS = {"insert", "remove", "clear", "sort", "reverse", "pop_into"}
_READERS = (
    "append, extend, pop(), indexing with an int, len, `for` loops, and np.stack, np.array, "
    "np.concatenate, np.vstack, np.hstack or builtin sum"
)


@dataclass(frozen=True)
class ListUse:
    """What a statement does to a list of differentiated values, for the reverse sweep.

    kind: "new" (`hs = [...]`), "alias" (`a = hs`), "append", "extend", "pop"; and on the
    adjoint of a list in a generated gradient (a GradList, differentiated again): "pop"
    (`v = d.pop_or_zeros(like)`), "entry" (`v = d.at_or_zeros(k, like)`), "stacked",
    "add_to" (`d.add_to(i, v)`), "add_parts" (`d.add_parts(parts)`)."""

    kind: str
    owner: str  # the name the list was created under; its adjoint is named after it
    members: frozenset[str] = frozenset()  # "new": every name the list is known by
    other: str | None = None  # "extend": the owner of the list added, if it is one


def method_call(stmt: ast.stmt) -> tuple[str, str, ast.Call] | None:
    """(receiver, method, call) for `hs.append(v)`, `v = hs.pop()`, `hs.insert(...)`..."""
    value = getattr(stmt, "value", None)
    if not isinstance(stmt, ast.Expr | ast.Assign) or not isinstance(value, ast.Call):
        return None
    func = value.func
    if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
        if func.attr in _METHODS | _OTHER_METHODS:
            return func.value.id, func.attr, value
    return None


def parts_of(rule: Rule, param: str, bindings: dict[str, ast.expr]) -> ast.expr | None:
    """For a rule whose gradient to the sequence `param` is `X[part]`: X, the list of all the
    parts (None when the rule is not written that way)."""
    template = rule.output_for(param)
    if template is None:
        return None
    part = ast.Name("__npgrad_part__", ast.Load())
    setattr(part, NOT_NONE, True)  # `part is None` folds to False
    expr = instantiate(template, bindings | {PART: part})
    if (
        isinstance(expr, ast.Subscript)
        and isinstance(expr.slice, ast.Name)
        and expr.slice.id == part.id
        and part.id not in names_in(expr.value)
    ):
        return expr.value
    return None


class Lists:
    """The lists a function builds, and the names each one is known by."""

    def __init__(self, simple: list[ast.stmt]):
        self.simple = simple
        self.names: set[str] = set()  # every name that holds a list
        copies: list[tuple[str, str, bool]] = []  # (target, source, closes a block)
        for stmt in simple:
            op: Op | None = getattr(stmt, OP, None)
            target = stmt.targets[0].id if op is not None else None  # type: ignore[attr-defined]
            if op is not None and op.kind == "list":
                self.names.add(target)  # type: ignore[arg-type]
            elif op is not None and op.kind == "copy" and isinstance(op.args[0], ast.Name):
                copies.append((target, op.args[0].id, getattr(stmt, PHI, False)))  # type: ignore[arg-type]
            found = method_call(stmt)
            if found is not None and found[1] in _METHODS:
                self.names.add(found[0])
        while True:
            before = len(self.names)
            for target, source, _ in copies:
                if target in self.names or source in self.names:
                    self.names |= {target, source}
            if len(self.names) == before:
                break
        # one object: names joined by plain copies (`a = hs`), not by the copies that close
        # a block (those join a list made in a branch or an iteration to the code after it)
        parent = {n: n for n in self.names}

        def find(n: str) -> str:
            while parent[n] != n:
                n = parent[n]
            return n

        for target, source, phi in copies:
            if not phi and target in self.names:
                a, b = find(target), find(source)
                parent[max(a, b)] = min(a, b)
        # a loop version set only by copies of one list (`hs += [v]` in a loop body: the
        # loop's `hs_1 = hs`, the body never rebinds it) is that list too
        defined: dict[str, list[str | None]] = {}
        for stmt in simple:
            op = getattr(stmt, OP, None)
            if op is not None and stmt.targets[0].id in self.names:  # type: ignore[attr-defined]
                source = op.args[0] if op.kind == "copy" and op.args else None
                defined.setdefault(stmt.targets[0].id, []).append(  # type: ignore[attr-defined]
                    source.id if isinstance(source, ast.Name) else None
                )
        for _ in range(len(copies)):
            for target, sources in defined.items():
                roots = {find(s) if s in self.names else None for s in sources}
                if len(roots) == 1 and None not in roots:
                    a, b = find(target), roots.pop()
                    parent[max(a, b)] = min(a, b)
        made: dict[str, list[ast.Assign]] = {}
        for stmt in simple:
            op = getattr(stmt, OP, None)
            if op is not None and op.kind == "list":
                made.setdefault(find(stmt.targets[0].id), []).append(stmt)  # type: ignore[attr-defined]
        groups: dict[str, set[str]] = {}
        for n in self.names:
            groups.setdefault(find(n), set()).add(n)
        self.owner: dict[str, str] = {}  # name -> the name its list was created under
        self.created: dict[str, list[ast.Assign]] = {}
        for rep, members in groups.items():
            new = made.get(rep, [])
            owner = new[0].targets[0].id if len(new) == 1 else rep  # type: ignore[attr-defined]
            self.owner.update(dict.fromkeys(members, owner))
            self.created[owner] = new
        self.groups = {self.owner[rep]: members for rep, members in groups.items()}
        self.phis = [
            (t, s) for t, s, phi in copies if phi and s in self.names and find(t) != find(s)
        ]

    def find(self, name: str) -> str:
        return self.owner[name]

    def members(self, name: str) -> set[str]:
        return self.groups[self.owner[name]]

    def holding(self, name: str) -> set[str]:
        """The names of `name`'s list and of every list that holds it as an element (`[hs]`,
        `outer.append(hs)`), directly or not: what a change of its length shows through."""
        found = set(self.members(name))
        while True:
            before = len(found)
            for stmt in self.simple:
                op: Op | None = getattr(stmt, OP, None)
                if op is not None and op.kind == "list":
                    holder, elements = stmt.targets[0].id, op.args  # type: ignore[attr-defined]
                elif (call := method_call(stmt)) is not None and call[1] in ("append", "extend"):
                    holder, elements = call[0], call[2].args
                else:
                    continue
                if {n for e in elements for n in names_in(e)} & found and holder in self.names:
                    found |= self.members(holder)
            if len(found) == before:
                return found

    def spread(self, names: set[str], varied: bool) -> None:
        """A list is one object: what holds for one of its names holds for all. A list
        whose contents go into a differentiated one (`hs.extend(other)`) is followed too,
        so that its length is known in the reverse sweep."""
        for n in list(names & self.names):
            names |= self.members(n)
        for stmt in self.simple:
            found = method_call(stmt)
            if found is None or found[0] not in names:
                continue
            if found[1] not in ("append", "extend", *GRADLIST_CHANGES):
                continue
            args = {n for a in found[2].args for n in names_in(a)}
            if varied:
                names |= {m for a in args & self.names for m in self.members(a)}
            else:
                names |= args  # a useful list's elements are useful

    # ----- checks, once activity is known ---------------------------------------------

    def check(self, unit: Unit) -> None:
        """Refuse what the reverse sweep cannot follow; tag what it can (LIST_USE, Op.lists)."""
        active = {n for n in self.names if n in unit.active}
        if not active:
            return
        for target, source in self.phis:
            if target in unit.active:
                self.refuse_scattered(unit, source, target)
        for name in sorted(active):
            if len(self.created[self.owner[name]]) > 1:
                self.refuse_scattered(unit, name, name)
            if not self.created[self.owner[name]]:
                stmt = next(s for s in self.simple if self._loads(s, {name}))
                unit.error(
                    UnsupportedSyntaxError,
                    f"`{self.shown(unit, name)}` holds differentiated values but was not "
                    "created in this function; npgrad follows lists it builds itself",
                    stmt,
                    f"build a new list here (`{self.shown(unit, name)} = []`) and append to it",
                )
        popped = {
            self.owner[found[0]]
            for s in self.simple
            if (found := method_call(s)) is not None and found[1] in ("pop", "pop_or_zeros")
            if found[0] in active
        }
        for stmt in self.simple:
            self.check_stmt(unit, stmt, active, popped)

    def refuse_scattered(self, unit: Unit, name: str, used: str) -> None:
        stmt = next(s for s in self.simple if self._loads(s, {used}))
        unit.error(
            UnsupportedSyntaxError,
            f"`{self.shown(unit, name)}` is a list of differentiated values created inside "
            "an `if` or a loop iteration and used after it; npgrad follows a list only in "
            "the block that creates it",
            stmt,
            "create the list once before the `if` or the loop, and append to it",
        )

    def shown(self, unit: Unit, name: str) -> str:
        return unit.origin.get(name, name)

    @staticmethod
    def _loads(stmt: ast.stmt, names: set[str]) -> bool:
        return bool(names_in(stmt) & names)

    def check_stmt(self, unit: Unit, stmt: ast.stmt, active: set[str], popped: set[str]) -> None:
        op: Op | None = getattr(stmt, OP, None)
        target = stmt.targets[0].id if op is not None else None  # type: ignore[attr-defined]
        used = names_in(stmt) & active
        if op is not None and op.kind == "list" and target in active:
            self.check_elements(unit, stmt, op.args, active)
            members = frozenset(self.members(target))  # type: ignore[arg-type]
            setattr(stmt, LIST_USE, ListUse("new", self.owner[target], members))  # type: ignore[index]
            return
        if not used:
            return
        found = method_call(stmt)
        if found is not None and found[0] in active:
            return self.check_method(unit, stmt, found, active)
        if (
            isinstance(stmt, ast.Assert)
            or isinstance(stmt, ast.Expr)
            and isinstance(stmt.value, ast.Name)
        ):
            return  # reads only (`hs` alone: a helper's result left unused)
        reason = getattr(getattr(stmt, "value", None), INLINE_ERROR, None)
        if reason is not None:
            raise reason  # a helper that got the list could not be inlined: say why
        if op is None:
            if isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call):
                if is_pure(stmt.value) and not found:
                    return  # print(hs)
            if isinstance(stmt, ast.Assign) and not isinstance(stmt.targets[0], ast.Name):
                self.refuse(
                    unit,
                    stmt,
                    used,
                    "npgrad cannot replace an element of a list of differentiated values",
                    "build a new list, or append the new value",
                )
            self.refuse(unit, stmt, used)
        if op.kind == "list":
            self.refuse(
                unit,
                stmt,
                used,
                "lists of lists of differentiated values are not supported yet",
                "stack each inner list into an array first",
            )
        if op.kind == "copy" and not getattr(stmt, PHI, False):
            setattr(stmt, LIST_USE, ListUse("alias", self.owner[target]))  # type: ignore[index]
            return
        if op.kind in ("copy", "nondiff") or target not in unit.active:
            return  # no gradient flows here
        if op.kind == "getitem":
            base, index = op.args
            if isinstance(base, ast.Name) and base.id in active and not names_in(index) & active:
                if isinstance(index, ast.Constant | ast.Name):
                    op.lists[base.id] = self.owner[base.id]
                    return
                self.refuse(
                    unit,
                    stmt,
                    used,
                    "slicing a list of differentiated values is not supported yet",
                    "index one element at a time, or stack the list into an array and slice that",
                )
        elif op.kind == "rule":
            return self.check_rule(unit, stmt, op, active, popped)
        self.refuse(unit, stmt, used)

    def check_elements(
        self, unit: Unit, stmt: ast.stmt, elements: list[ast.expr], active: set[str]
    ) -> None:
        for e in elements:
            if isinstance(e, ast.Name) and e.id in active or isinstance(e, ast.List | ast.Tuple):
                self.refuse(
                    unit,
                    stmt,
                    names_in(e),
                    "lists of lists (or of tuples) of differentiated values are not supported yet",
                    "stack each inner list into an array first",
                )
            if not isinstance(e, ast.Name | ast.Constant):
                self.refuse(
                    unit,
                    stmt,
                    names_in(e),
                    "npgrad follows a list of differentiated values element by element",
                    "add one name at a time (`hs.append(v)`)",
                )

    def check_method(
        self, unit: Unit, stmt: ast.stmt, found: tuple[str, str, ast.Call], active: set[str]
    ) -> None:
        name, method, call = found
        shown = self.shown(unit, name)
        if method not in _METHODS or call.keywords:
            self.refuse(
                unit,
                stmt,
                {name},
                f"`{shown}.{method}(...)` changes a list of differentiated values in a way "
                "npgrad cannot reverse yet",
                "use append, extend, or pop() without an index, or build a new list",
            )
        if method in GRADLIST_READS | GRADLIST_CHANGES:
            use = self.check_gradlist(unit, stmt, found)
        elif method == "pop":
            if call.args:
                self.refuse(
                    unit,
                    stmt,
                    {name},
                    f"`{shown}.pop(i)` with an index is not supported yet",
                    f"use `{shown}.pop()` (the last element)",
                )
            use = ListUse("pop", self.owner[name])
        elif method == "append":
            if isinstance(stmt, ast.Assign) or len(call.args) != 1:
                self.refuse(unit, stmt, {name})
            self.check_elements(unit, stmt, call.args, active)
            use = ListUse("append", self.owner[name])
        else:
            (other,) = call.args if len(call.args) == 1 else (None,)
            if isinstance(other, ast.Name) and other.id in active:
                if self.find(other.id) == self.find(name):
                    self.refuse(
                        unit,
                        stmt,
                        {name},
                        f"`{shown}.extend({shown})` is not supported",
                        f"write `{shown}.extend(list({shown}))`",
                    )
                use = ListUse("extend", self.owner[name], other=self.owner[other.id])
            elif isinstance(other, ast.List | ast.Tuple) and isinstance(stmt, ast.Expr):
                self.check_elements(unit, stmt, other.elts, active)
                use = ListUse("extend", self.owner[name])
            else:
                self.refuse(
                    unit,
                    stmt,
                    {name},
                    f"`{shown}.extend(...)` takes another list built in this function or a "
                    "list literal here",
                    "append the elements one by one",
                )
        setattr(stmt, LIST_USE, use)

    def check_gradlist(
        self, unit: Unit, stmt: ast.stmt, found: tuple[str, str, ast.Call]
    ) -> ListUse:
        """The methods of a GradList (the adjoint of a list, in a generated gradient that is
        differentiated again): reads of its entries and additions to them."""
        name, method, call = found
        kind = {"pop_or_zeros": "pop", "at_or_zeros": "entry", "stacked": "stacked"}.get(method)
        arity = {"pop": 1, "entry": 2, "stacked": 1, None: 1 if method == "add_parts" else 2}
        reads = kind is not None
        if len(call.args) != arity[kind] or isinstance(stmt, ast.Assign) != reads:
            self.refuse(unit, stmt, {name})
        if not reads:
            value = call.args[-1]
            if not isinstance(value, ast.Name | ast.Constant):
                self.refuse(unit, stmt, names_in(value))
        return ListUse(kind or method, self.owner[name])

    def check_rule(
        self, unit: Unit, stmt: ast.stmt, op: Op, active: set[str], popped: set[str]
    ) -> None:
        rule = op.rule
        assert rule is not None
        for param, node in op.bound.items():
            inside = names_in(node) & active
            if not inside:
                continue
            if not (isinstance(node, ast.Name) and param == rule.sequence):
                self.refuse(
                    unit,
                    stmt,
                    inside,
                    f"{op.label} of a list of differentiated values is not supported",
                    f"stack it into one array first: np.stack({self.shown(unit, min(inside))})",
                )
            if rule.output_for(param) is not None:
                parts = parts_of(rule, param, {})
                if parts is None:
                    self.refuse(
                        unit,
                        stmt,
                        inside,
                        f"{op.label} of a list held in a variable is not supported yet",
                        f"write the list out in the call: {op.label}([a, b, c], ...)",
                    )
                if param in names_in(parts):  # type: ignore[arg-type]
                    self.check_not_popped(unit, stmt, node.id, popped)
            op.lists[node.id] = self.owner[node.id]

    def check_not_popped(self, unit: Unit, stmt: ast.stmt, name: str, popped: set[str]) -> None:
        """The reverse reads the elements' shapes from `hs[:len(dhs)]`: a prefix of the final
        list only if nothing is ever removed from it."""
        if self.owner[name] in popped:
            self.refuse(
                unit,
                stmt,
                {name},
                f"this reads the shapes of the elements of `{self.shown(unit, name)}`, a list "
                "that is also popped; npgrad cannot recover them in the reverse sweep",
                "stack the list with np.stack, or avoid pop() on it",
            )

    def refuse(
        self,
        unit: Unit,
        stmt: ast.stmt,
        names: set[str],
        message: str | None = None,
        hint: str | None = None,
    ) -> NoReturn:
        shown = self.shown(unit, min(names)) if names else "the list"
        unit.error(
            UnsupportedSyntaxError,
            message
            or f"`{shown}` is a list of differentiated values; npgrad follows such a list "
            f"only through {_READERS}",
            stmt,
            hint or f"stack it into one array first (`np.stack({shown})`) and use that",
        )


# ----- the reverse sweep (mixed into reverse.py's _Sweep) -------------------------------


def _method(owner: str, name: str, args: list[ast.expr]) -> ast.Call:
    return ast.Call(ast.Attribute(ast.Name(owner, ast.Load()), name, ast.Load()), args, [])


def _statement(call: ast.expr) -> ast.Expr:
    return ast.Expr(call)


def _without_noop_moveaxis(node: ast.expr) -> ast.expr:
    """`np.moveaxis(g, 0, 0)` (np.stack's parts along axis 0) is `g`."""
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "moveaxis"
        and len(node.args) == 3
        and isinstance(node.args[1], ast.Constant)
        and isinstance(node.args[2], ast.Constant)
        and node.args[1].value == node.args[2].value
    ):
        return node.args[0]
    return node


class ListSweep:
    """The reverse of what the function does to its lists. Each list's adjoint is created
    (`dhs = rt.GradList(len(hs))`) where the reverse of the block that created the list
    starts; every statement after that undoes one change."""

    unit: Unit
    out: list[ast.stmt]
    adjoint: dict[str, str]
    names_of: dict[str, str]
    multi: set[str]
    owned: set[str]
    loops: list[set[str]]
    list_adj: dict[str, str]  # the list's owner -> its adjoint's name
    # and the sweep's accumulate, assign, adj_name, rt_ and mark (reverse.py)

    def open_lists(self, stmts: list[ast.stmt], tail: int) -> list[ListUse]:
        """Create the adjoints of the lists this block creates: here they have their final
        length. Inside a loop, the tape restores this iteration's lists first: the caller
        creates them after the pop of the block's last run of statements (returned here),
        or, when the block ends with a loop or a branch, here after a pop of their own."""
        news = [
            use
            for s in stmts[:tail]
            if (use := getattr(s, LIST_USE, None)) is not None and use.kind == "new"
        ]
        if news and self.loops and tail and not isinstance(stmts[tail - 1], COMPOUND):
            return news
        if news and self.loops:
            self.mark(stmts, tail, "segment")
        self.init_lists(news)
        return []

    def init_lists(self, news: list[ListUse]) -> None:
        for use in news:
            d = self.adj_name(use.owner)
            self.unit.names.temps.discard(d)  # never folded into its first reader
            self.list_adj[use.owner] = d
            for member in use.members:
                self.names_of[member] = d
                self.adjoint[member] = d
            length = ast.Call(ast.Name("len", ast.Load()), [ast.Name(use.owner, ast.Load())], [])
            self.assign(d, ast.Call(self.rt_("GradList"), [length], []))

    def list_statement(self, stmt: ast.stmt, use: ListUse) -> None:
        d = self.list_adj[use.owner]
        if use.kind == "new" and isinstance(stmt.value, ast.List):  # type: ignore[attr-defined]
            for k, elt in enumerate(stmt.value.elts):  # type: ignore[attr-defined]
                if isinstance(elt, ast.Name) and elt.id in self.unit.active:
                    self.accumulate(elt.id, _method(d, "at_or_zeros", [ast.Constant(k), elt]))
            return
        call = stmt.value  # type: ignore[attr-defined]
        if use.kind == "append":
            self.unappend(d, call.args[0])
        elif use.kind == "extend" and use.other is not None:
            self.out.append(
                _statement(_method(d, "pop_into", [ast.Name(self.list_adj[use.other], ast.Load())]))
            )
        elif use.kind == "extend":
            for elt in reversed(call.args[0].elts):
                self.unappend(d, elt)
        elif use.kind == "pop":
            target = stmt.targets[0].id if isinstance(stmt, ast.Assign) else None  # type: ignore[attr-defined]
            g = self.take_adjoint(target) if target is not None else None
            self.out.append(_statement(_method(d, "append", [g or ast.Constant(None)])))
        elif use.kind in ("entry", "stacked", "add_to", "add_parts"):
            self.gradlist_statement(stmt, use, d)

    def gradlist_statement(self, stmt: ast.stmt, use: ListUse, d: str) -> None:
        """The reverse of a GradList's methods: `v = a.at_or_zeros(k, like)` adds `dv` to
        entry k of `da`, `v = a.stacked(like)` adds the parts of `dv` to the entries,
        `a.add_to(i, v)` gives `v` entry i of `da`, `a.add_parts(p)` gives `p` all of them."""
        call = stmt.value  # type: ignore[attr-defined]
        if use.kind in ("entry", "stacked"):
            g = self.take_adjoint(stmt.targets[0].id)  # type: ignore[attr-defined]
            if g is not None and use.kind == "entry":
                self.out.append(_statement(_method(d, "add_to", [call.args[0], g])))
            elif g is not None:
                self.out.append(_statement(_method(d, "add_parts", [g])))
            return
        value = call.args[-1]
        if not (isinstance(value, ast.Name) and value.id in self.unit.active):
            return
        if use.kind == "add_to":
            self.accumulate(value.id, _method(d, "at_or_zeros", [call.args[0], value]))
        else:
            self.accumulate(value.id, _method(d, "stacked", [value]))

    def unappend(self, d: str, value: ast.expr) -> None:
        """The reverse of `hs.append(value)`: the last entry goes to `value`'s adjoint."""
        if isinstance(value, ast.Name) and value.id in self.unit.active:
            self.accumulate(value.id, _method(d, "pop_or_zeros", [value]))
        else:
            self.out.append(_statement(_method(d, "pop", [])))

    def take_adjoint(self, target: str) -> ast.Name | None:
        """The adjoint of `target` at its assignment (None: nothing flowed back to it)."""
        if target not in self.adjoint:
            return None
        g = ast.Name(self.adjoint[target], ast.Load())
        if target in self.multi:  # this assignment ends the value: earlier ones start afresh
            del self.adjoint[target]
            self.owned.discard(target)
        return g

    def list_item(self, op: Op, g: ast.expr) -> None:
        """`y = hs[i]`: entry i of the list's adjoint gets y's."""
        base, index = op.args
        d = self.list_adj[op.lists[base.id]]  # type: ignore[attr-defined]
        self.out.append(_statement(_method(d, "add_to", [index, g])))

    def _elements(self, name: str, d: str) -> ast.expr:
        """`hs[:len(dhs)]`: the elements the list had at this point of the forward sweep."""
        length = ast.Call(ast.Name("len", ast.Load()), [ast.Name(d, ast.Load())], [])
        return ast.Subscript(ast.Name(name, ast.Load()), ast.Slice(None, length), ast.Load())

    def list_parts(self, op: Op, param: str, node: ast.Name, env: dict[str, ast.expr]) -> None:
        """`y = np.stack(hs)` and other rules written as `X[part]`: entry k gets X[k]."""
        assert op.rule is not None
        d = self.list_adj[op.lists[node.id]]
        parts = parts_of(op.rule, param, env | {param: self._elements(node.id, d)})
        if parts is not None:
            parts = _without_noop_moveaxis(parts)
            self.out.append(_statement(_method(d, "add_parts", [parts])))
